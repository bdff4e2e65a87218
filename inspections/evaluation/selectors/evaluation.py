"""Reads of public evaluation: rounds, targets (units under evaluation) and their results, the
moderation queue and media feedback. Targets are unit data, scoped by `unit_scope_q`; a director sees
their own units' results (approved comments only)."""
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from assessment.models import Campaign, Stage
from inspections.evaluation.models import (
    CommentStatus,
    EvaluationResponse,
    EvaluationRound,
    EvaluationTarget,
    Invitation,
    MediaFeedback,
    RoundStatus,
    counted_answers_q,
)
from inspections.evaluation.questions import (
    OVERALL,
    QUESTIONS,
    SATISFIED_RATINGS,
    Rating,
    satisfaction_rate,
)
from inspections.permissions import can_read_supervision, is_bureau_staff
from units.selectors import unit_scope_q

#: Stages of a unit "under review" that the round adds as targets: self-assessment accepted, up to
#: publicity. Failed and revoked units are not evaluated.
UNDER_REVIEW_STAGES = (Stage.ACCEPTED, Stage.REVIEWED, Stage.RECTIFYING, Stage.PASSED, Stage.PUBLICITY)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def round_list_for_user(*, user) -> QuerySet[EvaluationRound]:
    # Rounds are bureau-wide like campaigns; what a scoped reader sees inside one is narrowed per target.
    if not can_read_supervision(user):
        return EvaluationRound.objects.none()
    return EvaluationRound.objects.select_related("campaign").annotate(target_count=Count("targets"))


def round_get_for_user(*, user, pk) -> EvaluationRound:
    try:
        return round_list_for_user(user=user).get(pk=pk)
    except (EvaluationRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def round_for_campaign(campaign: Campaign | None) -> EvaluationRound | None:
    if campaign is None:
        return None
    return EvaluationRound.objects.filter(campaign=campaign).select_related("campaign").first()


def _with_counts(qs: QuerySet[EvaluationTarget]) -> QuerySet[EvaluationTarget]:
    """answer_count and satisfied_count are the counted answers (the gate's); open_count the others."""
    overall = f"responses__rating_{OVERALL}__in"
    counted = counted_answers_q("responses__", round_field="round__")
    return qs.annotate(
        answer_count=Count("responses", filter=counted, distinct=True),
        satisfied_count=Count("responses", filter=counted & Q(**{overall: SATISFIED_RATINGS}), distinct=True),
        open_count=Count("responses", filter=~counted, distinct=True),
        pending_count=Count("responses", filter=Q(responses__comment_status=CommentStatus.PENDING), distinct=True),
    )


def target_list_for_user(*, user, round_=None) -> QuerySet[EvaluationTarget]:
    """Targets in the user's scope with their answer counts (one query)."""
    if not _authenticated(user):
        return EvaluationTarget.objects.none()
    qs = EvaluationTarget.objects.filter(unit_scope_q(user, "unit__")).select_related(
        "unit__district", "round__campaign", "enrolment")
    if round_ is not None:
        qs = qs.filter(round=round_)
    return _with_counts(qs).order_by("unit__district__sort_order", "unit__code")


def target_get_for_user(*, user, pk) -> EvaluationTarget:
    try:
        return target_list_for_user(user=user).get(pk=pk)
    except (EvaluationTarget.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def target_get_public(*, token: str) -> EvaluationTarget:
    """The questionnaire behind a short link; no log-in, so the token is the only key."""
    token = (token or "").strip().lower()
    try:
        return EvaluationTarget.objects.select_related("round__campaign", "unit").get(token=token)
    except (EvaluationTarget.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def invitation_get_public(*, target: EvaluationTarget, token: str) -> Invitation:
    try:
        return Invitation.objects.get(target=target, token=(token or "").strip().lower())
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def invitation_used(invitation: Invitation) -> bool:
    return EvaluationResponse.objects.filter(invitation=invitation).exists()


def invitation_list(*, target: EvaluationTarget) -> QuerySet[Invitation]:
    return target.invitations.select_related("response").order_by("id")


def round_accepting_answers(round_: EvaluationRound, today) -> bool:
    return round_.status == RoundStatus.OPEN and round_.start_date <= today <= round_.end_date


@dataclass
class QuestionBreakdown:
    key: str
    label: str
    counts: dict  # rating value → count
    total: int

    @property
    def rows(self) -> list[dict]:
        return [{"rating": r, "label": r.label, "count": self.counts.get(r.value, 0),
                 "percent": (self.counts.get(r.value, 0) * 100 / self.total) if self.total else 0}
                for r in Rating]

    @property
    def satisfied_rate(self):
        satisfied = sum(self.counts.get(r.value, 0) for r in SATISFIED_RATINGS)
        return satisfaction_rate(satisfied, self.total)


@dataclass
class TargetResults:
    answers: int
    satisfied: int
    rate: object
    questions: list[QuestionBreakdown] = field(default_factory=list)
    comments: list = field(default_factory=list)
    pending_comments: int = 0
    media: list = field(default_factory=list)
    # Open answers that don't count toward the gate, shown apart.
    uncounted: int = 0
    uncounted_satisfied: int = 0

    @property
    def uncounted_rate(self):
        return satisfaction_rate(self.uncounted_satisfied, self.uncounted)


def target_results(*, target: EvaluationTarget, comment_limit: int = 200) -> TargetResults:
    """Counted answers (the gate's), their satisfaction rate and per-question breakdown, the uncounted
    open answers apart, approved comments and media feedback (four queries, whatever the number of
    answers)."""
    counted = counted_answers_q()
    satisfied_q = Q(**{f"rating_{OVERALL}__in": SATISFIED_RATINGS})
    aggregates = {"answers": Count("id", filter=counted),
                  "uncounted": Count("id", filter=~counted),
                  "uncounted_satisfied": Count("id", filter=~counted & satisfied_q),
                  "pending": Count("id", filter=Q(comment_status=CommentStatus.PENDING))}
    for question in QUESTIONS:
        for rating in Rating:
            aggregates[f"{question.key}__{rating.value}"] = Count(
                "id", filter=counted & Q(**{question.field: rating.value}))
    row = target.responses.aggregate(**aggregates)
    answers = row["answers"]
    questions = [
        QuestionBreakdown(key=q.key, label=q.label, total=answers,
                          counts={r.value: row[f"{q.key}__{r.value}"] for r in Rating})
        for q in QUESTIONS
    ]
    satisfied = sum(row[f"{OVERALL}__{r.value}"] for r in SATISFIED_RATINGS)
    comments = list(target.responses.filter(comment_status=CommentStatus.APPROVED)
                    .only("comment", "submitted_at", "rating_overall").order_by("-submitted_at")[:comment_limit])
    media = list(MediaFeedback.objects.filter(target=target).order_by("-published_on", "-id"))
    return TargetResults(answers=answers, satisfied=satisfied, rate=satisfaction_rate(satisfied, answers),
                         questions=questions, comments=comments, pending_comments=row["pending"], media=media,
                         uncounted=row["uncounted"], uncounted_satisfied=row["uncounted_satisfied"])


def moderation_queue_for_user(*, user) -> QuerySet[EvaluationResponse]:
    """Comments waiting for approval, oldest first, in the moderator's scope; bureau staff only."""
    if not is_bureau_staff(user):
        return EvaluationResponse.objects.none()
    return (EvaluationResponse.objects.filter(unit_scope_q(user, "target__unit__"),
                                              comment_status=CommentStatus.PENDING)
            .select_related("target__unit", "target__round").order_by("submitted_at", "id"))


def moderation_response_get_for_user(*, user, pk) -> EvaluationResponse:
    if not is_bureau_staff(user):
        raise Http404
    try:
        return (EvaluationResponse.objects.filter(unit_scope_q(user, "target__unit__"), pk=pk)
                .exclude(comment_status=CommentStatus.NONE).select_related("target__unit").get())
    except (EvaluationResponse.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def media_list_for_user(*, user, round_=None) -> QuerySet[MediaFeedback]:
    """Media feedback readers may see: campaign-wide entries and those of targets in scope."""
    if not can_read_supervision(user):
        return MediaFeedback.objects.none()
    qs = MediaFeedback.objects.all()
    scope = unit_scope_q(user, "target__unit__")
    if scope:  # an empty Q (city-wide) would swallow the OR below
        qs = qs.filter(Q(target__isnull=True) | scope)
    if round_ is not None:
        qs = qs.filter(round=round_)
    return qs.select_related("target__unit", "round", "recorded_by").order_by("-published_on", "-id")
