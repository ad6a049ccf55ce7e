"""Operation pages: planning, the premises checklist with its progress, editing and closing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from visits.models import Operation

from ..factories import OperationFactory, PremisesFactory, ScenarioFactory, VisitFactory
from .conftest import visit_data


def operation_data(**changes):
    data = {
        "name": "Makesafe Bury St Edmunds",
        "date": "18/09/2021",
        "end_date": "",
        "towns": [],
        "lead_officer": "",
        "scenario": "",
        "risk_assessment_ref": "RA/2021/118",
        "briefing_notes": "Meet at Bury police station at 18:00.",
        "premises": [],
    }
    data.update(changes)
    return data


# -- list -------------------------------------------------------------------------------------


def test_the_list_works(commander_client, operation, force, other_force):
    OperationFactory(force=force, name="Makesafe Lowestoft", status=Operation.Status.COMPLETED)
    OperationFactory(force=other_force, name="Makesafe Norwich")
    response = commander_client.get(reverse("visits:operation_list"))
    assert response.status_code == 200
    assert [o.name for o in response.context["page"]] == ["Makesafe Ipswich", "Makesafe Lowestoft"]
    assert b"Makesafe Norwich" not in response.content
    assert b"Plan an operation" not in response.content  # commanders read only


def test_the_list_filters_by_status(officer_client, operation, force):
    OperationFactory(force=force, name="Makesafe Lowestoft", status=Operation.Status.COMPLETED)
    response = officer_client.get(reverse("visits:operation_list"), {"status": "completed"})
    assert [o.name for o in response.context["page"]] == ["Makesafe Lowestoft"]
    response = officer_client.get(reverse("visits:operation_list"), {"status": "nonsense"})
    assert len(response.context["page"]) == 2


def test_the_list_counts_planned_premises_visited(officer_client, operation, premises, town):
    operation.premises.add(PremisesFactory(town=town), PremisesFactory(town=town))
    VisitFactory(premises=premises, operation=operation)
    VisitFactory(premises=premises, operation=operation)  # a second visit to the same premises
    html = officer_client.get(reverse("visits:operation_list")).content.decode()
    assert "1 of 3 planned" in html


# -- create and edit --------------------------------------------------------------------------


def test_an_officer_plans_an_operation(officer_client, officer, town, premises, scenario):
    assert officer_client.get(reverse("visits:operation_create")).status_code == 200
    response = officer_client.post(
        reverse("visits:operation_create"),
        operation_data(
            towns=[town.pk], premises=[premises.pk], scenario=scenario.pk, lead_officer=officer.pk
        ),
    )
    operation = Operation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == operation.get_absolute_url()
    assert operation.force == officer.force
    assert operation.created_by == officer
    assert operation.status == Operation.Status.PLANNED
    assert operation.date == datetime.date(2021, 9, 18)
    assert list(operation.towns.all()) == [town]
    assert list(operation.premises.all()) == [premises]
    assert operation.scenario == scenario


def test_the_new_operation_form_puts_the_user_in_the_lead(officer_client, officer):
    form = officer_client.get(reverse("visits:operation_create")).context["form"]
    assert form.fields["lead_officer"].initial == officer.pk


def test_an_operation_name_is_unique_in_the_force(officer_client, operation, other_force):
    OperationFactory(force=other_force, name="Makesafe Norwich")
    response = officer_client.post(
        reverse("visits:operation_create"), operation_data(name="makesafe  IPSWICH")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Your force already has an operation with this name."
    ]
    response = officer_client.post(
        reverse("visits:operation_create"), operation_data(name="Makesafe Norwich")
    )
    assert response.status_code == 302


def test_an_operation_cannot_end_before_it_starts(officer_client):
    response = officer_client.post(
        reverse("visits:operation_create"), operation_data(end_date="17/09/2021")
    )
    assert response.context["form"].errors["end_date"] == [
        "The end date cannot be before the start date."
    ]
    assert not Operation.objects.exists()


def test_another_forces_premises_and_scenario_cannot_be_planned(
    officer_client, other_town, other_force
):
    response = officer_client.post(
        reverse("visits:operation_create"),
        operation_data(
            premises=[PremisesFactory(town=other_town).pk],
            scenario=ScenarioFactory(force=other_force).pk,
        ),
    )
    assert set(response.context["form"].errors) == {"premises", "scenario"}
    assert not Operation.objects.exists()


def test_an_officer_edits_an_operation(officer_client, operation, premises, town):
    extra = PremisesFactory(town=town, name="Orwell Quay Hotel")
    url = reverse("visits:operation_edit", args=[operation.pk])
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(
        url,
        operation_data(
            name="Makesafe Ipswich North",
            premises=[premises.pk, extra.pk],
            expected_version=1,
        ),
    )
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.name == "Makesafe Ipswich North"
    assert operation.version == 2
    assert set(operation.premises.all()) == {premises, extra}


def test_a_stale_operation_edit_is_refused(officer_client, operation, premises):
    Operation.objects.filter(pk=operation.pk).update(version=2, briefing_notes="Theirs.")
    response = officer_client.post(
        reverse("visits:operation_edit", args=[operation.pk]),
        operation_data(briefing_notes="Mine.", premises=[premises.pk], expected_version=1),
    )
    assert response.status_code == 200
    assert b"Someone else saved this record" in response.content
    assert b"Mine." in response.content
    operation.refresh_from_db()
    assert operation.briefing_notes == "Theirs."


def test_a_commander_cannot_plan_or_edit(commander_client, operation):
    assert commander_client.get(reverse("visits:operation_create")).status_code == 403
    url = reverse("visits:operation_edit", args=[operation.pk])
    response = commander_client.post(url, operation_data(expected_version=1))
    assert response.status_code == 403
    operation.refresh_from_db()
    assert operation.name == "Makesafe Ipswich"


# -- close ------------------------------------------------------------------------------------


def test_closing_asks_first_and_a_get_changes_nothing(officer_client, operation):
    response = officer_client.get(reverse("visits:operation_close", args=[operation.pk]))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert b"Close Makesafe Ipswich?" in response.content
    operation.refresh_from_db()
    assert operation.status == Operation.Status.PLANNED
    assert operation.version == 1


def test_closing_completes_the_operation(officer_client, operation, premises):
    response = officer_client.post(reverse("visits:operation_close", args=[operation.pk]))
    assert response.status_code == 302
    assert response["Location"] == operation.get_absolute_url()
    operation.refresh_from_db()
    assert operation.status == Operation.Status.COMPLETED
    assert operation.version == 2
    detail = officer_client.get(operation.get_absolute_url()).content.decode()
    assert "Makesafe Ipswich is closed." in detail
    assert reverse("visits:operation_close", args=[operation.pk]) not in detail
    assert f"?operation={operation.pk}" not in detail  # no more "Log visit" buttons


def test_a_closed_operation_is_no_longer_offered_for_visits(
    officer_client, operation, premises, cadet
):
    log = reverse("visits:create", args=[premises.pk])
    assert operation in officer_client.get(log).context["form"].fields["operation"].queryset
    officer_client.post(reverse("visits:operation_close", args=[operation.pk]))
    assert operation not in officer_client.get(log).context["form"].fields["operation"].queryset
    response = officer_client.post(log, visit_data(premises, [cadet], operation=operation.pk))
    assert response.status_code == 200
    assert "operation" in response.context["form"].errors


def test_a_visit_of_a_closed_operation_keeps_it_when_edited(
    officer_client, officer, operation, premises, cadet
):
    visit = VisitFactory(premises=premises, officer=officer, operation=operation)
    visit.participants.add(cadet)
    Operation.objects.filter(pk=operation.pk).update(status=Operation.Status.COMPLETED)
    url = reverse("visits:edit", args=[visit.pk])
    assert operation in officer_client.get(url).context["form"].fields["operation"].queryset


def test_closing_twice_says_it_is_already_closed(officer_client, operation):
    url = reverse("visits:operation_close", args=[operation.pk])
    officer_client.post(url)
    response = officer_client.post(url, follow=True)
    assert b"Makesafe Ipswich is already closed." in response.content
    operation.refresh_from_db()
    assert operation.version == 2


def test_a_commander_cannot_close(commander_client, operation):
    assert (
        commander_client.post(reverse("visits:operation_close", args=[operation.pk])).status_code
        == 403
    )
    operation.refresh_from_db()
    assert operation.status == Operation.Status.PLANNED


# -- detail: the checklist --------------------------------------------------------------------


@pytest.fixture
def checklist(operation, premises, town):
    """Four planned premises: one passed, one failed (then re-visited), two still to visit."""
    failed = PremisesFactory(town=town, name="Orwell Quay Hotel")
    to_visit = [PremisesFactory(town=town, name=f"Lodge {n}") for n in (1, 2)]
    operation.premises.add(failed, *to_visit)
    VisitFactory(premises=premises, operation=operation, outcome="refused_concerns", result="pass")
    VisitFactory(
        premises=failed,
        operation=operation,
        visited_at=timezone.now() - datetime.timedelta(hours=3),
    )
    VisitFactory(
        premises=failed,
        operation=operation,
        outcome="uneasy",
        result="fail",
        visited_at=timezone.now() - datetime.timedelta(hours=1),
    )
    return {"failed": failed, "to_visit": to_visit}


def test_the_checklist_shows_progress(officer_client, operation, checklist):
    response = officer_client.get(operation.get_absolute_url())
    assert response.status_code == 200
    assert response.context["totals"]["passed"] == 1
    assert response.context["totals"]["failed"] == 2
    assert response.context["to_visit"] == 2
    html = response.content.decode()
    assert "Visited 2 of 4 planned · 2 to visit · 1 passed · 2 failed" in html
    assert 'max="4" value="2"' in html


def test_the_checklist_shows_each_premises_latest_visit(officer_client, operation, checklist):
    rows = officer_client.get(operation.get_absolute_url()).context["rows"]
    latest = {row["premises"].name: row["visit"] for row in rows}
    assert latest["Orwell Quay Hotel"].outcome == "uneasy"
    assert latest["Cornhill Lodge"].outcome == "refused_concerns"
    assert latest["Lodge 1"] is None


def test_the_checklist_offers_a_log_visit_link_for_each_premises_to_visit(
    officer_client, operation, checklist
):
    html = officer_client.get(operation.get_absolute_url()).content.decode()
    for premises in checklist["to_visit"]:
        link = reverse("visits:create", args=[premises.pk]) + f"?operation={operation.pk}"
        assert f'href="{link}"' in html
    visited = reverse("visits:create", args=[checklist["failed"].pk])
    assert f'href="{visited}?operation={operation.pk}"' not in html


def test_a_visit_to_unplanned_premises_is_listed_apart_and_not_counted_as_planned(
    officer_client, operation, checklist, town
):
    VisitFactory(
        premises=PremisesFactory(town=town, name="Walk-in Hotel"),
        operation=operation,
        outcome="refused_concerns",
        result="pass",
    )
    response = officer_client.get(operation.get_absolute_url())
    html = response.content.decode()
    assert "Also visited" in html
    assert "Walk-in Hotel" in html
    assert "Visited 2 of 4 planned · 2 to visit · 2 passed · 2 failed" in html
    list_html = officer_client.get(reverse("visits:operation_list")).content.decode()
    assert "2 of 4 planned" in list_html


def test_an_operation_without_an_approved_risk_assessment_cannot_be_logged_against(
    officer_client, force, premises
):
    operation = OperationFactory(force=force, approved=False)
    operation.premises.add(premises)
    html = officer_client.get(operation.get_absolute_url()).content.decode()
    assert "Not ready to start" in html
    assert "The risk assessment is not approved yet." in html
    assert f"?operation={operation.pk}" not in html


def test_a_commander_sees_the_checklist_without_log_links(commander_client, operation, checklist):
    response = commander_client.get(operation.get_absolute_url())
    assert response.status_code == 200
    assert f"?operation={operation.pk}".encode() not in response.content
    assert reverse("visits:operation_edit", args=[operation.pk]).encode() not in response.content


def test_another_forces_operation_is_not_found(officer_client, other_force):
    theirs = OperationFactory(force=other_force)
    for name in ["visits:operation_detail", "visits:operation_edit", "visits:operation_close"]:
        assert officer_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert (
        officer_client.post(reverse("visits:operation_close", args=[theirs.pk])).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == Operation.Status.PLANNED
