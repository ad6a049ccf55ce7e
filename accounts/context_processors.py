"""What the base template needs to draw navigation for the signed-in user's role."""

from django.urls import reverse

# URL names that light up a navigation item other than their app's own.
_ACTIVE_BY_URL = {
    "premises:town_list": "towns",
    "premises:town_create": "towns",
    "premises:town_edit": "towns",
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.force_id:
        return {"nav_items": []}
    items = []
    if user.has_perm("premises.view_premises"):
        items.append(("Premises", reverse("premises:list"), "premises"))
    if user.has_perm("premises.change_town"):
        items.append(("Towns", reverse("premises:town_list"), "towns"))
    if user.has_perm("accounts.view_user"):
        items.append(("Users", reverse("accounts:user_list"), "users"))
    match = getattr(request, "resolver_match", None)
    active = ""
    if match is not None:
        active = _ACTIVE_BY_URL.get(match.view_name, match.namespace)
        if match.view_name.startswith("accounts:user_"):
            active = "users"
    return {"nav_items": items, "nav_active": active}
