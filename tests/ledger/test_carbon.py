"""The carbon account: factors from the data file, the choice by year and grid, the worked example by
hand, and the account on the unit's report."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Q

from assessment.ledger import carbon, selectors
from assessment.ledger import indicators as ind
from assessment.ledger.models import EmissionFactor
from tests.ledger.conftest import save_year

D = Decimal
FILE_ROWS = {(r["kind"], r["grid"], r["year"]): r for r in carbon.load_default_factors()}
ELEC_2022 = FILE_ROWS[("electricity", "national", 2022)]["kgco2_per_unit"]
GAS = FILE_ROWS[("natural_gas", "", 2015)]["kgco2_per_unit"]
GASOLINE = FILE_ROWS[("gasoline", "", 2015)]["kgco2_per_unit"]
DIESEL = FILE_ROWS[("diesel", "", 2015)]["kgco2_per_unit"]
HEAT = FILE_ROWS[("heat", "", 2015)]["kgco2_per_unit"]
KGCE_TABLE = ind.FactorTable([
    ind.Factor(ind.ELECTRICITY, D("0.1229"), date(2000, 1, 1)),
    ind.Factor(ind.NATURAL_GAS, D("1.2143"), date(2000, 1, 1)),
    ind.Factor(ind.GASOLINE, D("1.4714"), date(2000, 1, 1), D("0.725")),
    ind.Factor(ind.DIESEL, D("1.4571"), date(2000, 1, 1), D("0.83")),
    ind.Factor(ind.HEAT, D("0.03412"), date(2000, 1, 1)),
])


def _table() -> carbon.EmissionTable:
    return carbon.EmissionTable(
        carbon.EmissionFactor(r["kind"], r["grid"], r["year"], r["kgco2_per_unit"], r["source"])
        for r in FILE_ROWS.values()
    )


def _months(**quantities):
    base = {name: D(0) for name in ind.FIELD_NAMES}
    base.update({k: D(v) for k, v in quantities.items()})
    return [ind.MonthInput(month=m, quantities=base, headcount=120, floor_area=D(6000)) for m in ind.MONTHS]


def _account(year, grid="national", **yearly):
    monthly = {k: D(v) / 12 for k, v in yearly.items()}
    totals = ind.totals_from_months(year, _months(**monthly), KGCE_TABLE)
    return carbon.compute_account(totals, _table().for_year(year, grid))


# --- the data file -----------------------------------------------------------------------------------

def test_data_file_electricity_factors_are_the_published_national_ones():
    assert FILE_ROWS[("electricity", "national", 2021)]["kgco2_per_unit"] == D("0.5568")
    assert ELEC_2022 == D("0.5366")
    assert FILE_ROWS[("electricity", "national", 2023)]["kgco2_per_unit"] == D("0.5306")
    for row in FILE_ROWS.values():
        assert row["source"] and row["verified"] in {"official", "press", "unchecked"}


def test_data_file_fuel_factors_follow_from_heating_value_carbon_content_and_oxidation():
    import yaml

    data = yaml.safe_load(carbon.DEFAULT_FACTORS_PATH.read_text(encoding="utf-8"))
    fuels = {row["kind"]: row for row in data["fuels"]}
    for kind in ("natural_gas", "gasoline", "diesel"):
        row = fuels[kind]
        derived = D(row["ncv_gj"]) * D(row["carbon_t_per_gj"]) * D(row["oxidation"]) * D(44) / D(12)
        assert derived.quantize(D("0.0001"), rounding=ROUND_HALF_UP) == D(row["factor"]), kind
    assert (GAS, GASOLINE, DIESEL, HEAT) == (D("2.1622"), D("2.9251"), D("3.0959"), D("0.11"))


@pytest.mark.django_db
def test_migration_loads_every_data_file_row():
    stored = {(f.kind, f.grid, f.year): f.kgco2_per_unit for f in EmissionFactor.objects.all()}
    assert stored == {key: row["kgco2_per_unit"] for key, row in FILE_ROWS.items()}


# --- choice of a factor ------------------------------------------------------------------------------

def test_factor_chosen_by_year_and_grid():
    table = _table()
    assert table.choose("electricity", 2021).factor.kgco2_per_unit == D("0.5568")
    assert table.choose("electricity", 2022).factor.kgco2_per_unit == D("0.5366")
    assert table.choose("electricity", 2022, "hebei").factor.kgco2_per_unit == D("0.7252")
    assert table.choose("electricity", 2022, "north").factor.kgco2_per_unit == D("0.6776")
    assert table.choose("electricity", 2023, "north").factor.kgco2_per_unit == D("0.6361")
    assert table.choose("electricity", 2022, "hebei").note == ""


def test_latest_published_year_serves_later_years():
    table = _table()
    chosen = table.choose("electricity", 2026)
    assert (chosen.factor.year, chosen.factor.kgco2_per_unit) == (2023, D("0.5306"))
    assert chosen.note == "2026年因子尚未发布,采用最近发布的2023年因子"
    # A province whose latest row is 2022 keeps it for 2023 on, until its 2023 row is entered.
    assert table.choose("electricity", 2024, "hebei").factor.year == 2022
    added = carbon.EmissionTable([*table._rows[("electricity", "national")],
                                  carbon.EmissionFactor("electricity", "national", 2025, D("0.5100"))])
    assert added.choose("electricity", 2026).factor.kgco2_per_unit == D("0.5100")
    assert added.choose("electricity", 2024).factor.year == 2023


def test_grid_without_rows_falls_back_to_national_and_early_years_to_the_earliest():
    table = _table()
    chosen = table.choose("electricity", 2022, "beijing")
    assert chosen.factor.grid == "national" and chosen.factor.kgco2_per_unit == D("0.5366")
    assert "未录入北京电力排放因子" in chosen.note
    early = table.choose("electricity", 2019)
    assert early.factor.year == 2021 and "早于最早发布的2021年因子" in early.note
    assert table.choose("natural_gas", 2030).factor.kgco2_per_unit == GAS
    assert table.choose("natural_gas", 2030).note == ""  # a standing default, not a yearly publication
    assert "早于" in table.choose("natural_gas", 2010).note


# --- the worked example ----------------------------------------------------------------------------------

def test_worked_example_electricity_only():
    account = _account(2022, electricity_kwh=480000)
    assert account.total_kg == D("257568")
    assert account.total_t == D("257.568")
    assert account.scope2_kg == D("257568") and account.scope1_kg == 0
    assert "用电量(范围二):480,000 kWh × 0.5366 kgCO₂/kWh = 257,568.0 kgCO₂" in account.lines
    assert "碳排放总量 = 0.0 + 257,568.0 = 257,568.0 kgCO₂ = 257.568 tCO₂(其中公务车用油 0.000 tCO₂)" in account.lines


def test_worked_example_with_gas_and_vehicle_gasoline():
    # 480,000 kWh, 12,000 m³ gas, 9,000 L official-vehicle gasoline; 120 people, 6,000 m².
    account = _account(2022, electricity_kwh=480000, gas_m3=12000, vehicle_gasoline_l=9000)
    electricity = D(480000) * ELEC_2022            # 257,568
    gas = D(12000) * GAS                           # 12,000 × 2.1622 = 25,946.4
    gasoline = D(9000) * D("0.725") * GASOLINE     # 6,525 kg × 2.9251 = 19,086.2775
    assert (electricity, gas, gasoline) == (D("257568"), D("25946.4"), D("19086.2775"))
    assert account.scope1_kg == gas + gasoline == D("45032.6775")
    assert account.scope2_kg == electricity
    assert account.total_kg == D("302600.6775")
    assert account.vehicle_kg == gasoline
    assert account.per_capita_t == D("302600.6775") / 1000 / 120  # 2.522 tCO₂/人
    assert account.per_area_kg == (electricity + gas) / 6000  # 47.25 kgCO₂/m², vehicles left out
    assert account.lines == (
        "用电量(范围二):480,000 kWh × 0.5366 kgCO₂/kWh = 257,568.0 kgCO₂",
        "天然气(范围一):12,000 m³ × 2.1622 kgCO₂/m³ = 25,946.4 kgCO₂",
        "公务车汽油(范围一):9,000 L × 0.725 kg/L × 2.9251 kgCO₂/kg = 19,086.3 kgCO₂",
        "范围一(直接排放)= 45,032.7 kgCO₂;范围二(外购电力、热力)= 257,568.0 kgCO₂",
        "碳排放总量 = 45,032.7 + 257,568.0 = 302,600.7 kgCO₂ = 302.601 tCO₂(其中公务车用油 19.086 tCO₂)",
        "人均碳排放 = 302.601 tCO₂ ÷ 120 人 = 2.522 tCO₂/人",
        "单位建筑面积碳排放(不含公务车用油)= 283,514.4 kgCO₂ ÷ 6,000 m² = 47.25 kgCO₂/m²",
    )


def test_heat_and_diesel_scopes_and_missing_headcount():
    months = _months(heat_mj=1000, diesel_l=100)
    months = [ind.MonthInput(m.month, m.quantities, 0, D(0)) for m in months]
    account = carbon.compute_account(ind.totals_from_months(2023, months, KGCE_TABLE), _table().for_year(2023))
    assert account.scope2_kg == D(12000) * HEAT
    assert account.scope1_kg == D(1200) * D("0.83") * DIESEL
    assert account.per_capita_t is None and account.per_area_kg is None
    assert "用能人数为0,人均碳排放无法计算" in account.lines


def test_change_against_baseline_and_prorated_target():
    current = _account(2023, electricity_kwh=480000)
    baseline = _account(2022, electricity_kwh=480000)
    changes = carbon.compute_changes(current, baseline)
    # Same consumption, cleaner grid: 0.5306 against 0.5366.
    assert changes["total_t"].pct == D("-1.12")
    check = carbon.check_target(current, per_capita_target_t=D("2"), per_area_target_kg=D("40"))
    assert check.per_capita_over is True  # 2.122 > 2
    assert check.per_area_over is True  # 42.45 > 40
    assert not carbon.check_target(current, per_capita_target_t=D("3"), per_area_target_kg=None).over


# --- selectors ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_unit_report_carries_carbon_account_with_campaign_grid(unit_a, settings):
    from assessment.models import Campaign, RubricVersion

    save_year(unit_a, 2021, electricity_kwh=D(40000), gas_m3=D(0), vehicle_gasoline_l=D(0))
    save_year(unit_a, 2022, electricity_kwh=D(40000), gas_m3=D(0), vehicle_gasoline_l=D(0))
    report = selectors.unit_ledger_report(unit=unit_a, year=2022, today=date(2026, 11, 27))
    assert report.carbon.account.total_kg == D("257568")
    assert report.carbon.baseline.total_kg == D(480000) * D("0.5568")
    assert report.carbon.changes["total_t"].pct == D("-3.63")

    settings.GREENOFFICE_ELECTRICITY_GRID = "north"
    assert selectors.unit_carbon_report(unit=unit_a, year=2022).account.total_kg == D(480000) * D("0.6776")
    rubric = RubricVersion.objects.create(code="GO", version=1, title="细则", total_points=100, pass_mark=80,
                                          minor_deduction=D("0.5"), serious_deduction=1, deduction_cap=10)
    Campaign.objects.create(year=2022, name="2022", rubric=rubric, electricity_grid="hebei")
    assert selectors.unit_carbon_report(unit=unit_a, year=2022).account.total_kg == D(480000) * D("0.7252")


@pytest.mark.django_db
def test_unit_carbon_report_query_count(unit_a, django_assert_num_queries):
    save_year(unit_a, 2022)
    save_year(unit_a, 2023)
    with django_assert_num_queries(5):
        report = selectors.unit_carbon_report(unit=unit_a, year=2023)
    assert report.account.complete and report.baseline is not None


@pytest.mark.django_db
def test_aggregate_totals_give_the_same_account(unit_a):
    save_year(unit_a, 2022, heat_mj=D(500), diesel_l=D(10))
    totals = selectors.aggregate_year_totals(year=2022, table=selectors.factor_table(), record_filter=Q(unit=unit_a))
    factors = selectors.emission_table().for_year(2022, "national")
    via_db = carbon.compute_account(totals[unit_a.pk], factors)
    via_report = selectors.unit_carbon_report(unit=unit_a, year=2022).account
    assert via_db.total_kg == via_report.total_kg
    assert via_db.lines == via_report.lines


@pytest.mark.django_db
def test_unit_page_shows_carbon_account(client, director_a, unit_a):
    from django.urls import reverse

    save_year(unit_a, 2022)
    client.force_login(director_a)
    html = client.get(reverse("ledger:unit_year", args=[unit_a.pk, 2022])).content.decode()
    assert "2022年碳排放核算(tCO₂)" in html
    assert "302.601" in html and "2.522" in html and "47.25" in html
    assert "用电量(范围二):480,000 kWh × 0.5366 kgCO₂/kWh = 257,568.0 kgCO₂" in html
    assert "核算边界" in html


@pytest.mark.django_db
def test_new_published_year_entered_through_the_service_serves_later_years(unit_a, admin_user, director_a):
    from django.core.exceptions import PermissionDenied, ValidationError

    from assessment.ledger.services import emission_factor_set
    from greenoffice.models import AuditEvent

    save_year(unit_a, 2025, electricity_kwh=D(1000), gas_m3=D(0), vehicle_gasoline_l=D(0))
    assert selectors.unit_carbon_report(unit=unit_a, year=2025).account.total_kg == D(12000) * D("0.5306")
    emission_factor_set(actor=admin_user, kind="electricity", grid="national", year=2024,
                        kgco2_per_unit="0.5200", source="测试:2024年因子")
    assert selectors.unit_carbon_report(unit=unit_a, year=2025).account.total_kg == D(12000) * D("0.52")
    assert AuditEvent.objects.filter(action="ledger_emission_factor_set").count() == 1
    with pytest.raises(ValidationError):
        emission_factor_set(actor=admin_user, kind="electricity", grid="", year=2024, kgco2_per_unit="1",
                            source="x")
    with pytest.raises(PermissionDenied):
        emission_factor_set(actor=director_a, kind="heat", year=2024, kgco2_per_unit="1", source="x")


@pytest.mark.django_db
def test_carbon_intensity_target_set_and_checked(unit_a, admin_user):
    from assessment.ledger.services import target_set
    from assessment.models import Campaign, RubricVersion

    rubric = RubricVersion.objects.create(code="GO", version=1, title="细则", total_points=100, pass_mark=80,
                                          minor_deduction=D("0.5"), serious_deduction=1, deduction_cap=10)
    campaign = Campaign.objects.create(year=2023, name="2023", rubric=rubric)
    target_set(actor=admin_user, campaign=campaign, per_capita_tco2=D("2"), per_area_kgco2=D("50"))
    save_year(unit_a, 2023, electricity_kwh=D(40000), gas_m3=D(0), vehicle_gasoline_l=D(0))
    report = selectors.unit_carbon_report(unit=unit_a, year=2023)
    # 480,000 × 0.5306 = 254,688 kg: 2.122 t per person (over 2), 42.45 kg/m² (under 50).
    assert report.has_target
    assert report.target_check.per_capita_over and not report.target_check.per_area_over


@pytest.mark.django_db
def test_campaign_form_and_service_set_the_electricity_grid(admin_user):
    from assessment.forms.campaign import CampaignForm
    from assessment.models import RubricVersion
    from assessment.services.campaign import campaign_create, campaign_update

    form = CampaignForm()
    assert ("hebei", "河北") in form.fields["electricity_grid"].choices
    assert not form.fields["electricity_grid"].required
    rubric = RubricVersion.objects.create(code="GO", version=1, title="细则", total_points=100, pass_mark=80,
                                          minor_deduction=D("0.5"), serious_deduction=1, deduction_cap=10,
                                          status="published")
    campaign = campaign_create(actor=admin_user, year=2024, rubric=rubric)
    assert campaign.electricity_grid == "" and selectors.electricity_grid(campaign) == "national"
    campaign = campaign_update(actor=admin_user, campaign=campaign, electricity_grid="south")
    assert selectors.electricity_grid(campaign) == "south"
