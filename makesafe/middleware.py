"""Response headers Django does not set by itself, session time limits, the client address."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.db import DEFAULT_DB_ALIAS, transaction

from training.context_processors import forget_queue_badge

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class AtomicWritesMiddleware:
    """ATOMIC_REQUESTS for the requests that may write: a POST (or PUT, PATCH, DELETE) view runs
    in one transaction and an exception rolls all of it back; a GET runs in autocommit, which
    spares every page view the BEGIN/COMMIT round trips. Must be the last middleware with a
    `process_view`, since it calls the view itself. Views marked `non_atomic_requests` are left
    alone, as Django does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in READ_METHODS:
            return None
        if DEFAULT_DB_ALIAS in getattr(view_func, "_non_atomic_requests", ()):
            return None
        with transaction.atomic():
            response = view_func(request, *view_args, **view_kwargs)
        forget_queue_badge(request)  # the write may have changed the sergeants' work queue
        return response


class SecurityHeadersMiddleware:
    """Keep pages with records out of browser and proxy caches.

    Every page a signed-in user sees may carry OFFICIAL-SENSITIVE records, so it is `no-store`;
    static files are served by WhiteNoise before this runs and keep their long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        elif "Cache-Control" not in response:
            response["Cache-Control"] = "no-cache"
        return response


class SessionTimeoutMiddleware:
    """End a session after 30 idle minutes or 10 hours in all (a shift), or once the account is
    deactivated: server-side, so the old cookie is useless."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated and SESSION_KEY in request.session:
            # The account was deactivated since sign-in: end the session for good, so that
            # reactivating the account does not bring the old cookie back to life.
            request.session.flush()
        elif user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault("started_at", now)
            last_seen = session.get("last_seen", now)
            idle = now - last_seen > settings.SESSION_IDLE_SECONDS
            too_long = now - started > settings.SESSION_ABSOLUTE_SECONDS
            if idle or too_long:
                logout(request)  # flushes the session in the database: the old cookie is useless
                messages.info(
                    request,
                    "You were signed out after 30 minutes without activity."
                    if idle
                    else "You were signed out at the end of the 10-hour session limit.",
                )
            elif now - last_seen >= 30 or "last_seen" not in session:
                session["last_seen"] = now
        return self.get_response(request)


def client_ip(request) -> str:
    """The client address for login throttling: the connection's, or a trusted proxy's header."""
    header = settings.TRUSTED_PROXY_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]
