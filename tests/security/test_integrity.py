"""docs/security.md checks 24-26: the database refuses invalid rows written around the forms, a
stale edit never overwrites, and a failed request leaves nothing half-done.

tests/premises and tests/visits already try every premises, visit and cadet rule, and
tests/training the notice, request and session-workflow rules; here are the other models.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Force, User
from audit.models import ErasureLog
from premises.models import Premises, Town
from reports.models import DayTotal, VisitSummary
from retention.models import RetentionDecision
from training.models import OutcomeLetter, QueueAssignment, TrainingSession
from visits.models import Operation, Scenario, Visit

from ..conftest import client_for, make_forgotten
from ..factories import (
    GuestInfoRequestFactory,
    NoticeFactory,
    OperationFactory,
    OutcomeLetterFactory,
    ParticipantFactory,
    PremisesFactory,
    QueueAssignmentFactory,
    ScenarioFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)
from .formdata import (
    notice_post,
    participant_post,
    scenario_post,
    session_post,
    typed_date,
    user_post,
    visit_post,
)


def refused(write, rule):
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        write()


def _bulk(factory, **fields):
    row = factory.build(**fields)
    return lambda: type(row).objects.bulk_create([row])


# (rule, a write that breaks it): every kind of row the other test folders do not try.
def _bad_writes(force, town, other_town, officer):
    premises = PremisesFactory(town=town)
    visit = VisitFactory(premises=premises, officer=officer)
    today = timezone.localdate()
    return {
        "force_follow_up_periods_sane": lambda: Force.objects.bulk_create(
            [Force(name="Nowhere", code="NOW", training_due_days=0)]
        ),
        "user_rank_valid": _bulk(UserFactory, force=force, rank="general"),
        "user_force_required_unless_superuser": _bulk(UserFactory, force=None),
        "town_name_not_blank": lambda: Town.objects.bulk_create([Town(force=force, name="")]),
        "premises_town_same_force": _bulk(PremisesFactory, town=other_town, force=force),
        "operation_end_after_start": _bulk(
            OperationFactory,
            force=force,
            date=today,
            end_date=today - timedelta(days=1),
            approved=False,
        ),
        "operation_status_valid": _bulk(
            OperationFactory, force=force, status="abandoned", approved=False
        ),
        "operation_name_not_blank": _bulk(OperationFactory, force=force, name="", approved=False),
        "operation_name_unique": lambda: Operation.objects.bulk_create(
            [OperationFactory.build(force=force, name="Twice", approved=False) for _ in range(2)]
        ),
        "operation_approval_complete": _bulk(
            OperationFactory, force=force, approved=False, risk_assessment_approved_on=today
        ),
        "operation_approval_before_night": _bulk(
            OperationFactory,
            force=force,
            approved=False,
            risk_assessment_approved_by=officer,
            risk_assessment_approved_on=today + timedelta(days=1),
            date=today + timedelta(days=7),
        ),
        "scenario_sectors_valid": _bulk(ScenarioFactory, force=force, sectors=["casino"]),
        "scenario_indicators_valid": _bulk(ScenarioFactory, force=force, indicators=["shifty"]),
        "scenario_one_current_version": lambda: Scenario.objects.bulk_create(
            [ScenarioFactory.build(force=force, name="Same", version=v) for v in (1, 2)]
        ),
        "scenario_version_positive": _bulk(ScenarioFactory, force=force, version=0),
        "training_provider_valid": _bulk(
            TrainingSessionFactory, premises=premises, provider="volunteers"
        ),
        "training_duration_sane": _bulk(
            TrainingSessionFactory, premises=premises, duration_minutes=5
        ),
        "training_materials_valid": _bulk(
            TrainingSessionFactory, premises=premises, materials=["leaflet"]
        ),
        "training_same_force": _bulk(
            TrainingSessionFactory, premises=PremisesFactory(town=other_town), force=force
        ),
        "training_visit_same_premises": _bulk(
            TrainingSessionFactory, premises=PremisesFactory(town=town), visit=visit
        ),
        "queue_assignment_kind_valid": _bulk(
            QueueAssignmentFactory, subject=premises, kind="errand", owner=officer
        ),
        "queue_assignment_unique": lambda: QueueAssignment.objects.bulk_create(
            [QueueAssignmentFactory.build(subject=premises, owner=officer) for _ in range(2)]
        ),
        "outcome_letter|visit_id": lambda: OutcomeLetter.objects.bulk_create(
            [OutcomeLetterFactory.build(visit=visit) for _ in range(2)]
        ),
        "retention_retain_needs_review_date": lambda: RetentionDecision.objects.bulk_create(
            [_decision(force, premises, officer, next_review_on=None)]
        ),
        "retention_reason_required": lambda: RetentionDecision.objects.bulk_create(
            [_decision(force, premises, officer, reason="")]
        ),
        "retention_decision_valid": lambda: RetentionDecision.objects.bulk_create(
            [_decision(force, premises, officer, decision="forget")]
        ),
        "summary_counts_not_negative": lambda: VisitSummary.objects.bulk_create(
            [VisitSummary(force=force, town=town, sector="hotel", month=today, visits=-1)]
        ),
        "day_total_counts_not_negative": lambda: DayTotal.objects.bulk_create(
            [DayTotal(force=force, day=today - timedelta(days=9000), visits=1, failed=-1)]
        ),
        "day_total_unique_key": lambda: DayTotal.objects.bulk_create(
            [DayTotal(force=force, day=today - timedelta(days=9000), visits=1) for _ in range(2)]
        ),
    }


def _decision(force, premises, user, **fields):
    values = {
        "force": force,
        "premises": premises,
        "decision": "retain",
        "reason": "Open investigation",
        "next_review_on": timezone.localdate() + timedelta(days=365),
        "decided_by": user,
        **fields,
    }
    return RetentionDecision(**values)


RULES = [
    "force_follow_up_periods_sane",
    "user_rank_valid",
    "user_force_required_unless_superuser",
    "town_name_not_blank",
    "premises_town_same_force",
    "operation_end_after_start",
    "operation_status_valid",
    "operation_name_not_blank",
    "operation_name_unique",
    "operation_approval_complete",
    "operation_approval_before_night",
    "scenario_sectors_valid",
    "scenario_indicators_valid",
    "scenario_one_current_version",
    "scenario_version_positive",
    "training_provider_valid",
    "training_duration_sane",
    "training_materials_valid",
    "training_same_force",
    "training_visit_same_premises",
    "queue_assignment_kind_valid",
    "queue_assignment_unique",
    "outcome_letter|visit_id",
    "retention_retain_needs_review_date",
    "retention_reason_required",
    "retention_decision_valid",
    "summary_counts_not_negative",
    "day_total_counts_not_negative",
    "day_total_unique_key",
]


@pytest.mark.parametrize("rule", RULES)
def test_the_database_refuses_a_bulk_created_row_that_breaks_a_rule(
    force, town, other_town, officer, rule
):
    writes = _bad_writes(force, town, other_town, officer)
    assert set(writes) == set(RULES)
    refused(writes[rule], rule)


@pytest.mark.parametrize(
    "rule, sql",
    [
        ("premises_sector_valid", "UPDATE premises_premises SET sector = 'casino' WHERE id = %s"),
        ("premises_town_same_force", "UPDATE premises_premises SET town_id = %s WHERE id = %s"),
        ("premises_town_same_force", "UPDATE premises_town SET force_id = %s WHERE id = %s"),
        (
            "visit_result_matches_outcome",
            "UPDATE visits_visit SET result = 'pass' WHERE premises_id = %s",
        ),
        (
            "operation_end_after_start",
            "UPDATE visits_operation SET end_date = date - 1 WHERE force_id = %s",
        ),
        (
            "notice_at_most_six_months",
            "UPDATE training_notice SET expiry_date = start_date + 200 WHERE premises_id = %s",
        ),
        (
            "training_delivered_needs_staff_trained",
            "UPDATE training_trainingsession SET status = 'delivered', staff_trained = NULL "
            "WHERE premises_id = %s",
        ),
    ],
)
def test_raw_sql_cannot_break_a_rule_either(force, town, other_town, officer, rule, sql):
    premises = PremisesFactory(town=town)
    VisitFactory(premises=premises, officer=officer)
    OperationFactory(force=force)
    NoticeFactory(premises=premises)
    TrainingSessionFactory(premises=premises)
    params = {
        "UPDATE premises_premises SET town_id": [other_town.pk, premises.pk],
        "UPDATE premises_town SET force_id": [other_town.force_id, town.pk],
        "UPDATE visits_operation": [force.pk],
    }
    arguments = next((v for k, v in params.items() if sql.startswith(k)), [premises.pk])

    def write():
        with connection.cursor() as cursor:
            cursor.execute(sql, arguments)

    refused(write, rule)


def test_a_town_with_premises_cannot_move_to_another_force(force, town, other_force):
    PremisesFactory(town=town)
    town.force = other_force
    refused(town.save, "premises_town_same_force")
    empty = Town.objects.create(force=force, name="Empty")
    empty.force = other_force
    empty.save()  # no premises: nothing to mix up


# -- 25. Concurrent edits ---------------------------------------------------------------------


@pytest.fixture
def second_sergeant(force):
    return UserFactory(username="sergeant.b", force=force, rank="sergeant", role="Sergeant")


def _race(first, second, url, first_data, second_data):
    """Both open the edit page; the first saves; the second's save is refused and kept."""
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    assert first.post(url, first_data).status_code == 302
    response = second.post(url, second_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this record while you were editing it" in html
    return response


def test_a_stale_training_session_edit_is_refused_with_its_input_kept(
    sergeant, second_sergeant, town
):
    session = TrainingSessionFactory(premises=PremisesFactory(town=town), trainer="PC Harper")
    url = reverse("training:session_edit", args=[session.pk])
    response = _race(
        client_for(sergeant),
        client_for(second_sergeant),
        url,
        session_post(trainer="PC Okafor", expected_version=1),
        session_post(trainer="Barnardo's team", notes="Mine", expected_version=1),
    )
    form = response.context["form"]
    assert (form["trainer"].value(), form["notes"].value()) == ("Barnardo's team", "Mine")
    assert "Trainer" in str(form.non_field_errors())
    session.refresh_from_db()
    assert (session.trainer, session.version) == ("PC Okafor", 2)
    # Saving again, having seen the conflict, is a deliberate overwrite.
    again = client_for(second_sergeant).post(url, form.data)
    assert again.status_code == 302
    session.refresh_from_db()
    assert (session.trainer, session.version) == ("Barnardo's team", 3)


def test_a_stale_notice_edit_is_refused_with_its_input_kept(
    sergeant, second_sergeant, inspector, town
):
    premises = PremisesFactory(town=town)
    notice = NoticeFactory(premises=premises, issued_by=inspector)
    url = reverse("training:notice_edit", args=[notice.pk])
    response = _race(
        client_for(sergeant),
        client_for(second_sergeant),
        url,
        notice_post(premises, inspector, grounds="First grounds.", expected_version=1),
        notice_post(premises, inspector, grounds="Second grounds.", expected_version=1),
    )
    assert response.context["form"]["grounds"].value() == "Second grounds."
    notice.refresh_from_db()
    assert (notice.grounds, notice.version) == ("First grounds.", 2)


def test_a_stale_cadet_edit_is_refused_with_its_input_kept(sergeant, second_sergeant, force):
    cadet = ParticipantFactory(force=force, code="C-300")
    url = reverse("visits:participant_edit", args=[cadet.pk])
    response = _race(
        client_for(sergeant),
        client_for(second_sergeant),
        url,
        participant_post(code="C-300", age_band="16-17", expected_version=1),
        participant_post(code="C-300", active="", expected_version=1),
    )
    assert response.context["form"]["active"].value() is False
    cadet.refresh_from_db()
    assert (cadet.age_band, cadet.active, cadet.version) == ("16-17", True, 2)


@pytest.fixture
def second_admin(force):
    return UserFactory(username="admin.b", force=force, rank="staff", role="Force admin")


def test_a_stale_town_edit_is_refused_with_its_input_kept(force_admin, second_admin, town):
    url = reverse("premises:town_edit", args=[town.pk])
    response = _race(
        client_for(force_admin),
        client_for(second_admin),
        url,
        {"name": "Ipswich Town", "expected_version": 1},
        {"name": "Ipswich Borough", "expected_version": 1},
    )
    form = response.context["form"]
    assert form["name"].value() == "Ipswich Borough"
    assert "Name" in str(form.non_field_errors())
    town.refresh_from_db()
    assert (town.name, town.version) == ("Ipswich Town", 2)


def test_a_stale_force_settings_edit_is_refused_with_its_input_kept(
    force_admin, second_admin, force
):
    url = reverse("accounts:force_settings")
    settings_post = {
        "training_due_days": "28",
        "retest_due_days": "365",
        "letter_due_days": "14",
        "review_period_years": "6",
        "followup_horizon_months": "12",
        "training_contact": "Safeguarding team",
        "expected_version": 1,
    }
    response = _race(
        client_for(force_admin),
        client_for(second_admin),
        url,
        {**settings_post, "training_due_days": "21"},
        {**settings_post, "letter_due_days": "10", "training_contact": "Mine"},
    )
    form = response.context["form"]
    assert (form["letter_due_days"].value(), form["training_contact"].value()) == ("10", "Mine")
    force.refresh_from_db()
    assert (force.training_due_days, force.letter_due_days, force.version) == (21, 14, 2)


def test_a_stale_user_edit_is_refused_with_its_input_and_role_kept(
    force_admin, second_admin, officer
):
    url = reverse("accounts:user_edit", args=[officer.pk])
    mine = {"username": officer.username, "collar_number": officer.collar_number}
    response = _race(
        client_for(force_admin),
        client_for(second_admin),
        url,
        user_post(**mine, rank="sergeant", password1="", password2="", expected_version=1),
        user_post(
            **mine,
            role="Sergeant",
            last_name="Okoro",
            password1="",
            password2="",
            expected_version=1,
        ),
    )
    form = response.context["form"]
    assert (form["role"].value(), form["last_name"].value()) == ("Sergeant", "Okoro")
    officer.refresh_from_db()
    assert (officer.rank, officer.last_name, officer.version) == ("sergeant", "Mensah", 2)
    assert officer.role_names == ["Officer"]  # the refused role change was not saved either


def test_a_stale_guest_request_edit_is_refused_with_its_input_kept(
    sergeant, second_sergeant, inspector, town
):
    notice = NoticeFactory(premises=PremisesFactory(town=town), issued_by=inspector)
    guest_request = GuestInfoRequestFactory(notice=notice)
    url = reverse("training:request_edit", args=[guest_request.pk])
    typed = {
        "made_on": typed_date(guest_request.made_on),
        "period_start": typed_date(guest_request.period_start),
        "period_end": typed_date(guest_request.period_end),
        "due_on": typed_date(guest_request.due_on),
        "expected_version": 1,
    }
    response = _race(
        client_for(sergeant),
        client_for(second_sergeant),
        url,
        {**typed, "complied": "yes"},
        {**typed, "complied": "no"},
    )
    assert response.context["form"]["complied"].value() == "no"
    guest_request.refresh_from_db()
    assert (guest_request.complied, guest_request.version) == ("yes", 2)


def test_a_stale_edit_of_an_unused_scenario_is_refused_with_its_input_kept(
    sergeant, second_sergeant, force
):
    scenario = ScenarioFactory(force=force, name="Room for a few hours")
    url = reverse("visits:scenario_edit", args=[scenario.pk])
    response = _race(
        client_for(sergeant),
        client_for(second_sergeant),
        url,
        scenario_post(script="First script.", expected_version=1),
        scenario_post(script="Second script.", expected_version=1),
    )
    assert response.context["form"]["script"].value() == "Second script."
    scenario.refresh_from_db()
    assert (scenario.script, scenario.version, scenario.revision) == ("First script.", 1, 2)
    assert Scenario.objects.filter(force=force).count() == 1


def test_a_scenario_edit_opened_before_a_newer_version_is_refused_and_saves_onto_it(
    sergeant, second_sergeant, force, town, officer
):
    used = ScenarioFactory(force=force, name="Room for a few hours")
    VisitFactory(premises=PremisesFactory(town=town), officer=officer, scenario=used)
    url = reverse("visits:scenario_edit", args=[used.pk])
    response = _race(
        client_for(sergeant),
        client_for(second_sergeant),
        url,
        scenario_post(script="First script.", expected_version=1),
        scenario_post(script="Second script.", expected_version=1),
    )
    newer = Scenario.objects.get(force=force, is_current=True)
    assert (newer.version, newer.script) == (2, "First script.")
    assert Scenario.objects.filter(force=force).count() == 2
    assert response.context["form"]["script"].value() == "Second script."
    # Saving again, after a look, goes to the current version rather than forking the old one.
    assert response.context["action"] == reverse("visits:scenario_edit", args=[newer.pk])
    again = client_for(second_sergeant).post(
        response.context["action"], response.context["form"].data
    )
    assert again.status_code == 302
    newer.refresh_from_db()
    assert newer.script == "Second script."
    assert Scenario.objects.filter(force=force).count() == 2


# -- 26. Atomicity ----------------------------------------------------------------------------


def _history_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__name__.endswith("Event") and hasattr(model, "pgh_obj")
    }


def _failing_client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _boom(*args, **kwargs):
    raise RuntimeError("the database went away halfway")


def test_a_failure_after_saving_a_session_leaves_no_session_and_no_history(sergeant, town):
    premises = PremisesFactory(town=town)
    history = _history_counts()
    with mock.patch.object(QueueAssignment.objects, "filter", side_effect=_boom):
        response = _failing_client(sergeant).post(
            reverse("training:session_create"), session_post(premises_id=premises.pk)
        )
    assert response.status_code == 500
    assert not TrainingSession.objects.exists()
    assert _history_counts() == history


def test_a_failure_after_recording_a_letter_leaves_no_letter(sergeant, officer, town):
    visit = VisitFactory(premises=PremisesFactory(town=town), officer=officer)
    with mock.patch.object(QueueAssignment.objects, "filter", side_effect=_boom):
        response = _failing_client(sergeant).post(reverse("training:letter_sent", args=[visit.pk]))
    assert response.status_code == 500
    assert not OutcomeLetter.objects.exists()


def test_a_failure_after_saving_a_visit_leaves_no_visit_cadet_link_or_history(officer, force, town):
    premises = PremisesFactory(town=town)
    cadet = ParticipantFactory(force=force)
    operation = OperationFactory(force=force, scenario=None)
    operation.premises.add(premises)
    history = _history_counts()
    with mock.patch.object(Operation.objects, "filter", side_effect=_boom):
        response = _failing_client(officer).post(
            reverse("visits:create", args=[premises.pk]),
            visit_post(premises, cadet, operation=operation.pk),
        )
    assert response.status_code == 500
    assert not Visit.objects.exists()
    assert not Visit.participants.through.objects.exists()
    operation.refresh_from_db()
    assert operation.status == "planned"
    assert _history_counts() == history


def test_a_failure_halfway_through_a_disposal_erases_nothing(force_admin, town, officer):
    premises = make_forgotten(town, name="Quayside Inn", notes="Night porter")
    visit = VisitFactory(
        premises=premises,
        officer=officer,
        debrief_notes="Talked to the DPS.",
        visited_at=premises.updated_at,
    )
    history = _history_counts()
    # Fails once the database function has erased everything and logged it, reading its entry.
    with mock.patch.object(ErasureLog.objects, "get", side_effect=_boom):
        response = _failing_client(force_admin).post(
            reverse("retention:decide", args=[premises.pk]),
            {"decision": "dispose", "reason": "Past review", "confirm": "on"},
        )
    assert response.status_code == 500
    premises.refresh_from_db()
    visit.refresh_from_db()
    assert (premises.name, premises.notes, premises.disposed_at) == (
        "Quayside Inn",
        "Night porter",
        None,
    )
    assert visit.debrief_notes == "Talked to the DPS."
    assert not RetentionDecision.objects.exists()
    assert not ErasureLog.objects.exists()
    assert _history_counts() == history
    snapshot = apps.get_model("premises", "PremisesEvent").objects.filter(pgh_obj_id=premises.pk)
    assert snapshot.filter(name="Quayside Inn").exists()


def test_a_failed_user_create_leaves_no_user(force_admin):
    from .formdata import user_post

    with mock.patch("accounts.forms.Group.objects.get", side_effect=_boom):
        response = _failing_client(force_admin).post(reverse("accounts:user_create"), user_post())
    assert response.status_code == 500
    assert not User.objects.filter(username="new.officer").exists()
    assert not Premises.objects.exists()
