from decimal import Decimal

import pytest
from django.db.models import Q
from django.http import Http404

from assessment.ledger import indicators as ind
from assessment.ledger import selectors
from assessment.ledger.models import MonthlyRecord
from tests.factories import UnitFactory
from tests.ledger.conftest import TODAY, save_year

pytestmark = pytest.mark.django_db
D = Decimal


def test_aggregate_matches_pure_calculation(unit_a):
    save_year(unit_a, 2025, months=range(1, 13), heat_mj=Decimal("1234.5"), diesel_l=Decimal(12))
    MonthlyRecord.objects.filter(unit=unit_a, month=5).update(headcount=0)
    table = selectors.factor_table()
    db = selectors.aggregate_year_totals(year=2025, table=table, record_filter=Q(unit=unit_a))[unit_a.pk]
    records = MonthlyRecord.objects.filter(unit=unit_a, year=2025)
    pure = ind.totals_from_months(2025, [r.as_month_input() for r in records], table)
    assert db.months == pure.months == ind.MONTHS
    assert db.headcount == pure.headcount == 120
    a, b = ind.compute_indicators(db), ind.compute_indicators(pure)
    assert (a.total_kgce, a.per_capita_kgce, a.per_area_kgce, a.water_per_capita) == (
        b.total_kgce, b.per_capita_kgce, b.per_area_kgce, b.water_per_capita)


def test_aggregate_splits_periods_when_factor_changes(unit_a, admin_user):
    from datetime import date

    from assessment.ledger.services import factor_set

    factor_set(actor=admin_user, kind="electricity", kgce_per_unit="0.2", valid_from=date(2025, 7, 1))
    save_year(unit_a, 2025, months=range(1, 13))
    result = ind.compute_indicators(selectors.aggregate_year_totals(
        year=2025, table=selectors.factor_table(), record_filter=Q(unit=unit_a))[unit_a.pk])
    assert result.kgce_by_field["electricity_kwh"] == 6 * 40000 * D("0.1229") + 6 * 40000 * D("0.2")


def _peers(district, n, year, **values):
    units = [UnitFactory(district=district) for _ in range(n)]
    for unit in units:
        save_year(unit, year, **values)
    return units


def test_ledger_suggestions_end_to_end(unit_a, district_a):
    # Previous year, same category: peers at the worked example's level (693.04 kgce/person, 12.26 kgce/m²).
    _peers(district_a, 2, 2024)
    # The unit's baseline year (2024 by default for 2025) and its 2025: 10% less electricity, same water,
    # 6% less paper.
    save_year(unit_a, 2024)
    save_year(unit_a, 2025, electricity_kwh=D(36000), paper_reams=D(94))
    result = selectors.ledger_suggestions(unit=unit_a, year=2025)
    assert set(result) == {"2.1", "2.2", "2.3", "2.4"}
    # Per capita: (432,000×0.1229 + 14,571.6 + 9,600.885) ÷ 120 = 643.877; category average (3 units in 2024,
    # all at 693.037) → ratio 0.9291 → 7 × 50% = 3.5. Per area: (53,092.8 + 14,571.6) ÷ 6000 = 11.2774 vs
    # 12.2606 → ratio 0.9198 → 3.5.
    assert result["2.1"].score == D("7")
    assert any("人均综合能耗比值 = 643.9 ÷ 693.0 = 0.9291" in line for line in result["2.1"].lines)
    assert any("单位建筑面积能耗比值 = 11.28 ÷ 12.26 = 0.9198" in line for line in result["2.1"].lines)
    assert result["2.2"].score == 6  # −10.00%
    assert result["2.3"].score == 2  # 0% change: the −4 deduction
    assert result["2.4"].score == 4  # −6.00%
    assert result["2.3"].max_points == 6


def test_category_average_is_previous_year_same_category_same_months(unit_a, district_a):
    _peers(district_a, 1, 2024, electricity_kwh=D(20000))  # same category
    other = UnitFactory(district=district_a, category="party")
    save_year(other, 2024, electricity_kwh=D(999999))  # another category: ignored
    partial = UnitFactory(district=district_a)
    save_year(partial, 2024, months=range(1, 4))  # lacks months 4–6: not comparable
    save_year(unit_a, 2025, months=range(1, 7))
    report = selectors.unit_ledger_report(unit=unit_a, year=2025, today=TODAY)
    assert report.category.per_capita_count == 1
    assert report.category.months == (1, 2, 3, 4, 5, 6)
    expected = (6 * 20000 * D("0.1229") + 6 * 1000 * D("1.2143") + 6 * 750 * D("0.725") * D("1.4714")) / 120
    assert report.category.per_capita_kgce == expected


def test_baseline_is_compared_over_the_same_months(unit_a):
    save_year(unit_a, 2024, electricity_kwh=D(50000))
    save_year(unit_a, 2024, months=[1, 2], electricity_kwh=D(40000))
    save_year(unit_a, 2025, months=[1, 2], electricity_kwh=D(38000))
    report = selectors.unit_ledger_report(unit=unit_a, year=2025, today=TODAY)
    assert report.baseline.months == (1, 2)
    assert report.changes["electricity_kwh"].pct == D("-5.00")
    assert report.suggestions["2.2"].score == 6
    assert any("按1–2月同期比较" in line for line in report.suggestions["2.2"].lines)


def test_report_flags_show_in_suggestions(unit_a):
    save_year(unit_a, 2025, months=range(1, 11))
    save_year(unit_a, 2025, months=[3], electricity_kwh=D(400000))
    report = selectors.unit_ledger_report(unit=unit_a, year=2025, today=TODAY)
    assert "缺少11–12月的数据" in report.flag_messages
    assert any(f.kind == "spike" and f.month == 3 for f in report.flags)
    assert report.months[2].flagged_fields == {"electricity_kwh"}
    assert report.months[10].record is None and report.months[10].expected
    assert any(line.startswith("数据提示:缺少11–12月") for line in report.suggestions["2.1"].lines)


def test_report_zero_headcount_shows_cannot_compute(unit_a, district_a):
    _peers(district_a, 1, 2024)
    save_year(unit_a, 2025, headcount=0)
    report = selectors.unit_ledger_report(unit=unit_a, year=2025, today=TODAY)
    assert report.indicators.per_capita_kgce is None
    assert report.suggestions["2.1"].score is None
    assert report.suggestions["2.3"].score is None
    assert any("用能人数为0" in m for m in report.flag_messages)


def test_item_rules_follow_campaign_rubric(unit_a):
    from assessment.models import Campaign, RubricBlock, RubricDeduction, RubricItem, RubricVersion

    rubric = RubricVersion.objects.create(code="GO", version=2, title="细则", total_points=100, pass_mark=80,
                                          minor_deduction=D("0.5"), serious_deduction=1, deduction_cap=10)
    block = RubricBlock.objects.create(rubric=rubric, code="2", title="节约资源", points=35)
    item = RubricItem.objects.create(rubric=rubric, block=block, code="2.2", title="节约用电", points=7,
                                     method="both")
    RubricDeduction.objects.create(item=item, points=2, text="无节电措施")
    RubricDeduction.objects.create(item=item, points=5, text="未达到下降5%指标(新版)")
    campaign = Campaign.objects.create(year=2025, name="2025", rubric=rubric)
    rules = selectors.item_rules(campaign=campaign)
    assert rules["2.2"] == ind.ItemRule("2.2", D(7), D(5), "未达到下降5%指标(新版)", ("无节电措施",))
    assert rules["2.3"].deduction_text == "未达到下降10%指标"  # not in this version: rubric defaults


def test_item_rules_default_rubric_texts():
    rules = selectors.item_rules(campaign=None)
    assert (rules["2.4"].max_points, rules["2.4"].deduction_points, rules["2.4"].deduction_text) == (
        4, 2, "未达到下降5%指标")
    assert rules["2.1"].max_points == 8


def test_record_and_evidence_gates(director_a, unit_a, unit_b, inspector_a, leader_city):
    save_year(unit_a, 2025, months=[1])
    save_year(unit_b, 2025, months=[1])
    mine = MonthlyRecord.objects.get(unit=unit_a)
    theirs = MonthlyRecord.objects.get(unit=unit_b)
    assert selectors.record_get_for_user(user=director_a, pk=mine.pk) == mine
    with pytest.raises(Http404):
        selectors.record_get_for_user(user=director_a, pk=theirs.pk)
    with pytest.raises(Http404):
        selectors.record_get_for_user(user=inspector_a, pk=theirs.pk)
    assert set(selectors.record_list_for_user(user=leader_city)) == {mine, theirs}


def test_panel_groups_and_over_target(admin_user, district_a, district_b):
    from assessment.ledger.services import target_set
    from assessment.models import Campaign, RubricVersion

    rubric = RubricVersion.objects.create(code="GO", version=1, title="细则", total_points=100, pass_mark=80,
                                          minor_deduction=D("0.5"), serious_deduction=1, deduction_cap=10)
    campaign = Campaign.objects.create(year=2025, name="2025", rubric=rubric)
    target_set(actor=admin_user, campaign=campaign, per_capita_kgce=D(700), baseline_year=2024)
    low = UnitFactory(district=district_a)
    high = UnitFactory(district=district_b, category="party")
    empty = UnitFactory(district=district_b)
    save_year(low, 2025)
    save_year(high, 2025, electricity_kwh=D(50000))
    panel = selectors.ledger_panel(user=admin_user, year=2025, today=TODAY)
    assert [u.code for u in panel.over_target] == [high.code]
    assert [u.code for u in panel.missing] == [empty.code]
    by_district = {g.label: g for g in panel.districts}
    assert (by_district[district_b.name].unit_count, by_district[district_b.name].reporting_count) == (2, 1)
    assert by_district[district_a.name].per_capita_kgce == D("83164.485") / 120
    assert panel.trend["series"][0]["name"] == "2025年"
    # January: low at the worked example's 6,930.37 kgce plus high's 50,000 kWh month (8,159.37 kgce).
    high_january = 50000 * D("0.1229") + 1000 * D("1.2143") + 750 * D("0.725") * D("1.4714")
    assert panel.trend["series"][0]["data"][0] == pytest.approx(float(D("83164.485") / 12 + high_january), abs=0.1)


def test_panel_scoped_to_inspector_district(inspector_a, unit_a, unit_b):
    save_year(unit_a, 2025)
    save_year(unit_b, 2025)
    panel = selectors.ledger_panel(user=inspector_a, year=2025, today=TODAY)
    assert [u.unit_id for u in panel.units] == [unit_a.pk]
    assert panel.trend["series"][0]["data"][0] == pytest.approx(float(D("83164.485") / 12), abs=0.1)


def test_panel_query_count_does_not_grow_with_units(admin_user, district_a, django_assert_max_num_queries):
    for _ in range(3):
        save_year(UnitFactory(district=district_a), 2025, months=range(1, 4))
    with django_assert_max_num_queries(8) as small:
        selectors.ledger_panel(user=admin_user, year=2025, today=TODAY)
    for _ in range(6):
        save_year(UnitFactory(district=district_a), 2025, months=range(1, 4))
    with django_assert_max_num_queries(len(small.captured_queries)):
        panel = selectors.ledger_panel(user=admin_user, year=2025, today=TODAY)
    assert len(panel.units) == 9


def test_unit_report_query_count(unit_a, django_assert_max_num_queries):
    save_year(unit_a, 2024)
    save_year(unit_a, 2025)
    with django_assert_max_num_queries(8):
        selectors.unit_ledger_report(unit=unit_a, year=2025, today=TODAY)
