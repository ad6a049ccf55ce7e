"""Every report page, print view and download runs the same number of queries for 2 towns and
10 visits as for 30 towns and 300 visits.

Each bound is of the page's own queries (Django's per-request overhead is left out, see
tests/conftest.py): the filter form's towns and operations (one query), the report's own
queries, with one for the "All" line, and, for downloads and prints, the disclosure log row.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from training.models import TrainingSession
from visits.models import Visit

from ..conftest import answer_disclosure_prompt
from ..factories import (
    OperationFactory,
    PremisesFactory,
    TownFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)

OUTCOMES = ["completed", "refused_concerns", "challenged", "reported_to_police", "uneasy", "void"]


def _visit(premises, officer, when, outcome, **extra) -> Visit:
    return VisitFactory.build(
        premises=premises,
        force=premises.force,
        officer=officer,
        visited_at=when,
        outcome=outcome,
        result=Visit.result_for(outcome),
        police_contact="101" if outcome == "reported_to_police" else "none",
        reason="Aborted." if outcome == "void" else "",
        **extra,
    )


@pytest.fixture(params=[(2, 10), (30, 300)], ids=["2-towns-10-visits", "30-towns-300-visits"])
def register(request, force, town, other_town):
    """Towns with hotels and pubs, visits over two years in operations, re-tests of failures,
    delivered training and repeat failures; another force's visits beside them."""
    n_towns, n_visits = request.param
    towns = [town] + [TownFactory(force=force) for _ in range(n_towns - 1)]
    premises = []
    for n, place in enumerate(towns):
        premises.append(PremisesFactory(town=place, operator=f"Chain {n % 3}"))
        premises.append(PremisesFactory(town=place, sector="licensed"))
    operations = [OperationFactory(force=force) for _ in towns]
    officer = UserFactory(force=force)
    now = timezone.now() - timedelta(days=1)
    first = Visit.objects.bulk_create(
        _visit(
            premises[n % len(premises)],
            officer,
            now - timedelta(days=(n * 37) % 700 + 60),
            OUTCOMES[n % len(OUTCOMES)],
            operation=operations[(n % len(premises)) // 2],
        )
        for n in range(n_visits * 4 // 5)
    )
    failed = [v for v in first if v.result == "fail"]
    Visit.objects.bulk_create(
        _visit(v.premises, officer, v.visited_at + timedelta(days=40), OUTCOMES[n % 4], retest_of=v)
        for n, v in enumerate(failed[: n_visits - len(first)])
    )
    TrainingSession.objects.bulk_create(
        TrainingSessionFactory.build(
            premises=v.premises, delivered=True, scheduled_for=v.visited_at + timedelta(days=10)
        )
        for v in failed[::2]
    )
    theirs = PremisesFactory(town=other_town)
    Visit.objects.bulk_create(
        _visit(theirs, UserFactory(force=other_town.force), now, "completed") for _ in range(5)
    )
    assert Visit.objects.filter(force=force).count() == n_visits
    return {"towns": towns, "operations": operations}


def filter_sets(register) -> list[dict]:
    """The default period (whole months and edge days), a custom period narrowed by sector and
    town, and an operation over all time (read from the visits only)."""
    today = timezone.localdate()
    return [
        {},
        {
            "date_from": (today - timedelta(days=500)).isoformat(),
            "date_to": (today - timedelta(days=20)).isoformat(),
            "sector": "hotel",
            "town": register["towns"][0].name,
        },
        {"operation": register["operations"][0].pk, "preset": "all"},
    ]


# Name -> (URL, extra query, the most queries one request may run).
PAGES = {
    "dashboard": (reverse("reports:dashboard"), {}, 5),
    "press": (reverse("reports:press"), {}, 6),
    "towns": (reverse("reports:report", args=["towns"]), {}, 4),
    "sectors": (reverse("reports:report", args=["sectors"]), {}, 4),
    "operations": (reverse("reports:report", args=["operations"]), {}, 5),
    "operators": (reverse("reports:report", args=["operators"]), {}, 5),
    "trend-by-month": (reverse("reports:report", args=["trend"]), {"by": "month"}, 4),
    "trend-by-quarter": (reverse("reports:report", args=["trend"]), {"by": "quarter"}, 4),
    "training": (reverse("reports:report", args=["training"]), {}, 4),
    "repeat-failures": (reverse("reports:report", args=["repeat-failures"]), {}, 5),
}
DOWNLOADS = {
    "press.txt": (reverse("reports:press_text"), {}, 7),
    "towns.csv": (reverse("reports:report_csv", args=["towns"]), {}, 5),
    "sectors.csv": (reverse("reports:report_csv", args=["sectors"]), {}, 5),
    "operations.csv": (reverse("reports:report_csv", args=["operations"]), {}, 5),
    "operators.csv": (reverse("reports:report_csv", args=["operators"]), {}, 5),
    "trend-by-month.csv": (reverse("reports:report_csv", args=["trend"]), {"by": "month"}, 5),
    "trend-by-quarter.csv": (reverse("reports:report_csv", args=["trend"]), {"by": "quarter"}, 5),
    "training.csv": (reverse("reports:report_csv", args=["training"]), {}, 5),
    "repeat-failures.csv": (reverse("reports:report_csv", args=["repeat-failures"]), {}, 6),
    **{
        f"{slug} print": (reverse("reports:report_print", args=[slug]), {}, limit)
        for slug, limit in [
            ("towns", 5),
            ("sectors", 5),
            ("operations", 6),
            ("operators", 6),
            ("trend", 5),
            ("training", 5),
            ("repeat-failures", 6),
        ]
    },
}


def fetch(client, url, query):
    response = client.get(url, query)
    if response.streaming:
        response.content_bytes = b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("name", list(PAGES))
def test_each_report_page_runs_a_fixed_number_of_queries(
    commander_client, register, name, django_assert_max_own_queries
):
    url, extra, limit = PAGES[name]
    for query in filter_sets(register):
        with django_assert_max_own_queries(limit):
            response = fetch(commander_client, url, {**query, **extra})
        assert response.status_code == 200, query


@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_each_download_and_print_runs_a_fixed_number_of_queries(
    commander_client, register, name, django_assert_max_own_queries
):
    url, extra, limit = DOWNLOADS[name]
    # The first download of the session asks who it is for; the count is of the download.
    assert answer_disclosure_prompt(commander_client, commander_client.get(url, extra))
    for query in filter_sets(register):
        with django_assert_max_own_queries(limit):
            response = fetch(commander_client, url, {**query, **extra})
        assert response.status_code == 200, query
