"""An officer's everyday round trip, a commander's read-only view, and accessibility."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts import roles
from premises.models import Premises

from ..factories import TEST_PASSWORD, PremisesFactory, TownFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


@pytest.fixture
def suffolk():
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Ipswich")
    TownFactory(force=town.force, name="Felixstowe")
    return town


def test_an_officer_adds_premises_fixes_a_bad_postcode_and_finds_them(
    page: Page, suffolk, screenshots
):
    UserFactory(username="officer", first_name="Kim", force=suffolk.force, role=roles.OFFICER)
    PremisesFactory(town=suffolk, name="Cornhill Lodge", reference="SUF-H-0001")
    sign_in(page, "officer")

    page.get_by_role("link", name="Add premises").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add premises")
    page.get_by_label("Name").fill("Orwell Quay Hotel")
    page.get_by_label("Sector").select_option("hotel")
    page.get_by_label("Address").fill("12 Neptune Quay")
    page.get_by_label("Operator or chain").fill("Harbourside Hotels")
    page.get_by_label("Town").select_option(label="Ipswich")
    page.get_by_label("Postcode").fill("IP4 XYZ")
    page.get_by_label("Phone").fill("01473 613500")
    page.screenshot(path=f"{screenshots}/premises_form.png", full_page=True)
    page.get_by_role("button", name="Save premises").click()

    # The error sits beside the field, which is marked invalid; the other input is kept.
    postcode = page.get_by_label("Postcode")
    expect(postcode).to_have_attribute("aria-invalid", "true")
    expect(postcode).to_have_value("IP4 XYZ")
    expect(page.locator("#id_postcode_error")).to_have_text(re.compile("Enter a full UK postcode"))
    expect(page.locator("#div_id_postcode #id_postcode_error")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Postcode: Enter a full UK postcode")
    expect(page.get_by_label("Name")).to_have_value("Orwell Quay Hotel")
    expect(page.get_by_label("Address")).to_have_value("12 Neptune Quay")
    expect(page.get_by_label("Operator or chain")).to_have_value("Harbourside Hotels")
    expect(page.get_by_label("Town")).to_have_value(str(suffolk.pk))
    expect(page.get_by_label("Sector")).to_have_value("hotel")
    page.screenshot(path=f"{screenshots}/premises_form_error.png", full_page=True)
    assert not Premises.objects.filter(name="Orwell Quay Hotel").exists()

    postcode.fill("ip41ax")
    page.get_by_role("button", name="Save premises").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orwell Quay Hotel")
    expect(page.get_by_role("status")).to_contain_text("Added Orwell Quay Hotel as SUF-H-0002.")
    expect(page.get_by_text("IP4 1AX")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Premises").click()
    page.get_by_label("Search").fill("orwell")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("SUF-H-0002")
    page.get_by_label("Search").fill("")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    page.screenshot(path=f"{screenshots}/premises_list.png", full_page=True)
    rows.get_by_role("link", name="Orwell Quay Hotel").click()
    expect(page).to_have_url(re.compile(r"/premises/\d+/$"))


def test_a_commander_cannot_edit_premises(page: Page, suffolk):
    UserFactory(username="commander", force=suffolk.force, role=roles.COMMANDER)
    premises = PremisesFactory(town=suffolk, name="Cornhill Lodge")
    sign_in(page, "commander")
    page.goto(premises.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Cornhill Lodge")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Add premises")).to_have_count(0)
    response = page.goto(f"/premises/{premises.pk}/edit/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_pages_have_no_accessibility_violations(page: Page, suffolk, screenshots):
    admin = UserFactory(username="admin", force=suffolk.force, rank="staff", role=roles.FORCE_ADMIN)
    premises = PremisesFactory(
        town=suffolk, name="Cornhill Lodge", operator="Harbourside", notes="Night porter"
    )
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    page.goto("/accounts/login/")
    check("login")
    page.get_by_role("button", name="Sign in").click()  # empty form: the error summary
    check("login with errors")
    sign_in(page, "admin")
    pages = {
        "home": "/",
        "premises list": "/premises/",
        "premises detail": premises.get_absolute_url(),
        "premises form": "/premises/new/",
        "premises edit": f"/premises/{premises.pk}/edit/",
        "deactivate": f"/premises/{premises.pk}/active/",
        "import": "/premises/import/",
        "towns": "/premises/towns/",
        "town form": "/premises/towns/new/",
        "users": "/accounts/users/",
        "user form": "/accounts/users/new/",
        "user edit": f"/accounts/users/{admin.pk}/",
        "password": "/accounts/password/",
    }
    for name, url in pages.items():
        page.goto(url)
        check(name)
    page.goto("/premises/new/")
    page.get_by_role("button", name="Save premises").click()
    check("premises form with errors")
    page.screenshot(path=f"{screenshots}/premises_form_all_errors.png", full_page=True)
    page.goto("/accounts/users/new/")
    page.screenshot(path=f"{screenshots}/user_form.png", full_page=True)
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
