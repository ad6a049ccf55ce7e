"""A sergeant works the queue from a failed visit to a re-test; an officer logs it; axe."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from training.models import TrainingSession
from visits.models import LONDON_TZ, Visit

from ..factories import (
    TEST_PASSWORD,
    GuestInfoRequestFactory,
    NoticeFactory,
    ParticipantFactory,
    PremisesFactory,
    TownFactory,
    TrainingSessionFactory,
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


def typed(when) -> str:
    return timezone.localtime(when, LONDON_TZ).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def suffolk():
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Ipswich")
    force = town.force
    force.training_contact = "Sgt Kim Morgan, Makesafe team, 01473 613500"
    force.save()
    return town


@pytest.fixture
def failed(suffolk):
    """Cornhill Lodge failed a test five days ago; the officer who ran it has a cadet."""
    officer = UserFactory(
        username="officer",
        first_name="Ash",
        last_name="Patel",
        force=suffolk.force,
        role=roles.OFFICER,
    )
    ParticipantFactory(force=suffolk.force, code="C-014")
    premises = PremisesFactory(town=suffolk, name="Cornhill Lodge", reference="SUF-H-0001")
    return VisitFactory(
        premises=premises,
        officer=officer,
        visited_at=timezone.now() - timedelta(days=5),
        indicators=["pays_cash", "no_luggage", "double_bed"],
    )


def test_a_sergeant_takes_a_failure_through_training_to_a_retest(page: Page, failed, screenshots):
    force = failed.force
    UserFactory(
        username="sergeant",
        first_name="Kim",
        last_name="Morgan",
        force=force,
        rank="sergeant",
        role=roles.SERGEANT,
    )
    PremisesFactory(town=failed.premises.town, name="Orwell Quay Hotel")
    felix = VisitFactory(
        premises=PremisesFactory(town=failed.premises.town, name="Felix Arms", sector="licensed"),
        visited_at=timezone.now() - timedelta(days=40),
    )
    # Due 28 days after the visit's London date: 12 days overdue, or 11 when a clock change
    # between then and now moved a late-evening visit onto the next London day.
    felix_due = timezone.localtime(felix.visited_at).date() + timedelta(days=28)
    felix_overdue = (timezone.localdate() - felix_due).days
    sign_in(page, "sergeant")

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile("Work queue"))).to_contain_text("4")
    nav.get_by_role("link", name=re.compile("Work queue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Work queue")
    tabs = page.get_by_role("navigation", name="Kinds of work")
    expect(tabs.get_by_role("link", name=re.compile("Training due"))).to_contain_text("2")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="Cornhill Lodge")
    expect(row).to_contain_text("Ipswich")
    cornhill_due = timezone.localtime(failed.visited_at).date() + timedelta(days=28)
    expect(row).to_contain_text(f"{(cornhill_due - timezone.localdate()).days} days left")
    expect(rows.filter(has_text="Felix Arms")).to_contain_text(f"{felix_overdue} days overdue")
    page.screenshot(path=f"{screenshots}/training_queue.png", full_page=True)

    # One step: the row's button opens a form already set for this premises and visit.
    row.get_by_role("link", name="Schedule training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training for Cornhill Lodge")
    expect(page.get_by_label("Scheduled", exact=True)).to_be_checked()
    when = (timezone.now() + timedelta(days=2)).replace(hour=13, minute=0)
    page.get_by_label("Scheduled for").fill(typed(when))
    page.get_by_label("Provider").select_option("barnardos")
    page.get_by_label("Trainer").fill("Jo Reeve")
    page.screenshot(path=f"{screenshots}/training_session_form.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Training at Cornhill Lodge")
    session = TrainingSession.objects.get()
    assert (session.status, session.visit_id, session.owner.username) == (
        "scheduled",
        failed.pk,
        "sergeant",
    )

    nav.get_by_role("link", name=re.compile("Work queue")).click()
    expect(page.locator("table tbody tr").filter(has_text="Cornhill Lodge")).to_have_count(0)

    # The training happened earlier than planned: record it with the staff trained.
    page.goto(session.get_absolute_url())
    page.get_by_role("link", name="Record delivery").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record training delivered")
    delivered = timezone.now() - timedelta(minutes=30)
    page.get_by_label("Delivered at").fill(typed(delivered))
    page.get_by_role("button", name="Record delivery").click()
    expect(page.locator("#id_staff_trained")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Staff trained")
    page.get_by_label("Staff trained").fill("6")
    page.get_by_label("Posters").check()
    page.get_by_role("button", name="Record delivery").click()
    expect(page.get_by_role("status")).to_have_text(
        "Recorded delivery at Cornhill Lodge: a re-test is now due."
    )

    nav.get_by_role("link", name=re.compile("Work queue")).click()
    expect(page.locator("table tbody tr").filter(has_text="Cornhill Lodge")).to_have_count(0)
    tabs.get_by_role("link", name=re.compile("Re-test due")).click()
    retest = page.locator("table tbody tr").filter(has_text="Cornhill Lodge")
    expect(retest).to_have_count(1)
    expect(retest).to_contain_text("Training delivered")
    days_since = (timezone.localdate() - timezone.localtime(delivered, LONDON_TZ).date()).days
    expect(retest).to_contain_text(f"{365 - days_since} days left")
    expect(retest.get_by_role("link", name="Log re-test")).to_have_attribute(
        "href", f"/visits/log/{failed.premises_id}/?retest_of={failed.pk}"
    )
    page.screenshot(path=f"{screenshots}/training_queue_retest.png", full_page=True)

    # An officer logs the re-test from the premises page: staff now report it.
    sign_in(page, "officer")
    page.goto(failed.premises.get_absolute_url())
    page.get_by_role("link", name="Log a visit").click()
    # The failure awaiting its re-test is already chosen.
    expect(page.get_by_label("Re-test of")).to_have_value(str(failed.pk))
    page.get_by_label("Risk assessment reference").fill("RA/2021/131")
    page.get_by_label("Reported to police (101/999)").check()
    page.get_by_label("Called 101", exact=True).check()
    page.get_by_label("Questions asked").check()
    page.get_by_label("C-014").check()
    page.get_by_label("Debrief notes").fill("Receptionist called 101 quoting Makesafe.")
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("status")).to_contain_text("Logged the visit to Cornhill Lodge: pass.")
    retest_visit = Visit.objects.get(retest_of=failed)
    assert retest_visit.result == "pass"

    page.goto(failed.premises.get_absolute_url())
    expect(page.get_by_text(re.compile(r"→ Training delivered"))).to_be_visible()
    expect(page.locator(".chain strong")).to_have_text("pass")

    sign_in(page, "sergeant")
    page.goto("/training/queue/?kind=retest_due")
    expect(page.locator("table tbody tr").filter(has_text="Cornhill Lodge")).to_have_count(0)
    expect(page.locator("table tbody tr")).to_have_text(re.compile("Nothing here"))


def test_training_pages_have_no_accessibility_violations(page: Page, failed, screenshots):
    force = failed.force
    UserFactory(username="sergeant", force=force, rank="sergeant", role=roles.SERGEANT)
    UserFactory(username="admin", force=force, rank="staff", role=roles.FORCE_ADMIN)
    inspector = UserFactory(username="inspector", force=force, rank="inspector")
    premises = failed.premises
    session = TrainingSessionFactory(
        premises=premises, visit=failed, scheduled_for=timezone.now() - timedelta(hours=2)
    )
    TrainingSessionFactory(premises=PremisesFactory(town=premises.town, name="Quay Inn"))
    TrainingSessionFactory(
        premises=PremisesFactory(town=premises.town, name="Harbour B&B", sector="bnb"),
        delivered=True,
    )
    notice = NoticeFactory(
        premises=premises,
        issued_by=inspector,
        expiry_date=timezone.localdate() + timedelta(days=20),
    )
    GuestInfoRequestFactory(notice=notice)
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    sign_in(page, "sergeant")
    pages = {
        "queue": "/training/queue/",
        "queue re-tests": "/training/queue/?kind=retest_due",
        "queue letters": "/training/queue/?kind=letter",
        "queue notices": "/training/queue/?kind=notice",
        "session list": "/training/sessions/",
        "session detail": session.get_absolute_url(),
        "session form": f"/training/sessions/new/?premises={premises.pk}&visit={failed.pk}",
        "session edit": f"/training/sessions/{session.pk}/edit/",
        "session deliver": f"/training/sessions/{session.pk}/deliver/",
        "week": f"/training/sessions/week/?week={timezone.localdate().isoformat()}",
        "letter": f"/training/letters/{failed.pk}/",
        "notice list": "/training/notices/",
        "notice detail": notice.get_absolute_url(),
        "notice form": "/training/notices/new/",
        "notice edit": f"/training/notices/{notice.pk}/edit/",
        "request form": f"/training/notices/{notice.pk}/requests/new/",
        "home": "/",
    }
    for name, url in pages.items():
        page.goto(url)
        if name == "letter":
            # A letter is a disclosure: the prompt comes first, with the usual answer filled in.
            expect(page.get_by_role("heading", level=1)).to_have_text("Who is this for, and why?")
            check("disclosure prompt")
            page.get_by_role("button", name="Continue").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Outcome letter")
        check(name)
        if name == "letter":
            page.screenshot(path=f"{screenshots}/training_letter.png", full_page=True)
        if name == "week":
            page.screenshot(path=f"{screenshots}/training_week.png", full_page=True)
    page.goto(f"/training/sessions/{session.pk}/deliver/")
    page.get_by_role("button", name="Record delivery").click()
    check("session deliver with errors")
    page.goto("/training/notices/new/")
    page.get_by_role("button", name="Save notice").click()
    check("notice form with errors")
    page.screenshot(path=f"{screenshots}/training_notice_form_errors.png", full_page=True)
    page.goto(f"/training/notices/{notice.pk}/requests/new/")
    page.get_by_role("button", name="Save").click()
    check("request form with errors")
    page.goto(f"/training/letters/{failed.pk}/")
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.get_by_role("status")).to_contain_text("marked as sent")
    check("letter sent")
    page.emulate_media(media="print")
    page.screenshot(path=f"{screenshots}/training_letter_print.png", full_page=True)
    page.emulate_media(media="screen")

    sign_in(page, "admin")
    page.goto("/accounts/force/")
    check("force settings")
    page.get_by_label(re.compile("Training due within")).fill("0")
    page.get_by_role("button", name="Save settings").click()
    check("force settings with errors")
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
