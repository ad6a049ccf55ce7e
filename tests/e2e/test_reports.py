"""A commander reports on the seed operation's hotels: the town report, its CSV and its print
view; every report page passes axe."""

import csv
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo.data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "town,visits,passed,failed,failure_rate,ci_low,ci_high,challenge_rate,report_to_police_rate"
)


def seed_demo() -> None:
    call_command("seed_demo", allow_production=True, quiet_logins=True)


def sign_in(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def answer_the_prompt(page: Page) -> None:
    """Downloads and prints first ask who they are for and why."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is this for, and why?")
    page.get_by_label("Recipient").fill("Superintendent's weekly briefing")
    page.get_by_label("Reason").fill("Where to send trainers next quarter.")


def cells(row) -> list[str]:
    return [" ".join(text.split()) for text in row.locator("th, td").all_inner_texts()]


def test_a_commander_reports_on_the_2021_hotels(page: Page, screenshots, tmp_path):
    seed_demo()
    sign_in(page, "commander")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.get_by_role("navigation", name="Reports").get_by_role(
        "link", name="Failure rate by town"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Failure rate by town")

    filters = page.get_by_role("form", name="Report filters")
    filters.get_by_label("From").fill("01/01/2021")
    filters.get_by_label("To", exact=True).fill("31/12/2021")
    filters.get_by_label("Sector").select_option(label="Hotel")
    filters.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Showing 1 Jan 2021 to 31 Dec 2021 · Hotel.")).to_be_visible()
    expect(filters.get_by_label("Period")).to_have_value("custom")  # not "Last 12 months"

    rows = page.locator("table.report-table tbody tr")
    expect(rows).to_have_count(2)
    # Town, visits, passed, failed, failure rate, interval, challenged, reported.
    bury, ipswich = cells(rows.nth(0)), cells(rows.nth(1))
    assert bury[0] == "Bury St Edmunds small sample"
    assert bury[1:5] == ["3", "1", "2", "66.7%"]
    assert ipswich[0] == "Ipswich"
    assert ipswich[1:5] == ["5", "1", "4", "80.0%"]
    assert ipswich[5] == "37.6% – 96.4%"
    expect(page.locator("table.report-table tfoot")).to_contain_text("8")

    # The chart beside the table has drawn the two bars.
    chart = page.locator("canvas#report-chart")
    expect(chart).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('report-chart')")
    assert page.evaluate("Chart.getChart('report-chart').data.labels") == [
        "Bury St Edmunds",
        "Ipswich",
    ]
    assert page.evaluate("Chart.getChart('report-chart').data.datasets[0].data") == [66.7, 80]
    # Every column fits beside the chart on a 1280px screen: nothing is scrolled out of sight.
    table_box = page.locator(".table-responsive")
    assert table_box.evaluate("box => box.scrollWidth <= box.clientWidth")
    expect(page.get_by_role("columnheader", name="Reported")).to_be_in_viewport()
    page.screenshot(path=f"{screenshots}/reports_towns.png", full_page=True)
    report_url = page.url

    # The CSV: the prompt first, then the download with the page's filters.
    page.get_by_role("link", name="Download CSV").click()
    answer_the_prompt(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    assert "OFFICIAL-SENSITIVE" in download.value.suggested_filename
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    rows_read = list(csv.reader(lines[1:]))
    assert [row[:5] for row in rows_read] == [
        ["Bury St Edmunds", "3", "1", "2", "66.7"],
        ["Ipswich", "5", "1", "4", "80.0"],
    ]

    # The print view, marked and with the filters printed.
    page.goto(report_url)
    page.get_by_role("link", name="Print view").click()
    answer_the_prompt(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Suffolk Constabulary: Failure rate by town"
    )
    expect(page.get_by_text("OFFICIAL-SENSITIVE")).to_have_count(2)
    expect(
        page.get_by_text(re.compile(r"Period: 1 Jan 2021 to 31 Dec 2021; sector: Hotel"))
    ).to_be_visible()
    printed = page.locator("table.report-table tbody tr")
    expect(printed).to_have_count(2)
    assert cells(printed.nth(1))[1:5] == ["5", "1", "4", "80.0%"]
    page.emulate_media(media="print")
    page.screenshot(path=f"{screenshots}/reports_towns_print.png", full_page=True)
    page.emulate_media(media="screen")


def test_report_pages_have_no_accessibility_violations(page: Page, screenshots):
    seed_demo()
    sign_in(page, "commander")
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    reports = [
        "towns",
        "sectors",
        "operations",
        "operators",
        "trend",
        "training",
        "repeat-failures",
    ]
    pages = {
        "dashboard": "/reports/",
        **{slug: f"/reports/{slug}/" for slug in reports},
        "trend by quarter": "/reports/trend/?by=quarter&preset=all",
        "towns with a filter error": "/reports/towns/?town=Atlantis",
        "towns, nothing found": "/reports/towns/?date_from=01/01/2019&date_to=31/12/2019",
        "press": "/reports/press/",
        "press, 2021 hotels": "/reports/press/?date_from=01/09/2021&date_to=30/09/2021"
        "&sector=hotel",
    }
    for name, url in pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if page.locator("canvas#report-chart").count():
            page.wait_for_function("() => window.Chart && Chart.getChart('report-chart')")
        check(name)
        if name in ("dashboard", "trend", "press"):
            page.screenshot(path=f"{screenshots}/reports_{name}.png", full_page=True)

    for slug in reports:
        page.goto(f"/reports/{slug}/print/")
        if slug == "towns":
            check("disclosure prompt")
        answer_the_prompt(page)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("OFFICIAL-SENSITIVE").first).to_be_visible()
        check(f"{slug} print")
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
