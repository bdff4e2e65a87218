"""Print a unit's energy and resource indicators for a year, its carbon account and the suggested
scores of items 2.1–2.4 with their calculation:  manage.py ledger_indicators --unit CODE --year YYYY"""
from django.core.management.base import BaseCommand, CommandError

from assessment.ledger import carbon
from assessment.ledger import indicators as ind
from assessment.ledger.selectors import unit_ledger_report
from units.models import Unit


class Command(BaseCommand):
    help = "打印单位年度能源资源消耗指标和考评项目2.1–2.4的建议得分及计算过程"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="单位编号")
        parser.add_argument("--year", required=True, type=int, help="年度,如2026")

    def handle(self, *args, unit, year, **options):
        found = Unit.objects.filter(code=unit).select_related("district").first()
        if found is None:
            raise CommandError(f"没有编号为“{unit}”的单位")
        report = unit_ledger_report(unit=found, year=year)
        out = self.stdout.write
        out(f"{found.code} {found.name}({found.district.name} · {found.get_category_display()})")
        out(f"{year}年能源资源消耗指标")
        current = report.indicators
        if current is None:
            out("  本年度尚无台账数据")
        else:
            out(f"  填报月份:{current.months_label}({len(current.months)}个月)")
            out(f"  综合能耗:{ind.fmt(current.total_kgce)} kgce(其中公务车用油 {ind.fmt(current.vehicle_kgce)} kgce)")
            out(f"  人均综合能耗:{ind.fmt(current.per_capita_kgce)} kgce/人")
            out(f"  单位建筑面积能耗(不含公务车用油):{ind.fmt(current.per_area_kgce, 2)} kgce/m²")
            out(f"  人均用水量:{ind.fmt(current.water_per_capita, 2)} m³/人")
            out(f"  人均用纸量:{ind.fmt(current.paper_per_capita, 2)} 令/人")
            out("  计算过程:")
            for line in current.lines:
                out(f"    {line}")
            out(f"较基准年({report.target.baseline_year}年,同期)变化:")
            for change in report.changes.values():
                out(f"  {change.label}:{ind.fmt(change.current, change.places)} → 基准年 "
                    f"{ind.fmt(change.baseline, change.places)} {change.unit},变化 {ind.fmt_pct(change.pct)}")
            out(f"与上年同类单位平均之比:人均 {ind.fmt(report.per_capita_ratio, 4)},"
                f"单位面积 {ind.fmt(report.per_area_ratio, 4)}")
        self._carbon(report.carbon)
        if report.flag_messages:
            out("数据提示:")
            for message in report.flag_messages:
                out(f"  {message}")
        out("建议得分:")
        for code, suggestion in report.suggestions.items():
            score = ind.CANNOT if suggestion.score is None else ind.fmt_points(suggestion.score)
            out(f"  {code}:{score} / {ind.fmt_points(suggestion.max_points)}分")
            for line in suggestion.lines:
                out(f"    {line}")

    def _carbon(self, report):
        out = self.stdout.write
        out(f"{report.year}年碳排放核算(电力排放因子:{report.factors.grid_label})")
        account = report.account
        if account is None:
            out("  本年度尚无台账数据")
            return
        out(f"  碳排放总量:{carbon.fmt_t(account.total_kg)} tCO₂(范围一 {carbon.fmt_t(account.scope1_kg)},"
            f"范围二 {carbon.fmt_t(account.scope2_kg)};其中公务车用油 {carbon.fmt_t(account.vehicle_kg)})")
        out(f"  人均碳排放:{ind.fmt(account.per_capita_t, 3)} tCO₂/人")
        out(f"  单位建筑面积碳排放(不含公务车用油):{ind.fmt(account.per_area_kg, 2)} kgCO₂/m²")
        out("  计算过程:")
        for line in account.lines:
            out(f"    {line}")
        out("  排放因子:")
        for line in report.factors.source_lines():
            out(f"    {line}")
        for note in account.notes:
            out(f"    {note}")
        out(f"  较基准年({report.baseline_year}年,同期)变化:")
        for change in report.changes.values():
            out(f"    {change.label}:{ind.fmt(change.current, change.places)} → 基准年 "
                f"{ind.fmt(change.baseline, change.places)} {change.unit},变化 {ind.fmt_pct(change.pct)}")
        if report.has_target:
            check = report.target_check
            out(f"  碳排放强度目标:人均 {ind.fmt(report.per_capita_target, 3)} tCO₂/人"
                f"{'(超出)' if check.per_capita_over else ''},"
                f"单位面积 {ind.fmt(report.per_area_target, 2)} kgCO₂/m²{'(超出)' if check.per_area_over else ''}")
        out(f"  {report.boundary}")
