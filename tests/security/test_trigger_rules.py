"""docs/security.md check 24, by trigger: the rules that span tables, and the upkeep of the reports'
summary tables, are django-pgtrigger triggers declared in the models. The migrations install
them, no hand-written trigger or function is left beside them, and each still refuses (or
counts) a write that goes around the ORM: raw SQL, or bulk_create.
"""

import random
import re
from datetime import timedelta

import pgtrigger
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pgtrigger.core import INSTALLED

from premises.models import Premises
from training.models import Notice
from visits.models import Visit, VisitParticipant

from ..factories import (
    GuestInfoRequestFactory,
    NoticeFactory,
    OperationFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    TownFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)
from ..reports.test_summary import assert_summary_exact, build_visits

RULE_TRIGGERS = [
    "premises.Town:town_rules",
    "premises.Premises:premises_rules",
    "premises.Premises:premises_disposed_final",
    "visits.Visit:visit_rules",
    "visits.VisitParticipant:visit_participant_rules",
    "visits.Participant:participant_permission_covers_visits",
    "visits.Operation:operation_rules",
    "visits.OperationMember:operation_member_same_force",
    "visits.OperationCadet:operation_cadet_rules",
    "training.TrainingSession:training_rules",
    "training.TrainingSession:training_status_transition",
    "training.Notice:notice_rules",
    "training.GuestInfoRequest:request_rules",
]
SUMMARY_TRIGGERS = [
    "reports.CountedVisit:visit_counts_insert",
    "reports.CountedVisit:visit_counts_update",
    "reports.CountedVisit:visit_counts_delete",
    "reports.CountedPremises:premises_summary",
]

# What the hand-written migrations (premises 0005, visits 0003, training 0002, reports 0002 and
# 0005) created before the rules moved into the models.
HAND_WRITTEN_FUNCTIONS = [
    "makesafe_premises_rules",
    "makesafe_town_rules",
    "makesafe_visit_rules",
    "makesafe_visit_participant_rules",
    "makesafe_notice_rules",
    "makesafe_request_rules",
    "makesafe_training_rules",
    "makesafe_summary_add",
    "makesafe_summary_change",
    "makesafe_summary_visit",
    "makesafe_summary_premises",
    "makesafe_day_total_change",
    "makesafe_day_total_visit",
]


@pytest.mark.parametrize("uri", RULE_TRIGGERS + SUMMARY_TRIGGERS)
def test_each_rule_is_a_pgtrigger_trigger_the_migrations_installed(db, uri):
    ((model, trigger),) = pgtrigger.registered(uri)
    assert trigger.get_installation_status(model) == (INSTALLED, True)


def test_pgtrigger_ls_lists_every_one_installed_and_enabled(db, capsys):
    uris = RULE_TRIGGERS + SUMMARY_TRIGGERS
    call_command("pgtrigger", "ls", *uris)
    listed = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out).splitlines()
    assert sorted(listed) == sorted(f"INSTALLED ENABLED {uri}" for uri in uris)


def test_no_hand_written_trigger_or_function_is_left(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname FROM pg_proc WHERE proname = ANY(%s)", [HAND_WRITTEN_FUNCTIONS]
        )
        assert cursor.fetchall() == []
        # Every trigger in the database is pgtrigger's: these rules, pghistory's and the
        # append-only logs'.
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname NOT LIKE 'pgtrigger\\_%'"
        )
        assert cursor.fetchall() == []


def test_the_cadets_rule_is_on_djangos_own_many_to_many_table():
    assert VisitParticipant._meta.proxy
    assert VisitParticipant._meta.db_table == Visit.participants.through._meta.db_table
    assert Visit.participants.through._meta.auto_created


# -- Writes around the ORM ---------------------------------------------------------------------


@pytest.fixture
def rows(force, town, other_town, officer):
    """One row of each kind the rules look at, and rows of the other force to break them with."""
    other_force = other_town.force
    hotel = PremisesFactory(town=town, sector="hotel")
    pub = PremisesFactory(town=town, sector="licensed")
    now = timezone.now()
    visit = VisitFactory(premises=hotel, officer=officer, visited_at=now - timedelta(days=20))
    later = VisitFactory(premises=hotel, officer=officer, visited_at=now - timedelta(days=2))
    notice = NoticeFactory(premises=hotel, issued_by=UserFactory(force=force, rank="inspector"))
    cadet = ParticipantFactory(force=force, permission_recorded_on=now.date() - timedelta(days=30))
    visit.participants.add(cadet)
    return {
        "cadet": cadet,
        "unpermitted_cadet": ParticipantFactory(force=force, permission_recorded_on=None),
        "town": town,
        "hotel": hotel,
        "pub": pub,
        "visit": visit,
        "later": later,
        "pub_visit": VisitFactory(premises=pub, officer=officer),
        "notice": notice,
        "request": GuestInfoRequestFactory(notice=notice),
        "session": TrainingSessionFactory(premises=hotel, visit=visit),
        "delivered": TrainingSessionFactory(
            premises=hotel, status="delivered", scheduled_for=now, staff_trained=4
        ),
        "constable": UserFactory(force=force, rank="constable"),
        "other_force": other_force,
        "other_town": other_town,
        "other_hotel": PremisesFactory(town=other_town, sector="hotel"),
        "other_scenario": ScenarioFactory(force=other_force),
        "other_operation": OperationFactory(force=other_force),
        "other_cadet": ParticipantFactory(force=other_force),
        "other_inspector": UserFactory(force=other_force, rank="inspector"),
        "disposed": PremisesFactory(town=town, active=False, disposed_at=now),
        "plan": OperationFactory(force=force, approved=False),
        "approved_plan": _with_cadet(OperationFactory(force=force), cadet),
        "other_officer": UserFactory(force=other_force),
    }


def _with_cadet(operation, cadet):
    operation.cadets.add(cadet)
    return operation


def _sql(statement, *names):
    """A raw SQL write whose parameters are the rows called `names`' ids."""

    def write(rows):
        with connection.cursor() as cursor:
            cursor.execute(statement, [rows[name].pk for name in names])

    return write


def _bulk_premises_in_another_forces_town(rows):
    Premises.objects.bulk_create(
        [PremisesFactory.build(town=rows["other_town"], force=rows["town"].force)]
    )


def _bulk_notice_on_another_forces_hotel(rows):
    notice = NoticeFactory.build(
        premises=rows["other_hotel"], force=rows["town"].force, issued_by=rows["notice"].issued_by
    )
    Notice.objects.bulk_create([notice])


# (trigger, the error it raises, a write that breaks the rule): every rule of every trigger.
WRITES = [
    (
        "operation_rules",
        "operation_approver_same_force",
        _sql(
            "UPDATE visits_operation SET risk_assessment_approved_by_id = %s WHERE id = %s",
            "other_officer",
            "approved_plan",
        ),
    ),
    (
        "operation_rules",
        "operation_approval_names_reference",
        _sql(
            "UPDATE visits_operation SET risk_assessment_ref = 'RA-X' WHERE id = %s",
            "approved_plan",
        ),
    ),
    (
        "operation_rules",
        "operation_start_needs_approval",
        _sql("UPDATE visits_operation SET status = 'in_progress' WHERE id = %s", "plan"),
    ),
    (
        "operation_rules",
        "operation_start_needs_cover",
        _sql("UPDATE visits_operation SET status = 'in_progress' WHERE id = %s", "approved_plan"),
    ),
    (
        "operation_rules",
        "operation_start_needs_permission",
        _sql(
            # A cover for the cadet, then a start moved to before the cadet's permission.
            "INSERT INTO visits_operationmember (operation_id, user_id, role, created_at, "
            "updated_at) VALUES (%s, %s, 'cover', now(), now()); "
            "UPDATE visits_operation SET status = 'in_progress', date = date - 60 WHERE id = %s",
            "approved_plan",
            "constable",
            "approved_plan",
        ),
    ),
    (
        "operation_member_same_force",
        "operation_member_same_force",
        _sql(
            "INSERT INTO visits_operationmember (operation_id, user_id, role, created_at, "
            "updated_at) VALUES (%s, %s, 'cover', now(), now())",
            "plan",
            "other_officer",
        ),
    ),
    (
        "operation_cadet_rules",
        "operation_cadet_same_force",
        _sql(
            "INSERT INTO visits_operationcadet (operation_id, participant_id, created_at) "
            "VALUES (%s, %s, now())",
            "plan",
            "other_cadet",
        ),
    ),
    (
        "operation_cadet_rules",
        "operation_start_needs_permission",
        _sql(
            "INSERT INTO visits_operationcadet (operation_id, participant_id, created_at) "
            "VALUES (%s, %s, now())",
            "plan",
            "unpermitted_cadet",
        ),
    ),
    ("premises_rules", "premises_town_same_force", _bulk_premises_in_another_forces_town),
    (
        "premises_rules",
        "premises_town_same_force",
        _sql("UPDATE premises_premises SET town_id = %s WHERE id = %s", "other_town", "hotel"),
    ),
    (
        "premises_disposed_final",
        "premises_disposed_final",
        _sql("UPDATE premises_premises SET active = true WHERE id = %s", "disposed"),
    ),
    (
        "town_rules",
        "premises_town_same_force",
        _sql("UPDATE premises_town SET force_id = %s WHERE id = %s", "other_force", "town"),
    ),
    (
        "visit_rules",
        "visit_premises_same_force",
        _sql("UPDATE visits_visit SET premises_id = %s WHERE id = %s", "other_hotel", "visit"),
    ),
    (
        "visit_rules",
        "visit_scenario_same_force",
        _sql("UPDATE visits_visit SET scenario_id = %s WHERE id = %s", "other_scenario", "visit"),
    ),
    (
        "visit_rules",
        "visit_operation_same_force",
        _sql("UPDATE visits_visit SET operation_id = %s WHERE id = %s", "other_operation", "visit"),
    ),
    (
        "visit_rules",
        "visit_retest_earlier_same_premises",
        _sql("UPDATE visits_visit SET retest_of_id = %s WHERE id = %s", "later", "visit"),
    ),
    (
        "visit_rules",
        "visit_retest_earlier_same_premises",
        _sql("UPDATE visits_visit SET retest_of_id = %s WHERE id = %s", "pub_visit", "later"),
    ),
    (
        "visit_rules",
        "visit_checks_not_waived",
        _sql("UPDATE visits_visit SET logged_before_checks = true WHERE id = %s", "visit"),
    ),
    (
        "visit_rules",
        "visit_cadet_permission_in_force",
        _sql(
            "UPDATE visits_visit SET visited_at = visited_at - interval '40 days' WHERE id = %s",
            "visit",
        ),
    ),
    (
        "visit_participant_rules",
        "visit_cadet_permission_in_force",
        _sql(
            "INSERT INTO visits_visit_participants (visit_id, participant_id) VALUES (%s, %s)",
            "later",
            "unpermitted_cadet",
        ),
    ),
    (
        "participant_permission_covers_visits",
        "visit_cadet_permission_in_force",
        _sql("UPDATE visits_participant SET permission_recorded_on = NULL WHERE id = %s", "cadet"),
    ),
    (
        "visit_participant_rules",
        "visit_participant_same_force",
        _sql(
            "INSERT INTO visits_visit_participants (visit_id, participant_id) VALUES (%s, %s)",
            "visit",
            "other_cadet",
        ),
    ),
    (
        "notice_rules",
        "notice_premises_sector",
        _sql("UPDATE training_notice SET premises_id = %s WHERE id = %s", "pub", "notice"),
    ),
    ("notice_rules", "notice_same_force", _bulk_notice_on_another_forces_hotel),
    (
        "notice_rules",
        "notice_issuer_rank",
        _sql("UPDATE training_notice SET issued_by_id = %s WHERE id = %s", "constable", "notice"),
    ),
    (
        "notice_rules",
        "notice_issuer_force",
        _sql(
            "UPDATE training_notice SET issued_by_id = %s WHERE id = %s",
            "other_inspector",
            "notice",
        ),
    ),
    (
        "request_rules",
        "request_period_within_notice",
        _sql(
            "UPDATE training_guestinforequest SET period_end = period_end + 400 WHERE id = %s",
            "request",
        ),
    ),
    (
        "training_rules",
        "training_same_force",
        _sql(
            "UPDATE training_trainingsession SET premises_id = %s, visit_id = NULL WHERE id = %s",
            "other_hotel",
            "session",
        ),
    ),
    (
        "training_rules",
        "training_visit_same_premises",
        _sql(
            "UPDATE training_trainingsession SET visit_id = %s WHERE id = %s",
            "pub_visit",
            "session",
        ),
    ),
    (
        "training_status_transition",
        "training_status_transition",
        _sql("UPDATE training_trainingsession SET status = 'offered' WHERE id = %s", "delivered"),
    ),
]


def test_every_rule_trigger_is_tried():
    assert {trigger for trigger, _, _ in WRITES} == {uri.split(":")[1] for uri in RULE_TRIGGERS}


@pytest.mark.parametrize(
    "trigger, rule, write", WRITES, ids=[f"{t}-{r}-{i}" for i, (t, r, _) in enumerate(WRITES)]
)
def test_a_write_around_the_orm_is_refused(rows, trigger, rule, write):
    with pytest.raises(IntegrityError, match=f"^{rule}: "), transaction.atomic():
        write(rows)


def test_writes_in_raw_sql_keep_the_summary_tables_exact(force, other_town, officer):
    rng = random.Random(116)
    towns = [TownFactory(force=force) for _ in range(3)]
    premises = [PremisesFactory(town=rng.choice(towns)) for _ in range(8)]
    visits = build_visits(rng, premises, officer, 60)  # bulk_create: one INSERT
    assert_summary_exact()
    ids = [visit.pk for visit in visits]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE visits_visit SET outcome = 'reported_to_police', result = 'pass', "
            "police_contact = '999' WHERE id = ANY(%s)",
            [ids[:10]],
        )
        cursor.execute(
            "UPDATE visits_visit SET outcome = 'void', result = 'void', reason = 'Compromised.' "
            "WHERE id = ANY(%s)",
            [ids[10:20]],
        )
        cursor.execute(
            "UPDATE visits_visit SET visited_at = visited_at - interval '40 days' "
            "WHERE id = ANY(%s)",
            [ids[20:30]],
        )
        cursor.execute(
            "UPDATE premises_premises SET town_id = %s, sector = 'bnb' WHERE id = ANY(%s)",
            [towns[0].pk, [p.pk for p in premises[:4]]],
        )
        cursor.execute("DELETE FROM visits_visit WHERE id = ANY(%s)", [ids[30:45]])
        # An edit of nothing the tables count changes nothing in them.
        cursor.execute(
            "UPDATE visits_visit SET debrief_notes = 'Spoke to the manager.' WHERE id = ANY(%s)",
            [ids[45:]],
        )
    assert_summary_exact()
