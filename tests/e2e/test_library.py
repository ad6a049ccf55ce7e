"""The national scenario library end to end: the national coordinator publishes a script, a
sergeant adopts it, a revision is published and offered, and the sergeant adopts it; axe finds
nothing on the pages on the way."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from visits.models import Scenario

from ..factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Booked online, paid in cash"


def sign_in(page: Page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_a_script_is_published_adopted_revised_and_the_revision_adopted(
    page: Page, national, sergeant, screenshots
):
    axe, found = Axe(), {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    sign_in(page, national)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scenario library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scenario library")
    page.get_by_role("link", name="Publish a script").click()
    check("publish")
    page.get_by_role("textbox", name="Name").fill(NAME)
    page.get_by_label("Hotel", exact=True).check()
    page.get_by_label("Script").fill("An adult books online, then pays cash at the desk.")
    page.get_by_label("Pays cash / no card").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Published {NAME} v1 to the library.")).to_be_visible()
    check("national library")

    sign_in(page, sergeant)
    page.goto("/more/")
    page.get_by_role("link", name="National scenario library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National scenario library")
    check("library")
    page.get_by_role("link", name="Adopt v1").click()
    check("adopt")
    page.get_by_role("button", name="Adopt v1").click()
    expect(page.get_by_text("Adopted from national library:")).to_be_visible()
    expect(page.get_by_role("link", name=f"{NAME} v1")).to_be_visible()
    check("adopted scenario")

    sign_in(page, national)
    page.goto("/visits/national/scenarios/")
    page.get_by_role("link", name=f"Publish a revision of {NAME}").click()
    check("revise")
    page.get_by_label("Script").fill("An adult books online, pays cash, asks for a quiet room.")
    page.get_by_label("Asks for an isolated room or one near an exit").check()
    page.get_by_label("What changed").fill("Adds the quiet room.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Published {NAME} v2.")).to_be_visible()

    sign_in(page, sergeant)
    page.goto("/visits/scenarios/library/")
    expect(page.get_by_text("A newer national revision is available:")).to_be_visible()
    # Offered, never applied: the force's scenario is still the v1 text.
    assert Scenario.objects.get(is_current=True).adopted_from.version == 1
    page.screenshot(path=f"{screenshots}/library_offer.png", full_page=True)
    page.get_by_role("link", name="adopt v2").click()
    expect(page.get_by_text("What changed in v2: Adds the quiet room.")).to_be_visible()
    page.get_by_role("button", name="Adopt v2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("v2")
    expect(page.get_by_role("link", name=f"{NAME} v2")).to_be_visible()
    page.goto("/visits/scenarios/library/")
    expect(page.get_by_text("Adopted", exact=True)).to_be_visible()
    check("library after")
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
