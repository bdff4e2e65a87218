"""A unit's carbon account (碳排放核算) from its ledger: pure functions, no Django and no ORM.

Like assessment.ledger.indicators (whose totals it reads): selectors load rows and call these; the
tests check them by hand. The explanation lines are Chinese because they are shown verbatim.

Rules, in one place:
- Factors are dated data (EmissionFactor rows, defaults in data/emission_factors.yaml). Electricity
  uses the average CO₂ factor of the grid the campaign names (else the city default): the row of that
  grid with the largest data year ≤ the account's year, so the latest published year serves later
  years until a new one is entered; a grid with no row at all falls back to the national row; a year
  before every row uses the earliest row. Natural gas, gasoline, diesel and heat use the same rule
  with their one national row. Every fallback is stated in the calculation.
- Litres of gasoline and diesel become kilograms with the density of the ledger's kgce factor in
  force for the month (the one place the ledger defines it).
- Scope 1 (direct): natural gas, gasoline and diesel burned on site and in official vehicles.
  Scope 2 (indirect): purchased electricity and heat. Total = Scope 1 + Scope 2.
- Per person = total ÷ mean headcount (tCO₂/人); per m² = (total − official-vehicle fuel) ÷ mean
  floor area (kgCO₂/m²), the same boundary as the kgce per-area figure.
- Change against the baseline year: over the same months, as for energy (indicators.change_pct).
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from assessment import power_grids
from assessment.ledger import indicators as ind

ZERO = Decimal(0)
THOUSAND = Decimal(1000)
SCOPE_1, SCOPE_2 = 1, 2
SCOPE_2_KINDS = frozenset({ind.ELECTRICITY, ind.HEAT})
FUEL_KINDS = (ind.NATURAL_GAS, ind.GASOLINE, ind.DIESEL, ind.HEAT)
# The unit each factor is expressed per (kgCO₂ per this), as the kgce factors are.
FACTOR_UNITS = ind.KIND_FACTOR_UNITS

# What the account covers and leaves out, as the public-institution energy statistics draw the line
# (公共机构能源资源消费统计制度): the energy a unit buys and burns, nothing else.
BOUNDARY = (
    "核算边界:本单位(含公务用车)消耗的外购电力、外购热力(范围二)和天然气、汽油、柴油(范围一),"
    "与公共机构能源资源消费统计口径一致。"
    "未计入:制冷剂等逸散排放、废弃物处理、员工通勤和差旅、用水和用纸、台账未记录的其他能源"
    "(如液化石油气、煤炭);自有光伏等可再生能源发电自用部分不产生排放;"
    "购买绿电、绿证不在本口径内抵扣(采用电力平均排放因子)。"
)


def fmt_t(kg: Decimal | None, places: int = 3) -> str:
    """kgCO₂ shown in tonnes: `257.568`."""
    return ind.fmt(None if kg is None else kg / THOUSAND, places)


# --- factors -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EmissionFactor:
    kind: str
    grid: str  # "" for fuels and heat
    year: int
    kgco2_per_unit: Decimal
    source: str = ""

    def describe(self) -> str:
        return f"{ind.fmt_points(self.kgco2_per_unit)} kgCO₂/{FACTOR_UNITS[self.kind]}"


@dataclass(frozen=True)
class ChosenFactor:
    factor: EmissionFactor
    note: str = ""  # why another year or grid than asked was used


class EmissionTable:
    """Every emission factor row; picks one per kind for a year and a grid (rule in the module doc)."""

    def __init__(self, factors: Iterable[EmissionFactor]):
        self._rows: dict[tuple[str, str], list[EmissionFactor]] = {}
        for factor in factors:
            self._rows.setdefault((factor.kind, factor.grid), []).append(factor)
        for rows in self._rows.values():
            rows.sort(key=lambda f: f.year)

    def _by_year(self, rows: list[EmissionFactor], year: int) -> tuple[EmissionFactor, str]:
        earlier = [f for f in rows if f.year <= year]
        if earlier:
            chosen = earlier[-1]
            note = "" if chosen.year == year else f"{year}年因子尚未发布,采用最近发布的{chosen.year}年因子"
            return chosen, note
        chosen = rows[0]
        return chosen, f"{year}年早于最早发布的{chosen.year}年因子,采用{chosen.year}年因子"

    def choose(self, kind: str, year: int, grid: str = power_grids.NATIONAL) -> ChosenFactor | None:
        if kind != ind.ELECTRICITY:
            rows = self._rows.get((kind, "")) or self._rows.get((kind, power_grids.NATIONAL))
            if not rows:
                return None
            factor, note = self._by_year(rows, year)
            # Fuel and heat defaults are standing values, not a yearly publication: only a year before
            # the first one is worth a note.
            return ChosenFactor(factor, note if year < factor.year else "")
        notes = []
        rows = self._rows.get((kind, grid))
        if not rows and grid != power_grids.NATIONAL:
            notes.append(f"未录入{power_grids.grid_label(grid)}电力排放因子,采用全国电力平均二氧化碳排放因子")
            rows = self._rows.get((kind, power_grids.NATIONAL))
        if not rows:
            return None
        factor, note = self._by_year(rows, year)
        if note:
            notes.append(note)
        return ChosenFactor(factor, ";".join(notes))

    def for_year(self, year: int, grid: str = power_grids.NATIONAL) -> "YearFactors":
        chosen = {}
        for kind in ind.ENERGY_KINDS:
            found = self.choose(kind, year, grid)
            if found is not None:
                chosen[kind] = found
        return YearFactors(year=year, grid=grid, chosen=chosen)


@dataclass(frozen=True)
class YearFactors:
    """The emission factors of one account year, one per energy kind (missing kinds absent)."""

    year: int
    grid: str
    chosen: Mapping[str, ChosenFactor]

    def get(self, kind: str) -> EmissionFactor | None:
        found = self.chosen.get(kind)
        return found.factor if found else None

    @property
    def grid_label(self) -> str:
        return power_grids.grid_label(self.grid)

    @property
    def notes(self) -> list[str]:
        return [f"{ind.KIND_LABELS[kind]}:{c.note}" for kind, c in self.chosen.items() if c.note]

    def source_lines(self) -> list[str]:
        return [f"{ind.KIND_LABELS[kind]} {c.factor.describe()}({c.factor.source})"
                for kind, c in self.chosen.items()]


DEFAULT_FACTORS_PATH = Path(__file__).parent / "data" / "emission_factors.yaml"


def load_default_factors(path: Path = DEFAULT_FACTORS_PATH) -> list[dict]:
    """The data file's rows as EmissionFactor field values (kind, grid, year, kgco2_per_unit, source,
    verified), checked: known kinds and grids, no duplicate (kind, grid, year)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for row in data.get("electricity", []):
        rows.append({"kind": ind.ELECTRICITY, "grid": row["grid"], "year": int(row["year"]),
                     "kgco2_per_unit": Decimal(str(row["factor"])), "source": row["source"],
                     "verified": row.get("verified", "")})
    for row in data.get("fuels", []):
        rows.append({"kind": row["kind"], "grid": "", "year": int(row["year"]),
                     "kgco2_per_unit": Decimal(str(row["factor"])), "source": row["source"],
                     "verified": row.get("verified", "")})
    seen = set()
    for row in rows:
        key = (row["kind"], row["grid"], row["year"])
        if row["kind"] not in ind.ENERGY_KINDS or (row["grid"] and row["grid"] not in power_grids.GRID_LABELS):
            raise ValueError(f"emission factor row {key}: unknown kind or grid")
        if key in seen:
            raise ValueError(f"emission factor row {key} appears twice")
        seen.add(key)
    return rows


# --- the account -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceLine:
    """One energy field's emissions in the account."""

    name: str
    label: str
    scope: int
    kg: Decimal


class InTonnes:
    """tCO₂ views of a record that holds kgCO₂ in `total_kg`, `scope1_kg` and `scope2_kg`."""

    total_kg: Decimal
    scope1_kg: Decimal
    scope2_kg: Decimal

    @property
    def total_t(self) -> Decimal:
        return self.total_kg / THOUSAND

    @property
    def scope1_t(self) -> Decimal:
        return self.scope1_kg / THOUSAND

    @property
    def scope2_t(self) -> Decimal:
        return self.scope2_kg / THOUSAND


@dataclass(frozen=True)
class CarbonAccount(InTonnes):
    year: int
    months: tuple[int, ...]
    grid: str
    kg_by_field: Mapping[str, Decimal]
    scope1_kg: Decimal
    scope2_kg: Decimal
    vehicle_kg: Decimal
    total_kg: Decimal
    headcount: Decimal | None
    floor_area: Decimal | None
    per_capita_t: Decimal | None  # tCO₂ per person
    per_area_kg: Decimal | None  # kgCO₂ per m², without official-vehicle fuel
    lines: tuple[str, ...]
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def building_kg(self) -> Decimal:
        return self.total_kg - self.vehicle_kg

    @property
    def months_label(self) -> str:
        return ind.months_label(self.months)

    @property
    def complete(self) -> bool:
        return self.months == ind.MONTHS

    @property
    def grid_label(self) -> str:
        return power_grids.grid_label(self.grid)

    @property
    def sources(self) -> list[SourceLine]:
        """Emissions by field, Scope 2 first (electricity is most of a building's emissions)."""
        rows = [SourceLine(name, ind.FIELDS_BY_NAME[name].label, scope_of(ind.FIELDS_BY_NAME[name].kind), kg)
                for name, kg in self.kg_by_field.items()]
        return sorted(rows, key=lambda r: (-r.scope, ind.FIELD_NAMES.index(r.name)))


def scope_of(kind: str) -> int:
    return SCOPE_2 if kind in SCOPE_2_KINDS else SCOPE_1


def compute_account(totals: ind.YearTotals, factors: YearFactors, *, explain: bool = True) -> CarbonAccount:
    """The account of one unit over the months in `totals`, with the calculation line by line (left
    out with explain=False: a dashboard of 10,000 units needs the numbers only)."""
    lines: list[str] = []
    kg_by_field: dict[str, Decimal] = {}
    missing: list[str] = []
    split = len(totals.periods) > 1
    for period in totals.periods:
        suffix = f"({ind.months_label(period.months)})" if split else ""
        for qf in ind.QUANTITY_FIELDS:
            if qf.kind is None:
                continue
            quantity = period.quantities.get(qf.name, ZERO)
            if not quantity:
                continue
            factor = factors.get(qf.kind)
            if factor is None:
                missing.append(f"{ind.KIND_LABELS[qf.kind]}{suffix}(缺少排放因子)")
                continue
            density = None
            if qf.kind in ind.KINDS_WITH_DENSITY:
                kgce_factor = period.factors.get(qf.kind)
                density = kgce_factor.density if kgce_factor is not None else None
                if density is None:
                    missing.append(f"{qf.label}{suffix}(缺少密度)")
                    continue
                kg = quantity * density * factor.kgco2_per_unit
            else:
                kg = quantity * factor.kgco2_per_unit
            kg_by_field[qf.name] = kg_by_field.get(qf.name, ZERO) + kg
            if not explain:
                continue
            how = factor.describe() if density is None else f"{ind.fmt_points(density)} kg/L × {factor.describe()}"
            scope = "范围二" if scope_of(qf.kind) == SCOPE_2 else "范围一"
            lines.append(f"{qf.label}{suffix}({scope}):{ind.fmt_qty(quantity)} {qf.unit} × {how} = "
                         f"{ind.fmt(kg)} kgCO₂")
    scope1 = scope2 = vehicle = ZERO
    for name, kg in kg_by_field.items():  # one pass: the dashboard runs this for every unit twice
        qf = ind.FIELDS_BY_NAME[name]
        if qf.kind in SCOPE_2_KINDS:
            scope2 += kg
        else:
            scope1 += kg
        if qf.vehicle:
            vehicle += kg
    total = scope1 + scope2
    headcount, area = totals.headcount, totals.floor_area
    per_capita = total / THOUSAND / headcount if headcount else None
    building = total - vehicle
    per_area = building / area if area else None
    if explain:
        lines.extend(_summary_lines(bool(kg_by_field), scope1, scope2, vehicle, missing, headcount, area,
                                    per_capita, per_area))
    return CarbonAccount(
        year=totals.year, months=totals.months, grid=factors.grid, kg_by_field=kg_by_field,
        scope1_kg=scope1, scope2_kg=scope2, vehicle_kg=vehicle, total_kg=total,
        headcount=headcount, floor_area=area, per_capita_t=per_capita, per_area_kg=per_area,
        lines=tuple(lines), notes=tuple(factors.notes), missing=tuple(missing),
    )


def _summary_lines(any_energy, scope1, scope2, vehicle, missing, headcount, area, per_capita, per_area):
    total = scope1 + scope2
    lines = []
    if any_energy:
        lines.append(f"范围一(直接排放)= {ind.fmt(scope1)} kgCO₂;范围二(外购电力、热力)= {ind.fmt(scope2)} kgCO₂")
        lines.append(f"碳排放总量 = {ind.fmt(scope1)} + {ind.fmt(scope2)} = {ind.fmt(total)} kgCO₂ = "
                     f"{fmt_t(total)} tCO₂(其中公务车用油 {fmt_t(vehicle)} tCO₂)")
    else:
        lines.append("碳排放总量 = 0 tCO₂(无能源消耗记录)")
    if missing:
        lines.append(f"未计入:{'、'.join(missing)}")
    if headcount is None:
        lines.append(f"用能人数为0,人均碳排放{ind.CANNOT}")
    else:
        lines.append(f"人均碳排放 = {fmt_t(total)} tCO₂ ÷ {ind.fmt_mean(headcount)} 人 = "
                     f"{ind.fmt(per_capita, 3)} tCO₂/人")
    if area is None:
        lines.append(f"建筑面积为0,单位建筑面积碳排放{ind.CANNOT}")
    else:
        lines.append(f"单位建筑面积碳排放(不含公务车用油)= {ind.fmt(total - vehicle)} kgCO₂ ÷ "
                     f"{ind.fmt_mean(area)} m² = {ind.fmt(per_area, 2)} kgCO₂/m²")
    return lines


# --- comparisons and targets -------------------------------------------------------------------------

CHANGE_SPECS = (
    ("total_t", "碳排放总量", "tCO₂", 3),
    ("per_capita_t", "人均碳排放", "tCO₂/人", 3),
    ("per_area_kg", "单位建筑面积碳排放", "kgCO₂/m²", 2),
)


def compute_changes(current: CarbonAccount, baseline: CarbonAccount | None) -> dict[str, ind.Change]:
    """Against the baseline year over the same months (the caller restricts them). Each year uses its
    own year's factors, so a cleaner grid shows as a fall: that is what was emitted."""
    changes = {}
    for key, label, unit, places in CHANGE_SPECS:
        now = getattr(current, key)
        then = getattr(baseline, key) if baseline is not None else None
        changes[key] = ind.Change(key, label, unit, places, now, then, ind.change_pct(now, then))
    return changes


def check_target(account: CarbonAccount, *, per_capita_target_t: Decimal | None,
                 per_area_target_kg: Decimal | None) -> ind.TargetCheck:
    """Annual carbon-intensity targets prorated to the months recorded, as the energy targets are."""
    share = Decimal(len(account.months)) / Decimal(12)
    pc_limit = per_capita_target_t * share if per_capita_target_t is not None else None
    pa_limit = per_area_target_kg * share if per_area_target_kg is not None else None
    return ind.TargetCheck(
        per_capita_limit=pc_limit,
        per_area_limit=pa_limit,
        per_capita_over=bool(pc_limit is not None and account.per_capita_t is not None
                             and account.per_capita_t > pc_limit),
        per_area_over=bool(pa_limit is not None and account.per_area_kg is not None and account.per_area_kg > pa_limit),
    )


def month_kg(quantities: Mapping[str, Decimal], kgce_factors: ind.FactorSet, factors: YearFactors) -> Decimal:
    """One month's (or one month's sum over units) kgCO₂, for trends; what can't be computed is left out."""
    total = ZERO
    for qf in ind.QUANTITY_FIELDS:
        quantity = quantities.get(qf.name)
        factor = factors.get(qf.kind) if qf.kind else None
        if not quantity or factor is None:
            continue
        if qf.kind in ind.KINDS_WITH_DENSITY:
            kgce_factor = kgce_factors.get(qf.kind)
            if kgce_factor is None or kgce_factor.density is None:
                continue
            total += Decimal(quantity) * kgce_factor.density * factor.kgco2_per_unit
        else:
            total += Decimal(quantity) * factor.kgco2_per_unit
    return total
