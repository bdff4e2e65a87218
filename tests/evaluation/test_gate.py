"""The satisfaction gate: the formula, exactly-at-threshold, the minimum number of answers, and its
effect on the city decision (市级评审, where the gate now applies) and on naming (publicity_close)."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import Enrolment, Stage
from inspections.evaluation.models import EvaluationResponse, Invitation, RoundStatus
from inspections.evaluation.questions import meets_threshold, satisfaction_rate
from inspections.evaluation.selectors.gate import satisfaction_gate
from inspections.evaluation.services.evaluation import round_set_status, round_update
from inspections.models import Certificate, ReviewOutcome
from inspections.services.certification import publicity_close, publicity_open
from inspections.services.city_review import city_decision_record
from tests.evaluation.conftest import answer, finalise
from tests.factories import UserFactory, city_approve
from units.models import Role


def bulk_answers(target, *, satisfied: int, total: int):
    """Many answers at once, each through its own invitation (the answers the gate counts). The
    per-answer rules are exercised through the service and the page in test_questionnaire; here only
    the volume matters (79.99 % needs 10,000 answers)."""
    day = timezone.localdate()
    invitations = Invitation.objects.bulk_create(
        [Invitation(target=target, token=f"bulk{n:06d}") for n in range(total)], batch_size=2000)
    rows = []
    for n, invitation in enumerate(invitations):
        if n < satisfied:
            overall = "satisfied" if n % 2 else "basic"  # both count as satisfied
        else:
            overall = "dissatisfied"
        rows.append(EvaluationResponse(target=target, invitation=invitation, day=day, device_key=f"bulk-{n}",
                                       network_key=f"net-{n}", rating_energy="satisfied", rating_waste="basic",
                                       rating_environment="dissatisfied", rating_overall=overall))
    EvaluationResponse.objects.bulk_create(rows, batch_size=2000)


def test_satisfaction_rate_formula_and_exact_threshold():
    assert satisfaction_rate(7999, 10000) == Decimal("79.99")
    assert satisfaction_rate(2, 3) == Decimal("66.66")  # rounded down, never up to a passing figure
    assert satisfaction_rate(0, 0) is None
    assert meets_threshold(8000, 10000, Decimal("80"))
    assert not meets_threshold(7999, 10000, Decimal("80"))
    assert not meets_threshold(79996, 100000, Decimal("80"))  # 79.996 % is below 80 %
    assert meets_threshold(4, 5, Decimal("80.00"))
    assert not meets_threshold(4, 5, Decimal("80.01"))
    assert not meets_threshold(0, 0, Decimal("1"))


@pytest.mark.parametrize("satisfied, approvable", [(7999, False), (8000, True)])
def test_satisfaction_gate_decides_the_city_approval_exactly_at_the_threshold(
        target_a, accepted_a, inspector_a, satisfied, approvable):
    """The gate moved from the year-end review to the city decision (市级评审): the review's outcome is
    the rubric's alone; 同意命名 is refused below the threshold."""
    bulk_answers(target_a, satisfied=satisfied, total=10000)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    review = finalise(accepted_a, inspector_a)
    assert review.grade == "优秀" and review.certified is True and review.outcome == ReviewOutcome.PASSED
    assert accepted_a.stage == Stage.PASSED
    assert not any("公开评议" in reason for reason in review.not_certified_reasons)
    if approvable:
        decision = city_approve(accepted_a)
        assert decision.basis["gate_status"] == "passed" and decision.basis["gate_rate"] == "80.00"
    else:
        with pytest.raises(ValidationError) as exc:
            city_approve(accepted_a)
        assert exc.value.code == "gate_failed" and "公开评议满意度79.99%低于80%" in exc.value.messages[0]


def test_satisfaction_gate_at_threshold_with_answers_made_through_the_service(target_a, inspector_a):
    for overall in ("satisfied", "basic", "satisfied", "basic", "dissatisfied"):  # 4 of 5 = 80 %
        answer(target_a, overall=overall)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert (gate.passed, gate.rate, gate.answers, gate.threshold) == (True, Decimal("80.00"), 5, Decimal("80"))
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.OPEN)
    round_update(actor=inspector_a, round_=target_a.round, threshold=Decimal("80.01"))
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert gate.passed is False and gate.reason == "公开评议满意度80%低于80.01%"


def test_satisfaction_gate_needs_the_minimum_number_of_answers(target_a, inspector_a):
    for _n in range(4):
        answer(target_a)  # 100 % but only 4 of the 5 required
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert gate.passed is False and gate.reason == "公开评议有效答卷4份,少于最低要求5份"


def test_satisfaction_gate_is_undecided_while_open_and_absent_without_a_round(target_a, enrolment_b, inspector_a):
    answer(target_a, overall="dissatisfied")
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert gate.passed is None and gate.status == "in_progress" and "进行中" in gate.reason
    assert satisfaction_gate(enrolment=enrolment_b).status == "not_evaluated"
    with pytest.raises(ValidationError):  # a closed round's threshold can't move under the results
        round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
        round_update(actor=inspector_a, round_=target_a.round, threshold=Decimal("70"))


def test_year_end_review_page_shows_the_gate(client, target_a, accepted_a, inspector_a, director_a):
    bulk_answers(target_a, satisfied=7, total=10)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    review = finalise(accepted_a, inspector_a)
    client.force_login(inspector_a)
    html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    assert "公开评议满意度门槛" in html and "70%" in html and "未达门槛" in html
    client.force_login(director_a)
    html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    assert "公开评议满意度70%低于80%" in html


def test_city_decision_waits_for_the_round_and_refuses_approval_below_the_threshold(
        target_a, accepted_a, inspector_a, director_a):
    """No city decision while the public evaluation is open; below the threshold no 同意命名, and 不予命名
    ends the unit's year; no publicity without 同意命名."""
    today = timezone.localdate()
    review = finalise(accepted_a, inspector_a)  # finalised while the round is open: the review passes
    assert review.outcome == ReviewOutcome.PASSED and accepted_a.stage == Stage.PASSED
    with pytest.raises(ValidationError) as exc:
        city_approve(accepted_a)
    assert exc.value.code == "evaluation_open"
    with pytest.raises(ValidationError):  # no publicity before a city decision
        publicity_open(actor=inspector_a, campaign=accepted_a.campaign, title="",
                       start_date=today - datetime.timedelta(days=9), end_date=today - datetime.timedelta(days=2))
    bulk_answers(target_a, satisfied=3, total=10)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    with pytest.raises(ValidationError):
        city_approve(accepted_a)
    reviewer = UserFactory(role=Role.REVIEWER)
    city_decision_record(actor=reviewer, enrolment=accepted_a, decision="refuse", reason="公开评议满意度未达门槛")
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.FAILED
    assert not Certificate.objects.filter(enrolment=accepted_a).exists()


def test_publicity_close_names_a_unit_that_met_the_gate(target_a, accepted_a, inspector_a):
    today = timezone.localdate()
    finalise(accepted_a, inspector_a)
    bulk_answers(target_a, satisfied=9, total=10)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    city_approve(accepted_a)
    batch = publicity_open(actor=inspector_a, campaign=accepted_a.campaign, title="",
                           start_date=today - datetime.timedelta(days=9), end_date=today - datetime.timedelta(days=2))
    certificates = publicity_close(actor=inspector_a, batch=batch, today=today)
    assert [c.enrolment_id for c in certificates] == [accepted_a.pk]


def test_satisfaction_gates_for_lists_agree_with_the_single_gate(target_a, enrolment_b, inspector_a,
                                                                 django_assert_num_queries):
    from inspections.evaluation.selectors.gate import satisfaction_gates

    ids = [target_a.enrolment_id, enrolment_b.pk]

    def check():
        with django_assert_num_queries(1):
            gates = satisfaction_gates(enrolment_ids=ids)
        for enrolment_id in ids:
            single = satisfaction_gate(enrolment=Enrolment.objects.get(pk=enrolment_id))
            assert gates[enrolment_id] == single
        return gates

    bulk_answers(target_a, satisfied=7, total=10)
    assert check()[target_a.enrolment_id].status == "in_progress"
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    gates = check()
    assert gates[target_a.enrolment_id].passed is False and gates[enrolment_b.pk].status == "not_evaluated"
