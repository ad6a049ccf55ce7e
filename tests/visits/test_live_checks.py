"""The rules every live visit meets (docs/domain.md, "Live visits"): a risk assessment, cadets
with parental permission on the visit's date, their age band kept with the visit; imported
visits record only what they say; a re-test is linked wherever it is logged."""

import datetime

import pgtrigger
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from visits.models import Participant, Visit

from ..factories import ParticipantFactory, VisitFactory
from .conftest import error_beside, typed, visit_data


def refused(write, rule: str):
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        write()


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


# -- the database ------------------------------------------------------------------------------


def live_visit(premises, **fields) -> Visit:
    """An unsaved live visit that meets every rule, for writing around the forms."""
    values = {
        "force": premises.force,
        "premises": premises,
        "visited_at": days_ago(1),
        "stage_reached": "key_issued",
        "outcome": "completed",
        "result": "fail",
        "debrief_notes": "Manager briefed.",
        "risk_assessment_ref": "RA-1",
        "cadet_age_band": "14-15",
        **fields,
    }
    return Visit(**values)


def test_the_database_refuses_a_live_visit_without_a_risk_assessment(premises):
    refused(
        lambda: Visit.objects.bulk_create([live_visit(premises, risk_assessment_ref="")]),
        "visit_live_has_risk_assessment",
    )
    Visit.objects.bulk_create([live_visit(premises, risk_assessment_ref="", imported=True)])


def test_the_database_refuses_a_live_visit_without_the_cadets_age_band(premises):
    refused(
        lambda: Visit.objects.bulk_create([live_visit(premises, cadet_age_band="")]),
        "visit_live_has_age_band",
    )
    refused(
        lambda: Visit.objects.bulk_create([live_visit(premises, cadet_age_band="12-13")]),
        "visit_age_band_valid",
    )


@pytest.mark.parametrize("granted", [None, 0], ids=["no permission", "permission after the visit"])
def test_the_database_refuses_a_cadet_without_permission_on_the_visits_date(
    premises, force, granted
):
    visit = Visit.objects.bulk_create([live_visit(premises, visited_at=days_ago(10))])[0]
    cadet = ParticipantFactory(
        force=force, permission_recorded_on=None if granted is None else timezone.localdate()
    )
    refused(lambda: visit.participants.add(cadet), "visit_cadet_permission_in_force")


def test_an_imported_visit_may_have_a_cadet_without_permission(premises, force):
    visit = Visit.objects.bulk_create([live_visit(premises, imported=True)])[0]
    visit.participants.add(ParticipantFactory(force=force, permission_recorded_on=None))
    assert visit.participants.count() == 1


def test_the_database_refuses_moving_a_live_visit_before_its_cadets_permission(premises, cadet):
    visit = VisitFactory(premises=premises)
    visit.participants.add(cadet)  # permission recorded 30 days ago
    refused(
        lambda: Visit.objects.filter(pk=visit.pk).update(visited_at=days_ago(40)),
        "visit_cadet_permission_in_force",
    )
    Visit.objects.filter(pk=visit.pk).update(visited_at=days_ago(20))


def test_the_database_refuses_moving_a_permission_after_a_live_visit(premises, cadet):
    visit = VisitFactory(premises=premises, visited_at=days_ago(10))
    visit.participants.add(cadet)
    later = timezone.localdate() - datetime.timedelta(days=5)
    refused(
        lambda: Participant.objects.filter(pk=cadet.pk).update(permission_recorded_on=later),
        "visit_cadet_permission_in_force",
    )
    refused(
        lambda: Participant.objects.filter(pk=cadet.pk).update(permission_recorded_on=None),
        "visit_cadet_permission_in_force",
    )


def test_no_visit_can_be_marked_as_logged_before_the_checks(premises):
    refused(
        lambda: Visit.objects.bulk_create([live_visit(premises, logged_before_checks=True)]),
        "visit_checks_not_waived",
    )
    visit = VisitFactory(premises=premises)
    refused(
        lambda: Visit.objects.filter(pk=visit.pk).update(logged_before_checks=True),
        "visit_checks_not_waived",
    )


def test_only_an_imported_visit_may_have_no_recorded_contact_method(premises):
    reported = {"outcome": "reported_to_police", "result": "pass", "police_contact": "not_recorded"}
    refused(
        lambda: Visit.objects.bulk_create([live_visit(premises, **reported)]),
        "visit_contact_not_recorded_only_imported",
    )
    Visit.objects.bulk_create([live_visit(premises, imported=True, **reported)])


# -- logging a visit ---------------------------------------------------------------------------


def test_a_visit_outside_an_operation_needs_its_own_risk_assessment(
    officer_client, premises, cadet
):
    url = reverse("visits:create", args=[premises.pk])
    data = visit_data(premises, [cadet], risk_assessment_ref="  ", debrief_notes="Kept text.")
    response = officer_client.post(url, data)
    assert response.status_code == 200
    error_beside(
        response,
        "risk_assessment_ref",
        "A visit outside an operation needs its own risk assessment: give its reference.",
    )
    assert "Kept text." in response.content.decode()
    assert not Visit.objects.exists()

    response = officer_client.post(url, visit_data(premises, [cadet], risk_assessment_ref="RA-77"))
    assert response.status_code == 302
    assert Visit.objects.get().risk_assessment_ref == "RA-77"


def test_a_visit_in_an_operation_records_the_operations_risk_assessment(
    officer_client, premises, cadet, operation
):
    url = reverse("visits:create", args=[premises.pk])
    data = visit_data(premises, [cadet], operation=operation.pk, risk_assessment_ref="Typed")
    assert officer_client.post(url, data).status_code == 302
    assert Visit.objects.get().risk_assessment_ref == operation.risk_assessment_ref


def test_a_cadet_whose_permission_came_after_the_visit_is_refused_by_the_field(
    officer_client, premises, force
):
    cadet = ParticipantFactory(
        force=force, code="C-031", permission_recorded_on=datetime.date(2025, 5, 2)
    )
    when = timezone.make_aware(datetime.datetime(2025, 5, 1, 20, 15))
    url = reverse("visits:create", args=[premises.pk])
    response = officer_client.post(url, visit_data(premises, [cadet], visited_at=typed(when)))
    assert response.status_code == 200
    error_beside(
        response,
        "participants",
        "C-031 had no parental permission recorded on 01 May 2025 "
        "(it was recorded on 02 May 2025).",
    )
    assert not Visit.objects.exists()


def test_the_cadets_age_band_at_the_visit_is_kept_when_the_cadet_grows_older(
    officer_client, premises, force
):
    cadet = ParticipantFactory(force=force, code="C-040", age_band="14-15")
    older = ParticipantFactory(force=force, code="C-041", age_band="16-17")
    url = reverse("visits:create", args=[premises.pk])
    assert officer_client.post(url, visit_data(premises, [cadet, older])).status_code == 302
    visit = Visit.objects.get()
    assert visit.cadet_age_band == "14-15"  # the youngest band on the visit

    Participant.objects.filter(pk=cadet.pk).update(age_band="16-17", version=2)
    edit = reverse("visits:edit", args=[visit.pk])
    data = visit_data(
        premises, [cadet, older], debrief_notes="Corrected notes.", expected_version=1
    )
    assert officer_client.post(edit, data).status_code == 302
    visit.refresh_from_db()
    assert (visit.debrief_notes, visit.cadet_age_band) == ("Corrected notes.", "14-15")

    page = officer_client.get(visit.get_absolute_url()).content.decode()
    assert "<dt>Cadets' age band at the visit</dt><dd>14-15</dd>" in page
    assert "<dt>Risk assessment</dt><dd>RA-2026-0042</dd>" in page


def test_a_visit_logged_before_the_checks_says_so_and_can_still_be_edited(
    officer_client, officer, premises, cadet
):
    visit = VisitFactory(premises=premises, officer=officer)
    visit.participants.add(cadet)
    # As the data migration marks an old visit without a risk assessment of its own.
    with pgtrigger.ignore("visits.Visit:visit_rules"):
        Visit.objects.filter(pk=visit.pk).update(logged_before_checks=True, risk_assessment_ref="")
    page = officer_client.get(visit.get_absolute_url()).content.decode()
    assert "Logged before the live-visit checks" in page
    assert "It is kept as it was logged." in page
    edit = reverse("visits:edit", args=[visit.pk])
    data = visit_data(
        premises, [cadet], risk_assessment_ref="", debrief_notes="Typo fixed.", expected_version=1
    )
    assert officer_client.post(edit, data).status_code == 302
    visit.refresh_from_db()
    assert (visit.debrief_notes, visit.logged_before_checks) == ("Typo fixed.", True)


def test_no_recorded_contact_method_is_not_offered_when_logging(officer_client, premises):
    form = officer_client.get(reverse("visits:create", args=[premises.pk])).context["form"]
    assert "not_recorded" not in [value for value, _ in form.fields["police_contact"].choices]


# -- re-tests ----------------------------------------------------------------------------------


def test_the_checklist_preselects_the_failure_awaiting_its_retest(
    officer_client, officer, premises, cadet, operation
):
    older = VisitFactory(premises=premises, officer=officer, visited_at=days_ago(20))
    latest = VisitFactory(premises=premises, officer=officer, visited_at=days_ago(10))
    checklist = officer_client.get(operation.get_absolute_url()).content.decode()
    link = f"{reverse('visits:create', args=[premises.pk])}?operation={operation.pk}"
    assert f'href="{link}"' in checklist

    response = officer_client.get(link)
    form = response.context["form"]
    assert form["retest_of"].value() == latest.pk != older.pk
    assert "Chosen for you: the latest failure not yet re-tested." in response.content.decode()

    data = visit_data(premises, [cadet], operation=operation.pk, retest_of=latest.pk)
    assert officer_client.post(link, data).status_code == 302
    assert Visit.objects.get(operation=operation).retest_of == latest


def test_nothing_is_preselected_once_the_premises_passed_after_failing(
    officer_client, officer, premises
):
    VisitFactory(premises=premises, officer=officer, visited_at=days_ago(20))
    VisitFactory(
        premises=premises, officer=officer, visited_at=days_ago(10), outcome="refused_concerns"
    )
    form = officer_client.get(reverse("visits:create", args=[premises.pk])).context["form"]
    assert form["retest_of"].value() is None


def test_a_failure_logged_this_minute_is_not_preselected(officer_client, officer, premises):
    # The form starts at this minute, and a re-test must come after the visit it re-tests.
    VisitFactory(premises=premises, officer=officer, visited_at=timezone.now().replace(second=0))
    form = officer_client.get(reverse("visits:create", args=[premises.pk])).context["form"]
    assert form["retest_of"].value() is None


def test_a_chosen_retest_in_the_link_is_kept(officer_client, officer, premises):
    older = VisitFactory(premises=premises, officer=officer, visited_at=days_ago(20))
    VisitFactory(premises=premises, officer=officer, visited_at=days_ago(10))
    url = reverse("visits:create", args=[premises.pk]) + f"?retest_of={older.pk}"
    assert officer_client.get(url).context["form"]["retest_of"].value() == older.pk
