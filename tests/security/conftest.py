"""Records, clients and settings the security checks share (SECURITY.md)."""

import runpy
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import roles
from premises.models import Premises

from ..factories import (
    GuestInfoRequestFactory,
    NoticeFactory,
    OperationFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)

PROJECT_DIR = Path(django_settings.BASE_DIR)
PRODUCTION_HOST = "makesafe.example.police.uk"
# 60 characters of a key nobody uses: `check --deploy` wants 50 or more, of 5 or more kinds.
PRODUCTION_SECRET_KEY = "q8Zr2-Lw7vKp4Xn9Tb3Hs6Yd1Jf5Mg0Ra8Ue2Wc7Io4Pk9Sl3Nx6Vb1Qh5Ty0G"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer_prompt(
    client, response, recipient="Ipswich licensing team", reason="Licence review", **extra
):
    """If `response` sends the user to the disclosure prompt, answer it; True if it did."""
    if response.status_code != 302:
        return False
    prompt = urlsplit(response["Location"])
    if prompt.path != reverse("audit:disclose"):
        return False
    hidden = {key: values[0] for key, values in parse_qs(prompt.query).items()}
    data = {**hidden, "recipient": recipient, "reason": reason}
    answer = client.post(prompt.path, data, **extra)
    assert answer.status_code == 302, answer.content
    return True


def disclosed(client, url, data=None, **purpose):
    """GET a download or print, saying who it is for and why when asked."""
    response = client.get(url, data)
    if answer_prompt(client, response, **purpose):
        response = client.get(url, data)
    return response


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def walk(patterns=None, namespace=""):
    """(URL name, {argument: converter}) of every URL pattern of the site."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            prefix = _arguments(entry.pattern)
            found += [(name, {**prefix, **args}) for name, args in walk(entry.url_patterns, inner)]
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((f"{namespace}{entry.name}", _arguments(entry.pattern)))
    return found


def _arguments(pattern):
    converters = getattr(pattern, "converters", {})
    return {name: converters.get(name) for name in pattern.regex.groupindex}


@pytest.fixture
def superuser(db):
    """A support superuser: no force, no role, only the support site."""
    return UserFactory(username="support", force=None, is_superuser=True, is_staff=True)


@pytest.fixture
def superuser_client(superuser):
    return client_for(superuser)


@pytest.fixture
def inspector(force):
    return UserFactory(username="insp", force=force, rank="inspector", role=roles.SERGEANT)


@pytest.fixture
def records(force, town, officer, sergeant, inspector):
    """One of each record of `force`, linked the way real work links them."""
    premises = PremisesFactory(town=town, name="Cornhill Lodge")
    scenario = ScenarioFactory(force=force)
    operation = OperationFactory(force=force, scenario=scenario, lead_officer=officer)
    operation.premises.add(premises)
    participant = ParticipantFactory(force=force)
    visit = VisitFactory(premises=premises, officer=officer, scenario=scenario)
    visit.participants.add(participant)
    session = TrainingSessionFactory(premises=premises, visit=visit, owner=sergeant)
    notice = NoticeFactory(premises=premises, issued_by=inspector)
    guest_request = GuestInfoRequestFactory(notice=notice)
    return {
        "premises": premises,
        "scenario": scenario,
        "operation": operation,
        "participant": participant,
        "visit": visit,
        "session": session,
        "notice": notice,
        "guest_request": guest_request,
    }


@pytest.fixture
def everything(records, town, officer, sergeant, commander, force_admin, superuser):
    """`records` plus the people and the rows the support site lists."""
    attempt = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "someone"}
    attempt.update(http_accept="*/*", path_info="/accounts/login/")
    return {
        **records,
        "town": town,
        "officer": officer,
        "sergeant": sergeant,
        "commander": commander,
        "force_admin": force_admin,
        "superuser": superuser,
        "forgotten": make_forgotten(town),
        "axes.accessattempt": AccessAttempt.objects.create(
            **attempt, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": AxesAccessLog.objects.create(**attempt),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**attempt),
    }


def make_forgotten(town, **fields) -> Premises:
    """Premises untouched for longer than the force's review period: due a retention review."""
    premises = PremisesFactory(town=town, **fields)
    long_ago = timezone.now() - timedelta(days=366 * (town.force.review_period_years + 1))
    Premises.objects.filter(pk=premises.pk).update(created_at=long_ago, updated_at=long_ago)
    premises.refresh_from_db()
    return premises


@pytest.fixture(scope="session")
def production_settings():
    """The settings module as a server reads it: DEBUG off, a real key and host."""
    env = {
        "DEBUG": "0",
        "SECRET_KEY": PRODUCTION_SECRET_KEY,
        "ALLOWED_HOSTS": PRODUCTION_HOST,
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("HTTPS_ONLY", raising=False)
        values = runpy.run_path(str(PROJECT_DIR / "makesafe" / "settings.py"))
    return {name: value for name, value in values.items() if name.isupper()}


# What a production server sets differently from the tests' plain-HTTP defaults.
PRODUCTION_NAMES = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
]


@pytest.fixture
def production(settings, production_settings):
    """Django's settings as in production (HTTPS on), for requests made with `secure=True`."""
    for name in PRODUCTION_NAMES:
        setattr(settings, name, production_settings[name])
    return settings
