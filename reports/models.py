"""A summary of visit counts per force, town, sector and month, kept by database triggers.

The report functions read it for whole months, so a report's cost grows with the number of
towns and months, not with the number of visits. The triggers in migration 0002 keep it exact
in the same transaction as every write to visits or premises; a test compares it with the
visits themselves.
"""

from django.db import models
from django.db.models import Q

from accounts.models import Force
from premises.models import Town


class VisitSummary(models.Model):
    """Counts of non-void visits for one force, town, sector and calendar month (Europe/London)."""

    force = models.ForeignKey(Force, on_delete=models.DO_NOTHING, related_name="+")
    town = models.ForeignKey(Town, on_delete=models.DO_NOTHING, related_name="+")
    sector = models.CharField(max_length=10)
    month = models.DateField(help_text="The first day of the month.")
    visits = models.IntegerField(default=0)
    passed = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    challenged = models.IntegerField(default=0)
    reported = models.IntegerField(default=0)

    class Meta:
        ordering = ["force", "month", "town", "sector"]
        indexes = [
            # What every report reads, so a force's months are read from the index alone.
            models.Index(
                fields=["force", "month"],
                include=["town", "sector", "visits", "passed", "failed", "challenged", "reported"],
                name="summary_force_month_counts",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "month", "town", "sector"], name="summary_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(visits__gte=0, passed__gte=0, failed__gte=0)
                & Q(challenged__gte=0, reported__gte=0),
                name="summary_counts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.town_id} {self.sector} {self.month:%b %Y}: {self.visits} visits"

    def get_absolute_url(self):
        return "/reports/towns/"
