"""Registers page with their total in the same query (common/pagination.py)."""

import pytest
from django.urls import reverse

from common.pagination import page_with_total
from premises.models import Premises

from ..factories import PremisesFactory


@pytest.fixture
def register(force, town):
    return PremisesFactory.create_batch(7, force=force, town=town)


def premises_of(force):
    return Premises.objects.filter(force=force).order_by("name", "id")


@pytest.mark.parametrize(
    ("asked", "shown", "rows"),
    [(None, 1, 3), ("2", 2, 3), ("3", 3, 1), ("99", 3, 1), ("x", 1, 3), ("-4", 1, 3)],
)
def test_a_page_knows_its_total_from_one_query(
    force, register, asked, shown, rows, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1 if shown != 3 or asked == "3" else 3):
        page = page_with_total(premises_of(force), asked, 3)
        assert page.paginator.count == 7 and page.paginator.num_pages == 3
        assert page.number == shown and len(page.object_list) == rows
    assert page.has_next() == (shown < 3) and page.has_previous() == (shown > 1)
    expected = list(premises_of(force))[(shown - 1) * 3 : shown * 3]
    assert [p.pk for p in page.object_list] == [p.pk for p in expected]


def test_an_empty_register_is_one_empty_page(force):
    page = page_with_total(premises_of(force), "5", 3)
    assert page.paginator.count == 0 and page.number == 1 and list(page.object_list) == []


def test_the_premises_list_shows_its_total(officer_client, register):
    response = officer_client.get(reverse("premises:list"))
    assert "7 premises." in response.content.decode()
