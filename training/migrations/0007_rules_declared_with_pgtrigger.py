"""notice_rules, request_rules and training_rules (with the status changes now a trigger of
their own, training_status_transition), declared in the models (Meta.triggers) and kept by
django-pgtrigger: the hand-written triggers and functions of 0002 make way for them."""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

# The hand-written triggers: dropped with 0002's own reverse, and back when this migration is
# reversed.
HAND_WRITTEN = importlib.import_module("training.migrations.0002_legal_rules")


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0006_letter_force_visit_index"),
    ]

    operations = [
        migrations.RunSQL(HAND_WRITTEN.REVERSE, HAND_WRITTEN.SQL),
        pgtrigger.migrations.AddTrigger(
            model_name="guestinforequest",
            trigger=pgtrigger.compiler.Trigger(
                name="request_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE notice_start date; notice_expiry date;",
                    func="\n                SELECT start_date, expiry_date INTO notice_start, notice_expiry\n                FROM training_notice WHERE id = NEW.notice_id;\n                IF NEW.period_start < notice_start OR NEW.period_end > notice_expiry THEN\n                    RAISE EXCEPTION 'request_period_within_notice: '\n                        'the period must fall within the notice''s life'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="054e1d59b312a78f28bba833c1763b80c7170eb2",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_request_rules_f870a",
                    table="training_guestinforequest",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="notice",
            trigger=pgtrigger.compiler.Trigger(
                name="notice_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE s116_sectors CONSTANT text[] := ARRAY['hotel','bnb']; issuing_ranks CONSTANT text[] := ARRAY['inspector','chief_inspector','superintendent','chief_superintendent']; premises_sector text; premises_force bigint; issuer_rank text; issuer_force bigint;",
                    func="\n                SELECT sector, force_id INTO premises_sector, premises_force\n                FROM premises_premises WHERE id = NEW.premises_id;\n                IF premises_sector <> ALL (s116_sectors) THEN\n                    RAISE EXCEPTION 'notice_premises_sector: '\n                        's.116 notices apply only to hotels, B&Bs and guest houses'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                IF premises_force <> NEW.force_id THEN\n                    RAISE EXCEPTION 'notice_same_force: the premises belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                SELECT rank, force_id INTO issuer_rank, issuer_force\n                FROM accounts_user WHERE id = NEW.issued_by_id;\n                IF issuer_rank <> ALL (issuing_ranks) THEN\n                    RAISE EXCEPTION 'notice_issuer_rank: '\n                        'an s.116 notice is issued by an inspector or above'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                IF issuer_force IS DISTINCT FROM NEW.force_id THEN\n                    RAISE EXCEPTION 'notice_issuer_force: '\n                        'the issuing officer belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="b6e96cf9cc14d69cad5b6b80f039981e2e641462",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_notice_rules_8b712",
                    table="training_notice",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="trainingsession",
            trigger=pgtrigger.compiler.Trigger(
                name="training_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE premises_force bigint; visit_premises bigint;",
                    func="\n                SELECT force_id INTO premises_force FROM premises_premises\n                WHERE id = NEW.premises_id;\n                IF premises_force <> NEW.force_id THEN\n                    RAISE EXCEPTION 'training_same_force: the premises belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                IF NEW.visit_id IS NOT NULL THEN\n                    SELECT premises_id INTO visit_premises FROM visits_visit\n                    WHERE id = NEW.visit_id;\n                    IF visit_premises <> NEW.premises_id THEN\n                        RAISE EXCEPTION 'training_visit_same_premises: '\n                            'the visit was to other premises'\n                            USING ERRCODE = 'check_violation';\n                    END IF;\n                END IF;\n                RETURN NEW;\n                ",
                    hash="e92b1663de324e16d4a1fcc1a22b2ee49a7def2f",
                    operation="INSERT OR UPDATE",
                    pgid="pgtrigger_training_rules_90744",
                    table="training_trainingsession",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="trainingsession",
            trigger=pgtrigger.compiler.Trigger(
                name="training_status_transition",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.\"status\" IS DISTINCT FROM (NEW.\"status\") AND NOT ((NEW.\"status\" IN ('accepted', 'cancelled', 'declined', 'scheduled') AND OLD.\"status\" = 'offered') OR (NEW.\"status\" IN ('cancelled', 'declined', 'scheduled') AND OLD.\"status\" = 'accepted') OR (NEW.\"status\" IN ('offered') AND OLD.\"status\" = 'declined') OR (NEW.\"status\" IN ('cancelled', 'delivered', 'no_show', 'scheduled') AND OLD.\"status\" = 'scheduled') OR (NEW.\"status\" IN ('cancelled', 'scheduled') AND OLD.\"status\" = 'no_show') OR (NEW.\"status\" IN ('offered') AND OLD.\"status\" = 'cancelled')))",
                    func="\n                RAISE EXCEPTION 'training_status_transition: % cannot become %',\n                    OLD.status, NEW.status\n                    USING ERRCODE = 'check_violation';\n                ",
                    hash="4efd79fcc5e22d0abb667e25a724b268f39c643e",
                    operation="UPDATE",
                    pgid="pgtrigger_training_status_transition_09b14",
                    table="training_trainingsession",
                    when="BEFORE",
                ),
            ),
        ),
    ]
