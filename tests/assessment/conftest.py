"""Fixtures of the assessment tests: the shipped 27-item rubric stored as a published version (built
directly with the ORM, so these tests don't depend on the rubric import service), a current campaign,
and enrolments of unit_a and unit_b. Workflow state is then made through the services."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from assessment.models import (
    Campaign,
    Enrolment,
    Method,
    RubricBlock,
    RubricDeduction,
    RubricItem,
    RubricStatus,
    RubricVersion,
)
from assessment.rubric_schema import load_default_rubric
from assessment.services.self_assessment import response_save, self_assessment_start
from tests.factories import PersonFactory


def build_rubric(spec=None) -> RubricVersion:
    spec = spec or load_default_rubric()
    rubric = RubricVersion.objects.create(
        code=spec.code, version=spec.version, title=spec.title, title_en=spec.title_en,
        status=RubricStatus.PUBLISHED, published_at=timezone.now(),
        total_points=spec.total_points, pass_mark=spec.pass_mark,
        grade_bands=[{"min": str(b.min), "grade": b.grade, "grade_en": b.grade_en, "certified": b.certified}
                     for b in spec.grade_bands],
        minor_deduction=spec.supervision.minor, serious_deduction=spec.supervision.serious,
        deduction_cap=spec.supervision.cap, vetoes=list(spec.vetoes),
        bonus_title=spec.bonus.title, bonus_max=spec.bonus.max_points,
    )
    order = 0
    for block_order, block_spec in enumerate(spec.blocks):
        block = RubricBlock.objects.create(
            rubric=rubric, code=block_spec.code, title=block_spec.title, title_en=block_spec.title_en,
            points=block_spec.points, order=block_order,
        )
        for item_spec in block_spec.items:
            order += 1
            item = RubricItem.objects.create(
                rubric=rubric, block=block, code=item_spec.code, title=item_spec.title,
                title_en=item_spec.title_en, points=item_spec.points, method=item_spec.method,
                evidence=list(item_spec.evidence), must_pass=item_spec.must_pass,
                scoring_note=item_spec.scoring, order=order,
            )
            RubricDeduction.objects.bulk_create(
                RubricDeduction(item=item, points=d.points, text=d.text, order=i)
                for i, d in enumerate(item_spec.deductions)
            )
    return rubric


@pytest.fixture
def rubric(db):
    return build_rubric()


@pytest.fixture
def campaign(rubric):
    return Campaign.objects.create(year=2026, name="2026年度绿色机关创建", rubric=rubric, is_current=True,
                                   target_certified_count=50)


@pytest.fixture
def enrolment_a(campaign, unit_a):
    return Enrolment.objects.create(campaign=campaign, unit=unit_a)


@pytest.fixture
def enrolment_b(campaign, unit_b):
    return Enrolment.objects.create(campaign=campaign, unit=unit_b)


@pytest.fixture
def person_a(unit_a):
    return PersonFactory(unit=unit_a, name="张三", position="办公室")


@pytest.fixture
def person_b(unit_b):
    return PersonFactory(unit=unit_b, name="李四", position="办公室")


@pytest.fixture
def items(rubric):
    """code → RubricItem with deductions prefetched."""
    return {item.code: item for item in RubricItem.objects.filter(rubric=rubric).prefetch_related("deductions")}


@pytest.fixture
def assessment_a(enrolment_a, director_a):
    return self_assessment_start(actor=director_a, enrolment=enrolment_a)


@pytest.fixture
def assessment_b(enrolment_b, director_b):
    return self_assessment_start(actor=director_b, enrolment=enrolment_b)


def answer_all(assessment, director, items, *, skip=()):
    """Answer every self-scored item with full marks (except the codes in `skip`)."""
    for code, item in items.items():
        if item.method == Method.ONSITE or code in skip:
            continue
        response_save(actor=director, assessment=assessment, item=item, full_marks=True)


@pytest.fixture
def answered_a(assessment_a, director_a, items):
    answer_all(assessment_a, director_a, items)
    assessment_a.refresh_from_db()
    return assessment_a


@pytest.fixture
def answered_b(assessment_b, director_b, items):
    answer_all(assessment_b, director_b, items)
    assessment_b.refresh_from_db()
    return assessment_b


def png_bytes(size=(8, 8), color=(0, 128, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_file(name="方案.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_file(name="照片.png", **kwargs):
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")
