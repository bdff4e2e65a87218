"""Reads of units and people. These are the access gates: every view reads units through them.

Out of scope and missing both raise Http404, so ids of other units reveal nothing."""
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from units.credit_code import credit_code_normalize
from units.models import District, Membership, Person, Role, Unit, User


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
    # No .distinct(): the scope joins at most one membership per unit (unique user+unit), and SELECT
    # DISTINCT over every column made the 10,000-unit list sort the whole table (docs/performance.md).
    return Unit.objects.filter(unit_scope_q(user)).select_related("district")


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


def unit_filter(units: QuerySet[Unit], *, q: str = "", district_id=None, category: str = "",
                is_active: bool | None = None) -> QuerySet[Unit]:
    """Narrow a (scoped) unit queryset by the list page's search box and filters. The search matches
    the name, short name, unit code or credit code."""
    q = (q or "").strip()
    if q:
        units = units.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q)
            | Q(credit_code__icontains=credit_code_normalize(q))
        )
    if district_id:
        units = units.filter(district_id=district_id)
    if category:
        units = units.filter(category=category)
    if is_active is not None:
        units = units.filter(is_active=is_active)
    return units


def unit_counts(units: QuerySet[Unit]) -> dict:
    """Total, active and inactive units of a queryset, in one query."""
    counts = units.aggregate(total=Count("pk", distinct=True),
                             active=Count("pk", filter=Q(is_active=True), distinct=True))
    counts["inactive"] = counts["total"] - counts["active"]
    return counts


def membership_list_for_unit(*, unit: Unit) -> QuerySet[Membership]:
    """The log-in accounts that work in `unit` (the caller has passed the unit's gate)."""
    return unit.memberships.select_related("user").order_by("user__role", "user__username")


def person_manage_allowed(*, user, unit: Unit) -> bool:
    """Whether `user` may add and edit the people (单位人员) of `unit`: administrators, and the unit's
    own directors. Inspectors and leaders read them only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_admin_role:
        return True
    if user.role == Role.DIRECTOR:
        return Membership.objects.filter(user=user, unit=unit).exists()
    return False
