"""Writes for follow-up work: sessions, deliveries, letters, queue owners and notices."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from common.concurrency import save_versioned
from common.pdf import render_pdf, sha256_hex
from premises.models import Premises
from visits.models import Visit

from . import documents
from .models import (
    GuestInfoRequest,
    IssuedDocument,
    Notice,
    OutcomeLetter,
    QueueAssignment,
    Reminder,
    TrainingSession,
)
from .queries import (
    DIGEST_NOTICE_DAYS,
    assigned_since_last_note,
    digest_counts,
    digest_recipients,
    queue_holders,
)

logger = logging.getLogger(__name__)


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


def _document_issue(*, kind: str, premises: Premises, user: User, context: dict, **record):
    """Draw the document as it is issued today and keep the PDF, with its hash, for good."""
    pdf = render_pdf(documents.PDF_TEMPLATES[kind], context)
    return IssuedDocument.objects.create(
        force=premises.force,
        premises=premises,
        kind=kind,
        issued_on=context["issued_on"],
        issued_by=user,
        pdf=pdf,
        sha256=sha256_hex(pdf),
        **record,
    )


def outcome_letter_mark_sent(*, visit: Visit, user: User) -> OutcomeLetter:
    """Record that the visit's outcome letter was sent, by whom and when (once), and keep the
    letter exactly as sent: dated today and signed by `user`."""
    with transaction.atomic():
        # One at a time per visit: a double click waits here and then finds the letter.
        visit = (
            Visit.objects.select_for_update()
            .select_related("premises__town", "force")
            .get(pk=visit.pk)
        )
        letter, created = OutcomeLetter.objects.get_or_create(
            visit=visit,
            defaults={"force": visit.force, "sent_by": user, "sent_at": timezone.now()},
        )
        if created:
            _document_issue(
                kind=IssuedDocument.Kind.OUTCOME_LETTER,
                premises=visit.premises,
                user=user,
                context=documents.letter_context(
                    visit, signer=user, issued_on=timezone.localdate(letter.sent_at)
                ),
                visit=visit,
            )
        QueueAssignment.objects.filter(
            force=visit.force, kind=QueueAssignment.Kind.LETTER, subject_id=visit.pk
        ).delete()
    return letter


def notice_mark_served(*, notice: Notice, user: User) -> IssuedDocument:
    """Keep the s.116 notice exactly as served today by `user` (once)."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update()
            .select_related("premises", "issued_by")
            .get(pk=notice.pk)
        )
        served = IssuedDocument.objects.filter(notice=notice).defer("pdf").first()
        return served or _document_issue(
            kind=IssuedDocument.Kind.NOTICE,
            premises=notice.premises,
            user=user,
            context=documents.notice_context(notice, server=user, issued_on=timezone.localdate()),
            notice=notice,
        )


def guest_request_mark_sent(*, guest_request: GuestInfoRequest, user: User) -> IssuedDocument:
    """Keep the guest-information request letter exactly as sent today by `user` (once)."""
    with transaction.atomic():
        guest_request = (
            GuestInfoRequest.objects.select_for_update(of=("self",))
            .select_related("notice__premises__town", "notice__force", "notice__issued_by")
            .get(pk=guest_request.pk)
        )
        sent = IssuedDocument.objects.filter(guest_request=guest_request).defer("pdf").first()
        return sent or _document_issue(
            kind=IssuedDocument.Kind.GUEST_REQUEST,
            premises=guest_request.notice.premises,
            user=user,
            context=documents.request_context(
                guest_request, signer=user, issued_on=timezone.localdate()
            ),
            guest_request=guest_request,
        )


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
    *, request: GuestInfoRequest, notice: Notice, user: User, expected_version: int | None = None
) -> GuestInfoRequest:
    """Record a guest-information request made under `notice`.

    Updates are optimistic: a stale `expected_version` raises `StaleEdit`.
    """
    request.notice = notice
    if request.pk is None:
        request.made_by = user
        request.save()
    else:
        save_versioned(request, expected_version=expected_version)
    return request


# --- The daily reminders -------------------------------------------------------------------------

# A person's first note of assignments covers the rows given to them in the day before it.
FIRST_NOTE_WINDOW = timedelta(days=1)


@dataclass
class RemindersSent:
    """What one run of `send_reminders` did."""

    digests: int = 0
    notes: int = 0
    already_sent: int = 0
    failed: list[str] = field(default_factory=list)


def reminders_send(*, now: datetime | None = None) -> RemindersSent:
    """Email each queue holder who wants it the digest of their force's work queue, and each
    person given rows of the queue a note of how many, at most once a day each (Reminder's
    unique constraint). The emails hold counts and links only: no premises, cadet or outcome.

    Each email is sent inside the transaction that writes its Reminder row, so a failed send
    leaves no row and the next run tries again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = RemindersSent()
    counts_of_force = {}
    for recipient in digest_recipients():
        if recipient.force_id not in counts_of_force:
            counts_of_force[recipient.force_id] = digest_counts(recipient, today)
        counts = counts_of_force[recipient.force_id]
        if counts.total:
            context = {"counts": counts, "notice_days": DIGEST_NOTICE_DAYS}
            _send_once(
                recipient, Reminder.Kind.DIGEST, today, now, counts.total, "digest", context, result
            )
    assigned = assigned_since_last_note(now, FIRST_NOTE_WINDOW)
    labels = dict(QueueAssignment.Kind.choices)
    for owner in queue_holders().filter(pk__in=list(assigned)).select_related("force"):
        rows = [
            (kind, labels[kind], assigned[owner.pk][kind])
            for kind in QueueAssignment.Kind.values
            if kind in assigned[owner.pk]
        ]
        total = sum(count for _, _, count in rows)
        context = {"rows": rows, "total": total}
        _send_once(owner, Reminder.Kind.ASSIGNED, today, now, total, "assigned", context, result)
    return result


def _send_once(
    recipient: User,
    kind: str,
    day: date,
    now: datetime,
    item_count: int,
    template: str,
    context: dict,
    result: RemindersSent,
) -> None:
    context = {
        **context,
        "recipient": recipient,
        "force": recipient.force,
        "day": day,
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(render_to_string(f"training/email/{template}_subject.txt", context).split())
    body = render_to_string(f"training/email/{template}.txt", context)
    message = EmailMessage(
        subject,
        body,
        recipient.force.reminder_from_email or settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
    )
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Reminder.objects.create(
                        force=recipient.force,
                        recipient=recipient,
                        kind=kind,
                        day=day,
                        window_end=now,
                        item_count=item_count,
                    )
            except IntegrityError:
                result.already_sent += 1
                return
            message.send()
    except OSError as error:  # smtplib's errors included: the relay refused or was not there
        logger.warning("Reminder %s to user %s not sent: %s", kind, recipient.pk, error)
        result.failed.append(f"{kind} to user {recipient.pk}: {error}")
        return
    if kind == Reminder.Kind.DIGEST:
        result.digests += 1
    else:
        result.notes += 1
