"""Excel workbooks both ways (common/xlsxutil.py): the imports' reader, through the shared upload
form and read_import of common/csvutil.py, and the downloads' writer (docs/security.md checks 14,
15 and 32)."""

import io
import re
import time
import zipfile
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from common.csvutil import ImportUploadForm, import_source, read_import
from common.xlsxutil import Sheet, read_workbook, xlsx_download

from ..workbooks import rewrite_part, workbook_bytes, zip_bomb

HEADER = ["Name", "Postcode", "Licence_Reference", "Visited_On", "Rooms"]


def good_workbook(**kwargs) -> bytes:
    return workbook_bytes(
        HEADER,
        [
            ["Orwell Quay Hotel", "IP4 1AX", 12345, datetime(2021, 9, 18), 40],
            ["  Late Bites ", "ip33 1sq", "LIC/123", datetime(2021, 9, 18, 14, 30), 2.5],
            [None, None, None, None, None],
            ["Cornhill Lodge", "IP1 1AA", None, date(2022, 1, 3), True],
        ],
        **kwargs,
    )


def test_a_workbook_reads_as_the_text_a_person_sees():
    sheet = read_workbook(good_workbook())
    assert sheet.header == HEADER
    assert sheet.rows == [
        (2, ["Orwell Quay Hotel", "IP4 1AX", "12345", "2021-09-18", "40"]),
        (3, ["  Late Bites ", "ip33 1sq", "LIC/123", "2021-09-18 14:30", "2.5"]),
        (5, ["Cornhill Lodge", "IP1 1AA", "", "2022-01-03", "TRUE"]),
    ]


def test_read_import_takes_a_sheet_like_a_csv_file_with_sheet_row_numbers():
    columns = ["name", "postcode", "visited_on"]
    result = read_import(read_workbook(good_workbook()), columns=columns, max_rows=100)
    assert result.header_ok and result.errors == []
    assert [(line, values["name"], values["visited_on"]) for line, values in result.rows] == [
        (2, "Orwell Quay Hotel", "2021-09-18"),
        (3, "Late Bites", "2021-09-18 14:30"),
        (5, "Cornhill Lodge", "2022-01-03"),
    ]


def test_a_sheet_without_the_columns_or_with_a_huge_cell_gets_the_csv_errors():
    result = read_import(Sheet(header=["x"], rows=[(2, ["1"])]), columns=["a"], max_rows=10)
    assert result.errors == [(1, "The header row must name the columns a; missing: a")]
    huge = "y" * 140_000
    sheet = Sheet(header=["a"], rows=[(2, [huge]), (3, ["ok"]), (4, ["no"])])
    result = read_import(sheet, columns=["a"], max_rows=2)
    assert result.rows == [(3, {"a": "ok"})]
    assert result.errors == [
        (2, "A cell is longer than 131,072 characters."),
        (4, "Too many rows: import at most 2 at once."),
    ]


def test_cells_right_of_the_header_are_left_out():
    data = workbook_bytes(["a", "b", None, None], [["1", "2", "stray note", None, "far"]])
    assert read_workbook(data).rows == [(2, ["1", "2"])]


def test_a_huge_saved_dimension_and_a_far_cell_do_not_blow_up_the_reading():
    def stretch(xml):
        stretched = re.sub(r"<dimension ref=\"[^\"]+\"", '<dimension ref="A1:XFD1048576"', xml)
        far = '<row r="60000"><c r="XFD60000" t="n"><v>1</v></c></row></sheetData>'
        return stretched.replace("</sheetData>", far)

    data = workbook_bytes(["a", "b"], [["1", "2"]], blank_rows=0)
    data = rewrite_part(data, "xl/worksheets/sheet1.xml", stretch)
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    started = time.monotonic()
    sheet = read_workbook(data)
    assert sheet.rows == [(2, ["1", "2"])]
    assert time.monotonic() - started < 5


def test_a_row_past_the_last_row_of_a_spreadsheet_is_refused():
    data = rewrite_part(
        workbook_bytes(["a"], [["1"]], blank_rows=0),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            "</sheetData>", '<row r="1048577"><c r="A1048577" t="n"><v>1</v></c></row></sheetData>'
        ),
    )
    with pytest.raises(ValidationError, match="rows past row 1,048,576"):
        read_workbook(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    data = zip_bomb(100)
    assert len(data) < 1024 * 1024
    with pytest.raises(ValidationError, match="unpacks to more than 40 MB"):
        import_source(data, name="premises.xlsx")


def test_an_xml_entity_bomb_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    entity = '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData>'
    data = rewrite_part(
        workbook_bytes(["a"], [], blank_rows=0),
        "xl/worksheets/sheet1.xml",
        lambda xml: laughs + xml.replace("</sheetData>", entity),
    )
    with pytest.raises(ValidationError, match="cannot be read"):
        read_workbook(data)


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"name,postcode\nA,IP1 1AA\n", "premises.xlsx", "named like an Excel workbook but is not"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", "Excel 97-2003"),
        (b"PK\x03\x04 not really a zip", "premises.xlsx", "damaged or incomplete workbook"),
        (None, "report.docx", "a zip archive but not an Excel workbook"),
        (None, "sheet1.xlsx", "cannot be read as an Excel workbook"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_with_a_reason(data, name, message):
    if name == "report.docx":
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
        data = output.getvalue()
    elif data is None:
        data = rewrite_part(
            workbook_bytes(["a"], [["1"]]), "xl/workbook.xml", lambda xml: "<not a workbook"
        )
    with pytest.raises(ValidationError, match=message):
        import_source(data, name=name)


def test_the_upload_form_tells_a_workbook_from_a_csv_file_by_its_content():
    form = ImportUploadForm({}, {"file": SimpleUploadedFile("export.csv", good_workbook())})
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["file"], Sheet)
    assert form.line_label() == "Sheet row"
    form = ImportUploadForm({}, {"file": SimpleUploadedFile("data", b"a,b\n1,2\n")})
    assert form.is_valid() and form.cleaned_data["file"] == "a,b\n1,2\n"
    assert form.line_label() == "Line"


def test_the_upload_form_refuses_a_big_workbook_by_its_size():
    upload = SimpleUploadedFile("big.xlsx", b"")
    upload.size = 5 * 1024 * 1024 + 1
    form = ImportUploadForm({}, {"file": upload})
    assert form.errors["file"] == ["The file is larger than 5 MB; split it into smaller files."]


# --- Downloads -------------------------------------------------------------------------------


def opened(response):
    return load_workbook(io.BytesIO(response.content))


def test_the_excel_twin_keeps_formula_starts_as_text_and_types_the_rest():
    response = xlsx_download(
        name="premises",
        header=["name", "count", "when", "day", "note"],
        rows=[
            ["=1+2", 3, datetime(2021, 9, 18, 14, 30), date(2021, 9, 18), "#N/A"],
            ["+SUM(A1:A9)", 2.5, None, None, "-2+3"],
            ["@SUM(1)", None, None, None, "bell\x07 rings"],
        ],
    )
    sheet = opened(response).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in cells[0]] == [
        ("=1+2", "s"),
        (3, "n"),
        (datetime(2021, 9, 18, 14, 30), "d"),
        (datetime(2021, 9, 18), "d"),
        ("#N/A", "s"),
    ]
    assert cells[0][0].quotePrefix and cells[1][0].quotePrefix and cells[2][0].quotePrefix
    assert cells[0][3].number_format == "dd mmm yyyy"
    assert cells[1][0].value == "+SUM(A1:A9)" and cells[1][1].value == 2.5
    assert cells[1][4].value == "-2+3" and cells[1][4].data_type == "s"
    assert cells[2][4].value == "bell\ufffd rings"
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_the_excel_twin_is_a_marked_attachment_with_a_bold_frozen_header():
    response = xlsx_download(name="visits", header=["id", "premises"], rows=[[1, "Orwell"]])
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith(
        'attachment; filename="OFFICIAL-SENSITIVE_visits_'
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = opened(response)
    sheet = book.worksheets[0]
    assert sheet.title == "OFFICIAL-SENSITIVE"
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    assert sheet.oddFooter.center.text == "OFFICIAL-SENSITIVE"
    assert book.properties.title == "OFFICIAL-SENSITIVE visits"
    assert [c.value for c in sheet[1]] == ["id", "premises"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B2"


def test_an_exported_workbook_reads_back_as_it_was_written():
    response = xlsx_download(
        name="premises", header=["reference", "name"], rows=[["SUF-H-0001", "=Inn"]]
    )
    sheet = read_workbook(response.content)
    assert sheet.header == ["reference", "name"]
    assert sheet.rows == [(2, ["SUF-H-0001", "=Inn"])]
