"""Where a form may send the user back to: only paths on this site (no open redirects)."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, target: str | None) -> str:
    """`target` if it is a path on this site, else an empty string. A path starts with a slash
    and holds no control characters: `redirect()` would read "queue" as a URL name, and a
    header cannot hold a line break."""
    if (
        target
        and target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return ""
