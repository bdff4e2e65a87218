from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UnitFactory
from tests.ledger.conftest import save_year

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("ledger_indicators", *args, stdout=out)
    return out.getvalue()


def test_ledger_indicators_prints_worked_example_and_suggestions(unit_a, district_a):
    save_year(UnitFactory(district=district_a), 2024)
    save_year(unit_a, 2024, electricity_kwh=Decimal(45000))
    save_year(unit_a, 2025)
    output = _run("--unit", unit_a.code, "--year", "2025")
    assert f"{unit_a.code} {unit_a.name}" in output
    assert "综合能耗:83,164.5 kgce(其中公务车用油 9,600.9 kgce)" in output
    assert "人均综合能耗:693.0 kgce/人" in output
    assert "单位建筑面积能耗(不含公务车用油):12.26 kgce/m²" in output
    assert "人均用水量:30.00 m³/人" in output
    assert "用电量:480,000 → 基准年 540,000 kWh,变化 −11.11%" in output
    # 2024 category average: the peer at 693.037 and unit_a itself at (540,000×0.1229 + 14,571.6 + 9,600.885)
    # ÷ 120 = 754.487 → 723.762; ratio 693.037 ÷ 723.762 = 0.95755 → 0.9575 → band ≤1.0: 7 × 50%.
    assert "人均综合能耗比值 = 693.0 ÷ 723.8 = 0.9575 → 档位“≤1.0”7分 × 50% = 3.5分" in output
    assert "  2.2:6 / 6分" in output
    assert "  2.3:2 / 6分" in output
    assert "未达到下降10%:扣分项“未达到下降10%指标” −4分" in output


def test_ledger_indicators_without_data(unit_a):
    output = _run("--unit", unit_a.code, "--year", "2025")
    assert "本年度尚无台账数据" in output
    assert "  2.1:无法计算 / 8分" in output


def test_ledger_indicators_unknown_unit(db):
    with pytest.raises(CommandError, match="没有编号为“NOPE”的单位"):
        _run("--unit", "NOPE", "--year", "2025")


def test_ledger_indicators_prints_carbon_lines(unit_a):
    # The worked example with the 2022 national factor: 480,000 kWh, 12,000 m³ gas, 9,000 L vehicle gasoline.
    save_year(unit_a, 2022)
    output = _run("--unit", unit_a.code, "--year", "2022")
    assert "2022年碳排放核算(电力排放因子:全国)" in output
    assert "碳排放总量:302.601 tCO₂(范围一 45.033,范围二 257.568;其中公务车用油 19.086)" in output
    assert "用电量(范围二):480,000 kWh × 0.5366 kgCO₂/kWh = 257,568.0 kgCO₂" in output
    assert "人均碳排放:2.522 tCO₂/人" in output
    assert "单位建筑面积碳排放(不含公务车用油):47.25 kgCO₂/m²" in output
    assert "核算边界" in output
