"""The national scenario library: the national coordinator publishes scripts and revisions;
a force adopts one as a version of its own, and is offered later revisions, never given them."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from common.concurrency import StaleEdit
from visits.models import NationalScenario, Scenario
from visits.services import national_scenario_publish, scenario_adopt, scenario_save

from ..factories import NationalScenarioFactory, ScenarioFactory, VisitFactory


def publish_data(**changes):
    return {
        "name": "Room for a few hours",
        "sectors": ["hotel", "bnb"],
        "script": "A cadet and an older adult ask for a room for the afternoon, paying cash.",
        "indicators": ["pays_cash", "short_stay", "not_family"],
        **changes,
    }


@pytest.fixture
def script(national):
    return NationalScenarioFactory(name="Room for a few hours", published_by=national)


def revise(script, national, text="Revised: the adult answers for the cadet.") -> NationalScenario:
    new = NationalScenario(sectors=script.sectors, script=text, indicators=script.indicators)
    return national_scenario_publish(scenario=new, user=national, revises=script)


def adopt_url(script):
    return reverse("visits:library_adopt", args=[script.pk])


# -- The database's rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"version": 0},
        {"name": ""},
        {"script": ""},
        {"sectors": []},
        {"sectors": ["spaceport"]},
        {"indicators": ["made_up"]},
    ],
    ids=["version", "name", "script", "no-sector", "bad-sector", "bad-indicator"],
)
def test_the_database_refuses_a_bad_national_script(national, fields):
    row = NationalScenarioFactory.build(published_by=national, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalScenario.objects.bulk_create([row])


def test_a_version_of_a_national_script_is_published_once(script, national):
    twin = NationalScenarioFactory.build(name=script.name.upper(), version=1, published_by=national)
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalScenario.objects.bulk_create([twin])


def test_an_adopted_national_script_cannot_be_deleted(script, sergeant):
    scenario_adopt(national=script, user=sergeant, expected_revision=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalScenario.objects.filter(pk=script.pk).delete()


# -- Services --------------------------------------------------------------------------------------


def test_a_revision_is_a_new_row_with_the_next_version(script, national):
    v2 = revise(script, national)
    assert (v2.name, v2.version, v2.published_by) == (script.name, 2, national)
    script.refresh_from_db()
    assert script.version == 1 and "Revised" not in script.script
    assert list(NationalScenario.objects.latest()) == [v2]


def test_revising_a_version_that_is_no_longer_the_newest_is_refused(script, national):
    v2 = revise(script, national)
    with pytest.raises(StaleEdit) as refused:
        revise(script, national, text="Written on v1 without seeing v2.")
    assert refused.value.current == v2
    assert NationalScenario.objects.count() == 2


def test_adopting_makes_a_scenario_of_the_force_that_remembers_its_origin(script, sergeant):
    scenario = scenario_adopt(national=script, user=sergeant, expected_revision=None)
    assert (scenario.force, scenario.name, scenario.version) == (sergeant.force, script.name, 1)
    assert (scenario.script, scenario.adopted_from, scenario.created_by) == (
        script.script,
        script,
        sergeant,
    )
    assert scenario.sectors == script.sectors and scenario.indicators == script.indicators


def test_adopting_twice_changes_nothing(script, sergeant):
    first = scenario_adopt(national=script, user=sergeant, expected_revision=None)
    again = scenario_adopt(national=script, user=sergeant, expected_revision=None)
    assert again == first
    assert Scenario.objects.count() == 1


def test_a_revision_is_never_applied_until_the_force_adopts_it(script, national, sergeant):
    v1 = scenario_adopt(national=script, user=sergeant, expected_revision=None)
    v2 = revise(script, national)
    v1.refresh_from_db()
    assert (v1.adopted_from, v1.is_current, v1.script) == (script, True, script.script)
    adopted = scenario_adopt(national=v2, user=sergeant, expected_revision=v1.revision)
    assert (adopted.version, adopted.adopted_from, adopted.script) == (2, v2, v2.script)
    v1.refresh_from_db()
    assert (v1.is_current, v1.script) == (False, script.script)


def test_adopting_over_the_forces_own_script_keeps_it_as_an_earlier_version(
    script, force, sergeant
):
    own = ScenarioFactory(force=force, name="room for a few hours", script="Our own words.")
    adopted = scenario_adopt(national=script, user=sergeant, expected_revision=own.revision)
    own.refresh_from_db()
    assert (adopted.name, adopted.version, adopted.adopted_from) == (own.name, 2, script)
    assert (own.is_current, own.script) == (False, "Our own words.")


def test_adopting_is_refused_if_the_forces_script_changed_since_it_was_seen(
    script, force, sergeant
):
    own = ScenarioFactory(force=force, name=script.name)
    scenario_save(scenario=own, user=sergeant, expected_revision=own.revision)  # someone edits
    with pytest.raises(StaleEdit):
        scenario_adopt(national=script, user=sergeant, expected_revision=1)
    with pytest.raises(StaleEdit):
        scenario_adopt(national=script, user=sergeant, expected_revision=None)
    assert Scenario.objects.get().adopted_from is None


def test_a_version_used_by_visits_is_kept_when_a_revision_is_adopted(
    script, national, sergeant, premises, officer
):
    v1 = scenario_adopt(national=script, user=sergeant, expected_revision=None)
    VisitFactory(premises=premises, officer=officer, scenario=v1)
    v2 = revise(script, national)
    scenario_adopt(national=v2, user=sergeant, expected_revision=v1.revision)
    v1.refresh_from_db()
    assert (v1.is_current, v1.adopted_from, v1.visits.count()) == (False, script, 1)


# -- The national coordinator's pages -------------------------------------------------------------


def test_the_national_coordinator_publishes_a_script(national_client, national):
    response = national_client.post(reverse("visits:national_scenario_create"), publish_data())
    assert response.status_code == 302
    script = NationalScenario.objects.get()
    assert (script.name, script.version, script.published_by) == (
        "Room for a few hours",
        1,
        national,
    )
    page = national_client.get(reverse("visits:national_scenario_list"))
    assert [s.name for s in page.context["page"]] == ["Room for a few hours"]


def test_a_name_already_in_the_library_is_refused_with_the_input_kept(national_client, script):
    response = national_client.post(
        reverse("visits:national_scenario_create"), publish_data(name="ROOM for a few  hours")
    )
    assert response.status_code == 200
    assert "publish a revision" in response.context["form"].errors["name"][0]
    assert NationalScenario.objects.count() == 1


def test_the_national_coordinator_publishes_a_revision(national_client, script):
    url = reverse("visits:national_scenario_revise", args=[script.pk])
    page = national_client.get(url)
    assert page.context["form"]["script"].value() == script.script
    response = national_client.post(
        url, publish_data(script="Revised text.", notes="The adult now answers.")
    )
    assert response.status_code == 302
    v2 = NationalScenario.objects.latest().get()
    assert (v2.name, v2.version, v2.script, v2.notes) == (
        script.name,
        2,
        "Revised text.",
        "The adult now answers.",
    )


def test_a_stale_revision_is_refused_with_the_text_kept(national_client, national, script):
    v2 = revise(script, national)
    url = reverse("visits:national_scenario_revise", args=[script.pk])
    response = national_client.post(url, publish_data(script="Written on v1."))
    assert response.status_code == 200
    assert "v2 was published since you opened v1" in response.content.decode()
    assert response.context["form"]["script"].value() == "Written on v1."
    assert response.context["action"] == reverse("visits:national_scenario_revise", args=[v2.pk])
    assert NationalScenario.objects.count() == 2


# -- The force's pages ----------------------------------------------------------------------------


def test_the_library_offers_each_script_and_a_newer_revision(
    sergeant_client, sergeant, national, script
):
    other = NationalScenarioFactory(name="Taxi to an address out of town", published_by=national)
    scenario_adopt(national=script, user=sergeant, expected_revision=None)
    page = sergeant_client.get(reverse("visits:library")).content.decode()
    assert "Adopted" in page and "Adopt v1" in page  # this one adopted, the other offered
    v2 = revise(script, national)
    response = sergeant_client.get(reverse("visits:library"))
    rows = {s.name: s for s in response.context["page"]}
    assert rows[script.name].pk == v2.pk and rows[other.name].ours_pk is None
    assert "A newer national revision is available:" in response.content.decode()
    assert f'href="{adopt_url(v2)}">adopt v2</a>' in response.content.decode()


def test_a_sergeant_adopts_and_the_scenario_page_says_where_it_came_from(sergeant_client, script):
    page = sergeant_client.get(adopt_url(script))
    assert "Adopting adds it to your scenario scripts as v1" in page.content.decode()
    response = sergeant_client.post(adopt_url(script), {"expected_revision": ""})
    scenario = Scenario.objects.get()
    assert response.status_code == 302 and response["Location"] == scenario.get_absolute_url()
    page = sergeant_client.get(scenario.get_absolute_url()).content.decode()
    assert "Adopted from national library:" in page
    assert f"{script.name} v1</a>" in page


def test_a_stale_adoption_is_refused_and_says_so(sergeant_client, sergeant, script, force):
    own = ScenarioFactory(force=force, name=script.name)
    scenario_save(scenario=own, user=sergeant, expected_revision=own.revision)
    response = sergeant_client.post(adopt_url(script), {"expected_revision": "1"})
    assert response.status_code == 200 and response.context["stale"]
    assert Scenario.objects.get().adopted_from is None


def test_an_adoption_sent_twice_saves_once(sergeant_client, script):
    key = "3b2c6a4e-1d52-4e43-8a1f-0a6e9a7d5c11"
    for _ in range(2):
        response = sergeant_client.post(adopt_url(script), {"expected_revision": "", "key": key})
        assert response.status_code == 302
    assert Scenario.objects.count() == 1


@pytest.mark.parametrize("client_name", ["officer_client", "commander_client", "national_client"])
def test_only_those_who_manage_scripts_may_adopt(request, client_name, script):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("visits:library")).status_code == 403
    assert client.post(adopt_url(script), {"expected_revision": ""}).status_code == 403
    assert not Scenario.objects.exists()


@pytest.mark.parametrize("client_name", ["sergeant_client", "force_admin_client"])
def test_forces_cannot_publish(request, client_name, script):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("visits:national_scenario_list")).status_code == 403
    response = client.post(reverse("visits:national_scenario_create"), publish_data(name="X"))
    assert response.status_code == 403
    url = reverse("visits:national_scenario_revise", args=[script.pk])
    assert client.post(url, publish_data()).status_code == 403
    assert NationalScenario.objects.count() == 1


def test_another_forces_adoption_is_never_shown(
    sergeant_client, other_force, other_officer, script
):
    other_sergeant = other_officer  # any user of the other force: the service takes its force
    theirs = scenario_adopt(national=script, user=other_sergeant, expected_revision=None)
    page = sergeant_client.get(reverse("visits:library"))
    assert page.context["page"][0].ours_pk is None
    assert "Adopted" not in page.content.decode()
    assert sergeant_client.get(adopt_url(script)).context["ours"] is None
    assert sergeant_client.get(theirs.get_absolute_url()).status_code == 404
    # Adopting here makes the sergeant's force its own version 1, beside the other force's.
    sergeant_client.post(adopt_url(script), {"expected_revision": ""})
    assert Scenario.objects.filter(adopted_from=script).count() == 2


# -- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 25])
def test_the_library_pages_run_a_fixed_number_of_queries(
    n, sergeant, sergeant_client, national, national_client, django_assert_max_own_queries
):
    for i in range(n):
        script = NationalScenarioFactory(name=f"Script {i}", published_by=national)
        scenario_adopt(national=script, user=sergeant, expected_revision=None)
        revise(script, national)
    # The library in one query; the other four are a sergeant's work-queue badges in the bar.
    with django_assert_max_own_queries(5):
        assert sergeant_client.get(reverse("visits:library")).status_code == 200
    with django_assert_max_own_queries(2):
        assert national_client.get(reverse("visits:national_scenario_list")).status_code == 200


def test_the_demo_data_shows_an_adopted_script_with_a_newer_revision(db):
    call_command("seed_demo", allow_production=True, quiet_logins=True)
    client = Client()
    client.force_login(User.objects.get(username="sergeant"))
    rows = {s.name: s for s in client.get(reverse("visits:library")).context["page"]}
    assert len(rows) == 2
    booked = rows["Booked online, paid in cash"]
    assert (booked.version, booked.ours_from) == (2, 1)
