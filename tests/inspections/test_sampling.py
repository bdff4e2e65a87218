"""The pure draw: reproducible, weighted toward risk, covering every unit within the year, never
repeating within K months (unless overdue), and the inspector assignment rules."""
import random
from collections import Counter

import pytest

from inspections.sampling import (
    Candidate,
    InspectorPool,
    assign_inspectors,
    draw,
    must_cover_count,
    risk_weight,
    size_from_share,
)


def _population(n=30, risky=()):
    return [
        Candidate(unit_id=i, open_orders=3, overdue_orders=2, last_verified_score=72.0, gap=8.0)
        if i in risky else Candidate(unit_id=i, last_verified_score=95.0)
        for i in range(1, n + 1)
    ]


def test_draw_same_seed_and_inputs_gives_same_units():
    candidates = _population(risky={3, 7})
    first = draw(candidates, seed=20260501, size=5, weighted=True, no_repeat_months=3, months_left=8)
    shuffled = list(candidates)
    random.Random(1).shuffle(shuffled)
    again = draw(shuffled, seed=20260501, size=5, weighted=True, no_repeat_months=3, months_left=8)
    assert first.selected == again.selected
    assert first.weights == again.weights
    assert len(first.selected) == 5 and len(set(first.selected)) == 5


def test_draw_another_seed_gives_other_units():
    candidates = _population()
    assert draw(candidates, seed=1, size=5).selected != draw(candidates, seed=2, size=5).selected


def test_draw_weighting_shifts_selection_toward_high_risk_over_1000_draws():
    risky = {2, 9, 15, 22, 28}
    candidates = _population(30, risky)
    weighted, uniform = Counter(), Counter()
    for seed in range(1000):
        weighted.update(draw(candidates, seed=seed, size=4, weighted=True).selected)
        uniform.update(draw(candidates, seed=seed, size=4, weighted=False).selected)

    def rate(counter, ids):
        return sum(counter[i] for i in ids) / len(ids) / 1000

    low = set(range(1, 31)) - risky
    # A risky unit weighs 1 + 1.5 + 3 + 1.8 + 1.6 = 8.9 against 1: far likelier to be drawn.
    assert rate(weighted, risky) > 3 * rate(weighted, low)
    # Without weighting every unit has the same chance, 4/30, within sampling noise.
    assert rate(uniform, risky) == pytest.approx(4 / 30, abs=0.03)
    assert rate(uniform, low) == pytest.approx(4 / 30, abs=0.015)
    # Low-risk units still get drawn: weighting shifts the odds, it does not exclude anyone.
    assert all(weighted[i] > 0 for i in low)


def test_draw_coverage_rule_visits_every_unit_each_year_over_1200_draws():
    """100 simulated years × 12 monthly draws: every unit is visited at least once a year, and never
    twice within K months, even with strong risk weighting pulling toward five units."""
    units, size, k = 30, 3, 3
    risky = {4, 5, 6, 7, 8}
    for year in range(100):
        last_month = {}  # unit → month index of the last visit (carried across years)
        visited = set()
        for month in range(12):
            absolute = year * 12 + month
            candidates = [
                Candidate(
                    unit_id=u,
                    open_orders=3 if u in risky else 0,
                    last_verified_score=70.0 if u in risky else 96.0,
                    months_since_visit=None if u not in last_month else absolute - last_month[u],
                    visited_this_year=u in visited,
                )
                for u in range(1, units + 1)
            ]
            result = draw(candidates, seed=year * 100 + month, size=size, weighted=True,
                          no_repeat_months=k, months_left=12 - month)
            assert len(result.selected) == size
            for u in result.selected:
                if u in last_month:
                    assert absolute - last_month[u] >= k
                last_month[u] = absolute
                visited.add(u)
        assert visited == set(range(1, units + 1)), f"year {year}: {set(range(1, units + 1)) - visited} missed"


def test_draw_takes_unvisited_units_first_when_the_months_left_require_it():
    # December, 4 units not visited this year and room for 4: all four must be drawn now.
    candidates = [Candidate(unit_id=i, visited_this_year=i > 4, months_since_visit=None if i <= 4 else 6)
                  for i in range(1, 21)]
    result = draw(candidates, seed=7, size=4, months_left=1)
    assert set(result.selected) == {1, 2, 3, 4}
    assert set(result.must_cover) == {1, 2, 3, 4}
    assert must_cover_count(unvisited=10, size=3, months_left=3) == 3
    assert must_cover_count(unvisited=5, size=3, months_left=3) == 0


def test_draw_no_repeat_within_k_months_unless_overdue():
    candidates = [
        Candidate(unit_id=1, months_since_visit=1),
        Candidate(unit_id=2, months_since_visit=2, overdue_orders=1),
        Candidate(unit_id=3, months_since_visit=3),
        Candidate(unit_id=4),
    ]
    result = draw(candidates, seed=3, size=4, no_repeat_months=3)
    assert result.excluded_recent == (1,)
    assert set(result.selected) == {2, 3, 4}
    assert result.size == 3


def test_risk_weight_grows_with_each_risk_signal():
    base = risk_weight(Candidate(unit_id=1))
    assert base == 1.0
    assert risk_weight(Candidate(unit_id=1, open_orders=1)) > base
    assert risk_weight(Candidate(unit_id=1, overdue_orders=1)) > risk_weight(Candidate(unit_id=1, open_orders=1))
    assert risk_weight(Candidate(unit_id=1, last_verified_score=75)) > risk_weight(
        Candidate(unit_id=1, last_verified_score=88))
    assert risk_weight(Candidate(unit_id=1, gap=5)) > base


def test_size_from_share_rounds_up():
    assert size_from_share(0.1, 95) == 10
    assert size_from_share(0.1, 3) == 1
    with pytest.raises(ValueError):
        size_from_share(0, 10)


def test_assign_inspectors_never_sends_anyone_to_their_own_unit_and_balances():
    inspectors = [
        InspectorPool(inspector_id=1, member_unit_ids=frozenset({10})),
        InspectorPool(inspector_id=2),
        InspectorPool(inspector_id=3, district_ids=frozenset({1})),
        InspectorPool(inspector_id=4, member_unit_ids=frozenset({11})),
    ]
    visits = [(10, 1), (11, 1), (12, 2), (13, 1), (14, 1), (15, 2)]
    result = assign_inspectors(visits, inspectors, seed=5)
    assert 1 not in result[10] and 4 not in result[11]
    assert 3 not in result[12] and 3 not in result[15]  # district 2 is outside inspector 3's scope
    assert all(len(team) == 2 and len(set(team)) == 2 for team in result.values())
    load = Counter(i for team in result.values() for i in team)
    assert max(load.values()) - min(load.values()) <= 1
    assert assign_inspectors(visits, inspectors, seed=5) == result


def test_assign_inspectors_refuses_a_unit_without_two_eligible_inspectors():
    inspectors = [InspectorPool(inspector_id=1, member_unit_ids=frozenset({10})), InspectorPool(inspector_id=2)]
    with pytest.raises(ValueError) as exc:
        assign_inspectors([(10, 1)], inspectors, seed=1)
    assert exc.value.args == (10,)
