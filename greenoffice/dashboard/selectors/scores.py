"""Panel 3, scores (考核得分): the distribution of final scores, block averages, rankings of units and
districts, and self-assessment inflation (self − verified) per unit and per item.

Only finalised year-end reviews count; their stored numbers are the truth (nobody recomputes a score
here). Five queries whatever the number of units. The two per-item queries scan every item verification
and every self-assessment answer of the campaign (27 a unit, ~160,000 rows at province scale, ~150 ms
each on PostgreSQL): that is what a per-(campaign, district, category, item) summary would replace."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db.models import Avg, Count, F, Max, Min, Q, Sum, Window
from django.db.models.functions import RowNumber

from assessment import figures
from assessment.models import ItemResponse
from greenoffice.dashboard.scope import DashboardScope
from inspections.models import ItemVerification, ReviewStatus, VerificationDecision, YearEndReview

HISTOGRAM_START = 60
HISTOGRAM_STEP = 5
HISTOGRAM_END = 100  # final scores reach 105 with the bonus: ≥100 is the last bin
TOP_UNITS = 20
BOTTOM_UNITS = 10
TOP_INFLATORS = 20


def histogram_bins() -> list[dict]:
    """[{label, low, high}] with low inclusive, high exclusive; None for an open end."""
    bins = [{"label": f"<{HISTOGRAM_START}", "low": None, "high": HISTOGRAM_START}]
    for low in range(HISTOGRAM_START, HISTOGRAM_END, HISTOGRAM_STEP):
        bins.append({"label": f"{low}–{low + HISTOGRAM_STEP}", "low": low, "high": low + HISTOGRAM_STEP})
    bins.append({"label": f"≥{HISTOGRAM_END}", "low": HISTOGRAM_END, "high": None})
    return bins


def _bin_q(low, high) -> Q:
    q = Q(final_score__isnull=False)
    if low is not None:
        q &= Q(final_score__gte=low)
    if high is not None:
        q &= Q(final_score__lt=high)
    return q


@dataclass
class Scores:
    reviewed: int = 0
    certified: int = 0
    avg_final: Decimal | None = None
    avg_verified: Decimal | None = None
    avg_gap: Decimal | None = None
    histogram: list[dict] = field(default_factory=list)  # label, count
    blocks: list[dict] = field(default_factory=list)
    top_units: list[dict] = field(default_factory=list)
    bottom_units: list[dict] = field(default_factory=list)
    districts: list[dict] = field(default_factory=list)
    inflators: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)


def finalised_reviews(scope: DashboardScope):
    return YearEndReview.objects.filter(
        enrolment__campaign=scope.campaign, status=ReviewStatus.FINALISED,
    ).filter(scope.unit_q("enrolment__unit"))


_UNIT_FIELDS = ("enrolment__unit_id", "enrolment__unit__name", "enrolment__unit__code",
                "enrolment__unit__district__name")


def unit_figures(row: dict) -> dict:
    """A finalised review's figures (assessment.figures, from its stored numbers) as a dashboard row: the
    numbers for the exports and the texts ("82 / 85") the panel prints."""
    f = figures.from_stored(SimpleNamespace(**{name: row.get(name) for name in _FIGURE_FIELDS}))
    return {
        "self_total": f.self_total, "self_max": f.self_basis_max, "self_items": f.self_basis_items,
        "self_verified": f.verified_on_self_basis, "gap": f.gap, "verified_total": f.verified_total,
        "verified_max": f.verified_max, "figures": f,
    }


_FIGURE_FIELDS = ("self_total", "self_verified", "self_max", "self_items", "verified_total", "verified_max",
                  "supervision_deduction", "pass_score", "bonus", "final_score", "gap")


def _unit_row(row: dict, rank: int) -> dict:
    return {
        "rank": rank,
        "unit_id": row["enrolment__unit_id"],
        "name": row["enrolment__unit__name"],
        "code": row["enrolment__unit__code"],
        "district": row["enrolment__unit__district__name"],
        "final_score": row["final_score"],
        "verified_total": row["verified_total"],
        "supervision_deduction": row["supervision_deduction"],
        "bonus": row["bonus"],
        "grade": row["grade"],
        "certified": row["certified"],
    }


def scores(scope: DashboardScope) -> Scores:
    panel = Scores()
    if scope.campaign is None:
        panel.histogram = [{"label": b["label"], "count": 0} for b in histogram_bins()]
        return panel
    reviews = finalised_reviews(scope)

    # 1: summary and histogram in one pass (conditional counts, one per bin).
    bins = histogram_bins()
    summary = reviews.aggregate(
        reviewed=Count("id"),
        certified=Count("id", filter=Q(certified=True)),
        avg_final=Avg("final_score"),
        avg_verified=Avg("verified_total"),
        avg_gap=Avg("gap"),
        **{f"bin_{i}": Count("id", filter=_bin_q(b["low"], b["high"])) for i, b in enumerate(bins)},
    )
    panel.reviewed = summary["reviewed"]
    panel.certified = summary["certified"]
    panel.avg_final = _round(summary["avg_final"])
    panel.avg_verified = _round(summary["avg_verified"])
    panel.avg_gap = _round(summary["avg_gap"])
    panel.histogram = [{"label": b["label"], "count": summary[f"bin_{i}"]} for i, b in enumerate(bins)]

    # 2: unit rankings (top, bottom) and the top inflators in one pass: three row numbers over the same
    # rows, keeping those near either end of either order. Ties fall back to the pass score, then the code.
    by_score = [F("final_score").desc(), F("pass_score").desc(), F("enrolment__unit__code").asc()]
    ranked = list(
        reviews.filter(final_score__isnull=False)
        .annotate(
            top=Window(RowNumber(), order_by=by_score),
            bottom=Window(RowNumber(), order_by=[F("final_score").asc(), F("pass_score").asc(),
                                                 F("enrolment__unit__code").desc()]),
            inflation=Window(RowNumber(), order_by=[F("gap").desc(nulls_last=True), F("enrolment__unit__code").asc()]),
        )
        .filter(Q(top__lte=TOP_UNITS) | Q(bottom__lte=BOTTOM_UNITS) | Q(inflation__lte=TOP_INFLATORS))
        .values(*_UNIT_FIELDS, "final_score", "verified_total", "supervision_deduction", "bonus", "grade",
                "certified", "self_total", "self_verified", "self_max", "self_items", "verified_max", "gap",
                "pass_score", "top", "bottom", "inflation")
    )
    panel.top_units = [_unit_row(row, row["top"]) for row in sorted(ranked, key=lambda r: r["top"])
                       if row["top"] <= TOP_UNITS]
    panel.bottom_units = [_unit_row(row, row["top"]) for row in sorted(ranked, key=lambda r: r["bottom"])
                          if row["bottom"] <= BOTTOM_UNITS]
    panel.inflators = [
        {"rank": row["inflation"], "unit_id": row["enrolment__unit_id"], "name": row["enrolment__unit__name"],
         "code": row["enrolment__unit__code"], "district": row["enrolment__unit__district__name"],
         **unit_figures(row)}
        for row in sorted(ranked, key=lambda r: r["inflation"])
        if row["inflation"] <= TOP_INFLATORS and row["gap"] is not None and row["gap"] > 0
    ]

    # 3: districts by average final score.
    district_rows = (
        reviews.order_by()
        .values("enrolment__unit__district_id", "enrolment__unit__district__name")
        .annotate(n=Count("id"), avg_final=Avg("final_score"), max_final=Max("final_score"),
                  min_final=Min("final_score"), certified=Count("id", filter=Q(certified=True)),
                  avg_gap=Avg("gap"))
        .order_by(F("avg_final").desc(nulls_last=True), "enrolment__unit__district__sort_order")
    )
    panel.districts = [
        {"rank": rank, "name": row["enrolment__unit__district__name"], "n": row["n"],
         "avg_final": _round(row["avg_final"]), "max_final": row["max_final"], "min_final": row["min_final"],
         "certified": row["certified"], "avg_gap": _round(row["avg_gap"])}
        for rank, row in enumerate(district_rows, start=1)
    ]

    verifications = ItemVerification.objects.filter(
        review__enrolment__campaign=scope.campaign, review__status=ReviewStatus.FINALISED,
    ).filter(scope.unit_q("review__enrolment__unit"))

    # 4: per item, the verified side (and, summed per block, the block averages).
    item_rows = list(
        verifications.order_by()
        .values("item_id", "item__code", "item__title", "item__points", "item__order", "item__block__code",
                "item__block__title", "item__block__points", "item__block__order")
        .annotate(n=Count("id"), sum_verified=Sum("verified_score"), avg_verified=Avg("verified_score"),
                  overridden=Count("id", filter=Q(decision=VerificationDecision.OVERRIDE)))
        .order_by("item__order")
    )
    # 5: per item, the self side, from the self-assessments of the same finalised reviews. Two grouped scans
    # cost about half of joining every verification to its response.
    self_rows = {
        row["item_id"]: row
        for row in ItemResponse.objects.filter(
            assessment__enrolment__campaign=scope.campaign,
            assessment__enrolment__year_end_review__status=ReviewStatus.FINALISED,
            self_score__isnull=False,
        ).filter(scope.unit_q("assessment__enrolment__unit"))
        .order_by().values("item_id").annotate(n=Count("id"), avg_self=Avg("self_score"))
    }

    blocks: dict[str, dict] = {}
    panel.items = []
    for row in item_rows:
        block = blocks.setdefault(row["item__block__code"], {
            "code": row["item__block__code"], "title": row["item__block__title"],
            "points": row["item__block__points"], "total": Decimal(0),
        })
        block["total"] += row["sum_verified"] or 0
        avg_self = self_rows.get(row["item_id"], {}).get("avg_self")
        avg_verified = row["avg_verified"]
        panel.items.append({
            "code": row["item__code"], "title": row["item__title"], "points": row["item__points"], "n": row["n"],
            "avg_self": _round(avg_self), "avg_verified": _round(avg_verified),
            # Both averages are over the same reviews, so their difference is the average gap.
            "avg_gap": _round(Decimal(str(avg_self)) - Decimal(str(avg_verified)))
            if avg_self is not None and avg_verified is not None else None,
            "overridden": row["overridden"],
        })
    panel.items.sort(key=lambda r: (r["avg_gap"] is None, -(r["avg_gap"] or 0)))
    # A block's average: the verified points of its items over all finalised reviews.
    panel.blocks = []
    for block in blocks.values():
        average = _round(block.pop("total") / panel.reviewed) if panel.reviewed else None
        points = block["points"]
        block["avg_verified"] = average
        block["pct"] = _round(average * 100 / points) if average is not None and points else None
        panel.blocks.append(block)
    return panel


def _round(value) -> Decimal | None:
    if value is None:
        return None
    # SQLite hands averages back as floats; via str() 82.125 stays 82.125 before rounding.
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
