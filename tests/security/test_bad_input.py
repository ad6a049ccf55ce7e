"""docs/security.md checks 15, 32 and 33: the inputs that once answered 500, each answered
clearly now; uploads bounded before they reach disk; deep pages bounded by the data.

The fuzz tests (test_fuzzing.py, test_query_fuzzing.py, test_import_fuzzing.py) look for more
of the kind; these pin down the cases that were found.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.support import SafeLookupsMixin
from premises.models import Premises
from visits.models import Visit

from ..conftest import client_for, disclosed
from ..factories import PremisesFactory, VisitFactory
from ..workbooks import rewrite_part, workbook_bytes, zip_bomb

PREMISES_HEADER = (
    "reference,name,sector,address,town,postcode,operator,licence_reference,phone,email"
)
VISITS_HEADER = (
    "premises_reference,visited_on,outcome,stage,participant,scenario,debrief_notes,operation"
)


# -- Query parameters -------------------------------------------------------------------------


def test_a_town_in_unicode_digits_is_an_unknown_town_on_a_report(records, sergeant):
    response = client_for(sergeant).get("/reports/towns/", {"town": "²"})
    assert response.status_code == 200
    assert "No town of your force has this id or name." in response.content.decode()


def test_a_town_in_unicode_digits_is_ignored_by_the_work_queue(records, sergeant):
    response = client_for(sergeant).get(reverse("training:queue"), {"town": "²"})
    assert response.status_code == 200
    assert response.context["filters"]["town"] == ""


@pytest.mark.parametrize("premises", ["²", "١", "\x00", "99999999999999999999", "-1"])
def test_training_for_premises_that_cannot_be_is_not_found(records, sergeant, premises):
    response = client_for(sergeant).get(reverse("training:session_create"), {"premises": premises})
    assert response.status_code == 404


def test_a_link_to_log_a_visit_with_a_bad_operation_ignores_it(records, sergeant):
    url = reverse("visits:create", args=[records["premises"].pk])
    response = client_for(sergeant).get(url, {"operation": "²", "retest_of": "\x00"})
    assert response.status_code == 200
    assert response.context["operation"] is None
    assert response.context["retest_of"] is None


def test_a_link_to_log_a_visit_for_an_operation_still_fills_it_in(records, sergeant):
    operation, premises = records["operation"], records["premises"]
    url = reverse("visits:create", args=[premises.pk])
    response = client_for(sergeant).get(url, {"operation": str(operation.pk)})
    assert response.context["operation"] == operation
    assert response.context["form"]["operation"].value() == operation.pk


def test_a_nul_in_the_premises_search_is_shown_as_the_fields_error(records, officer):
    response = client_for(officer).get(reverse("premises:list"), {"q": "\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert response.context["page"].paginator.count == Premises.objects.count()


def test_a_nul_in_a_parameter_the_visit_list_does_not_know_is_ignored(records, officer):
    response = client_for(officer).get(reverse("visits:list"), {"q": "\x00x"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["premises:list", "visits:list", "premises:detail"])
def test_a_nul_in_any_parameter_of_a_logged_page_does_not_break_it(records, officer, name):
    """The access-log row keeps the page's parameters: a NUL in one must not stop the page."""
    args = [records["premises"].pk] if name == "premises:detail" else []
    response = client_for(officer).get(reverse(name, args=args), {"x\x00": "y\x00z"})
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "31/12/9999", "01/01/0001"])
def test_a_report_period_past_the_calendar_is_the_dates_error(records, sergeant, day):
    client = client_for(sergeant)
    response = client.get("/reports/trend/", {"date_to": day})
    assert response.status_code == 200
    assert "Choose a date between 1900 and 2999." in response.content.decode()
    csv = disclosed(client, "/reports/towns.csv", {"date_from": day})
    assert csv.status_code == 400


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "²⁰²¹-01-01", "2021-02-30"])
def test_a_week_past_the_calendar_shows_this_week(records, officer, week):
    response = client_for(officer).get(reverse("training:session_week"), {"week": week})
    assert response.status_code == 200
    assert response.context["start"] == response.context["this_week"]


# -- Imports ----------------------------------------------------------------------------------


def upload(client, name, data: bytes):
    return client.post(reverse(name), {"file": SimpleUploadedFile("x.csv", data, "text/csv")})


def test_a_nul_in_a_premises_import_is_a_bad_line(records, sergeant):
    before = Premises.objects.count()
    data = f"{PREMISES_HEADER}\n,Nul\x00Hotel,hotel,1 Road,Ipswich,IP1 1AA,,,,\n"
    response = upload(client_for(sergeant), "premises:import", data.encode())
    assert response.status_code == 200
    assert response.context["failure"].errors == [
        (2, "The row holds a NUL character (code 0), which cannot be stored.")
    ]
    assert Premises.objects.count() == before


def test_a_huge_quoted_cell_in_a_visits_import_is_a_bad_line(records, sergeant):
    before = Visit.objects.count()
    reference = records["premises"].reference
    huge = "x" * (130 * 1024)
    data = f'{VISITS_HEADER}\n{reference},2021-09-18,completed,key_issued,,,"{huge}",\n'
    data += f"{reference},2021-09-19,completed,key_issued,,,,\n"
    response = upload(client_for(sergeant), "visits:import", data.encode())
    assert response.status_code == 200
    ((line, reason),) = response.context["failure"].errors
    assert line == 2 and "longer than 131,072 characters" in reason
    assert Visit.objects.count() == before


def test_a_premises_reference_the_database_would_refuse_is_a_bad_line(records, sergeant):
    data = f"{PREMISES_HEADER}\n{'R' * 30},A,hotel,1 Road,Ipswich,IP1 1AA,,,,\n"
    data += f"SUF H 1,B,hotel,1 Road,Ipswich,IP1 1AA,,,,\n,C,hotel,1 Road,{'T' * 81},IP1 1AA,,,,\n"
    response = upload(client_for(sergeant), "premises:import", data.encode())
    errors = response.context["failure"].errors
    assert [line for line, _ in errors] == [2, 3, 4]
    assert "reference must be" in errors[0][1] and "reference must be" in errors[1][1]
    assert errors[2][1] == "town is longer than 80 characters"


# -- Uploads ----------------------------------------------------------------------------------

SIX_MB = 6 * 1024 * 1024


@pytest.mark.parametrize("name", ["premises:import", "visits:import"])
def test_an_upload_over_5_mb_is_refused_next_to_the_field_before_reaching_disk(
    records, sergeant, name, monkeypatch
):
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", no_disk)
    before = (Premises.objects.count(), Visit.objects.count())
    header = PREMISES_HEADER if name == "premises:import" else VISITS_HEADER
    response = upload(client_for(sergeant), name, (header + "\n").encode() + b" " * SIX_MB)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is larger than 5 MB; split it into smaller files."
    ]
    assert (Premises.objects.count(), Visit.objects.count()) == before


def stretched(data: bytes) -> bytes:
    """A workbook whose sheet claims a row past the last row of any spreadsheet."""
    row = '<row r="2000000"><c r="A2000000" t="n"><v>1</v></c></row></sheetData>'
    return rewrite_part(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("</sheetData>", row)
    )


WORKBOOK_HEADER = PREMISES_HEADER.split(",")
NOT_WORKBOOKS = {
    # file name, content -> the start of the file field's error
    "renamed CSV": (
        "premises.xlsx",
        lambda: (PREMISES_HEADER + "\n").encode(),
        "The file is named",
    ),
    "zip bomb": ("premises.xlsx", lambda: zip_bomb(200), "The workbook unpacks to more than 40"),
    "cut short": (
        "p.xlsx",
        lambda: workbook_bytes(WORKBOOK_HEADER, [])[:3000],
        "The file is a damaged",
    ),
    "old xls": (
        "p.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000,
        "The file is an Excel 97",
    ),
    "huge sheet": (
        "p.xlsx",
        lambda: stretched(workbook_bytes(WORKBOOK_HEADER, [])),
        "The sheet has",
    ),
}


@pytest.mark.parametrize("name", ["premises:import", "visits:import"])
@pytest.mark.parametrize("case", list(NOT_WORKBOOKS))
def test_a_file_that_is_not_a_good_workbook_is_refused_next_to_the_field(
    records, sergeant, name, case
):
    file_name, content, message = NOT_WORKBOOKS[case]
    before = (Premises.objects.count(), Visit.objects.count())
    upload = SimpleUploadedFile(file_name, content())
    response = client_for(sergeant).post(reverse(name), {"file": upload})
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert error.startswith(message), error
    assert (Premises.objects.count(), Visit.objects.count()) == before


def test_uploads_are_kept_in_memory_and_bounded_in_settings(production_settings):
    assert production_settings["FILE_UPLOAD_HANDLERS"] == [
        "common.uploads.BoundedMemoryUploadHandler"
    ]
    assert production_settings["FILE_UPLOAD_MAX_MEMORY_SIZE"] == 5 * 1024 * 1024
    assert production_settings["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 5 * 1024 * 1024


def test_the_readme_names_the_proxys_body_limit():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    deployment = readme.split("## Production deployment", 1)[1].split("\n## ", 1)[0]
    assert "client_max_body_size 6m" in deployment


# -- Deep pages -------------------------------------------------------------------------------


def offsets(captured) -> list[int]:
    return [
        int(n) for q in captured.captured_queries for n in re.findall(r"OFFSET (\d+)", q["sql"])
    ]


def test_a_visits_page_past_the_end_shows_the_last_without_reading_far(records, officer):
    premises = records["premises"]
    VisitFactory.create_batch(60, premises=premises, officer=officer)
    with CaptureQueriesContext(connection) as captured:
        response = client_for(officer).get(reverse("visits:list"), {"page": "100000"})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == 2 and len(page) == 11 and not page.has_next
    assert max(offsets(captured)) <= 10_000  # common/pagination.py: MAX_UNCOUNTED_ROWS


def test_a_premises_page_past_the_end_shows_the_last(records, officer, town):
    PremisesFactory.create_batch(55, town=town)
    response = client_for(officer).get(reverse("premises:list"), {"page": "100000"})
    page = response.context["page"]
    assert page.number == 2 and len(page.object_list) == Premises.objects.count() - 50


# -- The support site -------------------------------------------------------------------------


def test_a_support_list_filter_the_database_cannot_run_is_the_invalid_lookup_page(
    records, superuser_client
):
    """A year out of range only fails when the query is compiled: Django's admin answered 500."""
    for model, model_admin in admin.site._registry.items():
        if not any(f.name == "created_at" for f in model._meta.fields):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = superuser_client.get(url, {"created_at__year": "99999999"})
        assert response.status_code == 302, (url, response.status_code)
        assert response.url.endswith("?e=1"), url  # Django's own "invalid lookup" notice
        assert type(model_admin).get_changelist_instance is SafeLookupsMixin.get_changelist_instance
