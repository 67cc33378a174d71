"""The CP-SAT backend's own neighbourhoods. Focused ones (`_Run._focus`), cut to what a level
counts, bring back what a re-plan displaced by moving what counts least; the search over a few
resources at a time (`_Run._lns`) finds the exchanges a tight packing needs; both keep every
rule and never lose value."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_fixtures import lex_key, small_problems

from solvers import Demand, Level, LevelKind, Option, Problem, Resource, Sense, evaluate, verify

cpsat_solve = importlib.import_module("solvers.cpsat.solve")

U, B, A, F = 0, 1, 2, 3  # the demands of `_replan`


def _replan() -> tuple[Problem, list[int | None]]:
    """A re-plan in miniature. Urgent u (5) can only go to r0 (10), where backup b (5, kept
    there: worth 1) and family a (5, kept there: worth 5) were; f (5, kept on r1: worth 5)
    is urgent too. The first level places u, b and f; the second keeps current places.
    The start put u on r0 and left a out; the best moves b to r1 and brings a back.
    Five more demands (never fitting) make the neighbourhoods small against all options."""
    resources = [Resource("r0", (10,)), Resource("r1", (10,)), Resource("r2", (10,))]
    demands = [Demand(name) for name in ("u", "b", "a", "f", "g", "h", "i", "j", "k")]
    options = [
        Option(U, 0, (5,)),  # 0
        Option(B, 0, (5,)),  # 1: b kept
        Option(B, 1, (5,)),  # 2
        Option(A, 0, (5,)),  # 3: a kept
        Option(F, 1, (5,)),  # 4: f kept
        Option(F, 2, (5,)),  # 5
        *(Option(d, r, (20,)) for d in range(4, 9) for r in range(3)),  # 6-20: never fit
    ]
    levels = [
        Level("urgent", Sense.MAXIMIZE, demand_weights={U: 1, B: 1, F: 1}),
        Level("keep", Sense.MAXIMIZE, option_weights={1: 1, 3: 5, 4: 5}),
    ]
    start: list[int | None] = [0, 1, None, 4, *[None] * 5]
    return Problem(resources, demands, options, levels), start


def _prepared(problem: Problem, start: list[int | None], level: int) -> Any:
    """A CP-SAT run at `start`, the levels before `level` held at its values and `level` the
    objective (as `solve_level` leaves the model before the focused search)."""
    run = cpsat_solve._Run(problem, 1, 0, None)
    run._set_incumbent(list(start))
    run.am.set_hint(list(start), [])
    for i in range(level):
        run.add_objective(i)
        run.fix_level(i)
    objective = run.add_objective(level)
    if objective.maximize:
        run.am.model.maximize(objective.expr)
    else:
        run.am.model.minimize(objective.expr)
    return run


def test_neighbourhoods_follow_what_the_level_counts() -> None:
    problem, start = _replan()
    run = _prepared(problem, start, 1)
    first, second = run._neighbourhoods(1)
    # u (needed before, counts nothing here): anywhere; a (out, could count): its best only;
    # b (must stay, counts least): may move already; f (must stay, counts more): stays
    assert first == {0, 1, 2, 3, 4}
    # next, f may move too; g to k (counting nothing, out) never come in
    assert second == first | {5}


def test_focus_moves_what_counts_least_to_bring_a_family_back() -> None:
    problem, start = _replan()
    assert evaluate(problem, start) == [3.0, 6.0]
    run = _prepared(problem, start, 1)
    run._focus(1, 5.0)
    assert verify(problem, run.incumbent) == []
    assert evaluate(problem, run.incumbent) == [3.0, 10.0]  # the optimum: b moved, a is back
    assert run.incumbent[:4] == [0, 2, 3, 4]


def test_focus_leaves_a_level_where_everything_must_stay_to_cp_sat() -> None:
    """A GAP: every demand required and every option costs. A neighbourhood would be the whole
    model, so there is none (and no time is spent)."""
    resources = [Resource("r0", (10,)), Resource("r1", (10,))]
    demands = [Demand("d0", required=True), Demand("d1", required=True)]
    options = [Option(d, r, (4,)) for d in range(2) for r in range(2)]
    cost = Level("cost", Sense.MINIMIZE, option_weights={0: 3, 1: 1, 2: 2, 3: 5})
    problem = Problem(resources, demands, options, [cost])
    start: list[int | None] = [0, 3]
    run = _prepared(problem, start, 0)
    assert list(run._neighbourhoods(0)) == []
    assert run._focus(0, 5.0) < 0.5
    assert run.incumbent == start


def test_lns_finds_the_exchange_a_full_packing_needs() -> None:
    """Two full resources each hold a demand that is cheaper on the other: only moving both at
    once helps (the third resource is dear)."""
    resources = [Resource(f"r{r}", (10,)) for r in range(3)]
    demands = [Demand(f"d{d}", required=True) for d in range(4)]
    costs = [(5, 1, 9), (1, 5, 9), (1, 5, 9), (5, 1, 9)]  # per demand, per resource
    options = [Option(d, r, (5,)) for d in range(4) for r in range(3)]
    weights = {3 * d + r: costs[d][r] for d in range(4) for r in range(3)}
    problem = Problem(
        resources, demands, options, [Level("cost", Sense.MINIMIZE, option_weights=weights)]
    )
    start: list[int | None] = [0, 3, 7, 10]  # d0, d1 on r0; d2, d3 on r1
    assert evaluate(problem, start) == [12.0]
    run = _prepared(problem, start, 0)
    run._lns(0, 2.0)
    assert verify(problem, run.incumbent) == []
    assert evaluate(problem, run.incumbent) == [4.0]  # d0 and d2 swapped


def _spread() -> tuple[Problem, list[int | None]]:
    """Eight resources. d0-d2 sit on r0 and could go to r5 (all three) or r2 (d0 only); d3-d7
    sit on r1, r3, r4, r6, r7 and can go nowhere else."""
    resources = [Resource(f"r{r}", (10,)) for r in range(8)]
    demands = [Demand(f"d{d}", required=True) for d in range(8)]
    options = [
        Option(0, 0, (1,)),  # 0
        Option(0, 5, (1,)),  # 1
        Option(0, 2, (1,)),  # 2
        Option(1, 0, (1,)),  # 3
        Option(1, 5, (1,)),  # 4
        Option(2, 0, (1,)),  # 5
        Option(2, 5, (1,)),  # 6
        *(Option(d, r, (1,)) for d, r in zip(range(3, 8), (1, 3, 4, 6, 7), strict=True)),
    ]
    weights = {o: 1 for o in range(len(options))}
    level = Level("cost", Sense.MINIMIZE, option_weights=weights)
    return Problem(resources, demands, options, [level]), [0, 3, 5, 7, 8, 9, 10, 11]


@pytest.mark.parametrize("seed", range(5))
def test_lns_neighbourhoods_are_resources_the_demands_can_trade_between(seed: int) -> None:
    """Around r0 come first the resources most of its demands can go to, then those fewer can
    go to (only options not banned, and only the reduced-cost search's once it ran), then
    random ones."""
    import random

    problem, start = _spread()
    run = _prepared(problem, start, 0)
    usable = list(range(8))
    rng = random.Random(seed)
    assert run._related(0, 2, usable, rng) == {0, 5}
    assert run._related(0, 3, usable, rng) == {0, 5, 2}
    four = run._related(0, 4, usable, rng)
    assert len(four) == 4 and {0, 5, 2} <= four
    run.banned.update((1, 4, 6))  # nothing may go to r5: only d0 to r2 is left
    assert run._related(0, 2, usable, rng) == {0, 2}
    run.banned.clear()
    run.cheap = {0, 2, 3, 5, *range(7, 12)}  # the same within the reduced-cost search's options
    assert run._related(0, 2, usable, rng) == {0, 2}
    assert run._related(1, 1, usable, rng) == {1}


@pytest.mark.parametrize(("search", "seconds"), [("_focus", 1.0), ("_lns", 0.1)])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=small_problems(linear_first=True), data=st.data())
def test_the_searches_keep_every_rule_and_never_lose_value(
    search: str, seconds: float, problem: Problem, data: st.DataObject
) -> None:
    """From any valid start, on the last LINEAR level: the result is valid, no earlier level
    goes down and the level itself does not either."""
    level = max(i for i, lv in enumerate(problem.levels) if lv.kind == LevelKind.LINEAR)
    per = problem.options_of()
    start = [data.draw(st.sampled_from([None, *ids])) for ids in per]
    if verify(problem, start):
        return  # only valid starting points
    run = _prepared(problem, start, level)
    getattr(run, search)(level, seconds)
    assert verify(problem, run.incumbent) == []
    before = lex_key(problem, evaluate(problem, start))
    after = lex_key(problem, evaluate(problem, run.incumbent))
    assert all(a >= b for a, b in zip(after[:level], before[:level], strict=True))
    assert after[level] >= before[level]
