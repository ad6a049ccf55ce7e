"""A sergeant books the night's team and cadets, is stopped until the risk assessment is
approved, downloads the briefing pack through the disclosure prompt, and logs the night's visits
from the checklist with the cadets and the re-test chosen; every new page passes axe."""

import io
import re
from datetime import timedelta

import pypdf
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from audit.models import DisclosureLog
from visits.models import Operation, Visit

from ..factories import (
    OperationFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    TownFactory,
    UserFactory,
    VisitFactory,
)
from .test_premises import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def night():
    """Felixstowe's operation tonight, planned and not approved, with two hotels (one failed
    before, so its visit is a re-test), two cadets and the officers to cover them."""
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Felixstowe")
    force = town.force
    sergeant = UserFactory(
        username="sergeant",
        first_name="Sam",
        last_name="Hammond",
        force=force,
        rank="sergeant",
        role=roles.SERGEANT,
    )
    covers = [
        UserFactory(force=force, first_name="Tom", last_name="Reeve", role=roles.OFFICER),
        UserFactory(force=force, first_name="Grace", last_name="Okafor", role=roles.OFFICER),
    ]
    scenario = ScenarioFactory(force=force, name="Room for the night", indicators=["pays_cash"])
    hotels = [
        PremisesFactory(town=town, name="Seafront Hotel", postcode="IP11 2AN"),
        PremisesFactory(town=town, name="Harbour Lights B&B", postcode="IP11 7JY"),
    ]
    failure = VisitFactory(
        premises=hotels[1], visited_at=timezone.now() - timedelta(days=40), indicators=["no_id"]
    )
    operation = OperationFactory(
        force=force,
        name="Makesafe Felixstowe",
        scenario=scenario,
        approved=False,
        risk_assessment_ref="",
        lead_officer=sergeant,
        meeting_point="Felixstowe police station",
    )
    operation.premises.add(*hotels)
    for code in ["C-014", "C-021"]:
        ParticipantFactory(force=force, code=code)
    return {"operation": operation, "covers": covers, "hotels": hotels, "failure": failure}


def test_a_sergeant_books_the_team_gets_it_approved_briefs_and_logs_the_night(
    page: Page, night, tmp_path, screenshots
):
    operation = night["operation"]
    axe = Axe()
    page.set_viewport_size(LAPTOP)
    sign_in(page, "sergeant")
    page.goto(operation.get_absolute_url())
    expect(page.get_by_text("The risk assessment is not approved yet.")).to_be_visible()

    # The team: a cover officer for each cadet.
    page.get_by_role("link", name="Book the team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team for Makesafe Felixstowe")
    assert axe.run(page).violations_count == 0
    page.get_by_role("group", name="Cover officers").get_by_label("Constable Tom Reeve").check()
    page.get_by_role("group", name="Cadets (codes only)").get_by_label("C-014").check()
    page.get_by_role("group", name="Cadets (codes only)").get_by_label("C-021").check()
    page.get_by_role("button", name="Save team").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the team")
    expect(page.get_by_text("2 cadets booked but 1 cover officer")).to_be_visible()
    page.get_by_role("link", name="Book the team").click()
    page.get_by_role("group", name="Cover officers").get_by_label("Constable Grace Okafor").check()
    page.get_by_role("button", name="Save team").click()
    expect(page.get_by_text("2 cadets booked but 1 cover officer")).to_have_count(0)

    # Not approved: starting is refused, and the checklist offers no logging.
    page.get_by_role("button", name="Start operation").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "cannot start: The risk assessment is not approved yet."
    )
    expect(page.get_by_role("link", name=re.compile("^Log visit"))).to_have_count(0)
    assert Operation.objects.get(pk=operation.pk).status == "planned"

    # The sergeant records the approval.
    page.get_by_role("link", name="Record approval").click()
    assert axe.run(page).violations_count == 0
    page.get_by_label("Risk assessment reference").fill("RA-2026-0042")
    page.get_by_role("button", name="Record approval").click()
    expect(page.get_by_text("Approved by Sergeant Sam Hammond")).to_be_visible()

    # Visiting order: the B&B first.
    page.get_by_label("Place of Harbour Lights B&B").fill("1")
    page.get_by_label("Place of Seafront Hotel").fill("2")
    page.get_by_role("button", name="Save visiting order").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the visiting order.")
    names = page.locator("table.table-rows tbody tr td:nth-child(2) a").all_inner_texts()
    assert names == ["Harbour Lights B&B", "Seafront Hotel"]
    assert axe.run(page).violations_count == 0
    page.screenshot(path=f"{screenshots}/operation_team_ready.png", full_page=True)

    # The briefing pack, after saying who it is for and why.
    page.get_by_role("link", name="Briefing pack (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is this for, and why?")
    page.get_by_label("Recipient").fill("The night's team")
    page.get_by_label("Reason").fill("Briefing before Makesafe Felixstowe")
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    assert download.value.suggested_filename == (
        "OFFICIAL-SENSITIVE_briefing-makesafe-felixstowe.pdf"
    )
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    reader = pypdf.PdfReader(io.BytesIO(saved.read_bytes()))
    text = " ".join(p.extract_text() for p in reader.pages)
    for expected in ["RA-2026-0042", "Felixstowe police station", "C-014", "C-021", "Re-test"]:
        assert expected in text, expected
    assert text.index("Harbour Lights") < text.index("Seafront Hotel")
    assert DisclosureLog.objects.get().view == "visits:operation_briefing_pdf"

    # The night: logged from the checklist, cadets and the re-test chosen already.
    page.goto(operation.get_absolute_url())
    page.get_by_role("link", name="Log visit to Harbour Lights B&B").click()
    expect(page.get_by_label("C-014")).to_be_checked()
    expect(page.get_by_label("C-021")).to_be_checked()
    expect(page.get_by_label("Re-test of")).to_have_value(str(night["failure"].pk))
    page.get_by_role("radio", name=re.compile("^Refused because of safeguarding")).check()
    page.get_by_role("radio", name="Questions asked", exact=True).check()
    page.get_by_label("Debrief notes").fill("Receptionist refused and explained why; thanked.")
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("status")).to_contain_text("Logged the visit to Harbour Lights B&B")
    visit = Visit.objects.get(premises=night["hotels"][1], retest_of__isnull=False)
    assert visit.retest_of == night["failure"]
    assert sorted(visit.participants.values_list("code", flat=True)) == ["C-014", "C-021"]
    assert Operation.objects.get(pk=operation.pk).status == "in_progress"
