"""List filters whose record selects (towns, operations, officers) offer only the user's force's,
and record ids read from links."""

from datetime import date

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

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


# The largest id a bigint primary key holds: a longer number is no record's, and PostgreSQL
# refuses to compare it with one.
MAX_ID = 2**63 - 1


# The dates a filter or a link may ask for: reports and the week view count months and weeks
# either side of them, and Python's calendar stops at the end of 9999.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def validate_filter_date(day) -> None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError("Choose a date between 1900 and 2999.")


def record_id(value) -> int | None:
    """`value` (from a link or a typed field) as a record id, or None if it cannot be one.

    Only ASCII digits count: `"²".isdigit()` is true but `int("²")` fails, and `int("١٢")` reads
    Arabic-Indic digits that nobody typed as an id."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
