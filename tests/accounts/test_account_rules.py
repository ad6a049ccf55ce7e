"""What a force admin may do to accounts, and how passwords are guarded (docs/security.md checks 4,
7 and 21): support accounts are out of the force admin's reach, a password reset is in the
history, and a wrong old password on the password-change form counts towards the sign-in
lockout."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import RESET_EVENT, User

from ..conftest import client_for
from ..factories import TEST_PASSWORD, UserFactory
from ..security.formdata import PASSPHRASE, user_post


@pytest.fixture(params=["staff", "superuser"])
def support_account(request, force):
    """An account of the service's support staff that happens to sit in the force."""
    flags = {"is_staff": True} if request.param == "staff" else {"is_superuser": True}
    return UserFactory(username="support.person", force=force, **flags)


def _edit(user, **changes) -> dict:
    return user_post(
        username=user.username, collar_number="", expected_version=user.version, **changes
    )


def test_a_force_admin_cannot_open_or_change_a_support_account(force_admin, support_account):
    client = client_for(force_admin)
    url = reverse("accounts:user_edit", args=[support_account.pk])
    assert client.get(url).status_code == 403
    before = User.objects.values().get(pk=support_account.pk)
    for changes in [
        {"first_name": "Renamed"},  # edit
        {"password1": PASSPHRASE, "password2": PASSPHRASE},  # reset
        {"is_active": ""},  # deactivate
        {"role": "Force admin"},  # change of role
    ]:
        assert client.post(url, _edit(support_account, **changes)).status_code == 403
    assert User.objects.values().get(pk=support_account.pk) == before
    assert not support_account.groups.exists()
    listing = client.get(reverse("accounts:user_list")).content.decode()
    assert url not in listing  # listed, but without an edit link


def test_a_force_admin_cannot_unlock_a_support_account(force_admin, support_account):
    for _ in range(5):
        Client().post(reverse("accounts:login"), {"username": "support.person", "password": "x"})
    client = client_for(force_admin)
    client.post(reverse("accounts:lockouts"), {"username": "support.person"})
    refused = Client().post(
        reverse("accounts:login"), {"username": "support.person", "password": TEST_PASSWORD}
    )
    assert refused.status_code == 429  # still locked


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_force_admin_cannot_grant_support_rights(force_admin, officer, flag):
    client = client_for(force_admin)
    client.post(reverse("accounts:user_edit", args=[officer.pk]), _edit(officer, **{flag: "on"}))
    client.post(reverse("accounts:user_create"), user_post(**{flag: "on"}))
    created = User.objects.get(username="new.officer")
    officer.refresh_from_db()
    assert not getattr(officer, flag) and not getattr(created, flag)


def test_a_password_reset_is_in_the_history_with_who_did_it(force_admin, officer):
    client = client_for(force_admin)
    url = reverse("accounts:user_edit", args=[officer.pk])
    changes = {"password1": PASSPHRASE, "password2": PASSPHRASE, "role": "Officer"}
    assert client.post(url, _edit(officer, **changes)).status_code == 302
    event = officer.events.get(pgh_label=RESET_EVENT)
    assert event.pgh_context.metadata["user"] == force_admin.pk
    history = client.get(reverse("audit:history", args=["accounts.user", officer.pk]))
    page = history.content.decode()
    assert "Password reset" in page and str(force_admin) in page
    assert PASSPHRASE not in page
    # An edit that leaves the password alone records no reset.
    client.post(url, _edit(officer, role="Officer", password1="", password2=""))
    assert officer.events.filter(pgh_label=RESET_EVENT).count() == 1


def test_wrong_old_passwords_count_towards_the_sign_in_lockout(officer):
    client = client_for(officer)
    url = reverse("accounts:password_change")
    wrong = {"old_password": "not it", "new_password1": PASSPHRASE, "new_password2": PASSPHRASE}
    for _ in range(5):
        response = client.post(url, wrong)
        assert response.status_code in (200, 429)
    right = {**wrong, "old_password": TEST_PASSWORD}
    assert client.post(url, right).status_code == 429  # locked: even the right one is refused
    officer.refresh_from_db()
    assert officer.check_password(TEST_PASSWORD)
    refused = Client().post(
        reverse("accounts:login"), {"username": "officer", "password": TEST_PASSWORD}
    )
    assert refused.status_code == 429


def test_the_right_old_password_still_changes_it(officer):
    client = client_for(officer)
    right = {
        "old_password": TEST_PASSWORD,
        "new_password1": PASSPHRASE,
        "new_password2": PASSPHRASE,
    }
    response = client.post(reverse("accounts:password_change"), right)
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(PASSPHRASE)


def test_a_username_longer_than_any_account_is_refused_not_a_500(officer):
    response = Client().post(reverse("accounts:login"), {"username": "x" * 300, "password": "y"})
    assert response.status_code == 200
    assert response.context["form"].errors
