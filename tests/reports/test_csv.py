"""/reports/towns.csv: its query parameters, exact columns, header first, sorting, the marking in
the file name and cells no spreadsheet runs as a formula."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import DisclosureLog

from ..conftest import answer_disclosure_prompt, through_disclosure
from ..factories import OperationFactory, PremisesFactory, TownFactory
from .conftest import download, london, read_csv

URL = "/reports/towns.csv"
HEADER = (
    "town,visits,passed,failed,failure_rate,ci_low,ci_high,challenge_rate,report_to_police_rate"
)
FORMULA = '=HYPERLINK("http://evil.example/","Click me")'


@pytest.fixture
def register(force, town, log):
    """Towns created out of alphabetical order, each with visits in March 2025."""
    places = [town] + [
        TownFactory(force=force, name=name) for name in ("Sudbury", "Bury St Edmunds", "Aldeburgh")
    ]
    operation = OperationFactory(force=force, name="Makesafe March")
    for n, place in enumerate(places):
        hotel = PremisesFactory(town=place)
        pub = PremisesFactory(town=place, sector="licensed")
        log(hotel, london(date(2025, 3, 8), 20, n), "completed", operation=operation)
        log(hotel, london(date(2025, 3, 9), 20, n), "reported_to_police")
        log(pub, london(date(2025, 3, 10), 21, n), "challenged")
    return {"towns": places, "operation": operation}


def test_the_url_is_the_one_the_issue_names():
    assert reverse("reports:report_csv", args=["towns"]) == URL


def test_the_header_is_the_first_line_and_the_columns_are_exact(commander_client, register):
    query = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    response = through_disclosure(commander_client, URL, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    lines = body.splitlines()
    assert lines[0] == HEADER  # no BOM, no title line, no marking row before it
    assert lines[1:] == [
        "Aldeburgh,3,1,2,66.7,20.8,93.9,66.7,33.3",
        "Bury St Edmunds,3,1,2,66.7,20.8,93.9,66.7,33.3",
        "Ipswich,3,1,2,66.7,20.8,93.9,66.7,33.3",
        "Sudbury,3,1,2,66.7,20.8,93.9,66.7,33.3",
    ]


def test_the_file_is_an_attachment_marked_official_sensitive(commander_client, register):
    response = through_disclosure(commander_client, URL, {"date_from": "2025-03-01"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "OFFICIAL-SENSITIVE" in disposition.split("filename=", 1)[1]
    assert disposition.endswith('.csv"')


def test_the_download_is_logged_with_its_filters(commander_client, commander, register):
    through_disclosure(commander_client, URL, {"date_from": "2025-03-01", "sector": "hotel"})
    entry = DisclosureLog.objects.get(view="reports:report_csv")
    assert entry.user == commander
    assert entry.path == URL
    assert entry.recipient == "The premises manager"


@pytest.mark.parametrize(
    "filters, towns",
    [
        ({}, ["Aldeburgh", "Bury St Edmunds", "Ipswich", "Sudbury"]),
        ({"town": "Sudbury"}, ["Sudbury"]),
        ({"town": "bury st edmunds"}, ["Bury St Edmunds"]),
        ({"town": "ID:Aldeburgh"}, ["Aldeburgh"]),
        ({"operation": "ID"}, ["Aldeburgh", "Bury St Edmunds", "Ipswich", "Sudbury"]),
        ({"operation": "Makesafe March", "town": "Ipswich"}, ["Ipswich"]),
    ],
)
def test_the_town_and_operation_parameters_take_an_id_or_a_name(
    commander_client, register, filters, towns
):
    query = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    for key, value in filters.items():
        if value == "ID":
            value = register["operation"].pk
        elif value.startswith("ID:"):
            value = next(t.pk for t in register["towns"] if t.name == value[3:])
        query[key] = value
    rows = download(commander_client, URL, query)
    assert [row[0] for row in rows[1:]] == towns
    if "operation" in filters:  # only the hotel visit on the 8th was in the operation
        assert {tuple(row[1:4]) for row in rows[1:]} == {("1", "0", "1")}


@pytest.mark.parametrize(
    "query, visits",
    [
        ({"date_from": "2025-03-09", "date_to": "2025-03-09"}, "1"),
        ({"date_from": "2025-03-09"}, "2"),
        ({"date_to": "2025-03-09"}, "2"),
        (
            {"date_from": "09/03/2025", "date_to": "10/03/2025"},
            "2",
        ),  # as the page's links send them
        ({"date_from": "2025-03-01", "date_to": "2025-03-31", "sector": "licensed"}, "1"),
        ({"date_from": "2025-03-11", "date_to": "2025-03-31"}, None),
    ],
)
def test_the_dates_and_sector_narrow_the_rows(commander_client, register, query, visits):
    rows = download(commander_client, URL, query)
    assert rows[0] == HEADER.split(",")
    assert [row[1] for row in rows[1:]] == ([visits] * 4 if visits else [])


def test_rates_have_one_decimal_place_and_empty_cells_have_none(commander_client, register):
    for row in download(commander_client, URL, {"date_from": "2025-03-01"})[1:]:
        for cell in row[4:]:
            whole, _, decimals = cell.partition(".")
            assert whole.isdigit() and len(decimals) == 1, cell


@pytest.mark.parametrize(
    "bad",
    [
        {"town": "Nowhere"},
        {"date_from": "2025-13-01"},
        {"date_from": "2025-03-31", "date_to": "2025-03-01"},
        {"operation": "No such operation"},
        {"sector": "casino"},
    ],
)
def test_a_download_with_filters_it_cannot_apply_is_refused(commander_client, register, bad):
    """Never a file of other figures than asked for: the default period for all towns."""
    query = {"date_from": "2025-03-01", "date_to": "2025-03-31", **bad}
    response = through_disclosure(commander_client, URL, query)
    assert response.status_code == 400
    assert not DisclosureLog.objects.exists()


def test_another_forces_town_cannot_be_exported(commander_client, register, other_town, log):
    log(PremisesFactory(town=other_town), london(date(2025, 3, 8)), "completed")
    response = through_disclosure(commander_client, URL, {"town": other_town.pk})
    assert response.status_code == 400
    assert "Norwich" not in response.content.decode()


@pytest.mark.parametrize(
    "name", [FORMULA, "+44 1473 613500", "-1+2", "@SUM(A1:A9)", "\tTabbed", "\rReturn"]
)
def test_a_town_named_like_a_formula_is_neutralised(commander_client, force, log, name):
    place = TownFactory(force=force, name=name)
    log(PremisesFactory(town=place), london(date(2025, 3, 8)), "completed")
    rows = download(commander_client, URL, {"date_from": "2025-03-01"})
    assert rows[1][0] == "'" + name
    assert rows[1][1:4] == ["1", "0", "1"]


def test_the_formula_town_is_shown_as_text_on_the_page(commander_client, force, log):
    place = TownFactory(force=force, name=FORMULA)
    log(PremisesFactory(town=place), london(date(2025, 3, 8)), "completed")
    response = commander_client.get(
        reverse("reports:report", args=["towns"]), {"date_from": "2025-03-01"}
    )
    assert (
        "=HYPERLINK(&quot;http://evil.example/&quot;,&quot;Click me&quot;)"
        in response.content.decode()
    )


def test_every_reports_csv_is_formula_safe(commander_client, force, log):
    """The operator and operation columns come from what users type too."""
    place = TownFactory(force=force, name="-Town")
    operation = OperationFactory(force=force, name="=cmd|' /C calc'!A0")
    hotel = PremisesFactory(town=place, operator="@Chain", name="=Hotel", reference="SUF-H-0042")
    log(hotel, london(date(2025, 3, 8)), "completed", operation=operation)
    log(hotel, london(date(2025, 3, 9)), "completed")
    for slug in ("towns", "operations", "operators", "repeat-failures", "sectors", "trend"):
        url = reverse("reports:report_csv", args=[slug])
        for row in download(commander_client, url, {"date_from": "2025-03-01"})[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (slug, cell)


def test_the_prompt_comes_before_the_file(commander_client, register):
    response = commander_client.get(URL, {"date_from": "2025-03-01"})
    assert response.status_code == 302
    assert answer_disclosure_prompt(commander_client, response)
    assert read_csv(commander_client.get(URL, {"date_from": "2025-03-01"}))[0][0] == "town"
