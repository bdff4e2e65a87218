"""The self-assessment services: saving answers, scores, submit (missing items, double, stale), and who
may change a self-score."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import (
    AssessmentStatus,
    Evidence,
    ItemResponse,
    Stage,
    StageTransition,
    SubmissionRound,
)
from assessment.services.evidence import evidence_add
from assessment.services.self_assessment import (
    assessment_return,
    assessment_submit,
    response_save,
    self_assessment_start,
)
from greenoffice.models import AuditEvent
from tests.assessment.conftest import answer_all, pdf_file

pytestmark = pytest.mark.django_db


def deduction(item, text_start):
    return next(d for d in item.deductions.all() if d.text.startswith(text_start))


def test_response_save_computes_self_score_from_deductions(assessment_a, director_a, items):
    item = items["1.2"]  # 4 points: −2 无实施方案, −1 无目标, −1 未分解
    chosen = [deduction(item, "无实施方案").pk, deduction(item, "任务未分解").pk]
    response = response_save(actor=director_a, assessment=assessment_a, item=item, deduction_ids=chosen,
                             explanation="年度计划尚未印发")
    assert response.answered is True
    assert response.self_score == Decimal("1")
    assert sorted(response.deduction_ids) == sorted(chosen)
    assessment_a.refresh_from_db()
    assert assessment_a.self_total == Decimal("1")


def test_response_save_full_marks_scores_max_points(assessment_a, director_a, items):
    response = response_save(actor=director_a, assessment=assessment_a, item=items["1.3"], full_marks=True)
    assert response.self_score == Decimal("5")
    assert response.deduction_ids == []


def test_response_save_repeatable_deduction_counts_and_clamps_at_zero(assessment_a, director_a, items):
    item = items["1.3"]  # 5 points, "每缺一项制度" −1 each
    per_missing = deduction(item, "每缺一项").pk
    response = response_save(actor=director_a, assessment=assessment_a, item=item,
                             deduction_ids=[per_missing] * 3)
    assert response.self_score == Decimal("2")
    item_16 = items["1.6"]  # 3 points, "每少一次" −1.5 each, at most ceil(3/1.5)=2 times
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=assessment_a, item=item_16,
                      deduction_ids=[deduction(item_16, "每少一次").pk] * 3)
    assert "最多选择2次" in str(exc.value)


def test_response_save_refuses_a_non_repeatable_deduction_twice(assessment_a, director_a, items):
    item = items["1.1"]
    once = deduction(item, "领导机构不健全").pk
    with pytest.raises(ValidationError):
        response_save(actor=director_a, assessment=assessment_a, item=item, deduction_ids=[once, once])


def test_response_save_refuses_deductions_of_another_item(assessment_a, director_a, items):
    foreign = items["2.2"].deductions.all()[0].pk
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], deduction_ids=[foreign])
    assert "不属于本项目" in str(exc.value)
    assert not ItemResponse.objects.filter(assessment=assessment_a).exists()


def test_response_save_tiered_item_takes_a_score_within_bounds(assessment_a, director_a, items):
    item = items["2.1"]  # 8 points, no standard deductions: scored in tiers
    response = response_save(actor=director_a, assessment=assessment_a, item=item, self_score=Decimal("7"))
    assert response.self_score == Decimal("7")
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=assessment_a, item=item, self_score=Decimal("9"))
    assert "0到8分" in str(exc.value)


def test_response_save_refuses_full_marks_with_deductions(assessment_a, director_a, items):
    item = items["1.1"]
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=assessment_a, item=item, full_marks=True,
                      deduction_ids=[item.deductions.all()[0].pk])
    assert "已选择满分" in str(exc.value)


def test_response_save_without_a_choice_keeps_a_draft(assessment_a, director_a, items):
    response = response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], explanation="草稿说明")
    assert response.answered is False
    assert response.self_score is None
    assert response.explanation == "草稿说明"


def test_response_save_refuses_a_responsible_person_of_another_unit(assessment_a, director_a, items, person_b):
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True,
                      responsible_id=person_b.pk)
    assert "责任人不属于本单位" in str(exc.value)


def test_response_save_records_responsible_person_of_the_unit(assessment_a, director_a, items, person_a):
    response = response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True,
                             responsible_id=person_a.pk)
    assert response.responsible == person_a


def test_response_save_refuses_an_explanation_over_5000_characters(assessment_a, director_a, items):
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True,
                      explanation="字" * 5001)
    assert "5000" in str(exc.value)


def test_response_save_refuses_onsite_items(assessment_a, director_a, items):
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=assessment_a, item=items["3.1"], full_marks=True)
    assert "现场检查项" in str(exc.value)


def test_response_save_moves_the_enrolment_to_self_assessing_and_audits(assessment_a, director_a, items):
    response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True)
    enrolment = assessment_a.enrolment
    enrolment.refresh_from_db()
    assert enrolment.stage == Stage.SELF_ASSESSING
    event = AuditEvent.objects.filter(action="response_save").get()
    assert event.actor == director_a
    assert event.changes["self_score"] == [None, "3.00"]


def test_response_save_by_inspector_is_refused(assessment_a, inspector_a, items):
    with pytest.raises(PermissionDenied):
        response_save(actor=inspector_a, assessment=assessment_a, item=items["1.1"], full_marks=True)
    assert not ItemResponse.objects.exists()


def test_response_save_by_admin_or_leader_is_refused(assessment_a, admin_user, leader_a, items):
    for actor in (admin_user, leader_a):
        with pytest.raises(PermissionDenied):
            response_save(actor=actor, assessment=assessment_a, item=items["1.1"], full_marks=True)


def test_response_save_by_director_of_another_unit_is_refused(assessment_a, director_b, items):
    with pytest.raises(PermissionDenied):
        response_save(actor=director_b, assessment=assessment_a, item=items["1.1"], full_marks=True)


def test_inspector_cannot_change_a_submitted_self_score(answered_a, director_a, inspector_a, items):
    assessment_submit(actor=director_a, assessment=answered_a)
    before = ItemResponse.objects.get(assessment=answered_a, item=items["1.2"]).self_score
    with pytest.raises(PermissionDenied):
        response_save(actor=inspector_a, assessment=answered_a, item=items["1.2"],
                      deduction_ids=[items["1.2"].deductions.all()[0].pk])
    assert ItemResponse.objects.get(assessment=answered_a, item=items["1.2"]).self_score == before


def test_assessment_submit_refuses_missing_items_naming_them(assessment_a, director_a, items):
    answer_all(assessment_a, director_a, items, skip={"1.3", "2.5"})
    with pytest.raises(ValidationError) as exc:
        assessment_submit(actor=director_a, assessment=assessment_a)
    assert exc.value.messages == ["以下项目尚未填报:1.3、2.5"]
    assessment_a.refresh_from_db()
    assert assessment_a.status == AssessmentStatus.DRAFT
    assert not SubmissionRound.objects.exists()


def test_assessment_submit_does_not_ask_for_onsite_items(answered_a, director_a):
    submission, created = assessment_submit(actor=director_a, assessment=answered_a)
    assert created is True
    assert submission.snapshot["items"]["3.1"]["answered"] is False  # onsite: never self-scored


def test_assessment_submit_locks_snapshots_and_transitions(answered_a, director_a, items):
    response = ItemResponse.objects.get(assessment=answered_a, item=items["1.1"])
    evidence = evidence_add(actor=director_a, response=response, uploaded_file=pdf_file())
    submission, created = assessment_submit(actor=director_a, assessment=answered_a)
    answered_a.refresh_from_db()
    assert created is True
    assert submission.number == 1
    assert answered_a.status == AssessmentStatus.SUBMITTED and answered_a.is_locked
    assert answered_a.round == 1
    assert answered_a.self_total == Decimal("88")  # 100 − the onsite items 3.1 (4), 4.1 (3), 4.4 (3), 4.5 (2)
    entry = submission.snapshot["items"]["1.1"]
    assert entry["self_score"] == "3.00"
    assert entry["evidence"] == [{
        "id": evidence.pk, "name": "方案.pdf", "sha256": evidence.sha256, "size": evidence.size,
        "content_type": "application/pdf", "round": 1,
    }]
    evidence.refresh_from_db()
    assert evidence.submitted_in_round == 1
    enrolment = answered_a.enrolment
    enrolment.refresh_from_db()
    assert enrolment.stage == Stage.SUBMITTED
    assert AuditEvent.objects.filter(action="assessment_submit").count() == 1


def test_assessment_submit_twice_is_harmless(answered_a, director_a):
    first, created = assessment_submit(actor=director_a, assessment=answered_a)
    again, created_again = assessment_submit(actor=director_a, assessment=answered_a)
    assert created is True and created_again is False
    assert again.pk == first.pk
    assert SubmissionRound.objects.count() == 1
    assert StageTransition.objects.filter(to_stage=Stage.SUBMITTED).count() == 1


def test_assessment_submit_with_a_stale_version_is_refused(answered_a, director_a, items):
    version_seen = answered_a.revision
    # Another tab changes an answer after the page was rendered.
    response_save(actor=director_a, assessment=answered_a, item=items["1.1"],
                  deduction_ids=[items["1.1"].deductions.all()[0].pk])
    with pytest.raises(ValidationError) as exc:
        assessment_submit(actor=director_a, assessment=answered_a, version=version_seen)
    assert exc.value.messages == ["自评内容已在其他页面更新,请刷新后再提交"]
    answered_a.refresh_from_db()
    assert answered_a.status == AssessmentStatus.DRAFT
    submission, created = assessment_submit(actor=director_a, assessment=answered_a, version=answered_a.revision)
    assert created


def test_submitted_assessment_refuses_edits(answered_a, director_a, items):
    assessment_submit(actor=director_a, assessment=answered_a)
    with pytest.raises(ValidationError) as exc:
        response_save(actor=director_a, assessment=answered_a, item=items["1.1"], explanation="改一下")
    assert exc.value.messages == ["已提交的自评不能修改"]
    response = ItemResponse.objects.get(assessment=answered_a, item=items["1.1"])
    with pytest.raises(ValidationError):
        evidence_add(actor=director_a, response=response, uploaded_file=pdf_file())


def test_self_assessment_start_is_idempotent_and_for_the_units_director(enrolment_a, director_a, director_b):
    first = self_assessment_start(actor=director_a, enrolment=enrolment_a)
    assert self_assessment_start(actor=director_a, enrolment=enrolment_a) == first
    with pytest.raises(PermissionDenied):
        self_assessment_start(actor=director_b, enrolment=enrolment_a)


def test_resubmission_after_return_is_round_two(answered_a, director_a, inspector_a, items):
    assessment_submit(actor=director_a, assessment=answered_a)
    assessment_return(actor=inspector_a, assessment=answered_a, comment="1.1缺少成立文件",
                      item_comments={"1.1": "请上传成立文件"})
    response_save(actor=director_a, assessment=answered_a, item=items["1.1"],
                  deduction_ids=[items["1.1"].deductions.all()[1].pk], explanation="补充说明")
    submission, created = assessment_submit(actor=director_a, assessment=answered_a)
    assert created and submission.number == 2
    enrolment = answered_a.enrolment
    enrolment.refresh_from_db()
    assert enrolment.stage == Stage.RESUBMITTED
    assert [r.number for r in SubmissionRound.objects.order_by("number")] == [1, 2]
    assert Evidence.objects.count() == 0
