"""Reads of campaigns and enrolments: the access gates for both.

Campaigns themselves are bureau-wide (every inspector, leader and admin sees every year; a director sees
the years their units take part in). Enrolments are unit data and are scoped by `unit_scope_q`."""
from django.db.models import Count, QuerySet
from django.http import Http404

from assessment.models import Campaign, Enrolment, Stage
from units.models import Role, Unit
from units.selectors import unit_scope_q


def campaign_can_view(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_admin_role or user.role in (Role.INSPECTOR, Role.LEADER)
    )


def campaign_can_manage(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_admin_role


def campaign_list_for_user(*, user) -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("rubric").order_by("-year")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_admin_role or user.role in (Role.INSPECTOR, Role.LEADER, Role.REVIEWER):
        return qs
    if user.role == Role.DIRECTOR:
        return qs.filter(enrolments__unit__memberships__user=user).distinct()
    return qs.none()


def campaign_get_for_user(*, user, pk) -> Campaign:
    try:
        return campaign_list_for_user(user=user).get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def campaign_current() -> Campaign | None:
    """The campaign year every "this year" screen works on; None before an admin opens one."""
    return Campaign.objects.select_related("rubric").filter(is_current=True).first()


def enrolment_list_for_user(*, user, campaign=None) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.filter(unit_scope_q(user, "unit__")).select_related(
        "unit", "unit__district", "campaign"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("campaign__year", "unit__district__sort_order", "unit__code")


def enrolment_get_for_user(*, user, pk) -> Enrolment:
    try:
        return enrolment_list_for_user(user=user).select_related("campaign__rubric").get(pk=pk)
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def enrolment_stage_counts(*, user, campaign) -> list[dict]:
    """Every stage in workflow order with the number of the user's enrolments in it (one query)."""
    rows = (
        enrolment_list_for_user(user=user, campaign=campaign)
        .order_by()
        .values("stage")
        .annotate(n=Count("id"))
    )
    counts = {row["stage"]: row["n"] for row in rows}
    return [{"stage": stage, "label": stage.label, "count": counts.get(stage.value, 0)} for stage in Stage]


def enrolled_unit_ids(*, campaign) -> set[int]:
    return set(Enrolment.objects.filter(campaign=campaign).values_list("unit_id", flat=True))


def enrol_candidates(*, campaign, districts=None, categories=None) -> QuerySet[Unit]:
    """Active units, optionally of some districts and categories, not yet enrolled in `campaign`."""
    units = Unit.objects.filter(is_active=True).exclude(
        pk__in=Enrolment.objects.filter(campaign=campaign).values("unit_id")
    )
    if districts:
        units = units.filter(district__in=districts)
    if categories:
        units = units.filter(category__in=categories)
    return units.select_related("district").order_by("district__sort_order", "code")
