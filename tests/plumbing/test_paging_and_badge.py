"""Registers page with their total in the same query; the work-queue badge is counted at most
once a minute, and again straight after the sergeant changes something."""

import pytest
from django.urls import reverse

from makesafe.pagination import page_with_total
from premises.models import Premises
from training import context_processors as badge

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


# --- The sergeant's work-queue badge --------------------------------------------------------


def _badge(response) -> int:
    return response.context["queue_badge"]


def _queue_count_queries(captured) -> int:
    return sum('SELECT COUNT(*) AS "__count"' in q["sql"] for q in captured)


def test_the_badge_is_counted_once_a_minute(
    sergeant_client, force, town, django_assert_max_num_queries, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    VisitFactory(premises=PremisesFactory(force=force, town=town))  # failed: training due
    url = reverse("visits:list")
    with CaptureQueriesContext(connection) as first:
        first_badge = _badge(sergeant_client.get(url))
    assert first_badge >= 1 and _queue_count_queries(first) == 4
    VisitFactory(premises=PremisesFactory(force=force, town=town))  # someone else's failure
    with CaptureQueriesContext(connection) as second:
        assert _badge(sergeant_client.get(url)) == first_badge  # a minute has not passed
    assert _queue_count_queries(second) == 0
    later = badge.time.time() + badge.QUEUE_BADGE_SECONDS + 1
    monkeypatch.setattr(badge.time, "time", lambda: later)
    assert _badge(sergeant_client.get(url)) == first_badge + 2  # counted afresh: training, letter


def test_the_queue_page_and_a_write_refresh_the_badge(sergeant_client, force, town):
    visit = VisitFactory(premises=PremisesFactory(force=force, town=town))
    url = reverse("visits:list")
    before = _badge(sergeant_client.get(url))
    VisitFactory(premises=PremisesFactory(force=force, town=town))
    sergeant_client.get(reverse("training:queue"))  # counts live, and keeps its figure
    assert _badge(sergeant_client.get(url)) == before + 2  # training due and a letter
    response = sergeant_client.post(reverse("training:letter_sent", args=[visit.pk]))
    assert response.status_code == 302
    assert _badge(sergeant_client.get(url)) == before + 1  # their own write shows at once
