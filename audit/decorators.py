"""The disclosure gate: a download or print asks who it is for and why, then logs it."""

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .middleware import clean_params
from .models import DisclosureLog

SESSION_KEY = "makesafe_disclosures"


def disclosure_key(request) -> str:
    """The same export is the same page with the same URL arguments (filters may differ)."""
    match = request.resolver_match
    args = ",".join(f"{k}={v}" for k, v in sorted(match.kwargs.items()))
    return f"{match.view_name}[{args}]"


def ask_purpose(request):
    """A redirect to the disclosure prompt if this session has not yet said who and why."""
    key = disclosure_key(request)
    if key in request.session.get(SESSION_KEY, {}):
        return None
    query = urlencode({"next": request.get_full_path(), "key": key})
    return redirect(f"{reverse('audit:disclose')}?{query}")


def log_disclosure(request, response):
    """Log a successful download or print with the purpose the session gave for it."""
    purpose = request.session.get(SESSION_KEY, {}).get(disclosure_key(request))
    if response.status_code == 200 and purpose is not None:
        DisclosureLog.objects.create(
            force_id=request.user.force_id,
            user=request.user,
            view=request.resolver_match.view_name,
            path=request.path[:500],
            params=clean_params(request.GET),
            recipient=purpose["recipient"],
            reason=purpose["reason"],
        )
    return response


def disclosure_required(view):
    """Ask for the recipient and reason once per session and export; log every download.

    Views of one record call `ask_purpose` and `log_disclosure` themselves, after fetching the
    record, so that another force's record is a 404 before any question is asked."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return ask_purpose(request) or log_disclosure(request, view(request, *args, **kwargs))

    wrapper.requires_disclosure = True
    return wrapper


def remember_disclosure(request, key: str, recipient: str, reason: str) -> None:
    purposes = dict(request.session.get(SESSION_KEY, {}))
    purposes[key] = {"recipient": recipient, "reason": reason}
    request.session[SESSION_KEY] = purposes
