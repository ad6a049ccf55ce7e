"""Retention decisions, and disposal: erase a premises' content, keep the counts, log it."""

from datetime import date

from django.db import connection, transaction

from accounts.models import User
from audit.models import ErasureLog
from premises.models import Premises

from .models import RetentionDecision

# What erased free text becomes (the database function below writes the same words).
ERASED = "[erased at retention review]"

# Disposal is one call of retention_erase_premises (retention/migrations/0003): it erases the
# premises' content, its records' free text and cadet links, their history snapshots, and its
# name wherever the logs, retain reasons and briefing notes of its force carry it; records the
# decision; and returns the erasure-log entry it writes. It runs with the owner role's rights,
# as the app's own role may not change the logs or the history (docs/security.md checks 23, 29).
ERASE_PREMISES = "SELECT retention_erase_premises(%s, %s, %s)"


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
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ERASE_PREMISES, [premises.pk, user.pk, reason])
        (entry,) = cursor.fetchone()
        return ErasureLog.objects.get(pk=entry)
