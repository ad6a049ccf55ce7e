"""docs/security.md check 23, by privileges: the app cannot rewrite its own audit trail.

The tests build a database the way README's *Production deployment* does (an owner role that
owns it and runs `manage.py migrate`, a runtime role the app connects as, the demo data loaded
through the app as that role), then try, as the runtime role, every way around the append-only
triggers: UPDATE, DELETE, TRUNCATE, pgtrigger's own switch, disabling or dropping a trigger.
Roles are cluster-wide, so theirs are named after this run's test database; the tests need a
superuser, as CI's and the embedded server's are.
"""

import os
import secrets
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import quote

import pghistory.models
import psycopg2
import pytest
from django.apps import apps
from django.db import connection
from psycopg2 import errors, sql

from retention.services import ERASED

from ..conftest import PRODUCTION_HOST, PRODUCTION_SECRET_KEY, PROJECT_DIR


def event_models():
    """Every change-history table: pghistory's event models, found from the app registry."""
    return [model for model in apps.get_models() if issubclass(model, pghistory.models.Event)]


def log_models():
    """Every log table: the audit app's models."""
    return list(apps.get_app_config("audit").get_models())


def document_models():
    """Letters and notices kept as issued: never changed, deleted only by disposal."""
    return [apps.get_model("training", "IssuedDocument")]


def append_only_tables() -> list[str]:
    return sorted(
        {model._meta.db_table for model in event_models() + log_models() + document_models()}
    )


def other_tables() -> list[str]:
    every = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(every - set(append_only_tables()))


def _url(user: str, password: str, database: str, settings_dict: dict) -> str:
    host, port = settings_dict["HOST"] or "localhost", settings_dict["PORT"] or 5432
    secret = f":{quote(password, safe='')}" if password else ""
    if host.startswith("/"):  # a unix socket, as the embedded server's
        return f"postgres://{user}{secret}@/{database}?host={quote(host, safe='/')}&port={port}"
    return f"postgres://{user}{secret}@{host}:{port}/{database}"


class Deployed:
    """A database of its own with an owner and a runtime role, each with a URL."""

    def __init__(self, settings_dict: dict):
        prefix = settings_dict["NAME"]  # this run's test database: unique on the server
        self.settings_dict = settings_dict
        self.database = f"{prefix}_deployed"
        self.owner, self.app = f"{prefix}_owner", f"{prefix}_app"
        self.password = secrets.token_urlsafe(16)
        self.urls = {
            "owner": _url(self.owner, self.password, self.database, settings_dict),
            "app": _url(self.app, self.password, self.database, settings_dict),
            "superuser": _url(
                settings_dict["USER"], settings_dict["PASSWORD"], self.database, settings_dict
            ),
        }

    def connect(self, role: str | None = None, database: str | None = None):
        """A psycopg2 connection as `role` (the test run's superuser when None)."""
        return psycopg2.connect(
            dbname=database or self.database,
            user=role or self.settings_dict["USER"],
            password=(self.password if role else self.settings_dict["PASSWORD"]) or None,
            host=self.settings_dict["HOST"] or "localhost",
            port=self.settings_dict["PORT"] or 5432,
        )

    def drop(self):
        admin = self.connect(database="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database)
                )
            )
            for role in (self.app, self.owner):
                cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.close()

    def create(self):
        self.drop()  # what a run that was stopped half-way left
        admin = self.connect(database="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            for role in (self.owner, self.app):
                cursor.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(self.password)
                    )
                )
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(self.database), sql.Identifier(self.owner)
                )
            )
        admin.close()


def run(args, **env) -> subprocess.CompletedProcess:
    # The browser tests' conftest allows the ORM under Playwright's event loop; no server does.
    skip = {"DJANGO_ALLOW_ASYNC_UNSAFE", "MIGRATION_DATABASE_URL", "DEBUG", "SECRET_KEY"}
    inherited = {k: v for k, v in os.environ.items() if k not in skip}
    production = {
        "DEBUG": "0",
        "SECRET_KEY": PRODUCTION_SECRET_KEY,
        "ALLOWED_HOSTS": PRODUCTION_HOST,
    }
    return subprocess.run(  # noqa: S603 - this virtualenv's Python and the project's manage.py
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env={**inherited, **production, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def deployed(django_db_setup):
    """Migrated as the owner with `manage.py migrate`, demo data loaded as the runtime role."""
    db = Deployed(connection.settings_dict)
    db.create()
    try:
        migrated = run(
            ["manage.py", "migrate", "--noinput"],
            DATABASE_URL=db.urls["app"],
            MIGRATION_DATABASE_URL=db.urls["owner"],
        )
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        db.migrate_output = migrated.stdout
        seeded = run(
            ["manage.py", "seed_demo", "--quiet-logins"], DATABASE_URL=db.urls["app"], DEBUG="1"
        )
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        yield db
    finally:
        db.drop()


@contextmanager
def cursor_as(db: Deployed, role: str | None):
    """A cursor as `role` in a transaction that is rolled back whatever happens."""
    conn = db.connect(role)
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.rollback()
        conn.close()


def refused(cursor, statement, params=None, error=errors.InsufficientPrivilege):
    cursor.execute("SAVEPOINT attempt")
    with pytest.raises(error):
        cursor.execute(statement, params)
    cursor.execute("ROLLBACK TO SAVEPOINT attempt")


def test_every_log_and_history_table_is_walked():
    tables = append_only_tables()
    assert {"audit_accesslog", "audit_disclosurelog", "audit_erasurelog"} <= set(tables)
    assert {"premises_premisesevent", "visits_visitevent", "accounts_userevent"} <= set(tables)
    assert len(event_models()) >= 10


def test_migrate_runs_as_the_owner_and_the_runtime_role_owns_nothing(deployed):
    assert f"Granted the runtime role {deployed.app} its privileges." in deployed.migrate_output
    with cursor_as(deployed, None) as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace"
        )
        assert cursor.fetchall() == [(deployed.owner,)]
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc "
            "WHERE pronamespace = 'public'::regnamespace"
        )
        assert cursor.fetchall() == [(deployed.owner,)]
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, pg_has_role(rolname, %s, 'MEMBER'), "
            "(SELECT count(*) FROM pg_class WHERE relowner = r.oid) "
            "+ (SELECT count(*) FROM pg_proc WHERE proowner = r.oid) "
            "+ (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) "
            "+ (SELECT count(*) FROM pg_database WHERE datdba = r.oid) "
            "FROM pg_roles r WHERE rolname = %s",
            [deployed.owner, deployed.app],
        )
        assert cursor.fetchone() == (False, False, False, False, 0)


def test_the_runtime_role_may_only_read_and_add_to_logs_and_history(deployed):
    kinds = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    granted = {}
    with cursor_as(deployed, None) as cursor:
        for table in append_only_tables() + other_tables():
            cursor.execute(
                "SELECT kind FROM unnest(%s::text[]) AS kind "
                "WHERE has_table_privilege(%s, %s, kind)",
                [kinds, deployed.app, table],
            )
            granted[table] = {kind for (kind,) in cursor.fetchall()}
    expected = {table: {"SELECT", "INSERT"} for table in append_only_tables()}
    expected |= {table: {"SELECT", "INSERT", "UPDATE", "DELETE"} for table in other_tables()}
    assert granted == expected


def test_the_runtime_role_cannot_change_or_empty_a_log_or_history_table(deployed):
    with cursor_as(deployed, deployed.app) as cursor:
        cursor.execute("SELECT count(*) FROM premises_premisesevent")
        assert cursor.fetchone()[0] > 0  # the demo data's history, through the app's own role
        for table in append_only_tables():
            name = sql.Identifier(table)
            cursor.execute(
                "SELECT coalesce(array_agg(tgname), '{}') FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
            (triggers,) = cursor.fetchone()
            assert any(t.startswith("pgtrigger_append_only_") for t in triggers), table
            refused(cursor, sql.SQL("UPDATE {} SET id = id").format(name))
            refused(cursor, sql.SQL("DELETE FROM {}").format(name))
            refused(cursor, sql.SQL("TRUNCATE {}").format(name))
            # pgtrigger's switch turns its triggers off for this session; the privileges stay.
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s::text, false)", [triggers])
            refused(cursor, sql.SQL("DELETE FROM {}").format(name))
            refused(cursor, sql.SQL("UPDATE {} SET id = id").format(name))
            cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', false)")


def test_the_runtime_role_cannot_switch_off_or_drop_triggers_or_tables(deployed):
    with cursor_as(deployed, deployed.app) as cursor:
        for table in append_only_tables() + ["premises_premises", "visits_visit"]:
            name = sql.Identifier(table)
            refused(cursor, sql.SQL("ALTER TABLE {} DISABLE TRIGGER ALL").format(name))
            refused(cursor, sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(name))
            refused(cursor, sql.SQL("DROP TABLE {}").format(name))
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE tgname LIKE 'pgtrigger\\_append\\_only\\_%' LIMIT 1"
        )
        table, trigger = cursor.fetchone()
        refused(
            cursor,
            sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(
                sql.Identifier(table), sql.Identifier(trigger)
            ),
        )
        refused(
            cursor,
            sql.SQL("DROP TRIGGER {} ON {}").format(sql.Identifier(trigger), sql.Identifier(table)),
        )
        refused(cursor, "SET session_replication_role = replica")
        refused(cursor, "CREATE TABLE audit_forged (id bigint)")


def test_tables_a_later_migration_adds_get_the_runtime_grants(deployed):
    with cursor_as(deployed, deployed.owner) as cursor:
        cursor.execute("CREATE TABLE later_records (id bigint GENERATED BY DEFAULT AS IDENTITY)")
        cursor.connection.commit()
    try:
        migrated = run(
            ["manage.py", "migrate", "--noinput"],
            DATABASE_URL=deployed.urls["app"],
            MIGRATION_DATABASE_URL=deployed.urls["owner"],
        )
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        with cursor_as(deployed, None) as cursor:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'later_records', 'SELECT, INSERT, UPDATE, DELETE')"
                ", has_table_privilege(%s, 'later_records', 'TRUNCATE')",
                [deployed.app, deployed.app],
            )
            assert cursor.fetchone() == (True, False)
    finally:
        with cursor_as(deployed, deployed.owner) as cursor:
            cursor.execute("DROP TABLE later_records")
            cursor.connection.commit()


def test_the_erasure_function_runs_as_the_owner_and_only_the_runtime_role_may_call_it(deployed):
    with cursor_as(deployed, None) as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(proowner), prosecdef, proconfig, "
            "has_function_privilege(%s, oid, 'EXECUTE'), "
            "EXISTS (SELECT 1 FROM aclexplode(proacl) WHERE grantee = 0) "
            "FROM pg_proc WHERE proname = 'retention_erase_premises'",
            [deployed.app],
        )
        owner, definer, config, runtime_may, public_may = cursor.fetchone()
    assert (owner, definer, runtime_may, public_may) == (deployed.owner, True, True, False)
    assert "search_path=pg_catalog, public, pg_temp" in config


def test_the_runtime_role_disposes_of_premises_through_the_erasure_function(deployed):
    with cursor_as(deployed, deployed.app) as cursor:
        cursor.execute(
            "SELECT p.id, p.name, p.force_id, u.id FROM premises_premises p "
            "JOIN accounts_user u ON u.force_id = p.force_id "
            "WHERE EXISTS (SELECT 1 FROM visits_visit v WHERE v.premises_id = p.id) "
            "ORDER BY p.id, u.id LIMIT 1"
        )
        premises, name, force, user = cursor.fetchone()
        cursor.execute(
            "INSERT INTO audit_accesslog (force_id, user_id, at, action, view, object_type, "
            "path, params) VALUES (%s, %s, now(), 'list', 'premises:list', '', '/premises/', "
            "jsonb_build_object('q', %s::text)) RETURNING id",
            [force, user, name],
        )
        (row,) = cursor.fetchone()
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        cursor.execute(
            "SELECT retention_erase_premises(%s, %s, %s)", [premises, user, "Past review"]
        )
        (entry,) = cursor.fetchone()
        cursor.execute("SELECT params ->> 'q' FROM audit_accesslog WHERE id = %s", [row])
        assert cursor.fetchone() == (ERASED,)
        cursor.execute(
            "SELECT name, disposed_at IS NOT NULL FROM premises_premises WHERE id = %s", [premises]
        )
        assert cursor.fetchone() == ("Disposed premises", True)
        cursor.execute(
            "SELECT count(*) FROM premises_premisesevent WHERE pgh_obj_id = %s AND name = %s",
            [premises, name],
        )
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT object_id, user_id FROM audit_erasurelog WHERE id = %s", [entry])
        assert cursor.fetchone() == (premises, user)
        # The triggers the function switched off for its own work are on again, and the role's
        # own privileges are what they were.
        cursor.execute("SELECT current_setting('pgtrigger.ignore')")
        assert cursor.fetchone() == ("{}",)
        refused(cursor, "DELETE FROM premises_premisesevent")
        refused(
            cursor,
            "SELECT retention_erase_premises(%s, %s, %s)",
            [premises, user, "Again"],
            error=errors.CheckViolation,
        )


def test_the_app_refuses_to_start_as_a_superuser_or_the_owner(deployed):
    start = ["-c", "import makesafe.wsgi, makesafe.asgi"]
    assert run(start, DATABASE_URL=deployed.urls["app"]).returncode == 0
    for role, why in [("owner", "owns the database"), ("superuser", "is a superuser")]:
        refused_start = run(start, DATABASE_URL=deployed.urls[role])
        assert refused_start.returncode != 0
        assert "Makesafe refuses to start" in refused_start.stderr
        assert why in refused_start.stderr
    # A laptop (DEBUG on) may run as one role for everything.
    assert run(start, DATABASE_URL=deployed.urls["owner"], DEBUG="1").returncode == 0
