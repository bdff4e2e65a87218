"""Panel 4, supervision (督查): spot checks done this month and the year's coverage, findings by rubric
item, rectification orders open / overdue / closed on time / closed late, and the overdue list.

"This month" and "overdue" are measured on `scope.as_of` (today, or the last day of a past campaign).
Seven queries whatever the number of units."""
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from assessment.models import Enrolment
from greenoffice.dashboard.scope import DashboardScope
from inspections.models import (
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
    Severity,
)

# Supervision visits (the year-end review and the re-checks after it are not supervision).
SUPERVISION_KINDS = (InspectionKind.ROUTINE, InspectionKind.SPOT_CHECK, InspectionKind.UNANNOUNCED)
# The coverage rule ("every unit spot-checked at least once a year") counts spot checks only, as the
# monthly draw does (inspections.services.rounds), so the dashboard and the draw agree on who is left.
COVERAGE_KINDS = (InspectionKind.SPOT_CHECK,)
MONTHLY_KINDS = (InspectionKind.SPOT_CHECK, InspectionKind.UNANNOUNCED, InspectionKind.ROUTINE)
TOP_ITEMS = 10
OVERDUE_LIST = 50


@dataclass
class Supervision:
    month: datetime.date | None = None  # first day of the month reported
    spot_done: int = 0
    spot_planned: int = 0
    unannounced_done: int = 0
    visits_done_month: int = 0
    visits_done_year: int = 0
    enrolled: int = 0
    covered: int = 0
    monthly: list[dict] = field(default_factory=list)  # month, label, counts by kind
    findings_total: int = 0
    findings_serious: int = 0
    findings_open: int = 0
    top_items: list[dict] = field(default_factory=list)
    orders_total: int = 0
    orders_open: int = 0
    orders_overdue: int = 0
    orders_closed_on_time: int = 0
    orders_closed_late: int = 0
    overdue: list[dict] = field(default_factory=list)

    @property
    def coverage_pct(self) -> Decimal | None:
        if not self.enrolled:
            return None
        return (Decimal(self.covered) * 100 / self.enrolled).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def on_time_pct(self) -> Decimal | None:
        closed = self.orders_closed_on_time + self.orders_closed_late
        if not closed:
            return None
        return (Decimal(self.orders_closed_on_time) * 100 / closed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _month_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz),
            timezone.make_aware(datetime.datetime.combine(end, datetime.time.min), tz))


def open_orders_overdue_q(as_of: datetime.date) -> Q:
    return ~Q(status=OrderStatus.CLOSED) & Q(deadline__lt=as_of)


def overdue_orders(scope: DashboardScope, *, limit: int | None = OVERDUE_LIST) -> list[dict]:
    """Open orders past their deadline, longest overdue first, with the days late on `as_of`."""
    if scope.campaign is None:
        return []
    as_of = scope.as_of
    rows = (
        RectificationOrder.objects.filter(campaign=scope.campaign).filter(scope.unit_q("unit"))
        .filter(open_orders_overdue_q(as_of))
        .values("id", "number", "deadline", "status", "unit_id", "unit__name", "unit__code", "unit__district__name",
                "finding__item__code", "finding__item__title", "finding__severity", "escalated_at")
        .order_by("deadline", "number")
    )
    if limit is not None:
        rows = rows[:limit]
    statuses = dict(OrderStatus.choices)
    severities = dict(Severity.choices)
    return [
        {"id": row["id"], "number": row["number"], "deadline": row["deadline"],
         "days_late": (as_of - row["deadline"]).days, "status": statuses.get(row["status"], row["status"]),
         "unit_id": row["unit_id"], "unit": row["unit__name"], "unit_code": row["unit__code"],
         "district": row["unit__district__name"], "item_code": row["finding__item__code"],
         "item_title": row["finding__item__title"],
         "severity": severities.get(row["finding__severity"], row["finding__severity"]),
         "escalated": row["escalated_at"] is not None}
        for row in rows
    ]


def supervision(scope: DashboardScope) -> Supervision:
    panel = Supervision()
    campaign = scope.campaign
    if campaign is None:
        return panel
    as_of = scope.as_of
    panel.month = as_of.replace(day=1)
    month_start, month_end = _month_bounds(as_of)
    completed = Q(status=InspectionStatus.COMPLETED)
    done_this_month = completed & Q(completed_at__gte=month_start, completed_at__lt=month_end)

    inspections = Inspection.objects.filter(campaign=campaign).filter(scope.unit_q("unit"))
    # 1: this month's and this year's visits.
    counts = inspections.aggregate(
        spot_done=Count("id", filter=done_this_month & Q(kind=InspectionKind.SPOT_CHECK)),
        spot_planned=Count("id", filter=Q(kind=InspectionKind.SPOT_CHECK, scheduled_date__gte=panel.month,
                                          scheduled_date__lt=month_end.date()) & ~Q(status=InspectionStatus.CANCELLED)),
        unannounced_done=Count("id", filter=done_this_month & Q(kind=InspectionKind.UNANNOUNCED)),
        visits_done_month=Count("id", filter=done_this_month & Q(kind__in=SUPERVISION_KINDS)),
        visits_done_year=Count("id", filter=completed & Q(kind__in=SUPERVISION_KINDS)),
    )
    for name, value in counts.items():
        setattr(panel, name, value)

    # 2: completed supervision visits per month of the campaign year, by kind (the chart).
    monthly = (
        inspections.filter(completed, kind__in=MONTHLY_KINDS, completed_at__year=campaign.year)
        .annotate(m=ExtractMonth("completed_at"))
        .order_by()
        .values("m", "kind")
        .annotate(n=Count("id"))
    )
    by_month = {m: dict.fromkeys(MONTHLY_KINDS, 0) for m in range(1, 13)}
    for row in monthly:
        by_month[row["m"]][row["kind"]] = row["n"]
    panel.monthly = [{"month": m, "counts": by_month[m]} for m in range(1, 13)]

    # 3: coverage: enrolled units with at least one completed spot check in this campaign.
    visited = Inspection.objects.filter(enrolment=OuterRef("pk"), status=InspectionStatus.COMPLETED,
                                        kind__in=COVERAGE_KINDS)
    coverage = (Enrolment.objects.filter(campaign=campaign).filter(scope.unit_q("unit"))
                .aggregate(enrolled=Count("id"), covered=Count("id", filter=Exists(visited))))
    panel.enrolled, panel.covered = coverage["enrolled"], coverage["covered"]

    findings = Finding.objects.filter(campaign=campaign).filter(scope.unit_q("unit"))
    # 4: findings in all.
    finding_counts = findings.aggregate(
        total=Count("id"), serious=Count("id", filter=Q(severity=Severity.SERIOUS)),
        open=Count("id", filter=Q(rectified_at__isnull=True)),
    )
    panel.findings_total = finding_counts["total"]
    panel.findings_serious = finding_counts["serious"]
    panel.findings_open = finding_counts["open"]
    # 5: the rubric items with the most findings.
    top_items = (
        findings.order_by()
        .values("item__code", "item__title", "item__order")
        .annotate(n=Count("id"), serious=Count("id", filter=Q(severity=Severity.SERIOUS)),
                  open=Count("id", filter=Q(rectified_at__isnull=True)), units=Count("unit_id", distinct=True))
        .order_by("-n", "item__order")[:TOP_ITEMS]
    )
    panel.top_items = [
        {"rank": rank, "code": row["item__code"], "title": row["item__title"], "n": row["n"],
         "serious": row["serious"], "open": row["open"], "units": row["units"]}
        for rank, row in enumerate(top_items, start=1)
    ]

    # 6: rectification orders by how they stand. "On time" compares the local closing day with the deadline.
    closed = Q(status=OrderStatus.CLOSED)
    orders = (RectificationOrder.objects.filter(campaign=campaign).filter(scope.unit_q("unit"))
              .aggregate(
                  total=Count("id"),
                  open=Count("id", filter=~closed),
                  overdue=Count("id", filter=open_orders_overdue_q(as_of)),
                  closed_on_time=Count("id", filter=closed & Q(closed_at__date__lte=F("deadline"))),
                  closed_late=Count("id", filter=closed & Q(closed_at__date__gt=F("deadline"))),
              ))
    panel.orders_total = orders["total"]
    panel.orders_open = orders["open"]
    panel.orders_overdue = orders["overdue"]
    panel.orders_closed_on_time = orders["closed_on_time"]
    panel.orders_closed_late = orders["closed_late"]

    # 7: the overdue list.
    panel.overdue = overdue_orders(scope)
    return panel
