"""Ledger fixtures. Records are made through the services, like users would make them."""
import importlib
from datetime import date
from decimal import Decimal

import pytest

from assessment.ledger.services import records_save_year

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


def ensure_emission_factors():
    """The default emission factors, put back if a transactional test flushed them (tests/conftest.py
    does the same for the kgce factors)."""
    from django.apps import apps

    from assessment.ledger.models import EmissionFactor

    if not EmissionFactor.objects.exists():
        importlib.import_module("assessment.ledger.migrations.0004_default_emission_factors").seed(apps, None)


@pytest.fixture(autouse=True)
def emission_factors(request):
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & names:
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    ensure_emission_factors()
