"""generate_scale_data: the shapes the services would have written, on a small province."""
import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from assessment.models import (
    AssessmentStatus,
    Campaign,
    Enrolment,
    Evidence,
    ItemResponse,
    Method,
    RubricItem,
    SelfAssessment,
    Stage,
    StageTransition,
    SubmissionRound,
)
from assessment.workflow import can_transition
from inspections.models import (
    Certificate,
    ChecklistEntry,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    ItemVerification,
    OrderStatus,
    RectificationOrder,
    ReviewStatus,
    SpotCheckRound,
    YearEndReview,
)
from units.models import District, Membership, Person, Role, Unit, User

ACCEPTED_OR_LATER = {Stage.ACCEPTED, Stage.REVIEWED, Stage.RECTIFYING, Stage.PASSED, Stage.PUBLICITY,
                     Stage.CERTIFIED, Stage.FAILED, Stage.REVOKED}


def test_generate_scale_data_creates_units_people_and_users(scale_data):
    assert Unit.objects.count() == 30
    assert District.objects.count() == 2
    assert Person.objects.count() == 90
    # Every unit has its director; inspectors and leaders are city-wide and per district.
    assert Membership.objects.filter(user__role=Role.DIRECTOR).values("unit").distinct().count() == 30
    assert User.objects.filter(role=Role.INSPECTOR, districts__isnull=True).exists()
    assert User.objects.filter(role=Role.INSPECTOR, districts__isnull=False).count() == 4
    assert User.objects.filter(role=Role.LEADER, districts__isnull=False).count() == 2


def test_generate_scale_data_enrols_every_unit_with_a_consistent_stage(scale_data):
    campaign = Campaign.objects.get()
    assert campaign.year == 2026 and campaign.is_current
    assert Enrolment.objects.filter(campaign=campaign).count() == 30
    for enrolment in Enrolment.objects.all():
        moves = list(StageTransition.objects.filter(enrolment=enrolment).order_by("at", "id"))
        # The stored stage is where the transitions lead, each one allowed by the stage machine.
        stage = Stage.NOT_STARTED
        for move in moves:
            assert move.from_stage == stage
            assert can_transition(move.from_stage, move.to_stage), (move.from_stage, move.to_stage)
            stage = move.to_stage
        assert enrolment.stage == stage
        if enrolment.stage in ACCEPTED_OR_LATER:
            assert enrolment.self_assessment.status == AssessmentStatus.ACCEPTED
        if enrolment.stage in (Stage.SUBMITTED, Stage.RESUBMITTED):
            assert enrolment.self_assessment.status == AssessmentStatus.SUBMITTED


def test_generate_scale_data_answers_every_self_scored_item_with_evidence(scale_data):
    self_scored = RubricItem.objects.exclude(method=Method.ONSITE).count()
    assert RubricItem.objects.count() == 27
    submitted = SelfAssessment.objects.exclude(status=AssessmentStatus.DRAFT)
    assert submitted.exists()
    for assessment in submitted.annotate(n=Count("responses")):
        assert assessment.n == self_scored
        answered = ItemResponse.objects.filter(assessment=assessment)
        assert assessment.self_total == sum(r.self_score for r in answered)
        assert SubmissionRound.objects.filter(assessment=assessment).count() == assessment.round
        snapshot = SubmissionRound.objects.filter(assessment=assessment).first().snapshot
        assert len(snapshot["items"]) == 27
    assert Evidence.objects.filter(response__assessment__in=submitted).count() >= submitted.count() * 15


def test_generate_scale_data_makes_monthly_spot_checks_with_findings_and_orders(scale_data):
    # January to November of 2026: one round a month, ~10% of the units each.
    assert SpotCheckRound.objects.count() == 11
    assert set(Inspection.objects.values_list("kind", flat=True)) == {InspectionKind.SPOT_CHECK}
    assert Inspection.objects.count() == 11 * 3
    assert InspectionAssignment.objects.count() == 2 * Inspection.objects.count()
    completed = Inspection.objects.filter(status="completed")
    assert ChecklistEntry.objects.count() == 8 * completed.count()
    findings = Finding.objects.count()
    assert 1.0 <= findings / completed.count() <= 3.0
    for order in RectificationOrder.objects.select_related("finding"):
        assert order.finding.unit_id == order.unit_id
        assert (order.status == OrderStatus.CLOSED) == (order.finding.rectified_at is not None)


def test_generate_scale_data_finalises_year_end_reviews_with_27_verifications(scale_data):
    reviews = YearEndReview.objects.filter(status=ReviewStatus.FINALISED)
    assert reviews.exists()
    for review in reviews.annotate(n=Count("verifications")):
        assert review.n == 27
        total = sum(v.verified_score for v in ItemVerification.objects.filter(review=review))
        assert review.verified_total == total
        assert review.pass_score == max(total - review.supervision_deduction, 0)
        assert review.grade and review.provenance
    # Nothing is named before the publicity period (December) of the current year.
    assert not Certificate.objects.exists()


def test_generate_scale_data_names_certified_units_of_past_years(db, tmp_path):
    call_command("generate_scale_data", units=30, years=2, seed=3, as_of="2026-11-27",
                 stdout=open(tmp_path / "gen.log", "w"))
    certified = Enrolment.objects.filter(campaign__year=2025, stage__in=(Stage.CERTIFIED, Stage.REVOKED))
    assert certified.exists()
    assert Certificate.objects.filter(enrolment__in=certified).count() == certified.count()
    assert all(c.valid_until == c.issued_on.replace(year=c.issued_on.year + 3) for c in Certificate.objects.all())
    assert Certificate.objects.filter(issued_on=datetime.date(2025, 12, 22)).exists()


def test_generate_scale_data_refuses_a_database_with_data_unless_forced(scale_data):
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_scale_data", units=5, years=1, stdout=open(scale_data / "again.log", "w"))
    assert Unit.objects.count() == 30
    call_command("generate_scale_data", units=5, years=1, as_of="2026-06-30", force=True,
                 stdout=open(scale_data / "forced.log", "w"))
    assert Unit.objects.count() == 5
    assert Enrolment.objects.count() == 5
    assert User.objects.filter(role=Role.DIRECTOR).count() == 5
