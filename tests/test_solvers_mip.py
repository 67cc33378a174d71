"""The MIP search of a LINEAR level with SCIP (`solvers.mip`): it proves the optimum that brute
force finds, keeps earlier levels at their rows, never takes a banned option, can be cancelled,
and the engine takes only what holds of its result (a valid, better plan; its bound)."""

from __future__ import annotations

import importlib
import time
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from solver_fixtures import GAP_DIR, brute_force, simple_problem, small_problems

from solvers import Problem, evaluate, verify
from solvers.gapfile import read_gap
from solvers.mip import MipSearch
from solvers.problem import LevelKind, oriented_weights

cpsat_solve = importlib.import_module("solvers.cpsat.solve")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _oriented(problem: Problem, i: int, value: float) -> float:
    return value if problem.levels[i].sense.name == "MAXIMIZE" else -value


def _search(problem: Problem, i: int, rows: list[Any], banned: set[int] = frozenset()) -> MipSearch:
    coef = oriented_weights(problem.levels[i], problem.options_of())
    mip = MipSearch(problem, coef, rows, banned, ())
    mip.start(30.0)
    mip.finish(cancel=False)
    return mip


@SETTINGS
@given(small_problems())
def test_each_level_is_proven_at_the_lexicographic_optimum(problem: Problem) -> None:
    """Level 0 alone, then level 1 with level 0 held at its optimum by a row (as the engine
    holds fixed levels): the value brute force finds, valid, proven, with the bound at it."""
    best = brute_force(problem)
    assume(best is not None)
    assert best is not None
    per = problem.options_of()
    rows: list[Any] = []
    for i, level in enumerate(problem.levels):
        if level.kind != LevelKind.LINEAR:
            break
        mip = _search(problem, i, rows)
        assert mip.proven
        assert mip.choice is not None
        assert verify(problem, mip.choice) == []
        values = evaluate(problem, mip.choice)
        assert values[:i] == best[1][:i]  # the rows held the earlier levels
        assert values[i] == best[1][i]
        assert mip.bound == _oriented(problem, i, best[1][i])
        optimum = _oriented(problem, i, best[1][i])
        rows.append((oriented_weights(level, per), optimum, optimum))


@SETTINGS
@given(small_problems(), st.data())
def test_banned_options_are_never_taken(problem: Problem, data: st.DataObject) -> None:
    assume(brute_force(problem) is not None)
    banned = set(data.draw(st.lists(st.integers(0, len(problem.options) - 1), max_size=4)))
    mip = _search(problem, 0, [], banned)
    if mip.choice is not None:
        assert not banned & {o for o in mip.choice if o is not None}


def _c10200() -> MipSearch:
    """Chu & Beasley c10200, which SCIP alone proves only after about 19 s."""
    problem = read_gap(GAP_DIR / "chu1997" / "c10200")
    coef = oriented_weights(problem.levels[0], problem.options_of())
    return MipSearch(problem, coef, [], (), ())


def test_a_search_cancelled_while_scip_runs_stops_unproven() -> None:
    """Interrupted once its model is built (SCIP starting or running), the search ends before
    it could prove the level; an interrupt that does not arrive lets SCIP prove it."""
    mip = _c10200()
    mip.start(600.0)
    while mip._model is None and not mip.done.is_set():
        time.sleep(0.005)
    mip.finish(cancel=True)
    assert mip.done.is_set()
    assert mip.error is None
    assert not mip.proven


def test_a_search_cancelled_before_its_model_is_built_never_starts_scip() -> None:
    mip = _c10200()
    mip.start(600.0)
    mip.finish(cancel=True)
    assert mip.done.is_set()
    assert not mip.proven


class _Found:
    """What a finished `MipSearch` leaves for the engine."""

    def __init__(self, choice: list[int | None] | None, bound: int | None, proven: bool) -> None:
        self.choice, self.bound, self.proven = choice, bound, proven
        self.error: str | None = None

    def finish(self, cancel: bool = True) -> None:
        pass


def _run_at(problem: Problem, start: list[int | None]) -> Any:
    run = cpsat_solve._Run(problem, 1, 0, None)
    run._set_incumbent(list(start))
    run.add_objective(0)
    return run


# two resources of 10; demand weights 5, 4, 3 with loads 6, 5, 5: the best is 4 + 3 on r0
# and 5 on r1 (12), a plan with only demand 0 placed is worth 5
PROBLEM = simple_problem([10, 10], {(0, 0): 6, (0, 1): 6, (1, 0): 5, (2, 0): 5}, {0: 5, 1: 4, 2: 3})


def _option(demand: int, resource: int) -> int:
    (o,) = [
        i
        for i, opt in enumerate(PROBLEM.options)
        if (opt.demand, opt.resource) == (demand, resource)
    ]
    return o


def test_the_engine_takes_a_better_proven_plan_with_its_bound() -> None:
    run = _run_at(PROBLEM, [_option(0, 0), None, None])
    best = [_option(0, 1), _option(1, 0), _option(2, 0)]
    run.mip = _Found(best, 12, True)
    run._mip_finish(0)
    assert run.incumbent == best
    assert run.values()[0] == 12
    assert run.bounds[0] == 12
    assert run.proven[0]
    assert run.mip is None


def test_the_engine_keeps_its_plan_when_the_mip_plan_breaks_a_rule_and_uses_the_bound() -> None:
    start = [_option(0, 1), _option(1, 0), None]
    run = _run_at(PROBLEM, start)
    over = [_option(0, 0), _option(1, 0), _option(2, 0)]  # 16 hours on r0: invalid
    assert verify(PROBLEM, over)
    run.mip = _Found(over, 12, False)
    run._mip_finish(0)
    assert run.incumbent == start
    assert run.bounds[0] == 12
    assert not run.proven[0]


def test_the_engine_proves_chu_beasley_c05100_with_the_mip_running(monkeypatch: Any) -> None:
    """The MIP search starts on the level (the 30 s limit leaves it time) and the engine's
    answer stays exact: valid, proven at the optimum, no internal messages."""
    started: list[float] = []
    start = MipSearch.start

    def spy(self: MipSearch, seconds: float) -> None:
        started.append(seconds)
        start(self, seconds)

    monkeypatch.setattr(MipSearch, "start", spy)
    problem = read_gap(GAP_DIR / "chu1997" / "c05100")
    solution = cpsat_solve.solve(problem, time_limit=30.0, workers=2, seed=0)
    level = solution.levels[0]
    assert started and started[0] >= cpsat_solve.MIP_MIN_SECONDS
    assert verify(problem, solution.choice) == []
    assert level.proven
    assert level.value == level.bound == 1_931
    assert level.value == evaluate(problem, solution.choice)[0]
    assert not [m for m in solution.messages if m.startswith("internal")]


def test_a_failing_mip_search_is_reported_and_the_engine_goes_on(monkeypatch: Any) -> None:
    """An error in SCIP's thread (here: building its model) does not reach the caller as an
    exception: the engine's own searches still prove the level, and the messages say what
    failed."""
    import solvers.mip

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("no SCIP here")

    monkeypatch.setattr(solvers.mip, "Relaxation", broken)
    problem = read_gap(GAP_DIR / "chu1997" / "c05100")
    solution = cpsat_solve.solve(problem, time_limit=20.0, workers=2, seed=0)
    assert verify(problem, solution.choice) == []
    assert solution.levels[0].value == 1_931
    assert any("MIP search failed (RuntimeError: no SCIP here)" in m for m in solution.messages)
