"""The ledger's .xlsx files (openpyxl): a year's template to fill in, its strict parser, and the
inspectors' export of indicators.

The parser checks every cell before anything is saved and names each bad cell by row and column
(“第5行 D列(天然气(m³)):不能为负数”), because the person fixing the sheet sees it in Excel, not here.
Only the first rows and columns are read (read-only mode), so a huge or hostile file costs little.
Cells, styles and the container check come from greenoffice.spreadsheets (shared by every export).
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessment.ledger import indicators
from greenoffice.spreadsheets import (
    XLSX_CONTENT_TYPE,
    SpreadsheetError,
    cell_label,
    check_xlsx_container,
    workbook_bytes,
    write_cell,
    write_header,
)

__all__ = ["XLSX_CONTENT_TYPE", "SHEET_TITLE", "COLUMNS", "year_template", "parse_year_sheet", "panel_workbook"]

SHEET_TITLE = "台账"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# The filled-in template inflates to well under 1 MB; a zip bomb to gigabytes.
MAX_INFLATED_BYTES = 50 * 1024 * 1024
MAX_ERRORS_SHOWN = 30
# Rows read past the twelve months, to refuse a sheet with extra data rather than ignore it.
EXTRA_ROWS_CHECKED = 30


def _columns():
    """(key, header) in sheet order. Headers are part of the format: the parser insists on them."""
    cols = [("month", "月份")]
    cols += [(qf.name, f"{qf.label}({qf.unit})") for qf in indicators.QUANTITY_FIELDS]
    cols += [("headcount", "用能人数(人)"), ("floor_area", "建筑面积(m²)"), ("note", "备注")]
    return cols


COLUMNS = _columns()
QUANTITY_KEYS = indicators.FIELD_NAMES
DECIMAL_PLACES = {**{name: 2 for name in QUANTITY_KEYS}, "headcount": 0, "floor_area": 1}


def _safe_text(cell, value):
    """Store text as text: a unit name starting with “=” must not become a formula in Excel."""
    write_cell(cell.parent, cell.row, cell.column, value)


def _header_row(ws, headers, row=1):
    write_header(ws, headers, row=row)


def _save(wb) -> bytes:
    return workbook_bytes(wb)


def year_template(*, unit, year: int, records) -> bytes:
    """The sheet to fill in for a year, prefilled with the months already recorded."""
    by_month = {r.month: r for r in records}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    _header_row(ws, [header for _key, header in COLUMNS])
    for month in indicators.MONTHS:
        row = month + 1
        ws.cell(row=row, column=1, value=month)
        record = by_month.get(month)
        if record is None:
            continue
        for col, (key, _header) in enumerate(COLUMNS[1:], start=2):
            value = getattr(record, key)
            if key == "note":
                _safe_text(ws.cell(row=row, column=col), value or None)
            else:
                ws.cell(row=row, column=col, value=int(value) if key == "headcount" else float(value))
    last_col = get_column_letter(len(COLUMNS) - 1)
    check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, errorTitle="数值无效", error="请填写不小于0的数字")
    ws.add_data_validation(check)
    check.add(f"B2:{last_col}13")

    notes = wb.create_sheet("填表说明")
    lines = [
        ("单位", f"{unit.code} {unit.name}"),
        ("年度", str(year)),
        ("填写方法", "每行一个月,第2–13行依次为1–12月;不要改动第1行表头和A列月份。"),
        ("没有用量", "当月没有用量的项目填0;整行留空表示该月暂不填报(已有数据保持不变)。"),
        ("公务车用油", "公务车辆的汽油、柴油填在“公务车汽油/公务车柴油”两列,不要计入其他汽油、柴油。"),
        ("用能人数、建筑面积", f"留空则按单位登记信息({unit.headcount}人,{unit.floor_area}m²)填写。"),
        ("校验", "上传时逐格检查:任何一格有误,整张表都不会导入,并提示出错的行和列。"),
    ]
    for row, (label, text) in enumerate(lines, start=1):
        _safe_text(notes.cell(row=row, column=1), label)
        notes.cell(row=row, column=1).font = Font(bold=True)
        _safe_text(notes.cell(row=row, column=2), text)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    return _save(wb)


# --- parsing ---------------------------------------------------------------------------------------

class _CellError(Exception):
    pass


def _number(value, places: int) -> Decimal:
    if isinstance(value, bool) or isinstance(value, (date,)):
        raise _CellError(_("应为数字"))
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
        if isinstance(value, float):
            # Excel keeps binary floats; 123.45 typed in a cell must not fail as “too many decimals”.
            rounded = number.quantize(Decimal(1).scaleb(-places))
            if abs(number - rounded) < Decimal("0.000001"):
                number = rounded
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _CellError(_("应为数字,实际为“%(value)s”") % {"value": value.strip()[:20]}) from None
        if not number.is_finite():
            raise _CellError(_("应为数字"))
    else:
        raise _CellError(_("应为数字"))
    if number < 0:
        raise _CellError(_("不能为负数"))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise _CellError(_("应为整数"))
        raise _CellError(_("最多保留%(places)s位小数") % {"places": places})
    if number >= Decimal(10) ** 12:
        raise _CellError(_("数值过大"))
    return number


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _month_of(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().removesuffix("月")
        if text.isdigit():
            return int(text)
    return None


def _where(row: int, col: int) -> str:
    return cell_label(row, col, COLUMNS[col - 1][1] if col <= len(COLUMNS) else "")


def _refuse_zip_bomb(file) -> None:
    """A 2 MB .xlsx can inflate to gigabytes (openpyxl reads the shared strings whole): judge the
    inflated size from the archive's directory before openpyxl opens anything."""
    try:
        check_xlsx_container(file, max_bytes=MAX_IMPORT_BYTES, max_inflated_bytes=MAX_INFLATED_BYTES)
    except SpreadsheetError as exc:
        if exc.code == "inflated":
            raise ValidationError(_("文件解压后过大,不是系统下载的模板,请使用系统下载的模板")) from None
        if exc.code == "too_big":
            raise ValidationError(_("文件过大(上限2MB),请使用系统下载的模板")) from None
        raise ValidationError(_("文件不是有效的Excel(.xlsx)表格,请使用系统下载的模板")) from None


def parse_year_sheet(file, *, year: int, today: date) -> dict[int, dict]:
    """month → values for every filled month row, or ValidationError listing every bad cell."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_IMPORT_BYTES:
        raise ValidationError(_("文件过大(上限2MB),请使用系统下载的模板"))
    name = str(getattr(file, "name", "") or "")
    if name and not name.lower().endswith(".xlsx"):
        raise ValidationError(_("只能上传Excel(.xlsx)文件,请使用系统下载的模板"))
    _refuse_zip_bomb(file)
    try:
        file.seek(0)
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("文件不是有效的Excel(.xlsx)表格,请使用系统下载的模板")) from None
    try:
        ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
        grid = [list(row) for row in ws.iter_rows(min_row=1, max_row=13 + EXTRA_ROWS_CHECKED,
                                                   max_col=len(COLUMNS), values_only=True)]
    finally:
        wb.close()
    grid = [row + [None] * (len(COLUMNS) - len(row)) for row in grid]

    errors: list[str] = []
    header = grid[0] if grid else [None] * len(COLUMNS)
    for col, (_key, expected) in enumerate(COLUMNS, start=1):
        actual = header[col - 1]
        if str(actual or "").strip() != expected:
            errors.append(_("第1行 %(col)s列:表头应为“%(expected)s”,实际为“%(actual)s”") % {
                "col": get_column_letter(col), "expected": expected, "actual": str(actual or "").strip()[:30]})
    if errors:
        raise ValidationError([_("表头与模板不一致,请使用系统下载的模板:")] + errors)

    rows: dict[int, dict] = {}
    for month in indicators.MONTHS:
        row_no = month + 1
        cells = grid[row_no - 1] if row_no - 1 < len(grid) else [None] * len(COLUMNS)
        if _month_of(cells[0]) != month:
            errors.append(f"{_where(row_no, 1)}:" + _("应为%(month)s(第%(row)s行是%(month)s月)") % {
                "month": month, "row": row_no})
            continue
        quantity_cells = cells[1:1 + len(QUANTITY_KEYS)]
        if all(_blank(v) for v in quantity_cells):
            continue  # a month not reported yet
        if (year, month) > (today.year, today.month):
            errors.append(_("第%(row)s行:%(year)s年%(month)s月尚未到来,不能填报") % {
                "row": row_no, "year": year, "month": month})
            continue
        values: dict = {}
        errors_before = len(errors)
        for col, (key, _header) in enumerate(COLUMNS[1:], start=2):
            value = cells[col - 1]
            if key == "note":
                values["note"] = "" if _blank(value) else str(value).strip()[:500]
                continue
            if _blank(value):
                if key in QUANTITY_KEYS:
                    errors.append(f"{_where(row_no, col)}:" + _("未填写(没有用量请填0)"))
                else:
                    values[key] = None  # headcount/area: the unit's own figure
                continue
            try:
                values[key] = _number(value, DECIMAL_PLACES[key])
            except _CellError as exc:
                errors.append(f"{_where(row_no, col)}:{exc}")
        if len(errors) == errors_before:
            rows[month] = values
    for offset, cells in enumerate(grid[13:], start=14):
        if any(not _blank(v) for v in cells):
            errors.append(_("第%(row)s行:模板只有1–12月共12行数据,多出的行请删除") % {"row": offset})
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("……共%(count)s处错误,仅显示前%(shown)s处")
                         % {"count": len(errors), "shown": MAX_ERRORS_SHOWN})
        raise ValidationError([_("表格有误,整张表未导入(未保存任何数据):")] + shown)
    return rows


# --- export ----------------------------------------------------------------------------------------

def panel_workbook(*, year: int, unit_rows, district_rows, category_rows) -> bytes:
    """The inspectors' export: one row per unit, then the district and category summaries."""
    wb = Workbook()
    ws = wb.active
    ws.title = "单位指标"
    headers = ["单位编号", "单位名称", "区域", "单位类别", "已填报月份", "综合能耗(kgce)", "其中公务车用油(kgce)",
               "人均综合能耗(kgce/人)", "单位建筑面积能耗(kgce/m²)", "人均用水量(m³/人)", "人均用纸量(令/人)",
               "用电量(kWh)", "人均目标(kgce/人)", "面积目标(kgce/m²)", "超出目标", "数据提示"]
    _header_row(ws, headers)
    for r, row in enumerate(unit_rows, start=2):
        ind = row.indicators
        values = [
            row.code, row.name, row.district, row.category_label, row.months_label,
            _num(ind.total_kgce if ind else None, 1), _num(ind.vehicle_kgce if ind else None, 1),
            _num(ind.per_capita_kgce if ind else None, 1), _num(ind.per_area_kgce if ind else None, 2),
            _num(ind.water_per_capita if ind else None, 2), _num(ind.paper_per_capita if ind else None, 2),
            _num(ind.electricity_kwh if ind else None, 0),
            _num(row.per_capita_target, 1), _num(row.per_area_target, 2),
            "是" if row.over_target else "", ";".join(row.notes),
        ]
        for c, value in enumerate(values, start=1):
            _safe_text(ws.cell(row=r, column=c), value)
    for title, rows in (("按区域", district_rows), ("按单位类别", category_rows)):
        sheet = wb.create_sheet(title)
        _header_row(sheet, [title[1:], "单位数", "有数据单位数", "全年数据完整单位数", "综合能耗(kgce)",
                            "人均综合能耗(kgce/人)", "单位建筑面积能耗(kgce/m²)", "人均用水量(m³/人)",
                            "超出目标单位数"])
        for r, g in enumerate(rows, start=2):
            for c, value in enumerate([g.label, g.unit_count, g.reporting_count, g.complete_count,
                                       _num(g.total_kgce, 1), _num(g.per_capita_kgce, 1),
                                       _num(g.per_area_kgce, 2), _num(g.water_per_capita, 2), g.over_target_count],
                                      start=1):
                _safe_text(sheet.cell(row=r, column=c), value)
    info = wb.create_sheet("说明")
    _safe_text(info.cell(row=1, column=1), f"{year}年能源资源消耗指标,按已填报月份累计;单位建筑面积能耗不含公务车用油;"
               "目标按已填报月数折算(年度目标 × 月数 ÷ 12)。")
    return _save(wb)


def _num(value, places: int):
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal(1).scaleb(-places)))
