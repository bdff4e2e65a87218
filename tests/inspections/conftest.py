"""Fixtures of the inspections tests: the default rubric published, the 2026 campaign, enrolments, a
second inspector per district, and helpers that make state through the real services."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessment.models import Enrolment, Method, RubricItem, SelfAssessment
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH
from assessment.services.campaign import campaign_create, campaign_enrol_units
from assessment.services.rubric import rubric_import, rubric_publish
from assessment.services.self_assessment import (
    assessment_accept,
    assessment_submit,
    response_save,
    self_assessment_start,
)
from inspections.models import Finding, InspectionKind
from inspections.services.visits import checklist_record, inspection_complete, inspection_create
from tests.factories import UserFactory
from units.models import Role

YEAR = 2026


@pytest.fixture
def rubric(db):
    version = rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
    return rubric_publish(actor=None, rubric=version)


@pytest.fixture
def campaign(rubric):
    return campaign_create(actor=None, year=YEAR, rubric=rubric, is_current=True, objection_window_days=7)


def enrol(campaign, unit) -> Enrolment:
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit])
    return Enrolment.objects.select_related("unit", "campaign__rubric").get(campaign=campaign, unit=unit)


@pytest.fixture
def enrolment_a(campaign, unit_a):
    return enrol(campaign, unit_a)


@pytest.fixture
def enrolment_b(campaign, unit_b):
    return enrol(campaign, unit_b)


@pytest.fixture
def inspector_a2(district_a):
    return UserFactory(username="inspector_a2", role=Role.INSPECTOR, districts=[district_a])


@pytest.fixture
def inspector_a3(district_a):
    return UserFactory(username="inspector_a3", role=Role.INSPECTOR, districts=[district_a])


def item(campaign, code) -> RubricItem:
    return RubricItem.objects.get(rubric=campaign.rubric, code=code)


def accept_self_assessment(enrolment, *, director, inspector, scores=None) -> SelfAssessment:
    """Full marks on every self-scored item (or the given code → score for tiered items), submitted and
    accepted through the assessment services."""
    scores = scores or {}
    assessment = self_assessment_start(actor=director, enrolment=enrolment)
    for rubric_item in RubricItem.objects.filter(rubric=enrolment.campaign.rubric).order_by("order"):
        if rubric_item.method == Method.ONSITE:
            continue
        if rubric_item.code in scores:
            response_save(actor=director, assessment=assessment, item=rubric_item,
                          self_score=scores[rubric_item.code])
        elif rubric_item.deductions.exists():
            response_save(actor=director, assessment=assessment, item=rubric_item, full_marks=True)
        else:
            response_save(actor=director, assessment=assessment, item=rubric_item, self_score=rubric_item.points)
    assessment_submit(actor=director, assessment=assessment)
    assessment_accept(actor=inspector, assessment=assessment)
    enrolment.refresh_from_db()
    return assessment


@pytest.fixture
def accepted_a(enrolment_a, director_a, inspector_a):
    accept_self_assessment(enrolment_a, director=director_a, inspector=inspector_a)
    enrolment_a.refresh_from_db()
    return enrolment_a


def make_visit(enrolment, *, actor, inspectors=None, kind=InspectionKind.ROUTINE, day=None):
    return inspection_create(actor=actor, enrolment=enrolment, kind=kind,
                             scheduled_date=day or datetime.date(YEAR, 6, 10), inspectors=inspectors)


def make_findings(enrolment, *, actor, severities, codes=None) -> list[Finding]:
    """One completed visit with a finding per severity given (on distinct items), through the services."""
    visit = make_visit(enrolment, actor=actor)
    items = list(RubricItem.objects.filter(rubric=enrolment.campaign.rubric).order_by("order"))
    codes = codes or [i.code for i in items[: len(severities)]]
    by_code = {i.code: i for i in items}
    for code, severity in zip(codes, severities, strict=True):
        checklist_record(actor=actor, inspection=visit, item=by_code[code], result=severity,
                         note=f"{code}发现问题")
    inspection_complete(actor=actor, inspection=visit, summary="")
    return list(Finding.objects.filter(inspection=visit).order_by("item__order"))


def jpeg_bytes(*, exif=True, size=(64, 48)) -> bytes:
    """A small JPEG, optionally with EXIF DateTimeOriginal and GPS like a phone camera writes."""
    image = Image.new("RGB", size, (30, 120, 60))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x0110] = "TestPhone"
        exif_ifd = data.get_ifd(0x8769)
        exif_ifd[0x9003] = "2026:06:10 09:41:05"
        gps = data.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (30.0, 15.0, 36.0)
        gps[3] = "E"
        gps[4] = (120.0, 9.0, 18.0)
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def photo_upload(name="现场.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


