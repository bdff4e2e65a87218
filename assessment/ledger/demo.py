"""Demo ledger data: plausible monthly records for demo units, the same on every run.

seed_demo calls `seed_ledger(units)`. Every value comes from a random generator seeded with the unit
code (its profile), the year (its trend) and the month (noise), so re-running writes nothing new, and
the demo shows a mix of units that meet the reduction targets and units that do not. Months after the
last finished month are never written (the services refuse them)."""
import random
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils import timezone

from assessment.ledger import indicators
from assessment.ledger.services import records_save_year

# Share of a year's electricity in each month: air conditioning in summer and winter.
ELECTRICITY_SEASON = (1.12, 1.02, 0.92, 0.84, 0.9, 1.08, 1.28, 1.32, 1.04, 0.86, 0.88, 1.06)
GAS_SEASON = (1.25, 1.15, 1.05, 0.95, 0.9, 0.85, 0.85, 0.85, 0.9, 0.95, 1.05, 1.25)
HEAT_SEASON = (1.0, 0.85, 0.45, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.95)


def _profile(code: str) -> dict:
    rng = random.Random(f"ledger-profile:{code}")
    return {
        "kwh_per_person": rng.uniform(2800, 4800),
        "water_per_person": rng.uniform(18, 36),
        "paper_per_person": rng.uniform(6, 14),
        "canteen_gas_per_person": rng.choice([0, 0, rng.uniform(60, 130)]),
        "heat_mj_per_m2": rng.choice([0, 0, 0, rng.uniform(60, 120)]),
        "vehicle_gasoline_month": rng.uniform(150, 900),
        "vehicle_diesel_month": rng.choice([0, 0, rng.uniform(60, 220)]),
        "other_gasoline_month": rng.choice([0, 0, 0, rng.uniform(5, 20)]),
        # How this unit's use changes from one year to the next (some save, some do not).
        "electricity_trend": rng.uniform(0.88, 1.03),
        "water_trend": rng.uniform(0.84, 1.02),
        "paper_trend": rng.uniform(0.86, 1.03),
        "energy_trend": rng.uniform(0.9, 1.04),
    }


def _money(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(max(value, 0))).quantize(Decimal(places))


def month_values(unit, year: int, month: int, base_year: int) -> dict:
    """One month's plausible figures for a unit (deterministic); the trend counts years from `base_year`."""
    p = _profile(unit.code)
    headcount = unit.headcount or 80
    area = float(unit.floor_area or 0) or headcount * 45.0
    n = year - base_year
    noise = random.Random(f"ledger-month:{unit.code}:{year}:{month}")

    def jitter(spread=0.05):
        return noise.uniform(1 - spread, 1 + spread)

    i = month - 1
    electricity = p["kwh_per_person"] * headcount / 12 * ELECTRICITY_SEASON[i] * p["electricity_trend"] ** n * jitter()
    water = p["water_per_person"] * headcount / 12 * p["water_trend"] ** n * jitter(0.08)
    paper = p["paper_per_person"] * headcount / 12 * p["paper_trend"] ** n * jitter(0.1)
    gas = p["canteen_gas_per_person"] * headcount / 12 * GAS_SEASON[i] * p["energy_trend"] ** n * jitter()
    heat = p["heat_mj_per_m2"] * area / 3.75 * HEAT_SEASON[i] * p["energy_trend"] ** n * jitter()
    return {
        "electricity_kwh": _money(electricity, "1"),
        "water_m3": _money(water, "0.1"),
        "gas_m3": _money(gas, "0.1"),
        "gasoline_l": _money(p["other_gasoline_month"] * jitter(0.2), "0.1"),
        "diesel_l": Decimal(0),
        "heat_mj": _money(heat, "1"),
        "paper_reams": _money(paper, "1"),
        "vehicle_gasoline_l": _money(p["vehicle_gasoline_month"] * p["energy_trend"] ** n * jitter(0.12), "0.1"),
        "vehicle_diesel_l": _money(p["vehicle_diesel_month"] * jitter(0.12), "0.1"),
        "headcount": headcount,
        "floor_area": _money(area, "0.1"),
        "note": "",
    }


def seed_ledger(units: Iterable, years: Iterable[int], *, today: date | None = None) -> int:
    """Give each unit the months of `years` that are over by `today`; returns the months written or
    confirmed. Goes through records_save_year (actor None = the system), so it is audited and idempotent."""
    today = today or timezone.localdate()
    years = sorted(years)
    count = 0
    for unit in units:
        for year in years:
            months = [m for m in indicators.MONTHS if (year, m) < (today.year, today.month)]
            if not months:
                continue
            rows = {m: month_values(unit, year, m, base_year=years[0]) for m in months}
            count += len(records_save_year(actor=None, unit=unit, year=year, rows=rows, today=today,
                                           action="ledger_demo_seed"))
    return count
