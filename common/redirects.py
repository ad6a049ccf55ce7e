"""Where a form may send the user back to: only paths on this site (no open redirects)."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, target: str | None) -> str:
    """`target` if it is a path on this site, else an empty string."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
