"""Rules the database holds however a row is written: grades, constraints, cross-table triggers."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from visits.models import Participant, Visit
from visits.services import visit_save

from ..factories import (
    OperationFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    VisitFactory,
)

OUTCOME_RESULTS = {
    "reported_to_police": "pass",
    "refused_concerns": "pass",
    "challenged": "fail",
    "uneasy": "fail",
    "refused_other": "fail",
    "completed": "fail",
    "void": "void",
}


def valid_for(outcome):
    """Field values that let `outcome` through every other rule."""
    return {
        "outcome": outcome,
        "police_contact": "101" if outcome == "reported_to_police" else "none",
        "reason": "No cash bookings." if outcome in ("refused_other", "void") else "",
    }


def refused_by_the_database(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


# -- outcome and result -----------------------------------------------------------------------


def test_the_outcome_keys_are_exactly_the_seven_graded_outcomes():
    assert Visit.Outcome.values == list(OUTCOME_RESULTS)


@pytest.mark.parametrize("outcome,result", OUTCOME_RESULTS.items())
def test_each_outcome_grades_to_its_result(outcome, result):
    assert Visit.result_for(outcome) == result


@pytest.mark.parametrize("outcome,result", OUTCOME_RESULTS.items())
def test_visit_save_stores_the_result_of_the_outcome(officer, premises, cadet, outcome, result):
    wrong = "void" if result != "void" else "pass"
    visit = VisitFactory.build(premises=premises, officer=None, result=wrong, **valid_for(outcome))
    visit_save(visit=visit, user=officer, participants=[cadet])
    visit.refresh_from_db()
    assert visit.result == result
    assert visit.officer == officer


@pytest.mark.parametrize("outcome,result", OUTCOME_RESULTS.items())
def test_visit_save_regrades_an_edited_outcome(officer, premises, outcome, result):
    visit = VisitFactory(premises=premises, officer=officer)
    for name, value in valid_for(outcome).items():
        setattr(visit, name, value)
    visit_save(visit=visit, user=officer, expected_version=1)
    visit.refresh_from_db()
    assert (visit.result, visit.version) == (result, 2)


@pytest.mark.parametrize("outcome,result", OUTCOME_RESULTS.items())
def test_the_database_refuses_a_result_that_does_not_match_the_outcome(
    officer, premises, outcome, result
):
    for wrong in {"pass", "fail", "void"} - {result}:
        row = VisitFactory.build(
            premises=premises, officer=officer, result=wrong, **valid_for(outcome)
        )
        refused_by_the_database(lambda row=row: Visit.objects.bulk_create([row]))
    assert not Visit.objects.exists()
    row = VisitFactory.build(
        premises=premises, officer=officer, result=result, **valid_for(outcome)
    )
    Visit.objects.bulk_create([row])
    assert Visit.objects.get().result == result


def test_an_update_around_the_model_cannot_break_the_grade(premises, officer):
    visit = VisitFactory(premises=premises, officer=officer)
    refused_by_the_database(lambda: Visit.objects.filter(pk=visit.pk).update(result="pass"))

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE visits_visit SET outcome = 'refused_concerns' WHERE id = %s", [visit.pk]
            )

    refused_by_the_database(raw_update)
    visit.refresh_from_db()
    assert (visit.outcome, visit.result) == ("completed", "fail")


# -- check constraints ------------------------------------------------------------------------

BROKEN = {
    "debrief held without notes": {"debrief_held": True, "debrief_notes": ""},
    "refused for another reason without a reason": {"outcome": "refused_other", "result": "fail"},
    "void without a reason": {"outcome": "void", "result": "void"},
    "reported without saying how": {"outcome": "reported_to_police", "result": "pass"},
    "training accepted but not offered": {"training_offered": False, "training_accepted": True},
    "in the future": {"visited_at": timezone.now() + datetime.timedelta(days=1)},
    "an unknown stage": {"stage_reached": "lobby"},
    "an unknown police contact": {"police_contact": "pigeon"},
    "an unknown indicator": {"indicators": ["pays_cash", "wore_a_hat"]},
    "an unknown staff role": {"staff_roles": ["butler"]},
    "an unknown material": {"material_left": ["leaflets"]},
    "version zero": {"version": 0},
}


@pytest.mark.parametrize("changes", BROKEN.values(), ids=BROKEN.keys())
def test_the_database_refuses_a_visit_that_breaks_a_rule(premises, officer, changes):
    row = VisitFactory.build(premises=premises, officer=officer, **changes)
    refused_by_the_database(lambda: Visit.objects.bulk_create([row]))
    assert not Visit.objects.exists()


def test_an_imported_visit_may_have_held_a_debrief_without_notes(premises):
    row = VisitFactory.build(premises=premises, officer=None, imported=True, debrief_notes="")
    Visit.objects.bulk_create([row])
    assert Visit.objects.get().imported


def test_a_visit_cannot_be_a_retest_of_itself(premises, officer):
    visit = VisitFactory(premises=premises, officer=officer)
    refused_by_the_database(lambda: Visit.objects.filter(pk=visit.pk).update(retest_of=visit.pk))


# -- cross-table triggers ---------------------------------------------------------------------


def test_a_retest_of_an_earlier_visit_to_the_same_premises_is_stored(premises, officer):
    first = VisitFactory(premises=premises, visited_at=timezone.now() - datetime.timedelta(days=60))
    again = VisitFactory(premises=premises, retest_of=first)
    assert again.retest_of == first


def test_the_database_refuses_a_retest_of_another_premises(town, premises, officer):
    elsewhere = VisitFactory(
        premises=PremisesFactory(town=town),
        visited_at=timezone.now() - datetime.timedelta(days=60),
    )
    row = VisitFactory.build(premises=premises, officer=officer, retest_of=elsewhere)
    refused_by_the_database(lambda: Visit.objects.bulk_create([row]))


def test_the_database_refuses_a_retest_of_a_later_visit(premises, officer):
    later = VisitFactory(premises=premises, visited_at=timezone.now() - datetime.timedelta(hours=1))
    row = VisitFactory.build(
        premises=premises,
        officer=officer,
        retest_of=later,
        visited_at=timezone.now() - datetime.timedelta(days=2),
    )
    refused_by_the_database(lambda: Visit.objects.bulk_create([row]))
    same_time = VisitFactory.build(
        premises=premises, officer=officer, retest_of=later, visited_at=later.visited_at
    )
    refused_by_the_database(lambda: Visit.objects.bulk_create([same_time]))


def test_the_database_refuses_another_forces_premises(force, officer, other_town):
    theirs = PremisesFactory(town=other_town)
    row = VisitFactory.build(premises=theirs, force=force, officer=officer)
    refused_by_the_database(lambda: Visit.objects.bulk_create([row]))


def test_the_database_refuses_another_forces_scenario(premises, officer, other_force):
    row = VisitFactory.build(
        premises=premises, officer=officer, scenario=ScenarioFactory(force=other_force)
    )
    refused_by_the_database(lambda: Visit.objects.bulk_create([row]))


def test_the_database_refuses_another_forces_operation(premises, officer, other_force):
    row = VisitFactory.build(
        premises=premises, officer=officer, operation=OperationFactory(force=other_force)
    )
    refused_by_the_database(lambda: Visit.objects.bulk_create([row]))


def test_an_update_cannot_move_a_visit_to_another_forces_records(premises, officer, other_force):
    visit = VisitFactory(premises=premises, officer=officer)
    theirs = OperationFactory(force=other_force)
    refused_by_the_database(lambda: Visit.objects.filter(pk=visit.pk).update(operation=theirs))
    refused_by_the_database(lambda: Visit.objects.filter(pk=visit.pk).update(force=other_force))


def test_the_database_refuses_another_forces_cadet(premises, officer, cadet, other_force):
    visit = VisitFactory(premises=premises, officer=officer)
    visit.participants.add(cadet)
    theirs = ParticipantFactory(force=other_force, code="C-500")
    refused_by_the_database(lambda: visit.participants.add(theirs))
    assert list(visit.participants.all()) == [cadet]


# -- cadets are children ----------------------------------------------------------------------


def test_a_cadet_is_stored_without_name_birth_date_or_contact():
    stored = {field.name for field in Participant._meta.concrete_fields}
    assert stored == {
        "id",
        "force",
        "code",
        "age_band",
        "permission_recorded_on",
        "active",
        "imported",
        "version",
        "created_at",
        "updated_at",
    }
    personal = ("name", "birth", "dob", "phone", "email", "address", "contact", "school")
    assert not [name for name in stored if any(word in name for word in personal)]


@pytest.mark.parametrize("code", ["Jane Smith", "JS", "c-014", "C_014", "", "C-0123456"])
def test_the_database_refuses_a_code_that_could_be_a_name(force, code):
    refused_by_the_database(lambda: ParticipantFactory(force=force, code=code))


def test_the_database_refuses_a_code_twice_in_one_force(force, other_force):
    ParticipantFactory(force=force, code="C-014")
    refused_by_the_database(lambda: ParticipantFactory(force=force, code="C-014"))
    assert ParticipantFactory(force=other_force, code="C-014").code == "C-014"


def test_the_database_refuses_a_permission_date_in_the_future(force):
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    refused_by_the_database(
        lambda: ParticipantFactory(force=force, permission_recorded_on=tomorrow)
    )


def test_the_database_refuses_an_unknown_age_band(force):
    refused_by_the_database(lambda: ParticipantFactory(force=force, age_band="12-13"))


def test_only_active_cadets_with_permission_can_take_part(force):
    able = ParticipantFactory(force=force)
    ParticipantFactory(force=force, active=False)
    ParticipantFactory(force=force, permission_recorded_on=None)
    assert list(Participant.objects.can_take_part()) == [able]
    assert able.can_take_part
