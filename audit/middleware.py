"""Writes the access log for every successful view of records (see registry.py)."""

import time

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from .models import AccessLog
from .registry import LOGGED_VIEWS, Logged, support_page

# Query parameters that never go in a log.
SECRET_PARAMS = {"csrfmiddlewaretoken", "password", "password1", "password2", "token", "next"}
MAX_PARAM_LENGTH = 200
# What PostgreSQL cannot keep in text or JSON: NUL, and halves of UTF-16 surrogate pairs.
UNSTORABLE = dict.fromkeys([0, *range(0xD800, 0xE000)])
MAX_ID = 2**63 - 1

# A search that only narrows the user's previous one (a type-ahead adding letters) shows a subset
# of what that search showed and was logged for: it is not logged again for this long.
SEARCH_KEY = "logged_search"
SEARCH_SECONDS = 300


def storable(text) -> str:
    """`text` without the characters PostgreSQL cannot store."""
    return str(text).translate(UNSTORABLE)


def clean_params(params) -> dict:
    """The filters of a request as a small JSON object, without secrets, each value bounded."""
    cleaned = {}
    for key in list(params.keys())[:30]:
        if key.lower() in SECRET_PARAMS or "password" in key.lower():
            continue
        values = [storable(v)[:MAX_PARAM_LENGTH] for v in params.getlist(key)[:10]]
        cleaned[storable(key)[:60]] = values if len(values) > 1 else (values[0] if values else "")
    return cleaned


def quiet(request) -> None:
    """Write no access-log row for this response: the page showed no records."""
    request.access_log_quiet = True


def search_logged(request, text: str) -> None:
    """Log a search's page view only if it shows what the user's last logged search did not:
    an empty search, or one that narrows the last (its text extends that search's text, within
    a few minutes), shows no record the log does not already hold."""
    text = text.strip().lower()
    last = request.session.get(SEARCH_KEY)
    now = time.time()
    if last and text.startswith(last[0]) and 0 <= now - last[1] < SEARCH_SECONDS:
        quiet(request)
    else:
        request.session[SEARCH_KEY] = [text, now]


def _record_id(request, match, logged: Logged) -> int | None:
    if logged.id_from.startswith("?"):
        value = request.GET.get(logged.id_from[1:], "")
    else:
        value = match.kwargs.get(logged.id_from, "")
    value = str(value)
    return int(value) if value.isascii() and value.isdecimal() and int(value) <= MAX_ID else None


def _force_of(model, object_id) -> int | None:
    """The force whose record a support page shows (None for lists across forces)."""
    if object_id is None:
        return None
    if model._meta.label_lower == "accounts.force":
        return object_id
    try:
        model._meta.get_field("force")
    except FieldDoesNotExist:
        return None
    return model._default_manager.filter(pk=object_id).values_list("force_id", flat=True).first()


class AccessLogMiddleware:
    """After a 200 response to a logged page, add one access-log row (one per page, not per row)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            response.status_code != 200
            or request.method != "GET"
            or match is None
            or user is None
            or not user.is_authenticated
            or getattr(request, "access_log_quiet", False)
        ):
            return response
        model_admin = getattr(match.func, "model_admin", None)
        logged = LOGGED_VIEWS.get(match.view_name) or support_page(match.view_name, model_admin)
        if logged is None:
            return response
        object_type = logged.object_type
        if match.view_name == "reports:report":
            object_type = f"report:{match.kwargs.get('report', '')}"
        if match.view_name == "audit:history":
            object_type = str(match.kwargs.get("model", ""))
        object_id = _record_id(request, match, logged)
        force_id = user.force_id
        if match.view_name.startswith("admin:"):  # support staff have no force: the record's
            force_id = _force_of(apps.get_model(object_type), object_id)
        AccessLog.objects.create(
            force_id=force_id,
            user=user,
            action=logged.action,
            view=match.view_name,
            object_type=storable(object_type)[:40],
            object_id=object_id,
            path=storable(request.path)[:500],
            params=clean_params(request.GET),
        )
        return response
