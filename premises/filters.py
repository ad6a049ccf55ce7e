"""List filters for the premises register."""

from operator import itemgetter

import django_filters
from django import forms

from common.filtering import ScopedFilterSet

from .models import Premises, Town


class PremisesFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, reference, postcode or operator"}
        ),
    )
    town = django_filters.ModelChoiceFilter(queryset=Town.objects.none(), empty_label="All towns")
    sector = django_filters.ChoiceFilter(choices=Premises.Sector.choices, empty_label="All sectors")
    active = django_filters.ChoiceFilter(
        label="Status",
        choices=[("yes", "Active"), ("no", "Inactive")],
        empty_label="Active and inactive",
        method="filter_active",
    )
    tested = django_filters.ChoiceFilter(
        label="Last result",
        choices=[
            ("never", "Never tested"),
            ("pass", "Passed"),
            ("fail", "Failed"),
        ],
        empty_label="Any",
        method="filter_tested",
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=[
            ("name", "name"),
            ("reference", "reference"),
            ("town__name", "town"),
            ("sector", "sector"),
            ("postcode", "postcode"),
            ("updated_at", "updated"),
        ],
        field_labels={
            "name": "Name",
            "reference": "Reference",
            "town__name": "Town",
            "sector": "Sector",
            "postcode": "Postcode",
            "updated_at": "Last updated",
        },
        empty_label=None,
    )

    class Meta:
        model = Premises
        fields = ["q", "town", "sector", "active", "tested"]

    def record_selects(self):
        return {"town": (Town.objects.visible_to(self.user), ["name"], itemgetter("name"))}

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=(value == "yes"))

    def filter_tested(self, queryset, name, value):
        if value == "never":
            return queryset.never_tested()
        return queryset.last_result(value)
