"""The one reader of CSV imports and the upload handler behind it (common/csvutil.py,
common/uploads.py; docs/security.md checks 15 and 32)."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.csvutil import ImportUploadForm, read_import
from common.uploads import BoundedMemoryUploadHandler

COLUMNS = ["a", "b"]


def read(text, max_rows=100):
    return read_import(text, columns=COLUMNS, max_rows=max_rows)


def test_columns_are_found_in_any_order_and_case_and_others_are_ignored():
    result = read("B , other ,A\n 2 ,x, 1 \n3\n\n , ,\n")
    assert result.header_ok and result.errors == []
    assert result.rows == [(2, {"a": "1", "b": "2"}), (3, {"a": "", "b": "3"})]


@pytest.mark.parametrize("text", ["", "\n", "a\n1\n", "x,y\n1,2\n"])
def test_a_header_without_every_column_is_the_only_error(text):
    result = read(text)
    assert not result.header_ok and result.rows == []
    ((line, reason),) = result.errors
    assert line == 1 and reason.startswith("The header row must name the columns a,b")


def test_bad_lines_are_each_listed_and_the_rest_still_read():
    huge = "x" * (csv.field_size_limit() + 1)
    text = f'a,b\n1,2,3\n4,5\x006\n7,"{huge}"\n8,9\n'
    result = read(text)
    assert result.rows == [(5, {"a": "8", "b": "9"})]
    assert result.errors == [
        (2, "The row has more cells than the header."),
        (3, "The row holds a NUL character (code 0), which cannot be stored."),
        (4, "A cell is longer than 131,072 characters (or a quote is never closed)."),
    ]


def test_reading_stops_after_the_most_rows_allowed():
    result = read("a,b\n1,1\n2,2\n3,3\n4,4\n", max_rows=2)
    assert [line for line, _ in result.rows] == [2, 3]
    assert result.errors == [(4, "Too many rows: import at most 2 at once.")]


def form_for(data: bytes, size=None):
    upload = SimpleUploadedFile("x.csv", data, "text/csv")
    if size is not None:
        upload.size = size
    return ImportUploadForm({}, {"file": upload})


def test_the_upload_form_gives_the_files_text():
    form = form_for("\ufeffa,b\n1,2\n".encode())
    assert form.is_valid() and form.cleaned_data["file"] == "a,b\n1,2\n"


def test_the_upload_form_refuses_other_encodings_and_big_files():
    assert "CSV UTF-8" in form_for("caf\xe9".encode("latin-1")).errors["file"][0]
    big = form_for(b"", size=5 * 1024 * 1024 + 1)
    assert big.errors["file"] == ["The file is larger than 5 MB; split it into smaller files."]


def feed(handler, total: int, chunk: int = 64 * 1024):
    handler.new_file("file", "x.csv", "text/csv", None)
    for start in range(0, total, chunk):
        handler.receive_data_chunk(b"y" * min(chunk, total - start), start)
    return handler.file_complete(total)


def test_the_upload_handler_keeps_a_file_up_to_the_limit_in_memory(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 200_000
    upload = feed(BoundedMemoryUploadHandler(), 200_000)
    assert upload.size == 200_000 and len(upload.read()) == 200_000


def test_the_upload_handler_keeps_none_of_a_file_over_the_limit(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 200_000
    upload = feed(BoundedMemoryUploadHandler(), 200_001)
    assert upload.size == 200_001 and upload.read() == b""
