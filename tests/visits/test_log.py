"""Logging a visit: finding the premises, the form's defaults, and every rule the form holds."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from visits.models import Operation, Visit

from ..factories import (
    OperationFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    TownFactory,
    VisitFactory,
)
from .conftest import error_beside, typed, visit_data


def log_url(premises, **query):
    url = reverse("visits:create", args=[premises.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


# -- finding the premises ---------------------------------------------------------------------


def test_the_search_step_works_without_javascript(officer_client, premises, town):
    PremisesFactory(town=town, name="Late Bites", sector="takeaway")
    response = officer_client.get(reverse("visits:log"), {"q": "cornhill"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html  # the whole page, with the search form
    assert 'name="q"' in html
    assert "Cornhill Lodge" in html
    assert f'href="{log_url(premises)}"' in html
    assert "Late Bites" not in html


def test_the_search_fragment_returns_only_the_results(officer_client, premises):
    response = officer_client.get(reverse("visits:log"), {"q": "SUF-H-0001", "fragment": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<h1" not in html
    assert 'name="q"' not in html
    assert "Cornhill Lodge" in html
    assert f'href="{log_url(premises)}"' in html


def test_the_search_says_when_nothing_matches(officer_client, premises):
    html = officer_client.get(reverse("visits:log"), {"q": "zzz", "fragment": "1"}).content
    assert "No active premises match “zzz”.".encode() in html


def test_the_search_starts_empty(officer_client, premises):
    response = officer_client.get(reverse("visits:log"))
    assert response.status_code == 200
    assert b"Cornhill Lodge" not in response.content


def test_the_search_leaves_out_inactive_and_other_forces_premises(officer_client, town, other_town):
    PremisesFactory(town=town, name="Closed Lodge", active=False)
    PremisesFactory(town=other_town, name="Norwich Lodge")
    PremisesFactory(town=town, name="Open Lodge")
    html = officer_client.get(reverse("visits:log"), {"q": "lodge"}).content.decode()
    assert "Open Lodge" in html
    assert "Closed Lodge" not in html
    assert "Norwich Lodge" not in html


def test_a_commander_cannot_log_visits(commander_client, premises):
    assert commander_client.get(reverse("visits:log")).status_code == 403
    assert commander_client.get(log_url(premises)).status_code == 403
    response = commander_client.post(log_url(premises), visit_data(premises))
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client, premises):
    response = client.get(log_url(premises))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_forces_premises_cannot_be_logged(officer_client, other_town):
    theirs = PremisesFactory(town=other_town)
    assert officer_client.get(log_url(theirs)).status_code == 404
    assert officer_client.post(log_url(theirs), visit_data(theirs)).status_code == 404
    assert not Visit.objects.exists()


# -- the form ---------------------------------------------------------------------------------


def test_the_form_works(officer_client, premises, cadet):
    response = officer_client.get(log_url(premises))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["participants"].queryset) == [cadet]
    assert form.fields["visited_at"].initial <= timezone.localtime()
    html = response.content.decode()
    assert "Log a visit to Cornhill Lodge" in html
    for value, label in Visit.Outcome.choices:
        assert f'value="{value}"' in html
        assert escape(label) in html
        assert escape(Visit.OUTCOME_HELP[value]) in html


def test_an_officer_logs_a_failed_visit(officer_client, officer, premises, cadet, scenario):
    response = officer_client.post(
        log_url(premises), visit_data(premises, [cadet], scenario=scenario.pk)
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    assert visit.force == officer.force
    assert visit.officer == officer
    assert visit.created_by == officer
    assert visit.result == Visit.Result.FAIL
    assert visit.outcome == "completed"
    assert visit.scenario == scenario
    assert list(visit.participants.all()) == [cadet]
    assert visit.debrief_notes == "Manager briefed on the signs; posters left at reception."
    assert visit.indicators == ["pays_cash", "no_id"]
    assert visit.staff_roles == ["receptionist"]
    assert visit.material_left == ["posters"]
    assert visit.training_offered
    assert not visit.training_accepted
    assert visit.welfare_debrief_done
    assert not visit.imported
    assert visit.version == 1


@pytest.mark.parametrize("outcome", ["reported_to_police", "refused_concerns"])
def test_a_pass_is_logged_as_a_pass(officer_client, premises, cadet, outcome):
    data = visit_data(premises, [cadet], outcome=outcome, police_contact="101")
    assert officer_client.post(log_url(premises), data).status_code == 302
    assert Visit.objects.get().result == Visit.Result.PASS


def test_a_posted_result_force_officer_or_version_is_ignored(
    officer_client, officer, sergeant, other_force, premises, cadet
):
    data = visit_data(
        premises,
        [cadet],
        result="pass",
        force=other_force.pk,
        officer=sergeant.pk,
        created_by=sergeant.pk,
        version=99,
        imported="on",
    )
    assert officer_client.post(log_url(premises), data).status_code == 302
    visit = Visit.objects.get()
    assert visit.result == Visit.Result.FAIL
    assert visit.force == officer.force
    assert visit.officer == officer
    assert visit.created_by == officer
    assert visit.version == 1
    assert not visit.imported


def test_a_retest_of_an_earlier_visit_is_logged(officer_client, officer, premises, cadet):
    earlier = VisitFactory(
        premises=premises, visited_at=timezone.now() - datetime.timedelta(days=90)
    )
    response = officer_client.get(log_url(premises, retest_of=earlier.pk))
    assert response.context["form"].initial["retest_of"] == earlier.pk
    data = visit_data(premises, [cadet], retest_of=earlier.pk)
    response = officer_client.post(log_url(premises, retest_of=earlier.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Visit.objects.get(retest_of=earlier).officer == officer


# -- the rules, each with its message beside the field ----------------------------------------


def refused(client, premises, data, field, message):
    count = Visit.objects.count()
    response = client.post(log_url(premises), data)
    assert response.status_code == 200
    error_beside(response, field, message)
    assert Visit.objects.count() == count
    return response


def test_a_live_visit_needs_a_cadet(officer_client, premises, cadet):
    refused(
        officer_client,
        premises,
        visit_data(premises, []),
        "participants",
        "Choose the cadet who took part. A cadet needs parental permission recorded first.",
    )


@pytest.mark.parametrize(
    "changes",
    [{"active": False}, {"permission_recorded_on": None}],
    ids=["inactive", "no-permission"],
)
def test_only_active_cadets_with_permission_are_listed_or_accepted(
    officer_client, force, premises, cadet, changes
):
    barred = ParticipantFactory(force=force, code="C-099", **changes)
    form = officer_client.get(log_url(premises)).context["form"]
    assert barred not in form.fields["participants"].queryset
    response = refused(
        officer_client,
        premises,
        visit_data(premises, [barred]),
        "participants",
        f"Select a valid choice. {barred.pk} is not one of the available choices.",
    )
    assert b"C-099" not in response.content


def test_another_forces_cadet_is_refused(officer_client, other_force, premises, cadet):
    theirs = ParticipantFactory(force=other_force, code="C-500")
    refused(
        officer_client,
        premises,
        visit_data(premises, [theirs]),
        "participants",
        f"Select a valid choice. {theirs.pk} is not one of the available choices.",
    )


def test_an_operation_without_a_risk_assessment_is_refused(officer_client, force, premises, cadet):
    unassessed = OperationFactory(force=force, risk_assessment_ref="", approved=False)
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], operation=unassessed.pk),
        "operation",
        "This operation has no risk assessment reference yet: add it to the operation before "
        "logging visits against it.",
    )


def test_another_forces_operation_is_refused(officer_client, other_force, premises, cadet):
    theirs = OperationFactory(force=other_force)
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], operation=theirs.pk),
        "operation",
        "Select a valid choice. That choice is not one of the available choices.",
    )


def test_a_closed_operation_is_refused(officer_client, force, premises, cadet):
    closed = OperationFactory(force=force, status=Operation.Status.COMPLETED)
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], operation=closed.pk),
        "operation",
        "Select a valid choice. That choice is not one of the available choices.",
    )


def test_a_debrief_needs_its_notes(officer_client, premises, cadet):
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], debrief_notes="   "),
        "debrief_notes",
        "Write what was said at the debrief.",
    )


def test_no_debrief_needs_no_notes(officer_client, premises, cadet):
    data = visit_data(premises, [cadet], debrief_held=False, debrief_notes="")
    assert officer_client.post(log_url(premises), data).status_code == 302
    assert not Visit.objects.get().debrief_held


def test_a_retest_must_follow_an_earlier_visit(officer_client, premises, cadet):
    later = VisitFactory(premises=premises, visited_at=timezone.now() - datetime.timedelta(hours=1))
    refused(
        officer_client,
        premises,
        visit_data(
            premises,
            [cadet],
            retest_of=later.pk,
            visited_at=typed(timezone.now() - datetime.timedelta(days=2)),
        ),
        "retest_of",
        "A re-test must come after the visit it re-tests.",
    )


def test_a_retest_must_follow_a_visit_to_the_same_premises(officer_client, town, premises, cadet):
    elsewhere = VisitFactory(premises=PremisesFactory(town=town))
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], retest_of=elsewhere.pk),
        "retest_of",
        "Select a valid choice. That choice is not one of the available choices.",
    )


def test_another_forces_scenario_is_refused(officer_client, other_force, premises, cadet):
    theirs = ScenarioFactory(force=other_force)
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], scenario=theirs.pk),
        "scenario",
        "Select a valid choice. That choice is not one of the available choices.",
    )


def test_a_superseded_scenario_version_is_refused(officer_client, force, premises, cadet):
    old = ScenarioFactory(force=force, name="Room", version=1, is_current=False)
    ScenarioFactory(force=force, name="Room", version=2)
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], scenario=old.pk),
        "scenario",
        "Select a valid choice. That choice is not one of the available choices.",
    )


@pytest.mark.parametrize("outcome", ["refused_other", "void"])
def test_a_refusal_for_another_reason_or_a_void_visit_needs_a_reason(
    officer_client, premises, cadet, outcome
):
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], outcome=outcome, reason=" "),
        "reason",
        "Say why: the reason given for refusing, or why the visit was void.",
    )


@pytest.mark.parametrize("outcome,result", [("refused_other", "fail"), ("void", "void")])
def test_with_a_reason_they_are_logged(officer_client, premises, cadet, outcome, result):
    data = visit_data(premises, [cadet], outcome=outcome, reason="No cash bookings.")
    assert officer_client.post(log_url(premises), data).status_code == 302
    assert Visit.objects.get().result == result


@pytest.mark.parametrize("contact", ["none", ""])
def test_a_report_to_police_must_say_how(officer_client, premises, cadet, contact):
    data = visit_data(premises, [cadet], outcome="reported_to_police", police_contact=contact)
    response = officer_client.post(log_url(premises), data)
    assert response.status_code == 200
    assert "police_contact" in response.context["form"].errors
    assert not Visit.objects.exists()
    if contact:
        error_beside(response, "police_contact", "Say how staff contacted the police.")


def test_a_visit_cannot_be_in_the_future(officer_client, premises, cadet):
    tomorrow = typed(timezone.now() + datetime.timedelta(days=1))
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], visited_at=tomorrow),
        "visited_at",
        "The visit cannot be in the future.",
    )


def test_training_can_only_be_accepted_if_offered(officer_client, premises, cadet):
    refused(
        officer_client,
        premises,
        visit_data(premises, [cadet], training_offered=False, training_accepted=True),
        "training_accepted",
        "Training can only be accepted if it was offered.",
    )


def test_the_outcome_is_required(officer_client, premises, cadet):
    response = officer_client.post(log_url(premises), visit_data(premises, [cadet], outcome=""))
    assert response.status_code == 200
    assert response.context["form"].errors["outcome"] == ["This field is required."]
    html = response.content.decode()
    assert 'id="outcome-error">This field is required.</div>' in html
    assert not Visit.objects.exists()


def test_a_refused_form_keeps_what_was_typed(officer_client, premises, cadet):
    data = visit_data(
        premises, [cadet], outcome="void", reason="", debrief_notes="Kept notes about the desk."
    )
    html = officer_client.post(log_url(premises), data).content.decode()
    assert "Kept notes about the desk." in html
    assert 'value="void" checked' in html
    assert "There is a problem" in html


# -- logging from an operation's checklist ----------------------------------------------------


def test_logging_from_the_checklist_fills_in_the_operation_and_scenario(
    officer_client, premises, operation, scenario
):
    response = officer_client.get(log_url(premises, operation=operation.pk))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["operation"] == operation.pk
    assert initial["scenario"] == scenario.pk
    assert initial["indicators"] == ["pays_cash", "no_luggage"]
    html = response.content.decode()
    assert f'<option value="{operation.pk}" selected>' in html
    assert f'<option value="{scenario.pk}" selected>' in html


def test_logging_from_a_past_operation_fills_in_its_date(officer_client, force, premises):
    day = timezone.localdate() - datetime.timedelta(days=3)
    operation = OperationFactory(force=force, date=day)
    response = officer_client.get(log_url(premises, operation=operation.pk))
    assert timezone.localtime(response.context["form"].initial["visited_at"]).date() == day


def test_the_first_visit_moves_a_planned_operation_to_in_progress(
    officer_client, premises, operation, cadet, scenario
):
    assert operation.status == Operation.Status.PLANNED
    data = visit_data(premises, [cadet], operation=operation.pk, scenario=scenario.pk)
    response = officer_client.post(log_url(premises, operation=operation.pk), data)
    assert response.status_code == 302
    assert response["Location"] == operation.get_absolute_url()
    operation.refresh_from_db()
    assert operation.status == Operation.Status.IN_PROGRESS
    assert Visit.objects.get().operation == operation


def test_another_forces_operation_in_the_link_is_ignored(officer_client, other_force, premises):
    theirs = OperationFactory(force=other_force, scenario=ScenarioFactory(force=other_force))
    response = officer_client.get(log_url(premises, operation=theirs.pk))
    assert response.status_code == 200
    assert "operation" not in response.context["form"].initial
    assert theirs.name.encode() not in response.content


def test_a_visit_to_premises_in_another_town_can_join_the_operation(
    officer_client, force, operation, cadet
):
    elsewhere = PremisesFactory(town=TownFactory(force=force, name="Felixstowe"))
    data = visit_data(elsewhere, [cadet], operation=operation.pk)
    assert officer_client.post(log_url(elsewhere), data).status_code == 302
    assert Visit.objects.get().operation == operation


def test_every_link_in_the_error_summary_leads_to_its_field(officer_client, premises, cadet):
    data = visit_data(
        premises,
        [],
        outcome="",
        stage_reached="",
        police_contact="pigeon",
        indicators=["nonsense"],
        visited_at="",
        debrief_notes="",
    )
    response = officer_client.post(log_url(premises), data)
    html = response.content.decode()
    start = html.index('id="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    targets = re.findall(r'href="#([^"]*)"', summary)
    assert len(targets) == 7
    for target in targets:
        assert target, "a summary link goes nowhere"
        assert f'id="{target}"' in html, target


def test_the_form_draws_its_options_from_one_query_with_the_same_labels(
    officer_client, officer, premises, cadet, scenario, operation, other_force
):
    from ..factories import ParticipantFactory, VisitFactory

    ParticipantFactory(force=other_force, code="N-001")  # another force's cadet: never offered
    # A pass, so that it is not pre-selected as the failure this visit re-tests.
    earlier = VisitFactory(premises=premises, officer=officer, outcome="refused_concerns")
    response = officer_client.get(reverse("visits:create", args=[premises.pk]))
    page = response.content.decode()
    when = timezone.localtime(earlier.visited_at)
    assert (
        f'<option value="{earlier.pk}">{when:%d %b %Y} – {escape(earlier.get_outcome_display())}'
        in page
    )
    assert (
        f'<option value="{scenario.pk}">Room for the night (v{scenario.version})</option>' in page
    )
    assert f'<option value="{operation.pk}">Makesafe Ipswich</option>' in page
    assert f'value="{cadet.pk}"' in page and "C-014" in page and "N-001" not in page
    assert '<option value="" selected>Not a re-test</option>' in page


def test_the_form_reads_in_the_order_an_officer_fills_it_outcome_first(officer_client, premises):
    html = officer_client.get(log_url(premises)).content.decode()
    order = [
        html.index('<legend class="form-label mb-0">Outcome'),
        html.index('name="stage_reached"'),
        html.index('name="debrief_notes"'),
        html.index('name="visited_at"'),
        html.index('name="indicators"'),
    ]
    assert order == sorted(order)
