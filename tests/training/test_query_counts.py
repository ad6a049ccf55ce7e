"""The work queue and follow-up lists run a fixed number of queries, however many rows there are.

Each bound is of the page's own queries (Django's per-request overhead is left out, see
tests/conftest.py) and includes, for sergeants, the four COUNT queries behind the navigation badge
on the first page (then kept for a minute); the queue and home pages run them for their own counts
and keep the result as the badge's.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ..factories import (
    NoticeFactory,
    OperationFactory,
    PremisesFactory,
    QueueAssignmentFactory,
    TownFactory,
    TrainingSessionFactory,
    VisitFactory,
)
from .conftest import at


@pytest.fixture(params=[3, 30], ids=["3-rows", "30-rows"])
def follow_up(request, force, town, sergeant, second_sergeant):
    """`n` rows of each kind of the queue, in two towns, half of them owned; another force's too."""
    n = request.param
    felixstowe = TownFactory(force=force, name="Felixstowe")
    today = timezone.localdate()
    for i in range(n):
        place = town if i % 2 else felixstowe
        owner = sergeant if i % 2 else second_sergeant
        failed = PremisesFactory(town=place)
        VisitFactory(premises=failed, visited_at=at(i + 1))
        QueueAssignmentFactory(subject=failed, owner=owner)
        trained = PremisesFactory(town=place, sector="bnb")
        visit = VisitFactory(premises=trained, visited_at=at(i + 60))
        TrainingSessionFactory(
            premises=trained,
            visit=visit,
            delivered=True,
            scheduled_for=at(i + 2),
            owner=owner,
        )
        TrainingSessionFactory(premises=trained, scheduled_for=at(-i - 1, 10), owner=owner)
        NoticeFactory(
            premises=trained,
            start_date=today - timedelta(days=100),
            expiry_date=today + timedelta(days=i % 30),
        )
    TrainingSessionFactory.create_batch(3)
    NoticeFactory.create_batch(3)
    return n


@pytest.mark.parametrize("kind", ["training_due", "retest_due", "letter", "notice"])
@pytest.mark.parametrize(
    "filters", [{}, {"owner": "none", "status": "due"}, {"sector": "bnb", "page": "2"}]
)
def test_the_queue_runs_a_fixed_number_of_queries(
    sergeant_client, follow_up, kind, filters, django_assert_max_own_queries
):
    with django_assert_max_own_queries(9):
        response = sergeant_client.get(reverse("training:queue"), {"kind": kind, **filters})
    assert response.status_code == 200


def test_the_queue_shows_a_full_page_of_rows(sergeant_client, follow_up):
    response = sergeant_client.get(reverse("training:queue"), {"kind": "letter"})
    assert len(response.context["rows"]) == min(50, 2 * follow_up)


@pytest.mark.parametrize(
    "query", [{}, {"status": "scheduled"}, {"period_after": "01/01/2020", "page": "2"}]
)
def test_the_session_list_runs_a_fixed_number_of_queries(
    sergeant_client, follow_up, query, django_assert_max_own_queries
):
    with django_assert_max_own_queries(8):
        response = sergeant_client.get(reverse("training:session_list"), query)
    assert response.status_code == 200


@pytest.mark.parametrize("show", ["current", "all"])
def test_the_notice_list_runs_a_fixed_number_of_queries(
    officer_client, follow_up, show, django_assert_max_own_queries
):
    with django_assert_max_own_queries(12):
        response = officer_client.get(reverse("training:notice_list"), {"show": show})
    assert len(response.context["page"]) == follow_up


def test_the_week_view_runs_a_fixed_number_of_queries(
    sergeant_client, follow_up, django_assert_max_own_queries
):
    week = (timezone.localdate() + timedelta(days=3)).isoformat()
    with django_assert_max_own_queries(5):
        response = sergeant_client.get(reverse("training:session_week"), {"week": week})
    assert sum(len(sessions) for _, sessions in response.context["days"]) >= 1


def test_the_home_page_of_a_sergeant_runs_a_fixed_number_of_queries(
    sergeant_client, follow_up, django_assert_max_own_queries
):
    # The queue's four counts, recent premises, visits and operations, and the reports panel's
    # two totals and towns.
    with django_assert_max_own_queries(10):
        response = sergeant_client.get(reverse("home"))
    assert response.context["queue"][0][2] == follow_up


@pytest.mark.parametrize(
    "query",
    [{}, {"reasons": ["1", "4"], "sectors": ["bnb"]}, {"exclude_days": "30", "page": "2"}],
)
def test_the_planner_runs_a_fixed_number_of_queries(
    sergeant_client, follow_up, town, query, django_assert_max_own_queries
):
    OperationFactory.create_batch(2, force=town.force)
    # The ranking, the open operations its premises are on, the coverage, the towns (checked,
    # then drawn), the planned operations, the badge's four counts; a page past the last counts
    # the rows once more and reads the last.
    with django_assert_max_own_queries(12):
        response = sergeant_client.get(
            reverse("visits:operation_plan"), {"towns": [town.pk], **query}
        )
    assert response.status_code == 200
    assert response.context["coverage"][0].active > 0


def test_the_planner_adds_ticked_premises_in_a_fixed_number_of_queries(
    sergeant_client, follow_up, town, django_assert_max_own_queries
):
    operation = OperationFactory(force=town.force)
    ticked = list(town.premises.values_list("pk", flat=True))
    with django_assert_max_own_queries(12):
        response = sergeant_client.post(
            reverse("visits:operation_plan"),
            {"action": "add", "premises": ticked, "operation": f"{operation.pk}:1"},
        )
    assert response.status_code == 302
    assert operation.premises.count() == len(ticked)
