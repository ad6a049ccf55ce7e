"""Input is never lost: the log-visit form keeps a draft in the browser, offers it back when the
page is opened again (also after signing in again when the session ran out), and forgets it
once the visit is saved or the officer signs out."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from accounts import roles
from visits.models import Visit

from ..factories import TEST_PASSWORD, UserFactory
from . import test_visits
from .test_premises import sign_in
from .test_visits import LAPTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Ipswich with its hotels, operation and cadet: the `suffolk` fixture.
suffolk = test_visits.suffolk

NOTES = "Duty manager refused and explained why; thanked."
DRAFTS = "Object.keys(localStorage).filter(k => k.startsWith('makesafe-draft:')).length"


def start_a_visit(page: Page, hotel):
    page.goto(f"/visits/log/{hotel.pk}/")
    page.get_by_label("C-014").check()
    page.get_by_role("radio", name=re.compile("^Refused because of safeguarding")).check()
    page.get_by_role("radio", name="Questions asked", exact=True).check()
    page.get_by_label("Debrief notes").fill(NOTES)
    page.get_by_label("Risk assessment reference").fill("RA/2021/118")  # outside an operation


def restore(page: Page):
    offer = page.locator("#draft-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("not yet saved")
    offer.get_by_role("button", name="Restore it").click()
    expect(page.get_by_label("Debrief notes")).to_have_value(NOTES)
    expect(page.get_by_label("C-014")).to_be_checked()


@pytest.fixture
def officer_page(page: Page, suffolk):
    UserFactory(username="officer", force=suffolk["force"], role=roles.OFFICER)
    page.set_viewport_size(LAPTOP)
    sign_in(page, "officer")
    return page


def test_a_reloaded_form_offers_its_draft_and_saving_forgets_it(officer_page: Page, suffolk):
    page = officer_page
    start_a_visit(page, suffolk["hotels"][0])
    page.reload()
    expect(page.get_by_label("Debrief notes")).to_have_value("")
    restore(page)
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("status").first).to_contain_text("Logged the visit to Cornhill Lodge")
    assert Visit.objects.get().debrief_notes == NOTES
    assert page.evaluate(DRAFTS) == 0
    page.goto(f"/visits/log/{suffolk['hotels'][0].pk}/")
    expect(page.locator("#draft-offer")).to_be_hidden()


def test_a_post_after_the_session_ended_comes_back_after_signing_in(officer_page: Page, suffolk):
    page = officer_page
    start_a_visit(page, suffolk["hotels"][1])
    Session.objects.all().delete()  # the session ran out while the officer typed
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert Visit.objects.count() == 0
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit to Orwell Quay Hotel")
    restore(page)
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Logged the visit to Orwell Quay Hotel"
    )
    assert Visit.objects.get().debrief_notes == NOTES


def test_signing_out_forgets_the_drafts(officer_page: Page, suffolk):
    page = officer_page
    start_a_visit(page, suffolk["hotels"][0])
    assert page.evaluate(DRAFTS) == 1
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate(DRAFTS) == 0
