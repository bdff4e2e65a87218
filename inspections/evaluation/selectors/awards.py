"""Reads of award nominations (绿色机关之星, 环保卫士): eligibility, the access gates, the winners.

绿色机关之星 is open to units named in the campaign (stage certified with a valid certificate) whose
stored year-end grade is the rubric's top band (优秀 in the default rubric: the grade names are data
of the rubric version, so the top band is read from it rather than spelled here)."""
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from assessment.models import Enrolment, Stage
from inspections.evaluation.models import AwardKind, Nomination, NominationStatus
from inspections.models import Certificate, CertificateStatus, ReviewStatus, YearEndReview
from inspections.permissions import can_read_supervision, is_bureau_staff, is_director
from units.models import Person
from units.selectors import unit_scope_q


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str


def excellent_grade(rubric) -> str:
    bands = list(rubric.grade_bands or ())
    return str(bands[0].get("grade", "")) if bands else ""


def star_eligibility(*, enrolment: Enrolment) -> Eligibility:
    """Whether the enrolment's unit may be nominated as 绿色机关之星 of its campaign (three queries)."""
    enrolment = Enrolment.objects.select_related("campaign__rubric", "unit").get(pk=enrolment.pk)
    certified = (enrolment.stage == Stage.CERTIFIED
                 and Certificate.objects.filter(enrolment=enrolment, status=CertificateStatus.VALID).exists())
    if not certified:
        return Eligibility(False, _("“%(unit)s”尚未被命名为绿色机关(当前阶段:%(stage)s),不能推荐为绿色机关之星")
                           % {"unit": enrolment.unit.name, "stage": enrolment.get_stage_display()})
    review = YearEndReview.objects.filter(enrolment=enrolment, status=ReviewStatus.FINALISED).first()
    top = excellent_grade(enrolment.campaign.rubric)
    grade = review.grade if review is not None else ""
    if not top or grade != top:
        message = _("“%(unit)s”年终考核等级为%(grade)s,只有等级为%(top)s的已命名单位可以推荐为绿色机关之星")
        return Eligibility(False, message % {"unit": enrolment.unit.name, "grade": grade or _("无"),
                                             "top": top or _("优秀")})
    return Eligibility(True, "")


def star_candidates(*, campaign) -> QuerySet[Enrolment]:
    """Enrolments of the campaign that pass the star rule (one query), for the nomination form."""
    top = excellent_grade(campaign.rubric)
    return (Enrolment.objects.filter(campaign=campaign, stage=Stage.CERTIFIED,
                                     certificate__status=CertificateStatus.VALID,
                                     year_end_review__status=ReviewStatus.FINALISED, year_end_review__grade=top)
            .select_related("unit").order_by("unit__code"))


def star_units_for_user(*, user, campaign) -> list:
    """Units `user` may nominate as 绿色机关之星: a director's own enrolled units (the service explains
    a refusal), bureau staff's eligible units in scope."""
    if is_director(user):
        return [e.unit for e in Enrolment.objects.filter(campaign=campaign, unit__memberships__user=user)
                .select_related("unit").order_by("unit__code").distinct()]
    if is_bureau_staff(user):
        return [e.unit for e in star_candidates(campaign=campaign).filter(unit_scope_q(user, "unit__")).distinct()]
    return []


def guardian_people_for_user(*, user, campaign) -> list[Person]:
    """Active staff of a director's own units enrolled in the campaign (环保卫士 candidates)."""
    if not is_director(user):
        return []
    return list(Person.objects.filter(unit__memberships__user=user, unit__enrolments__campaign=campaign,
                                      is_active=True).select_related("unit").order_by("unit__code", "name").distinct())


def nomination_list_for_user(*, user, campaign=None) -> QuerySet[Nomination]:
    """Readers (bureau staff, leaders) see the nominations of units in scope; a director sees their
    own units' nominations."""
    if not (can_read_supervision(user) or is_director(user)):
        return Nomination.objects.none()
    qs = Nomination.objects.filter(unit_scope_q(user, "unit__")).select_related(
        "unit__district", "person", "campaign", "nominated_by", "decided_by")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("kind", "unit__code", "id").distinct()


def nomination_get_for_user(*, user, pk) -> Nomination:
    try:
        return nomination_list_for_user(user=user).get(pk=pk)
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class AwardWinners:
    stars: list
    guardians: list

    def __bool__(self):
        return bool(self.stars or self.guardians)


def award_winners(*, campaign, district_ids=None) -> AwardWinners:
    """The selected winners of the campaign (one query); `district_ids` narrows them like the campaign
    summary report's scope. Winners are public: no user gate."""
    qs = Nomination.objects.filter(campaign=campaign, status=NominationStatus.SELECTED)
    if district_ids is not None:
        qs = qs.filter(unit__district_id__in=district_ids)
    rows = list(qs.select_related("unit__district", "person").order_by("kind", "unit__district__sort_order",
                                                                        "unit__code", "person__name"))
    return AwardWinners(stars=[n for n in rows if n.kind == AwardKind.STAR],
                        guardians=[n for n in rows if n.kind == AwardKind.GUARDIAN])


def public_award_winners() -> list[tuple[int, AwardWinners]]:
    """Every campaign's winners, newest year first (one query), for the public page."""
    rows = list(Nomination.objects.filter(status=NominationStatus.SELECTED)
                .select_related("unit__district", "person", "campaign")
                .order_by("-campaign__year", "kind", "unit__district__sort_order", "unit__code", "person__name"))
    years: dict[int, AwardWinners] = {}
    for row in rows:
        winners = years.setdefault(row.campaign.year, AwardWinners(stars=[], guardians=[]))
        (winners.stars if row.kind == AwardKind.STAR else winners.guardians).append(row)
    return list(years.items())


def guardian_count(*, campaign, unit) -> int:
    return Nomination.objects.filter(Q(campaign=campaign, unit=unit, kind=AwardKind.GUARDIAN)).count()
