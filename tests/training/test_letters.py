"""Outcome letters: what they say (never a cadet's code), and marking them sent."""

import pytest
from django.urls import reverse
from django.utils import timezone

from training.models import OutcomeLetter
from visits.models import Visit

from ..conftest import through_disclosure
from ..factories import OutcomeLetterFactory, ParticipantFactory, VisitFactory
from .conftest import at


def letter_url(visit):
    return reverse("training:letter", args=[visit.pk])


def test_the_letter_asks_who_it_is_for_and_offers_the_usual_answer(officer_client, visit):
    response = officer_client.get(letter_url(visit))
    assert response.status_code == 302
    prompt = officer_client.get(response["Location"])
    assert prompt.context["form"]["recipient"].value() == "The manager of the premises visited"


def article(page: str) -> str:
    """The letter itself, without the page around it."""
    start = page.index('<article class="letter"')
    return page[start : page.index("</article>", start)]


@pytest.fixture
def visit(force, premises, officer):
    force.training_contact = "Sgt Morgan, Makesafe team, 01473 613500"
    force.save()
    cadet = ParticipantFactory(force=force, code="QZX-90817", age_band="14-15")
    visit = VisitFactory(
        premises=premises,
        officer=officer,
        visited_at=at(3, 20, 15),
        indicators=["pays_cash", "double_bed", "not_family"],
        debrief_notes="Cadet QZX-90817 stayed in the car during the debrief.",
    )
    visit.participants.add(cadet)
    return visit


def test_the_letter_never_contains_the_participant_code(sergeant_client, visit):
    page = through_disclosure(sergeant_client, letter_url(visit)).content.decode()
    assert "QZX-90817" not in page
    assert "90817" not in page
    assert "debrief" not in article(page).lower()
    # The code is on the visit record, so its absence from the letter means something.
    assert "QZX-90817" in sergeant_client.get(visit.get_absolute_url()).content.decode()


def test_the_letter_names_the_signs_staff_should_have_noticed(officer_client, visit):
    letter = article(through_disclosure(officer_client, letter_url(visit)).content.decode())
    assert "<li>Pays cash / no card</li>" in letter
    assert "<li>Double bed</li>" in letter
    assert "<li>Adult with a young person not obviously family</li>" in letter
    assert "<li>No ID</li>" not in letter


def test_the_letter_carries_the_force_reference_date_and_marking(officer_client, visit):
    letter = article(through_disclosure(officer_client, letter_url(visit)).content.decode())
    assert letter.count("OFFICIAL-SENSITIVE") == 2
    assert "Suffolk Constabulary" in letter
    assert f"Our reference: SUF-H-0002/{visit.pk}" in letter
    assert f"Date: {timezone.localdate():%-d %B %Y}" in letter
    assert f"test visit on {at(3):%A %-d %B %Y}" in letter
    assert "The Manager<br>" in letter
    assert "Cornhill Lodge<br>" in letter


def test_a_failed_visit_letter_explains_and_offers_training(officer_client, visit):
    letter = article(through_disclosure(officer_client, letter_url(visit)).content.decode())
    assert "Result: the scenario was not identified." in letter
    assert "booking completed unchallenged" in letter
    assert "please contact Sgt Morgan, Makesafe team, 01473 613500" in letter


def test_a_passed_visit_letter_thanks_the_staff(officer_client, premises):
    visit = VisitFactory(
        premises=premises, outcome=Visit.Outcome.REPORTED_TO_POLICE, police_contact="101"
    )
    letter = article(through_disclosure(officer_client, letter_url(visit)).content.decode())
    assert "Result: pass." in letter
    assert "reported their concerns to the police" in letter
    assert "not identified" not in letter


def test_the_letter_links_to_a_print_stylesheet(officer_client, visit):
    page = through_disclosure(officer_client, letter_url(visit)).content.decode()
    assert "css/print.css" in page


def test_a_void_visit_has_no_letter(officer_client, premises):
    visit = VisitFactory(premises=premises, outcome=Visit.Outcome.VOID, reason="Compromised.")
    assert through_disclosure(officer_client, letter_url(visit)).status_code == 404


# -- Marking it sent --------------------------------------------------------------------------


def test_marking_the_letter_sent_records_who_and_when(sergeant_client, sergeant, visit):
    through_disclosure(sergeant_client, letter_url(visit))
    before = timezone.now()
    response = sergeant_client.post(reverse("training:letter_sent", args=[visit.pk]), follow=True)
    assert response.redirect_chain == [(letter_url(visit), 302)]
    letter = OutcomeLetter.objects.get()
    assert (letter.visit, letter.force, letter.sent_by) == (visit, visit.force, sergeant)
    assert before <= letter.sent_at <= timezone.now()
    page = response.content.decode()
    assert "Outcome letter to Cornhill Lodge marked as sent." in page
    assert f"Sent {timezone.localtime(letter.sent_at):%-d %b %Y, %H:%M} by {sergeant}" in page
    assert "Mark as sent" not in page


def test_marking_it_sent_twice_keeps_the_first(sergeant_client, second_sergeant, visit):
    first = OutcomeLetterFactory(visit=visit, sent_by=second_sergeant, sent_at=at(1))
    sergeant_client.post(reverse("training:letter_sent", args=[visit.pk]))
    letter = OutcomeLetter.objects.get()
    assert (letter.pk, letter.sent_by, letter.sent_at) == (first.pk, second_sergeant, at(1))


def test_a_get_never_marks_the_letter_sent(sergeant_client, visit):
    response = sergeant_client.get(reverse("training:letter_sent", args=[visit.pk]))
    assert response.status_code == 405
    assert not OutcomeLetter.objects.exists()


@pytest.mark.parametrize("role", ["officer", "commander", "force_admin"])
def test_only_sergeants_mark_letters_sent(request, visit, role):
    client = request.getfixturevalue(f"{role}_client")
    assert "Mark as sent" not in through_disclosure(client, letter_url(visit)).content.decode()
    response = client.post(reverse("training:letter_sent", args=[visit.pk]))
    assert response.status_code == 403
    assert not OutcomeLetter.objects.exists()


def test_a_void_visits_letter_cannot_be_marked_sent(sergeant_client, premises):
    visit = VisitFactory(premises=premises, outcome=Visit.Outcome.VOID, reason="Compromised.")
    response = sergeant_client.post(reverse("training:letter_sent", args=[visit.pk]))
    assert response.status_code == 404
    assert not OutcomeLetter.objects.exists()
