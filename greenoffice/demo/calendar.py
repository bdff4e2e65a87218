"""The demo's calendar: the story is written for one day of its campaign and laid out around the day
`seed_demo` runs, so the demo is a campaign in progress on any day of any year.

The story's dates are written as (month, day) of a *story year* whose "today" is 26 November: the
self-assessment window opened on 1 March, the application deadline was 15 September, the year-end
reviews ran from mid-September, the first publicity batch (2–8 November) is over and its units are
named, the second (23–29 November) is open. `DemoCalendar.day(month, day)` turns a story date into a
real one by adding the same number of days to every date, so that the story's 26 November falls on
the day the demo is built. Spans keep their lengths (a 7-day publicity is 7 days) and their order on
every day of the year, across the turn of the year and in leap years; a date may leave its month (on
5 December the self-assessment window opens on 10 March).

The campaign is named by the year its application deadline falls in (the year most of its work is
done), so a demo built on 2 January still shows the campaign of the year that just ended."""
import datetime
from dataclasses import dataclass

# The day of its story year the demo is written for; see the module docstring.
STORY_TODAY = (11, 26)
# The story's self-assessment start: an existing demo campaign gives back its calendar from it.
STORY_START = (3, 1)


def _story_year(day: datetime.date, month_day: tuple[int, int]) -> int:
    """The latest year whose `month_day` is on or before `day`."""
    return day.year if (day.month, day.day) >= month_day else day.year - 1


@dataclass(frozen=True)
class DemoCalendar:
    story_year: int
    shift: datetime.timedelta

    @classmethod
    def for_today(cls, today: datetime.date) -> "DemoCalendar":
        year = _story_year(today, STORY_TODAY)
        return cls(year, today - datetime.date(year, *STORY_TODAY))

    @classmethod
    def from_start(cls, self_assessment_start: datetime.date) -> "DemoCalendar":
        """The calendar of a demo campaign built earlier (a re-run on a later day keeps its dates)."""
        year = _story_year(self_assessment_start, STORY_START)
        return cls(year, self_assessment_start - datetime.date(year, *STORY_START))

    def day(self, month: int, day: int, *, year: int = 0) -> datetime.date:
        """The real date of the story's `day`.`month`; `year` = 1 for a date in the story's next year."""
        return datetime.date(self.story_year + year, month, day) + self.shift

    @property
    def campaign_year(self) -> int:
        return self.day(9, 15).year

    def month_starts(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        """The first days of the months that begin between `first` and `last` (both included)."""
        start = first if first.day == 1 else _next_month(first)
        months = []
        while start <= last:
            months.append(start)
            start = _next_month(start)
        return months


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
