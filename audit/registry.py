"""Which pages are consultation of records (DPA 2018 s.62), and how each is logged, by URL name.

Every URL of the site is in exactly one place: LOGGED_VIEWS (a page view of records writes an
access-log row), DISCLOSURE_VIEWS (downloads and prints: a disclosure row, after the prompt), or
NOT_LOGGED with the reason it shows no records. The support site's pages of a model are logged
by `support_page`. tests/audit/test_consultation.py walks every URL pattern against this file, so
a new page cannot silently escape the log.
"""

from dataclasses import dataclass

from .models import AccessLog

A = AccessLog.Action


@dataclass(frozen=True)
class Logged:
    """How a page's view is logged: its action, the type of record it shows, and where the
    record's id comes from: a URL argument, or a query parameter written as "?name"."""

    action: str
    object_type: str = ""
    id_from: str = "pk"


LOGGED_VIEWS: dict[str, Logged] = {
    "home": Logged(A.LIST),  # the user's recent premises, visits, operations and queue
    "premises:list": Logged(A.LIST, "premises.premises"),
    "premises:detail": Logged(A.VIEW, "premises.premises"),
    "premises:edit": Logged(A.VIEW, "premises.premises"),
    "premises:deactivate": Logged(A.VIEW, "premises.premises"),
    "premises:town_list": Logged(A.LIST, "premises.town"),
    "premises:town_edit": Logged(A.VIEW, "premises.town"),
    "premises:operator_list": Logged(A.LIST, "premises.operator"),
    "premises:operator_detail": Logged(A.VIEW, "premises.operator"),
    "premises:operator_edit": Logged(A.VIEW, "premises.operator"),
    "premises:operator_merge": Logged(A.VIEW, "premises.operator"),
    "visits:list": Logged(A.LIST, "visits.visit"),
    "visits:log": Logged(A.LIST, "premises.premises"),
    "visits:create": Logged(A.VIEW, "premises.premises", "premises_pk"),
    "visits:detail": Logged(A.VIEW, "visits.visit"),
    "visits:edit": Logged(A.VIEW, "visits.visit"),
    "visits:operation_list": Logged(A.LIST, "visits.operation"),
    "visits:operation_create": Logged(A.LIST, "premises.premises"),  # the premises to choose
    "visits:operation_plan": Logged(A.LIST, "premises.premises"),  # the planner's ranking
    "visits:operation_detail": Logged(A.VIEW, "visits.operation"),
    "visits:operation_edit": Logged(A.VIEW, "visits.operation"),
    "visits:operation_close": Logged(A.VIEW, "visits.operation"),
    "visits:operation_team": Logged(A.VIEW, "visits.operation"),
    "visits:operation_approve": Logged(A.VIEW, "visits.operation"),
    "visits:participant_list": Logged(A.LIST, "visits.participant"),
    "visits:participant_edit": Logged(A.VIEW, "visits.participant"),
    "visits:scenario_list": Logged(A.LIST, "visits.scenario"),
    "visits:scenario_detail": Logged(A.VIEW, "visits.scenario"),
    "visits:scenario_edit": Logged(A.VIEW, "visits.scenario"),
    "training:queue": Logged(A.LIST, "premises.premises"),
    "training:session_list": Logged(A.LIST, "training.trainingsession"),
    "training:session_create": Logged(A.VIEW, "premises.premises", "?premises"),
    "training:session_week": Logged(A.LIST, "training.trainingsession"),
    "training:session_detail": Logged(A.VIEW, "training.trainingsession"),
    "training:session_edit": Logged(A.VIEW, "training.trainingsession"),
    "training:session_deliver": Logged(A.VIEW, "training.trainingsession"),
    "training:notice_list": Logged(A.LIST, "training.notice"),
    "training:notice_create": Logged(A.VIEW, "premises.premises", "?premises"),
    "training:notice_detail": Logged(A.VIEW, "training.notice"),
    "training:notice_edit": Logged(A.VIEW, "training.notice"),
    "training:request_create": Logged(A.VIEW, "training.notice", "notice_pk"),
    "training:request_edit": Logged(A.VIEW, "training.guestinforequest"),
    "reports:dashboard": Logged(A.REPORT),
    "reports:report": Logged(A.REPORT),
    "reports:press": Logged(A.REPORT),
    "accounts:user_list": Logged(A.LIST, "accounts.user"),
    "accounts:user_edit": Logged(A.VIEW, "accounts.user"),
    "accounts:lockouts": Logged(A.LIST, "accounts.user"),
    "audit:log": Logged(A.LIST, "audit.accesslog"),
    "audit:history": Logged(A.HISTORY),
    "retention:queue": Logged(A.LIST, "premises.premises"),
    "retention:decide": Logged(A.VIEW, "premises.premises"),
    "admin:auth_user_password_change": Logged(A.VIEW, "accounts.user", "id"),
}

# Downloads and prints: each asks for a recipient and a reason first (audit.decorators).
DISCLOSURE_VIEWS = {
    "premises:export",
    "premises:export_xlsx",
    "visits:export",
    "visits:export_xlsx",
    "reports:report_csv",
    "reports:report_xlsx",
    "reports:report_print",
    "reports:press_text",
    "training:letter",
    "training:document",
    "reports:report_pdf",
    "reports:national_csv",
    "reports:national_pdf",
    "training:session_ics",
    "training:my_sessions_ics",
    "audit:export",
    "visits:operation_briefing",
    "visits:operation_briefing_pdf",
}

BLANK_FORM = "a blank form: it shows no records (what it saves is in the change history)"
WRITE_ONLY = "only writes (the change is in the change history); a GET shows nothing"
ISSUE_ONLY = (
    "only keeps the document as issued (training.IssuedDocument: who issued it and when, "
    "append-only); a GET shows nothing"
)
SIGN_IN = "signing in or out, or the user's own password: no records"
COMBINATION = (
    "figures added up across forces, never a record: each computation is written to the "
    "combination log (CombinationLog: who, when, which forces, which report)"
)

CAMPAIGNS = (
    "national campaigns: names and dates set by the national coordinator, no force's records"
)
EDIT_CAMPAIGN = (
    "a national campaign's form: no force's records (what it saves is in the change history)"
)
NATIONAL_LIBRARY = (
    "scripts published to every force by the national coordinator: no record of a force or "
    "a person (adopting one is kept in the scenario's history)"
)

NOT_LOGGED: dict[str, str] = {
    "more": "links to the other pages of the user's role",
    "healthz": "the load balancer's health check",
    "premises:create": BLANK_FORM,
    "premises:import": "an upload form; the import itself is in the change history",
    "premises:town_create": BLANK_FORM,
    "visits:import": "an upload form; the import itself is in the change history",
    "visits:participant_create": BLANK_FORM,
    "visits:scenario_create": BLANK_FORM,
    "visits:library": NATIONAL_LIBRARY,
    "visits:library_adopt": NATIONAL_LIBRARY,
    "visits:national_scenario_list": NATIONAL_LIBRARY,
    "visits:national_scenario_create": BLANK_FORM,
    "visits:national_scenario_revise": NATIONAL_LIBRARY,
    "visits:service_worker": "the offline worker's script: code, no records",
    "training:assign": WRITE_ONLY,
    "visits:operation_start": WRITE_ONLY,
    "visits:operation_order": WRITE_ONLY,
    "training:letter_sent": WRITE_ONLY,
    "training:notice_served": ISSUE_ONLY,
    "training:request_sent": ISSUE_ONLY,
    "accounts:user_create": BLANK_FORM,
    "accounts:force_settings": "the force's follow-up periods and contact: no records",
    "audit:disclose": "the prompt before a download, which is logged as a disclosure",
    "reports:national": COMBINATION,
    "reports:national_report": COMBINATION,
    "reports:national_press": COMBINATION,
    "reports:campaign_list": CAMPAIGNS,
    "reports:campaign_create": BLANK_FORM,
    "reports:campaign_edit": EDIT_CAMPAIGN,
    "accounts:login": SIGN_IN,
    "accounts:logout": SIGN_IN,
    "accounts:profile": "the user's own account and their reminder emails: no one else's",
    "accounts:password_change": SIGN_IN,
    "accounts:password_change_done": SIGN_IN,
    "accounts:password_reset": SIGN_IN,
    "accounts:password_reset_done": SIGN_IN,
    "accounts:password_reset_confirm": SIGN_IN,
    "accounts:password_reset_complete": SIGN_IN,
    "accounts:locked_out": SIGN_IN,
    # The support site's pages that are not about one model's rows.
    "admin:index": "the support site's list of models",
    "admin:app_list": "the support site's list of an app's models",
    "admin:login": SIGN_IN,
    "admin:logout": SIGN_IN,
    "admin:password_change": SIGN_IN,
    "admin:password_change_done": SIGN_IN,
    "admin:jsi18n": "the support site's translations for its scripts",
    "admin:autocomplete": "type-ahead inside support forms: answers JSON of a field's choices",
    "admin:view_on_site": "a redirect to the record's own page, which is logged",
}

# The support site's views of a model's rows, by the end of their URL name.
SUPPORT_PAGES = {
    "changelist": A.LIST,
    "change": A.VIEW,
    "delete": A.VIEW,
    "history": A.HISTORY,
}
SUPPORT_ADD = "a blank support form: it shows no records"


def support_page(view_name: str, model_admin) -> Logged | None:
    """How a support-site page of a model is logged (None for the blank "add" form)."""
    if model_admin is None or not view_name.startswith("admin:"):
        return None
    kind = view_name.rsplit("_", 1)[-1]
    if kind not in SUPPORT_PAGES:
        return None
    return Logged(SUPPORT_PAGES[kind], model_admin.model._meta.label_lower, "object_id")
