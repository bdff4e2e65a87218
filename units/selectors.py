"""Reads of units and people. These are the access gates: every view reads units through them.

Out of scope and missing both raise Http404, so ids of other units reveal nothing."""
from django.db.models import Q, QuerySet
from django.http import Http404

from units.models import District, Person, Role, Unit, User


def unit_scope_q(user, prefix: str = "") -> Q:
    """A filter selecting the units `user` may see; `prefix` reaches Unit from another model
    (e.g. "unit__" from an enrolment). Everyone else's data is filtered through this one rule."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return Q()
    if user.role in (Role.INSPECTOR, Role.LEADER):
        district_ids = list(user.districts.values_list("pk", flat=True))
        if not district_ids:
            return Q()
        return Q(**{f"{prefix}district_id__in": district_ids})
    if user.role == Role.DIRECTOR:
        return Q(**{f"{prefix}memberships__user": user})
    return Q(pk__in=[])


def unit_list_for_user(*, user) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_scope_q(user)).select_related("district").distinct()


def unit_get_for_user(*, user, pk) -> Unit:
    try:
        return unit_list_for_user(user=user).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unit_ids_for_user(*, user) -> list[int]:
    return list(unit_list_for_user(user=user).values_list("pk", flat=True))


def district_list_for_user(*, user) -> QuerySet[District]:
    if not getattr(user, "is_authenticated", False):
        return District.objects.none()
    if user.role in (Role.INSPECTOR, Role.LEADER) and not user.is_admin_role:
        scoped = user.districts.all()
        if scoped.exists():
            return scoped.order_by("sort_order", "code")
    if user.role == Role.DIRECTOR and not user.is_admin_role:
        return District.objects.filter(units__memberships__user=user).distinct()
    return District.objects.all()


def person_list_for_user(*, user, unit_id=None) -> QuerySet[Person]:
    units = unit_list_for_user(user=user)
    qs = Person.objects.filter(unit__in=units).select_related("unit")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs


def person_get_for_user(*, user, pk) -> Person:
    try:
        return person_list_for_user(user=user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def user_unit_ids(user: User) -> set[int]:
    """Units the user is a member of (for directors: the units they act for)."""
    return set(user.memberships.values_list("unit_id", flat=True))
