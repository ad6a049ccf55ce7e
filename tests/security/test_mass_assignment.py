"""docs/security.md check 4: fields a form does not offer cannot be set by POSTing them anyway."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from training.models import Notice, TrainingSession
from visits.models import Operation, Participant, Scenario, Visit

from ..factories import (
    TEST_PASSWORD,
    NoticeFactory,
    ParticipantFactory,
    PremisesFactory,
    TrainingSessionFactory,
    VisitFactory,
)
from .formdata import (
    notice_post,
    operation_post,
    participant_post,
    scenario_post,
    session_post,
    user_post,
    visit_post,
)


@pytest.fixture
def theirs(other_officer, other_town):
    """Another force's officer and premises, whose ids an attacker posts."""
    return {"officer": other_officer, "premises": PremisesFactory(town=other_town)}


def planted(theirs, **more) -> dict:
    """The extra fields an attacker adds to a form: owner, force, version, graded result."""
    return {
        "force": theirs["officer"].force_id,
        "created_by": theirs["officer"].pk,
        "updated_by": theirs["officer"].pk,
        "version": "99",
        "result": "pass",
        "imported": "on",
        "disposed_at": "01/01/2020 10:00",
        **more,
    }


@pytest.fixture
def premises(town):
    return PremisesFactory(town=town)


@pytest.fixture
def cadet(force):
    return ParticipantFactory(force=force)


def test_logging_a_visit_ignores_posted_owner_force_version_and_result(
    officer_client, officer, premises, cadet, theirs
):
    data = visit_post(premises, cadet, **planted(theirs, officer=theirs["officer"].pk))
    response = officer_client.post(reverse("visits:create", args=[premises.pk]), data)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.force, visit.premises) == (officer.force, premises)
    assert (visit.officer, visit.created_by, visit.updated_by) == (officer, officer, officer)
    assert (visit.version, visit.result, visit.imported) == (1, "fail", False)


def test_editing_a_visit_ignores_posted_owner_force_version_and_result(
    sergeant_client, sergeant, officer, premises, cadet, theirs
):
    visit = VisitFactory(premises=premises, officer=officer)
    data = visit_post(
        premises, cadet, expected_version=1, **planted(theirs, officer=theirs["officer"].pk)
    )
    # The premises field only offers the visit's own premises: another's is an error, not a move.
    data["premises"] = theirs["premises"].pk
    response = sergeant_client.post(reverse("visits:edit", args=[visit.pk]), data)
    assert response.status_code == 200
    data["premises"] = premises.pk
    response = sergeant_client.post(reverse("visits:edit", args=[visit.pk]), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.force, visit.premises) == (officer.force, premises)
    assert (visit.officer, visit.created_by, visit.updated_by) == (officer, officer, sergeant)
    assert (visit.version, visit.result, visit.imported) == (2, "fail", False)


def test_scheduling_training_ignores_posted_owner_force_version_and_premises(
    sergeant_client, sergeant, premises, theirs
):
    data = session_post(
        premises_id=premises.pk,
        **planted(theirs, premises=theirs["premises"].pk, staff_trained="9", status="scheduled"),
    )
    response = sergeant_client.post(reverse("training:session_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    session = TrainingSession.objects.get()
    assert (session.force, session.premises, session.visit) == (premises.force, premises, None)
    assert (session.created_by, session.updated_by, session.version) == (sergeant, sergeant, 1)


def test_editing_training_ignores_posted_owner_force_version_and_premises(
    sergeant_client, sergeant, premises, theirs
):
    session = TrainingSessionFactory(premises=premises)
    data = session_post(expected_version=1, **planted(theirs, premises=theirs["premises"].pk))
    response = sergeant_client.post(reverse("training:session_edit", args=[session.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    session.refresh_from_db()
    assert (session.force, session.premises) == (premises.force, premises)
    assert (session.created_by, session.updated_by, session.version) == (None, sergeant, 2)


def test_recording_a_notice_ignores_posted_owner_force_and_version(
    sergeant_client, sergeant, inspector, premises, theirs
):
    data = notice_post(premises, inspector, **planted(theirs))
    response = sergeant_client.post(reverse("training:notice_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    notice = Notice.objects.get()
    assert (notice.force, notice.premises, notice.issued_by) == (
        premises.force,
        premises,
        inspector,
    )
    assert (notice.created_by, notice.version) == (sergeant, 1)


def test_a_notice_cannot_be_moved_to_another_forces_premises_or_issuer(
    sergeant_client, inspector, premises, theirs, other_force
):
    notice = NoticeFactory(premises=premises, issued_by=inspector)
    their_inspector = theirs["officer"]
    their_inspector.rank = "inspector"
    their_inspector.save()
    url = reverse("training:notice_edit", args=[notice.pk])
    for field, value in [("premises", theirs["premises"].pk), ("issued_by", their_inspector.pk)]:
        data = {**notice_post(premises, inspector, expected_version=1), field: value}
        response = sergeant_client.post(url, data)
        assert response.status_code == 200
        assert field in response.context["form"].errors
    data = notice_post(premises, inspector, expected_version=1, **planted(theirs))
    assert sergeant_client.post(url, data).status_code == 302
    notice.refresh_from_db()
    assert (notice.force, notice.premises, notice.issued_by) == (
        premises.force,
        premises,
        inspector,
    )
    assert (notice.created_by, notice.version) == (None, 2)


def test_planning_an_operation_ignores_posted_owner_force_status_and_version(
    officer_client, officer, theirs
):
    data = operation_post(**planted(theirs, status="completed"))
    response = officer_client.post(reverse("visits:operation_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    operation = Operation.objects.get()
    assert (operation.force, operation.created_by) == (officer.force, officer)
    assert (operation.status, operation.version, operation.imported) == ("planned", 1, False)


def test_adding_a_cadet_ignores_posted_force_version_and_imported(
    sergeant_client, sergeant, theirs
):
    response = sergeant_client.post(
        reverse("visits:participant_create"), participant_post(**planted(theirs))
    )
    assert response.status_code == 302
    cadet = Participant.objects.get()
    assert (cadet.force, cadet.version, cadet.imported) == (sergeant.force, 1, False)


def test_adding_a_scenario_ignores_posted_force_version_and_current_flag(
    sergeant_client, sergeant, theirs
):
    data = scenario_post(**planted(theirs, is_current="", version="7"))
    response = sergeant_client.post(reverse("visits:scenario_create"), data)
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert (scenario.force, scenario.created_by) == (sergeant.force, sergeant)
    assert (scenario.version, scenario.is_current, scenario.imported) == (1, True, False)


SUPERPOWERS = {
    "is_superuser": "on",
    "is_staff": "on",
    "last_login": "01/01/2020 10:00",
    "date_joined": "01/01/2000 10:00",
}


def test_creating_a_user_ignores_posted_force_superuser_groups_and_permissions(
    force_admin_client, force_admin, theirs
):
    permission = Permission.objects.get(codename="view_audit")
    data = user_post(
        force=theirs["officer"].force_id,
        groups=[1, 2, 3, 4],
        user_permissions=[permission.pk],
        password="md5$salt$0123456789abcdef",
        **SUPERPOWERS,
    )
    response = force_admin_client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 302
    user = User.objects.get(username="new.officer")
    assert user.force == force_admin.force
    assert (user.is_superuser, user.is_staff, user.last_login) == (False, False, None)
    assert user.role_names == ["Officer"]
    assert not user.user_permissions.exists()
    assert not user.has_perm("audit.view_audit")
    assert user.check_password(data["password1"])


def test_editing_a_user_ignores_posted_force_superuser_and_password_hash(
    force_admin_client, force_admin, officer, theirs
):
    data = user_post(
        username=officer.username,
        collar_number=officer.collar_number,
        password1="",
        password2="",
        force=theirs["officer"].force_id,
        password="md5$salt$0123456789abcdef",
        expected_version=1,
        version="99",
        **SUPERPOWERS,
    )
    response = force_admin_client.post(reverse("accounts:user_edit", args=[officer.pk]), data)
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.version == 2
    assert officer.force == force_admin.force
    assert (officer.is_superuser, officer.is_staff) == (False, False)
    assert officer.check_password(TEST_PASSWORD)
    assert officer.role_names == ["Officer"]
