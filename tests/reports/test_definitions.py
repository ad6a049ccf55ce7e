"""Every definition of the issue, computed by hand on a small ledger of visits and compared with
what the pages and the CSVs say.

The ledger is built around a period's first and last day, so the same hand-worked figures hold
for periods the reports read from the summary table (whole months), from the visits (days) or
from both; the visits at the edges sit at 00:00 and 23:59 London time, and one at 23:30 UTC the
day before the period is already the first day in London (summer time).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from ..factories import OperationFactory, PremisesFactory, TownFactory
from .conftest import LONDON, count, csv_row, download, london, page_row, rate_rows, tables, utc

PERIODS = {
    "one-whole-month": (date(2025, 7, 1), date(2025, 7, 31)),
    "days-inside-a-month": (date(2025, 6, 3), date(2025, 6, 25)),
    "days-across-two-months": (date(2025, 7, 10), date(2025, 8, 20)),
    "edge-days-and-whole-months": (date(2025, 6, 20), date(2025, 9, 10)),
    "whole-months": (date(2025, 5, 1), date(2025, 8, 31)),
}

HEADER = [
    "town",
    "visits",
    "passed",
    "failed",
    "failure_rate",
    "ci_low",
    "ci_high",
    "challenge_rate",
    "report_to_police_rate",
]


def counts(visits, passed, failed, challenged, reported) -> dict:
    return {
        "visits": visits,
        "passed": passed,
        "failed": failed,
        "challenged": challenged,
        "reported": reported,
    }


# Worked by hand from the ledger below.
IPSWICH = counts(5, 2, 3, 3, 1)  # visits 1-5; 6 is void
FELIXSTOWE = counts(3, 1, 2, 1, 1)  # visits 7-9
ALL = counts(8, 3, 5, 4, 2)
HOTELS = counts(4, 1, 3, 1, 1)  # visits 1, 2, 3, 9
LICENSED = counts(4, 2, 2, 3, 1)  # visits 4, 5, 7, 8


@dataclass
class Ledger:
    first: date
    last: date
    towns: dict
    operation: object
    visits: list = field(default_factory=list)

    @property
    def period(self) -> dict:
        return {"date_from": self.first.isoformat(), "date_to": self.last.isoformat()}


@pytest.fixture(params=list(PERIODS), ids=list(PERIODS))
def ledger(request, force, town, other_force, log) -> Ledger:
    """Nine visits that count in the period, and more that must not."""
    first, last = PERIODS[request.param]
    mid = first + (last - first) // 2
    felixstowe = TownFactory(force=force, name="Felixstowe")
    h1 = PremisesFactory(town=town, name="Orwell Quay Hotel", operator="Harbourside Hotels")
    h2 = PremisesFactory(town=town, name="Cornhill Lodge", operator="Harbourside Hotels")
    l1 = PremisesFactory(town=town, name="Felix Arms", sector="licensed")
    l2 = PremisesFactory(town=felixstowe, name="Pier Tavern", sector="licensed")
    h3 = PremisesFactory(town=felixstowe, name="Cliff Hotel", operator="Harbourside Hotels")
    harbour = OperationFactory(force=force, name="Makesafe harbour")
    ledger = Ledger(first, last, {"Ipswich": town, "Felixstowe": felixstowe}, harbour)
    ledger.visits = [
        # Counted.
        log(h1, london(first, 0, 0), "completed", operation=harbour),  # 1
        log(h1, utc(first - timedelta(days=1), 23, 30), "uneasy"),  # 2: 00:30 BST on the first day
        log(h2, london(mid, 20, 15), "reported_to_police", operation=harbour),  # 3
        log(l1, london(mid, 21, 0), "refused_concerns"),  # 4
        log(l1, london(last, 23, 59), "challenged"),  # 5
        log(h2, london(mid, 22, 0), "void", operation=harbour),  # 6: void, never counted
        log(l2, london(mid, 19, 0), "refused_other", operation=harbour),  # 7
        log(l2, london(mid, 19, 30), "reported_to_police"),  # 8
        log(h3, london(last, 12, 0), "completed"),  # 9
        # Outside the period.
        log(h1, utc(first - timedelta(days=1), 22, 59), "completed"),  # 23:59 BST the day before
        log(h2, utc(last, 23, 30), "completed", operation=harbour),  # 00:30 BST the day after
        log(h3, london(last + timedelta(days=1), 0, 0), "reported_to_police"),
    ]
    # Another force's visits in the period, one in a town that is also called Ipswich.
    for name in ("Ipswich", "Norwich"):
        theirs = PremisesFactory(town=TownFactory(force=other_force, name=name))
        log(theirs, london(mid, 20, 0), "completed")
        log(theirs, london(first, 0, 0), "completed")
    return ledger


def in_period(ledger, visit) -> bool:
    return ledger.first <= visit.visited_at.astimezone(LONDON).date() <= ledger.last


def test_the_hand_worked_figures_agree_with_an_independent_count(ledger):
    counted = [v for v in ledger.visits if in_period(ledger, v)]
    assert count(counted) == ALL
    assert count(v for v in counted if v.premises.town.name == "Ipswich") == IPSWICH
    assert count(v for v in counted if v.premises.town.name == "Felixstowe") == FELIXSTOWE
    assert count(v for v in counted if v.premises.sector == "hotel") == HOTELS
    assert count(v for v in counted if v.premises.sector == "licensed") == LICENSED


def test_the_town_report_shows_each_definition(commander_client, ledger):
    response = commander_client.get(reverse("reports:report", args=["towns"]), ledger.period)
    assert response.status_code == 200
    assert rate_rows(response) == [
        page_row("Felixstowe", FELIXSTOWE),
        page_row("Ipswich", IPSWICH),
    ]
    ipswich = rate_rows(response)[1]
    assert (ipswich["Failure rate"], ipswich["Challenged"], ipswich["Reported"]) == (
        "60.0%",
        "60.0% (3)",
        "20.0% (1)",
    )
    assert ipswich["95% CI"] == "23.1% – 88.2%"
    table = next(t for t in tables(response) if "report-table" in t["class"])
    assert table["foot"][0]["cells"] == [
        "All",
        "8",
        "3",
        "5",
        "62.5%",
        "30.6% – 86.3%",
        "50.0% (4)",
        "25.0% (2)",
    ]


def test_the_town_csv_shows_each_definition(commander_client, ledger):
    rows = download(commander_client, reverse("reports:report_csv", args=["towns"]), ledger.period)
    assert rows == [
        HEADER,
        csv_row("Felixstowe", FELIXSTOWE),
        csv_row("Ipswich", IPSWICH),
    ]
    assert rows[2] == ["Ipswich", "5", "2", "3", "60.0", "23.1", "88.2", "60.0", "20.0"]


def test_the_sector_report_and_csv_agree_with_the_ledger(commander_client, ledger):
    response = commander_client.get(reverse("reports:report", args=["sectors"]), ledger.period)
    licensed = "Licensed premises (pub, bar, club)"
    assert rate_rows(response) == [page_row("Hotel", HOTELS), page_row(licensed, LICENSED)]
    rows = download(
        commander_client, reverse("reports:report_csv", args=["sectors"]), ledger.period
    )
    assert rows == [["sector", *HEADER[1:]], csv_row("Hotel", HOTELS), csv_row(licensed, LICENSED)]


def test_the_operator_and_operation_reports_agree_with_the_ledger(commander_client, ledger):
    # Harbourside runs h1, h2 (Ipswich) and h3 (Felixstowe): visits 1, 2, 3 and 9.
    response = commander_client.get(reverse("reports:report", args=["operators"]), ledger.period)
    assert rate_rows(response) == [page_row("Harbourside Hotels", HOTELS)]
    rows = download(
        commander_client, reverse("reports:report_csv", args=["operators"]), ledger.period
    )
    assert rows[1:] == [csv_row("Harbourside Hotels", HOTELS)]
    # The operation has visits 1, 3 and 7 in the period (6 is void, the other is the day after).
    harbour = counts(3, 1, 2, 1, 1)
    response = commander_client.get(reverse("reports:report", args=["operations"]), ledger.period)
    assert rate_rows(response) == [page_row("Makesafe harbour", harbour)]
    rows = download(
        commander_client, reverse("reports:report_csv", args=["operations"]), ledger.period
    )
    assert rows[1:] == [csv_row("Makesafe harbour", harbour)]


def test_the_dashboard_shows_the_period_and_the_one_before(commander_client, ledger):
    response = commander_client.get(reverse("reports:dashboard"), ledger.period)
    table = tables(response)[0]
    figures = {row["cells"][0]: row["cells"][1:] for row in table["body"]}
    # Only the visit at 23:59 BST the day before falls in the previous period.
    assert figures == {
        "Visits (not void)": ["8", "1"],
        "Premises visited": ["5", "1"],
        "Passed / failed": ["3 / 5", "0 / 1"],
        "Failure rate (95% interval)": ["62.5% (30.6% – 86.3%)", "100.0% (20.7% – 100.0%)"],
        "Challenge rate": ["50.0%", "0.0%"],
        "Reported to police": ["25.0% (2)", "0.0% (0)"],
    }
    length = (ledger.last - ledger.first).days + 1
    comparison = response.context["comparison"]
    assert comparison.previous_to == ledger.first - timedelta(days=1)
    assert comparison.previous_from == ledger.first - timedelta(days=length)


@pytest.mark.parametrize("by", ["month", "quarter"])
def test_the_trend_counts_each_month_or_quarter_by_its_london_date(commander_client, ledger, by):
    counted = [v for v in ledger.visits if in_period(ledger, v)]

    def period_of(day):
        if by == "quarter":
            return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return day.replace(day=1)

    periods = []
    current = period_of(ledger.first)
    while current <= ledger.last:
        periods.append(current)
        step = 3 if by == "quarter" else 1
        current = date(
            current.year + (current.month - 1 + step) // 12, (current.month - 1 + step) % 12 + 1, 1
        )

    def label(start):
        return (
            f"Q{(start.month - 1) // 3 + 1} {start.year}" if by == "quarter" else f"{start:%b %Y}"
        )

    expected = [
        (
            label(start),
            count(v for v in counted if period_of(v.visited_at.astimezone(LONDON).date()) == start),
        )
        for start in periods
    ]
    query = {**ledger.period, "by": by}
    response = commander_client.get(reverse("reports:report", args=["trend"]), query)
    assert rate_rows(response) == [page_row(name, c) for name, c in expected]
    rows = download(commander_client, reverse("reports:report_csv", args=["trend"]), query)
    assert rows == [["period", *HEADER[1:]], *(csv_row(name, c) for name, c in expected)]
    assert sum(int(row[1]) for row in rows[1:]) == ALL["visits"]


@pytest.mark.parametrize(
    "filters, expected",
    [
        (
            {"sector": "hotel"},
            [("Felixstowe", counts(1, 0, 1, 0, 0)), ("Ipswich", counts(3, 1, 2, 1, 1))],
        ),
        ({"town": "Felixstowe"}, [("Felixstowe", FELIXSTOWE)]),
        ({"town": "felixstowe"}, [("Felixstowe", FELIXSTOWE)]),
        ({"town": "ID:Felixstowe"}, [("Felixstowe", FELIXSTOWE)]),
        ({"sector": "licensed", "town": "ID:Ipswich"}, [("Ipswich", counts(2, 1, 1, 2, 0))]),
        (
            {"operation": "OPERATION"},
            [("Felixstowe", counts(1, 0, 1, 0, 0)), ("Ipswich", counts(2, 1, 1, 1, 1))],
        ),
        ({"operation": "OPERATION", "sector": "licensed"}, [("Felixstowe", counts(1, 0, 1, 0, 0))]),
        ({"sector": "taxi"}, []),
    ],
    ids=[
        "hotels",
        "town-by-name",
        "town-by-name-any-case",
        "town-by-id",
        "sector-and-town",
        "operation",
        "operation-and-sector",
        "sector-without-visits",
    ],
)
def test_the_filters_narrow_the_page_and_the_csv_alike(commander_client, ledger, filters, expected):
    query = dict(ledger.period)
    for key, value in filters.items():
        if value == "OPERATION":
            value = str(ledger.operation.pk)
        elif value.startswith("ID:"):
            value = str(ledger.towns[value[3:]].pk)
        query[key] = value
    response = commander_client.get(reverse("reports:report", args=["towns"]), query)
    assert response.context["form"].errors == {}
    assert rate_rows(response) == [page_row(name, c) for name, c in expected]
    rows = download(commander_client, reverse("reports:report_csv", args=["towns"]), query)
    assert rows == [HEADER, *(csv_row(name, c) for name, c in expected)]
    dashboard = commander_client.get(reverse("reports:dashboard"), query)
    total = dashboard.context["comparison"].current
    assert total.visits == sum(c["visits"] for _, c in expected)
    assert total.failed == sum(c["failed"] for _, c in expected)


def test_another_forces_visits_are_never_counted(other_sergeant, ledger):
    """The other force sees its own four visits and nothing of ours, though a town shares a name."""
    client = Client()
    client.force_login(other_sergeant)
    response = client.get(reverse("reports:report", args=["towns"]), ledger.period)
    both = counts(2, 0, 2, 0, 0)
    assert rate_rows(response) == [page_row("Ipswich", both), page_row("Norwich", both)]
    rows = download(client, reverse("reports:report_csv", args=["towns"]), ledger.period)
    assert rows == [HEADER, csv_row("Ipswich", both), csv_row("Norwich", both)]


def test_another_forces_town_is_not_a_filter(commander_client, ledger, other_force):
    theirs = other_force.towns.get(name="Norwich")
    query = {**ledger.period, "town": str(theirs.pk)}
    response = commander_client.get(reverse("reports:report", args=["towns"]), query)
    assert "town" in response.context["form"].errors
    assert "Norwich" not in [row["label"] for row in rate_rows(response)]


def test_a_winter_period_starts_and_ends_at_london_midnight(commander_client, town, log):
    """In January London is on UTC: 23:30 UTC is still the same day."""
    hotel = PremisesFactory(town=town)
    log(hotel, utc(date(2024, 12, 31), 23, 30), "completed")  # 31 Dec: before the period
    log(hotel, london(date(2025, 1, 1), 0, 0), "completed")
    log(hotel, utc(date(2025, 1, 31), 23, 30), "refused_concerns")  # still 31 Jan
    log(hotel, london(date(2025, 2, 1), 0, 0), "completed")  # after the period
    query = {"date_from": "2025-01-01", "date_to": "2025-01-31"}
    rows = download(commander_client, reverse("reports:report_csv", args=["towns"]), query)
    assert rows[1:] == [csv_row("Ipswich", counts(2, 1, 1, 1, 0))]


def test_a_one_day_period_counts_that_whole_london_day(commander_client, town, log):
    hotel = PremisesFactory(town=town)
    day = date(2025, 8, 14)
    log(hotel, london(day, 0, 0), "completed")
    log(hotel, london(day, 23, 59), "completed")
    log(hotel, utc(day, 23, 30), "completed")  # 00:30 BST the next day
    log(hotel, utc(day - timedelta(days=1), 23, 0), "reported_to_police")  # 00:00 BST on the day
    query = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    rows = download(commander_client, reverse("reports:report_csv", args=["towns"]), query)
    assert rows[1:] == [csv_row("Ipswich", counts(3, 1, 2, 1, 1))]


REPORT_SLUGS = ["towns", "sectors", "operations", "operators", "trend"]


@pytest.mark.parametrize("slug", REPORT_SLUGS)
def test_an_empty_period_shows_no_rows_and_no_rates(commander_client, ledger, slug):
    query = {"date_from": "2019-01-01", "date_to": "2019-12-31"}
    response = commander_client.get(reverse("reports:report", args=[slug]), query)
    assert response.status_code == 200
    assert rate_rows(response) == []
    assert "No visits in this selection." in response.content.decode()
    assert 'id="chart-data"' not in response.content.decode()
    rows = download(commander_client, reverse("reports:report_csv", args=[slug]), query)
    assert len(rows) == 1


def test_an_empty_period_on_the_dashboard_has_no_rates(commander_client, ledger):
    query = {"date_from": "2019-01-01", "date_to": "2019-12-31"}
    response = commander_client.get(reverse("reports:dashboard"), query)
    figures = {row["cells"][0]: row["cells"][1] for row in tables(response)[0]["body"]}
    assert figures["Visits (not void)"] == "0"
    assert figures["Failure rate (95% interval)"] == "–"
    assert figures["Challenge rate"] == "–"
    assert figures["Reported to police"] == "– (0)"


def test_an_empty_month_inside_the_period_shows_as_zero_in_the_trend(commander_client, town, log):
    hotel = PremisesFactory(town=town)
    log(hotel, london(date(2025, 3, 5)), "completed")
    log(hotel, london(date(2025, 5, 5)), "refused_concerns")
    query = {"date_from": "2025-03-01", "date_to": "2025-05-31"}
    response = commander_client.get(reverse("reports:report", args=["trend"]), query)
    assert rate_rows(response) == [
        page_row("Mar 2025", counts(1, 0, 1, 0, 0)),
        page_row("Apr 2025", counts(0, 0, 0, 0, 0)),
        page_row("May 2025", counts(1, 1, 0, 1, 0)),
    ]


def test_a_void_visit_alone_makes_no_row(commander_client, town, log):
    log(PremisesFactory(town=town), london(date(2025, 4, 2)), "void")
    query = {"date_from": "2025-04-01", "date_to": "2025-04-30"}
    rows = download(commander_client, reverse("reports:report_csv", args=["towns"]), query)
    assert rows == [HEADER]
