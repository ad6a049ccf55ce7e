"""docs/security.md checks 19 and 20: security headers on every page, errors without internals."""

from unittest import mock

import pytest
from django.db import ProgrammingError
from django.test import Client
from django.urls import reverse

from ..conftest import PRODUCTION_SECRET_KEY, answer_prompt
from .test_url_coverage import DOWNLOAD, GET, HAPPY_PATHS

PAGES = {name: path for name, path in HAPPY_PATHS.items() if path[1] == GET}


def _get(everything, who, name, arguments, data):
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login(everything[who])
    url = reverse(name, kwargs=arguments(everything) if arguments else None)
    return client.get(url, data(everything) if callable(data) else data, secure=True)


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    pairs = [part.strip().split() for part in policy.split(";") if part.strip()]
    return {name: values for name, *values in pairs}


def assert_hardened(response, signed_in: bool):
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = _directives(response)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    scripts = csp.get("script-src", csp["default-src"])
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts)
    if signed_in:
        assert response["Cache-Control"] == "no-store"


def test_every_page_carries_the_security_headers_in_production(production, everything):
    wrong = {}
    for name, (who, _, arguments, data) in PAGES.items():
        response = _get(everything, who, name, arguments, data)
        if response.status_code == 302:
            continue  # a redirect on to the page itself, checked where it lands
        assert response.status_code == 200, name
        if not response["Content-Type"].startswith("text/html"):
            continue
        try:
            assert_hardened(response, signed_in=who != "anonymous")
        except (AssertionError, KeyError) as error:
            wrong[name] = repr(error)
    assert wrong == {}
    assert len(PAGES) >= 60


def test_downloads_carry_the_headers_and_are_not_cached(production, everything):
    for name, (who, how, arguments, _) in HAPPY_PATHS.items():
        if how != DOWNLOAD:
            continue
        client = Client()
        client.force_login(everything[who])
        url = reverse(name, kwargs=arguments(everything) if arguments else None)
        assert answer_prompt(client, client.get(url, secure=True), secure=True), name
        response = client.get(url, secure=True)
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "no-store", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert "attachment" in response.get("Content-Disposition", "attachment"), name


def test_the_sign_in_page_is_hardened_and_never_cached(production, db):
    response = Client().get(reverse("accounts:login"), secure=True)
    assert_hardened(response, signed_in=False)
    assert "no-store" in response["Cache-Control"]


def test_hsts_is_only_sent_over_https_and_off_on_a_laptop(settings, db):
    """The tests' plain-HTTP settings are a laptop's: no HSTS that would pin localhost."""
    settings.SECURE_HSTS_SECONDS = 0
    response = Client().get(reverse("accounts:login"))
    assert "Strict-Transport-Security" not in response


# -- 20. Errors without internals -------------------------------------------------------------

LEAKS = [
    "Traceback",
    "RuntimeError",
    "ProgrammingError",
    "premises_premises",
    "SELECT",
    "SECRET_KEY",
    PRODUCTION_SECRET_KEY,
    "DATABASES",
    "settings.py",
    ".py",
    "/work/",
    "site-packages",
    "Exception Value",
    "the secret detail",
]


def _assert_plain(response, heading: str):
    html = response.content.decode()
    assert heading in html
    assert [leak for leak in LEAKS if leak in html] == []


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("the secret detail: SECRET_KEY in settings.py"),
        ProgrammingError('relation "premises_premises" does not exist: SELECT the secret detail'),
    ],
    ids=["bug", "database"],
)
def test_an_exception_gives_the_plain_500_page(production, officer, error):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    with mock.patch("premises.views.page_with_total", side_effect=error):
        response = client.get(reverse("premises:list"), secure=True)
    assert response.status_code == 500
    _assert_plain(response, "Something went wrong")
    assert_hardened(response, signed_in=True)


def test_a_missing_record_gives_the_plain_404_page(production, officer):
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("premises:detail", args=[987654]), secure=True)
    assert response.status_code == 404
    _assert_plain(response, "<h1")
    assert "No Premises matches" not in response.content.decode()
    assert_hardened(response, signed_in=True)


def test_a_forbidden_page_gives_the_plain_403_page(production, commander):
    client = Client()
    client.force_login(commander)
    response = client.get(reverse("premises:create"), secure=True)
    assert response.status_code == 403
    _assert_plain(response, "<h1")
    assert_hardened(response, signed_in=True)


def test_an_unknown_url_gives_the_plain_404_page(production, officer):
    client = Client()
    client.force_login(officer)
    response = client.get("/no/such/page/", secure=True)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Using the URLconf" not in html
    assert "makesafe.urls" not in html
