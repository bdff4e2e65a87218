"""Suggested scores as one kind of record (pure; the model is assessment.models.Suggestion).

A suggestion (the energy ledger's for items 2.1–2.4; the unit-work records' for 1.1–1.6 later) is a
score with its calculation lines, the inputs it was computed from and the version of the factor table
it used. The digest identifies what it was computed from: a kept suggestion whose digest no longer
matches the live computation tells the reader that the data changed after the decision.

A verified score more than DEPARTURE_LIMIT away from an available suggestion, above or below, is a
departure and needs a written reason."""
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from assessment.rubric_schema import format_points

DEPARTURE_LIMIT = Decimal(1)


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def jsonable(value):
    """Dataclasses, Decimals and dates as JSON (Decimals as strings, so nothing is lost to floats)."""
    return json.loads(_canonical(value))


@dataclass(frozen=True)
class SuggestionData:
    code: str
    source: str
    score: Decimal | None
    max_points: Decimal
    lines: tuple[str, ...] = ()
    inputs: dict = field(default_factory=dict)
    factor_version: str = ""

    @property
    def available(self) -> bool:
        return self.score is not None

    @property
    def digest(self) -> str:
        payload = {"inputs": self.inputs, "score": None if self.score is None else format_points(self.score),
                   "factor_version": self.factor_version}
        return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def departs(suggested: Decimal | None, verified: Decimal | None) -> bool:
    """More than DEPARTURE_LIMIT away from an available suggestion, either way."""
    if suggested is None or verified is None:
        return False
    return abs(Decimal(verified) - Decimal(suggested)) > DEPARTURE_LIMIT


def describe_kept(score: Decimal | None, max_points: Decimal) -> str:
    if score is None:
        return f"台账建议得分:无法计算(满分{format_points(max_points)}分)"
    return f"台账建议得分{format_points(score)}分(满分{format_points(max_points)}分)"


def departure_line(suggested: Decimal, verified: Decimal) -> str:
    """The provenance line of a departure; the inspector's reason is on the verification's own line."""
    gap = abs(Decimal(verified) - Decimal(suggested))
    side = "高于" if Decimal(verified) > Decimal(suggested) else "低于"
    return (f"核定{format_points(verified)}分{side}建议得分{format_points(gap)}分"
            f"(超过{format_points(DEPARTURE_LIMIT)}分,理由见督查员核定)")
