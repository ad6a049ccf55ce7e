"""Keep reports_visitsummary exact: triggers on visits and premises, and a backfill."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION makesafe_summary_add(
    p_force bigint, p_premises bigint, p_day date, p_result text, p_outcome text, p_sign integer
) RETURNS void AS $$
DECLARE
    p_town bigint; p_sector text;
BEGIN
    IF p_result = 'void' THEN
        RETURN;
    END IF;
    SELECT town_id, sector INTO p_town, p_sector FROM premises_premises WHERE id = p_premises;
    PERFORM makesafe_summary_change(
        p_force, p_town, p_sector, date_trunc('month', p_day)::date, p_result, p_outcome, p_sign
    );
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION makesafe_summary_change(
    p_force bigint, p_town bigint, p_sector text, p_month date, p_result text, p_outcome text,
    p_sign integer
) RETURNS void AS $$
DECLARE
    d_passed integer := CASE WHEN p_result = 'pass' THEN p_sign ELSE 0 END;
    d_failed integer := CASE WHEN p_result = 'fail' THEN p_sign ELSE 0 END;
    d_challenged integer := CASE WHEN p_outcome IN
        ('reported_to_police', 'refused_concerns', 'challenged') THEN p_sign ELSE 0 END;
    d_reported integer := CASE WHEN p_outcome = 'reported_to_police' THEN p_sign ELSE 0 END;
BEGIN
    IF p_result = 'void' THEN
        RETURN;
    END IF;
    IF p_sign < 0 THEN
        -- The row exists (it counted this visit); a check constraint refuses a negative INSERT
        -- even when it would have turned into an UPDATE, so subtract with UPDATE.
        UPDATE reports_visitsummary SET
            visits = visits - 1, passed = passed + d_passed, failed = failed + d_failed,
            challenged = challenged + d_challenged, reported = reported + d_reported
        WHERE force_id = p_force AND month = p_month AND town_id = p_town AND sector = p_sector;
        RETURN;
    END IF;
    INSERT INTO reports_visitsummary AS s
        (force_id, town_id, sector, month, visits, passed, failed, challenged, reported)
    VALUES (p_force, p_town, p_sector, p_month, 1, d_passed, d_failed, d_challenged, d_reported)
    ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET
        visits = s.visits + EXCLUDED.visits,
        passed = s.passed + EXCLUDED.passed,
        failed = s.failed + EXCLUDED.failed,
        challenged = s.challenged + EXCLUDED.challenged,
        reported = s.reported + EXCLUDED.reported;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION makesafe_summary_visit() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.force_id = OLD.force_id
        AND NEW.premises_id = OLD.premises_id
        AND NEW.visited_on = OLD.visited_on
        AND NEW.result = OLD.result
        AND NEW.outcome = OLD.outcome THEN
        RETURN NULL;  -- nothing the summary counts has changed
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM makesafe_summary_add(
            OLD.force_id, OLD.premises_id, OLD.visited_on, OLD.result, OLD.outcome, -1
        );
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM makesafe_summary_add(
            NEW.force_id, NEW.premises_id, NEW.visited_on, NEW.result, NEW.outcome, 1
        );
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER visit_summary AFTER INSERT OR UPDATE OR DELETE ON visits_visit
    FOR EACH ROW EXECUTE FUNCTION makesafe_summary_visit();

-- A premises that moves town or changes sector takes its counts with it.
CREATE OR REPLACE FUNCTION makesafe_summary_premises() RETURNS trigger AS $$
DECLARE
    v record;
BEGIN
    IF NEW.town_id = OLD.town_id AND NEW.sector = OLD.sector THEN
        RETURN NULL;
    END IF;
    FOR v IN
        SELECT force_id, visited_on, result, outcome FROM visits_visit
        WHERE premises_id = NEW.id AND result <> 'void'
    LOOP
        -- Subtract under the old town and sector, add under the new.
        PERFORM makesafe_summary_change(
            v.force_id, OLD.town_id, OLD.sector, date_trunc('month', v.visited_on)::date,
            v.result, v.outcome, -1
        );
        PERFORM makesafe_summary_add(v.force_id, NEW.id, v.visited_on, v.result, v.outcome, 1);
    END LOOP;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER premises_summary AFTER UPDATE OF town_id, sector ON premises_premises
    FOR EACH ROW EXECUTE FUNCTION makesafe_summary_premises();

-- Backfill from the visits already there.
INSERT INTO reports_visitsummary
    (force_id, town_id, sector, month, visits, passed, failed, challenged, reported)
SELECT v.force_id, p.town_id, p.sector, date_trunc('month', v.visited_on)::date,
    count(*),
    count(*) FILTER (WHERE v.result = 'pass'),
    count(*) FILTER (WHERE v.result = 'fail'),
    count(*) FILTER (WHERE v.outcome IN ('reported_to_police', 'refused_concerns', 'challenged')),
    count(*) FILTER (WHERE v.outcome = 'reported_to_police')
FROM visits_visit v JOIN premises_premises p ON p.id = v.premises_id
WHERE v.result <> 'void'
GROUP BY 1, 2, 3, 4;
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS visit_summary ON visits_visit;
DROP TRIGGER IF EXISTS premises_summary ON premises_premises;
DROP FUNCTION IF EXISTS makesafe_summary_visit();
DROP FUNCTION IF EXISTS makesafe_summary_premises();
DROP FUNCTION IF EXISTS makesafe_summary_add(bigint, bigint, date, text, text, integer);
DROP FUNCTION IF EXISTS makesafe_summary_change(bigint, bigint, text, date, text, text, integer);
DELETE FROM reports_visitsummary;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("visits", "0006_operationevent_participantevent_scenarioevent_and_more"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
