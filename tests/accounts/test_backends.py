"""The sign-in backend (accounts/backends.py): Django's ModelBackend, reading the user with their
force in one query."""

import pytest

from accounts import roles
from accounts.backends import UserBackend

from ..factories import UserFactory


def test_the_user_comes_with_their_force_in_one_query(force, django_assert_num_queries):
    user = UserFactory(force=force, role=roles.SERGEANT)
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert loaded.force.name == force.name


@pytest.mark.parametrize("role", [roles.OFFICER, roles.SERGEANT, roles.COMMANDER, None])
def test_the_backend_grants_exactly_the_roles_permissions(force, role):
    user = UserFactory(force=force, role=role)
    loaded = UserBackend().get_user(user.pk)
    assert loaded.has_perm("training.schedule_training") == (role == roles.SERGEANT)
    assert loaded.has_perm("visits.view_visit") == (role is not None)


def test_inactive_and_missing_users_are_not_loaded(force):
    user = UserFactory(force=force, role=roles.OFFICER, is_active=False)
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(999_999) is None


def test_a_superuser_still_holds_every_permission(db):
    support = UserFactory(force=None, is_superuser=True, is_staff=True)
    assert UserBackend().get_user(support.pk).has_perm("retention.review_retention")
