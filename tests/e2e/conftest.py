"""Browser tests: Debian's Chromium through Playwright, against pytest-django's live server."""

import os
import shutil

import pytest
from django.apps import apps
from django.conf import settings
from django.test.utils import override_settings

from accounts.roles import sync_roles

from ..conftest import settings_for_tests

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run under one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Screenshots for a person to look at after a run; nothing reads them back.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp/shots")  # noqa: S108


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def _live_server_settings():
    """The live server's middleware reads settings once, when it starts: set them before."""
    with override_settings(**settings_for_tests(settings.STORAGES)):
        yield


@pytest.fixture(scope="session")
def live_server(_live_server_settings, live_server):
    return live_server


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Transactional tests flush the database, role groups included: put them back."""
    sync_roles(apps)


@pytest.fixture(scope="session")
def screenshots():
    os.makedirs(SCREENSHOTS, exist_ok=True)
    return SCREENSHOTS
