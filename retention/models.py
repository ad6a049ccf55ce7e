"""Retention review decisions on a premises' records."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Force, ForceScopedQuerySet
from premises.models import Premises


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class RetentionDecision(models.Model):
    """A force records manager's decision on a premises' records: retain (until when) or dispose."""

    class Decision(models.TextChoices):
        RETAIN = "retain", "Retain"
        DISPOSE = "dispose", "Dispose"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="retention_decisions"
    )
    decision = models.CharField(max_length=7, choices=Decision.choices)
    reason = models.CharField(max_length=500)
    next_review_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_retention", "Can review records for retention or disposal")]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="dispose") | Q(next_review_on__isnull=False),
                name="retention_retain_needs_review_date",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="retention_reason_required"),
            models.CheckConstraint(
                condition=Q(decision__in=["retain", "dispose"]), name="retention_decision_valid"
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_decision_display()} {self.premises.reference} ({self.created_at:%d %b %Y})"
        )

    def get_absolute_url(self):
        return reverse("retention:queue")
