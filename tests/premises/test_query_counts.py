"""Lists and pages run a fixed number of queries, however many rows the force has.

Each bound is of the page's own queries: Django's per-request overhead (session, user, permissions,
the access-log row; tests/conftest.py OVERHEAD) is left out, and measured by `make bench`.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

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
