"""A premises' timeline: its visits, training sessions and s.116 notices, newest first.

It lives in training, the app that may import premises, visits and training alike. Each failed
visit carries its chain: the training it led to and the re-tests that followed it, found among the
rows already read, never with a query per visit.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from premises.models import Premises
from visits.models import Visit

from .models import Notice, TrainingSession

VISITS_SHOWN = 100  # older visits are in the visits list, filtered to the premises
SESSIONS_SHOWN = 200  # a premises gets training a few times a year, not hundreds
NOTICES_SHOWN = 20


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: `kind` is "visit", "training" or "notice"."""

    when: datetime | date
    kind: str
    item: Visit | TrainingSession | Notice


@dataclass(frozen=True)
class Timeline:
    entries: list[Entry]
    more_visits: bool  # more visits than shown


def premises_timeline(premises: Premises, *, user) -> Timeline:
    """The premises' visits, training and notices that `user` may see, in three queries."""
    visits = list(
        Visit.objects.visible_to(user)
        .filter(premises=premises)
        .select_related("officer", "operation", "retest_of")
        .defer("debrief_notes", "reason")
        .order_by("-visited_at", "-id")[:VISITS_SHOWN]
    )
    sessions = list(
        TrainingSession.objects.visible_to(user)
        .filter(premises=premises)
        .select_related("owner")
        .order_by("-scheduled_for", "-created_at", "-id")[:SESSIONS_SHOWN]
    )
    notices = list(
        Notice.objects.visible_to(user)
        .filter(premises=premises)
        .order_by("-start_date", "-id")[:NOTICES_SHOWN]
    )
    chains = {visit.pk: ([], []) for visit in visits}
    for session in sessions:  # newest first, unscheduled ones before them
        if session.visit_id in chains:
            chains[session.visit_id][0].append(session)
    for visit in visits:  # newest first: a re-test is a later visit of the same premises
        if visit.retest_of_id in chains:
            chains[visit.retest_of_id][1].append(visit)
    for visit in visits:
        visit.chain_sessions, visit.chain_retests = chains[visit.pk]
    entries = sorted(
        [Entry(v.visited_at, "visit", v) for v in visits]
        + [Entry(s.scheduled_for or s.created_at, "training", s) for s in sessions]
        + [Entry(n.start_date, "notice", n) for n in notices],
        key=lambda entry: _on_one_scale(entry.when),
        reverse=True,
    )
    return Timeline(entries, more_visits=len(visits) >= VISITS_SHOWN)


def _on_one_scale(value) -> datetime:
    """Dates and datetimes on one scale: a notice's start date sorts at the start of its day."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return datetime.combine(value, time.min)
