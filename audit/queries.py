"""Reading the logs and the change history."""

import pghistory.models
from django.db.models import QuerySet

from .models import AccessLog

# Models whose history the History tab shows: "app_label.model" -> label.
HISTORY_MODELS = {
    "premises.premises": "Premises",
    "visits.visit": "Visit",
    "visits.operation": "Operation",
    "visits.participant": "Cadet",
    "visits.scenario": "Scenario",
    "training.trainingsession": "Training session",
    "training.notice": "s.116 notice",
    "accounts.user": "User",
}
HIDDEN_FIELDS = {"password", "last_login", "version", "updated_at", "created_at"}


def seen_by(object_type: str, object_id: int, limit: int = 20) -> QuerySet:
    """Who has viewed a record, most recent first."""
    return (
        AccessLog.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("user")
        .order_by("-at", "-id")[:limit]
    )


def history(obj, limit: int = 200) -> list[dict]:
    """A record's change history, newest first, each event with its changed fields in words."""
    events = pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[
        :limit
    ]
    labels = {f.attname: str(f.verbose_name) for f in obj._meta.concrete_fields}
    labels.update({f.name: str(f.verbose_name) for f in obj._meta.concrete_fields})
    rows = []
    for event in events:
        diff = event.pgh_diff or {}
        changes = [
            {"field": labels.get(name, name).capitalize(), "before": before, "after": after}
            for name, (before, after) in sorted(diff.items())
            if name not in HIDDEN_FIELDS
        ]
        context = event.pgh_context or {}
        rows.append(
            {
                "at": event.pgh_created_at,
                "label": event.pgh_label,
                "user_id": context.get("user"),
                "url": context.get("url", ""),
                "context_id": event.pgh_context_id,
                "changes": changes,
            }
        )
    return rows
