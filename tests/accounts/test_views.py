"""Signing in and out, the health check, the force admin's user pages and the demo data."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.models import Force, User
from accounts.roles import ROLE_PERMISSIONS, sync_roles
from premises.models import Premises

from ..factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "tide mill harbour lantern"


def new_user_data(**changes):
    data = {
        "username": "jo.bloggs",
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "jo.bloggs@suffolk.police.example",
        "rank": "constable",
        "collar_number": "ab123",
        "role": roles.OFFICER,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(changes)
    return data


# -- sign in and out --------------------------------------------------------------------------


def test_the_login_page_works(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"Forgotten your password?" in response.content


def test_a_user_can_sign_in_with_their_password(client, officer):
    response = client.post(
        reverse("accounts:login"), {"username": "officer", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("premises:list")).status_code == 200


def test_a_wrong_password_is_refused(client, officer):
    response = client.post(reverse("accounts:login"), {"username": "officer", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_inactive_user_cannot_sign_in(client, officer):
    officer.is_active = False
    officer.save()
    client.post(reverse("accounts:login"), {"username": "officer", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_sign_in_goes_to_the_page_asked_for(client, officer):
    response = client.post(
        reverse("accounts:login") + "?next=/premises/",
        {"username": "officer", "password": TEST_PASSWORD, "next": "/premises/"},
    )
    assert response["Location"] == "/premises/"


def test_sign_in_never_sends_people_to_another_site(client, officer):
    response = client.post(
        reverse("accounts:login"),
        {"username": "officer", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_logout_is_post_only(officer_client):
    assert officer_client.get(reverse("accounts:logout")).status_code == 405
    response = officer_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    response = officer_client.get(reverse("premises:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_healthz_works_anonymously(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_pages_with_records_are_not_cached(officer_client):
    assert officer_client.get(reverse("home"))["Cache-Control"] == "no-store"


def test_the_password_change_page_works(officer_client, officer):
    response = officer_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)


def test_the_password_reset_pages_work_anonymously(client, officer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": officer.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert client.get(reverse("accounts:password_reset_done")).status_code == 200


# -- the force admin's user pages -------------------------------------------------------------


def test_the_user_list_works(force_admin_client, officer, sergeant):
    response = force_admin_client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "officer" in html and "sergeant" in html
    assert "Officer" in html and "Sergeant" in html


def test_a_force_admin_creates_a_user_who_can_then_sign_in(force_admin_client, force_admin):
    page = force_admin_client.get(reverse("accounts:user_create"))
    assert page.status_code == 200
    response = force_admin_client.post(reverse("accounts:user_create"), new_user_data())
    assert response.status_code == 302
    user = User.objects.get(username="jo.bloggs")
    assert user.force == force_admin.force
    assert user.role_names == [roles.OFFICER]
    assert user.collar_number == "AB123"
    assert user.is_active

    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "jo.bloggs", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("premises:create")).status_code == 200


def test_a_posted_force_is_ignored(force_admin_client, force_admin, other_force):
    force_admin_client.post(reverse("accounts:user_create"), new_user_data(force=other_force.pk))
    assert User.objects.get(username="jo.bloggs").force == force_admin.force


@pytest.mark.parametrize("password", ["short pass1", "Abcdefgh1!x", "password1234", "123456789012"])
def test_a_weak_password_is_refused(force_admin_client, password):
    response = force_admin_client.post(
        reverse("accounts:user_create"), new_user_data(password1=password, password2=password)
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="jo.bloggs").exists()


def test_a_password_under_12_characters_is_refused_with_a_reason(force_admin_client):
    response = force_admin_client.post(
        reverse("accounts:user_create"),
        new_user_data(password1="Xq7!mwpz3Lk", password2="Xq7!mwpz3Lk"),
    )
    assert "at least 12 characters" in str(response.context["form"].errors["password1"])


def test_a_64_character_passphrase_is_accepted(force_admin_client):
    phrase = "the tide turns slowly past the old mill at woodbridge every day x"[:64]
    response = force_admin_client.post(
        reverse("accounts:user_create"), new_user_data(password1=phrase, password2=phrase)
    )
    assert response.status_code == 302


def test_passwords_must_match(force_admin_client):
    response = force_admin_client.post(
        reverse("accounts:user_create"), new_user_data(password2=NEW_PASSWORD + "x")
    )
    assert "password2" in response.context["form"].errors


def test_a_collar_number_is_unique_within_the_force(force_admin_client, officer, other_officer):
    response = force_admin_client.post(
        reverse("accounts:user_create"), new_user_data(collar_number=officer.collar_number)
    )
    assert "collar_number" in response.context["form"].errors
    response = force_admin_client.post(
        reverse("accounts:user_create"),
        new_user_data(collar_number=other_officer.collar_number),
    )
    assert response.status_code == 302


def test_a_force_admin_edits_a_users_role_and_keeps_their_password(force_admin_client, officer):
    url = reverse("accounts:user_edit", args=[officer.pk])
    assert force_admin_client.get(url).status_code == 200
    response = force_admin_client.post(
        url,
        new_user_data(
            username="officer",
            collar_number=officer.collar_number,
            role=roles.SERGEANT,
            is_active="on",
            password1="",
            password2="",
            expected_version=1,
        ),
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.role_names == [roles.SERGEANT]
    assert officer.check_password(TEST_PASSWORD)


def test_a_force_admin_can_deactivate_a_user(force_admin_client, officer):
    force_admin_client.post(
        reverse("accounts:user_edit", args=[officer.pk]),
        new_user_data(
            username="officer",
            collar_number=officer.collar_number,
            password1="",
            password2="",
            expected_version=1,
        ),
    )
    officer.refresh_from_db()
    assert not officer.is_active


def test_a_force_admin_cannot_deactivate_themselves(force_admin_client, force_admin):
    response = force_admin_client.post(
        reverse("accounts:user_edit", args=[force_admin.pk]),
        new_user_data(
            username=force_admin.username,
            collar_number=force_admin.collar_number,
            role=roles.FORCE_ADMIN,
            password1="",
            password2="",
            expected_version=1,
        ),
    )
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    force_admin.refresh_from_db()
    assert force_admin.is_active


@pytest.mark.parametrize("name", ["accounts:user_list", "accounts:user_create"])
@pytest.mark.parametrize("role", ["officer", "sergeant", "commander"])
def test_other_roles_get_403_on_user_pages(request, db, role, name):
    client = request.getfixturevalue(f"{role}_client")
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), new_user_data()).status_code == 403
    assert not User.objects.filter(username="jo.bloggs").exists()


def test_an_officer_gets_403_on_user_edit(officer_client, sergeant):
    url = reverse("accounts:user_edit", args=[sergeant.pk])
    assert officer_client.get(url).status_code == 403


def test_a_support_superuser_without_a_force_gets_403_on_product_pages(db):
    client = Client()
    client.force_login(UserFactory(force=None, is_superuser=True, is_staff=True))
    assert client.get(reverse("premises:list")).status_code == 403
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


# -- roles ------------------------------------------------------------------------------------


def test_each_role_group_has_exactly_its_permissions(db):
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(names), role


def test_sync_roles_is_idempotent_and_leaves_the_app_registry_working(db):
    before = {app.label: app.models_module for app in apps.get_app_configs()}
    sync_roles(apps)
    sync_roles(apps)
    assert {app.label: app.models_module for app in apps.get_app_configs()} == before
    assert Group.objects.filter(name__in=roles.ROLES).count() == 4


# -- demo data --------------------------------------------------------------------------------


def _counts():
    """Rows per model of our own apps (whatever models they have by now)."""
    ours = {"accounts", "premises", "visits", "training", "demo"}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ours
    }


def test_seed_demo_is_idempotent(settings, db, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins")
    first = _counts()
    assert first["accounts.Force"] == 4
    assert first["premises.Premises"] > 20
    capsys.readouterr()
    call_command("seed_demo")
    assert _counts() == first
    out = capsys.readouterr().out
    summary = next(line for line in out.splitlines() if line.startswith("Demo data:"))
    assert set(re.findall(r"\d+", summary)) == {"0"}
    assert "makesafe-demo-2021" in out


def test_seed_demo_gives_each_role_a_login(settings, db):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins")
    suffolk_roles = {
        name for user in User.objects.filter(force__code="SUF") for name in user.role_names
    }
    assert suffolk_roles == set(roles.ROLES)


def test_seed_demo_refuses_with_debug_off(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not Force.objects.exists()
    assert not Premises.objects.exists()


def test_seed_demo_runs_with_debug_off_when_allowed(settings, db):
    settings.DEBUG = False
    call_command("seed_demo", "--allow-production", "--quiet-logins")
    assert Force.objects.filter(code="SUF").exists()
