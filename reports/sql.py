"""The reports' raw SQL, each statement named and documented here and nowhere else.

Three report queries are written as SQL because the ORM either cannot say them (a UNION ALL of
summary rows and signed visit rows, aggregates over MATERIALIZED steps) or built them slower than
PostgreSQL ran them, on pages every commander opens. Each statement takes its values as named
placeholders; a filter that is not set (NULL, or '' for the sector) folds away when PostgreSQL
plans it. The outcome and status values they test come from the models' own definitions
(`Visit.Result`, `Visit.CHALLENGE_OUTCOMES`, `TrainingSession.Status`), never literals here.
Scoping: every statement is limited to one force (`force`), the reports' `visible_to()`, except
the national ones, limited to the forces sharing their figures (`forces`, reports/national.py).
tests/reports hold each to the ORM's answer or to hand-built data.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import connection

from training.models import TrainingSession
from visits.models import Visit, london_midnight

# Summed counts per town, sector or period, for a period split into whole months (read from the
# trigger-kept `reports_visitsummary`) and days added or taken away (read from the visits; a
# day taken away counts against the whole month it was read with). `by`: 'town', 'sector' or
# 'period' (periods of one `unit`: 'month' or 'quarter'). Rows: (key as text, town name or
# NULL, visits, passed, failed, challenged, reported).
SUMMED_GROUPS = """
SELECT g.key, t.name, sum(g.visits), sum(g.passed), sum(g.failed),
    sum(g.challenged), sum(g.reported)
FROM (
    SELECT CASE %(by)s WHEN 'town' THEN s.town_id::text WHEN 'sector' THEN s.sector
        ELSE date_trunc(%(unit)s, s.month::timestamp)::date::text END AS key,
        s.visits, s.passed, s.failed, s.challenged, s.reported
    FROM reports_visitsummary s
    WHERE s.force_id = %(force)s
        AND (%(first)s::date IS NULL OR s.month >= %(first)s::date)
        AND (%(last)s::date IS NULL OR s.month <= %(last)s::date)
        AND (%(sector)s = '' OR s.sector = %(sector)s)
        AND (%(town)s::bigint IS NULL OR s.town_id = %(town)s::bigint)
    UNION ALL
    SELECT CASE %(by)s WHEN 'town' THEN p.town_id::text WHEN 'sector' THEN p.sector
        ELSE date_trunc(%(unit)s, v.visited_on::timestamp)::date::text END,
        x.sign, x.sign * (v.result = %(pass)s)::int,
        x.sign * (v.result = %(fail)s)::int,
        x.sign * (v.outcome = ANY(%(challenge)s))::int,
        x.sign * (v.outcome = %(reported)s)::int
    FROM visits_visit v
    -- Unused when neither grouped nor filtered by premises: PostgreSQL drops it.
    -- The force said again (a visit's premises is always of its force, by
    -- trigger) so that only the force's premises are read for the join.
    LEFT JOIN premises_premises p
        ON p.id = v.premises_id AND p.force_id = %(force)s
    -- Days taken away count against the whole month they were read with.
    CROSS JOIN LATERAL (
        SELECT CASE WHEN v.visited_on = ANY(%(taken)s::date[]) THEN -1 ELSE 1 END
    ) x (sign)
    WHERE v.force_id = %(force)s AND v.result <> %(void)s
        AND v.visited_on = ANY(%(days)s::date[])
        AND (%(sector)s = '' OR p.sector = %(sector)s)
        AND (%(town)s::bigint IS NULL OR p.town_id = %(town)s::bigint)
) g
LEFT JOIN premises_town t
    ON t.id = CASE WHEN %(by)s = 'town' THEN g.key::bigint END
GROUP BY g.key, t.name
"""

# The national figures: SUMMED_GROUPS over the forces sharing their figures (`forces`), grouped
# by 'force', 'sector' or 'period' (months); the same split of the period into whole months
# from the summary and days from the visits, the same counts. `months` false reads no summary
# month (a period without a whole month: its days all come from the visits). Rows: (key as
# text, force name or NULL, visits, passed, failed, challenged, reported).
NATIONAL_GROUPS = """
SELECT g.key, f.name, sum(g.visits), sum(g.passed), sum(g.failed),
    sum(g.challenged), sum(g.reported)
FROM (
    SELECT CASE %(by)s WHEN 'force' THEN s.force_id::text WHEN 'sector' THEN s.sector
        ELSE s.month::text END AS key,
        s.visits, s.passed, s.failed, s.challenged, s.reported
    FROM reports_visitsummary s
    WHERE %(months)s AND s.force_id = ANY(%(forces)s::bigint[])
        AND (%(first)s::date IS NULL OR s.month >= %(first)s::date)
        AND (%(last)s::date IS NULL OR s.month <= %(last)s::date)
        AND (%(sector)s = '' OR s.sector = %(sector)s)
    UNION ALL
    SELECT CASE %(by)s WHEN 'force' THEN v.force_id::text WHEN 'sector' THEN p.sector
        ELSE date_trunc('month', v.visited_on::timestamp)::date::text END,
        x.sign, x.sign * (v.result = %(pass)s)::int,
        x.sign * (v.result = %(fail)s)::int,
        x.sign * (v.outcome = ANY(%(challenge)s))::int,
        x.sign * (v.outcome = %(reported)s)::int
    FROM visits_visit v
    -- Unused unless grouped or filtered by sector: PostgreSQL drops it.
    LEFT JOIN premises_premises p ON p.id = v.premises_id AND p.force_id = v.force_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN v.visited_on = ANY(%(taken)s::date[]) THEN -1 ELSE 1 END
    ) x (sign)
    WHERE v.force_id = ANY(%(forces)s::bigint[]) AND v.result <> %(void)s
        AND v.visited_on = ANY(%(days)s::date[])
        AND (%(sector)s = '' OR p.sector = %(sector)s)
) g
LEFT JOIN accounts_force f
    ON f.id = CASE WHEN %(by)s = 'force' THEN g.key::bigint END
GROUP BY g.key, f.name
"""

# The premises visited (with a non-void visit in the period) of each force sharing its figures:
# premises are not additive across months, so they come from the visits. Each premises is asked
# whether it has such a visit, from the (premises, time) index alone: one short probe per
# premises, so the cost follows the number of premises, not of visits (counting distinct premises
# over the period's visits grew with them: 1.7 s at 5M visits, all time). The period is given as
# London midnights, as `visited_on` is the London date of `visited_at`. A premises belongs to one
# force, so the national figure is their sum. Rows: (force id, premises).
NATIONAL_PREMISES = """
SELECT p.force_id, count(*)
FROM premises_premises p
WHERE p.force_id = ANY(%(forces)s::bigint[])
    AND (%(sector)s = '' OR p.sector = %(sector)s)
    AND EXISTS (
        SELECT 1 FROM visits_visit v
        WHERE v.premises_id = p.id AND v.result <> %(void)s
            AND (%(since)s::timestamptz IS NULL OR v.visited_at >= %(since)s::timestamptz)
            AND (%(before)s::timestamptz IS NULL OR v.visited_at < %(before)s::timestamptz)
    )
GROUP BY p.force_id
"""

# A force's counts per month or quarter, summed from the trigger-kept per-day totals
# (`reports_daytotal`): an index-only range scan of at most one row per day. Rows: (first day
# of the period, visits, passed, failed, challenged, reported).
DAY_TOTALS = """
SELECT date_trunc(%(unit)s, d.day::timestamp)::date, sum(d.visits), sum(d.passed),
    sum(d.failed), sum(d.challenged), sum(d.reported)
FROM reports_daytotal d
WHERE d.force_id = %(force)s
    AND (%(start)s::date IS NULL OR d.day >= %(start)s::date)
    AND (%(end)s::date IS NULL OR d.day <= %(end)s::date)
GROUP BY 1
"""

# Training impact in one row: re-tests in the period of failed visits, split by training
# delivered in between (counts, passes, median days to re-test); the period's failed visits
# and the median days to their first delivered training; the sessions delivered in the period
# (by their London date) and the staff they trained. The visits are read once, and each
# visit's training look-up runs once (MATERIALIZED steps: inlined into the aggregates,
# PostgreSQL would repeat them for every FILTER that uses them).
TRAINING_IMPACT = """
WITH counted AS MATERIALIZED (
    SELECT v.premises_id, v.visited_at, v.result, v.retest_of_id
    FROM visits_visit v
    -- Unused unless filtered by sector or town: PostgreSQL drops it. The force
    -- said again so that only the force's premises are read for the join.
    LEFT JOIN premises_premises p
        ON p.id = v.premises_id AND p.force_id = %(force)s
    WHERE v.force_id = %(force)s AND v.result <> %(void)s
        AND (v.result = %(fail)s OR v.retest_of_id IS NOT NULL)
        AND (%(start)s::date IS NULL OR v.visited_on >= %(start)s::date)
        AND (%(end)s::date IS NULL OR v.visited_on <= %(end)s::date)
        AND (%(sector)s = '' OR p.sector = %(sector)s)
        AND (%(town)s::bigint IS NULL OR p.town_id = %(town)s::bigint)
        AND (%(operation)s::bigint IS NULL OR v.operation_id = %(operation)s::bigint)
        AND (%(campaign)s::bigint IS NULL OR v.operation_id IN (
            SELECT o.id FROM visits_operation o
            WHERE o.force_id = %(force)s AND o.campaign_id = %(campaign)s::bigint))
),
retests AS MATERIALIZED (
    SELECT c.result = %(pass)s AS passed,
        EXTRACT(EPOCH FROM c.visited_at - r.visited_at) / 86400.0 AS days,
        EXISTS (
            SELECT 1 FROM training_trainingsession s
            WHERE s.premises_id = c.premises_id AND s.status = %(delivered)s
                AND s.scheduled_for > r.visited_at AND s.scheduled_for < c.visited_at
        ) AS trained
    FROM counted c
    -- A re-test is of the same premises, so of the same force: saying so lets
    -- PostgreSQL read the earlier visits from the force's rows only.
    JOIN visits_visit r
        ON r.id = c.retest_of_id AND r.force_id = %(force)s AND r.result = %(fail)s
),
failures AS MATERIALIZED (
    SELECT c.visited_at, (
        SELECT min(s.scheduled_for) FROM training_trainingsession s
        WHERE s.premises_id = c.premises_id AND s.status = %(delivered)s
            AND s.scheduled_for >= c.visited_at
    ) AS first_training
    FROM counted c WHERE c.result = %(fail)s
)
SELECT rt.*, f.*, d.*
FROM (
    SELECT count(*) FILTER (WHERE trained),
        count(*) FILTER (WHERE trained AND passed),
        count(*) FILTER (WHERE NOT trained),
        count(*) FILTER (WHERE NOT trained AND passed),
        percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
    FROM retests
) rt, (
    SELECT count(*), count(first_training),
        percentile_cont(0.5) WITHIN GROUP (
            ORDER BY EXTRACT(EPOCH FROM first_training - visited_at) / 86400.0)
    FROM failures
) f, (
    -- A day in Europe/London as a range of instants, so that the index on
    -- (force, status, scheduled_for) finds the sessions.
    SELECT count(*), coalesce(sum(s.staff_trained), 0)
    FROM training_trainingsession s
    LEFT JOIN premises_premises p
        ON p.id = s.premises_id AND p.force_id = %(force)s
    WHERE s.force_id = %(force)s AND s.status = %(delivered)s
        AND (%(start)s::date IS NULL
            OR s.scheduled_for >= %(start)s::date::timestamp AT TIME ZONE %(zone)s)
        AND (%(end)s::date IS NULL OR s.scheduled_for
            < (%(end)s::date + 1)::timestamp AT TIME ZONE %(zone)s)
        AND (%(sector)s = '' OR p.sector = %(sector)s)
        AND (%(town)s::bigint IS NULL OR p.town_id = %(town)s::bigint)
) d
"""


def _outcomes() -> dict:
    """The values the statements compare results, outcomes and statuses with."""
    return {
        "pass": Visit.Result.PASS,
        "fail": Visit.Result.FAIL,
        "void": Visit.Result.VOID,
        "challenge": list(Visit.CHALLENGE_OUTCOMES),
        "reported": Visit.Outcome.REPORTED_TO_POLICE,
        "delivered": TrainingSession.Status.DELIVERED,
    }


def summed_groups(
    *,
    force: int,
    by: str,
    unit: str,
    first: date | None,
    last: date | None,
    days: list[date],
    taken: list[date],
    sector: str,
    town: int | None,
) -> list[tuple]:
    """SUMMED_GROUPS: whole months `first` to `last` from the summary, plus `days` from the
    visits (those also in `taken` subtracted)."""
    params = {"force": force, "by": by, "unit": unit, "first": first, "last": last,
              "days": days, "taken": taken, "sector": sector, "town": town}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(SUMMED_GROUPS, {**params, **_outcomes()})
        return cursor.fetchall()


def day_totals(*, force: int, unit: str, start: date | None, end: date | None) -> list[tuple]:
    """DAY_TOTALS: the force's counts per `unit` from `start` to `end`, inclusive."""
    params = {"force": force, "unit": unit, "start": start, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(DAY_TOTALS, params)
        return cursor.fetchall()


def training_impact(
    *,
    force: int | None,
    start: date | None,
    end: date | None,
    sector: str,
    town: int | None,
    operation: int | None,
    campaign: int | None = None,
) -> tuple:
    """TRAINING_IMPACT's one row: (trained re-tests, of them passed, untrained re-tests, of
    them passed, median days to re-test, failed visits, of them with training, median days to
    training, sessions delivered, staff trained)."""
    params = {"force": force, "start": start, "end": end, "sector": sector, "town": town,
              "operation": operation, "campaign": campaign,
              "zone": settings.TIME_ZONE}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(TRAINING_IMPACT, {**params, **_outcomes()})
        return cursor.fetchone()


def national_groups(
    *,
    forces: list[int],
    by: str,
    months: bool,
    first: date | None,
    last: date | None,
    days: list[date],
    taken: list[date],
    sector: str,
) -> list[tuple]:
    """NATIONAL_GROUPS: the forces' whole months `first` to `last` from the summary (if
    `months`), plus `days` from the visits (those also in `taken` subtracted)."""
    params = {"forces": forces, "by": by, "months": months, "first": first, "last": last,
              "days": days, "taken": taken, "sector": sector}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(NATIONAL_GROUPS, {**params, **_outcomes()})
        return cursor.fetchall()


def national_premises(
    *, forces: list[int], start: date | None, end: date | None, sector: str
) -> list[tuple]:
    """NATIONAL_PREMISES: (force id, premises visited) of each of the forces with visits, in
    the London days `start` to `end` (either open)."""
    params = {
        "forces": forces,
        "since": london_midnight(start) if start else None,
        "before": london_midnight(end + timedelta(days=1)) if end else None,
        "sector": sector,
    }
    with connection.cursor() as cursor:
        cursor.execute(NATIONAL_PREMISES, {**params, **_outcomes()})
        return cursor.fetchall()
