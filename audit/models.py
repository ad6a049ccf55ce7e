"""Append-only logs of who viewed, disclosed and erased what (DPA 2018 s.62).

The database refuses UPDATE and DELETE on these tables (pgtrigger Protect triggers), so the
application can only ever add rows.
"""

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Force, ForceScopedQuerySet

APPEND_ONLY = pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


class AccessLog(models.Model):
    """One page view of records: a detail page, a list page, a report or a record's history."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed a record"
        LIST = "list", "Viewed a list"
        REPORT = "report", "Viewed a report"
        HISTORY = "history", "Viewed a record's history"
        COMBINE = "combine", "Combined figures across forces"  # audit.CombinationLog

    # Every page view of records adds a row: no index of their own, as the indexes below
    # start with them (and serve the PROTECT checks too).
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=8, choices=Action.choices)
    view = models.CharField(max_length=60, help_text="The page, by its URL name.")
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    path = models.CharField(max_length=500)
    params = models.JSONField(default=dict, blank=True, help_text="Filters, as given.")

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        permissions = [
            ("view_audit", "Can use the audit viewer of the force"),
            ("view_history", "Can see records' change history and who has seen them"),
        ]
        indexes = [
            models.Index(fields=["force", "-at"], name="access_force_at"),
            models.Index(fields=["object_type", "object_id", "-at"], name="access_object"),
            models.Index(fields=["user", "-at"], name="access_user"),
        ]
        triggers = [APPEND_ONLY]

    def __str__(self):
        action = self.get_action_display().lower()
        return f"{self.user} {action} {self.path} at {self.at:%d %b %Y %H:%M}"

    def get_absolute_url(self):
        return reverse("audit:log") + f"?user={self.user_id or ''}"


class DisclosureLog(models.Model):
    """An export, print or letter: to whom and why, given by the user before the download."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, null=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    view = models.CharField(max_length=60)
    path = models.CharField(max_length=500)
    params = models.JSONField(default=dict, blank=True)
    recipient = models.CharField(max_length=200)
    reason = models.CharField(max_length=500)

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["force", "-at"], name="disclosure_force_at")]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.user} disclosed {self.path} to {self.recipient}"

    def get_absolute_url(self):
        return reverse("audit:log") + "?action=disclosure"


class ErasureLog(models.Model):
    """What was erased, by whom and why: never the content itself."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    reference = models.CharField(
        max_length=40, help_text="The record's reference, not its content."
    )
    what = models.CharField(
        max_length=500, help_text="Which kinds of records were erased, counted."
    )
    reason = models.CharField(max_length=500)

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"Erased {self.object_type} {self.reference} at {self.at:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("audit:log") + "?action=erasure"


class CombinationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Combinations that used the user's force's figures (none for a user without a force)."""
        if not user.is_authenticated or not user.force_id:
            return self.none()
        return self.filter(forces__contains=[user.force_id])


class CombinationLog(models.Model):
    """Figures computed across forces (DPA 2018 s.62 "combination"): who, when, for which
    report, from which forces' data. One row per computation: every national page and download
    (reports/national.py). Each force's audit viewer shows the rows that used its figures."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    view = models.CharField(max_length=60, help_text="The report, by its URL name.")
    report = models.CharField(max_length=100, help_text="The report, in words.")
    path = models.CharField(max_length=500)
    params = models.JSONField(default=dict, blank=True, help_text="Filters, as given.")
    forces = ArrayField(
        models.BigIntegerField(), default=list, blank=True, help_text="Whose figures, by id."
    )
    force_names = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        help_text="Whose figures, named as they were then.",
    )

    objects = CombinationQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [GinIndex(fields=["forces"], name="combination_forces")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(forces__len=models.F("force_names__len")),
                name="combination_forces_named",
            )
        ]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.user} combined {len(self.forces)} forces for {self.report}"

    def get_absolute_url(self):
        return reverse("audit:log") + "?action=combine"
