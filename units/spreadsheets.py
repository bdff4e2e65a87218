"""The units spreadsheet (.xlsx): its columns, the import template, the export, and reading an upload
into typed rows. Nothing here touches the database; units.services decides what the rows mean.
Cells, styles and the container check come from greenoffice.spreadsheets (shared by every export).

The column headers are a file format shared with the bureau's Excel sheets, so they are fixed Chinese
strings and are not translated: an English user downloads and uploads the same columns."""
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from greenoffice.spreadsheets import (
    HEADER_FILL,
    HEADER_FONT,
    XLSX_CONTENT_TYPE,
    RowProblem,
    SpreadsheetError,
    check_xlsx_container,
    safe_cell,
    workbook_bytes,
    write_cell,
)
from units.models import Unit

__all__ = ["XLSX_CONTENT_TYPE", "RowProblem", "SpreadsheetError", "UNIT_COLUMNS", "COLUMN_BY_FIELD",
           "read_units_sheet", "build_units_workbook", "build_units_template", "MAX_UPLOAD_BYTES"]
DATA_SHEET_TITLE = "创建单位"
HELP_SHEET_TITLE = "填写说明"

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# A small .xlsx can inflate to gigabytes of XML (a "zip bomb"); real sheets of MAX_ROWS units stay far
# below this.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
# Excel files formatted down to row 1,048,576 would otherwise be scanned to the end.
MAX_SCANNED_ROWS = MAX_ROWS + 10_000
MAX_HEADER_COLUMNS = 60


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "text"  # text | int | decimal
    required: bool = False
    width: int = 14
    text_format: bool = False  # keep Excel from turning codes into numbers (1.1E+17, lost zeros)


UNIT_COLUMNS = (
    Column("单位编号", "code", required=True, width=12, text_format=True),
    Column("单位名称", "name", required=True, width=30),
    Column("简称", "short_name", width=14),
    Column("统一社会信用代码", "credit_code", required=True, width=22, text_format=True),
    Column("所属区域", "district", required=True, width=12),
    Column("单位类别", "category", required=True, width=10),
    Column("地址", "address", width=30),
    Column("编制人数", "headcount", kind="int", width=10),
    Column("建筑面积(平方米)", "floor_area", kind="decimal", width=16),
    Column("联系人", "contact_name", width=10),
    Column("联系电话", "contact_phone", width=16, text_format=True),
)
COLUMN_BY_FIELD = {column.field: column for column in UNIT_COLUMNS}


@dataclass
class SheetRow:
    number: int
    values: dict = field(default_factory=dict)  # field -> typed value; fields with a problem are absent


@dataclass
class SheetRead:
    rows: list[SheetRow]
    problems: list[RowProblem]


# --- reading ------------------------------------------------------------------------------------

def _normalize_header(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("(", "(").replace(")", ")").replace("*", "").replace("*", "")
    return "".join(text.split())


HEADER_LOOKUP = {_normalize_header(column.header): column for column in UNIT_COLUMNS}


def _check_container(file) -> None:
    """Reject what is not an .xlsx before openpyxl sees it, with a message the user can act on."""
    check_xlsx_container(file, max_bytes=MAX_UPLOAD_BYTES, max_inflated_bytes=MAX_UNCOMPRESSED_BYTES)


def _as_text(value) -> str | None:
    """Cell value as text, or None when the cell holds something that is not text (a date, TRUE)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    return None


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text.isdigit():
            return int(text)
    return None


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, bool) or isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return None
    text = value.strip().replace(",", "") if isinstance(value, str) else str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    # The model keeps one decimal place; areas computed in Excel often carry more.
    return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _max_length(column: Column) -> int | None:
    if column.field in ("district", "category"):
        return None
    return Unit._meta.get_field(column.field).max_length


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert_cell(column: Column, value, row_number: int, problems: list[RowProblem]):
    """The typed value of one cell, or a RowProblem appended and None returned."""
    def problem(message):
        problems.append(RowProblem(row_number, column.header, message))

    if _is_blank(value):
        if column.required:
            problem(_("必填项,不能为空"))
            return None
        return {"int": 0, "decimal": Decimal("0.0")}.get(column.kind, "")
    if column.kind == "int":
        number = _as_int(value)
        if number is None or number > 2_147_483_647:
            problem(_("应为不小于 0 的整数,实际为“%(value)s”") % {"value": value})
            return None
        return number
    if column.kind == "decimal":
        number = _as_decimal(value)
        if number is None:
            problem(_("应为不小于 0 的数字,实际为“%(value)s”") % {"value": value})
            return None
        if number >= Decimal("1000000000"):
            problem(_("数值过大(应小于 10 亿)"))
            return None
        return number
    text = _as_text(value)
    if text is None:
        problem(_("应为文本,请把单元格格式设为“文本”后重新填写"))
        return None
    limit = _max_length(column)
    if limit is not None and len(text) > limit:
        problem(_("不能超过 %(max)d 个字符(现有 %(len)d 个)") % {"max": limit, "len": len(text)})
        return None
    return text


def read_units_sheet(file) -> SheetRead:
    """Read an uploaded units sheet into typed rows and cell problems.

    Raises SpreadsheetError when the file as a whole is unusable (not an .xlsx, empty, too big,
    columns missing, no data)."""
    _check_container(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure to parse an uploaded file means "not a readable .xlsx"
        raise SpreadsheetError(
            _("无法读取该文件:请上传 Excel 2007 及以上版本保存的 .xlsx 文件(可先下载导入模板再填写)")
        ) from None
    try:
        return _read_rows(workbook)
    except SpreadsheetError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet part surfaces only while rows are parsed
        raise SpreadsheetError(_("文件已损坏或内容无法识别,请在 Excel 中另存为 .xlsx 后重新上传")) from None
    finally:
        workbook.close()


def _read_rows(workbook) -> SheetRead:
    if DATA_SHEET_TITLE in workbook.sheetnames:
        sheet = workbook[DATA_SHEET_TITLE]
    else:
        sheet = workbook.worksheets[0]
    header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), ())
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        column = HEADER_LOOKUP.get(_normalize_header(value))
        if column is None:
            continue  # extra columns (e.g. 备注) are ignored
        if column.field in positions:
            raise SpreadsheetError(_("列“%(name)s”出现了两次,请删除重复的列") % {"name": column.header})
        positions[column.field] = index
    missing = [column.header for column in UNIT_COLUMNS if column.field not in positions]
    if missing:
        raise SpreadsheetError(
            _("表格第一行缺少以下列:%(columns)s。请使用导入模板,不要修改第一行的列名")
            % {"columns": "、".join(missing)}
        )

    last_column = max(positions.values()) + 1
    rows: list[SheetRow] = []
    problems: list[RowProblem] = []
    ordered = [(COLUMN_BY_FIELD[name], index) for name, index in positions.items()]
    ordered.sort(key=lambda pair: UNIT_COLUMNS.index(pair[0]))
    for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=last_column, values_only=True), start=2):
        values = [cells[index] if index < len(cells) else None for _column, index in ordered]
        if all(_is_blank(value) for value in values):
            if number > MAX_SCANNED_ROWS:
                break
            continue
        if len(rows) >= MAX_ROWS or number > MAX_SCANNED_ROWS:
            raise SpreadsheetError(_("数据超过 %(max)d 行,请分批导入") % {"max": MAX_ROWS})
        row = SheetRow(number=number)
        for (column, _index), value in zip(ordered, values, strict=True):
            converted = _convert_cell(column, value, number, problems)
            if converted is not None:
                row.values[column.field] = converted
        rows.append(row)
    if not rows:
        raise SpreadsheetError(_("表格中没有单位数据:请从第2行开始填写,每行一个单位"))
    return SheetRead(rows=rows, problems=problems)


# --- writing ------------------------------------------------------------------------------------

def unit_row_values(unit: Unit) -> list:
    return [
        unit.code, unit.name, unit.short_name, unit.credit_code, unit.district.name,
        unit.get_category_display(), unit.address, unit.headcount, float(unit.floor_area),
        unit.contact_name, unit.contact_phone,
    ]


def build_units_workbook(units) -> bytes:
    """The export: the same columns as the import template, one row per unit, so it re-imports."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET_TITLE)
    for position, column in enumerate(UNIT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([safe_cell(sheet, column.header, font=HEADER_FONT, fill=HEADER_FILL) for column in UNIT_COLUMNS])
    for unit in units:
        sheet.append([
            safe_cell(sheet, value, text_format=column.text_format)
            for column, value in zip(UNIT_COLUMNS, unit_row_values(unit), strict=True)
        ])
    return workbook_bytes(workbook)


TEMPLATE_ROWS_WITH_LISTS = 20_000


def build_units_template(*, district_names: list[str], category_labels: list[str]) -> bytes:
    """The import template: the header row, an instructions sheet with the valid districts and
    categories, and drop-down lists on the district and category columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET_TITLE
    for position, column in enumerate(UNIT_COLUMNS, start=1):
        letter = get_column_letter(position)
        cell = write_cell(sheet, 1, position, column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[letter].width = column.width
        if column.text_format:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    required = "、".join(column.header for column in UNIT_COLUMNS if column.required)
    lines = [
        _("创建单位导入模板 · 填写说明"),
        "",
        _("1. 在“创建单位”表中从第2行开始填写,每行一个单位;不要修改第一行的列名。"),
        _("2. 必填列:%(columns)s。") % {"columns": required},
        _("3. 统一社会信用代码为18位数字或大写字母(不含 I、O、Z、S、V),含校验位。"),
        _("4. 所属区域、单位类别须为右侧列出的可选值之一(可用下拉框选择)。"),
        _("5. 编制人数填整数;建筑面积填数字(平方米,保留1位小数)。"),
        _("6. 单位编号已存在的行将更新该单位的信息(空白的选填项会被清空);单位编号不存在的行将新增单位。"),
        _("7. 任何一行有错误时整个文件都不会导入,请按提示修改后重新上传。"),
        _("8. 单个文件不超过 %(mb)d MB、%(rows)d 行。") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024), "rows": MAX_ROWS},
    ]
    for row, line in enumerate(lines, start=1):
        write_cell(help_sheet, row, 1, line)
    help_sheet["A1"].font = Font(bold=True, size=13)
    help_sheet.column_dimensions["A"].width = 80
    for letter, title, values in (("C", _("可选区域"), district_names), ("E", _("可选单位类别"), category_labels)):
        column_index = ord(letter) - ord("A") + 1
        write_cell(help_sheet, 1, column_index, title).font = Font(bold=True)
        help_sheet.column_dimensions[letter].width = 18
        for row, value in enumerate(values, start=2):
            # District names are typed by administrators: a name starting with "=" stays text.
            write_cell(help_sheet, row, column_index, value)

    for field_name, letter, values in (("district", "C", district_names), ("category", "E", category_labels)):
        if not values:
            continue
        position = UNIT_COLUMNS.index(COLUMN_BY_FIELD[field_name]) + 1
        target = get_column_letter(position)
        validation = DataValidation(
            type="list", formula1=f"'{HELP_SHEET_TITLE}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True, showErrorMessage=True,
            errorTitle=_("无效的值"), error=_("请从下拉列表中选择"),
        )
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS_WITH_LISTS + 1}")
        sheet.add_data_validation(validation)

    return workbook_bytes(workbook)
