"""Records most visit tests share: Suffolk premises, a cadet, a scenario and an operation."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from ..factories import OperationFactory, ParticipantFactory, PremisesFactory, ScenarioFactory


@pytest.fixture
def premises(town):
    return PremisesFactory(town=town, name="Cornhill Lodge", reference="SUF-H-0001")


@pytest.fixture
def cadet(force):
    return ParticipantFactory(force=force, code="C-014")


@pytest.fixture
def scenario(force):
    return ScenarioFactory(
        force=force, name="Room for the night", indicators=["pays_cash", "no_luggage"]
    )


@pytest.fixture
def operation(force, scenario, premises, officer):
    operation = OperationFactory(
        force=force, name="Makesafe Ipswich", scenario=scenario, lead_officer=officer
    )
    operation.premises.add(premises)
    return operation


def typed(when: datetime.datetime) -> str:
    """A time as an officer types it into the form: 18/09/2021 20:15, London time."""
    return timezone.localtime(when).strftime("%d/%m/%Y %H:%M")


def an_hour_ago() -> str:
    return typed(timezone.now() - datetime.timedelta(hours=1))


def visit_data(premises, cadets=(), **changes):
    """The log-visit form filled in for a failed visit; `False` leaves a tick box unticked."""
    data = {
        "premises": premises.pk,
        "operation": "",
        "risk_assessment_ref": "RA-2026-0042",
        "visited_at": an_hour_ago(),
        "participants": [c.pk for c in cadets],
        "scenario": "",
        "indicators": ["pays_cash", "no_id"],
        "stage_reached": "key_issued",
        "outcome": "completed",
        "police_contact": "none",
        "reason": "",
        "staff_roles": ["receptionist"],
        "debrief_held": True,
        "debrief_attendees": ["manager"],
        "debrief_notes": "Manager briefed on the signs; posters left at reception.",
        "material_left": ["posters"],
        "training_offered": True,
        "training_accepted": False,
        "welfare_debrief_done": True,
        "retest_of": "",
    }
    data.update(changes)
    return {
        key: ("on" if value is True else value)
        for key, value in data.items()
        if value is not False and value is not None
    }


def error_beside(response, field: str, message: str) -> None:
    """`message` is shown in the field's own error block, not only in the summary at the top."""
    html = response.content.decode()
    assert message in response.context["form"].errors.get(field, []), response.context[
        "form"
    ].errors
    pattern = rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>{re.escape(escape(message))}</strong>'
    assert re.search(pattern, html), f"no error beside {field}"
