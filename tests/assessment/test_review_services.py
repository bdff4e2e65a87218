"""Accept / return of a submitted self-assessment, and the history a returned assessment keeps."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import (
    AssessmentStatus,
    ItemResponse,
    ItemReviewComment,
    ReviewDecision,
    Stage,
    SubmissionRound,
)
from assessment.selectors.self_assessment import response_change_list, round_list
from assessment.services.self_assessment import (
    assessment_accept,
    assessment_return,
    assessment_submit,
    response_save,
)
from greenoffice.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_a(answered_a, director_a):
    assessment_submit(actor=director_a, assessment=answered_a)
    answered_a.refresh_from_db()
    return answered_a


def test_assessment_return_requires_a_reason(submitted_a, inspector_a):
    with pytest.raises(ValidationError) as exc:
        assessment_return(actor=inspector_a, assessment=submitted_a, comment="  ")
    assert "退回修改必须填写退回原因" in str(exc.value)
    submitted_a.refresh_from_db()
    assert submitted_a.status == AssessmentStatus.SUBMITTED


def test_assessment_return_unlocks_records_comments_and_transitions(submitted_a, inspector_a, items):
    decided = assessment_return(actor=inspector_a, assessment=submitted_a, comment="材料不全",
                                item_comments={"1.1": "缺少成立文件", "2.2": "", "2.5": "请补抄表记录"})
    submitted_a.refresh_from_db()
    assert submitted_a.status == AssessmentStatus.RETURNED and not submitted_a.is_locked
    assert decided.decision == ReviewDecision.RETURNED
    assert decided.decided_by == inspector_a
    assert dict(ItemReviewComment.objects.values_list("item__code", "comment")) == {
        "1.1": "缺少成立文件", "2.5": "请补抄表记录",
    }
    enrolment = submitted_a.enrolment
    enrolment.refresh_from_db()
    assert enrolment.stage == Stage.RETURNED
    assert AuditEvent.objects.filter(action="assessment_return", reason="材料不全").exists()


def test_assessment_return_refuses_unknown_item_codes(submitted_a, inspector_a):
    with pytest.raises(ValidationError):
        assessment_return(actor=inspector_a, assessment=submitted_a, comment="x", item_comments={"9.9": "?"})


def test_assessment_accept_transitions_and_keeps_the_self_scores(submitted_a, inspector_a, items):
    before = dict(ItemResponse.objects.filter(assessment=submitted_a).values_list("item_id", "self_score"))
    assessment_accept(actor=inspector_a, assessment=submitted_a)
    submitted_a.refresh_from_db()
    assert submitted_a.status == AssessmentStatus.ACCEPTED
    assert submitted_a.self_total == Decimal("88")
    assert dict(ItemResponse.objects.filter(assessment=submitted_a).values_list("item_id", "self_score")) == before
    enrolment = submitted_a.enrolment
    enrolment.refresh_from_db()
    assert enrolment.stage == Stage.ACCEPTED


def test_review_by_out_of_scope_inspector_or_other_roles_is_refused(
    submitted_a, director_a, leader_a, inspector_city, district_b,
):
    from tests.factories import UserFactory
    from units.models import Role

    inspector_b = UserFactory(username="inspector_b", role=Role.INSPECTOR, districts=[district_b])
    for actor in (director_a, leader_a, inspector_b):
        with pytest.raises(PermissionDenied):
            assessment_accept(actor=actor, assessment=submitted_a)
    # A city-wide inspector is in scope.
    assessment_accept(actor=inspector_city, assessment=submitted_a)


def test_review_of_a_draft_or_decided_assessment_is_refused(answered_a, director_a, inspector_a):
    with pytest.raises(ValidationError):
        assessment_accept(actor=inspector_a, assessment=answered_a)
    assessment_submit(actor=director_a, assessment=answered_a)
    assessment_accept(actor=inspector_a, assessment=answered_a)
    with pytest.raises(ValidationError) as exc:
        assessment_accept(actor=inspector_a, assessment=answered_a)
    assert "无需重复审核" in str(exc.value)
    assert SubmissionRound.objects.get().decision == ReviewDecision.ACCEPTED


def test_returned_assessment_keeps_its_history(submitted_a, director_a, inspector_a, items):
    item = items["1.2"]
    first_round = SubmissionRound.objects.get()
    assessment_return(actor=inspector_a, assessment=submitted_a, comment="1.2未分解到人",
                      item_comments={"1.2": "任务未分解到人,请据实扣分"})
    deduction = next(d for d in item.deductions.all() if d.text == "任务未分解到人")
    response_save(actor=director_a, assessment=submitted_a, item=item, deduction_ids=[deduction.pk],
                  explanation="据实扣1分")
    assessment_submit(actor=director_a, assessment=submitted_a)
    assessment_accept(actor=inspector_a, assessment=submitted_a, comment="同意")

    rounds = round_list(assessment=submitted_a)
    assert [r.number for r in rounds] == [2, 1]
    assert [r.decision for r in rounds] == [ReviewDecision.ACCEPTED, ReviewDecision.RETURNED]
    first = rounds[1]
    assert first.pk == first_round.pk
    # Round 1's snapshot still shows what was submitted then, not the revised answer.
    assert first.snapshot["items"]["1.2"]["self_score"] == "4.00"
    assert first.snapshot["items"]["1.2"]["deductions"] == []
    assert rounds[0].snapshot["items"]["1.2"]["self_score"] == "3.00"
    assert [c.comment for c in first.item_comments.all()] == ["任务未分解到人,请据实扣分"]

    changes = [c for c in response_change_list(assessment=submitted_a) if c.item.code == "1.2"]
    latest = changes[0]
    assert latest.user == director_a
    fields = {label: (old, new) for label, old, new in latest.fields}
    assert fields["选择"] == ("满分", "任务未分解到人")
    assert fields["自评得分"] == ("4", "3")
    assert fields["情况说明"] == ("", "据实扣1分")
    assert changes[-1].kind == "+"
