"""Scoring rules of DESIGN.md, checked against the shipped rubric (4 blocks / 27 items / 100 points)."""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from assessment.rubric_schema import DEFAULT_RUBRIC_PATH, parse_rubric
from assessment.scoring import (
    BonusInput,
    Deduction,
    FindingInput,
    GradeBand,
    ItemInput,
    ScoringRules,
    grade_for,
    item_score,
    score_item,
    score_unit,
)

SPEC = parse_rubric(DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
RULES = ScoringRules.from_spec(SPEC)


def _items(changes: dict | None = None) -> list[ItemInput]:
    """Every item self-scored at full marks and accepted by the inspector, except `changes` per code."""
    changes = changes or {}
    inputs = []
    for block in SPEC.blocks:
        for spec_item in block.items:
            fields = {"self_score": spec_item.points, "accepted": True}
            fields.update(changes.get(spec_item.code, {}))
            if "verified_score" in fields or "verified_deductions" in fields:
                fields["accepted"] = False
            inputs.append(ItemInput(
                code=spec_item.code, block_code=block.code, max_points=spec_item.points,
                title=spec_item.title, must_pass=spec_item.must_pass, **fields,
            ))
    return inputs


def _override_to_zero(*codes: str) -> dict:
    return {code: {"verified_score": D(0), "override_reason": "现场核查不符"} for code in codes}


def _findings(count: int, severity: str, rectified: bool = False) -> list[FindingInput]:
    return [FindingInput(id=n, item_code="2.2", severity=severity, rectified=rectified) for n in range(count)]


def test_rules_from_spec_reads_thresholds_from_the_rubric():
    assert RULES.pass_mark == D(80)
    assert [band.min for band in RULES.grade_bands] == [D(90), D(80), D(70), D(0)]
    assert [band.certified for band in RULES.grade_bands] == [True, True, False, False]
    assert (RULES.minor_deduction, RULES.serious_deduction) == (D("0.5"), D(1))
    assert RULES.deduction_cap == D(10)
    assert RULES.bonus_max == D(5)


def test_score_unit_full_marks_is_100_excellent_and_certified():
    result = score_unit(RULES, _items())

    assert result.verified_total == D(100)
    assert result.self_total == D(100)
    assert result.pass_score == D(100)
    assert result.final_score == D(100)
    assert result.grade.grade == "优秀"
    assert result.certified is True
    assert result.not_certified_reasons == ()
    assert result.fully_verified is True
    assert [(b.code, b.verified_total) for b in result.blocks] == [
        ("1", D(25)), ("2", D(35)), ("3", D(25)), ("4", D(15)),
    ]


def test_item_score_clamps_at_zero_when_deductions_exceed_the_item():
    # 3 − (2 + 2) = −1 → 0
    assert item_score(D(3), [D(2), D(2)]) == D(0)
    # 5 − 7×1 ("每缺一项制度" picked seven times) → 0
    assert item_score(D(5), [Deduction(D(1), "每缺一项制度", count=7)]) == D(0)
    # 3 − 1.5 = 1.5: half points survive Decimal arithmetic exactly
    assert item_score(D(3), [D("1.5")]) == D("1.5")


def test_score_unit_item_deductions_past_its_points_count_as_zero_not_negative():
    # Item 1.1 is worth 3; the inspector picks 2 + 1 + 2 = 5 → 0, so the unit loses 3, not 5: 100 − 3 = 97.
    deductions = (
        Deduction(D(2), "领导机构不健全"), Deduction(D(1), "责任未落实到人"), Deduction(D(2), "无会议纪要"),
    )
    result = score_unit(
        RULES, _items({"1.1": {"verified_deductions": deductions, "override_reason": "无成立文件"}}),
    )

    assert result.item("1.1").verified_score == D(0)
    assert result.verified_total == D(97)


def test_score_unit_must_pass_item_at_zero_blocks_certification_but_keeps_the_grade():
    # 2.1 (8 points) verified 0, everything else full: 100 − 8 = 92 ≥ 90 → 优秀; bonus 3 → final 95.
    result = score_unit(RULES, _items(_override_to_zero("2.1")), bonus=D(3))

    assert result.pass_score == D(92)
    assert result.final_score == D(95)
    assert result.grade.grade == "优秀"
    assert result.certified is False
    assert result.must_pass_failures == ("2.1",)
    assert '必达项"2.1"核定得分为0' in result.not_certified_reasons


def test_score_unit_bonus_does_not_lift_79_to_a_pass():
    # 2.2 (6) + 2.3 (6) + 2.4 (4) + 2.5 (5) = 21 points lost → 79; + 5 bonus → final 84, still 限期整改.
    result = score_unit(RULES, _items(_override_to_zero("2.2", "2.3", "2.4", "2.5")), bonus=D(5))

    assert result.pass_score == D(79)
    assert result.bonus == D(5)
    assert result.final_score == D(84)
    assert result.grade.grade == "限期整改"
    assert result.passed is False
    assert result.certified is False
    assert result.not_certified_reasons == ("得分79低于合格线80(等级:限期整改)",)


def test_score_unit_bonus_is_capped_at_the_rubric_maximum():
    # B.1 2 + B.2 1 + B.3 1 + B.4 1 + 2 more = 7 → capped at 5; 100 + 5 = 105.
    awarded = [
        BonusInput("B.1", D(2), "智慧能源管理"), BonusInput("B.2", D(1)), BonusInput("B.3", D(1)),
        BonusInput("B.4", D(1)), BonusInput("B.1", D(2), "第二个平台"),
    ]
    result = score_unit(RULES, _items(), bonus=awarded)

    assert result.bonus_raw == D(7)
    assert result.bonus == D(5)
    assert result.final_score == D(105)
    assert "创新加分B.1 智慧能源管理 +2" in result.bonus_provenance
    assert "加分合计7分,封顶5分" in result.bonus_provenance
    assert score_unit(RULES, _items(), bonus=D(9)).bonus == D(5)


def test_score_unit_supervision_deduction_is_capped_at_10():
    # 25 unrectified serious findings × 1.0 = 25 → capped at 10; 100 − 10 = 90, still 优秀 (edge inclusive).
    result = score_unit(RULES, _items(), findings=_findings(25, "serious"))

    assert result.supervision_raw == D(25)
    assert result.supervision_deduction == D(10)
    assert result.pass_score == D(90)
    assert result.grade.grade == "优秀"
    assert "督查扣分合计25分,封顶10分" in result.supervision_provenance


def test_score_unit_rectified_findings_do_not_count():
    # 3 rectified serious (0) + 1 unrectified minor (0.5) → 0.5; 100 − 0.5 = 99.5
    findings = [*_findings(3, "serious", rectified=True), FindingInput(99, "3.1", "minor", rectified=False)]
    result = score_unit(RULES, _items(), findings=findings)

    assert result.supervision_deduction == D("0.5")
    assert result.pass_score == D("99.5")
    assert '督查问题#0(严重,项目"2.2")已整改,不扣分' in result.supervision_provenance


def test_score_unit_minor_costs_half_and_serious_one_point():
    # 2 minor × 0.5 + 1 serious × 1.0 = 2.0 → 100 − 2 = 98
    findings = [
        FindingInput(11, "1.4", "minor", False, "宣传栏缺失"),
        FindingInput(12, "3.1", "minor", False),
        FindingInput(13, "2.2", "serious", False, "下班未断电"),
    ]
    result = score_unit(RULES, _items(), findings=findings)

    assert result.supervision_deduction == D(2)
    assert result.pass_score == D(98)
    assert '督查问题#13(严重,项目"2.2")下班未断电未整改 −1' in result.supervision_provenance
    assert '督查问题#11(一般,项目"1.4")宣传栏缺失未整改 −0.5' in result.supervision_provenance


def test_score_unit_rejects_an_unknown_severity():
    with pytest.raises(ValueError, match="严重程度"):
        score_unit(RULES, _items(), findings=[FindingInput(1, "1.1", "critical", False)])


@pytest.mark.parametrize(
    ("score", "grade", "certified"),
    [
        ("100", "优秀", True), ("90", "优秀", True), ("89.5", "合格", True), ("80", "合格", True),
        ("79.5", "限期整改", False), ("70", "限期整改", False),
        ("69.5", "不合格", False), ("0", "不合格", False),
    ],
)
def test_grade_for_band_edges_are_inclusive_lower_bounds(score, grade, certified):
    band = grade_for(RULES, D(score))

    assert (band.grade, band.certified) == (grade, certified)


def test_score_unit_half_point_below_pass_mark_is_not_certified():
    # 2.2 + 2.3 + 2.4 = 16 lost → 84, minus 9 unrectified minor × 0.5 = 4.5 → 79.5 < 80
    result = score_unit(RULES, _items(_override_to_zero("2.2", "2.3", "2.4")), findings=_findings(9, "minor"))

    assert result.verified_total == D(84)
    assert result.pass_score == D("79.5")
    assert result.grade.grade == "限期整改"
    assert result.certified is False


def test_score_unit_veto_blocks_certification_whatever_the_score():
    result = score_unit(RULES, _items(), vetoes=["统计数据或佐证材料弄虚作假"])

    assert result.grade.grade == "优秀"
    assert result.certified is False
    assert result.not_certified_reasons == ("一票否决:统计数据或佐证材料弄虚作假",)


def test_score_unit_override_with_reason_appears_in_provenance():
    reason = "电费单显示用电量仅下降2%"
    result = score_unit(RULES, _items({"2.2": {"verified_score": D(4), "override_reason": reason}}))
    item = result.item("2.2")

    assert item.overridden is True
    assert item.provenance == (
        "满分6分",
        "自评得分6分",
        f"督查员核定:改为4分,理由:{reason}",
    )
    assert result.verified_total == D(98)


def test_score_item_override_without_reason_is_refused():
    with pytest.raises(ValueError, match="必须说明理由"):
        score_item(ItemInput("2.2", "2", D(6), self_score=D(6), verified_score=D(4)))


def test_score_item_self_deductions_and_finding_linked_deductions_are_explained():
    item = score_item(ItemInput(
        "1.1", "1", D(3),
        self_deductions=(Deduction(D(2), "领导机构不健全"),),
        verified_deductions=(
            Deduction(D(2), "领导机构不健全"), Deduction(D(1), "责任未落实到人", finding_id=42),
        ),
        override_reason="分工表未落实到人",
    ))

    # self 3 − 2 = 1; verified 3 − 2 − 1 = 0
    assert (item.self_score, item.verified_score, item.gap) == (D(1), D(0), D(1))
    assert item.provenance == (
        "满分3分",
        "自评扣分:领导机构不健全 −2",
        "自评得分1分",
        "核定扣分:领导机构不健全 −2",
        "核定扣分:责任未落实到人(督查问题#42) −1",
        "督查员核定:改为0分,理由:分工表未落实到人",
    )


def test_score_unit_unverified_item_uses_self_score_and_is_flagged():
    result = score_unit(RULES, _items({"1.1": {"accepted": False}}))
    item = result.item("1.1")

    assert item.verified is False
    assert item.score == D(3)
    assert result.unverified_codes == ("1.1",)
    assert result.fully_verified is False
    assert "未核定:暂按自评得分3分计" in item.provenance
    assert result.verified_total == D(100)


def test_score_unit_self_vs_verified_gap_per_item_block_and_unit():
    # Self 100 everywhere; inspector: 2.2 6 → 4 (gap 2), 1.4 3 → 1 (gap 2) → verified 96, unit gap 4.
    result = score_unit(RULES, _items({
        "2.2": {"verified_score": D(4), "override_reason": "用电未下降5%"},
        "1.4": {"verified_score": D(1), "override_reason": "无提示标识和环保书籍"},
    }))

    assert (result.self_total, result.verified_total, result.gap) == (D(100), D(96), D(4))
    assert result.item("2.2").gap == D(2)
    assert result.item("1.1").gap == D(0)
    assert {b.code: b.gap for b in result.blocks} == {"1": D(2), "2": D(2), "3": D(0), "4": D(0)}


def test_score_unit_onsite_item_without_self_score_has_no_gap():
    # 3.1 is onsite-only (4 points): no self-score, inspector gives 3. Self total 100 − 4 = 96, verified 99.
    result = score_unit(RULES, _items({"3.1": {"self_score": None, "verified_score": D(3)}}))
    item = result.item("3.1")

    assert item.self_score is None and item.gap is None and item.overridden is False
    assert item.provenance == ("满分4分", "无自评得分", "督查员核定:3分")
    assert (result.self_total, result.verified_total, result.gap) == (D(96), D(99), D(0))


def test_score_unit_thresholds_come_from_the_rules_not_the_code():
    # 2.2 + 2.3 + 2.5 = 17 lost → 83: 合格 under the shipped rubric, not under a pass mark of 85.
    strict = replace(
        RULES,
        pass_mark=D(85),
        grade_bands=(
            GradeBand(D(90), "优秀", "Excellent", True),
            GradeBand(D(85), "合格", "Pass", True),
            GradeBand(D(70), "限期整改", "Rectify within deadline", False),
            GradeBand(D(0), "不合格", "Fail", False),
        ),
    )
    items = _items(_override_to_zero("2.2", "2.3", "2.5"))

    assert score_unit(RULES, items).certified is True
    result = score_unit(strict, items)
    assert result.pass_score == D(83)
    assert result.certified is False
    assert result.not_certified_reasons == ("得分83低于合格线85(等级:限期整改)",)


def test_scoring_rules_rejects_a_pass_mark_that_contradicts_the_bands():
    with pytest.raises(ValueError, match="合格线"):
        replace(RULES, pass_mark=D(85))
