"""Reading the logs and the change history."""

from collections import defaultdict
from dataclasses import dataclass, field

import pghistory.models
from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

from accounts.models import User

from .models import AccessLog

# Records with a History page (audit:history): "app_label.model" -> what the page calls them.
# Each is tracked by django-pghistory (@pghistory.track on the model); tests/audit/
# test_history_coverage.py holds this list and HISTORY_PARTS against the tracked models.
HISTORY_MODELS = {
    "premises.premises": "Premises",
    "premises.town": "Town",
    "premises.operator": "Operator",
    "visits.visit": "Visit",
    "visits.operation": "Operation",
    "visits.participant": "Cadet",
    "visits.scenario": "Scenario",
    "visits.campaign": "Campaign",
    "visits.nationalscenario": "National scenario",
    "training.trainingsession": "Training session",
    "training.notice": "s.116 notice",
    "training.guestinforequest": "Guest information request",
    "retention.retentiondecision": "Retention decision",
    "accounts.user": "User",
    "accounts.force": "Force settings",
}
HIDDEN_FIELDS = {"password", "last_login", "version", "revision", "updated_at", "created_at"}
# Left out of the fields a record was created or deleted with: its id, and its force (the
# viewer's own). A change of force is shown.
UNCHANGING_FIELDS = {"id", "force", "force_id"}


@dataclass(frozen=True)
class Part:
    """Rows of another table that a record's History shows: the events of `events` (an event
    model, by label: audit imports no app above it) whose `link` column holds the record's id
    and that match `where`.

    For a many-to-many table, `other` is the column naming the other side, and each event reads
    as "<noun> <that row> added" or "removed". Otherwise the events are of records of their own,
    read as "<noun> <verb>" with their fields."""

    events: str
    link: str
    noun: str
    other: str = ""
    where: dict = field(default_factory=dict)
    verbs: dict = field(default_factory=dict)


QUEUE_VERBS = {"insert": "assigned", "update": "reassigned", "delete": "no longer assigned"}

# What each record's History shows besides its own events: its many-to-many links, and the
# records that hang off it without a History of their own. A work-queue row's owner is in the
# History of the row's subject: premises for training and re-test rows, the visit for letters,
# the notice for notices (training.models.QueueAssignment).
HISTORY_PARTS = {
    "premises.premises": (
        Part(
            "training.QueueAssignmentEvent",
            "subject_id",
            "Work-queue row",
            where={"kind__in": ["training_due", "retest_due"]},
            verbs=QUEUE_VERBS,
        ),
        Part("retention.RetentionDecisionEvent", "premises", "Retention decision"),
    ),
    "visits.visit": (
        Part("visits.VisitParticipantEvent", "visit", "Cadet", other="participant"),
        Part("training.OutcomeLetterEvent", "visit", "Outcome letter", verbs={"insert": "sent"}),
        Part(
            "training.QueueAssignmentEvent",
            "subject_id",
            "Work-queue row",
            where={"kind": "letter"},
            verbs=QUEUE_VERBS,
        ),
    ),
    "visits.operation": (
        Part("visits.OperationPremisesEvent", "operation", "Premises", other="premises"),
        Part("visits.OperationTownEvent", "operation", "Town", other="town"),
        Part("visits.OperationCadetEvent", "operation", "Cadet", other="participant"),
        Part(
            "visits.OperationMemberEvent",
            "operation",
            "Team member",
            verbs={"insert": "booked", "update": "given another role", "delete": "taken off"},
        ),
    ),
    "training.notice": (
        Part("training.GuestInfoRequestEvent", "notice", "Guest information request"),
        Part(
            "training.QueueAssignmentEvent",
            "subject_id",
            "Work-queue row",
            where={"kind": "notice"},
            verbs=QUEUE_VERBS,
        ),
    ),
    "accounts.user": (
        Part("accounts.UserRoleEvent", "user", "Role", other="group"),
        # Given on the support site only: roles are how forces grant permissions.
        Part("accounts.UserPermissionEvent", "user", "Permission", other="permission"),
    ),
}

OWN_TITLES = {
    "insert": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "password_reset": "Password reset",
}
RECORD_VERBS = {"insert": "recorded", "update": "changed", "delete": "deleted"}
LINK_VERBS = {"add": "added", "remove": "removed", "reorder": "moved in the visiting order"}


def seen_by(object_type: str, object_id: int, limit: int = 20) -> QuerySet:
    """Who has viewed a record, most recent first."""
    return (
        AccessLog.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("user")
        .order_by("-at", "-id")[:limit]
    )


class _Names:
    """The rows events point at, read in one query per model once every event is in."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.found = {}
        self.deleted = {}

    def want(self, model, pk):
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self):
        for model, pks in self.wanted.items():
            rows = model._base_manager.filter(pk__in=pks)
            if hasattr(model, "NAME_FIELDS"):  # only what its name is made of (people, say)
                rows = rows.only(*model.NAME_FIELDS)
            else:  # what __str__ reads (a visit's premises, say) comes in the same query
                rows = rows.select_related(
                    *[f.name for f in model._meta.concrete_fields if f.many_to_one]
                )
            for row in rows:
                self.found[(model, row.pk)] = row
            gone = pks - {row.pk for row in rows}
            if gone and hasattr(model, "NAME_FIELDS"):
                self._load_deleted(model, gone)

    def _load_deleted(self, model, pks):
        """Rows deleted since (a merged operator, say), named from their last history snapshot:
        one more query, only when an event points at a deleted row."""
        for event_model in getattr(model, "pgh_event_models", {}).values():
            last = (
                event_model.objects.filter(pgh_obj_id__in=pks)
                .order_by("pgh_obj_id", "-pgh_id")
                .distinct("pgh_obj_id")
                .values("pgh_obj_id", *model.NAME_FIELDS)
            )
            for snapshot in last:
                pk = snapshot.pop("pgh_obj_id")
                self.deleted[(model, pk)] = str(model(pk=pk, **snapshot))
            return

    def row(self, model, pk):
        return self.found.get((model, pk))

    def name(self, model, pk) -> str:
        row = self.row(model, pk)
        if row is not None:
            return str(row)
        if (model, pk) in self.deleted:
            return f"{self.deleted[(model, pk)]} (deleted)"
        return f"#{pk} (deleted)"


def _fields(model) -> dict:
    """A model's columns by attribute name and by field name."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    fields.update({f.name: f for f in model._meta.concrete_fields})
    return fields


def _show(model_field, value, names: _Names):
    """A stored value in words: names for ids, labels for choices, dates as 18 Sep 2021."""
    if value in ("", []):
        return None
    if value is None or model_field is None:
        return value
    if isinstance(model_field, models.GeneratedField):
        model_field = model_field.output_field
    if model_field.many_to_one:
        return names.name(model_field.related_model, value)
    if isinstance(model_field, ArrayField):
        labels = dict(model_field.base_field.flatchoices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(model_field, models.DateTimeField):
        when = parse_datetime(value) if isinstance(value, str) else value
        return date_format(timezone.localtime(when), "j M Y, H:i:s") if when else value
    if isinstance(model_field, models.DateField):
        day = parse_date(value) if isinstance(value, str) else value
        return date_format(day, "j M Y") if day else value
    return value


def _label(model_field) -> str:
    return str(model_field.verbose_name).capitalize()


def _want(names: _Names, fields: dict, name: str, *values):
    model_field = fields.get(name)
    if model_field is not None and model_field.many_to_one:
        for value in values:
            names.want(model_field.related_model, value)


def _row(event, *, title, rank, hidden, fields, names) -> dict:
    """An event of the aggregate Events model, with its diff or its snapshot to show."""
    context = event.pgh_context or {}
    diff = {k: v for k, v in (event.pgh_diff or {}).items() if k not in hidden and k in fields}
    data = {
        k: v
        for k, v in (event.pgh_data or {}).items()
        if k not in hidden and k not in UNCHANGING_FIELDS and k in fields
    }
    snapshot = event.pgh_label in ("insert", "delete")
    for name, (before, after) in diff.items():
        _want(names, fields, name, before, after)
    if snapshot:
        for name, value in data.items():
            _want(names, fields, name, value)
    names.want(User, context.get("user"))
    return {
        "sort": (event.pgh_created_at, rank, event.pgh_id),
        "at": event.pgh_created_at,
        "label": event.pgh_label,
        "title": title,
        "user_id": context.get("user"),
        "url": context.get("url", ""),
        "context_id": event.pgh_context_id,
        "diff": diff if event.pgh_label != "insert" else {},
        "data": data if snapshot else {},
        "fields": fields,
        # A record's own creation lists every field, folded; a row's few fields are shown.
        "open": rank > 0,
    }


def _own_rows(obj, limit: int, names: _Names) -> list[dict]:
    fields = _fields(obj._meta.concrete_model)
    events = pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")
    return [
        _row(
            event,
            title=OWN_TITLES.get(event.pgh_label, event.pgh_label.capitalize()),
            rank=0,
            hidden=HIDDEN_FIELDS,
            fields=fields,
            names=names,
        )
        for event in events[:limit]
    ]


def _link_rows(part: Part, event_model, obj, limit: int, names: _Names) -> list[dict]:
    """Many-to-many events: one query for the events with their context."""
    other = event_model._meta.get_field(part.other)
    events = (
        event_model.objects.filter(**{part.link: obj.pk}, **part.where)
        .select_related("pgh_context")
        .order_by("-pgh_id")[:limit]
    )
    rows = []
    for event in events:
        context = event.pgh_context.metadata if event.pgh_context_id else {}
        other_id = getattr(event, other.attname)
        names.want(other.related_model, other_id)
        names.want(User, context.get("user"))
        verb = LINK_VERBS.get(event.pgh_label.rpartition(".")[2], event.pgh_label)
        rows.append(
            {
                "sort": (event.pgh_created_at, 1, event.pgh_id),
                "at": event.pgh_created_at,
                "label": event.pgh_label,
                "title": (part.noun, (other.related_model, other_id), verb),
                "user_id": context.get("user"),
                "url": context.get("url", ""),
                "context_id": event.pgh_context_id,
                "diff": {},
                "data": {},
                "fields": {},
                "open": False,
            }
        )
    return rows


def _record_rows(part: Part, event_model, obj, limit: int, names: _Names) -> list[dict]:
    """Events of records that belong to `obj`: which records (one query), then their events
    with diffs (one more)."""
    tracked = event_model.pgh_tracked_model
    ids = list(
        event_model.objects.filter(**{part.link: obj.pk}, **part.where)
        .order_by()
        .values_list("pgh_obj_id", flat=True)
        .distinct()
    )
    if not ids:
        return []
    events = pghistory.models.Events.objects.tracks([tracked(pk=pk) for pk in ids]).order_by(
        "-pgh_created_at", "-pgh_id"
    )
    fields = _fields(tracked)
    hidden = HIDDEN_FIELDS | {fields[part.link].name, fields[part.link].attname}
    verbs = {**RECORD_VERBS, **part.verbs}
    return [
        _row(
            event,
            title=f"{part.noun} {verbs.get(event.pgh_label, event.pgh_label)}",
            rank=1,
            hidden=hidden,
            fields=fields,
            names=names,
        )
        for event in events[:limit]
    ]


def _words(row: dict, names: _Names) -> dict:
    """The row as the History page shows it, once the names are read."""
    fields = row.pop("fields")

    def in_model_order(item):
        return fields[item[0]].creation_counter

    title = row["title"]
    if isinstance(title, tuple):
        noun, (model, pk), verb = title
        row["title"] = f"{noun} {names.name(model, pk)} {verb}"
    row["changes"] = [
        {
            "field": _label(fields[name]),
            "before": _show(fields[name], before, names),
            "after": _show(fields[name], after, names),
        }
        for name, (before, after) in sorted(row.pop("diff").items(), key=in_model_order)
    ]
    row["details"] = [
        {"field": _label(fields[name]), "value": _show(fields[name], value, names)}
        for name, value in sorted(row.pop("data").items(), key=in_model_order)
    ]
    row["user"] = names.row(User, row["user_id"])
    del row["sort"]
    return row


def history(obj, limit: int = 200) -> list[dict]:
    """A record's change history, newest first: its own events and those of the rows that
    belong to it (HISTORY_PARTS), each in words, with who made it.

    A bounded number of queries whatever the number of events: one for the record's events,
    one or two per part, and one per kind of row the events name (cadets, users, towns...)."""
    names = _Names()
    rows = _own_rows(obj, limit, names)
    for part in HISTORY_PARTS.get(obj._meta.label_lower, ()):
        event_model = apps.get_model(part.events)
        read = _link_rows if part.other else _record_rows
        rows += read(part, event_model, obj, limit, names)
    # Newest first; in one transaction (one time), a record's links and rows after the record.
    rows = sorted(rows, key=lambda row: row["sort"], reverse=True)[:limit]
    names.load()
    return [_words(row, names) for row in rows]
