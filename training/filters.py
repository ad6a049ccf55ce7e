"""List filters for training sessions."""

from operator import itemgetter

import django_filters

from common.filtering import ScopedFilterSet
from premises.models import Town
from visits.filters import LabelledDateRangeWidget

from .models import TrainingSession


class SessionFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(
        choices=TrainingSession.Status.choices, empty_label="All statuses"
    )
    period = django_filters.DateFromToRangeFilter(
        label="Date", field_name="scheduled_for__date", widget=LabelledDateRangeWidget
    )
    town = django_filters.ModelChoiceFilter(
        field_name="premises__town",
        queryset=Town.objects.none(),
        empty_label="All towns",
        label="Town",
    )
    provider = django_filters.ChoiceFilter(
        choices=TrainingSession.Provider.choices, empty_label="All providers"
    )

    class Meta:
        model = TrainingSession
        fields = ["status", "period", "town", "provider"]

    def record_selects(self):
        return {"town": (Town.objects.visible_to(self.user), ["name"], itemgetter("name"))}
