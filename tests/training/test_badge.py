"""The sergeants' work-queue badge (training/context_processors.py) is counted at most once a
minute, and again straight after the sergeant changes something."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from training import context_processors as badge

from ..factories import PremisesFactory, VisitFactory


def _badge(response) -> int:
    return response.context["queue_badge"]


def _queue_count_queries(captured) -> int:
    return sum('SELECT COUNT(*) AS "__count"' in q["sql"] for q in captured)


def test_the_badge_is_counted_once_a_minute(
    sergeant_client, force, town, django_assert_max_num_queries, monkeypatch
):
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
