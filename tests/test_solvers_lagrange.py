"""The Lagrangian relaxation of a LINEAR level (`solvers.lagrange`): its knapsacks are exact, its
bound L(u) holds for every valid choice and every u, the loss of an option bounds every valid
choice that takes it, and the engine's reduced-cost fixing with it bans no option of an optimum.
Checked against brute force on small problems and on Chu & Beasley c05100."""

from __future__ import annotations

import importlib
import itertools
import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from solver_fixtures import GAP_DIR, small_problems
from test_solvers_reduced_cost import _feasible, _optima, _prepared, _sign, gap_problems

from solvers import Demand, Level, Option, Problem, Resource, Sense
from solvers.gapfile import read_gap
from solvers.lagrange import Lagrangian, _Knapsack
from solvers.lp import Relaxation
from solvers.problem import oriented_weights

cpsat_solve = importlib.import_module("solvers.cpsat.solve")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EPS = 1e-6


def _coef(problem: Problem) -> dict[int, int]:
    return oriented_weights(problem.levels[0], problem.options_of())


def _multipliers(draw: st.DrawFn, relaxation: Lagrangian) -> np.ndarray:
    """Any multipliers the bound must hold for: free on required rows, >= 0 on the others."""
    values = [draw(st.floats(-15, 15, allow_nan=False)) for _ in relaxation.rows]
    u = np.array(values, dtype=float)
    return np.where(relaxation.required, u, np.abs(u))


# ---------------------------------------------------------------------------- the knapsacks


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, 9), st.floats(-10, 10, allow_nan=False)), max_size=8),
    st.integers(0, 20),
)
def test_knapsack_is_exact_and_its_losses_are_those_of_forcing_each_option(
    items: list[tuple[int, float]], capacity: int
) -> None:
    loads = [w for w, _ in items]
    gains = np.array([g for _, g in items], dtype=float)
    knapsack = _Knapsack(list(range(len(items))), loads, capacity, constant=2.5)

    def best_with(forced: int | None) -> float:
        best = -math.inf
        for mask in itertools.product([0, 1], repeat=len(items)):
            if forced is not None and not mask[forced]:
                continue
            if sum(w for w, m in zip(loads, mask, strict=True) if m) <= capacity:
                best = max(best, sum(g for g, m in zip(gains, mask, strict=True) if m))
        return best

    value, take = knapsack.best(gains)
    assert value == pytest.approx(best_with(None) + 2.5)
    # the options it takes fit and give that value
    assert sum(w for w, t in zip(loads, take, strict=True) if t) <= capacity
    assert float(gains[take].sum()) + 2.5 == pytest.approx(value)
    losses = knapsack.losses(gains)
    for k in range(len(items)):
        forced = best_with(k)
        if forced == -math.inf:
            assert losses[k] == math.inf
        else:
            assert losses[k] == pytest.approx(max(0.0, best_with(None) - forced), abs=1e-9)


# ------------------------------------------------------------------------------- the bound


@SETTINGS
@given(st.one_of(gap_problems(), small_problems()), st.data())
def test_bound_and_losses_hold_for_every_valid_choice_at_any_multipliers(
    problem: Problem, data: st.DataObject
) -> None:
    """For any u: every valid choice x has value(x) <= L(u) - loss[o] for each option o it
    takes (conditions, depends_on, different resources, fixed demands and second dimensions
    are all relaxed or handled)."""
    feasible = _feasible(problem)
    assume(feasible)
    relaxation = Lagrangian(problem, _coef(problem))
    assume(relaxation.usable)
    multipliers = _multipliers(data.draw, relaxation)
    value, _ = relaxation.evaluate(multipliers)
    relaxation.value, relaxation.u = value, multipliers
    losses = relaxation.losses()
    for choice, v in feasible:
        assert v <= value + EPS, (choice, v, value)
        for o in choice:
            if o is not None:
                assert v <= value - losses[o] + EPS, (choice, o, v, value, losses[o])


@SETTINGS
@given(gap_problems())
def test_optimised_bound_lies_between_the_optimum_and_the_lp(problem: Problem) -> None:
    feasible = _feasible(problem)
    assume(feasible)
    best, _ = _optima(feasible)
    coef = _coef(problem)
    lp = Relaxation(problem)
    xs = lp.solve(coef, 5.0)
    assume(xs is not None)
    assert xs is not None
    lp_value = sum(c * xs[o] for o, c in coef.items())
    relaxation = Lagrangian(problem, coef)
    # (`known` below the optimum: the steps go on until they stall, not until it is reached)
    value = relaxation.optimise(best - 10, time.perf_counter() + 2.0, lp.duals())
    assert best <= value + EPS
    # from the LP's duals the knapsacks' integrality can only help
    assert value <= lp_value + EPS


def test_large_capacities_are_scaled_and_the_bound_stays_valid() -> None:
    # loads of thousands (minutes, say): the table is scaled down to MAX_CAPACITY steps
    capacity = 3 * 4_000 + 7
    resources = [Resource("r0", (capacity,)), Resource("r1", (capacity,))]
    demands = [Demand(f"d{d}", required=False) for d in range(6)]
    loads = [4_001, 4_002, 3_999, 4_100, 2_500, 6_000]
    options = [Option(d, r, (loads[d] + 13 * r,)) for d in range(6) for r in range(2)]
    level = Level("v", Sense.MAXIMIZE, demand_weights={d: 10 + d for d in range(6)})
    problem = Problem(resources, demands, options, [level])
    feasible = _feasible(problem)
    best, _ = _optima(feasible)
    relaxation = Lagrangian(problem, _coef(problem))
    assert all(k.capacity <= 4_000 for k in relaxation.knapsacks)
    value = relaxation.optimise(best, time.perf_counter() + 2.0)
    assert best <= value + EPS
    losses = relaxation.losses()
    for choice, v in feasible:
        for o in choice:
            if o is not None:
                assert v <= value - losses[o] + EPS


# --------------------------------------------------------------------- in the CP-SAT engine


@SETTINGS
@given(gap_problems(), st.data())
def test_rule_out_with_the_lagrangian_bans_no_option_of_a_choice_as_good(
    problem: Problem, data: st.DataObject
) -> None:
    feasible = _feasible(problem)
    assume(feasible)
    start, _ = data.draw(st.sampled_from(feasible))
    run = _prepared(problem, start)
    run._guide(0, 1.0)
    assume(run.lp_duals is not None)
    run._lagrange(0, 1.0)
    assume(run.lag_value is not None)
    run._rule_out(0)
    incumbent = run.values()[0] * _sign(problem)
    assert not {o for o in run.incumbent if o is not None} & run.banned
    for choice, value in feasible:
        if value >= incumbent:
            assert not {o for o in choice if o is not None} & run.banned, (choice, value)
    # its level bound is a bound
    best, _ = _optima(feasible)
    assert run.lag_bound is not None
    assert best <= _sign(problem) * run.lag_bound


def test_chu_beasley_c05100_bound_is_tighter_than_the_lp_and_bans_options() -> None:
    """c05100 (optimum 1,931, minimised): the LP bound is 1,923.9 (rounded up 1,924); the
    Lagrangian's is within 3 of the optimum, and at the optimum it rules out most options."""
    problem = read_gap(GAP_DIR / "chu1997" / "c05100")
    coef = _coef(problem)
    lp = Relaxation(problem)
    xs = lp.solve(coef, 5.0)
    assert xs is not None
    lp_value = sum(c * xs[o] for o, c in coef.items())
    relaxation = Lagrangian(problem, coef)
    # (with the engine's limit for giving up at the start: the steps after it may go above it)
    limit = lp_value + cpsat_solve.GIVE_UP_ABOVE_LP * abs(lp_value) + 1.0
    value = relaxation.optimise(-1_931, time.perf_counter() + 5.0, lp.duals(), limit)
    assert -value <= 1_931 + EPS  # a bound (on the cost, from below)
    assert -value > -lp_value + 3  # clearly tighter than the LP
    assert -value > 1_931 - 3
    losses = relaxation.losses()
    slack = value + 1_931 + 0.5
    assert sum(loss > slack for loss in losses) > len(losses) // 2


def test_engine_on_c05100_reports_a_valid_value_and_bound() -> None:
    problem = read_gap(GAP_DIR / "chu1997" / "c05100")
    solution = cpsat_solve.solve(problem, time_limit=20.0, workers=2, seed=0)
    level = solution.levels[0]
    assert level.value >= 1_931
    assert level.bound <= 1_931


def test_fixed_options_count_and_the_most_binding_dimension_is_kept() -> None:
    """A fixed demand alone on its resource adds its weight to the bound; the other resource
    has a loose first dimension and a binding second one, and with that one kept the bound is
    the optimum (one of the three demands fits there)."""
    resources = [Resource("r0", (100, 1)), Resource("r1", (5, 5))]
    demands = [Demand(f"d{d}") for d in range(3)] + [Demand("f", fixed=3)]
    options = [Option(d, 0, (1, 1)) for d in range(3)] + [Option(3, 1, (2, 2))]
    level = Level("v", Sense.MAXIMIZE, demand_weights={0: 4, 1: 6, 2: 5, 3: 7})
    problem = Problem(resources, demands, options, [level], dimension_names=("uren", "aantal"))
    best, _ = _optima(_feasible(problem))
    assert best == 6 + 7
    relaxation = Lagrangian(problem, _coef(problem))
    value = relaxation.optimise(best, time.perf_counter() + 2.0)
    assert value == pytest.approx(best)


def test_giving_up_applies_to_the_start_only() -> None:
    """Below the limit at the start, the steps go on even where a step lands above it."""
    problem = read_gap(GAP_DIR / "chu1997" / "c05100")
    coef = _coef(problem)
    lp = Relaxation(problem)
    assert lp.solve(coef, 5.0) is not None
    start, _ = Lagrangian(problem, coef).evaluate(
        np.array([lp.duals()[d] for d in range(len(problem.demands))])
    )
    free = Lagrangian(problem, coef).optimise(-1_931, time.perf_counter() + 5.0, lp.duals())
    limited = Lagrangian(problem, coef)
    value = limited.optimise(-1_931, time.perf_counter() + 5.0, lp.duals(), start + 1e-3)
    assert value == pytest.approx(free)
    assert value < start - 1
    gave_up = Lagrangian(problem, coef)
    assert gave_up.optimise(-1_931, time.perf_counter() + 5.0, lp.duals(), start - 1) == start
