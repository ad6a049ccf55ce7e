"""premises_rules and town_rules, now declared in the models (Meta.triggers) and kept by
django-pgtrigger: the hand-written triggers and functions of 0005 make way for them."""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# The hand-written triggers: dropped with 0005's own reverse, and back when this migration is
# reversed.
HAND_WRITTEN = importlib.import_module("premises.migrations.0005_premises_town_same_force")


class Migration(migrations.Migration):
    dependencies = [
        ("premises", "0006_force_town_sector_with_id"),
    ]

    operations = [
        migrations.RunSQL(HAND_WRITTEN.REVERSE, HAND_WRITTEN.SQL),
        pgtrigger.migrations.AddTrigger(
            model_name="premises",
            trigger=pgtrigger.compiler.Trigger(
                name="premises_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE town_force bigint;",
                    func="\n                SELECT force_id INTO town_force FROM premises_town WHERE id = NEW.town_id;\n                IF town_force <> NEW.force_id THEN\n                    RAISE EXCEPTION 'premises_town_same_force: the town belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="8a3be4cd5e95b72a72e7d0cbdc3b6beae99b8fbf",
                    operation='INSERT OR UPDATE OF "town_id", "force_id"',
                    pgid="pgtrigger_premises_rules_7d03c",
                    table="premises_premises",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="town",
            trigger=pgtrigger.compiler.Trigger(
                name="town_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."force_id" IS DISTINCT FROM (NEW."force_id"))',
                    func="\n                IF EXISTS (\n                    SELECT 1 FROM premises_premises\n                    WHERE town_id = NEW.id AND force_id <> NEW.force_id\n                ) THEN\n                    RAISE EXCEPTION 'premises_town_same_force: '\n                        'the town has premises of another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="9a15bfc23f0dd042d2a2cfd1edb0d9aa03ac5927",
                    operation='UPDATE OF "force_id"',
                    pgid="pgtrigger_town_rules_13b88",
                    table="premises_town",
                    when="BEFORE",
                ),
            ),
        ),
    ]
