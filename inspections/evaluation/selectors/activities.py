"""Reads of public-welfare activities and units' participation.

Activities are published to every signed-in user; participations (with photos) are unit data scoped
by `unit_scope_q`. `activity_count_for` is what rubric item 1.6 (at least two activities a year)
shows as evidence on the self-assessment and review pages."""
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from inspections.evaluation.models import Activity, Participation, ParticipationPhoto
from units.selectors import unit_scope_q

#: The rubric item whose evidence the activity count is (item codes are stable across versions).
ACTIVITY_ITEM_CODE = "1.6"
#: What item 1.6 asks for in a year.
ACTIVITIES_REQUIRED_PER_YEAR = 2


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def activity_list_for_user(*, user, year=None) -> QuerySet[Activity]:
    if not _authenticated(user):
        return Activity.objects.none()
    qs = Activity.objects.annotate(participation_count=Count("participations"))
    if year:
        qs = qs.filter(date__year=year)
    return qs.order_by("-date", "-id")


def activity_get_for_user(*, user, pk) -> Activity:
    try:
        return activity_list_for_user(user=user).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def participation_list_for_user(*, user, activity=None) -> QuerySet[Participation]:
    if not _authenticated(user):
        return Participation.objects.none()
    qs = (Participation.objects.filter(unit_scope_q(user, "unit__"))
          .select_related("unit__district", "activity", "registered_by")
          .prefetch_related(Prefetch("photos", queryset=ParticipationPhoto.objects.order_by("id"))))
    if activity is not None:
        qs = qs.filter(activity=activity)
    return qs.order_by("activity__date", "unit__code").distinct()


def participation_get_for_user(*, user, pk) -> Participation:
    try:
        return participation_list_for_user(user=user).get(pk=pk)
    except (Participation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def participation_photo_get_for_user(*, user, pk) -> ParticipationPhoto:
    if not _authenticated(user):
        raise Http404
    try:
        return (ParticipationPhoto.objects.filter(unit_scope_q(user, "participation__unit__"), pk=pk)
                .select_related("participation").distinct().get())
    except (ParticipationPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def activity_count_for(*, unit, year: int) -> int:
    """Activities (not cancelled) of `year` the unit registered its participation in, with photos."""
    return (Participation.objects.filter(unit=unit, activity__date__year=year, activity__is_cancelled=False)
            .filter(Q(photos__isnull=False)).values("activity").distinct().count())


def activity_participations_for(*, unit, year: int) -> list[Participation]:
    """The unit's participations of the year (for the evidence card), with their activity."""
    return list(Participation.objects.filter(unit=unit, activity__date__year=year, activity__is_cancelled=False)
                .select_related("activity").annotate(photo_count=Count("photos")).order_by("activity__date"))
