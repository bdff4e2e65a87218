"""seed_demo steps: the year's supervision — monthly spot-check rounds drawn by `round_draw`, routine and
unannounced visits, checklists with photos, findings, rectification orders answered and verified —
all through the inspections services.

A spot check sends two inspectors, and of the two demo inspectors only inspector1 is city-wide
(inspector2 covers 东城区 and 西城区), so the rounds are drawn per district for those two districts;
inspector1 alone makes routine and unannounced visits across the city. The first step covers
April–September (before the year-end reviews, whose scores the open findings then lower); the second
October–November, ending with today's reminder run (overdue orders escalated to the leaders)."""
import datetime

from assessment.models import Method, RubricItem
from greenoffice.demo import story
from greenoffice.demo.context import History, SeedContext, add_days, moment
from greenoffice.demo.files import photo_jpeg, photo_png
from greenoffice.demo.texts import (
    COMPLIANT_NOTES,
    FINDING_NOTES,
    PROOF_AGAIN_NOTE,
    PROOF_NOTES,
    REOPEN_REASONS,
    REQUIRED_ACTION,
    VERIFY_NOTES,
    VISIT_SUMMARY,
    VISIT_SUMMARY_CLEAN,
)
from inspections.models import (
    ChecklistEntry,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    ProofDecision,
    RectificationOrder,
    RectificationProof,
    SpotCheckRound,
)
from inspections.services.rectification import (
    order_acknowledge,
    order_issue,
    proof_submit,
    rectification_send_reminders,
    rectification_verify,
)
from inspections.services.rounds import round_create, round_draw
from inspections.services.visits import checklist_record, inspection_complete, inspection_create

# The months with spot-check rounds: those that begin in these spans of the story year.
EARLY_MONTHS = ((4, 1), (9, 30))
LATE_MONTHS = ((10, 1), (11, 30))
ROUND_SIZE = 2
# Routine / unannounced visits by inspector1 alone, per step.
EARLY_VISITS = 10
LATE_VISITS = 6


def _checked_items(ctx: SeedContext) -> list[RubricItem]:
    """What a visit can look at: the items checked on site."""
    return list(RubricItem.objects.filter(rubric=ctx.rubric, method__in=(Method.ONSITE, Method.BOTH))
                .prefetch_related("deductions").order_by("order"))


class _Supervision:
    def __init__(self, ctx: SeedContext):
        self.ctx = ctx
        self.history = History(ctx.today)
        self.items = _checked_items(ctx)
        self.enrolments = ctx.enrolments()
        self.inspector1 = ctx.users["inspector1"]
        self.inspector2 = ctx.users["inspector2"]
        self.last_day = add_days(ctx.today, -1)

    # -- rounds ---------------------------------------------------------------------------------------
    def round_districts(self) -> list:
        districts = {d.pk: d for d in self.ctx.districts.values()}
        return [districts[pk] for pk in sorted(self.inspector2.districts.values_list("pk", flat=True))]

    def rounds(self, span) -> None:
        ctx = self.ctx
        existing = set(SpotCheckRound.objects.filter(campaign=ctx.campaign).values_list("month", "district_id"))
        # A month's round is drawn two days before it starts; a round whose month began in the last few
        # days has no visits yet, so the latest round shown is one with visits done or under way.
        months = [first for first in ctx.calendar.month_starts(ctx.calendar.day(*span[0]), ctx.calendar.day(*span[1]))
                  if first <= add_days(ctx.today, -4)]
        for first in months:
            for n, district in enumerate(self.round_districts()):
                if (first, district.pk) in existing:
                    continue
                drawn_on = add_days(first, -2)
                with self.history.at(moment(drawn_on, 15)):
                    spot_round = round_create(actor=self.inspector1, campaign=ctx.campaign, month=first,
                                              sample_size=ROUND_SIZE, district=district,
                                              seed=first.year * 1000 + first.month * 10 + n)
                    spot_round = round_draw(actor=self.inspector1, spot_round=spot_round, today=drawn_on)
                SpotCheckRound.objects.filter(pk=spot_round.pk).update(created_at=moment(drawn_on, 14),
                                                                       drawn_at=moment(drawn_on, 15))
                ctx.count("spot-check rounds")
                visits = list(spot_round.inspections.select_related("unit").order_by("unit__code"))
                for index, visit in enumerate(visits):
                    rng = ctx.rng(f"spot:{visit.unit.code}:{first}")
                    day = min(add_days(first, rng.randint(3, 20)), self.last_day)
                    # The latest round is still under way: one visit in progress, one still to come.
                    left_open = span == LATE_MONTHS and first == months[-1] and index == len(visits) - 1
                    if left_open and n == 1:
                        continue
                    self.visit(visit, day, finish=not left_open)

    # -- other visits ---------------------------------------------------------------------------------
    def other_visits(self, count: int, first: datetime.date, last: datetime.date, key: str) -> None:
        ctx = self.ctx
        rng = ctx.rng(f"visits:{key}")
        codes = sorted(code for code, unit in ctx.units.items() if self.inspector1 in ctx.inspectors_for(unit))
        existing = set(Inspection.objects.filter(campaign=ctx.campaign).exclude(kind=InspectionKind.SPOT_CHECK)
                       .values_list("unit__code", "scheduled_date"))
        for code in rng.sample(codes, count):
            day = add_days(first, rng.randint(0, (last - first).days))
            kind = InspectionKind.UNANNOUNCED if rng.random() < 0.6 else InspectionKind.ROUTINE
            if (code, day) in existing or day > self.last_day:
                continue
            self.planned_visit(code, day, kind, [self.inspector1])

    def forced_visit(self, code: str, day: datetime.date, kind: str, *, findings: dict, fate: str) -> None:
        """A visit whose findings the story needs, once (skipped when the unit already had it)."""
        if day > self.last_day or Inspection.objects.filter(unit__code=code, kind=kind, scheduled_date=day).exists():
            return
        unit = self.ctx.units[code]
        inspectors = self.ctx.inspectors_for(unit)
        team = [u for u in inspectors if u.pk == self.inspector2.pk] or inspectors[:1]
        if not team:
            return
        self.planned_visit(code, day, kind, team, findings=findings, fate=fate)

    def planned_visit(self, code: str, day: datetime.date, kind: str, team, **visit_options) -> Inspection:
        planned = moment(add_days(day, -5), 9)
        with self.history.at(planned):
            visit = inspection_create(actor=team[0], enrolment=self.enrolments[code], kind=kind, scheduled_date=day,
                                      inspectors=team)
        Inspection.objects.filter(pk=visit.pk).update(created_at=planned)
        self.visit(visit, day, **visit_options)
        return visit

    # -- one visit ------------------------------------------------------------------------------------
    def visit(self, visit: Inspection, day: datetime.date, *, finish: bool = True, findings=None, fate=None) -> None:
        """Record 8–12 checklist items (mostly compliant), complete, and raise orders from findings.
        `findings` forces item code → severity (and none rectified on the spot), `fate` the orders' end."""
        ctx = self.ctx
        if day > self.last_day:
            return
        rng = ctx.rng(f"visit:{visit.unit.code}:{visit.kind}:{visit.scheduled_date}")
        team = list(visit.inspectors.order_by("username"))
        recorder = rng.choice(team)
        forced = dict(findings or {})
        chosen = rng.sample(self.items, rng.randint(8, 12))
        chosen += [i for i in self.items if i.code in forced and i not in chosen]
        chosen.sort(key=lambda i: i.order)
        if not finish:
            chosen = chosen[: rng.randint(3, 5)]
            # A visit under way shows a problem being recorded, with its photo.
            last = chosen[-1].code
            if last in FINDING_NOTES:
                forced.setdefault(last, ChecklistResult.MINOR)
        taken = moment(day, 10, rng.randint(0, 59))
        started, completed = moment(day, 9, 30), moment(day, 11, rng.randint(0, 59))
        problems = 0
        with self.history.at(started):
            for item in chosen:
                roll = rng.random()
                if item.code in forced:
                    result = forced[item.code]
                elif roll < 0.93 or problems >= 2 or item.code not in FINDING_NOTES:
                    result = ChecklistResult.COMPLIANT
                else:
                    result = ChecklistResult.MINOR if roll < 0.983 else ChecklistResult.SERIOUS
                photos, on_site = [], False
                if result == ChecklistResult.COMPLIANT:
                    note = rng.choice(COMPLIANT_NOTES)
                else:
                    problems += 1
                    note = FINDING_NOTES[item.code][0 if result == ChecklistResult.MINOR else 1]
                    on_site = result == ChecklistResult.MINOR and rng.random() < 0.35 and item.code not in forced
                    if rng.random() < 0.6 or item.code in forced:
                        caption = f"{visit.unit.short_name} {item.code} {day}"
                        photos = [photo_jpeg(f"{item.code}现场照片.jpg", caption, rng, taken=taken)]
                checklist_record(actor=recorder, inspection=visit, item=item, result=result, note=note,
                                 rectified_on_site=on_site, photos=photos)
        entries = ChecklistEntry.objects.filter(inspection=visit)
        entries.update(created_at=started, updated_at=started)
        InspectionPhoto.objects.filter(entry__inspection=visit).update(uploaded_at=started)
        if not finish:
            Inspection.objects.filter(pk=visit.pk).update(started_at=started)
            ctx.count("visits")
            return
        minor = sum(1 for e in entries if e.result == ChecklistResult.MINOR)
        serious = sum(1 for e in entries if e.result == ChecklistResult.SERIOUS)
        summary = (VISIT_SUMMARY.format(n=len(chosen), minor=minor, serious=serious) if minor + serious
                   else VISIT_SUMMARY_CLEAN.format(n=len(chosen)))
        with self.history.at(completed):
            inspection_complete(actor=recorder, inspection=visit, summary=summary)
        Inspection.objects.filter(pk=visit.pk).update(started_at=started, completed_at=completed)
        Finding.objects.filter(inspection=visit).update(created_at=completed, updated_at=completed)
        Finding.objects.filter(inspection=visit, rectified_on_site=True).update(rectified_at=completed)
        ctx.count("visits")
        for finding in Finding.objects.filter(inspection=visit, rectified_on_site=False).select_related("unit"):
            self.order(finding, day, recorder, team, fate=fate)

    # -- one order ------------------------------------------------------------------------------------
    def order(self, finding: Finding, day: datetime.date, issuer, team, *, fate=None) -> None:
        """Issue the finding's order and play its life out up to today: signed for, answered with proof,
        verified (sometimes reopened first) — or left open, some past their deadline."""
        ctx, history = self.ctx, self.history
        rng = ctx.rng(f"order:{finding.unit.code}:{finding.item.code}:{day}")
        serious = finding.severity == ChecklistResult.SERIOUS
        issued = add_days(day, 1)
        deadline = add_days(issued, rng.randint(20, 30) if serious else rng.randint(10, 20))
        if fate == "issued":  # the demo route's order: the director signs for it
            deadline = max(deadline, add_days(ctx.today, 12))
        with history.at(moment(issued, 9, 20)):
            order = order_issue(actor=issuer, finding=finding, deadline=deadline, today=day,
                                required_action=REQUIRED_ACTION.format(note=finding.description.rstrip("。")))
        RectificationOrder.objects.filter(pk=order.pk).update(issued_at=moment(issued, 9, 20))
        ctx.count("rectification orders")
        director = ctx.liaisons[finding.unit.code]
        verifier = next((u for u in team if u.pk != issuer.pk), issuer)

        if fate is None:
            roll = rng.random()
            if deadline >= ctx.today:
                fate = "issued" if roll < 0.3 else "acknowledged" if roll < 0.65 else "proof"
            else:
                overdue_share = 0.05 if deadline < add_days(ctx.today, -30) else 0.25
                fate = ("overdue" if roll < overdue_share else "late" if roll < overdue_share + 0.15 else
                        "reopened" if roll < overdue_share + 0.27 else "closed")
        if fate == "issued":
            return
        acknowledged = add_days(issued, rng.randint(0, 2))
        if acknowledged > self.last_day:
            return
        with history.at(moment(acknowledged, 15)):
            order = order_acknowledge(actor=director, order=order)
        RectificationOrder.objects.filter(pk=order.pk).update(acknowledged_at=moment(acknowledged, 15))
        if fate in ("acknowledged", "overdue"):
            return
        if fate == "late":
            proof_day = add_days(deadline, rng.randint(2, 8))
        else:
            proof_day = add_days(acknowledged, rng.randint(2, max(2, (deadline - acknowledged).days - 6)))
        proof_day = min(proof_day, self.last_day)
        self.proof(order, director, proof_day, rng)
        if fate == "proof":
            return
        verified = min(add_days(proof_day, rng.randint(1, 3)), self.last_day)
        if fate == "reopened":
            self.verify(order, verifier, verified, ProofDecision.REOPENED, rng.choice(REOPEN_REASONS))
            proof_day = min(add_days(verified, rng.randint(2, 4)), self.last_day)
            self.proof(order, director, proof_day, rng, again=True)
            verified = min(add_days(proof_day, 1), self.last_day)
        self.verify(order, verifier, verified, ProofDecision.CLOSED, rng.choice(VERIFY_NOTES))

    def proof(self, order, director, day: datetime.date, rng, *, again: bool = False) -> None:
        files = []
        if rng.random() < 0.6:
            files = [photo_png("整改后照片.png", f"{order.unit.short_name} 整改后 {day}", rng)]
        when = moment(day, 16, rng.randint(0, 59))
        note = PROOF_AGAIN_NOTE if again else rng.choice(PROOF_NOTES).format(
            note=order.finding.description.rstrip("。"))
        with self.history.at(when):
            proof = proof_submit(actor=director, order=order, files=files, note=note)
        RectificationProof.objects.filter(pk=proof.pk).update(submitted_at=when)

    def verify(self, order, verifier, day: datetime.date, decision: str, reason: str) -> None:
        when = moment(day, 11, 10)
        with self.history.at(when):
            order = rectification_verify(actor=verifier, order=order, decision=decision, reason=reason)
        RectificationProof.objects.filter(order=order, decided_at__isnull=False, decided_by=verifier,
                                          decision=decision).update(decided_at=when)
        if decision == ProofDecision.CLOSED:
            RectificationOrder.objects.filter(pk=order.pk).update(closed_at=when)
            Finding.objects.filter(pk=order.finding_id).update(rectified_at=when)


def seed_supervision_early(ctx: SeedContext) -> None:
    """April–September: monthly rounds in the two districts, visits across the city, orders mostly closed."""
    work, cal = _Supervision(ctx), ctx.calendar
    work.rounds(EARLY_MONTHS)
    work.other_visits(EARLY_VISITS, cal.day(4, 8), cal.day(9, 25), "early")
    # Two weak units ignore their orders: the open findings cost them points at the year-end review.
    weak = sorted(code for code, plot in ctx.stories.items() if plot in (story.FAILED, story.RECTIFYING))[:2]
    for code, findings in zip(weak, ({"2.2": ChecklistResult.SERIOUS}, {"4.1": ChecklistResult.MINOR}), strict=False):
        work.forced_visit(code, cal.day(9, 8), InspectionKind.ROUTINE, findings=findings, fate="overdue")


def seed_supervision_late(ctx: SeedContext) -> None:
    """October–November, the demo route's order (an unannounced visit to director2's unit), and today's
    reminder run: orders now overdue are escalated to the leaders once."""
    before = ctx.created.get("rectification orders", 0)
    work, cal = _Supervision(ctx), ctx.calendar
    work.rounds(LATE_MONTHS)
    work.other_visits(LATE_VISITS, cal.day(10, 8), cal.day(11, 20), "late")
    code = ctx.units_by_name[story.OPEN_ORDER_UNIT].code
    work.forced_visit(code, min(cal.day(11, 18), add_days(ctx.today, -2)), InspectionKind.UNANNOUNCED,
                      findings={"3.1": ChecklistResult.SERIOUS, "4.4": ChecklistResult.MINOR}, fate="issued")
    if ctx.created.get("rectification orders", 0) > before:
        rectification_send_reminders(today=ctx.today)
