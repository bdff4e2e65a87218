"""Reads of the city's review (市级评审): the applicants a reviewer decides on, with their year-end result,
public-evaluation gate and open problems, and the latest decision per unit."""
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from assessment.models import Enrolment, Stage
from inspections.models import CityDecision
from inspections.permissions import can_read_city_review
from units.models import Role
from units.selectors import unit_scope_q


def city_review_enrolments_for_user(*, user, campaign) -> QuerySet[Enrolment]:
    """The units of `campaign` that passed the year-end review (and those decided since): city-wide for
    reviewers (the city's office), scoped as usual for bureau staff and leaders."""
    if not can_read_city_review(user):
        return Enrolment.objects.none()
    qs = Enrolment.objects.filter(campaign=campaign).filter(
        Q(stage__in=(Stage.PASSED, Stage.PUBLICITY, Stage.CERTIFIED)) | Q(city_decisions__isnull=False))
    if not user.is_admin_role and user.role != Role.REVIEWER:
        qs = qs.filter(unit_scope_q(user, "unit__"))
    latest = CityDecision.objects.filter(enrolment=OuterRef("pk")).order_by("-decided_at", "-id")
    return (qs.annotate(latest_decision=Subquery(latest.values("decision")[:1]),
                        open_findings=Count("findings", filter=Q(findings__rectified_at__isnull=True),
                                            distinct=True))
            .select_related("unit__district", "year_end_review").order_by("unit__district__sort_order", "unit__code"))


def city_review_get_for_user(*, user, campaign, pk) -> Enrolment:
    try:
        return city_review_enrolments_for_user(user=user, campaign=campaign).get(pk=pk)
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def latest_city_decisions(enrolment_ids) -> dict[int, CityDecision]:
    latest: dict[int, CityDecision] = {}
    for record in (CityDecision.objects.filter(enrolment_id__in=list(enrolment_ids))
                   .select_related("decided_by").order_by("decided_at", "id")):
        latest[record.enrolment_id] = record
    return latest
