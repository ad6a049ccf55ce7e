"""Excel workbooks (.xlsx) both ways: the twin of a CSV download, and the rows of an uploaded
workbook for the imports (common/csvutil.py reads them like a CSV file's lines).

Downloads: every text is a text cell, never a formula, whatever it starts with; numbers are
numbers and dates are date cells; OFFICIAL-SENSITIVE is the sheet's name, its printed header and
footer, the workbook's title and the file name.

Uploads are untrusted zip archives of XML: the archive's parts are checked against limits before
any is unpacked (a small file can unpack to gigabytes), the XML is parsed with defusedxml (no
entity expansion), only the first sheet is read, no wider than its header row, and a sheet
claiming rows past a spreadsheet's last row is refused. openpyxl's read-only mode reads it row by
row."""

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MARKING = "OFFICIAL-SENSITIVE"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
# An Excel 97-2003 workbook, and also a password-protected .xlsx: both are OLE2 compound files.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# An import of 20,000 rows unpacks to well under 20 MB; a zip bomb asks for far more.
MAX_UNPACKED = 40 * 1024 * 1024
MAX_PARTS = 500
MAX_SHEET_ROWS = 1_048_576  # the last row of an Excel sheet
MAX_HEADER_COLUMNS = 200

SAVE_AS = "In your spreadsheet program, save it as an Excel Workbook (.xlsx) or as CSV UTF-8."


# --- Downloads -------------------------------------------------------------------------------


def _cell(sheet, value, bold: Font | None = None) -> WriteOnlyCell:
    """A cell of its own type: numbers and dates as such, everything else as text (a text cell is
    never calculated, so `=`, `+`, `-` and `@` stay as typed; Excel's quote prefix keeps it text
    when someone edits it)."""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if value is None or isinstance(value, int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd mmm yyyy hh:mm"
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd mmm yyyy"
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would make "=..." a formula and "#N/A" an error
        if text.startswith(("=", "+", "-", "@")):
            cell.quotePrefix = True
    if bold is not None:
        cell.font = bold
    return cell


def xlsx_download(*, name: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    """The Excel twin of `csv_download`: the same header and rows on one sheet, the header row
    bold, frozen and filterable, the marking on the sheet, its printed pages and the file name."""
    book = Workbook(write_only=True)
    book.properties.title = f"{MARKING} {name}"
    book.properties.creator = "Makesafe"
    sheet = book.create_sheet(MARKING)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for part in (sheet.oddHeader, sheet.oddFooter):
        part.center.text = MARKING
    sheet.oddFooter.right.text = "Page &P of &N"
    for number, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(12, len(title) + 4)
    bold = Font(bold=True)
    sheet.append([_cell(sheet, title, bold) for title in header])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(header)))}{count + 1}"
    output = io.BytesIO()
    book.save(output)
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{MARKING}_{name}_{stamp}.xlsx"'
    return response


# --- Uploads ---------------------------------------------------------------------------------


@dataclass
class Sheet:
    """The first sheet of an uploaded workbook: its header row (row 1) and every other row that
    holds anything, each after its row number, as text; cells right of the header are left out."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def is_workbook(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


def cell_text(value) -> str:
    """A cell as the text a person sees typed in it: whole numbers without ".0", dates as
    YYYY-MM-DD (with HH:MM when the time is not midnight), TRUE/FALSE as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _check_archive(raw: bytes) -> None:
    """Refuse an archive that is not a workbook, or that unpacks to more than any import needs."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(f"The file is a damaged or incomplete workbook. {SAVE_AS}") from exc
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED:
        raise ValidationError(
            f"The workbook unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB, far more than "
            "an import needs: save the rows to import in a workbook of their own."
        )
    if "xl/workbook.xml" not in {part.filename for part in parts}:
        raise ValidationError(
            f"The file is a zip archive but not an Excel workbook (.xlsx). {SAVE_AS}"
        )


def read_workbook(raw: bytes) -> Sheet:
    """The first sheet of an .xlsx file, or a ValidationError saying why it cannot be read."""
    _check_archive(raw)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # any fault of an untrusted file is the file's
        raise ValidationError(f"The file cannot be read as an Excel workbook. {SAVE_AS}") from exc
    try:
        return _read_first_sheet(book)
    except ValidationError:
        raise
    except Exception as exc:  # the same, met while reading the rows
        raise ValidationError(
            f"The workbook's first sheet cannot be read to the end. {SAVE_AS}"
        ) from exc
    finally:
        book.close()


def _read_first_sheet(book) -> Sheet:
    if not book.worksheets:
        raise ValidationError("The workbook has no sheet of rows: its first sheet is a chart.")
    sheet = book.worksheets[0]
    # A saved dimension such as A1:XFD1048576 would pad every row to it: read what is there.
    sheet.reset_dimensions()
    first = next(sheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), ())
    header = [cell_text(value) for value in first]
    while header and not header[-1].strip():
        header.pop()
    result = Sheet(header=header)
    width = max(1, len(header))
    rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
    for number, values in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS:
            raise ValidationError(
                f"The sheet has rows past row {MAX_SHEET_ROWS:,}, the last row a spreadsheet "
                f"can hold: the file is damaged. {SAVE_AS}"
            )
        if any(value is not None and value != "" for value in values):
            result.rows.append((number, [cell_text(value) for value in values]))
    return result
