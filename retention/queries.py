"""The review queue: premises whose records are past their review date."""

from datetime import date

from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from premises.models import Premises
from training.models import Notice, TrainingSession
from visits.models import Visit

from .models import RetentionDecision


def review_queue(user: User, today: date) -> QuerySet:
    """Premises not yet disposed whose last activity is older than the force's review period,
    and whose last 'retain' decision (if any) has reached its next review date."""
    years = user.force.review_period_years
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    latest = RetentionDecision.objects.filter(premises=OuterRef("pk")).order_by("-created_at")

    def newest(model, field):
        rows = model.objects.filter(premises=OuterRef("pk")).order_by(f"-{field}")
        return Coalesce(
            Subquery(rows.values(field)[:1]), F("created_at"), output_field=DateTimeField()
        )

    return (
        Premises.objects.visible_to(user)
        .filter(disposed_at__isnull=True)
        .annotate(
            last_activity=Greatest(
                F("updated_at"),
                newest(Visit, "visited_at"),
                newest(TrainingSession, "updated_at"),
                newest(Notice, "updated_at"),
            ),
            next_review_on=Subquery(latest.values("next_review_on")[:1]),
            last_decision=Subquery(latest.values("decision")[:1]),
            last_decision_id=Subquery(latest.values("pk")[:1]),
        )
        .filter(last_activity__date__lt=cutoff)
        .filter(Q(next_review_on__isnull=True) | Q(next_review_on__lte=today))
        .select_related("town")
        .order_by("last_activity", "id")
    )
