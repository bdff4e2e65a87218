"""Ledger fixtures. Records are made through the services, like users would make them."""
from datetime import date
from decimal import Decimal

import pytest

from assessment.ledger.services import records_save_year
from tests.conftest import restore_migration_seeded_rows

# A fixed "today" after the years the tests use, so no month is refused as still to come.
TODAY = date(2026, 11, 27)

# The worked example spread over twelve equal months: 480,000 kWh, 12,000 m³ gas and
# 9,000 L of official-vehicle gasoline a year for 120 staff in 6,000 m².
WORKED_MONTH = {
    "electricity_kwh": Decimal(40000),
    "gas_m3": Decimal(1000),
    "vehicle_gasoline_l": Decimal(750),
    "water_m3": Decimal(300),
    "paper_reams": Decimal(100),
    "headcount": 120,
    "floor_area": Decimal(6000),
}


def month_data(**overrides):
    data = {name: Decimal(0) for name in (
        "electricity_kwh", "water_m3", "gas_m3", "gasoline_l", "diesel_l", "heat_mj", "paper_reams",
        "vehicle_gasoline_l", "vehicle_diesel_l")}
    data.update(WORKED_MONTH)
    data.update(overrides)
    return data


def save_year(unit, year, months=range(1, 13), actor=None, **overrides):
    rows = {m: month_data(**overrides) for m in months}
    return records_save_year(actor=actor, unit=unit, year=year, rows=rows, today=TODAY)


@pytest.fixture
def today():
    return TODAY


# The emission factors are put back after transactional tests by tests/conftest.py, with the kgce ones.
ensure_emission_factors = restore_migration_seeded_rows
