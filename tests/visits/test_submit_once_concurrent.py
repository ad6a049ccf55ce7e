"""Two POSTs of one visit form's one-time key at the same moment save one visit."""

import threading
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.roles import sync_roles
from visits import views as visit_views
from visits.models import Visit

from .test_submit_once import posted


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """pytest-django runs transactional tests last, after the browser tests' flushes have
    emptied the role groups: put them back."""
    sync_roles(apps)


def test_two_posts_of_one_key_at_the_same_moment_save_one_visit(
    officer, premises, cadet, monkeypatch
):
    """The first POST holds its claim while it saves; the second arrives meanwhile, waits on
    the unique key in the database, and is answered with the first one's visit."""
    inside, save = threading.Event(), visit_views.visit_save

    def slow_save(**kwargs):
        visit = save(**kwargs)
        inside.set()
        threading.Event().wait(1)  # the second POST arrives while this one is uncommitted
        return visit

    monkeypatch.setattr(visit_views, "visit_save", slow_save)
    url, key, responses = reverse("visits:create", args=[premises.pk]), uuid.uuid4(), {}

    def send(name):
        client = Client()
        client.force_login(officer)
        try:
            responses[name] = client.post(url, posted(premises, cadet, key))
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    first.join(15)
    second.join(15)
    visit = Visit.objects.get()
    assert responses["first"].status_code == responses["second"].status_code == 302
    assert responses["first"].url == responses["second"].url == visit.get_absolute_url()
