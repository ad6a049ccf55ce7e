"""docs/security.md check 28: a backup restored into a fresh database is the same, history included.

The test writes (and commits) records, backs the test database up with `python -m
tools.localdb dump`, restores it with `... restore` into a new database on the same server,
and compares every table's row count and checksum, and every sequence.
"""

import os
import subprocess
import sys
import uuid
from urllib.parse import quote, urlencode

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.urls import reverse
from psycopg2 import sql

from accounts.roles import sync_roles
from audit.models import AccessLog, DisclosureLog
from premises.models import Premises

from ..conftest import PROJECT_DIR, client_for, disclosed, make_forgotten
from ..factories import (
    NoticeFactory,
    OperationFactory,
    PremisesFactory,
    TownFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _params(name: str) -> dict:
    """How Django connects to the test server (a unix socket of the embedded PostgreSQL
    included, which dj-database-url may put in OPTIONS), for database `name`."""
    params = connections["default"].get_connection_params()
    return {**params, "dbname": name}


def _url(name: str) -> str:
    params = _params(name)
    password = f":{quote(params['password'], safe='')}" if params.get("password") else ""
    where = urlencode(
        {"host": params.get("host") or "localhost", "port": params.get("port") or 5432}
    )
    return f"postgres://{params['user']}{password}@/{name}?{where}"


def _connect(name: str):
    return psycopg2.connect(**_params(name))


def fingerprint(name: str) -> dict:
    """Per table: rows and an md5 of all of them in a fixed order; per sequence: its value;
    and the triggers, which carry the append-only and cross-table rules."""
    found = {}
    connection = _connect(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
            tables = [row[0] for row in cursor.fetchall()]
            for table in tables:
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text)"
                        ", '')) FROM {} AS t"
                    ).format(sql.Identifier(table))
                )
                found[table] = cursor.fetchone()
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
            found["sequences"] = sorted(cursor.fetchall())
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal ORDER BY 1, 2"
            )
            found["triggers"] = cursor.fetchall()
    finally:
        connection.close()
    return found


@pytest.fixture
def fresh_database():
    name = f"{settings.DATABASES['default']['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = _connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


def localdb(command: str, path, database: str):
    result = subprocess.run(  # noqa: S603 - this virtualenv's Python and the project's module
        [sys.executable, "-m", "tools.localdb", command, str(path)],
        cwd=PROJECT_DIR,
        env={**os.environ, "DATABASE_URL": _url(database)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def committed_records():
    """Records of every kind, changed a little so that history and logs have rows."""
    sync_roles(apps)
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary")
    force = town.force
    officer = UserFactory(username="officer", force=force, role="Officer")
    sergeant = UserFactory(username="sergeant", force=force, rank="sergeant", role="Sergeant")
    premises = PremisesFactory(town=town, name="Cornhill Lodge", notes="Night porter")
    visit = VisitFactory(premises=premises, officer=officer)
    TrainingSessionFactory(premises=premises, visit=visit)
    NoticeFactory(premises=premises, issued_by=UserFactory(force=force, rank="inspector"))
    OperationFactory(force=force)
    Premises.objects.filter(pk=premises.pk).update(notes="Porter moved to days")
    make_forgotten(town, name="Quayside Inn")
    client = client_for(sergeant)
    client.get(reverse("visits:detail", args=[visit.pk]))
    disclosed(client, reverse("training:letter", args=[visit.pk]))
    assert AccessLog.objects.exists()
    assert DisclosureLog.objects.exists()
    return premises


def test_a_backup_restores_into_a_fresh_database_identically(
    committed_records, fresh_database, tmp_path
):
    source = settings.DATABASES["default"]["NAME"]
    backup = tmp_path / "makesafe.dump"
    before = fingerprint(source)
    assert "Backed up" in localdb("dump", backup, source).stdout
    assert backup.stat().st_size > 10_000
    assert backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format (-Fc)
    assert "Restored" in localdb("restore", backup, fresh_database).stdout
    after = fingerprint(fresh_database)
    assert after == before
    history = [t for t in before if t.endswith("event")]
    assert len(history) >= 8
    assert all(before[t][0] > 0 for t in ("premises_premisesevent", "visits_visitevent"))
    assert before["audit_accesslog"][0] > 0
    assert before["audit_disclosurelog"][0] > 0


def test_the_restored_logs_are_still_append_only(committed_records, fresh_database, tmp_path):
    source = settings.DATABASES["default"]["NAME"]
    backup = tmp_path / "makesafe.dump"
    localdb("dump", backup, source)
    localdb("restore", backup, fresh_database)
    connection = _connect(fresh_database)
    try:
        for table in ("audit_accesslog", "premises_premisesevent"):
            with (
                pytest.raises(psycopg2.Error, match="Cannot update or delete"),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            connection.rollback()
        # And the cross-table rules: a premises cannot take another force's town.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_force (name, code, training_due_days, retest_due_days, "
                "letter_due_days, review_period_years, training_contact, created_at, updated_at) "
                "VALUES ('Norfolk', 'NOR', 28, 365, 14, 6, '', now(), now()) RETURNING id"
            )
            (norfolk,) = cursor.fetchone()
            with pytest.raises(psycopg2.Error, match="premises_town_same_force"):
                cursor.execute("UPDATE premises_premises SET force_id = %s", [norfolk])
        connection.rollback()
    finally:
        connection.close()


def test_restoring_replaces_what_the_database_held(committed_records, fresh_database, tmp_path):
    source = settings.DATABASES["default"]["NAME"]
    backup = tmp_path / "makesafe.dump"
    localdb("dump", backup, source)
    localdb("restore", backup, fresh_database)
    # Later work, then a restore of the earlier backup over it: back to the backup exactly.
    expected = fingerprint(fresh_database)
    connection = _connect(fresh_database)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE premises_premises SET notes = 'changed after the backup'")
    connection.commit()
    connection.close()
    assert fingerprint(fresh_database) != expected
    localdb("restore", backup, fresh_database)
    assert fingerprint(fresh_database) == expected
