"""Lists and pages run a fixed number of queries, however many rows the force has.

Each bound is of the page's own queries: Django's per-request overhead (session, user, permissions,
the access-log row; tests/conftest.py OVERHEAD) is left out, and measured by `make bench`.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from premises.models import Operator

from ..conftest import answer_disclosure_prompt
from ..factories import (
    IssuedDocumentFactory,
    OperationFactory,
    PremisesFactory,
    TownFactory,
    UserFactory,
    VisitFactory,
)


@pytest.fixture(params=[3, 60], ids=["3-rows", "60-rows"])
def register(request, force, town):
    """`n` premises spread over two towns, plus another force's premises that must not count."""
    other = TownFactory(force=force, name="Lowestoft")
    rows = [
        PremisesFactory(town=town if n % 2 else other, operator="Harbourside")
        for n in range(request.param)
    ]
    PremisesFactory.create_batch(5)
    return rows


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "Premises"}, {"town": "TOWN", "sort": "-updated"}, {"page": "2", "active": "yes"}],
    ids=["plain", "search", "town-filter", "page-2"],
)
def test_the_premises_list_runs_a_fixed_number_of_queries(
    officer_client, register, town, query, django_assert_max_own_queries
):
    query = {key: town.pk if value == "TOWN" else value for key, value in query.items()}
    with django_assert_max_own_queries(4):
        response = officer_client.get(reverse("premises:list"), query)
    assert response.status_code == 200


def test_the_premises_detail_runs_a_fixed_number_of_queries(
    officer_client, officer, register, django_assert_max_own_queries
):
    premises = register[-1]
    operation = OperationFactory(force=premises.force)
    first = VisitFactory(premises=premises, officer=officer)
    for n in range(len(register)):
        visit = VisitFactory(
            premises=premises,
            officer=UserFactory(force=premises.force),
            operation=operation if n % 2 else None,
            retest_of=first if n % 3 == 0 else None,
        )
        IssuedDocumentFactory(visit=visit)  # each issued by its own officer
    # The timeline adds its training sessions, notices and each visit's training and re-tests;
    # then the documents issued to the premises, with who issued each.
    with django_assert_max_own_queries(5):
        response = officer_client.get(premises.get_absolute_url())
    assert response.status_code == 200


def test_the_csv_export_runs_a_fixed_number_of_queries(
    officer_client, register, django_assert_max_own_queries
):
    # The first download of the session asks who it is for; the count is of the download.
    assert answer_disclosure_prompt(officer_client, officer_client.get(reverse("premises:export")))
    with django_assert_max_own_queries(2):
        response = officer_client.get(reverse("premises:export"))
        lines = b"".join(response.streaming_content).splitlines()
    assert len(lines) == len(register) + 1


def test_the_excel_export_runs_a_fixed_number_of_queries(
    officer_client, register, django_assert_max_own_queries
):
    url = reverse("premises:export_xlsx")
    assert answer_disclosure_prompt(officer_client, officer_client.get(url))
    with django_assert_max_own_queries(2):
        response = officer_client.get(url)
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows())) == len(register) + 1


@pytest.mark.parametrize("towns", [3, 60])
def test_the_town_list_runs_a_fixed_number_of_queries(
    force_admin_client, force, towns, django_assert_max_own_queries
):
    TownFactory.create_batch(towns, force=force)
    with django_assert_max_own_queries(1):
        response = force_admin_client.get(reverse("premises:town_list"))
    assert response.status_code == 200


@pytest.fixture(params=[3, 60], ids=["3-rows", "60-rows"])
def chains(request, force, town):
    """`n` premises of `n // 3` operators (at least 2) over two towns, and another force's."""
    other = TownFactory(force=force, name="Lowestoft")
    for n in range(request.param):
        PremisesFactory(
            town=town if n % 2 else other, operator=f"Chain {n % max(2, request.param // 3)}"
        )
    PremisesFactory.create_batch(5, operator="Elsewhere Inns")
    return request.param


@pytest.mark.parametrize(
    ("query", "queries"),
    # The page of operators with their counts, and the count of them all (a page past the end
    # counts, then reads the last page instead).
    [({}, 2), ({"q": "Chain"}, 2), ({"page": "2"}, 3)],
    ids=["plain", "q", "p2"],
)
def test_the_operator_list_runs_a_fixed_number_of_queries(
    commander_client, chains, query, queries, django_assert_max_own_queries
):
    with django_assert_max_own_queries(queries):
        response = commander_client.get(reverse("premises:operator_list"), query)
    assert response.status_code == 200


def test_the_operator_page_runs_a_fixed_number_of_queries(
    officer_client, force, chains, django_assert_max_own_queries
):
    operator = Operator.objects.get(force=force, name="Chain 0")
    assert operator.premises.count() >= 1
    # The operator with its counts, then its page of premises and their count.
    with django_assert_max_own_queries(3):
        response = officer_client.get(operator.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b'href="/premises/') >= min(operator.premises.count(), 50)


def test_the_merge_confirmation_runs_a_fixed_number_of_queries(
    sergeant_client, force, chains, django_assert_max_own_queries
):
    duplicate, kept = Operator.objects.filter(force=force).order_by("-pk")[:2]
    url = reverse("premises:operator_merge", args=[duplicate.pk])
    # Both operators with their counts, the choice checked against the force's operators, and
    # the four COUNT queries of a sergeant's work-queue badge.
    with django_assert_max_own_queries(3 + 4):
        response = sergeant_client.get(url, {"into": kept.pk, "version": duplicate.version})
    assert response.status_code == 200
    assert b"Merge operators" in response.content
