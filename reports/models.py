"""Visit counts kept by database triggers: per force, town, sector and month (VisitSummary),
and per force and day (DayTotal).

The report functions read them instead of the visits, so a report's cost grows with the number
of towns, months or days, not with the number of visits. The triggers in migrations 0002 and
0005 keep both exact in the same transaction as every write to visits or premises; tests
compare them with the visits themselves.
"""

from django.db import models
from django.db.models import Q

from accounts.models import Force
from premises.models import Town


class VisitCounts(models.Model):
    """The counts the reports add up, as both tables keep them."""

    visits = models.IntegerField(default=0)
    passed = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    challenged = models.IntegerField(default=0)
    reported = models.IntegerField(default=0)

    class Meta:
        abstract = True


# The check constraint of each table (a name per table).
COUNTS_NOT_NEGATIVE = Q(visits__gte=0, passed__gte=0, failed__gte=0) & Q(
    challenged__gte=0, reported__gte=0
)


class VisitSummary(VisitCounts):
    """Counts of non-void visits for one force, town, sector and calendar month (Europe/London)."""

    force = models.ForeignKey(Force, on_delete=models.DO_NOTHING, related_name="+")
    town = models.ForeignKey(Town, on_delete=models.DO_NOTHING, related_name="+")
    sector = models.CharField(max_length=10)
    month = models.DateField(help_text="The first day of the month.")

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
                condition=COUNTS_NOT_NEGATIVE, name="summary_counts_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.town_id} {self.sector} {self.month:%b %Y}: {self.visits} visits"

    def get_absolute_url(self):
        return "/reports/towns/"


class DayTotal(VisitCounts):
    """Counts of non-void visits for one force and day (Europe/London): the trend report of a
    force's visits (not narrowed to a town or sector) sums a period's days, any period, without
    reading the visits for the days at its edges."""

    # No index of its own: the unique key's index starts with it.
    force = models.ForeignKey(Force, on_delete=models.DO_NOTHING, related_name="+", db_index=False)
    day = models.DateField()

    class Meta:
        ordering = ["force", "day"]
        constraints = [
            # Its index holds the counts, so a period's days are read from the index alone.
            models.UniqueConstraint(
                fields=["force", "day"],
                include=["visits", "passed", "failed", "challenged", "reported"],
                name="day_total_unique_key",
            ),
            models.CheckConstraint(
                condition=COUNTS_NOT_NEGATIVE, name="day_total_counts_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.force_id} {self.day:%d %b %Y}: {self.visits} visits"

    def get_absolute_url(self):
        return "/reports/trend/"
