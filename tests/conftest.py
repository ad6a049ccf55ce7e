"""Role fixtures (one user per role in `force`, plus an outsider) and test-only settings."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.roles import sync_roles

from .factories import ForceFactory, TownFactory, UserFactory


def pytest_configure(config):
    # WhiteNoise looks for collected static files, which tests never collect.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Make sure the role groups exist even if an earlier run's browser tests flushed them."""
    with django_db_blocker.unblock():
        sync_roles(apps)


def settings_for_tests(storages):
    """Settings tests need: plain HTTP, no collected static manifest, a fast password hasher."""
    return {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        # The manifest storage 500s without `collectstatic`.
        "STORAGES": {
            **storages,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # A real hasher costs about half a second per user created.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    }


@pytest.fixture(autouse=True)
def _test_settings(settings):
    for name, value in settings_for_tests(settings.STORAGES).items():
        setattr(settings, name, value)


@pytest.fixture
def force(db):
    return ForceFactory(code="SUF", name="Suffolk Constabulary")


@pytest.fixture
def other_force(db):
    return ForceFactory(code="NOR", name="Norfolk Constabulary")


@pytest.fixture
def town(force):
    return TownFactory(force=force, name="Ipswich")


@pytest.fixture
def other_town(other_force):
    return TownFactory(force=other_force, name="Norwich")


@pytest.fixture
def officer(force):
    return UserFactory(username="officer", force=force, role=roles.OFFICER)


@pytest.fixture
def sergeant(force):
    return UserFactory(username="sergeant", force=force, rank="sergeant", role=roles.SERGEANT)


@pytest.fixture
def second_sergeant(force):
    return UserFactory(
        username="sergeant.two",
        first_name="Sam",
        last_name="Okafor",
        force=force,
        rank="sergeant",
        role=roles.SERGEANT,
    )


@pytest.fixture
def inspector(force):
    """An inspector who may sign s.116 notices; holds the sergeant's role in the app."""
    return UserFactory(username="inspector", force=force, rank="inspector", role=roles.SERGEANT)


@pytest.fixture
def commander(force):
    return UserFactory(
        username="commander", force=force, rank="superintendent", role=roles.COMMANDER
    )


@pytest.fixture
def force_admin(force):
    return UserFactory(username="force.admin", force=force, rank="staff", role=roles.FORCE_ADMIN)


@pytest.fixture
def other_officer(other_force):
    return UserFactory(username="other.officer", force=other_force, role=roles.OFFICER)


@pytest.fixture
def other_sergeant(other_force):
    return UserFactory(
        username="other.sergeant", force=other_force, rank="sergeant", role=roles.SERGEANT
    )


@pytest.fixture
def other_force_admin(other_force):
    return UserFactory(
        username="other.admin", force=other_force, rank="staff", role=roles.FORCE_ADMIN
    )


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer):
    return _client_for(officer)


@pytest.fixture
def sergeant_client(sergeant):
    return _client_for(sergeant)


@pytest.fixture
def commander_client(commander):
    return _client_for(commander)


@pytest.fixture
def force_admin_client(force_admin):
    return _client_for(force_admin)


@pytest.fixture
def other_officer_client(other_officer):
    return _client_for(other_officer)


@pytest.fixture
def other_sergeant_client(other_sergeant):
    return _client_for(other_sergeant)


def answer_disclosure_prompt(client, response) -> bool:
    """If `response` sends the user to the disclosure prompt, say who it is for and why."""
    if response.status_code != 302:
        return False
    prompt = urlsplit(response["Location"])
    if prompt.path != reverse("audit:disclose"):
        return False
    hidden = {key: values[0] for key, values in parse_qs(prompt.query).items()}
    answer = {**hidden, "recipient": "The premises manager", "reason": "Outcome of a test visit"}
    assert client.post(prompt.path, answer).status_code == 302
    return True


def through_disclosure(client, url, data=None, method="get"):
    """Request a download or print, answering the disclosure prompt that guards it first."""
    response = getattr(client, method)(url, data)
    if answer_disclosure_prompt(client, response):
        response = getattr(client, method)(url, data)
    return response
