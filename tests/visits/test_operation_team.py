"""An operation's team and cadets, its approved risk assessment, its visiting order and its
briefing pack (docs/domain.md, "Operations")."""

import datetime
import io

import pypdf
import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import DisclosureLog
from common.concurrency import StaleEdit
from visits.models import (
    Operation,
    OperationCadet,
    OperationMember,
    OperationPremises,
    Participant,
    Visit,
)
from visits.services import (
    OperationNotReady,
    operation_order_save,
    operation_risk_assessment_approve,
    operation_start,
    operation_team_save,
)

from ..conftest import through_disclosure
from ..factories import (
    OperationFactory,
    OperationMemberFactory,
    ParticipantFactory,
    PremisesFactory,
    TownFactory,
    UserFactory,
    VisitFactory,
)
from ..security.formdata import operation_post
from .conftest import an_hour_ago, visit_data

TODAY = timezone.localdate


def refused(rule: str, write) -> None:
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        write()


def start(operation):
    Operation.objects.filter(pk=operation.pk).update(status=Operation.Status.IN_PROGRESS)


@pytest.fixture
def night(force, officer, scenario, town):
    """A planned operation next week, not yet approved, with three premises in two towns."""
    felixstowe = TownFactory(force=force, name="Felixstowe")
    operation = OperationFactory(
        force=force,
        name="Makesafe Felixstowe",
        date=TODAY() + datetime.timedelta(days=7),
        approved=False,
        scenario=scenario,
        lead_officer=officer,
        meeting_point="Felixstowe police station, rear yard",
    )
    operation.premises.add(
        PremisesFactory(town=felixstowe, name="Harbour Inn", postcode="IP11 2AA"),
        PremisesFactory(town=town, name="Cornhill Lodge", postcode="IP4 1AX"),
        PremisesFactory(town=town, name="Anglia Rooms", postcode="IP1 1AA"),
    )
    return operation


def names_in_order(operation) -> list[str]:
    return [link.premises.name for link in operation.visiting_order()]


# -- The database's rules -----------------------------------------------------------------------


def test_an_operation_cannot_start_without_an_approved_risk_assessment(night):
    refused("operation_start_needs_approval", lambda: start(night))


def test_an_operation_cannot_start_with_fewer_cover_officers_than_cadets(night, sergeant, force):
    Operation.objects.filter(pk=night.pk).update(
        risk_assessment_approved_by=sergeant, risk_assessment_approved_on=TODAY()
    )
    night.cadets.add(ParticipantFactory(force=force), ParticipantFactory(force=force))
    OperationMemberFactory(operation=night)
    refused("operation_start_needs_cover", lambda: start(night))
    OperationMemberFactory(operation=night)
    start(night)
    assert Operation.objects.get(pk=night.pk).status == Operation.Status.IN_PROGRESS


def committed(write) -> None:
    """Run `write` with the deferred rules checked at its end, as a commit checks them."""
    with transaction.atomic():
        write()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def under_way(night, sergeant, force):
    """`night` started, with one cadet and one cover officer."""
    Operation.objects.filter(pk=night.pk).update(
        risk_assessment_approved_by=sergeant, risk_assessment_approved_on=TODAY()
    )
    night.cadets.add(ParticipantFactory(force=force, code="C-101"))
    cover = OperationMemberFactory(operation=night)
    start(night)
    night.refresh_from_db()
    return night, cover


def test_a_night_under_way_keeps_a_cover_officer_per_cadet(under_way, force):
    night, cover = under_way
    rule = "operation_running_needs_cover"
    take_off = OperationMember.objects.filter(pk=cover.pk).delete
    refused(rule, lambda: committed(take_off))
    refused(rule, lambda: committed(lambda: night.cadets.add(ParticipantFactory(force=force))))
    refused(
        rule,
        lambda: committed(
            lambda: OperationMember.objects.filter(pk=cover.pk).update(
                role=OperationMember.Role.HANDLER
            )
        ),
    )
    # A cover officer swapped for another in one transaction is fine, and so is a cadet taken
    # off, or more cover than cadets.
    committed(lambda: (take_off(), OperationMemberFactory(operation=night)))
    committed(lambda: OperationMemberFactory(operation=night))
    committed(lambda: night.cadets.clear())
    assert night.members.count() == 2


def test_a_planned_or_closed_night_may_be_short_of_cover(under_way):
    night, cover = under_way
    for status in (Operation.Status.PLANNED, Operation.Status.COMPLETED):
        Operation.objects.filter(pk=night.pk).update(status=status)
        with transaction.atomic():
            committed(OperationMember.objects.filter(pk=cover.pk).delete)
            transaction.set_rollback(True)


def test_an_operation_cannot_start_with_a_cadet_whose_permission_is_not_in_force(
    night, sergeant, force
):
    Operation.objects.filter(pk=night.pk).update(
        risk_assessment_approved_by=sergeant, risk_assessment_approved_on=TODAY()
    )
    cadet = ParticipantFactory(force=force)
    night.cadets.add(cadet)
    OperationMemberFactory(operation=night)
    # The permission is withdrawn after the booking.
    Operation.objects.filter(pk=night.pk).update(date=TODAY())
    Participant.objects.filter(pk=cadet.pk).update(permission_recorded_on=None)
    refused("operation_start_needs_permission", lambda: start(night))


def test_a_cadet_without_permission_cannot_be_booked(night, force):
    cadet = ParticipantFactory(force=force, permission_recorded_on=None)
    refused(
        "operation_start_needs_permission",
        lambda: OperationCadet.objects.bulk_create(
            [OperationCadet(operation=night, participant=cadet)]
        ),
    )


def test_another_forces_cadet_or_officer_cannot_be_booked(night, other_force, other_officer):
    cadet = ParticipantFactory(force=other_force)
    refused("operation_cadet_same_force", lambda: night.cadets.add(cadet))
    refused(
        "operation_member_same_force",
        lambda: OperationMember.objects.create(operation=night, user=other_officer, role="cover"),
    )


def test_an_officer_has_one_place_in_a_team(night, officer):
    OperationMember.objects.create(operation=night, user=officer, role="cover")
    refused(
        "operation_member_unique",
        lambda: OperationMember.objects.create(operation=night, user=officer, role="handler"),
    )
    refused(
        "operation_member_role_valid",
        lambda: OperationMember.objects.filter(operation=night).update(role="driver"),
    )


def test_an_approval_names_who_when_and_which_assessment(night, sergeant, other_officer):
    def approve(**fields):
        return lambda: Operation.objects.filter(pk=night.pk).update(**fields)

    refused("operation_approval_complete", approve(risk_assessment_approved_by=sergeant))
    refused(
        "operation_approval_complete",
        approve(
            risk_assessment_approved_by=sergeant,
            risk_assessment_approved_on=TODAY(),
            risk_assessment_ref="",
        ),
    )
    refused(
        "operation_approval_before_night",
        approve(
            risk_assessment_approved_by=sergeant,
            risk_assessment_approved_on=night.date + datetime.timedelta(days=1),
        ),
    )
    refused(
        "operation_approver_same_force",
        approve(risk_assessment_approved_by=other_officer, risk_assessment_approved_on=TODAY()),
    )
    approve(risk_assessment_approved_by=sergeant, risk_assessment_approved_on=TODAY())()
    refused("operation_approval_names_reference", approve(risk_assessment_ref="RA-OTHER"))


def test_a_visiting_order_position_starts_at_one(night):
    refused(
        "operation_premises_position_positive",
        lambda: OperationPremises.objects.filter(operation=night).update(position=0),
    )


def test_an_imported_operation_is_not_held_to_the_start_rules(force):
    OperationFactory(force=force, approved=False, imported=True, status="in_progress")


# -- Services -------------------------------------------------------------------------------------


def test_the_start_service_says_every_reason_and_then_starts(night, sergeant, force):
    cadet = ParticipantFactory(force=force, code="C-101")
    night.cadets.add(cadet)
    with pytest.raises(OperationNotReady) as refusal:
        operation_start(operation=night, user=sergeant)
    assert refusal.value.problems == [
        "The risk assessment is not approved yet.",
        "1 cadet booked but 0 cover officers: each cadet needs a cover officer of their own.",
    ]
    operation_risk_assessment_approve(
        operation=night,
        user=sergeant,
        reference="RA-2026-0101",
        approved_on=TODAY(),
        expected_version=night.version,
    )
    OperationMemberFactory(operation=night)
    started = operation_start(operation=night, user=sergeant)
    assert started.status == Operation.Status.IN_PROGRESS


def test_a_new_reference_replaces_an_earlier_approval(night, sergeant, second_sergeant):
    operation_risk_assessment_approve(
        operation=night, user=sergeant, reference="RA-1", approved_on=TODAY(), expected_version=1
    )
    operation_risk_assessment_approve(
        operation=night,
        user=second_sergeant,
        reference="RA-2",
        approved_on=TODAY(),
        expected_version=2,
    )
    night.refresh_from_db()
    assert (night.risk_assessment_ref, night.risk_assessment_approved_by) == (
        "RA-2",
        second_sergeant,
    )


def test_the_team_is_booked_and_changed_without_touching_who_stays(night, force, officer):
    cover, handler, other = (UserFactory(force=force) for _ in range(3))
    cadet = ParticipantFactory(force=force)
    operation_team_save(
        operation=night,
        user=officer,
        lead=officer,
        covers=[cover, other],
        handlers=[handler],
        cadets=[cadet],
        expected_version=1,
    )
    kept = OperationMember.objects.get(operation=night, user=cover)
    operation_team_save(
        operation=night,
        user=officer,
        lead=officer,
        covers=[cover, handler],
        handlers=[],
        cadets=[],
        expected_version=2,
    )
    roles_now = dict(night.members.values_list("user_id", "role"))
    assert roles_now == {cover.pk: "cover", handler.pk: "cover"}
    assert OperationMember.objects.get(operation=night, user=cover).updated_at == kept.updated_at
    assert list(night.cadets.all()) == []
    with pytest.raises(StaleEdit):
        operation_team_save(
            operation=night,
            user=officer,
            lead=officer,
            covers=[],
            handlers=[],
            cadets=[],
            expected_version=2,
        )


def test_the_visiting_order_is_by_town_then_postcode_until_numbered(night, officer):
    assert names_in_order(night) == ["Harbour Inn", "Anglia Rooms", "Cornhill Lodge"]
    links = {link.premises.name: link.pk for link in night.visiting_order()}
    operation_order_save(
        operation=night,
        user=officer,
        positions={links["Cornhill Lodge"]: 1, links["Harbour Inn"]: 5, links["Anglia Rooms"]: 5},
        expected_version=1,
    )
    assert names_in_order(night) == ["Cornhill Lodge", "Harbour Inn", "Anglia Rooms"]
    assert [link.position for link in night.visiting_order()] == [1, 2, 3]
    # A premises added later goes after those placed.
    night.premises.add(PremisesFactory(town=night.premises.first().town, name="Aardvark Hotel"))
    assert names_in_order(night)[-1] == "Aardvark Hotel"
    with pytest.raises(StaleEdit):
        operation_order_save(operation=night, user=officer, positions={}, expected_version=1)


# -- Pages ----------------------------------------------------------------------------------------


def test_a_sergeant_books_the_team_on_its_page(sergeant_client, night, force, officer):
    cover, handler = UserFactory(force=force), UserFactory(force=force)
    cadet = ParticipantFactory(force=force, code="C-202")
    url = reverse("visits:operation_team", args=[night.pk])
    page = sergeant_client.get(url).content.decode()
    assert "C-202" in page
    data = {
        "lead_officer": officer.pk,
        "covers": [cover.pk],
        "handlers": [handler.pk],
        "cadets": [cadet.pk],
        "expected_version": 1,
    }
    response = sergeant_client.post(url, data)
    assert response.status_code == 302
    assert list(night.cadets.all()) == [cadet]
    detail = sergeant_client.get(night.get_absolute_url()).content.decode()
    assert "C-202" in detail and str(cover) in detail and str(handler) in detail


def test_the_team_form_refuses_two_roles_and_unlawful_cadets(sergeant_client, night, force):
    both = UserFactory(force=force)
    late = ParticipantFactory(force=force, code="C-303", permission_recorded_on=None)
    url = reverse("visits:operation_team", args=[night.pk])
    response = sergeant_client.post(
        url, {"covers": [both.pk], "handlers": [both.pk], "expected_version": 1}
    )
    assert "One role each on the night" in response.content.decode()
    response = sergeant_client.post(url, {"cadets": [late.pk], "expected_version": 1})
    assert response.status_code == 200
    assert not night.cadets.exists()


def test_the_team_form_keeps_a_night_under_way_covered(sergeant_client, under_way, force):
    night, cover = under_way
    url = reverse("visits:operation_team", args=[night.pk])
    cadet = night.cadets.get()
    data = {"cadets": [cadet.pk], "expected_version": night.version}
    response = sergeant_client.post(url, {**data, "covers": []})
    assert response.status_code == 200
    assert "The night is under way: each cadet needs a cover officer of their own" in (
        response.content.decode()
    )
    assert list(night.members.values_list("pk", flat=True)) == [cover.pk]
    swap = UserFactory(force=force)
    response = sergeant_client.post(url, {**data, "covers": [swap.pk]})
    assert response.status_code == 302
    assert list(night.members.values_list("user", flat=True)) == [swap.pk]


def test_a_sergeant_approves_the_risk_assessment(sergeant_client, sergeant, night):
    url = reverse("visits:operation_approve", args=[night.pk])
    tomorrow = (TODAY() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = sergeant_client.post(
        url,
        {
            "risk_assessment_ref": "RA-2026-0042",
            "risk_assessment_approved_on": tomorrow,
            "expected_version": 1,
        },
    )
    assert "The approval date cannot be in the future." in response.content.decode()
    response = sergeant_client.post(
        url,
        {
            "risk_assessment_ref": "RA-2026-0042",
            "risk_assessment_approved_on": TODAY().strftime("%d/%m/%Y"),
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    night.refresh_from_db()
    assert night.risk_assessment_approved_by == sergeant
    assert night.risk_assessment_approved_on == TODAY()
    # A new reference on the page: a new approval replaces the first.
    response = sergeant_client.post(
        url,
        {
            "risk_assessment_ref": "RA-2026-0043",
            "risk_assessment_approved_on": TODAY().strftime("%d/%m/%Y"),
            "expected_version": 2,
        },
    )
    assert response.status_code == 302
    night.refresh_from_db()
    assert night.risk_assessment_ref == "RA-2026-0043"


def test_editing_the_reference_clears_the_approval(officer_client, night, sergeant):
    Operation.objects.filter(pk=night.pk).update(
        risk_assessment_approved_by=sergeant, risk_assessment_approved_on=TODAY()
    )
    data = operation_post(
        name=night.name,
        date=night.date.strftime("%d/%m/%Y"),
        risk_assessment_ref="RA-CHANGED",
        premises=[],
        expected_version=1,
    )
    response = officer_client.post(reverse("visits:operation_edit", args=[night.pk]), data)
    assert response.status_code == 302, response.content.decode()
    night.refresh_from_db()
    assert night.risk_assessment_ref == "RA-CHANGED"
    assert not night.risk_assessment_approved


def test_an_approved_operation_cannot_move_before_its_approval(officer_client, night, sergeant):
    Operation.objects.filter(pk=night.pk).update(
        risk_assessment_approved_by=sergeant, risk_assessment_approved_on=TODAY()
    )
    data = operation_post(
        name=night.name,
        date=(TODAY() - datetime.timedelta(days=1)).strftime("%d/%m/%Y"),
        risk_assessment_ref=night.risk_assessment_ref,
        expected_version=1,
    )
    response = officer_client.post(reverse("visits:operation_edit", args=[night.pk]), data)
    assert "cannot be before its approval" in response.content.decode()
    night.refresh_from_db()
    assert night.date == TODAY() + datetime.timedelta(days=7)


def test_starting_is_refused_in_words_until_the_night_is_ready(officer_client, night, sergeant):
    url = reverse("visits:operation_start", args=[night.pk])
    page = officer_client.post(url, follow=True).content.decode()
    assert "cannot start: The risk assessment is not approved yet." in page
    Operation.objects.filter(pk=night.pk).update(
        risk_assessment_approved_by=sergeant, risk_assessment_approved_on=TODAY()
    )
    page = officer_client.post(url, follow=True).content.decode()
    assert "Makesafe Felixstowe has started." in page


def test_the_visiting_order_is_kept_from_the_checklist_numbers(officer_client, night):
    links = {link.premises.name: link.pk for link in night.visiting_order()}
    page = officer_client.get(night.get_absolute_url()).content.decode()
    assert f'name="position_{links["Harbour Inn"]}"' in page
    data = {
        "expected_version": 1,
        f"position_{links['Harbour Inn']}": 3,
        f"position_{links['Anglia Rooms']}": 2,
        f"position_{links['Cornhill Lodge']}": 1,
    }
    response = officer_client.post(reverse("visits:operation_order", args=[night.pk]), data)
    assert response.status_code == 302
    assert names_in_order(night) == ["Cornhill Lodge", "Anglia Rooms", "Harbour Inn"]
    # The same numbers again, from a page opened before: refused, nothing changed.
    page = officer_client.post(
        reverse("visits:operation_order", args=[night.pk]), data, follow=True
    ).content.decode()
    assert "the order was not saved" in page


def test_the_log_form_preselects_the_operations_cadets(officer_client, night, sergeant, force):
    booked, other = ParticipantFactory(force=force), ParticipantFactory(force=force)
    night.cadets.add(booked)
    premises = night.premises.first()
    url = reverse("visits:create", args=[premises.pk]) + f"?operation={night.pk}"
    form = officer_client.get(url).context["form"]
    assert form.initial["participants"] == [booked.pk]
    assert other.pk in {c.pk for c in form.fields["participants"].queryset}


def test_a_visit_is_not_logged_against_an_operation_that_cannot_start(officer_client, night, cadet):
    premises = night.premises.first()
    data = visit_data(premises, [cadet], operation=night.pk, visited_at=an_hour_ago())
    response = officer_client.post(reverse("visits:create", args=[premises.pk]), data)
    assert "This operation cannot start yet" in response.content.decode()
    assert not Visit.objects.exists()


def test_another_forces_operation_cannot_be_started_or_ordered(officer_client, other_force):
    theirs = OperationFactory(force=other_force)
    for name in ["visits:operation_start", "visits:operation_order"]:
        response = officer_client.post(reverse(name, args=[theirs.pk]), {"expected_version": 1})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.version) == ("planned", 1)


# -- The briefing pack ------------------------------------------------------------------------


@pytest.fixture
def briefed(night, force, sergeant, town):
    cover = UserFactory(force=force, first_name="Priya", last_name="Cover")
    OperationMember.objects.create(operation=night, user=cover, role="cover")
    night.cadets.add(ParticipantFactory(force=force, code="C-404"))
    Operation.objects.filter(pk=night.pk).update(
        risk_assessment_ref="RA-2026-0404",
        risk_assessment_approved_by=sergeant,
        risk_assessment_approved_on=TODAY(),
    )
    failed = night.premises.get(name="Cornhill Lodge")
    VisitFactory(
        premises=failed,
        visited_at=timezone.now() - datetime.timedelta(days=60),
        indicators=["pays_cash", "no_luggage"],
    )
    night.refresh_from_db()
    return night


def test_the_briefing_pack_asks_who_it_is_for_first(officer_client, briefed):
    url = reverse("visits:operation_briefing", args=[briefed.pk])
    response = officer_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:disclose"))


def test_the_briefing_pack_prints_the_night(officer_client, briefed):
    response = through_disclosure(
        officer_client, reverse("visits:operation_briefing", args=[briefed.pk])
    )
    html = response.content.decode()
    for expected in [
        "Felixstowe police station, rear yard",
        "RA-2026-0404",
        "Priya Cover",
        "C-404",
        "Room for the night, version 1",
        "Re-test of the",
        "Pays cash / no card",
        "Never tested",
    ]:
        assert expected in html, expected
    order = [html.index(name) for name in ["Harbour Inn", "Anglia Rooms", "Cornhill Lodge"]]
    assert order == sorted(order)
    assert DisclosureLog.objects.filter(view="visits:operation_briefing").count() == 1


def test_the_briefing_pack_pdf_reads_back(commander_client, briefed):
    response = through_disclosure(
        commander_client, reverse("visits:operation_briefing_pdf", args=[briefed.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert "OFFICIAL-SENSITIVE_briefing-makesafe-felixstowe.pdf" in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ["Makesafe Felixstowe", "RA-2026-0404", "C-404", "Harbour Inn", "Re-test"]:
        assert expected in text, expected


@pytest.mark.parametrize("n", [2, 30])
def test_the_briefing_pack_runs_a_fixed_number_of_queries(
    officer_client, briefed, force, town, n, django_assert_max_own_queries
):
    for _ in range(n):
        premises = PremisesFactory(town=town)
        briefed.premises.add(premises)
        VisitFactory.create_batch(2, premises=premises)
        OperationMemberFactory(operation=briefed)
        briefed.cadets.add(ParticipantFactory(force=force))
    url = reverse("visits:operation_briefing", args=[briefed.pk])
    through_disclosure(officer_client, url)
    # The operation, its team, its cadets, its checklist, the failures awaiting a re-test and
    # the latest visits; then the disclosure's log row.
    with django_assert_max_own_queries(7):
        response = officer_client.get(url)
    assert response.status_code == 200


def test_a_commander_may_read_but_not_book_or_approve(commander_client, night):
    assert commander_client.get(night.get_absolute_url()).status_code == 200
    for name in ["visits:operation_team", "visits:operation_approve"]:
        assert commander_client.get(reverse(name, args=[night.pk])).status_code == 403
    assert (
        reverse("visits:operation_team", args=[night.pk]).encode()
        not in commander_client.get(night.get_absolute_url()).content
    )


def test_an_officer_cannot_approve(officer_client, night):
    response = officer_client.get(reverse("visits:operation_approve", args=[night.pk]))
    assert response.status_code == 403
