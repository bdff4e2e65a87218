"""The pure calculations, checked against numbers computed by hand."""
from datetime import date
from decimal import Decimal

import pytest

from assessment.ledger import indicators as ind

D = Decimal
DEFAULT_FACTORS = ind.FactorTable([
    ind.Factor(ind.ELECTRICITY, D("0.1229"), date(2000, 1, 1)),
    ind.Factor(ind.NATURAL_GAS, D("1.2143"), date(2000, 1, 1)),
    ind.Factor(ind.GASOLINE, D("1.4714"), date(2000, 1, 1), density=D("0.725")),
    ind.Factor(ind.DIESEL, D("1.4571"), date(2000, 1, 1), density=D("0.83")),
    ind.Factor(ind.HEAT, D("0.03412"), date(2000, 1, 1)),
])


def month(m, headcount=120, area=6000, **quantities):
    return ind.MonthInput(month=m, quantities={k: D(v) for k, v in quantities.items()}, headcount=headcount,
                          floor_area=D(area))


def worked_year(year=2025, **extra):
    months = [month(m, electricity_kwh=40000, gas_m3=1000, vehicle_gasoline_l=750, **extra) for m in range(1, 13)]
    return ind.compute_indicators(ind.totals_from_months(year, months, DEFAULT_FACTORS))


def test_indicators_worked_example_by_hand():
    # 480000×0.1229 = 58,992; 12000×1.2143 = 14,571.6; 9000×0.725×1.4714 = 9,600.885
    result = worked_year()
    assert result.kgce_by_field["electricity_kwh"] == D("58992.0000")
    assert result.kgce_by_field["gas_m3"] == D("14571.6000")
    assert result.vehicle_kgce == D("9600.885000")
    assert result.total_kgce == D("83164.485")
    assert ind.fmt(result.total_kgce) == "83,164.5"
    assert result.per_capita_kgce.quantize(D("0.1")) == D("693.0")
    # Per floor area leaves the official-vehicle gasoline out: (58,992 + 14,571.6) ÷ 6,000.
    assert result.building_kgce == D("73563.6")
    assert result.per_area_kgce.quantize(D("0.01")) == D("12.26")
    assert result.complete


def test_indicators_worked_example_lines_show_the_calculation():
    lines = "\n".join(worked_year().lines)
    assert "用电量:480,000 kWh × 0.1229 kgce/kWh = 58,992.0 kgce" in lines
    assert "公务车汽油:9,000 L × 0.725 kg/L × 1.4714 kgce/kg = 9,600.9 kgce" in lines
    assert "人均综合能耗 = 83,164.5 ÷ 120 人 = 693.0 kgce/人" in lines
    assert "单位建筑面积能耗(不含公务车用油)= 73,563.6 ÷ 6,000 m² = 12.26 kgce/m²" in lines


def test_indicators_non_vehicle_fuel_counts_in_per_area():
    months = [month(1, gasoline_l=100, diesel_l=100, heat_mj=1000)]
    result = ind.compute_indicators(ind.totals_from_months(2025, months, DEFAULT_FACTORS))
    expected = D(100) * D("0.725") * D("1.4714") + D(100) * D("0.83") * D("1.4571") + D(1000) * D("0.03412")
    assert result.building_kgce == expected
    assert result.vehicle_kgce == 0
    assert result.per_area_kgce == expected / 6000


def test_indicators_water_is_not_energy():
    result = ind.compute_indicators(ind.totals_from_months(2025, [month(1, water_m3=500)], DEFAULT_FACTORS))
    assert result.total_kgce == 0
    assert result.water_per_capita == D(500) / 120


def test_indicators_zero_headcount_and_area_cannot_be_computed():
    months = [month(1, headcount=0, area=D(0), electricity_kwh=1000, water_m3=10)]
    result = ind.compute_indicators(ind.totals_from_months(2025, months, DEFAULT_FACTORS))
    assert result.per_capita_kgce is None
    assert result.per_area_kgce is None
    assert result.water_per_capita is None
    assert ind.fmt(result.per_capita_kgce) == "无法计算"
    assert any("用能人数为0" in line and "无法计算" in line for line in result.lines)
    assert any("建筑面积为0" in line for line in result.lines)


def test_indicators_headcount_is_mean_of_positive_months():
    months = [month(1, headcount=100, electricity_kwh=1), month(2, headcount=0, electricity_kwh=1),
              month(3, headcount=140, electricity_kwh=1)]
    totals = ind.totals_from_months(2025, months, DEFAULT_FACTORS)
    assert totals.headcount == D(120)


def test_factor_table_uses_factor_valid_on_first_day_of_month():
    table = ind.FactorTable([
        ind.Factor(ind.ELECTRICITY, D("0.1229"), date(2000, 1, 1)),
        ind.Factor(ind.ELECTRICITY, D("0.2"), date(2025, 7, 1)),
    ])
    months = [month(m, electricity_kwh=1000) for m in (6, 7)]
    result = ind.compute_indicators(ind.totals_from_months(2025, months, table))
    assert result.total_kgce == D("122.9") + D("200")
    assert any("(6月)" in line for line in result.lines)
    assert any("(7月)" in line for line in result.lines)


def test_factor_missing_is_reported_not_guessed():
    table = ind.FactorTable([ind.Factor(ind.ELECTRICITY, D("0.1229"), date(2000, 1, 1))])
    result = ind.compute_indicators(ind.totals_from_months(2025, [month(1, gas_m3=10, electricity_kwh=10)], table))
    assert result.total_kgce == D("1.229")
    assert result.missing_factors == ("天然气",)


@pytest.mark.parametrize(("ratio", "points"), [
    ("0.5", 8), ("0.9", 8), ("0.9001", 7), ("1.0", 7), ("1.0001", 5), ("1.1", 5), ("1.1001", 3),
    ("1.2", 3), ("1.2001", 0), ("3", 0),
])
def test_band_21_edges(ratio, points):
    assert ind.band_21(D(ratio))[0] == D(points)


def test_ratio_is_rounded_to_four_decimals_before_banding():
    assert ind.ratio(D("0.90004"), D(1)) == D("0.9000")
    assert ind.band_21(ind.ratio(D("0.90004"), D(1)))[0] == 8
    assert ind.band_21(ind.ratio(D("0.90005"), D(1)))[0] == 7


def _category(per_capita, per_area, months=ind.MONTHS):
    return ind.CategoryAverage(2024, "政府", tuple(months), D(per_capita), 5, D(per_area), 5)


def _targets(**kw):
    return ind.ReductionTargets(baseline_year=2024, **kw)


@pytest.mark.parametrize(("pc_ratio", "area_ratio", "expected"), [
    ("0.9", "0.9", "8"),
    ("0.9001", "0.9", "7.5"),
    ("0.9", "1.2", "5.5"),
    ("1.2", "1.2001", "1.5"),
    ("1.2001", "1.2001", "0"),
])
def test_suggest_21_half_per_capita_half_per_area(pc_ratio, area_ratio, expected):
    current = worked_year()
    category = _category(current.per_capita_kgce / D(pc_ratio), current.per_area_kgce / D(area_ratio))
    result = ind.suggest_items(current=current, baseline=None, category=category, targets=_targets())
    assert result["2.1"].score == D(expected)
    assert result["2.1"].max_points == 8
    assert any("× 50%" in line for line in result["2.1"].lines)


def test_suggest_21_without_category_average_is_not_computable():
    result = ind.suggest_items(current=worked_year(), baseline=None, category=None, targets=_targets())
    assert result["2.1"].score is None
    assert any("无法计算" in line for line in result["2.1"].lines)


def test_suggest_21_scales_when_rubric_gives_other_points():
    current = worked_year()
    category = _category(current.per_capita_kgce, current.per_area_kgce)  # ratio 1.0 → 7 each
    rules = {"2.1": ind.ItemRule("2.1", D(10))}
    result = ind.suggest_items(current=current, baseline=None, category=category, targets=_targets(), rules=rules)
    assert result["2.1"].score == D("8.75")


def _scaled(factor_electricity=1, factor_water=1, factor_paper=1, year=2025):
    months = [month(m, electricity_kwh=D(40000) * D(factor_electricity), water_m3=D(300) * D(factor_water),
                    paper_reams=D(100) * D(factor_paper)) for m in range(1, 13)]
    return ind.compute_indicators(ind.totals_from_months(year, months, DEFAULT_FACTORS))


def test_suggest_22_exactly_five_percent_keeps_points():
    baseline = _scaled(year=2024)
    current = _scaled(factor_electricity="0.95")
    result = ind.suggest_items(current=current, baseline=baseline, category=None, targets=_targets())
    assert result["2.2"].score == 6
    assert any("−5.00%" in line for line in result["2.2"].lines)


def test_suggest_22_short_of_target_takes_rubric_deduction():
    baseline = _scaled(year=2024)
    current = _scaled(factor_electricity="0.9501")
    result = ind.suggest_items(current=current, baseline=baseline, category=None, targets=_targets())
    assert result["2.2"].score == 2
    assert any("“未达到下降5%指标” −4分" in line for line in result["2.2"].lines)


def test_suggest_23_water_per_capita_ten_percent():
    baseline = _scaled(year=2024)
    met = ind.suggest_items(current=_scaled(factor_water="0.9"), baseline=baseline, category=None,
                            targets=_targets())
    missed = ind.suggest_items(current=_scaled(factor_water="0.91"), baseline=baseline, category=None,
                               targets=_targets())
    assert met["2.3"].score == 6
    assert missed["2.3"].score == 2
    assert any("未达到下降10%指标" in line for line in missed["2.3"].lines)


def test_suggest_24_paper_and_custom_target():
    baseline = _scaled(year=2024)
    current = _scaled(factor_paper="0.96")
    default = ind.suggest_items(current=current, baseline=baseline, category=None, targets=_targets())
    lenient = ind.suggest_items(current=current, baseline=baseline, category=None,
                                targets=_targets(paper_pct=D(3)))
    assert default["2.4"].score == 2
    assert lenient["2.4"].score == 4


def test_suggest_without_baseline_is_not_computable():
    result = ind.suggest_items(current=worked_year(), baseline=None, category=None, targets=_targets())
    for code in ("2.2", "2.3", "2.4"):
        assert result[code].score is None
        assert any("基准年2024年缺少全年的完整数据" in line for line in result[code].lines)


def test_suggest_without_data_is_not_computable():
    result = ind.suggest_items(current=None, baseline=None, category=None, targets=_targets())
    assert set(result) == {"2.1", "2.2", "2.3", "2.4"}
    assert all(s.score is None and not s.available for s in result.values())


def test_suggest_appends_data_warnings():
    result = ind.suggest_items(current=worked_year(), baseline=None, category=None, targets=_targets(),
                               warnings=["缺少12月的数据"])
    assert result["2.2"].lines[-1] == "数据提示:缺少12月的数据"


def test_flags_spike_at_five_times_median():
    months = [month(m, electricity_kwh=1000) for m in range(1, 12)] + [month(12, electricity_kwh=5000)]
    flags = ind.plausibility_flags(2025, months, today=date(2026, 6, 1))
    spikes = [f for f in flags if f.kind == "spike"]
    assert [(f.month, f.field) for f in spikes] == [(12, "electricity_kwh")]
    assert "5.0倍" in spikes[0].message


def test_flags_no_spike_below_five_times():
    months = [month(m, electricity_kwh=1000) for m in range(1, 12)] + [month(12, electricity_kwh=4999)]
    assert not [f for f in ind.plausibility_flags(2025, months, today=date(2026, 6, 1)) if f.kind == "spike"]


def test_flags_missing_months_past_and_current_year():
    past = ind.plausibility_flags(2025, [month(m, electricity_kwh=1) for m in range(1, 11)],
                                  today=date(2026, 6, 1))
    assert [f.month for f in past if f.kind == "missing_month"] == [11, 12]
    assert ind.flag_messages(past) == ["缺少11–12月的数据"]
    # In June, January to May are due; June is not over yet.
    current = ind.plausibility_flags(2026, [month(1, electricity_kwh=1)], today=date(2026, 6, 15))
    assert [f.month for f in current if f.kind == "missing_month"] == [2, 3, 4, 5]


def test_flags_zero_headcount_and_area():
    flags = ind.plausibility_flags(2025, [month(3, headcount=0, area=D(0), electricity_kwh=1)],
                                   today=date(2025, 4, 1))
    kinds = {(f.kind, f.month) for f in flags}
    assert ("zero_headcount", 3) in kinds
    assert ("zero_area", 3) in kinds


def test_check_target_prorates_by_months():
    current = ind.compute_indicators(ind.totals_from_months(
        2026, [month(m, electricity_kwh=40000) for m in range(1, 7)], DEFAULT_FACTORS))
    # Six months: 6 × 40,000 × 0.1229 ÷ 120 = 245.8 kgce/person against half of the annual target.
    assert current.per_capita_kgce == D("245.8")
    assert ind.check_target(current, per_capita_target=D(500), per_area_target=None).over is False
    assert ind.check_target(current, per_capita_target=D(480), per_area_target=None).per_capita_over is True


def test_months_label():
    assert ind.months_label(range(1, 13)) == "全年"
    assert ind.months_label([1, 2, 3, 5]) == "1–3、5月"
    assert ind.months_label([7]) == "7月"
