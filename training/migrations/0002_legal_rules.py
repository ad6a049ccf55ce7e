"""Rules that span tables, enforced in the database so no write can get around the forms."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION makesafe_notice_rules() RETURNS trigger AS $$
DECLARE
    p_sector text; p_force bigint; u_rank text; u_force bigint;
BEGIN
    SELECT sector, force_id INTO p_sector, p_force FROM premises_premises WHERE id = NEW.premises_id;
    IF p_sector NOT IN ('hotel', 'bnb') THEN
        RAISE EXCEPTION 'notice_premises_sector: s.116 notices apply only to hotels, B&Bs and guest houses'
            USING ERRCODE = 'check_violation';
    END IF;
    IF p_force <> NEW.force_id THEN
        RAISE EXCEPTION 'notice_same_force: the premises belongs to another force'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT rank, force_id INTO u_rank, u_force FROM accounts_user WHERE id = NEW.issued_by_id;
    IF u_rank NOT IN ('inspector', 'chief_inspector', 'superintendent', 'chief_superintendent') THEN
        RAISE EXCEPTION 'notice_issuer_rank: an s.116 notice is issued by an inspector or above'
            USING ERRCODE = 'check_violation';
    END IF;
    IF u_force IS DISTINCT FROM NEW.force_id THEN
        RAISE EXCEPTION 'notice_issuer_force: the issuing officer belongs to another force'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER notice_rules BEFORE INSERT OR UPDATE ON training_notice
    FOR EACH ROW EXECUTE FUNCTION makesafe_notice_rules();

CREATE OR REPLACE FUNCTION makesafe_request_rules() RETURNS trigger AS $$
DECLARE
    n_start date; n_expiry date;
BEGIN
    SELECT start_date, expiry_date INTO n_start, n_expiry FROM training_notice WHERE id = NEW.notice_id;
    IF NEW.period_start < n_start OR NEW.period_end > n_expiry THEN
        RAISE EXCEPTION 'request_period_within_notice: the period must fall within the notice''s life'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER request_rules BEFORE INSERT OR UPDATE ON training_guestinforequest
    FOR EACH ROW EXECUTE FUNCTION makesafe_request_rules();

CREATE OR REPLACE FUNCTION makesafe_training_rules() RETURNS trigger AS $$
DECLARE
    p_force bigint; v_premises bigint;
BEGIN
    SELECT force_id INTO p_force FROM premises_premises WHERE id = NEW.premises_id;
    IF p_force <> NEW.force_id THEN
        RAISE EXCEPTION 'training_same_force: the premises belongs to another force'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.visit_id IS NOT NULL THEN
        SELECT premises_id INTO v_premises FROM visits_visit WHERE id = NEW.visit_id;
        IF v_premises <> NEW.premises_id THEN
            RAISE EXCEPTION 'training_visit_same_premises: the visit was to other premises'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status <> OLD.status AND NOT (
        (OLD.status = 'offered' AND NEW.status IN ('accepted', 'declined', 'scheduled', 'cancelled'))
        OR (OLD.status = 'accepted' AND NEW.status IN ('scheduled', 'declined', 'cancelled'))
        OR (OLD.status = 'declined' AND NEW.status = 'offered')
        OR (OLD.status = 'scheduled' AND NEW.status IN ('delivered', 'no_show', 'cancelled'))
        OR (OLD.status = 'no_show' AND NEW.status IN ('scheduled', 'cancelled'))
        OR (OLD.status = 'cancelled' AND NEW.status = 'offered')
    ) THEN
        RAISE EXCEPTION 'training_status_transition: % cannot become %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER training_rules BEFORE INSERT OR UPDATE ON training_trainingsession
    FOR EACH ROW EXECUTE FUNCTION makesafe_training_rules();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS notice_rules ON training_notice;
DROP FUNCTION IF EXISTS makesafe_notice_rules();
DROP TRIGGER IF EXISTS request_rules ON training_guestinforequest;
DROP FUNCTION IF EXISTS makesafe_request_rules();
DROP TRIGGER IF EXISTS training_rules ON training_trainingsession;
DROP FUNCTION IF EXISTS makesafe_training_rules();
"""


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
