import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from assessment.ledger import services, spreadsheets
from assessment.ledger.models import MonthlyRecord
from tests.ledger.conftest import TODAY, save_year

pytestmark = pytest.mark.django_db

HEADERS = [header for _key, header in spreadsheets.COLUMNS]


def _sheet(rows, headers=HEADERS, extra=None) -> SimpleUploadedFile:
    """A year sheet: `rows` maps month → list of the 12 cells after the month column."""
    wb = Workbook()
    ws = wb.active
    ws.title = spreadsheets.SHEET_TITLE
    ws.append(headers)
    for month in range(1, 13):
        ws.append([month] + list(rows.get(month, [])))
    for row in extra or []:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("ledger.xlsx", out.getvalue(), content_type=spreadsheets.XLSX_CONTENT_TYPE)


GOOD = [40000, 300, 1000, 0, 0, 0, 100, 750, 0, 120, 6000, ""]


def test_import_full_year(director_a, unit_a):
    records = services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025,
                                           file=_sheet({m: GOOD for m in range(1, 13)}), today=TODAY)
    assert len(records) == 12
    first = MonthlyRecord.objects.get(unit=unit_a, year=2025, month=1)
    assert (first.electricity_kwh, first.vehicle_gasoline_l, first.headcount) == (40000, 750, 120)


def test_import_rejects_bad_sheet_whole_naming_row_and_column(director_a, unit_a):
    save_year(unit_a, 2025, months=[1], electricity_kwh=Decimal(1))
    rows = {m: GOOD for m in range(1, 13)}
    rows[4] = [40000, 300, -5, 0, 0, 0, 100, 750, 0, 120, 6000, ""]  # row 5, column D: gas
    rows[9] = [40000, "很多", 1000, 0, 0, 0, 100, 750, 0, 120, 6000, ""]  # row 10, column C: water
    rows[11] = [40000, 300, 1000, 0, 0, 0, None, 750, 0, 120, 6000, ""]  # row 12, column H: paper blank
    with pytest.raises(ValidationError) as exc:
        services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025, file=_sheet(rows), today=TODAY)
    messages = exc.value.messages
    assert messages[0] == "表格有误,整张表未导入(未保存任何数据):"
    assert "第5行 D列(天然气(m³)):不能为负数" in messages
    assert "第10行 C列(用水量(m³)):应为数字,实际为“很多”" in messages
    assert "第12行 H列(用纸量(令)):未填写(没有用量请填0)" in messages
    # Nothing saved, nothing changed: the month already there keeps its value.
    assert MonthlyRecord.objects.filter(unit=unit_a).count() == 1
    assert MonthlyRecord.objects.get(unit=unit_a, month=1).electricity_kwh == 1


def test_import_rejects_wrong_header(director_a, unit_a):
    headers = list(HEADERS)
    headers[2] = "水"
    with pytest.raises(ValidationError) as exc:
        services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025,
                                     file=_sheet({1: GOOD}, headers=headers), today=TODAY)
    assert "第1行 C列:表头应为“用水量(m³)”,实际为“水”" in exc.value.messages
    assert not MonthlyRecord.objects.exists()


def test_import_rejects_future_month_extra_rows_and_decimals(director_a, unit_a):
    rows = {1: [40000.123, 300, 1000, 0, 0, 0, 100, 750, 0, 120.5, 6000, ""], 12: GOOD}
    with pytest.raises(ValidationError) as exc:
        services.records_import_xlsx(actor=director_a, unit=unit_a, year=2026,
                                     file=_sheet(rows, extra=[[13, 1]]), today=TODAY)
    messages = exc.value.messages
    assert "第2行 B列(用电量(kWh)):最多保留2位小数" in messages
    assert "第2行 K列(用能人数(人)):应为整数" in messages
    assert "第13行:2026年12月尚未到来,不能填报" in messages
    assert "第14行:模板只有1–12月共12行数据,多出的行请删除" in messages
    assert not MonthlyRecord.objects.exists()


def test_import_rejects_month_column_changed(director_a, unit_a):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append([2] + GOOD)
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationError) as exc:
        services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025,
                                     file=SimpleUploadedFile("x.xlsx", out.getvalue()), today=TODAY)
    assert "第2行 A列(月份):应为1(第2行是1月)" in exc.value.messages


def test_import_rejects_non_workbook(director_a, unit_a):
    with pytest.raises(ValidationError) as exc:
        services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025,
                                     file=SimpleUploadedFile("x.xlsx", b"not a zip"), today=TODAY)
    assert "不是有效的Excel" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025,
                                     file=SimpleUploadedFile("x.csv", b"a,b"), today=TODAY)


def test_import_empty_rows_leave_months_alone_and_blank_snapshot_uses_unit(director_a, unit_a):
    save_year(unit_a, 2025, months=[2], electricity_kwh=Decimal(7))
    row = [40000, 300, 1000, 0, 0, 0, 100, 750, 0, None, None, "抄表"]
    services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025, file=_sheet({1: row}), today=TODAY)
    jan = MonthlyRecord.objects.get(unit=unit_a, year=2025, month=1)
    assert (jan.headcount, jan.floor_area, jan.note) == (unit_a.headcount, unit_a.floor_area, "抄表")
    assert MonthlyRecord.objects.get(unit=unit_a, year=2025, month=2).electricity_kwh == 7


def test_import_accepts_numeric_text_and_float_noise(director_a, unit_a):
    row = ["40,000", "300.5", 0.1 + 0.2, 0, 0, 0, 100, 750, 0, 120, 6000, ""]
    services.records_import_xlsx(actor=director_a, unit=unit_a, year=2025, file=_sheet({1: row}), today=TODAY)
    jan = MonthlyRecord.objects.get(unit=unit_a, year=2025, month=1)
    assert (jan.electricity_kwh, jan.water_m3, jan.gas_m3) == (40000, Decimal("300.5"), Decimal("0.3"))


def test_template_round_trip(director_a, unit_a):
    save_year(unit_a, 2025, months=range(1, 7))
    content = spreadsheets.year_template(unit=unit_a, year=2025,
                                         records=MonthlyRecord.objects.filter(unit=unit_a).order_by("month"))
    wb = load_workbook(io.BytesIO(content))
    assert [c.value for c in wb[spreadsheets.SHEET_TITLE][1]] == HEADERS
    assert wb[spreadsheets.SHEET_TITLE]["B2"].value == 40000
    assert wb[spreadsheets.SHEET_TITLE]["B8"].value is None
    rows = spreadsheets.parse_year_sheet(SimpleUploadedFile("t.xlsx", content), year=2025, today=TODAY)
    assert sorted(rows) == [1, 2, 3, 4, 5, 6]
    assert rows[1]["electricity_kwh"] == 40000


def test_export_keeps_formula_like_names_as_text(unit_a):
    from assessment.ledger.selectors import PanelGroup, PanelUnitRow

    row = PanelUnitRow(unit_id=1, code="U1", name="=HYPERLINK(\"x\")", district="甲区", district_id=1,
                       category="government", category_label="政府", indicators=None, per_capita_target=None,
                       per_area_target=None, check=None, notes=["本年度无数据"])
    content = spreadsheets.panel_workbook(year=2025, unit_rows=[row], district_rows=[PanelGroup("1", "甲区")],
                                          category_rows=[])
    cell = load_workbook(io.BytesIO(content))["单位指标"]["B2"]
    assert cell.data_type == "s"
    assert cell.value == "=HYPERLINK(\"x\")"
