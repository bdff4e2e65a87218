"""Panel 5, carbon (碳排放): the campaign year's CO₂ of the units in scope from their energy ledger, by
district and by category, the monthly trend against the year before, and the units whose emissions
rose most on the year before over the same months.

Every figure is the ledger's carbon account (assessment.ledger.carbon), computed from the same grouped
sums as the ledger's panel (selectors.aggregate_year_totals): a fixed number of queries whatever the
number of units: units, kgce factors, emission factors, this year's and last year's sums, the trend."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from assessment.ledger import carbon
from assessment.ledger import indicators as ind
from assessment.ledger.models import MonthlyRecord
from assessment.ledger.selectors import (
    QUANTITY_SUMS,
    aggregate_year_totals,
    electricity_grid,
    emission_table,
    factor_table,
)
from greenoffice.dashboard.scope import DashboardScope
from units.models import Unit, UnitCategory

RISERS = 10  # units listed as the largest rises
THOUSAND = Decimal(1000)


@dataclass
class CarbonGroup(carbon.InTonnes):
    """Sums of the accounts of the units in a district or a category."""

    key: str
    label: str
    sort_key: tuple = ()
    units: int = 0
    reporting: int = 0
    total_kg: Decimal = ind.ZERO
    scope1_kg: Decimal = ind.ZERO
    scope2_kg: Decimal = ind.ZERO
    _pc_kg: Decimal = ind.ZERO
    _headcount: Decimal = ind.ZERO
    _area_kg: Decimal = ind.ZERO
    _area: Decimal = ind.ZERO
    compared: int = 0  # units with last year's same months
    compared_kg: Decimal = ind.ZERO
    compared_previous_kg: Decimal = ind.ZERO

    def add(self, account: carbon.CarbonAccount | None, previous: carbon.CarbonAccount | None):
        self.units += 1
        if account is None:
            return
        self.reporting += 1
        self.total_kg += account.total_kg
        self.scope1_kg += account.scope1_kg
        self.scope2_kg += account.scope2_kg
        if account.headcount:
            self._pc_kg += account.total_kg
            self._headcount += account.headcount
        if account.floor_area:
            self._area_kg += account.building_kg
            self._area += account.floor_area
        if previous is not None:
            self.compared += 1
            self.compared_kg += account.total_kg
            self.compared_previous_kg += previous.total_kg

    @property
    def per_capita_t(self) -> Decimal | None:
        """Total of the units with a headcount ÷ their headcount (tCO₂/人)."""
        return self._pc_kg / THOUSAND / self._headcount if self._headcount else None

    @property
    def per_area_kg(self) -> Decimal | None:
        """Building emissions (no vehicle fuel) ÷ floor area of the units with one (kgCO₂/m²)."""
        return self._area_kg / self._area if self._area else None

    @property
    def change_pct(self) -> Decimal | None:
        """Of the units with last year's same months: change of their summed emissions."""
        return ind.change_pct(self.compared_kg, self.compared_previous_kg) if self.compared else None


@dataclass
class Riser:
    unit_id: int
    code: str
    name: str
    district: str
    category: str
    months_label: str
    current_t: Decimal
    previous_t: Decimal
    rise_t: Decimal
    pct: Decimal | None


@dataclass
class UnitCarbonRow:
    unit_id: int
    code: str
    name: str
    district: str
    category: str
    account: carbon.CarbonAccount | None
    previous: carbon.CarbonAccount | None


@dataclass
class CarbonPanel:
    year: int | None = None
    grid_label: str = ""
    factor_lines: list[str] = field(default_factory=list)
    factor_notes: list[str] = field(default_factory=list)
    totals: CarbonGroup = field(default_factory=lambda: CarbonGroup("", ""))
    districts: list[CarbonGroup] = field(default_factory=list)
    categories: list[CarbonGroup] = field(default_factory=list)
    risers: list[Riser] = field(default_factory=list)
    units: list[UnitCarbonRow] = field(default_factory=list)
    trend: dict = field(default_factory=dict)
    boundary: str = carbon.BOUNDARY


def carbon_panel(scope: DashboardScope) -> CarbonPanel:
    campaign = scope.campaign
    if campaign is None:
        return CarbonPanel()
    year = campaign.year
    grid = electricity_grid(campaign)
    emissions = emission_table()
    table = factor_table()
    factors = emissions.for_year(year, grid)
    previous_factors = emissions.for_year(year - 1, grid)
    units = list(
        Unit.objects.filter(is_active=True).filter(scope.unit_q(""))
        .order_by("district__sort_order", "district__code", "code")
        .values("pk", "code", "name", "category", "district_id", "district__name", "district__sort_order",
                "district__code")
    )
    record_filter = Q(unit__is_active=True) & scope.unit_q("unit")
    current = aggregate_year_totals(year=year, table=table, record_filter=record_filter)
    # Last year over the months each unit has this year (a unit's months, not the city's).
    same_month_this_year = MonthlyRecord.objects.filter(unit_id=OuterRef("unit_id"), year=year, month=OuterRef("month"))
    previous = aggregate_year_totals(year=year - 1, table=table,
                                     record_filter=record_filter & Q(Exists(same_month_this_year)))

    panel = CarbonPanel(year=year, grid_label=factors.grid_label, factor_lines=factors.source_lines(),
                        factor_notes=factors.notes)
    districts: dict[int, CarbonGroup] = {}
    categories: dict[str, CarbonGroup] = {}
    category_order = {value: i for i, value in enumerate(UnitCategory.values)}
    category_labels = {value: str(label) for value, label in UnitCategory.choices}  # translated once, not per unit
    risers = []
    for unit in units:
        totals = current.get(unit["pk"])
        account = carbon.compute_account(totals, factors, explain=False) if totals is not None else None
        before = None
        if account is not None and unit["pk"] in previous:
            prev_totals = previous[unit["pk"]]
            if prev_totals.months == account.months:
                before = carbon.compute_account(prev_totals, previous_factors, explain=False)
        label = category_labels.get(unit["category"], unit["category"])
        district = districts.setdefault(unit["district_id"], CarbonGroup(
            str(unit["district_id"]), unit["district__name"],
            sort_key=(unit["district__sort_order"], unit["district__code"])))
        district.add(account, before)
        categories.setdefault(unit["category"], CarbonGroup(
            unit["category"], label, sort_key=(category_order.get(unit["category"], 99),))).add(account, before)
        panel.totals.add(account, before)
        panel.units.append(UnitCarbonRow(unit["pk"], unit["code"], unit["name"], unit["district__name"], label,
                                         account, before))
        if before is not None and account.total_kg > before.total_kg:
            risers.append(Riser(
                unit_id=unit["pk"], code=unit["code"], name=unit["name"], district=unit["district__name"],
                category=label, months_label=account.months_label, current_t=account.total_t,
                previous_t=before.total_t, rise_t=account.total_t - before.total_t,
                pct=ind.change_pct(account.total_kg, before.total_kg),
            ))
    panel.districts = sorted(districts.values(), key=lambda g: g.sort_key)
    panel.categories = sorted(categories.values(), key=lambda g: g.sort_key)
    panel.risers = sorted(risers, key=lambda r: (-r.rise_t, r.code))[:RISERS]
    panel.trend = monthly_carbon(year=year, record_filter=record_filter, table=table,
                                 factors={year: factors, year - 1: previous_factors})
    return panel


def monthly_carbon(*, year: int, record_filter: Q, table: ind.FactorTable,
                   factors: dict[int, carbon.YearFactors]) -> dict:
    """tCO₂ by month of `year` and the year before, over the given records (one query)."""
    rows = (MonthlyRecord.objects.filter(record_filter, year__in=[year - 1, year])
            .values("year", "month").annotate(**QUANTITY_SUMS).order_by("year", "month"))
    by_year: dict[int, dict[int, Decimal]] = {year - 1: {}, year: {}}
    for row in rows:
        kg = carbon.month_kg(row, table.for_month(row["year"], row["month"]), factors[row["year"]])
        by_year[row["year"]][row["month"]] = kg / THOUSAND
    return {"months": list(ind.MONTHS), "years": [year, year - 1],
            "series": {y: [by_year[y].get(m) for m in ind.MONTHS] for y in (year, year - 1)}}
