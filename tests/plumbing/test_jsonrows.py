"""Related lists read inside another query come back as the same model instances."""

import datetime

import pytest
from django.utils import timezone

from makesafe.jsonrows import instances, json_list, rows
from premises.models import Premises
from training.models import TrainingSession

from ..factories import PremisesFactory, TrainingSessionFactory


def test_rows_come_back_as_instances_with_their_types(force, town, django_assert_num_queries):
    premises = PremisesFactory(force=force, town=town)
    session = TrainingSessionFactory(premises=premises, staff_trained=0)
    with django_assert_num_queries(1):
        row = Premises.objects.annotate(
            rows=json_list(
                TrainingSession.objects.filter(premises=premises),
                "staff_trained",
                "scheduled_for",
                "id",
                "status",
            )
        ).get(pk=premises.pk)
        [loaded] = instances(TrainingSession, rows(row.rows))
        assert loaded.pk == session.pk and loaded.status == session.status
        assert loaded.scheduled_for == session.scheduled_for
        assert timezone.is_aware(loaded.scheduled_for)
        assert loaded.get_status_display() == session.get_status_display()
    with django_assert_num_queries(1):  # a column not read is deferred, never a made-up default
        assert loaded.created_at == session.created_at


def test_an_empty_or_none_list_is_empty(force, town):
    premises = PremisesFactory(force=force, town=town)
    row = Premises.objects.annotate(
        a=json_list(TrainingSession.objects.filter(premises=premises), "id"),
        b=json_list(TrainingSession.objects.none(), "id"),
    ).get(pk=premises.pk)
    assert rows(row.a) == [] and rows(row.b) == [] and instances(TrainingSession, rows(row.a)) == []


def test_keys_that_are_not_columns_are_refused():
    with pytest.raises(ValueError, match="owner__username"):
        instances(TrainingSession, [{"id": 1, "owner__username": "x"}])


def test_dates_come_back_as_dates():
    [notice] = instances(
        Premises._meta.get_field("notices").related_model,
        [{"start_date": "2021-09-18", "id": 3, "expiry_date": "2022-03-17", "status": "active"}],
    )
    assert notice.start_date == datetime.date(2021, 9, 18) and notice.pk == 3
