"""Navigation for the signed-in user's role, with the work-queue count for sergeants."""

import functools
import time

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The work-queue badge is counted at most once a minute and kept in the session (so in
# PostgreSQL, shared by every app server): the four queue counts read a force's whole history
# and ran on every page a sergeant opened. The home and queue pages count live and refresh it;
# any write the user makes (AtomicWritesMiddleware) drops it, so their own changes show at once.
QUEUE_BADGE_KEY = "queue_badge"
QUEUE_BADGE_SECONDS = 60

# (label, URL name, permission, key that marks it active): the main bar, short enough to fit on
# one line of a 1366-pixel laptop screen whatever the role.
_NAV = [
    ("Visits", "visits:list", "visits.view_visit", "visits"),
    ("Operations", "visits:operation_list", "visits.view_operation", "operations"),
    ("Premises", "premises:list", "premises.view_premises", "premises"),
    ("Reports", "reports:dashboard", "visits.view_reports", "reports"),
    ("Work queue", "training:queue", "training.schedule_training", "queue"),
    ("Training", "training:session_list", "training.view_trainingsession", "training"),
    ("Notices", "training:notice_list", "training.view_notice", "notices"),
]
# Everything else a role may do, on the "More" page: (label, URL name, permission, description).
MORE = [
    ("Cadets", "visits:participant_list", "visits.manage_participant",
     "Pseudonymous cadet codes, age bands and parental permission."),
    ("Scenario scripts", "visits:scenario_list", "visits.manage_scenario",
     "The scripts teams play out, in versions."),
    ("Import historical visits", "visits:import", "visits.import_visit",
     "Bring in past visits from a CSV file."),
    ("Import premises", "premises:import", "premises.import_premises",
     "Add or update premises from a CSV file."),
    ("Towns", "premises:town_list", "premises.change_town", "The force's towns."),
    ("Users", "accounts:user_list", "accounts.view_user", "People of the force and their roles."),
    ("Locked sign-ins", "accounts:lockouts", "accounts.change_user",
     "Unlock usernames after failed sign-ins."),
    ("Audit log", "audit:log", "audit.view_audit", "Who viewed, disclosed and erased records."),
    ("Retention review", "retention:queue", "retention.review_retention",
     "Records past their review date: retain or dispose."),
    ("Force settings", "accounts:force_settings", "accounts.change_force",
     "Follow-up periods, retention period and the training contact."),
]  # fmt: skip
_ACTIVE_BY_PREFIX = [
    ("premises:town_", "more"),
    ("premises:import", "more"),
    ("accounts:", "more"),
    ("visits:import", "more"),
    ("visits:operation_", "operations"),
    ("visits:participant_", "more"),
    ("visits:scenario_", "more"),
    ("visits:", "visits"),
    ("premises:", "premises"),
    ("training:queue", "queue"),
    ("training:assign", "queue"),
    ("training:notice_", "notices"),
    ("training:request_", "notices"),
    ("training:letter", "visits"),
    ("training:", "training"),
    ("reports:", "reports"),
    ("audit:log", "more"),
    ("audit:history", "more"),
    ("retention:", "more"),
    ("more", "more"),
]


@functools.lru_cache(maxsize=256)
def _reversed(name: str, args: tuple, script_prefix: str, urlconf: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)


def cached_url(name: str, *args) -> str:
    """`reverse(name, args=args)`, reversed once per process, script prefix and URLconf: for
    the links every page draws (the bars), whose reversal was most of their cost. Only for
    fixed arguments, never a value from a request."""
    return _reversed(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def navigation(request):
    """Context processor: `nav_items` [(label, url, key, badge)], `nav_active`."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.force_id:
        return {"nav_items": []}
    queue_total = None
    if user.has_perm("training.schedule_training"):
        queue_total = _queue_badge(request, user)
    items = [
        (label, cached_url(name), key, queue_total if key == "queue" else None)
        for label, name, perm, key in _NAV
        if user.has_perm(perm)
    ]
    items.append(("More", cached_url("more"), "more", None))
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    active = next((key for prefix, key in _ACTIVE_BY_PREFIX if view_name.startswith(prefix)), "")
    return {"nav_items": items, "nav_active": active}


def remember_queue_counts(request, counts: dict) -> None:
    """Keep a page's live queue counts as the badge's figure for the next minute."""
    request.session[QUEUE_BADGE_KEY] = [sum(counts.values()), int(time.time())]


def forget_queue_badge(request) -> None:
    """Count the badge afresh on the next page (after a write that may change the queue)."""
    session = getattr(request, "session", None)
    if session is not None and QUEUE_BADGE_KEY in session:
        del session[QUEUE_BADGE_KEY]


def _queue_badge(request, user) -> int:
    kept = request.session.get(QUEUE_BADGE_KEY)
    if kept and 0 <= time.time() - kept[1] < QUEUE_BADGE_SECONDS:
        return kept[0]
    from training.queries import queue_counts  # the project package may import any app

    counts = queue_counts(user)
    remember_queue_counts(request, counts)
    return sum(counts.values())
