"""The one spreadsheet (.xlsx, openpyxl) module: writing cells that are safe and styled alike, and the
checks and error wording every reader shares. Used by the units sheet, the ledger, the dashboard and
any other export; it imports no app.

Writing. openpyxl stores a string that starts with "=" as a formula: a unit named
`=HYPERLINK("http://x","y")` would become a live link in a leader's spreadsheet. Every text value goes
out as a string cell (`data_type = "s"`), so Excel shows it as typed and never evaluates it; a name
starting with "+", "-" or "@" is a string cell too. The value itself is not changed (no leading
apostrophe), so an export re-imports unchanged. Numbers, dates and booleans keep their types.

Reading. An upload is judged as a zip container before openpyxl opens it (a small .xlsx can inflate to
gigabytes), and every problem is named by row and column as the person fixing it sees them in Excel."""
import datetime
import io
import zipfile
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# House styles: the units sheet's dark header, the ledger's light one, plain bold for the dashboard.
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F6B3A")
LIGHT_HEADER_FILL = PatternFill("solid", fgColor="DDEBDD")
BOLD = Font(bold=True)
CENTERED_WRAPPED = Alignment(horizontal="center", vertical="center", wrap_text=True)

#: Characters that make a spreadsheet program read a typed cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")

column_letter = get_column_letter


# --- writing ---------------------------------------------------------------------------------------

def plain(value):
    """A value openpyxl can store: lazy translations as text, aware datetimes as local wall-clock time
    (Excel has no time zones)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _mark_text(cell, value) -> None:
    if isinstance(value, str):
        # Without this, openpyxl writes a string starting with "=" as a formula.
        cell.data_type = "s"


def safe_cell(sheet, value, *, text_format: bool = False, font=None, fill=None, alignment=None) -> WriteOnlyCell:
    """A cell for a write-only sheet (`Workbook(write_only=True)`): text stays text."""
    value = plain(value)
    cell = WriteOnlyCell(sheet, value=value)
    _mark_text(cell, value)
    if text_format:
        # Keep Excel from turning codes into numbers (1.1E+17, lost leading zeros).
        cell.number_format = "@"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def safe_row(sheet, values) -> list[WriteOnlyCell]:
    return [safe_cell(sheet, value) for value in values]


def write_cell(sheet, row: int, column: int, value):
    """Set a cell of an ordinary (not write-only) sheet; text stays text. Returns the cell."""
    value = plain(value)
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    _mark_text(cell, value)
    return cell


def write_header(sheet, headers, *, row: int = 1, font=BOLD, fill=LIGHT_HEADER_FILL, alignment=CENTERED_WRAPPED,
                 freeze_first_column: bool = True) -> None:
    """A styled header row on an ordinary sheet, widths from the header text, frozen below it."""
    for col, header in enumerate(headers, start=1):
        cell = write_cell(sheet, row, col, str(header))
        cell.font, cell.fill, cell.alignment = font, fill, alignment
        sheet.column_dimensions[column_letter(col)].width = max(10, min(40, len(str(header)) * 2 + 2))
    sheet.freeze_panes = sheet.cell(row=row + 1, column=2 if freeze_first_column else 1)


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


class TableBook:
    """A write-only workbook of plain tables (a bold header row, then rows), for exports of any size:
    every value goes through safe_cell."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(self, title: str, headers, rows, widths=None):
        ws = self.workbook.create_sheet(title=str(title)[:31])
        for index, width in enumerate(widths or [], start=1):
            ws.column_dimensions[column_letter(index)].width = width
        ws.freeze_panes = "A2"
        ws.append([safe_cell(ws, str(header), font=BOLD) for header in headers])
        for row in rows:
            ws.append(safe_row(ws, row))
        return ws

    def to_bytes(self) -> bytes:
        return workbook_bytes(self.workbook)

    def response(self, filename: str) -> HttpResponse:
        return xlsx_response(self.to_bytes(), filename)


# --- reading ---------------------------------------------------------------------------------------

class SpreadsheetError(Exception):
    """The file as a whole can't be read; `message` says why in Chinese, `code` says which check."""

    def __init__(self, message: str, code: str = "unreadable"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number Excel shows
    column: str  # the column header (or letter)
    message: str


def cell_label(row: int, column: int, header: str = "") -> str:
    """“第5行 D列(天然气(m³))”: a cell as the person fixing the sheet finds it in Excel."""
    where = _("第%(row)s行 %(col)s列") % {"row": row, "col": column_letter(column)}
    return f"{where}({header})" if header else where


def file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def unreadable_message() -> str:
    return _("无法读取该文件:请上传 Excel 2007 及以上版本保存的 .xlsx 文件(可先下载导入模板再填写)")


def check_xlsx_container(file, *, max_bytes: int, max_inflated_bytes: int) -> None:
    """Refuse what is not a reasonable .xlsx before openpyxl reads it: empty, too big, not a zip, not a
    workbook (a .docx or .xls renamed), or inflating past `max_inflated_bytes` (judged from the zip
    directory, nothing is inflated). Raises SpreadsheetError with a code: empty, too_big, unreadable,
    inflated."""
    size = file_size(file)
    if size == 0:
        raise SpreadsheetError(_("上传的文件是空的(0 字节),请检查后重新上传"), "empty")
    if size > max_bytes:
        raise SpreadsheetError(_("文件过大:上限为 %(mb)d MB,请分批导入") % {"mb": max_bytes // (1024 * 1024)},
                               "too_big")
    try:
        file.seek(0)
        if not zipfile.is_zipfile(file):
            raise SpreadsheetError(unreadable_message())
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SpreadsheetError(unreadable_message()) from None
    finally:
        file.seek(0)
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(unreadable_message())
    if inflated > max_inflated_bytes:
        raise SpreadsheetError(_("文件内容过大,请分批导入"), "inflated")
