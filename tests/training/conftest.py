"""Dates for follow-up tests: visits and sessions at exact London times, days before today."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from visits.models import LONDON_TZ

from ..factories import PremisesFactory


def at(days_ago: int, hour: int = 12, minute: int = 0) -> datetime:
    """`hour:minute` in London, `days_ago` days before today (negative: after)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), LONDON_TZ)


@pytest.fixture
def premises(town):
    return PremisesFactory(town=town, name="Cornhill Lodge", reference="SUF-H-0002")
