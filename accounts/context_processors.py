"""What the base template needs to draw navigation for the signed-in user's role."""

from django.urls import reverse

# (label, URL name, permission, key that marks it active)
_NAV = [
    ("Visits", "visits:list", "visits.view_visit", "visits"),
    ("Operations", "visits:operation_list", "visits.view_operation", "operations"),
    ("Premises", "premises:list", "premises.view_premises", "premises"),
    ("Cadets", "visits:participant_list", "visits.manage_participant", "cadets"),
    ("Scenarios", "visits:scenario_list", "visits.manage_scenario", "scenarios"),
    ("Towns", "premises:town_list", "premises.change_town", "towns"),
    ("Users", "accounts:user_list", "accounts.view_user", "users"),
]
_ACTIVE_BY_PREFIX = [
    ("premises:town_", "towns"),
    ("accounts:user_", "users"),
    ("visits:operation_", "operations"),
    ("visits:participant_", "cadets"),
    ("visits:scenario_", "scenarios"),
    ("visits:", "visits"),
    ("premises:", "premises"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.force_id:
        return {"nav_items": []}
    items = [(label, reverse(name), key) for label, name, perm, key in _NAV if user.has_perm(perm)]
    match = getattr(request, "resolver_match", None)
    active = ""
    if match is not None:
        active = next(
            (key for prefix, key in _ACTIVE_BY_PREFIX if match.view_name.startswith(prefix)), ""
        )
    return {"nav_items": items, "nav_active": active}
