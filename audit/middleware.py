"""Writes the access log for every successful view of records (see registry.py)."""

from .models import AccessLog
from .registry import LOGGED_VIEWS

# Query parameters that never go in a log.
SECRET_PARAMS = {"csrfmiddlewaretoken", "password", "password1", "password2", "token", "next"}
MAX_PARAM_LENGTH = 200


def clean_params(params) -> dict:
    """The filters of a request as a small JSON object, without secrets, each value bounded."""
    cleaned = {}
    for key in list(params.keys())[:30]:
        if key.lower() in SECRET_PARAMS or "password" in key.lower():
            continue
        values = [str(v)[:MAX_PARAM_LENGTH] for v in params.getlist(key)[:10]]
        cleaned[str(key)[:60]] = values if len(values) > 1 else (values[0] if values else "")
    return cleaned


class AccessLogMiddleware:
    """After a 200 response to a logged page, add one access-log row (one per page, not per row)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            response.status_code == 200
            and request.method == "GET"
            and match is not None
            and match.view_name in LOGGED_VIEWS
            and user is not None
            and user.is_authenticated
        ):
            action, object_type = LOGGED_VIEWS[match.view_name]
            object_id = match.kwargs.get("pk") or match.kwargs.get("premises_pk")
            if match.view_name == "reports:report":
                object_type = f"report:{match.kwargs.get('report', '')}"[:40]
            if match.view_name == "audit:history":
                object_type = str(match.kwargs.get("model", ""))[:40]
            AccessLog.objects.create(
                force_id=user.force_id,
                user=user,
                action=action,
                view=match.view_name,
                object_type=object_type,
                object_id=object_id,
                path=request.path[:500],
                params=clean_params(request.GET),
            )
        return response
