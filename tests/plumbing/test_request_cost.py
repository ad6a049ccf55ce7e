"""What every request costs before a page's own work: one query for the session, its user, their
force and their permissions; reads outside a transaction, writes inside one."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts import roles
from accounts.backends import UserBackend
from accounts.models import Force, Session
from makesafe.middleware import AtomicWritesMiddleware

from ..factories import ForceFactory, UserFactory


@pytest.mark.parametrize(
    "role", [roles.OFFICER, roles.SERGEANT, roles.COMMANDER, roles.FORCE_ADMIN, None]
)
def test_the_backend_grants_exactly_what_django_would(force, role):
    user = UserFactory(force=force, role=role)
    user.user_permissions.add(Permission.objects.get(codename="view_town"))  # one of their own
    loaded = UserBackend().get_user(user.pk)
    plain = ModelBackend().get_user(user.pk)
    assert loaded.get_all_permissions() == ModelBackend().get_all_permissions(plain)
    assert (
        loaded._user_perm_cache
        == ModelBackend().get_user_permissions(plain)
        == {"premises.view_town"}
    )
    assert loaded._group_perm_cache == ModelBackend().get_group_permissions(plain)


def test_the_user_force_and_permissions_come_in_one_query(force, django_assert_num_queries):
    user = UserFactory(force=force, role=roles.SERGEANT)
    UserBackend().get_user(user.pk)  # the first in a process reads the permissions' names
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
    with django_assert_num_queries(0):
        assert loaded.force.name == force.name
        assert loaded.has_perm("training.schedule_training")
        assert not loaded.has_perm("accounts.change_force")


def test_inactive_and_missing_users_are_not_loaded(force):
    user = UserFactory(force=force, role=roles.OFFICER, is_active=False)
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(999_999) is None


def test_a_superuser_still_holds_every_permission(db):
    support = UserFactory(force=None, is_superuser=True, is_staff=True)
    assert UserBackend().get_user(support.pk).has_perm("retention.review_retention")


def test_a_page_view_costs_one_query_before_its_own(officer_client, django_assert_num_queries):
    officer_client.get(reverse("more"))  # the first page after sign-in stamps the session
    with django_assert_num_queries(2):  # session with user, force, permissions; the page's roles
        response = officer_client.get(reverse("more"))
        assert response.context["user"].force.name == "Suffolk Constabulary"
        assert response.context["user"].has_perm("visits.add_visit")
    assert response.status_code == 200


@pytest.fixture
def autocommit_roles(transactional_db):
    """Outside a test transaction, as in production (page views run in autocommit); the role
    groups made again, since a transactional test empties the tables after itself."""
    from django.apps import apps

    from accounts.roles import sync_roles

    sync_roles(apps)


def test_the_idle_clock_is_saved_with_one_update(autocommit_roles, officer_client, monkeypatch):
    """Every 30 seconds of activity a page also saves the session's last-seen time: one UPDATE,
    without BEGIN and COMMIT around it, so a list page stays within five queries."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer_client.get(reverse("more"))
    later = time.time() + 31
    monkeypatch.setattr(time, "time", lambda: later)
    with CaptureQueriesContext(connection) as page:
        assert officer_client.get(reverse("more")).status_code == 200
    sqls = [q["sql"] for q in page.captured_queries]
    assert len(sqls) == 3, sqls  # the session with its user, the page's roles, the save
    assert sqls[-1].startswith('UPDATE "accounts_session"')
    saved = Session.objects.get(session_key=officer_client.session.session_key)
    assert officer_client.session["last_seen"] == int(later)
    assert saved.get_decoded()["last_seen"] == int(later)


def test_a_session_deleted_meanwhile_is_not_written_back(autocommit_roles, officer_client):
    """Signed out elsewhere while a request ran: saving its session raises UpdateError, as with
    Django's own store (the session middleware then refuses the request), and creates no row."""
    from django.contrib.sessions.backends.base import UpdateError

    from accounts.sessions import SessionStore

    officer_client.get(reverse("more"))
    store = SessionStore(officer_client.session.session_key)
    store["last_seen"] = 1
    Session.objects.all().delete()
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_the_session_row_names_its_user(officer_client, officer):
    officer_client.get(reverse("more"))
    assert Session.objects.get(session_key=officer_client.session.session_key).user_id == officer.pk


def test_the_signed_data_not_the_hint_decides_who_is_signed_in(officer_client, officer, sergeant):
    officer_client.get(reverse("more"))
    Session.objects.filter(session_key=officer_client.session.session_key).update(user=sergeant)
    response = officer_client.get(reverse("more"))
    assert response.context["user"] == officer
    assert not response.context["user"].has_perm("training.schedule_training")


def test_a_user_read_for_one_request_never_serves_the_next(officer, sergeant):
    from accounts.sessions import SessionStore, signed_in_user

    signed_in_user.set(UserBackend().get_user(sergeant.pk))
    SessionStore()  # what SessionMiddleware makes for every request
    assert signed_in_user.get() is None


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


def test_a_permission_added_later_is_named_and_granted(force):
    from django.contrib.contenttypes.models import ContentType

    user = UserFactory(force=force, role=roles.OFFICER)
    UserBackend().get_user(user.pk)  # the names are now known in this process
    added = Permission.objects.create(
        codename="late_addition", name="Late", content_type=ContentType.objects.get_for_model(Force)
    )
    user.user_permissions.add(added)
    assert UserBackend().get_user(user.pk).has_perm("accounts.late_addition")
    user.user_permissions.remove(added)
    assert not UserBackend().get_user(user.pk).has_perm("accounts.late_addition")
