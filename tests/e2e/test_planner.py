"""A sergeant plans a night of action from the planner: chooses a town, ticks premises ranked by
why they should be tested, and saves the operation the planner filled in; the planner passes
axe, with its errors too."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from visits.models import Operation, Visit

from ..factories import PremisesFactory, TownFactory, UserFactory, VisitFactory
from .test_premises import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def suffolk():
    """Ipswich: a hotel that failed, one never tested and one that passed; a Felixstowe pub."""
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Ipswich")
    force = town.force
    failed = PremisesFactory(town=town, name="Cornhill Lodge", reference="SUF-H-0001")
    VisitFactory(premises=failed, visited_at=timezone.now() - timedelta(days=40))
    PremisesFactory(town=town, name="Orwell Quay Hotel", reference="SUF-H-0002")
    passed = PremisesFactory(town=town, name="Station Court Hotel", reference="SUF-H-0003")
    VisitFactory(
        premises=passed,
        outcome=Visit.Outcome.REFUSED_CONCERNS,
        visited_at=timezone.now() - timedelta(days=300),
    )
    PremisesFactory(town=TownFactory(force=force, name="Felixstowe"), name="Pier Bar")
    UserFactory(
        username="sergeant", first_name="Sam", force=force, rank="sergeant", role=roles.SERGEANT
    )
    return force


def axe_clean(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_sergeant_plans_an_operation_from_the_ticked_premises(page: Page, suffolk, screenshots):
    page.set_viewport_size(LAPTOP)
    sign_in(page, "sergeant")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Operations").click()
    page.get_by_role("link", name="Which premises next?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a night of action")

    night = timezone.localdate() + timedelta(days=10)
    page.get_by_role("checkbox", name="Ipswich").check()
    page.get_by_label("Night of the operation").fill(f"{night:%d/%m/%Y}")
    page.get_by_role("button", name="Show premises").click()

    rows = page.locator("table.table-striped tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Cornhill Lodge")
    expect(rows.nth(0)).to_contain_text("Failed, not re-tested")
    expect(rows.nth(1)).to_contain_text("Orwell Quay Hotel")
    expect(rows.nth(1)).to_contain_text("Never tested")
    expect(rows.nth(2)).to_contain_text("Station Court Hotel")
    expect(page.get_by_role("row", name="Ipswich 3 2 1 1 0 0")).to_be_visible()
    page.screenshot(path=f"{screenshots}/planner.png", full_page=True)
    axe_clean(page)

    page.get_by_label("Tick Cornhill Lodge").check()
    page.get_by_label("Tick Orwell Quay Hotel").check()
    page.get_by_role("button", name="Plan an operation with the ticked premises").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Plan an operation")
    expect(page.locator("#id_date")).to_have_value(f"{night:%d/%m/%Y}")
    chosen = page.get_by_label("Premises to visit")
    expect(chosen.locator("option:checked")).to_have_count(2)
    page.locator("#id_name").fill("Makesafe Ipswich, winter")
    page.get_by_label("Risk assessment reference").fill("RA/2026/201")
    page.get_by_role("button", name="Save operation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Makesafe Ipswich, winter")
    operation = Operation.objects.get(name="Makesafe Ipswich, winter")
    assert sorted(operation.premises.values_list("name", flat=True)) == [
        "Cornhill Lodge",
        "Orwell Quay Hotel",
    ]
    assert list(operation.towns.values_list("name", flat=True)) == ["Ipswich"]
    assert operation.date == night


def test_the_planners_errors_pass_axe(page: Page, suffolk):
    page.set_viewport_size(LAPTOP)
    sign_in(page, "sergeant")
    page.goto("/visits/operations/plan/?date=01/01/2020&exclude_days=0")
    expect(page.get_by_text("Choose today or a later date.").first).to_be_visible()
    axe_clean(page)
    page.goto("/visits/operations/plan/")
    page.get_by_role("button", name="Plan an operation with the ticked premises").click()
    expect(page.get_by_text("Tick at least one premises.").first).to_be_visible()
    axe_clean(page)
