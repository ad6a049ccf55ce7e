"""What every request costs before a page's own work (Django's session, the user read with their
force, ModelBackend's permissions), and transactions: reads outside one, writes inside one
(makesafe/middleware.py)."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Force
from makesafe.middleware import AtomicWritesMiddleware

from ..conftest import OVERHEAD
from ..factories import ForceFactory


def test_a_page_view_pays_django_s_overhead_before_its_own(officer_client):
    officer_client.get(reverse("more"))  # the first page after sign-in stamps the session
    with CaptureQueriesContext(connection) as page:
        response = officer_client.get(reverse("more"))
    tables = [q["sql"].split(" FROM ", 1)[-1].split(" ", 1)[0] for q in page.captured_queries]
    # The session, the user with their force, their own and their roles' permissions; then the
    # page's own query (the user's roles).
    overhead = ['"django_session"', '"accounts_user"', '"auth_permission"', '"auth_permission"']
    assert tables == [*overhead, '"auth_group"']
    # What the query-count tests leave out as overhead (tests/conftest.py) is exactly that.
    classified = [bool(OVERHEAD.search(q["sql"])) for q in page.captured_queries]
    assert classified == [True, True, True, True, False]
    assert response.context["user"].force.name == "Suffolk Constabulary"


@pytest.fixture
def autocommit_roles(transactional_db):
    """Outside a test transaction, as in production (page views run in autocommit); the role
    groups made again, since a transactional test empties the tables after itself."""
    from django.apps import apps

    from accounts.roles import sync_roles

    sync_roles(apps)


def test_the_idle_clock_is_saved_every_30_seconds(autocommit_roles, officer_client, monkeypatch):
    officer_client.get(reverse("more"))
    later = time.time() + 31
    monkeypatch.setattr(time, "time", lambda: later)
    with CaptureQueriesContext(connection) as page:
        assert officer_client.get(reverse("more")).status_code == 200
    sqls = [q["sql"] for q in page.captured_queries]
    assert [sql for sql in sqls if sql.startswith("UPDATE")] == [sqls[-2]]
    assert sqls[-2].startswith('UPDATE "django_session"')
    saved = Session.objects.get(session_key=officer_client.session.session_key)
    assert saved.get_decoded()["last_seen"] == int(later)


# --- Transactions: writes atomic, reads not ----------------------------------------------------


def _run(method: str, view):
    request = getattr(RequestFactory(), method)("/anything/")
    middleware = AtomicWritesMiddleware(lambda request: HttpResponse())
    return middleware.process_view(request, view, (), {})


@pytest.mark.django_db(transaction=True)
def test_a_post_that_fails_half_way_writes_nothing():
    def view(request):
        ForceFactory(code="HALF", name="Half-written")
        raise RuntimeError("the second write failed")

    with pytest.raises(RuntimeError):
        _run("post", view)
    assert not Force.objects.filter(code="HALF").exists()


@pytest.mark.django_db(transaction=True)
def test_a_post_runs_in_a_transaction_and_commits():
    seen = {}

    def view(request):
        seen["atomic"] = connection.in_atomic_block
        ForceFactory(code="DONE", name="Written")
        return HttpResponse("ok")

    assert _run("post", view).content == b"ok"
    assert seen["atomic"] is True
    assert Force.objects.filter(code="DONE").exists()


@pytest.mark.django_db(transaction=True)
def test_a_get_runs_without_a_transaction():
    assert _run("get", lambda request: HttpResponse()) is None  # Django calls the view itself
    assert not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_views_marked_non_atomic_are_left_alone():
    called = []

    @transaction.non_atomic_requests
    def view(request):
        called.append(True)
        return HttpResponse()

    assert _run("post", view) is None
    assert called == []
