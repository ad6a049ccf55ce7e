"""Navigation for the signed-in user's role, with the work-queue count for sergeants."""

from django.urls import reverse

# (label, URL name, permission, key that marks it active)
_NAV = [
    ("Visits", "visits:list", "visits.view_visit", "visits"),
    ("Operations", "visits:operation_list", "visits.view_operation", "operations"),
    ("Premises", "premises:list", "premises.view_premises", "premises"),
    ("Reports", "reports:dashboard", "visits.view_reports", "reports"),
    ("Work queue", "training:queue", "training.schedule_training", "queue"),
    ("Training", "training:session_list", "training.view_trainingsession", "training"),
    ("s.116 notices", "training:notice_list", "training.view_notice", "notices"),
    ("Cadets", "visits:participant_list", "visits.manage_participant", "cadets"),
    ("Scenarios", "visits:scenario_list", "visits.manage_scenario", "scenarios"),
    ("Towns", "premises:town_list", "premises.change_town", "towns"),
    ("Users", "accounts:user_list", "accounts.view_user", "users"),
    ("Audit log", "audit:log", "audit.view_audit", "audit"),
    ("Retention", "retention:queue", "retention.review_retention", "retention"),
    ("Force settings", "accounts:force_settings", "accounts.change_force", "settings"),
]
_ACTIVE_BY_PREFIX = [
    ("premises:town_", "towns"),
    ("accounts:user_", "users"),
    ("accounts:force_", "settings"),
    ("visits:operation_", "operations"),
    ("visits:participant_", "cadets"),
    ("visits:scenario_", "scenarios"),
    ("visits:", "visits"),
    ("premises:", "premises"),
    ("training:queue", "queue"),
    ("training:assign", "queue"),
    ("training:notice_", "notices"),
    ("training:request_", "notices"),
    ("training:letter", "visits"),
    ("training:", "training"),
    ("reports:", "reports"),
    ("audit:log", "audit"),
    ("retention:", "retention"),
]


def navigation(request):
    """Context processor: `nav_items` [(label, url, key, badge)], `nav_active`."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.force_id:
        return {"nav_items": []}
    queue_total = None
    if user.has_perm("training.schedule_training"):
        from training.queries import queue_counts  # the project package may import any app

        queue_total = sum(queue_counts(user).values())
    items = [
        (label, reverse(name), key, queue_total if key == "queue" else None)
        for label, name, perm, key in _NAV
        if user.has_perm(perm)
    ]
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    active = next((key for prefix, key in _ACTIVE_BY_PREFIX if view_name.startswith(prefix)), "")
    return {"nav_items": items, "nav_active": active}
