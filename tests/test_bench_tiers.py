"""The tier probe (`benchmarks/tiers.py`) brackets a two-tier level's true optimum."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.tiers import probe, tiers  # noqa: E402
from solvers import Level, LevelKind, Sense  # noqa: E402
from tests.solver_fixtures import brute_force, simple_problem  # noqa: E402


@st.composite
def two_tier_problems(draw: st.DrawFn):
    """2-3 resources, 3-6 demands with loads; a first level on some demands, then a level where
    each 'family' outweighs all 'backups' together."""
    nr = draw(st.integers(2, 3))
    nd = draw(st.integers(3, 6))
    loads = {}
    for d in range(nd):
        for r in draw(st.lists(st.integers(0, nr - 1), min_size=1, max_size=nr, unique=True)):
            loads[(d, r)] = draw(st.integers(1, 5))
    capacities = [draw(st.integers(2, 8)) for _ in range(nr)]
    top = draw(st.sets(st.integers(0, nd - 1), min_size=1, max_size=nd - 1))
    lo = [d for d in range(nd) if d not in top]
    weights = {d: len(lo) + 1 for d in top} | {d: 1 for d in lo}
    problem = simple_problem(capacities, loads, weights)
    first = draw(st.sets(st.integers(0, nd - 1), max_size=2))
    if first:
        earlier = Level("eerst", Sense.MAXIMIZE, LevelKind.LINEAR, {d: 1 for d in first})
        problem.levels.insert(0, earlier)
    return problem


@settings(max_examples=25, deadline=None)
@given(two_tier_problems())
def test_probe_brackets_the_optimum_of_small_problems(problem) -> None:
    best = brute_force(problem)
    assert best is not None  # leaving every demand out is valid
    k = len(problem.levels) - 1
    optimum = best[1][k]
    r = probe(problem, k, limit=5.0, seconds=5.0, workers=1)
    assert r.engine_proven and r.engine_value == optimum
    # both runs end proven on problems this small, so the bracket closes on the optimum
    assert r.statuses == ("OPTIMAL", "OPTIMAL")
    assert r.lower == optimum == r.upper
    hi, _ = tiers(problem, k)
    placed = [d for d, w in problem.levels[k].demand_weights.items() if w == hi]
    assert r.top_placed == sum(1 for d in placed if best[0][d] is not None)


def test_bracket_when_a_family_takes_the_room_of_two_backups() -> None:
    # one family (weight 3) fits only where two backups (weight 1 each) would: placing the
    # family is optimal, and the probe's bound comes from the run with it placed
    problem = simple_problem([2], {(0, 0): 2, (1, 0): 1, (2, 0): 1}, {0: 3, 1: 1, 2: 1})
    r = probe(problem, 0, limit=2.0, seconds=2.0, workers=1)
    assert (r.top_placed, r.lower, r.upper) == (1, 3, 3)


@pytest.mark.parametrize(
    "weights",
    [{0: 2, 1: 1, 2: 1}, {0: 1, 1: 1, 2: 1}, {0: 5, 1: 2, 2: 1}],
    ids=["top-not-heavier-than-rest", "one-tier", "three-tiers"],
)
def test_tiers_refuses_levels_without_two_lexicographic_tiers(weights) -> None:
    problem = simple_problem([4], {(0, 0): 1, (1, 0): 1, (2, 0): 1}, weights)
    with pytest.raises(ValueError, match="two-tier"):
        tiers(problem, 0)


def test_bracket_stays_valid_when_the_runs_get_no_time() -> None:
    # without time CP-SAT returns no plan: the engine's plan and bound stand in, the bracket
    # still holds the optimum (two families of 2 and two backups of 1 on capacities 3 and 2)
    loads = {(0, 0): 2, (0, 1): 2, (1, 0): 2, (2, 0): 1, (2, 1): 1, (3, 1): 1}
    problem = simple_problem([3, 2], loads, {0: 3, 1: 3, 2: 1, 3: 1})
    best = brute_force(problem)
    assert best is not None
    r = probe(problem, 0, limit=2.0, seconds=0.0, workers=1)
    assert r.statuses[1] != "OPTIMAL"
    assert r.lower == best[1][0] <= r.upper
    assert r.top_placed == 2
    assert r.top_bound >= r.top_placed  # not the 0 of a response without any bound
