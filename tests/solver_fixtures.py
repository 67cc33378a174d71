"""Shared helpers for the solver tests: brute force and random small problems."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import strategies as st

from solvers import (
    Demand,
    DifferentResources,
    Level,
    LevelKind,
    Option,
    Problem,
    Resource,
    Sense,
    Status,
    evaluate,
    solve,
    verify,
)
from solvers.check import lex_key

__all__ = [
    "GAP_DIR",
    "assert_cpsat_matches_brute_force",
    "brute_force",
    "lex_key",
    "simple_problem",
    "small_problems",
]

GAP_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "instances" / "gap"


def brute_force(problem: Problem) -> tuple[list[int | None], list[float]] | None:
    """The lexicographically best valid choice by enumeration, or None when none is valid."""
    per = problem.options_of()
    best: tuple[list[int | None], list[float]] | None = None
    best_key: tuple[float, ...] | None = None
    for combo in itertools.product(*[[None, *ids] for ids in per]):
        choice = list(combo)
        if verify(problem, choice):
            continue
        values = evaluate(problem, choice)
        key = lex_key(problem, values)
        if best_key is None or key > best_key:
            best, best_key = (choice, values), key
    return best


def assert_cpsat_matches_brute_force(problem: Problem) -> None:
    """The CP-SAT engine finds the lexicographic optimum by enumeration (or infeasibility), its
    choice is valid, its level values are those of the choice, and every level is proven."""
    best = brute_force(problem)
    sol = solve(problem, time_limit=10.0, workers=1, seed=0)
    if best is None:
        assert sol.status == Status.INFEASIBLE
        return
    assert sol.status == Status.OPTIMAL, sol.messages
    assert verify(problem, sol.choice) == []
    assert not [m for m in sol.messages if m.startswith("internal")]
    values = [lv.value for lv in sol.levels]
    assert values == evaluate(problem, sol.choice)
    assert lex_key(problem, values) == lex_key(problem, best[1])
    for lv in sol.levels:
        assert lv.proven
        assert lv.value == lv.bound


def simple_problem(
    capacities: list[int],
    loads: dict[tuple[int, int], int],
    weights: dict[int, int],
    required: set[int] | None = None,
) -> Problem:
    """One dimension; loads[(demand, resource)] = load; one LINEAR max level on demand weights."""
    nd = 1 + max(d for d, _ in loads)
    resources = [Resource(f"r{i}", (c,)) for i, c in enumerate(capacities)]
    demands = [Demand(f"d{j}", required=j in (required or set())) for j in range(nd)]
    options = [Option(d, r, (w,)) for (d, r), w in sorted(loads.items())]
    level = Level("weight", Sense.MAXIMIZE, LevelKind.LINEAR, demand_weights=dict(weights))
    return Problem(resources, demands, options, [level])


@st.composite
def small_problems(
    draw: st.DrawFn, kinds: tuple[LevelKind, ...] = (LevelKind.LINEAR,), linear_first: bool = False
) -> Problem:
    """Random small problems: 2-4 resources, 2-6 demands, conditions and 1-2 levels of `kinds`.

    With `linear_first` a LINEAR level precedes them (so that demands get assigned at all).
    """
    nr = draw(st.integers(2, 4))
    nd = draw(st.integers(2, 6))
    dims = draw(st.integers(1, 2))
    resources = [
        Resource(f"r{i}", tuple(draw(st.integers(0, 12)) for _ in range(dims))) for i in range(nr)
    ]
    options: list[Option] = []
    for d in range(nd):
        for r in draw(st.lists(st.integers(0, nr - 1), min_size=1, max_size=3)):
            load = tuple(draw(st.integers(0, 6)) for _ in range(dims))
            cond = draw(st.sampled_from(["none"] * 8 + ["requires", "forbids"]))
            target = (draw(st.integers(0, nd - 1)), draw(st.integers(0, nr - 1)))
            options.append(
                Option(
                    d,
                    r,
                    load,
                    requires=target if cond == "requires" else None,
                    forbids=target if cond == "forbids" else None,
                )
            )
    own: list[list[int]] = [[] for _ in range(nd)]
    for i, o in enumerate(options):
        own[o.demand].append(i)
    demands = []
    for d in range(nd):
        depends = draw(st.one_of(st.none(), st.integers(0, nd - 1)))
        pick = draw(st.sampled_from([None, None, None, None, "fixed", "hint"]))
        chosen = draw(st.sampled_from(own[d])) if own[d] and pick else None
        demands.append(
            Demand(
                f"d{d}",
                required=draw(st.integers(0, 3)) == 0,
                depends_on=depends if depends != d and draw(st.booleans()) else None,
                fixed=chosen if pick == "fixed" else None,
                hint=chosen if pick == "hint" else None,
            )
        )
    pairs = draw(st.lists(st.tuples(st.integers(0, nd - 1), st.integers(0, nd - 1)), max_size=2))
    different = [DifferentResources(a, b) for a, b in pairs if a != b]
    levels = []
    for i in range(draw(st.integers(1, 2)) + linear_first):
        kind = LevelKind.LINEAR if linear_first and i == 0 else draw(st.sampled_from(kinds))
        levels.append(
            Level(
                f"level{i}",
                draw(st.sampled_from([Sense.MAXIMIZE, Sense.MINIMIZE])),
                kind,
                demand_weights={d: draw(st.integers(-3, 9)) for d in range(nd)},
                option_weights={o: draw(st.integers(-5, 5)) for o in range(len(options))},
                dimension=draw(st.integers(0, dims - 1)),
            )
        )
    names = ("hours", "cases")[:dims]
    return Problem(resources, demands, options, levels, different, dimension_names=names)
