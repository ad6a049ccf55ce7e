"""The sergeants' work-queue badge in the main navigation bar."""

import time

from .queries import queue_counts

# The badge is counted at most once a minute and kept in the session (so in PostgreSQL, shared by
# every app server): the four queue counts read a force's whole history, and would otherwise run
# on every page a sergeant opens. The home and queue pages count live and refresh it; any write
# the user makes drops it (makesafe/middleware.py), so their own changes show at once.
QUEUE_BADGE_KEY = "queue_badge"
QUEUE_BADGE_SECONDS = 60


def remember_queue_counts(request, counts: dict) -> None:
    """Keep a page's live queue counts as the badge's figure for the next minute."""
    request.session[QUEUE_BADGE_KEY] = [sum(counts.values()), int(time.time())]


def forget_queue_badge(request) -> None:
    """Count the badge afresh on the next page (after a write that may change the queue)."""
    session = getattr(request, "session", None)
    if session is not None and QUEUE_BADGE_KEY in session:
        del session[QUEUE_BADGE_KEY]


def queue_badge(request) -> dict:
    """Context processor: `queue_badge`, the number of rows in a sergeant's work queue."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.force_id:
        return {}
    if not user.has_perm("training.schedule_training"):
        return {}
    kept = request.session.get(QUEUE_BADGE_KEY)
    if kept and 0 <= time.time() - kept[1] < QUEUE_BADGE_SECONDS:
        return {"queue_badge": kept[0]}
    counts = queue_counts(user)
    remember_queue_counts(request, counts)
    return {"queue_badge": sum(counts.values())}
