"""Issue 18: rubric v2 scores item 2.1 ("不高于上级下达的年度目标") against the target set from above,
the category average only for an indicator without a target; rubric v1 keeps the category average."""
from decimal import Decimal as D
from pathlib import Path

import pytest

from assessment.ledger import indicators as ind
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH, parse_rubric
from tests.ledger.test_indicators import _category, _targets, worked_year

V2_PATH = Path(DEFAULT_RUBRIC_PATH).with_name("green-office-rubric-v2.yaml")
TARGET_RULES = {"2.1": ind.ItemRule("2.1", D(8), basis="target")}


def _suggest(current, *, per_capita=None, per_area=None, category=None, rules=TARGET_RULES):
    return ind.suggest_items(current=current, baseline=None, category=category, targets=_targets(), rules=rules,
                             per_capita_target=per_capita, per_area_target=per_area)["2.1"]


@pytest.mark.parametrize(("pc_ratio", "area_ratio", "expected"), [
    ("0.9", "0.9", "8"),  # both at the top band's edge
    ("0.9001", "0.9", "7.5"),  # just past it: 7 × 50% + 8 × 50%
    ("1.0", "1.0", "7"),  # exactly on target: met
    ("1.0", "0.5", "7.5"),
    ("1.0001", "0.5", "0"),  # per capita just over its target: missed, the must-pass item scores 0
    ("0.5", "1.0001", "0"),  # per floor area just over
    ("1.5", "1.5", "0"),
])
def test_item_21_against_targets_at_every_band_edge(pc_ratio, area_ratio, expected):
    current = worked_year()
    suggestion = _suggest(current, per_capita=current.per_capita_kgce / D(pc_ratio),
                          per_area=current.per_area_kgce / D(area_ratio))
    assert suggestion.score == D(expected)
    assert suggestion.lines[0] == ind.ITEM_21_TARGET_METHOD
    if expected == "0":
        assert any("未完成年度能耗目标" in line for line in suggestion.lines)


def test_item_21_missing_the_target_scores_0_even_if_below_the_category_average():
    current = worked_year()
    category = _category(current.per_capita_kgce * 2, current.per_area_kgce * 2)  # far better than peers
    v1 = _suggest(current, category=category, rules={})
    v2 = _suggest(current, category=category, per_capita=current.per_capita_kgce / D("1.05"),
                  per_area=current.per_area_kgce)
    assert v1.score == 8  # v1: against the average, the unit scores full marks
    assert v2.score == 0  # v2: its target was missed


@pytest.mark.parametrize(("area_ratio", "expected"), [("0.9", "8"), ("1.1", "6.5"), ("1.2", "5.5"), ("1.2001", "4")])
def test_item_21_falls_back_to_the_category_average_where_no_target_is_set(area_ratio, expected):
    current = worked_year()
    category = _category(current.per_capita_kgce, current.per_area_kgce / D(area_ratio))
    suggestion = _suggest(current, per_capita=current.per_capita_kgce / D("0.9"), category=category)
    assert suggestion.score == D(expected)
    assert any("未设年度目标,按上年同类单位平均值" in line for line in suggestion.lines)


def test_item_21_without_target_or_average_is_not_computed():
    current = worked_year()
    suggestion = _suggest(current, per_capita=current.per_capita_kgce)
    assert suggestion.score is None


def test_item_21_rubric_versions_choose_the_basis():
    v1 = parse_rubric(DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
    v2 = parse_rubric(V2_PATH.read_text(encoding="utf-8"))
    assert (v1.version, v2.version) == (1, 2)

    def scoring(spec):
        return next(i.scoring for b in spec.blocks for i in b.items if i.code == "2.1")

    assert ind.ITEM_21_TARGET_MARKER not in scoring(v1)
    assert ind.ITEM_21_TARGET_MARKER in scoring(v2)
    # Everything else is unchanged between the two versions.
    assert [(i.code, i.points, i.method, i.must_pass) for b in v1.blocks for i in b.items] == \
        [(i.code, i.points, i.method, i.must_pass) for b in v2.blocks for i in b.items]


@pytest.mark.django_db
def test_item_21_campaign_on_v2_uses_the_ledger_target_and_v1_keeps_the_average(unit_a, admin_user):
    from assessment.ledger import selectors
    from assessment.ledger.services import target_set
    from assessment.services.campaign import campaign_create
    from assessment.services.rubric import rubric_import, rubric_publish
    from tests.ledger.conftest import save_year

    v1 = rubric_publish(actor=None, rubric=rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text("utf-8")))
    v2 = rubric_publish(actor=None, rubric=rubric_import(actor=None, text=V2_PATH.read_text("utf-8")))
    on_v1 = campaign_create(actor=admin_user, year=2024, rubric=v1)
    on_v2 = campaign_create(actor=admin_user, year=2025, rubric=v2)
    for year in (2023, 2024, 2025):
        save_year(unit_a, year, months=range(1, 11))
    current = selectors.unit_ledger_report(unit=unit_a, year=2025, with_carbon=False).indicators
    # The same target in both years, 5% under what the unit used: missed.
    for campaign in (on_v1, on_v2):
        target_set(actor=admin_user, campaign=campaign, baseline_year=campaign.year - 1,
                   per_capita_kgce=(current.per_capita_kgce / D("1.05")).quantize(D("0.01")),
                   per_area_kgce=(current.per_area_kgce / D("1.05")).quantize(D("0.001")))
    assert selectors.item_rules(campaign=on_v1)["2.1"].basis == "category"
    assert selectors.item_rules(campaign=on_v2)["2.1"].basis == "target"
    v2_suggestion = selectors.ledger_suggestions(unit=unit_a, year=2025)["2.1"]
    assert v2_suggestion.score == 0
    assert v2_suggestion.lines[0] == ind.ITEM_21_TARGET_METHOD
    v1_suggestion = selectors.ledger_suggestions(unit=unit_a, year=2024)["2.1"]
    assert v1_suggestion.lines[0] == ind.ITEM_21_METHOD  # v1: the category average, target or not
    assert v1_suggestion.score != 0
