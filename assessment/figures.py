"""One definition per figure: every number a unit's result shows (totals, the self-vs-verified gap, the
certification forecast) is defined here once and read by the review page, the unit PDF, the
leaders' dashboard and its xlsx exports. docs/figures.md is the reader's version of this module.

No ORM here, and nothing from greenoffice: the inputs are a `scoring.UnitScore` (a live computation)
or the numbers a finalised review stored (`from_stored`, duck-typed on the review's attributes).

The self-assessment and the inspector's verification are compared on one item set, the *self basis*:
the items that carry both a self-score and a verified score. On-site items have no self-score, so the
verified total over all items (0–100) cannot be set against the self total; the self basis shows the
two side by side with the basis' maximum ("自评 84 / 85 · 核定 82 / 85") and the gap is their
difference on that basis, labelled with the number of items it covers.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessment import scoring
from assessment.rubric_schema import format_points

ZERO = Decimal(0)


@dataclass(frozen=True)
class UnitFigures:
    """A unit's result figures. Every "x / y" pair is a score over the maximum of the same item set."""

    self_total: Decimal  # Σ self-score over the self basis
    verified_on_self_basis: Decimal  # Σ verified score over the same items
    self_basis_max: Decimal  # Σ item maxima over the self basis
    self_basis_items: int  # how many items the self basis holds
    verified_total: Decimal  # Σ verified score over every item of the rubric
    verified_max: Decimal  # Σ item maxima over every item (100 for the shipped rubric)
    supervision_deduction: Decimal
    pass_score: Decimal
    bonus: Decimal
    final_score: Decimal

    @property
    def gap(self) -> Decimal:
        """Self-assessment inflation (自评虚高): self − verified, both over the self basis."""
        return self.self_total - self.verified_on_self_basis

    # The exact strings every surface prints: the consistency test compares these.
    @property
    def self_text(self) -> str:
        return f"{format_points(self.self_total)} / {format_points(self.self_basis_max)}"

    @property
    def verified_on_self_basis_text(self) -> str:
        return f"{format_points(self.verified_on_self_basis)} / {format_points(self.self_basis_max)}"

    @property
    def verified_text(self) -> str:
        return f"{format_points(self.verified_total)} / {format_points(self.verified_max)}"

    @property
    def gap_text(self) -> str:
        return signed_points(self.gap)

    def texts(self) -> dict[str, str]:
        """Figure name → the exact text shown, for the pages, the PDF and the consistency checker."""
        return {
            "self": self.self_text,
            "verified_on_self_basis": self.verified_on_self_basis_text,
            "gap": self.gap_text,
            "self_basis_items": str(self.self_basis_items),
            "verified": self.verified_text,
            "supervision_deduction": format_points(self.supervision_deduction),
            "pass_score": format_points(self.pass_score),
            "bonus": format_points(self.bonus),
            "final_score": format_points(self.final_score),
        }


def signed_points(value: Decimal) -> str:
    """A gap as printed: "+2", "−1.5", "0" (a true minus sign, as scoring's provenance lines)."""
    if value > 0:
        return f"+{format_points(value)}"
    if value < 0:
        return f"−{format_points(-value)}"
    return "0"


def _self_basis(score: scoring.UnitScore) -> list[scoring.ItemResult]:
    return [item for item in score.items if item.self_score is not None and item.verified_score is not None]


def from_score(score: scoring.UnitScore) -> UnitFigures:
    """The figures of a live computation (a draft review: unverified items are outside the self basis)."""
    basis = _self_basis(score)
    return UnitFigures(
        self_total=sum((item.self_score for item in basis), ZERO),
        verified_on_self_basis=sum((item.verified_score for item in basis), ZERO),
        self_basis_max=sum((item.max_points for item in basis), ZERO),
        self_basis_items=len(basis),
        verified_total=score.verified_total,
        verified_max=sum((item.max_points for item in score.items), ZERO),
        supervision_deduction=score.supervision_deduction,
        pass_score=score.pass_score,
        bonus=score.bonus,
        final_score=score.final_score,
    )


def stored_values(score: scoring.UnitScore) -> dict:
    """The numbers a finalised review stores (field name → value), all from `from_score`."""
    figures = from_score(score)
    return {
        "self_total": figures.self_total,
        "self_verified": figures.verified_on_self_basis,
        "self_max": figures.self_basis_max,
        "self_items": figures.self_basis_items,
        "verified_total": figures.verified_total,
        "verified_max": figures.verified_max,
        "supervision_deduction": figures.supervision_deduction,
        "pass_score": figures.pass_score,
        "bonus": figures.bonus,
        "final_score": figures.final_score,
        "gap": figures.gap,
    }


def from_stored(review) -> UnitFigures:
    """The figures of a finalised review, from the numbers it stored (never recomputed)."""
    self_total = review.self_total or ZERO
    self_verified = review.self_verified
    if self_verified is None:  # stored before the self basis was: its gap was already on that basis
        self_verified = self_total - (getattr(review, "gap", None) or ZERO)
    return UnitFigures(
        self_total=self_total,
        verified_on_self_basis=self_verified,
        self_basis_max=review.self_max or ZERO,
        self_basis_items=review.self_items or 0,
        verified_total=review.verified_total or ZERO,
        verified_max=review.verified_max or ZERO,
        supervision_deduction=review.supervision_deduction or ZERO,
        pass_score=review.pass_score or ZERO,
        bonus=review.bonus or ZERO,
        final_score=review.final_score or ZERO,
    )


def average(values) -> Decimal | None:
    """The average every surface prints (two decimals, half up); None when there is nothing to average."""
    values = [Decimal(str(v)) for v in values if v is not None]
    if not values:
        return None
    return (sum(values, ZERO) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# The certification forecast (预计创成): one method, used by the dashboard's targets panel and the
# campaign summary PDF.

@dataclass(frozen=True)
class ForecastCounts:
    """Enrolments of one campaign counted by where they stand (counted by
    `inspections.selectors.forecast.forecast_annotations`, the one place that counts them)."""

    certified: int = 0  # named (stage certified)
    secured: int = 0  # passed the year-end review or in publicity: named unless an objection succeeds
    likely: int = 0  # reviewed, with a finalised pass score at or above the pass mark
    pipeline: int = 0  # submitted, accepted or rectifying: may still pass
    finalised: int = 0  # finalised reviews of the campaign
    finalised_certified: int = 0  # …of which certified


@dataclass(frozen=True)
class Forecast:
    low: int  # certified + secured + likely
    high: int  # low + the whole pipeline
    expected: int | None  # low + pipeline × this year's pass rate (None before any review is finalised)
    pass_rate: Decimal | None

    @property
    def point(self) -> int:
        """The one number shown as "预计创成": the expected count, or the low end before any result."""
        return self.low if self.expected is None else self.expected


def forecast(counts: ForecastCounts) -> Forecast:
    low = counts.certified + counts.secured + counts.likely
    rate = None
    expected = None
    if counts.finalised:
        rate = Decimal(counts.finalised_certified) / Decimal(counts.finalised)
        converted = (Decimal(counts.pipeline) * rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        expected = low + int(converted)
    return Forecast(low=low, high=low + counts.pipeline, expected=expected, pass_rate=rate)
