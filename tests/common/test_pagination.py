"""Registers page with their total in the same query, lists without a count up to a limit
(common/pagination.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import pagination
from common.pagination import (
    MAX_PAGE,
    MAX_UNCOUNTED_ROWS,
    page_number,
    page_with_total,
    page_without_count,
)
from premises.models import Premises
from visits import views as visits_views

from ..factories import PremisesFactory, VisitFactory


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


# -- Paging without a count (docs/security.md check 33) --------------------------------------


@pytest.mark.parametrize(
    ("asked", "number"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        (" 3 ", 3),
        ("0", 1),
        ("-2", 1),
        ("²", 1),
        ("١٢", 1),
        ("1e3", 1),
        ("\x00", 1),
        ("9" * 5000, MAX_PAGE),
    ],
)
def test_a_page_number_is_ascii_digits_or_page_1(asked, number):
    assert page_number(asked) == number


def test_a_page_past_the_end_without_a_count_shows_the_last(force, register):
    with CaptureQueriesContext(connection) as captured:
        page = page_without_count(premises_of(force), "100000", 3)
    assert page.number == 3 and len(page) == 1 and not page.has_next and not page.truncated
    assert [p.pk for p in page] == [list(premises_of(force))[-1].pk]
    skipped = [int(n) for q in captured for n in re.findall(r"OFFSET (\d+)", q["sql"])]
    assert max(skipped) <= MAX_UNCOUNTED_ROWS


def test_paging_without_a_count_stops_at_its_row_limit(force, register, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_UNCOUNTED_ROWS", 4)  # two pages of 2
    page = page_without_count(premises_of(force), "2", 2)
    assert page.number == 2 and len(page) == 2
    assert not page.has_next and page.truncated
    assert page_without_count(premises_of(force), "3", 2).number == 2
    assert page_without_count(premises_of(force), "1", 2).has_next


def test_an_empty_list_without_a_count_is_one_empty_page(force):
    page = page_without_count(premises_of(force), "7", 3)
    assert page.number == 1 and list(page) == [] and not page.has_next


def test_the_visit_list_says_when_paging_stops(officer_client, town, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_UNCOUNTED_ROWS", 2)
    monkeypatch.setattr(visits_views, "PAGE_SIZE", 1)  # two pages of one visit
    VisitFactory.create_batch(3, premises=PremisesFactory(town=town))
    response = officer_client.get(reverse("visits:list"), {"page": "5"})
    assert response.context["page"].number == 2 and response.context["page"].truncated
    assert "narrow the filters above to see older rows" in response.content.decode()
