"""List filters for the premises register."""

import django_filters
from django import forms

from makesafe.choices import preload_force_options
from makesafe.filtering import ScopedFilterSet

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
        fields = ["q", "town", "sector", "active"]

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.force = force

    def scoped_querysets(self):
        return {"town": Town.objects.filter(force=self.force)}

    def preload_choices(self):
        """The town select's options without a query of their own (makesafe/choices.py)."""
        preload_force_options(self.form, self.force.pk, ["town"])

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=(value == "yes"))
