"""Writes of districts, units, people and memberships. Each service owns its transaction and audit."""
from django.core.exceptions import PermissionDenied
from django.db import transaction

from greenoffice.audit import audit_record, diff_fields
from units.models import District, Membership, Person, Unit, User

UNIT_FIELDS = (
    "code", "name", "short_name", "credit_code", "district", "category", "address", "headcount",
    "floor_area", "contact_name", "contact_phone", "is_active",
)


def _require_admin(actor):
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied


@transaction.atomic
def unit_create(*, actor, **values) -> Unit:
    _require_admin(actor)
    unit = Unit(**{k: v for k, v in values.items() if k in UNIT_FIELDS})
    unit.full_clean()
    unit.save()
    audit_record(actor=actor, action="unit_create", obj=unit, unit_id=unit.pk,
                 changes={f: getattr(unit, f) for f in UNIT_FIELDS})
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **values) -> Unit:
    _require_admin(actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    values = {k: v for k, v in values.items() if k in UNIT_FIELDS}
    changes = diff_fields(unit, values)
    if not changes:
        return unit
    for field, value in values.items():
        setattr(unit, field, value)
    unit.full_clean()
    unit.save()
    audit_record(actor=actor, action="unit_update", obj=unit, unit_id=unit.pk, changes=changes)
    return unit


@transaction.atomic
def district_create(*, actor, code: str, name: str, kind: str, sort_order: int = 0) -> District:
    _require_admin(actor)
    district = District(code=code, name=name, kind=kind, sort_order=sort_order)
    district.full_clean()
    district.save()
    audit_record(actor=actor, action="district_create", obj=district, changes={"code": code, "name": name})
    return district


@transaction.atomic
def membership_add(*, actor, user: User, unit: Unit, position: str = "") -> Membership:
    _require_admin(actor)
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, defaults={"position": position})
    if created:
        audit_record(actor=actor, action="membership_add", obj=membership, unit_id=unit.pk,
                     changes={"user": user.pk, "unit": unit.pk, "position": position})
    return membership


@transaction.atomic
def person_create(*, actor, unit: Unit, name: str, position: str = "", phone: str = "",
                  is_leadership_group: bool = False) -> Person:
    """Directors add people to their own unit; admins to any. The caller has already passed the gate."""
    person = Person(unit=unit, name=name, position=position, phone=phone, is_leadership_group=is_leadership_group)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action="person_create", obj=person, unit_id=unit.pk,
                 changes={"name": name, "position": position})
    return person
