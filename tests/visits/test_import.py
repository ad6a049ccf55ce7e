"""Importing historical visits: the upload page, the service's rules and the management command."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from visits.models import Operation, Participant, Scenario, Visit
from visits.services import VisitImportFailed, visits_import

from ..factories import OperationFactory, ParticipantFactory, PremisesFactory, ScenarioFactory
from ..workbooks import workbook_bytes

HEADER = "premises_reference,visited_on,outcome,stage,participant,scenario,debrief_notes,operation"
GOOD = f"""{HEADER}
SUF-H-0001,2021-09-18 20:15,completed,key_issued,C-014,Room for the night,\
"Manager briefed, posters left.",Makesafe Ipswich
suf-h-0002,2021-09-18,Refused_Concerns,questions,C-090,Taxi home,,Makesafe Bury 2021
SUF-H-0002,2022-03-01,void,enquiry,,,,
"""


@pytest.fixture
def hotels(town, premises, cadet, scenario, operation):
    """Two hotels; C-014, the scenario and the operation in GOOD exist already."""
    return [premises, PremisesFactory(town=town, name="Abbey Guest House", reference="SUF-H-0002")]


def upload(client, text, *, name="visits.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        reverse("visits:import"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def check_good_file_saved(force, user, hotels, cadet, scenario, operation):
    first, second, void = Visit.objects.order_by("visited_at", "id")
    london = ZoneInfo("Europe/London")
    assert Visit.objects.count() == 3
    assert all(v.imported and v.force == force and v.officer is None for v in (first, second))

    assert second.premises == hotels[0]
    assert second.visited_at == datetime.datetime(2021, 9, 18, 20, 15, tzinfo=london)
    assert (second.outcome, second.result, second.stage_reached) == (
        "completed",
        "fail",
        "key_issued",
    )
    assert list(second.participants.all()) == [cadet]
    assert second.scenario == scenario
    assert second.operation == operation
    assert second.debrief_held
    assert second.debrief_notes == "Manager briefed, posters left."
    assert second.created_by == user

    assert first.premises == hotels[1]
    assert first.visited_at == datetime.datetime(2021, 9, 18, 12, 0, tzinfo=london)
    assert (first.outcome, first.result) == ("refused_concerns", "pass")
    assert not first.debrief_held  # no notes given: no debrief recorded

    new_cadet = first.participants.get()
    assert (new_cadet.code, new_cadet.imported, new_cadet.active) == ("C-090", True, False)
    new_scenario = first.scenario
    assert (new_scenario.name, new_scenario.imported, new_scenario.force) == (
        "Taxi home",
        True,
        force,
    )
    new_operation = first.operation
    assert (new_operation.name, new_operation.imported) == ("Makesafe Bury 2021", True)
    assert new_operation.status == Operation.Status.COMPLETED
    assert new_operation.date == datetime.date(2021, 9, 18)

    assert (void.result, void.operation, void.scenario) == ("void", None, None)
    assert void.reason
    assert not void.participants.exists()


# -- the upload page --------------------------------------------------------------------------


def test_the_upload_page_works(sergeant_client):
    response = sergeant_client.get(reverse("visits:import"))
    assert response.status_code == 200
    assert HEADER.encode() in response.content


@pytest.mark.parametrize(
    "client_name", ["officer_client", "commander_client", "force_admin_client"]
)
def test_only_sergeants_may_import(request, client_name, hotels):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("visits:import")).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert not Visit.objects.exists()


def test_a_good_file_is_saved(sergeant_client, sergeant, hotels, cadet, scenario, operation):
    response = upload(sergeant_client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:list")
    check_good_file_saved(sergeant.force, sergeant, hotels, cadet, scenario, operation)
    messages = [str(m) for m in sergeant_client.get(reverse("visits:list")).context["messages"]]
    assert messages == [
        "Imported 3 historical visits. New participants: C-090. New scenarios: Taxi home. "
        "New operations: Makesafe Bury 2021."
    ]


GOOD_ROWS = [
    ["SUF-H-0001", datetime.datetime(2021, 9, 18, 20, 15), "completed", "key_issued", "C-014"]
    + ["Room for the night", "Manager briefed, posters left.", "Makesafe Ipswich"],
    ["suf-h-0002", datetime.datetime(2021, 9, 18), "Refused_Concerns", "questions", "C-090"]
    + ["Taxi home", None, "Makesafe Bury 2021"],
    ["SUF-H-0002", "2022-03-01", "void", "enquiry", None, None, None, None],
]


def upload_workbook(client, rows):
    data = workbook_bytes(HEADER.split(","), rows)
    return client.post(reverse("visits:import"), {"file": SimpleUploadedFile("v.xlsx", data)})


def test_a_workbook_with_date_cells_is_saved_like_a_csv_file(
    sergeant_client, sergeant, hotels, cadet, scenario, operation
):
    assert upload_workbook(sergeant_client, GOOD_ROWS).status_code == 302
    check_good_file_saved(sergeant.force, sergeant, hotels, cadet, scenario, operation)


def test_bad_workbook_rows_are_listed_by_sheet_row(sergeant_client, hotels):
    rows = [GOOD_ROWS[0], [None] * 8, ["SUF-H-0001", 44000.5, "completed", "payment"] + [None] * 4]
    response = upload_workbook(sergeant_client, rows)
    assert response.status_code == 200
    assert response.context["failure"].errors == [
        (4, "visited_on must be YYYY-MM-DD or YYYY-MM-DD HH:MM")
    ]
    assert '<th scope="col" class="text-nowrap">Sheet row</th>' in response.content.decode()
    assert not Visit.objects.exists()


def test_a_file_saved_by_excel_with_a_byte_order_mark_is_read(sergeant_client, hotels):
    assert upload(sergeant_client, GOOD, encoding="utf-8-sig").status_code == 302
    assert Visit.objects.count() == 3


def test_a_file_that_is_not_utf8_is_refused_clearly(sergeant_client, hotels):
    text = GOOD.replace("posters left", "posters left – café")
    response = upload(sergeant_client, text, encoding="cp1252")
    assert response.status_code == 200
    assert "not UTF-8" in response.context["form"].errors["file"][0]
    assert not Visit.objects.exists()


def test_bad_lines_are_listed_and_nothing_is_saved(sergeant_client, hotels):
    text = f"""{HEADER}
SUF-H-0001,2021-09-18,completed,key_issued,C-014,,,
SUF-X-9999,2021-09-18,completed,key_issued,,,,
SUF-H-0001,18/09/2021,completed,key_issued,,,,
SUF-H-0001,2021-09-18,passed,lobby,,,,
SUF-H-0001,2021-09-18,completed,key_issued,Jane Smith,,,
SUF-H-0001,2999-01-01,completed,key_issued,,,,
,2021-09-18,completed,key_issued,,,,
SUF-H-0001,2021-09-18,completed,key_issued,,,,,extra
"""
    response = upload(sergeant_client, text)
    assert response.status_code == 200
    assert not Visit.objects.exists()
    assert not Participant.objects.exclude(code="C-014").exists()
    failure = response.context["failure"]
    reasons = dict(failure.errors)
    assert list(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert "no premises of your force has the reference SUF-X-9999" in reasons[3]
    assert "visited_on must be YYYY-MM-DD or YYYY-MM-DD HH:MM" in reasons[4]
    assert "outcome must be one of" in reasons[5]
    assert "stage must be one of" in reasons[5]
    assert "participant must be a cadet code such as C-014, never a name" in reasons[6]
    assert "visited_on is in the future" in reasons[7]
    assert "premises_reference is required" in reasons[8]
    assert "more cells than the header" in reasons[9]
    html = response.content.decode()
    assert "Nothing was imported: 7 rows need fixing." in html
    assert "SUF-X-9999" in html


def test_a_missing_column_is_reported_on_line_1(sergeant_client, hotels):
    response = upload(sergeant_client, "premises_reference,visited_on\nSUF-H-0001,2021-09-18\n")
    (line, reason), *_ = response.context["failure"].errors
    assert line == 1
    assert "missing: outcome, stage, participant, scenario, debrief_notes, operation" in reason
    assert not Visit.objects.exists()


def test_another_forces_premises_cannot_be_imported(sergeant_client, hotels, other_town):
    PremisesFactory(town=other_town, reference="NOR-H-0001")
    response = upload(sergeant_client, f"{HEADER}\nNOR-H-0001,2021-09-18,completed,enquiry,,,,\n")
    assert "no premises of your force has the reference NOR-H-0001" in str(
        response.context["failure"].errors
    )
    assert not Visit.objects.exists()


def test_another_forces_cadet_scenario_and_operation_names_are_not_reused(
    sergeant_client, sergeant, hotels, other_force
):
    ParticipantFactory(force=other_force, code="N-001")
    ScenarioFactory(force=other_force, name="Norfolk script")
    OperationFactory(force=other_force, name="Makesafe Norwich")
    text = (
        f"{HEADER}\n"
        "SUF-H-0001,2021-09-18,completed,enquiry,N-001,Norfolk script,,Makesafe Norwich\n"
    )
    assert upload(sergeant_client, text).status_code == 302
    visit = Visit.objects.get()
    assert visit.participants.get().force == sergeant.force
    assert visit.scenario.force == sergeant.force
    assert visit.operation.force == sergeant.force


def test_blank_lines_are_skipped(sergeant_client, hotels):
    text = f"{HEADER}\n\n,,,,,,,\nSUF-H-0001,2021-09-18,completed,enquiry,,,,\n"
    assert upload(sergeant_client, text).status_code == 302
    assert Visit.objects.count() == 1


def test_imported_notes_are_escaped_on_the_detail(sergeant_client, hotels):
    payload = "<script>alert(1)</script>"
    text = f'{HEADER}\nSUF-H-0001,2021-09-18,completed,enquiry,,,"{payload}",\n'
    assert upload(sergeant_client, text).status_code == 302
    html = sergeant_client.get(Visit.objects.get().get_absolute_url()).content.decode()
    assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- the management command -------------------------------------------------------------------


def test_the_command_imports_a_good_file(tmp_path, force, hotels, cadet, scenario, operation):
    path = tmp_path / "visits.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    call_command("import_visits", str(path), "--force", "suf")
    check_good_file_saved(force, None, hotels, cadet, scenario, operation)


def test_the_command_lists_bad_lines_and_saves_nothing(tmp_path, capsys, force, hotels):
    path = tmp_path / "visits.csv"
    path.write_text(
        f"{HEADER}\nSUF-H-0001,2021-09-18,completed,enquiry,,,,\nSUF-H-0001,tomorrow,x,y,,,,\n"
    )
    with pytest.raises(CommandError, match="Nothing imported: 1 rows need fixing."):
        call_command("import_visits", str(path), "--force", "SUF")
    assert "line 3: visited_on must be YYYY-MM-DD" in capsys.readouterr().err
    assert not Visit.objects.exists()


def test_the_command_needs_a_known_force(tmp_path, force):
    path = tmp_path / "visits.csv"
    path.write_text(f"{HEADER}\n")
    with pytest.raises(CommandError, match="No force has the code XYZ"):
        call_command("import_visits", str(path), "--force", "XYZ")


def test_the_command_reports_a_missing_file(tmp_path, force):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_visits", str(tmp_path / "missing.csv"), "--force", "SUF")


def test_imported_cadets_and_scenarios_are_never_offered_for_live_visits(
    officer_client, tmp_path, force, hotels
):
    path = tmp_path / "visits.csv"
    path.write_text(GOOD)
    call_command("import_visits", str(path), "--force", "SUF")
    form = officer_client.get(reverse("visits:create", args=[hotels[0].pk])).context["form"]
    assert "C-090" not in {p.code for p in form.fields["participants"].queryset}
    assert Scenario.objects.filter(name="Taxi home", imported=True).exists()


# -- what an imported visit records --------------------------------------------------------


def test_an_imported_report_to_police_records_the_contact_method_as_not_recorded(sergeant, hotels):
    text = f"{HEADER}\nSUF-H-0001,2021-09-18,reported_to_police,questions,,,,\n"
    visits_import(force=sergeant.force, user=sergeant, text=text)
    visit = Visit.objects.get()
    assert visit.police_contact == Visit.PoliceContact.NOT_RECORDED
    assert visit.get_police_contact_display() == "Not recorded (imported record)"


RETEST_HEADER = f"{HEADER},retest"


def test_a_retest_row_links_to_the_premises_latest_earlier_failure(sergeant, hotels):
    text = f"""{RETEST_HEADER}
SUF-H-0001,2023-05-01,reported_to_police,questions,,,,,YES
SUF-H-0001,2021-09-18,completed,key_issued,,,,,
SUF-H-0001,2022-02-01,challenged,questions,,,,,no
SUF-H-0002,2022-03-01,uneasy,key_issued,,,,,
"""
    visits_import(force=sergeant.force, user=sergeant, text=text)
    first, second, _, retest = Visit.objects.order_by("visited_at")
    assert retest.retest_of == Visit.objects.get(visited_on="2022-02-01")
    assert first.retest_of is None and second.retest_of is None


def test_every_bad_retest_value_is_listed(sergeant, hotels):
    text = f"""{RETEST_HEADER}
SUF-H-0002,2022-09-18,completed,key_issued,,,,,maybe
"""
    with pytest.raises(VisitImportFailed) as failed:
        visits_import(force=sergeant.force, user=sergeant, text=text)
    assert failed.value.result.errors == [(2, "retest must be yes or no (blank is no)")]


def test_a_retest_yes_with_no_earlier_failure_names_its_line(sergeant_client, hotels):
    text = f"""{RETEST_HEADER}
SUF-H-0001,2021-09-18,refused_concerns,questions,,,,,
SUF-H-0001,2022-09-18,completed,key_issued,,,,,yes
"""
    response = upload(sergeant_client, text)
    assert response.status_code == 200
    assert response.context["failure"].errors == [
        (3, "retest is yes, but the premises has no earlier failed visit")
    ]
    assert not Visit.objects.exists()


def test_the_upload_page_documents_the_retest_column(sergeant_client):
    page = sergeant_client.get(reverse("visits:import")).content.decode()
    assert "<code>retest</code>" in page
