"""Writes for follow-up work: sessions, deliveries, letters, queue owners and notices."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.concurrency import save_versioned
from premises.models import Premises
from visits.models import Visit

from .models import GuestInfoRequest, Notice, OutcomeLetter, QueueAssignment, TrainingSession


def training_session_save(
    *,
    session: TrainingSession,
    user: User,
    premises: Premises | None = None,
    visit: Visit | None = None,
    expected_version: int | None = None,
) -> TrainingSession:
    """Create a session for `premises` (optionally prompted by `visit`) or save an edit.

    The database refuses status changes the workflow does not allow; forms check first.
    """
    session.updated_by = user
    with transaction.atomic():
        if session.pk is None:
            session.force = user.force
            session.premises = premises
            session.visit = visit
            session.created_by = user
            session.save()
            # Whoever owned the queue row keeps owning the follow-up.
            QueueAssignment.objects.filter(
                force=user.force, kind=QueueAssignment.Kind.TRAINING_DUE, subject_id=premises.pk
            ).delete()
        else:
            save_versioned(session, expected_version=expected_version)
    return session


def training_session_deliver(
    *, session: TrainingSession, user: User, expected_version: int
) -> TrainingSession:
    """Record delivery: the session becomes delivered with its staff count."""
    session.status = TrainingSession.Status.DELIVERED
    session.updated_by = user
    with transaction.atomic():
        save_versioned(session, expected_version=expected_version)
    return session


def queue_assign(*, user: User, kind: str, subject_id: int, owner: User | None) -> None:
    """Give a work-queue row to `owner`, or to nobody."""
    with transaction.atomic():
        if owner is None:
            QueueAssignment.objects.filter(
                force=user.force, kind=kind, subject_id=subject_id
            ).delete()
            return
        QueueAssignment.objects.update_or_create(
            force=user.force,
            kind=kind,
            subject_id=subject_id,
            defaults={"owner": owner, "assigned_by": user},
        )


def outcome_letter_mark_sent(*, visit: Visit, user: User) -> OutcomeLetter:
    """Record that the visit's outcome letter was sent, by whom and when (once)."""
    with transaction.atomic():
        letter, _ = OutcomeLetter.objects.get_or_create(
            visit=visit,
            defaults={"force": visit.force, "sent_by": user, "sent_at": timezone.now()},
        )
        QueueAssignment.objects.filter(
            force=visit.force, kind=QueueAssignment.Kind.LETTER, subject_id=visit.pk
        ).delete()
    return letter


def notice_save(*, notice: Notice, user: User, expected_version: int | None = None) -> Notice:
    """Record a new s.116 notice or save changes to one."""
    with transaction.atomic():
        if notice.pk is None:
            notice.force = user.force
            notice.created_by = user
            notice.save()
        else:
            save_versioned(notice, expected_version=expected_version)
    return notice


def guest_request_save(
    *, request: GuestInfoRequest, notice: Notice, user: User
) -> GuestInfoRequest:
    """Record a guest-information request made under `notice`."""
    request.notice = notice
    if request.pk is None:
        request.made_by = user
    request.save()
    return request
