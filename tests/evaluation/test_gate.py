"""The satisfaction gate: the formula, exactly-at-threshold, the minimum number of answers, and its
effect on the stored year-end outcome and on naming (publicity_close)."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.models import Stage
from inspections.evaluation.models import EvaluationResponse, Invitation, RoundStatus
from inspections.evaluation.questions import meets_threshold, satisfaction_rate
from inspections.evaluation.selectors.gate import satisfaction_gate
from inspections.evaluation.services.evaluation import round_set_status, round_update
from inspections.models import Certificate, ReviewOutcome
from inspections.services.certification import publicity_close, publicity_open
from tests.evaluation.conftest import answer, finalise


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


@pytest.mark.parametrize("satisfied, outcome, stage, certified", [
    (7999, ReviewOutcome.FAILED, Stage.FAILED, False),
    (8000, ReviewOutcome.PASSED, Stage.PASSED, True),
])
def test_satisfaction_gate_changes_the_year_end_outcome_exactly_at_the_threshold(
        target_a, accepted_a, inspector_a, satisfied, outcome, stage, certified):
    bulk_answers(target_a, satisfied=satisfied, total=10000)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    review = finalise(accepted_a, inspector_a)
    assert review.grade == "优秀"  # full marks: only the gate can change the outcome
    assert review.outcome == outcome
    assert review.certified is certified
    assert accepted_a.stage == stage
    if not certified:
        assert "公开评议满意度79.99%低于80%" in review.not_certified_reasons
        assert "不予认定:公开评议满意度79.99%低于80%" in review.provenance["summary"]
        assert "公开评议满意度79.99%低于80%" in accepted_a.transitions.order_by("-id").first().reason
    else:
        assert "公开评议满意度80%,达到80%(10000份)" in review.provenance["summary"]


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
    assert "不予认定:公开评议满意度70%低于80%" in html
    client.force_login(director_a)
    html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    assert "公开评议满意度70%低于80%" in html


def test_publicity_close_waits_for_the_round_and_refuses_naming_below_the_threshold(
        target_a, accepted_a, inspector_a, director_a):
    today = timezone.localdate()
    # Finalised while the round is still open: the gate is undecided, the unit passes the review.
    review = finalise(accepted_a, inspector_a)
    assert review.outcome == ReviewOutcome.PASSED and accepted_a.stage == Stage.PASSED
    batch = publicity_open(actor=inspector_a, campaign=accepted_a.campaign, title="",
                           start_date=today - datetime.timedelta(days=9), end_date=today - datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        publicity_close(actor=inspector_a, batch=batch, today=today)
    assert "公开评议尚未结束" in exc.value.messages[0]
    bulk_answers(target_a, satisfied=3, total=10)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    assert publicity_close(actor=inspector_a, batch=batch, today=today) == []
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.FAILED
    assert not Certificate.objects.filter(enrolment=accepted_a).exists()
    entry = batch.entries.get()
    assert entry.withdrawn_reason == "公开评议满意度30%低于80%"
    assert director_a.notifications.filter(kind="not_named").exists()


def test_publicity_close_names_a_unit_that_met_the_gate(target_a, accepted_a, inspector_a):
    today = timezone.localdate()
    finalise(accepted_a, inspector_a)
    bulk_answers(target_a, satisfied=9, total=10)
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    batch = publicity_open(actor=inspector_a, campaign=accepted_a.campaign, title="",
                           start_date=today - datetime.timedelta(days=9), end_date=today - datetime.timedelta(days=2))
    certificates = publicity_close(actor=inspector_a, batch=batch, today=today)
    assert [c.enrolment_id for c in certificates] == [accepted_a.pk]
