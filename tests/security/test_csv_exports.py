"""docs/security.md check 14: every CSV export, and its Excel twin, is safe to open in a
spreadsheet and marked."""

import csv
import io
import re
from datetime import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import DisclosureLog
from premises.services import IMPORT_COLUMNS
from reports.views import GROUPED, RATE_COLUMNS
from visits.views import VISIT_CSV_COLUMNS

from ..conftest import answer_prompt, body, client_for, disclosed
from ..factories import (
    OperationFactory,
    PremisesFactory,
    ScenarioFactory,
    TownFactory,
    UserFactory,
    VisitFactory,
)

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")

TOWN = '=HYPERLINK("http://evil.example/","Click")'
NAME = "=1+2"
OPERATOR = "+SUM(A1:A9)"
ADDRESS = "-2+3"
LICENCE = "@SUM(1)"
TAB_NAME = "\tTabbed Inn"
CR_ADDRESS = "\rCarriage Row"
DEBRIEF = "=cmd|' /C calc'!A0"
OPERATION = "@Operation Injection"
SCENARIO = "-Scenario"
OFFICER = "=Officer"
RECIPIENT = '=HYPERLINK("http://evil.example/")'
REASON = "+Reason given"

AUDIT_COLUMNS = ["at", "user", "action", "page", "object_type", "object_id", "path", "detail"]
AUDIT_COLUMNS += ["reason"]
EXPORTS = {
    # URL name and arguments -> (header, cells that must appear neutralised)
    ("premises:export", None): (
        [*IMPORT_COLUMNS, "uprn", "contact_role", "active"],
        [TOWN, NAME, OPERATOR, ADDRESS, LICENCE, TAB_NAME, CR_ADDRESS],
    ),
    ("visits:export", None): (
        VISIT_CSV_COLUMNS,
        [TOWN, NAME, TAB_NAME, DEBRIEF, OPERATION, f"{SCENARIO} (v1)", OFFICER],
    ),
    **{
        ("reports:report_csv", slug): (
            [spec.column, *RATE_COLUMNS],
            {"towns": [TOWN], "operators": [OPERATOR], "operations": [OPERATION]}.get(slug, []),
        )
        for slug, spec in GROUPED.items()
    },
    ("reports:report_csv", "training"): (
        ["group", "retests", "passed", "pass_rate", "ci_low", "ci_high"],
        [],
    ),
    ("reports:report_csv", "repeat-failures"): (
        ["premises_reference", "premises", "town", "sector", "failed", "visits"],
        [NAME, TOWN],
    ),
    ("audit:export", None): (AUDIT_COLUMNS, []),
    ("audit:export", "disclosure"): (AUDIT_COLUMNS, [RECIPIENT, REASON]),
}


@pytest.fixture
def planted(force, sergeant):
    """Records whose text starts the way spreadsheet formulas do, in every exported column."""
    town = TownFactory(force=force, name=TOWN)
    officer = UserFactory(force=force, rank="staff", first_name=OFFICER, last_name="")
    premises = PremisesFactory(
        town=town, name=NAME, operator=OPERATOR, address=ADDRESS, licence_reference=LICENCE
    )
    other = PremisesFactory(town=town, name=TAB_NAME, address=CR_ADDRESS)
    scenario = ScenarioFactory(force=force, name=SCENARIO)
    operation = OperationFactory(force=force, name=OPERATION)
    for target in (premises, premises, other):
        VisitFactory(
            premises=target,
            officer=officer,
            operation=operation,
            scenario=scenario,
            debrief_notes=DEBRIEF,
        )
    return premises


def _url(name, argument):
    if name == "reports:report_csv":
        return reverse(name, args=[argument]), None
    if name == "audit:export" and argument:
        return reverse(name), {"action": argument}
    return reverse(name), None


def _download(client, name, argument):
    url, query = _url(name, argument)
    response = client.get(url, query)
    assert answer_prompt(client, response, recipient=RECIPIENT, reason=REASON), url
    return client.get(url, query)


@pytest.mark.parametrize(
    "name, argument", list(EXPORTS), ids=[f"{n}-{a}" if a else n for n, a in EXPORTS]
)
def test_every_export_neutralises_formulas_and_is_a_marked_attachment(
    planted, sergeant, force_admin, name, argument
):
    header, expected = EXPORTS[(name, argument)]
    client = client_for(force_admin if name.startswith("audit:") else sergeant)
    if name.startswith("audit:"):
        # Something to export: a page view, and a disclosure with a dangerous recipient and reason.
        client_for(sergeant).get(reverse("premises:list"), {"q": NAME})
        _download(client_for(sergeant), "premises:export", None)
    response = _download(client, name, argument)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="OFFICIAL-SENSITIVE_[\w.-]+\.csv"', disposition)
    text = body(response)
    assert text.startswith(",".join(header) + "\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == header
    assert len(rows) > 1
    for row in rows[1:]:
        assert len(row) == len(header), row
        dangerous = [cell for cell in row if cell.startswith(DANGEROUS_STARTS)]
        assert dangerous == [], row
    cells = {cell for row in rows[1:] for cell in row}
    for value in expected:
        assert "'" + value in cells, value


def test_the_neutralising_quote_is_the_only_change(planted, sergeant):
    rows = list(
        csv.reader(
            io.StringIO(
                body(disclosed(client_for(sergeant), reverse("premises:export"))), newline=""
            )
        )
    )
    names = {row[1] for row in rows[1:]}
    assert names == {"'" + NAME, "'" + TAB_NAME}
    addresses = {row[3] for row in rows[1:]}
    assert addresses == {"'" + ADDRESS, "'" + CR_ADDRESS}


def test_exports_of_plain_text_are_left_alone(force, town, sergeant):
    PremisesFactory(town=town, name="Cornhill Lodge", operator="O'Neill & Sons, Ltd")
    rows = list(
        csv.reader(
            io.StringIO(
                body(disclosed(client_for(sergeant), reverse("premises:export"))), newline=""
            )
        )
    )
    assert rows[1][1] == "Cornhill Lodge"
    assert rows[1][6] == "O'Neill & Sons, Ltd"


# --- The Excel twins -------------------------------------------------------------------------

TWINS = {
    "premises:export": "premises:export_xlsx",
    "visits:export": "visits:export_xlsx",
    "reports:report_csv": "reports:report_xlsx",
}
XLSX_EXPORTS = [key for key in EXPORTS if key[0] in TWINS]


def _rows(name, argument, client, **query):
    """The CSV download's rows and its Excel twin's sheet, both through the prompt."""
    url, _ = _url(name, argument)
    twin = reverse(TWINS[name], args=[argument] if argument else [])
    text = body(disclosed(client, url, query or None))
    response = disclosed(client, twin, query or None)
    return list(csv.reader(io.StringIO(text, newline=""))), response


@pytest.mark.parametrize(
    "name, argument", XLSX_EXPORTS, ids=[f"{n}-{a}" if a else n for n, a in XLSX_EXPORTS]
)
def test_every_excel_twin_keeps_formulas_as_text_and_is_a_marked_attachment(
    planted, sergeant, name, argument
):
    header, expected = EXPORTS[(name, argument)]
    client = client_for(sergeant)
    csv_rows, response = _rows(name, argument, client)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="OFFICIAL-SENSITIVE_[\w.-]+\.xlsx"', disposition)
    assert disposition.replace(".xlsx", "") == csv_disposition(client, name, argument)
    book = load_workbook(io.BytesIO(response.content))
    (sheet,) = book.worksheets
    assert sheet.title == "OFFICIAL-SENSITIVE"
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    cells = list(sheet.iter_rows())
    assert [c.value for c in cells[0]] == header
    assert len(cells) == len(csv_rows) > 1
    formulas = [c.coordinate for row in cells for c in row if c.data_type == "f"]
    assert formulas == []
    texts = {c.value for row in cells[1:] for c in row if c.data_type == "s"}
    for value in expected:
        assert _as_xml(value) in texts, value
    # The same rows as the CSV file, the CSV file's neutralising quote aside.
    for csv_row, row in zip(csv_rows[1:], cells[1:], strict=True):
        assert [_as_csv(c.value, cell) for c, cell in zip(row, csv_row, strict=True)] == [
            _as_xml(_unquoted(cell)) for cell in csv_row
        ]


def csv_disposition(client, name, argument):
    url, _ = _url(name, argument)
    return disclosed(client, url)["Content-Disposition"].replace(".csv", "")


def _as_xml(text: str) -> str:
    """XML keeps no carriage return: a workbook reads one back as a line break."""
    return text.replace("\r", "\n")


def _unquoted(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(DANGEROUS_STARTS) else cell


def _as_csv(value, csv_cell: str) -> str:
    """A cell of the sheet as the CSV file writes it (a number as the same number)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and float(csv_cell) == value:
        return csv_cell
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def test_the_visits_twin_has_real_dates_and_numbers(planted, sergeant):
    _, response = _rows("visits:export", None, client_for(sergeant))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    first = next(sheet.iter_rows(min_row=2))
    assert first[0].data_type == "n" and isinstance(first[0].value, int)
    assert first[1].is_date and first[1].number_format == "dd mmm yyyy hh:mm"


def test_an_excel_twin_is_logged_as_a_disclosure_of_its_own(planted, sergeant):
    client = client_for(sergeant)
    url = reverse("premises:export_xlsx")
    assert answer_prompt(client, client.get(url), recipient="Licensing", reason="Review")
    assert client.get(url, {"q": "Inn"}).status_code == 200
    log = DisclosureLog.objects.get()
    assert (log.view, log.recipient, log.reason) == ("premises:export_xlsx", "Licensing", "Review")
    assert log.params == {"q": "Inn"}
