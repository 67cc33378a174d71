"""Each engine feature in isolation on tiny hand-made problems."""

from __future__ import annotations

import math
import threading

import pytest
from solver_fixtures import GAP_DIR, brute_force, simple_problem

from solvers import (
    Demand,
    DifferentResources,
    Level,
    LevelKind,
    Option,
    Problem,
    Resource,
    Sense,
    Solution,
    Status,
    evaluate,
    solve,
    verify,
)
from solvers.gapfile import read_gap

BACKENDS = ["cpsat", "greedy"]


def cp(problem: Problem, **kwargs: object) -> Solution:
    """CP-SAT with a short limit; asserts the result is valid whenever there is one."""
    sol = solve(problem, time_limit=10.0, workers=2, seed=0, **kwargs)  # type: ignore[arg-type]
    if sol.status in (Status.OPTIMAL, Status.FEASIBLE):
        assert verify(problem, sol.choice) == []
    assert not [m for m in sol.messages if m.startswith("internal")]
    return sol


def value(sol: Solution, i: int = 0) -> float:
    return sol.levels[i].value


# ------------------------------------------------------------------------------ verify/evaluate


def test_verify_reports_every_violation() -> None:
    resources = [Resource("r0", (5,)), Resource("r1", (5,))]
    demands = [
        Demand("a", required=True),
        Demand("b", depends_on=3),
        Demand("c", fixed=5),
        Demand("d"),
    ]
    options = [
        Option(0, 0, (1,)),  # 0
        Option(1, 0, (6,)),  # 1: overloads r0
        Option(1, 1, (1,), requires=(3, 1)),  # 2
        Option(2, 1, (1,), forbids=(1, 1)),  # 3
        Option(3, 1, (1,)),  # 4
        Option(2, 0, (1,)),  # 5
    ]
    problem = Problem(resources, demands, options, [], [DifferentResources(2, 1)])
    assert problem.check() == []
    errors = verify(problem, [None, 2, 3, None])
    text = "\n".join(errors)
    assert "required demand a is unassigned" in text
    assert "fixed option 5" in text
    assert "depends on" in text
    assert "requires demand d on resource r1" in text
    assert "forbids demand b on resource r1" in text
    assert "share resource r1" in text
    assert len(errors) == 6
    overload = verify(problem, [0, 1, 5, 4])
    assert "resource r0 over capacity on load: 8 > 5" in overload
    assert verify(problem, [0, 3, 5, None])[0].startswith("demand b: option 3 belongs to demand c")
    assert verify(problem, [0]) == ["choice has 1 entries, expected one per demand (4)"]
    assert verify(problem, [0, 99, 5, None]) == ["demand b: option 99 does not exist"]


def test_evaluate_uses_integer_floors() -> None:
    resources = [Resource("r0", (3,)), Resource("r1", (7,)), Resource("idle", (0,))]
    demands = [Demand("a"), Demand("b")]
    options = [Option(0, 0, (1,)), Option(1, 1, (5,))]
    levels = [
        Level("w", Sense.MINIMIZE, demand_weights={0: 2}, option_weights={1: 10}),
        Level("max", kind=LevelKind.MAX_UTILISATION),
        Level("spread", kind=LevelKind.SPREAD),
    ]
    problem = Problem(resources, demands, options, levels)
    # r0: 1/3 -> 333 permille, 33 %; r1: 5/7 -> 714 permille, 71 %
    assert evaluate(problem, [0, 1]) == [12.0, 714.0, 33.0**2 + 71.0**2]
    assert evaluate(problem, [None, None]) == [0.0, 0.0, 0.0]


# ------------------------------------------------------------------------------ features


@pytest.mark.parametrize("backend", BACKENDS)
def test_capacity(backend: str) -> None:
    problem = simple_problem([10], {(0, 0): 4, (1, 0): 5, (2, 0): 6}, {0: 4, 1: 5, 2: 6})
    sol = solve(problem, backend=backend, time_limit=10)
    assert verify(problem, sol.choice) == []
    if backend == "cpsat":
        assert sol.status == Status.OPTIMAL
        assert value(sol) == 10  # 4 + 6 fills the capacity exactly


def test_multi_dimension_capacity() -> None:
    resources = [Resource("r0", (10, 2)), Resource("r1", (1, 5))]
    demands = [Demand(f"d{j}") for j in range(3)]
    options = [Option(j, r, (2, 1)) for j in range(3) for r in range(2)]
    level = Level("count", demand_weights={j: 1 for j in range(3)})
    problem = Problem(resources, demands, options, [level], dimension_names=("hours", "cases"))
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    assert value(sol) == 2  # r0 is limited by cases, r1 by hours
    assert {sol.assigned_resource(problem, j) for j in range(3)} == {0, None}


def test_required_beats_optional_weight() -> None:
    problem = simple_problem([10], {(0, 0): 8, (1, 0): 5}, {0: 10, 1: 1}, required={1})
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    assert sol.choice[1] is not None and sol.choice[0] is None
    assert value(sol) == 1


def test_optional_demands_may_stay_open() -> None:
    problem = simple_problem([10], {(0, 0): 3, (1, 0): 3}, {0: -1, 1: 2})
    sol = cp(problem)
    assert sol.choice[0] is None and sol.choice[1] is not None
    assert value(sol) == 2


@pytest.mark.parametrize("room", [10, 3])
def test_depends_on(room: int) -> None:
    problem = simple_problem([room], {(0, 0): 5, (1, 0): 3}, {0: -1, 1: 5})
    problem.demands[1].depends_on = 0
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    # with room both go (5 - 1); without room for the parent the child cannot go either
    assert value(sol) == (4 if room == 10 else 0)


def test_different_resources() -> None:
    resources = [Resource("good", (10,)), Resource("poor", (10,))]
    demands = [Demand("a"), Demand("b")]
    options = [Option(j, r, (1,)) for j in range(2) for r in range(2)]
    weights = {i: (5 if o.resource == 0 else 1) for i, o in enumerate(options)}
    level = Level("w", option_weights=weights)
    together = cp(Problem(resources, demands, options, [level]))
    problem = Problem(resources, demands, options, [level], [DifferentResources(0, 1)])
    apart = cp(problem)
    assert value(together) == 10
    assert value(apart) == 6
    assert apart.assigned_resource(problem, 0) != apart.assigned_resource(problem, 1)
    greedy = solve(problem, backend="greedy")
    assert verify(problem, greedy.choice) == []
    assert value(greedy) == 6


def _conditional_problem(kind: str) -> Problem:
    resources = [Resource("r0", (10,)), Resource("r1", (10,))]
    demands = [Demand("a", required=True), Demand("b")]
    cond = {"requires": {"requires": (0, 1)}, "forbids": {"forbids": (0, 0)}}[kind]
    options = [
        Option(0, 0, (1,)),  # a on r0: weight 5
        Option(0, 1, (1,)),  # a on r1: weight 1
        Option(1, 0, (1,), **cond),  # b on r0, conditional: weight 10
        Option(1, 0, (2,)),  # b on r0, unconditional: weight 3
    ]
    level = Level("w", option_weights={0: 5, 1: 1, 2: 10, 3: 3})
    return Problem(resources, demands, options, [level])


@pytest.mark.parametrize("kind", ["requires", "forbids"])
def test_conditional_options(kind: str) -> None:
    problem = _conditional_problem(kind)
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    assert value(sol) == 11  # a on r1 (1) unlocks b's conditional option (10)
    assert sol.choice == [1, 2]
    problem.demands[0].fixed = 0  # a on r0: the condition fails
    sol = cp(problem)
    assert value(sol) == 8
    assert sol.choice == [0, 3]


@pytest.mark.parametrize("backend", BACKENDS)
def test_fixed_is_honoured(backend: str) -> None:
    problem = simple_problem([10, 10], {(0, 0): 1, (0, 1): 1, (1, 0): 1}, {0: 1, 1: 1})
    problem.levels[0].option_weights = {0: 5}  # d0 prefers r0
    problem.demands[0].fixed = 1  # ... but is fixed to r1
    problem.demands[1].fixed = 2  # optional demand forced in
    sol = solve(problem, backend=backend, time_limit=10)
    assert sol.choice == [1, 2]
    assert verify(problem, sol.choice) == []


def test_conflicting_fixed_is_infeasible() -> None:
    problem = simple_problem([5], {(0, 0): 3, (1, 0): 3}, {0: 1, 1: 1})
    problem.demands[0].fixed = 0
    problem.demands[1].fixed = 1
    assert cp(problem).status == Status.INFEASIBLE
    assert solve(problem, backend="greedy").status == Status.INFEASIBLE


def test_hint_is_accepted_but_not_forced() -> None:
    loads = {(j, r): 1 + (j + r) % 3 for j in range(6) for r in range(3)}
    problem = simple_problem([4, 4, 4], loads, {j: j + 1 for j in range(6)})
    expected = brute_force(problem)
    assert expected is not None
    per = problem.options_of()
    for j, dem in enumerate(problem.demands):
        dem.hint = per[j][-1]
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    assert value(sol) == expected[1][0]


def _count_then_cost() -> Problem:
    resources = [Resource("cheap", (5,)), Resource("dear", (10,))]
    demands = [Demand(f"d{j}") for j in range(3)]
    options = [Option(j, r, (5,)) for j in range(3) for r in range(2)]
    count = Level("count", Sense.MAXIMIZE, demand_weights={j: 1 for j in range(3)})
    cost = Level(
        "cost",
        Sense.MINIMIZE,
        option_weights={i: (1 if o.resource == 0 else 4) + o.demand for i, o in enumerate(options)},
    )
    return Problem(resources, demands, options, [count, cost])


def test_lexicographic_order_dominates() -> None:
    problem = _count_then_cost()
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    assert value(sol, 0) == 3  # the first level is never sacrificed for the second
    best = brute_force(problem)
    assert best is not None
    assert [lv.value for lv in sol.levels] == best[1]
    alone = Problem(problem.resources, problem.demands, problem.options, [problem.levels[1]])
    assert value(cp(alone)) == 0  # cost alone would assign nothing
    swapped = Problem(problem.resources, problem.demands, problem.options, problem.levels[::-1])
    assert [lv.value for lv in cp(swapped).levels] == [0, 0]


def _utilisation_problem(kinds: list[LevelKind]) -> Problem:
    resources = [Resource("r0", (7, 3)), Resource("r1", (9, 4)), Resource("r2", (11, 0))]
    demands = [Demand(f"d{j}", required=j < 4) for j in range(6)]
    options = [Option(j, r, (1 + (2 * j + r) % 5, (j + r) % 2)) for j in range(6) for r in range(3)]
    levels = [Level("served", demand_weights={j: 1 for j in range(6)})]
    levels += [Level(f"{k}", kind=k, dimension=i % 2) for i, k in enumerate(kinds)]
    return Problem(resources, demands, options, levels, dimension_names=("hours", "cases"))


@pytest.mark.parametrize(
    "kinds",
    [
        [LevelKind.MAX_UTILISATION],
        [LevelKind.SPREAD],
        [LevelKind.SPREAD, LevelKind.MAX_UTILISATION],
        [LevelKind.MAX_UTILISATION, LevelKind.SPREAD],
    ],
)
def test_utilisation_levels_match_evaluate(kinds: list[LevelKind]) -> None:
    problem = _utilisation_problem(kinds)
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    values = [lv.value for lv in sol.levels]
    assert values == evaluate(problem, sol.choice)
    assert all(lv.value == lv.bound for lv in sol.levels)  # the model's optimum equals evaluate()
    best = brute_force(problem)
    assert best is not None
    assert values == best[1]


def test_utilisation_levels_ignore_sense() -> None:
    problem = _utilisation_problem([LevelKind.MAX_UTILISATION])
    problem.levels[1].sense = Sense.MAXIMIZE  # the default; utilisation is still minimised
    best = brute_force(problem)
    sol = cp(problem)
    assert best is not None
    assert value(sol, 1) == best[1][1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_infeasible_required_demand(backend: str) -> None:
    problem = simple_problem([5], {(0, 0): 3, (1, 0): 3}, {0: 1, 1: 1}, required={0, 1})
    sol = solve(problem, backend=backend, time_limit=10)
    assert sol.status == Status.INFEASIBLE


def test_required_demand_without_options_is_infeasible() -> None:
    problem = simple_problem([5], {(0, 0): 3}, {0: 1})
    problem.demands.append(Demand("lonely", required=True))
    sol = cp(problem)
    assert sol.status == Status.INFEASIBLE
    assert any("lonely" in m for m in sol.messages)
    assert all(math.isnan(lv.value) for lv in sol.levels)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "breakage",
    ["resource", "dimension", "fixed", "different", "level"],
)
def test_malformed_problem_is_invalid(backend: str, breakage: str) -> None:
    problem = simple_problem([5, 5], {(0, 0): 1, (1, 1): 1}, {0: 1, 1: 1})
    if breakage == "resource":
        problem.options.append(Option(0, 7, (1,)))
    elif breakage == "dimension":
        problem.options.append(Option(0, 1, (1, 2)))
    elif breakage == "fixed":
        problem.demands[0].fixed = 1  # option 1 belongs to demand 1
    elif breakage == "different":
        problem.different.append(DifferentResources(0, 0))
    else:
        problem.levels.append(Level("u", kind=LevelKind.SPREAD, dimension=3))
    sol = solve(problem, backend=backend)
    assert sol.status == Status.INVALID
    assert sol.messages
    assert sol.choice == [None, None]


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        solve(simple_problem([1], {(0, 0): 1}, {}), backend="magic")  # type: ignore[arg-type]


def test_no_levels_is_a_feasibility_problem() -> None:
    problem = simple_problem([5], {(0, 0): 3, (1, 0): 2}, {}, required={0, 1})
    problem.levels.clear()
    sol = cp(problem)
    assert sol.status == Status.OPTIMAL
    assert sol.levels == []
    assert None not in sol.choice


# ------------------------------------------------------------------------------ control


def test_on_level_called_per_level() -> None:
    calls: list[tuple[str, int, int]] = []
    problem = _utilisation_problem([LevelKind.MAX_UTILISATION, LevelKind.SPREAD])
    cp(problem, on_level=lambda name, i, n: calls.append((name, i, n)))
    assert calls == [(lv.name, i, 3) for i, lv in enumerate(problem.levels)]


def test_stop_before_start_gives_unknown() -> None:
    stop = threading.Event()
    stop.set()
    sol = cp(_count_then_cost(), stop=stop)
    assert sol.status == Status.UNKNOWN
    assert sol.choice == [None, None, None]


def test_stop_between_levels_keeps_best_solution() -> None:
    stop = threading.Event()
    problem = _count_then_cost()

    def on_level(name: str, index: int, total: int) -> None:
        if index == 1:
            stop.set()

    sol = cp(problem, stop=stop, on_level=on_level)
    assert sol.status == Status.FEASIBLE
    assert verify(problem, sol.choice) == []
    assert sol.levels[0].proven and sol.levels[0].value == 3
    assert not sol.levels[1].proven
    assert any("stopped" in m for m in sol.messages)


def _hard_problem() -> Problem:
    """A Chu & Beasley type-D instance: not solved to optimality in seconds."""
    return read_gap(GAP_DIR / "chu1997" / "d10100")


def test_stop_during_search() -> None:
    problem = _hard_problem()
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    try:
        sol = cp(problem, stop=stop)
    finally:
        timer.cancel()
    assert sol.status == Status.FEASIBLE
    assert verify(problem, sol.choice) == []
    assert sol.seconds < 9.0  # well before the 10 s limit


def test_time_is_passed_on_to_later_levels() -> None:
    problem = _hard_problem()
    easy = Level("count", Sense.MAXIMIZE, demand_weights={j: 1 for j in range(100)})
    problem.levels.insert(0, easy)
    sol = solve(problem, time_limit=2.0, workers=2, seed=0)
    assert sol.status == Status.FEASIBLE
    assert sol.levels[0].proven and sol.levels[0].value == 100
    assert not sol.levels[1].proven
    assert sol.levels[1].seconds > 1.0  # the easy first level passed its share on
    assert verify(problem, sol.choice) == []


# ------------------------------------------------------------------------------ greedy


def _hand_problems() -> list[Problem]:
    probs = [
        simple_problem([10], {(0, 0): 4, (1, 0): 5, (2, 0): 6}, {0: 4, 1: 5, 2: 6}),
        simple_problem([10], {(0, 0): 8, (1, 0): 5}, {0: 10, 1: 1}, required={1}),
        _conditional_problem("requires"),
        _conditional_problem("forbids"),
        _count_then_cost(),
        _utilisation_problem([LevelKind.MAX_UTILISATION, LevelKind.SPREAD]),
    ]
    dep = simple_problem([10], {(0, 0): 5, (1, 0): 3}, {0: -1, 1: 5})
    dep.demands[0].depends_on = 1
    probs.append(dep)
    return probs


@pytest.mark.parametrize("index", range(7))
def test_greedy_never_violates_verify(index: int) -> None:
    problem = _hand_problems()[index]
    sol = solve(problem, backend="greedy")
    assert sol.status == Status.FEASIBLE
    assert sol.backend == "greedy"
    assert verify(problem, sol.choice) == []
    assert [lv.value for lv in sol.levels] == evaluate(problem, sol.choice)
    assert all(math.isnan(lv.bound) and not lv.proven for lv in sol.levels)


def test_greedy_takes_best_option_first() -> None:
    problem = _conditional_problem("requires")
    sol = solve(problem, backend="greedy")
    # a (required) is placed first on its best option r0; b then takes its unconditional option
    assert sol.choice == [0, 3]
    assert value(sol) == 8


def test_greedy_on_gap_instance_is_valid() -> None:
    problem = read_gap(GAP_DIR / "chu1997" / "a05100")
    sol = solve(problem, backend="greedy")
    errors = verify(problem, sol.choice)
    if sol.status == Status.FEASIBLE:
        assert errors == []
    else:
        assert all("unassigned" in e for e in errors)
