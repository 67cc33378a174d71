"""Ejection chains (`solvers.greedy.chains.improve`): they place what one move cannot, keep the
earlier levels and every rule, and the CP-SAT backend takes what they find."""

from __future__ import annotations

import importlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_fixtures import lex_key, simple_problem, small_problems

from solvers import Level, LevelKind, Problem, evaluate, verify
from solvers.greedy.chains import improve
from solvers.greedy.solve import insert

cpsat_solve = importlib.import_module("solvers.cpsat.solve")


def _chain() -> tuple[Problem, list[int | None]]:
    """Three resources of 10. u fits only on r0, where v is; v may go to r1, where w is; w may
    go to r2, which is empty. v and w fill their resources, so no single move makes room."""
    loads = {(0, 0): 10, (1, 0): 10, (1, 1): 10, (2, 1): 10, (2, 2): 10}
    problem = simple_problem([10, 10, 10], loads, {0: 1, 1: 1, 2: 1})
    per = problem.options_of()
    start: list[int | None] = [None, per[1][0], per[2][0]]  # v on r0, w on r1, u out
    return problem, start


def _resources(problem: Problem, choice: list[int | None]) -> list[int | None]:
    return [None if o is None else problem.options[o].resource for o in choice]


def test_a_chain_of_two_ejections_places_what_one_move_cannot() -> None:
    problem, start = _chain()
    gain = {o: 1 for o in range(len(problem.options))}
    assert insert(problem, start, gain) == start  # one move aside is not enough
    better = improve(problem, start, 0, time.perf_counter() + 5.0, seed=0)
    assert verify(problem, better) == []
    assert evaluate(problem, better) == [3.0]
    assert _resources(problem, better) == [0, 1, 2]


def test_nothing_better_gives_the_choice_back() -> None:
    problem, start = _chain()
    problem.options = problem.options[:-1]  # w can no longer go to r2: nothing has room
    assert improve(problem, start, 0, time.perf_counter() + 0.2, seed=0) == start


def test_an_earlier_level_is_never_given_up() -> None:
    """Dropping e (which the first level weighs) would let u, worth more on the second level,
    in; the chains keep e."""
    problem = simple_problem([10], {(0, 0): 10, (1, 0): 10}, {0: 1})
    problem.levels.append(Level("later", demand_weights={1: 5}))
    start: list[int | None] = [0, None]
    assert improve(problem, start, 1, time.perf_counter() + 0.2, seed=0) == start
    # without the first level, u's 5 is worth giving e up for
    problem.levels = problem.levels[1:]
    assert improve(problem, start, 0, time.perf_counter() + 0.2, seed=0) == [None, 1]


def test_banned_options_and_must_demands_are_kept_to() -> None:
    problem, start = _chain()
    per = problem.options_of()
    # w may not take r2: no chain ends anywhere
    assert improve(problem, start, 0, time.perf_counter() + 0.2, banned={per[2][1]}) == start
    # with u worth more than v and w, one of them may make way for it ...
    problem.levels[0].demand_weights = {0: 5, 1: 1, 2: 1}
    banned = {per[2][1]}
    pushed = improve(problem, start, 0, time.perf_counter() + 0.2, banned=banned)
    assert verify(problem, pushed) == [] and evaluate(problem, pushed) == [6.0]
    assert _resources(problem, pushed)[0] == 0
    # ... but not when both must stay assigned
    kept = improve(problem, start, 0, time.perf_counter() + 0.2, banned=banned, must={1, 2})
    assert kept == start


def test_only_linear_levels_can_be_improved() -> None:
    problem, start = _chain()
    problem.levels.insert(0, Level("most", kind=LevelKind.MAX_UTILISATION))
    with pytest.raises(ValueError, match="LINEAR"):
        improve(problem, start, 1, time.perf_counter() + 0.1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.data())
def test_chains_keep_every_rule_and_never_lose_value(problem: Problem, data: st.DataObject) -> None:
    """From any valid choice, the result is valid, no earlier level goes down, and the improved
    level only goes up (strictly, when anything changed)."""
    per = problem.options_of()
    start = [data.draw(st.sampled_from([None, *ids])) for ids in per]
    if verify(problem, start):
        return  # only valid starting points
    level = len(problem.levels) - 1
    result = improve(problem, start, level, time.perf_counter() + 0.02, seed=0)
    assert verify(problem, result) == []
    before = lex_key(problem, evaluate(problem, start))
    after = lex_key(problem, evaluate(problem, result))
    assert all(a >= b for a, b in zip(after[:level], before[:level], strict=True))
    if result != start:
        assert after[level] > before[level]
    else:
        assert after == before


def test_the_cpsat_backend_takes_what_the_chains_find(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the LP-led starts and the one-move insert giving nothing new, the level's warm
    start still reaches the optimum through the chains, before any CP-SAT search."""
    problem, start = _chain()
    problem.demands[0].hint = None
    monkeypatch.setattr(cpsat_solve, "guided", lambda problem, *a, **kw: list(start))
    monkeypatch.setattr(cpsat_solve, "insert", lambda problem, choice, *a, **kw: list(choice))
    run = cpsat_solve._Run(problem, 1, 0, None)
    run._set_incumbent(list(start))
    run._guide(0, 5.0)
    assert run.values() == [3.0]
    # with no time for them, the chains do not run and the incumbent stays
    monkeypatch.setattr(cpsat_solve, "CHAIN_SHARE", 0.0)
    run = cpsat_solve._Run(problem, 1, 0, None)
    run._set_incumbent(list(start))
    run._guide(0, 5.0)
    assert run.values() == [2.0]


def test_only_demands_out_are_placed() -> None:
    """A placed demand on a worse option is left to CP-SAT (on a GAP, where every demand is
    placed, the chains have nothing to do)."""
    problem = simple_problem([10, 10], {(0, 0): 5, (0, 1): 5}, {})
    problem.levels[0].option_weights = {0: 1, 1: 3}
    assert improve(problem, [0], 0, time.perf_counter() + 0.2, seed=0) == [0]
    assert improve(problem, [None], 0, time.perf_counter() + 0.2, seed=0) == [1]
