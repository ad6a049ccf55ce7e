"""Report figures that must not change when the pages read less (the summary tables' read paths)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import reports

from ..factories import PremisesFactory, TownFactory, VisitFactory

OUTCOMES = ["completed", "reported_to_police", "challenged", "refused_concerns", "void"]


@pytest.fixture
def visits(force, town):
    """Five visits over two towns, two sectors and five months; one is void."""
    other = TownFactory(force=force, name="Lowestoft")
    made = []
    for n, outcome in enumerate(OUTCOMES):
        premises = PremisesFactory(
            town=town if n % 2 else other, sector="hotel" if n < 3 else "licensed"
        )
        made.append(
            VisitFactory(
                premises=premises,
                outcome=outcome,
                police_contact="101" if outcome == "reported_to_police" else "none",
                reason="Aborted: the cadet was recognised." if outcome == "void" else "",
                visited_at=timezone.now() - datetime.timedelta(days=40 * n + 1),
            )
        )
    return made


@pytest.mark.parametrize("slug", ["towns", "sectors", "trend"])
@pytest.mark.parametrize("query", [{"preset": "all"}, {}], ids=["all-time", "last-12-months"])
def test_the_all_line_is_the_rows_added_up(commander_client, commander, visits, slug, query):
    response = commander_client.get(reverse("reports:report", args=[slug]), query)
    total = response.context["total"]
    expected = reports.totals(commander, response.context["filters"])
    fields = ["visits", "passed", "failed", "challenged", "reported"]
    assert [getattr(total, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert (total.visits, total.passed, total.failed) == (4, 2, 2)


def test_training_impact_counts_a_retest_of_a_failure(commander_client, force, town):
    premises = PremisesFactory(town=town)
    failed = VisitFactory(
        premises=premises, visited_at=timezone.now() - datetime.timedelta(days=60)
    )
    VisitFactory(premises=premises, retest_of=failed, outcome="refused_concerns")
    response = commander_client.get(reverse("reports:report", args=["training"]))
    impact = response.context["impact"]
    assert (impact.untrained.retests, impact.untrained.passed) == (1, 1)
    assert impact.failed_visits == 1
