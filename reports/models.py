"""Visit counts kept by database triggers: per force, town, sector and month (VisitSummary),
and per force and day (DayTotal).

The report functions read them instead of the visits, so a report's cost grows with the number
of towns, months or days, not with the number of visits. The triggers at the end of this file
(on proxies of Visit and Premises, so that the visits and premises apps need not know these
tables exist) keep both exact in the same transaction as every write to visits or premises;
tests compare them with the visits themselves.
"""

import pgtrigger
from django.db import models
from django.db.models import Q
from psycopg2.extensions import adapt

from accounts.models import Force
from premises.models import Premises, Town
from visits.models import Visit


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
        # The national coordinator's pages add these counts up across forces (reports/national.py).
        permissions = [
            ("view_national_reports", "Can see figures added up across the forces sharing them")
        ]
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


# -- The triggers that keep both tables exact ------------------------------------------------
#
# Every write to a visit takes its counts away where it was counted (OLD) and adds them where
# it now counts (NEW); a premises that moves town or changes sector takes its visits' counts
# with it. What counts as passed, failed, challenged or reported is Visit's own definition,
# declared as constants of each trigger's function.


def _sql(value) -> str:
    """A value of Visit's (a choice, or a list of them) as an SQL literal, quoted by psycopg2."""
    return adapt(list(value) if isinstance(value, tuple) else value).getquoted().decode()


COUNTING = [
    ("void_result", f"CONSTANT text := {_sql(Visit.Result.VOID)}"),
    ("pass_result", f"CONSTANT text := {_sql(Visit.Result.PASS)}"),
    ("fail_result", f"CONSTANT text := {_sql(Visit.Result.FAIL)}"),
    ("challenge_outcomes", f"CONSTANT text[] := {_sql(Visit.CHALLENGE_OUTCOMES)}"),
    ("reported_outcome", f"CONSTANT text := {_sql(Visit.Outcome.REPORTED_TO_POLICE)}"),
]

SUMMARY_ADD_NEW = """
                INSERT INTO reports_visitsummary AS s
                    (force_id, town_id, sector, month, visits, passed, failed, challenged, reported)
                SELECT NEW.force_id, p.town_id, p.sector, date_trunc('month', NEW.visited_on)::date,
                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,
                    (NEW.outcome = ANY (challenge_outcomes))::int,
                    (NEW.outcome = reported_outcome)::int
                FROM premises_premises AS p
                WHERE p.id = NEW.premises_id AND NEW.result <> void_result
                ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET
                    visits = s.visits + EXCLUDED.visits, passed = s.passed + EXCLUDED.passed,
                    failed = s.failed + EXCLUDED.failed,
                    challenged = s.challenged + EXCLUDED.challenged,
                    reported = s.reported + EXCLUDED.reported;
"""

# Subtracting with UPDATE: the row exists (it counted this visit), and a check constraint
# refuses a negative INSERT even when it would have turned into an UPDATE.
SUMMARY_SUBTRACT_OLD = """
                UPDATE reports_visitsummary AS s SET
                    visits = s.visits - 1, passed = s.passed - (OLD.result = pass_result)::int,
                    failed = s.failed - (OLD.result = fail_result)::int,
                    challenged = s.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,
                    reported = s.reported - (OLD.outcome = reported_outcome)::int
                FROM premises_premises AS p
                WHERE p.id = OLD.premises_id AND OLD.result <> void_result
                    AND s.force_id = OLD.force_id
                    AND s.month = date_trunc('month', OLD.visited_on)::date
                    AND s.town_id = p.town_id AND s.sector = p.sector;
"""

DAY_TOTAL_ADD_NEW = """
                INSERT INTO reports_daytotal AS d
                    (force_id, day, visits, passed, failed, challenged, reported)
                SELECT NEW.force_id, NEW.visited_on,
                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,
                    (NEW.outcome = ANY (challenge_outcomes))::int,
                    (NEW.outcome = reported_outcome)::int
                WHERE NEW.result <> void_result
                ON CONFLICT (force_id, day) DO UPDATE SET
                    visits = d.visits + EXCLUDED.visits, passed = d.passed + EXCLUDED.passed,
                    failed = d.failed + EXCLUDED.failed,
                    challenged = d.challenged + EXCLUDED.challenged,
                    reported = d.reported + EXCLUDED.reported;
"""

DAY_TOTAL_SUBTRACT_OLD = """
                UPDATE reports_daytotal AS d SET
                    visits = d.visits - 1, passed = d.passed - (OLD.result = pass_result)::int,
                    failed = d.failed - (OLD.result = fail_result)::int,
                    challenged = d.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,
                    reported = d.reported - (OLD.outcome = reported_outcome)::int
                WHERE OLD.result <> void_result
                    AND d.force_id = OLD.force_id AND d.day = OLD.visited_on;
"""

# A premises' visits, month by month, subtracted under its old town and sector and added
# under the new.
SUMMARY_MOVE_PREMISES = """
                FOR m IN
                    SELECT force_id, date_trunc('month', visited_on)::date AS month,
                        count(*) AS visits,
                        count(*) FILTER (WHERE result = pass_result) AS passed,
                        count(*) FILTER (WHERE result = fail_result) AS failed,
                        count(*) FILTER (WHERE outcome = ANY (challenge_outcomes)) AS challenged,
                        count(*) FILTER (WHERE outcome = reported_outcome) AS reported
                    FROM visits_visit
                    WHERE premises_id = NEW.id AND result <> void_result
                    GROUP BY 1, 2
                LOOP
                    UPDATE reports_visitsummary AS s SET
                        visits = s.visits - m.visits, passed = s.passed - m.passed,
                        failed = s.failed - m.failed, challenged = s.challenged - m.challenged,
                        reported = s.reported - m.reported
                    WHERE s.force_id = m.force_id AND s.month = m.month
                        AND s.town_id = OLD.town_id AND s.sector = OLD.sector;
                    INSERT INTO reports_visitsummary AS s
                        (force_id, town_id, sector, month,
                         visits, passed, failed, challenged, reported)
                    VALUES (m.force_id, NEW.town_id, NEW.sector, m.month,
                        m.visits, m.passed, m.failed, m.challenged, m.reported)
                    ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET
                        visits = s.visits + EXCLUDED.visits, passed = s.passed + EXCLUDED.passed,
                        failed = s.failed + EXCLUDED.failed,
                        challenged = s.challenged + EXCLUDED.challenged,
                        reported = s.reported + EXCLUDED.reported;
                END LOOP;
"""


def _counting(name: str, operation, condition, *statements: str, declare=()) -> pgtrigger.Trigger:
    """A row trigger that runs `statements`, with Visit's COUNTING constants, after the write."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=operation,
        condition=condition,
        declare=COUNTING + list(declare),
        func="".join(statements) + "                RETURN NULL;\n",
    )


# Void visits count nowhere: their inserts and deletes do not run the triggers at all.
NEW_COUNTS = ~pgtrigger.Q(new__result=Visit.Result.VOID)
OLD_COUNTS = ~pgtrigger.Q(old__result=Visit.Result.VOID)


class CountedVisit(Visit):
    """Visits as the two tables count them: a proxy, to carry the triggers that keep the tables
    exact from this app. One trigger per kind of write keeps both tables; an edit that changes
    nothing they count does not run it."""

    class Meta:
        proxy = True
        default_permissions = ()
        triggers = [
            _counting(
                "visit_counts_insert",
                pgtrigger.Insert,
                NEW_COUNTS,
                SUMMARY_ADD_NEW,
                DAY_TOTAL_ADD_NEW,
            ),
            _counting(
                "visit_counts_update",
                pgtrigger.Update,
                pgtrigger.AnyChange("force", "premises", "visited_on", "result", "outcome"),
                SUMMARY_SUBTRACT_OLD,
                SUMMARY_ADD_NEW,
                DAY_TOTAL_SUBTRACT_OLD,
                DAY_TOTAL_ADD_NEW,
            ),
            _counting(
                "visit_counts_delete",
                pgtrigger.Delete,
                OLD_COUNTS,
                SUMMARY_SUBTRACT_OLD,
                DAY_TOTAL_SUBTRACT_OLD,
            ),
        ]


class CountedPremises(Premises):
    """Premises as the visit summary counts them: a proxy, to carry the trigger that moves a
    premises' counts when it moves town or changes sector. (A day total counts neither.)"""

    class Meta:
        proxy = True
        default_permissions = ()
        triggers = [
            _counting(
                "premises_summary",
                pgtrigger.UpdateOf("town_id", "sector"),
                pgtrigger.AnyChange("town", "sector"),
                SUMMARY_MOVE_PREMISES,
                declare=[("m", "record")],
            )
        ]
