"""Accountability in the browser: the audit log, a download through the disclosure prompt, a
visit's History, a retention decision, and axe on each of those pages."""

import csv
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from audit.models import DisclosureLog
from premises.models import Premises
from retention.models import RetentionDecision

from ..factories import (
    TEST_PASSWORD,
    ParticipantFactory,
    PremisesFactory,
    TownFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


@pytest.fixture
def suffolk():
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Ipswich")
    force = town.force
    officer = UserFactory(
        username="officer", first_name="Ash", last_name="Patel", force=force, role=roles.OFFICER
    )
    UserFactory(
        username="sergeant",
        first_name="Kim",
        last_name="Morgan",
        force=force,
        rank="sergeant",
        role=roles.SERGEANT,
    )
    UserFactory(
        username="admin",
        first_name="Lee",
        last_name="Shaw",
        force=force,
        rank="staff",
        role=roles.FORCE_ADMIN,
    )
    premises = PremisesFactory(town=town, name="Cornhill Lodge", reference="SUF-H-0001")
    visit = VisitFactory(premises=premises, officer=officer, debrief_notes="Posters left.")
    visit.participants.add(ParticipantFactory(force=force))
    # Records untouched for seven years: due a retention review.
    forgotten = PremisesFactory(town=town, name="Quayside Inn", reference="SUF-H-0002")
    long_ago = timezone.now() - timedelta(days=7 * 366)
    Premises.objects.filter(pk=forgotten.pk).update(created_at=long_ago, updated_at=long_ago)
    return {"visit": visit, "premises": premises, "forgotten": forgotten}


def test_a_sergeant_downloads_through_the_prompt_and_reads_a_visits_history(
    page: Page, suffolk, tmp_path, screenshots
):
    sign_in(page, "officer")
    visit = suffolk["visit"]
    page.goto(f"/visits/{visit.pk}/edit/")
    notes = page.locator("#id_debrief_notes")
    notes.fill("Posters left; manager booked training.")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_role("status")).to_contain_text("Saved the visit.")

    sign_in(page, "sergeant")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Visits").click()
    page.get_by_role("link", name="Download CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is this for, and why?")
    page.screenshot(path=f"{screenshots}/disclose.png", full_page=True)
    page.get_by_label("Recipient").fill("Ipswich licensing team")
    page.get_by_label("Reason").fill("Licensing review of repeat failures")
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    assert download.value.suggested_filename.startswith("OFFICIAL-SENSITIVE_visits_")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:3] == ["visit_id", "visited_at", "premises_reference"]
    assert [row[2] for row in rows[1:]] == ["SUF-H-0001"]
    disclosure = DisclosureLog.objects.get()
    assert (disclosure.recipient, disclosure.view) == ("Ipswich licensing team", "visits:export")

    page.goto(f"/visits/{visit.pk}/")
    expect(page.get_by_role("heading", name="Who has seen this record")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Constable Ash Patel")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History: Visit")
    change = page.get_by_role("region", name=re.compile("Change of"))
    first = change.first
    expect(first).to_contain_text("Changed")
    expect(first).to_contain_text("Constable Ash Patel")
    expect(first.get_by_role("row", name=re.compile("Debrief notes"))).to_contain_text(
        "Posters left; manager booked training."
    )
    page.screenshot(path=f"{screenshots}/history.png", full_page=True)


def test_a_sergeant_reads_a_visits_cadets_and_letter_in_its_history(page: Page, suffolk):
    visit = suffolk["visit"]
    ParticipantFactory(force=visit.force, code="C-214")
    sign_in(page, "officer")
    page.goto(f"/visits/{visit.pk}/edit/")
    page.get_by_label("C-214").check()
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_role("status")).to_contain_text("Saved the visit.")

    sign_in(page, "sergeant")
    page.goto(f"/visits/{visit.pk}/")
    page.get_by_role("link", name="Outcome letter").click()
    page.get_by_role("button", name="Continue").click()  # who the letter is for: prefilled
    page.get_by_role("button", name="Mark as sent").click()
    page.goto(f"/visits/{visit.pk}/")
    page.get_by_role("link", name="History").click()
    changes = page.get_by_role("region", name=re.compile("Change of"))
    added = changes.filter(has_text="Cadet C-214 added")
    expect(added).to_contain_text("Constable Ash Patel")
    sent = changes.filter(has_text="Outcome letter sent")
    expect(sent).to_contain_text("Sergeant Kim Morgan")
    expect(sent.get_by_text("Sent by")).to_be_visible()


def test_a_force_admin_reads_the_audit_log_and_decides_on_retention(
    page: Page, suffolk, screenshots
):
    sign_in(page, "sergeant")
    page.goto(f"/premises/{suffolk['premises'].pk}/")
    sign_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="More").click()
    page.get_by_role("link", name=re.compile("Audit log")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Sergeant Kim Morgan")
    expect(table).to_contain_text(f"/premises/{suffolk['premises'].pk}/")
    page.get_by_label("User").select_option(label="Sergeant Kim Morgan")
    page.get_by_role("button", name="Apply").click()
    # The sergeant's two page views: the home page after signing in, then the premises.
    expect(page.locator("table tbody tr")).to_have_count(2)
    expect(page.locator("table tbody tr").first).to_contain_text(
        f"/premises/{suffolk['premises'].pk}/"
    )
    page.screenshot(path=f"{screenshots}/audit_log.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="More").click()
    page.get_by_role("link", name=re.compile("Retention review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention review")
    expect(page.get_by_role("table")).to_contain_text("Quayside Inn")
    expect(page.get_by_role("table")).not_to_contain_text("Cornhill Lodge")
    page.get_by_role("link", name="Decide on Quayside Inn").click()
    page.get_by_label("Retain").check()
    page.get_by_label("Reason").fill("Linked to an open investigation")
    next_review = timezone.localdate() + timedelta(days=365)
    page.get_by_label("Next review on").fill(next_review.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"SUF-H-0002 retained until {next_review:%d %b %Y}."
    )
    expect(page.get_by_role("table")).not_to_contain_text("Quayside Inn")
    decision = RetentionDecision.objects.get()
    assert (decision.decision, decision.next_review_on) == ("retain", next_review)


def test_accountability_pages_have_no_accessibility_violations(page: Page, suffolk, screenshots):
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    visit = suffolk["visit"]
    sign_in(page, "admin")
    pages = {
        "more": "/more/",
        "audit log": "/audit/log/",
        "audit log of disclosures": "/audit/log/?action=disclosure",
        "history": f"/audit/history/premises.premises/{suffolk['premises'].pk}/",
        "disclose": "/audit/disclose/?next=/premises/export.csv&key=premises:export[]",
        "retention queue": "/retention/",
        "retention decision": f"/retention/{suffolk['forgotten'].pk}/",
        "lockouts": "/accounts/lockouts/",
    }
    for name, url in pages.items():
        page.goto(url)
        check(name)
    page.goto(f"/retention/{suffolk['forgotten'].pk}/")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("retention decision with errors")
    page.goto("/audit/disclose/?next=/premises/export.csv&key=premises:export[]")
    page.get_by_role("button", name="Continue").click()
    check("disclose with errors")
    sign_in(page, "sergeant")
    for name, url in {
        "visit with who has seen it": f"/visits/{visit.pk}/",
        "visit history": f"/audit/history/visits.visit/{visit.pk}/",
        "more for a sergeant": "/more/",
    }.items():
        page.goto(url)
        check(name)
    page.screenshot(path=f"{screenshots}/visit_seen_by.png", full_page=True)
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
