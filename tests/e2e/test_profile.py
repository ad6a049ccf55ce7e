"""A sergeant switches the daily digest off and on from their profile, with and without
JavaScript; the profile and force settings pages pass axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from accounts import roles
from accounts.models import User

from ..factories import TEST_PASSWORD, TownFactory, UserFactory

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
    force = TownFactory(force__code="SUF", force__name="Suffolk Constabulary").force
    UserFactory(
        username="sergeant",
        first_name="Kim",
        last_name="Morgan",
        force=force,
        rank="sergeant",
        role=roles.SERGEANT,
    )
    UserFactory(username="admin", force=force, rank="staff", role=roles.FORCE_ADMIN)
    return force


def switch_digest(page: Page, screenshots: str, name: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Kim Morgan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    box = page.get_by_label("Email me the daily digest")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The daily digest is now off.")
    expect(page.get_by_label("Email me the daily digest")).not_to_be_checked()
    assert User.objects.get(username="sergeant").wants_digest is False
    page.screenshot(path=f"{screenshots}/{name}.png", full_page=True)
    page.get_by_label("Email me the daily digest").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The daily digest is now on.")
    assert User.objects.get(username="sergeant").wants_digest is True


def test_a_sergeant_switches_the_digest_off_and_on(page: Page, suffolk, screenshots):
    sign_in(page, "sergeant")
    switch_digest(page, screenshots, "profile")


def test_the_switch_works_without_javascript(
    browser: Browser, base_url, suffolk, screenshots, browser_context_args
):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill("sergeant")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base_url}/")
    switch_digest(page, screenshots, "profile_no_js")
    context.close()


def test_profile_and_force_settings_have_no_accessibility_violations(
    page: Page, suffolk, screenshots
):
    axe = Axe()
    found = {}
    for username, url, name in [
        ("sergeant", "/accounts/profile/", "profile"),
        ("admin", "/accounts/profile/", "profile without the queue"),
        ("admin", "/accounts/force/", "force settings"),
    ]:
        sign_in(page, username)
        page.goto(url)
        for width, height in [(1366, 768), (390, 844)]:
            page.set_viewport_size({"width": width, "height": height})
            results = axe.run(page)
            if results.violations_count:
                found[f"{name} at {width}"] = results.generate_report()
            slug = name.replace(" ", "_")
            page.screenshot(path=f"{screenshots}/{slug}_{width}.png", full_page=True)
    assert found == {}
