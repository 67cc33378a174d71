"""The engine's speed-ups keep every result: trivial-bound proofs, the implications of a fixed
level, the LP relaxation and the LP-led warm start, the search around the LP solution."""

from __future__ import annotations

import importlib
import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from solver_fixtures import (
    assert_cpsat_matches_brute_force,
    brute_force,
    simple_problem,
    small_problems,
)

from solvers import (
    Demand,
    Level,
    LevelKind,
    Option,
    Problem,
    Resource,
    Sense,
    Status,
    solve,
    verify,
)
from solvers.greedy.solve import guided, insert
from solvers.lp import Relaxation

cpsat_solve = importlib.import_module("solvers.cpsat.solve")  # the package exports solve()
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _two_classes() -> Problem:
    """Urgent demands that all fit (their level is at its trivial bound), then regular ones
    that do not all fit, then a preference for resource r1."""
    resources = [Resource("r0", (6,)), Resource("r1", (6,))]
    demands = [Demand(f"u{j}") for j in range(3)] + [Demand(f"g{j}") for j in range(4)]
    options = [Option(j, r, (2 + (j + r) % 2,)) for j in range(7) for r in range(2)]
    urgent = Level("urgent", demand_weights={j: 1 for j in range(3)}, time_weight=4.0)
    regular = Level("regular", demand_weights={j: 1 for j in range(3, 7)}, time_weight=4.0)
    prefer = Level("prefer", option_weights={i: 1 for i, o in enumerate(options) if o.resource})
    return Problem(resources, demands, options, [urgent, regular, prefer])


def test_level_at_its_trivial_bound_is_proven_without_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = _two_classes()
    run = cpsat_solve._Run
    searched: list[int] = []
    level_of: dict[int, int] = {}  # run -> the level it is solving
    solved: list[int] = []
    solve_level, run_solver = run.solve_level, run._run_solver

    def spy_level(self, i, budget):  # type: ignore[no-untyped-def]
        level_of[id(self)] = i
        solved.append(i)
        return solve_level(self, i, budget)

    def spy_solver(self, *args, **kw):  # type: ignore[no-untyped-def]
        searched.append(level_of.get(id(self), -1))
        return run_solver(self, *args, **kw)

    monkeypatch.setattr(run, "solve_level", spy_level)
    monkeypatch.setattr(run, "_run_solver", spy_solver)
    sol = solve(problem, time_limit=10, workers=1, seed=0)
    assert sol.status == Status.OPTIMAL
    urgent = sol.levels[0]
    assert urgent.value == urgent.bound == 3 and urgent.proven
    assert 0 in solved  # level 0 was solved ...
    assert 0 not in searched  # ... without a CP-SAT search: the warm start is at its bound
    best = brute_force(problem)
    assert best is not None
    assert [lv.value for lv in sol.levels] == best[1]


def test_fixed_level_implications_keep_the_optimum() -> None:
    """Required-by-implication demands and banned options must not cut off the optimum of
    the later levels (checked against brute force)."""
    assert_cpsat_matches_brute_force(_two_classes())
    problem = _two_classes()
    problem.levels[0].sense = Sense.MINIMIZE  # now the trivial bound is 'place none'
    assert_cpsat_matches_brute_force(problem)


@SETTINGS
@given(small_problems(kinds=(LevelKind.LINEAR, LevelKind.MAX_UTILISATION, LevelKind.SPREAD)))
def test_lp_bound_relaxes_the_first_level(problem: Problem) -> None:
    best = brute_force(problem)
    level = problem.levels[0]
    if best is None or level.kind != LevelKind.LINEAR:
        return
    sign = 1 if level.sense == Sense.MAXIMIZE else -1
    coef: dict[int, int] = {}
    per = problem.options_of()
    for d, w in level.demand_weights.items():
        for o in per[d]:
            coef[o] = coef.get(o, 0) + sign * w
    for o, w in level.option_weights.items():
        coef[o] = coef.get(o, 0) + sign * w
    xs = Relaxation(problem).solve(coef, time_limit=5.0)
    assert xs is not None  # a valid choice exists, so the LP is feasible
    lp_value = sum(c * xs[o] for o, c in coef.items())
    assert lp_value >= sign * best[1][0] - 1e-6


def test_lp_rows_and_fixings() -> None:
    problem = simple_problem([10], {(0, 0): 6, (1, 0): 6, (2, 0): 4}, {0: 1, 1: 1, 2: 1})
    lp = Relaxation(problem)
    count = {0: 1, 1: 1, 2: 1}
    xs = lp.solve(count, 5.0)
    assert xs is not None and sum(xs) == pytest.approx(2.0)  # 6 + 4 fill the 10
    lp.forbid(2)
    xs = lp.solve(count, 5.0)
    assert xs is not None and xs[2] == 0 and sum(xs) == pytest.approx(10 / 6)
    held = lp.solve_with(count, 5.0, {0: None}, assigned=[1])
    assert held is not None and held[0] == 0 and held[1] == pytest.approx(1.0)
    lp.add_row({0: 1}, 1.0, None)
    xs = lp.solve(count, 5.0)
    assert xs is not None and xs[0] == pytest.approx(1.0)


def test_guided_follows_the_weights() -> None:
    problem = simple_problem([10, 10], {(j, r): 5 for j in range(4) for r in range(2)}, {})
    weight = [0.0] * len(problem.options)
    per = problem.options_of()
    for j, ids in enumerate(per):
        weight[ids[j % 2]] = 1.0  # demands 0, 2 on r0; 1, 3 on r1
    choice = guided(problem, weight)
    assert verify(problem, choice) == []
    assert [problem.options[o].resource for o in choice if o is not None] == [0, 1, 0, 1]
    kept = guided(problem, weight, keep={0: per[0][1], 1: None}, skip={per[2][0]})
    assert kept[0] == per[0][1] and kept[1] is None and kept[2] == per[2][1]


def test_insert_moves_one_demand_aside() -> None:
    """d2 fits only on r0, which d0 fills; d0 may also go to r1: moving it places d2."""
    resources = [Resource("r0", (5,)), Resource("r1", (5,))]
    demands = [Demand("d0"), Demand("d1"), Demand("d2")]
    options = [Option(0, 0, (5,)), Option(0, 1, (3,)), Option(1, 1, (2,)), Option(2, 0, (4,))]
    gain = {0: 1, 1: 1, 2: 1, 3: 1}
    problem = Problem(resources, demands, options, [Level("n", option_weights=gain)])
    choice = insert(problem, [0, 2, None], gain)
    assert verify(problem, choice) == []
    assert choice == [1, 2, 3]
    assert insert(problem, [0, 2, None], gain, skip={1}) == [0, 2, None]  # d0 may not move
    problem.demands[0].fixed = 0
    assert insert(problem, [0, 2, None], gain) == [0, 2, None]  # a fixed demand stays


@pytest.fixture
def always_rens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search around the LP solution even when that neighbourhood is most of the model."""
    monkeypatch.setattr(cpsat_solve, "RENS_MAX_FRACTION", 2.0)


@pytest.mark.usefixtures("always_rens")
@SETTINGS
@given(small_problems(kinds=(LevelKind.LINEAR, LevelKind.MAX_UTILISATION, LevelKind.SPREAD)))
def test_lp_led_search_keeps_the_optimum(problem: Problem) -> None:
    assert_cpsat_matches_brute_force(problem)


def test_tiebreak_lp_guide_keeps_current_choices() -> None:
    """With a tie-break, the warm start comes from the LP of the combined objective: among
    equally good placements it keeps the hinted (current) resources."""
    resources = [Resource(f"r{i}", (4,)) for i in range(3)]
    demands = [Demand(f"d{j}") for j in range(6)]
    options = [Option(j, r, (2,)) for j, r in itertools.product(range(6), range(3))]
    keep = {j * 3 + (j % 3): 1 for j in range(6)}  # d_j currently on r_(j mod 3)
    for j, d in enumerate(demands):
        d.hint = j * 3 + (j % 3)
    place = Level("place", demand_weights={j: 1 for j in range(6)}, tiebreak="keep")
    problem = Problem(resources, demands, options, [place, Level("keep", option_weights=keep)])
    sol = solve(problem, time_limit=10, workers=1, seed=0)
    assert sol.status == Status.OPTIMAL
    assert [lv.value for lv in sol.levels] == [6, 6]


def test_guide_keeps_to_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The LP-led warm starts stop when their share of the level's budget is spent: with no
    budget only the LP bound is solved and the incumbent tried; with time, the LP-led
    candidates are built too. (A structural check: no timing assert.)"""
    problem = _two_classes()
    calls: list[str] = []
    lp_solve, lp_with = Relaxation.solve, Relaxation.solve_with

    slow = [0.0]  # seconds every LP solve takes at least

    def spy_solve(self, *args, **kw):  # type: ignore[no-untyped-def]
        calls.append("lp")
        time.sleep(slow[0])
        return lp_solve(self, *args, **kw)

    def spy_with(self, *args, **kw):  # type: ignore[no-untyped-def]
        calls.append("lp-keep")
        return lp_with(self, *args, **kw)

    def spy_guided(*args, **kw):  # type: ignore[no-untyped-def]
        calls.append("guided")
        return guided(*args, **kw)

    monkeypatch.setattr(Relaxation, "solve", spy_solve)
    monkeypatch.setattr(Relaxation, "solve_with", spy_with)
    monkeypatch.setattr(cpsat_solve, "guided", spy_guided)

    def guide(budget: float, lp_seconds: float = 0.0) -> list[str]:
        run = cpsat_solve._Run(problem, 1, 0, None)
        run.solve_level(0, 1.0)
        run.fix_level(0)
        assert run.incumbent is not None
        run.lp_seconds = lp_seconds  # as if the last LP had taken this long
        calls.clear()
        run._guide(1, budget)
        return list(calls)

    assert guide(0.0) == ["lp"]
    rich = guide(10.0)
    assert "guided" in rich and "lp-keep" in rich
    # a level whose budget is shorter than the last LP took gets no LP at all
    assert guide(0.5, lp_seconds=1.0) == []
    # time for the LP bound (at least 0.2 s here) but not for twice as long again: no more
    # LP-led candidates
    slow[0] = 0.2
    assert "lp-keep" not in guide(0.5)


class _SlowRun:
    """Stands in for `_Run` in `_lockstep`: every level runs `overrun` seconds past its budget
    on a fake clock (the fixed costs of building, hinting and fixing a level)."""

    def __init__(self, clock: list[float], overrun: float) -> None:
        self.clock, self.overrun = clock, overrun
        self.incumbent: list[int | None] = [None]
        self.broken = False
        self.size = 1
        self.bounds: list[float] = []
        self.budgets: list[float] = []

    def values(self) -> list[float]:
        return [0.0] * 4

    def solve_level(self, i: int, budget: float) -> None:
        self.budgets.append(budget)
        self.clock[0] += budget + self.overrun

    def fix_level(self, i: int, at_most: float | None = None) -> None:
        pass

    def add_objective(self, i: int) -> None:
        pass


def test_lockstep_keeps_back_what_levels_overrun() -> None:
    """A level that runs past its budget makes the later levels' budgets smaller by as much,
    so the last level (which nothing comes after) still ends within the time limit."""
    problem = Problem(
        [Resource("r", (1,))],
        [Demand("d")],
        [Option(0, 0, (1,))],
        [Level(f"l{k}", Sense.MAXIMIZE, demand_weights={0: 1}) for k in range(4)],
    )
    clock = [0.0]
    run = _SlowRun(clock, overrun=0.1)
    runs: list = [run]  # duck-typed stand-ins for _Run
    _messages, stopped = cpsat_solve._lockstep(problem, runs, 2.0, lambda: clock[0], None, None)
    assert not stopped and len(run.budgets) == 4
    assert clock[0] <= 2.0 + 1e-9  # without keeping back: 2.1
    assert run.budgets[0] == pytest.approx(0.5)  # nothing overran yet: an even share
