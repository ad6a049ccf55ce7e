"""Operators become records: one per force and name (ignoring case and runs of spaces).

Every operator text on the register, and in the premises' history, becomes an Operator of the
premises' force (texts equal ignoring case and spacing become one, named by the spelling most
premises use), and the premises and their history snapshots point at it, so no earlier name is
lost from the history. Reversed, each premises gets its operator's name back as text.
"""

import django.db.models.deletion
import django.db.models.functions.text
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

# What a text becomes: its words with single spaces; the key (Operator.key) is that in upper case.
_NAME = "btrim(regexp_replace({0}, '[[:space:]]+', ' ', 'g'))"

# The history is append-only for everyone (pghistory's append_only trigger): linking its
# snapshots is the one rewrite, so that trigger is set aside for this transaction only.
_IGNORE_HISTORY = """
SELECT set_config('pgtrigger.ignore', (
    SELECT array_agg(tgname)::text FROM pg_trigger
    WHERE NOT tgisinternal AND tgrelid = 'premises_premisesevent'::regclass
), true);
"""

LINK = f"""
WITH spellings AS (
    SELECT force_id, {_NAME.format("operator")} AS name, count(*) FILTER (WHERE now) AS uses
    FROM (
        SELECT force_id, operator, true AS now FROM premises_premises
        UNION ALL
        SELECT force_id, operator, false FROM premises_premisesevent
    ) AS texts
    WHERE btrim(operator) <> ''
    GROUP BY 1, 2
)
INSERT INTO premises_operator (force_id, name, version, created_at, updated_at)
SELECT DISTINCT ON (force_id, upper(name)) force_id, name, 1, now(), now()
FROM spellings
ORDER BY force_id, upper(name), uses DESC, name;

UPDATE premises_premises AS p SET operator_link_id = o.id
FROM premises_operator AS o
WHERE o.force_id = p.force_id AND o.key = upper({_NAME.format("p.operator")});

{_IGNORE_HISTORY}
UPDATE premises_premisesevent AS e SET operator_link_id = o.id
FROM premises_operator AS o
WHERE o.force_id = e.force_id AND o.key = upper({_NAME.format("e.operator")});
SELECT set_config('pgtrigger.ignore', '{{}}', true);
"""  # noqa: S608 (constants only)

UNLINK = f"""
UPDATE premises_premises AS p SET operator = o.name
FROM premises_operator AS o WHERE o.id = p.operator_link_id;
{_IGNORE_HISTORY}
UPDATE premises_premisesevent AS e SET operator = o.name
FROM premises_operator AS o WHERE o.id = e.operator_link_id;
SELECT set_config('pgtrigger.ignore', '{{}}', true);
"""  # noqa: S608 (constants only)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_force_followup_horizon"),
        ("pghistory", "0007_auto_20250421_0444"),
        ("premises", "0010_town_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="Operator",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=150)),
                (
                    "key",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.functions.text.Upper(
                            django.db.models.functions.text.Trim(
                                models.Func(
                                    models.F("name"),
                                    models.Value("[[:space:]]+"),
                                    models.Value(" "),
                                    models.Value("g"),
                                    function="regexp_replace",
                                    output_field=models.CharField(),
                                )
                            )
                        ),
                        output_field=models.CharField(max_length=150),
                    ),
                ),
                ("version", models.PositiveIntegerField(db_default=1, default=1)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["name", "id"],
                "permissions": [("merge_operator", "Can merge duplicate operators")],
            },
        ),
        migrations.CreateModel(
            name="OperatorEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("name", models.CharField(max_length=150)),
                (
                    "key",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.functions.text.Upper(
                            django.db.models.functions.text.Trim(
                                models.Func(
                                    models.F("name"),
                                    models.Value("[[:space:]]+"),
                                    models.Value(" "),
                                    models.Value("g"),
                                    function="regexp_replace",
                                    output_field=models.CharField(),
                                )
                            )
                        ),
                        output_field=models.CharField(max_length=150),
                    ),
                ),
                ("version", models.PositiveIntegerField(db_default=1, default=1)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "abstract": False,
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="premises",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="premises",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="premises",
            name="delete_delete",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="premises",
            name="premises_rules",
        ),
        migrations.RemoveIndex(
            model_name="premises",
            name="premises_force_operator",
        ),
        migrations.AddField(
            model_name="operator",
            name="force",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="operators",
                to="accounts.force",
            ),
        ),
        migrations.AddField(
            model_name="operatorevent",
            name="force",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="accounts.force",
            ),
        ),
        migrations.AddField(
            model_name="operatorevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="operatorevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="premises.operator",
            ),
        ),
        migrations.AddConstraint(
            model_name="operator",
            constraint=models.UniqueConstraint(
                fields=("force", "key"), name="operator_name_unique_per_force"
            ),
        ),
        migrations.AddConstraint(
            model_name="operator",
            constraint=models.CheckConstraint(
                condition=models.Q(("key", ""), _negated=True), name="operator_name_not_blank"
            ),
        ),
        migrations.AddConstraint(
            model_name="operator",
            constraint=models.CheckConstraint(
                condition=models.Q(("version__gte", 1)), name="operator_version_positive"
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="operator",
            trigger=pgtrigger.compiler.Trigger(
                name="operator_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."force_id" IS DISTINCT FROM (NEW."force_id"))',
                    func="\n                IF EXISTS (\n                    SELECT 1 FROM premises_premises\n                    WHERE operator_id = NEW.id AND force_id <> NEW.force_id\n                ) THEN\n                    RAISE EXCEPTION 'premises_operator_same_force: '\n                        'the operator has premises of another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="84076211ecf0aff1d53070be834b4a62b3abb5d2",
                    operation='UPDATE OF "force_id"',
                    pgid="pgtrigger_operator_rules_d2b75",
                    table="premises_operator",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="operator",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "premises_operatorevent" ("created_at", "force_id", "id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "version") VALUES (NEW."created_at", NEW."force_id", NEW."id", NEW."name", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at", NEW."version"); RETURN NULL;',
                    hash="6f6b247871b63fa79ec2f759df8a4179cac12dc6",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_aaede",
                    table="premises_operator",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="operator",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "premises_operatorevent" ("created_at", "force_id", "id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "version") VALUES (NEW."created_at", NEW."force_id", NEW."id", NEW."name", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at", NEW."version"); RETURN NULL;',
                    hash="9637fd5ccaf6599a3b3620492b125fe677f8e644",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_a7604",
                    table="premises_operator",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="operator",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "premises_operatorevent" ("created_at", "force_id", "id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "version") VALUES (OLD."created_at", OLD."force_id", OLD."id", OLD."name", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at", OLD."version"); RETURN NULL;',
                    hash="8d87ef99bef42bb54248862bfa9ef627f9838aa4",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_82c03",
                    table="premises_operator",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="operatorevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="00199364bb4d9b5c0034e1b829cc55dd5a41eebe",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_78ed8",
                    table="premises_operatorevent",
                    when="BEFORE",
                ),
            ),
        ),
        # Premises point at an operator: a new column beside the text, filled from it, then
        # in its place. The premises' history triggers are off meanwhile (removed above), so
        # the linking writes no events of its own.
        migrations.AddField(
            model_name="premises",
            name="operator_link",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="premises.operator",
            ),
        ),
        migrations.AddField(
            model_name="premisesevent",
            name="operator_link",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="premises.operator",
            ),
        ),
        migrations.RunSQL(LINK, UNLINK),
        migrations.RemoveField(model_name="premises", name="operator"),
        migrations.RemoveField(model_name="premisesevent", name="operator"),
        migrations.RenameField(
            model_name="premises", old_name="operator_link", new_name="operator"
        ),
        migrations.RenameField(
            model_name="premisesevent", old_name="operator_link", new_name="operator"
        ),
        migrations.AlterField(
            model_name="premises",
            name="operator",
            field=models.ForeignKey(
                blank=True,
                help_text="The company or brand behind the premises, if any.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="premises",
                to="premises.operator",
                verbose_name="operator or chain",
            ),
        ),
        migrations.AlterField(
            model_name="premisesevent",
            name="operator",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The company or brand behind the premises, if any.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="premises.operator",
                verbose_name="operator or chain",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="premises",
            trigger=pgtrigger.compiler.Trigger(
                name="premises_rules",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE town_force bigint;",
                    func="\n                SELECT force_id INTO town_force FROM premises_town WHERE id = NEW.town_id;\n                IF town_force <> NEW.force_id THEN\n                    RAISE EXCEPTION 'premises_town_same_force: the town belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                IF NEW.operator_id IS NOT NULL AND NOT EXISTS (\n                    SELECT 1 FROM premises_operator\n                    WHERE id = NEW.operator_id AND force_id = NEW.force_id\n                ) THEN\n                    RAISE EXCEPTION 'premises_operator_same_force: '\n                        'the operator belongs to another force'\n                        USING ERRCODE = 'check_violation';\n                END IF;\n                RETURN NEW;\n                ",
                    hash="2e5e76a38709871b01b3d3b6bf571da8a92c562d",
                    operation='INSERT OR UPDATE OF "town_id", "force_id", "operator_id"',
                    pgid="pgtrigger_premises_rules_7d03c",
                    table="premises_premises",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="premises",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "premises_premisesevent" ("active", "address", "contact_role", "created_at", "created_by_id", "disposed_at", "email", "force_id", "id", "licence_reference", "name", "notes", "operator_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "postcode", "reference", "sector", "town_id", "updated_at", "updated_by_id", "uprn", "version") VALUES (NEW."active", NEW."address", NEW."contact_role", NEW."created_at", NEW."created_by_id", NEW."disposed_at", NEW."email", NEW."force_id", NEW."id", NEW."licence_reference", NEW."name", NEW."notes", NEW."operator_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."phone", NEW."postcode", NEW."reference", NEW."sector", NEW."town_id", NEW."updated_at", NEW."updated_by_id", NEW."uprn", NEW."version"); RETURN NULL;',
                    hash="83974f32055b240c02ab3c0e0b1f3e9bb72001ab",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_3e4a5",
                    table="premises_premises",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="premises",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "premises_premisesevent" ("active", "address", "contact_role", "created_at", "created_by_id", "disposed_at", "email", "force_id", "id", "licence_reference", "name", "notes", "operator_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "postcode", "reference", "sector", "town_id", "updated_at", "updated_by_id", "uprn", "version") VALUES (NEW."active", NEW."address", NEW."contact_role", NEW."created_at", NEW."created_by_id", NEW."disposed_at", NEW."email", NEW."force_id", NEW."id", NEW."licence_reference", NEW."name", NEW."notes", NEW."operator_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."phone", NEW."postcode", NEW."reference", NEW."sector", NEW."town_id", NEW."updated_at", NEW."updated_by_id", NEW."uprn", NEW."version"); RETURN NULL;',
                    hash="03637641fa7e165b12003ff3941c632c2aff392f",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_7d9de",
                    table="premises_premises",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="premises",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "premises_premisesevent" ("active", "address", "contact_role", "created_at", "created_by_id", "disposed_at", "email", "force_id", "id", "licence_reference", "name", "notes", "operator_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "postcode", "reference", "sector", "town_id", "updated_at", "updated_by_id", "uprn", "version") VALUES (OLD."active", OLD."address", OLD."contact_role", OLD."created_at", OLD."created_by_id", OLD."disposed_at", OLD."email", OLD."force_id", OLD."id", OLD."licence_reference", OLD."name", OLD."notes", OLD."operator_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."phone", OLD."postcode", OLD."reference", OLD."sector", OLD."town_id", OLD."updated_at", OLD."updated_by_id", OLD."uprn", OLD."version"); RETURN NULL;',
                    hash="9efc031f93a685d66a76b7c4e8e1274d4de532f2",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_16c01",
                    table="premises_premises",
                    when="AFTER",
                ),
            ),
        ),
    ]
