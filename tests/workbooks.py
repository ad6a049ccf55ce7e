"""Excel workbooks for the import tests, saved the way a spreadsheet program saves them: a bold,
filled header row, numbers as numbers, dates as date cells, text as text, columns sized, the
header frozen, a second sheet, and styled but empty rows after the data."""

import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Border, Font, PatternFill, Side


def workbook_bytes(header: list[str], rows: list[list], *, blank_rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Premises list"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if hasattr(cell.value, "year"):
                cell.number_format = "dd/mm/yyyy"
    thin = Side(style="thin")
    last = sheet.max_row
    for number in range(last + 1, last + 1 + blank_rows):
        for column in range(1, len(header) + 1):
            sheet.cell(row=number, column=column).border = Border(bottom=thin)
    for column in "ABCDEFGHIJ":
        sheet.column_dimensions[column].width = 18
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Notes")
    notes["A1"] = "Only the first sheet is imported."
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def rewrite_part(data: bytes, name: str, change) -> bytes:
    """The workbook with one part's XML text replaced by `change(text)`."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == name:
                content = change(content.decode()).encode()
            target.writestr(item.filename, content)
    return output.getvalue()


def zip_bomb(unpacked_mb: int = 100) -> bytes:
    """A small archive laid out like a workbook whose sheet unpacks to `unpacked_mb` MB."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                sheet.write(chunk)
    return output.getvalue()
