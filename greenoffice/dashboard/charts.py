"""Chart data for static/js/dashboard.js: each function turns a panel's numbers into a small spec
(`type`, categories, series with colours) that the script turns into an ECharts option. The page passes
a spec with Django's `json_script`, so no script is inline and no number is formatted twice."""
from django.utils.translation import gettext as _

from greenoffice.dashboard.selectors.battle_map import DISPLAY_GROUPS, BattleMap
from greenoffice.dashboard.selectors.carbon import CarbonPanel
from greenoffice.dashboard.selectors.scores import Scores
from greenoffice.dashboard.selectors.supervision import MONTHLY_KINDS, Supervision
from greenoffice.dashboard.selectors.targets import Targets
from inspections.models import InspectionKind

GREEN = "#1f6b3a"
GREY = "#adb5bd"
RED = "#d62728"
AMBER = "#e6b800"
BLUE = "#3182bd"
KIND_COLOURS = {InspectionKind.SPOT_CHECK: BLUE, InspectionKind.UNANNOUNCED: "#756bb1",
                InspectionKind.ROUTINE: "#74c476"}


def _num(value):
    return None if value is None else float(value)


def stage_pie(panel: BattleMap) -> dict:
    return {
        "type": "pie",
        "legend": False,  # the panel's own legend above the chart names the colours
        "name": _("阶段分布"),
        "data": [{"name": str(g["label"]), "value": g["count"], "color": g["colour"]}
                 for g in panel.legend if g["count"]],
    }


def stage_by_district(panel: BattleMap) -> dict:
    return {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "integer": True,
        "legend": False,
        "categories": [d.name for d in panel.districts],
        "series": [
            {"name": str(label), "color": colour, "data": [d.counts.get(key, 0) for d in panel.districts]}
            for key, label, colour in DISPLAY_GROUPS
        ],
    }


def target_gauges(panel: Targets) -> list[dict]:
    gauges = [{
        "type": "gauge",
        "name": _("年度创成目标完成率"),
        "value": _num(panel.certified_pct) or 0,
        "max": 100,
        "color": GREEN,
    }, {
        "type": "gauge",
        "name": _("创成比例"),
        "value": _num(panel.share) or 0,
        "max": 100,
        "target": _num(panel.target_share),
        "color": BLUE,
    }]
    return gauges


def forecast_bar(panel: Targets) -> dict:
    totals = panel.totals
    return {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "integer": True,
        "categories": [_("预测")],
        "markLine": panel.target_count or None,
        "markLineName": _("目标"),
        "series": [
            {"name": _("已命名"), "color": GREEN, "data": [totals.certified]},
            {"name": _("考核通过/公示中"), "color": "#74c476", "data": [totals.secured]},
            {"name": _("核定达标待定"), "color": "#a1d99b", "data": [totals.likely]},
            {"name": _("在审及整改中"), "color": GREY, "data": [totals.pipeline]},
        ],
    }


def score_histogram(panel: Scores) -> dict:
    return {
        "type": "bar",
        "integer": True,
        "categories": [row["label"] for row in panel.histogram],
        "series": [{"name": _("单位数"), "color": GREEN, "data": [row["count"] for row in panel.histogram]}],
    }


def block_averages(panel: Scores) -> dict:
    return {
        "type": "bar",
        "horizontal": True,
        "percent": True,
        "categories": [row["title"] for row in panel.blocks],
        "series": [{"name": _("平均得分率(%)"), "color": GREEN, "data": [_num(row["pct"]) for row in panel.blocks]}],
    }


def item_gaps(panel: Scores) -> dict:
    return {
        "type": "bar",
        "categories": [row["code"] for row in panel.items],
        "series": [{"name": _("平均自评虚高(分)"), "color": AMBER,
                    "data": [_num(row["avg_gap"]) for row in panel.items]}],
    }


def monthly_visits(panel: Supervision) -> dict:
    kinds = dict(InspectionKind.choices)
    return {
        "type": "bar",
        "stacked": True,
        "integer": True,
        "categories": [_("%(m)s月") % {"m": row["month"]} for row in panel.monthly],
        "series": [
            {"name": str(kinds[kind]), "color": KIND_COLOURS[kind],
             "data": [row["counts"][kind] for row in panel.monthly]}
            for kind in MONTHLY_KINDS
        ],
    }


def order_status_pie(panel: Supervision) -> dict:
    slices = [
        (_("未到期整改中"), panel.orders_open - panel.orders_overdue, BLUE),
        (_("逾期未整改"), panel.orders_overdue, RED),
        (_("按期销号"), panel.orders_closed_on_time, GREEN),
        (_("逾期销号"), panel.orders_closed_late, AMBER),
    ]
    return {"type": "pie", "name": _("整改通知"),
            "data": [{"name": name, "value": value, "color": colour} for name, value, colour in slices if value]}


def findings_by_item(panel: Supervision) -> dict:
    rows = panel.top_items
    return {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "integer": True,
        "categories": [row["code"] for row in rows],
        "series": [
            {"name": _("一般问题"), "color": AMBER, "data": [row["n"] - row["serious"] for row in rows]},
            {"name": _("严重问题"), "color": RED, "data": [row["serious"] for row in rows]},
        ],
    }


def _t(value):
    return None if value is None else round(float(value), 1)


def _scopes_bar(groups) -> dict:
    return {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "categories": [g.label for g in groups],
        "series": [
            {"name": _("范围二(外购电力、热力)tCO₂"), "color": BLUE, "data": [_t(g.scope2_t) for g in groups]},
            {"name": _("范围一(天然气、燃油)tCO₂"), "color": AMBER, "data": [_t(g.scope1_t) for g in groups]},
        ],
    }


def carbon_by_district(panel: CarbonPanel) -> dict:
    return _scopes_bar(panel.districts)


def carbon_by_category(panel: CarbonPanel) -> dict:
    return _scopes_bar(panel.categories)


def carbon_trend(panel: CarbonPanel) -> dict:
    trend = panel.trend
    if not trend:
        return {"type": "bar", "categories": [], "series": []}
    colours = (GREEN, GREY)
    return {
        "type": "bar",
        "categories": [_("%(m)s月") % {"m": m} for m in trend["months"]],
        "series": [
            {"name": _("%(y)s年 tCO₂") % {"y": year}, "color": colours[i],
             "data": [_t(v) for v in trend["series"][year]]}
            for i, year in enumerate(trend["years"])
        ],
    }
