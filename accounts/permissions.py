"""Who may come in: the one helper every view uses to check role and force."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(*perms: str):
    """Let in signed-in members of a force who hold every permission in `perms`; else 403.

    Sign-in itself is enforced for every URL by LoginRequiredMiddleware. Support superusers
    without a force are refused too: product pages always work within one force.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                raise PermissionDenied
            if not user.force_id or not user.is_active:
                raise PermissionDenied
            if perms and not user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
