"""Panel 3, scores (考核得分): the distribution of final scores, block averages, rankings of units and
districts, and self-assessment inflation (self − verified) per unit and per item.

Only finalised year-end reviews count; their stored numbers are the truth (nobody recomputes a score
here). Seven queries whatever the number of units; the block and item averages scan every item
verification of the campaign (27 a unit), which is what a summary table would replace at province
scale (see the dashboard notes in docs/architecture.md)."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Max, Min, Q, Sum

from greenoffice.dashboard.scope import DashboardScope
from inspections.models import ItemVerification, ReviewStatus, VerificationDecision, YearEndReview

HISTOGRAM_START = 60
HISTOGRAM_STEP = 5
HISTOGRAM_END = 100  # final scores reach 105 with the bonus: ≥100 is the last bin
TOP_UNITS = 20
BOTTOM_UNITS = 10
TOP_INFLATORS = 20

_POINTS = DecimalField(max_digits=8, decimal_places=2)


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

    # 2, 3: unit rankings. Ties are broken by the pass score, then the unit code, so the order is stable.
    fields = (*_UNIT_FIELDS, "final_score", "verified_total", "supervision_deduction", "bonus", "grade",
              "certified")
    ranked = reviews.filter(final_score__isnull=False).values(*fields)
    top = ranked.order_by("-final_score", "-pass_score", "enrolment__unit__code")[:TOP_UNITS]
    panel.top_units = [_unit_row(row, rank) for rank, row in enumerate(top, start=1)]
    bottom = ranked.order_by("final_score", "pass_score", "-enrolment__unit__code")[:BOTTOM_UNITS]
    ranked_count = summary["reviewed"] - _unscored(summary, bins)
    panel.bottom_units = [_unit_row(row, ranked_count - i) for i, row in enumerate(bottom)]

    # 4: districts by average final score.
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

    # 5: the units whose self-assessment most exceeded the verified score.
    inflators = (
        reviews.filter(gap__gt=0)
        .values(*_UNIT_FIELDS, "self_total", "verified_total", "gap")
        .order_by("-gap", "enrolment__unit__code")[:TOP_INFLATORS]
    )
    panel.inflators = [
        {"rank": rank, "unit_id": row["enrolment__unit_id"], "name": row["enrolment__unit__name"],
         "code": row["enrolment__unit__code"], "district": row["enrolment__unit__district__name"],
         "self_total": row["self_total"], "verified_total": row["verified_total"], "gap": row["gap"]}
        for rank, row in enumerate(inflators, start=1)
    ]

    verifications = ItemVerification.objects.filter(
        review__enrolment__campaign=scope.campaign, review__status=ReviewStatus.FINALISED,
    ).filter(scope.unit_q("review__enrolment__unit"))

    # 6: block averages: Σ verified item scores of the block / number of reviews.
    block_rows = (
        verifications.order_by()
        .values("item__block__code", "item__block__title", "item__block__points", "item__block__order")
        .annotate(total=Sum("verified_score"), reviews=Count("review_id", distinct=True))
        .order_by("item__block__order")
    )
    panel.blocks = []
    for row in block_rows:
        average = _round(row["total"] / row["reviews"]) if row["reviews"] else None
        points = row["item__block__points"]
        panel.blocks.append({
            "code": row["item__block__code"], "title": row["item__block__title"], "points": points,
            "avg_verified": average,
            "pct": _round(average * 100 / points) if average is not None and points else None,
        })

    # 7: per item, the self score of the same unit and item next to the verified one.
    self_score = "review__enrolment__self_assessment__responses__self_score"
    item_rows = (
        verifications.filter(review__enrolment__self_assessment__responses__item=F("item"))
        .order_by()
        .values("item__code", "item__title", "item__points", "item__order")
        .annotate(
            n=Count("id"),
            avg_self=Avg(self_score),
            avg_verified=Avg("verified_score"),
            avg_gap=Avg(ExpressionWrapper(F(self_score) - F("verified_score"), output_field=_POINTS)),
            overridden=Count("id", filter=Q(decision=VerificationDecision.OVERRIDE)),
            inflated=Count("id", filter=Q(**{f"{self_score}__gt": F("verified_score")})),
        )
        .order_by(F("avg_gap").desc(nulls_last=True), "item__order")
    )
    panel.items = [
        {"code": row["item__code"], "title": row["item__title"], "points": row["item__points"], "n": row["n"],
         "avg_self": _round(row["avg_self"]), "avg_verified": _round(row["avg_verified"]),
         "avg_gap": _round(row["avg_gap"]), "overridden": row["overridden"], "inflated": row["inflated"]}
        for row in item_rows
    ]
    return panel


def _unscored(summary: dict, bins: list[dict]) -> int:
    """Finalised reviews without a final score (none in practice): they are left out of the ranking."""
    return summary["reviewed"] - sum(summary[f"bin_{i}"] for i in range(len(bins)))


def _round(value) -> Decimal | None:
    if value is None:
        return None
    # SQLite hands averages back as floats; via str() 82.125 stays 82.125 before rounding.
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
