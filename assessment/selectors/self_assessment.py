"""Reads of self-assessments, their answers, evidence, rounds and history: the access gates and the
data behind the self-assessment, review and history pages.

Scope: a self-assessment is unit data, reached through its enrolment and `unit_scope_q`. Directors of
the unit may edit it; inspectors, leaders and admins in scope may read it; out of scope is 404.
Reviewing (accept / return) is for inspectors and admins in scope."""
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from assessment.models import (
    AssessmentStatus,
    Enrolment,
    Evidence,
    ItemResponse,
    ItemReviewComment,
    Method,
    RubricDeduction,
    RubricItem,
    SelfAssessment,
    SubmissionRound,
)
from assessment.selectors.campaign import enrolment_list_for_user
from assessment.selectors.rubric import rubric_blocks_with_items
from units.models import Membership, Person, Role
from units.selectors import unit_scope_q

ZERO = Decimal(0)


# -- roles -----------------------------------------------------------------------------------------

def self_assessment_can_edit_role(user) -> bool:
    """Only unit directors ever fill in a self-assessment; everyone else reads."""
    return getattr(user, "is_authenticated", False) and user.role == Role.DIRECTOR and not user.is_admin_role


def self_assessment_can_review_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and (user.is_admin_role or user.role == Role.INSPECTOR)


def is_unit_director(*, user, unit_id) -> bool:
    return self_assessment_can_edit_role(user) and Membership.objects.filter(user=user, unit_id=unit_id).exists()


# -- gates -----------------------------------------------------------------------------------------

def self_assessment_enrolment_list_for_user(*, user) -> QuerySet[Enrolment]:
    return enrolment_list_for_user(user=user).select_related("campaign__rubric", "self_assessment")


def self_assessment_get_for_user(*, user, enrolment_pk) -> Enrolment:
    """The enrolment whose self-assessment `user` may read, with unit, district, campaign, rubric and
    (if started) `self_assessment` loaded in one query; Http404 when out of scope or missing.

    `enrolment.self_assessment` raises SelfAssessment.DoesNotExist before the unit starts: use
    `assessment_of(enrolment)`."""
    try:
        return self_assessment_enrolment_list_for_user(user=user).get(pk=enrolment_pk)
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assessment_of(enrolment: Enrolment) -> SelfAssessment | None:
    try:
        return enrolment.self_assessment
    except SelfAssessment.DoesNotExist:
        return None


def evidence_list_for_user(*, user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(unit_scope_q(user, "response__assessment__enrolment__unit__"))


def evidence_get_for_user(*, user, pk) -> Evidence:
    """An evidence file under the same rule as its self-assessment; Http404 otherwise."""
    try:
        return (
            evidence_list_for_user(user=user)
            .select_related("response__assessment__enrolment", "response__item")
            .get(pk=pk)
        )
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rubric_item_get(*, enrolment: Enrolment, item_pk) -> RubricItem:
    """An item of the enrolment's campaign rubric (with its deductions); Http404 for any other."""
    try:
        return (
            RubricItem.objects.select_related("block").prefetch_related("deductions")
            .get(pk=item_pk, rubric_id=enrolment.campaign.rubric_id)
        )
    except (RubricItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- deductions ------------------------------------------------------------------------------------

def deduction_is_repeatable(deduction: RubricDeduction) -> bool:
    """"每缺一项" / "每少一次" style deductions are taken once per occurrence. The rubric format has no
    flag for it; the wording is the bureau's own convention, so the text decides."""
    return deduction.text.startswith("每")


def deduction_max_count(item: RubricItem, deduction: RubricDeduction) -> int:
    if not deduction_is_repeatable(deduction) or not deduction.points:
        return 1
    return max(1, math.ceil(item.points / deduction.points))


def deduction_counts(deduction_ids) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in deduction_ids or []:
        counts[value] = counts.get(value, 0) + 1
    return counts


def is_self_scored(item: RubricItem) -> bool:
    return item.method != Method.ONSITE


# -- the self-assessment page ----------------------------------------------------------------------

@dataclass
class ItemRow:
    item: RubricItem
    response: ItemResponse | None
    evidence: list  # current files (not superseded, not withdrawn)
    superseded_count: int
    comment: str  # the reviewer's remark on this item in the last decided round
    chosen: list  # [(deduction, count)]

    @property
    def self_scored(self) -> bool:
        return is_self_scored(self.item)

    @property
    def answered(self) -> bool:
        return bool(self.response and self.response.answered)

    @property
    def score(self):
        return self.response.self_score if self.answered else None

    @property
    def full_marks(self) -> bool:
        return self.answered and not self.chosen and self.response.self_score == self.item.points

    @property
    def missing_evidence(self) -> bool:
        return self.item.requires_evidence and not self.evidence

    @property
    def dom_id(self) -> str:
        return "item-" + self.item.code.replace(".", "-")


@dataclass
class BlockRows:
    block: object
    rows: list[ItemRow]

    @property
    def self_total(self) -> Decimal:
        return sum((row.score or ZERO for row in self.rows), ZERO)


@dataclass
class Progress:
    to_answer: int
    answered: int
    unanswered_codes: list[str]
    missing_evidence_codes: list[str]
    self_total: Decimal
    max_total: Decimal

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.to_answer) if self.to_answer else 100

    @property
    def complete(self) -> bool:
        return not self.unanswered_codes


@dataclass
class AssessmentPage:
    enrolment: Enrolment
    assessment: SelfAssessment | None
    blocks: list[BlockRows]
    people: list
    progress: Progress
    rows_by_item: dict = field(default_factory=dict)
    returned_round: SubmissionRound | None = None

    def row(self, item_pk) -> ItemRow:
        return self.rows_by_item[item_pk]


def _active_evidence_queryset():
    return Evidence.objects.filter(superseded_by__isnull=True, is_withdrawn=False).order_by("created_at", "id")


def _last_return(assessment: SelfAssessment | None) -> tuple[SubmissionRound | None, dict[int, str]]:
    """The round the unit is revising after a return, with the reviewer's remark per item."""
    if assessment is None or assessment.status != AssessmentStatus.RETURNED:
        return None, {}
    latest = (
        SubmissionRound.objects.filter(assessment=assessment).exclude(decision="")
        .select_related("decided_by").order_by("-number").first()
    )
    if latest is None:
        return None, {}
    return latest, dict(ItemReviewComment.objects.filter(round=latest).values_list("item_id", "comment"))


def self_assessment_page_data(*, enrolment: Enrolment) -> AssessmentPage:
    """Everything the page shows, in a fixed number of queries whatever the items and files:
    blocks, items, deductions, answers, their current files, superseded counts, people (+ comments)."""
    assessment = assessment_of(enrolment)
    blocks = rubric_blocks_with_items(enrolment.campaign.rubric)
    responses: dict[int, ItemResponse] = {}
    if assessment is not None:
        qs = (
            ItemResponse.objects.filter(assessment=assessment)
            .select_related("responsible")
            .annotate(superseded_count=Count("evidence", filter=Q(evidence__superseded_by__isnull=False)))
            .prefetch_related(Prefetch("evidence", queryset=_active_evidence_queryset(), to_attr="current_files"))
        )
        responses = {response.item_id: response for response in qs}
    returned_round, comments = _last_return(assessment)
    people = list(Person.objects.filter(unit_id=enrolment.unit_id, is_active=True).order_by("name"))

    block_rows, rows_by_item = [], {}
    for block in blocks:
        rows = []
        for item in block.items.all():
            response = responses.get(item.pk)
            by_id = {d.pk: d for d in item.deductions.all()}
            chosen = []
            if response is not None:
                chosen = [(by_id[pk], n) for pk, n in deduction_counts(response.deduction_ids).items() if pk in by_id]
            row = ItemRow(
                item=item,
                response=response,
                evidence=list(response.current_files) if response is not None else [],
                superseded_count=response.superseded_count if response is not None else 0,
                comment=comments.get(item.pk, ""),
                chosen=chosen,
            )
            rows.append(row)
            rows_by_item[item.pk] = row
        block_rows.append(BlockRows(block=block, rows=rows))
    return AssessmentPage(
        enrolment=enrolment, assessment=assessment, blocks=block_rows, people=people,
        progress=progress_from_rows(list(rows_by_item.values())), rows_by_item=rows_by_item,
        returned_round=returned_round,
    )


def progress_from_rows(rows: list[ItemRow]) -> Progress:
    scored = [row for row in rows if row.self_scored]
    return Progress(
        to_answer=len(scored),
        answered=sum(1 for row in scored if row.answered),
        unanswered_codes=[row.item.code for row in scored if not row.answered],
        missing_evidence_codes=[row.item.code for row in rows if row.missing_evidence],
        self_total=sum((row.score or ZERO for row in scored), ZERO),
        max_total=sum((row.item.points for row in scored), ZERO),
    )


# -- the director's list -----------------------------------------------------------------------------

@dataclass
class EnrolmentProgress:
    enrolment: Enrolment
    assessment: SelfAssessment | None
    to_answer: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.to_answer) if self.to_answer else 0


def my_assessment_list(*, user) -> list[EnrolmentProgress]:
    """The director's enrolments (newest campaign first) with stage and answered/to-answer counts, in
    three queries whatever the number of enrolments."""
    enrolments = list(
        Enrolment.objects.filter(unit__memberships__user=user)
        .select_related("unit", "unit__district", "campaign", "self_assessment")
        .annotate(answered_count=Count(
            "self_assessment__responses",
            filter=Q(self_assessment__responses__answered=True)
            & ~Q(self_assessment__responses__item__method=Method.ONSITE),
        ))
        .order_by("-campaign__year", "unit__code")
    )
    rubric_ids = {e.campaign.rubric_id for e in enrolments}
    to_answer = dict(
        RubricItem.objects.filter(rubric_id__in=rubric_ids).exclude(method=Method.ONSITE)
        .order_by().values("rubric_id").annotate(n=Count("id")).values_list("rubric_id", "n")
    )
    return [
        EnrolmentProgress(
            enrolment=e, assessment=assessment_of(e), to_answer=to_answer.get(e.campaign.rubric_id, 0),
            answered=e.answered_count,
        )
        for e in enrolments
    ]


# -- review ----------------------------------------------------------------------------------------

def review_queue_for_user(*, user) -> QuerySet[SelfAssessment]:
    """Submitted (first or later round) self-assessments in the user's scope, oldest first."""
    return (
        SelfAssessment.objects.filter(
            unit_scope_q(user, "enrolment__unit__"), status=AssessmentStatus.SUBMITTED,
        )
        .select_related("enrolment__unit__district", "enrolment__campaign")
        .order_by("submitted_at", "pk")
    )


def latest_round(assessment: SelfAssessment) -> SubmissionRound | None:
    return SubmissionRound.objects.filter(assessment=assessment).order_by("-number").first()


# -- history ---------------------------------------------------------------------------------------

@dataclass
class Change:
    at: object
    user: object
    item: RubricItem
    kind: str  # "+", "~", "-"
    fields: list  # [(label, old, new)]


def round_list(*, assessment: SelfAssessment) -> list[SubmissionRound]:
    comments = ItemReviewComment.objects.select_related("item").order_by("item__order")
    return list(
        SubmissionRound.objects.filter(assessment=assessment)
        .select_related("submitted_by", "decided_by")
        .prefetch_related(Prefetch("item_comments", queryset=comments))
        .order_by("-number")
    )


def response_change_list(*, assessment: SelfAssessment, limit: int = 1000) -> list[Change]:
    """Every recorded change of the answers (django-simple-history), newest first: who, when, and the
    old → new value of the deductions, full marks, explanation, responsible person and score."""
    history = list(
        ItemResponse.history.filter(assessment_id=assessment.pk)
        .select_related("history_user", "item", "responsible")
        .order_by("history_date", "history_id")[:limit]
    )
    rubric_id = history[0].item.rubric_id if history else None
    deduction_text = dict(
        RubricDeduction.objects.filter(item__rubric_id=rubric_id).values_list("pk", "text")
    ) if rubric_id else {}

    def deductions(ids):
        counts = deduction_counts(ids)
        return "、".join(
            deduction_text.get(pk, f"#{pk}") + (f"×{n}" if n > 1 else "") for pk, n in counts.items()
        )

    def responsible(record):
        return str(record.responsible) if record.responsible_id and record.responsible else ""

    def answer(record):
        if not record.answered:
            return "未填报"
        return deductions(record.deduction_ids) or "满分"

    labels = (
        ("选择", answer),
        ("自评得分", lambda r: "" if r.self_score is None else f"{r.self_score.normalize():f}"),
        ("情况说明", lambda r: r.explanation),
        ("责任人", responsible),
    )
    previous: dict[int, object] = {}
    changes = []
    for record in history:
        before = previous.get(record.id)
        fields = []
        for label, read in labels:
            new = read(record)
            old = read(before) if before is not None else ""
            if old != new:
                fields.append((label, old, new))
        previous[record.id] = record
        if fields or record.history_type == "-":
            changes.append(Change(at=record.history_date, user=record.history_user, item=record.item,
                                  kind=record.history_type, fields=fields))
    changes.reverse()
    return changes
