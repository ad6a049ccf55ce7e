"""docs/security.md check 14: every CSV export is safe to open in a spreadsheet and marked."""

import csv
import io
import re

import pytest
from django.urls import reverse

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
