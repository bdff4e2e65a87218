"""seed_demo steps: the units' liaison accounts, the story plan, and the self-assessments with their
rounds of review — all through the assessment services, as the units and inspectors would."""
import datetime
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from assessment.models import (
    Campaign,
    DeadlineExtension,
    DeadlineKind,
    Evidence,
    ItemResponse,
    Method,
    RubricItem,
    SelfAssessment,
    Stage,
    SubmissionRound,
)
from assessment.services.deadlines import deadline_extend
from assessment.services.self_assessment import (
    assessment_accept,
    assessment_return,
    assessment_submit,
    response_save,
    self_assessment_start,
)
from greenoffice.demo import story
from greenoffice.demo.context import History, SeedContext, add_days, moment
from greenoffice.demo.data import DEMO_USERS
from greenoffice.demo.files import document_pdf, photo_png
from greenoffice.demo.texts import (
    ACCEPT_COMMENTS,
    DEDUCTION_NOTES,
    FULL_MARK_NOTES,
    ITEM_REMARKS,
    RETURN_COMMENTS,
    REVISION_NOTE,
    TIERED_NOTES,
)
from units.models import Person, Role, User
from units.services import membership_add

LIAISON_POSITION = "办公室主任(创建联络员)"
# The share of accepted units whose first round was returned before they got through.
RETURNED_FIRST_SHARE = 0.15


def liaison_username(code: str) -> str:
    return f"liaison_{code.lower()}"


def seed_liaisons(ctx: SeedContext) -> None:
    """Every unit not run by a demo director gets its liaison's account, so what a unit does in the demo
    is done by a user of that unit. The accounts can't log in (unusable password): the demo's log-ins
    are the ones printed."""
    for username, _name, role, _districts, unit_names in DEMO_USERS:
        if role == Role.DIRECTOR:
            for name in unit_names:
                ctx.liaisons[ctx.units_by_name[name].code] = ctx.users[username]
    missing = sorted(code for code in ctx.units if code not in ctx.liaisons)
    existing = {u.username: u for u in User.objects.filter(username__in=[liaison_username(c) for c in missing])}
    unusable = None
    for code in missing:
        user = existing.get(liaison_username(code))
        if user is None:
            unusable = unusable or make_password(None)
            unit = ctx.units[code]
            user = User.objects.create(username=liaison_username(code), full_name=unit.contact_name,
                                       role=Role.DIRECTOR, password=unusable)
            membership_add(actor=None, user=user, unit=unit, position=LIAISON_POSITION)
            ctx.count("liaison accounts")
        ctx.liaisons[code] = user


def seed_plan(ctx: SeedContext) -> None:
    """Decide each unit's story (no writes). Both demo inspectors cover the districts of inspector2."""
    shared = None
    for user in User.objects.filter(role=Role.INSPECTOR, username__in=list(ctx.users)).prefetch_related("districts"):
        ids = {d.pk for d in user.districts.all()}
        if ids:
            shared = ids if shared is None else shared & ids
    ctx.stories = story.plan_stories(ctx.units, two_inspector_districts=shared or set(), rng=ctx.rng("plan"))


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return add_days(first, rng.randint(0, max(0, (last - first).days)))


def reviewer_for(ctx: SeedContext, unit, rng: random.Random):
    """An inspector in scope who doesn't work at the unit; the district inspector where there is one.
    The bureau's own unit, where both demo inspectors work, is reviewed by the administrator."""
    inspectors = ctx.inspectors_for(unit)
    if not inspectors:
        return ctx.users["admin"]
    scoped = [u for u in inspectors if u.districts.exists()]
    return scoped[0] if scoped and rng.random() < 0.8 else rng.choice(inspectors)


class _Unit:
    """One unit's self-assessment story: its answers, files and rounds on the days the plan gives."""

    def __init__(self, ctx: SeedContext, enrolment, plot: str, items: list[RubricItem], people: list[Person],
                 history: History):
        self.ctx, self.enrolment, self.plot, self.items, self.people = ctx, enrolment, plot, items, people
        self.history = history
        self.unit = enrolment.unit
        self.rng = ctx.rng(f"self-assessment:{self.unit.code}")
        self.director = ctx.liaisons[self.unit.code]
        # Units headed for a certificate kept their house in order; those that fail did not.
        low, high = {story.CERTIFIED: (0.86, 1.0), story.PUBLICITY: (0.86, 1.0), story.PASSED: (0.86, 1.0),
                     story.MUST_PASS_FAILED: (0.86, 1.0), story.FAILED: (0.72, 0.85)}.get(plot, (0.72, 1.0))
        self.quality = self.rng.uniform(low, high)
        self.assessment = None
        self.files = 0
        self.remarks: dict[str, str] = {}

    # -- the calendar --------------------------------------------------------------------------------
    def calendar(self) -> dict:
        rng, today, cal = self.rng, self.ctx.today, self.ctx.calendar
        last = add_days(today, -1)
        plot = self.plot
        days = {}
        if plot == story.DRAFTING:
            days["start"] = min(_between(rng, cal.day(9, 1), cal.day(11, 10)), last)
        elif plot == story.SUBMITTED:
            days["start"] = _between(rng, cal.day(7, 1), cal.day(9, 30))
            days["submit"] = min(_between(rng, cal.day(11, 5), cal.day(11, 24)), last)
        elif plot in (story.RETURNED, story.RESUBMITTED):
            days["start"] = _between(rng, cal.day(5, 10), cal.day(8, 10))
            days["submit"] = _between(rng, cal.day(9, 1), cal.day(10, 20))
            days["return"] = min(add_days(days["submit"], rng.randint(5, 12)), last)
            if plot == story.RESUBMITTED:
                days["resubmit"] = min(add_days(days["return"], rng.randint(7, 20)), last)
        else:  # accepted, and everything after
            days["start"] = _between(rng, cal.day(3, 5), cal.day(5, 31))
            days["submit"] = min(add_days(days["start"], rng.randint(45, 90)), cal.day(8, 28))
            if rng.random() < RETURNED_FIRST_SHARE:
                days["return"] = add_days(days["submit"], rng.randint(4, 10))
                days["resubmit"] = add_days(days["return"], rng.randint(5, 12))
                days["accept"] = min(add_days(days["resubmit"], rng.randint(3, 8)), cal.day(9, 12))
            else:
                days["accept"] = min(add_days(days["submit"], rng.randint(3, 12)), cal.day(9, 12))
        return days

    # -- answers ----------------------------------------------------------------------------------------
    def answer(self, item: RubricItem, *, with_file: bool) -> None:
        rng = self.rng
        deductions = list(item.deductions.all())
        chosen = [d for d in deductions if rng.random() < (1 - self.quality) * 0.6]
        values = {"deduction_ids": [], "full_marks": False, "self_score": None}
        if deductions:
            values["deduction_ids"] = [d.pk for d in chosen]
            values["full_marks"] = not chosen
        else:  # tiered (2.1): the unit states its score
            tiers = ["8.00", "8.00", "7.00", "6.00"] if self.quality > 0.85 else ["7.00", "6.00", "6.00", "5.00"]
            values["self_score"] = rng.choice(tiers)
        if chosen:
            explanation = "".join(
                rng.choice(DEDUCTION_NOTES).format(text=d.text, points=f"{d.points.normalize():f}") for d in chosen
            )
        elif values["self_score"] is not None:
            explanation = TIERED_NOTES[values["self_score"]]
        elif rng.random() < 0.75 and item.code in FULL_MARK_NOTES:
            explanation = rng.choice(FULL_MARK_NOTES[item.code])
        else:
            explanation = ""
        responsible = rng.choice(self.people).pk if self.people and rng.random() < 0.85 else None
        files = [self.evidence_file(item)] if with_file else []
        response_save(actor=self.director, assessment=self.assessment, item=item, explanation=explanation,
                      responsible_id=responsible, uploaded_files=files, **values)
        self.files += len(files)

    def evidence_file(self, item: RubricItem, revision: bool = False):
        rng = self.rng
        wanted = (item.evidence or ["佐证材料"])[1 if revision and len(item.evidence) > 1 else 0]
        if "照片" in wanted:
            return photo_png(f"{wanted}.png", f"{self.unit.short_name} · {item.code} {wanted}", rng)
        written = self.ctx.calendar.day(rng.randint(3, 8), 1)
        lines = [self.unit.name, f"考评项目{item.code}:{item.title[:40]}", f"{written:%Y年%m月}"]
        return document_pdf(f"{wanted}.pdf", wanted, lines, rng)

    def answer_all(self, share: float = 1.0) -> None:
        rng = self.rng
        with_files = set()
        if rng.random() < 0.2 or self.unit.name in story.PINNED:
            candidates = [i.code for i in self.items if i.evidence]
            with_files = set(rng.sample(candidates, rng.randint(1, 2)))
        count = max(1, round(len(self.items) * share))
        for item in self.items[:count]:
            self.answer(item, with_file=item.code in with_files)

    # -- rounds -----------------------------------------------------------------------------------------
    def settle_round(self, number: int, *, submitted=None, decided=None) -> None:
        values = {}
        if submitted:
            values["submitted_at"] = submitted
        if decided:
            values["decided_at"] = decided
        SubmissionRound.objects.filter(assessment=self.assessment, number=number).update(**values)

    def submit(self, day: datetime.date, number: int) -> None:
        when = moment(day, self.rng.randint(9, 17), self.rng.randint(0, 59))
        with self.history.at(when):
            assessment_submit(actor=self.director, assessment=self.assessment)
        self.settle_round(number, submitted=when)
        SelfAssessment.objects.filter(pk=self.assessment.pk).update(submitted_at=when)

    def decide(self, day: datetime.date, number: int, *, accept: bool) -> None:
        rng = self.rng
        reviewer = reviewer_for(self.ctx, self.unit, rng)
        when = moment(day, rng.randint(9, 17), rng.randint(0, 59))
        with self.history.at(when):
            if accept:
                assessment_accept(actor=reviewer, assessment=self.assessment, comment=rng.choice(ACCEPT_COMMENTS))
            else:
                codes = [i.code for i in self.items if i.code in ITEM_REMARKS]
                picked = rng.sample(codes, min(len(codes), rng.randint(1, 3)))
                self.remarks = {code: ITEM_REMARKS[code] for code in picked}
                assessment_return(actor=reviewer, assessment=self.assessment, comment=rng.choice(RETURN_COMMENTS),
                                  item_comments=self.remarks)
        self.settle_round(number, decided=when)

    def revise(self) -> None:
        """Answer the reviewer's remarks: a note on each remarked item, a new file on the first."""
        by_code = {i.code: i for i in self.items}
        for n, (code, remark) in enumerate(sorted(self.remarks.items())):
            item = by_code[code]
            response = ItemResponse.objects.get(assessment=self.assessment, item=item)
            files = [self.evidence_file(item, revision=True)] if n == 0 else []
            values = {"deduction_ids": response.deduction_ids, "self_score": None, "full_marks": False}
            if item.deductions.exists():
                values["full_marks"] = not response.deduction_ids
            else:
                values["self_score"] = response.self_score
            response_save(actor=self.director, assessment=self.assessment, item=item,
                          explanation=REVISION_NOTE.format(remark=remark), responsible_id=response.responsible_id,
                          uploaded_files=files, **values)
            self.files += len(files)

    def run(self) -> None:
        days = self.calendar()
        start = days["start"]
        share = self.rng.uniform(0.4, 0.9) if self.plot == story.DRAFTING else 1.0
        with self.history.at(moment(start, 10)):
            self.assessment = self_assessment_start(actor=self.director, enrolment=self.enrolment)
            self.answer_all(share)
        if "submit" in days:
            self.submit(days["submit"], 1)
        if "return" in days:
            self.decide(days["return"], 1, accept=False)
        if "resubmit" in days:
            with self.history.at(moment(days["resubmit"], 9)):
                self.revise()
            self.submit(days["resubmit"], 2)
        if "accept" in days:
            self.decide(days["accept"], 2 if "resubmit" in days else 1, accept=True)
        last_edit = days.get("resubmit") or days.get("submit") or add_days(start, self.rng.randint(3, 20))
        last_edit = min(last_edit, add_days(self.ctx.today, -1))
        SelfAssessment.objects.filter(pk=self.assessment.pk).update(created_at=moment(start, 9))
        ItemResponse.objects.filter(assessment=self.assessment).update(created_at=moment(start, 10),
                                                                       updated_at=moment(last_edit, 16))
        Evidence.objects.filter(response__assessment=self.assessment).update(created_at=moment(start, 11),
                                                                             updated_at=moment(start, 11))


def seed_self_assessments(ctx: SeedContext) -> None:
    """~70 units started, ~55 submitted, ~45 accepted; a few returned, a couple resubmitted."""
    enrolments = ctx.enrolments()
    done = set(SelfAssessment.objects.filter(enrolment__campaign=ctx.campaign)
               .values_list("enrolment__unit__code", flat=True))
    items = [i for i in RubricItem.objects.filter(rubric=ctx.rubric).prefetch_related("deductions").order_by("order")
             if i.method != Method.ONSITE]
    people: dict[int, list[Person]] = {}
    for person in Person.objects.filter(unit__in=ctx.units.values(), is_active=True).order_by("pk"):
        people.setdefault(person.unit_id, []).append(person)
    history = History(ctx.today)
    # The story's submissions are replayed today, while 自评截止 binds by today's date: the deadline is
    # lifted while the past is replayed, and the units that submitted after it get their extensions
    # (延期) afterwards, dated before their late submissions.
    deadline = ctx.campaign.self_assessment_end
    Campaign.objects.filter(pk=ctx.campaign.pk).update(self_assessment_end=None)
    ctx.campaign.self_assessment_end = None
    try:
        for code in sorted(ctx.units):
            plot = ctx.stories.get(code, story.NOT_STARTED)
            if plot == story.NOT_STARTED or code in done:
                continue
            unit_story = _Unit(ctx, enrolments[code], plot, items, people.get(ctx.units[code].pk, []), history)
            unit_story.run()
            ctx.count("self-assessments")
            ctx.count("evidence files", unit_story.files)
    finally:
        Campaign.objects.filter(pk=ctx.campaign.pk).update(self_assessment_end=deadline)
        ctx.campaign.self_assessment_end = deadline
    if deadline is not None:
        seed_extensions(ctx, enrolments, deadline, history)


EXTENSION_REASONS = (
    "单位主要负责人调整,自评材料需重新签批",
    "机构改革期间档案移交,佐证材料需补充整理",
    "退回意见涉及多个项目,给予时间修改完善",
)


def seed_extensions(ctx: SeedContext, enrolments: dict, deadline: datetime.date, history: History) -> None:
    """Extensions (延期) through the service: every unit whose self-assessment went in after 自评截止
    had one, granted the day before its first late submission; and director4's draft, still owed
    past the deadline, has one running beyond today (the others drafting are 逾期)."""
    extended = set(DeadlineExtension.objects.filter(enrolment__campaign=ctx.campaign)
                   .values_list("enrolment__unit__code", flat=True))
    for code in sorted(enrolments):
        if code in extended:
            continue
        enrolment = enrolments[code]
        rng = random.Random(f"extension-{code}")
        late = sorted(timezone.localdate(at) for at in SubmissionRound.objects.filter(
            assessment__enrolment=enrolment).values_list("submitted_at", flat=True)
            if timezone.localdate(at) > deadline)
        pinned_draft = (ctx.units[code].name == "南湖县人民法院"
                        and ctx.stories.get(code) == story.DRAFTING and ctx.today > deadline)
        if late and enrolment.stage == Stage.RETURNED:
            # Returned after a late round: its extension runs past today, so it can still resubmit.
            new_date, granted = add_days(ctx.today, rng.randint(7, 14)), add_days(late[0], -1)
        elif late:
            new_date, granted = add_days(late[-1], rng.randint(0, 3)), add_days(late[0], -1)
        elif pinned_draft:
            new_date, granted = add_days(ctx.today, 10), add_days(ctx.today, -2)
        else:
            continue
        granted = max(granted, add_days(deadline, 1))
        when = moment(granted, rng.randint(9, 17), rng.randint(0, 59))
        inspector = reviewer_for(ctx, ctx.units[code], rng)
        with history.at(when):
            extension = deadline_extend(actor=inspector, enrolment=enrolment, kind=DeadlineKind.SELF_ASSESSMENT,
                                        new_date=max(new_date, add_days(deadline, 1)),
                                        reason=rng.choice(EXTENSION_REASONS))
        DeadlineExtension.objects.filter(pk=extension.pk).update(granted_at=when)
        ctx.count("extensions")
