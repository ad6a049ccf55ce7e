"""Sign-in backend: Django's ModelBackend, loading the signed-in user with their force."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """Every page shows the user's force and scopes its records by it, so the user is read with
    their force in one query. Everything else (permissions, inactive users refused) is
    ModelBackend's."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("force")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
