"""Session engine: Django's database sessions, with the signed-in user read in the same query.

Django reads the session row, then the user, on every request. Here the session row (a model of
our own, accounts.Session, which also keeps the user's id) is read joined to the user, their
force and their permissions; the user is handed to accounts.backends.UserBackend for this one
request, which then needs no query of its own. Every request runs this query, so it is written
once as SQL (placeholders for the values), the user and force rows coming back as JSON and made
into model instances exactly as the ORM would (makesafe/jsonrows.py): compiling the same
queryset anew on each request cost more than running it. Django's checks all still run on it: the
session's user id and backend, the password-hash check that ends sessions after a password
change, and refusal of inactive users.
"""

import contextvars
import json

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.utils import timezone

from makesafe.jsonrows import instances

# The user read with this request's session. Every request makes a new SessionStore, which
# clears it, so a user read for one request can never serve another.
signed_in_user: contextvars.ContextVar = contextvars.ContextVar("signed_in_user", default=None)


class SessionStore(DBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        signed_in_user.set(None)

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def _get_session_from_db(self):
        """Django's own read of the session row, joined to the user, force and permissions."""
        from .backends import remember_permissions
        from .models import Force, User

        row = self._read(self.session_key)
        if row is None:
            self._session_key = None
            return None
        session_key, session_data, expire_date, user_id, user, force, own, of_groups = row
        session = self.model.from_db(
            DEFAULT_DB_ALIAS,
            ["session_key", "session_data", "expire_date", "user_id"],
            [session_key, session_data, expire_date, user_id],
        )
        if user is not None:
            # Text: Django leaves JSON for its JSONField to parse.
            (user,) = instances(User, [json.loads(user)])
            force = instances(Force, [json.loads(force)])[0] if force is not None else None
            User.force.field.set_cached_value(user, force)
            self.model.user.field.set_cached_value(session, user)
            remember_permissions(user, own, of_groups)
            signed_in_user.set(user)
        return session

    @staticmethod
    def _read(session_key):
        """The unexpired session row with its user, force and the ids of the user's own and
        their groups' permissions, or None."""
        if not session_key:
            return None
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(
                """
                SELECT s.session_key, s.session_data, s.expire_date, s.user_id,
                    to_jsonb(u), to_jsonb(f),
                    ARRAY(SELECT p.permission_id FROM accounts_user_user_permissions p
                          WHERE p.user_id = u.id),
                    ARRAY(SELECT gp.permission_id FROM auth_group_permissions gp
                          JOIN accounts_user_groups ug ON ug.group_id = gp.group_id
                          WHERE ug.user_id = u.id)
                FROM accounts_session s
                LEFT JOIN accounts_user u ON u.id = s.user_id
                LEFT JOIN accounts_force f ON f.id = u.force_id
                WHERE s.session_key = %s AND s.expire_date > %s
                """,
                [session_key, timezone.now()],
            )
            return cursor.fetchone()

    def save(self, must_create=False):
        """As Django's, but an existing session is saved with its one UPDATE alone: Django wraps
        it in a transaction (BEGIN and COMMIT round trips) that a single statement does not
        need. It runs every 30 seconds of activity (the idle clock, makesafe/middleware.py) and
        on every sign-in change. Creating a session keeps Django's way (its retry on a key
        collision needs the savepoint), and so does a save inside a transaction, which a
        failed UPDATE must not spoil."""
        using = router.db_for_write(self.model)
        if must_create or self.session_key is None or connections[using].in_atomic_block:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())
        try:
            obj.save(force_update=True, using=using)
        except DatabaseError as exc:
            raise UpdateError from exc

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY, ""))
        session.user_id = int(user_id) if user_id.isdigit() else None
        return session
