"""List filters for visits."""

from operator import itemgetter

import django_filters
from django import forms

from accounts.models import User
from common.filtering import ScopedFilterSet
from premises.models import Premises, Town

from .models import Operation, Visit


class LabelledDateRangeWidget(django_filters.widgets.DateRangeWidget):
    """Two date inputs, each with its own accessible label (axe flags the bare pair)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        for widget, end in zip(self.widgets, ("From", "To"), strict=True):
            widget.attrs.update(
                {"aria-label": f"{end} date", "placeholder": f"{end} dd/mm/yyyy"}
                | {"class": "form-control", "autocomplete": "off"}
            )


class VisitFilter(ScopedFilterSet):
    visited_on = django_filters.DateFromToRangeFilter(label="Date", widget=LabelledDateRangeWidget)
    town = django_filters.ModelChoiceFilter(
        field_name="premises__town",
        queryset=Town.objects.none(),
        empty_label="All towns",
        label="Town",
    )
    sector = django_filters.ChoiceFilter(
        field_name="premises__sector",
        choices=Premises.Sector.choices,
        empty_label="All sectors",
        label="Sector",
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

    def record_selects(self):
        user = self.user
        return {
            "town": (Town.objects.visible_to(user), ["name"], itemgetter("name")),
            "operation": (Operation.objects.visible_to(user), ["name"], itemgetter("name")),
            "officer": (User.objects.visible_to(user), User.NAME_FIELDS, _officer),
        }

    def filter_retests(self, queryset, name, value):
        return queryset.filter(retest_of__isnull=False) if value else queryset


def _officer(row: dict) -> str:
    return User.display_name(row["first_name"], row["last_name"], row["username"], row["rank"])
