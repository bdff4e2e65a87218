"""Scored sample units for the report tests, the benchmark and the look of a real report.

Everything goes through the services a real year goes through (self-assessment, submit, accept, a
visit with findings, an order, the year-end review), so a sample report shows what production data
would. Idempotent per unit: a unit whose review is already finalised is left alone."""
import datetime
import io
import random
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment.models import AssessmentStatus, Enrolment, Method, RubricItem, Stage
from assessment.services.self_assessment import (
    assessment_accept,
    assessment_submit,
    response_save,
    self_assessment_start,
)
from inspections.models import (
    ChecklistResult,
    Finding,
    InspectionKind,
    ReviewStatus,
    VerificationDecision,
    YearEndReview,
)
from inspections.services.rectification import order_issue
from inspections.services.visits import checklist_record, inspection_complete, inspection_create
from inspections.services.year_end import item_verify, review_finalise, review_start
from units.models import Role, User
from units.services import membership_add

EXPLANATIONS = (
    "已按要求落实,相关文件和记录已归档。",
    "本年度已完成相关工作,台账资料齐全。",
    "部分资料仍在整理中,已明确责任人限期补齐。",
)
FINDING_NOTES = (
    "会议室无人时空调仍在运行,未做到人走机关。",
    "卫生间水龙头存在长流水现象。",
    "垃圾分类投放点标识不清,其他垃圾桶内混有可回收物。",
    "办公区走廊灯具白天全部开启。",
)


@dataclass
class SampleActors:
    director: User
    inspector: User
    reviewer: User


def _user(username: str, full_name: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        # No usable password: sample accounts can't log in.
        user = User(username=username, full_name=full_name, role=role)
        user.set_unusable_password()
        user.save()
    return user


def sample_actors() -> SampleActors:
    return SampleActors(
        director=_user("sample_report_director", "示例主任", Role.DIRECTOR),
        inspector=_user("sample_report_inspector", "王督查", Role.INSPECTOR),
        reviewer=_user("sample_report_reviewer", "李考核", Role.INSPECTOR),
    )


def _png(seed: int) -> SimpleUploadedFile:
    from PIL import Image

    image = Image.new("RGB", (64, 48), ((seed * 37) % 256, (seed * 91) % 256, 120))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"现场照片{seed}.png", buffer.getvalue(), content_type="image/png")


def _self_answer(item: RubricItem, rng: random.Random) -> dict:
    deductions = list(item.deductions.all())
    if not deductions:
        # Tiered items (2.1): a direct score from the top tiers.
        top = item.points
        return {"self_score": str(max(top - rng.choice((0, 0, 1, 3)), 0))}
    if rng.random() < 0.7:
        return {"full_marks": True}
    return {"deduction_ids": [rng.choice(deductions).pk]}


def build_scored_unit(*, enrolment: Enrolment, actors: SampleActors, rng: random.Random,
                      finalise: bool = True, findings: int = 2, evidence_items: int = 3) -> Enrolment:
    """Take one enrolled unit through a whole year. `finalise=False` stops after the visit (the
    report then says the year-end review is not done)."""
    review = YearEndReview.objects.filter(enrolment=enrolment).first()
    if review is not None and review.status == ReviewStatus.FINALISED:
        return enrolment
    membership_add(actor=None, user=actors.director, unit=enrolment.unit, position="办公室主任(创建联络员)")
    rubric = enrolment.campaign.rubric
    items = list(RubricItem.objects.filter(rubric=rubric).order_by("order").prefetch_related("deductions"))

    assessment = self_assessment_start(actor=actors.director, enrolment=enrolment)
    if assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED):
        with_files = {item.pk for item in rng.sample([i for i in items if i.method != Method.ONSITE],
                                                     k=evidence_items)}
        for n, item in enumerate(items):
            if item.method == Method.ONSITE:
                continue
            files = [_png(n)] if item.pk in with_files else []
            response_save(actor=actors.director, assessment=assessment, item=item,
                          explanation=rng.choice(EXPLANATIONS), uploaded_files=files, **_self_answer(item, rng))
        assessment_submit(actor=actors.director, assessment=assessment)
    enrolment.refresh_from_db()
    if enrolment.stage in (Stage.SUBMITTED, Stage.RESUBMITTED):
        assessment_accept(actor=actors.inspector, assessment=assessment, comment="材料齐全,同意")
        enrolment.refresh_from_db()

    if findings and not Finding.objects.filter(enrolment=enrolment).exists():
        year = enrolment.campaign.year
        today = timezone.localdate()
        visit_day = min(today, datetime.date(year, 12, 31)) if today.year == year else datetime.date(year, 6, 15)
        visit = inspection_create(actor=actors.inspector, enrolment=enrolment, kind=InspectionKind.ROUTINE,
                                  scheduled_date=visit_day, inspectors=[actors.inspector])
        checked = rng.sample(items, k=min(len(items), findings + 3))
        for n, item in enumerate(checked):
            result = (ChecklistResult.SERIOUS if n == 0 and rng.random() < 0.3 else ChecklistResult.MINOR) \
                if n < findings else ChecklistResult.COMPLIANT
            note = rng.choice(FINDING_NOTES) if result != ChecklistResult.COMPLIANT else ""
            checklist_record(actor=actors.inspector, inspection=visit, item=item, result=result, note=note)
        inspection_complete(actor=actors.inspector, inspection=visit, summary="例行督查")
        first = Finding.objects.filter(enrolment=enrolment).order_by("id").first()
        if first is not None:
            order_issue(actor=actors.inspector, finding=first, required_action="立即整改并上传整改照片",
                        deadline=timezone.localdate() + datetime.timedelta(days=15))

    if not finalise:
        return enrolment
    review = review_start(actor=actors.reviewer, enrolment=enrolment)
    for item in items:
        deductions = list(item.deductions.all())
        if item.method == Method.ONSITE:
            chosen = [deductions[0].pk] if deductions and rng.random() < 0.4 else []
            item_verify(actor=actors.reviewer, review=review, item=item, decision=VerificationDecision.OVERRIDE,
                        deduction_ids=chosen)
        elif deductions and rng.random() < 0.15:
            item_verify(actor=actors.reviewer, review=review, item=item, decision=VerificationDecision.OVERRIDE,
                        deduction_ids=[deductions[-1].pk], reason="现场核查发现台账不全,按细则扣分")
        else:
            item_verify(actor=actors.reviewer, review=review, item=item, decision=VerificationDecision.ACCEPT)
    review_finalise(actor=actors.reviewer, review=review)
    enrolment.refresh_from_db()
    return enrolment
