"""Importing premises from CSV: the upload page, the service and the management command."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from premises.models import Premises, Town
from premises.services import ImportFailed, premises_import

from ..factories import PremisesFactory
from ..workbooks import workbook_bytes

HEADER = "reference,name,sector,address,town,postcode,operator,licence_reference,phone,email"
GOOD = f"""{HEADER}
SUF-H-0001,Orwell Quay Hotel,hotel,1 Neptune Quay,Ipswich,ip4 1ax,Harbourside  Hotels,,01473 613500,
,Late Bites,takeaway,11 St Johns Street,Bury St Edmunds,IP33 1SQ,,LIC/123,,manager@latebites.example
"""


def upload(client, text, *, name="premises.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        reverse("premises:import"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_the_upload_page_works(sergeant_client):
    response = sergeant_client.get(reverse("premises:import"))
    assert response.status_code == 200
    assert HEADER.encode() in response.content


def test_a_good_file_is_saved(sergeant_client, sergeant, town):
    response = upload(sergeant_client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("premises:list")
    hotel = Premises.objects.get(reference="SUF-H-0001")
    assert hotel.force == sergeant.force
    assert hotel.town == town  # "Ipswich" already existed
    assert hotel.postcode == "IP4 1AX"
    assert hotel.operator.name == "Harbourside Hotels"
    assert hotel.created_by == sergeant
    takeaway = Premises.objects.get(name="Late Bites")
    assert takeaway.reference == "SUF-F-0001"
    assert takeaway.licence_reference == "LIC/123"
    messages = [str(m) for m in sergeant_client.get(reverse("premises:list")).context["messages"]]
    assert messages == [
        "Imported 2 new and 0 updated premises. New towns: Bury St Edmunds. "
        "New operators: Harbourside Hotels."
    ]


def test_unknown_towns_are_created_once(sergeant_client, force):
    text = f"""{HEADER}
,A,hotel,1 Road,Sudbury,CO10 2XA,,,,
,B,hotel,2 Road,sudbury,CO10 2SP,,,,
"""
    assert upload(sergeant_client, text).status_code == 302
    assert list(Town.objects.filter(force=force).values_list("name", flat=True)) == ["Sudbury"]
    assert Premises.objects.filter(town__name="Sudbury").count() == 2


def test_bad_rows_are_listed_by_line_and_nothing_is_saved(sergeant_client, town):
    text = f"""{HEADER}
,Good Hotel,hotel,1 Road,Ipswich,IP1 1AA,,,,
,Bad Postcode Hotel,hotel,2 Road,Ipswich,NOT A POSTCODE,,,,
,,hotel,3 Road,Ipswich,IP1 1AA,,,,
,Spaceship,spaceship,4 Road,Ipswich,IP1 1AA,,,,
,Phone Box,hotel,5 Road,Ipswich,IP1 1AA,,,12,
"""
    response = upload(sergeant_client, text)
    assert response.status_code == 200
    assert not Premises.objects.exists()
    failure = response.context["failure"]
    lines = [line for line, _ in failure.errors]
    assert lines == [3, 4, 5, 6]
    reasons = dict(failure.errors)
    assert "postcode" in reasons[3]
    assert "name is required" in reasons[4]
    assert "sector 'spaceship'" in reasons[5]
    assert "phone" in reasons[6]
    html = response.content.decode()
    assert "Nothing was imported: 4 rows need fixing." in html
    assert "<td>3</td>" in html and "<td>6</td>" in html


def test_a_bad_row_leaves_no_new_towns_behind(sergeant_client, force):
    text = f"""{HEADER}
,Good Hotel,hotel,1 Road,Newtown,IP1 1AA,,,,
,Bad Hotel,hotel,2 Road,Newtown,IP1,,,,
"""
    upload(sergeant_client, text)
    assert not Town.objects.filter(force=force).exists()


def test_a_reference_twice_in_one_file_is_refused(sergeant_client, town):
    text = f"""{HEADER}
SUF-H-0001,A,hotel,1 Road,Ipswich,IP1 1AA,,,,
suf-h-0001,B,hotel,2 Road,Ipswich,IP1 1AA,,,,
"""
    response = upload(sergeant_client, text)
    assert response.context["failure"].errors == [
        (3, "reference SUF-H-0001 also appears on line 2")
    ]
    assert not Premises.objects.exists()


def test_a_missing_column_is_reported(sergeant_client, town):
    response = upload(sergeant_client, "reference,name\nX,Y\n")
    assert response.status_code == 200
    ((line, reason),) = response.context["failure"].errors
    assert line == 1
    assert "missing: sector, address, town, postcode" in reason


def test_a_row_with_too_many_cells_is_reported(sergeant_client, town):
    text = f"{HEADER}\n,A,hotel,1 Road,Ipswich,IP1 1AA,,,,,surplus\n"
    response = upload(sergeant_client, text)
    assert response.context["failure"].errors == [(2, "The row has more cells than the header.")]


def test_reimporting_a_reference_updates_instead_of_duplicating(sergeant_client, town):
    existing = PremisesFactory(town=town, reference="SUF-H-0001", name="Old name")
    assert upload(sergeant_client, GOOD).status_code == 302
    assert upload(sergeant_client, GOOD.replace("Orwell Quay", "Orwell Dock")).status_code == 302
    existing.refresh_from_db()
    assert existing.name == "Orwell Dock Hotel"
    assert existing.version == 3
    assert Premises.objects.filter(reference="SUF-H-0001").count() == 1
    # The blank-reference row is created again each time: it has nothing to match on.
    assert Premises.objects.filter(name="Late Bites").count() == 2


def test_import_never_touches_another_forces_premises(sergeant_client, town, other_town):
    theirs = PremisesFactory(town=other_town, reference="SUF-H-0001", name="Theirs")
    assert upload(sergeant_client, GOOD).status_code == 302
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert Premises.objects.filter(reference="SUF-H-0001").count() == 2


def test_a_utf8_file_with_a_byte_order_mark_works(sergeant_client, town):
    text = f"""{HEADER}
,Ipswich Bus Interchange Café,other,Turret Lane,Ipswich,IP4 1DL,,,,
"""
    response = upload(sergeant_client, "\ufeff" + text)
    assert response.status_code == 302
    assert Premises.objects.get().name == "Ipswich Bus Interchange Café"


def test_windows_line_endings_and_header_case_work(sergeant_client, town):
    text = HEADER.upper() + "\r\n,A,HOTEL,1 Road,Ipswich,IP1 1AA,,,,\r\n"
    assert upload(sergeant_client, text).status_code == 302
    assert Premises.objects.get().sector == "hotel"


def test_a_file_that_is_not_utf8_is_refused_with_advice(sergeant_client, town):
    text = f"{HEADER}\n,Caf\xe9,other,1 Road,Ipswich,IP1 1AA,,,,\n"
    response = upload(sergeant_client, text, encoding="latin-1")
    assert response.status_code == 200
    assert "CSV UTF-8" in response.content.decode()
    assert not Premises.objects.exists()


def test_an_officer_cannot_import(officer_client, town):
    assert upload(officer_client, GOOD).status_code == 403
    assert not Premises.objects.exists()


def test_the_service_returns_counts(force, officer):
    result = premises_import(force=force, user=officer, text=GOOD)
    assert (result.created, result.updated) == (2, 0)
    assert sorted(result.towns_created) == ["Bury St Edmunds", "Ipswich"]


def test_the_service_raises_with_every_bad_row(force):
    with pytest.raises(ImportFailed) as failed:
        premises_import(force=force, user=None, text=f"{HEADER}\n,A,hotel,,X,IP1 1AA,,,,\n")
    assert failed.value.result.errors == [(2, "address is required")]


# -- manage.py import_premises ----------------------------------------------------------------


def test_the_command_imports_a_file(tmp_path, force, capsys):
    path = tmp_path / "premises.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    call_command("import_premises", str(path), "--force", "suf")
    out = capsys.readouterr().out
    assert "Imported 2 new and 0 updated premises into Suffolk Constabulary." in out
    assert "New towns:" in out
    assert Premises.objects.filter(force=force).count() == 2
    assert Premises.objects.get(reference="SUF-H-0001").created_by is None


def test_the_command_lists_bad_rows_and_saves_nothing(tmp_path, force, capsys):
    path = tmp_path / "premises.csv"
    path.write_text(f"{HEADER}\n,A,hotel,1 Road,Ipswich,IP1,,,,\n")
    with pytest.raises(CommandError, match="Nothing imported: 1 rows need fixing."):
        call_command("import_premises", str(path), "--force", "SUF")
    assert "line 2: postcode" in capsys.readouterr().err
    assert not Premises.objects.exists()


def test_the_command_refuses_an_unknown_force(tmp_path, db):
    path = tmp_path / "premises.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="No force has the code XYZ."):
        call_command("import_premises", str(path), "--force", "XYZ")


def test_the_command_reports_a_missing_file(tmp_path, force):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_premises", str(tmp_path / "missing.csv"), "--force", "SUF")


# --- Excel workbooks -------------------------------------------------------------------------

COLUMNS = HEADER.split(",")


def upload_workbook(client, rows, *, name="premises.xlsx", blank_rows=3):
    data = workbook_bytes(COLUMNS, rows, blank_rows=blank_rows)
    return client.post(reverse("premises:import"), {"file": SimpleUploadedFile(name, data)})


def test_a_workbook_is_imported_like_a_csv_file(sergeant_client, sergeant, town):
    response = upload_workbook(
        sergeant_client,
        [
            ["SUF-H-0001", "Orwell Quay Hotel", "Hotel", "1 Neptune Quay", "Ipswich", "ip4 1ax"]
            + ["Harbourside Hotels", 20394, "01473 613500", None],
            [None, "Late Bites", "takeaway", "11 St Johns Street", "Bury St Edmunds"]
            + ["IP33 1SQ", None, "LIC/123", None, "manager@latebites.example"],
        ],
    )
    assert response.status_code == 302
    hotel = Premises.objects.get(reference="SUF-H-0001")
    assert (hotel.town, hotel.postcode, hotel.sector) == (town, "IP4 1AX", "hotel")
    assert (hotel.licence_reference, hotel.phone) == ("20394", "01473 613500")
    assert hotel.created_by == sergeant
    assert Premises.objects.get(name="Late Bites").reference == "SUF-F-0001"


def test_bad_workbook_rows_are_listed_by_sheet_row_and_nothing_is_saved(sergeant_client, town):
    good = [None, "Good Hotel", "hotel", "1 Road", "Ipswich", "IP1 1AA", None, None, None, None]
    bad = [None, "Bad Hotel", "hotel", "2 Road", "Ipswich", "NOT A POSTCODE"] + [None] * 4
    blank = [None] * 10
    response = upload_workbook(sergeant_client, [good, blank, bad, good[:1] + [None] + good[2:]])
    assert response.status_code == 200
    assert not Premises.objects.exists()
    failure = response.context["failure"]
    assert [line for line, _ in failure.errors] == [4, 5]
    html = response.content.decode()
    assert '<th scope="col" class="text-nowrap">Sheet row</th>' in html
    assert "Nothing was imported: 2 rows need fixing." in html


def test_a_csv_file_renamed_xlsx_is_refused_by_the_file_field(sergeant_client):
    response = upload(sergeant_client, GOOD, name="premises.xlsx")
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert "named like an Excel workbook but is not one" in error
    assert not Premises.objects.exists()


def test_the_command_imports_a_workbook(tmp_path, force, capsys):
    path = tmp_path / "premises.xlsx"
    path.write_bytes(
        workbook_bytes(COLUMNS, [[None, "A", "hotel", "1 Road", "Ipswich", "IP1"] + [None] * 4])
    )
    with pytest.raises(CommandError, match="Nothing imported: 1 rows need fixing."):
        call_command("import_premises", str(path), "--force", "SUF")
    assert "sheet row 2: postcode" in capsys.readouterr().err
