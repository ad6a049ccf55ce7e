"""Keep reports_daytotal exact: a trigger on visits, and a backfill.

A visit counts under its force and London day (`visited_on`); a premises moving town or sector
changes neither, so only writes to visits touch it.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION makesafe_day_total_change(
    p_force bigint, p_day date, p_result text, p_outcome text, p_sign integer
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
        -- The row exists (it counted this visit); subtract with UPDATE, as the summary does.
        UPDATE reports_daytotal SET
            visits = visits - 1, passed = passed + d_passed, failed = failed + d_failed,
            challenged = challenged + d_challenged, reported = reported + d_reported
        WHERE force_id = p_force AND day = p_day;
        RETURN;
    END IF;
    INSERT INTO reports_daytotal AS d
        (force_id, day, visits, passed, failed, challenged, reported)
    VALUES (p_force, p_day, 1, d_passed, d_failed, d_challenged, d_reported)
    ON CONFLICT (force_id, day) DO UPDATE SET
        visits = d.visits + EXCLUDED.visits,
        passed = d.passed + EXCLUDED.passed,
        failed = d.failed + EXCLUDED.failed,
        challenged = d.challenged + EXCLUDED.challenged,
        reported = d.reported + EXCLUDED.reported;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION makesafe_day_total_visit() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.force_id = OLD.force_id
        AND NEW.visited_on = OLD.visited_on
        AND NEW.result = OLD.result
        AND NEW.outcome = OLD.outcome THEN
        RETURN NULL;  -- nothing the day totals count has changed
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM makesafe_day_total_change(
            OLD.force_id, OLD.visited_on, OLD.result, OLD.outcome, -1
        );
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM makesafe_day_total_change(
            NEW.force_id, NEW.visited_on, NEW.result, NEW.outcome, 1
        );
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER visit_day_total AFTER INSERT OR UPDATE OR DELETE ON visits_visit
    FOR EACH ROW EXECUTE FUNCTION makesafe_day_total_visit();

-- Backfill from the visits already there.
INSERT INTO reports_daytotal (force_id, day, visits, passed, failed, challenged, reported)
SELECT v.force_id, v.visited_on,
    count(*),
    count(*) FILTER (WHERE v.result = 'pass'),
    count(*) FILTER (WHERE v.result = 'fail'),
    count(*) FILTER (WHERE v.outcome IN ('reported_to_police', 'refused_concerns', 'challenged')),
    count(*) FILTER (WHERE v.outcome = 'reported_to_police')
FROM visits_visit v
WHERE v.result <> 'void'
GROUP BY 1, 2;
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS visit_day_total ON visits_visit;
DROP FUNCTION IF EXISTS makesafe_day_total_visit();
DROP FUNCTION IF EXISTS makesafe_day_total_change(bigint, date, text, text, integer);
DELETE FROM reports_daytotal;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_day_total"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
