"""visit_rules and visit_participant_rules, now declared in the models (Meta.triggers; the cadets'
many-to-many table through the VisitParticipant proxy) and kept by django-pgtrigger: the
hand-written triggers and functions of 0003 make way for them."""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# The hand-written triggers: dropped with 0003's own reverse, and back when this migration is
# reversed.
HAND_WRITTEN = importlib.import_module("visits.migrations.0003_cross_table_rules")


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0007_report_indexes"),
    ]

    operations = [
        migrations.RunSQL(HAND_WRITTEN.REVERSE, HAND_WRITTEN.SQL),
        migrations.CreateModel(
            name="VisitParticipant",
            fields=[],
            options={
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("visits.visit_participants",),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="visit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE other_force bigint; earlier_premises bigint; earlier_at timestamptz;",
                    func="\n                SELECT force_id INTO other_force FROM premises_premises WHERE id = NEW.premises_id;\n                IF other_force <> NEW.force_id THEN\n                    RAISE EXCEPTION 'visit_premises_same_force: '\n                        'the premises belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                IF NEW.scenario_id IS NOT NULL THEN\n                    SELECT force_id INTO other_force FROM visits_scenario\n                    WHERE id = NEW.scenario_id;\n                    IF other_force <> NEW.force_id THEN\n                        RAISE EXCEPTION 'visit_scenario_same_force: '\n                            'the scenario belongs to another force'\n                            USING ERRCODE = 'check_violation';\n                    END IF;\n                END IF;\n                IF NEW.operation_id IS NOT NULL THEN\n                    SELECT force_id INTO other_force FROM visits_operation\n                    WHERE id = NEW.operation_id;\n                    IF other_force <> NEW.force_id THEN\n                        RAISE EXCEPTION 'visit_operation_same_force: '\n                            'the operation belongs to another force'\n                            USING ERRCODE = 'check_violation';\n                    END IF;\n                END IF;\n                IF NEW.retest_of_id IS NOT NULL THEN\n                    SELECT premises_id, visited_at INTO earlier_premises, earlier_at\n                    FROM visits_visit WHERE id = NEW.retest_of_id;\n                    IF earlier_premises <> NEW.premises_id OR earlier_at >= NEW.visited_at THEN\n                        RAISE EXCEPTION 'visit_retest_earlier_same_premises: '\n                            'a re-test follows an earlier visit to the same premises'\n                            USING ERRCODE = 'check_violation';\n                    END IF;\n                END IF;\n                RETURN NEW;\n                ",
                    hash="c0d7bef99d2e6e562346cb15c9c3e798291ac2d4",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_visit_rules_05f16",
                    table="visits_visit",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="visitparticipant",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_participant_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE visit_force bigint; cadet_force bigint;",
                    func="\n                SELECT force_id INTO visit_force FROM visits_visit WHERE id = NEW.visit_id;\n                SELECT force_id INTO cadet_force FROM visits_participant\n                WHERE id = NEW.participant_id;\n                IF visit_force <> cadet_force THEN\n                    RAISE EXCEPTION 'visit_participant_same_force: '\n                        'the cadet belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="20327faa1d68e658b6f0dd5bf27752f2c4136517",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_visit_participant_rules_61984",
                    table="visits_visit_participants",
                    when="BEFORE",
                ),
            ),
        ),
    ]
