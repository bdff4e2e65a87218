"""Writes of the binding deadlines: an inspector's extension (延期) of a unit's deadline, and the check
the submitting services call."""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import DeadlineExtension, DeadlineKind, Enrolment
from assessment.selectors.deadlines import campaign_deadline, effective_deadline
from greenoffice.audit import audit_record
from units.models import Role
from units.selectors import unit_scope_q

REASON_MAX = 2000


def deadline_can_extend_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and (user.is_admin_role or user.role == Role.INSPECTOR)


def deadline_require_open(*, enrolment: Enrolment, kind: str) -> None:
    """Refuse a submission after the unit's deadline (the campaign's, or its latest extension)."""
    deadline = effective_deadline(enrolment, kind)
    if deadline is not None and timezone.localdate() > deadline:
        raise ValidationError(
            _("%(what)s已过(%(day)s),逾期提交需督查员批准延期") % {
                "what": DeadlineKind(kind).label, "day": f"{deadline:%Y-%m-%d}"},
            code="late",
        )


@transaction.atomic
def deadline_extend(*, actor, enrolment: Enrolment, kind: str, new_date: datetime.date,
                    reason: str) -> DeadlineExtension:
    """Grant the unit until `new_date` for `kind`; an inspector or admin whose scope covers the unit."""
    if not deadline_can_extend_role(actor):
        raise PermissionDenied
    locked = (Enrolment.objects.select_for_update().select_related("campaign")
              .filter(unit_scope_q(actor, "unit__"), pk=enrolment.pk).first())
    if locked is None:
        raise PermissionDenied
    if kind not in DeadlineKind.values:
        raise ValidationError({"kind": _("请选择截止事项")})
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写延期理由")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("延期理由不能超过%(n)s字") % {"n": REASON_MAX}]
    base = campaign_deadline(locked.campaign, kind)
    if base is None:
        errors["kind"] = [_("本年度未设定%(what)s日期,无需延期") % {"what": DeadlineKind(kind).label}]
    elif new_date is None or new_date <= base:
        errors["new_date"] = [_("延期日期应晚于%(what)s(%(day)s)")
                              % {"what": DeadlineKind(kind).label, "day": f"{base:%Y-%m-%d}"}]
    if errors:
        raise ValidationError(errors)
    previous = effective_deadline(locked, kind)
    extension = DeadlineExtension.objects.create(enrolment=locked, kind=kind, new_date=new_date, reason=reason,
                                                 granted_by=actor, granted_at=timezone.now())
    audit_record(actor=actor, action="deadline_extend", obj=extension, unit_id=locked.unit_id,
                 changes={"kind": kind, "deadline": (previous, new_date)}, reason=reason)
    return extension
