"""The monthly spot-check draw: pure, reproducible, auditable. No Django, no ORM, no clock.

Given the candidates (one per enrolled unit, with its risk inputs), a seed, a sample size, whether
to weight by risk and K (months before a unit may be drawn again), `draw()` returns the selected unit
ids. The same inputs always give the same result: candidates are sorted by unit id and every random
number comes from one `random.Random(seed)` in that order, so a stored round can be redone by anyone.

How it draws
- Eligibility: a unit visited less than K months ago is left out, unless it has overdue orders
  (an overdue unit is exactly the one worth going back to).
- Weighted sampling without replacement (Efraimidis–Spirakis): each eligible unit gets the key
  u ** (1 / w) for u uniform in (0, 1); the `size` largest keys win. With weighting off every w is 1,
  which makes it a uniform draw.
- Coverage: every unit must be visited once a year. If the units not yet visited this year could no
  longer all fit in the remaining months (unvisited > (months_left − 1) × size), the surplus is taken
  from them first (still by key order among them), the rest of the sample from everyone eligible.
"""

import math
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

# Risk weights: how much each risk signal adds to the base weight 1. A unit with an overdue order or a
# poor last score is several times likelier to be drawn, but a low-risk unit keeps a real chance.
WEIGHT_OPEN_ORDER = 0.5
WEIGHT_OPEN_ORDER_CAP = 2.0
WEIGHT_OVERDUE_ORDER = 1.5
WEIGHT_OVERDUE_CAP = 4.5
SCORE_REFERENCE = 90.0  # points below this raise the risk
WEIGHT_PER_SCORE_POINT = 0.1
WEIGHT_SCORE_CAP = 3.0
WEIGHT_PER_GAP_POINT = 0.2  # self-assessment inflation (self − verified)
WEIGHT_GAP_CAP = 2.0


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    open_orders: int = 0
    overdue_orders: int = 0
    last_verified_score: float | None = None
    gap: float = 0.0  # self − verified of the last verified assessment
    months_since_visit: int | None = None  # None: never visited
    visited_this_year: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> "Candidate":
        score = data.get("last_verified_score")
        since = data.get("months_since_visit")
        return cls(
            unit_id=int(data["unit_id"]),
            open_orders=int(data.get("open_orders") or 0),
            overdue_orders=int(data.get("overdue_orders") or 0),
            last_verified_score=None if score is None else float(score),
            gap=float(data.get("gap") or 0),
            months_since_visit=None if since is None else int(since),
            visited_this_year=bool(data.get("visited_this_year")),
        )

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DrawResult:
    selected: tuple[int, ...]  # in draw order
    weights: dict[int, float]
    eligible: tuple[int, ...]
    excluded_recent: tuple[int, ...]
    must_cover: tuple[int, ...]  # selected because of the coverage rule
    size: int  # the effective size (never more than the eligible units)
    notes: tuple[str, ...] = field(default=())

    def log(self) -> dict:
        """A JSON-friendly account of the draw, stored with the round."""
        return {
            "eligible": list(self.eligible),
            "excluded_recent": list(self.excluded_recent),
            "must_cover": list(self.must_cover),
            "size": self.size,
            "notes": list(self.notes),
        }


def risk_weight(candidate: Candidate) -> float:
    weight = 1.0
    weight += min(WEIGHT_OPEN_ORDER * candidate.open_orders, WEIGHT_OPEN_ORDER_CAP)
    weight += min(WEIGHT_OVERDUE_ORDER * candidate.overdue_orders, WEIGHT_OVERDUE_CAP)
    if candidate.last_verified_score is not None:
        shortfall = max(0.0, SCORE_REFERENCE - candidate.last_verified_score)
        weight += min(WEIGHT_PER_SCORE_POINT * shortfall, WEIGHT_SCORE_CAP)
    if candidate.gap > 0:
        weight += min(WEIGHT_PER_GAP_POINT * candidate.gap, WEIGHT_GAP_CAP)
    # Rounded so the stored weights are exactly the ones used.
    return round(weight, 6)


def size_from_share(share: float, candidate_count: int) -> int:
    """A share of the candidates, rounded up so a non-zero share never draws nobody."""
    if not 0 < share <= 1:
        raise ValueError("抽查比例必须大于0且不超过1")
    return max(1, math.ceil(share * candidate_count - 1e-9))


def must_cover_count(unvisited: int, size: int, months_left: int | None) -> int:
    """How many not-yet-visited units this month must take so the rest still fit in later months."""
    if months_left is None or months_left < 1:
        return 0
    return max(0, min(size, unvisited - (months_left - 1) * size))


def draw(
    candidates: Iterable[Candidate],
    *,
    seed: int,
    size: int,
    weighted: bool = True,
    no_repeat_months: int = 0,
    months_left: int | None = None,
) -> DrawResult:
    """Select up to `size` unit ids. `months_left` counts this month (12 in January, 1 in December);
    None switches the coverage rule off."""
    if size < 0:
        raise ValueError("抽查数量不能为负数")
    ordered = sorted(candidates, key=lambda c: c.unit_id)
    ids = [c.unit_id for c in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("候选单位重复")

    rng = random.Random(seed)
    weights, keys = {}, {}
    # One random number per candidate in unit-id order, drawn whether or not the unit is eligible, so
    # one unit's eligibility never shifts the others' numbers.
    for candidate in ordered:
        weight = risk_weight(candidate) if weighted else 1.0
        u = rng.random()
        weights[candidate.unit_id] = weight
        # log(u) / w orders exactly like u ** (1 / w) but keeps precision for small u.
        keys[candidate.unit_id] = math.log(u) / weight if u > 0 else -math.inf

    def recent(c: Candidate) -> bool:
        return (no_repeat_months > 0 and c.months_since_visit is not None
                and c.months_since_visit < no_repeat_months and c.overdue_orders == 0)

    eligible = [c for c in ordered if not recent(c)]
    excluded = tuple(c.unit_id for c in ordered if recent(c))
    size = min(size, len(eligible))

    def by_key(pool):
        return sorted(pool, key=lambda c: (-keys[c.unit_id], c.unit_id))

    # Counted over every candidate (a unit barred this month by K still has to fit in a later month),
    # taken from the eligible ones.
    unvisited_count = sum(1 for c in ordered if not c.visited_this_year)
    unvisited = [c for c in eligible if not c.visited_this_year]
    needed = min(len(unvisited), must_cover_count(unvisited_count, size, months_left))
    first = [c.unit_id for c in by_key(unvisited)[:needed]]
    taken = set(first)
    rest = [c.unit_id for c in by_key(c for c in eligible if c.unit_id not in taken)[: size - len(first)]]

    notes = []
    if excluded:
        notes.append(f"{len(excluded)}个单位在{no_repeat_months}个月内已抽查且无逾期整改,本次不参与抽取")
    if needed:
        notes.append(f"本年度尚未抽查的单位{unvisited_count}个,为保证全年全覆盖,本次优先抽取其中{needed}个")
    return DrawResult(
        selected=tuple(first + rest),
        weights=weights,
        eligible=tuple(c.unit_id for c in eligible),
        excluded_recent=excluded,
        must_cover=tuple(first),
        size=size,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class InspectorPool:
    inspector_id: int
    district_ids: frozenset[int] = frozenset()  # empty: city-wide
    member_unit_ids: frozenset[int] = frozenset()  # units they belong to: never sent there

    def may_visit(self, unit_id: int, district_id: int) -> bool:
        if unit_id in self.member_unit_ids:
            return False
        return not self.district_ids or district_id in self.district_ids


def assign_inspectors(
    visits: Iterable[tuple[int, int]],
    inspectors: Iterable[InspectorPool],
    *,
    seed: int,
    per_visit: int = 2,
) -> dict[int, tuple[int, ...]]:
    """Two (per_visit) inspectors for each (unit id, district id), in the given order, balancing the load.

    Each visit takes the eligible inspectors with the fewest visits so far; ties are broken by a
    seed-shuffled order so no inspector is always first, and the result is reproducible. A unit without
    enough eligible inspectors raises ValueError naming it."""
    pool = sorted(inspectors, key=lambda p: p.inspector_id)
    order = [p.inspector_id for p in pool]
    random.Random(seed).shuffle(order)
    rank = {inspector_id: position for position, inspector_id in enumerate(order)}
    load = dict.fromkeys(order, 0)
    teams: dict[int, list[int]] = {}
    eligible_for: dict[int, list[int]] = {}
    for unit_id, district_id in visits:
        eligible = [p.inspector_id for p in pool if p.may_visit(unit_id, district_id)]
        if len(eligible) < per_visit:
            raise ValueError(unit_id)
        eligible_for[unit_id] = sorted(eligible, key=lambda i: rank[i])
        chosen = sorted(eligible, key=lambda i: (load[i], rank[i]))[:per_visit]
        for inspector_id in chosen:
            load[inspector_id] += 1
        teams[unit_id] = chosen
    # Greedy order can leave one inspector two visits ahead of another who could have taken one: move
    # such visits over until no move helps (the spread of loads shrinks with every move, so this ends).
    moved = True
    while moved:
        moved = False
        for unit_id, team in teams.items():
            for busy in sorted(team, key=lambda i: (-load[i], rank[i])):
                free = [i for i in eligible_for[unit_id] if i not in team and load[busy] - load[i] >= 2]
                if free:
                    target = min(free, key=lambda i: (load[i], rank[i]))
                    team[team.index(busy)] = target
                    load[busy] -= 1
                    load[target] += 1
                    moved = True
                    break
    return {unit_id: tuple(sorted(team)) for unit_id, team in teams.items()}
