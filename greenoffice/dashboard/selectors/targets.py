"""Panel 2, targets (目标任务): certified this campaign against the year's target count, the share of
active units holding a valid certificate against the multi-year goal, and a forecast from the pipeline.

Two queries, both grouped by district (the totals are their sums): enrolments with conditional counts
by stage and year-end result, and active units with whether they hold a valid certificate."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef

from assessment import figures
from assessment.models import Enrolment
from greenoffice.dashboard.scope import DashboardScope
from inspections.models import Certificate, CertificateStatus
from inspections.selectors.forecast import FORECAST_COUNTERS, forecast_annotations
from units.models import Unit


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class DistrictTargets:
    district_id: int
    name: str
    sort_key: tuple = ()
    enrolled: int = 0
    certified: int = 0
    secured: int = 0
    likely: int = 0
    pipeline: int = 0
    finalised: int = 0
    finalised_certified: int = 0
    active_units: int = 0
    with_certificate: int = 0

    @property
    def share(self) -> Decimal | None:
        return _pct(self.with_certificate, self.active_units)


@dataclass
class Targets:
    target_count: int = 0
    target_share: Decimal | None = None
    target_year: int | None = None
    narrowed: bool = False  # the targets are city-wide but the numbers are a part of the city
    totals: DistrictTargets = field(default_factory=lambda: DistrictTargets(0, ""))
    districts: list[DistrictTargets] = field(default_factory=list)

    @property
    def certified_pct(self) -> Decimal | None:
        return _pct(self.totals.certified, self.target_count)

    @property
    def share(self) -> Decimal | None:
        return self.totals.share

    @property
    def forecast(self) -> figures.Forecast:
        """The one forecast method (assessment.figures.forecast), shared with the campaign summary PDF."""
        return figures.forecast(figures.ForecastCounts(
            **{name: getattr(self.totals, name) for name in FORECAST_COUNTERS}))

    @property
    def forecast_min(self) -> int:
        return self.forecast.low

    @property
    def forecast_max(self) -> int:
        return self.forecast.high

    @property
    def pass_rate(self) -> Decimal | None:
        return self.forecast.pass_rate

    @property
    def pass_rate_pct(self) -> Decimal | None:
        return _pct(self.totals.finalised_certified, self.totals.finalised)

    @property
    def forecast_expected(self) -> int | None:
        return self.forecast.expected

    @property
    def forecast_pct(self) -> Decimal | None:
        return _pct(self.forecast.point, self.target_count)


_DISTRICT_FIELDS = ("district_id", "district__name", "district__sort_order", "district__code")


def targets(scope: DashboardScope) -> Targets:
    campaign = scope.campaign
    if campaign is None:
        return Targets()
    panel = Targets(
        target_count=campaign.target_certified_count,
        target_share=campaign.target_share,
        target_year=campaign.target_year,
        narrowed=bool(scope.district or scope.category or scope.unit_q()),
    )
    districts: dict[int, DistrictTargets] = {}

    def district_of(row, prefix) -> DistrictTargets:
        pk = row[f"{prefix}district_id"]
        if pk not in districts:
            districts[pk] = DistrictTargets(
                district_id=pk, name=row[f"{prefix}district__name"],
                sort_key=(row[f"{prefix}district__sort_order"], row[f"{prefix}district__code"]))
        return districts[pk]

    pass_mark = campaign.rubric.pass_mark
    enrolment_rows = (
        Enrolment.objects.filter(campaign=campaign).filter(scope.unit_q("unit"))
        .order_by()
        .values(*(f"unit__{name}" for name in _DISTRICT_FIELDS))
        .annotate(enrolled=Count("id"), **forecast_annotations(pass_mark=pass_mark))
    )
    counters = ("enrolled", *FORECAST_COUNTERS)
    for row in enrolment_rows:
        district = district_of(row, "unit__")
        for name in counters:
            setattr(district, name, row[name])

    as_of = scope.as_of
    valid_certificate = Certificate.objects.filter(
        unit=OuterRef("pk"), status=CertificateStatus.VALID, issued_on__lte=as_of, valid_until__gte=as_of,
    )
    unit_rows = (
        Unit.objects.filter(is_active=True).filter(scope.unit_q(""))
        .order_by()
        .values(*_DISTRICT_FIELDS)
        .annotate(active_units=Count("id"), with_certificate=Count("id", filter=Exists(valid_certificate)))
    )
    for row in unit_rows:
        district = district_of(row, "")
        district.active_units = row["active_units"]
        district.with_certificate = row["with_certificate"]

    panel.districts = sorted(districts.values(), key=lambda d: d.sort_key)
    totals = DistrictTargets(district_id=0, name="")
    for district in panel.districts:
        for name in (*counters, "active_units", "with_certificate"):
            setattr(totals, name, getattr(totals, name) + getattr(district, name))
    panel.totals = totals
    return panel
