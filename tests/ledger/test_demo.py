from datetime import date

import pytest

from assessment.ledger.demo import seed_ledger
from assessment.ledger.models import MonthlyRecord
from assessment.ledger.selectors import unit_ledger_report
from greenoffice.models import AuditEvent
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


def test_seed_ledger_two_years_up_to_last_finished_month(district_a):
    units = [UnitFactory(district=district_a, headcount=80 + 10 * i, floor_area=3000 + 500 * i) for i in range(4)]
    count = seed_ledger(units, (2025, 2026), today=TODAY)
    assert count == 4 * (12 + 10)
    assert MonthlyRecord.objects.filter(year=2026, month__gt=10).count() == 0
    for unit in units:
        report = unit_ledger_report(unit=unit, year=2026, today=TODAY)
        # Plausible data raises no flag: no gaps, no spikes, no zero headcount.
        assert report.flags == []
        assert report.indicators.per_capita_kgce is not None
        assert all(s.score is not None for s in report.suggestions.values())


def test_seed_ledger_is_deterministic_and_idempotent(district_a):
    unit = UnitFactory(district=district_a)
    seed_ledger([unit], (2025,), today=TODAY)
    first = list(MonthlyRecord.objects.order_by("month").values_list("electricity_kwh", "water_m3", "paper_reams"))
    events = AuditEvent.objects.count()
    seed_ledger([unit], (2025,), today=TODAY)
    again = list(MonthlyRecord.objects.order_by("month").values_list("electricity_kwh", "water_m3", "paper_reams"))
    assert first == again
    assert AuditEvent.objects.count() == events
