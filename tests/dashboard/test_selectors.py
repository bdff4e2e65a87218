"""Each panel's numbers against the hand-computed city of conftest.py (city-wide and for district A)."""
import datetime
from decimal import Decimal

import pytest

from assessment.models import Stage
from greenoffice.dashboard.selectors.battle_map import DISPLAY_GROUPS, STAGE_GROUP, battle_map, battle_map_rows
from greenoffice.dashboard.selectors.scores import scores
from greenoffice.dashboard.selectors.supervision import supervision
from greenoffice.dashboard.selectors.targets import targets
from inspections.models import InspectionKind
from units.models import UnitCategory

pytestmark = pytest.mark.django_db


def test_stage_group_covers_every_stage_once():
    assert set(STAGE_GROUP) == set(Stage.values)
    assert set(STAGE_GROUP.values()) == {key for key, _label, _colour in DISPLAY_GROUPS}
    assert len(DISPLAY_GROUPS) == 9


# --- battle map -------------------------------------------------------------------------------------

def test_battle_map_counts_stages_per_district(city, leader_city, scope_for, district_a, district_b):
    panel = battle_map(scope_for(leader_city))
    legend = {g["key"]: g["count"] for g in panel.legend}
    assert legend == {"not_started": 1, "self_assessing": 0, "submitted": 1, "returned": 1, "under_review": 1,
                      "rectifying": 1, "passed": 1, "certified": 2, "failed": 1}
    assert panel.total == 9
    assert [d.name for d in panel.districts] == [district_a.name, district_b.name]
    a, b = panel.districts
    assert a.total == 6 and b.total == 3
    assert a.counts == {"certified": 1, "passed": 1, "rectifying": 1, "under_review": 1, "submitted": 1,
                        "not_started": 1}
    assert b.counts == {"certified": 1, "failed": 1, "returned": 1}
    assert panel.named is True


def test_battle_map_tiles_link_to_units_and_carry_the_stage(city, leader_city, scope_for):
    panel = battle_map(scope_for(leader_city))
    tiles = {t["name"]: t for d in panel.districts for t in d.tiles}
    unit_a = city["units"]["unit_a"]
    assert tiles[unit_a.name]["url"] == f"/units/{unit_a.pk}/"
    assert tiles[unit_a.name]["group"] == "certified"
    assert str(tiles[unit_a.name]["stage"]) == "已命名"
    assert tiles["甲区人社局"]["group"] == "under_review"  # reviewed folds into "under review"
    assert "甲区民政局" not in tiles  # a6 is not enrolled this year
    assert len(tiles) == 9


def test_battle_map_caps_tiles_per_district(city, leader_city, scope_for):
    panel = battle_map(scope_for(leader_city), cap=2)
    a, b = panel.districts
    assert len(a.tiles) == 2 and a.hidden == 4
    assert len(b.tiles) == 2 and b.hidden == 1
    assert a.total == 6  # the counts are still the whole district


def test_battle_map_district_leader_sees_only_their_district(city, leader_a, scope_for, district_a):
    panel = battle_map(scope_for(leader_a))
    assert [d.name for d in panel.districts] == [district_a.name]
    assert panel.total == 6
    names = [row[2] for row in battle_map_rows(scope_for(leader_a))]
    assert len(names) == 6 and not [n for n in names if n.startswith("乙区")]


def test_battle_map_filters_by_district_and_category(city, leader_city, scope_for, district_b):
    assert battle_map(scope_for(leader_city, district=district_b)).total == 3
    assert battle_map(scope_for(leader_city, category=UnitCategory.PARTY)).total == 0
    assert battle_map(scope_for(leader_city, category=UnitCategory.GOVERNMENT)).total == 9


# --- targets ----------------------------------------------------------------------------------------

def test_targets_city_wide(city, leader_city, scope_for):
    panel = targets(scope_for(leader_city))
    t = panel.totals
    assert (t.enrolled, t.certified, t.secured, t.likely, t.pipeline) == (9, 2, 1, 1, 2)
    assert (t.finalised, t.finalised_certified) == (6, 4)
    assert panel.target_count == 5
    assert panel.certified_pct == Decimal("40.0")
    # 10 active units (b9 is inactive); valid certificates: unit_a, unit_b, a6 (b2 revoked, a5 expired).
    assert (t.active_units, t.with_certificate) == (10, 3)
    assert panel.share == Decimal("30.0")
    assert panel.target_share == Decimal("80") and panel.target_year == 2028
    assert (panel.forecast_min, panel.forecast_max) == (4, 6)
    assert panel.forecast_expected == 5  # 4 + round(2 × 4/6)
    assert panel.forecast_pct == Decimal("100.0")
    assert panel.narrowed is False


def test_targets_by_district(city, leader_city, scope_for, district_a, district_b):
    a, b = targets(scope_for(leader_city)).districts
    assert (a.name, a.enrolled, a.certified, a.secured, a.likely, a.pipeline) == (district_a.name, 6, 1, 1, 1, 2)
    assert (a.active_units, a.with_certificate, a.share) == (7, 2, Decimal("28.6"))
    assert (b.name, b.enrolled, b.certified, b.secured, b.likely, b.pipeline) == (district_b.name, 3, 1, 0, 0, 0)
    assert (b.active_units, b.with_certificate, b.share) == (3, 1, Decimal("33.3"))


def test_targets_district_leader(city, leader_a, scope_for, district_a):
    panel = targets(scope_for(leader_a))
    t = panel.totals
    assert (t.enrolled, t.certified, t.finalised, t.finalised_certified) == (6, 1, 4, 3)
    assert panel.forecast_expected == 5  # 3 + round(2 × 3/4 = 1.5) half up
    assert [d.name for d in panel.districts] == [district_a.name]
    assert panel.narrowed is True


def test_targets_certificate_validity_is_read_on_the_day(city, leader_city, campaign):
    from greenoffice.dashboard.scope import DashboardScope

    before = DashboardScope(user=leader_city, campaign=campaign, today=datetime.date(2026, 5, 31))
    # This year's two certificates are issued on 1 June: on 31 May only a6's counts.
    assert targets(before).totals.with_certificate == 1


# --- scores -----------------------------------------------------------------------------------------

def test_scores_summary_and_histogram(city, leader_city, scope_for):
    panel = scores(scope_for(leader_city))
    assert (panel.reviewed, panel.certified) == (6, 4)
    assert panel.avg_final == Decimal("81.00")  # 486 / 6
    assert panel.avg_verified == Decimal("80.83")  # 485 / 6
    assert panel.avg_gap == Decimal("3.67")  # 22 / 6
    hist = {row["label"]: row["count"] for row in panel.histogram}
    assert hist == {"<60": 0, "60–65": 1, "65–70": 0, "70–75": 0, "75–80": 1, "80–85": 1, "85–90": 1,
                    "90–95": 2, "95–100": 0, "≥100": 0}


def test_scores_rankings(city, leader_city, scope_for, district_a, district_b):
    panel = scores(scope_for(leader_city))
    assert [(r["rank"], r["name"], r["final_score"]) for r in panel.top_units] == [
        (1, "甲区发展和改革局", Decimal("92.00")), (2, "乙区财政局", Decimal("90.00")),
        (3, "甲区财政局", Decimal("85.00")), (4, "甲区人社局", Decimal("82.00")),
        (5, "甲区教育局", Decimal("75.00")), (6, "乙区教育局", Decimal("62.00")),
    ]
    assert [(r["rank"], r["name"]) for r in panel.bottom_units][:3] == [
        (6, "乙区教育局"), (5, "甲区教育局"), (4, "甲区人社局")]
    assert [(d["rank"], d["name"], d["n"], d["avg_final"], d["certified"]) for d in panel.districts] == [
        (1, district_a.name, 4, Decimal("83.50"), 3), (2, district_b.name, 2, Decimal("76.00"), 1)]
    assert [(r["name"], r["gap"]) for r in panel.inflators] == [
        ("乙区教育局", Decimal("8.00")), ("甲区教育局", Decimal("5.00")), ("甲区财政局", Decimal("4.00")),
        ("甲区发展和改革局", Decimal("3.00")), ("甲区人社局", Decimal("2.00"))]


def test_scores_block_and_item_averages(city, leader_city, scope_for):
    panel = scores(scope_for(leader_city))
    blocks = {b["code"]: b for b in panel.blocks}
    assert set(blocks) == {"1", "2"}  # only items 1.1 and 2.1 were verified in the fixture
    assert (blocks["1"]["avg_verified"], blocks["1"]["pct"]) == (Decimal("2.00"), Decimal("8.00"))  # 12/6 of 25
    assert (blocks["2"]["avg_verified"], blocks["2"]["pct"]) == (Decimal("7.00"), Decimal("20.00"))  # 42/6 of 35
    assert [(r["code"], r["n"], r["avg_self"], r["avg_verified"], r["avg_gap"], r["overridden"])
            for r in panel.items] == [
        ("2.1", 6, Decimal("8.00"), Decimal("7.00"), Decimal("1.00"), 3),
        ("1.1", 6, Decimal("2.83"), Decimal("2.00"), Decimal("0.83"), 3),
    ]


def test_scores_district_leader(city, leader_a, scope_for):
    panel = scores(scope_for(leader_a))
    assert (panel.reviewed, panel.avg_final) == (4, Decimal("83.50"))
    names = {r["name"] for r in panel.top_units + panel.bottom_units + panel.inflators}
    assert names and not [n for n in names if n.startswith("乙区")]
    assert [d["name"] for d in panel.districts] == ["甲区"]
    item_21 = next(r for r in panel.items if r["code"] == "2.1")
    assert (item_21["n"], item_21["avg_verified"]) == (4, Decimal("7.25"))  # (8+7+6+8)/4


# --- supervision ------------------------------------------------------------------------------------

def test_supervision_visits_and_coverage(city, leader_city, scope_for):
    panel = supervision(scope_for(leader_city))
    assert panel.month == datetime.date(2026, 6, 1)
    assert (panel.spot_done, panel.spot_planned, panel.unannounced_done) == (2, 3, 1)
    assert (panel.visits_done_month, panel.visits_done_year) == (3, 5)
    # Spot-checked: unit_a, a3, a4 (unit_b had only an unannounced visit, a3 also a routine one).
    assert (panel.enrolled, panel.covered, panel.coverage_pct) == (9, 3, Decimal("33.3"))
    months = {row["month"]: row["counts"] for row in panel.monthly}
    assert months[4][InspectionKind.ROUTINE] == 1
    assert months[5][InspectionKind.SPOT_CHECK] == 1
    assert (months[6][InspectionKind.SPOT_CHECK], months[6][InspectionKind.UNANNOUNCED]) == (2, 1)
    assert sum(sum(c.values()) for c in months.values()) == 5


def test_supervision_findings_by_item(city, leader_city, scope_for):
    panel = supervision(scope_for(leader_city))
    assert (panel.findings_total, panel.findings_serious, panel.findings_open) == (6, 2, 4)
    assert [(r["code"], r["n"], r["serious"], r["open"], r["units"]) for r in panel.top_items] == [
        ("2.1", 3, 1, 2, 2), ("1.1", 2, 1, 1, 2), ("3.1", 1, 0, 1, 1)]


def test_supervision_orders_and_overdue_list(city, leader_city, scope_for):
    panel = supervision(scope_for(leader_city))
    assert (panel.orders_total, panel.orders_open, panel.orders_overdue) == (6, 4, 2)
    # O1 closed late in the evening of its deadline: on time; O4 half an hour after midnight: late.
    assert (panel.orders_closed_on_time, panel.orders_closed_late) == (1, 1)
    assert panel.on_time_pct == Decimal("50.0")
    orders = city["orders"]
    assert [(r["number"], r["days_late"], r["unit"]) for r in panel.overdue] == [
        (orders["O5"].number, 15, "乙区财政局"), (orders["O2"].number, 14, "甲区发展和改革局")]


def test_supervision_district_leader(city, leader_a, scope_for):
    panel = supervision(scope_for(leader_a))
    assert (panel.enrolled, panel.covered, panel.coverage_pct) == (6, 3, Decimal("50.0"))
    assert (panel.spot_done, panel.unannounced_done) == (2, 0)
    assert (panel.findings_total, panel.findings_serious, panel.findings_open) == (5, 1, 3)
    assert [(r["code"], r["n"]) for r in panel.top_items] == [("2.1", 3), ("1.1", 1), ("3.1", 1)]
    assert (panel.orders_total, panel.orders_open, panel.orders_overdue) == (5, 3, 1)
    assert [r["unit"] for r in panel.overdue] == ["甲区发展和改革局"]


def test_panels_are_empty_without_a_campaign(leader_city):
    from greenoffice.dashboard.scope import DashboardScope

    scope = DashboardScope(user=leader_city, campaign=None)
    assert battle_map(scope).total == 0
    assert targets(scope).totals.enrolled == 0
    assert scores(scope).reviewed == 0
    assert supervision(scope).orders_total == 0


def test_battle_map_tiles_mark_overdue_self_assessments(city, campaign, leader_city, scope_for):
    """逾期: a5 (not started) and b3 (returned) still owe their self-assessment after 自评截止."""
    from django.utils import timezone

    from greenoffice.dashboard.tiles import tiles_html

    campaign.self_assessment_end = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save()
    panel = battle_map(scope_for(leader_city))
    tiles = {t["name"]: t for d in panel.districts for t in d.tiles}
    overdue = {name for name, tile in tiles.items() if tile["overdue"]}
    assert overdue == {"甲区司法局", city["units"]["b3"].name}
    html = tiles_html([tiles["甲区司法局"]], named=True)
    assert "go-overdue" in html and "逾期" in html
