"""The dashboard's tables as .xlsx workbooks (openpyxl, write-only so a 10,000-row sheet streams).

Each panel's export is built from the same selector and the same `DashboardScope` as its HTML, so an
export never holds a row the panel could not show. The first sheet states the filters it was made with."""
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.ledger.indicators import change_pct
from greenoffice.dashboard.scope import DashboardScope
from greenoffice.dashboard.selectors.battle_map import DISPLAY_GROUPS, BattleMap, battle_map_rows
from greenoffice.dashboard.selectors.carbon import CarbonPanel
from greenoffice.dashboard.selectors.scores import Scores
from greenoffice.dashboard.selectors.supervision import MONTHLY_KINDS, Supervision, overdue_orders
from greenoffice.dashboard.selectors.targets import Targets
from greenoffice.spreadsheets import TableBook
from inspections.models import InspectionKind
from units.models import UnitCategory

# Every value goes through greenoffice.spreadsheets.safe_cell: unit and district names are typed by
# people, and a name starting with "=" must reach a leader's spreadsheet as text, not as a formula.
_Book = TableBook


def _cover(book: _Book, scope: DashboardScope, title: str):
    rows = [
        (_("报表"), title),
        (_("创建年度"), str(scope.campaign) if scope.campaign else "—"),
        (_("区域"), scope.district.name if scope.district else _("全部(本人可见范围)")),
        (_("单位类别"), dict(UnitCategory.choices).get(scope.category, _("全部"))),
        (_("统计日期"), scope.as_of),
        (_("导出人"), getattr(scope.user, "display_name", str(scope.user))),
        (_("导出时间"), timezone.now()),
    ]
    book.sheet(_("说明"), (_("项目"), _("内容")), rows, widths=(14, 40))


def _filename(scope: DashboardScope, panel: str) -> str:
    year = scope.campaign.year if scope.campaign else ""
    return f"{_('绿色机关数据看板')}_{panel}_{year}.xlsx"


def battle_map_workbook(scope: DashboardScope, panel: BattleMap) -> HttpResponse:
    book = _Book()
    title = _("挂图作战")
    _cover(book, scope, title)
    book.sheet(
        title,
        (_("区域"), _("单位编号"), _("单位名称"), _("单位类别"), _("阶段"), _("展示分组"), _("阶段变更时间")),
        battle_map_rows(scope),
        widths=(12, 12, 36, 10, 12, 12, 20),
    )
    book.sheet(
        _("分区域阶段统计"),
        (_("区域"), *(label for _key, label, _colour in DISPLAY_GROUPS), _("合计")),
        ([d.name, *(d.counts.get(key, 0) for key, _label, _colour in DISPLAY_GROUPS), d.total]
         for d in panel.districts),
        widths=(14,),
    )
    return book.response(_filename(scope, title))


def targets_workbook(scope: DashboardScope, panel: Targets) -> HttpResponse:
    book = _Book()
    title = _("目标任务")
    _cover(book, scope, title)
    totals = panel.totals
    book.sheet(title, (_("指标"), _("数值")), [
        (_("本年度创成目标(个)"), panel.target_count),
        (_("本年度已命名(个)"), totals.certified),
        (_("目标完成率(%)"), panel.certified_pct),
        (_("考核通过/公示中(个)"), totals.secured),
        (_("核定达到合格线待定(个)"), totals.likely),
        (_("在审及整改中(个)"), totals.pipeline),
        (_("预测创成(保守)"), panel.forecast_min),
        (_("预测创成(乐观)"), panel.forecast_max),
        (_("预测创成(按本年度通过率)"), panel.forecast_expected),
        (_("在册单位(个)"), totals.active_units),
        (_("持有效证书单位(个)"), totals.with_certificate),
        (_("创成比例(%)"), panel.share),
        (_("目标创成比例(%)"), panel.target_share),
        (_("目标年份"), panel.target_year),
    ], widths=(26, 14))
    book.sheet(
        _("分区域"),
        (_("区域"), _("参创单位"), _("已命名"), _("考核通过/公示中"), _("核定达标待定"), _("在审及整改中"),
         _("在册单位"), _("持有效证书"), _("创成比例(%)")),
        ([d.name, d.enrolled, d.certified, d.secured, d.likely, d.pipeline, d.active_units, d.with_certificate,
          d.share] for d in panel.districts),
        widths=(14,),
    )
    return book.response(_filename(scope, title))


def scores_workbook(scope: DashboardScope, panel: Scores) -> HttpResponse:
    book = _Book()
    title = _("考核得分")
    _cover(book, scope, title)
    book.sheet(_("分数分布"), (_("最终得分区间"), _("单位数")),
               ((row["label"], row["count"]) for row in panel.histogram), widths=(16, 10))
    book.sheet(_("类别平均"), (_("类别编号"), _("考评类别"), _("分值"), _("平均核定得分"), _("得分率(%)")),
               ((r["code"], r["title"], r["points"], r["avg_verified"], r["pct"]) for r in panel.blocks),
               widths=(10, 16, 8, 14, 12))
    unit_headers = (_("名次"), _("单位编号"), _("单位名称"), _("区域"), _("最终得分"), _("核定总分"), _("督查扣分"),
                    _("创新加分"), _("等级"), _("予以认定"))

    def unit_rows(rows):
        return ((r["rank"], r["code"], r["name"], r["district"], r["final_score"], r["verified_total"],
                 r["supervision_deduction"], r["bonus"], r["grade"], _("是") if r["certified"] else _("否"))
                for r in rows)

    book.sheet(_("单位排名前20"), unit_headers, unit_rows(panel.top_units), widths=(6, 12, 36, 12))
    book.sheet(_("单位排名后10"), unit_headers, unit_rows(panel.bottom_units), widths=(6, 12, 36, 12))
    book.sheet(_("区域排名"), (_("名次"), _("区域"), _("考核单位数"), _("平均得分"), _("最高分"), _("最低分"),
                            _("予以认定"), _("平均自评虚高(自评项目口径)")),
               ((r["rank"], r["name"], r["n"], r["avg_final"], r["max_final"], r["min_final"], r["certified"],
                 r["avg_gap"]) for r in panel.districts), widths=(6, 14))
    # The self basis (assessment.figures): the self total, its maximum and the verified points of the
    # same items side by side; the gap is their difference. The verified total over all items apart.
    book.sheet(_("自评虚高单位"), (_("名次"), _("单位编号"), _("单位名称"), _("区域"), _("自评项目数"),
                               _("自评得分(自评项目口径)"), _("自评项目满分"), _("同项目核定得分"),
                               _("自评减核定"), _("核定总分"), _("考评满分")),
               ((r["rank"], r["code"], r["name"], r["district"], r["self_items"], r["self_total"], r["self_max"],
                 r["self_verified"], r["gap"], r["verified_total"], r["verified_max"])
                for r in panel.inflators), widths=(6, 12, 36, 12))
    book.sheet(_("逐项自评与核定"), (_("项目编号"), _("考评内容"), _("分值"), _("核定单位数"), _("平均自评得分"),
                                 _("平均核定得分"), _("平均差值"), _("核定改分")),
               ((r["code"], r["title"], r["points"], r["n"], r["avg_self"], r["avg_verified"], r["avg_gap"],
                 r["overridden"]) for r in panel.items), widths=(10, 60))
    return book.response(_filename(scope, title))


def supervision_workbook(scope: DashboardScope, panel: Supervision) -> HttpResponse:
    book = _Book()
    title = _("督查整改")
    _cover(book, scope, title)
    book.sheet(_("督查概况"), (_("指标"), _("数值")), [
        (_("统计月份"), panel.month.strftime("%Y-%m") if panel.month else ""),
        (_("本月完成月度抽查"), panel.spot_done),
        (_("本月计划月度抽查"), panel.spot_planned),
        (_("本月完成随机暗访"), panel.unannounced_done),
        (_("本年度完成督查检查"), panel.visits_done_year),
        (_("参创单位"), panel.enrolled),
        (_("已抽查覆盖单位"), panel.covered),
        (_("抽查覆盖率(%)"), panel.coverage_pct),
        (_("发现问题"), panel.findings_total),
        (_("其中严重问题"), panel.findings_serious),
        (_("未整改问题"), panel.findings_open),
        (_("整改通知"), panel.orders_total),
        (_("未销号"), panel.orders_open),
        (_("其中逾期"), panel.orders_overdue),
        (_("按期销号"), panel.orders_closed_on_time),
        (_("逾期销号"), panel.orders_closed_late),
    ], widths=(22, 12))
    kinds = dict(InspectionKind.choices)
    book.sheet(_("月度检查"), (_("月份"), *(kinds[k] for k in MONTHLY_KINDS)),
               ((row["month"], *(row["counts"][k] for k in MONTHLY_KINDS)) for row in panel.monthly))
    book.sheet(_("问题项目前10"), (_("名次"), _("项目编号"), _("考评内容"), _("问题数"), _("严重问题"), _("未整改"),
                                _("涉及单位")),
               ((r["rank"], r["code"], r["title"], r["n"], r["serious"], r["open"], r["units"])
                for r in panel.top_items), widths=(6, 10, 60))
    # The full overdue list, not only the 50 the page shows.
    book.sheet(_("逾期未整改清单"), (_("通知编号"), _("单位编号"), _("单位名称"), _("区域"), _("项目编号"),
                                 _("问题性质"), _("整改时限"), _("逾期天数"), _("状态"), _("已通报")),
               ((r["number"], r["unit_code"], r["unit"], r["district"], r["item_code"], r["severity"],
                 r["deadline"], r["days_late"], r["status"], _("是") if r["escalated"] else _("否"))
                for r in overdue_orders(scope, limit=None)), widths=(18, 12, 36, 12))
    return book.response(_filename(scope, title))


def _r(value, places: int = 3):
    """A figure rounded for the sheet (the page's precision); blank when it can't be computed."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def carbon_workbook(scope: DashboardScope, panel: CarbonPanel) -> HttpResponse:
    book = _Book()
    title = _("碳排放")
    _cover(book, scope, title)
    totals = panel.totals
    summary = [
        (_("核算年度"), panel.year),
        (_("碳排放总量(tCO₂)"), _r(totals.total_t)),
        (_("范围一(tCO₂)"), _r(totals.scope1_t)),
        (_("范围二(tCO₂)"), _r(totals.scope2_t)),
        (_("人均碳排放(tCO₂/人)"), _r(totals.per_capita_t)),
        (_("单位建筑面积碳排放(kgCO₂/m²,不含公务车)"), _r(totals.per_area_kg, 2)),
        (_("较上年同期变化(%,可比单位)"), totals.change_pct),
        (_("有台账数据单位/在册单位"), f"{totals.reporting}/{totals.units}"),
        (_("电力排放因子适用电网"), panel.grid_label),
        *((_("排放因子"), line) for line in panel.factor_lines),
        *((_("因子说明"), note) for note in panel.factor_notes),
        (_("核算边界"), panel.boundary),
    ]
    book.sheet(_("汇总"), (_("指标"), _("数值")), summary, widths=(34, 80))
    group_headers = (_("名称"), _("在册单位"), _("有数据单位"), _("碳排放总量(tCO₂)"), _("范围一(tCO₂)"),
                     _("范围二(tCO₂)"), _("人均(tCO₂/人)"), _("单位面积(kgCO₂/m²)"), _("可比单位"),
                     _("较上年同期(%)"))

    def group_rows(groups):
        return ([g.label, g.units, g.reporting, _r(g.total_t), _r(g.scope1_t), _r(g.scope2_t), _r(g.per_capita_t),
                 _r(g.per_area_kg, 2), g.compared, g.change_pct] for g in groups)

    book.sheet(_("分区域"), group_headers, group_rows(panel.districts), widths=(14,))
    book.sheet(_("分单位类别"), group_headers, group_rows(panel.categories), widths=(14,))
    book.sheet(_("增加最多的单位"), (_("单位编号"), _("单位名称"), _("区域"), _("单位类别"), _("月份"),
                                 _("本年(tCO₂)"), _("上年同期(tCO₂)"), _("增加(tCO₂)"), _("变化(%)")),
               ([r.code, r.name, r.district, r.category, r.months_label, _r(r.current_t), _r(r.previous_t),
                 _r(r.rise_t), r.pct] for r in panel.risers), widths=(12, 36, 12, 10, 12))

    def unit_rows():
        for row in panel.units:
            a, p = row.account, row.previous
            if a is None:
                yield [row.code, row.name, row.district, row.category, _("无数据")]
                continue
            yield [row.code, row.name, row.district, row.category, a.months_label, _r(a.total_t), _r(a.scope1_t),
                   _r(a.scope2_t), _r(a.vehicle_kg / 1000), _r(a.per_capita_t), _r(a.per_area_kg, 2),
                   _r(p.total_t) if p else None,
                   change_pct(a.total_kg, p.total_kg) if p else None]

    book.sheet(_("单位明细"), (_("单位编号"), _("单位名称"), _("区域"), _("单位类别"), _("月份"),
                             _("碳排放总量(tCO₂)"), _("范围一(tCO₂)"), _("范围二(tCO₂)"), _("其中公务车(tCO₂)"),
                             _("人均(tCO₂/人)"), _("单位面积(kgCO₂/m²)"), _("上年同期(tCO₂)"), _("较上年同期(%)")),
               unit_rows(), widths=(12, 36, 12, 10, 12))
    return book.response(_filename(scope, title))
