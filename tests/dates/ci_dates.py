"""The five days, relative to the day the tests run, at which the date logic is proven (issue: a demo and
a test suite that work on every day of the year): the turn of the year both ways, mid-September (the
application deadline and the on-site reviews), Christmas Eve of next year and the next 29 February.
`scripts/test_dates.sh` runs the date-sensitive suites under faketime at the same days."""
import datetime
import sys


def next_leap_day(today: datetime.date) -> datetime.date:
    year = today.year
    while True:
        try:
            leap_day = datetime.date(year, 2, 29)
        except ValueError:
            year += 1
            continue
        if leap_day >= today:
            return leap_day
        year += 1


def ci_dates(today: datetime.date) -> list[datetime.date]:
    year = today.year
    return [
        datetime.date(year + 1, 1, 2),
        datetime.date(year + 1, 12, 24),
        datetime.date(year + 1, 9, 15),
        datetime.date(year, 12, 31),
        next_leap_day(today),
    ]


if __name__ == "__main__":  # scripts/test_dates.sh: one ISO date a line
    today = datetime.date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else datetime.date.today()
    print("\n".join(day.isoformat() for day in ci_dates(today)))
