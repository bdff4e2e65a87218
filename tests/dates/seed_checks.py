"""seed_demo run at a given day, and what makes its result "a campaign in progress" on that day."""
import datetime
import re
from collections import Counter
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from assessment.ledger.models import MonthlyRecord
from assessment.models import Campaign, Enrolment, Stage, StageTransition, SubmissionRound
from greenoffice.models import AuditEvent
from inspections.models import (
    Certificate,
    Inspection,
    InspectionStatus,
    PublicityBatch,
    RectificationOrder,
    SpotCheckRound,
    YearEndReview,
)


def clock_at(day: datetime.date):
    """Python's clock moved to 10:00 on `day`, ticking from there (not frozen)."""
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))), tick=True)


def seed_at(day: datetime.date) -> None:
    """Build the demo on `day` and check it there."""
    with clock_at(day):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        check_campaign_in_progress(day, out.getvalue())


def check_campaign_in_progress(day: datetime.date, printed: str) -> None:
    campaign = Campaign.objects.get(is_current=True)
    # The calendar: deadlines behind, the public evaluation under way, publicity and naming ahead.
    assert campaign.self_assessment_start < campaign.self_assessment_end < campaign.application_deadline < day
    assert campaign.review_start <= campaign.review_end < campaign.public_evaluation_start <= day
    assert day <= campaign.public_evaluation_end < campaign.publicity_start <= campaign.publicity_end
    assert campaign.application_deadline.year == campaign.year and campaign.target_year == campaign.year + 2

    stages = Counter(Enrolment.objects.filter(campaign=campaign).values_list("stage", flat=True))
    assert 100 - stages[Stage.NOT_STARTED] >= 60
    assert stages[Stage.SELF_ASSESSING] >= 5 and stages[Stage.SUBMITTED] >= 3 and stages[Stage.RETURNED] >= 2
    assert stages[Stage.ACCEPTED] >= 5 and stages[Stage.RECTIFYING] >= 3 and stages[Stage.FAILED] >= 2
    assert 10 <= stages[Stage.CERTIFIED] <= 20 and stages[Stage.PUBLICITY] >= 1

    # One publicity batch over (its units named), one open today.
    closed = PublicityBatch.objects.get(campaign=campaign, is_closed=True)
    open_batch = PublicityBatch.objects.get(campaign=campaign, is_closed=False)
    assert closed.end_date < day and open_batch.start_date <= day <= open_batch.end_date
    certificates = Certificate.objects.filter(enrolment__campaign=campaign)
    assert certificates.count() == stages[Stage.CERTIFIED]
    assert all(c.number.startswith(f"绿机证〔{campaign.year}〕") and closed.end_date < c.issued_on <= day
               for c in certificates)

    # Nothing happened after today; the history spreads over the campaign's months.
    now = timezone.now()
    assert not AuditEvent.objects.filter(at__gt=now).exists()
    assert not StageTransition.objects.filter(at__gt=now).exists()
    assert not SubmissionRound.objects.filter(decided_at__gt=now).exists()
    assert not Inspection.objects.filter(completed_at__gt=now).exists()
    months = {timezone.localtime(at).strftime("%Y-%m") for at in StageTransition.objects.values_list("at", flat=True)}
    assert len(months) >= 8
    assert YearEndReview.objects.filter(enrolment__campaign=campaign, status="draft").exists()

    # Supervision: monthly rounds up to the latest month, a visit under way, orders due and overdue.
    rounds = SpotCheckRound.objects.filter(campaign=campaign)
    assert rounds.count() >= 12 and all(r.month.day == 1 and r.month <= day for r in rounds)
    assert Inspection.objects.filter(campaign=campaign, status=InspectionStatus.IN_PROGRESS).exists()
    orders = list(RectificationOrder.objects.filter(campaign=campaign))
    assert any(o.is_overdue(day) for o in orders) and any(not o.is_closed and not o.is_overdue(day) for o in orders)

    # The ledger holds the months already over, never the current one.
    last_month = day.replace(day=1) - datetime.timedelta(days=1)
    assert MonthlyRecord.objects.filter(year=last_month.year, month=last_month.month).count() == 100
    assert not MonthlyRecord.objects.filter(year=day.year, month__gte=day.month).exists()

    # What it printed is what it made: the route names today's open publicity and the counts.
    certified = stages[Stage.CERTIFIED]
    assert f"已命名{certified}/{campaign.target_certified_count}" in printed
    assert f"{open_batch.title}至{open_batch.end_date:%Y-%m-%d}结束" in printed
    assert re.search(rf"certificates {certified}\b", printed)
