"""The year-end review: item verification, supervision deductions from unrectified findings exactly as
the rubric says, the stored result and stage, the one objection within the window ruled by another
inspector, and the re-check of units told to rectify."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessment.models import Method, RubricItem, Stage
from inspections.models import (
    ItemVerification,
    ObjectionStatus,
    ProofDecision,
    ReviewOutcome,
    ReviewStatus,
    VerificationDecision,
)
from inspections.selectors.year_end import review_score
from inspections.services.rectification import order_acknowledge, order_issue, proof_submit, rectification_verify
from inspections.services.year_end import (
    item_verify,
    objection_raise,
    objection_rule,
    review_accept_remaining,
    review_finalise,
    review_recheck,
    review_set_extras,
    review_start,
)
from tests.inspections.conftest import item, make_findings


def verify_all(review, actor, scores=None, reason="现场核查情况不符"):
    """Accept every self-score and give on-site items full marks, except `scores` (code → score)."""
    scores = scores or {}
    for rubric_item in RubricItem.objects.filter(rubric=review.enrolment.campaign.rubric).order_by("order"):
        if rubric_item.code in scores:
            item_verify(actor=actor, review=review, item=rubric_item, decision=VerificationDecision.OVERRIDE,
                        score=scores[rubric_item.code], reason=reason)
        elif rubric_item.method == Method.ONSITE:
            item_verify(actor=actor, review=review, item=rubric_item, decision=VerificationDecision.OVERRIDE)
        else:
            item_verify(actor=actor, review=review, item=rubric_item, decision=VerificationDecision.ACCEPT)


@pytest.fixture
def review(accepted_a, inspector_a):
    return review_start(actor=inspector_a, enrolment=accepted_a)


def test_review_start_needs_an_accepted_self_assessment(enrolment_a, inspector_a):
    with pytest.raises(ValidationError):
        review_start(actor=inspector_a, enrolment=enrolment_a)


def test_review_start_is_idempotent_and_refused_to_leaders(accepted_a, inspector_a, leader_a):
    first = review_start(actor=inspector_a, enrolment=accepted_a)
    assert review_start(actor=inspector_a, enrolment=accepted_a) == first
    with pytest.raises(PermissionDenied):
        review_start(actor=leader_a, enrolment=accepted_a)


def test_item_verify_override_needs_a_reason(review, inspector_a, campaign):
    with pytest.raises(ValidationError) as exc:
        item_verify(actor=inspector_a, review=review, item=item(campaign, "1.4"),
                    decision=VerificationDecision.OVERRIDE, deduction_ids=[item(campaign, "1.4").deductions.first().pk])
    assert "reason" in exc.value.message_dict
    verification = item_verify(actor=inspector_a, review=review, item=item(campaign, "1.4"),
                               decision=VerificationDecision.OVERRIDE,
                               deduction_ids=[item(campaign, "1.4").deductions.first().pk], reason="无宣传阵地")
    assert verification.verified_score == Decimal("2")


def test_item_verify_onsite_item_cannot_accept_a_missing_self_score(review, inspector_a, campaign):
    onsite = item(campaign, "3.1")
    with pytest.raises(ValidationError):
        item_verify(actor=inspector_a, review=review, item=onsite, decision=VerificationDecision.ACCEPT)
    deduction = onsite.deductions.order_by("order").first()  # 分类容器不全 −2
    verification = item_verify(actor=inspector_a, review=review, item=onsite,
                               decision=VerificationDecision.OVERRIDE, deduction_ids=[deduction.pk])
    assert verification.verified_score == Decimal("2")
    assert verification.reason == ""  # nothing to disagree with: no self-score


def test_review_score_without_findings_is_the_verified_total(review, inspector_a):
    verify_all(review, inspector_a)
    score = review_score(review).score
    assert score.verified_total == Decimal("100")
    assert score.supervision_deduction == 0 and score.pass_score == Decimal("100")
    assert score.certified and score.grade.grade == "优秀"


@pytest.mark.parametrize("severities, deduction", [
    (["serious"], Decimal("1.0")),
    (["minor"], Decimal("0.5")),
    (["serious", "minor", "minor"], Decimal("2.0")),
    (["serious"] * 11, Decimal("10")),  # 11 points raw, capped at 10 by the rubric
])
def test_unrectified_findings_lower_the_result_exactly_as_the_rubric_says(review, inspector_a, accepted_a,
                                                                          severities, deduction):
    make_findings(accepted_a, actor=inspector_a, severities=severities)
    verify_all(review, inspector_a)
    review_finalise(actor=inspector_a, review=review)
    review.refresh_from_db()
    assert review.verified_total == Decimal("100")
    assert review.supervision_deduction == deduction
    assert review.pass_score == Decimal("100") - deduction
    assert review.final_score == Decimal("100") - deduction
    assert any("未整改" in line for line in review.provenance["supervision"])


def test_rectified_finding_does_not_count(review, inspector_a, inspector_a2, accepted_a, director_a):
    serious, minor = make_findings(accepted_a, actor=inspector_a, severities=["serious", "minor"])
    order = order_issue(actor=inspector_a, finding=serious, required_action="整改",
                        deadline=timezone.localdate() + datetime.timedelta(days=5))
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=director_a, order=order, note="已整改")
    rectification_verify(actor=inspector_a2, order=order, decision=ProofDecision.CLOSED)
    verify_all(review, inspector_a)
    score = review_score(review).score
    assert score.supervision_deduction == Decimal("0.5")
    assert any("已整改,不扣分" in line for line in score.supervision_provenance)


def test_findings_of_other_units_do_not_count(review, inspector_a, enrolment_b, inspector_city):
    make_findings(enrolment_b, actor=inspector_city, severities=["serious", "serious"])
    verify_all(review, inspector_a)
    assert review_score(review).score.supervision_deduction == 0


def test_finalise_stores_the_result_and_moves_the_stage(review, inspector_a, accepted_a, director_a):
    with pytest.raises(ValidationError) as exc:
        review_finalise(actor=inspector_a, review=review)
    assert "未核定" in exc.value.messages[0]
    verify_all(review, inspector_a, scores={"2.2": 2, "2.3": 2, "2.5": 1})  # −12: 88 合格
    review_set_extras(actor=inspector_a, review=review, bonus_claims={"B.1": "能耗在线监测平台验收报告"}, vetoes=[])
    finalised = review_finalise(actor=inspector_a, review=review)
    assert finalised.status == ReviewStatus.FINALISED and finalised.finalised_by == inspector_a
    assert finalised.verified_total == Decimal("88") and finalised.pass_score == Decimal("88")
    assert finalised.bonus == Decimal("2") and finalised.final_score == Decimal("90")
    assert finalised.grade == "合格" and finalised.certified and finalised.outcome == ReviewOutcome.PASSED
    assert finalised.provenance["2.2"][-1].startswith("督查员核定:改为2分")
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.PASSED
    assert list(accepted_a.transitions.values_list("to_stage", flat=True))[-2:] == [Stage.REVIEWED, Stage.PASSED]
    assert ItemVerification.objects.filter(review=review).count() == 27
    assert director_a.notifications.filter(kind="review_result").exists()
    # Frozen now.
    with pytest.raises(ValidationError):
        item_verify(actor=inspector_a, review=review, item=item(review.enrolment.campaign, "1.1"),
                    decision=VerificationDecision.ACCEPT)


def test_finalise_rectifying_band_and_veto(review, inspector_a, accepted_a):
    verify_all(review, inspector_a, scores={"2.2": 0, "2.3": 0, "2.4": 0, "2.5": 0})  # −21: 79 限期整改
    finalised = review_finalise(actor=inspector_a, review=review)
    assert finalised.grade == "限期整改" and finalised.outcome == ReviewOutcome.RECTIFYING
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.RECTIFYING


def test_veto_fails_whatever_the_score(review, inspector_a, accepted_a, campaign):
    verify_all(review, inspector_a)
    review_set_extras(actor=inspector_a, review=review, bonus_claims={}, vetoes=[campaign.rubric.vetoes[3]])
    finalised = review_finalise(actor=inspector_a, review=review)
    assert finalised.pass_score == Decimal("100") and not finalised.certified
    assert finalised.outcome == ReviewOutcome.FAILED
    assert any("一票否决" in r for r in finalised.not_certified_reasons)


def test_review_set_extras_requires_evidence_note(review, inspector_a):
    with pytest.raises(ValidationError):
        review_set_extras(actor=inspector_a, review=review, bonus_claims={"B.1": " "}, vetoes=[])
    with pytest.raises(ValidationError):
        review_set_extras(actor=inspector_a, review=review, bonus_claims={}, vetoes=["不存在的情形"])


@pytest.fixture
def finalised(review, inspector_a):
    verify_all(review, inspector_a, scores={"2.2": 0, "2.3": 0, "2.4": 0, "2.5": 0})  # 79: rectifying
    return review_finalise(actor=inspector_a, review=review)


def test_objection_only_once_and_within_the_window(finalised, director_a, director_b, inspector_a):
    with pytest.raises(PermissionDenied):
        objection_raise(actor=inspector_a, review=finalised, reason="不服")
    late = finalised.finalised_at + datetime.timedelta(days=7, seconds=1)
    with pytest.raises(ValidationError) as exc:
        objection_raise(actor=director_a, review=finalised, reason="不服", now=late)
    assert exc.value.code == "window"
    objection = objection_raise(actor=director_a, review=finalised, reason="2.2项已提供电费单",
                                now=finalised.finalised_at + datetime.timedelta(days=6))
    assert objection.status == ObjectionStatus.PENDING
    assert Decimal(objection.original_result["pass_score"]) == Decimal("79")
    with pytest.raises(ValidationError) as exc:
        objection_raise(actor=director_a, review=finalised, reason="再次异议")
    assert exc.value.code == "once"


def test_objection_ruled_by_a_different_inspector_who_may_rescore(finalised, director_a, inspector_a,
                                                                   inspector_a2, accepted_a, campaign):
    objection = objection_raise(actor=director_a, review=finalised, reason="2.2项已提供电费单")
    with pytest.raises(PermissionDenied):
        objection_rule(actor=inspector_a, objection=objection, decision=ObjectionStatus.UPHELD, ruling="维持")
    # The reviewer can't quietly change items either while the objection is pending.
    with pytest.raises(PermissionDenied):
        item_verify(actor=inspector_a, review=finalised, item=item(campaign, "2.2"),
                    decision=VerificationDecision.ACCEPT)
    item_verify(actor=inspector_a2, review=finalised, item=item(campaign, "2.2"), decision=VerificationDecision.ACCEPT)
    ruled = objection_rule(actor=inspector_a2, objection=objection, decision=ObjectionStatus.CHANGED,
                           ruling="电费单证明用电下降5%,2.2项认可自评")
    assert ruled.status == ObjectionStatus.CHANGED and ruled.ruled_by == inspector_a2
    finalised.refresh_from_db()
    assert finalised.pass_score == Decimal("85") and finalised.outcome == ReviewOutcome.PASSED
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.PASSED
    with pytest.raises(ValidationError):
        objection_rule(actor=inspector_a2, objection=objection, decision=ObjectionStatus.UPHELD, ruling="再裁")
    with pytest.raises(ValidationError):
        item_verify(actor=inspector_a2, review=finalised, item=item(campaign, "2.3"),
                    decision=VerificationDecision.ACCEPT)


def test_objection_upheld_keeps_the_result(finalised, director_a, inspector_a2, accepted_a):
    objection = objection_raise(actor=director_a, review=finalised, reason="不服")
    objection_rule(actor=inspector_a2, objection=objection, decision=ObjectionStatus.UPHELD, ruling="证据不足")
    finalised.refresh_from_db()
    accepted_a.refresh_from_db()
    assert finalised.pass_score == Decimal("79") and accepted_a.stage == Stage.RECTIFYING


def test_recheck_moves_a_rectifying_unit_to_passed_or_failed(finalised, inspector_a2, accepted_a, director_a):
    with pytest.raises(ValidationError):
        review_recheck(actor=inspector_a2, review=finalised, outcome=ReviewOutcome.PASSED, note="")
    review_recheck(actor=inspector_a2, review=finalised, outcome=ReviewOutcome.PASSED, note="整改到位")
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.PASSED
    with pytest.raises(ValidationError):
        review_recheck(actor=inspector_a2, review=finalised, outcome=ReviewOutcome.FAILED, note="再次复查")


def test_review_accept_remaining_accepts_self_scores_and_leaves_onsite_items(review, inspector_a, campaign):
    item_verify(actor=inspector_a, review=review, item=item(campaign, "2.2"), decision=VerificationDecision.OVERRIDE,
                score=3, reason="用电量未下降")
    accepted = review_accept_remaining(actor=inspector_a, review=review)
    onsite = RubricItem.objects.filter(rubric=campaign.rubric, method=Method.ONSITE).count()
    assert accepted == 27 - onsite - 1
    assert ItemVerification.objects.get(review=review, item=item(campaign, "2.2")).verified_score == 3
    assert set(review_score(review).score.unverified_codes) == set(
        RubricItem.objects.filter(rubric=campaign.rubric, method=Method.ONSITE).values_list("code", flat=True))
    assert review_accept_remaining(actor=inspector_a, review=review) == 0
