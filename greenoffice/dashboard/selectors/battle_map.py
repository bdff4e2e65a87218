"""Panel 1, 挂图作战: every enrolled unit as a tile coloured by its stage, grouped by district.

The stage is read from the enrolment (the truth); the display only folds the thirteen stages into nine
groups. Two queries: the counts per district and stage, and the tiles (at most `cap` per district, cut
in the database with a window function so a 10,000-unit province never ships every row to the page)."""
from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import Enrolment, Stage
from assessment.selectors.deadlines import with_overdue
from greenoffice.dashboard.scope import DashboardScope
from units.models import UnitCategory

# (key, label, colour). The colours are repeated in static/css/dashboard.css (.go-stage-<key>): tiles are
# coloured by class because the CSP forbids style attributes, charts get them from here.
DISPLAY_GROUPS = (
    ("not_started", _("未开始"), "#c8ccd0"),
    ("self_assessing", _("自评中"), "#9ecae1"),
    ("submitted", _("已提交"), "#3182bd"),
    ("returned", _("退回修改"), "#fd8d3c"),
    ("under_review", _("审核考核中"), "#756bb1"),
    ("rectifying", _("限期整改"), "#e6b800"),
    ("passed", _("考核通过"), "#74c476"),
    ("certified", _("已命名"), "#1f6b3a"),
    ("failed", _("未通过"), "#d62728"),
)

# Every stage of assessment.models.Stage in exactly one display group.
STAGE_GROUP = {
    Stage.NOT_STARTED: "not_started",
    Stage.SELF_ASSESSING: "self_assessing",
    Stage.SUBMITTED: "submitted",
    Stage.RESUBMITTED: "submitted",
    Stage.RETURNED: "returned",
    Stage.ACCEPTED: "under_review",
    Stage.REVIEWED: "under_review",
    Stage.RECTIFYING: "rectifying",
    Stage.PASSED: "passed",
    Stage.PUBLICITY: "passed",
    Stage.CERTIFIED: "certified",
    Stage.FAILED: "failed",
    Stage.REVOKED: "failed",
}

TILE_CAP = 300  # tiles per district before a "more" link
NAMED_TILE_LIMIT = 200  # up to this many tiles in all, a tile shows the unit's name


@dataclass
class DistrictTiles:
    district_id: int
    name: str
    total: int = 0
    counts: dict = field(default_factory=dict)  # group key -> count
    tiles: list = field(default_factory=list)
    tiles_html: str = ""  # set by the view (greenoffice.dashboard.tiles)

    @property
    def hidden(self) -> int:
        return self.total - len(self.tiles)

    @property
    def group_counts(self) -> list[dict]:
        return [{"key": key, "label": label, "count": self.counts[key]}
                for key, label in _group_labels() if self.counts.get(key)]


@dataclass
class BattleMap:
    districts: list[DistrictTiles]
    legend: list[dict]  # key, label, colour, count
    total: int
    named: bool  # few enough units to print names on the tiles
    cap: int | None


def _group_labels() -> list[tuple[str, str]]:
    # In the active language, resolved once per call instead of once per district and group.
    return [(key, str(label)) for key, label, _colour in DISPLAY_GROUPS]


def _unit_url_parts() -> tuple[str, str]:
    # reverse() per tile costs ~50 ms at 10,000 tiles; the URL is the same apart from the id.
    url = reverse("units:detail", args=[0])
    head, tail = url.rsplit("0", 1)
    return head, tail


def battle_map_enrolments(scope: DashboardScope):
    return Enrolment.objects.filter(campaign=scope.campaign).filter(scope.unit_q("unit"))


def battle_map(scope: DashboardScope, *, cap: int | None = TILE_CAP) -> BattleMap:
    if scope.campaign is None:
        return BattleMap(districts=[], legend=_legend({}), total=0, named=False, cap=cap)
    enrolments = battle_map_enrolments(scope)
    districts: dict[int, DistrictTiles] = {}
    totals: dict[str, int] = {}
    count_rows = (
        enrolments.order_by()
        .values("unit__district_id", "unit__district__name", "unit__district__sort_order", "unit__district__code",
                "stage")
        .annotate(n=Count("id"))
        .order_by("unit__district__sort_order", "unit__district__code")
    )
    for row in count_rows:
        district = districts.get(row["unit__district_id"])
        if district is None:
            district = districts[row["unit__district_id"]] = DistrictTiles(
                district_id=row["unit__district_id"], name=row["unit__district__name"])
        group = STAGE_GROUP.get(row["stage"], "not_started")
        district.counts[group] = district.counts.get(group, 0) + row["n"]
        district.total += row["n"]
        totals[group] = totals.get(group, 0) + row["n"]

    # 逾期 (self-assessment owed after its deadline, or submitted late) in the same query.
    tiles = with_overdue(enrolments, campaign=scope.campaign, day=timezone.localdate()).values(
        "unit_id", "unit__name", "unit__short_name", "unit__code", "unit__district_id", "stage", "overdue")
    if cap is not None:
        tiles = tiles.annotate(
            position=Window(RowNumber(), partition_by=[F("unit__district_id")], order_by=F("unit__code").asc())
        ).filter(position__lte=cap)
    tiles = tiles.order_by("unit__district_id", "unit__code")
    head, tail = _unit_url_parts()
    # Resolved once: a lazy label would be translated again for each of 10,000 tiles.
    stage_labels = {value: str(label) for value, label in Stage.choices}
    for row in tiles:
        district = districts.get(row["unit__district_id"])
        if district is None:  # enrolled between the two queries
            continue
        district.tiles.append({
            "url": f"{head}{row['unit_id']}{tail}",
            "name": row["unit__name"],
            "short": row["unit__short_name"] or row["unit__name"],
            "group": STAGE_GROUP.get(row["stage"], "not_started"),
            "stage": stage_labels.get(row["stage"], row["stage"]),
            "overdue": row["overdue"],
        })
    total = sum(totals.values())
    return BattleMap(districts=list(districts.values()), legend=_legend(totals), total=total,
                     named=total <= NAMED_TILE_LIMIT, cap=cap)


def _legend(totals: dict) -> list[dict]:
    return [{"key": key, "label": label, "colour": colour, "count": totals.get(key, 0)}
            for key, label, colour in DISPLAY_GROUPS]


def battle_map_rows(scope: DashboardScope):
    """Every enrolled unit (no cap) for the export, streamed from one query."""
    if scope.campaign is None:
        return []
    stage_labels = dict(Stage.choices)
    category_labels = dict(UnitCategory.choices)
    group_labels = {key: label for key, label, _colour in DISPLAY_GROUPS}
    rows = (
        battle_map_enrolments(scope)
        .order_by("unit__district__sort_order", "unit__district__code", "unit__code")
        .values_list("unit__district__name", "unit__code", "unit__name", "unit__category", "stage",
                     "stage_changed_at")
    )
    return (
        (district, code, name, category_labels.get(category, category), stage_labels.get(stage, stage),
         group_labels.get(STAGE_GROUP.get(stage, "not_started")), changed)
        for district, code, name, category, stage, changed in rows.iterator(chunk_size=2000)
    )
