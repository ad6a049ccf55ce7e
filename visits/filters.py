"""List filters for visits."""

import django_filters
from django import forms

from accounts.models import User
from makesafe.choices import preload_force_options
from makesafe.filtering import ScopedFilterSet
from premises.models import Premises, Town

from .models import Operation, Visit


class LabelledDateRangeWidget(django_filters.widgets.DateRangeWidget):
    """Two date inputs, each with its own accessible label (axe flags the bare pair)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs.update({"aria-label": "From date", "placeholder": "From dd/mm/yyyy"})
        self.widgets[1].attrs.update({"aria-label": "To date", "placeholder": "To dd/mm/yyyy"})


class VisitFilter(ScopedFilterSet):
    visited_on = django_filters.DateFromToRangeFilter(label="Date", widget=LabelledDateRangeWidget)
    town = django_filters.ModelChoiceFilter(
        field_name="premises__town", queryset=Town.objects.none(), empty_label="All towns"
    )
    sector = django_filters.ChoiceFilter(
        field_name="premises__sector", choices=Premises.Sector.choices, empty_label="All sectors"
    )
    outcome = django_filters.ChoiceFilter(choices=Visit.Outcome.choices, empty_label="All outcomes")
    result = django_filters.ChoiceFilter(choices=Visit.Result.choices, empty_label="All results")
    operation = django_filters.ModelChoiceFilter(
        queryset=Operation.objects.none(), empty_label="All operations"
    )
    officer = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), empty_label="All officers"
    )
    retests = django_filters.BooleanFilter(
        label="Re-tests only",
        field_name="retest_of",
        lookup_expr="isnull",
        exclude=True,
        widget=forms.CheckboxInput,
        method="filter_retests",
    )

    premises = django_filters.NumberFilter(field_name="premises_id", widget=forms.HiddenInput)

    class Meta:
        model = Visit
        fields = [
            "visited_on",
            "town",
            "sector",
            "outcome",
            "result",
            "operation",
            "officer",
            "premises",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def scoped_querysets(self):
        user = self.user
        # Only what a chosen record needs: the operations list grows by the month.
        return {
            "town": Town.objects.visible_to(user).only("name"),
            "operation": Operation.objects.visible_to(user).only("name"),
            "officer": User.objects.visible_to(user).only(*User.NAME_FIELDS),
        }

    def preload_choices(self):
        """Towns, operations and officers for the selects, in one query (makesafe/choices.py)."""
        preload_force_options(self.form, self.user.force_id, ["town", "operation", "officer"])

    def filter_retests(self, queryset, name, value):
        return queryset.filter(retest_of__isnull=False) if value else queryset
