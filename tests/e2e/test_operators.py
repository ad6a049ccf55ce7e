"""A sergeant finds a chain under two names and merges them, in the browser, with axe clean."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts import roles
from premises.models import Operator

from ..factories import PremisesFactory, TownFactory, UserFactory
from .test_premises import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sergeant_merges_two_names_of_one_chain(page: Page, screenshots):
    ipswich = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Ipswich")
    felixstowe = TownFactory(force=ipswich.force, name="Felixstowe")
    UserFactory(username="sergeant", force=ipswich.force, rank="sergeant", role=roles.SERGEANT)
    PremisesFactory(town=ipswich, name="The Anchor and Crown", operator="Eastern Taverns")
    PremisesFactory(town=felixstowe, name="The Drovers Arms", operator="Eastern Taverns")
    PremisesFactory(town=felixstowe, name="The Trawlerman", operator="Eastern Taverns Ltd")
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    sign_in(page, "sergeant")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Premises").click()
    page.get_by_role("link", name="Operators and chains").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operators and chains")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Eastern Taverns")
    check("operator list")
    page.screenshot(path=f"{screenshots}/operator_list.png", full_page=True)

    page.get_by_role("link", name="Eastern Taverns Ltd").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastern Taverns Ltd")
    expect(page.get_by_role("link", name="The Trawlerman")).to_be_visible()
    check("operator page")

    page.get_by_role("link", name="Merge into another operator").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merge Eastern Taverns Ltd")
    check("merge: choose")
    page.get_by_label("Keep this operator").select_option(label="Eastern Taverns")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merge Eastern Taverns Ltd into Eastern Taverns?"
    )
    expect(
        page.get_by_text("1 premises of Eastern Taverns Ltd (in 1 town) will move")
    ).to_be_visible()
    check("merge: confirm")
    page.screenshot(path=f"{screenshots}/operator_merge.png", full_page=True)
    assert Operator.objects.count() == 2  # looking changed nothing

    page.get_by_role("button", name="Merge operators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastern Taverns")
    expect(page.get_by_role("status")).to_contain_text(
        "Merged Eastern Taverns Ltd into Eastern Taverns: 1 premises moved."
    )
    expect(page.locator("table tbody tr")).to_have_count(3)
    expect(page.get_by_text("3 premises (3 active) in 2 towns")).to_be_visible()
    check("operator page after the merge")
    page.screenshot(path=f"{screenshots}/operator_detail.png", full_page=True)
    assert list(Operator.objects.values_list("name", flat=True)) == ["Eastern Taverns"]

    # The premises that moved names its new operator, with a link back.
    page.get_by_role("link", name="The Trawlerman").click()
    page.get_by_role("link", name="Eastern Taverns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastern Taverns")
    assert found == {}
