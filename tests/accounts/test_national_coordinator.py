"""Who makes a national coordinator: support staff, by command or on the support site; never a
force admin (accounts/roles.py, docs/security.md check 39)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import roles
from accounts.models import User
from premises.models import Premises


def test_the_command_makes_a_national_coordinator_without_a_force(db, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "a long enough passphrase 42")
    call_command("create_national_coordinator", "nat.one", "--email", "n@makesafe.invalid")
    user = User.objects.get(username="nat.one")
    assert (user.force, user.national, user.role_names) == (
        None,
        True,
        [roles.NATIONAL_COORDINATOR],
    )
    assert user.check_password("a long enough passphrase 42")
    assert user.is_national_coordinator


def test_the_command_refuses_a_weak_password_and_a_taken_name(db, monkeypatch, officer):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "short")
    with pytest.raises(CommandError):
        call_command("create_national_coordinator", "nat.two", "--email", "n@makesafe.invalid")
    with pytest.raises(CommandError, match="taken"):
        call_command("create_national_coordinator", "officer", "--email", "o@makesafe.invalid",
                     "--no-password")  # fmt: skip
    assert not User.objects.filter(username="nat.two").exists()


def test_the_support_site_says_what_is_wrong_with_a_national_user(superuser_client, officer):
    national_role = Group.objects.get(name=roles.NATIONAL_COORDINATOR)
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"national": "on", "groups": [national_role.pk], "force": officer.force_id})
    data.update({"date_joined_0": "01/01/2024", "date_joined_1": "10:00"})
    response = superuser_client.post(url, {k: v for k, v in data.items() if k != "password"})
    assert response.status_code == 200
    assert "A national coordinator belongs to no force." in response.content.decode()
    officer.refresh_from_db()
    assert not officer.national


def test_the_national_user_has_a_home_page_with_the_national_pages(national_client):
    page = national_client.get(reverse("home")).content.decode()
    assert reverse("reports:national") in page
    assert reverse("reports:national_press") in page
    assert "belongs to no force" not in page
    assert reverse("premises:list") not in page


def test_no_model_shows_a_national_coordinator_any_row(everything, national):
    """Every visible_to() of every model answers nothing for the role (docs/security.md
    check 39), with one of each record in the database."""
    shown = {}
    for model in apps.get_models():
        visible_to = getattr(model._default_manager, "visible_to", None)
        if visible_to is None or not model._default_manager.exists():
            continue
        if visible_to(national).exists():
            shown[model._meta.label] = visible_to(national).count()
    # The national library's scripts are the role's own work, published to every force: no
    # force's record (a force's adoption of one is its Scenario, which the role never sees).
    assert shown == {"visits.NationalScenario": 1}
    assert Premises.objects.exists()
