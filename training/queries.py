"""The sergeants' work queue, computed from the records in SQL: nothing in it is kept by hand."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from premises.models import Premises
from visits.models import LONDON_TZ, Visit, london_midnight

from .models import Notice, OutcomeLetter, QueueAssignment, Reminder, TrainingSession

KINDS = QueueAssignment.Kind
NOTICE_WARNING_DAYS = 30


def _owner(kind: str):
    # The force too: subject ids of different kinds of row (and forces) share one column.
    return Subquery(
        QueueAssignment.objects.filter(
            force_id=OuterRef("force_id"), kind=kind, subject_id=OuterRef("pk")
        ).values("owner_id")[:1]
    )


def _latest_counted_visit():
    return (
        Visit.objects.filter(premises=OuterRef("pk"))
        .exclude(result=Visit.Result.VOID)
        .order_by("-visited_at", "-id")
    )


def _with_latest_visit(premises: QuerySet) -> QuerySet:
    latest = _latest_counted_visit()
    return premises.annotate(
        last_visit_id=Subquery(latest.values("id")[:1], output_field=IntegerField()),
        last_result=Subquery(latest.values("result")[:1], output_field=CharField()),
        last_visited_at=Subquery(latest.values("visited_at")[:1], output_field=DateTimeField()),
    )


def _since_last_visit(statuses: list[str]) -> Exists:
    return Exists(
        TrainingSession.objects.filter(premises=OuterRef("pk"), status__in=statuses).filter(
            Q(visit_id=OuterRef("last_visit_id"))
            | Q(scheduled_for__gte=OuterRef("last_visited_at"))
            | Q(scheduled_for__isnull=True, created_at__gte=OuterRef("last_visited_at"))
        )
    )


class MonthsAgo(Func):
    """The instant a number of months before now."""

    template = "(now() - make_interval(months => %(expressions)s))"
    output_field = DateTimeField()


def _imported_history() -> Exists:
    # An imported failure from before the force's follow-up horizon is history, not work.
    return Exists(
        Visit.objects.filter(
            pk=OuterRef("last_visit_id"),
            imported=True,
            visited_at__lt=MonthsAgo(OuterRef("force__followup_horizon_months")),
        )
    )


def training_due(user: User) -> QuerySet:
    """Premises whose latest non-void visit failed and that have no training scheduled or
    delivered (or declined) since that visit, unless that visit is an imported one older than
    the force's follow-up horizon. Annotated with the triggering visit and owner."""
    premises = _with_latest_visit(Premises.objects.visible_to(user).active())
    return (
        premises.filter(last_result=Visit.Result.FAIL)
        .exclude(_since_last_visit(["scheduled", "delivered", "declined"]))
        .exclude(_imported_history())
        .annotate(
            owner_id=_owner(KINDS.TRAINING_DUE),
            since=F("last_visited_at"),
            trigger_visit_id=F("last_visit_id"),
        )
        .select_related("town")
        .order_by("last_visited_at", "id")
    )


def retest_due(user: User) -> QuerySet:
    """Premises due a re-test: training delivered and no visit since, or the latest visit
    failed and training was declined. `since` is when the re-test clock started."""
    premises = _with_latest_visit(Premises.objects.visible_to(user).active())
    delivered = TrainingSession.objects.filter(
        premises=OuterRef("pk"), status=TrainingSession.Status.DELIVERED
    ).order_by("-scheduled_for")
    premises = premises.annotate(
        delivered_at=Subquery(delivered.values("scheduled_for")[:1]),
        delivered_owner_id=Subquery(delivered.values("owner_id")[:1]),
        declined=_since_last_visit(["declined"]),
    )
    trained_not_visited = Q(delivered_at__isnull=False) & (
        Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=F("delivered_at"))
    )
    declined_after_failure = Q(last_result=Visit.Result.FAIL, declined=True) & (
        Q(delivered_at__isnull=True) | Q(delivered_at__lte=F("last_visited_at"))
    )
    return (
        premises.filter(trained_not_visited | declined_after_failure)
        .annotate(
            since=Case(
                When(trained_not_visited, then=F("delivered_at")),
                default=F("last_visited_at"),
                output_field=DateTimeField(),
            ),
            trigger_visit_id=F("last_visit_id"),
            assigned_owner_id=_owner(KINDS.RETEST_DUE),
        )
        .annotate(
            owner_id=Case(
                When(assigned_owner_id__isnull=False, then=F("assigned_owner_id")),
                default=F("delivered_owner_id"),
                output_field=IntegerField(),
            ),
            reason=Case(
                When(trained_not_visited, then=Value("Training delivered")),
                default=Value("Training declined"),
                output_field=CharField(),
            ),
        )
        .select_related("town")
        .order_by("since", "id")
    )


def letters_due(user: User) -> QuerySet:
    """Live (not imported) non-void visits whose outcome letter is not marked sent."""
    return (
        Visit.objects.visible_to(user)
        .filter(imported=False)
        .exclude(result=Visit.Result.VOID)
        # NOT EXISTS with the force said twice: PostgreSQL then reads only the force's letters,
        # from the (force, visit) index, instead of hashing every letter of the install.
        .exclude(
            Exists(
                OutcomeLetter.objects.filter(visit_id=OuterRef("pk"), force_id=OuterRef("force_id"))
            )
        )
        .annotate(owner_id=_owner(KINDS.LETTER), since=F("visited_at"))
        .select_related("premises__town")
        .only(
            "id",
            "visited_at",
            "result",
            "outcome",
            "premises__id",
            "premises__name",
            "premises__sector",
            "premises__reference",
            "premises__town__name",
            "officer_id",
        )
        .order_by("visited_at", "id")
    )


def notices_expiring(user: User, today: date) -> QuerySet:
    """Active s.116 notices expiring within the next 30 days."""
    return (
        Notice.objects.visible_to(user)
        .expiring_within(today, NOTICE_WARNING_DAYS)
        .annotate(owner_id=_owner(KINDS.NOTICE))
        .select_related("premises__town")
        .order_by("expiry_date", "id")
    )


def queue_counts(user: User, today: date | None = None) -> dict[str, int]:
    """How many rows each kind of the work queue has now (one COUNT query per kind)."""
    today = today or timezone.localdate()
    return {
        KINDS.TRAINING_DUE: training_due(user).count(),
        KINDS.RETEST_DUE: retest_due(user).count(),
        KINDS.LETTER: letters_due(user).count(),
        KINDS.NOTICE: notices_expiring(user, today).count(),
    }


@dataclass
class QueueRow:
    """One row of the work queue as the page shows it."""

    kind: str
    subject_id: int
    premises: Premises
    visit_id: int | None
    since: date | None
    due_on: date
    owner_id: int | None
    detail: str = ""

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days

    @property
    def town(self) -> str:
        return self.premises.town.name


def _local_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value, LONDON_TZ).date()
    return value


def filter_rows(
    qs: QuerySet,
    *,
    kind: str,
    today: date,
    days: int,
    town=None,
    sector=None,
    owner=None,
    status=None,
) -> QuerySet:
    """Apply the queue filters in SQL. `status` is "overdue" or "due" against `days`."""
    prefix = "premises__" if kind in (KINDS.LETTER, KINDS.NOTICE) else ""
    if town:
        qs = qs.filter(**{f"{prefix}town": town})
    if sector:
        qs = qs.filter(**{f"{prefix}sector": sector})
    if owner == "none":
        qs = qs.filter(owner_id__isnull=True)
    elif owner:
        qs = qs.filter(owner_id=owner)
    if status in ("due", "overdue"):
        if kind == KINDS.NOTICE:
            return qs if status == "due" else qs.none()
        cutoff = london_midnight(today - timedelta(days=days))
        qs = qs.filter(since__lt=cutoff) if status == "overdue" else qs.filter(since__gte=cutoff)
    return qs


def to_rows(kind: str, items, days: int) -> list[QueueRow]:
    """Turn one page of annotated rows into QueueRows with their due dates."""
    rows = []
    for item in items:
        if kind == KINDS.NOTICE:
            rows.append(
                QueueRow(
                    kind,
                    item.pk,
                    item.premises,
                    None,
                    item.start_date,
                    item.expiry_date,
                    item.owner_id,
                    f"Expires {item.expiry_date:%d %b %Y}",
                )
            )
            continue
        if kind == KINDS.LETTER:
            since = _local_date(item.visited_at)
            rows.append(
                QueueRow(
                    kind,
                    item.pk,
                    item.premises,
                    item.pk,
                    since,
                    since + timedelta(days=days),
                    item.owner_id,
                    item.get_result_display(),
                )
            )
            continue
        since = _local_date(item.since)
        rows.append(
            QueueRow(
                kind,
                item.pk,
                item,
                item.trigger_visit_id,
                since,
                since + timedelta(days=days),
                item.owner_id,
                getattr(item, "reason", "Failed"),
            )
        )
    return rows


# --- The daily reminders (manage.py send_reminders) ----------------------------------------------

DIGEST_NOTICE_DAYS = 14


@dataclass
class DigestCounts:
    """What a sergeant's daily digest says of their force's work queue: counts, never rows."""

    training_overdue: int
    retests_due: int
    letters_to_send: int
    notices_expiring: int

    @property
    def total(self) -> int:
        return (
            self.training_overdue + self.retests_due + self.letters_to_send + self.notices_expiring
        )


def digest_counts(user: User, today: date) -> DigestCounts:
    """The digest's four counts for the user's force (one COUNT query each)."""
    overdue = filter_rows(
        training_due(user),
        kind=KINDS.TRAINING_DUE,
        today=today,
        days=user.force.training_due_days,
        status="overdue",
    )
    return DigestCounts(
        training_overdue=overdue.count(),
        retests_due=retest_due(user).count(),
        letters_to_send=letters_due(user).count(),
        notices_expiring=Notice.objects.visible_to(user)
        .expiring_within(today, DIGEST_NOTICE_DAYS)
        .count(),
    )


def digest_recipients() -> QuerySet:
    """Active people of every force who hold the work queue, have an email address and want the
    digest; their force read with them."""
    return queue_holders().filter(wants_digest=True).select_related("force")


def queue_holders() -> QuerySet:
    """Active users with a force, an email address and the permission to work the queue."""
    return (
        User.objects.filter(is_active=True, force__isnull=False)
        .exclude(email="")
        .filter(
            groups__permissions__content_type__app_label="training",
            groups__permissions__codename="schedule_training",
        )
        .distinct()
        .order_by("force_id", "id")
    )


def assigned_since_last_note(now: datetime, first_window: timedelta) -> dict[int, dict[str, int]]:
    """{owner id: {kind: rows}} of the work-queue rows given to someone else than who gave them
    since the end of that person's last note (or within `first_window` for their first), up to
    `now`: counted in one query."""
    last_end = Reminder.objects.last_window_end(OuterRef("owner_id"), Reminder.Kind.ASSIGNED)
    rows = (
        QueueAssignment.objects.filter(owner__in=queue_holders(), updated_at__lte=now)
        .exclude(assigned_by=F("owner"))
        .annotate(since=Coalesce(Subquery(last_end), Value(now - first_window)))
        .filter(updated_at__gt=F("since"))
        .values("owner_id", "kind")
        .annotate(rows=Count("id"))
        .order_by("owner_id", "kind")
    )
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["owner_id"], {})[row["kind"]] = row["rows"]
    return found
