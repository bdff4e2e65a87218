"""seed_demo step: the campaign's public evaluation (公开评议) under way — one round, open since the
campaign's 公开评议开始, every applicant still before the city's decision a target, with answers from the
public on the days since. The units of the publicity batches were decided before any round reached
them (greenoffice.demo.year_end); the city's decisions on these wait for the round to close."""
import random

from assessment.models import Enrolment, Stage
from greenoffice.demo.context import History, SeedContext, add_days, moment
from inspections.evaluation.models import EvaluationRound, RoundStatus
from inspections.evaluation.questions import QUESTIONS
from inspections.evaluation.services.evaluation import (
    invitations_create,
    response_submit,
    round_add_targets,
    round_create,
    round_set_status,
)

# Mostly satisfied, a few not: every target stays above the 80 % threshold on its own answers' mix
# except where the draw says otherwise, as a real round would.
RATINGS = ("satisfied",) * 6 + ("basic",) * 3 + ("dissatisfied",)
INVITATION_NOTE = "服务对象现场发放"
TARGET_STAGES = (Stage.ACCEPTED, Stage.REVIEWED, Stage.RECTIFYING, Stage.PASSED)


def seed_evaluation(ctx: SeedContext) -> None:
    campaign = ctx.campaign
    start, end = campaign.public_evaluation_start, campaign.public_evaluation_end
    if not (start and end) or ctx.today < start or EvaluationRound.objects.filter(campaign=campaign).exists():
        return
    actor = ctx.users["inspector1"]
    history = History(ctx.today)
    with history.at(moment(start, 9)):
        round_ = round_create(actor=actor, campaign=campaign, title="", start_date=start, end_date=end)
        round_set_status(actor=actor, round_=round_, status=RoundStatus.OPEN)
        ids = list(Enrolment.objects.filter(campaign=campaign, stage__in=TARGET_STAGES,
                                            publicity_entry__isnull=True, city_decisions__isnull=True)
                   .values_list("pk", flat=True))
        targets = round_add_targets(actor=actor, round_=round_, enrolment_ids=ids)
    EvaluationRound.objects.filter(pk=round_.pk).update(created_at=moment(start, 9))
    ctx.count("evaluation rounds")
    ctx.count("evaluation targets", len(targets))
    last = add_days(ctx.today, -1)
    if last < start:
        return
    span = max((last - start).days, 0)
    for target in targets:
        rng = random.Random(f"evaluation-{target.enrolment.unit.code}")
        answers = rng.randint(4, 14)
        # Invitation codes handed out to the unit's service users (a few still unused): those answers
        # count toward the satisfaction gate; the last answer comes without a code and is shown apart.
        with history.at(moment(start, 10)):
            invitations = invitations_create(actor=actor, target=target, count=answers + 3, note=INVITATION_NOTE)
        for n in range(answers):
            day = add_days(start, rng.randint(0, span))
            ratings = {q.key: rng.choice(RATINGS) for q in QUESTIONS}
            response_submit(target=target, ratings=ratings, device_key=f"demo-{target.pk}-{n}",
                            network_key=f"demo-net-{target.pk}-{n}",
                            invitation=invitations[n] if n < answers - 1 else None,
                            now=moment(min(day, last), rng.randint(8, 20), rng.randint(0, 59)))
            ctx.count("evaluation answers")
