"""Rules that span tables, enforced in the database so no write can get around the forms."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION makesafe_visit_rules() RETURNS trigger AS $$
DECLARE
    other_force bigint; earlier_premises bigint; earlier_at timestamptz;
BEGIN
    SELECT force_id INTO other_force FROM premises_premises WHERE id = NEW.premises_id;
    IF other_force <> NEW.force_id THEN
        RAISE EXCEPTION 'visit_premises_same_force: the premises belongs to another force'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.scenario_id IS NOT NULL THEN
        SELECT force_id INTO other_force FROM visits_scenario WHERE id = NEW.scenario_id;
        IF other_force <> NEW.force_id THEN
            RAISE EXCEPTION 'visit_scenario_same_force: the scenario belongs to another force'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.operation_id IS NOT NULL THEN
        SELECT force_id INTO other_force FROM visits_operation WHERE id = NEW.operation_id;
        IF other_force <> NEW.force_id THEN
            RAISE EXCEPTION 'visit_operation_same_force: the operation belongs to another force'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.retest_of_id IS NOT NULL THEN
        SELECT premises_id, visited_at INTO earlier_premises, earlier_at
            FROM visits_visit WHERE id = NEW.retest_of_id;
        IF earlier_premises <> NEW.premises_id OR earlier_at >= NEW.visited_at THEN
            RAISE EXCEPTION 'visit_retest_earlier_same_premises: a re-test follows an earlier visit to the same premises'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER visit_rules BEFORE INSERT OR UPDATE ON visits_visit
    FOR EACH ROW EXECUTE FUNCTION makesafe_visit_rules();

CREATE OR REPLACE FUNCTION makesafe_visit_participant_rules() RETURNS trigger AS $$
DECLARE
    v_force bigint; p_force bigint;
BEGIN
    SELECT force_id INTO v_force FROM visits_visit WHERE id = NEW.visit_id;
    SELECT force_id INTO p_force FROM visits_participant WHERE id = NEW.participant_id;
    IF v_force <> p_force THEN
        RAISE EXCEPTION 'visit_participant_same_force: the cadet belongs to another force'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER visit_participant_rules BEFORE INSERT OR UPDATE ON visits_visit_participants
    FOR EACH ROW EXECUTE FUNCTION makesafe_visit_participant_rules();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS visit_rules ON visits_visit;
DROP FUNCTION IF EXISTS makesafe_visit_rules();
DROP TRIGGER IF EXISTS visit_participant_rules ON visits_visit_participants;
DROP FUNCTION IF EXISTS makesafe_visit_participant_rules();
"""


class Migration(migrations.Migration):
    dependencies = [("visits", "0002_roles")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
