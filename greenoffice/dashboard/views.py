"""The leaders' dashboard: a page of five panels, each loaded on its own (htmx `hx-trigger="load"`) so a
slow panel never holds up the others. Every panel URL also answers `?format=xlsx` with its tables.

Leaders, inspectors and administrators may open it (scoped by `units.selectors.unit_scope_q`); a director
gets 403, an anonymous visitor the log-in page."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from greenoffice.dashboard import charts, exports
from greenoffice.dashboard.cache import cached_panel
from greenoffice.dashboard.scope import dashboard_can_view, dashboard_filter_form, dashboard_scope_from_request
from greenoffice.dashboard.selectors.battle_map import TILE_CAP, battle_map
from greenoffice.dashboard.selectors.carbon import carbon_panel
from greenoffice.dashboard.selectors.scores import scores
from greenoffice.dashboard.selectors.supervision import supervision
from greenoffice.dashboard.selectors.targets import targets
from greenoffice.dashboard.tiles import tiles_html

PANELS = (
    ("battle_map", _("挂图作战"), "grid-3x3-gap"),
    ("targets", _("目标任务"), "bullseye"),
    ("scores", _("考核得分"), "bar-chart-line"),
    ("supervision", _("督查整改"), "search"),
    ("carbon", _("碳排放"), "cloud"),
)
PANEL_TITLES = {key: title for key, title, _icon in PANELS}


def _gate(request):
    if not dashboard_can_view(request.user):
        raise PermissionDenied
    return dashboard_scope_from_request(request)


@login_required
def index(request):
    scope = _gate(request)
    return render(request, "dashboard/index.html", {
        "form": dashboard_filter_form(scope),
        "scope": scope,
        "querystring": scope.querystring(),
        "panels": [{"key": key, "title": title, "icon": icon, "url_name": f"dashboard:{key}"}
                   for key, title, icon in PANELS],
    })


def _render_panel(request, scope, key: str, context: dict):
    """The panel's fragment for htmx; the same fragment inside the page frame when opened directly
    (a "more" link, a bookmark, no JavaScript)."""
    context.update({"scope": scope, "querystring": scope.querystring(),
                    "querystring_no_district": scope.querystring(district=False), "panel_key": key,
                    "panel_title": PANEL_TITLES[key], "panel_url_name": f"dashboard:{key}"})
    template = f"dashboard/panel_{key}.html"
    if request.htmx:
        return render(request, template, context)
    context["panel_template"] = template
    return render(request, "dashboard/panel_page.html", context)


def _wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


@login_required
@cached_panel("battle_map")  # perf (issue 8): htmx fragment served from the shared cache; see dashboard/cache.py
def battle_map_panel(request):
    scope = _gate(request)
    # The whole district on request; otherwise a capped number of tiles per district.
    show_all = request.GET.get("all") == "1" and scope.district is not None
    panel = battle_map(scope, cap=None if show_all else TILE_CAP)
    if _wants_xlsx(request):
        return exports.battle_map_workbook(scope, panel)
    for district in panel.districts:
        district.tiles_html = tiles_html(district.tiles, named=panel.named)
    return _render_panel(request, scope, "battle_map", {
        "panel": panel,
        "charts": {"stage_pie": charts.stage_pie(panel), "stage_by_district": charts.stage_by_district(panel)},
    })


@login_required
@cached_panel("targets")  # perf (issue 8): htmx fragment served from the shared cache; see dashboard/cache.py
def targets_panel(request):
    scope = _gate(request)
    panel = targets(scope)
    if _wants_xlsx(request):
        return exports.targets_workbook(scope, panel)
    gauges = charts.target_gauges(panel)
    return _render_panel(request, scope, "targets", {
        "panel": panel,
        "charts": {"gauge_count": gauges[0], "gauge_share": gauges[1], "forecast": charts.forecast_bar(panel)},
    })


@login_required
@cached_panel("scores")  # perf (issue 8): htmx fragment served from the shared cache; see dashboard/cache.py
def scores_panel(request):
    scope = _gate(request)
    panel = scores(scope)
    if _wants_xlsx(request):
        return exports.scores_workbook(scope, panel)
    return _render_panel(request, scope, "scores", {
        "panel": panel,
        "charts": {"histogram": charts.score_histogram(panel), "blocks": charts.block_averages(panel),
                   "item_gaps": charts.item_gaps(panel)},
    })


@login_required
@cached_panel("supervision")  # perf (issue 8): htmx fragment served from the shared cache; see dashboard/cache.py
def supervision_panel(request):
    scope = _gate(request)
    panel = supervision(scope)
    if _wants_xlsx(request):
        return exports.supervision_workbook(scope, panel)
    return _render_panel(request, scope, "supervision", {
        "panel": panel,
        "charts": {"monthly": charts.monthly_visits(panel), "orders": charts.order_status_pie(panel),
                   "findings": charts.findings_by_item(panel)},
    })


@login_required
@cached_panel("carbon")  # issue 24: from the ledger, cached like the others; saving ledger months invalidates
def carbon_panel_view(request):
    scope = _gate(request)
    panel = carbon_panel(scope)
    if _wants_xlsx(request):
        return exports.carbon_workbook(scope, panel)
    return _render_panel(request, scope, "carbon", {
        "panel": panel,
        "charts": {"districts": charts.carbon_by_district(panel), "categories": charts.carbon_by_category(panel),
                   "trend": charts.carbon_trend(panel)},
    })
