"""Writes of self-assessments: start, save one item's answer, submit, and the inspector's return / accept.

Who may do what, enforced here whatever the view does:
- a director of the unit answers items and submits; nobody else can change a self-score (an inspector
  records a verified score elsewhere, side by side, never over the unit's own);
- an inspector or admin whose scope covers the unit accepts or returns a submitted round.
Every round is kept (SubmissionRound with a snapshot), every answer change is in the ItemResponse
history (django-simple-history) and in the audit trail.
"""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import (
    AssessmentStatus,
    DeadlineKind,
    Enrolment,
    Evidence,
    ItemResponse,
    ItemReviewComment,
    ReviewDecision,
    RubricItem,
    SelfAssessment,
    Stage,
    SubmissionRound,
)
from assessment.scoring import Deduction, item_score
from assessment.selectors.self_assessment import (
    deduction_counts,
    deduction_max_count,
    is_self_scored,
    is_unit_director,
    self_assessment_can_review_role,
)
from assessment.services.deadlines import deadline_require_open
from assessment.services.evidence import (
    assessment_changed,
    evidence_attach,
    evidence_validate,
    lock_assessment,
    require_editable,
)
from assessment.workflow import enrolment_transition
from greenoffice.audit import audit_record
from units.models import Person
from units.selectors import unit_scope_q

EXPLANATION_MAX = 5000
COMMENT_MAX = 5000


def _require_director(actor, enrolment: Enrolment):
    if not is_unit_director(user=actor, unit_id=enrolment.unit_id):
        raise PermissionDenied


def _require_reviewer(actor, enrolment: Enrolment):
    if not self_assessment_can_review_role(actor):
        raise PermissionDenied
    if not Enrolment.objects.filter(unit_scope_q(actor, "unit__"), pk=enrolment.pk).exists():
        raise PermissionDenied


@transaction.atomic
def self_assessment_start(*, actor, enrolment: Enrolment) -> SelfAssessment:
    """The enrolment's self-assessment, created empty on first use (idempotent)."""
    _require_director(actor, enrolment)
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    assessment, created = SelfAssessment.objects.get_or_create(enrolment=enrolment)
    if created:
        audit_record(actor=actor, action="self_assessment_start", obj=assessment, unit_id=enrolment.unit_id)
    return assessment


def _score_for(item: RubricItem, deduction_ids: list[int], full_marks: bool, self_score) -> tuple[bool, Decimal | None]:
    """(answered, self score) from the director's choice; ValidationError keyed by field on bad input."""
    deductions = {d.pk: d for d in item.deductions.all()}
    if full_marks and (deduction_ids or self_score not in (None, "")):
        raise ValidationError({"full_marks": _("已选择满分,不能同时勾选扣分项或填写得分")})
    unknown = [pk for pk in deduction_ids if pk not in deductions]
    if unknown:
        raise ValidationError({"deductions": _("所选扣分项不属于本项目,请刷新页面后重新选择")})
    for pk, count in deduction_counts(deduction_ids).items():
        limit = deduction_max_count(item, deductions[pk])
        if count > limit:
            raise ValidationError({"deductions": _("扣分项“%(text)s”最多选择%(n)s次")
                                   % {"text": deductions[pk].text, "n": limit}})
    if full_marks:
        return True, item_score(item.points)
    if deduction_ids:
        if self_score not in (None, ""):
            raise ValidationError({"self_score": _("已勾选扣分项,得分由扣分项计算,不能另填")})
        chosen = [
            Deduction(points=deductions[pk].points, text=deductions[pk].text, count=count)
            for pk, count in deduction_counts(deduction_ids).items()
        ]
        return True, item_score(item.points, chosen)
    if self_score not in (None, ""):
        if deductions:
            raise ValidationError({"self_score": _("本项目按扣分项评分,请勾选扣分项或选择满分")})
        try:
            value = Decimal(str(self_score))
        except (InvalidOperation, ValueError):
            raise ValidationError({"self_score": _("自评得分必须是数字")}) from None
        if not value.is_finite() or not Decimal(0) <= value <= item.points:
            raise ValidationError({"self_score": _("自评得分应在0到%(max)s分之间")
                                   % {"max": f"{item.points.normalize():f}"}})
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError({"self_score": _("自评得分最多保留两位小数")})
        return True, value
    # Nothing chosen yet: the explanation, responsible person and files are kept as a draft.
    return False, None


@transaction.atomic
def response_save(*, actor, assessment: SelfAssessment, item: RubricItem, deduction_ids=(), full_marks=False,
                  explanation="", responsible_id=None, self_score=None, uploaded_files=()) -> ItemResponse:
    """Save the director's answer to one item, with any new evidence files, all or nothing.

    deduction_ids: ids of the item's standard deductions; a "每…" deduction may repeat (once per
    occurrence). full_marks: no deduction applies. self_score: only for items scored in tiers that
    have no standard deductions (e.g. 2.1). With none of the three the item stays unanswered (a draft).
    """
    assessment = lock_assessment(assessment)
    enrolment = assessment.enrolment
    _require_director(actor, enrolment)
    require_editable(assessment)
    if item.rubric_id != Enrolment.objects.values_list("campaign__rubric_id", flat=True).get(pk=enrolment.pk):
        raise ValidationError(_("该项目不属于本年度的考评细则"))
    if not is_self_scored(item):
        raise ValidationError(_("现场检查项由督查员评分,单位不能自评"), code="onsite")

    deduction_ids = [int(pk) for pk in deduction_ids]
    answered, score = _score_for(item, deduction_ids, bool(full_marks), self_score)
    explanation = (explanation or "").strip()
    if len(explanation) > EXPLANATION_MAX:
        raise ValidationError({"explanation": _("情况说明不能超过%(n)s字(当前%(m)s字)")
                               % {"n": EXPLANATION_MAX, "m": len(explanation)}})
    if responsible_id in ("", None):
        responsible_id = None
    else:
        responsible_id = int(responsible_id)
        if not Person.objects.filter(pk=responsible_id, unit_id=enrolment.unit_id, is_active=True).exists():
            raise ValidationError({"responsible": _("责任人不属于本单位,请重新选择")})
    # Every file is checked before anything is written, so one bad file leaves the item untouched.
    uploads = []
    errors = []
    for uploaded in uploaded_files or ():
        try:
            uploads.append(evidence_validate(uploaded))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    # Sorted, so ticking the same boxes in another order is not recorded as a change.
    ordered_ids = sorted(deduction_ids) if answered else []

    response = ItemResponse.objects.select_for_update().filter(assessment=assessment, item=item).first()
    created = response is None
    if created:
        # Built in memory and saved once below, so the history starts with the first real answer.
        response = ItemResponse(assessment=assessment, item=item)
    new_values = {
        "answered": answered,
        "deduction_ids": ordered_ids,
        "self_score": score,
        "explanation": explanation,
        "responsible_id": responsible_id,
    }
    changes = {}
    for field, new in new_values.items():
        old = getattr(response, field)
        if old != new:
            changes[field] = (old, new)
    if changes or created:
        for field, new in new_values.items():
            setattr(response, field, new)
        response.updated_by = actor
        response._history_user = actor
        response.full_clean(exclude=["assessment", "item", "responsible", "updated_by"])
        response.save()
        audit_record(actor=actor, action="response_save", obj=response, unit_id=enrolment.unit_id,
                     changes={"item": item.code, **changes})
    response.assessment = assessment
    for upload in uploads:
        evidence_attach(actor=actor, response=response, upload=upload)

    if changes or uploads or created:
        _refresh_total(assessment, actor)
        if enrolment.stage == Stage.NOT_STARTED:
            enrolment_transition(enrolment=enrolment, to_stage=Stage.SELF_ASSESSING, actor=actor,
                                 reason=_("开始自评"))
        assessment_changed(assessment)
    return response


def _refresh_total(assessment: SelfAssessment, actor) -> None:
    scores = ItemResponse.objects.filter(assessment=assessment, answered=True).values_list("self_score", flat=True)
    total = sum((s for s in scores if s is not None), Decimal(0))
    if assessment.self_total != total:
        assessment.self_total = total
        assessment._history_user = actor
        assessment.save(update_fields=["self_total", "updated_at"])


def _snapshot(assessment: SelfAssessment, number: int) -> tuple[dict, list[int]]:
    items = (
        RubricItem.objects.filter(rubric_id=assessment.enrolment.campaign.rubric_id)
        .select_related("block").prefetch_related("deductions").order_by("order")
    )
    responses = {
        r.item_id: r for r in ItemResponse.objects.filter(assessment=assessment).select_related("responsible")
    }
    files: dict[int, list[Evidence]] = {}
    for evidence in Evidence.objects.filter(
        response__assessment=assessment, superseded_by__isnull=True, is_withdrawn=False,
    ).order_by("created_at", "id"):
        files.setdefault(evidence.response_id, []).append(evidence)

    entries = {}
    evidence_ids = []
    for item in items:
        response = responses.get(item.pk)
        texts = {d.pk: d for d in item.deductions.all()}
        entry = {
            "title": item.title,
            "block": item.block.code,
            "max_points": str(item.points),
            "method": item.method,
            "answered": bool(response and response.answered),
            "deduction_ids": list(response.deduction_ids) if response else [],
            "deductions": [
                {"id": pk, "text": texts[pk].text, "points": str(texts[pk].points), "count": count}
                for pk, count in deduction_counts(response.deduction_ids if response else []).items()
                if pk in texts
            ],
            "self_score": str(response.self_score) if response and response.self_score is not None else None,
            "explanation": response.explanation if response else "",
            "responsible": str(response.responsible) if response and response.responsible else "",
            "evidence": [
                {"id": e.pk, "name": e.original_name, "sha256": e.sha256, "size": e.size,
                 "content_type": e.content_type, "round": e.submitted_in_round or number}
                for e in (files.get(response.pk, []) if response else [])
            ],
        }
        evidence_ids.extend(e["id"] for e in entry["evidence"])
        entries[item.code] = entry
    return {
        "round": number,
        "self_total": str(assessment.self_total or Decimal(0)),
        "items": entries,
    }, evidence_ids


def unanswered_item_codes(assessment: SelfAssessment) -> list[str]:
    answered = set(
        ItemResponse.objects.filter(assessment=assessment, answered=True).values_list("item_id", flat=True)
    )
    items = RubricItem.objects.filter(rubric_id=assessment.enrolment.campaign.rubric_id).order_by("order")
    return [item.code for item in items if is_self_scored(item) and item.pk not in answered]


@transaction.atomic
def assessment_submit(*, actor, assessment: SelfAssessment, version=None) -> tuple[SubmissionRound, bool]:
    """Submit for review; returns (round, created). Submitting an assessment that is already submitted
    or accepted changes nothing and returns its latest round with created=False.

    version: the `revision` the submit form was rendered with; a different current revision means the
    answers changed elsewhere since, and the submit is refused rather than sending unseen content."""
    assessment = lock_assessment(assessment)
    enrolment = Enrolment.objects.select_related("campaign").get(pk=assessment.enrolment_id)
    assessment.enrolment = enrolment
    _require_director(actor, enrolment)
    if assessment.is_locked:
        existing = SubmissionRound.objects.filter(assessment=assessment).order_by("-number").first()
        if existing is not None:
            return existing, False
    if version is not None and str(version) != str(assessment.revision):
        raise ValidationError(_("自评内容已在其他页面更新,请刷新后再提交"), code="stale")
    # 自评截止 binds a resubmission after a return too; only an extension (延期) reopens it.
    deadline_require_open(enrolment=enrolment, kind=DeadlineKind.SELF_ASSESSMENT)
    missing = unanswered_item_codes(assessment)
    if missing:
        raise ValidationError(_("以下项目尚未填报:%(codes)s") % {"codes": "、".join(missing)}, code="unanswered")

    resubmission = assessment.status == AssessmentStatus.RETURNED
    number = assessment.round + 1
    now = timezone.now()
    snapshot, evidence_ids = _snapshot(assessment, number)
    submission = SubmissionRound.objects.create(
        assessment=assessment, number=number, submitted_at=now, submitted_by=actor, snapshot=snapshot,
    )
    Evidence.objects.filter(pk__in=evidence_ids, submitted_in_round__isnull=True).update(submitted_in_round=number)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.round = number
    assessment.submitted_at = now
    assessment._history_user = actor
    assessment.save(update_fields=["status", "round", "submitted_at", "updated_at"])
    enrolment_transition(
        enrolment=enrolment, to_stage=Stage.RESUBMITTED if resubmission else Stage.SUBMITTED, actor=actor,
        reason=_("第%(n)s轮提交自评") % {"n": number},
    )
    audit_record(actor=actor, action="assessment_submit", obj=assessment, unit_id=enrolment.unit_id,
                 changes={"status": (AssessmentStatus.RETURNED if resubmission else AssessmentStatus.DRAFT,
                                     AssessmentStatus.SUBMITTED),
                          "round": number, "self_total": assessment.self_total, "files": len(evidence_ids)})
    assessment_changed(assessment)
    return submission, True


def _clean_item_comments(assessment: SelfAssessment, item_comments) -> dict[int, str]:
    items = dict(
        RubricItem.objects.filter(rubric_id=assessment.enrolment.campaign.rubric_id).values_list("code", "pk")
    )
    cleaned = {}
    for code, text in (item_comments or {}).items():
        text = (text or "").strip()
        if not text:
            continue
        if code not in items:
            raise ValidationError(_("项目“%(code)s”不属于本年度的考评细则") % {"code": code})
        if len(text) > COMMENT_MAX:
            raise ValidationError(_("项目%(code)s的意见不能超过%(n)s字") % {"code": code, "n": COMMENT_MAX})
        cleaned[items[code]] = text
    return cleaned


def _decide(*, actor, assessment: SelfAssessment, decision: str, comment: str, item_comments) -> SubmissionRound:
    assessment = lock_assessment(assessment)
    enrolment = Enrolment.objects.select_related("campaign").get(pk=assessment.enrolment_id)
    assessment.enrolment = enrolment
    _require_reviewer(actor, enrolment)
    latest = SubmissionRound.objects.select_for_update().filter(assessment=assessment).order_by("-number").first()
    if assessment.status != AssessmentStatus.SUBMITTED or latest is None or latest.decision:
        raise ValidationError(
            _("该自评当前状态为“%(status)s”,不是待审核状态,无需重复审核")
            % {"status": AssessmentStatus(assessment.status).label},
            code="not_submitted",
        )
    comment = (comment or "").strip()
    if decision == ReviewDecision.RETURNED and not comment:
        raise ValidationError({"comment": _("退回修改必须填写退回原因")})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("审核意见不能超过%(n)s字") % {"n": COMMENT_MAX}})
    comments = _clean_item_comments(assessment, item_comments)

    now = timezone.now()
    latest.decision = decision
    latest.decided_at = now
    latest.decided_by = actor
    latest.comment = comment
    latest.save(update_fields=["decision", "decided_at", "decided_by", "comment"])
    ItemReviewComment.objects.bulk_create(
        ItemReviewComment(round=latest, item_id=item_id, comment=text) for item_id, text in comments.items()
    )
    old_status = assessment.status
    assessment.status = (
        AssessmentStatus.RETURNED if decision == ReviewDecision.RETURNED else AssessmentStatus.ACCEPTED
    )
    assessment._history_user = actor
    assessment.save(update_fields=["status", "updated_at"])
    enrolment_transition(
        enrolment=enrolment,
        to_stage=Stage.RETURNED if decision == ReviewDecision.RETURNED else Stage.ACCEPTED,
        actor=actor, reason=comment,
    )
    audit_record(
        actor=actor, action="assessment_return" if decision == ReviewDecision.RETURNED else "assessment_accept",
        obj=assessment, unit_id=enrolment.unit_id, reason=comment,
        changes={"status": (old_status, assessment.status), "round": latest.number,
                 "item_comments": {str(k): v for k, v in comments.items()}},
    )
    assessment_changed(assessment)
    return latest


@transaction.atomic
def assessment_return(*, actor, assessment: SelfAssessment, comment: str, item_comments=None) -> SubmissionRound:
    """Send the submitted round back for revision with a reason (required) and per-item remarks
    (item code → text). The unit can edit again; the round and its snapshot stay as they were."""
    return _decide(actor=actor, assessment=assessment, decision=ReviewDecision.RETURNED, comment=comment,
                   item_comments=item_comments)


@transaction.atomic
def assessment_accept(*, actor, assessment: SelfAssessment, comment: str = "", item_comments=None) -> SubmissionRound:
    """Accept the submitted round (初审通过); the self-scores stay the unit's own."""
    return _decide(actor=actor, assessment=assessment, decision=ReviewDecision.ACCEPTED, comment=comment,
                   item_comments=item_comments)

