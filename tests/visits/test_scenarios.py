"""Scenario scripts: a version used by a visit is frozen, so changing it makes the next version."""

import pytest
from django.urls import reverse

from visits.models import Scenario
from visits.services import scenario_save

from ..factories import ScenarioFactory, VisitFactory


def scenario_data(**changes):
    data = {
        "name": "Room for the night",
        "sectors": ["hotel", "bnb"],
        "script": "An adult and a cadet ask for a double room for one night, paying cash.",
        "indicators": ["pays_cash", "double_bed", "short_stay"],
        "expected_version": 1,  # the edit counter the edit page was opened on
    }
    data.update(changes)
    return data


def test_the_list_and_detail_work(sergeant_client, scenario, other_force):
    ScenarioFactory(force=other_force, name="Norfolk taxi")
    response = sergeant_client.get(reverse("visits:scenario_list"))
    assert response.status_code == 200
    assert [s.name for s in response.context["page"]] == ["Room for the night"]
    assert b"Norfolk taxi" not in response.content
    response = sergeant_client.get(scenario.get_absolute_url())
    assert response.status_code == 200
    assert b"Pays cash / no card" in response.content
    assert b"Hotel, B&amp;B" in response.content


@pytest.mark.parametrize("client_name", ["officer_client", "commander_client"])
def test_officers_and_commanders_cannot_manage_scripts(request, client_name, scenario):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("visits:scenario_list")).status_code == 403
    assert client.get(scenario.get_absolute_url()).status_code == 403
    url = reverse("visits:scenario_edit", args=[scenario.pk])
    assert client.post(url, scenario_data(script="Changed.")).status_code == 403
    scenario.refresh_from_db()
    assert scenario.script != "Changed."


def test_a_sergeant_adds_a_scenario(sergeant_client, sergeant):
    response = sergeant_client.post(reverse("visits:scenario_create"), scenario_data())
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == scenario.get_absolute_url()
    assert (scenario.force, scenario.created_by) == (sergeant.force, sergeant)
    assert (scenario.version, scenario.is_current) == (1, True)
    assert scenario.sectors == ["hotel", "bnb"]


def test_a_scenario_name_is_unique_in_the_force(sergeant_client, scenario):
    response = sergeant_client.post(
        reverse("visits:scenario_create"), scenario_data(name="ROOM FOR  the night")
    )
    assert response.context["form"].errors["name"] == [
        "Your force already has a scenario with this name."
    ]
    assert Scenario.objects.count() == 1


def test_an_unused_scenario_is_edited_in_place(sergeant_client, scenario):
    response = sergeant_client.post(
        reverse("visits:scenario_edit", args=[scenario.pk]), scenario_data(script="Revised.")
    )
    assert response.status_code == 302
    assert response["Location"] == scenario.get_absolute_url()
    assert Scenario.objects.count() == 1
    scenario.refresh_from_db()
    assert (scenario.version, scenario.script, scenario.is_current) == (1, "Revised.", True)


def test_a_used_scenario_is_frozen_and_the_edit_makes_version_2(
    sergeant_client, scenario, premises
):
    visit = VisitFactory(premises=premises, scenario=scenario)
    original = scenario.script
    url = reverse("visits:scenario_edit", args=[scenario.pk])
    assert b"saving makes v2" in sergeant_client.get(url).content
    response = sergeant_client.post(
        url, scenario_data(script="Revised: add a cue about secrecy.", indicators=["secretive"])
    )
    v2 = Scenario.objects.get(version=2)
    assert response.status_code == 302
    assert response["Location"] == v2.get_absolute_url()
    assert (v2.name, v2.is_current, v2.script) == (
        "Room for the night",
        True,
        "Revised: add a cue about secrecy.",
    )
    assert v2.indicators == ["secretive"]
    scenario.refresh_from_db()
    assert (scenario.version, scenario.is_current, scenario.script) == (1, False, original)
    assert scenario.indicators == ["pays_cash", "no_luggage"]
    visit.refresh_from_db()
    assert visit.scenario == scenario
    messages = [str(m) for m in sergeant_client.get(v2.get_absolute_url()).context["messages"]]
    assert messages == ["Visits used version 1, so this is Room for the night (v2)."]


def test_a_superseded_version_cannot_be_edited(sergeant_client, scenario, premises):
    VisitFactory(premises=premises, scenario=scenario)
    url = reverse("visits:scenario_edit", args=[scenario.pk])
    sergeant_client.post(url, scenario_data(script="Version 2."))
    response = sergeant_client.post(url, scenario_data(script="Sneaky change to v1."))
    # Refused as a stale edit, the input kept; saving again would edit v2, not v1.
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    v2 = Scenario.objects.get(version=2)
    assert response.context["action"] == reverse("visits:scenario_edit", args=[v2.pk])
    assert v2.script == "Version 2."
    scenario.refresh_from_db()
    assert scenario.script != "Sneaky change to v1."
    assert Scenario.objects.count() == 2


def test_version_3_follows_version_2(sergeant, scenario, premises):
    VisitFactory(premises=premises, scenario=scenario)
    v2 = scenario_save(
        scenario=Scenario(pk=scenario.pk, **_fields(scenario)), user=sergeant, expected_revision=1
    )
    VisitFactory(premises=premises, scenario=v2)
    v3 = scenario_save(
        scenario=Scenario(pk=v2.pk, **_fields(v2, script="Three.")),
        user=sergeant,
        expected_revision=1,
    )
    assert [s.version for s in Scenario.objects.filter(is_current=True)] == [3]
    assert v3.version == 3
    assert Scenario.objects.count() == 3


def _fields(scenario, **changes):
    fields = {
        "force": scenario.force,
        "name": scenario.name,
        "version": scenario.version,
        "sectors": scenario.sectors,
        "script": scenario.script,
        "indicators": scenario.indicators,
    }
    fields.update(changes)
    return fields


def test_only_the_current_version_is_offered_when_logging(
    officer_client, sergeant, scenario, premises
):
    VisitFactory(premises=premises, scenario=scenario)
    scenario_save(
        scenario=Scenario(pk=scenario.pk, **_fields(scenario)), user=sergeant, expected_revision=1
    )
    offered = officer_client.get(reverse("visits:create", args=[premises.pk])).context["form"]
    assert [s.version for s in offered.fields["scenario"].queryset] == [2]


def test_the_detail_lists_every_version(sergeant_client, scenario, premises):
    VisitFactory(premises=premises, scenario=scenario)
    sergeant_client.post(
        reverse("visits:scenario_edit", args=[scenario.pk]), scenario_data(script="Two.")
    )
    v2 = Scenario.objects.get(version=2)
    html = sergeant_client.get(v2.get_absolute_url()).content.decode()
    assert f'href="{scenario.get_absolute_url()}">v1</a>' in html
    assert "<strong>v2</strong>" in html
    html = sergeant_client.get(scenario.get_absolute_url()).content.decode()
    assert "superseded" in html
    assert reverse("visits:scenario_edit", args=[scenario.pk]) not in html


def test_another_forces_scenario_is_not_found(sergeant_client, other_force):
    theirs = ScenarioFactory(force=other_force)
    assert sergeant_client.get(theirs.get_absolute_url()).status_code == 404
    url = reverse("visits:scenario_edit", args=[theirs.pk])
    assert sergeant_client.post(url, scenario_data(script="Changed.")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.script != "Changed."
