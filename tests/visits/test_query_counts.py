"""Every visits list page and the log form run the same number of queries for 3 rows or 40.

Each bound is of the page's own queries: Django's per-request overhead (session, user, permissions,
the access-log row; tests/conftest.py OVERHEAD) is left out, and measured by `make bench`.
"""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from visits.models import Participant

from ..conftest import answer_disclosure_prompt
from ..factories import (
    OperationFactory,
    OperationMemberFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    TownFactory,
    UserFactory,
    VisitFactory,
)
from .test_views import disclose_the_export


@pytest.fixture(params=[3, 40], ids=["3-rows", "40-rows"])
def rows(request, force, town, officer):
    """`n` of everything in the force, visits spread over towns, officers and operations."""
    n = request.param
    towns = [town, TownFactory(force=force, name="Felixstowe")]
    officers = [officer, UserFactory(force=force)]
    scenario = ScenarioFactory(force=force)
    operations = [OperationFactory(force=force, scenario=scenario) for _ in range(n)]
    cadets = [ParticipantFactory(force=force) for _ in range(n)]
    premises = [PremisesFactory(town=towns[i % 2]) for i in range(n)]
    earlier = timezone.now() - datetime.timedelta(days=30)
    for i in range(n):
        operations[i].premises.add(premises[i], premises[(i + 1) % n])
        operations[i].towns.add(towns[i % 2])
        first = VisitFactory(
            premises=premises[i],
            officer=officers[i % 2],
            operation=operations[i],
            scenario=scenario,
            visited_at=earlier,
        )
        first.participants.add(cadets[i])
        VisitFactory(
            premises=premises[i],
            officer=officers[i % 2],
            outcome="refused_concerns",
            result="pass",
            retest_of=first,
        )
        ScenarioFactory(force=force)
    # Another force's rows, which must cost nothing.
    VisitFactory.create_batch(3)
    return {"n": n, "operations": operations, "premises": premises, "towns": towns}


def bounded(client, url, query, limit, assert_max):
    with assert_max(limit):
        response = client.get(url, query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"visited_on_after": "01/01/2020", "visited_on_before": "31/12/2099", "result": "fail"},
        {"town": "TOWN", "sector": "hotel", "outcome": "completed", "retests": "on"},
        {"operation": "OPERATION", "officer": "OFFICER", "premises": "PREMISES"},
        {"page": "2"},
    ],
    ids=["plain", "dates-result", "town-sector-outcome-retests", "operation-officer", "page-2"],
)
def test_the_visit_list_runs_a_fixed_number_of_queries(
    officer_client, officer, rows, query, django_assert_max_own_queries
):
    filled = {
        "TOWN": rows["towns"][0].pk,
        "OPERATION": rows["operations"][0].pk,
        "OFFICER": officer.pk,
        "PREMISES": rows["premises"][0].pk,
    }
    query = {key: filled.get(value, value) for key, value in query.items()}
    # The filter form's town, operation and officer choices come in one query.
    bounded(officer_client, reverse("visits:list"), query, 4, django_assert_max_own_queries)


def test_the_visit_export_runs_a_fixed_number_of_queries(
    officer_client, rows, django_assert_max_own_queries
):
    disclose_the_export(officer_client)
    with django_assert_max_own_queries(2):
        response = officer_client.get(reverse("visits:export"))
        lines = b"".join(response.streaming_content).splitlines()
    assert len(lines) == 2 * rows["n"] + 1


def test_the_visit_excel_export_runs_a_fixed_number_of_queries(
    officer_client, rows, django_assert_max_own_queries
):
    url = reverse("visits:export_xlsx")
    assert answer_disclosure_prompt(officer_client, officer_client.get(url))
    with django_assert_max_own_queries(2):
        response = officer_client.get(url)
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows())) == 2 * rows["n"] + 1


def test_the_visit_detail_runs_a_fixed_number_of_queries(
    officer_client, rows, django_assert_max_own_queries
):
    visit = rows["operations"][-1].visits.get()
    bounded(officer_client, visit.get_absolute_url(), {}, 4, django_assert_max_own_queries)


@pytest.mark.parametrize("query", [{}, {"status": "planned"}, {"page": "2"}])
def test_the_operation_list_runs_a_fixed_number_of_queries(
    officer_client, rows, query, django_assert_max_own_queries
):
    bounded(
        officer_client, reverse("visits:operation_list"), query, 3, django_assert_max_own_queries
    )


def test_the_operation_detail_runs_a_fixed_number_of_queries(
    officer_client, rows, django_assert_max_own_queries
):
    operation = rows["operations"][0]
    # Plan the whole force's premises into one operation, and book every cadet and as many
    # cover officers, so the checklist and the team grow with n.
    operation.premises.add(*rows["premises"])
    operation.cadets.add(*Participant.objects.filter(force=operation.force_id))
    for _ in range(rows["n"]):
        OperationMemberFactory(operation=operation)
    # The operation, its towns, its checklist in order, the failures awaiting a re-test, the
    # latest visit of each, the totals, the unplanned visits, its team and its cadets.
    response = bounded(
        officer_client, operation.get_absolute_url(), {}, 9, django_assert_max_own_queries
    )
    assert len(response.context["rows"]) == rows["n"]
    assert len(response.context["cadets"]) == rows["n"]
    assert not response.context["problems"]


def test_the_participant_list_runs_a_fixed_number_of_queries(
    sergeant_client, rows, django_assert_max_own_queries
):
    response = bounded(
        sergeant_client,
        reverse("visits:participant_list"),
        {},
        5,
        django_assert_max_own_queries,
    )
    assert len(response.context["page"]) == rows["n"]


def test_the_scenario_list_runs_a_fixed_number_of_queries(
    sergeant_client, rows, django_assert_max_own_queries
):
    response = bounded(
        sergeant_client, reverse("visits:scenario_list"), {}, 5, django_assert_max_own_queries
    )
    assert len(response.context["page"]) == min(rows["n"] + 1, 50)


def test_the_scenario_detail_runs_a_fixed_number_of_queries(
    sergeant_client, rows, django_assert_max_own_queries
):
    scenario = rows["operations"][0].scenario
    bounded(sergeant_client, scenario.get_absolute_url(), {}, 6, django_assert_max_own_queries)


@pytest.mark.parametrize("query", [{}, {"operation": "OPERATION"}, {"retest_of": "VISIT"}])
def test_the_log_form_runs_a_fixed_number_of_queries(
    officer_client, rows, query, django_assert_max_own_queries
):
    premises = rows["premises"][0]
    filled = {
        "OPERATION": rows["operations"][0].pk,
        "VISIT": premises.visits.order_by("visited_at").first().pk,
    }
    query = {key: filled[value] for key, value in query.items()}
    url = reverse("visits:create", args=[premises.pk])
    # With an operation, one more: its cadets, who are chosen for you.
    limit = 5 if "operation" in query else 4
    response = bounded(officer_client, url, query, limit, django_assert_max_own_queries)
    form = response.context["form"]
    assert len(form.fields["participants"].queryset) == rows["n"]


def test_the_edit_form_runs_a_fixed_number_of_queries(
    officer_client, officer, rows, django_assert_max_own_queries
):
    visit = rows["premises"][0].visits.order_by("-visited_at").first()
    assert visit.officer == officer
    url = reverse("visits:edit", args=[visit.pk])
    bounded(officer_client, url, {}, 3, django_assert_max_own_queries)


def test_the_log_search_runs_a_fixed_number_of_queries(
    officer_client, rows, django_assert_max_own_queries
):
    for query in [{"q": "Premises"}, {"q": "Premises", "fragment": "1"}]:
        response = bounded(
            officer_client, reverse("visits:log"), query, 1, django_assert_max_own_queries
        )
        assert len(response.context["results"]) == min(rows["n"], 15)
