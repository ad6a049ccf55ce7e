"""Role fixtures (one user per role in `force`, plus an outsider), test-only settings, and the
records, clients and production settings the security checks share."""

import re
import runpy
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import roles
from accounts.roles import sync_roles
from premises.models import Premises

from .factories import (
    ForceFactory,
    GuestInfoRequestFactory,
    IssuedDocumentFactory,
    NationalScenarioFactory,
    NoticeFactory,
    OperationFactory,
    OperatorFactory,
    ParticipantFactory,
    PremisesFactory,
    ReminderFactory,
    ScenarioFactory,
    TownFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)

# What every signed-in request pays before a page's own work, as Django does it: the session
# (read, and saved every 30 seconds for the idle clock), the user read with their force, their
# own and their roles' permissions, transaction bookkeeping, and on pages of records the
# access-log row. `make bench` reports it on its own; the tests bound what a page adds to it.
OVERHEAD = re.compile(
    r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)\b"
    r'|^SELECT .* FROM "django_session" |^(UPDATE|INSERT INTO) "django_session" '
    r'|^SELECT .* FROM "accounts_user" LEFT OUTER JOIN "accounts_force" .*'
    r'WHERE "accounts_user"."id" = \d+ LIMIT \d+$'
    r'|^SELECT .* FROM "auth_permission" '
    r'|^INSERT INTO "audit_accesslog" ',
    re.DOTALL,
)


@pytest.fixture
def django_assert_max_own_queries():
    """Like pytest-django's django_assert_max_num_queries, for a page's own queries: the
    per-request OVERHEAD above is left out."""

    @contextmanager
    def at_most(limit: int):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        own = [q["sql"] for q in captured.captured_queries if not OVERHEAD.search(q["sql"])]
        if len(own) > limit:
            listed = "\n".join(f"{n}. {sql}" for n, sql in enumerate(own, 1))
            pytest.fail(f"Expected at most {limit} own queries, {len(own)} were run:\n{listed}")

    return at_most


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


@pytest.fixture
def national(db):
    """A national coordinator: no force, the national figures only."""
    return UserFactory(
        username="national", force=None, national=True, rank="staff",
        role=roles.NATIONAL_COORDINATOR,
    )  # fmt: skip


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
def national_client(national):
    return _client_for(national)


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


# --- Records, clients and settings the security checks share (docs/security.md) ---------

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
def records(force, town, officer, sergeant, inspector):
    """One of each record of `force`, linked the way real work links them."""
    premises = PremisesFactory(town=town, name="Cornhill Lodge", operator="Harbourside Hotels")
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
        "operator": premises.operator,
        # A second operator: a duplicate to merge into the first.
        "duplicate_operator": OperatorFactory(force=force, name="Harbourside Hotels Ltd"),
        "scenario": scenario,
        "operation": operation,
        "participant": participant,
        "visit": visit,
        "session": session,
        "notice": notice,
        "guest_request": guest_request,
    }


@pytest.fixture
def everything(records, town, officer, sergeant, commander, force_admin, superuser, national):
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
        "national": national,
        "forgotten": make_forgotten(town),
        # A letter as issued, for a visit of its own (records' visit has no letter yet).
        "document": IssuedDocumentFactory(
            visit=VisitFactory(premises=records["premises"], officer=officer)
        ),
        "axes.accessattempt": AccessAttempt.objects.create(
            **attempt, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": AxesAccessLog.objects.create(**attempt),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**attempt),
        "training.reminder": ReminderFactory(recipient=sergeant),
        "national_scenario": NationalScenarioFactory(published_by=national),
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
