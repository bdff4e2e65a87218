"""Writes of campaigns (创建年度) and enrolments: create, update, enrol units, unenrol.

A campaign is bound to one *published* rubric version. Its dates follow the order the city runs the
year in (self-assessment → application deadline → on-site review → public evaluation → publicity);
only one campaign is the current one."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessment.models import Campaign, Enrolment, RubricStatus, Stage
from greenoffice.audit import audit_record, diff_fields
from units.models import Unit

CAMPAIGN_FIELDS = (
    "year", "name", "rubric", "target_certified_count", "target_share", "target_year",
    "self_assessment_start", "self_assessment_end", "application_deadline", "review_start", "review_end",
    "public_evaluation_start", "public_evaluation_end", "publicity_start", "publicity_end",
    "objection_window_days", "is_current", "electricity_grid", "public_evaluation_required",
)

# The campaign calendar in the order the city runs it; each filled date may not precede the one before.
DATE_ORDER = (
    "self_assessment_start", "self_assessment_end", "application_deadline", "review_start", "review_end",
    "public_evaluation_start", "public_evaluation_end", "publicity_start", "publicity_end",
)


def _require_admin(actor):
    # actor=None is the system (management commands, seed_demo).
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied


def _label(field: str) -> str:
    return str(Campaign._meta.get_field(field).verbose_name)


def campaign_validate(campaign: Campaign) -> None:
    """Business rules beyond the field types; errors are keyed by field so forms show them in place."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if campaign.rubric_id is not None and campaign.rubric.status != RubricStatus.PUBLISHED:
        add("rubric", _("创建年度只能使用已发布的考评细则"))
    previous = None
    for field in DATE_ORDER:
        value = getattr(campaign, field)
        if value is None:
            continue
        if previous is not None and value < getattr(campaign, previous):
            add(field, _("“%(later)s”不能早于“%(earlier)s”") % {"later": _label(field), "earlier": _label(previous)})
        previous = field
    if campaign.target_share is not None and not 0 <= campaign.target_share <= 100:
        add("target_share", _("目标创成比例应在0到100之间"))
    if campaign.target_year is not None and campaign.year and campaign.target_year < campaign.year:
        add("target_year", _("目标年份不能早于创建年度"))
    if campaign.year and Campaign.objects.filter(year=campaign.year).exclude(pk=campaign.pk).exists():
        add("year", _("%(year)s年度的创建活动已存在") % {"year": campaign.year})
    if errors:
        raise ValidationError(errors)


def _make_current(campaign: Campaign) -> None:
    # Unset the others first: the "one current campaign" constraint is checked row by row.
    Campaign.objects.filter(is_current=True).exclude(pk=campaign.pk).update(is_current=False)


@transaction.atomic
def campaign_create(*, actor, **values) -> Campaign:
    _require_admin(actor)
    campaign = Campaign(**{k: v for k, v in values.items() if k in CAMPAIGN_FIELDS})
    if not campaign.name and campaign.year:
        campaign.name = _("%(year)s年度绿色机关创建") % {"year": campaign.year}
    if campaign.is_current:
        # Before validating, so the "one current" constraint check sees the others unset; an error
        # below rolls this back with the rest of the transaction.
        _make_current(campaign)
    campaign.full_clean(validate_unique=False)
    campaign_validate(campaign)
    campaign.save()
    audit_record(actor=actor, action="campaign_create", obj=campaign,
                 changes={f: getattr(campaign, f) for f in CAMPAIGN_FIELDS})
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **values) -> Campaign:
    _require_admin(actor)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    values = {k: v for k, v in values.items() if k in CAMPAIGN_FIELDS}
    changes = diff_fields(locked, values)
    if not changes:
        return locked
    if "rubric" in changes and locked.enrolments.exclude(stage=Stage.NOT_STARTED).exists():
        # Self-assessment answers point at the items of the old version.
        raise ValidationError({"rubric": [_("已有单位开始自评,不能更换考评细则")]})
    for field, value in values.items():
        setattr(locked, field, value)
    if locked.is_current:
        _make_current(locked)
    locked.full_clean(validate_unique=False)
    campaign_validate(locked)
    locked.save()
    audit_record(actor=actor, action="campaign_update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def campaign_enrol_units(*, actor, campaign: Campaign, units) -> int:
    """Enrol `units` (Unit objects or ids) at "not started"; already enrolled units are skipped.

    Returns how many were newly enrolled. Safe to repeat, and to run twice at once (the campaign row
    is locked while enrolling)."""
    _require_admin(actor)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    unit_ids = {u.pk if isinstance(u, Unit) else int(u) for u in units}
    if not unit_ids:
        return 0
    inactive = list(Unit.objects.filter(pk__in=unit_ids, is_active=False).values_list("name", flat=True)[:5])
    if inactive:
        raise ValidationError(_("停用的单位不能参加创建:%(names)s") % {"names": "、".join(inactive)})
    known = set(Unit.objects.filter(pk__in=unit_ids).values_list("pk", flat=True))
    if known != unit_ids:
        raise ValidationError(_("部分单位不存在"))
    enrolled = set(Enrolment.objects.filter(campaign=campaign, unit_id__in=unit_ids).values_list("unit_id", flat=True))
    new_ids = sorted(unit_ids - enrolled)
    if not new_ids:
        return 0
    now = timezone.now()
    bulk_create_with_history(
        [Enrolment(campaign=campaign, unit_id=uid, stage=Stage.NOT_STARTED, stage_changed_at=now) for uid in new_ids],
        Enrolment,
        batch_size=500,
        default_user=actor if getattr(actor, "is_authenticated", False) else None,
        default_change_reason="campaign_enrol_units",
    )
    # One entry for the batch: a province-wide enrolment would otherwise write 10,000 audit rows.
    audit_record(actor=actor, action="campaign_enrol_units", obj=campaign,
                 changes={"count": len(new_ids), "unit_ids": new_ids})
    return len(new_ids)


@transaction.atomic
def campaign_unenrol(*, actor, enrolment: Enrolment) -> None:
    """Withdraw a unit that has not started; after that its history must stay."""
    _require_admin(actor)
    locked = Enrolment.objects.select_for_update().select_related("unit", "campaign").get(pk=enrolment.pk)
    if locked.stage != Stage.NOT_STARTED:
        raise ValidationError(
            _("只能撤销未开始自评的单位,“%(unit)s”当前阶段为“%(stage)s”")
            % {"unit": locked.unit.name, "stage": locked.get_stage_display()}
        )
    if hasattr(locked, "self_assessment") and locked.self_assessment is not None:
        raise ValidationError(_("“%(unit)s”已开始填报自评,不能撤销") % {"unit": locked.unit.name})
    audit_record(actor=actor, action="campaign_unenrol", obj=locked.campaign, unit_id=locked.unit_id,
                 changes={"unit_id": locked.unit_id, "enrolment_id": locked.pk})
    locked.delete()
