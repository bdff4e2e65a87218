"""seed_demo at three of the five CI days (tests/dates/ci_dates.py); the other two are in the sibling file,
so the two test processes share the work."""
import pytest
from django.utils import timezone

from tests.dates.ci_dates import ci_dates
from tests.dates.seed_checks import seed_at

DAYS = ci_dates(timezone.localdate())[:3]


@pytest.mark.django_db
@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_seed_demo_dates_campaign_in_progress(day):
    seed_at(day)
