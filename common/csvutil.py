"""CSV downloads that any reader parses and no spreadsheet runs as a formula, and the one reader
of CSV imports (premises and visits): the upload form, decoding, the header check and the rows."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, with a leading quote when a spreadsheet would treat it as a formula."""
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


class CsvUploadForm(forms.Form):
    """An import's upload: its `file` cleans to the file's text. A file over the upload limit
    (FILE_UPLOAD_MAX_MEMORY_SIZE) arrives empty from common/uploads.py, with its real size."""

    file = forms.FileField(label="CSV file")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > limit:
            raise ValidationError(
                f"The file is larger than {limit // (1024 * 1024)} MB; split it into smaller files."
            )
        return decode_csv(upload.read())


@dataclass
class ImportRows:
    """The rows of an import file, each {column: its cell, stripped} after its line number, and
    the lines that cannot be imported whatever they hold, with why. Without a good header
    (`header_ok` false) there are no rows, and the header is the one error."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    header_ok: bool = True


def read_import(text: str, *, columns: list[str], max_rows: int) -> ImportRows:
    """Read an import file whose header names `columns` (in any order, in any case; others are
    ignored). Blank rows are skipped. A line with more cells than the header, a NUL character
    (PostgreSQL text cannot hold one) or a cell longer than the csv module reads is an error of
    its own and the rest is still read, so that every bad line is listed; past `max_rows` rows
    reading stops with an error. A header without every column is the only error then."""
    result = ImportRows()
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = _lines(reader, result.errors)
    header = [name.strip().lower() for name in next(lines, [])]
    missing = [name for name in columns if name not in header]
    if not any(header) or missing or result.errors:
        named = f"; missing: {', '.join(missing)}" if any(header) and missing else ""
        result.errors[:] = [(1, f"The header row must name the columns {','.join(columns)}{named}")]
        result.header_ok = False
        return result
    where = {name: header.index(name) for name in columns}
    for cells in lines:
        line = reader.line_num
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
        else:
            cells = cells + [""] * (len(header) - len(cells))
            result.rows.append((line, {name: cells[at].strip() for name, at in where.items()}))
    return result


def _lines(reader, errors: list[tuple[int, str]]):
    """The reader's rows; a line it cannot read is added to `errors` and skipped."""
    while True:
        try:
            yield next(reader)
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
