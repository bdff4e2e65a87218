"""The year-end review (年终检查): verify every item, tick bonus items and vetoes, finalise (the scored
result is stored and the enrolment moves to reviewed, then passed / rectifying / failed), the unit's one
objection and its ruling by a second inspector, and the re-check of units told to rectify.

While a review is a draft any impartial inspector may work on it. Once finalised it is frozen, except
while an objection is pending: then the ruling inspector (never the reviewer) may change item
verifications before ruling "changed", which re-scores."""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import figures, scoring
from assessment import suggestions as suggested
from assessment.ledger import indicators as ledger_indicators
from assessment.models import BonusItem, Enrolment, ItemResponse, Method, RubricItem, Stage
from assessment.selectors.self_assessment import deduction_counts, deduction_max_count
from assessment.services.suggestions import suggestions_keep
from assessment.workflow import enrolment_transition
from greenoffice.audit import audit_record
from inspections.models import (
    ItemVerification,
    Objection,
    ObjectionStatus,
    ReviewOutcome,
    ReviewStatus,
    VerificationDecision,
    YearEndReview,
)
from inspections.permissions import require_director_of, require_impartial
from inspections.selectors.year_end import (
    objection_deadline,
    review_kept_suggestions,
    review_outcome,
    review_score,
    review_suggestions,
)
from inspections.services.notifications import notification_send
from inspections.services.rectification import unit_directors

RESULT_FIELDS = ("self_total", "self_verified", "self_max", "self_items", "verified_total", "verified_max",
                 "supervision_deduction", "pass_score", "bonus", "final_score", "gap", "grade", "certified", "outcome")


def _lock(review: YearEndReview) -> YearEndReview:
    return YearEndReview.objects.select_for_update().select_related(
        "enrolment__campaign__rubric", "enrolment__unit"
    ).get(pk=review.pk)


def _link(review) -> str:
    return reverse("inspections:review_detail", args=[review.pk])


@transaction.atomic
def review_start(*, actor, enrolment: Enrolment) -> YearEndReview:
    """Open the enrolment's review (idempotent). The unit's self-assessment must have been accepted."""
    require_impartial(actor, enrolment.unit_id)
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    existing = YearEndReview.objects.filter(enrolment=locked).first()
    if existing is not None:
        return existing
    if locked.stage != Stage.ACCEPTED:
        raise ValidationError(_("自评审核通过后才能进行年终考核(当前阶段:%(stage)s)")
                              % {"stage": locked.get_stage_display()})
    review = YearEndReview.objects.create(enrolment=locked, started_by=actor)
    audit_record(actor=actor, action="review_start", obj=review, unit_id=locked.unit_id)
    return review


def _require_editable(actor, review: YearEndReview) -> None:
    if review.status == ReviewStatus.DRAFT:
        return
    pending = Objection.objects.filter(review=review, status=ObjectionStatus.PENDING).exists()
    if not pending:
        raise ValidationError(_("年终考核已出结论,不能修改"), code="finalised")
    if review.finalised_by_id == actor.pk:
        raise PermissionDenied(_("异议须由原考核人以外的督查员处理"))


def _parse_score(value, item: RubricItem) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": [_("核定得分必须是数字")]}) from None
    if not score.is_finite() or not Decimal(0) <= score <= item.points:
        raise ValidationError({"score": [_("核定得分应在0到%(max)s分之间") % {"max": f"{item.points.normalize():f}"}]})
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError({"score": [_("核定得分最多保留两位小数")]})
    return score


@transaction.atomic
def item_verify(*, actor, review: YearEndReview, item: RubricItem, decision: str, deduction_ids=(),
                score=None, reason: str = "") -> ItemVerification:
    """Accept the unit's self-score, or set the inspector's own: by ticked deductions (a "每…" deduction
    may repeat) or, for items without standard deductions, a direct score. A score that differs from
    the self-score needs a reason. On-site items have no self-score: they are scored by deductions."""
    locked = _lock(review)
    enrolment = locked.enrolment
    require_impartial(actor, enrolment.unit_id)
    _require_editable(actor, locked)
    if item.rubric_id != enrolment.campaign.rubric_id:
        raise ValidationError(_("该项目不属于本年度的考评细则"))
    response = ItemResponse.objects.filter(assessment__enrolment=enrolment, item=item, answered=True).first()
    self_score = response.self_score if response is not None else None
    reason = (reason or "").strip()
    deduction_ids = [int(pk) for pk in deduction_ids or ()]

    if decision == VerificationDecision.ACCEPT:
        if self_score is None:
            message = (_("现场检查项没有自评得分,请勾选扣分项评分") if item.method == Method.ONSITE
                       else _("该项目单位未自评,请核定得分"))
            raise ValidationError({"decision": [message]})
        verified, deduction_ids = self_score, []
    elif decision == VerificationDecision.OVERRIDE:
        deductions = {d.pk: d for d in item.deductions.all()}
        unknown = [pk for pk in deduction_ids if pk not in deductions]
        if unknown:
            raise ValidationError({"deductions": [_("所选扣分项不属于本项目,请刷新页面后重新选择")]})
        for pk, count in deduction_counts(deduction_ids).items():
            limit = deduction_max_count(item, deductions[pk])
            if count > limit:
                raise ValidationError({"deductions": [_("扣分项“%(text)s”最多选择%(n)s次")
                                                      % {"text": deductions[pk].text, "n": limit}]})
        has_score = score not in (None, "")
        if deduction_ids and has_score:
            raise ValidationError({"score": [_("已勾选扣分项,得分由扣分项计算,不能另填")]})
        if deduction_ids:
            chosen = [scoring.Deduction(points=deductions[pk].points, text=deductions[pk].text, count=count)
                      for pk, count in deduction_counts(deduction_ids).items()]
            verified = scoring.item_score(item.points, chosen)
        elif has_score:
            verified = _parse_score(score, item)
        else:
            # No deduction ticked and no score: the item is verified at full marks.
            verified = scoring.item_score(item.points)
        deduction_ids = sorted(deduction_ids)
        if self_score is not None and verified != self_score and not reason:
            raise ValidationError({"reason": [_("核定得分与自评得分不同,必须填写改分理由")]})
    else:
        raise ValidationError({"decision": [_("请选择认可自评或核定改分")]})
    suggestion = _suggestion_for(locked, item)
    if suggestion is not None and suggested.departs(suggestion.score, verified) and not reason:
        raise ValidationError({"reason": [
            _("核定得分%(verified)s分与建议得分%(suggested)s分相差超过%(limit)s分,必须填写理由")
            % {"verified": scoring.format_points(verified), "suggested": scoring.format_points(suggestion.score),
               "limit": scoring.format_points(suggested.DEPARTURE_LIMIT)}]})

    verification = ItemVerification.objects.select_for_update().filter(review=locked, item=item).first()
    old = None if verification is None else (verification.decision, str(verification.verified_score))
    if verification is None:
        verification = ItemVerification(review=locked, item=item)
    verification.decision = decision
    verification.deduction_ids = deduction_ids
    verification.verified_score = verified
    # An accepted self-score keeps a reason too: why it stands against a suggestion.
    verification.reason = reason
    verification.verified_by = actor
    verification._history_user = actor
    verification.save()
    audit_record(actor=actor, action="item_verify", obj=verification, unit_id=enrolment.unit_id,
                 changes={"item": item.code, "old": old, "decision": decision, "verified_score": verified,
                          "self_score": self_score}, reason=verification.reason)
    return verification


def _suggestion_for(review: YearEndReview, item: RubricItem):
    """The suggestion the review goes by for this item (None when the item has none)."""
    if item.code not in SUGGESTED_CODES:
        return None
    return review_suggestions(review).get(item.code)


# The items with a computed suggestion today: the energy ledger's 2.1–2.4.
SUGGESTED_CODES = frozenset(ledger_indicators.ITEM_CODES)


@transaction.atomic
def review_accept_remaining(*, actor, review: YearEndReview) -> int:
    """Accept the self-score of every item not verified yet that has one (one verification and audit
    entry per item, as if done one by one). On-site items and overrides are left to the inspector."""
    locked = _lock(review)
    require_impartial(actor, locked.enrolment.unit_id)
    _require_editable(actor, locked)
    done = set(locked.verifications.values_list("item_id", flat=True))
    answered = set(ItemResponse.objects.filter(assessment__enrolment=locked.enrolment, answered=True,
                                               self_score__isnull=False).values_list("item_id", flat=True))
    items = RubricItem.objects.filter(rubric=locked.enrolment.campaign.rubric, pk__in=answered - done)
    self_scores = dict(ItemResponse.objects.filter(assessment__enrolment=locked.enrolment, answered=True)
                       .values_list("item_id", "self_score"))
    shown = review_suggestions(locked) if any(i.code in SUGGESTED_CODES for i in items) else {}
    count = 0
    for item in items.order_by("order"):
        suggestion = shown.get(item.code)
        if suggestion is not None and suggested.departs(suggestion.score, self_scores.get(item.pk)):
            continue  # a departure from the suggestion needs the inspector's reason: left to them
        item_verify(actor=actor, review=locked, item=item, decision=VerificationDecision.ACCEPT)
        count += 1
    return count


@transaction.atomic
def review_set_extras(*, actor, review: YearEndReview, bonus_claims: dict, vetoes) -> YearEndReview:
    """The ticked innovation bonus items (each with its evidence note) and the vetoes found."""
    locked = _lock(review)
    require_impartial(actor, locked.enrolment.unit_id)
    _require_editable(actor, locked)
    rubric = locked.enrolment.campaign.rubric
    known_bonus = set(BonusItem.objects.filter(rubric=rubric).values_list("code", flat=True))
    claims, errors = {}, []
    for code, note in (bonus_claims or {}).items():
        note = (note or "").strip()
        if code not in known_bonus:
            errors.append(_("加分项“%(code)s”不在本年度考评细则中") % {"code": code})
        elif not note:
            errors.append(_("加分项“%(code)s”须填写佐证说明") % {"code": code})
        else:
            claims[code] = note[:1000]
    allowed_vetoes = list(rubric.vetoes or ())
    chosen_vetoes = [v for v in allowed_vetoes if v in set(vetoes or ())]
    if len(chosen_vetoes) != len(set(vetoes or ())):
        errors.append(_("所选一票否决情形不在本年度考评细则中"))
    if errors:
        raise ValidationError({"bonus": errors})
    changes = {}
    if claims != (locked.bonus_claims or {}):
        changes["bonus_claims"] = (locked.bonus_claims, claims)
    if chosen_vetoes != list(locked.vetoes or []):
        changes["vetoes"] = (locked.vetoes, chosen_vetoes)
    if not changes:
        return locked
    locked.bonus_claims, locked.vetoes = claims, chosen_vetoes
    locked._history_user = actor
    locked.save(update_fields=["bonus_claims", "vetoes", "updated_at"])
    audit_record(actor=actor, action="review_set_extras", obj=locked, unit_id=locked.enrolment.unit_id,
                 changes=changes)
    return locked


def _store_result(review: YearEndReview, score: scoring.UnitScore, kept: dict | None = None) -> dict:
    # Every number through assessment.figures: the one definition pages, PDFs and dashboards read.
    values = {
        **figures.stored_values(score),
        "grade": score.grade.grade,
        "certified": score.certified,
        "outcome": review_outcome(score),
    }
    reasons = list(score.not_certified_reasons)
    provenance = {code: list(lines) for code, lines in score.provenance.items()}
    # The public evaluation's satisfaction gate is no longer applied here: it gates the city's decision
    # (inspections.services.city_review), which comes after this review (docs/architecture.md).
    for field, value in values.items():
        setattr(review, field, value)
    review.not_certified_reasons = reasons
    for code, data in (kept or {}).items():
        if not data.available:  # no ledger data: nothing was suggested, the inspector scored alone
            continue
        lines = provenance.setdefault(code, [])
        lines.append(suggested.describe_kept(data.score, data.max_points))
        verified = next((item.verified_score for item in score.items if item.code == code), None)
        if suggested.departs(data.score, verified):
            lines.append(suggested.departure_line(data.score, verified))
    review.provenance = provenance
    return values


def _result_snapshot(review: YearEndReview) -> dict:
    # JSON: Decimals as strings ("79.00"), so nothing is lost to floats.
    return {field: str(value) if isinstance(value, Decimal) else value
            for field, value in ((f, getattr(review, f)) for f in RESULT_FIELDS)}


def _move_to_outcome(*, actor, enrolment: Enrolment, outcome: str, reason: str) -> None:
    if enrolment.stage != Stage.REVIEWED:
        enrolment_transition(enrolment=enrolment, to_stage=Stage.REVIEWED, actor=actor, reason=reason)
    enrolment_transition(enrolment=enrolment, to_stage=outcome, actor=actor, reason=reason)


@transaction.atomic
def review_finalise(*, actor, review: YearEndReview) -> YearEndReview:
    """Score with the rubric's rules, store every number and its provenance, move the enrolment on."""
    locked = _lock(review)
    enrolment = locked.enrolment
    require_impartial(actor, enrolment.unit_id)
    if locked.status == ReviewStatus.FINALISED:
        return locked  # a double submit
    data = review_score(locked)
    score = data.score
    if score.unverified_codes:
        raise ValidationError(_("还有%(n)s个项目未核定:%(codes)s")
                              % {"n": len(score.unverified_codes), "codes": "、".join(score.unverified_codes)})
    # The suggestions shown now are the ones the decision keeps; every departure must carry its reason.
    shown = review_suggestions(locked)
    reasons = {row.item.code: (row.verification.reason or "").strip() for row in data.rows if row.verification}
    unexplained = [item.code for item in score.items
                   if item.code in shown and suggested.departs(shown[item.code].score, item.verified_score)
                   and not reasons.get(item.code)]
    if unexplained:
        raise ValidationError(_("以下项目的核定得分与建议得分相差超过%(limit)s分,请先填写理由:%(codes)s")
                              % {"limit": scoring.format_points(suggested.DEPARTURE_LIMIT),
                                 "codes": "、".join(unexplained)})
    kept_rows = suggestions_keep(actor=actor, enrolment=enrolment, suggestions=shown)
    locked.kept_suggestions.set(kept_rows)
    values = _store_result(locked, score, kept=shown)
    locked.status = ReviewStatus.FINALISED
    locked.finalised_by = actor
    locked.finalised_at = timezone.now()
    locked._history_user = actor
    locked.save()
    audit_record(actor=actor, action="review_finalise", obj=locked, unit_id=enrolment.unit_id, changes=values)
    outcome = values["outcome"]
    reason = (_("年终考核:%(grade)s,合格判定得分%(score)s")
              % {"grade": score.grade.grade, "score": scoring.format_points(score.pass_score)})
    if score.certified and not values["certified"]:  # the satisfaction gate was not met
        reason += ";" + locked.not_certified_reasons[-1]
    _move_to_outcome(actor=actor, enrolment=enrolment, outcome=outcome, reason=reason)
    deadline = objection_deadline(locked)
    notification_send(
        users=unit_directors(enrolment.unit_id), kind="review_result",
        title=_("年终考核结果:%(outcome)s") % {"outcome": ReviewOutcome(outcome).label},
        body=_("最终得分%(final)s分,等级%(grade)s。如有异议,请于%(deadline)s前提出(限一次)。")
        % {"final": scoring.format_points(score.final_score), "grade": score.grade.grade,
           "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
        link=_link(locked),
    )
    return locked


@transaction.atomic
def objection_raise(*, actor, review: YearEndReview, reason: str, now=None) -> Objection:
    """The unit objects to its result: once, within the campaign's objection window."""
    now = now or timezone.now()
    locked = _lock(review)
    enrolment = locked.enrolment
    require_director_of(actor, enrolment.unit_id)
    if locked.status != ReviewStatus.FINALISED:
        raise ValidationError(_("年终考核尚未出结论"))
    if Objection.objects.filter(review=locked).exists():
        raise ValidationError(_("每个单位对年终考核结果只能提出一次异议"), code="once")
    deadline = objection_deadline(locked)
    if now > deadline:
        raise ValidationError(_("异议期已于%(deadline)s结束") % {
            "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}, code="window")
    if enrolment.stage not in (Stage.PASSED, Stage.RECTIFYING, Stage.FAILED):
        raise ValidationError(_("当前阶段(%(stage)s)不能再提出异议") % {"stage": enrolment.get_stage_display()})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写异议理由")]})
    objection = Objection.objects.create(review=locked, reason=reason[:5000], raised_by=actor, raised_at=now,
                                         original_result=_result_snapshot(locked))
    audit_record(actor=actor, action="objection_raise", obj=objection, unit_id=enrolment.unit_id, reason=reason)
    return objection


@transaction.atomic
def objection_rule(*, actor, objection: Objection, decision: str, ruling: str) -> Objection:
    """A second inspector (never the reviewer) rules: uphold the result, or change it. "Changed"
    re-scores from the item verifications as they now stand (the ruler may have corrected them) and
    moves the enrolment to the new outcome."""
    locked_objection = Objection.objects.select_for_update().get(pk=objection.pk)
    review = _lock(locked_objection.review)
    enrolment = review.enrolment
    require_impartial(actor, enrolment.unit_id)
    if review.finalised_by_id == actor.pk:
        raise PermissionDenied(_("异议须由原考核人以外的督查员裁定"))
    if locked_objection.status != ObjectionStatus.PENDING:
        raise ValidationError(_("该异议已裁定"))
    ruling = (ruling or "").strip()
    if not ruling:
        raise ValidationError({"ruling": [_("请填写裁定意见")]})
    if decision not in (ObjectionStatus.UPHELD, ObjectionStatus.CHANGED):
        raise ValidationError({"decision": [_("请选择维持原结论或改变结论")]})
    changes = {"decision": decision}
    if decision == ObjectionStatus.CHANGED:
        data = review_score(review)
        if data.score.unverified_codes:
            raise ValidationError(_("还有项目未核定:%(codes)s") % {"codes": "、".join(data.score.unverified_codes)})
        values = _store_result(review, data.score, kept=review_kept_suggestions(review))
        review._history_user = actor
        review.save()
        changes["result"] = values
        _move_to_outcome(actor=actor, enrolment=enrolment, outcome=values["outcome"],
                         reason=_("异议裁定改变结论:%(ruling)s") % {"ruling": ruling})
    locked_objection.status = decision
    locked_objection.ruled_by = actor
    locked_objection.ruled_at = timezone.now()
    locked_objection.ruling = ruling[:5000]
    locked_objection.save()
    audit_record(actor=actor, action="objection_rule", obj=locked_objection, unit_id=enrolment.unit_id,
                 changes=changes, reason=ruling)
    notification_send(
        users=unit_directors(enrolment.unit_id), kind="objection_ruled",
        title=_("异议裁定:%(decision)s") % {"decision": ObjectionStatus(decision).label},
        body=ruling, link=_link(review),
    )
    return locked_objection


@transaction.atomic
def review_recheck(*, actor, review: YearEndReview, outcome: str, note: str) -> YearEndReview:
    """The re-check (复查) of a unit told to rectify: it passes or fails. The stored scores stay."""
    locked = _lock(review)
    enrolment = locked.enrolment
    require_impartial(actor, enrolment.unit_id)
    if enrolment.stage != Stage.RECTIFYING:
        raise ValidationError(_("只有“限期整改”的单位需要复查"))
    if Objection.objects.filter(review=locked, status=ObjectionStatus.PENDING).exists():
        raise ValidationError(_("异议尚未裁定,暂不能复查"))
    if outcome not in (ReviewOutcome.PASSED, ReviewOutcome.FAILED):
        raise ValidationError({"outcome": [_("请选择复查结论")]})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写复查意见")]})
    locked.recheck_outcome, locked.recheck_note = outcome, note
    locked.recheck_by, locked.recheck_at = actor, timezone.now()
    locked._history_user = actor
    locked.save()
    enrolment_transition(enrolment=enrolment, to_stage=outcome, actor=actor, reason=_("复查:%(note)s") % {"note": note})
    audit_record(actor=actor, action="review_recheck", obj=locked, unit_id=enrolment.unit_id,
                 changes={"recheck_outcome": outcome}, reason=note)
    return locked
