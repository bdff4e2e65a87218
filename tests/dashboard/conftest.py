"""A small city for the dashboard tests, with every number hand-computable.

The rubric, campaigns and enrolments are made through the assessment services and every stage is reached
through `enrolment_transition`. Year-end results, visits, findings, orders and certificates are stored
rows as their services would leave them (the dashboard only reads stored state, and reaching them through
the full self-assessment → review → finalise workflow would drown the numbers under test).

District A (甲区): unit_a certified, a2 passed, a3 rectifying, a7 reviewed (≥ pass mark), a4 submitted,
a5 not started, a6 not enrolled (holds last year's valid certificate).
District B (乙区): unit_b certified, b2 failed, b3 returned; b9 inactive. Every B unit's name starts with
乙区, so "乙区" absent from a page means no B data leaked onto it.
"The day" of the selector tests is 2026-06-15 (`AS_OF`)."""
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment.models import Enrolment, ItemResponse, RubricItem, SelfAssessment, Stage
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH
from assessment.services.campaign import campaign_create, campaign_enrol_units
from assessment.services.rubric import rubric_import, rubric_publish
from assessment.workflow import enrolment_transition
from greenoffice.dashboard.scope import DashboardScope
from inspections.models import (
    Certificate,
    CertificateStatus,
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    ItemVerification,
    OrderStatus,
    RectificationOrder,
    ReviewOutcome,
    ReviewStatus,
    VerificationDecision,
    YearEndReview,
)
from tests.factories import UnitFactory

YEAR = 2026
AS_OF = datetime.date(YEAR, 6, 15)

# The path from "not started" to each stage, through the allowed transitions.
PATHS = {
    Stage.NOT_STARTED: [],
    Stage.SUBMITTED: [Stage.SUBMITTED],
    Stage.RETURNED: [Stage.SUBMITTED, Stage.RETURNED],
    Stage.REVIEWED: [Stage.SUBMITTED, Stage.ACCEPTED, Stage.REVIEWED],
    Stage.RECTIFYING: [Stage.SUBMITTED, Stage.ACCEPTED, Stage.REVIEWED, Stage.RECTIFYING],
    Stage.FAILED: [Stage.SUBMITTED, Stage.ACCEPTED, Stage.REVIEWED, Stage.FAILED],
    Stage.PASSED: [Stage.SUBMITTED, Stage.ACCEPTED, Stage.REVIEWED, Stage.PASSED],
    Stage.CERTIFIED: [Stage.SUBMITTED, Stage.ACCEPTED, Stage.REVIEWED, Stage.PASSED, Stage.PUBLICITY,
                      Stage.CERTIFIED],
}

# unit key -> (self_total, verified_total, supervision deduction, bonus, final, grade, certified, outcome)
REVIEWS = {
    "unit_a": ("95", "92", "0", "0", "92", "优秀", True, ReviewOutcome.PASSED),
    "a2": ("90", "86", "1", "0", "85", "合格", True, ReviewOutcome.PASSED),
    "a3": ("80", "75", "0", "0", "75", "限期整改", False, ReviewOutcome.RECTIFYING),
    "a7": ("84", "82", "0", "0", "82", "合格", True, ReviewOutcome.PASSED),
    "unit_b": ("88", "88", "0", "2", "90", "合格", True, ReviewOutcome.PASSED),
    "b2": ("70", "62", "0", "0", "62", "不合格", False, ReviewOutcome.FAILED),
}
# unit key -> {item code: (self score, verified score)}
ITEM_SCORES = {
    "unit_a": {"1.1": (3, 3), "2.1": (8, 8)},
    "a2": {"1.1": (3, 2), "2.1": (8, 7)},
    "a3": {"1.1": (3, 1), "2.1": (8, 6)},
    "a7": {"1.1": (3, 3), "2.1": (8, 8)},
    "unit_b": {"1.1": (3, 3), "2.1": (8, 8)},
    "b2": {"1.1": (2, 0), "2.1": (8, 5)},
}


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args), timezone.get_current_timezone())


def move_to(enrolment, stage):
    for step in PATHS[stage]:
        enrolment_transition(enrolment=enrolment, to_stage=step, actor=None)


def store_review(enrolment, values, items: dict, rubric_items: dict):
    self_total, verified, deduction, bonus, final, grade, certified, outcome = values
    pass_score = Decimal(verified) - Decimal(deduction)
    review = YearEndReview.objects.create(
        enrolment=enrolment, status=ReviewStatus.FINALISED, self_total=Decimal(self_total),
        verified_total=Decimal(verified), supervision_deduction=Decimal(deduction), pass_score=pass_score,
        bonus=Decimal(bonus), final_score=Decimal(final), gap=Decimal(self_total) - Decimal(verified),
        grade=grade, certified=certified, outcome=outcome, finalised_at=local(YEAR, 6, 1, 10),
    )
    assessment = SelfAssessment.objects.create(enrolment=enrolment, status="accepted", round=1,
                                               self_total=Decimal(self_total))
    for code, (self_score, verified_score) in items.items():
        item = rubric_items[code]
        ItemResponse.objects.create(assessment=assessment, item=item, answered=True, self_score=self_score)
        ItemVerification.objects.create(
            review=review, item=item, verified_score=verified_score,
            decision=VerificationDecision.ACCEPT if self_score == verified_score else VerificationDecision.OVERRIDE,
            reason="" if self_score == verified_score else "现场核查不符",
        )
    return review


def make_inspection(enrolment, kind, scheduled, status=InspectionStatus.COMPLETED, completed_at=None):
    return Inspection.objects.create(
        kind=kind, campaign=enrolment.campaign, enrolment=enrolment, unit=enrolment.unit, scheduled_date=scheduled,
        status=status, completed_at=completed_at,
    )


_sequence = iter(range(1, 10_000))


def make_finding_and_order(inspection, item, severity, *, rectified_at=None, deadline, status, closed_at=None):
    finding = Finding.objects.create(
        inspection=inspection, campaign=inspection.campaign, enrolment=inspection.enrolment, unit=inspection.unit,
        item=item, severity=severity, description="发现问题", rectified_at=rectified_at,
    )
    number = next(_sequence)
    order = RectificationOrder.objects.create(
        finding=finding, campaign=inspection.campaign, unit=inspection.unit, year=YEAR, sequence=number,
        number=f"ZG-{YEAR}-{number:04d}", required_action="限期整改", deadline=deadline, status=status,
        closed_at=closed_at, issued_at=local(YEAR, 5, 1, 9),
    )
    return finding, order


def certify(enrolment, *, year, sequence, issued_on, valid_until, status=CertificateStatus.VALID):
    return Certificate.objects.create(
        enrolment=enrolment, unit=enrolment.unit, year=year, sequence=sequence,
        number=f"LSJG-{year}-{sequence:04d}", issued_on=issued_on, valid_until=valid_until, status=status,
    )


@pytest.fixture
def rubric(db):
    version = rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
    return rubric_publish(actor=None, rubric=version)


@pytest.fixture
def campaign(rubric):
    return campaign_create(actor=None, year=YEAR, rubric=rubric, is_current=True, target_certified_count=5,
                           target_share=Decimal("80"), target_year=2028)


@pytest.fixture
def last_campaign(rubric, campaign):
    return campaign_create(actor=None, year=YEAR - 1, rubric=rubric, is_current=False, target_certified_count=3)


@pytest.fixture
def city(campaign, last_campaign, rubric, district_a, district_b, unit_a, unit_b):
    """The small city described in the module docstring; returns its units and key records by name."""
    units = {"unit_a": unit_a, "unit_b": unit_b}
    for key, name in (("a2", "甲区财政局"), ("a3", "甲区教育局"), ("a4", "甲区卫健委"), ("a5", "甲区司法局"),
                      ("a6", "甲区民政局"), ("a7", "甲区人社局")):
        units[key] = UnitFactory(district=district_a, name=name)
    for key, name in (("b2", "乙区教育局"), ("b3", "乙区卫健委")):
        units[key] = UnitFactory(district=district_b, name=name)
    units["b9"] = UnitFactory(district=district_b, name="乙区已撤并单位", is_active=False)

    stages = {"unit_a": Stage.CERTIFIED, "a2": Stage.PASSED, "a3": Stage.RECTIFYING, "a7": Stage.REVIEWED,
              "a4": Stage.SUBMITTED, "a5": Stage.NOT_STARTED, "unit_b": Stage.CERTIFIED, "b2": Stage.FAILED,
              "b3": Stage.RETURNED}
    campaign_enrol_units(actor=None, campaign=campaign, units=[units[k] for k in stages])
    enrolments = {e.unit_id: e for e in Enrolment.objects.filter(campaign=campaign).select_related("unit")}
    enrolments = {key: enrolments[units[key].pk] for key in stages}
    for key, stage in stages.items():
        move_to(enrolments[key], stage)

    items = {item.code: item for item in RubricItem.objects.filter(rubric=rubric)}
    for key, values in REVIEWS.items():
        store_review(enrolments[key], values, ITEM_SCORES[key], items)

    # Certificates: two this year, a6's valid one from last year, b2's revoked, a5's expired.
    certify(enrolments["unit_a"], year=YEAR, sequence=1, issued_on=datetime.date(YEAR, 6, 1),
            valid_until=datetime.date(YEAR + 3, 5, 31))
    certify(enrolments["unit_b"], year=YEAR, sequence=2, issued_on=datetime.date(YEAR, 6, 1),
            valid_until=datetime.date(YEAR + 3, 5, 31))
    campaign_enrol_units(actor=None, campaign=last_campaign, units=[units["a6"], units["b2"], units["a5"]])
    old = {e.unit_id: e for e in Enrolment.objects.filter(campaign=last_campaign)}
    certify(old[units["a6"].pk], year=YEAR - 1, sequence=1, issued_on=datetime.date(YEAR - 1, 12, 20),
            valid_until=datetime.date(YEAR + 2, 12, 19))
    certify(old[units["b2"].pk], year=YEAR - 1, sequence=2, issued_on=datetime.date(YEAR - 1, 12, 20),
            valid_until=datetime.date(YEAR + 2, 12, 19), status=CertificateStatus.REVOKED)
    certify(old[units["a5"].pk], year=YEAR - 4, sequence=1, issued_on=datetime.date(YEAR - 4, 12, 1),
            valid_until=datetime.date(YEAR - 1, 11, 30))

    # Visits (June is "this month" on AS_OF).
    spot, unannounced = InspectionKind.SPOT_CHECK, InspectionKind.UNANNOUNCED
    i1 = make_inspection(enrolments["unit_a"], spot, datetime.date(YEAR, 6, 10), completed_at=local(YEAR, 6, 10, 11))
    make_inspection(enrolments["a2"], spot, datetime.date(YEAR, 6, 20), status=InspectionStatus.PLANNED)
    make_inspection(enrolments["b2"], spot, datetime.date(YEAR, 6, 5), status=InspectionStatus.CANCELLED)
    i4 = make_inspection(enrolments["unit_b"], unannounced, datetime.date(YEAR, 6, 3),
                         completed_at=local(YEAR, 6, 3, 15))
    i5 = make_inspection(enrolments["a3"], spot, datetime.date(YEAR, 5, 20), completed_at=local(YEAR, 5, 20, 10))
    make_inspection(enrolments["a3"], InspectionKind.ROUTINE, datetime.date(YEAR, 4, 2),
                    completed_at=local(YEAR, 4, 2, 10))
    make_inspection(enrolments["a7"], InspectionKind.YEAR_END, datetime.date(YEAR, 6, 12),
                    completed_at=local(YEAR, 6, 12, 10))
    i8 = make_inspection(enrolments["a4"], spot, datetime.date(YEAR, 6, 14), completed_at=local(YEAR, 6, 14, 9))

    # Findings and their orders. O1 closed on its deadline day, O4 30 minutes into the day after (late in
    # local time although still the deadline day in UTC).
    orders = {}
    _f, orders["O1"] = make_finding_and_order(
        i1, items["1.1"], "minor", rectified_at=local(YEAR, 6, 5, 23, 30), deadline=datetime.date(YEAR, 6, 5),
        status=OrderStatus.CLOSED, closed_at=local(YEAR, 6, 5, 23, 30))
    _f, orders["O2"] = make_finding_and_order(
        i1, items["2.1"], "serious", deadline=datetime.date(YEAR, 6, 1), status=OrderStatus.ISSUED)
    _f, orders["O3"] = make_finding_and_order(
        i5, items["2.1"], "minor", deadline=datetime.date(YEAR, 6, 30), status=OrderStatus.ACKNOWLEDGED)
    _f, orders["O4"] = make_finding_and_order(
        i5, items["2.1"], "minor", rectified_at=local(YEAR, 5, 11, 0, 30), deadline=datetime.date(YEAR, 5, 10),
        status=OrderStatus.CLOSED, closed_at=local(YEAR, 5, 11, 0, 30))
    _f, orders["O5"] = make_finding_and_order(
        i4, items["1.1"], "serious", deadline=datetime.date(YEAR, 5, 31), status=OrderStatus.PROOF_SUBMITTED)
    _f, orders["O6"] = make_finding_and_order(
        i8, items["3.1"], "minor", deadline=AS_OF, status=OrderStatus.ISSUED)
    return {"units": units, "enrolments": enrolments, "orders": orders, "items": items}


@pytest.fixture
def scope_for(campaign):
    def make(user, **filters):
        return DashboardScope(user=user, campaign=campaign, today=AS_OF, **filters)
    return make
