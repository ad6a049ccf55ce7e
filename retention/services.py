"""Retention decisions, and disposal: erase a premises' content, keep the counts, log it."""

from datetime import date

import pgtrigger
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import ErasureLog
from premises.models import Premises
from training.models import Notice, TrainingSession
from visits.models import Visit

from .models import RetentionDecision

ERASED = "[erased at retention review]"

# The fields that hold content, per model, and what they become. Outcomes, dates, sectors and
# towns stay, so reports of past periods keep their counts.
PREMISES_ERASE = {
    "name": "Disposed premises",
    "operator": "",
    "address": "",
    "postcode": "",
    "uprn": "",
    "licence_reference": "",
    "phone": "",
    "email": "",
    "notes": "",
}
TRAINING_ERASE = {"notes": "", "trainer": ""}
NOTICE_ERASE = {"grounds": ERASED, "served_on_business": ERASED}

# History tables keep snapshots of the same content: scrubbed too, through the one bypass of
# their append-only triggers that the application has.
HISTORY_TRIGGERS = [
    "premises.PremisesEvent:append_only",
    "visits.VisitEvent:append_only",
    "training.TrainingSessionEvent:append_only",
    "training.NoticeEvent:append_only",
]


def retention_retain(
    *, premises: Premises, user: User, reason: str, next_review_on: date
) -> RetentionDecision:
    """Keep the records, with the reason, until `next_review_on`."""
    return RetentionDecision.objects.create(
        force=user.force,
        premises=premises,
        decision=RetentionDecision.Decision.RETAIN,
        reason=reason,
        next_review_on=next_review_on,
        decided_by=user,
    )


def retention_dispose(*, premises: Premises, user: User, reason: str) -> ErasureLog:
    """Erase the content of a premises and its records; leave counts and an erasure log entry."""
    with transaction.atomic():
        locked = Premises.objects.select_for_update().get(pk=premises.pk)
        visits = Visit.objects.filter(premises=locked)
        sessions = TrainingSession.objects.filter(premises=locked)
        notices = Notice.objects.filter(premises=locked)
        counts = {
            "visits": visits.count(),
            "training sessions": sessions.count(),
            "s.116 notices": notices.count(),
        }
        visit_ids = list(visits.values_list("pk", flat=True))
        for visit in visits.prefetch_related("participants"):
            visit.participants.clear()
        visits.exclude(debrief_notes="").update(debrief_notes=ERASED)
        visits.exclude(reason="").update(reason=ERASED)
        sessions.update(**TRAINING_ERASE)
        notices.update(**NOTICE_ERASE)
        Premises.objects.filter(pk=locked.pk).update(
            **PREMISES_ERASE,
            active=False,
            disposed_at=timezone.now(),
            version=locked.version + 1,
        )
        with pgtrigger.ignore(*HISTORY_TRIGGERS):
            apps.get_model("premises", "PremisesEvent").objects.filter(pgh_obj_id=locked.pk).update(
                **PREMISES_ERASE
            )
            visit_events = apps.get_model("visits", "VisitEvent").objects.filter(
                pgh_obj_id__in=visit_ids
            )
            visit_events.exclude(debrief_notes="").update(debrief_notes=ERASED)
            visit_events.exclude(reason="").update(reason=ERASED)
            apps.get_model("training", "TrainingSessionEvent").objects.filter(
                pgh_obj__premises=locked
            ).update(**TRAINING_ERASE)
            apps.get_model("training", "NoticeEvent").objects.filter(
                pgh_obj__premises=locked
            ).update(**NOTICE_ERASE)
        RetentionDecision.objects.create(
            force=user.force,
            premises=locked,
            decision=RetentionDecision.Decision.DISPOSE,
            reason=reason,
            decided_by=user,
        )
        what = (
            "premises details (name, address, contacts, notes)"
            + "".join(f"; {n} {kind}" for kind, n in counts.items() if n)
            + "; their free text, cadet links and history snapshots"
        )
        return ErasureLog.objects.create(
            force=user.force,
            user=user,
            object_type="premises.premises",
            object_id=locked.pk,
            reference=locked.reference,
            what=what[:500],
            reason=reason,
        )
