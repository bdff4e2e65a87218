"""Exporting the filtered, scoped unit list to .xlsx, and importing it back."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UnitFactory
from tests.units.sheets import HEADERS, read_xlsx, upload
from units import services

pytestmark = pytest.mark.django_db


def test_unit_export_is_scoped_for_leader(client, leader_a, unit_a, unit_b):
    client.force_login(leader_a)
    response = client.get(reverse("units:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    assert [row["单位编号"] for row in rows] == [unit_a.code]
    assert rows[0]["统一社会信用代码"] == unit_a.credit_code
    assert rows[0]["所属区域"] == "甲区" and rows[0]["单位类别"] == "政府"


def test_unit_export_has_import_columns(client, admin_user, unit_a):
    client.force_login(admin_user)
    sheet = load_workbook(io.BytesIO(client.get(reverse("units:export")).content))["创建单位"]
    assert [cell.value for cell in sheet[1]] == HEADERS


def test_unit_export_follows_filters(client, admin_user, unit_a, unit_b):
    UnitFactory(district=unit_a.district, category="party", code="P001")
    client.force_login(admin_user)
    rows = read_xlsx(client.get(reverse("units:export"), {"district": unit_a.district.pk, "category": "party"}).content)
    assert [row["单位编号"] for row in rows] == ["P001"]
    rows = read_xlsx(client.get(reverse("units:export"), {"q": "乙区"}).content)
    assert [row["单位编号"] for row in rows] == [unit_b.code]


def test_unit_export_writes_formula_like_names_as_text(client, admin_user, district_a):
    UnitFactory(district=district_a, name="=HYPERLINK(\"http://x\",\"点我\")")
    client.force_login(admin_user)
    sheet = load_workbook(io.BytesIO(client.get(reverse("units:export")).content))["创建单位"]
    cell = sheet["B2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_unit_export_round_trips_through_import(client, leader_a, admin_user, unit_a, unit_b):
    client.force_login(leader_a)
    exported = client.get(reverse("units:export")).content
    result = services.units_import_xlsx(actor=admin_user, file=upload(exported))
    assert result.ok, result.errors or result.file_error
    assert (result.created_count, result.updated_count, result.unchanged) == (0, 0, 1)

    # Edited in Excel and re-imported: the unit with that code is updated.
    workbook = load_workbook(io.BytesIO(exported))
    workbook["创建单位"]["B2"] = "甲区发展改革局"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = services.units_import_xlsx(actor=admin_user, file=upload(buffer.getvalue()))
    assert [(item.code, item.changed) for item in result.updated] == [(unit_a.code, ("单位名称",))]
    unit_a.refresh_from_db()
    assert unit_a.name == "甲区发展改革局"
