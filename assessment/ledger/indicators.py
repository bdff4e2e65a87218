"""Energy and resource indicators and the suggested scores of rubric items 2.1–2.4: pure functions.

No Django and no ORM here (like assessment.scoring): selectors load rows, build the inputs below and
call these functions; the tests check them with hand-computed numbers. Explanations are Chinese
because they are shown verbatim to the unit and to the year-end reviewer.

Rules, in one place:
- Standard coal: each energy quantity × the factor valid on the first day of its month (a dated
  table; liquid fuels recorded in litres are converted with the factor's density first). Water and
  paper are not energy.
- Total energy includes official-vehicle fuel; energy per floor area excludes it (vehicles are not
  the building). Per-capita figures divide by the mean headcount of the months whose snapshot is
  above zero; a zero headcount or area gives 无法计算, never a division by zero.
- Item 2.1: ratio = the unit's indicator ÷ the same-category average of the previous year over the
  same months, rounded half-up to 4 decimals, then banded: ≤0.9 → 8, ≤1.0 → 7, ≤1.1 → 5, ≤1.2 → 3,
  else 0. Score = band(per-capita ratio) × 50% + band(per-area ratio) × 50%, scaled by
  max_points ÷ 8 when the rubric gives the item other than 8 points.
- Items 2.2–2.4: change on the baseline year over the same months (electricity total, water per
  capita, paper total), rounded half-up to 2 decimals in %; a fall of at least the target keeps the
  points, otherwise the rubric's “未达到…指标” deduction applies. Deductions that data cannot judge
  (e.g. 无节电措施) are left to the reviewer.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

ZERO = Decimal(0)
HUNDRED = Decimal(100)
RATIO_PLACES = Decimal("0.0001")
PCT_PLACES = Decimal("0.01")

ELECTRICITY, NATURAL_GAS, GASOLINE, DIESEL, HEAT = "electricity", "natural_gas", "gasoline", "diesel", "heat"
ENERGY_KINDS = (ELECTRICITY, NATURAL_GAS, GASOLINE, DIESEL, HEAT)
KIND_LABELS = {ELECTRICITY: "电力", NATURAL_GAS: "天然气", GASOLINE: "汽油", DIESEL: "柴油", HEAT: "热力"}
# The unit the factor is expressed in (kgce per this unit).
KIND_FACTOR_UNITS = {ELECTRICITY: "kWh", NATURAL_GAS: "m³", GASOLINE: "kg", DIESEL: "kg", HEAT: "MJ"}
# Fuels are recorded in litres but their factors are per kilogram: they need a density.
KINDS_WITH_DENSITY = frozenset({GASOLINE, DIESEL})

CANNOT = "无法计算"
MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class QuantityField:
    name: str
    label: str
    unit: str
    kind: str | None = None  # the energy kind, None for water and paper
    vehicle: bool = False


QUANTITY_FIELDS = (
    QuantityField("electricity_kwh", "用电量", "kWh", ELECTRICITY),
    QuantityField("water_m3", "用水量", "m³"),
    QuantityField("gas_m3", "天然气", "m³", NATURAL_GAS),
    QuantityField("gasoline_l", "汽油(非公务车)", "L", GASOLINE),
    QuantityField("diesel_l", "柴油(非公务车)", "L", DIESEL),
    QuantityField("heat_mj", "外购热力", "MJ", HEAT),
    QuantityField("paper_reams", "用纸量", "令"),
    QuantityField("vehicle_gasoline_l", "公务车汽油", "L", GASOLINE, vehicle=True),
    QuantityField("vehicle_diesel_l", "公务车柴油", "L", DIESEL, vehicle=True),
)
FIELD_NAMES = tuple(f.name for f in QUANTITY_FIELDS)
FIELDS_BY_NAME = {f.name: f for f in QUANTITY_FIELDS}

ITEM_CODES = ("2.1", "2.2", "2.3", "2.4")
# Item 2.1's bands (rubric scoring note): upper bound of the ratio → points out of 8.
ITEM_21_BANDS = (
    (Decimal("0.9"), Decimal(8)),
    (Decimal("1.0"), Decimal(7)),
    (Decimal("1.1"), Decimal(5)),
    (Decimal("1.2"), Decimal(3)),
)
ITEM_21_ELSE = ZERO
ITEM_21_BAND_MAX = Decimal(8)
ITEM_21_HALF = Decimal("0.5")
ITEM_21_METHOD = (
    "计算方法:比值 = 本单位指标 ÷ 上年同类单位同期平均值(保留4位小数);"
    "≤0.9得8分,≤1.0得7分,≤1.1得5分,≤1.2得3分,>1.2得0分;"
    "人均综合能耗与单位建筑面积能耗各按档分的50%计。"
)

# Rubric v2 (assessment/data/green-office-rubric-v2.yaml): item 2.1 is scored against the target set
# from above (LedgerTarget: the unit's, its category's or the campaign-wide per-capita and per-floor-area
# targets). A version whose 2.1 scoring note carries this phrase scores that way; v1 keeps the category
# average. Against a target: ≤0.9 → 8, ≤1.0 → 7 (met), above 1.0 the target is missed and the must-pass
# item scores 0. An indicator without a target falls back to last year's category average (v1 bands).
ITEM_21_TARGET_MARKER = "与上级下达的年度目标之比"
ITEM_21_TARGET_BANDS = (
    (Decimal("0.9"), Decimal(8)),
    (Decimal("1.0"), Decimal(7)),
)
ITEM_21_TARGET_METHOD = (
    "计算方法(细则第2版):比值 = 本单位指标 ÷ 上级下达的年度目标(保留4位小数);≤0.9得8分,≤1.0得7分;"
    ">1.0为未完成年度能耗目标,本项(必达项)得0分;未设目标的指标按上年同类单位同期平均值分档"
    "(≤0.9得8分,≤1.0得7分,≤1.1得5分,≤1.2得3分,>1.2得0分);两项各按档分的50%计。"
)


# --- number formatting -----------------------------------------------------------------------

def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None, places: int = 1) -> str:
    """`83,164.5`: fixed decimals with thousands separators; None reads 无法计算."""
    if value is None:
        return CANNOT
    return f"{_q(Decimal(value), places):,f}"


def fmt_qty(value) -> str:
    """A recorded quantity as entered: `480,000`, `9,000.5`."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def fmt_mean(value: Decimal) -> str:
    """A mean headcount or area: `120`, `6,000`, or `118.5` when it is not whole."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return fmt(value, 1)


def fmt_points(value: Decimal) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.normalize():f}"


def fmt_pct(value: Decimal | None) -> str:
    if value is None:
        return CANNOT
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):.2f}%"


def months_label(months: Iterable[int]) -> str:
    """`1–10月`, `1–3、5月`, `全年` for all twelve."""
    ms = sorted(set(months))
    if not ms:
        return "无月份"
    if ms == list(MONTHS):
        return "全年"
    runs, start, prev = [], ms[0], ms[0]
    for m in ms[1:] + [None]:
        if m is not None and m == prev + 1:
            prev = m
            continue
        runs.append(f"{start}" if start == prev else f"{start}–{prev}")
        if m is not None:
            start = prev = m
    return "、".join(runs) + "月"


# --- conversion factors ----------------------------------------------------------------------

@dataclass(frozen=True)
class Factor:
    kind: str
    kgce_per_unit: Decimal
    valid_from: date
    density: Decimal | None = None  # kg per litre

    def to_kgce(self, quantity: Decimal) -> Decimal:
        mass = quantity * self.density if self.density is not None else quantity
        return mass * self.kgce_per_unit

    def describe(self) -> str:
        per = f"{fmt_points(self.kgce_per_unit)} kgce/{KIND_FACTOR_UNITS[self.kind]}"
        if self.density is not None:
            return f"{fmt_points(self.density)} kg/L × {per}"
        return per


@dataclass(frozen=True)
class FactorSet:
    """The factors in force for one month: at most one per energy kind."""

    factors: tuple[Factor, ...]

    def get(self, kind: str) -> Factor | None:
        for factor in self.factors:
            if factor.kind == kind:
                return factor
        return None


class FactorTable:
    """Every dated factor; a month uses, per kind, the latest factor valid on its first day."""

    def __init__(self, factors: Iterable[Factor]):
        self._by_kind: dict[str, list[Factor]] = {}
        for factor in factors:
            self._by_kind.setdefault(factor.kind, []).append(factor)
        for rows in self._by_kind.values():
            rows.sort(key=lambda f: f.valid_from)

    def factor(self, kind: str, on: date) -> Factor | None:
        found = None
        for candidate in self._by_kind.get(kind, ()):
            if candidate.valid_from <= on:
                found = candidate
        return found

    def for_month(self, year: int, month: int) -> FactorSet:
        day = date(year, month, 1)
        return FactorSet(tuple(f for kind in ENERGY_KINDS if (f := self.factor(kind, day)) is not None))

    def periods(self, year: int, months: Iterable[int]) -> list[tuple[FactorSet, tuple[int, ...]]]:
        """The months grouped by the factors in force, in month order."""
        groups: dict[FactorSet, list[int]] = {}
        for month in sorted(set(months)):
            groups.setdefault(self.for_month(year, month), []).append(month)
        return [(factors, tuple(ms)) for factors, ms in groups.items()]


# --- totals and indicators -------------------------------------------------------------------

@dataclass(frozen=True)
class MonthInput:
    month: int
    quantities: Mapping[str, Decimal]
    headcount: int
    floor_area: Decimal


@dataclass(frozen=True)
class PeriodTotals:
    factors: FactorSet
    months: tuple[int, ...]
    quantities: Mapping[str, Decimal]


@dataclass(frozen=True)
class YearTotals:
    """A unit's sums over some months of a year, split by factor period. `headcount` and
    `floor_area` are the means over months whose snapshot is above zero (None if none is)."""

    year: int
    periods: tuple[PeriodTotals, ...]
    headcount: Decimal | None
    floor_area: Decimal | None

    @property
    def months(self) -> tuple[int, ...]:
        return tuple(sorted(m for p in self.periods for m in p.months))

    def quantity(self, name: str) -> Decimal:
        return sum((p.quantities.get(name, ZERO) for p in self.periods), ZERO)


def _mean_positive(values: Iterable) -> Decimal | None:
    positive = [Decimal(v) for v in values if v and Decimal(v) > 0]
    if not positive:
        return None
    return sum(positive, ZERO) / len(positive)


def totals_from_months(year: int, months: Iterable[MonthInput], table: FactorTable) -> YearTotals:
    rows = sorted(months, key=lambda r: r.month)
    by_month = {r.month: r for r in rows}
    periods = []
    for factors, ms in table.periods(year, by_month):
        sums = {name: sum((Decimal(by_month[m].quantities.get(name) or 0) for m in ms), ZERO) for name in FIELD_NAMES}
        periods.append(PeriodTotals(factors=factors, months=ms, quantities=sums))
    return YearTotals(
        year=year,
        periods=tuple(periods),
        headcount=_mean_positive(r.headcount for r in rows),
        floor_area=_mean_positive(r.floor_area for r in rows),
    )


@dataclass(frozen=True)
class Indicators:
    year: int
    months: tuple[int, ...]
    building_kgce: Decimal
    vehicle_kgce: Decimal
    total_kgce: Decimal
    kgce_by_field: Mapping[str, Decimal]
    electricity_kwh: Decimal
    water_m3: Decimal
    paper_reams: Decimal
    headcount: Decimal | None
    floor_area: Decimal | None
    per_capita_kgce: Decimal | None
    per_area_kgce: Decimal | None
    water_per_capita: Decimal | None
    paper_per_capita: Decimal | None
    lines: tuple[str, ...]
    missing_factors: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.months == MONTHS

    @property
    def months_label(self) -> str:
        return months_label(self.months)


def _div(numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    if denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def compute_indicators(totals: YearTotals) -> Indicators:
    lines: list[str] = []
    kgce_by_field: dict[str, Decimal] = {}
    missing: list[str] = []
    split = len(totals.periods) > 1
    for period in totals.periods:
        suffix = f"({months_label(period.months)})" if split else ""
        for qf in QUANTITY_FIELDS:
            if qf.kind is None:
                continue
            quantity = period.quantities.get(qf.name, ZERO)
            if not quantity:
                continue
            factor = period.factors.get(qf.kind)
            if factor is None:
                missing.append(f"{KIND_LABELS[qf.kind]}{suffix}")
                continue
            kgce = factor.to_kgce(quantity)
            kgce_by_field[qf.name] = kgce_by_field.get(qf.name, ZERO) + kgce
            lines.append(f"{qf.label}{suffix}:{fmt_qty(quantity)} {qf.unit} × {factor.describe()} = {fmt(kgce)} kgce")
    building = sum((v for k, v in kgce_by_field.items() if not FIELDS_BY_NAME[k].vehicle), ZERO)
    vehicle = sum((v for k, v in kgce_by_field.items() if FIELDS_BY_NAME[k].vehicle), ZERO)
    total = building + vehicle
    if kgce_by_field:
        parts = " + ".join(fmt(v) for v in kgce_by_field.values())
        lines.append(f"综合能耗 = {parts} = {fmt(total)} kgce(其中公务车用油 {fmt(vehicle)} kgce)")
    else:
        lines.append("综合能耗 = 0 kgce(无能源消耗记录)")
    if missing:
        lines.append(f"缺少折标系数,未计入:{'、'.join(missing)}")

    headcount, area = totals.headcount, totals.floor_area
    water, paper = totals.quantity("water_m3"), totals.quantity("paper_reams")
    per_capita = _div(total, headcount)
    per_area = _div(building, area)
    water_pc = _div(water, headcount)
    paper_pc = _div(paper, headcount)
    if headcount is None:
        lines.append(f"用能人数为0,人均综合能耗、人均用水量、人均用纸量{CANNOT}")
    else:
        lines.append(f"人均综合能耗 = {fmt(total)} ÷ {fmt_mean(headcount)} 人 = {fmt(per_capita)} kgce/人")
    if area is None:
        lines.append(f"建筑面积为0,单位建筑面积能耗{CANNOT}")
    else:
        lines.append(
            f"单位建筑面积能耗(不含公务车用油)= {fmt(building)} ÷ {fmt_mean(area)} m² = {fmt(per_area, 2)} kgce/m²"
        )
    if headcount is not None:
        lines.append(f"人均用水量 = {fmt_qty(water)} m³ ÷ {fmt_mean(headcount)} 人 = {fmt(water_pc, 2)} m³/人")
        lines.append(f"人均用纸量 = {fmt_qty(paper)} 令 ÷ {fmt_mean(headcount)} 人 = {fmt(paper_pc, 2)} 令/人")
    return Indicators(
        year=totals.year,
        months=totals.months,
        building_kgce=building,
        vehicle_kgce=vehicle,
        total_kgce=total,
        kgce_by_field=kgce_by_field,
        electricity_kwh=totals.quantity("electricity_kwh"),
        water_m3=water,
        paper_reams=paper,
        headcount=headcount,
        floor_area=area,
        per_capita_kgce=per_capita,
        per_area_kgce=per_area,
        water_per_capita=water_pc,
        paper_per_capita=paper_pc,
        lines=tuple(lines),
        missing_factors=tuple(missing),
    )


# --- comparisons ---------------------------------------------------------------------------------

def change_pct(current: Decimal | None, baseline: Decimal | None) -> Decimal | None:
    """(current − baseline) ÷ baseline in %, rounded half-up to 2 decimals; None if not computable."""
    if current is None or baseline is None or baseline <= 0:
        return None
    return ((current - baseline) / baseline * HUNDRED).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    unit: str
    places: int
    current: Decimal | None
    baseline: Decimal | None
    pct: Decimal | None


CHANGE_SPECS = (
    ("total_kgce", "综合能耗", "kgce", 1),
    ("per_capita_kgce", "人均综合能耗", "kgce/人", 1),
    ("per_area_kgce", "单位建筑面积能耗", "kgce/m²", 2),
    ("electricity_kwh", "用电量", "kWh", 0),
    ("water_per_capita", "人均用水量", "m³/人", 2),
    ("paper_reams", "用纸量", "令", 1),
)


def compute_changes(current: Indicators, baseline: Indicators | None) -> dict[str, Change]:
    changes = {}
    for key, label, unit, places in CHANGE_SPECS:
        now = getattr(current, key)
        then = getattr(baseline, key) if baseline is not None else None
        changes[key] = Change(key, label, unit, places, now, then, change_pct(now, then))
    return changes


@dataclass(frozen=True)
class CategoryAverage:
    """The mean of the unit-level indicators of one category in one year over the same months."""

    year: int
    category_label: str
    months: tuple[int, ...]
    per_capita_kgce: Decimal | None
    per_capita_count: int
    per_area_kgce: Decimal | None
    per_area_count: int


def category_average(year: int, category_label: str, months: Iterable[int],
                     indicators: Iterable[Indicators]) -> CategoryAverage:
    per_capita, per_area = [], []
    for ind in indicators:
        if ind.per_capita_kgce is not None:
            per_capita.append(ind.per_capita_kgce)
        if ind.per_area_kgce is not None:
            per_area.append(ind.per_area_kgce)
    return CategoryAverage(
        year=year,
        category_label=category_label,
        months=tuple(sorted(set(months))),
        per_capita_kgce=sum(per_capita, ZERO) / len(per_capita) if per_capita else None,
        per_capita_count=len(per_capita),
        per_area_kgce=sum(per_area, ZERO) / len(per_area) if per_area else None,
        per_area_count=len(per_area),
    )


def ratio(value: Decimal | None, average: Decimal | None) -> Decimal | None:
    if value is None or average is None or average <= 0:
        return None
    return (value / average).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def band_21(value: Decimal) -> tuple[Decimal, str]:
    """Item 2.1's band for a ratio: (points out of 8, the band's label)."""
    for limit, points in ITEM_21_BANDS:
        if value <= limit:
            return points, f"≤{limit}"
    return ITEM_21_ELSE, f">{ITEM_21_BANDS[-1][0]}"


# --- suggested scores ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRule:
    """What the rubric version says about one item: its points, and for 2.2–2.4 the deduction the
    data decides (“未达到下降5%指标”) plus the other deductions left to the reviewer."""

    code: str
    max_points: Decimal
    deduction_points: Decimal = ZERO
    deduction_text: str = ""
    other_deductions: tuple[str, ...] = ()
    basis: str = "category"  # 2.1 only: "category" (rubric v1) or "target" (v2)


DEFAULT_ITEM_RULES = {
    "2.1": ItemRule("2.1", Decimal(8)),
    "2.2": ItemRule("2.2", Decimal(6), Decimal(4), "未达到下降5%指标", ("无节电措施",)),
    "2.3": ItemRule("2.3", Decimal(6), Decimal(4), "未达到下降10%指标", ("无节水措施或存在长流水",)),
    "2.4": ItemRule("2.4", Decimal(4), Decimal(2), "未达到下降5%指标", ("无节纸措施",)),
}


@dataclass(frozen=True)
class ReductionTargets:
    baseline_year: int
    electricity_pct: Decimal = Decimal(5)
    water_pct: Decimal = Decimal(10)
    paper_pct: Decimal = Decimal(5)


@dataclass(frozen=True)
class Suggestion:
    score: Decimal | None
    max_points: Decimal
    lines: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.score is not None


def band_21_target(value: Decimal) -> tuple[Decimal, str] | None:
    """Item 2.1's band against a target (rubric v2); None when the target is missed (ratio > 1.0)."""
    for limit, points in ITEM_21_TARGET_BANDS:
        if value <= limit:
            return points, f"≤{limit}"
    return None


def _suggest_21_target(current: Indicators, category: CategoryAverage | None, rule: ItemRule,
                       per_capita_target: Decimal | None, per_area_target: Decimal | None) -> Suggestion:
    lines = [ITEM_21_TARGET_METHOD]
    scale = rule.max_points / ITEM_21_BAND_MAX
    halves, missed = [], []
    for label, value, target, average, places in (
        ("人均综合能耗", current.per_capita_kgce, per_capita_target,
         category.per_capita_kgce if category else None, 1),
        ("单位建筑面积能耗", current.per_area_kgce, per_area_target,
         category.per_area_kgce if category else None, 2),
    ):
        if target is not None:
            r = ratio(value, target)
            if r is None:
                lines.append(f"{label}比值{CANNOT}(本单位 {fmt(value, places)},年度目标 {fmt(target, places)})")
                halves.append(None)
                continue
            band = band_21_target(r)
            if band is None:
                lines.append(f"{label}比值 = {fmt(value, places)} ÷ 年度目标 {fmt(target, places)} = {r:.4f} > 1.0,"
                             f"未完成年度能耗目标")
                missed.append(label)
                halves.append(ZERO)
                continue
            band_points, band_label = band
            source = "年度目标"
        else:
            r = ratio(value, average)
            if r is None:
                lines.append(f"{label}未设年度目标,且同类单位平均值{CANNOT},请人工评分")
                halves.append(None)
                continue
            band_points, band_label = band_21(r)
            target, source = average, "未设年度目标,按上年同类单位平均值"
        half = band_points * ITEM_21_HALF * scale
        lines.append(f"{label}比值 = {fmt(value, places)} ÷ {fmt(target, places)}({source})= {r:.4f} → "
                     f"档位“{band_label}”{fmt_points(band_points)}分 × 50% = {fmt_points(half)}分")
        halves.append(half)
    if missed:
        lines.append(f"{'、'.join(missed)}高于上级下达的年度目标:必达项建议得分0分(满分{fmt_points(rule.max_points)}分)")
        return Suggestion(ZERO, rule.max_points, lines)
    if any(h is None for h in halves):
        lines.append(f"有一项比值{CANNOT},不给建议得分,请人工评分")
        return Suggestion(None, rule.max_points, lines)
    score = halves[0] + halves[1]
    lines.append(f"建议得分 = {fmt_points(halves[0])} + {fmt_points(halves[1])} = {fmt_points(score)}分"
                 f"(满分{fmt_points(rule.max_points)}分)")
    return Suggestion(score, rule.max_points, lines)


def _suggest_21(current: Indicators, category: CategoryAverage | None, rule: ItemRule,
                per_capita_target: Decimal | None = None, per_area_target: Decimal | None = None) -> Suggestion:
    if rule.basis == "target":
        return _suggest_21_target(current, category, rule, per_capita_target, per_area_target)
    lines = [ITEM_21_METHOD]
    if category is None:
        lines.append(f"上年同类单位同期数据不足,比值{CANNOT},请人工评分")
        return Suggestion(None, rule.max_points, lines)
    lines.append(
        f"上年({category.year}年{months_label(category.months)})同类单位({category.category_label})平均:"
        f"人均综合能耗 {fmt(category.per_capita_kgce)} kgce/人({category.per_capita_count}家),"
        f"单位建筑面积能耗 {fmt(category.per_area_kgce, 2)} kgce/m²({category.per_area_count}家)"
    )
    scale = rule.max_points / ITEM_21_BAND_MAX
    halves = []
    for label, value, average, places in (
        ("人均综合能耗", current.per_capita_kgce, category.per_capita_kgce, 1),
        ("单位建筑面积能耗", current.per_area_kgce, category.per_area_kgce, 2),
    ):
        r = ratio(value, average)
        if r is None:
            lines.append(f"{label}比值{CANNOT}(本单位 {fmt(value, places)},同类平均 {fmt(average, places)})")
            halves.append(None)
            continue
        band_points, band_label = band_21(r)
        half = band_points * ITEM_21_HALF * scale
        lines.append(
            f"{label}比值 = {fmt(value, places)} ÷ {fmt(average, places)} = {r:.4f} → "
            f"档位“{band_label}”{fmt_points(band_points)}分 × 50% = {fmt_points(half)}分"
        )
        halves.append(half)
    if any(h is None for h in halves):
        lines.append(f"有一项比值{CANNOT},不给建议得分,请人工评分")
        return Suggestion(None, rule.max_points, lines)
    score = halves[0] + halves[1]
    if scale != 1:
        lines.append(f"本版细则该项满分{fmt_points(rule.max_points)}分,档分按比例折算")
    lines.append(
        f"建议得分 = {fmt_points(halves[0])} + {fmt_points(halves[1])} = {fmt_points(score)}分"
        f"(满分{fmt_points(rule.max_points)}分)"
    )
    return Suggestion(score, rule.max_points, lines)


def _suggest_reduction(*, rule: ItemRule, label: str, unit: str, places: int, change: Change,
                       target_pct: Decimal, baseline_year: int, months: tuple[int, ...],
                       baseline_present: bool) -> Suggestion:
    period = months_label(months)
    lines = [f"目标:{label}较基准年({baseline_year}年)下降{fmt_points(target_pct)}%以上(按{period}同期比较)"]
    if change.pct is None:
        if not baseline_present:
            why = f"基准年{baseline_year}年缺少{period}的完整数据"
        elif change.current is None:
            why = f"本年{label}{CANNOT}"
        elif change.baseline is None:
            why = f"基准年{label}{CANNOT}"
        else:
            why = f"基准年{label}为0"
        lines.append(f"{why},变化率{CANNOT},请人工评分")
        return Suggestion(None, rule.max_points, lines)
    lines.append(
        f"{label}:本年 {fmt(change.current, places)} {unit},基准年 {fmt(change.baseline, places)} {unit},"
        f"变化 {fmt_pct(change.pct)}"
    )
    if change.pct <= -target_pct:
        score = rule.max_points
        lines.append(f"下降{fmt_points(-change.pct)}% ≥ {fmt_points(target_pct)}%,达到指标,不扣“{rule.deduction_text}”")
    else:
        score = max(ZERO, rule.max_points - rule.deduction_points)
        lines.append(
            f"未达到下降{fmt_points(target_pct)}%:扣分项“{rule.deduction_text}” −{fmt_points(rule.deduction_points)}分"
        )
    lines.append(f"建议得分 {fmt_points(score)}分(满分{fmt_points(rule.max_points)}分)")
    if rule.other_deductions:
        lines.append(f"其他扣分项({'、'.join(rule.other_deductions)})需结合现场检查和佐证材料判断,未计入")
    return Suggestion(score, rule.max_points, lines)


def suggest_items(*, current: Indicators | None, baseline: Indicators | None,
                  category: CategoryAverage | None, targets: ReductionTargets,
                  rules: Mapping[str, ItemRule] | None = None,
                  warnings: Iterable[str] = (), per_capita_target: Decimal | None = None,
                  per_area_target: Decimal | None = None) -> dict[str, Suggestion]:
    """The suggested scores of items 2.1–2.4 with their calculation. `baseline` and `category` must
    already cover the same months as `current` (the selector restricts them)."""
    rules = {**DEFAULT_ITEM_RULES, **(rules or {})}
    warnings = [f"数据提示:{w}" for w in warnings]
    if current is None or not current.months:
        return {code: Suggestion(None, rules[code].max_points, ["本年度尚无台账数据,无法计算,请人工评分"])
                for code in ITEM_CODES}
    changes = compute_changes(current, baseline)
    result = {
        "2.1": _suggest_21(current, category, rules["2.1"], per_capita_target, per_area_target),
        "2.2": _suggest_reduction(rule=rules["2.2"], label="用电量", unit="kWh", places=0,
                                  change=changes["electricity_kwh"], target_pct=targets.electricity_pct,
                                  baseline_year=targets.baseline_year, months=current.months,
                                  baseline_present=baseline is not None),
        "2.3": _suggest_reduction(rule=rules["2.3"], label="人均用水量", unit="m³/人", places=2,
                                  change=changes["water_per_capita"], target_pct=targets.water_pct,
                                  baseline_year=targets.baseline_year, months=current.months,
                                  baseline_present=baseline is not None),
        "2.4": _suggest_reduction(rule=rules["2.4"], label="用纸量", unit="令", places=1,
                                  change=changes["paper_reams"], target_pct=targets.paper_pct,
                                  baseline_year=targets.baseline_year, months=current.months,
                                  baseline_present=baseline is not None),
    }
    if warnings:
        for suggestion in result.values():
            suggestion.lines.extend(warnings)
    return result


# --- absolute targets -----------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetCheck:
    per_capita_limit: Decimal | None  # the annual target prorated to the months recorded
    per_area_limit: Decimal | None
    per_capita_over: bool
    per_area_over: bool

    @property
    def over(self) -> bool:
        return self.per_capita_over or self.per_area_over


def check_target(ind: Indicators, *, per_capita_target: Decimal | None,
                 per_area_target: Decimal | None) -> TargetCheck:
    """Annual targets prorated by months recorded ÷ 12, so a part year can be watched before it ends
    (seasons make this approximate; the year-end check uses the whole year)."""
    share = Decimal(len(ind.months)) / Decimal(12)
    pc_limit = per_capita_target * share if per_capita_target is not None else None
    pa_limit = per_area_target * share if per_area_target is not None else None
    return TargetCheck(
        per_capita_limit=pc_limit,
        per_area_limit=pa_limit,
        per_capita_over=bool(pc_limit is not None and ind.per_capita_kgce is not None
                             and ind.per_capita_kgce > pc_limit),
        per_area_over=bool(pa_limit is not None and ind.per_area_kgce is not None and ind.per_area_kgce > pa_limit),
    )


# --- plausibility ------------------------------------------------------------------------------

SPIKE_FACTOR = Decimal(5)
SPIKE_MIN_MONTHS = 3


@dataclass(frozen=True)
class Flag:
    kind: str  # missing_month | spike | zero_headcount | zero_area
    message: str
    month: int | None = None
    field: str | None = None


def expected_months(year: int, today: date) -> tuple[int, ...]:
    """Months whose bills should be in: all of a past year, the finished months of this year."""
    if year < today.year:
        return MONTHS
    if year == today.year:
        return tuple(range(1, today.month))
    return ()


def plausibility_flags(year: int, months: Iterable[MonthInput], *, today: date) -> list[Flag]:
    """Implausible data to show, not to refuse: missing months, a month at least 5× the median of the
    year's positive months of that quantity (needs ≥3 such months), zero headcount or floor area."""
    rows = sorted(months, key=lambda r: r.month)
    flags: list[Flag] = []
    present = {r.month for r in rows}
    missing = [m for m in expected_months(year, today) if m not in present]
    flags.extend(Flag("missing_month", f"缺少{m}月的数据", month=m) for m in missing)
    for qf in QUANTITY_FIELDS:
        values = [Decimal(r.quantities.get(qf.name) or 0) for r in rows]
        positive = [v for v in values if v > 0]
        if len(positive) < SPIKE_MIN_MONTHS:
            continue
        med = Decimal(median(positive))
        for row, value in zip(rows, values, strict=True):
            if value >= SPIKE_FACTOR * med:
                flags.append(Flag(
                    "spike",
                    f"{row.month}月{qf.label} {fmt_qty(value)} {qf.unit} 是本年度月中位数 {fmt_qty(med)} {qf.unit} 的"
                    f"{value / med:.1f}倍,请核实",
                    month=row.month, field=qf.name,
                ))
    for row in rows:
        if not row.headcount:
            flags.append(Flag("zero_headcount", f"{row.month}月用能人数为0,人均指标{CANNOT}", month=row.month,
                              field="headcount"))
        if not row.floor_area or Decimal(row.floor_area) <= 0:
            flags.append(Flag("zero_area", f"{row.month}月建筑面积为0,单位面积指标{CANNOT}", month=row.month,
                              field="floor_area"))
    return flags


def flag_messages(flags: Iterable[Flag]) -> list[str]:
    """One line per problem; missing months are merged into one line (“缺少11–12月的数据”)."""
    flags = list(flags)
    missing = [f.month for f in flags if f.kind == "missing_month"]
    messages = [f"缺少{months_label(missing)}的数据"] if missing else []
    return messages + [f.message for f in flags if f.kind != "missing_month"]
