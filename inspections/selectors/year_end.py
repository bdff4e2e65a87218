"""Reads of year-end reviews and the scoring of one: the inputs for assessment.scoring built from rows.

`review_score` is what the review page shows while inspectors work; the finalising service stores its
numbers on YearEndReview, and dashboards and reports read those stored numbers."""
import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from assessment import scoring
from assessment.ledger.selectors import ledger_suggestion_data
from assessment.models import BonusItem, Enrolment, Evidence, ItemResponse, RubricItem, Stage
from assessment.selectors.rubric import rubric_scoring_rules
from assessment.selectors.self_assessment import deduction_counts
from assessment.suggestions import SuggestionData
from inspections.models import (
    Finding,
    ItemVerification,
    Objection,
    ObjectionStatus,
    ReviewOutcome,
    ReviewStatus,
    VerificationDecision,
    YearEndReview,
)
from inspections.permissions import can_read_supervision, is_director
from units.selectors import unit_scope_q

# Enrolments an inspector may open a year-end review for, and those that already had one.
REVIEWABLE_STAGES = (Stage.ACCEPTED,)
REVIEWED_STAGES = (Stage.REVIEWED, Stage.RECTIFYING, Stage.PASSED, Stage.FAILED, Stage.PUBLICITY,
                   Stage.CERTIFIED, Stage.REVOKED)


def review_list_for_user(*, user) -> QuerySet[YearEndReview]:
    """Reviews in the user's scope. Directors see their own units' reviews once a result exists."""
    qs = YearEndReview.objects.filter(unit_scope_q(user, "enrolment__unit__")).select_related(
        "enrolment__unit__district", "enrolment__campaign", "finalised_by"
    )
    if is_director(user):
        return qs.filter(finalised_at__isnull=False).distinct()
    if not can_read_supervision(user):
        return qs.none()
    return qs.distinct()


def review_get_for_user(*, user, pk) -> YearEndReview:
    try:
        return review_list_for_user(user=user).select_related("enrolment__campaign__rubric").get(pk=pk)
    except (YearEndReview.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def review_enrolment_list_for_user(*, user, campaign) -> QuerySet[Enrolment]:
    """The campaign's enrolments at or past the accepted stage, with their review (if any) attached."""
    if not can_read_supervision(user) or campaign is None:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(unit_scope_q(user, "unit__"), campaign=campaign,
                                 stage__in=REVIEWABLE_STAGES + REVIEWED_STAGES)
        .select_related("unit__district", "year_end_review", "year_end_review__objection")
        .order_by("unit__district__sort_order", "unit__code")
        .distinct()
    )


def review_enrolment_get_for_user(*, user, pk) -> Enrolment:
    if not can_read_supervision(user):
        raise Http404
    try:
        return (Enrolment.objects.filter(unit_scope_q(user, "unit__"), pk=pk)
                .select_related("unit", "campaign__rubric").distinct().get())
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def objection_deadline(review: YearEndReview) -> datetime.datetime | None:
    if review.finalised_at is None:
        return None
    days = review.enrolment.campaign.objection_window_days
    return review.finalised_at + datetime.timedelta(days=days)


def objection_open(review: YearEndReview, now=None) -> bool:
    """May the unit still object? Once, within the window, before publicity."""
    now = now or timezone.now()
    deadline = objection_deadline(review)
    return (
        deadline is not None and now <= deadline
        and not Objection.objects.filter(review=review).exists()
        and review.enrolment.stage in (Stage.PASSED, Stage.RECTIFYING, Stage.FAILED)
    )


def pending_objection(review: YearEndReview) -> Objection | None:
    return Objection.objects.filter(review=review, status=ObjectionStatus.PENDING).first()


@dataclass
class ReviewItemRow:
    item: RubricItem
    response: ItemResponse | None
    verification: ItemVerification | None
    findings: list
    result: scoring.ItemResult | None = None

    @property
    def self_score(self):
        if self.response is not None and self.response.answered:
            return self.response.self_score
        return None

    @property
    def has_self_score(self) -> bool:
        return self.self_score is not None


@dataclass
class ReviewData:
    review: YearEndReview
    rules: scoring.ScoringRules
    rows: list[ReviewItemRow]
    findings: list
    bonus_items: list
    score: scoring.UnitScore | None = None


def _deductions_of(item: RubricItem, deduction_ids) -> tuple[scoring.Deduction, ...]:
    by_id = {d.pk: d for d in item.deductions.all()}
    return tuple(
        scoring.Deduction(points=by_id[pk].points, text=by_id[pk].text, count=count)
        for pk, count in deduction_counts(deduction_ids).items()
        if pk in by_id
    )


def item_input(row: ReviewItemRow) -> scoring.ItemInput:
    item, response, verification = row.item, row.response, row.verification
    values = {
        "code": item.code, "block_code": item.block.code, "max_points": item.points, "title": item.title,
        "must_pass": item.must_pass,
    }
    if response is not None and response.answered:
        values["self_score"] = response.self_score
        values["self_deductions"] = _deductions_of(item, response.deduction_ids)
    if verification is not None:
        if verification.decision == VerificationDecision.ACCEPT:
            values["accepted"] = True
            values["override_reason"] = verification.reason  # why a departure from a suggestion is accepted
        else:
            values["verified_score"] = verification.verified_score
            values["verified_deductions"] = _deductions_of(item, verification.deduction_ids)
            values["override_reason"] = verification.reason
    return scoring.ItemInput(**values)


def finding_input(finding: Finding) -> scoring.FindingInput:
    return scoring.FindingInput(id=finding.pk, item_code=finding.item.code, severity=finding.severity,
                                rectified=finding.is_rectified, title=finding.description[:40])


def review_data(review: YearEndReview) -> ReviewData:
    """Everything the review page and the scorer need, in a fixed number of queries."""
    enrolment = review.enrolment
    rubric = enrolment.campaign.rubric
    items = list(
        RubricItem.objects.filter(rubric=rubric).select_related("block").prefetch_related("deductions")
        .order_by("order")
    )
    responses = {
        r.item_id: r
        for r in ItemResponse.objects.filter(assessment__enrolment=enrolment).prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.filter(superseded_by__isnull=True, is_withdrawn=False),
                     to_attr="files")
        )
    }
    verifications = {v.item_id: v for v in review.verifications.select_related("verified_by")}
    findings = list(
        Finding.objects.filter(enrolment=enrolment).select_related("item", "inspection", "order")
        .order_by("created_at", "id")
    )
    by_item: dict[int, list] = {}
    for finding in findings:
        by_item.setdefault(finding.item_id, []).append(finding)
    rows = [
        ReviewItemRow(item=item, response=responses.get(item.pk), verification=verifications.get(item.pk),
                      findings=by_item.get(item.pk, []))
        for item in items
    ]
    bonus_items = list(BonusItem.objects.filter(rubric=rubric).order_by("order"))
    return ReviewData(review=review, rules=rubric_scoring_rules(rubric), rows=rows, findings=findings,
                      bonus_items=bonus_items)


def review_score(review: YearEndReview, data: ReviewData | None = None) -> ReviewData:
    """Score the review as it stands now (unverified items count at their self-score, flagged)."""
    data = data or review_data(review)
    claims = review.bonus_claims or {}
    bonus = [scoring.BonusInput(code=b.code, points=b.points, title=b.title) for b in data.bonus_items
             if b.code in claims]
    data.score = scoring.score_unit(
        data.rules,
        [item_input(row) for row in data.rows],
        [finding_input(f) for f in data.findings],
        bonus,
        review.vetoes or (),
    )
    results = {result.code: result for result in data.score.items}
    for row in data.rows:
        row.result = results.get(row.item.code)
    return data


def review_outcome(score: scoring.UnitScore) -> str:
    """passed when certified; rectify (限期整改) when only the score falls short, into a band above the
    lowest; failed otherwise (vetoes and must-pass failures fail whatever the score)."""
    if score.certified:
        return ReviewOutcome.PASSED
    if not score.vetoes and not score.must_pass_failures and not score.grade.certified and score.grade.min > 0:
        return ReviewOutcome.RECTIFYING
    return ReviewOutcome.FAILED


def review_suggestions(review: YearEndReview) -> dict[str, SuggestionData]:
    """The suggested scores the review goes by: once finalised, those it kept; before, the live ones."""
    if review.status == ReviewStatus.FINALISED:
        return review_kept_suggestions(review)
    enrolment = review.enrolment
    return ledger_suggestion_data(unit=enrolment.unit, year=enrolment.campaign.year)


def review_kept_suggestions(review: YearEndReview) -> dict[str, SuggestionData]:
    """item code → the suggestion kept at finalisation (1 query)."""
    return {
        row.item.code: SuggestionData(code=row.item.code, source=row.source, score=row.score,
                                      max_points=row.max_points, lines=tuple(row.lines), inputs=row.inputs,
                                      factor_version=row.factor_version)
        for row in review.kept_suggestions.select_related("item").order_by("item__order")
    }


@dataclass
class KeptSuggestion:
    """A kept suggestion beside today's computation: `changed` when the ledger data (or the factor
    table) moved after the review was finalised; the kept value is the one that counts."""

    kept: SuggestionData
    live: SuggestionData | None

    @property
    def changed(self) -> bool:
        return self.live is None or self.live.digest != self.kept.digest

    # The attributes the suggestion partial reads.
    @property
    def score(self):
        return self.kept.score

    @property
    def max_points(self):
        return self.kept.max_points

    @property
    def lines(self):
        return self.kept.lines

    @property
    def available(self) -> bool:
        return self.kept.available


def review_suggestion_view(review: YearEndReview, *, kept: dict | None = None) -> dict:
    """item code → what a page or the PDF shows as the suggestion: a finalised review's kept suggestion
    with the change notice; a draft's live suggestion (ind.Suggestion-like)."""
    enrolment = review.enrolment
    live = ledger_suggestion_data(unit=enrolment.unit, year=enrolment.campaign.year)
    if review.status != ReviewStatus.FINALISED:
        return live
    kept = review_kept_suggestions(review) if kept is None else kept
    if not kept:  # finalised before suggestions were kept: nothing to show as the decision's
        return {}
    return {code: KeptSuggestion(kept=data, live=live.get(code)) for code, data in kept.items()}
