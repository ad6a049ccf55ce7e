"""The 95% Wilson score interval against known values, and small samples marked as such."""

from datetime import date

import pytest
from django.urls import reverse

from reports.reports import Rates, wilson_interval

from ..conftest import through_disclosure
from ..factories import PremisesFactory, TownFactory
from .conftest import download, london, rate_rows, tables


def as_percent(interval) -> tuple[str, str]:
    return tuple(f"{100 * x:.1f}" for x in interval)


@pytest.mark.parametrize(
    "failed, visits, low, high",
    [
        (6, 8, "40.9", "92.9"),  # the example
        (0, 5, "0.0", "43.4"),
        (5, 5, "56.6", "100.0"),
        (3, 5, "23.1", "88.2"),
        (1, 1, "20.7", "100.0"),
        (11, 22, "30.7", "69.3"),
        (1, 20, "0.9", "23.6"),
    ],
)
def test_the_interval_matches_known_values(failed, visits, low, high):
    assert as_percent(wilson_interval(failed, visits)) == (low, high)


@pytest.mark.parametrize("visits", range(1, 41))
def test_the_interval_reaches_zero_and_one_at_the_extremes(visits):
    # Equal within float rounding (0 of 3 gives 5.6e-17), and shown as 0.0 and 100.0.
    assert wilson_interval(0, visits)[0] == pytest.approx(0.0, abs=1e-12)
    assert as_percent(wilson_interval(0, visits))[0] == "0.0"
    assert as_percent(wilson_interval(visits, visits))[1] == "100.0"
    assert wilson_interval(visits, visits)[1] == pytest.approx(1.0, abs=1e-12)


def test_no_visits_gives_no_interval_and_no_rates():
    assert wilson_interval(0, 0) is None
    empty = Rates()
    assert (empty.interval, empty.ci_low, empty.ci_high) == (None, None, None)
    assert (empty.failure_rate, empty.challenge_rate, empty.report_rate) == (None, None, None)


@pytest.mark.parametrize("visits", [1, 2, 5, 8, 13, 40])
def test_the_interval_holds_the_rate_and_mirrors_around_a_half(visits):
    for failed in range(visits + 1):
        low, high = wilson_interval(failed, visits)
        # Within a rounding error of the float arithmetic (13 of 13 gives 1 - 1e-16).
        assert 0 <= low <= failed / visits <= high + 1e-12 and high <= 1
        mirror_low, mirror_high = wilson_interval(visits - failed, visits)
        assert low == pytest.approx(1 - mirror_high) and high == pytest.approx(1 - mirror_low)


@pytest.fixture
def towns(force, town, log):
    """Ipswich: 6 of 8 failed. Felixstowe: 2 of 4 (a small sample). Sudbury: 0 of 5."""
    felixstowe = TownFactory(force=force, name="Felixstowe")
    sudbury = TownFactory(force=force, name="Sudbury")
    day = date(2025, 3, 14)
    for place, failed, passed in ((town, 6, 2), (felixstowe, 2, 2), (sudbury, 0, 5)):
        hotel = PremisesFactory(town=place)
        for n in range(failed):
            log(hotel, london(day, 10, n), "completed")
        for n in range(passed):
            log(hotel, london(day, 11, n), "refused_concerns")
    return {"date_from": "2025-03-01", "date_to": "2025-03-31"}


def test_the_town_report_shows_the_interval_and_marks_small_samples(commander_client, towns):
    response = commander_client.get(reverse("reports:report", args=["towns"]), towns)
    shown = {
        row["label"]: (row["Failure rate"], row["95% CI"], row["small"])
        for row in rate_rows(response)
    }
    assert shown == {
        "Felixstowe": ("50.0%", "15.0% – 85.0%", True),
        "Ipswich": ("75.0%", "40.9% – 92.9%", False),
        "Sudbury": ("0.0%", "0.0% – 43.4%", False),  # five visits: not small
    }
    assert 'title="Fewer than 5 visits">small sample</span>' in response.content.decode()
    rows = download(commander_client, reverse("reports:report_csv", args=["towns"]), towns)
    assert rows[2][:7] == ["Ipswich", "8", "2", "6", "75.0", "40.9", "92.9"]


def test_the_print_view_marks_small_samples_too(commander_client, towns):
    url = reverse("reports:report_print", args=["towns"])
    response = through_disclosure(commander_client, url, towns)
    marked = [row["label"] for row in rate_rows(response) if row["small"]]
    assert marked == ["Felixstowe"]


def test_the_dashboard_warns_about_fewer_than_five_visits(commander_client, towns, town):
    response = commander_client.get(reverse("reports:dashboard"), {**towns, "town": "Felixstowe"})
    assert "Fewer than 5 visits: treat these rates with care." in response.content.decode()
    response = commander_client.get(reverse("reports:dashboard"), {**towns, "town": "Sudbury"})
    assert "Fewer than 5 visits" not in response.content.decode()


def test_the_trend_marks_a_month_with_few_visits(commander_client, towns, town, log):
    log(PremisesFactory(town=town), london(date(2025, 4, 2)), "completed")
    query = {"date_from": "2025-03-01", "date_to": "2025-04-30"}
    response = commander_client.get(reverse("reports:report", args=["trend"]), query)
    assert [(r["label"], r["Visits"], r["small"]) for r in rate_rows(response)] == [
        ("Mar 2025", "17", False),
        ("Apr 2025", "1", True),
    ]
    assert tables(response)[0]["foot"][0]["cells"][:4] == ["All", "18", "9", "9"]
