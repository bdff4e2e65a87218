"""The demo's calendar (greenoffice.demo.calendar) on every kind of day: today, the five CI days and
every day of a leap year and of the year after it."""
import datetime

import pytest
from django.utils import timezone

from greenoffice.demo.calendar import STORY_TODAY, DemoCalendar
from tests.dates.ci_dates import ci_dates, next_leap_day

TODAY = timezone.localdate()
DAYS = [TODAY, *ci_dates(TODAY)]


def _every_day(first: datetime.date, count: int):
    return [first + datetime.timedelta(days=n) for n in range(count)]


LEAP = next_leap_day(TODAY).replace(month=1, day=1)
ALL_DAYS = _every_day(LEAP - datetime.timedelta(days=365), 365 * 2 + 1)


def test_calendar_ci_dates_are_the_five_days():
    days = ci_dates(datetime.date(2026, 12, 5))
    assert days == [datetime.date(2027, 1, 2), datetime.date(2027, 12, 24), datetime.date(2027, 9, 15),
                    datetime.date(2026, 12, 31), datetime.date(2028, 2, 29)]
    assert next_leap_day(datetime.date(2028, 3, 1)) == datetime.date(2032, 2, 29)
    assert next_leap_day(datetime.date(2028, 2, 29)) == datetime.date(2028, 2, 29)


@pytest.mark.parametrize("day", ALL_DAYS, ids=lambda d: d.isoformat())
def test_calendar_story_today_is_the_day_it_is_built(day):
    cal = DemoCalendar.for_today(day)
    assert cal.day(*STORY_TODAY) == day
    # The story's dates keep their order and spans; the campaign is named by its application deadline.
    sequence = [cal.day(3, 1), cal.day(8, 31), cal.day(9, 15), cal.day(9, 30), cal.day(10, 10), cal.day(11, 2),
                cal.day(11, 8), cal.day(11, 23), day, cal.day(11, 29), cal.day(12, 10), cal.day(12, 21)]
    assert sequence == sorted(sequence)
    assert (cal.day(11, 29) - cal.day(11, 23)).days == 6
    assert cal.campaign_year == cal.day(9, 15).year
    assert DemoCalendar.from_start(cal.day(3, 1)) == cal


@pytest.mark.parametrize("day", DAYS, ids=lambda d: d.isoformat())
def test_calendar_month_starts_are_first_days_in_order(day):
    cal = DemoCalendar.for_today(day)
    starts = cal.month_starts(cal.day(4, 1), cal.day(9, 30))
    assert len(starts) == 6 and all(s.day == 1 for s in starts)
    assert starts == sorted(starts) and starts[0] >= cal.day(4, 1) and starts[-1] <= cal.day(9, 30)
    late = [s for s in cal.month_starts(cal.day(10, 1), cal.day(11, 30)) if s <= day]
    assert late and (day - late[-1]).days < 31
