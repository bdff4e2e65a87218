"""A campaign's field work may fall in its calendar year, or within its own dates where they run past it."""
import datetime

from django.utils import timezone

from assessment.models import Campaign

YEAR = timezone.localdate().year


def test_campaign_span_is_the_calendar_year_when_its_dates_stay_inside():
    campaign = Campaign(year=YEAR, self_assessment_start=datetime.date(YEAR, 3, 1),
                        publicity_end=datetime.date(YEAR, 12, 21))
    assert campaign.work_span == (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    assert campaign.covers(datetime.date(YEAR, 1, 1)) and not campaign.covers(datetime.date(YEAR + 1, 1, 1))


def test_campaign_span_widens_to_dates_past_the_year():
    campaign = Campaign(year=YEAR, self_assessment_start=datetime.date(YEAR - 1, 12, 19),
                        public_evaluation_end=datetime.date(YEAR + 1, 1, 14),
                        publicity_end=datetime.date(YEAR + 1, 1, 25))
    assert campaign.work_span == (datetime.date(YEAR - 1, 12, 19), datetime.date(YEAR + 1, 1, 25))
    assert campaign.covers(datetime.date(YEAR + 1, 1, 20)) and not campaign.covers(datetime.date(YEAR + 1, 1, 26))
    assert Campaign(year=YEAR).work_span == (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
