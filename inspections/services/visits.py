"""Inspections (visits): plan one, record the checklist item by item with photos, complete it.

A completed (or cancelled) inspection is a record: every service here refuses to change it. Completing
turns each minor/serious checklist entry into a Finding; orders are raised from findings afterwards."""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Enrolment, RubricItem, Stage
from assessment.uploads import PHOTO_KINDS
from greenoffice.audit import audit_record
from inspections.models import (
    ChecklistEntry,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionPhoto,
    InspectionStatus,
    photo_upload_to,
)
from inspections.permissions import is_member_of, require_bureau_staff, require_impartial
from inspections.services.notifications import notification_send
from inspections.storage import check_file, store_checked_file
from units.models import Role, User
from units.selectors import unit_scope_q

MAX_PHOTOS_PER_ITEM = 12
NOT_VISITABLE_STAGES = (Stage.REVOKED,)


def _lock(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("unit", "campaign").get(pk=inspection.pk)


def _require_open(inspection: Inspection) -> None:
    if inspection.is_locked:
        raise ValidationError(_("检查已完成(或已取消),记录不可更改"), code="locked")


def _require_on_team(actor, inspection: Inspection) -> None:
    """Recording is done by the inspectors assigned to the visit (administrators may help)."""
    require_impartial(actor, inspection.unit_id)
    if actor.is_admin_role:
        return
    if not inspection.assignments.filter(inspector=actor).exists():
        raise PermissionDenied(_("只有本次检查的检查人员可以记录"))


def _validate_inspectors(inspectors, unit) -> list[User]:
    inspectors = list({u.pk: u for u in inspectors}.values())
    if not inspectors:
        raise ValidationError({"inspectors": [_("请至少指派一名检查人员")]})
    for user in inspectors:
        if user.role != Role.INSPECTOR or not user.is_active:
            raise ValidationError({"inspectors": [_("“%(name)s”不是督查员") % {"name": user.display_name}]})
        if is_member_of(user, unit.pk):
            raise ValidationError({"inspectors": [
                _("“%(name)s”是该单位人员,不能派往本单位检查") % {"name": user.display_name}
            ]})
        if not type(unit).objects.filter(unit_scope_q(user), pk=unit.pk).exists():
            raise ValidationError({"inspectors": [
                _("“%(name)s”不负责该单位所在区域") % {"name": user.display_name}
            ]})
    return inspectors


@transaction.atomic
def inspection_create(*, actor, enrolment: Enrolment, kind: str, scheduled_date: datetime.date,
                      inspectors=None) -> Inspection:
    """Plan a routine / unannounced / year-end / re-check visit (spot checks come from a round's draw).
    An inspector who plans a visit is on its team unless they name others."""
    require_impartial(actor, enrolment.unit_id)
    if kind not in InspectionKind.values or kind == InspectionKind.SPOT_CHECK:
        raise ValidationError({"kind": [_("月度抽查由抽查批次抽取产生,请选择其他检查类型")]})
    if enrolment.stage in NOT_VISITABLE_STAGES:
        raise ValidationError(_("该单位已被撤销称号,不再安排检查"))
    if not enrolment.campaign.covers(scheduled_date):
        first, last = enrolment.campaign.work_span
        raise ValidationError({"scheduled_date": [
            _("检查日期必须在本年度创建活动期间(%(first)s至%(last)s)") % {"first": first, "last": last}
        ]})
    inspectors = list(inspectors or [])
    if not inspectors and actor.role == Role.INSPECTOR:
        inspectors = [actor]
    inspectors = _validate_inspectors(inspectors, enrolment.unit)
    inspection = Inspection.objects.create(
        kind=kind, campaign=enrolment.campaign, enrolment=enrolment, unit=enrolment.unit,
        scheduled_date=scheduled_date, created_by=actor,
    )
    InspectionAssignment.objects.bulk_create(
        [InspectionAssignment(inspection=inspection, inspector=u) for u in inspectors]
    )
    audit_record(actor=actor, action="inspection_create", obj=inspection, unit_id=inspection.unit_id,
                 changes={"kind": kind, "scheduled_date": scheduled_date, "inspectors": [u.pk for u in inspectors]})
    others = [u for u in inspectors if u.pk != actor.pk]
    if others:
        notification_send(
            users=others, kind="inspection_assigned",
            title=_("检查任务:%(kind)s · %(unit)s") % {"kind": inspection.get_kind_display(),
                                                       "unit": inspection.unit.name},
            body=_("计划检查日期:%(date)s") % {"date": scheduled_date.isoformat()},
            link=reverse("inspections:visit_detail", args=[inspection.pk]),
        )
    return inspection


def _start(inspection: Inspection) -> None:
    if inspection.status == InspectionStatus.PLANNED:
        inspection.status = InspectionStatus.IN_PROGRESS
        inspection.started_at = timezone.now()
        inspection.save(update_fields=["status", "started_at", "updated_at"])


@transaction.atomic
def checklist_record(*, actor, inspection: Inspection, item: RubricItem, result: str, note: str = "",
                     rectified_on_site: bool = False, photos=()) -> ChecklistEntry:
    """Record (or correct, while the visit is open) one item's result, with any new photos."""
    locked = _lock(inspection)
    _require_open(locked)
    _require_on_team(actor, locked)
    if item.rubric_id != locked.campaign.rubric_id:
        raise ValidationError(_("该项目不属于本年度的考评细则"))
    if result not in ChecklistResult.values:
        raise ValidationError({"result": [_("请选择检查结果")]})
    note = (note or "").strip()
    if result != ChecklistResult.COMPLIANT and not note:
        raise ValidationError({"note": [_("发现问题时必须填写情况记录")]})
    if result == ChecklistResult.COMPLIANT:
        rectified_on_site = False
    checked = [check_file(f, allowed_kinds=PHOTO_KINDS) for f in photos]

    entry = ChecklistEntry.objects.filter(inspection=locked, item=item).first()
    old = None if entry is None else {"result": entry.result, "note": entry.note}
    if entry is None:
        entry = ChecklistEntry(inspection=locked, item=item)
    entry.result, entry.note, entry.rectified_on_site, entry.recorded_by = result, note, rectified_on_site, actor
    entry.full_clean(exclude=["inspection", "item", "recorded_by"])
    entry.save()
    if entry.photos.count() + len(checked) > MAX_PHOTOS_PER_ITEM:
        raise ValidationError({"photos": [_("每个项目最多上传%(n)s张照片") % {"n": MAX_PHOTOS_PER_ITEM}]})
    for one in checked:
        photo = InspectionPhoto(entry=entry, uploaded_by=actor)
        store_checked_file(photo, one, photo_upload_to)
        photo.save()
    _start(locked)
    audit_record(actor=actor, action="checklist_record", obj=entry, unit_id=locked.unit_id,
                 changes={"item": item.code, "result": (old or {}).get("result"), "new_result": result,
                          "photos_added": len(checked)})
    return entry


@transaction.atomic
def photo_remove(*, actor, photo: InspectionPhoto) -> None:
    """Remove a photo taken by mistake, while the visit is still open."""
    locked = _lock(photo.entry.inspection)
    _require_open(locked)
    _require_on_team(actor, locked)
    audit_record(actor=actor, action="photo_remove", obj=photo, unit_id=locked.unit_id,
                 changes={"sha256": photo.sha256, "entry": photo.entry_id})
    photo.delete()


@transaction.atomic
def inspection_complete(*, actor, inspection: Inspection, summary: str = "") -> Inspection:
    """Close the visit: it becomes immutable and every minor/serious entry becomes a finding."""
    locked = _lock(inspection)
    if locked.status == InspectionStatus.COMPLETED:
        return locked  # a double tap on "完成检查"
    _require_open(locked)
    _require_on_team(actor, locked)
    entries = list(locked.entries.select_related("item"))
    if not entries:
        raise ValidationError(_("请至少记录一个检查项目后再完成检查"))
    now = timezone.now()
    findings = []
    for entry in entries:
        if entry.result == ChecklistResult.COMPLIANT:
            continue
        findings.append(Finding(
            inspection=locked, entry=entry, campaign=locked.campaign, enrolment_id=locked.enrolment_id,
            unit=locked.unit, item=entry.item, severity=entry.result, description=entry.note,
            rectified_on_site=entry.rectified_on_site, rectified_at=now if entry.rectified_on_site else None,
            created_by=actor,
        ))
    Finding.objects.bulk_create(findings)
    locked.status = InspectionStatus.COMPLETED
    locked.summary = (summary or "").strip()[:5000]
    locked.completed_at = now
    locked.completed_by = actor
    if locked.started_at is None:
        locked.started_at = now
    locked.save()
    audit_record(actor=actor, action="inspection_complete", obj=locked, unit_id=locked.unit_id,
                 changes={"status": (InspectionStatus.IN_PROGRESS, InspectionStatus.COMPLETED),
                          "entries": len(entries), "findings": len(findings)})
    return locked


@transaction.atomic
def inspection_cancel(*, actor, inspection: Inspection, reason: str) -> Inspection:
    require_bureau_staff(actor)
    locked = _lock(inspection)
    _require_open(locked)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写取消原因")]})
    if locked.entries.exists():
        raise ValidationError(_("已有检查记录的检查不能取消,请完成检查"))
    old = locked.status
    locked.status = InspectionStatus.CANCELLED
    locked.summary = reason
    locked.save(update_fields=["status", "summary", "updated_at"])
    audit_record(actor=actor, action="inspection_cancel", obj=locked, unit_id=locked.unit_id,
                 changes={"status": (old, InspectionStatus.CANCELLED)}, reason=reason)
    return locked
