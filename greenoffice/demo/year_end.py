"""seed_demo steps: the year-end reviews (年终检查) and certification — item verifications with the
inspectors' overrides and reasons, bonus items, finalisation, an objection, a re-check, then the
publicity batches and the certificates — all through the inspections services.

Each finalised review aims at a band of the pass score (the score before the bonus, after the
supervision deductions) that its story needs: the inspector accepts the unit's self-scores and adds
deductions, item by item, with a reason, until the score falls into the band. The grades themselves
are computed by the real scoring when the review is finalised."""
import datetime
from decimal import Decimal

from assessment import suggestions as suggested
from assessment.models import ItemResponse, Method, ReviewDecision, RubricItem, Stage, SubmissionRound
from greenoffice.demo import story
from greenoffice.demo.context import History, SeedContext, add_days, moment
from greenoffice.demo.texts import (
    BONUS_NOTES,
    MUST_PASS_REASON,
    OBJECTION_REASON,
    OVERRIDE_REASON,
    RECHECK_NOTE,
    SUGGESTION_DEPARTURE_REASON,
)
from inspections.models import (
    CityDecision,
    CityDecisionKind,
    Finding,
    ItemVerification,
    PublicityBatch,
    ReviewOutcome,
    Severity,
    VerificationDecision,
    YearEndReview,
)
from inspections.selectors.year_end import review_suggestions
from inspections.services.certification import publicity_close, publicity_open
from inspections.services.city_review import city_decision_record
from inspections.services.year_end import (
    item_verify,
    objection_raise,
    review_accept_remaining,
    review_finalise,
    review_recheck,
    review_set_extras,
    review_start,
)

EXCELLENT, PASS, RECTIFY, FAIL = (Decimal("90.5"), Decimal("97")), (Decimal("80.5"), Decimal("88.5")), \
    (Decimal("71"), Decimal("79")), (Decimal("58"), Decimal("68.5"))
CITY_APPROVAL_REASON = "年终考核合格,无未整改问题,经市创绿系列活动指导委员会办公室评审,同意命名"
BATCH_TITLES = ("{year}年度绿色机关创建达标单位公示(第一批)", "{year}年度绿色机关创建达标单位公示(第二批)")
# The story's publicity batches, (month, day) of the story year (greenoffice.demo.calendar).
BATCH_DAYS = (((11, 2), (11, 8)), ((11, 23), (11, 29)))
REVIEWED = story.FINALISED_STORIES | {story.REVIEW_DRAFT}


def _band(plot: str, rng) -> tuple[Decimal, Decimal]:
    if plot == story.CERTIFIED:
        return EXCELLENT if rng.random() < 0.55 else PASS
    if plot in (story.PUBLICITY, story.PASSED, story.MUST_PASS_FAILED):
        return PASS
    if plot == story.FAILED:
        return FAIL
    return RECTIFY


class _Review:
    def __init__(self, ctx: SeedContext, enrolment, plot: str, items: list[RubricItem], history: History):
        self.ctx, self.enrolment, self.plot, self.items, self.history = ctx, enrolment, plot, items, history
        self.unit = enrolment.unit
        self.rng = ctx.rng(f"review:{self.unit.code}")
        inspectors = ctx.inspectors_for(self.unit)
        scoped = [u for u in inspectors if u.username == "inspector2"]
        self.reviewer = (scoped or inspectors or [ctx.users["admin"]])[0]
        others = [u for u in inspectors if u.pk != self.reviewer.pk]
        self.second = others[0] if others else ctx.users["admin"]
        self.recent = self.unit.name == story.RECENT_REVIEW_UNIT

    def calendar(self) -> tuple[datetime.date, datetime.date]:
        rng, last, cal = self.rng, add_days(self.ctx.today, -1), self.ctx.calendar
        accepted = (SubmissionRound.objects.filter(assessment__enrolment=self.enrolment,
                                                   decision=ReviewDecision.ACCEPTED)
                    .values_list("decided_at", flat=True).first())
        earliest = max(cal.day(9, 16), add_days(accepted.date(), 5) if accepted else cal.day(9, 16))
        windows = {
            story.CERTIFIED: (earliest, cal.day(10, 20)),
            story.PUBLICITY: (cal.day(10, 10), cal.day(10, 31)),
            story.PASSED: (cal.day(10, 20), cal.day(11, 10)),
            story.RECHECK_PASSED: (earliest, cal.day(10, 5)),
            story.OBJECTION: (cal.day(11, 12), cal.day(11, 12)),
            story.REVIEW_DRAFT: (cal.day(11, 16), last),
        }
        first, end = windows.get(self.plot, (earliest, cal.day(11, 5)))
        first = max(first, earliest)
        start = min(add_days(first, rng.randint(0, max(0, (end - first).days))), last)
        if self.recent:
            start = add_days(self.ctx.today, -3)
        finish = min(add_days(start, 4 if self.plot == story.OBJECTION else rng.randint(1, 6)), last)
        return start, finish

    def supervision_deduction(self) -> Decimal:
        """What the unit's unrectified findings will cost at finalisation (rubric: 0.5 / 1.0, capped)."""
        rubric = self.ctx.rubric
        total = Decimal(0)
        for severity in Finding.objects.filter(enrolment=self.enrolment, rectified_at__isnull=True).values_list(
                "severity", flat=True):
            total += rubric.serious_deduction if severity == Severity.SERIOUS else rubric.minor_deduction
        return min(total, rubric.deduction_cap)

    def plan(self, responses: dict) -> tuple[dict, dict]:
        """(item code → verified deduction ids, item code → direct score) that bring the pass score into the band."""
        rng = self.rng
        scores, own = {}, {}
        for item in self.items:
            response = responses.get(item.pk)
            if response is not None and response.answered and response.self_score is not None:
                scores[item.code], own[item.code] = response.self_score, list(response.deduction_ids)
            else:
                scores[item.code], own[item.code] = item.points, []
        low, high = _band(self.plot, rng)
        pass_score = sum(scores.values()) - self.supervision_deduction()
        direct = {}
        if self.plot == story.MUST_PASS_FAILED:
            direct["2.1"] = Decimal(0)
            pass_score -= scores["2.1"]
            scores["2.1"] = Decimal(0)
        target = Decimal(str(round(rng.uniform(float(low), float(high)), 1)))
        pool = [(item, d) for item in self.items for d in item.deductions.all() if d.pk not in own[item.code]]
        rng.shuffle(pool)
        chosen: dict[str, list[int]] = {}
        for item, deduction in pool:
            if pass_score <= target:
                break
            ids = chosen.get(item.code, own[item.code]) + [deduction.pk]
            points = {d.pk: d.points for d in item.deductions.all()}
            new = max(Decimal(0), item.points - sum(points[pk] for pk in ids))
            delta = scores[item.code] - new
            if delta <= 0 or pass_score - delta < low:
                continue
            chosen[item.code], scores[item.code] = ids, new
            pass_score -= delta
        return chosen, direct

    def verify(self, review, responses: dict, *, complete: bool) -> None:
        chosen, direct = self.plan(responses)
        by_id = {d.pk: d for item in self.items for d in item.deductions.all()}
        shown = review_suggestions(review)  # the ledger's suggestions: a departure needs a reason

        def departure_reason(item, score) -> str:
            suggestion = shown.get(item.code)
            if suggestion is None or not suggested.departs(suggestion.score, score):
                return ""
            return SUGGESTION_DEPARTURE_REASON.format(score=f"{Decimal(score).normalize():f}")

        for item in self.items:
            response = responses.get(item.pk)
            own = set(response.deduction_ids) if response is not None and response.answered else set()
            if item.code in direct:
                item_verify(actor=self.reviewer, review=review, item=item, decision=VerificationDecision.OVERRIDE,
                            score=direct[item.code], reason=MUST_PASS_REASON)
            elif item.code in chosen or item.method == Method.ONSITE:
                ids = chosen.get(item.code, [])
                reason = "".join(
                    OVERRIDE_REASON.format(text=by_id[pk].text, points=f"{by_id[pk].points.normalize():f}")
                    for pk in ids if pk not in own
                )
                points = {d.pk: d.points for d in item.deductions.all()}
                score = max(Decimal(0), item.points - sum(points[pk] for pk in ids))
                reason += departure_reason(item, score)
                item_verify(actor=self.reviewer, review=review, item=item, decision=VerificationDecision.OVERRIDE,
                            deduction_ids=ids, reason=reason)
            elif complete and response is not None and response.answered and response.self_score is not None:
                reason = departure_reason(item, response.self_score)
                if reason:  # accept-remaining leaves departures to the inspector
                    item_verify(actor=self.reviewer, review=review, item=item, decision=VerificationDecision.ACCEPT,
                                reason=reason)
        if complete:
            review_accept_remaining(actor=self.reviewer, review=review)

    def run(self) -> None:
        ctx, rng, history = self.ctx, self.rng, self.history
        start, finish = self.calendar()
        complete = self.plot != story.REVIEW_DRAFT
        claims = {}
        if self.plot in (story.CERTIFIED, story.PUBLICITY) and rng.random() < 0.7:
            claims = {code: BONUS_NOTES[code] for code in rng.sample(sorted(BONUS_NOTES), rng.randint(1, 3))}
        elif rng.random() < 0.15:
            code = rng.choice(sorted(BONUS_NOTES))
            claims = {code: BONUS_NOTES[code]}
        with history.at(moment(start, 10)):
            review = review_start(actor=self.reviewer, enrolment=self.enrolment)
            responses = {r.item_id: r for r in ItemResponse.objects.filter(assessment__enrolment=self.enrolment)}
            self.verify(review, responses, complete=complete)
            if claims:
                review_set_extras(actor=self.reviewer, review=review, bonus_claims=claims, vetoes=[])
        YearEndReview.objects.filter(pk=review.pk).update(created_at=moment(start, 9, 30))
        ItemVerification.objects.filter(review=review).update(created_at=moment(start, 10),
                                                              updated_at=moment(start, 10))
        ctx.count("year-end reviews")
        if not complete:
            return
        if self.recent:  # the latest review keeps today's time: its objection window is open
            review = review_finalise(actor=self.reviewer, review=review)
        else:
            when = moment(finish, 16, rng.randint(0, 59))
            with history.at(when):
                review = review_finalise(actor=self.reviewer, review=review)
            YearEndReview.objects.filter(pk=review.pk).update(finalised_at=when)
        director = ctx.liaisons[self.unit.code]
        if self.plot == story.OBJECTION and review.outcome != ReviewOutcome.PASSED:
            raised = moment(add_days(finish, 2), 9)
            with history.at(raised):
                objection_raise(actor=director, review=review, reason=OBJECTION_REASON, now=raised)
        if self.plot == story.RECHECK_PASSED and review.outcome == ReviewOutcome.RECTIFYING:
            when = moment(min(add_days(finish, rng.randint(25, 35)), add_days(ctx.today, -1)), 15)
            with history.at(when):
                review_recheck(actor=self.second, review=review, outcome=ReviewOutcome.PASSED, note=RECHECK_NOTE)
            YearEndReview.objects.filter(pk=review.pk).update(recheck_at=when)


def seed_year_end_reviews(ctx: SeedContext) -> None:
    """~30 finalised reviews (优秀, 合格, 限期整改, 不合格, one must-pass failure), a few under way."""
    enrolments = ctx.enrolments()
    done = set(YearEndReview.objects.filter(enrolment__campaign=ctx.campaign)
               .values_list("enrolment__unit__code", flat=True))
    items = list(RubricItem.objects.filter(rubric=ctx.rubric).prefetch_related("deductions").order_by("order"))
    history = History(ctx.today)
    # The latest review last: its "now" finalisation comes after every backdated one.
    codes = sorted(code for code, plot in ctx.stories.items() if plot in REVIEWED and code not in done)
    codes.sort(key=lambda code: ctx.units[code].name == story.RECENT_REVIEW_UNIT)
    for code in codes:
        enrolment = enrolments[code]
        if enrolment.stage != Stage.ACCEPTED:
            continue
        _Review(ctx, enrolment, ctx.stories[code], items, history).run()


def seed_certification(ctx: SeedContext) -> None:
    """Publicity batch 1 (closed: the units are named, certificates issued) and batch 2 (still open)."""
    actor = ctx.users["inspector1"]
    history = History(ctx.today)
    enrolments = ctx.enrolments()
    plots = (story.CERTIFIED, story.PUBLICITY)
    cal = ctx.calendar
    for title, (start, end), plot in zip(BATCH_TITLES, BATCH_DAYS, plots, strict=True):
        title, start, end = title.format(year=ctx.campaign.year), cal.day(*start), cal.day(*end)
        if PublicityBatch.objects.filter(campaign=ctx.campaign, title=title).exists() or start > ctx.today:
            continue
        chosen = [e for code, e in sorted(enrolments.items())
                  if ctx.stories.get(code) == plot and e.stage == Stage.PASSED]
        ids = [e.pk for e in chosen]
        if not ids:
            continue
        # The city's review (市级评审) agreed to name them before their publicity (no public-evaluation
        # round reached these early units: the gate does not apply to them).
        decided = add_days(start, -2)
        for enrolment in chosen:
            with history.at(moment(decided, 15)):
                record = city_decision_record(actor=ctx.users["reviewer"], enrolment=enrolment,
                                              decision=CityDecisionKind.APPROVE, reason=CITY_APPROVAL_REASON)
            CityDecision.objects.filter(pk=record.pk).update(decided_at=moment(decided, 15))
            ctx.count("city decisions")
        with history.at(moment(start, 9)):
            batch = publicity_open(actor=actor, campaign=ctx.campaign, title=title, start_date=start, end_date=end,
                                   enrolment_ids=ids)
        PublicityBatch.objects.filter(pk=batch.pk).update(created_at=moment(start, 9))
        ctx.count("publicity batches")
        if ctx.today > end:
            named = add_days(end, 1)
            with history.at(moment(named, 10)):
                certificates = publicity_close(actor=actor, batch=batch, today=named)
            PublicityBatch.objects.filter(pk=batch.pk).update(closed_at=moment(named, 10))
            ctx.count("certificates", len(certificates))
