"""Rectification orders (整改通知): issue from a finding, the unit acknowledges and answers with proof,
an inspector other than the proof's submitter verifies (close, or reopen with a reason). The daily
reminder run lives here too; the Celery task only calls it.

Order life: issued → acknowledged → proof_submitted → closed, and a reopened order goes back to
acknowledged. Closing an order marks its finding rectified, which ends its year-end deduction."""
import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Campaign
from assessment.uploads import EVIDENCE_KINDS
from greenoffice.audit import audit_record
from inspections.models import (
    Finding,
    InspectionStatus,
    OrderStatus,
    ProofDecision,
    ProofFile,
    RectificationOrder,
    RectificationProof,
    proof_upload_to,
)
from inspections.permissions import is_bureau_staff, is_director, is_member_of, require_impartial
from inspections.services.notifications import notification_send
from inspections.storage import check_file, store_checked_file
from units.models import Role, User

logger = logging.getLogger(__name__)

REMINDER_DAYS_BEFORE = 3
MAX_PROOF_FILES = 20


def order_number(year: int, sequence: int) -> str:
    return f"整改〔{year}〕第{sequence:03d}号"


def unit_directors(unit_id) -> list[User]:
    return list(User.objects.filter(role=Role.DIRECTOR, is_active=True, memberships__unit_id=unit_id).distinct())


def unit_leaders(unit) -> list[User]:
    """Leaders whose scope holds the unit: the district's leaders and the city-wide ones."""
    return list(
        User.objects.filter(role=Role.LEADER, is_active=True)
        .filter(Q(districts__isnull=True) | Q(districts=unit.district_id))
        .distinct()
    )


def _link(order) -> str:
    return reverse("inspections:order_detail", args=[order.pk])


def _lock(order: RectificationOrder) -> RectificationOrder:
    return RectificationOrder.objects.select_for_update().select_related("unit", "finding").get(pk=order.pk)


@transaction.atomic
def order_issue(*, actor, finding: Finding, required_action: str, deadline: datetime.date,
                today=None) -> RectificationOrder:
    """Raise the one order of a finding. Asking twice returns the order already raised."""
    require_impartial(actor, finding.unit_id)
    today = today or timezone.localdate()
    finding = Finding.objects.select_for_update().select_related("inspection", "campaign", "unit").get(pk=finding.pk)
    existing = RectificationOrder.objects.filter(finding=finding).first()
    if existing is not None:
        return existing
    if finding.inspection.status != InspectionStatus.COMPLETED:
        raise ValidationError(_("检查完成后才能下发整改通知"))
    if finding.is_rectified:
        raise ValidationError(_("该问题已整改,无需下发整改通知"))
    errors = {}
    required_action = (required_action or "").strip()
    if not required_action:
        errors["required_action"] = [_("请填写整改要求")]
    if deadline is None or deadline < today:
        errors["deadline"] = [_("整改时限不能早于今天")]
    if errors:
        raise ValidationError(errors)
    # The campaign row serialises numbering: two inspectors issuing at once get 001 and 002.
    campaign = Campaign.objects.select_for_update().get(pk=finding.campaign_id)
    year = campaign.year
    sequence = (RectificationOrder.objects.filter(year=year).aggregate(m=Max("sequence"))["m"] or 0) + 1
    order = RectificationOrder.objects.create(
        finding=finding, campaign=campaign, unit=finding.unit, year=year, sequence=sequence,
        number=order_number(year, sequence), required_action=required_action, deadline=deadline,
        issued_by=actor,
    )
    audit_record(actor=actor, action="order_issue", obj=order, unit_id=order.unit_id,
                 changes={"number": order.number, "finding": finding.pk, "deadline": deadline})
    notification_send(
        users=unit_directors(order.unit_id), kind="order_issued",
        title=_("整改通知 %(number)s") % {"number": order.number},
        body=_("%(unit)s:%(action)s 整改时限:%(deadline)s。请登录系统签收并上传整改材料。")
        % {"unit": order.unit.name, "action": required_action, "deadline": deadline.isoformat()},
        link=_link(order),
    )
    return order


@transaction.atomic
def order_acknowledge(*, actor, order: RectificationOrder) -> RectificationOrder:
    """The unit's director signs for the order (签收). Repeating it changes nothing."""
    locked = _lock(order)
    if not (is_director(actor) and is_member_of(actor, locked.unit_id)):
        raise PermissionDenied(_("只有本单位的办公室主任可以签收"))
    if locked.status != OrderStatus.ISSUED:
        return locked
    locked.status = OrderStatus.ACKNOWLEDGED
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    audit_record(actor=actor, action="order_acknowledge", obj=locked, unit_id=locked.unit_id,
                 changes={"status": (OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED)})
    return locked


def _may_submit_proof(actor, order) -> bool:
    if is_director(actor):
        return is_member_of(actor, order.unit_id)
    return is_bureau_staff(actor) and not is_member_of(actor, order.unit_id)


@transaction.atomic
def proof_submit(*, actor, order: RectificationOrder, note: str, files=()) -> RectificationProof:
    """The unit's answer (整改材料): a note and files. An inspector may submit on the unit's behalf
    (e.g. what they saw on a re-check), and then someone else verifies it."""
    locked = _lock(order)
    if not _may_submit_proof(actor, locked):
        raise PermissionDenied(_("您不能为该整改通知提交整改材料"))
    if locked.status == OrderStatus.ISSUED:
        raise ValidationError(_("请先签收整改通知,再提交整改材料"))
    if locked.status != OrderStatus.ACKNOWLEDGED:
        raise ValidationError(_("该整改通知当前为“%(status)s”,不能提交整改材料")
                              % {"status": locked.get_status_display()})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写整改情况说明")]})
    files = list(files)
    if len(files) > MAX_PROOF_FILES:
        raise ValidationError({"files": [_("每次最多上传%(n)s个文件") % {"n": MAX_PROOF_FILES}]})
    checked = [check_file(f, allowed_kinds=EVIDENCE_KINDS) for f in files]
    proof = RectificationProof.objects.create(order=locked, note=note, submitted_by=actor)
    for one in checked:
        row = ProofFile(proof=proof)
        store_checked_file(row, one, proof_upload_to)
        row.save()
    locked.status = OrderStatus.PROOF_SUBMITTED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="proof_submit", obj=locked, unit_id=locked.unit_id,
                 changes={"status": (OrderStatus.ACKNOWLEDGED, OrderStatus.PROOF_SUBMITTED), "proof": proof.pk,
                          "files": len(checked)})
    reviewers = [u for u in [locked.issued_by] if u is not None and u.pk != actor.pk]
    if reviewers:
        notification_send(
            users=reviewers, kind="proof_submitted",
            title=_("%(number)s 待验收") % {"number": locked.number},
            body=_("%(unit)s已提交整改材料,请安排验收(提交人以外的督查员验收)。") % {"unit": locked.unit.name},
            link=_link(locked),
        )
    return proof


@transaction.atomic
def rectification_verify(*, actor, order: RectificationOrder, decision: str, reason: str = "") -> RectificationOrder:
    """Verify the latest proof: close the order (the finding counts as rectified) or reopen it with a
    reason (back to acknowledged). The verifier must not be the one who submitted that proof."""
    locked = _lock(order)
    require_impartial(actor, locked.unit_id)
    if locked.status != OrderStatus.PROOF_SUBMITTED:
        raise ValidationError(_("该整改通知当前为“%(status)s”,没有待验收的整改材料")
                              % {"status": locked.get_status_display()})
    proof = locked.proofs.filter(decision="").order_by("-submitted_at", "-id").first()
    if proof is None:
        raise ValidationError(_("没有待验收的整改材料"))
    if proof.submitted_by_id == actor.pk:
        raise ValidationError(_("不能验收本人提交的整改材料,请由其他督查员验收"), code="own_proof")
    reason = (reason or "").strip()
    if decision not in ProofDecision.values:
        raise ValidationError({"decision": [_("请选择验收结论")]})
    if decision == ProofDecision.REOPENED and not reason:
        raise ValidationError({"reason": [_("退回重新整改时必须说明原因")]})
    now = timezone.now()
    proof.decision, proof.decided_by, proof.decided_at, proof.decision_reason = decision, actor, now, reason
    proof.save(update_fields=["decision", "decided_by", "decided_at", "decision_reason"])
    if decision == ProofDecision.CLOSED:
        locked.status = OrderStatus.CLOSED
        locked.closed_by, locked.closed_at = actor, now
        Finding.objects.filter(pk=locked.finding_id).update(rectified_at=now, updated_at=now)
        title = _("%(number)s 已验收销号") % {"number": locked.number}
    else:
        locked.status = OrderStatus.ACKNOWLEDGED
        locked.reopen_count += 1
        title = _("%(number)s 被退回重新整改") % {"number": locked.number}
    locked.save()
    audit_record(actor=actor, action="rectification_verify", obj=locked, unit_id=locked.unit_id,
                 changes={"status": (OrderStatus.PROOF_SUBMITTED, locked.status), "proof": proof.pk,
                          "decision": decision}, reason=reason)
    notification_send(users=unit_directors(locked.unit_id), kind="order_verified", title=title,
                      body=reason, link=_link(locked))
    return locked


def _claim(order_id: int, field: str, now) -> bool:
    """Set the sent-marker if nobody has: the UPDATE ... WHERE marker IS NULL wins exactly once, even if
    two beat runs overlap."""
    return RectificationOrder.objects.filter(pk=order_id, **{f"{field}__isnull": True}).exclude(
        status=OrderStatus.CLOSED
    ).update(**{field: now}) == 1


def rectification_send_reminders(*, today=None) -> dict:
    """The daily run: remind the unit's directors REMINDER_DAYS_BEFORE days before the deadline, and on
    the first day an order is overdue notify the unit's leaders (district and city) and mark it
    escalated. Each message goes once per order, however often this runs."""
    today = today or timezone.localdate()
    now = timezone.now()
    open_orders = RectificationOrder.objects.exclude(status=OrderStatus.CLOSED).select_related("unit", "issued_by")
    sent = {"reminders": 0, "escalations": 0}

    # A missed day still gets its reminder: anything due within the window and not reminded yet.
    due_soon = open_orders.filter(reminder_sent_at__isnull=True, deadline__gte=today,
                                  deadline__lte=today + datetime.timedelta(days=REMINDER_DAYS_BEFORE))
    for order in due_soon:
        with transaction.atomic():
            if not _claim(order.pk, "reminder_sent_at", now):
                continue
            days = (order.deadline - today).days
            notification_send(
                users=unit_directors(order.unit_id), kind="order_reminder",
                title=_("整改提醒:%(number)s 还有%(days)s天到期") % {"number": order.number, "days": days},
                body=_("%(unit)s:整改时限为%(deadline)s,请按时提交整改材料。")
                % {"unit": order.unit.name, "deadline": order.deadline.isoformat()},
                link=_link(order),
            )
            audit_record(actor=None, action="order_reminder", obj=order, unit_id=order.unit_id,
                         changes={"deadline": order.deadline, "days_left": days})
        sent["reminders"] += 1

    for order in open_orders.filter(escalated_at__isnull=True, deadline__lt=today):
        with transaction.atomic():
            if not _claim(order.pk, "escalated_at", now):
                continue
            recipients = unit_leaders(order.unit) + unit_directors(order.unit_id)
            if order.issued_by is not None:
                recipients.append(order.issued_by)
            notification_send(
                users=recipients, kind="order_overdue",
                title=_("逾期未整改:%(unit)s %(number)s") % {"unit": order.unit.name, "number": order.number},
                body=_("整改时限%(deadline)s已过,整改尚未验收销号。") % {"deadline": order.deadline.isoformat()},
                link=_link(order),
            )
            audit_record(actor=None, action="order_escalate", obj=order, unit_id=order.unit_id,
                         changes={"deadline": order.deadline})
        sent["escalations"] += 1
    logger.info("整改提醒:提醒%(reminders)s条,逾期通报%(escalations)s条", sent)
    return sent
