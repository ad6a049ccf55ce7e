"""Two people of one force adopting the same national script at the same moment make one
scenario: the second waits for the first, then finds what it made."""

import threading

import pytest
from django.apps import apps
from django.db import connection

from accounts import roles
from accounts.roles import sync_roles
from visits import services
from visits.models import Scenario

from ..factories import NationalScenarioFactory, UserFactory


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Transactional tests run after the browser tests' flushes: put the role groups back."""
    sync_roles(apps)


def test_two_adoptions_at_once_make_one_scenario(force, monkeypatch):
    script = NationalScenarioFactory()
    people = [UserFactory(force=force, role=roles.SERGEANT, rank="sergeant") for _ in range(2)]
    inside, save = threading.Event(), services.scenario_save

    def slow_save(**kwargs):
        scenario = save(**kwargs)
        inside.set()
        threading.Event().wait(1)  # the second adoption starts while this one is uncommitted
        return scenario

    monkeypatch.setattr(services, "scenario_save", slow_save)
    made, failed = {}, {}

    def adopt(n):
        try:
            made[n] = services.scenario_adopt(
                national=script, user=people[n], expected_revision=None
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failed[n] = error
        finally:
            connection.close()

    first = threading.Thread(target=adopt, args=(0,))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=adopt, args=(1,))
    second.start()
    first.join(15)
    second.join(15)
    assert failed == {}
    assert made[0].pk == made[1].pk == Scenario.objects.get().pk
