"""The two PostgreSQL roles (docs/security.md check 23; README, Production deployment).

The owner role owns every table and runs the migrations (MIGRATION_DATABASE_URL, the "owner"
database alias). The runtime role the app connects as (DATABASE_URL) owns nothing: it reads and
writes ordinary tables, but may only add rows to the audit logs and the change history, so
neither the app nor anyone who takes it over can rewrite them, even by switching off or
dropping their append-only triggers. `manage.py migrate` grants it exactly that after each run,
and the app refuses to start with DEBUG off as a role that could do more.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg2 import sql

OWNER_ALIAS = "owner"

# Every model with a trigger of this name is append-only: the audit logs (audit/models.py) and
# pghistory's event tables (PGHISTORY_APPEND_ONLY).
APPEND_ONLY_TRIGGER = "append_only"

CURRENT_USER = "SELECT current_user"

# What the runtime role may do: read and write the tables, use their sequences and call the
# functions, in particular retention_erase_premises (retention/migrations), the one way to erase
# content from the logs and the history. No default privileges: a table is the runtime role's
# only once this has run after the migration that made it, and a restored backup keeps exactly
# the grants it was dumped with.
RUNTIME_GRANTS = (
    # PostgreSQL 15's default; said again for a server upgraded from an older one.
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
)
# ...minus changing or emptying the logs and the history.
APPEND_ONLY_REVOKE = "REVOKE UPDATE, DELETE, TRUNCATE ON TABLE {table} FROM {role}"

# Whether the connected role could get round the privileges: a superuser; a role that can create
# roles (in PostgreSQL 15 it can grant itself membership of the owner); or the owner, or a member
# of it, of the database, a schema or any table, view or sequence.
PRIVILEGED = """
SELECT r.rolname, r.rolsuper, r.rolcreaterole,
    pg_has_role(d.datdba, 'USAGE')
    OR EXISTS (
        SELECT 1 FROM pg_namespace n
        WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
            AND pg_has_role(n.nspowner, 'USAGE')
    )
    OR EXISTS (
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
            AND pg_has_role(c.relowner, 'USAGE')
    )
FROM pg_roles r, pg_database d
WHERE r.rolname = current_user AND d.datname = current_database()
"""


def append_only_tables() -> list[str]:
    """The tables the runtime role may only read and add to."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if any(t.name == APPEND_ONLY_TRIGGER for t in getattr(model._meta, "triggers", []))
    )


def _current_user(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute(CURRENT_USER)
        return cursor.fetchone()[0]


def grant_runtime_privileges(*, owner, runtime) -> str | None:
    """As the `owner` connection, give `runtime`'s role what the app needs and no more.

    Idempotent, and run after every migration: a table a later migration adds gets the same
    grants, and a new append-only table (any model with an `append_only` trigger) is left with
    SELECT and INSERT. Returns the runtime role's name, or None when both connections are the
    same role (a laptop or CI with one role: nothing to grant).
    """
    role = _current_user(runtime)
    if role == _current_user(owner):
        return None
    grantee = sql.Identifier(role)
    with owner.cursor() as cursor:
        for template in RUNTIME_GRANTS:
            cursor.execute(sql.SQL(template).format(role=grantee))
        for table in append_only_tables():
            cursor.execute(
                sql.SQL(APPEND_ONLY_REVOKE).format(table=sql.Identifier(table), role=grantee)
            )
    return role


def privileged_role_problem(connection) -> str | None:
    """Why the connected role may not run the app, or None if it may."""
    with connection.cursor() as cursor:
        cursor.execute(PRIVILEGED)
        role, superuser, createrole, owner = cursor.fetchone()
    if superuser:
        return f"the database role {role} is a superuser"
    if createrole:
        return f"the database role {role} can create roles"
    if owner:
        return f"the database role {role} owns the database, a schema or tables"
    return None


def refuse_privileged_role(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raise ImproperlyConfigured when, with DEBUG off, the app connects as more than the runtime
    role. Called as the WSGI and ASGI applications start (makesafe/wsgi.py, makesafe/asgi.py);
    manage.py commands may run as the owner."""
    if settings.DEBUG:
        return
    connection = connections[alias]
    try:
        problem = privileged_role_problem(connection)
    finally:
        # Not carried into the request cycle (or a forked worker): requests open their own.
        connection.close()
    if problem:
        raise ImproperlyConfigured(
            f"Makesafe refuses to start: {problem}. Set DATABASE_URL to the runtime role and "
            "MIGRATION_DATABASE_URL to the owner (README, Production deployment)."
        )
