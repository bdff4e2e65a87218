"""The single way services write the audit trail. Call it inside the service's transaction so the
entry and the change commit or roll back together."""
from decimal import Decimal

from django.db import models

from greenoffice.models import AuditEvent


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def audit_record(*, actor, action: str, obj: models.Model, unit_id=None, changes=None, reason: str = "") -> AuditEvent:
    """Store who did `action` to `obj`. `changes` maps a field to (old, new) or to a plain value."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        unit_id=unit_id,
        changes=_plain(changes or {}),
        reason=reason,
    )


def diff_fields(instance: models.Model, values: dict) -> dict:
    """The (old, new) pairs of the fields in `values` that differ on `instance`."""
    changed = {}
    for field, new in values.items():
        old = getattr(instance, field)
        if old != new:
            changed[field] = (old, new)
    return changed


def audit_event_search(*, unit_ids=None, actor_ids=None, date_from=None, date_to=None, action: str = ""):
    """The admins' search over the trail. Dates are local calendar days, inclusive."""
    qs = AuditEvent.objects.select_related("actor")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    if actor_ids is not None:
        qs = qs.filter(actor_id__in=actor_ids)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if action:
        qs = qs.filter(action__icontains=action)
    return qs
