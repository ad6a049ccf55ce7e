"""The night-of-action planner: which premises to test next, and why (docs/domain.md, "Planning
a night of action"). One ranking query over the force's active premises, and one of each chosen
town's coverage; both computed in SQL from the records."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils import timezone

from accounts.models import User
from common.pagination import page_number
from premises.models import Premises
from visits.models import LONDON_TZ, Operation, OperationPremises, Visit, london_midnight

from .models import TrainingSession, add_months

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


# The ranking, as one named statement: each premises' latest counted visit and latest delivered
# training are read once (LATERAL, from the visits' premises-and-time index and the sessions'
# premises-status-date index), then its reason follows from them. The same rule as the work
# queue's re-test due (training.queries.with_retest_clock), which tests hold the two to. A filter
# left empty is passed as NULL, which PostgreSQL folds away when it plans the statement.
RANKING_SQL = """
WITH candidate AS (
    SELECT p.id, p.force_id, p.name, p.reference, p.sector, p.town_id, t.name AS town_name,
        lv.id AS last_visit_id, lv.visited_at AS last_visited_at, lv.result AS last_result,
        lt.scheduled_for AS delivered_at,
        EXISTS (
            SELECT 1 FROM training_trainingsession d
            WHERE d.premises_id = p.id AND d.status = %(declined)s
                AND (d.visit_id = lv.id OR d.scheduled_for >= lv.visited_at
                    OR (d.scheduled_for IS NULL AND d.created_at >= lv.visited_at))
        ) AS declined
    FROM premises_premises p
    JOIN premises_town t ON t.id = p.town_id
    LEFT JOIN LATERAL (
        SELECT v.id, v.visited_at, v.result FROM visits_visit v
        WHERE v.premises_id = p.id AND v.result <> %(void)s
        ORDER BY v.visited_at DESC, v.id DESC LIMIT 1
    ) lv ON true
    LEFT JOIN LATERAL (
        SELECT s.scheduled_for FROM training_trainingsession s
        WHERE s.premises_id = p.id AND s.status = %(delivered)s
        ORDER BY s.scheduled_for DESC LIMIT 1
    ) lt ON true
    WHERE p.force_id = %(force)s AND p.active
        AND (%(towns)s::bigint[] IS NULL OR p.town_id = ANY(%(towns)s::bigint[]))
        AND (%(sectors)s::text[] IS NULL OR p.sector = ANY(%(sectors)s::text[]))
        AND (%(cutoff)s::timestamptz IS NULL OR lv.visited_at IS NULL
            OR lv.visited_at < %(cutoff)s::timestamptz)
), clocked AS (
    SELECT c.*,
        CASE
            WHEN c.delivered_at IS NOT NULL
                AND (c.last_visited_at IS NULL OR c.last_visited_at < c.delivered_at)
                THEN c.delivered_at
            WHEN c.last_result = %(fail)s AND c.declined
                AND (c.delivered_at IS NULL OR c.delivered_at <= c.last_visited_at)
                THEN c.last_visited_at
        END AS retest_since
    FROM candidate c
), reasoned AS (
    SELECT k.*,
        CASE
            WHEN k.retest_since IS NOT NULL THEN 1
            WHEN k.last_result = %(fail)s THEN 2
            WHEN k.last_visit_id IS NULL THEN 3
            ELSE 4
        END AS reason,
        COALESCE(k.retest_since, k.last_visited_at) AS waiting_since
    FROM clocked k
)
SELECT r.*, count(*) OVER () AS total
FROM reasoned r
WHERE %(reasons)s::int[] IS NULL OR r.reason = ANY(%(reasons)s::int[])
ORDER BY r.reason, r.waiting_since NULLS FIRST, r.town_name, r.name, r.id
LIMIT %(limit)s OFFSET %(offset)s
"""


# The premises' own columns RANKING_SQL returns (the rest are its annotations).
PREMISES_COLUMNS = ["id", "force_id", "name", "reference", "sector", "town_id"]


def ranking_params(
    force_id: int,
    *,
    towns=(),
    sectors=(),
    reasons=(),
    exclude_days: int | None = None,
    today: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """The parameters of RANKING_SQL: an empty filter is NULL, the rule's values the models'."""
    today = today or timezone.localdate()
    return {
        "force": force_id,
        "towns": [getattr(town, "pk", town) for town in towns] or None,
        "sectors": list(sectors) or None,
        "reasons": [int(reason) for reason in reasons] or None,
        "cutoff": london_midnight(today - timedelta(days=exclude_days)) if exclude_days else None,
        "void": Visit.Result.VOID,
        "fail": Visit.Result.FAIL,
        "declined": TrainingSession.Status.DECLINED,
        "delivered": TrainingSession.Status.DELIVERED,
        "limit": limit,
        "offset": offset,
    }


def candidates(user: User, *, limit: int = 50, offset: int = 0, **filters) -> list[Premises]:
    """The user's force's active premises in `towns` and `sectors` (all when empty), ranked by
    why they should be tested: re-test due (oldest clock first), failed and not re-tested (oldest
    failure first), never tested, then longest since the last visit; `limit` of them from
    `offset`. Each is annotated with `reason`, `town_name`, `last_visit_id`, `last_result`,
    `last_visited_at`, `delivered_at`, `retest_since` and `total` (how many rank). `reasons`
    keeps those reasons only; `exclude_days` leaves out premises tested within that many days
    of `today`. One query."""
    params = ranking_params(user.force_id, limit=limit, offset=offset, **filters)
    with connection.cursor() as cursor:
        cursor.execute(RANKING_SQL, params)
        columns = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    ranked = []
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        # from_db reads the values in the model's field order; the other fields are deferred.
        fields = [f.attname for f in Premises._meta.concrete_fields if f.attname in row]
        premises = Premises.from_db(connection.alias, fields, [row[name] for name in fields])
        for name in columns:
            if name not in PREMISES_COLUMNS:
                setattr(premises, name, row[name])
        ranked.append(premises)
    return ranked


def ranked_page(user: User, number, per_page: int = 50, **filters) -> Page:
    """Page `number` of the ranking (bad input: page 1; past the end: the last page), in one
    query, or three when asked for a page past the end."""
    number = page_number(number)
    rows = candidates(user, limit=per_page, offset=(number - 1) * per_page, **filters)
    total = rows[0].total if rows else 0
    if not rows and number > 1:
        first = candidates(user, limit=1, **filters)
        total = first[0].total if first else 0
        number = max(1, -(-total // per_page))
        rows = candidates(user, limit=per_page, offset=(number - 1) * per_page, **filters)
    paginator = Paginator([], per_page)
    paginator.count = total  # a cached property: Django reads it, never counts again
    return Page(rows, number, paginator)


@dataclass
class Candidate:
    """One row of the planner as the page shows it: the premises and its reason in words."""

    premises: Premises
    town: str
    reason: int
    words: str
    last_visit_id: int | None
    last_visited_on: date | None
    last_result: str
    due_on: date | None = None
    overdue: bool = False
    # The force's open operations (planned or in progress) the premises is already on.
    operations: list[Operation] = field(default_factory=list)

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
        row = Candidate(
            item,
            item.town_name,
            item.reason,
            "",
            item.last_visit_id,
            last_on,
            item.last_result or "",
        )
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
            before = "ago" if on == timezone.localdate() else "before the night"
            row.words = f"Last tested {last_on:%-d %b %Y} ({result}), {days:,} days {before}."
        rows.append(row)
    return rows


def mark_open_operations(user: User, rows: list[Candidate]) -> None:
    """Give each row the user's force's open operations (planned or in progress) its premises
    is already on, soonest first, so the coordinator sees it is booked: one query."""
    on = {row.premises.pk: row for row in rows}
    places = (
        OperationPremises.objects.filter(
            premises_id__in=list(on), operation__in=Operation.objects.visible_to(user).open()
        )
        .select_related("operation")
        .only("premises_id", "operation__name", "operation__date", "operation__status")
        .order_by("operation__date", "operation__name", "operation_id")
    )
    for place in places:
        on[place.premises_id].operations.append(place.operation)


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


# Of each town's active premises (or the force's, all towns together, when `all` is true), how
# many had a counted visit, a failed one, training delivered and a re-test since `since`.
COVERAGE_SQL = """
SELECT CASE WHEN %(all)s THEN NULL ELSE p.town_id END AS town_id,
    count(*) AS active,
    count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM visits_visit v WHERE v.premises_id = p.id
            AND v.visited_at >= %(since)s AND v.result <> %(void)s)) AS tested,
    count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM visits_visit v WHERE v.premises_id = p.id
            AND v.visited_at >= %(since)s AND v.result = %(fail)s)) AS failed,
    count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM training_trainingsession s WHERE s.premises_id = p.id
            AND s.status = %(delivered)s AND s.scheduled_for >= %(since)s)) AS trained,
    count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM visits_visit v WHERE v.premises_id = p.id
            AND v.visited_at >= %(since)s AND v.result <> %(void)s
            AND v.retest_of_id IS NOT NULL)) AS retested
FROM premises_premises p
WHERE p.force_id = %(force)s AND p.active
    AND (%(towns)s::bigint[] IS NULL OR p.town_id = ANY(%(towns)s::bigint[]))
GROUP BY 1
"""


def coverage_params(force_id: int, *, towns=(), today: date | None = None) -> dict:
    """The parameters of COVERAGE_SQL: the last 12 months to `today`, in London days."""
    today = today or timezone.localdate()
    return {
        "force": force_id,
        "all": not towns,
        "towns": [getattr(town, "pk", town) for town in towns] or None,
        "since": london_midnight(add_months(today, -COVERAGE_MONTHS)),
        "void": Visit.Result.VOID,
        "fail": Visit.Result.FAIL,
        "delivered": TrainingSession.Status.DELIVERED,
    }


def coverage(user: User, *, towns=(), today: date | None = None) -> list[TownCoverage]:
    """Each chosen town's coverage over the last 12 months, a town without active premises
    included (or one row for all the force's towns when none is chosen), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(COVERAGE_SQL, coverage_params(user.force_id, towns=towns, today=today))
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    if not towns:
        return [TownCoverage("All towns", *found.get(None, (0, 0, 0, 0, 0)))]
    return [
        TownCoverage(town.name, *found.get(town.pk, (0, 0, 0, 0, 0)))
        for town in sorted(towns, key=lambda town: town.name)
    ]
