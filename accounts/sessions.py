"""Session engine: Django's database sessions, with the signed-in user read in the same query.

Django reads the session row, then the user, on every request. Here the session row (a model of
our own, accounts.Session, which also keeps the user's id) is read joined to the user, their
force and their permissions; the user is handed to accounts.backends.UserBackend for this one
request, which then needs no query of its own. Django's checks all still run on it: the
session's user id and backend, the password-hash check that ends sessions after a password
change, and refusal of inactive users.
"""

import contextvars
import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

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
        from .backends import remember_permissions, with_permissions

        sessions = with_permissions(self.model.objects.select_related("user__force"), "user")
        try:
            session = sessions.get(session_key=self.session_key, expire_date__gt=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            self._session_key = None
            return None
        if session.user is not None:
            remember_permissions(
                session.user, session.own_permission_ids, session.group_permission_ids
            )
            signed_in_user.set(session.user)
        return session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY, ""))
        session.user_id = int(user_id) if user_id.isdigit() else None
        return session
