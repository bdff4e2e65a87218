"""Writes of awards: nominations for 绿色机关之星 (a unit; only named units with the top grade) and
环保卫士 (a staff member, nominated by their unit's director with a citation), and the bureau's
selection of winners."""
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Campaign, Enrolment
from greenoffice.audit import audit_record
from inspections.evaluation.models import AwardKind, Nomination, NominationStatus
from inspections.evaluation.selectors.awards import guardian_count, star_eligibility
from inspections.permissions import is_bureau_staff, is_director, is_member_of, require_bureau_staff
from units.models import Person

CITATION_MAX = 1000


def guardian_limit() -> int:
    """环保卫士 nominations a unit may make per campaign (EVALUATION_GUARDIANS_PER_UNIT, default 2)."""
    return int(getattr(settings, "EVALUATION_GUARDIANS_PER_UNIT", 2))


def _citation(citation: str) -> str:
    citation = (citation or "").strip()
    if not citation:
        raise ValidationError({"citation": [_("请填写推荐事迹")]})
    if len(citation) > CITATION_MAX:
        raise ValidationError({"citation": [_("推荐事迹最多%(max)s字,您输入了%(n)s字")
                                            % {"max": CITATION_MAX, "n": len(citation)}]})
    return citation


def _enrolment(campaign: Campaign, unit) -> Enrolment:
    enrolment = Enrolment.objects.filter(campaign=campaign, unit=unit).first()
    if enrolment is None:
        raise ValidationError(_("“%(unit)s”未参加%(campaign)s") % {"unit": unit.name, "campaign": campaign})
    return enrolment


@transaction.atomic
def nomination_star(*, actor, campaign: Campaign, unit, citation: str) -> Nomination:
    """Nominate a unit as 绿色机关之星: by the bureau, or by the unit's own director (自荐)."""
    if not (is_bureau_staff(actor) or (is_director(actor) and is_member_of(actor, unit.pk))):
        raise PermissionDenied(_("只有督查员、管理员或本单位办公室主任可以推荐"))
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    citation = _citation(citation)
    eligibility = star_eligibility(enrolment=_enrolment(campaign, unit))
    if not eligibility.eligible:
        raise ValidationError({"unit": [eligibility.reason]}, code="not_eligible")
    if Nomination.objects.filter(campaign=campaign, kind=AwardKind.STAR, unit=unit).exists():
        raise ValidationError({"unit": [_("“%(unit)s”已被推荐为绿色机关之星候选") % {"unit": unit.name}]})
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(campaign=campaign, kind=AwardKind.STAR, unit=unit,
                                                   citation=citation, nominated_by=actor)
    except IntegrityError:
        raise ValidationError({"unit": [_("“%(unit)s”已被推荐为绿色机关之星候选") % {"unit": unit.name}]}) from None
    audit_record(actor=actor, action="nomination_star", obj=nomination, unit_id=unit.pk,
                 changes={"campaign": campaign.pk, "citation": citation})
    return nomination


@transaction.atomic
def nomination_guardian(*, actor, campaign: Campaign, person: Person, citation: str) -> Nomination:
    """Nominate a staff member as 环保卫士: only the director of the person's own unit may."""
    unit = person.unit
    if not (is_director(actor) and is_member_of(actor, unit.pk)):
        raise PermissionDenied(_("环保卫士由本单位办公室主任推荐"))
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    citation = _citation(citation)
    _enrolment(campaign, unit)
    if not person.is_active:
        raise ValidationError({"person": [_("“%(name)s”已不在职,不能推荐") % {"name": person.name}]})
    if Nomination.objects.filter(campaign=campaign, kind=AwardKind.GUARDIAN, person=person).exists():
        raise ValidationError({"person": [_("“%(name)s”已被推荐") % {"name": person.name}]})
    limit = guardian_limit()
    if guardian_count(campaign=campaign, unit=unit) >= limit:
        raise ValidationError({"person": [_("每个单位每年度最多推荐%(n)s名环保卫士") % {"n": limit}]})
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(campaign=campaign, kind=AwardKind.GUARDIAN, unit=unit,
                                                   person=person, citation=citation, nominated_by=actor)
    except IntegrityError:
        raise ValidationError({"person": [_("“%(name)s”已被推荐") % {"name": person.name}]}) from None
    audit_record(actor=actor, action="nomination_guardian", obj=nomination, unit_id=unit.pk,
                 changes={"campaign": campaign.pk, "person": person.pk, "citation": citation})
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination) -> None:
    """The nominating unit's director (or the bureau) takes back a nomination not yet decided."""
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not (is_bureau_staff(actor) or (is_director(actor) and is_member_of(actor, locked.unit_id))):
        raise PermissionDenied
    if locked.status != NominationStatus.NOMINATED:
        raise ValidationError(_("已评选的推荐不能撤回"))
    audit_record(actor=actor, action="nomination_withdraw", obj=locked, unit_id=locked.unit_id,
                 changes={"kind": locked.kind, "person": locked.person_id})
    locked.delete()


@transaction.atomic
def nomination_decide(*, actor, nomination: Nomination, selected: bool, note: str = "") -> Nomination:
    """The bureau's selection: a winner (当选) or not. A star's eligibility is checked again, since a
    certificate may have been revoked after the nomination."""
    require_bureau_staff(actor)
    locked = Nomination.objects.select_for_update().select_related("unit").get(pk=nomination.pk)
    if selected and locked.kind == AwardKind.STAR:
        eligibility = star_eligibility(enrolment=_enrolment(locked.campaign, locked.unit))
        if not eligibility.eligible:
            raise ValidationError(eligibility.reason, code="not_eligible")
    status = NominationStatus.SELECTED if selected else NominationStatus.NOT_SELECTED
    note = (note or "").strip()[:1000]
    if locked.status == status and locked.decision_note == note:
        return locked
    old = locked.status
    locked.status, locked.decision_note = status, note
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "decision_note", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, action="nomination_decide", obj=locked, unit_id=locked.unit_id,
                 changes={"status": (old, status)}, reason=note)
    return locked
