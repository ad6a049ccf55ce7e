"""Follow-up after a visit: training sessions, outcome letters, work-queue owners, s.116 notices."""

import calendar
import functools
import operator
from datetime import date, timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from psycopg2.extensions import adapt

from accounts.models import Force, User
from audit.models import APPEND_ONLY
from premises.models import ForceScopedQuerySet, Premises
from visits.models import Visit


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's end like PostgreSQL's date + interval."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _sql_array(values) -> str:
    """Choices of the models as an SQL array, quoted by psycopg2: what the database's rules
    compare with comes from the models' own definitions."""
    return adapt(list(values)).getquoted().decode()


class PlusSixMonths(Func):
    """date + 6 months, the longest life of an s.116 notice (immutable, for a check constraint)."""

    template = "((%(expressions)s + interval '6 months')::date)"
    output_field = models.DateField()


# Where a training session may go from each status. Delivered is final. (Outside the model, so
# that its Meta can build the database's copy of the rule from it.)
SESSION_TRANSITIONS = {
    "offered": {"accepted", "declined", "scheduled", "cancelled"},
    "accepted": {"scheduled", "declined", "cancelled"},
    "declined": {"offered"},
    "scheduled": {"scheduled", "delivered", "no_show", "cancelled"},
    "no_show": {"scheduled", "cancelled"},
    "cancelled": {"offered"},
    "delivered": set(),
}


def _status_change_allowed(transitions) -> pgtrigger.Q:
    """A trigger condition: OLD.status may become NEW.status, as `transitions` has it."""
    return functools.reduce(
        operator.or_,
        (
            pgtrigger.Q(old__status=old, new__status__in=sorted(new))
            for old, new in transitions.items()
            if new
        ),
    )


class TrainingSessionQuerySet(ForceScopedQuerySet):
    def upcoming(self):
        """Sessions scheduled from now on, soonest first."""
        return self.filter(
            status=TrainingSession.Status.SCHEDULED, scheduled_for__gte=timezone.now()
        ).order_by("scheduled_for")

    def for_list(self):
        """Rows for session lists: premises, town and owner joined."""
        return self.select_related("premises__town", "owner", "visit")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TrainingSession(models.Model):
    """Training offered to (and, we hope, delivered at) one premises after a visit."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        SCHEDULED = "scheduled", "Scheduled"
        DELIVERED = "delivered", "Delivered"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = SESSION_TRANSITIONS

    class Provider(models.TextChoices):
        POLICE = "police", "Police"
        BARNARDOS = "barnardos", "Barnardo's"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        OTHER = "other", "Other"

    class Material(models.TextChoices):
        POSTERS = "posters", "Posters"
        TOOLKIT = "toolkit", "Toolkit"
        VIDEO = "video", "Video"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="training_sessions")
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="training_sessions"
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        help_text="The visit that prompted it, if any.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    scheduled_for = models.DateTimeField(
        null=True, blank=True, help_text="Date and time, for example 18/10/2021 14:00."
    )
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.POLICE)
    trainer = models.CharField(max_length=120, blank=True)
    staff_trained = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Number of staff who attended. Required on delivery."
    )
    materials = ArrayField(
        models.CharField(max_length=10, choices=Material.choices), default=list, blank=True
    )
    notes = models.TextField(max_length=2000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions_owned",
        help_text="The sergeant responsible.",
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_for", "-created_at"]
        permissions = [("schedule_training", "Can schedule and record training")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "offered",
                        "accepted",
                        "declined",
                        "scheduled",
                        "delivered",
                        "no_show",
                        "cancelled",
                    ]
                ),
                name="training_status_valid",
            ),
            models.CheckConstraint(
                # IS NOT NULL too: a NULL count would make the check unknown, which passes.
                condition=~Q(status="delivered")
                | Q(staff_trained__isnull=False, staff_trained__gte=1),
                name="training_delivered_needs_staff_trained",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "delivered", "no_show"])
                | Q(scheduled_for__isnull=False),
                name="training_scheduled_needs_time",
            ),
            models.CheckConstraint(
                condition=Q(provider__in=["police", "barnardos", "local_authority", "other"]),
                name="training_provider_valid",
            ),
            models.CheckConstraint(
                condition=Q(materials__contained_by=["posters", "toolkit", "video"]),
                name="training_materials_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=10, duration_minutes__lte=480),
                name="training_duration_sane",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="training_version_positive"),
        ]
        indexes = [
            models.Index(fields=["premises", "status", "scheduled_for"], name="training_premises"),
            models.Index(fields=["force", "status", "scheduled_for"], name="training_force_status"),
        ]
        triggers = [
            # The premises is the session's force's, and the visit (if any) was to it.
            pgtrigger.Trigger(
                name="training_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[("premises_force", "bigint"), ("visit_premises", "bigint")],
                func="""
                SELECT force_id INTO premises_force FROM premises_premises
                WHERE id = NEW.premises_id;
                IF premises_force <> NEW.force_id THEN
                    RAISE EXCEPTION 'training_same_force: the premises belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.visit_id IS NOT NULL THEN
                    SELECT premises_id INTO visit_premises FROM visits_visit
                    WHERE id = NEW.visit_id;
                    IF visit_premises <> NEW.premises_id THEN
                        RAISE EXCEPTION 'training_visit_same_premises: '
                            'the visit was to other premises'
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                RETURN NEW;
                """,
            ),
            # The status only moves as TRANSITIONS allows: the function runs only for a change
            # that it does not allow, and refuses it.
            pgtrigger.Trigger(
                name="training_status_transition",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__df=pgtrigger.F("new__status"))
                & ~_status_change_allowed(SESSION_TRANSITIONS),
                func="""
                RAISE EXCEPTION 'training_status_transition: % cannot become %',
                    OLD.status, NEW.status
                    USING ERRCODE = 'check_violation';
                """,
            ),
        ]

    def __str__(self):
        when = f", {timezone.localtime(self.scheduled_for):%d %b %Y}" if self.scheduled_for else ""
        return f"Training at {self.premises.name}{when} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("training:session_detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        """Whether the session may change from its current status to `status`."""
        return status == self.status or status in self.TRANSITIONS.get(self.status, set())

    @property
    def next_statuses(self) -> list[tuple[str, str]]:
        allowed = self.TRANSITIONS.get(self.status, set())
        return [(value, label) for value, label in self.Status.choices if value in allowed]

    def get_materials_display(self) -> str:
        labels = dict(self.Material.choices)
        return ", ".join(labels.get(m, m) for m in self.materials)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class OutcomeLetter(models.Model):
    """The written outcome sent to the business after a visit: who marked it sent, and when."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="outcome_letters")
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="outcome_letter")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        # The letters queue asks "which of this force's visits have a letter?"
        indexes = [models.Index(fields=["force", "visit"], name="letter_force_visit")]

    def __str__(self):
        return f"Outcome letter for visit {self.visit_id}, sent {self.sent_at:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("training:letter", args=[self.visit_id])


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    # The subject's History reads its rows by subject (audit.queries.HISTORY_PARTS).
    meta={"indexes": [models.Index(fields=["subject_id", "kind"], name="queue_event_subject")]},
)
class QueueAssignment(models.Model):
    """Who owns a row of the sergeants' work queue. The rows themselves are computed."""

    class Kind(models.TextChoices):
        TRAINING_DUE = "training_due", "Training due"
        RETEST_DUE = "retest_due", "Re-test due"
        LETTER = "letter", "Letter to send"
        NOTICE = "notice", "s.116 notice expiring"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The subject: premises for training and re-test rows, a visit for letters, a notice.
    subject_id = models.BigIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "subject_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "kind", "subject_id"], name="queue_assignment_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["training_due", "retest_due", "letter", "notice"]),
                name="queue_assignment_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id}: {self.owner}"

    def get_absolute_url(self):
        return reverse("training:queue")


class NoticeQuerySet(ForceScopedQuerySet):
    def in_force_on(self, day):
        """Notices active (not withdrawn) whose life includes `day`."""
        return self.filter(status=Notice.Status.ACTIVE, start_date__lte=day, expiry_date__gte=day)

    def expiring_within(self, day, days: int):
        """Active notices that expire between `day` and `days` days later."""
        return self.in_force_on(day).filter(expiry_date__lte=day + timedelta(days=days))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Notice(models.Model):
    """A closure-style s.116 notice (ASBCPA 2014) on a hotel, B&B or guest house."""

    MAX_MONTHS = 6

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class ServedOn(models.TextChoices):
        OWNER = "owner", "Owner"
        OPERATOR = "operator", "Operator"
        MANAGER = "manager", "Manager"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="notices")
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="notices")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notices_issued",
        help_text="An officer of inspector rank or above.",
    )
    served_on_role = models.CharField(
        "served on", max_length=10, choices=ServedOn.choices, default=ServedOn.MANAGER
    )
    served_on_business = models.CharField(
        "name of the business served", max_length=150, help_text="As it appears on the notice."
    )
    start_date = models.DateField(help_text="Typed as 18/09/2021.")
    expiry_date = models.DateField(help_text="No more than 6 months after the start date.")
    grounds = models.TextField(
        max_length=4000,
        help_text="Why the issuing officer reasonably believes the premises has been or will be "
        "used for child sexual exploitation.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        permissions = [("manage_notice", "Can record s.116 notices")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_date__gt=F("start_date")),
                name="notice_expiry_after_start",
            ),
            models.CheckConstraint(
                condition=Q(expiry_date__lte=PlusSixMonths("start_date")),
                name="notice_at_most_six_months",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "expired", "withdrawn"]),
                name="notice_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(served_on_role__in=["owner", "operator", "manager"]),
                name="notice_served_on_valid",
            ),
            models.CheckConstraint(condition=~Q(grounds=""), name="notice_grounds_required"),
        ]
        indexes = [models.Index(fields=["force", "status", "expiry_date"], name="notice_expiry")]
        triggers = [
            # s.116 (ASBCPA 2014): a notice is on a hotel, B&B or guest house of the force, issued
            # by an inspector or above of the same force, whatever writes it.
            pgtrigger.Trigger(
                name="notice_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[
                    ("s116_sectors", f"CONSTANT text[] := {_sql_array(Premises.S116_SECTORS)}"),
                    (
                        "issuing_ranks",
                        f"CONSTANT text[] := {_sql_array(User.INSPECTOR_OR_ABOVE)}",
                    ),
                    ("premises_sector", "text"),
                    ("premises_force", "bigint"),
                    ("issuer_rank", "text"),
                    ("issuer_force", "bigint"),
                ],
                func="""
                SELECT sector, force_id INTO premises_sector, premises_force
                FROM premises_premises WHERE id = NEW.premises_id;
                IF premises_sector <> ALL (s116_sectors) THEN
                    RAISE EXCEPTION 'notice_premises_sector: '
                        's.116 notices apply only to hotels, B&Bs and guest houses'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF premises_force <> NEW.force_id THEN
                    RAISE EXCEPTION 'notice_same_force: the premises belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                SELECT rank, force_id INTO issuer_rank, issuer_force
                FROM accounts_user WHERE id = NEW.issued_by_id;
                IF issuer_rank <> ALL (issuing_ranks) THEN
                    RAISE EXCEPTION 'notice_issuer_rank: '
                        'an s.116 notice is issued by an inspector or above'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF issuer_force IS DISTINCT FROM NEW.force_id THEN
                    RAISE EXCEPTION 'notice_issuer_force: '
                        'the issuing officer belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return f"s.116 notice on {self.premises.name}, {self.start_date:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("training:notice_detail", args=[self.pk])

    @property
    def effective_status(self) -> str:
        """Active notices past their expiry date read as expired."""
        if self.status == self.Status.ACTIVE and self.expiry_date < timezone.localdate():
            return self.Status.EXPIRED
        return self.status

    def get_effective_status_display(self) -> str:
        return self.Status(self.effective_status).label


class GuestInfoRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests under notices of the user's force (none for a user without a force)."""
        if not user.is_authenticated or not user.force_id:
            return self.none()
        return self.filter(notice__force_id=user.force_id)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class GuestInfoRequest(models.Model):
    """A constable's written requirement, under a notice, for guests' names and addresses."""

    class Complied(models.TextChoices):
        PENDING = "pending", "Awaiting reply"
        YES = "yes", "Yes"
        LATE = "late", "Late"
        NO = "no", "No"

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="requests")
    made_on = models.DateField("date made")
    period_start = models.DateField("period covered from")
    period_end = models.DateField("period covered to")
    due_on = models.DateField("date due")
    complied = models.CharField(max_length=8, choices=Complied.choices, default=Complied.PENDING)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuestInfoRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="request_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("made_on")), name="request_due_after_made"
            ),
            models.CheckConstraint(
                condition=Q(complied__in=["pending", "yes", "late", "no"]),
                name="request_complied_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="request_version_positive"),
        ]
        triggers = [
            # A request covers only days when its notice is in force.
            pgtrigger.Trigger(
                name="request_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[("notice_start", "date"), ("notice_expiry", "date")],
                func="""
                SELECT start_date, expiry_date INTO notice_start, notice_expiry
                FROM training_notice WHERE id = NEW.notice_id;
                IF NEW.period_start < notice_start OR NEW.period_end > notice_expiry THEN
                    RAISE EXCEPTION 'request_period_within_notice: '
                        'the period must fall within the notice''s life'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return f"Guest information request of {self.made_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("training:notice_detail", args=[self.notice_id])


class IssuedDocumentQuerySet(ForceScopedQuerySet):
    def listed(self):
        """Rows for lists of documents: who issued each, without the PDF's bytes."""
        return self.select_related("issued_by").defer("pdf").order_by("-issued_at", "-id")


class IssuedDocument(models.Model):
    """A letter or notice exactly as it was issued: its PDF, kept in the database, and hash.

    Written once, when the outcome letter is marked as sent, the s.116 notice as served or the
    guest-information request as sent (training/services.py); a reprint is this copy, never a
    re-render. The database refuses to change or delete it (append-only): only the retention
    review's disposal erases it, with its premises (retention/migrations/0005).
    """

    class Kind(models.TextChoices):
        OUTCOME_LETTER = "outcome_letter", "Outcome letter"
        NOTICE = "notice", "s.116 notice"
        GUEST_REQUEST = "guest_request", "Guest information request"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The record it was issued for: exactly one, as its kind says, and once.
    visit = models.OneToOneField(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="document"
    )
    notice = models.OneToOneField(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="document"
    )
    guest_request = models.OneToOneField(
        GuestInfoRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
    )
    issued_on = models.DateField(help_text="The date the document carries (London).")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.BinaryField()
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="outcome_letter", visit__isnull=False, notice__isnull=True)
                | Q(kind="notice", notice__isnull=False, visit__isnull=True)
                | Q(kind="guest_request", notice__isnull=True, visit__isnull=True),
                name="document_kind_matches_record",
            ),
            models.CheckConstraint(
                condition=Q(kind="guest_request", guest_request__isnull=False)
                | Q(~Q(kind="guest_request"), guest_request__isnull=True),
                name="document_request_only_for_requests",
            ),
            models.CheckConstraint(
                condition=Q(
                    sha256=Func(
                        Func(F("pdf"), function="sha256", output_field=models.BinaryField()),
                        models.Value("hex"),
                        function="encode",
                        output_field=models.CharField(),
                    )
                ),
                name="document_hash_matches_pdf",
            ),
            models.CheckConstraint(
                # PostgreSQL's substring of bytea: its first five bytes.
                condition=Exact(
                    Func(
                        F("pdf"),
                        models.Value(1),
                        models.Value(5),
                        function="substring",
                        output_field=models.BinaryField(),
                    ),
                    models.Value(b"%PDF-", output_field=models.BinaryField()),
                ),
                name="document_is_a_pdf",
            ),
        ]
        indexes = [
            models.Index(fields=["premises", "-issued_at"], name="document_premises"),
        ]
        triggers = [
            # Issued is final: no UPDATE, no DELETE (makesafe/dbroles.py also takes both away
            # from the app's database role); only retention_erase_premises sets it aside.
            APPEND_ONLY,
            # The document is the premises' own, of the premises' force, and so is its record.
            pgtrigger.Trigger(
                name="document_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                declare=[("premises_force", "bigint"), ("record_premises", "bigint")],
                func="""
                SELECT force_id INTO premises_force FROM premises_premises
                WHERE id = NEW.premises_id;
                IF premises_force IS DISTINCT FROM NEW.force_id THEN
                    RAISE EXCEPTION 'document_same_force: the premises belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.visit_id IS NOT NULL THEN
                    SELECT premises_id INTO record_premises FROM visits_visit
                    WHERE id = NEW.visit_id;
                ELSIF NEW.notice_id IS NOT NULL THEN
                    SELECT premises_id INTO record_premises FROM training_notice
                    WHERE id = NEW.notice_id;
                ELSE
                    SELECT n.premises_id INTO record_premises
                    FROM training_guestinforequest r JOIN training_notice n ON n.id = r.notice_id
                    WHERE r.id = NEW.guest_request_id;
                END IF;
                IF record_premises IS DISTINCT FROM NEW.premises_id THEN
                    RAISE EXCEPTION 'document_same_premises: '
                        'the record it was issued for is of other premises'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.premises.name}, {self.issued_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("training:document", args=[self.pk])

    @property
    def filename(self) -> str:
        """The download's name (the marking is added to it): kind, premises reference, date."""
        return f"{self.kind}_{self.premises.reference}_{self.issued_on:%Y-%m-%d}_{self.pk}"


class ReminderQuerySet(ForceScopedQuerySet):
    def last_window_end(self, recipient_id, kind: str):
        """The end of the window the recipient's latest reminder of `kind` covered (a
        subquery when `recipient_id` is an OuterRef)."""
        return (
            self.filter(recipient_id=recipient_id, kind=kind)
            .order_by("-window_end")
            .values("window_end")[:1]
        )


class Reminder(models.Model):
    """One email `manage.py send_reminders` sent: the log that makes it send each at most once.

    The unique constraint, not the command, guarantees one digest and one note of assignments
    per person per day: the row is written in the same transaction as the send, so a second run
    (even one running at the same moment) waits for the first and then finds it."""

    class Kind(models.TextChoices):
        DIGEST = "digest", "Daily digest of the work queue"
        ASSIGNED = "assigned", "Note of rows assigned"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    day = models.DateField(help_text="The day (Europe/London) the reminder is for.")
    # Assignment notes cover the rows given to the recipient after the previous note's window
    # and up to this moment, so a row assigned after a day's note goes in the next day's.
    window_end = models.DateTimeField()
    item_count = models.PositiveIntegerField(help_text="Rows the email counted.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "kind", "recipient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "day"], name="reminder_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["digest", "assigned"]), name="reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(item_count__gte=1), name="reminder_counts_something"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient_id} for {self.day:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("accounts:profile")
