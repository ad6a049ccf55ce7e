"""The options of a filter bar's record selects (towns, operations, officers...) in one query.

A select over a queryset costs a query and a model instance per option; a filter bar with three
of them costs three queries before the page's own. `option_lists` reads every list in one query
(an array per list, each in its queryset's order); `preload_choices` hands them to a form's
model choice fields, whose widgets (or `{% field %}`, makesafe/templatetags/fields.py) then draw
them without a query. Validation is untouched: a chosen value is still looked up in the field's
own queryset, so it must be one of the user's force.
"""

import json

from django.db import connection

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
        _preload(field, [(str(row["pk"]), label(row)) for row in lists[name]])


def _preload(field, options: list) -> None:
    """The model choice field's options, after its empty label, for {% field %} and for the
    widget itself (crispy-forms, {{ field }}). The widget gets them as a callable: Django
    normalises a list of choices as soon as it is set, option by option, which cost more than
    reading them on a list page that draws them with {% field %} (which never asks the widget)."""
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    choices = empty + options
    field.preloaded_choices = choices
    field.widget.choices = lambda: choices


def without_pk(row: dict) -> dict:
    """The row's columns without "pk", e.g. to call a display function with them."""
    return {key: value for key, value in row.items() if key != "pk"}


OPTION_LISTS = ("town", "operation", "officer")


def force_options(force_id: int | None, names=OPTION_LISTS) -> dict[str, list[tuple[str, str]]]:
    """The options every filter bar offers, for one force: {"town", "operation", "officer"}
    -> [(id, label), ...], in the order of Town.objects.visible_to(user),
    Operation.objects.visible_to(user) and User.objects.visible_to(user), in one query; a
    list not in `names` is not read (and empty).

    List pages are the busiest in Makesafe, and building these three lists through the ORM
    (above) cost several times the query itself; this is the same query written once.
    tests/plumbing/test_fast_rendering.py holds it to the querysets."""
    from accounts.models import User

    if not force_id:
        return {name: [] for name in OPTION_LISTS}
    with connection.cursor() as cursor:
        # A list not asked for is a constant NULL once PostgreSQL has planned the statement.
        cursor.execute(
            """
            SELECT
              CASE WHEN %(town)s THEN
                (SELECT json_agg(json_build_array(t.id, t.name) ORDER BY t.name)
                 FROM premises_town t WHERE t.force_id = %(force)s)::text END,
              CASE WHEN %(operation)s THEN
                (SELECT json_agg(json_build_array(o.id, o.name) ORDER BY o.date DESC, o.name)
                 FROM visits_operation o WHERE o.force_id = %(force)s)::text END,
              CASE WHEN %(officer)s THEN
                (SELECT json_agg(json_build_array(u.id, u.first_name, u.last_name, u.username,
                                                  u.rank)
                                 ORDER BY u.last_name, u.first_name, u.username)
                 FROM accounts_user u WHERE u.force_id = %(force)s)::text END
            """,
            {"force": force_id, **{name: name in names for name in OPTION_LISTS}},
        )
        towns, operations, officers = (json.loads(value or "[]") for value in cursor.fetchone())
    return {
        "town": [(str(pk), name) for pk, name in towns],
        "operation": [(str(pk), name) for pk, name in operations],
        "officer": [(str(pk), User.display_name(*names)) for pk, *names in officers],
    }


def preload_force_options(form, force_id: int | None, names) -> None:
    """Hand `force_options` to the form's model choice fields `names` (each named after its
    list), as `preload_choices` does."""
    options = force_options(force_id, names)
    for name in names:
        _preload(form.fields[name], options[name])
