"""Who may come in: the helpers every view uses to check role and scope (a force, or national)."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def _member_of_a_force(user) -> bool:
    return user.is_authenticated and user.is_active and bool(user.force_id)


def _national(user) -> bool:
    return user.is_authenticated and user.is_national_coordinator


def _requiring(allowed, perms):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not allowed(user):
                raise PermissionDenied
            if perms and not user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def role_required(*perms: str):
    """Let in signed-in members of a force who hold every permission in `perms`; else 403.

    Sign-in itself is enforced for every URL by LoginRequiredMiddleware. Support superusers
    and national coordinators, who have no force, are refused too: product pages always work
    within one force.
    """
    return _requiring(_member_of_a_force, perms)


def national_required(*perms: str):
    """Let in signed-in national coordinators (no force) who hold every permission in `perms`;
    else 403. Every member of a force is refused, whatever their role (docs/security.md)."""
    return _requiring(_national, perms)


def member_or_national_required(*perms: str):
    """Either: for the pages both use, such as the disclosure prompt before a download."""
    return _requiring(lambda user: _member_of_a_force(user) or _national(user), perms)
