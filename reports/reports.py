"""Report functions: every figure is aggregated in SQL and returned as a small dataclass.

Definitions, the same on pages, CSVs and in tests: a report counts non-void visits in the period
(by visit date, inclusive at both ends) that the user may see. Failure rate = failed / visits;
challenge rate = reported to police, refused for concerns or challenged / visits; report-to-police
rate = reported to police / visits. Each rate has a 95% Wilson score interval; fewer than 5 visits
is a small sample.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth, TruncQuarter
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from premises.models import Premises, Town
from visits.models import Campaign, Operation, Visit

from . import sql

Z_95 = 1.959963984540054
SMALL_SAMPLE = 5


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion, as fractions; None when n is 0."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Rates:
    """Counts for a set of non-void visits, and the rates the force reports."""

    visits: int = 0
    passed: int = 0
    failed: int = 0
    challenged: int = 0
    reported: int = 0
    premises: int = 0

    @staticmethod
    def _rate(count: int, n: int) -> float | None:
        return count / n if n else None

    @property
    def failure_rate(self) -> float | None:
        return self._rate(self.failed, self.visits)

    @property
    def challenge_rate(self) -> float | None:
        return self._rate(self.challenged, self.visits)

    @property
    def report_rate(self) -> float | None:
        return self._rate(self.reported, self.visits)

    @property
    def interval(self) -> tuple[float, float] | None:
        """95% Wilson interval of the failure rate."""
        return wilson_interval(self.failed, self.visits)

    @property
    def ci_low(self) -> float | None:
        return self.interval[0] if self.interval else None

    @property
    def ci_high(self) -> float | None:
        return self.interval[1] if self.interval else None

    @property
    def small_sample(self) -> bool:
        return self.visits < SMALL_SAMPLE


@dataclass
class Row(Rates):
    """One row of a grouped report: a town, sector, operation, operator or period."""

    label: str = ""
    key: str = ""
    url: str = ""  # the page of what the row counts, where it has one


@dataclass
class Filters:
    """What a report covers. Dates are inclusive; None means open-ended."""

    date_from: date | None = None
    date_to: date | None = None
    sector: str = ""
    town: Town | None = None
    operation: Operation | None = None
    campaign: Campaign | None = None  # visits of the operations linked to a national campaign

    @property
    def from_visits(self) -> bool:
        """Filtered by operation or campaign: the summary tables cannot tell, so every count
        is read from the visits."""
        return self.operation is not None or self.campaign is not None

    @property
    def sector_label(self) -> str:
        return dict(Premises.Sector.choices).get(self.sector, "")


COUNTS = {
    "visits": Count("id"),
    "passed": Count("id", filter=Q(result=Visit.Result.PASS)),
    "failed": Count("id", filter=Q(result=Visit.Result.FAIL)),
    "challenged": Count("id", filter=Q(outcome__in=Visit.CHALLENGE_OUTCOMES)),
    "reported": Count("id", filter=Q(outcome=Visit.Outcome.REPORTED_TO_POLICE)),
    "premises": Count("premises", distinct=True),
}
# The counts that add up across towns, sectors and periods (distinct premises do not).
ADDITIVE = ("visits", "passed", "failed", "challenged", "reported")
RATE_FIELDS = [*ADDITIVE, "premises"]


def counted_visits(user: User, filters: Filters, *, by_premises: bool = False) -> QuerySet:
    """The non-void visits a report counts: the user's force, the period and the filters.
    `by_premises`: the caller groups by the premises' town or sector (so joins the premises)."""
    visits = Visit.objects.visible_to(user).counted().in_period(filters.date_from, filters.date_to)
    if by_premises or filters.sector or filters.town is not None:
        # Said twice on purpose (a visit's premises is always of its force, by trigger): it
        # lets PostgreSQL join only the force's premises, not hash every premises there is.
        visits = visits.filter(premises__force_id=user.force_id)
    if filters.sector:
        visits = visits.filter(premises__sector=filters.sector)
    if filters.town is not None:
        visits = visits.filter(premises__town=filters.town)
    if filters.operation is not None:
        visits = visits.filter(operation=filters.operation)
    if filters.campaign is not None:
        visits = visits.filter(operation__campaign=filters.campaign)
    return visits


def _rates(values: dict) -> dict:
    return {name: values.get(name) or 0 for name in RATE_FIELDS}


def totals(user: User, filters: Filters) -> Rates:
    """Headline counts and rates for the whole selection (one query)."""
    return Rates(**_rates(counted_visits(user, filters).aggregate(**COUNTS)))


def summed(rows: list[Row]) -> Rates:
    """The rows' counts added up (no query): the "All" line of a report whose rows split the
    visits (towns, sectors, periods). Distinct premises are not additive, so left at 0."""
    total = Rates()
    for row in rows:
        for name in ADDITIVE:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _days_with_visits(first: date, last: date, today: date) -> int:
    """How many days from `first` to `last` may hold visits: none after tomorrow (a visit is
    never in the future, give or take the few minutes a clock may be out)."""
    return max(0, (min(last, today + timedelta(days=1)) - first).days + 1)


def whole_months(filters: Filters, today: date | None = None):
    """Split the period into whole months (read from the summary) and days (read from the
    visits). Returns (first month, last month, [(from, to) of days to add], [(from, to) of days
    to take away]), or None when the period holds no whole month.

    A period that starts or ends inside a month either adds that month's days in the period, or
    takes the whole month from the summary and subtracts its days outside the period: whichever
    reads fewer days that may hold visits. The last 12 months, to today, thus read the current
    month from the summary (the days after today hold no visits) instead of reading up to 31
    days of visits, the cost of which grows with the visits."""
    today = today or timezone.localdate()
    start, end = filters.date_from, filters.date_to
    first = None if start is None else (start if start.day == 1 else _next_month(start))
    last = None
    if end is not None:
        last = _month_start(end) if _next_month(end) - timedelta(days=1) == end else None
        if last is None:
            last = _month_start(_month_start(end) - timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None
    added: list[tuple[date, date]] = []
    taken: list[tuple[date, date]] = []

    def whole_month_is_cheaper(inside: tuple, outside: tuple) -> bool:
        """Note the edge month's days to read, and say whether the whole month is read."""
        cheaper = _days_with_visits(*outside, today) < _days_with_visits(*inside, today)
        (taken if cheaper else added).append(outside if cheaper else inside)
        return cheaper

    if start is not None and first is not None and start < first:
        month = _month_start(start)
        if whole_month_is_cheaper(
            (start, first - timedelta(days=1)), (month, start - timedelta(days=1))
        ):
            first = month
    if end is not None and last is not None and end >= _next_month(last):
        month = _next_month(last)
        if whole_month_is_cheaper(
            (month, end), (end + timedelta(days=1), _next_month(month) - timedelta(days=1))
        ):
            last = month
    return first, last, added, taken


def _days(ranges: list[tuple[date, date]]) -> list[date]:
    return [
        start + timedelta(days=n) for start, end in ranges for n in range((end - start).days + 1)
    ]


def _summed_groups(user: User, filters: Filters, split: tuple, by: str, unit: str = "month"):
    """Counts per town, sector or period (`by`: "town", "sector" or "period", periods of one
    `unit`: "month" or "quarter") for a period split by `whole_months`, summed in one query
    (reports/sql.py SUMMED_GROUPS). Returns [(key, town name or None, visits, passed, failed,
    challenged, reported)], keys as text (a town's id, a sector, a period's first day)."""
    first, last, added, taken = split
    # The days one by one: an index probe each, where a range per edge needs a scan each.
    added_days, taken_days = _days(added), _days(taken)
    return sql.summed_groups(
        force=user.force_id,
        by=by,
        unit=unit,
        first=first,
        last=last,
        days=added_days + taken_days,
        taken=taken_days,
        sector=filters.sector,
        town=filters.town.pk if filters.town is not None else None,
    )


def _grouped(
    user: User, filters: Filters, key: str, label: str, *, summary_key=None, exact=False
) -> list[Row]:
    """Counts grouped by `key`. Whole months come from the trigger-kept summary table, the
    days at either end of the period from the visits; `exact` (distinct premises needed) or an
    operation or campaign filter reads only the visits."""
    split = None if exact or filters.from_visits else whole_months(filters)
    if split is None:
        groups = (
            counted_visits(user, filters, by_premises=key.startswith("premises__"))
            .values(key, label)
            .annotate(**COUNTS)
        )
        rows = {g[key]: Row(label=g[label] or "", key=str(g[key]), **_rates(g)) for g in groups}
        return sorted(rows.values(), key=lambda r: (r.label, r.key))
    rows = [
        Row(label=name or key, key=key, **_rates(dict(zip(ADDITIVE, counts, strict=True))))
        for key, name, *counts in _summed_groups(user, filters, split, summary_key)
    ]
    return sorted((r for r in rows if r.visits), key=lambda r: (r.label, r.key))


def by_town(user: User, filters: Filters, *, exact: bool = False) -> list[Row]:
    """One row per town with visits in the selection, sorted by town name."""
    return _grouped(
        user,
        filters,
        "premises__town_id",
        "premises__town__name",
        summary_key="town",
        exact=exact,
    )


def by_sector(user: User, filters: Filters, *, exact: bool = False) -> list[Row]:
    """One row per sector with visits, labelled in words, in the register's sector order."""
    labels = dict(Premises.Sector.choices)
    order = list(labels)
    rows = _grouped(
        user,
        filters,
        "premises__sector",
        "premises__sector",
        summary_key="sector",
        exact=exact,
    )
    for row in rows:
        row.label = labels.get(row.key, row.key)
    return sorted(rows, key=lambda row: order.index(row.key) if row.key in order else 99)


def by_operation(user: User, filters: Filters) -> list[Row]:
    """One row per operation with visits, newest operation first."""
    groups = (
        counted_visits(user, filters)
        .filter(operation__isnull=False)
        .values("operation_id", "operation__name", "operation__date")
        .annotate(**COUNTS)
        .order_by("-operation__date", "operation__name")
    )
    return [
        Row(label=g["operation__name"], key=str(g["operation_id"]), **_rates(g)) for g in groups
    ]


def by_operator(user: User, filters: Filters) -> list[Row]:
    """One row per operator or chain (across towns), linking to its page; independent premises
    are left out."""
    groups = (
        counted_visits(user, filters, by_premises=True)
        .filter(premises__operator__isnull=False)
        .values("premises__operator_id", "premises__operator__name")
        .annotate(**COUNTS)
        .order_by("premises__operator__name", "premises__operator_id")
    )
    return [
        Row(
            label=g["premises__operator__name"],
            key=str(g["premises__operator_id"]),
            url=reverse("premises:operator_detail", args=[g["premises__operator_id"]]),
            **_rates(g),
        )
        for g in groups
    ]


def _months_between(start: date, end: date, step: int) -> list[date]:
    months = []
    current = date(start.year, start.month - (start.month - 1) % step, 1)
    while current <= end:
        months.append(current)
        month_index = current.month - 1 + step
        current = date(current.year + month_index // 12, month_index % 12 + 1, 1)
    return months


def _day_totals(user: User, filters: Filters, unit: str) -> list[tuple]:
    """Counts per `unit` ("month" or "quarter") of the force's visits in the period, from the
    trigger-kept day totals (reports/sql.py DAY_TOTALS): [(first day of the period, visits,
    passed, failed, challenged, reported)]."""
    return sql.day_totals(
        force=user.force_id, unit=unit, start=filters.date_from, end=filters.date_to
    )


def trend(user: User, filters: Filters, *, by: str = "month") -> list[Row]:
    """Visits and failure rate per month (or quarter), with empty periods shown as zero.
    The force's visits come from the day totals; narrowed to a town or sector, whole months
    come from the summary table and the days at either end from the visits; narrowed to an
    operation, everything comes from the visits."""
    step = 3 if by == "quarter" else 1
    trunc = TruncQuarter if by == "quarter" else TruncMonth
    counts: dict = {}

    def add(period, values):
        row = counts.setdefault(period, dict.fromkeys(RATE_FIELDS, 0))
        for name in ADDITIVE:
            row[name] += values.get(name) or 0

    unit = "quarter" if by == "quarter" else "month"
    if not filters.from_visits and not filters.sector and filters.town is None:
        for period, *values in _day_totals(user, filters, unit):
            add(period, dict(zip(ADDITIVE, values, strict=True)))
    elif (split := None if filters.from_visits else whole_months(filters)) is None:
        raw = counted_visits(user, filters).annotate(period=trunc("visited_on"))
        for g in raw.values("period").annotate(**COUNTS).order_by():
            add(g["period"], g)
    else:
        for key, _, *values in _summed_groups(user, filters, split, "period", unit):
            add(date.fromisoformat(key), dict(zip(ADDITIVE, values, strict=True)))
    counts = {period: values for period, values in counts.items() if values["visits"]}
    if not counts:
        return []
    start = filters.date_from or min(counts)
    end = filters.date_to or max(counts)
    rows = []
    for period in _months_between(start, end, step):
        label = f"Q{(period.month - 1) // 3 + 1} {period.year}" if step == 3 else f"{period:%b %Y}"
        rows.append(Row(label=label, key=period.isoformat(), **_rates(counts.get(period, {}))))
    return rows


@dataclass
class RetestGroup:
    retests: int = 0
    passed: int = 0

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.retests if self.retests else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.passed, self.retests)

    @property
    def low(self) -> float | None:
        return self.interval[0] if self.interval else None

    @property
    def high(self) -> float | None:
        return self.interval[1] if self.interval else None

    @property
    def small_sample(self) -> bool:
        return self.retests < SMALL_SAMPLE


@dataclass
class TrainingImpact:
    """Re-test pass rates of failed premises, trained before the re-test or not."""

    trained: RetestGroup = field(default_factory=RetestGroup)
    untrained: RetestGroup = field(default_factory=RetestGroup)
    median_days_to_training: float | None = None
    median_days_to_retest: float | None = None
    failed_visits: int = 0
    failed_with_training: int = 0
    staff_trained: int = 0
    sessions_delivered: int = 0


def training_impact(user: User, filters: Filters) -> TrainingImpact:
    """Re-tests (in the period) of failed visits, split by training delivered in between; the
    period's failed visits and the time to their first training after; the sessions delivered
    in the period (by their date in Europe/London). One statement (reports/sql.py
    TRAINING_IMPACT); tests/reports/test_training_impact.py holds it to hand-built histories."""
    (
        trained_n, trained_passed, untrained_n, untrained_passed, days_to_retest,
        failed, with_training, days_to_training,
        sessions, staff,
    ) = sql.training_impact(
        force=user.force_id if user.is_authenticated else None,
        start=filters.date_from,
        end=filters.date_to,
        sector=filters.sector,
        town=filters.town.pk if filters.town is not None else None,
        operation=filters.operation.pk if filters.operation is not None else None,
        campaign=filters.campaign.pk if filters.campaign is not None else None,
    )  # fmt: skip
    return TrainingImpact(
        trained=RetestGroup(trained_n, trained_passed),
        untrained=RetestGroup(untrained_n, untrained_passed),
        median_days_to_training=days_to_training,
        median_days_to_retest=days_to_retest,
        failed_visits=failed,
        failed_with_training=with_training,
        staff_trained=staff,
        sessions_delivered=sessions,
    )


@dataclass
class RepeatFailure:
    premises: Premises
    failed: int
    visits: list


REPEAT_LIMIT = 200


def repeat_failures(user: User, filters: Filters) -> list[RepeatFailure]:
    """Premises that failed two or more times in the period, most failures first, with history."""
    counted = counted_visits(user, filters)
    failed_counts = (
        counted.failed()
        .values("premises")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values("premises")
    )
    in_period = counted.select_related("operation").order_by("-visited_at")
    premises = (
        Premises.objects.visible_to(user)
        .filter(pk__in=Subquery(failed_counts))
        .annotate(
            failed=Subquery(
                counted.failed()
                .filter(premises=OuterRef("pk"))
                .values("premises")
                .annotate(n=Count("id"))
                .values("n")
            )
        )
        .select_related("town")
        .prefetch_related(Prefetch("visits", queryset=in_period, to_attr="period_visits"))
        .order_by("-failed", "name")[:REPEAT_LIMIT]
    )
    return [RepeatFailure(p, p.failed, p.period_visits) for p in premises]


@dataclass
class Comparison:
    current: Rates
    previous: Rates
    previous_from: date | None
    previous_to: date | None


def dashboard(user: User, filters: Filters) -> Comparison:
    """Headline figures for the period and for the same length of time just before it."""
    current = totals(user, filters)
    previous_from = previous_to = None
    previous = Rates()
    if filters.date_from and filters.date_to:
        length = (filters.date_to - filters.date_from).days + 1
        previous_to = filters.date_from - timedelta(days=1)
        previous_from = previous_to - timedelta(days=length - 1)
        previous = totals(
            user,
            Filters(
                previous_from,
                previous_to,
                filters.sector,
                filters.town,
                filters.operation,
                filters.campaign,
            ),
        )
    return Comparison(current, previous, previous_from, previous_to)


def preset_dates(preset: str, today: date) -> tuple[date | None, date | None]:
    """The inclusive dates of a named period."""
    if preset == "this_year":
        return date(today.year, 1, 1), today
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if preset == "last_3_months":
        return today - timedelta(days=91), today
    if preset == "all":
        return None, None
    # Default: the last 12 months, today included.
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = date(today.year - 1, 3, 1)
    return start, today


@dataclass
class HomePanel:
    """A commander's home page: where the force stands, and where to look first."""

    comparison: Comparison
    worst_towns: list[Row]


WORST_TOWNS = 3


def home_panel(user: User, today: date) -> HomePanel:
    """The last 12 months beside the 12 before them, and the towns failing most in them (the
    highest failure rate first; more failures first among equal rates)."""
    start, end = preset_dates("last_12_months", today)
    filters = Filters(start, end)
    towns = [row for row in by_town(user, filters) if row.visits]
    towns.sort(key=lambda row: (-row.failure_rate, -row.failed, row.label))
    return HomePanel(dashboard(user, filters), towns[:WORST_TOWNS])


# --- Press summary ------------------------------------------------------------------------------

PRESS_MIN_PREMISES = 3
NUMBER_WORDS = [
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
]  # fmt: skip
SECTOR_NOUNS = {
    "hotel": ("hotel", "hotels"),
    "bnb": ("B&B or guest house", "B&Bs and guest houses"),
    "licensed": ("licensed premises", "licensed premises"),
    "taxi": ("taxi firm", "taxi firms"),
    "takeaway": ("takeaway", "takeaways"),
    "other": ("business", "businesses"),
}


def number_words(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


@dataclass
class PressRow:
    label: str
    rates: Rates
    suppressed: bool
    # Published figures would let a reader work this row out from the total by subtraction.
    withheld: bool = False

    @property
    def published(self) -> bool:
        return not (self.suppressed or self.withheld)


def withhold_complements(rows: list[PressRow]) -> None:
    """Secondary suppression within one breakdown (towns or sectors) of a published total.

    Rows from fewer than 3 premises are suppressed; but if one row alone were suppressed, the
    total less the published rows would be that row. So the smallest published rows are
    withheld as well until the rows not published are at least two and together cover at least
    3 premises. Whatever a reader adds up or takes away from the published figures then gives at
    most the not-published rows together, a figure from 3 premises or more, never one of them.
    """
    hidden = [row for row in rows if row.suppressed]
    if not hidden:
        return
    shown = sorted(
        (row for row in rows if not row.suppressed),
        key=lambda row: (row.rates.premises, row.rates.visits, row.label),
    )
    while shown and (
        len(hidden) < 2 or sum(row.rates.premises for row in hidden) < PRESS_MIN_PREMISES
    ):
        row = shown.pop(0)
        row.withheld = True
        hidden.append(row)


@dataclass
class PressSummary:
    """Aggregates only, for the press office: no premises, references, operators or cadets."""

    text: str
    towns: list[PressRow]
    sectors: list[PressRow]
    suppressed_any: bool


def press_summary(user: User, filters: Filters) -> PressSummary:
    """A worded summary like the seed article, suppressing figures from fewer than 3 premises
    and withholding the figures that would let a reader work them out (withhold_complements)."""
    overall = totals(user, filters)
    towns = [
        PressRow(row.label, row, row.premises < PRESS_MIN_PREMISES)
        for row in by_town(user, filters, exact=True)
    ]
    sectors = [
        PressRow(row.label, row, row.premises < PRESS_MIN_PREMISES)
        for row in by_sector(user, filters, exact=True)
    ]
    withhold_complements(towns)
    withhold_complements(sectors)
    singular, plural = SECTOR_NOUNS.get(filters.sector, ("premises", "premises"))
    if overall.premises < PRESS_MIN_PREMISES:
        text = "Fewer than three premises were visited in this period, so no figures are published."
    else:
        noun = plural if overall.premises != 1 else singular
        # Largest towns first, as a press officer would write it.
        shown = sorted(
            (row for row in towns if row.published),
            key=lambda row: (-row.rates.premises, row.label),
        )
        where = ""
        if shown and len(towns) > 1:
            parts = [f"{number_words(row.rates.premises)} in {row.label}" for row in shown]
            if len(shown) < len(towns):
                parts.append("the rest in other towns")
            where = ", " + (
                ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
            )
        elif len(towns) == 1 and towns[0].published:
            where = f", all in {towns[0].label}"
        if overall.visits == overall.premises:
            lead = f"{number_words(overall.premises).capitalize()} {noun} were visited{where}"
            failed = f"{number_words(overall.failed)} failed to identify the scenario"
        else:
            lead = (
                f"{number_words(overall.visits).capitalize()} visits were made to "
                f"{number_words(overall.premises)} {noun}{where}"
            )
            failed = f"{number_words(overall.failed)} visits failed to identify the scenario"
        reported = ""
        if overall.reported:
            reported = (
                f" Staff reported their concerns to the police on "
                f"{number_words(overall.reported)} occasion{'s' if overall.reported != 1 else ''}."
            )
        text = f"{lead}; {failed}.{reported}"
    return PressSummary(
        text=text,
        towns=towns,
        sectors=sectors,
        suppressed_any=any(not r.published for r in towns + sectors),
    )
