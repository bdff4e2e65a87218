"""What the steps of `seed_demo` share: the context they fill in turn, and the demo's clock.

The demo city's story happens over a campaign dated around the day it is built (`DemoCalendar`), but
the services stamp their rows with `timezone.now()` (or take a `today=` that only checks dates).
`History` moves what a service call just wrote to the day the story says it happened: only fields
that record *when* (stage-transition times, notification times, submitted/decided/completed/closed
stamps), never a state, a score or a number; the steps set the record's own stamps (submitted_at,
completed_at, closed_at ...) the same way. The audit trail's times (AuditEvent.at) and
django-simple-history's history_date move with them, so a record's "办理记录" and its change history
tell the same story as its own dates; who did what, and what changed, stay as the services wrote them."""
import datetime
import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from assessment.models import Campaign, Enrolment, ItemResponse, RubricVersion, SelfAssessment, StageTransition
from greenoffice.demo.calendar import DemoCalendar
from greenoffice.models import AuditEvent
from inspections.models import ItemVerification, Notification, YearEndReview
from units.models import District, Role, Unit, User

# Seeds the random details (names, scores, who goes where); not a date: the dates follow the day the
# demo is built (greenoffice.demo.calendar).
DEMO_SEED = 2026


def moment(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A local time on `day` (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def add_days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


@dataclass
class SeedContext:
    write: Callable
    reset_passwords: bool = False
    today: datetime.date = field(default_factory=timezone.localdate)
    districts: dict[str, District] = field(default_factory=dict)  # by district code
    units: dict[str, Unit] = field(default_factory=dict)  # by unit code
    units_by_name: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by username
    rubric: RubricVersion | None = None
    campaign: Campaign | None = None
    calendar: DemoCalendar | None = None  # set with the campaign: the story's dates
    # unit code → the user who acts for the unit (a demo director, or the unit's liaison account)
    liaisons: dict[str, User] = field(default_factory=dict)
    # unit code → what the demo's story makes of the unit this year (see greenoffice.demo.story.STORIES)
    stories: dict[str, str] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    _inspector_reach: list | None = None

    def count(self, what: str, n: int = 1):
        if n:
            self.created[what] = self.created.get(what, 0) + n

    def rng(self, key: str) -> random.Random:
        # One generator per object: adding or skipping rows never shifts anyone else's details.
        return random.Random(f"{DEMO_SEED}:{key}")

    def inspectors_for(self, unit: Unit) -> list[User]:
        """The demo inspectors who may act on `unit`: it is in their scope and they are not its members."""
        if self._inspector_reach is None:
            inspectors = User.objects.filter(role=Role.INSPECTOR, username__in=list(self.users)).order_by("username")
            self._inspector_reach = [
                (user, set(user.districts.values_list("pk", flat=True)),
                 set(user.memberships.values_list("unit_id", flat=True)))
                for user in inspectors
            ]
        return [user for user, districts, members in self._inspector_reach
                if unit.pk not in members and (not districts or unit.district_id in districts)]

    def enrolments(self) -> dict[str, Enrolment]:
        """The campaign's enrolments by unit code, fresh from the database."""
        return {
            e.unit.code: e
            for e in Enrolment.objects.filter(campaign=self.campaign).select_related("unit", "campaign__rubric")
        }


class History:
    """`with history.at(when):` around service calls moves the time stamps they wrote to `when`."""

    # Rows the services write with the current time, and the field that holds it. The audit trail is
    # moved as well, so a record's "办理记录" agrees with its own dates.
    STAMPED = (
        (AuditEvent, "at"), (StageTransition, "at"), (Notification, "created_at"),
        (SelfAssessment.history.model, "history_date"), (ItemResponse.history.model, "history_date"),
        (Enrolment.history.model, "history_date"), (YearEndReview.history.model, "history_date"),
        (ItemVerification.history.model, "history_date"),
    )

    def __init__(self, today: datetime.date):
        self.today = today
        quote = connection.ops.quote_name
        # One query for every table's highest id (this runs around each of some 500 story events).
        self._marks_sql = "SELECT " + ", ".join(
            f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"
            for model, _stamp in self.STAMPED
        )

    def _high_water_marks(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(self._marks_sql)
            return [mark or 0 for mark in cursor.fetchone()]

    @contextmanager
    def at(self, when: datetime.datetime):
        marks = dict(zip(self.STAMPED, self._high_water_marks(), strict=True))
        yield
        for (model, stamp), mark in marks.items():
            model.objects.filter(pk__gt=mark).update(**{stamp: when})
        moved = StageTransition.objects.filter(pk__gt=marks[(StageTransition, "at")])
        enrolment_ids = list(moved.values_list("enrolment_id", flat=True).distinct())
        if enrolment_ids:
            Enrolment.objects.filter(pk__in=enrolment_ids).update(stage_changed_at=when)
        # Notices older than a week have been read by now; recent ones wait in the bell.
        if when.date() < add_days(self.today, -7):
            Notification.objects.filter(pk__gt=marks[(Notification, "created_at")]).update(
                read_at=when + datetime.timedelta(hours=20))
