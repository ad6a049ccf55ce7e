"""Cadet pages: pseudonymous codes only, unique in the force, permission dated in the past."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from visits.models import Participant

from ..factories import ParticipantFactory, VisitFactory


def cadet_data(**changes):
    data = {"code": "C-021", "age_band": "14-15", "permission_recorded_on": "01/09/2021"}
    data.update(changes)
    if data.pop("active", True):
        data["active"] = "on"
    return data


def test_the_list_works(sergeant_client, cadet, force, other_force, premises):
    ParticipantFactory(force=force, code="C-002", active=False)
    ParticipantFactory(force=force, code="C-003", permission_recorded_on=None)
    ParticipantFactory(force=other_force, code="N-001")
    VisitFactory(premises=premises).participants.add(cadet)
    response = sergeant_client.get(reverse("visits:participant_list"))
    assert response.status_code == 200
    rows = {p.code: p for p in response.context["page"]}
    assert list(rows) == ["C-003", "C-014", "C-002"]  # active first, then by code
    assert rows["C-014"].visit_count == 1
    html = response.content.decode()
    assert "Not recorded" in html
    assert "Inactive" in html
    assert "N-001" not in html


def test_a_force_admin_may_manage_cadets(force_admin_client):
    assert force_admin_client.get(reverse("visits:participant_list")).status_code == 200
    response = force_admin_client.post(reverse("visits:participant_create"), cadet_data())
    assert response.status_code == 302


@pytest.mark.parametrize("client_name", ["officer_client", "commander_client"])
def test_officers_and_commanders_cannot_manage_cadets(request, client_name, cadet):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("visits:participant_list")).status_code == 403
    assert client.post(reverse("visits:participant_create"), cadet_data()).status_code == 403
    url = reverse("visits:participant_edit", args=[cadet.pk])
    assert client.post(url, cadet_data(code="C-099", expected_version=1)).status_code == 403
    assert Participant.objects.get().code == "C-014"


def test_a_sergeant_adds_a_cadet(sergeant_client, sergeant):
    response = sergeant_client.post(reverse("visits:participant_create"), cadet_data(code=" c-21 "))
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:participant_list")
    cadet = Participant.objects.get()
    assert cadet.code == "C-21"
    assert cadet.force == sergeant.force
    assert cadet.permission_recorded_on == datetime.date(2021, 9, 1)
    assert cadet.active


@pytest.mark.parametrize(
    "code", ["Jane Smith", "Jane", "JS", "J.S. 14", "C 014", "C-014-A", "ABCD-1", "C-123456"]
)
def test_a_code_that_could_be_a_name_is_refused(sergeant_client, code):
    response = sergeant_client.post(reverse("visits:participant_create"), cadet_data(code=code))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "Use a pseudonymous code such as C-014: letters, a hyphen and digits. Never a name."
    ]
    assert not Participant.objects.exists()


def test_a_code_is_unique_in_the_force_only(sergeant_client, cadet, other_force):
    ParticipantFactory(force=other_force, code="C-500")
    response = sergeant_client.post(reverse("visits:participant_create"), cadet_data(code="c-014"))
    assert response.context["form"].errors["code"] == ["Another cadet of your force has this code."]
    response = sergeant_client.post(reverse("visits:participant_create"), cadet_data(code="C-500"))
    assert response.status_code == 302


def test_the_permission_date_cannot_be_in_the_future(sergeant_client):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = sergeant_client.post(
        reverse("visits:participant_create"), cadet_data(permission_recorded_on=tomorrow)
    )
    assert response.context["form"].errors["permission_recorded_on"] == [
        "The permission date cannot be in the future."
    ]
    assert not Participant.objects.exists()


def test_a_cadet_without_permission_can_be_added_but_cannot_take_part(sergeant_client, premises):
    response = sergeant_client.post(
        reverse("visits:participant_create"), cadet_data(permission_recorded_on="")
    )
    assert response.status_code == 302
    form = sergeant_client.get(reverse("visits:create", args=[premises.pk])).context["form"]
    assert not form.fields["participants"].queryset.exists()


def test_the_form_offers_no_name_birth_date_or_contact_fields(sergeant_client):
    form = sergeant_client.get(reverse("visits:participant_create")).context["form"]
    assert list(form.fields) == [
        "code",
        "age_band",
        "permission_recorded_on",
        "active",
        "expected_version",
    ]


def test_a_posted_name_or_force_is_ignored(sergeant_client, sergeant, other_force):
    data = cadet_data(first_name="Jane", last_name="Smith", force=other_force.pk, version=7)
    assert sergeant_client.post(reverse("visits:participant_create"), data).status_code == 302
    cadet = Participant.objects.get()
    assert cadet.force == sergeant.force
    assert cadet.version == 1


def test_a_sergeant_edits_a_cadet(sergeant_client, cadet):
    url = reverse("visits:participant_edit", args=[cadet.pk])
    assert sergeant_client.get(url).status_code == 200
    response = sergeant_client.post(
        url, cadet_data(code="C-014", age_band="16-17", active=False, expected_version=1)
    )
    assert response.status_code == 302
    cadet.refresh_from_db()
    assert (cadet.age_band, cadet.active, cadet.version) == ("16-17", False, 2)


def test_a_stale_cadet_edit_is_refused(sergeant_client, cadet):
    Participant.objects.filter(pk=cadet.pk).update(version=2, age_band="16-17")
    response = sergeant_client.post(
        reverse("visits:participant_edit", args=[cadet.pk]),
        cadet_data(code="C-014", active=False, expected_version=1),
    )
    assert response.status_code == 200
    assert b"Someone else saved this record" in response.content
    cadet.refresh_from_db()
    assert (cadet.age_band, cadet.active) == ("16-17", True)


def test_another_forces_cadet_is_not_found(sergeant_client, other_force):
    theirs = ParticipantFactory(force=other_force, code="N-001")
    url = reverse("visits:participant_edit", args=[theirs.pk])
    assert sergeant_client.get(url).status_code == 404
    assert (
        sergeant_client.post(url, cadet_data(code="N-002", expected_version=1)).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.code == "N-001"
