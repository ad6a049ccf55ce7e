"""The night-of-action planner: which premises to test next, and why (docs/domain.md, "Planning
a night of action"). One ranking query over the force's active premises, and one of each chosen
town's coverage; both computed in SQL from the records."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import User
from premises.models import Premises
from visits.models import LONDON_TZ, Visit

from .models import TrainingSession, add_months
from .queries import with_retest_clock

COVERAGE_MONTHS = 12


class Reason:
    """Why a premises should be tested, most pressing first: the rank the planner sorts by."""

    RETEST_DUE = 1
    FAILED_NOT_RETESTED = 2
    NEVER_TESTED = 3
    LONGEST_SINCE = 4

    choices = [
        (RETEST_DUE, "Re-test due"),
        (FAILED_NOT_RETESTED, "Failed, not re-tested"),
        (NEVER_TESTED, "Never tested"),
        (LONGEST_SINCE, "Longest since the last visit"),
    ]
    labels = dict(choices)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), LONDON_TZ)


def candidates(
    user: User,
    *,
    towns=(),
    sectors=(),
    reasons=(),
    exclude_days: int | None = None,
    today: date | None = None,
) -> QuerySet:
    """The user's force's active premises in `towns` and `sectors` (all when empty), ranked by
    why they should be tested: re-test due (oldest clock first), failed and not re-tested (oldest
    failure first), never tested, then longest since the last visit. Annotated with `reason`,
    `last_visit_id`, `last_result`, `last_visited_at` and `retest_since` (when the re-test clock
    started). `exclude_days` leaves out premises tested within that many days of `today`."""
    premises = Premises.objects.visible_to(user).active()
    if towns:
        premises = premises.filter(town__in=towns)
    if sectors:
        premises = premises.filter(sector__in=sectors)
    premises, trained_not_visited, declined_after_failure = with_retest_clock(premises)
    premises = premises.annotate(
        retest_since=Case(
            When(trained_not_visited, then=F("delivered_at")),
            When(declined_after_failure, then=F("last_visited_at")),
            default=None,
            output_field=DateTimeField(),
        ),
    ).annotate(
        reason=Case(
            When(retest_since__isnull=False, then=Value(Reason.RETEST_DUE)),
            When(last_result=Visit.Result.FAIL, then=Value(Reason.FAILED_NOT_RETESTED)),
            When(last_visit_id__isnull=True, then=Value(Reason.NEVER_TESTED)),
            default=Value(Reason.LONGEST_SINCE),
            output_field=IntegerField(),
        ),
        # Within a reason, the longest waiting first: the re-test clock, else the last visit.
        waiting_since=Case(
            When(retest_since__isnull=False, then=F("retest_since")),
            default=F("last_visited_at"),
            output_field=DateTimeField(),
        ),
    )
    if reasons:
        premises = premises.filter(reason__in=reasons)
    if exclude_days:
        today = today or timezone.localdate()
        cutoff = _start_of(today - timedelta(days=exclude_days))
        premises = premises.filter(Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=cutoff))
    return (
        premises.select_related("town")
        .only("name", "reference", "sector", "postcode", "town__name", "force_id")
        .order_by("reason", F("waiting_since").asc(nulls_first=True), "town__name", "name", "id")
    )


@dataclass
class Candidate:
    """One row of the planner as the page shows it: the premises and its reason in words."""

    premises: Premises
    reason: int
    words: str
    last_visit_id: int | None
    last_visited_on: date | None
    last_result: str
    due_on: date | None = None
    overdue: bool = False

    @property
    def reason_label(self) -> str:
        return Reason.labels[self.reason]

    @property
    def last_result_label(self) -> str:
        return Visit.Result(self.last_result).label if self.last_result else ""


def _local_date(value: datetime | None) -> date | None:
    return timezone.localtime(value, LONDON_TZ).date() if value else None


def to_candidates(items, *, retest_days: int, on: date) -> list[Candidate]:
    """One page of ranked premises as Candidates, each with its reason in words; a re-test is
    overdue when its due date is before `on` (the night being planned)."""
    rows = []
    for item in items:
        last_on = _local_date(item.last_visited_at)
        result = Visit.Result(item.last_result).label.lower() if item.last_result else ""
        row = Candidate(item, item.reason, "", item.last_visit_id, last_on, item.last_result or "")
        if item.reason == Reason.RETEST_DUE:
            since = _local_date(item.retest_since)
            row.due_on = since + timedelta(days=retest_days)
            row.overdue = row.due_on < on
            if item.retest_since == item.last_visited_at:
                started = f"failed {last_on:%-d %b %Y} and training declined"
            else:
                started = f"training delivered {since:%-d %b %Y}"
            when = "overdue since" if row.overdue else "due by"
            row.words = f"Re-test {when} {row.due_on:%-d %b %Y}: {started}."
        elif item.reason == Reason.FAILED_NOT_RETESTED:
            row.words = f"Failed on {last_on:%-d %b %Y} and not re-tested since."
        elif item.reason == Reason.NEVER_TESTED:
            row.words = "Never tested."
        else:
            days = (on - last_on).days
            row.words = f"Last tested {last_on:%-d %b %Y} ({result}), {days} days before."
        rows.append(row)
    return rows


@dataclass
class TownCoverage:
    """Of a town's active premises, how many were tested, failed, trained and re-tested in the
    last 12 months."""

    town: str
    active: int
    tested: int
    failed: int
    trained: int
    retested: int

    @property
    def untested(self) -> int:
        return self.active - self.tested


def coverage(user: User, *, towns=(), today: date | None = None) -> list[TownCoverage]:
    """Each chosen town's coverage over the last 12 months, a town without active premises
    included (or one row for all the force's towns when none is chosen), in one query."""
    today = today or timezone.localdate()
    since = add_months(today, -COVERAGE_MONTHS)
    visits = Visit.objects.filter(premises=OuterRef("pk"), visited_on__gte=since).counted()
    trained = TrainingSession.objects.filter(
        premises=OuterRef("pk"),
        status=TrainingSession.Status.DELIVERED,
        scheduled_for__gte=_start_of(since),
    )
    counts = {
        "active": Count("id"),
        "tested": Count("id", filter=Exists(visits)),
        "failed": Count("id", filter=Exists(visits.failed())),
        "trained": Count("id", filter=Exists(trained)),
        "retested": Count("id", filter=Exists(visits.filter(retest_of__isnull=False))),
    }
    premises = Premises.objects.visible_to(user).active()
    if not towns:
        return [TownCoverage(town="All towns", **premises.aggregate(**counts))]
    rows = premises.filter(town__in=towns).values("town_id").annotate(**counts).order_by("town_id")
    found = {row["town_id"]: row for row in rows}
    return [
        TownCoverage(town.name, **{name: found.get(town.pk, {}).get(name, 0) for name in counts})
        for town in sorted(towns, key=lambda town: town.name)
    ]
