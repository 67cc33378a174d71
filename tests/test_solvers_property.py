"""Property tests: CP-SAT equals brute force on random small problems; greedy stays valid."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from solver_fixtures import assert_cpsat_matches_brute_force, small_problems

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


@SETTINGS
@given(small_problems())
def test_cpsat_matches_brute_force_linear(problem: Problem) -> None:
    assert_cpsat_matches_brute_force(problem)


@SETTINGS
@given(small_problems(kinds=ALL_KINDS, linear_first=True))
def test_cpsat_matches_brute_force_utilisation(problem: Problem) -> None:
    assert_cpsat_matches_brute_force(problem)


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
    assert_cpsat_matches_brute_force(problem)
