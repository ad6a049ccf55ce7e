"""A commander's home page shows where the force stands: this period's failure rate with its
interval beside the period before, the three towns failing most, and the way to the reports."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ..factories import PremisesFactory, TownFactory
from .conftest import london


@pytest.fixture
def year(force, town, log):
    """Visits in the last 12 months in four towns, and some in the 12 months before."""
    today = timezone.localdate()
    recent, earlier = today - timedelta(days=30), today - timedelta(days=400)
    # Whether each visit failed, by town.
    results = {"Ipswich": [True, False, False, False], "Sudbury": [True, True, False]}
    results |= {"Lowestoft": [False, False], "Felixstowe": [True, True, True]}
    for name, failed in results.items():
        place = town if name == "Ipswich" else TownFactory(force=force, name=name)
        for n, fails in enumerate(failed):
            premises = PremisesFactory(town=place)
            log(premises, london(recent, 19, n), "completed" if fails else "refused_concerns")
    old = PremisesFactory(town=town)
    for n in range(4):
        log(old, london(earlier, 19, n), "completed")


def panel(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_a_commander_sees_the_year_beside_the_year_before(commander_client, year):
    response = panel(commander_client)
    now = response.context["reports_panel"].comparison.current
    before = response.context["reports_panel"].comparison.previous
    assert (now.visits, now.failed) == (12, 6)
    assert (before.visits, before.failed) == (4, 4)
    html = response.content.decode()
    assert "50.0%" in html and "6 of 12 visits failed" in html and "95% interval" in html
    assert "100.0%" in html  # the year before


def test_the_worst_three_towns_come_first_with_their_counts(commander_client, year):
    worst = panel(commander_client).context["reports_panel"].worst_towns
    # Felixstowe 3 of 3, Sudbury 2 of 3, Ipswich 1 of 4; Lowestoft never failed.
    assert [row.label for row in worst] == ["Felixstowe", "Sudbury", "Ipswich"]
    html = panel(commander_client).content.decode()
    assert "Felixstowe</a>: 100.0%" in html and "(3 of 3)" in html and "Lowestoft</a>" not in html
    assert reverse("reports:report", args=["trend"]) in html


def test_only_those_who_read_reports_see_the_panel(officer_client, sergeant_client, year):
    response = panel(officer_client)
    assert "reports_panel" not in response.context
    assert "Towns failing most" not in response.content.decode()
    assert "Towns failing most" in panel(sergeant_client).content.decode()


def test_the_panel_runs_a_fixed_number_of_queries(
    commander_client, year, django_assert_max_own_queries
):
    panel(commander_client)
    with django_assert_max_own_queries(6):  # premises, operations; two totals and the towns
        panel(commander_client)
