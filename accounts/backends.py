"""Sign-in backend: Django's ModelBackend, with the signed-in user loaded in one query.

On every request Django's ModelBackend reads the user, then (on the first permission check) the
user's own permissions and their groups' permissions, and the page header reads the user's
force: four round trips before a page does any work. Here the user, their force and the ids of
both permission sets come with the session row (accounts/sessions.py), or in one query of their
own otherwise, and fill ModelBackend's own per-request caches, so `has_perm` and `user.force`
answer without touching the database. Rules are unchanged: inactive users are refused, and the
permissions are exactly those of the user and their roles, read afresh on every request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

# Permission id -> "app_label.codename". Like Django's own ContentType cache, it holds facts that
# never change (a permission row keeps its id and name; new ones are added by migrations), and
# it is read again whenever an id is missing from it. Who holds which permission is never
# cached: that is read with every request.
_PERMISSION_NAMES: dict[int, str] = {}


def _names(ids) -> set[str]:
    ids = set(ids or ())
    if not ids <= _PERMISSION_NAMES.keys():
        rows = Permission.objects.values_list("id", "content_type__app_label", "codename")
        _PERMISSION_NAMES.update({pk: f"{app}.{codename}" for pk, app, codename in rows})
    return {_PERMISSION_NAMES[pk] for pk in ids if pk in _PERMISSION_NAMES}


def with_permissions(users):
    """The users queryset with the ids of each user's own and their groups' permissions."""
    own = get_user_model().user_permissions.through.objects
    of_groups = Group.permissions.through.objects
    return users.annotate(
        own_permission_ids=ArraySubquery(
            own.filter(user_id=OuterRef("pk")).values("permission_id")
        ),
        group_permission_ids=ArraySubquery(
            of_groups.filter(group__user=OuterRef("pk")).values("permission_id")
        ),
    )


def remember_permissions(user, own_ids, group_ids) -> None:
    """Fill ModelBackend's per-request permission caches (not for superusers: they hold every
    permission, which ModelBackend reads itself)."""
    if not user.is_superuser:
        user._user_perm_cache = _names(own_ids)
        user._group_perm_cache = _names(group_ids)
        user._perm_cache = user._user_perm_cache | user._group_perm_cache


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        from .sessions import signed_in_user

        user = signed_in_user.get()  # read with this request's session (accounts/sessions.py)
        if user is not None and str(user.pk) == str(user_id):
            signed_in_user.set(None)
        else:
            users = with_permissions(get_user_model()._default_manager.select_related("force"))
            try:
                user = users.get(pk=user_id)
            except users.model.DoesNotExist:
                return None
            remember_permissions(user, user.own_permission_ids, user.group_permission_ids)
        return user if self.user_can_authenticate(user) else None
