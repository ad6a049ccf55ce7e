"""An officer logs a failed visit from an operation's checklist on a laptop screen; a sergeant
corrects it; every visits page passes axe."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from visits.models import Visit

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
def suffolk():
    """Ipswich with two hotels planned for an operation, a cadet and the hotel scenario."""
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Ipswich")
    force = town.force
    scenario = ScenarioFactory(
        force=force,
        name="Room for the night",
        indicators=["pays_cash", "no_luggage", "short_stay", "double_bed"],
    )
    hotels = [
        PremisesFactory(town=town, name="Cornhill Lodge", reference="SUF-H-0001"),
        PremisesFactory(town=town, name="Orwell Quay Hotel", reference="SUF-H-0002"),
    ]
    operation = OperationFactory(
        force=force,
        name="Makesafe Ipswich",
        scenario=scenario,
        risk_assessment_ref="RA/2021/118",
    )
    operation.premises.add(*hotels)
    ParticipantFactory(force=force, code="C-014")
    return {"town": town, "force": force, "operation": operation, "hotels": hotels}


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_officer_logs_a_failed_visit_from_the_checklist_and_a_sergeant_edits_it(
    page: Page, suffolk, screenshots
):
    force = suffolk["force"]
    UserFactory(username="officer", first_name="Kim", force=force, role=roles.OFFICER)
    UserFactory(
        username="sergeant", first_name="Sam", force=force, rank="sergeant", role=roles.SERGEANT
    )
    page.set_viewport_size(LAPTOP)
    sign_in(page, "officer")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Operations").click()
    page.get_by_role("link", name="Makesafe Ipswich").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Makesafe Ipswich")
    expect(page.get_by_text("Visited 0 of 2 planned · 2 to visit")).to_be_visible()
    page.get_by_role("link", name="Log visit to Cornhill Lodge").click()

    # One screen on a 1366x768 laptop: the button is there without scrolling.
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit to Cornhill Lodge")
    log_button = page.get_by_role("button", name="Log visit")
    expect(log_button).to_be_in_viewport()
    box = log_button.bounding_box()
    assert box["y"] + box["height"] <= LAPTOP["height"]
    expect(page.get_by_label("Operation")).to_have_value(str(suffolk["operation"].pk))
    expect(page.get_by_label("Scenario")).to_have_value(str(suffolk["operation"].scenario_id))
    page.screenshot(path=f"{screenshots}/visit_form.png")

    page.get_by_label("C-014").check()
    page.get_by_role("radio", name=re.compile("^Booking completed unchallenged")).check()
    page.get_by_role("radio", name="Key issued", exact=True).check()
    page.get_by_label("Debrief notes").fill(
        "Receptionist took cash for a double room; manager briefed on the signs."
    )
    log_button.click()

    # Back on the checklist, the premises is visited and failed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Makesafe Ipswich")
    expect(page.get_by_role("status")).to_contain_text("Logged the visit to Cornhill Lodge: fail.")
    expect(
        page.get_by_text("Visited 1 of 2 planned · 1 to visit · 0 passed · 1 failed")
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Cornhill Lodge")
    expect(row).to_contain_text("Fail")
    expect(row).to_contain_text("Booking completed unchallenged")
    expect(row.get_by_role("link", name=re.compile("Log visit"))).to_have_count(0)
    page.screenshot(path=f"{screenshots}/operation_checklist.png", full_page=True)

    visit = Visit.objects.get()
    assert (visit.result, visit.outcome, visit.stage_reached) == ("fail", "completed", "key_issued")
    assert visit.officer.username == "officer"
    assert list(visit.participants.values_list("code", flat=True)) == ["C-014"]
    assert visit.operation == suffolk["operation"]

    # The premises page's timeline shows it, newest first.
    row.get_by_role("link", name="Cornhill Lodge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cornhill Lodge")
    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text("Fail")
    expect(timeline.first).to_contain_text("Booking completed unchallenged")
    expect(timeline.first).to_contain_text("Makesafe Ipswich")
    page.screenshot(path=f"{screenshots}/premises_timeline.png", full_page=True)
    timeline.first.get_by_role("link", name=re.compile("^Visit ")).click()
    expect(page.get_by_text("Receptionist took cash for a double room")).to_be_visible()
    sign_out(page)

    # A sergeant corrects the record: staff did ask questions before completing.
    sign_in(page, "sergeant")
    page.goto(visit.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit visit to Cornhill Lodge")
    page.screenshot(path=f"{screenshots}/visit_edit_sergeant.png")
    expect(page.get_by_label("Debrief notes")).to_have_value(
        "Receptionist took cash for a double room; manager briefed on the signs."
    )
    page.get_by_role("radio", name=re.compile("^Challenged or asked for ID")).check()
    page.get_by_label("Debrief notes").fill(
        "Receptionist asked if the girl was his daughter, then took cash. Manager briefed."
    )
    page.get_by_role("button", name="Save visit").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the visit.")
    expect(page.get_by_text("Receptionist asked if the girl was his daughter")).to_be_visible()
    expect(
        page.get_by_text("Challenged or asked for ID, but did not refuse or report")
    ).to_be_visible()
    visit.refresh_from_db()
    assert (visit.outcome, visit.result, visit.version) == ("challenged", "fail", 2)
    assert visit.updated_by.username == "sergeant"
    assert visit.officer.username == "officer"


def test_the_log_form_can_be_filled_with_the_keyboard_alone(page: Page, suffolk):
    UserFactory(username="officer", force=suffolk["force"], role=roles.OFFICER)
    page.set_viewport_size(LAPTOP)
    sign_in(page, "officer")
    page.goto("/visits/log/")
    search = page.get_by_role("searchbox", name="Premises")
    search.focus()
    page.keyboard.type("orwell")
    # The type-ahead fetches the results without a click.
    result = page.get_by_role("link", name="Log visit to Orwell Quay Hotel")
    expect(result).to_be_visible()
    expect(page.get_by_role("link", name="Log visit to Cornhill Lodge")).to_have_count(0)
    result.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit to Orwell Quay Hotel")
    page.get_by_label("C-014").focus()
    page.keyboard.press("Space")
    page.get_by_role("radio", name=re.compile("^Refused because of safeguarding")).focus()
    page.keyboard.press("Space")
    page.get_by_role("radio", name="Questions asked", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_label("Debrief notes").focus()
    page.keyboard.type("Duty manager refused and explained why; thanked.")
    # Not part of an operation: the visit's own risk assessment.
    page.get_by_label("Risk assessment reference").focus()
    page.keyboard.type("RA/2021/140")
    page.get_by_role("button", name="Log visit").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Logged the visit to Orwell Quay Hotel: pass."
    )
    assert Visit.objects.get().result == "pass"


def test_a_retest_logged_from_the_checklist_is_linked_to_the_failure_it_retests(
    page: Page, suffolk, screenshots
):
    force = suffolk["force"]
    officer = UserFactory(username="officer", force=force, role=roles.OFFICER)
    hotel = suffolk["hotels"][0]
    earlier = timezone.now() - timedelta(days=20)
    failure = VisitFactory(premises=hotel, officer=officer, visited_at=earlier)
    page.set_viewport_size(LAPTOP)
    sign_in(page, "officer")
    page.goto(suffolk["operation"].get_absolute_url())
    page.get_by_role("link", name="Log visit to Cornhill Lodge").click()

    retest = page.get_by_label("Re-test of")
    expect(retest).to_have_value(str(failure.pk))
    expect(
        page.get_by_text("Chosen for you: the latest failure not yet re-tested.")
    ).to_be_visible()
    expect(page.get_by_text(f"Re-test of {timezone.localtime(earlier):%-d %b %Y}")).to_be_visible()
    # The operation's risk assessment is recorded: nothing to type.
    expect(page.get_by_label("Risk assessment reference")).to_have_value("")
    results = Axe().run(page)
    assert not results.violations_count, results.generate_report()
    page.screenshot(path=f"{screenshots}/visit_form_retest.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{screenshots}/visit_form_retest_phone.png", full_page=True)
    page.set_viewport_size(LAPTOP)

    page.get_by_label("C-014").check()
    page.get_by_role("radio", name=re.compile("^Reported to police")).check()
    page.get_by_role("radio", name="Called 101", exact=True).check()
    page.get_by_role("radio", name="Questions asked", exact=True).check()
    page.get_by_label("Debrief notes").fill("Receptionist called 101 quoting Makesafe.")
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("status")).to_contain_text("Logged the visit to Cornhill Lodge: pass.")

    visit = Visit.objects.get(operation=suffolk["operation"])
    assert visit.retest_of == failure
    assert (visit.risk_assessment_ref, visit.cadet_age_band) == ("RA/2021/118", "14-15")
    page.goto(visit.get_absolute_url())
    expect(page.get_by_text("RA/2021/118")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Booking completed unchallenged"))
    ).to_be_visible()
    page.screenshot(path=f"{screenshots}/visit_detail_retest.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{screenshots}/visit_detail_retest_phone.png", full_page=True)


def test_visits_pages_have_no_accessibility_violations(page: Page, suffolk, screenshots):
    force = suffolk["force"]
    sergeant = UserFactory(username="sergeant", force=force, rank="sergeant", role=roles.SERGEANT)
    hotel = suffolk["hotels"][0]
    visit = VisitFactory(premises=hotel, officer=sergeant, operation=suffolk["operation"])
    operation = suffolk["operation"]
    scenario = operation.scenario
    cadet = force.participants.get()
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    sign_in(page, "sergeant")
    pages = {
        "visit list": "/visits/",
        "visit list filtered": "/visits/?result=fail&retests=on&town=" + str(hotel.town_id),
        "log search": "/visits/log/",
        "log search results": "/visits/log/?q=hotel",
        "log form": f"/visits/log/{hotel.pk}/",
        "log form from operation": f"/visits/log/{hotel.pk}/?operation={operation.pk}",
        "visit detail": visit.get_absolute_url(),
        "visit edit": f"/visits/{visit.pk}/edit/",
        "operation list": "/visits/operations/",
        "operation detail": operation.get_absolute_url(),
        "operation form": "/visits/operations/new/",
        "operation edit": f"/visits/operations/{operation.pk}/edit/",
        "operation close": f"/visits/operations/{operation.pk}/close/",
        "cadet list": "/visits/cadets/",
        "cadet form": "/visits/cadets/new/",
        "cadet edit": f"/visits/cadets/{cadet.pk}/",
        "scenario list": "/visits/scenarios/",
        "scenario detail": scenario.get_absolute_url(),
        "scenario form": "/visits/scenarios/new/",
        "scenario edit": f"/visits/scenarios/{scenario.pk}/edit/",
        "import": "/visits/import/",
        "premises timeline": hotel.get_absolute_url(),
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, name
        check(name)

    page.set_viewport_size(LAPTOP)
    page.goto(f"/visits/log/{hotel.pk}/")
    page.get_by_role("radio", name=re.compile("^Refused for a non-safeguarding reason")).check()
    page.get_by_label("Debrief notes").fill("")
    page.get_by_label("Visited at").fill("01/01/2099 10:00")
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator("#id_visited_at")).to_have_attribute("aria-invalid", "true")
    check("log form with errors")
    page.screenshot(path=f"{screenshots}/visit_form_errors.png", full_page=True)
    page.get_by_label("Visited at").fill("")
    page.get_by_role("button", name="Log visit").click()
    check("log form with the outcome error")

    for name, url, button in [
        ("operation form with errors", "/visits/operations/new/", "Save operation"),
        ("cadet form with errors", "/visits/cadets/new/", "Save"),
        ("scenario form with errors", "/visits/scenarios/new/", "Save scenario"),
        ("import with errors", "/visits/import/", "Import"),
    ]:
        page.goto(url)
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")
        check(name)

    page.goto("/visits/import/")
    page.get_by_label("CSV or Excel file").set_input_files(
        files=[
            {
                "name": "visits.csv",
                "mimeType": "text/csv",
                "buffer": b"premises_reference,visited_on,outcome,stage,participant,scenario,"
                b"debrief_notes,operation\nSUF-X-1,2021-09-18,oops,enquiry,,,,\n",
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Rows to fix before importing again")).to_be_visible()
    check("import with bad lines")
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
