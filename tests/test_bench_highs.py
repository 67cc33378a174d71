"""The HiGHS benchmark backend: same answers as brute force and as the CP-SAT backend."""

from __future__ import annotations

import importlib.util
import math
import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from solver_fixtures import GAP_DIR, brute_force, lex_key

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the benchmark-only extra `bench`; never import highspy here: it clashes with ortools in one
# process (see benchmarks/highs_backend.py), so the backend runs it in a child process
if importlib.util.find_spec("highspy") is None:
    pytest.skip("highspy (extra `bench`) is not installed", allow_module_level=True)

from benchmarks.highs_backend import solve as highs_solve  # noqa: E402
from benchmarks.highs_backend import solve_many  # noqa: E402
from solvers import (  # noqa: E402
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
from solvers.gapfile import read_gap  # noqa: E402

KINDS = (LevelKind.LINEAR, LevelKind.MAX_UTILISATION, LevelKind.SPREAD)


def random_problem(rng: random.Random) -> Problem:
    """Like `solver_fixtures.small_problems` (2-4 resources, 2-5 demands, conditions, fixed,
    hints, depends_on, different resources) with 1-3 levels of every kind, LINEAR first."""
    nr, nd, dims = rng.randint(2, 4), rng.randint(2, 5), rng.randint(1, 2)
    resources = [
        Resource(f"r{i}", tuple(rng.randint(0, 12) for _ in range(dims))) for i in range(nr)
    ]
    options: list[Option] = []
    for d in range(nd):
        for r in rng.sample(range(nr), rng.randint(1, min(3, nr))):
            cond = rng.choice(["none"] * 8 + ["requires", "forbids"])
            target = (rng.randrange(nd), rng.randrange(nr))
            options.append(
                Option(
                    d,
                    r,
                    tuple(rng.randint(0, 6) for _ in range(dims)),
                    requires=target if cond == "requires" else None,
                    forbids=target if cond == "forbids" else None,
                )
            )
    own: list[list[int]] = [[] for _ in range(nd)]
    for i, o in enumerate(options):
        own[o.demand].append(i)
    demands = []
    for d in range(nd):
        pick = rng.choice([None, None, None, None, "fixed", "hint"])
        chosen = rng.choice(own[d]) if pick else None
        depends = rng.randrange(nd) if rng.random() < 0.3 else None
        demands.append(
            Demand(
                f"d{d}",
                required=rng.random() < 0.25,
                depends_on=depends if depends != d else None,
                fixed=chosen if pick == "fixed" else None,
                hint=chosen if pick == "hint" else None,
            )
        )
    different = [
        DifferentResources(a, b)
        for a, b in ((rng.randrange(nd), rng.randrange(nd)) for _ in range(rng.randint(0, 2)))
        if a != b
    ]
    levels = []
    for i in range(rng.randint(2, 3)):
        kind = LevelKind.LINEAR if i == 0 else rng.choice(KINDS)
        levels.append(
            Level(
                f"level{i}",
                rng.choice([Sense.MAXIMIZE, Sense.MINIMIZE]),
                kind,
                demand_weights={d: rng.randint(-3, 9) for d in range(nd)},
                option_weights={o: rng.randint(-5, 5) for o in range(len(options))},
                dimension=rng.randrange(dims),
            )
        )
    names = ("hours", "cases")[:dims]
    return Problem(resources, demands, options, levels, different, dimension_names=names)


def test_matches_brute_force_on_random_small_problems() -> None:
    rng = random.Random(4)
    problems = [random_problem(rng) for _ in range(120)]
    results = solve_many(problems, time_limit=10.0, workers=1, seed=0)
    kinds_seen: set[LevelKind] = set()
    for problem, res in zip(problems, results, strict=True):
        best = brute_force(problem)
        if best is None:
            assert res.status == Status.INFEASIBLE, res.solution.messages
            continue
        kinds_seen |= {lv.kind for lv in problem.levels}
        assert res.status == Status.OPTIMAL, res.solution.messages
        assert res.errors == []
        assert not [m for m in res.solution.messages if m.startswith("internal")]
        values = [lv.value for lv in res.levels]
        assert values == evaluate(problem, res.choice)
        assert lex_key(problem, values) == lex_key(problem, best[1]), (problem, values, best)
        for lv in res.levels:
            assert lv.proven and lv.value == lv.bound
    assert kinds_seen == set(KINDS)  # the sample covers every level kind


def _floor_problem() -> Problem:
    """Two resources of capacity 3 and 7: floor semantics decide the utilisation levels."""
    resources = [Resource("a", (3,)), Resource("b", (7,))]
    demands = [Demand(f"d{j}", required=True) for j in range(3)]
    options = [Option(j, r, (1 + j,)) for j in range(3) for r in range(2)]
    levels = [
        Level("max", kind=LevelKind.MAX_UTILISATION),
        Level("spread", kind=LevelKind.SPREAD),
    ]
    return Problem(resources, demands, options, levels)


def test_utilisation_levels_use_integer_floors() -> None:
    problem = _floor_problem()
    res = highs_solve(problem, time_limit=10.0, workers=1)
    best = brute_force(problem)
    assert best is not None
    assert res.status == Status.OPTIMAL
    assert [lv.value for lv in res.levels] == best[1]
    cpsat = solve(problem, time_limit=10.0, workers=1, seed=0)
    assert [lv.value for lv in cpsat.levels] == best[1]


def test_spread_can_be_skipped_with_a_note() -> None:
    problem = _floor_problem()
    res = highs_solve(problem, time_limit=10.0, workers=1, spread="skip")
    assert res.status == Status.FEASIBLE
    assert res.levels[0].proven
    spread = res.levels[1]
    assert not spread.proven and math.isnan(spread.bound)
    assert spread.value == evaluate(problem, res.choice)[1]
    assert any("SPREAD not optimised" in m for m in res.solution.messages)


def test_infeasible_invalid_and_fixed() -> None:
    no_option = Problem(
        [Resource("r", (1,))], [Demand("d0", required=True), Demand("d1")], [Option(1, 0, (1,))], []
    )
    assert highs_solve(no_option, time_limit=5.0).status == Status.INFEASIBLE
    too_big = Problem(
        [Resource("r", (1,))],
        [Demand("d0", required=True)],
        [Option(0, 0, (2,))],
        [Level("x")],
    )
    assert highs_solve(too_big, time_limit=5.0).status == Status.INFEASIBLE
    bad = Problem([Resource("r", (1,))], [Demand("d0")], [Option(0, 3, (1,))], [])
    assert highs_solve(bad, time_limit=5.0).status == Status.INVALID
    # a fixed option wins over a better one
    fixed = Problem(
        [Resource("a", (5,)), Resource("b", (5,))],
        [Demand("d0", fixed=0)],
        [Option(0, 0, (1,)), Option(0, 1, (1,))],
        [Level("w", option_weights={0: 1, 1: 10})],
    )
    res = highs_solve(fixed, time_limit=5.0)
    assert res.status == Status.OPTIMAL and res.choice == [0]


@pytest.mark.parametrize(
    ("path", "maximize", "expected"),
    [
        ("cattrysse1994/gap1-0", False, 261),
        ("cattrysse1994/gap6-2", False, 519),
        ("cattrysse1994/gap1-0", True, 336),
        ("chu1997/a05100", False, 1698),
    ],
)
def test_gap_instances_reach_their_optimum(path: str, maximize: bool, expected: int) -> None:
    problem = read_gap(GAP_DIR / path, maximize=maximize)
    res = highs_solve(problem, time_limit=30.0, workers=2, seed=0)
    assert res.status == Status.OPTIMAL, res.solution.messages
    assert res.levels[0].value == expected == res.levels[0].bound
    assert verify(problem, res.choice) == []


def test_agrees_with_cpsat_on_a_small_planner_team() -> None:
    """Both backends prove every level of a tiny generated team: identical level values, and
    the HiGHS plan passes the planner's validator."""
    from planner.compile import compile_team
    from planner.facts import Context
    from planner.plan import decode
    from planner.synth import PRESETS, generate
    from planner.validate import validate_plan

    spec = replace(PRESETS["team"], name="tiny", n_professionals=6, n_families=60)
    ctx = Context(generate(replace(spec, demand_ratio=0.95), 1))
    compiled = compile_team(ctx)
    problem = compiled.problem
    cpsat = solve(problem, time_limit=20.0, workers=2, seed=0)
    res = highs_solve(problem, time_limit=20.0, workers=2, seed=0)
    assert cpsat.status == Status.OPTIMAL, cpsat.messages
    assert res.status == Status.OPTIMAL, res.solution.messages
    assert [lv.value for lv in res.levels] == [lv.value for lv in cpsat.levels]
    assert res.errors == []
    assert validate_plan(ctx, decode(compiled, res.solution, "highs")) == []
    for start in ("greedy", "none"):  # the other warm starts reach the same optimum
        other = highs_solve(problem, time_limit=20.0, workers=2, seed=0, warm_start=start)
        assert other.status == Status.OPTIMAL, (start, other.solution.messages)
        assert [lv.value for lv in other.levels] == [lv.value for lv in cpsat.levels]
    with pytest.raises(ValueError, match="warm_start"):
        highs_solve(problem, warm_start="bogus")
