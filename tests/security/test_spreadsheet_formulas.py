"""Spreadsheet formula injection: every .xlsx export, given unit and district names (and a ledger note)
that start with "=", "+", "-" or "@", stores them as string cells; no export holds a formula cell.
All exports write through greenoffice.spreadsheets."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from greenoffice.spreadsheets import FORMULA_PREFIXES, TableBook, safe_cell, write_cell
from tests.dashboard import conftest as dashboard_fixtures
from tests.ledger.conftest import save_year
from units.models import District, Unit

pytestmark = pytest.mark.django_db

# The dashboard suite's small city, re-used by name (its rubric and campaigns come with it).
city = dashboard_fixtures.city
campaign = dashboard_fixtures.campaign
last_campaign = dashboard_fixtures.last_campaign
rubric = dashboard_fixtures.rubric

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example","点击查看")',
    "+": "+cmd|'/C calc'!A0",
    "-": "-2+3+cmd|'/C calc'!A0",
    "@": "@SUM(1+1)*cmd|'/C calc'!A0",
}
HOSTILE_DISTRICT = "=1+1 区"


def cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_safe(content: bytes, expected=()) -> None:
    """No formula cell anywhere; every text starting with a formula character is a string cell; each
    expected value is there, as typed."""
    seen = set()
    for cell in cells(content):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            seen.add(cell.value)
    missing = [value for value in expected if value not in seen]
    assert not missing, missing


def _rename(units, district=None):
    for unit, name in zip(units, HOSTILE.values(), strict=False):
        Unit.objects.filter(pk=unit.pk).update(name=name)
    if district is not None:
        District.objects.filter(pk=district.pk).update(name=HOSTILE_DISTRICT)


def test_formula_injection_shared_writers_store_text_and_keep_numbers():
    book = TableBook()
    sheet = book.sheet("t", ["名称", "数"], [[value, 3] for value in HOSTILE.values()])
    assert sheet is not None
    assert_safe(book.to_bytes(), expected=HOSTILE.values())
    from openpyxl import Workbook

    workbook = Workbook()
    assert write_cell(workbook.active, 1, 1, "=1+1").data_type == "s"
    assert write_cell(workbook.active, 1, 2, 5).data_type == "n"
    assert safe_cell(Workbook(write_only=True).create_sheet("x"), "-1").data_type == "s"


def test_formula_injection_units_export_and_import_template(client, admin_user, unit_a, unit_b, district_a):
    _rename([unit_a, unit_b], district_a)
    client.force_login(admin_user)
    export = client.get(reverse("units:export"))
    assert export.status_code == 200
    assert_safe(export.content, expected=[HOSTILE["="], HOSTILE["+"], HOSTILE_DISTRICT])
    template = client.get(reverse("units:import_template"))
    assert template.status_code == 200
    assert_safe(template.content, expected=[HOSTILE_DISTRICT])


def test_formula_injection_ledger_template_and_panel_export(client, inspector_a, director_a, unit_a, district_a):
    save_year(unit_a, 2025, note="=HYPERLINK(\"http://evil.example\",\"备注\")")
    _rename([unit_a], district_a)
    client.force_login(director_a)
    template = client.get(reverse("ledger:year_template", args=[unit_a.pk, 2025]))
    assert template.status_code == 200
    assert_safe(template.content, expected=['=HYPERLINK("http://evil.example","备注")'])
    client.force_login(inspector_a)
    export = client.get(reverse("ledger:panel_export"), {"year": 2025})
    assert export.status_code == 200
    assert_safe(export.content, expected=[HOSTILE["="], HOSTILE_DISTRICT])


@pytest.mark.parametrize("url_name", ["dashboard:battle_map", "dashboard:targets", "dashboard:scores",
                                      "dashboard:supervision"])
def test_formula_injection_dashboard_exports(client, city, leader_city, district_a, url_name):
    units = city["units"]
    _rename([units["unit_a"], units["a2"], units["a3"], units["unit_b"]], district_a)
    client.force_login(leader_city)
    response = client.get(reverse(url_name), {"format": "xlsx"})
    assert response.status_code == 200
    expected = {
        # Every enrolled unit is on the battle map; the score ranking lists the reviewed ones.
        "dashboard:battle_map": list(HOSTILE.values()) + [HOSTILE_DISTRICT],
        "dashboard:scores": [HOSTILE["="], HOSTILE["+"], HOSTILE["@"]],
        "dashboard:targets": [HOSTILE_DISTRICT],
    }.get(url_name, [])
    assert_safe(response.content, expected=expected)
