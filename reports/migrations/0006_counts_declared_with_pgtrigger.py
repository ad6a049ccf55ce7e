"""The triggers that keep reports_visitsummary and reports_daytotal exact, now declared in
reports/models.py (on the CountedVisit and CountedPremises proxies) and kept by django-pgtrigger:
the hand-written triggers and functions of 0002 and 0005 make way for them. The tables' rows
stay as they are: both sets of triggers count the same."""

import importlib

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

DROP_HAND_WRITTEN = r"""
DROP TRIGGER IF EXISTS visit_summary ON visits_visit;
DROP TRIGGER IF EXISTS premises_summary ON premises_premises;
DROP FUNCTION IF EXISTS makesafe_summary_visit();
DROP FUNCTION IF EXISTS makesafe_summary_premises();
DROP FUNCTION IF EXISTS makesafe_summary_add(bigint, bigint, date, text, text, integer);
DROP FUNCTION IF EXISTS makesafe_summary_change(bigint, bigint, text, date, text, text, integer);
DROP TRIGGER IF EXISTS visit_day_total ON visits_visit;
DROP FUNCTION IF EXISTS makesafe_day_total_visit();
DROP FUNCTION IF EXISTS makesafe_day_total_change(bigint, date, text, text, integer);
"""


def hand_written(migration: str) -> str:
    """The functions and triggers of an earlier migration, without its backfill (the rows are
    still there): what reversing this migration puts back."""
    sql = importlib.import_module(f"reports.migrations.{migration}").SQL
    return sql.split("-- Backfill from the visits already there.", 1)[0]


class Migration(migrations.Migration):
    dependencies = [
        ("premises", "0007_rules_declared_with_pgtrigger"),
        ("reports", "0005_day_total_triggers"),
        ("visits", "0008_rules_declared_with_pgtrigger"),
    ]

    operations = [
        migrations.RunSQL(
            DROP_HAND_WRITTEN,
            hand_written("0002_summary_triggers") + hand_written("0005_day_total_triggers"),
        ),
        migrations.CreateModel(
            name="CountedPremises",
            fields=[],
            options={
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("premises.premises",),
        ),
        migrations.CreateModel(
            name="CountedVisit",
            fields=[],
            options={
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("visits.visit",),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedpremises",
            trigger=pgtrigger.compiler.Trigger(
                name="premises_summary",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."sector" IS DISTINCT FROM (NEW."sector") OR OLD."town_id" IS DISTINCT FROM (NEW."town_id"))',
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police'; m record;",
                    func="\n                FOR m IN\n                    SELECT force_id, date_trunc('month', visited_on)::date AS month,\n                        count(*) AS visits,\n                        count(*) FILTER (WHERE result = pass_result) AS passed,\n                        count(*) FILTER (WHERE result = fail_result) AS failed,\n                        count(*) FILTER (WHERE outcome = ANY (challenge_outcomes)) AS challenged,\n                        count(*) FILTER (WHERE outcome = reported_outcome) AS reported\n                    FROM visits_visit\n                    WHERE premises_id = NEW.id AND result <> void_result\n                    GROUP BY 1, 2\n                LOOP\n                    UPDATE reports_visitsummary AS s SET\n                        visits = s.visits - m.visits, passed = s.passed - m.passed,\n                        failed = s.failed - m.failed, challenged = s.challenged - m.challenged,\n                        reported = s.reported - m.reported\n                    WHERE s.force_id = m.force_id AND s.month = m.month\n                        AND s.town_id = OLD.town_id AND s.sector = OLD.sector;\n                    INSERT INTO reports_visitsummary AS s\n                        (force_id, town_id, sector, month,\n                         visits, passed, failed, challenged, reported)\n                    VALUES (m.force_id, NEW.town_id, NEW.sector, m.month,\n                        m.visits, m.passed, m.failed, m.challenged, m.reported)\n                    ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET\n                        visits = s.visits + EXCLUDED.visits, passed = s.passed + EXCLUDED.passed,\n                        failed = s.failed + EXCLUDED.failed,\n                        challenged = s.challenged + EXCLUDED.challenged,\n                        reported = s.reported + EXCLUDED.reported;\n                END LOOP;\n                RETURN NULL;\n",
                    hash="08150ad9b4c4396f8b93451496a25171aa256c65",
                    operation='UPDATE OF "town_id", "sector"',
                    pgid="pgtrigger_premises_summary_f719c",
                    table="premises_premises",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_summary_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NOT (NEW.\"result\" = 'void'))",
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                INSERT INTO reports_visitsummary AS s\n                    (force_id, town_id, sector, month, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, p.town_id, p.sector, date_trunc('month', NEW.visited_on)::date,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = NEW.premises_id AND NEW.result <> void_result\n                ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET\n                    visits = s.visits + EXCLUDED.visits, passed = s.passed + EXCLUDED.passed,\n                    failed = s.failed + EXCLUDED.failed,\n                    challenged = s.challenged + EXCLUDED.challenged,\n                    reported = s.reported + EXCLUDED.reported;\n                RETURN NULL;\n",
                    hash="b832ed22bd00a8a24a2d09c8d64b87d5333e0b3f",
                    operation="INSERT",
                    pgid="pgtrigger_visit_summary_insert_0fc56",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_summary_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."force_id" IS DISTINCT FROM (NEW."force_id") OR OLD."outcome" IS DISTINCT FROM (NEW."outcome") OR OLD."premises_id" IS DISTINCT FROM (NEW."premises_id") OR OLD."result" IS DISTINCT FROM (NEW."result") OR OLD."visited_on" IS DISTINCT FROM (NEW."visited_on"))',
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                UPDATE reports_visitsummary AS s SET\n                    visits = s.visits - 1, passed = s.passed - (OLD.result = pass_result)::int,\n                    failed = s.failed - (OLD.result = fail_result)::int,\n                    challenged = s.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = s.reported - (OLD.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = OLD.premises_id AND OLD.result <> void_result\n                    AND s.force_id = OLD.force_id\n                    AND s.month = date_trunc('month', OLD.visited_on)::date\n                    AND s.town_id = p.town_id AND s.sector = p.sector;\n\n                INSERT INTO reports_visitsummary AS s\n                    (force_id, town_id, sector, month, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, p.town_id, p.sector, date_trunc('month', NEW.visited_on)::date,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = NEW.premises_id AND NEW.result <> void_result\n                ON CONFLICT (force_id, month, town_id, sector) DO UPDATE SET\n                    visits = s.visits + EXCLUDED.visits, passed = s.passed + EXCLUDED.passed,\n                    failed = s.failed + EXCLUDED.failed,\n                    challenged = s.challenged + EXCLUDED.challenged,\n                    reported = s.reported + EXCLUDED.reported;\n                RETURN NULL;\n",
                    hash="77a810c63aa5686c349344a000e692d54600f7ef",
                    operation="UPDATE",
                    pgid="pgtrigger_visit_summary_update_38b99",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_summary_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NOT (OLD.\"result\" = 'void'))",
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                UPDATE reports_visitsummary AS s SET\n                    visits = s.visits - 1, passed = s.passed - (OLD.result = pass_result)::int,\n                    failed = s.failed - (OLD.result = fail_result)::int,\n                    challenged = s.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = s.reported - (OLD.outcome = reported_outcome)::int\n                FROM premises_premises AS p\n                WHERE p.id = OLD.premises_id AND OLD.result <> void_result\n                    AND s.force_id = OLD.force_id\n                    AND s.month = date_trunc('month', OLD.visited_on)::date\n                    AND s.town_id = p.town_id AND s.sector = p.sector;\n                RETURN NULL;\n",
                    hash="fc476ba38d3aa903824a6d0754b457fa76c7b540",
                    operation="DELETE",
                    pgid="pgtrigger_visit_summary_delete_6dbed",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_day_total_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NOT (NEW.\"result\" = 'void'))",
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                INSERT INTO reports_daytotal AS d\n                    (force_id, day, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, NEW.visited_on,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                WHERE NEW.result <> void_result\n                ON CONFLICT (force_id, day) DO UPDATE SET\n                    visits = d.visits + EXCLUDED.visits, passed = d.passed + EXCLUDED.passed,\n                    failed = d.failed + EXCLUDED.failed,\n                    challenged = d.challenged + EXCLUDED.challenged,\n                    reported = d.reported + EXCLUDED.reported;\n                RETURN NULL;\n",
                    hash="d1032dd50294e4ac31397caabd75bcf27e7980c9",
                    operation="INSERT",
                    pgid="pgtrigger_visit_day_total_insert_9f4b2",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_day_total_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."force_id" IS DISTINCT FROM (NEW."force_id") OR OLD."outcome" IS DISTINCT FROM (NEW."outcome") OR OLD."result" IS DISTINCT FROM (NEW."result") OR OLD."visited_on" IS DISTINCT FROM (NEW."visited_on"))',
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                UPDATE reports_daytotal AS d SET\n                    visits = d.visits - 1, passed = d.passed - (OLD.result = pass_result)::int,\n                    failed = d.failed - (OLD.result = fail_result)::int,\n                    challenged = d.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = d.reported - (OLD.outcome = reported_outcome)::int\n                WHERE OLD.result <> void_result\n                    AND d.force_id = OLD.force_id AND d.day = OLD.visited_on;\n\n                INSERT INTO reports_daytotal AS d\n                    (force_id, day, visits, passed, failed, challenged, reported)\n                SELECT NEW.force_id, NEW.visited_on,\n                    1, (NEW.result = pass_result)::int, (NEW.result = fail_result)::int,\n                    (NEW.outcome = ANY (challenge_outcomes))::int,\n                    (NEW.outcome = reported_outcome)::int\n                WHERE NEW.result <> void_result\n                ON CONFLICT (force_id, day) DO UPDATE SET\n                    visits = d.visits + EXCLUDED.visits, passed = d.passed + EXCLUDED.passed,\n                    failed = d.failed + EXCLUDED.failed,\n                    challenged = d.challenged + EXCLUDED.challenged,\n                    reported = d.reported + EXCLUDED.reported;\n                RETURN NULL;\n",
                    hash="a010d4cd63f18233fc4b71cf2e6e205668023a81",
                    operation="UPDATE",
                    pgid="pgtrigger_visit_day_total_update_96bda",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedvisit",
            trigger=pgtrigger.compiler.Trigger(
                name="visit_day_total_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (NOT (OLD.\"result\" = 'void'))",
                    declare="DECLARE void_result CONSTANT text := 'void'; pass_result CONSTANT text := 'pass'; fail_result CONSTANT text := 'fail'; challenge_outcomes CONSTANT text[] := ARRAY['reported_to_police','refused_concerns','challenged']; reported_outcome CONSTANT text := 'reported_to_police';",
                    func="\n                UPDATE reports_daytotal AS d SET\n                    visits = d.visits - 1, passed = d.passed - (OLD.result = pass_result)::int,\n                    failed = d.failed - (OLD.result = fail_result)::int,\n                    challenged = d.challenged - (OLD.outcome = ANY (challenge_outcomes))::int,\n                    reported = d.reported - (OLD.outcome = reported_outcome)::int\n                WHERE OLD.result <> void_result\n                    AND d.force_id = OLD.force_id AND d.day = OLD.visited_on;\n                RETURN NULL;\n",
                    hash="8f443b1563901e12462b8dc70a53c1036929bec7",
                    operation="DELETE",
                    pgid="pgtrigger_visit_day_total_delete_79ebe",
                    table="visits_visit",
                    when="AFTER",
                ),
            ),
        ),
    ]
