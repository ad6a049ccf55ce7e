"""Which pages are consultation of records, and how each is logged (by URL name).

A test checks that every URL of the record-keeping apps is listed here or in NOT_LOGGED, so a
new page cannot silently escape the access log.
"""

from .models import AccessLog

A = AccessLog.Action

# URL name -> (action, object type). Detail pages log the id from the URL.
LOGGED_VIEWS: dict[str, tuple[str, str]] = {
    "premises:list": (A.LIST, "premises.premises"),
    "premises:detail": (A.VIEW, "premises.premises"),
    "premises:edit": (A.VIEW, "premises.premises"),
    "premises:deactivate": (A.VIEW, "premises.premises"),
    "premises:town_list": (A.LIST, "premises.town"),
    "visits:list": (A.LIST, "visits.visit"),
    "visits:log": (A.LIST, "premises.premises"),
    "visits:create": (A.VIEW, "premises.premises"),
    "visits:detail": (A.VIEW, "visits.visit"),
    "visits:edit": (A.VIEW, "visits.visit"),
    "visits:operation_list": (A.LIST, "visits.operation"),
    "visits:operation_detail": (A.VIEW, "visits.operation"),
    "visits:operation_edit": (A.VIEW, "visits.operation"),
    "visits:participant_list": (A.LIST, "visits.participant"),
    "visits:participant_edit": (A.VIEW, "visits.participant"),
    "visits:scenario_list": (A.LIST, "visits.scenario"),
    "visits:scenario_detail": (A.VIEW, "visits.scenario"),
    "training:queue": (A.LIST, "premises.premises"),
    "training:session_list": (A.LIST, "training.trainingsession"),
    "training:session_week": (A.LIST, "training.trainingsession"),
    "training:session_detail": (A.VIEW, "training.trainingsession"),
    "training:session_edit": (A.VIEW, "training.trainingsession"),
    "training:session_deliver": (A.VIEW, "training.trainingsession"),
    "training:notice_list": (A.LIST, "training.notice"),
    "training:notice_detail": (A.VIEW, "training.notice"),
    "training:notice_edit": (A.VIEW, "training.notice"),
    "reports:dashboard": (A.REPORT, ""),
    "reports:report": (A.REPORT, ""),
    "reports:press": (A.REPORT, ""),
    "accounts:user_list": (A.LIST, "accounts.user"),
    "accounts:user_edit": (A.VIEW, "accounts.user"),
    "audit:log": (A.LIST, "audit.accesslog"),
    "audit:history": (A.HISTORY, ""),
    "retention:queue": (A.LIST, "premises.premises"),
}

# Downloads and prints: each asks for a recipient and a reason first (audit.decorators).
DISCLOSURE_VIEWS = {
    "premises:export",
    "visits:export",
    "reports:report_csv",
    "reports:report_print",
    "reports:press_text",
    "training:letter",
    "training:session_ics",
    "training:my_sessions_ics",
    "audit:export",
}

# Pages that show no records, or only write (their writes are in the change history).
NOT_LOGGED = {
    "home",
    "more",
    "healthz",
    "premises:create",
    "premises:import",
    "premises:town_create",
    "premises:town_edit",
    "visits:import",
    "visits:operation_create",
    "visits:operation_close",
    "visits:participant_create",
    "visits:scenario_create",
    "visits:scenario_edit",
    "training:assign",
    "training:session_create",
    "training:letter_sent",
    "training:notice_create",
    "training:request_create",
    "training:request_edit",
    "accounts:user_create",
    "accounts:force_settings",
    "accounts:lockouts",
    "audit:disclose",
    "retention:decide",
}
