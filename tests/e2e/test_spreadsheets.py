"""A sergeant imports premises and historical visits from Excel workbooks, is told clearly what
is wrong with bad rows and bad files, and downloads the register as an Excel workbook."""

import io
from datetime import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts import roles
from premises.models import Premises
from visits.models import Visit

from ..factories import PremisesFactory, TownFactory, UserFactory
from ..workbooks import workbook_bytes, zip_bomb
from .test_premises import sign_in
from .test_reports import answer_the_prompt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREMISES_COLUMNS = (
    "reference,name,sector,address,town,postcode,operator,licence_reference,phone,email"
)
VISITS_COLUMNS = (
    "premises_reference,visited_on,outcome,stage,participant,scenario,debrief_notes,operation"
)
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sergeant():
    town = TownFactory(force__code="SUF", force__name="Suffolk Constabulary", name="Ipswich")
    PremisesFactory(town=town, name="Cornhill Lodge", reference="SUF-H-0001")
    return UserFactory(username="sergeant", force=town.force, rank="sergeant", role=roles.SERGEANT)


def choose(page: Page, name: str, data: bytes, mime: str = XLSX) -> None:
    page.get_by_label("CSV or Excel file").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    page.get_by_role("button", name="Import").click()


def test_a_sergeant_imports_premises_from_a_workbook(page: Page, sergeant, screenshots):
    axe = Axe()
    found = {}

    def check(name):
        results = axe.run(page)
        if results.violations_count:
            found[name] = results.generate_report()

    page.set_viewport_size(LAPTOP)
    sign_in(page, "sergeant")
    page.goto("/premises/")
    page.get_by_role("link", name="Import CSV or Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import premises from a CSV file or Excel workbook"
    )
    columns = PREMISES_COLUMNS.split(",")

    # Row 3 has a bad postcode and row 5 no name; row 4 is left blank, as people do.
    hotel = ["SUF-H-0001", "Cornhill Lodge", "hotel", "1 Cornhill", "Ipswich", "IP1 1DH"]
    hotel += ["Cornhill Hotels Ltd", 20394, "01473 123456", None]
    bad = [None, "Quayside Rooms", "bnb", "3 Quay", "Ipswich", "NOT A POSTCODE"] + [None] * 4
    nameless = [None, None, "taxi", "4 Station Road", "Felixstowe", "IP11 7AB"] + [None] * 4
    choose(page, "register.xlsx", workbook_bytes(columns, [hotel, bad, [None] * 10, nameless]))
    table = page.get_by_role("table", name="Rows to fix before importing again")
    expect(table.get_by_role("columnheader", name="Sheet row")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text("3")
    expect(table.get_by_role("row").nth(1)).to_contain_text("postcode")
    expect(table.get_by_role("row").nth(2)).to_contain_text("5")
    expect(table.get_by_role("row").nth(2)).to_contain_text("name is required")
    expect(page.locator(".invalid-feedback")).to_contain_text(
        "Nothing was imported: 2 rows need fixing."
    )
    check("import with bad sheet rows")
    page.screenshot(path=f"{screenshots}/xlsx_import_errors_laptop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=f"{screenshots}/xlsx_import_errors_phone.png", full_page=True)
    page.set_viewport_size(LAPTOP)
    assert Premises.objects.count() == 1

    # Files that are not good workbooks are refused by the file field, never with a 500.
    refused = {
        "premises.xlsx": ((PREMISES_COLUMNS + "\n").encode(), "named like an Excel workbook"),
        "bomb.xlsx": (zip_bomb(100), "unpacks to more than 40 MB"),
        "huge.xlsx": (b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024), "larger than 5 MB"),
    }
    for name, (data, message) in refused.items():
        choose(page, name, data)
        expect(page.get_by_role("alert").first).to_contain_text("There is a problem")
        expect(page.locator(".invalid-feedback")).to_contain_text(message)
    check("import with a refused file")
    page.screenshot(path=f"{screenshots}/xlsx_import_refused.png", full_page=True)

    bad[5] = "IP4 1AX"
    nameless[1] = "Felixstowe Cars"
    choose(page, "register.xlsx", workbook_bytes(columns, [hotel, bad, [None] * 10, nameless]))
    expect(page.get_by_role("status")).to_contain_text(
        "Imported 2 new and 1 updated premises. New towns: Felixstowe."
    )
    cornhill = Premises.objects.get(reference="SUF-H-0001")
    assert (cornhill.licence_reference, cornhill.phone) == ("20394", "01473 123456")
    assert Premises.objects.get(name="Quayside Rooms").postcode == "IP4 1AX"

    # The register back out as a workbook, after saying who it is for.
    page.get_by_role("link", name="Download Excel").click()
    answer_the_prompt(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    name = download.value.suggested_filename
    assert name.startswith("OFFICIAL-SENSITIVE_premises_") and name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    assert sheet.title == "OFFICIAL-SENSITIVE"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:10]) == columns
    assert {row[1] for row in rows[1:]} == {"Cornhill Lodge", "Quayside Rooms", "Felixstowe Cars"}
    page.set_viewport_size(PHONE)
    page.goto("/premises/")
    page.screenshot(path=f"{screenshots}/xlsx_premises_list_phone.png", full_page=True)
    assert found == {}, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())


def test_a_sergeant_imports_historical_visits_from_a_workbook(page: Page, sergeant, screenshots):
    page.set_viewport_size(LAPTOP)
    sign_in(page, "sergeant")
    page.goto("/visits/")
    page.get_by_role("link", name="Import history").click()
    rows = [
        ["SUF-H-0001", datetime(2021, 9, 18, 20, 15), "completed", "key_issued", "C-014"]
        + ["Room for the night", "Manager briefed.", "Makesafe Ipswich"],
        ["SUF-H-0001", datetime(2022, 3, 1), "challenged", "questions"] + [None] * 4,
    ]
    choose(page, "history.xlsx", workbook_bytes(VISITS_COLUMNS.split(","), rows))
    expect(page.get_by_role("status")).to_contain_text("Imported 2 historical visits.")
    visits = list(Visit.objects.order_by("visited_at"))
    assert [v.visited_at.strftime("%Y-%m-%d %H:%M") for v in visits] == [
        "2021-09-18 19:15",  # 20:15 in London, in summer time
        "2022-03-01 12:00",  # a date alone is taken as noon
    ]
    assert all(v.imported for v in visits)
    page.screenshot(path=f"{screenshots}/xlsx_visits_imported.png", full_page=True)
