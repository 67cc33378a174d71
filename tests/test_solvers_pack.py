"""The packing search (`solvers.cpsat.pack`): alike demands counted per option find packings a
demand-by-demand search misses, keep every rule and the earlier levels, and leave alone what
may not move."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from solver_fixtures import lex_key, simple_problem, small_problems

from solvers import (
    Demand,
    DifferentResources,
    Level,
    LevelKind,
    Option,
    Problem,
    Resource,
    evaluate,
    verify,
)
from solvers.cpsat import pack as pack_module
from solvers.cpsat.pack import movable, pack
from solvers.greedy.solve import insert

cpsat_solve = importlib.import_module("solvers.cpsat.solve")


def _run(model: cp_model.CpModel, seconds: float) -> tuple[int, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    return solver.solve(model), solver


def _packing() -> tuple[Problem, list[int | None]]:
    """Two resources of 12; four demands of load 3 and three of load 4, all fit on both. The
    start has 4+4+3 on r0 and 4+3+3 on r1 (6 placed); 3+3+3+3 and 4+4+4 place all 7."""
    loads = {(d, r): 3 if d < 4 else 4 for d in range(7) for r in range(2)}
    problem = simple_problem([12, 12], loads, {d: 1 for d in range(7)})
    per = problem.options_of()
    on = {d: {problem.options[o].resource: o for o in per[d]} for d in range(7)}
    start: list[int | None] = [on[0][0], on[1][1], on[2][1], None, on[4][0], on[5][0], on[6][1]]
    assert verify(problem, start) == []
    return problem, start


def _value(problem: Problem, choice: list[int | None], level: int = 0) -> float:
    return evaluate(problem, choice)[level]


def test_counting_alike_demands_finds_the_full_packing() -> None:
    problem, start = _packing()
    gain = {o: 1 for o in range(len(problem.options))}
    assert _value(problem, insert(problem, start, gain)) == 6  # one move aside is not enough
    packed = pack(problem, start, 0, [], set(), set(), 5.0, _run)
    assert packed is not None
    assert verify(problem, packed) == []
    assert _value(problem, packed) == 7


def test_nothing_better_gives_none() -> None:
    problem, start = _packing()
    problem.resources[1] = Resource("r1", (10,))  # at most 6 fit now, as in the start
    assert verify(problem, start) == [] and _value(problem, start) == 6
    assert pack(problem, start, 0, [], set(), set(), 5.0, _run) is None


def test_demands_that_can_stay_keep_their_option() -> None:
    """Placing one more demand where there is room moves nobody."""
    loads = {(d, r): 3 for d in range(5) for r in range(2)}
    problem = simple_problem([9, 9], loads, {d: 1 for d in range(5)})
    per = problem.options_of()
    start: list[int | None] = [per[0][0], per[1][0], per[2][1], per[3][1], None]
    packed = pack(problem, start, 0, [], set(), set(), 5.0, _run)
    assert packed is not None and _value(problem, packed) == 5
    assert packed[:4] == start[:4]


def _crowded() -> tuple[Problem, list[int | None]]:
    """One resource of 12, taken by demand 0 (load 12); demands 1-4 (load 3) are worth 1 each on
    the level. Leaving 0 out makes room for all four."""
    loads = {(0, 0): 12, (1, 0): 3, (2, 0): 3, (3, 0): 3, (4, 0): 3}
    problem = simple_problem([12], loads, {1: 1, 2: 1, 3: 1, 4: 1})
    start: list[int | None] = [0, None, None, None, None]
    assert verify(problem, start) == []
    return problem, start


def test_an_earlier_level_is_held() -> None:
    """An earlier level that weighs demand 0 keeps it placed when held at 1; held at 0 it may
    make way."""
    problem, start = _crowded()
    problem.levels.insert(0, Level("first", demand_weights={0: 1}))
    assert pack(problem, start, 1, [1], set(), set(), 5.0, _run) is None
    packed = pack(problem, start, 1, [0], set(), set(), 5.0, _run)
    assert packed is not None and verify(problem, packed) == []
    assert evaluate(problem, packed) == [0.0, 4.0]


def test_must_demands_stay_assigned() -> None:
    problem, start = _crowded()
    assert pack(problem, start, 0, [], set(), {0}, 5.0, _run) is None
    packed = pack(problem, start, 0, [], set(), set(), 5.0, _run)
    assert packed is not None and packed[0] is None and _value(problem, packed) == 4


def test_banned_options_are_not_taken() -> None:
    """The demands of load 4 may not take r0: all seven still fit, with the three of load 4 on
    r1 (the tie-break alone would keep two of them on r0, where they start)."""
    problem, start = _packing()
    per = problem.options_of()
    on_r0 = {o for d in (4, 5, 6) for o in per[d] if problem.options[o].resource == 0}
    packed = pack(problem, start, 0, [], on_r0, set(), 5.0, _run)
    assert packed is not None and verify(problem, packed) == []
    assert _value(problem, packed) == 7
    assert all(problem.options[packed[d]].resource == 1 for d in (4, 5, 6))  # type: ignore[index]
    # without the ban the same search keeps two of them where they are
    free = pack(problem, start, 0, [], set(), set(), 5.0, _run)
    assert free is not None and _value(problem, free) == 7
    assert sum(problem.options[free[d]].resource == 0 for d in (4, 5, 6)) == 3  # type: ignore[index]


def test_what_may_not_move_stays() -> None:
    """Fixed, dependent and conditional demands, those an assigned demand names, and those
    paired with an assigned demand are not movable."""
    opts = [Option(d, r, (1,)) for d in range(7) for r in range(2)]
    opts.append(Option(6, 0, (1,), requires=(5, 0)))
    problem = Problem(
        resources=[Resource(f"r{r}", (9,)) for r in range(2)],
        demands=[
            Demand("free"),
            Demand("fixed", fixed=2),
            Demand("dependent", depends_on=3),
            Demand("named by a dependent"),
            Demand("paired with an assigned one"),
            Demand("named by a condition"),
            Demand("conditional"),
        ],
        options=opts,
        levels=[Level("all", demand_weights={d: 1 for d in range(7)})],
        different=[DifferentResources(4, 1)],
    )
    per = problem.options_of()
    choice: list[int | None] = [per[d][0] for d in range(7)]
    choice[6] = per[6][2]  # the conditional option, which names demand 5
    assert movable(problem, choice) == {0}
    # with the others unassigned, the demands that only unassigned ones name are movable too
    choice = [None] * 7
    choice[1] = 2
    assert movable(problem, choice) == {0, 3, 5}


def test_two_unassigned_paired_demands_move_one_at_a_time() -> None:
    problem = simple_problem([9], {(0, 0): 1, (1, 0): 1}, {0: 1, 1: 1})
    problem.different.append(DifferentResources(0, 1))
    assert movable(problem, [None, None]) == {0}


def test_too_few_alike_demands_give_none() -> None:
    """Every demand different (a GAP): counting gains nothing, so no search is made."""
    loads = {(d, r): 2 + d + r for d in range(4) for r in range(2)}
    problem = simple_problem([20, 20], loads, {d: 1 for d in range(4)})
    assert pack(problem, [None] * 4, 0, [], set(), set(), 5.0, _run) is None


def test_only_linear_levels_are_packed() -> None:
    problem, start = _packing()
    problem.levels.insert(0, Level("most", kind=LevelKind.MAX_UTILISATION))
    assert pack(problem, start, 1, [0], set(), set(), 5.0, _run) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.data())
def test_packing_keeps_every_rule_and_never_loses_value(
    problem: Problem, data: st.DataObject
) -> None:
    """From any valid choice, a packed result is valid, keeps the earlier levels at least at
    their values and is strictly better on the level (with any number of classes allowed)."""
    per = problem.options_of()
    start = [data.draw(st.sampled_from([None, *ids])) for ids in per]
    if verify(problem, start):
        return  # only valid starting points
    level = len(problem.levels) - 1
    before = evaluate(problem, start)
    held = [
        round(v) if lv.sense.value == "max" else -round(v)
        for v, lv in zip(before[:level], problem.levels, strict=False)
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack_module, "MAX_CLASS_SHARE", 1.0)
        packed = pack(problem, start, level, held, set(), set(), 1.0, _run)
    event("packed" if packed is not None else "nothing")
    if packed is None:
        return
    assert verify(problem, packed) == []
    after = evaluate(problem, packed)
    key_before, key_after = lex_key(problem, before), lex_key(problem, after)
    assert all(a >= b for a, b in zip(key_after[:level], key_before[:level], strict=True))
    assert key_after[level] > key_before[level]


def test_the_cpsat_backend_takes_what_the_packing_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the LP-led starts, the one-move insert and the chains giving nothing new, the
    level's warm start still reaches the full packing."""
    problem, start = _packing()
    for d in problem.demands:
        d.hint = None
    monkeypatch.setattr(cpsat_solve, "guided", lambda problem, *a, **kw: list(start))
    monkeypatch.setattr(cpsat_solve, "insert", lambda problem, choice, *a, **kw: list(choice))
    monkeypatch.setattr(cpsat_solve, "improve", lambda problem, choice, *a, **kw: list(choice))
    run = cpsat_solve._Run(problem, 1, 0, None)
    run._set_incumbent(list(start))
    run._guide(0, 5.0)
    assert run.values() == [7.0]
    monkeypatch.setattr(cpsat_solve, "PACK_SHARE", 0.0)
    run = cpsat_solve._Run(problem, 1, 0, None)
    run._set_incumbent(list(start))
    run._guide(0, 5.0)
    assert run.values() == [6.0]
