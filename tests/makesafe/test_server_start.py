"""A server with DEBUG off refuses to start with the laptop's secret key or the embedded
database, whatever ALLOWED_HOSTS says (makesafe/checks.py)."""

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
