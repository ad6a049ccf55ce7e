"""CSV downloads that any reader parses and no spreadsheet runs as a formula."""

import csv
from collections.abc import Iterable

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
