"""Related lists read inside another query: one round trip where Django would take several.

`json_list(queryset, *fields)` is an ORM expression for the queryset as an array of rows (one
JSON object per row, in the queryset's order), to annotate onto another query; `rows(value)`
reads it back as dicts, and `instances(model, rows)` turns those into model instances with
exactly those fields loaded (any other field is deferred, so reading it costs a query rather
than giving a wrong default).
"""

import json

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS
from django.db.models import TextField
from django.db.models.functions import JSONObject


def json_list(queryset, *fields) -> ArraySubquery:
    # Text, parsed once per list below: Django would parse each element on its own.
    return ArraySubquery(
        queryset.values(row=JSONObject(**{field: field for field in fields})),
        output_field=ArrayField(TextField()),
    )


def rows(value) -> list[dict]:
    """The dicts of a `json_list` value."""
    return json.loads("[" + ",".join(value or ()) + "]")


def instances(model, rows: list[dict]) -> list:
    """Model instances from rows whose keys are the model's column names."""
    if not rows:
        return []
    # from_db takes the values in the model's field order.
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
    if len(fields) != len(rows[0]):
        unknown = set(rows[0]) - {f.attname for f in fields}
        raise ValueError(f"Not columns of {model.__name__}: {unknown}")
    names = [f.attname for f in fields]
    return [
        model.from_db(DEFAULT_DB_ALIAS, names, [f.to_python(row[f.attname]) for f in fields])
        for row in rows
    ]
