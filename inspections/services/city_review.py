"""The city's review (市级评审): the guidance committee office decides per applicant — 同意命名, 暂缓 or
不予命名, with a reason — after the bureau's year-end review and the public evaluation.

The order of gates: year-end review (passed) → public evaluation (the satisfaction gate, where the unit
is a target of its campaign's round) → city decision → 公示 → 命名. The satisfaction gate used to be
applied when the year-end review was finalised; it is applied here now (docs/architecture.md):
- no decision while the unit's evaluation round is still open (the gate is "in progress");
- 同意命名 is refused when the gate failed (too few answers, satisfaction below the threshold);
- only a unit whose latest decision is 同意命名 may be put into publicity (publicity_open).
A decision stores what it was made on (year-end numbers, the gate, the open problems)."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Enrolment, Stage
from assessment.workflow import enrolment_transition
from greenoffice.audit import audit_record
from inspections.evaluation.models import EvaluationRound
from inspections.evaluation.selectors.gate import IN_PROGRESS, NOT_EVALUATED, satisfaction_gate
from inspections.models import CityDecision, CityDecisionKind, Finding, PublicityEntry, YearEndReview
from inspections.permissions import is_city_reviewer

REASON_MAX = 2000


def city_decision_basis(enrolment: Enrolment) -> dict:
    """What the reviewer decides on: the stored year-end result, the gate, the open problems."""
    review = YearEndReview.objects.filter(enrolment=enrolment).first()
    gate = satisfaction_gate(enrolment=enrolment)
    open_findings = Finding.objects.filter(enrolment=enrolment, rectified_at__isnull=True).count()
    return {
        "final_score": str(review.final_score) if review and review.final_score is not None else None,
        "grade": review.grade if review else "",
        "outcome": review.outcome if review else "",
        "gate_status": gate.status,
        "gate_rate": str(gate.rate) if gate.rate is not None else None,
        "gate_answers": gate.answers,
        "gate_reason": gate.reason,
        "open_findings": open_findings,
    }


@transaction.atomic
def city_decision_record(*, actor, enrolment: Enrolment, decision: str, reason: str) -> CityDecision:
    if not is_city_reviewer(actor):
        raise PermissionDenied
    locked = (Enrolment.objects.select_for_update(of=("self",)).select_related("unit", "campaign")
              .get(pk=enrolment.pk))
    if decision not in CityDecisionKind.values:
        raise ValidationError({"decision": [_("请选择评审结论")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写评审理由")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("评审理由不能超过%(n)s字") % {"n": REASON_MAX}]})
    if locked.stage != Stage.PASSED or PublicityEntry.objects.filter(enrolment=locked).exists():
        raise ValidationError(_("只能对年终考核通过、尚未公示的单位作出市级评审结论(%(unit)s当前阶段:%(stage)s)")
                              % {"unit": locked.unit.name, "stage": locked.get_stage_display()})
    gate = satisfaction_gate(enrolment=locked)
    if not locked.campaign.public_evaluation_required:
        gate = None  # the campaign switched public evaluation off: the city decides without it
    elif gate.status == NOT_EVALUATED and EvaluationRound.objects.filter(campaign_id=locked.campaign_id).exists():
        raise ValidationError(_("%(unit)s未列入本年度公开评议,请先将其加入公开评议")
                              % {"unit": locked.unit.name}, code="not_evaluated")
    if gate is not None and gate.status == IN_PROGRESS:
        raise ValidationError(_("%(unit)s的公开评议尚未结束,结束后才能作出市级评审结论")
                              % {"unit": locked.unit.name}, code="evaluation_open")
    if decision == CityDecisionKind.APPROVE and gate is not None and gate.blocks_naming:
        raise ValidationError(_("未达到公开评议要求,不能同意命名:%(reason)s") % {"reason": gate.reason},
                              code="gate_failed")
    previous = CityDecision.objects.filter(enrolment=locked).order_by("-decided_at", "-id").first()
    record = CityDecision.objects.create(enrolment=locked, decision=decision, reason=reason,
                                         basis=city_decision_basis(locked), decided_by=actor,
                                         decided_at=timezone.now())
    audit_record(actor=actor, action="city_decision_record", obj=record, unit_id=locked.unit_id,
                 changes={"decision": (previous.decision if previous else None, decision),
                          "gate": gate.status if gate is not None else "off"}, reason=reason)
    if decision == CityDecisionKind.REFUSE:
        # 不予命名 ends the unit's year, like a failed year-end review.
        enrolment_transition(enrolment=locked, to_stage=Stage.FAILED, actor=actor,
                             reason=_("市级评审不予命名:%(reason)s") % {"reason": reason})
    return record

