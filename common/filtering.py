"""List filters whose record selects (towns, operations, officers) offer only the user's force's."""

import django_filters
from django.contrib.auth import get_user_model

from .choices import rows_together, set_options


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet for one user, whose model choice filters are declared with `.none()`
    querysets and given theirs by `record_selects`: a chosen record of another force is refused
    like any unknown value, and a filter left unscoped accepts nothing. `load_options` reads every
    select's options in one query (common/choices.py) before the bar is drawn."""

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.user = user
        for name, (choices, _columns, _label) in self.record_selects().items():
            self.filters[name].queryset = choices

    def record_selects(self) -> dict:
        """{filter name: (queryset the user may choose from, columns its options need,
        label(row) -> the option's text)}."""
        return {}

    def load_options(self) -> None:
        """Every record select's options, read in one query."""
        selects = self.record_selects()
        if not selects:
            return
        anchor = get_user_model()._default_manager.filter(pk=self.user.pk)
        rows = rows_together(
            anchor, {name: (qs, ["pk", *columns]) for name, (qs, columns, _) in selects.items()}
        )
        for name, (_qs, _columns, label) in selects.items():
            set_options(self.form.fields[name], [(row["pk"], label(row)) for row in rows[name]])
