"""The options of a filter bar's record selects (towns, operations, officers...) in one query.

A select over a queryset costs a query and a model instance per option; a filter bar with three
of them costs three queries before the page's own. `option_lists` reads every list in one query
(an array per list, each in its queryset's order); `preload_choices` hands them to a form's
model choice fields, whose widgets (or `{% field %}`, makesafe/templatetags/fields.py) then draw
them without a query. Validation is untouched: a chosen value is still looked up in the field's
own queryset, so it must be one of the user's force.
"""

from .jsonrows import json_list, rows


def option_lists(force_id: int, specs: dict) -> dict[str, list[dict]]:
    """`specs`: {name: (queryset, columns)} -> {name: [{"pk": pk, column: value, ...}, ...]},
    each list in its queryset's order, read in one query (hung on the user's force row)."""
    from accounts.models import Force

    lists = (
        Force.objects.filter(pk=force_id)
        .values(
            **{
                f"{name}_options": json_list(queryset, "pk", *columns)
                for name, (queryset, columns) in specs.items()
            }
        )
        .get()
    )
    return {name: rows(lists[f"{name}_options"]) for name in specs}


def preload_choices(form, force_id: int, specs: dict) -> None:
    """`specs`: {field name: (columns, label)}, `label(row)` turning a dict of the columns
    (and "pk") into the option's text."""
    fields = {name: form.fields[name] for name in specs}
    lists = option_lists(
        force_id, {name: (field.queryset, specs[name][0]) for name, field in fields.items()}
    )
    for name, field in fields.items():
        label = specs[name][1]
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        options = empty + [(str(row["pk"]), label(row)) for row in lists[name]]
        field.preloaded_choices = options  # for {% field %}
        field.widget.choices = options  # for the widget itself (crispy-forms, {{ field }})


def without_pk(row: dict) -> dict:
    """The row's columns without "pk", e.g. to call a display function with them."""
    return {key: value for key, value in row.items() if key != "pk"}
