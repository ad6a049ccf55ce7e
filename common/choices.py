"""The options of several record selects, read in one query.

A select over a queryset costs a query of its own, and a filter bar or a form with three or four
of them (towns, operations, officers; cadets, scenarios, earlier visits) would cost as many
before the page's own. `rows_together` reads them in one: each queryset's rows become an array of
JSON objects (ArraySubquery of JSONObject) on the single row of an anchor queryset.
`set_options` hands a list to its field's widget. The querysets are the callers' own
`visible_to()` ones, and validation still looks a chosen value up in the field's queryset, so
another force's record is refused like any unknown value.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import QuerySet
from django.db.models.functions import JSONObject


def rows_together(
    anchor: QuerySet, lists: dict[str, tuple[QuerySet, list[str]]]
) -> dict[str, list[dict]]:
    """{name: (queryset, columns)} -> {name: [{column: value, ...}, ...]}, each list in its
    queryset's order, read in one query on the one row of `anchor`. Values come back as JSON
    gives them: numbers and text as they are, dates and times as ISO text."""
    arrays = {
        f"{name}_rows": ArraySubquery(queryset.values(row=JSONObject(**{c: c for c in columns})))
        for name, (queryset, columns) in lists.items()
    }
    row = anchor.values(**arrays).get()
    # An empty queryset (`.none()`, a user without a force) reads as NULL, not as an array.
    return {name: row[f"{name}_rows"] or [] for name in lists}


def set_options(field, options: list[tuple]) -> None:
    """Give a (model) choice field's widget its (value, label) options, after the field's empty
    label if it has one: the widget draws them without a query, and the field still validates
    a choice against its own queryset."""
    empty_label = getattr(field, "empty_label", None)
    field.widget.choices = ([("", empty_label)] if empty_label is not None else []) + options
