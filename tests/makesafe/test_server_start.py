"""A server with DEBUG off refuses to start with the laptop's secret key or the embedded
database, whatever ALLOWED_HOSTS says (makesafe/checks.py); with no database at all, commands
that need none still run."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.checks import run_checks

from makesafe.checks import unsafe_settings

SERVER_KEY = "a-server-key-of-sixty-characters-that-nobody-else-uses-0123456"


def start_wsgi(**env) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(  # noqa: S603 - this virtualenv's Python importing the project
        [sys.executable, "-c", "import makesafe.wsgi"],
        cwd=settings.BASE_DIR,
        env={**inherited, "ALLOWED_HOSTS": "127.0.0.1,localhost", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_server_refuses_the_laptop_key_even_on_localhost():
    refused = start_wsgi(DEBUG="0")
    assert refused.returncode != 0
    assert "SECRET_KEY is the laptop default" in refused.stderr
    # With a key of its own the key is no longer the objection (the database role may still be).
    assert "SECRET_KEY" not in start_wsgi(DEBUG="0", SECRET_KEY=SERVER_KEY).stderr
    assert start_wsgi(DEBUG="1").returncode == 0  # a laptop may


def test_a_server_refuses_the_embedded_database(settings):
    settings.DEBUG = False
    settings.EMBEDDED_DATABASE = True
    settings.SECRET_KEY = SERVER_KEY
    assert [p.id for p in unsafe_settings()] == ["makesafe.E002"]
    deploy = [c.id for c in run_checks(include_deployment_checks=True)]
    assert "makesafe.E002" in deploy
    settings.DEBUG = True
    assert unsafe_settings() == []


def test_commands_that_need_no_database_run_without_one():
    # No DATABASE_URL (and, in CI, no embedded server): the migrations check still answers.
    inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    checked = subprocess.run(  # noqa: S603 - this virtualenv's Python and the project's manage.py
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=settings.BASE_DIR,
        env={**inherited, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "No changes detected" in checked.stdout


def test_checks_say_what_to_set_when_there_is_no_database(settings):
    settings.DATABASE_CONFIGURED = False
    assert "makesafe.W001" in [c.id for c in run_checks()]
    settings.DATABASE_CONFIGURED = True
    assert "makesafe.W001" not in [c.id for c in run_checks()]
