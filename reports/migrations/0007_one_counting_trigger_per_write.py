"""One trigger per kind of write to a visit keeps both summary tables (visit_counts_insert,
_update and _delete), where 0006 had one per table and kind: half the trigger functions run
per write, for the same counts."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_counts_declared_with_pgtrigger"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="countedvisit",
            name="visit_summary_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="countedvisit",
            name="visit_summary_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="countedvisit",
            name="visit_summary_delete",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="countedvisit",
            name="visit_day_total_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="countedvisit",
            name="visit_day_total_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="countedvisit",
            name="visit_day_total_delete",
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_counts_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NOT (NEW.\"result\" = 'void'))",
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                INSERT INTO reports_visitsummary AS s\n                    (force_id, town_id, sector, month, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, p.town_id, p.sector, date_trunc('month', NEW.visited_on)::date,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = NEW.premises_id AND NEW.result <> void_result\n                ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET\n                    visits = s.visits + EXCLUDED.visits, passed = s.passed + EXCLUDED.passed,\n                    failed = s.failed + EXCLUDED.failed,\n                    challenged = s.challenged + EXCLUDED.challenged,\n                    reported = s.reported + EXCLUDED.reported;\n\n                INSERT INTO reports_daytotal AS d\n                    (force_id, day, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, NEW.visited_on,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                WHERE NEW.result <> void_result\n                ON CONFLICT (force_id, day) DO UPDATE SET\n                    visits = d.visits + EXCLUDED.visits, passed = d.passed + EXCLUDED.passed,\n                    failed = d.failed + EXCLUDED.failed,\n                    challenged = d.challenged + EXCLUDED.challenged,\n                    reported = d.reported + EXCLUDED.reported;\n                RETURN NULL;\n",
                    hash="a706678af28b27fd061e44ff1ca9c8be4d53c50c",
                    operation="INSERT",
                    pgid="pgtrigger_visit_counts_insert_4df91",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_counts_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."force_id" IS DISTINCT FROM (NEW."force_id") OR OLD."outcome" IS DISTINCT FROM (NEW."outcome") OR OLD."premises_id" IS DISTINCT FROM (NEW."premises_id") OR OLD."result" IS DISTINCT FROM (NEW."result") OR OLD."visited_on" IS DISTINCT FROM (NEW."visited_on"))',
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                UPDATE reports_visitsummary AS s SET\n                    visits = s.visits - 1, passed = s.passed - (OLD.result = pass_result)::int,\n                    failed = s.failed - (OLD.result = fail_result)::int,\n                    challenged = s.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = s.reported - (OLD.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = OLD.premises_id AND OLD.result <> void_result\n                    AND s.force_id = OLD.force_id\n                    AND s.month = date_trunc('month', OLD.visited_on)::date\n                    AND s.town_id = p.town_id AND s.sector = p.sector;\n\n                INSERT INTO reports_visitsummary AS s\n                    (force_id, town_id, sector, month, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, p.town_id, p.sector, date_trunc('month', NEW.visited_on)::date,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = NEW.premises_id AND NEW.result <> void_result\n                ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET\n                    visits = s.visits + EXCLUDED.visits, passed = s.passed + EXCLUDED.passed,\n                    failed = s.failed + EXCLUDED.failed,\n                    challenged = s.challenged + EXCLUDED.challenged,\n                    reported = s.reported + EXCLUDED.reported;\n\n                UPDATE reports_daytotal AS d SET\n                    visits = d.visits - 1, passed = d.passed - (OLD.result = pass_result)::int,\n                    failed = d.failed - (OLD.result = fail_result)::int,\n                    challenged = d.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = d.reported - (OLD.outcome = reported_outcome)::int\n                WHERE OLD.result <> void_result\n                    AND d.force_id = OLD.force_id AND d.day = OLD.visited_on;\n\n                INSERT INTO reports_daytotal AS d\n                    (force_id, day, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, NEW.visited_on,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                WHERE NEW.result <> void_result\n                ON CONFLICT (force_id, day) DO UPDATE SET\n                    visits = d.visits + EXCLUDED.visits, passed = d.passed + EXCLUDED.passed,\n                    failed = d.failed + EXCLUDED.failed,\n                    challenged = d.challenged + EXCLUDED.challenged,\n                    reported = d.reported + EXCLUDED.reported;\n                RETURN NULL;\n",
                    hash="804704df97d6b2b0d87e2dfe005781e2c58caad3",
                    operation="UPDATE",
                    pgid="pgtrigger_visit_counts_update_211ad",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_counts_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NOT (OLD.\"result\" = 'void'))",
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                UPDATE reports_visitsummary AS s SET\n                    visits = s.visits - 1, passed = s.passed - (OLD.result = pass_result)::int,\n                    failed = s.failed - (OLD.result = fail_result)::int,\n                    challenged = s.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = s.reported - (OLD.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = OLD.premises_id AND OLD.result <> void_result\n                    AND s.force_id = OLD.force_id\n                    AND s.month = date_trunc('month', OLD.visited_on)::date\n                    AND s.town_id = p.town_id AND s.sector = p.sector;\n\n                UPDATE reports_daytotal AS d SET\n                    visits = d.visits - 1, passed = d.passed - (OLD.result = pass_result)::int,\n                    failed = d.failed - (OLD.result = fail_result)::int,\n                    challenged = d.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = d.reported - (OLD.outcome = reported_outcome)::int\n                WHERE OLD.result <> void_result\n                    AND d.force_id = OLD.force_id AND d.day = OLD.visited_on;\n                RETURN NULL;\n",
                    hash="26ba7d2e4b83698810595aab5875e1bee613019f",
                    operation="DELETE",
                    pgid="pgtrigger_visit_counts_delete_1f69e",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
    ]
