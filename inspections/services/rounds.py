"""Monthly spot-check rounds: create, edit while a draft, draw (once) with inspector assignment.

A drawn round is a record: its seed, candidates and weights are stored and nothing about it changes
afterwards (`round_update` and `round_draw` refuse). `round_redraw` in the selectors redoes the draw
from the stored inputs to show it reproduces."""
import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Campaign, Enrolment, Stage
from greenoffice.audit import audit_record, diff_fields
from inspections import sampling
from inspections.models import (
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
    ReviewStatus,
    RoundStatus,
    SpotCheckRound,
    YearEndReview,
)
from inspections.permissions import require_bureau_staff
from inspections.selectors.rounds import round_months_left, run_draw
from inspections.services.notifications import notification_send
from units.models import Membership, Role, User

ROUND_FIELDS = ("month", "sample_size", "sample_share", "district", "risk_weighting", "no_repeat_months", "seed")
# Enrolments that are out of the campaign: nothing to spot-check any more.
NOT_SAMPLED_STAGES = (Stage.REVOKED,)
INSPECTORS_PER_VISIT = 2


def month_start(value) -> datetime.date:
    return datetime.date(value.year, value.month, 1)


def _month_in_span(month: datetime.date, span: tuple[datetime.date, datetime.date]) -> bool:
    first, last = span
    return month_start(first) <= month_start(month) <= last


def _validate(spot_round: SpotCheckRound) -> None:
    errors = {}
    if spot_round.month and not _month_in_span(spot_round.month, spot_round.campaign.work_span):
        first, last = spot_round.campaign.work_span
        errors["month"] = [_("抽查月份必须在本年度创建活动期间(%(first)s至%(last)s)")
                           % {"first": f"{first:%Y年%m月}", "last": f"{last:%Y年%m月}"}]
    has_size = spot_round.sample_size is not None
    has_share = spot_round.sample_share is not None
    if has_size == has_share:
        errors.setdefault("sample_size", []).append(_("请填写抽查数量或抽查比例(二者填其一)"))
    if has_size and spot_round.sample_size < 1:
        errors.setdefault("sample_size", []).append(_("抽查数量至少为1"))
    if has_share and not (Decimal(0) < Decimal(spot_round.sample_share) <= Decimal(1)):
        errors["sample_share"] = [_("抽查比例必须大于0且不超过1")]
    if spot_round.no_repeat_months > 11:
        errors["no_repeat_months"] = [_("不重复间隔不能超过11个月,否则无法保证全年覆盖")]
    if spot_round.seed is not None and not 0 <= spot_round.seed < 2**62:
        errors["seed"] = [_("随机种子必须是非负整数")]
    duplicate = SpotCheckRound.objects.filter(
        campaign=spot_round.campaign, month=spot_round.month, district=spot_round.district
    ).exclude(pk=spot_round.pk)
    if spot_round.month and duplicate.exists():
        errors.setdefault("month", []).append(_("该月份(同一区域范围)已有抽查批次"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_create(*, actor, campaign: Campaign, month, sample_size=None, sample_share=None, district=None,
                 risk_weighting: bool = True, no_repeat_months: int = 3, seed=None) -> SpotCheckRound:
    if actor is not None:
        require_bureau_staff(actor)
    spot_round = SpotCheckRound(
        campaign=campaign, month=month_start(month), sample_size=sample_size, sample_share=sample_share,
        district=district, risk_weighting=risk_weighting, no_repeat_months=no_repeat_months, seed=seed,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _validate(spot_round)
    spot_round.save()
    audit_record(actor=actor, action="round_create", obj=spot_round,
                 changes={f: getattr(spot_round, f) for f in ROUND_FIELDS})
    return spot_round


def _require_draft(spot_round: SpotCheckRound) -> None:
    if spot_round.status != RoundStatus.DRAFT:
        raise ValidationError(_("抽查批次已抽取,记录不可更改"), code="drawn")


@transaction.atomic
def round_update(*, actor, spot_round: SpotCheckRound, **values) -> SpotCheckRound:
    if actor is not None:
        require_bureau_staff(actor)
    locked = SpotCheckRound.objects.select_for_update().select_related("campaign").get(pk=spot_round.pk)
    _require_draft(locked)
    values = {k: v for k, v in values.items() if k in ROUND_FIELDS}
    if "month" in values:
        values["month"] = month_start(values["month"])
    changes = diff_fields(locked, values)
    if not changes:
        return locked
    for field, value in values.items():
        setattr(locked, field, value)
    _validate(locked)
    locked.save()
    audit_record(actor=actor, action="round_update", obj=locked, changes=changes)
    return locked


def _months_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def round_candidates(spot_round: SpotCheckRound, *, today=None) -> list[sampling.Candidate]:
    """The risk inputs of every unit that may be drawn, as of the round's month (5 queries)."""
    today = today or timezone.localdate()
    enrolments = Enrolment.objects.filter(campaign=spot_round.campaign, unit__is_active=True).exclude(
        stage__in=NOT_SAMPLED_STAGES
    )
    if spot_round.district_id:
        enrolments = enrolments.filter(unit__district_id=spot_round.district_id)
    unit_ids = sorted(set(enrolments.values_list("unit_id", flat=True)))
    if not unit_ids:
        return []

    orders = {
        row["unit_id"]: row
        for row in RectificationOrder.objects.filter(unit_id__in=unit_ids)
        .exclude(status=OrderStatus.CLOSED)
        .values("unit_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)))
    }
    # The latest finalised year-end result of each unit (any campaign): score and inflation.
    scores = {}
    for row in (YearEndReview.objects.filter(enrolment__unit_id__in=unit_ids, status=ReviewStatus.FINALISED)
                .order_by("enrolment__campaign__year")
                .values("enrolment__unit_id", "pass_score", "gap")):
        scores[row["enrolment__unit_id"]] = row
    visits = Inspection.objects.filter(unit_id__in=unit_ids, kind=InspectionKind.SPOT_CHECK,
                                       scheduled_date__lt=spot_round.month).exclude(status=InspectionStatus.CANCELLED)
    last_visit = dict(visits.values("unit_id").annotate(last=Max("scheduled_date")).values_list("unit_id", "last"))
    visited_this_year = set(
        visits.filter(scheduled_date__year=spot_round.month.year).values_list("unit_id", flat=True)
    )

    candidates = []
    for unit_id in unit_ids:
        order_row = orders.get(unit_id, {})
        score_row = scores.get(unit_id, {})
        last = last_visit.get(unit_id)
        score = score_row.get("pass_score")
        candidates.append(sampling.Candidate(
            unit_id=unit_id,
            open_orders=order_row.get("open", 0),
            overdue_orders=order_row.get("overdue", 0),
            last_verified_score=None if score is None else float(score),
            gap=float(score_row.get("gap") or 0),
            months_since_visit=None if last is None else _months_between(last, spot_round.month),
            visited_this_year=unit_id in visited_this_year,
        ))
    return candidates


def _inspector_pool() -> list[sampling.InspectorPool]:
    inspectors = list(User.objects.filter(role=Role.INSPECTOR, is_active=True).prefetch_related("districts"))
    members: dict[int, set[int]] = {}
    for user_id, unit_id in Membership.objects.filter(user__in=inspectors).values_list("user_id", "unit_id"):
        members.setdefault(user_id, set()).add(unit_id)
    return [
        sampling.InspectorPool(
            inspector_id=user.pk,
            district_ids=frozenset(d.pk for d in user.districts.all()),
            member_unit_ids=frozenset(members.get(user.pk, ())),
        )
        for user in inspectors
    ]


@transaction.atomic
def round_draw(*, actor, spot_round: SpotCheckRound, today=None) -> SpotCheckRound:
    """Draw the round once: store seed, candidates, weights and the drawn units, create the spot-check
    visits and assign two inspectors to each (never to their own unit, load balanced)."""
    if actor is not None:
        require_bureau_staff(actor)
    locked = SpotCheckRound.objects.select_for_update().select_related("campaign").get(pk=spot_round.pk)
    _require_draft(locked)
    if locked.seed is None:
        # Recorded with the round, so the draw stays reproducible even when nobody chose a seed.
        locked.seed = secrets.randbelow(2**31)
    candidates = round_candidates(locked, today=today)
    if not candidates:
        raise ValidationError(_("没有可抽取的参创单位"))
    result = run_draw(locked, candidates)
    if not result.selected:
        raise ValidationError(_("所有单位都在不重复间隔内,本月无可抽取单位"))

    enrolments = {
        e.unit_id: e
        for e in Enrolment.objects.filter(campaign=locked.campaign, unit_id__in=result.selected).select_related("unit")
    }
    try:
        assignment = sampling.assign_inspectors(
            [(unit_id, enrolments[unit_id].unit.district_id) for unit_id in result.selected],
            _inspector_pool(),
            seed=locked.seed,
            per_visit=INSPECTORS_PER_VISIT,
        )
    except ValueError as exc:
        unit = enrolments[exc.args[0]].unit
        raise ValidationError(
            _("“%(unit)s”可派的督查员不足%(n)s名(不得派往本人所在单位,且须在其负责区域内)")
            % {"unit": unit.name, "n": INSPECTORS_PER_VISIT}
        ) from None

    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    for unit_id in result.selected:
        enrolment = enrolments[unit_id]
        visit = Inspection.objects.create(
            kind=InspectionKind.SPOT_CHECK, campaign=locked.campaign, enrolment=enrolment, unit_id=unit_id,
            round=locked, scheduled_date=locked.month, created_by=actor_user,
        )
        InspectionAssignment.objects.bulk_create(
            [InspectionAssignment(inspection=visit, inspector_id=i) for i in assignment[unit_id]]
        )

    locked.candidates = [c.as_dict() for c in sorted(candidates, key=lambda c: c.unit_id)]
    locked.weights = {str(k): v for k, v in result.weights.items()}
    locked.drawn_unit_ids = list(result.selected)
    locked.draw_log = {**result.log(), "months_left": round_months_left(locked),
                       "assignments": {str(k): list(v) for k, v in assignment.items()}}
    locked.status = RoundStatus.DRAWN
    locked.drawn_by = actor_user
    locked.drawn_at = timezone.now()
    locked.save()
    audit_record(actor=actor, action="round_draw", obj=locked,
                 changes={"seed": locked.seed, "drawn_unit_ids": locked.drawn_unit_ids,
                          "candidate_count": len(candidates)})
    visit_counts: dict[int, int] = {}
    for team in assignment.values():
        for inspector_id in team:
            visit_counts[inspector_id] = visit_counts.get(inspector_id, 0) + 1
    link = reverse("inspections:round_detail", args=[locked.pk])
    for inspector in User.objects.filter(pk__in=visit_counts):
        notification_send(
            users=[inspector], kind="spot_check_assigned",
            title=_("%(month)s月度抽查任务") % {"month": f"{locked.month:%Y-%m}"},
            body=_("您被指派参加%(n)s个单位的抽查,请勿提前告知被检查单位。") % {"n": visit_counts[inspector.pk]},
            link=link,
        )
    return locked
