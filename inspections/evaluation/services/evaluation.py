"""Writes of public evaluation: the round (create, edit, open, close), its targets and invitations,
public answers, comment moderation and media feedback."""
import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Campaign, Enrolment
from greenoffice.audit import audit_record, diff_fields
from inspections.evaluation.models import (
    CommentStatus,
    EvaluationResponse,
    EvaluationRound,
    EvaluationTarget,
    Invitation,
    MediaFeedback,
    RoundStatus,
    Tone,
    new_invitation_token,
    new_target_token,
)
from inspections.evaluation.questions import COMMENT_MAX_LENGTH, QUESTIONS, Rating
from inspections.evaluation.selectors.evaluation import UNDER_REVIEW_STAGES, round_accepting_answers
from inspections.permissions import require_bureau_staff, require_impartial

ROUND_FIELDS = ("title", "start_date", "end_date", "threshold", "min_answers", "intro", "open_answers_count",
                "open_per_address", "open_per_unit")
# What decides the gate: fixed once the round is closed.
GATE_FIELDS = {"threshold", "min_answers", "open_answers_count", "open_per_address", "open_per_unit"}
MAX_INVITATIONS_PER_BATCH = 500


def _clean_round_values(values: dict) -> dict:
    values = {k: v for k, v in values.items() if k in ROUND_FIELDS}
    errors = {}
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
    if "intro" in values:
        values["intro"] = (values["intro"] or "").strip()
    if "threshold" in values:
        try:
            threshold = Decimal(str(values["threshold"]))
        except (InvalidOperation, ValueError):
            threshold = None
        if threshold is None or not threshold.is_finite() or not Decimal(0) < threshold <= Decimal(100):
            errors["threshold"] = [_("满意率门槛应在0到100之间")]
        elif threshold != threshold.quantize(Decimal("0.01")):
            errors["threshold"] = [_("满意率门槛最多保留两位小数")]
        else:
            values["threshold"] = threshold
    if "min_answers" in values:
        try:
            values["min_answers"] = int(values["min_answers"])
        except (TypeError, ValueError):
            errors["min_answers"] = [_("最少有效评议份数必须是整数")]
        else:
            if values["min_answers"] < 1:
                errors["min_answers"] = [_("最少有效评议份数至少为1")]
    if "open_answers_count" in values:
        values["open_answers_count"] = bool(values["open_answers_count"])
    for name in ("open_per_address", "open_per_unit"):
        if name in values:
            try:
                values[name] = int(values[name])
            except (TypeError, ValueError):
                values[name] = 0
            if values[name] < 1:
                errors[name] = [_("计入限额至少为1")]
    if errors:
        raise ValidationError(errors)
    return values


def _check_round(round_: EvaluationRound) -> None:
    errors = {}
    if not round_.title:
        errors["title"] = [_("请填写评议名称")]
    if round_.start_date and round_.end_date and round_.end_date < round_.start_date:
        errors["end_date"] = [_("评议结束日期不能早于开始日期")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_create(*, actor, campaign: Campaign, title: str, start_date: datetime.date, end_date: datetime.date,
                 threshold=Decimal(80), min_answers=None, intro: str = "", open_answers_count: bool = False,
                 open_per_address=None, open_per_unit=None) -> EvaluationRound:
    """Set up the campaign's public evaluation (one per campaign), in draft until opened. By default only
    answers given through an invitation count toward the gate (`open_answers_count` False)."""
    require_bureau_staff(actor)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    if EvaluationRound.objects.filter(campaign=campaign).exists():
        raise ValidationError(_("%(campaign)s已设置公开评议,请在原评议中修改") % {"campaign": campaign})
    values = {"title": title or _("%(year)s年度绿色机关创建公开评议") % {"year": campaign.year},
              "start_date": start_date, "end_date": end_date, "threshold": threshold, "intro": intro,
              "open_answers_count": open_answers_count}
    for name, value in (("min_answers", min_answers), ("open_per_address", open_per_address),
                        ("open_per_unit", open_per_unit)):
        if value is not None:
            values[name] = value
    round_ = EvaluationRound(campaign=campaign, created_by=actor, **_clean_round_values(values))
    _check_round(round_)
    round_.save()
    audit_record(actor=actor, action="evaluation_round_create", obj=round_,
                 changes={f: getattr(round_, f) for f in ROUND_FIELDS})
    return round_


@transaction.atomic
def round_update(*, actor, round_: EvaluationRound, **values) -> EvaluationRound:
    """Edit the round. The threshold and minimum are fixed once the round is closed: they decide the
    gate, and a closed round's gate has already been read by year-end results and naming."""
    require_bureau_staff(actor)
    locked = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
    values = _clean_round_values(values)
    changes = diff_fields(locked, values)
    if not changes:
        return locked
    if locked.status == RoundStatus.CLOSED and (GATE_FIELDS & set(changes)):
        raise ValidationError({"threshold": [_("评议已结束,满意率门槛、最少份数和计入规则不能再修改")]})
    for name, value in values.items():
        setattr(locked, name, value)
    _check_round(locked)
    locked.save()
    audit_record(actor=actor, action="evaluation_round_update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def round_set_status(*, actor, round_: EvaluationRound, status: str) -> EvaluationRound:
    """Open (from draft, or reopen a closed round to collect more answers) or close the round."""
    require_bureau_staff(actor)
    locked = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
    if status not in (RoundStatus.OPEN, RoundStatus.CLOSED):
        raise ValidationError(_("未知的评议状态"))
    if locked.status == status:
        return locked
    if status == RoundStatus.CLOSED and locked.status == RoundStatus.DRAFT:
        raise ValidationError(_("评议尚未开始,不能结束"))
    old = locked.status
    locked.status = status
    locked.closed_at = timezone.now() if status == RoundStatus.CLOSED else None
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="evaluation_round_status", obj=locked, changes={"status": (old, status)})
    return locked


def _unique_token(model, maker) -> str:
    # 31^8 ≈ 8.5e11 codes: a clash is rare, but a printed poster must never share a code.
    for _attempt in range(10):
        token = maker()
        if not model.objects.filter(token=token).exists():
            return token
    raise RuntimeError("could not find a free token")


@transaction.atomic
def round_add_targets(*, actor, round_: EvaluationRound, enrolment_ids=None) -> list[EvaluationTarget]:
    """Put the campaign's units under review (self-assessment accepted up to publicity) into the round,
    each with its short link; units already in it are left as they are (idempotent)."""
    require_bureau_staff(actor)
    locked = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
    existing = set(locked.targets.values_list("enrolment_id", flat=True))
    qs = (Enrolment.objects.filter(campaign_id=locked.campaign_id, stage__in=UNDER_REVIEW_STAGES)
          .exclude(pk__in=existing).select_related("unit").order_by("unit__code"))
    if enrolment_ids is not None:
        qs = qs.filter(pk__in=[int(pk) for pk in enrolment_ids])
    created = []
    for enrolment in qs:
        target = EvaluationTarget.objects.create(round=locked, enrolment=enrolment, unit=enrolment.unit,
                                                 token=_unique_token(EvaluationTarget, new_target_token))
        audit_record(actor=actor, action="evaluation_target_add", obj=target, unit_id=enrolment.unit_id,
                     changes={"token": target.token})
        created.append(target)
    return created


@transaction.atomic
def invitations_create(*, actor, target: EvaluationTarget, count: int, note: str = "") -> list[Invitation]:
    """Personal invitation codes for a unit's questionnaire (one answer each)."""
    require_bureau_staff(actor)
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_INVITATIONS_PER_BATCH:
        raise ValidationError({"count": [_("每次可生成1到%(n)s个邀请码") % {"n": MAX_INVITATIONS_PER_BATCH}]})
    note = (note or "").strip()[:100]
    invitations = [Invitation.objects.create(target=target, note=note, created_by=actor,
                                             token=_unique_token(Invitation, new_invitation_token))
                   for _i in range(count)]
    audit_record(actor=actor, action="evaluation_invitations_create", obj=target, unit_id=target.unit_id,
                 changes={"count": count, "note": note})
    return invitations


def network_daily_cap() -> int:
    """Answers without invitation one network + browser may give one unit per day
    (EVALUATION_NETWORK_DAILY_CAP, default 30)."""
    return int(getattr(settings, "EVALUATION_NETWORK_DAILY_CAP", 30))


def duplicate_message() -> str:
    return _("您今天已经对该单位提交过评议,感谢参与!同一设备每天只能提交一次,明天可以再次评议。")


@transaction.atomic
def response_submit(*, target: EvaluationTarget, ratings: dict, comment: str = "", device_key: str,
                    network_key: str, address_key: str = "", invitation: Invitation | None = None,
                    now=None) -> EvaluationResponse:
    """Store one public answer. One per invitation, or (without one) one per device per local day.

    An answer through an invitation always counts toward the satisfaction gate. An open answer is
    stored and shown apart; it is marked `within_limits` when, at the time it is given, the same address
    (`address_key`, a keyed hash of the client address alone) has fewer than the round's
    `open_per_address` such answers for this unit today and the unit fewer than `open_per_unit` in all;
    it counts only while the round lets open answers count (models.counted_answers_q). A client that
    throws its cookies away or changes its browser string keeps its address, so it adds no counted
    answer past the per-address limit.

    Anonymous: there is no actor, and no AuditEvent per answer (the answer row is its own record,
    and thousands of them would drown the trail); moderation and every staff action are audited."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    round_ = EvaluationRound.objects.get(pk=target.round_id)
    if not round_accepting_answers(round_, today):
        raise ValidationError(_("该单位的公开评议不在进行中(评议时间:%(start)s至%(end)s)")
                              % {"start": round_.start_date.isoformat(), "end": round_.end_date.isoformat()},
                              code="closed")
    errors = {}
    values = {}
    for question in QUESTIONS:
        value = (ratings or {}).get(question.key)
        if value not in Rating.values:
            errors[question.field] = [_("请选择“%(q)s”的评价") % {"q": question.label}]
        values[question.field] = value
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [_("意见建议最多%(max)s字,您输入了%(n)s字,请精简后再提交(已选的评价会保留)")
                             % {"max": COMMENT_MAX_LENGTH, "n": len(comment)}]
    if errors:
        raise ValidationError(errors)
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.target_id != target.pk:
            raise ValidationError(_("邀请码与评议单位不符"), code="invitation")
        if EvaluationResponse.objects.filter(invitation=invitation).exists():
            raise ValidationError(_("该邀请码已经使用过,感谢您的参与!"), code="duplicate")
    within_limits = False
    if invitation is None:
        # One open answer at a time per unit, so two at once can't both take the last counted place.
        EvaluationTarget.objects.select_for_update().filter(pk=target.pk).first()
        today_uninvited = EvaluationResponse.objects.filter(target=target, day=today, invitation__isnull=True)
        if today_uninvited.filter(device_key=device_key).exists():
            raise ValidationError(duplicate_message(), code="duplicate")
        # A script that throws its cookie away gets a new device id per answer; the same network and
        # browser answering one unit many times a day is capped (shared tablets use invitations).
        cap = network_daily_cap()
        if today_uninvited.filter(network_key=network_key).count() >= cap:
            message = _("本网络今天对该单位的评议已达%(n)s份上限。如需现场集中评议,请向评议组织单位领取个人邀请码。")
            raise ValidationError(message % {"n": cap}, code="network_cap")
        counted_open = EvaluationResponse.objects.filter(target=target, invitation__isnull=True, within_limits=True)
        within_limits = (
            bool(address_key)
            and counted_open.filter(day=today, address_key=address_key).count() < round_.open_per_address
            and counted_open.count() < round_.open_per_unit
        )
    response = EvaluationResponse(
        target=target, invitation=invitation, day=today, device_key=device_key, network_key=network_key,
        address_key=address_key, within_limits=within_limits,
        comment=comment, comment_status=CommentStatus.PENDING if comment else CommentStatus.NONE, **values)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        # Two taps at once from one device: the constraint let one in.
        raise ValidationError(duplicate_message(), code="duplicate") from None
    return response


@transaction.atomic
def comment_moderate(*, actor, response: EvaluationResponse, approve: bool) -> EvaluationResponse:
    """Approve a comment (it shows on the results page) or reject it (it never shows). A moderator
    never judges comments on their own unit. Deciding again changes the decision (audited)."""
    locked = EvaluationResponse.objects.select_for_update().select_related("target").get(pk=response.pk)
    require_impartial(actor, locked.target.unit_id)
    if locked.comment_status == CommentStatus.NONE:
        raise ValidationError(_("该答卷没有意见建议"))
    new = CommentStatus.APPROVED if approve else CommentStatus.REJECTED
    if locked.comment_status == new:
        return locked
    old = locked.comment_status
    locked.comment_status, locked.moderated_by, locked.moderated_at = new, actor, timezone.now()
    locked.save(update_fields=["comment_status", "moderated_by", "moderated_at"])
    audit_record(actor=actor, action="evaluation_comment_moderate", obj=locked, unit_id=locked.target.unit_id,
                 changes={"comment_status": (old, new)})
    return locked


@transaction.atomic
def media_record(*, actor, round_: EvaluationRound, source: str, published_on: datetime.date, summary: str,
                 tone: str, target: EvaluationTarget | None = None, url: str = "") -> MediaFeedback:
    """Record a media report by hand (about one unit, or the campaign as a whole)."""
    require_bureau_staff(actor)
    if target is not None and target.round_id != round_.pk:
        raise PermissionDenied
    feedback = MediaFeedback(round=round_, target=target, source=(source or "").strip(), published_on=published_on,
                             summary=(summary or "").strip(), tone=tone, url=(url or "").strip(), recorded_by=actor)
    if tone not in Tone.values:
        raise ValidationError({"tone": [_("请选择正面或负面")]})
    feedback.full_clean()
    feedback.save()
    audit_record(actor=actor, action="evaluation_media_record", obj=feedback,
                 unit_id=target.unit_id if target else None,
                 changes={"source": feedback.source, "published_on": published_on, "tone": tone})
    return feedback
