"""assessment.figures: one definition per figure (self basis, gap, maxima, forecast)."""
from decimal import Decimal as D
from types import SimpleNamespace

from assessment import figures
from assessment.rubric_schema import format_points
from assessment.scoring import ItemInput, ScoringRules, score_unit
from tests.assessment.test_scoring import RULES, SPEC


def _score(changes: dict):
    """Self-scored items at full marks, accepted; on-site items (no self-score) verified at full marks."""
    inputs = []
    for block in SPEC.blocks:
        for spec_item in block.items:
            if spec_item.method == "onsite":
                fields = {"verified_score": spec_item.points}
            else:
                fields = {"self_score": spec_item.points, "accepted": True}
            fields.update(changes.get(spec_item.code, {}))
            inputs.append(ItemInput(code=spec_item.code, block_code=block.code, max_points=spec_item.points,
                                    must_pass=spec_item.must_pass, **fields))
    return score_unit(RULES, inputs)


def _onsite():
    return [i for b in SPEC.blocks for i in b.items if i.method == "onsite"]


def test_figures_self_and_verified_on_the_same_item_set_with_maxima():
    onsite = _onsite()
    assert onsite, "the shipped rubric has on-site items"
    onsite_max = sum((i.points for i in onsite), D(0))
    first_onsite = onsite[0]
    # The unit claims full marks on 1.1 but is verified 2 below; an on-site item loses 3.
    item_11 = next(i for b in SPEC.blocks for i in b.items if i.code == "1.1")
    score = _score({"1.1": {"accepted": False, "verified_score": item_11.points - 2, "override_reason": "缺文件"},
                    first_onsite.code: {"verified_score": first_onsite.points - 3}})
    f = figures.from_score(score)
    assert f.self_basis_max == D(100) - onsite_max
    assert f.self_basis_items == 27 - len(onsite)
    assert f.self_total == f.self_basis_max
    assert f.verified_on_self_basis == f.self_basis_max - 2
    assert f.gap == D(2) == score.gap
    assert f.verified_total == D(95) and f.verified_max == D(100)
    texts = f.texts()
    basis = format_points(f.self_basis_max)
    assert texts["self"] == f"{basis} / {basis}"
    assert texts["verified_on_self_basis"] == f"{format_points(f.self_basis_max - 2)} / {basis}"
    assert texts["verified"] == "95 / 100"
    assert texts["gap"] == "+2"
    # The stored numbers give back the same figures.
    stored = SimpleNamespace(**figures.stored_values(score))
    assert figures.from_stored(stored) == f


def test_figures_gap_signs_and_unverified_items_outside_the_basis():
    assert figures.signed_points(D("-1.5")) == "−1.5"
    assert figures.signed_points(D(0)) == "0"
    score = score_unit(RULES, [
        ItemInput(code="a", block_code="A", max_points=10, self_score=8, verified_score=9, override_reason="x"),
        ItemInput(code="b", block_code="A", max_points=5, self_score=5),  # not verified yet
        ItemInput(code="c", block_code="A", max_points=5, verified_score=4),  # on-site
    ])
    f = figures.from_score(score)
    assert (f.self_total, f.verified_on_self_basis, f.self_basis_max, f.self_basis_items) == (8, 9, 10, 1)
    assert f.gap_text == "−1"
    assert f.verified_max == 20


def test_figures_from_stored_before_the_self_basis_was_stored_uses_the_stored_gap():
    old = SimpleNamespace(self_total=D(82), self_verified=None, self_max=None, self_items=None, verified_total=D(83),
                          verified_max=None, supervision_deduction=D(0), pass_score=D(83), bonus=D(0),
                          final_score=D(83), gap=D(11))
    f = figures.from_stored(old)
    assert f.verified_on_self_basis == 71 and f.gap == 11


def test_forecast_one_method_with_its_interval():
    counts = figures.ForecastCounts(certified=2, secured=1, likely=1, pipeline=2, finalised=6, finalised_certified=4)
    fc = figures.forecast(counts)
    assert (fc.low, fc.high, fc.expected, fc.point) == (4, 6, 5, 5)
    none_yet = figures.forecast(figures.ForecastCounts(pipeline=3))
    assert (none_yet.low, none_yet.high, none_yet.expected, none_yet.point) == (0, 3, None, 0)
    half = figures.forecast(figures.ForecastCounts(certified=3, pipeline=2, finalised=4, finalised_certified=3))
    assert half.expected == 5  # 3 + round(1.5) half up


def test_figures_average_rounds_half_up():
    assert figures.average([D("82.125"), D("82.125")]) == D("82.13")
    assert figures.average([None]) is None
    assert isinstance(RULES, ScoringRules)
