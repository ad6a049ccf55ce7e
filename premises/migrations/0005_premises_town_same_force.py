"""A premises' town belongs to the premises' force, enforced in the database like the visits'
rules, so no write around the forms (the support site, bulk or raw SQL) can mix two forces."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION makesafe_premises_rules() RETURNS trigger AS $$
DECLARE
    town_force bigint;
BEGIN
    SELECT force_id INTO town_force FROM premises_town WHERE id = NEW.town_id;
    IF town_force <> NEW.force_id THEN
        RAISE EXCEPTION 'premises_town_same_force: the town belongs to another force'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER premises_rules BEFORE INSERT OR UPDATE OF town_id, force_id ON premises_premises
    FOR EACH ROW EXECUTE FUNCTION makesafe_premises_rules();

CREATE OR REPLACE FUNCTION makesafe_town_rules() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM premises_premises WHERE town_id = NEW.id AND force_id <> NEW.force_id
    ) THEN
        RAISE EXCEPTION 'premises_town_same_force: the town has premises of another force'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER town_rules BEFORE UPDATE OF force_id ON premises_town
    FOR EACH ROW EXECUTE FUNCTION makesafe_town_rules();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS premises_rules ON premises_premises;
DROP FUNCTION IF EXISTS makesafe_premises_rules();
DROP TRIGGER IF EXISTS town_rules ON premises_town;
DROP FUNCTION IF EXISTS makesafe_town_rules();
"""


class Migration(migrations.Migration):
    dependencies = [("premises", "0004_remove_premises_insert_insert_and_more")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
