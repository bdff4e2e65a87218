"""The carbon panel: the ledger's carbon account summed by district and category, the trend, the units
whose emissions rose most, its export, and a query count that does not grow with the units."""
import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.ledger.models import MonthlyRecord
from greenoffice.dashboard.selectors.carbon import carbon_panel
from tests.dashboard.conftest import YEAR
from tests.dashboard.test_views import xlsx_text
from tests.factories import next_credit_code
from tests.ledger.conftest import ensure_emission_factors
from units.models import Unit, UnitCategory

pytestmark = pytest.mark.django_db
D = Decimal
# The campaign year 2026 and 2025 have no published factor yet: the 2023 national one serves them.
FACTOR = D("0.5306")
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _factors(db):
    ensure_emission_factors()


def records(unit, year, months, kwh, **extra):
    MonthlyRecord.objects.bulk_create([
        MonthlyRecord(unit=unit, year=year, month=m, electricity_kwh=D(kwh), headcount=100, floor_area=D(5000),
                      **extra)
        for m in months
    ])


def test_carbon_panel_sums_by_district_and_lists_the_rise(city, leader_city, scope_for):
    units = city["units"]
    records(units["unit_a"], YEAR, (1, 2, 3), 40000)
    records(units["unit_a"], YEAR - 1, (1, 2, 3, 4), 30000)  # April is not compared: not in 2026 yet
    records(units["a2"], YEAR, (1, 2, 3), 10000, gas_m3=D(100))
    records(units["unit_b"], YEAR, (1, 2, 3), 20000)
    records(units["unit_b"], YEAR - 1, (1, 2, 3), 25000)

    panel = carbon_panel(scope_for(leader_city))
    assert panel.year == YEAR and panel.grid_label == "全国"
    a = next(g for g in panel.districts if g.label == "甲区")
    gas = D(300) * D("2.1622")
    assert a.total_kg == D(120000) * FACTOR + D(30000) * FACTOR + gas
    assert a.scope1_kg == gas
    assert (a.reporting, a.units) == (2, 7)
    assert a.compared == 1 and a.change_pct == D("33.33")  # unit_a: 120,000 against 90,000 kWh
    assert panel.totals.total_kg == a.total_kg + D(60000) * FACTOR
    # Only unit_a rose (unit_b fell); the rise is in tonnes over the same months.
    assert [r.code for r in panel.risers] == [units["unit_a"].code]
    assert panel.risers[0].rise_t == D(30000) * FACTOR / 1000
    assert panel.trend["series"][YEAR][0] == (D(40000 + 10000 + 20000) * FACTOR + D(100) * D("2.1622")) / 1000
    assert panel.trend["series"][YEAR - 1][3] == D(30000) * FACTOR / 1000


def test_carbon_panel_follows_the_campaigns_grid(city, leader_city, scope_for, campaign):
    records(city["units"]["unit_a"], YEAR, (1,), 1000)
    campaign.electricity_grid = "north"
    campaign.save()
    panel = carbon_panel(scope_for(leader_city))
    assert panel.totals.total_kg == D(1000) * D("0.6361")
    assert panel.grid_label == "华北区域"
    assert any("2026年因子尚未发布,采用最近发布的2023年因子" in note for note in panel.factor_notes)


def test_carbon_panel_page_and_export(client, city, leader_a):
    records(city["units"]["unit_a"], YEAR, (1, 2, 3), 40000)
    records(city["units"]["unit_a"], YEAR - 1, (1, 2, 3), 30000)
    records(city["units"]["unit_b"], YEAR, (1, 2, 3), 99000)
    client.force_login(leader_a)
    html = client.get(reverse("dashboard:carbon"), headers={"HX-Request": "true"}).content.decode()
    assert "63.7" in html  # 120,000 kWh × 0.5306 = 63.672 t
    assert city["units"]["unit_a"].name in html and "+15.9" in html and "+33.33%" in html
    assert "乙区" not in html
    text = xlsx_text(client.get(reverse("dashboard:carbon"), {"format": "xlsx"}))
    assert "63.672" in text and city["units"]["unit_a"].code in text
    assert "乙区" not in text and city["units"]["unit_b"].code not in text


def _grow(districts, n):
    batch = next(_serial)
    units = Unit.objects.bulk_create([
        Unit(code=f"C{batch:02d}{i:05d}", name=f"碳扩容单位{batch}-{i}", credit_code=next_credit_code(),
             district=districts[i % len(districts)], category=UnitCategory.GOVERNMENT)
        for i in range(n)
    ])
    MonthlyRecord.objects.bulk_create([
        MonthlyRecord(unit=u, year=y, month=m, electricity_kwh=D(1000 + i + (100 if y == YEAR else 0)), gas_m3=D(i % 7),
                      vehicle_gasoline_l=D(i % 5), headcount=50, floor_area=D(2000))
        for i, u in enumerate(units) for y in (YEAR - 1, YEAR) for m in (1, 2, 3)
    ])


@pytest.mark.parametrize("export", [False, True], ids=["html", "xlsx"])
def test_carbon_panel_query_count_is_flat(client, city, leader_city, district_a, district_b, export,
                                          django_assert_num_queries):
    client.force_login(leader_city)
    params = {"format": "xlsx"} if export else {}
    headers = {} if export else {"HX-Request": "true"}
    _grow([district_a, district_b], 10)
    client.get(reverse("dashboard:carbon"), params, headers=headers)  # warm-up
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard:carbon"), params, headers=headers).status_code == 200
    _grow([district_a, district_b], 990)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("dashboard:carbon"), params, headers=headers)
    assert response.status_code == 200
    if not export:
        assert "碳扩容单位" in response.content.decode()  # every grown unit rose by 300 kWh: listed


def test_carbon_panel_is_served_from_the_cache_until_a_ledger_month_is_saved(
        client, city, leader_city, settings, director_a, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from assessment.ledger.services import record_save
    from tests.ledger.conftest import month_data

    settings.GREENOFFICE_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(leader_city)
    url, headers = reverse("dashboard:carbon"), {"HX-Request": "true"}
    first = client.get(url, headers=headers).content.decode()
    assert "暂无较上年同期增加的单位" in first
    with CaptureQueriesContext(connection) as hit:
        assert client.get(url, headers=headers).content.decode() == first
    assert not any("ledger_monthlyrecord" in q["sql"] for q in hit.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        record_save(actor=director_a, unit=city["units"]["unit_a"], year=YEAR, month=1,
                    data=month_data(), today=datetime.date(YEAR, 6, 15))
    assert client.get(url, headers=headers).content.decode() != first
    cache.clear()
