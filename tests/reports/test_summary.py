"""The summary tables: reports read whole months from reports_visitsummary and the days at the
edges from the visits, and the trend of a force's visits reads reports_daytotal; every way gives
the same answer for any period, and the database triggers keep both tables equal to an aggregate
over the visits after every kind of write."""

import random
from datetime import date, datetime, timedelta

import pytest
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from reports import reports
from reports.models import DayTotal, VisitSummary
from reports.reports import Filters
from visits.models import Visit

from ..factories import OperationFactory, PremisesFactory, TownFactory, UserFactory, VisitFactory
from .conftest import LONDON, UTC, count

OUTCOMES = [choice for choice, _ in Visit.Outcome.choices]
SECTORS = ["hotel", "bnb", "licensed", "taxi"]
FIELDS = ("visits", "passed", "failed", "challenged", "reported")


def random_instant(rng: random.Random) -> datetime:
    """A time between 2023 and October 2026, a third of them within an hour of UTC midnight."""
    day = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1400))
    if rng.random() < 0.33:
        minute = rng.choice([rng.randrange(23 * 60, 24 * 60), rng.randrange(0, 60)])
    else:
        minute = rng.randrange(0, 24 * 60)
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute)


def build_visits(rng, premises, officer, n, **extra) -> list[Visit]:
    """`n` random visits, saved in one INSERT: the row triggers fire for each."""
    visits = []
    for _ in range(n):
        outcome = rng.choice(OUTCOMES)
        visits.append(
            VisitFactory.build(
                premises=(place := rng.choice(premises)),
                force=place.force,
                officer=officer,
                visited_at=random_instant(rng),
                outcome=outcome,
                result=Visit.result_for(outcome),
                police_contact="999" if outcome == "reported_to_police" else "none",
                reason="Aborted." if outcome in ("void", "refused_other") else "",
                **extra,
            )
        )
    return Visit.objects.bulk_create(visits)


@pytest.fixture
def history(force, town, other_force, commander):
    """Four towns, twenty premises and 300 visits over four years, all in one operation so the
    operation filter selects the same visits; another force's visits beside them."""
    rng = random.Random(116)
    towns = [town] + [TownFactory(force=force, name=n) for n in ("Bury", "Felixstowe", "Sudbury")]
    premises = [
        PremisesFactory(town=rng.choice(towns), sector=rng.choice(SECTORS)) for _ in range(20)
    ]
    officer = UserFactory(force=force)
    operation = OperationFactory(force=force, name="Everything")
    build_visits(rng, premises, officer, 300, operation=operation)
    their_town = TownFactory(force=other_force, name="Ipswich")
    theirs = [PremisesFactory(town=their_town) for _ in range(3)]
    build_visits(rng, theirs, UserFactory(force=other_force), 60)
    return {"towns": towns, "operation": operation, "premises": premises, "rng": rng}


def random_filters(rng, towns) -> Filters:
    """Periods of every shape: open-ended, within a month, whole months, edge days and both."""

    def day():
        picked = date(2022, 10, 1) + timedelta(days=rng.randrange(0, 1600))
        roll = rng.random()
        if roll < 0.25:
            return picked.replace(day=1)
        if roll < 0.5:
            return (picked.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return picked

    start, end = sorted([day(), day()])
    if rng.random() < 0.3:  # a short period, often inside one month
        end = start + timedelta(days=rng.randrange(0, 40))
    if rng.random() < 0.1:
        start = None
    if rng.random() < 0.1:
        end = None
    sector = rng.choice(["", "", "hotel", "licensed"])
    place = rng.choice([None, None, *towns])
    return Filters(start, end, sector, place)


def rows(result) -> list[tuple]:
    return [(r.label, r.key, *(getattr(r, name) for name in FIELDS)) for r in result]


def with_operation(filters: Filters, operation) -> Filters:
    return Filters(filters.date_from, filters.date_to, filters.sector, filters.town, operation)


def oracle_by_town(visits, filters) -> list[tuple]:
    """The town rows computed in Python from the visits' London dates."""
    selected = [
        v
        for v in visits
        if (filters.date_from is None or v.day >= filters.date_from)
        and (filters.date_to is None or v.day <= filters.date_to)
        and (not filters.sector or v.premises.sector == filters.sector)
        and (filters.town is None or v.premises.town_id == filters.town.pk)
    ]
    towns = {(v.premises.town.name, str(v.premises.town_id)) for v in selected}
    result = []
    for name, key in sorted(towns):
        c = count(v for v in selected if str(v.premises.town_id) == key)
        if c["visits"]:
            result.append((name, key, *(c[f] for f in FIELDS)))
    return result


def our_visits(force):
    visits = list(Visit.objects.filter(force=force).select_related("premises__town"))
    for v in visits:
        v.day = v.visited_at.astimezone(LONDON).date()
    return visits


def test_reports_agree_however_they_read_the_months(commander, force, history):
    rng = history["rng"]
    operation = history["operation"]
    visits = our_visits(force)
    read_summary = took_days = 0
    for _ in range(120):
        filters = random_filters(rng, history["towns"])
        via_summary = rows(reports.by_town(commander, filters))
        assert via_summary == rows(reports.by_town(commander, filters, exact=True)), filters
        assert via_summary == rows(reports.by_town(commander, with_operation(filters, operation)))
        assert via_summary == oracle_by_town(visits, filters), filters
        assert rows(reports.by_sector(commander, filters)) == rows(
            reports.by_sector(commander, filters, exact=True)
        ), filters
        for by in ("month", "quarter"):
            assert rows(reports.trend(commander, filters, by=by)) == rows(
                reports.trend(commander, with_operation(filters, operation), by=by)
            ), (filters, by)
        totals = reports.totals(commander, filters)
        assert sum(r[2] for r in via_summary) == totals.visits
        assert sum(r[4] for r in via_summary) == totals.failed
        split = reports.whole_months(filters)
        read_summary += split is not None
        took_days += bool(split and split[3])
    assert read_summary > 40  # most periods really did read the summary table
    assert took_days > 10  # and many took a month from it less the days outside the period


@pytest.mark.parametrize(
    ("start", "end", "first", "last", "added", "taken"),
    [
        # The last 12 months to today: the current month from the summary, less tomorrow.
        ("2025-11-29", "2026-11-28", "2025-12-01", "2026-11-01",
         [("2025-11-29", "2025-11-30")], [("2026-11-29", "2026-11-30")]),
        # Edges near a month's start or end: whichever side reads fewer days.
        ("2025-01-03", "2025-12-20", "2025-01-01", "2025-12-01",
         [], [("2025-01-01", "2025-01-02"), ("2025-12-21", "2025-12-31")]),
        ("2025-01-20", "2025-12-10", "2025-02-01", "2025-11-01",
         [("2025-01-20", "2025-01-31"), ("2025-12-01", "2025-12-10")], []),
        ("2025-01-01", "2025-12-31", "2025-01-01", "2025-12-01", [], []),
        (None, "2026-11-27", None, "2026-11-01", [], [("2026-11-28", "2026-11-30")]),
    ],
)  # fmt: skip
def test_a_period_is_split_to_read_the_fewest_days_of_visits(start, end, first, last, added, taken):
    def day(text):
        return None if text is None else date.fromisoformat(text)

    split = reports.whole_months(Filters(day(start), day(end)), today=date(2026, 11, 28))
    assert split == (
        day(first),
        day(last),
        [(day(a), day(b)) for a, b in added],
        [(day(a), day(b)) for a, b in taken],
    )


def test_the_whole_months_really_come_from_the_summary_table(commander, force, history):
    """A deliberately wrong summary shows in the reports: the comparisons above are not empty."""
    whole = Filters(date(2024, 1, 1), date(2024, 12, 31))
    inside = Filters(date(2024, 3, 3), date(2024, 3, 27))
    before = rows(reports.by_town(commander, inside))
    VisitSummary.objects.filter(force=force).update(visits=F("visits") + 100)
    assert rows(reports.by_town(commander, whole)) != rows(
        reports.by_town(commander, whole, exact=True)
    )
    assert rows(reports.by_town(commander, inside)) == before  # days only: the visits


def test_the_trend_of_a_forces_visits_really_comes_from_the_day_totals(commander, force, history):
    """A deliberately wrong day total shows in the trend of the whole force, for any period,
    and not in a trend narrowed to a sector (read from the summary and the visits)."""
    inside = Filters(date(2024, 3, 3), date(2024, 3, 27))
    hotels = Filters(date(2024, 3, 3), date(2024, 3, 27), "hotel")
    before, before_hotels = (
        rows(reports.trend(commander, inside)),
        rows(reports.trend(commander, hotels)),
    )
    assert before and before_hotels
    for day in (date(2024, 3, 10), date(2024, 3, 11)):
        DayTotal.objects.get_or_create(force=force, day=day)
        DayTotal.objects.filter(force=force, day=day).update(visits=F("visits") + 100)
    (after,) = rows(reports.trend(commander, inside))
    assert after[2] == before[0][2] + 200
    assert rows(reports.trend(commander, hotels)) == before_hotels


def test_the_day_totals_count_under_the_london_day(force, town):
    """23:30 UTC on 30 June is 1 July in London; void visits add nothing."""
    hotel = PremisesFactory(town=town)
    VisitFactory(
        premises=hotel,
        visited_at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC),
        outcome="completed",
    )
    VisitFactory(
        premises=hotel,
        visited_at=datetime(2025, 7, 1, 12, tzinfo=UTC),
        outcome="void",
        reason="Aborted.",
    )
    row = DayTotal.objects.get(force=force)
    assert row.day == date(2025, 7, 1)
    assert tuple(getattr(row, f) for f in FIELDS) == (1, 0, 1, 0, 0)


def counted() -> dict:
    """The five counts, written here afresh (not the reports' own COUNTS) to check them."""
    return {
        "visits": Count("id"),
        "passed": Count("id", filter=Q(result="pass")),
        "failed": Count("id", filter=Q(result="fail")),
        "challenged": Count("id", filter=Q(outcome__in=Visit.CHALLENGE_OUTCOMES)),
        "reported": Count("id", filter=Q(outcome="reported_to_police")),
    }


def summary_table() -> dict:
    """The summary's rows that count anything."""
    return {
        (s.force_id, s.town_id, s.sector, s.month): tuple(getattr(s, f) for f in FIELDS)
        for s in VisitSummary.objects.all()
        if any(getattr(s, f) for f in FIELDS)
    }


def aggregate_over_visits() -> dict:
    """The same figures counted straight from the visits and their premises."""
    groups = (
        Visit.objects.counted()
        .annotate(month=TruncMonth("visited_on"))
        .values("force_id", "premises__town_id", "premises__sector", "month")
        .annotate(**counted())
        .order_by()
    )
    return {
        (g["force_id"], g["premises__town_id"], g["premises__sector"], g["month"]): tuple(
            g[f] for f in FIELDS
        )
        for g in groups
    }


def day_totals() -> dict:
    """The day totals' rows that count anything."""
    return {
        (d.force_id, d.day): tuple(getattr(d, f) for f in FIELDS)
        for d in DayTotal.objects.all()
        if any(getattr(d, f) for f in FIELDS)
    }


def days_over_visits() -> dict:
    """The same figures counted straight from the visits, per force and London day."""
    groups = (
        Visit.objects.counted().values("force_id", "visited_on").annotate(**counted()).order_by()
    )
    return {(g["force_id"], g["visited_on"]): tuple(g[f] for f in FIELDS) for g in groups}


def assert_summary_exact():
    expected = aggregate_over_visits()
    assert expected, "no visits to compare"
    assert summary_table() == expected
    assert day_totals() == days_over_visits()


def test_the_backfilled_and_inserted_summary_is_exact(history):
    assert_summary_exact()


def test_the_summary_stays_exact_after_every_kind_of_write(force, other_force, history):
    rng = history["rng"]
    towns = history["towns"]
    premises = history["premises"]
    visits = list(Visit.objects.filter(force=force).order_by("pk"))

    # Outcome changes: fail to pass, pass to fail, to and from void.
    for visit, outcome in zip(
        visits[:12], ["reported_to_police", "completed", "void", "challenged"] * 3, strict=True
    ):
        visit.outcome = outcome
        visit.result = Visit.result_for(outcome)
        visit.police_contact = "101" if outcome == "reported_to_police" else "none"
        visit.reason = "Aborted." if outcome == "void" else visit.reason
        visit.save()
    assert_summary_exact()

    # Dates moved to another month (and year), one by one and in one UPDATE.
    for visit in visits[12:20]:
        visit.visited_at = visit.visited_at - timedelta(days=rng.choice([31, 62, 365]))
        visit.save()
    Visit.objects.filter(pk__in=[v.pk for v in visits[20:40]]).update(
        visited_at=F("visited_at") - timedelta(days=45)
    )
    # 23:30 UTC on 30 June is July in London: the summary must use the London month.
    Visit.objects.filter(pk=visits[40].pk).update(
        visited_at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    )
    assert_summary_exact()

    # Premises moved to another town, to another sector, and both, with their past visits.
    moved = premises[0]
    moved.town = next(t for t in towns if t != moved.town)
    moved.save()
    premises[1].sector = next(s for s in SECTORS if s != premises[1].sector)
    premises[1].save()
    premises[2].town = next(t for t in towns if t != premises[2].town)
    premises[2].sector = "other"
    premises[2].save()
    type(moved).objects.filter(pk__in=[p.pk for p in premises[3:8]]).update(
        town=towns[-1], sector="takeaway"
    )
    assert_summary_exact()

    # A visit moved to other premises (a correction), in another town and sector.
    visit = Visit.objects.filter(force=force).exclude(result="void").first()
    visit.premises = PremisesFactory(town=towns[1], sector="bnb")
    visit.save()
    assert_summary_exact()

    # Voiding, in one UPDATE.
    Visit.objects.filter(pk__in=[v.pk for v in visits[50:70]]).update(
        outcome="void", result="void", reason="Compromised."
    )
    assert_summary_exact()

    # Deleting, one by one and in bulk, both forces.
    Visit.objects.get(pk=visits[80].pk).delete()
    Visit.objects.filter(pk__in=[v.pk for v in visits[90:140]]).delete()
    Visit.objects.filter(force=other_force)[:1].get().delete()
    assert_summary_exact()

    # And new visits after all that, in a month that had none.
    build_visits(rng, premises, visits[0].officer, 15)
    VisitFactory(premises=premises[5], visited_at=datetime(2022, 2, 2, 12, tzinfo=UTC))
    assert_summary_exact()

    # Rows emptied by the writes count nothing and are never negative.
    for table in (VisitSummary, DayTotal):
        assert (
            not table.objects.filter(visits=0)
            .exclude(passed=0, failed=0, challenged=0, reported=0)
            .exists()
        )


def test_the_summary_counts_only_what_the_reports_count(force, town, commander):
    """Void visits add nothing; a visit's figures land under its London month."""
    hotel = PremisesFactory(town=town)
    VisitFactory(
        premises=hotel,
        visited_at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC),
        outcome="reported_to_police",
        police_contact="101",
    )
    VisitFactory(
        premises=hotel,
        visited_at=datetime(2025, 7, 2, 12, tzinfo=UTC),
        outcome="void",
        reason="Aborted.",
    )
    row = VisitSummary.objects.get(force=force)
    assert (row.town_id, row.sector, row.month) == (town.pk, "hotel", date(2025, 7, 1))
    assert tuple(getattr(row, f) for f in FIELDS) == (1, 1, 0, 1, 1)
