"""Certification: the publicity batch (公示) of passed units, naming when it closes (certificate number,
date, validity from settings), withdrawal during publicity and revocation (撤销称号) afterwards."""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Campaign, Enrolment, Stage
from assessment.workflow import enrolment_transition
from greenoffice.audit import audit_record
from inspections.evaluation.selectors.gate import IN_PROGRESS as GATE_IN_PROGRESS
from inspections.evaluation.selectors.gate import satisfaction_gate
from inspections.models import (
    Certificate,
    CertificateStatus,
    CityDecision,
    CityDecisionKind,
    Objection,
    ObjectionStatus,
    PublicityBatch,
    PublicityEntry,
)
from inspections.permissions import require_bureau_staff
from inspections.services.notifications import notification_send
from inspections.services.rectification import unit_directors


def certificate_number(year: int, sequence: int) -> str:
    return f"绿机证〔{year}〕第{sequence:03d}号"


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def publicity_candidates(campaign: Campaign):
    """Passed enrolments of the campaign not yet in a batch, with no objection pending, whose latest
    city decision (市级评审) is 同意命名: no publicity before the city's decision."""
    pending = Objection.objects.filter(status=ObjectionStatus.PENDING).values("review__enrolment_id")
    latest = CityDecision.objects.filter(enrolment=OuterRef("pk")).order_by("-decided_at", "-id")
    return (Enrolment.objects.filter(campaign=campaign, stage=Stage.PASSED, publicity_entry__isnull=True)
            .exclude(pk__in=pending)
            .annotate(city_decision=Subquery(latest.values("decision")[:1]))
            .filter(city_decision=CityDecisionKind.APPROVE)
            .select_related("unit").order_by("unit__code"))


@transaction.atomic
def publicity_open(*, actor, campaign: Campaign, title: str, start_date: datetime.date,
                   end_date: datetime.date, enrolment_ids=None) -> PublicityBatch:
    """Put the passed units (all of them, or those chosen) into a publicity batch."""
    require_bureau_staff(actor)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    errors = {}
    title = (title or "").strip() or _("%(year)s年度绿色机关创建达标单位公示") % {"year": campaign.year}
    if start_date is None or end_date is None:
        errors["start_date"] = [_("请填写公示起止日期")]
    elif end_date < start_date:
        errors["end_date"] = [_("公示结束日期不能早于开始日期")]
    candidates = list(publicity_candidates(campaign))
    if enrolment_ids is not None:
        wanted = {int(pk) for pk in enrolment_ids}
        chosen = [e for e in candidates if e.pk in wanted]
        if len(chosen) != len(wanted):
            errors.setdefault("enrolments", []).append(
                _("所选单位中有的不是“考核通过”、尚无市级评审“同意命名”结论或已在公示中"))
        candidates = chosen
    if not candidates:
        errors.setdefault("enrolments", []).append(_("没有可公示的单位(须考核通过并经市级评审同意命名)"))
    if errors:
        raise ValidationError(errors)
    batch = PublicityBatch.objects.create(campaign=campaign, title=title[:200], start_date=start_date,
                                          end_date=end_date, created_by=actor)
    PublicityEntry.objects.bulk_create([PublicityEntry(batch=batch, enrolment=e) for e in candidates])
    for enrolment in candidates:
        enrolment_transition(enrolment=enrolment, to_stage=Stage.PUBLICITY, actor=actor,
                             reason=_("列入公示:%(title)s") % {"title": batch.title})
    audit_record(actor=actor, action="publicity_open", obj=batch,
                 changes={"start_date": start_date, "end_date": end_date,
                          "enrolment_ids": [e.pk for e in candidates]})
    return batch


@transaction.atomic
def publicity_withdraw(*, actor, entry: PublicityEntry, reason: str) -> PublicityEntry:
    """A unit taken out of publicity (e.g. a substantiated complaint): it fails this year."""
    require_bureau_staff(actor)
    entry = PublicityEntry.objects.select_for_update().select_related("batch", "enrolment").get(pk=entry.pk)
    if entry.batch.is_closed:
        raise ValidationError(_("公示已结束,请使用撤销称号"))
    if entry.enrolment.stage != Stage.PUBLICITY:
        return entry
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写撤出公示的原因")]})
    entry.withdrawn_reason = reason
    entry.save(update_fields=["withdrawn_reason"])
    enrolment_transition(enrolment=entry.enrolment, to_stage=Stage.FAILED, actor=actor,
                         reason=_("撤出公示:%(reason)s") % {"reason": reason})
    audit_record(actor=actor, action="publicity_withdraw", obj=entry.batch, unit_id=entry.enrolment.unit_id,
                 reason=reason, changes={"enrolment": entry.enrolment_id})
    return entry


@transaction.atomic
def publicity_close(*, actor, batch: PublicityBatch, today=None) -> list[Certificate]:
    """After the publicity period, name the units still in it: a numbered certificate each, valid for
    GREENOFFICE_CERTIFICATE_VALID_YEARS years, and the enrolment becomes certified."""
    require_bureau_staff(actor)
    today = today or timezone.localdate()
    locked = PublicityBatch.objects.select_for_update().select_related("campaign").get(pk=batch.pk)
    if locked.is_closed:
        return list(locked.certificates.all())
    if today <= locked.end_date:
        raise ValidationError(_("公示期至%(end)s结束,结束后才能命名") % {"end": locked.end_date.isoformat()})
    year = locked.campaign.year
    Campaign.objects.select_for_update().filter(pk=locked.campaign_id).first()
    sequence = Certificate.objects.filter(year=year).aggregate(m=Max("sequence"))["m"] or 0
    valid_until = add_years(today, settings.GREENOFFICE_CERTIFICATE_VALID_YEARS)
    certificates = []
    entries = locked.entries.select_related("enrolment__unit").filter(enrolment__stage=Stage.PUBLICITY)
    # The public evaluation's satisfaction gate (inspections.evaluation): naming waits for a round
    # still open, and a unit that did not meet it is not named (it fails, with the gate's reason).
    gated = [(entry, satisfaction_gate(enrolment=entry.enrolment))
             for entry in entries.order_by("enrolment__unit__code")]
    waiting = [entry.enrolment.unit.name for entry, gate in gated if gate.status == GATE_IN_PROGRESS]
    if waiting:
        raise ValidationError(_("公开评议尚未结束(%(units)s),请先结束公开评议再命名") % {"units": "、".join(waiting)})
    for entry, gate in gated:
        enrolment = entry.enrolment
        if gate.blocks_naming:
            entry.withdrawn_reason = gate.reason
            entry.save(update_fields=["withdrawn_reason"])
            enrolment_transition(enrolment=enrolment, to_stage=Stage.FAILED, actor=actor,
                                 reason=_("未予命名:%(reason)s") % {"reason": gate.reason})
            audit_record(actor=actor, action="publicity_gate_refused", obj=locked, unit_id=enrolment.unit_id,
                         changes={"enrolment": enrolment.pk, "rate": gate.rate, "answers": gate.answers,
                                  "threshold": gate.threshold}, reason=gate.reason)
            notification_send(users=unit_directors(enrolment.unit_id), kind="not_named",
                              title=_("贵单位本年度未予命名"), body=gate.reason)
            continue
        sequence += 1
        certificate = Certificate.objects.create(
            enrolment=enrolment, unit=enrolment.unit, batch=locked, year=year, sequence=sequence,
            number=certificate_number(year, sequence), issued_on=today, valid_until=valid_until, issued_by=actor,
        )
        enrolment_transition(enrolment=enrolment, to_stage=Stage.CERTIFIED, actor=actor,
                             reason=_("命名,证书编号%(number)s") % {"number": certificate.number})
        audit_record(actor=actor, action="certificate_issue", obj=certificate, unit_id=enrolment.unit_id,
                     changes={"number": certificate.number, "valid_until": valid_until})
        notification_send(
            users=unit_directors(enrolment.unit_id), kind="certified",
            title=_("贵单位已被命名为绿色机关"),
            body=_("证书编号%(number)s,有效期至%(until)s。") % {"number": certificate.number,
                                                                   "until": valid_until.isoformat()},
            link=reverse("inspections:public_certified"),
        )
        certificates.append(certificate)
    locked.is_closed = True
    locked.closed_by = actor
    locked.closed_at = timezone.now()
    locked.save(update_fields=["is_closed", "closed_by", "closed_at", "updated_at"])
    audit_record(actor=actor, action="publicity_close", obj=locked,
                 changes={"certificates": [c.number for c in certificates]})
    return certificates


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """撤销称号: the certificate is marked revoked (never deleted) and the enrolment moves to revoked."""
    require_bureau_staff(actor)
    locked = Certificate.objects.select_for_update().select_related("enrolment").get(pk=certificate.pk)
    if locked.status == CertificateStatus.REVOKED:
        return locked
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写撤销原因")]})
    locked.status = CertificateStatus.REVOKED
    locked.revoked_at, locked.revoked_by, locked.revoke_reason = timezone.now(), actor, reason
    locked.save()
    enrolment_transition(enrolment=locked.enrolment, to_stage=Stage.REVOKED, actor=actor,
                         reason=_("撤销称号:%(reason)s") % {"reason": reason})
    audit_record(actor=actor, action="certificate_revoke", obj=locked, unit_id=locked.unit_id,
                 changes={"status": (CertificateStatus.VALID, CertificateStatus.REVOKED)}, reason=reason)
    notification_send(users=unit_directors(locked.unit_id), kind="certificate_revoked",
                      title=_("绿色机关称号已撤销:%(number)s") % {"number": locked.number}, body=reason)
    return locked
