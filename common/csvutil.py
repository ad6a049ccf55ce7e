"""CSV downloads that any reader parses and no spreadsheet runs as a formula, and the one reader
of imports (premises and visits), from a CSV file or an Excel workbook told apart by their
content: the upload form, decoding, the header check and the rows (common/xlsxutil.py reads a
workbook's sheet)."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils import timezone

from .xlsxutil import OLE2_MAGIC, SAVE_AS, XLSX_TYPE, Sheet, is_workbook, read_workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, with a leading quote when a spreadsheet would treat it as a formula.
    A (naive, local) datetime is written YYYY-MM-DD HH:MM, a date YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_download(
    *, name: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """A streamed CSV attachment: header row first, the marking in the file name."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="OFFICIAL-SENSITIVE_{name}_{stamp}.csv"'
    )
    return response


# --- Imports ---------------------------------------------------------------------------------


def decode_csv(raw: bytes) -> str:
    """UTF-8 text, with or without Excel's byte-order mark; a clear error for other encodings."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "The file is not UTF-8. In Excel, save it as 'CSV UTF-8 (Comma delimited)'."
        ) from exc


WORKBOOK_NAMES = (".xlsx", ".xlsm", ".xltx", ".xls")


def import_source(raw: bytes, *, name: str) -> str | Sheet:
    """An import file's text (CSV) or first sheet (Excel workbook), told by its content; a
    ValidationError for anything else, such as a CSV file renamed .xlsx or an old .xls file."""
    if is_workbook(raw):
        return read_workbook(raw)
    if raw.startswith(OLE2_MAGIC):
        raise ValidationError(
            "The file is an Excel 97-2003 workbook (.xls) or a password-protected one, which "
            f"cannot be read. {SAVE_AS}"
        )
    if name.lower().endswith(WORKBOOK_NAMES):
        raise ValidationError(
            "The file is named like an Excel workbook but is not one (a CSV file renamed?). "
            "Give a CSV file its .csv name, or save it from your spreadsheet program as an Excel "
            "Workbook (.xlsx)."
        )
    return decode_csv(raw)


class ImportUploadForm(forms.Form):
    """An import's upload: its `file` cleans to the file's text (CSV) or its first sheet (Excel
    workbook). A file over the upload limit (FILE_UPLOAD_MAX_MEMORY_SIZE) arrives empty from
    common/uploads.py, with its real size."""

    file = forms.FileField(label="CSV or Excel file")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv," + XLSX_TYPE

    def clean_file(self) -> str | Sheet:
        upload = self.cleaned_data["file"]
        limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > limit:
            raise ValidationError(
                f"The file is larger than {limit // (1024 * 1024)} MB; split it into smaller files."
            )
        source = import_source(upload.read(), name=upload.name or "")
        # Kept apart from cleaned_data, which loses the file when the import adds its error.
        self.read_sheet = isinstance(source, Sheet)
        return source

    def line_label(self) -> str:
        """What the errors' numbers count: a CSV file's lines or a sheet's rows."""
        return "Sheet row" if getattr(self, "read_sheet", False) else "Line"


@dataclass
class ImportRows:
    """The rows of an import file, each {column: its cell, stripped} after its line number, and
    the lines that cannot be imported whatever they hold, with why. Without a good header
    (`header_ok` false) there are no rows, and the header is the one error."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    header_ok: bool = True


def read_import(
    source: str | Sheet, *, columns: list[str], max_rows: int, optional: list[str] = ()
) -> ImportRows:
    """Read an import file, CSV text or a workbook's sheet, whose header names `columns` (in
    any order, in any case; others are ignored), and maybe the `optional` ones (blank in every
    row when absent). Blank rows are skipped. A line with more cells than the header, a NUL
    character (PostgreSQL text cannot hold one) or a cell longer than the csv module reads is an
    error of its own and the rest is still read, so that every bad line is listed; past
    `max_rows` rows reading stops with an error. A header without every column is the only
    error then. Lines are numbered as the file's lines or the sheet's rows."""
    result = ImportRows()
    if isinstance(source, Sheet):
        header_cells, lines = source.header, iter(source.rows)
    else:
        lines = _csv_lines(source, result.errors)
        header_cells = next(lines, (1, []))[1]
    header = [name.strip().lower() for name in header_cells]
    missing = [name for name in columns if name not in header]
    if not any(header) or missing or result.errors:
        named = f"; missing: {', '.join(missing)}" if any(header) and missing else ""
        result.errors[:] = [(1, f"The header row must name the columns {','.join(columns)}{named}")]
        result.header_ok = False
        return result
    where = {name: header.index(name) for name in [*columns, *optional] if name in header}
    longest = csv.field_size_limit()
    for line, cells in lines:
        if len(result.rows) + len(result.errors) >= max_rows:
            result.errors.append((line, f"Too many rows: import at most {max_rows} at once."))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            result.errors.append((line, "The row has more cells than the header."))
        elif any("\x00" in cell for cell in cells):
            result.errors.append(
                (line, "The row holds a NUL character (code 0), which cannot be stored.")
            )
        elif any(len(cell) > longest for cell in cells):
            result.errors.append((line, f"A cell is longer than {longest:,} characters."))
        else:
            cells = cells + [""] * (len(header) - len(cells))
            values = dict.fromkeys(optional, "")
            values.update({name: cells[at].strip() for name, at in where.items()})
            result.rows.append((line, values))
    return result


def _csv_lines(text: str, errors: list[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """The CSV rows after their (last) line number; a line the csv module cannot read is added
    to `errors` and skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                why = (
                    f"A cell is longer than {csv.field_size_limit():,} characters "
                    "(or a quote is never closed)."
                )
            else:
                why = f"The line cannot be read as CSV: {exc}."
            errors.append((reader.line_num, why))
        else:
            yield reader.line_num, cells
