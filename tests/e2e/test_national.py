"""The national coordinator reads the September 2021 campaign across the forces that share their
figures: the dashboard by force, its CSV through the disclosure prompt, the other national pages;
axe finds nothing; Suffolk's force admin sees the combination in the audit log."""

import csv

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .test_reports import answer_the_prompt, cells, seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHARING = ["Essex Police", "Norfolk Constabulary", "Suffolk Constabulary"]


def test_the_national_coordinator_reads_the_2021_campaign(page: Page, screenshots, tmp_path):
    seed_demo()
    sign_in(page, "national")
    axe, found = Axe(), {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    check("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="National figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National figures")
    filters = page.get_by_role("form", name="National figures filters")
    filters.get_by_label("From").fill("01/09/2021")
    filters.get_by_label("To", exact=True).fill("30/09/2021")
    filters.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Showing 1 Sep 2021 to 30 Sep 2021.")).to_be_visible()
    expect(page.get_by_text("Figures of the 3 forces sharing them")).to_be_visible()

    rows = page.locator("table.report-table:not(.dashboard-table) tbody tr")
    expect(rows).to_have_count(3)
    assert [cells(rows.nth(n))[0].removesuffix(" small sample") for n in range(3)] == SHARING
    # Suffolk's seed operation: eight hotels, six failed.
    suffolk = cells(rows.nth(2))
    assert suffolk[1:6] == ["8", "8", "2", "6", "75.0%"]
    expect(page.get_by_text("Cambridgeshire")).to_have_count(0)
    check("dashboard")
    page.screenshot(path=f"{screenshots}/national_dashboard.png", full_page=True)

    page.get_by_role("link", name="Download CSV").click()
    answer_the_prompt(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    assert "OFFICIAL-SENSITIVE" in download.value.suggested_filename
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    read = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))
    assert read[0][:3] == ["force", "premises", "visits"]
    assert [row[0] for row in read[1:]] == SHARING
    assert read[3][1:3] == ["8", "8"]

    nav = page.get_by_role("navigation", name="National figures")
    for link, heading in [
        ("National figures by sector", "National figures by sector"),
        ("National trend by month", "National trend by month"),
        ("Press summary", "National press summary"),
    ]:
        page.goto("/reports/national/?date_from=01/09/2021&date_to=30/09/2021")
        nav.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if page.locator("canvas#report-chart").count():
            page.wait_for_function("() => window.Chart && Chart.getChart('report-chart')")
        expect(page.get_by_text("Cambridgeshire")).to_have_count(0)
        check(heading)
        page.screenshot(path=f"{screenshots}/national_{link.split()[-1]}.png", full_page=True)
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())

    # A record page is refused.
    response = page.goto("/premises/")
    assert response.status == 403

    # Suffolk's force admin sees who combined Suffolk's figures.
    sign_in(page, "forceadmin")
    page.goto("/audit/log/?action=combine")
    expect(page.get_by_text("Combined figures: National figures by force").first).to_be_visible()
    expect(
        page.get_by_text("Essex Police, Norfolk Constabulary, Suffolk Constabulary").first
    ).to_be_visible()
    check("audit log of combinations")
    assert found == {}


def test_the_national_coordinator_runs_a_campaign_and_reads_its_figures(page: Page, screenshots):
    """A new campaign is added and edited; the demo's September 2021 campaign, which every
    force's campaign-week operation is linked to, filters the national figures to its visits;
    Suffolk's commander sees the campaign's national rate beside Suffolk's own."""
    seed_demo()
    sign_in(page, "national")
    axe, found = Axe(), {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    page.goto("/reports/national/")
    page.get_by_role("navigation", name="National figures").get_by_role(
        "link", name="Campaigns"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National campaigns")
    check("campaigns")
    page.get_by_role("link", name="Add a campaign").click()
    page.get_by_label("Name").fill("Safer taxis week, March 2026")
    page.get_by_label("Start").fill("09/03/2026")
    page.get_by_label("End").fill("02/03/2026")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("The end date cannot be before the start date.", exact=True)
    ).to_be_visible()
    check("campaign form with an error")
    page.get_by_label("End").fill("15/03/2026")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Added the campaign Safer taxis week, March 2026.")).to_be_visible()
    row = page.get_by_role("row", name="Safer taxis week, March 2026")
    expect(row).to_contain_text("9 Mar 2026 to 15 Mar 2026")
    page.screenshot(path=f"{screenshots}/national_campaigns.png", full_page=True)

    # The demo campaign: Suffolk's, Norfolk's and Essex's operations of the week.
    page.get_by_role("row", name="Makesafe national campaign week, September 2021").get_by_role(
        "link", name="Figures"
    ).click()
    filters = page.get_by_role("form", name="National figures filters")
    expect(filters.get_by_label("Campaign").locator("option:checked")).to_have_text(
        "Makesafe national campaign week, September 2021"
    )
    rows = page.locator("table.report-table:not(.dashboard-table) tbody tr")
    expect(rows).to_have_count(3)
    assert [cells(rows.nth(n))[0] for n in range(3)] == SHARING
    assert [cells(rows.nth(n))[1:3] for n in range(3)] == [["12", "12"], ["11", "11"], ["8", "8"]]
    expect(page.get_by_text("Cambridgeshire")).to_have_count(0)
    check("national figures of the campaign")
    page.screenshot(path=f"{screenshots}/national_campaign_figures.png", full_page=True)
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())

    # Suffolk's commander: Suffolk's own campaign figures and the national rate, no other force.
    sign_in(page, "commander")
    page.goto("/reports/?preset=all")
    page.get_by_label("Campaign").select_option(
        label="Makesafe national campaign week, September 2021"
    )
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#campaign-national")).to_contain_text(
        "National rate for this campaign: 54.8% failed (31 visits, forces that share figures)"
    )
    expect(page.get_by_text("Norfolk")).to_have_count(0)
    expect(page.get_by_text("Essex")).to_have_count(0)
    check("force report of the campaign")
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
