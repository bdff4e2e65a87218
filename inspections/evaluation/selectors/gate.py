"""The satisfaction gate (满意度门槛): may a unit be named, as far as the public evaluation goes?

The rule, decided with the bureau's campaign documents in mind (DESIGN.md: public evaluation before
naming) and recorded in docs/architecture.md:
- the unit is not a target of its campaign's evaluation round → passed=None ("not evaluated"): the
  gate does not apply and blocks nothing (a campaign may run without public evaluation);
- the round is not closed yet → passed=None ("in progress"): the numbers are shown as they stand;
  the year-end result is not changed by them, and naming waits until the round is closed;
- the round is closed: fewer answers than the round's minimum → passed=False (a handful of answers
  can't vouch for a unit); a satisfaction rate below the threshold → passed=False; otherwise True.
  Exactly at the threshold passes (questions.meets_threshold compares without rounding).
- "answers" are the *counted* answers (models.counted_answers_q): those given through a one-use
  invitation, and open answers only where the round lets them count, within its limits. Other open
  answers are reported apart (`uncounted`) and move nothing.

Called by the city decision (inspections.services.city_review: no decision while the round is open,
no 同意命名 when it failed) and by publicity_close (naming).
Two queries."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from inspections.evaluation.models import EvaluationTarget, RoundStatus, counted_answers_q
from inspections.evaluation.questions import OVERALL, SATISFIED_RATINGS, meets_threshold, satisfaction_rate

NOT_EVALUATED = "not_evaluated"
IN_PROGRESS = "in_progress"
PASSED = "passed"
FAILED = "failed"


@dataclass(frozen=True)
class Gate:
    passed: bool | None
    rate: Decimal | None
    answers: int
    threshold: Decimal | None
    reason: str
    status: str = NOT_EVALUATED
    satisfied: int = 0
    min_answers: int | None = None
    target_id: int | None = None
    uncounted: int = 0

    @property
    def blocks_naming(self) -> bool:
        return self.passed is False


def format_percent(value: Decimal | None) -> str:
    """80 → "80%", 79.99 → "79.99%": how the gate's messages write rates and thresholds."""
    if value is None:
        return "—"
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value:.2f}%"


def gate_from_counts(*, round_, answers: int, satisfied: int, target_id=None, uncounted: int = 0) -> Gate:
    """The gate of one target of `round_` given its counted answers (lists compute the counts in one
    query); `uncounted` open answers are only reported."""
    rate = satisfaction_rate(satisfied, answers)
    common = {"rate": rate, "answers": answers, "satisfied": satisfied, "threshold": round_.threshold,
              "min_answers": round_.min_answers, "target_id": target_id, "uncounted": uncounted}
    numbers = {"rate": format_percent(rate), "threshold": format_percent(round_.threshold), "n": answers,
               "min": round_.min_answers}
    if round_.status != RoundStatus.CLOSED:
        return Gate(passed=None, status=IN_PROGRESS, **common,
                    reason=_("公开评议进行中:已收到%(n)s份,满意度%(rate)s(门槛%(threshold)s)") % numbers)
    if answers < round_.min_answers:
        return Gate(passed=False, status=FAILED, **common,
                    reason=_("公开评议有效答卷%(n)s份,少于最低要求%(min)s份") % numbers)
    if not meets_threshold(satisfied, answers, round_.threshold):
        return Gate(passed=False, status=FAILED, **common,
                    reason=_("公开评议满意度%(rate)s低于%(threshold)s") % numbers)
    return Gate(passed=True, status=PASSED, **common,
                reason=_("公开评议满意度%(rate)s,达到%(threshold)s(%(n)s份)") % numbers)


def satisfaction_gate(*, enrolment) -> Gate:
    target = (EvaluationTarget.objects.filter(enrolment_id=enrolment.pk).select_related("round")
              .order_by("-round__campaign__year").first())
    if target is None:
        return Gate(passed=None, rate=None, answers=0, threshold=None, status=NOT_EVALUATED,
                    reason=_("未列入公开评议"))
    field = f"rating_{OVERALL}"
    counted = counted_answers_q()
    counts = target.responses.aggregate(
        answers=Count("id", filter=counted),
        satisfied=Count("id", filter=counted & Q(**{f"{field}__in": SATISFIED_RATINGS})),
        total=Count("id"))
    return gate_from_counts(round_=target.round, answers=counts["answers"], satisfied=counts["satisfied"],
                            target_id=target.pk, uncounted=counts["total"] - counts["answers"])


def satisfaction_gates(*, enrolment_ids) -> dict:
    """The gate of each of `enrolment_ids` (the same rule as satisfaction_gate) in one query, for lists."""
    field = f"rating_{OVERALL}"
    counted = counted_answers_q("responses__", round_field="round__")
    targets = (EvaluationTarget.objects.filter(enrolment_id__in=list(enrolment_ids)).select_related("round")
               .annotate(answer_count=Count("responses", filter=counted),
                         satisfied_count=Count("responses", filter=counted & Q(
                             **{f"responses__{field}__in": SATISFIED_RATINGS})),
                         total_count=Count("responses"))
               .order_by("enrolment_id", "round__campaign__year"))
    latest = {target.enrolment_id: target for target in targets}  # the latest campaign's target wins
    gates = {}
    for enrolment_id in enrolment_ids:
        target = latest.get(enrolment_id)
        if target is None:
            gates[enrolment_id] = Gate(passed=None, rate=None, answers=0, threshold=None, status=NOT_EVALUATED,
                                       reason=_("未列入公开评议"))
        else:
            gates[enrolment_id] = gate_from_counts(round_=target.round, answers=target.answer_count,
                                                   satisfied=target.satisfied_count, target_id=target.pk,
                                                   uncounted=target.total_count - target.answer_count)
    return gates
