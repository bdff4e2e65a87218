"""Reads of the ledger: the access gates, a unit's year with its indicators and suggested scores, and
the inspectors' panel. Numbers come from assessment.ledger.indicators; this module only loads rows.

Comparisons are like for like: when a year is not complete, the baseline year and the previous year's
category average are taken over the same months as the year being looked at."""
import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone

from assessment import power_grids
from assessment.ledger import carbon
from assessment.ledger import indicators as ind
from assessment.ledger.models import ConversionFactor, EmissionFactor, LedgerTarget, MonthlyRecord, RecordEvidence
from assessment.models import Campaign, RubricItem, SuggestionSource
from assessment.rubric_schema import load_default_rubric
from assessment.suggestions import SuggestionData, jsonable
from units.models import Unit, UnitCategory
from units.selectors import unit_list_for_user, unit_scope_q

# --- access gates ---------------------------------------------------------------------------------


def record_list_for_user(*, user) -> QuerySet[MonthlyRecord]:
    return MonthlyRecord.objects.filter(unit_scope_q(user, "unit__")).select_related("unit")


def record_get_for_user(*, user, pk) -> MonthlyRecord:
    try:
        return record_list_for_user(user=user).get(pk=pk)
    except (MonthlyRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def evidence_list_for_user(*, user) -> QuerySet[RecordEvidence]:
    return RecordEvidence.objects.filter(unit_scope_q(user, "record__unit__")).select_related("record__unit")


def evidence_get_for_user(*, user, pk) -> RecordEvidence:
    try:
        return evidence_list_for_user(user=user).get(pk=pk)
    except (RecordEvidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def ledger_unit_get_for_user(*, user, pk) -> Unit:
    """The unit whose ledger is asked for: directors their own, inspectors and leaders in scope."""
    try:
        return unit_list_for_user(user=user).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unit_records(*, unit, year: int) -> list[MonthlyRecord]:
    return list(MonthlyRecord.objects.filter(unit=unit, year=year).order_by("month")
                .annotate(evidence_count=Count("evidence")))


def ledger_years(*, unit) -> list[int]:
    return list(MonthlyRecord.objects.filter(unit=unit).values_list("year", flat=True).distinct().order_by("year"))


# --- factors, rules, targets ---------------------------------------------------------------------------

def factor_table() -> ind.FactorTable:
    return ind.FactorTable(f.as_factor() for f in ConversionFactor.objects.all())


def factor_list() -> list[ConversionFactor]:
    return list(ConversionFactor.objects.order_by("kind", "-valid_from"))


def emission_table() -> carbon.EmissionTable:
    return carbon.EmissionTable(f.as_factor() for f in EmissionFactor.objects.all())


def emission_factor_list() -> list[EmissionFactor]:
    return list(EmissionFactor.objects.order_by("kind", "grid", "-year"))


def electricity_grid(campaign: Campaign | None) -> str:
    """The grid whose electricity factor applies: the campaign's, else the city-wide default."""
    if campaign is not None and campaign.electricity_grid:
        return campaign.electricity_grid
    grid = getattr(settings, "GREENOFFICE_ELECTRICITY_GRID", power_grids.NATIONAL)
    return grid if grid in power_grids.GRID_LABELS else power_grids.NATIONAL


def _data_deduction(deductions: list[tuple[Decimal, str]]) -> tuple[Decimal, str, tuple[str, ...]]:
    """The deduction the data decides is the “未达到…指标” one; the others are for the reviewer."""
    chosen = next((d for d in deductions if "指标" in d[1] or "下降" in d[1]), None)
    if chosen is None:
        return ind.ZERO, "", tuple(text for _p, text in deductions)
    return chosen[0], chosen[1], tuple(text for p, text in deductions if (p, text) != chosen)


def item_rules(*, campaign: Campaign | None) -> dict[str, ind.ItemRule]:
    """Items 2.1–2.4 as the campaign's rubric version states them (else the default rubric)."""
    specs: list[tuple[str, Decimal, list[tuple[Decimal, str]]]] = []
    if campaign is not None:
        items = (RubricItem.objects.filter(rubric_id=campaign.rubric_id, code__in=ind.ITEM_CODES)
                 .prefetch_related("deductions"))
        specs = [(i.code, i.points, [(d.points, d.text) for d in i.deductions.all()], i.scoring_note)
                 for i in items]
    if not specs:
        rubric = load_default_rubric()
        specs = [(i.code, i.points, [(d.points, d.text) for d in i.deductions], i.scoring or "")
                 for b in rubric.blocks for i in b.items if i.code in ind.ITEM_CODES]
    rules = dict(ind.DEFAULT_ITEM_RULES)
    for code, points, deductions, note in specs:
        if code == "2.1":
            # Rubric v2 scores 2.1 against the target set from above; v1 against the category average.
            basis = "target" if ind.ITEM_21_TARGET_MARKER in (note or "") else "category"
            rules[code] = ind.ItemRule(code, Decimal(points), basis=basis)
            continue
        d_points, d_text, others = _data_deduction(deductions)
        if not d_text:
            continue  # this rubric version has no data-driven deduction: keep the defaults
        rules[code] = ind.ItemRule(code, Decimal(points), Decimal(d_points), d_text, others)
    return rules


@dataclass(frozen=True)
class ResolvedTarget:
    campaign: Campaign | None
    target: LedgerTarget | None
    baseline_year: int
    per_capita_kgce: Decimal | None
    per_area_kgce: Decimal | None
    reductions: ind.ReductionTargets
    per_capita_tco2: Decimal | None = None
    per_area_kgco2: Decimal | None = None

    @property
    def source_label(self) -> str:
        if self.target is None:
            return "默认(上一年为基准年,用电−5%、人均用水−10%、用纸−5%)"
        return self.target.scope_label


def _resolve(unit_id: int, category: str, year: int, campaign, targets) -> ResolvedTarget:
    chosen = (next((t for t in targets if t.unit_id == unit_id), None)
              or next((t for t in targets if t.unit_id is None and t.category == category), None)
              or next((t for t in targets if t.unit_id is None and not t.category), None))
    if chosen is None:
        return ResolvedTarget(campaign, None, year - 1, None, None, ind.ReductionTargets(baseline_year=year - 1))
    return ResolvedTarget(
        campaign, chosen, chosen.baseline_year, chosen.per_capita_kgce, chosen.per_area_kgce,
        ind.ReductionTargets(baseline_year=chosen.baseline_year, electricity_pct=chosen.electricity_reduction_pct,
                             water_pct=chosen.water_reduction_pct, paper_pct=chosen.paper_reduction_pct),
        per_capita_tco2=chosen.per_capita_tco2, per_area_kgco2=chosen.per_area_kgco2,
    )


def campaign_for_year(year: int) -> Campaign | None:
    return Campaign.objects.filter(year=year).select_related("rubric").first()


def resolve_target(*, unit, year: int, campaign: Campaign | None = None) -> ResolvedTarget:
    """The most specific target row wins as a whole: the unit's, else its category's, else the
    campaign-wide one; without any, the previous year is the baseline with the rubric's percentages."""
    campaign = campaign if campaign is not None else campaign_for_year(year)
    targets = []
    if campaign is not None:
        targets = list(LedgerTarget.objects.filter(campaign=campaign).filter(
            Q(unit_id=unit.pk) | Q(unit__isnull=True, category__in=[unit.category, ""])))
    return _resolve(unit.pk, unit.category, year, campaign, targets)


def target_list(*, campaign: Campaign) -> list[LedgerTarget]:
    return list(LedgerTarget.objects.filter(campaign=campaign).select_related("unit", "set_by")
                .order_by("unit__code", "category"))


# --- aggregation ---------------------------------------------------------------------------------------

_SUMS = {name: Sum(name) for name in ind.FIELD_NAMES}
QUANTITY_SUMS = _SUMS  # for composers that group the records their own way (the dashboard's carbon panel)


def _month_mask():
    # Each month once per unit and year (unique constraint), so the sum of 2^month is the set of months.
    return Sum(Case(*[When(month=m, then=Value(1 << m)) for m in ind.MONTHS], default=Value(0),
                    output_field=IntegerField()))


def aggregate_year_totals(*, year: int, table: ind.FactorTable, months=None,
                          record_filter: Q | None = None) -> dict[int, ind.YearTotals]:
    """unit id → its totals over `months` (all by default) of `year`, in one grouped query."""
    months = tuple(sorted(set(months))) if months else ind.MONTHS
    periods = table.periods(year, months)
    period_case = Case(*[When(month__in=ms, then=Value(i)) for i, (_fs, ms) in enumerate(periods)],
                       default=Value(0), output_field=IntegerField())
    qs = MonthlyRecord.objects.filter(year=year, month__in=months)
    if record_filter is not None:
        qs = qs.filter(record_filter)
    rows = (qs.annotate(period=period_case).values("unit_id", "period")
            .annotate(mask=_month_mask(), **_SUMS,
                      hc_sum=Sum("headcount", filter=Q(headcount__gt=0)),
                      hc_n=Count("id", filter=Q(headcount__gt=0)),
                      area_sum=Sum("floor_area", filter=Q(floor_area__gt=0)),
                      area_n=Count("id", filter=Q(floor_area__gt=0)))
            .order_by("unit_id", "period"))
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["unit_id"], []).append(row)
    result = {}
    for unit_id, parts in grouped.items():
        period_totals = []
        for part in parts:
            factors, _ms = periods[part["period"]]
            present = tuple(m for m in ind.MONTHS if part["mask"] & (1 << m))
            quantities = {name: Decimal(part[name] or 0) for name in ind.FIELD_NAMES}
            period_totals.append(ind.PeriodTotals(factors=factors, months=present, quantities=quantities))
        hc_n = sum(p["hc_n"] for p in parts)
        area_n = sum(p["area_n"] for p in parts)
        result[unit_id] = ind.YearTotals(
            year=year,
            periods=tuple(period_totals),
            headcount=Decimal(sum(p["hc_sum"] or 0 for p in parts)) / hc_n if hc_n else None,
            floor_area=Decimal(sum(Decimal(p["area_sum"] or 0) for p in parts)) / area_n if area_n else None,
        )
    return result


def category_average(*, category: str, year: int, months, table: ind.FactorTable) -> ind.CategoryAverage | None:
    """The mean per-capita and per-area energy of the category's active units that have all of
    `months` of `year`; None when no unit qualifies."""
    months = tuple(sorted(set(months)))
    totals = aggregate_year_totals(year=year, table=table, months=months,
                                   record_filter=Q(unit__category=category, unit__is_active=True))
    complete = [ind.compute_indicators(t) for t in totals.values() if t.months == months]
    if not complete:
        return None
    average = ind.category_average(year, str(UnitCategory(category).label), months, complete)
    if average.per_capita_count == 0 and average.per_area_count == 0:
        return None
    return average


# --- a unit's year -----------------------------------------------------------------------------------------

@dataclass
class MonthRow:
    month: int
    record: MonthlyRecord | None
    kgce: Decimal | None
    flags: list[ind.Flag] = field(default_factory=list)
    expected: bool = True  # its bills should be in by now
    is_open: bool = True  # it may be entered (not a month still to come)

    @property
    def flagged_fields(self) -> set[str]:
        return {f.field for f in self.flags if f.field}


@dataclass
class LedgerReport:
    unit: Unit
    year: int
    today: date
    months: list[MonthRow]
    indicators: ind.Indicators | None
    target: ResolvedTarget
    baseline: ind.Indicators | None  # over the same months as `indicators`
    changes: dict[str, ind.Change]
    category: ind.CategoryAverage | None
    per_capita_ratio: Decimal | None
    per_area_ratio: Decimal | None
    target_check: ind.TargetCheck | None
    flags: list[ind.Flag]
    suggestions: dict[str, ind.Suggestion]
    trend: dict
    carbon: "CarbonReport | None" = None

    @property
    def flag_messages(self) -> list[str]:
        return ind.flag_messages(self.flags)

    @property
    def recorded_count(self) -> int:
        return sum(1 for m in self.months if m.record is not None)


@dataclass
class CarbonReport:
    """A unit's carbon account for a year, beside its baseline year over the same months."""

    year: int
    factors: carbon.YearFactors
    account: carbon.CarbonAccount | None
    baseline_year: int
    baseline: carbon.CarbonAccount | None
    changes: dict[str, ind.Change]
    target_check: ind.TargetCheck | None
    per_capita_target: Decimal | None
    per_area_target: Decimal | None
    boundary: str = carbon.BOUNDARY

    @property
    def has_target(self) -> bool:
        return self.per_capita_target is not None or self.per_area_target is not None


def carbon_report(*, year: int, inputs: list[ind.MonthInput], baseline_inputs: list[ind.MonthInput],
                  table: ind.FactorTable, emissions: carbon.EmissionTable, grid: str,
                  target: ResolvedTarget) -> CarbonReport:
    """The carbon account from months already loaded; `baseline_inputs` are the baseline year's
    months (all of them: only those also present this year are compared)."""
    factors = emissions.for_year(year, grid)
    account = (carbon.compute_account(ind.totals_from_months(year, inputs, table), factors)
               if inputs else None)
    baseline = None
    if account is not None:
        same = [m for m in baseline_inputs if m.month in account.months]
        if len(same) == len(account.months):
            baseline = carbon.compute_account(ind.totals_from_months(target.baseline_year, same, table),
                                              emissions.for_year(target.baseline_year, grid))
    return CarbonReport(
        year=year, factors=factors, account=account, baseline_year=target.baseline_year, baseline=baseline,
        changes=carbon.compute_changes(account, baseline) if account is not None else {},
        target_check=(carbon.check_target(account, per_capita_target_t=target.per_capita_tco2,
                                          per_area_target_kg=target.per_area_kgco2)
                      if account is not None else None),
        per_capita_target=target.per_capita_tco2, per_area_target=target.per_area_kgco2,
    )


def unit_carbon_report(*, unit, year: int, campaign: Campaign | None = None) -> CarbonReport:
    """The carbon account alone (the PDF report): 5 queries, 4 with the campaign given."""
    campaign = campaign if campaign is not None else campaign_for_year(year)
    target = resolve_target(unit=unit, year=year, campaign=campaign)
    records = MonthlyRecord.objects.filter(unit=unit, year__in=[year, target.baseline_year]).order_by("year", "month")
    inputs, baseline_inputs = [], []
    for record in records:
        (inputs if record.year == year else baseline_inputs).append(record.as_month_input())
    return carbon_report(year=year, inputs=inputs, baseline_inputs=baseline_inputs, table=factor_table(),
                         emissions=emission_table(), grid=electricity_grid(campaign), target=target)


def _month_kgce(record: MonthlyRecord, table: ind.FactorTable, year: int) -> Decimal | None:
    totals = ind.totals_from_months(year, [record.as_month_input()], table)
    return ind.compute_indicators(totals).total_kgce


def unit_ledger_report(*, unit, year: int, today: date | None = None, with_carbon: bool = True) -> LedgerReport:
    """Everything the unit's ledger page, the suggestion partial and the command show for one year
    (the carbon account costs one query more; the suggestions alone leave it out)."""
    today = today or timezone.localdate()
    table = factor_table()
    records = unit_records(unit=unit, year=year)
    inputs = [r.as_month_input() for r in records]
    flags = ind.plausibility_flags(year, inputs, today=today)
    campaign = campaign_for_year(year)
    target = resolve_target(unit=unit, year=year, campaign=campaign)
    rules = item_rules(campaign=campaign)

    current = ind.compute_indicators(ind.totals_from_months(year, inputs, table)) if inputs else None
    months_present = tuple(r.month for r in records)
    baseline_records = list(MonthlyRecord.objects.filter(unit=unit, year=target.baseline_year).order_by("month"))
    baseline = None
    if current is not None:
        same = [r.as_month_input() for r in baseline_records if r.month in months_present]
        if len(same) == len(months_present):
            baseline = ind.compute_indicators(ind.totals_from_months(target.baseline_year, same, table))
    category = (category_average(category=unit.category, year=year - 1, months=months_present, table=table)
                if current is not None else None)
    suggestions = ind.suggest_items(current=current, baseline=baseline, category=category,
                                    targets=target.reductions, rules=rules, warnings=ind.flag_messages(flags),
                                    per_capita_target=target.per_capita_kgce, per_area_target=target.per_area_kgce)
    expected = set(ind.expected_months(year, today))
    by_month = {r.month: r for r in records}
    month_rows = []
    for m in ind.MONTHS:
        record = by_month.get(m)
        month_rows.append(MonthRow(
            month=m, record=record,
            kgce=_month_kgce(record, table, year) if record is not None else None,
            flags=[f for f in flags if f.month == m], expected=m in expected,
            is_open=(year, m) <= (today.year, today.month),
        ))
    baseline_by_month = {r.month: r for r in baseline_records}
    trend = {
        "months": [f"{m}月" for m in ind.MONTHS],
        "series": [
            {"name": f"{year}年", "data": [_float(row.kgce) for row in month_rows]},
            {"name": f"{target.baseline_year}年(基准年)",
             "data": [_float(_month_kgce(baseline_by_month[m], table, target.baseline_year))
                      if m in baseline_by_month else None for m in ind.MONTHS]},
        ],
        "unit": "kgce",
    }
    return LedgerReport(
        unit=unit, year=year, today=today, months=month_rows, indicators=current, target=target,
        baseline=baseline,
        changes=ind.compute_changes(current, baseline) if current is not None else {},
        category=category,
        per_capita_ratio=ind.ratio(current.per_capita_kgce, category.per_capita_kgce) if current and category else None,
        per_area_ratio=ind.ratio(current.per_area_kgce, category.per_area_kgce) if current and category else None,
        target_check=(ind.check_target(current, per_capita_target=target.per_capita_kgce,
                                       per_area_target=target.per_area_kgce) if current is not None else None),
        flags=flags, suggestions=suggestions, trend=trend,
        carbon=carbon_report(year=year, inputs=inputs, baseline_inputs=[r.as_month_input() for r in baseline_records],
                             table=table, emissions=emission_table(), grid=electricity_grid(campaign),
                             target=target) if with_carbon else None,
    )


def ledger_suggestions(*, unit, year: int) -> dict[str, ind.Suggestion]:
    """item code ("2.1"–"2.4") → Suggestion(score, max_points, lines) for the self-assessment and the
    year-end review. The caller has already passed the unit through its own access gate."""
    return unit_ledger_report(unit=unit, year=year, with_carbon=False).suggestions


def factor_version() -> str:
    """The conversion factor table's version: a digest of every dated factor (1 query)."""
    rows = sorted((f.kind, f.valid_from.isoformat(), str(f.kgce_per_unit), str(f.density))
                  for f in ConversionFactor.objects.all())
    return "kgce-" + hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


def ledger_suggestion_data(*, unit, year: int) -> dict[str, SuggestionData]:
    """The ledger's suggestions as suggestion records (assessment.suggestions): score, lines, the inputs
    they were computed from (the year's indicators over the months present, the baseline over the same
    months, last year's category average, the targets) and the factor table's version."""
    report = unit_ledger_report(unit=unit, year=year, with_carbon=False)
    target = report.target
    inputs = jsonable({
        "year": year,
        "months": list(report.indicators.months) if report.indicators else [],
        "current": _indicator_inputs(report.indicators),
        "baseline": _indicator_inputs(report.baseline),
        "category": asdict(report.category) if report.category else None,
        "target": {"baseline_year": target.baseline_year, "per_capita_kgce": target.per_capita_kgce,
                   "per_area_kgce": target.per_area_kgce, "reductions": asdict(target.reductions)},
    })
    version = factor_version()
    return {
        code: SuggestionData(code=code, source=SuggestionSource.LEDGER, score=suggestion.score,
                             max_points=suggestion.max_points, lines=tuple(suggestion.lines), inputs=inputs,
                             factor_version=version)
        for code, suggestion in report.suggestions.items()
    }


def _indicator_inputs(indicators: ind.Indicators | None) -> dict | None:
    if indicators is None:
        return None
    names = ("year", "months", "total_kgce", "electricity_kwh", "water_m3", "paper_reams", "headcount",
             "floor_area", "per_capita_kgce", "per_area_kgce", "water_per_capita", "paper_per_capita")
    return {name: getattr(indicators, name) for name in names}


def _float(value: Decimal | None):
    return None if value is None else float(round(value, 1))


# --- the inspectors' panel ----------------------------------------------------------------------------

@dataclass
class PanelUnitRow:
    unit_id: int
    code: str
    name: str
    district: str
    district_id: int
    category: str
    category_label: str
    indicators: ind.Indicators | None
    per_capita_target: Decimal | None
    per_area_target: Decimal | None
    check: ind.TargetCheck | None
    notes: list[str]

    @property
    def months_label(self) -> str:
        return self.indicators.months_label if self.indicators else "无数据"

    @property
    def over_target(self) -> bool:
        return bool(self.check and self.check.over)


@dataclass
class PanelGroup:
    key: str
    label: str
    unit_count: int = 0
    reporting_count: int = 0
    complete_count: int = 0
    over_target_count: int = 0
    total_kgce: Decimal = ind.ZERO
    _pc_kgce: Decimal = ind.ZERO
    _headcount: Decimal = ind.ZERO
    _area_kgce: Decimal = ind.ZERO
    _area: Decimal = ind.ZERO
    _water: Decimal = ind.ZERO

    def add(self, row: PanelUnitRow):
        self.unit_count += 1
        self.over_target_count += int(row.over_target)
        i = row.indicators
        if i is None:
            return
        self.reporting_count += 1
        self.complete_count += int(i.complete)
        self.total_kgce += i.total_kgce
        if i.headcount:
            self._pc_kgce += i.total_kgce
            self._headcount += i.headcount
            self._water += i.water_m3
        if i.floor_area:
            self._area_kgce += i.building_kgce
            self._area += i.floor_area

    @property
    def per_capita_kgce(self):
        return self._pc_kgce / self._headcount if self._headcount else None

    @property
    def per_area_kgce(self):
        return self._area_kgce / self._area if self._area else None

    @property
    def water_per_capita(self):
        return self._water / self._headcount if self._headcount else None


@dataclass
class Panel:
    year: int
    units: list[PanelUnitRow]
    districts: list[PanelGroup]
    categories: list[PanelGroup]
    trend: dict

    @property
    def over_target(self) -> list[PanelUnitRow]:
        return [u for u in self.units if u.over_target]

    @property
    def total_kgce(self) -> Decimal:
        return sum((u.indicators.total_kgce for u in self.units if u.indicators), ind.ZERO)

    @property
    def missing(self) -> list[PanelUnitRow]:
        return [u for u in self.units if u.indicators is None]


def ledger_panel(*, user, year: int, district_id=None, category: str = "",
                 today: date | None = None) -> Panel:
    """Indicators of every active unit in the user's scope, grouped by district and by category,
    the monthly trend and the units over target. A fixed number of queries whatever the unit count."""
    today = today or timezone.localdate()
    units_qs = unit_list_for_user(user=user).filter(is_active=True)
    if district_id:
        units_qs = units_qs.filter(district_id=district_id)
    if category:
        units_qs = units_qs.filter(category=category)
    units = list(units_qs.order_by("district__sort_order", "code"))
    table = factor_table()
    unit_filter = Q(unit__in=units_qs.values("pk"))
    totals = aggregate_year_totals(year=year, table=table, record_filter=unit_filter)
    campaign = campaign_for_year(year)
    targets = list(LedgerTarget.objects.filter(campaign=campaign)) if campaign else []
    expected = ind.expected_months(year, today)

    rows, districts, categories = [], {}, {}
    for unit in units:
        indicators = ind.compute_indicators(totals[unit.pk]) if unit.pk in totals else None
        target = _resolve(unit.pk, unit.category, year, campaign, targets)
        check = (ind.check_target(indicators, per_capita_target=target.per_capita_kgce,
                                  per_area_target=target.per_area_kgce) if indicators is not None else None)
        notes = []
        if indicators is None:
            notes.append("本年度无数据")
        else:
            missing = [m for m in expected if m not in indicators.months]
            if missing:
                notes.append(f"缺少{ind.months_label(missing)}的数据")
            if indicators.headcount is None:
                notes.append("用能人数为0")
            if indicators.floor_area is None:
                notes.append("建筑面积为0")
        row = PanelUnitRow(
            unit_id=unit.pk, code=unit.code, name=unit.name, district=unit.district.name,
            district_id=unit.district_id, category=unit.category, category_label=unit.get_category_display(),
            indicators=indicators, per_capita_target=target.per_capita_kgce, per_area_target=target.per_area_kgce,
            check=check, notes=notes,
        )
        rows.append(row)
        districts.setdefault(unit.district_id, PanelGroup(str(unit.district_id), unit.district.name)).add(row)
        categories.setdefault(unit.category, PanelGroup(unit.category, unit.get_category_display())).add(row)
    category_order = {value: i for i, value in enumerate(UnitCategory.values)}
    return Panel(
        year=year, units=rows, districts=list(districts.values()),
        categories=sorted(categories.values(), key=lambda g: category_order.get(g.key, 99)),
        trend=monthly_trend(year=year, table=table, record_filter=unit_filter),
    )


def monthly_trend(*, year: int, table: ind.FactorTable, record_filter: Q) -> dict:
    """Total kgce by month for `year` and the year before, over the given records (one query)."""
    rows = (MonthlyRecord.objects.filter(record_filter, year__in=[year - 1, year])
            .values("year", "month").annotate(**_SUMS).order_by("year", "month"))
    by_year: dict[int, dict[int, Decimal]] = {year - 1: {}, year: {}}
    for row in rows:
        factors = table.for_month(row["year"], row["month"])
        kgce = ind.ZERO
        for qf in ind.QUANTITY_FIELDS:
            factor = factors.get(qf.kind) if qf.kind else None
            if factor is not None and row[qf.name]:
                kgce += factor.to_kgce(Decimal(row[qf.name]))
        by_year[row["year"]][row["month"]] = kgce
    return {
        "months": [f"{m}月" for m in ind.MONTHS],
        "series": [
            {"name": f"{y}年", "data": [_float(by_year[y].get(m)) for m in ind.MONTHS]} for y in (year, year - 1)
        ],
        "unit": "kgce",
    }
