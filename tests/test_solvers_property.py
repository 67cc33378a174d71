"""Property tests: CP-SAT equals brute force on random small problems; greedy stays valid."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from solver_fixtures import brute_force, lex_key, small_problems

from solvers import LevelKind, Problem, Status, solve, verify

ALL_KINDS = (LevelKind.LINEAR, LevelKind.MAX_UTILISATION, LevelKind.SPREAD)
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_greedy(problem: Problem) -> None:
    sol = solve(problem, backend="greedy")
    errors = verify(problem, sol.choice)
    if sol.status == Status.FEASIBLE:
        assert errors == []
    else:
        assert sol.status == Status.INFEASIBLE
        assert errors
        # greedy leaves required (or fixed) demands open, it never breaks a constraint
        assert all("is unassigned" in e or "must take fixed option" in e for e in errors)


def _check_cpsat(problem: Problem) -> None:
    best = brute_force(problem)
    sol = solve(problem, time_limit=10.0, workers=1, seed=0)
    if best is None:
        assert sol.status == Status.INFEASIBLE
        return
    assert sol.status == Status.OPTIMAL, sol.messages
    assert verify(problem, sol.choice) == []
    assert not [m for m in sol.messages if m.startswith("internal")]
    values = [lv.value for lv in sol.levels]
    assert values[0] == best[1][0]
    assert lex_key(problem, values) == lex_key(problem, best[1])
    for lv in sol.levels:
        assert lv.proven
        assert lv.value == lv.bound


@SETTINGS
@given(small_problems())
def test_cpsat_matches_brute_force_linear(problem: Problem) -> None:
    _check_cpsat(problem)


@SETTINGS
@given(small_problems(kinds=ALL_KINDS, linear_first=True))
def test_cpsat_matches_brute_force_utilisation(problem: Problem) -> None:
    _check_cpsat(problem)


@SETTINGS
@given(small_problems(kinds=ALL_KINDS))
def test_greedy_never_violates_constraints(problem: Problem) -> None:
    _check_greedy(problem)


@SETTINGS
@given(small_problems())
def test_tiebreak_changes_no_level_value(problem: Problem) -> None:
    """A level solved with a later level as tie-break still reaches the brute-force optimum on
    every level, with its own (rescaled) bound."""
    linear = [lv for lv in problem.levels if lv.kind == LevelKind.LINEAR]
    if len(linear) >= 2:
        linear[0].tiebreak = linear[-1].name
    _check_cpsat(problem)
