"""Training impact (re-test pass rates, trained before the re-test or not, and the median days to
training and to re-test) and repeat failures, on hand-built histories."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from reports import reports
from reports.reports import Filters
from visits.services import visits_import

from ..conftest import through_disclosure
from ..factories import PremisesFactory, TownFactory, TrainingSessionFactory
from .conftest import UTC, download, tables, wilson

D0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
YEAR = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


def day(n: int) -> datetime:
    """`n` whole days after the failed visits (exact: UTC has no clock changes)."""
    return D0 + timedelta(days=n)


@pytest.fixture
def histories(force, town, other_town, log):
    """Failed visits on D0 and what followed. Trained before the re-test: A (pass), B (fail),
    H (fail; failed in 2024). Not trained before it: C (fail), D (pass; trained afterwards),
    E (pass; training only scheduled or cancelled)."""
    p = {
        key: PremisesFactory(town=town, name=name)
        for key, name in [
            ("A", "Ash Hotel"),
            ("B", "Bramble Inn"),
            ("C", "Cedar Court"),
            ("D", "Dune Lodge"),
            ("E", "Elm House"),
            ("F", "Fern Hotel"),
            ("G", "Gorse Hotel"),
            ("H", "Heath Hotel"),
            ("W", "Willow Hotel"),
            ("Z", "Zinnia Hotel"),
        ]
    }
    failed = {key: log(p[key], D0, "completed") for key in "ABCDEG"}
    log(p["A"], day(30), "refused_concerns", retest_of=failed["A"])
    log(p["B"], day(60), "completed", retest_of=failed["B"])
    log(p["C"], day(40), "challenged", retest_of=failed["C"])
    log(p["D"], day(50), "reported_to_police", retest_of=failed["D"])
    log(p["E"], day(90), "refused_concerns", retest_of=failed["E"])
    log(p["G"], day(20), "void", retest_of=failed["G"])  # a void re-test counts for nothing
    passed = log(p["F"], D0, "refused_concerns")
    log(p["F"], day(30), "completed", retest_of=passed)  # a re-test of a pass: not in the groups
    h_failed = log(p["H"], day(-122), "completed")  # 1 Nov 2024, before the period
    log(p["H"], day(-30), "uneasy", retest_of=h_failed)  # 1 Feb 2025, 92 days later
    for n in range(3):
        log(p["W"], day(n * 7), "completed")

    delivered = {"A": 10, "B": 20, "D": 100, "Z": 15, "C": -10}  # C's was before its failure
    for key, n in delivered.items():
        TrainingSessionFactory(premises=p[key], delivered=True, scheduled_for=day(n))
    TrainingSessionFactory(premises=p["H"], delivered=True, scheduled_for=day(-92))  # 2024
    TrainingSessionFactory(premises=p["E"], scheduled_for=day(5))  # scheduled, never delivered
    TrainingSessionFactory(premises=p["E"], status="cancelled", scheduled_for=day(6))

    # Another force's failures and training must not count.
    theirs = PremisesFactory(town=other_town, name="Norwich Quay Hotel")
    their_fail = log(theirs, D0, "completed")
    TrainingSessionFactory(premises=theirs, delivered=True, scheduled_for=day(3))
    log(theirs, day(9), "completed", retest_of=their_fail)
    return p


def test_the_impact_splits_retests_by_training_delivered_in_between(commander, histories):
    impact = reports.training_impact(commander, Filters(date(2025, 1, 1), date(2025, 12, 31)))
    assert (impact.trained.retests, impact.trained.passed) == (3, 1)  # A pass; B, H fail
    assert (impact.untrained.retests, impact.untrained.passed) == (3, 2)  # C fail; D, E pass
    # Re-tests 30 (A), 60 (B), 40 (C), 50 (D), 90 (E) and 92 (H) days after the failure.
    assert impact.median_days_to_retest == pytest.approx(55.0)
    # Failed visits in 2025: A-E and G on D0, B's, C's, F's and H's re-tests, W's three. Only
    # A, B and D were trained afterwards, 10, 20 and 100 days on.
    assert (impact.failed_visits, impact.failed_with_training) == (13, 3)
    assert impact.median_days_to_training == pytest.approx(20.0)
    # Delivered in 2025: A, B, C, D and Z, six staff each.
    assert (impact.sessions_delivered, impact.staff_trained) == (5, 30)


def test_the_training_page_and_csv_show_the_same_figures(commander_client, histories):
    response = commander_client.get(reverse("reports:report", args=["training"]), YEAR)
    assert response.status_code == 200
    rows = {r["cells"][0]: r["cells"][1:] for r in tables(response)[0]["body"]}
    low, high = (f"{100 * x:.1f}%" for x in wilson(1, 3))
    assert rows == {
        "Trained before the re-test small sample": ["3", "1", "33.3%", f"{low} – {high}"],
        "Not trained small sample": ["3", "2", "66.7%", "20.8% – 93.9%"],
    }
    html = " ".join(response.content.decode().split())
    assert "<dd>20 days</dd>" in html and "<dd>55 days</dd>" in html
    assert "<dd>13, of which 3 were followed by training</dd>" in html
    assert "<dd>5, 30 staff trained</dd>" in html

    csv_rows = download(commander_client, reverse("reports:report_csv", args=["training"]), YEAR)
    assert csv_rows == [
        ["group", "retests", "passed", "pass_rate", "ci_low", "ci_high"],
        ["trained before re-test", "3", "1", "33.3", low[:-1], high[:-1]],
        ["not trained", "3", "2", "66.7", "20.8", "93.9"],
    ]


def test_a_period_without_retests_has_no_rates_or_medians(commander_client, histories):
    query = {"date_from": "2026-01-01", "date_to": "2026-06-30"}
    response = commander_client.get(reverse("reports:report", args=["training"]), query)
    rows = {r["cells"][0]: r["cells"][1:] for r in tables(response)[0]["body"]}
    assert rows == {
        "Trained before the re-test": ["0", "0", "–", "–"],
        "Not trained": ["0", "0", "–", "–"],
    }
    impact = response.context["impact"]
    assert impact.median_days_to_retest is None and impact.median_days_to_training is None


def test_repeat_failures_lists_premises_with_two_or_more_failures_in_the_period(
    commander, histories
):
    repeats = reports.repeat_failures(commander, Filters(date(2025, 1, 1), date(2025, 12, 31)))
    # W failed three times, B and C twice; H's first failure was in 2024, G's re-test was void,
    # F passed first; the other force's premises failed twice but is not ours.
    assert [(r.premises.name, r.failed, len(r.visits)) for r in repeats] == [
        ("Willow Hotel", 3, 3),
        ("Bramble Inn", 2, 2),
        ("Cedar Court", 2, 2),
    ]


def test_repeat_failures_follow_the_period(commander, histories):
    # Up to 1 April: B's and C's re-tests are after it, so only W repeats.
    repeats = reports.repeat_failures(commander, Filters(date(2025, 1, 1), date(2025, 4, 1)))
    assert [r.premises.name for r in repeats] == ["Willow Hotel"]
    # All time: H's 2024 failure and its 2025 re-test make two.
    repeats = reports.repeat_failures(commander, Filters())
    assert [r.premises.name for r in repeats] == [
        "Willow Hotel",
        "Bramble Inn",
        "Cedar Court",
        "Heath Hotel",
    ]


def test_the_repeat_failures_page_print_and_csv_agree(commander_client, histories):
    url = reverse("reports:report", args=["repeat-failures"])
    html = commander_client.get(url, YEAR).content.decode()
    listed = [name for name in ("Willow Hotel", "Bramble Inn", "Cedar Court") if name in html]
    assert listed == ["Willow Hotel", "Bramble Inn", "Cedar Court"]
    assert html.index("Willow Hotel") < html.index("Bramble Inn") < html.index("Cedar Court")
    for name in ("Ash Hotel", "Fern Hotel", "Gorse Hotel", "Heath Hotel", "Norwich Quay Hotel"):
        assert name not in html
    assert "3 failures" in html

    printed = through_disclosure(
        commander_client, reverse("reports:report_print", args=["repeat-failures"]), YEAR
    )
    assert printed.status_code == 200
    assert "Willow Hotel" in printed.content.decode()
    assert "OFFICIAL-SENSITIVE" in printed.content.decode()

    rows = download(commander_client, reverse("reports:report_csv", args=["repeat-failures"]), YEAR)
    assert rows[0] == ["premises_reference", "premises", "town", "sector", "failed", "visits"]
    refs = {key: p.reference for key, p in histories.items()}
    assert rows[1:] == [
        [refs["W"], "Willow Hotel", "Ipswich", "hotel", "3", "3"],
        [refs["B"], "Bramble Inn", "Ipswich", "hotel", "2", "2"],
        [refs["C"], "Cedar Court", "Ipswich", "hotel", "2", "2"],
    ]


def test_repeat_failures_respect_the_town_and_sector_filters(
    commander_client, force, histories, log
):
    felixstowe = TownFactory(force=force, name="Felixstowe")
    pub = PremisesFactory(town=felixstowe, name="Pier Tavern", sector="licensed")
    log(pub, day(1), "completed")
    log(pub, day(2), "refused_other")
    url = reverse("reports:report_csv", args=["repeat-failures"])
    names = [row[1] for row in download(commander_client, url, {**YEAR, "town": "Felixstowe"})[1:]]
    assert names == ["Pier Tavern"]
    names = [row[1] for row in download(commander_client, url, {**YEAR, "sector": "hotel"})[1:]]
    assert names == ["Willow Hotel", "Bramble Inn", "Cedar Court"]


def test_imported_retests_count_in_the_training_impact(commander, sergeant, town):
    PremisesFactory(town=town, name="Imported Inn", reference="SUF-H-0500")
    text = (
        "premises_reference,visited_on,outcome,stage,participant,scenario,debrief_notes,"
        "operation,retest\n"
        "SUF-H-0500,2025-02-01,completed,key_issued,,,,,\n"
        "SUF-H-0500,2025-06-01,refused_concerns,questions,,,,,yes\n"
    )
    visits_import(force=sergeant.force, user=sergeant, text=text)
    impact = reports.training_impact(commander, Filters(date(2025, 1, 1), date(2025, 12, 31)))
    assert (impact.untrained.retests, impact.untrained.passed) == (1, 1)
    assert impact.median_days_to_retest == pytest.approx(120.0, abs=0.05)
