"""Decomposition into independent components: the split itself, and that solving the parts in
lockstep gives the whole problem's lexicographic optimum (MAX_UTILISATION coordinated)."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_fixtures import assert_cpsat_matches_brute_force, brute_force, small_problems

from solvers import (
    Demand,
    DifferentResources,
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
from solvers.decompose import component_labels, split

cpsat_solve = importlib.import_module("solvers.cpsat.solve")  # the package exports solve()

ALL_KINDS = (LevelKind.LINEAR, LevelKind.MAX_UTILISATION, LevelKind.SPREAD)


@pytest.fixture
def split_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Solve every component with an option on its own (no bundling of small ones)."""
    monkeypatch.setattr(cpsat_solve, "BUNDLE_OPTIONS", 1)


def _linked_problem() -> Problem:
    resources = [Resource(f"r{i}", (10,)) for i in range(6)]
    demands = [Demand(f"d{j}") for j in range(8)]
    demands[3].depends_on = 2  # links d3 to d2
    options = [
        Option(0, 0, (1,)),
        Option(1, 0, (1,)),  # d0, d1 share r0
        Option(2, 1, (1,)),
        Option(3, 2, (1,)),  # d2, d3 linked by depends_on
        Option(4, 3, (1,), requires=(5, 4)),  # d4 -> d5 and r4 by a condition
        Option(5, 4, (1,)),
        Option(6, 5, (1,)),  # d6 alone; d7 has no option
    ]
    level = Level("count", demand_weights={j: 1 for j in range(8)})
    return Problem(resources, demands, options, [level], [DifferentResources(1, 6)])


def test_component_labels() -> None:
    labels = component_labels(_linked_problem())
    groups: dict[int, set[int]] = {}
    for j, label in enumerate(labels):
        groups.setdefault(label, set()).add(j)
    assert sorted(map(sorted, groups.values())) == [[0, 1, 6], [2, 3], [4, 5], [7]]


def test_split_maps_back() -> None:
    problem = _linked_problem()
    parts = split(problem)
    assert sorted(j for p in parts for j in p.demands) == list(range(8))
    assert sorted(i for p in parts for i in p.options) == list(range(7))
    for part in parts:
        sub = part.problem
        assert sub.check() == []
        for k, o in enumerate(sub.options):
            glob = problem.options[part.options[k]]
            assert part.demands[o.demand] == glob.demand
            assert part.resources[o.resource] == glob.resource
            assert o.load == glob.load
            if glob.requires is not None:
                assert o.requires is not None
                assert (part.demands[o.requires[0]], part.resources[o.requires[1]]) == glob.requires
        assert sum(sub.levels[0].demand_weights.values()) == len(part.demands)


def _coordination_problem() -> Problem:
    """Two teams. Team A must run at 80 %. On its own, team B's lowest maximum is 50 % (5 + 5
    hours on b0 and b1), but when it may go up to A's 80 % it spreads better with 0 + 6 hours
    (c is lighter next to b): 36 < 25 + 25."""
    resources = [Resource("a0", (10,)), Resource("b0", (10,)), Resource("b1", (10,))]
    demands = [Demand("a", required=True), Demand("b", required=True), Demand("c", required=True)]
    options = [
        Option(0, 0, (8,)),
        Option(1, 1, (5,)),
        Option(1, 2, (5,)),
        Option(2, 1, (5,)),
        Option(2, 2, (1,), requires=(1, 2)),
    ]
    levels = [
        Level("max", kind=LevelKind.MAX_UTILISATION),
        Level("spread", kind=LevelKind.SPREAD),
        Level("late", Sense.MINIMIZE, option_weights={3: 1}),
    ]
    return Problem(resources, demands, options, levels)


@pytest.mark.usefixtures("split_everything")
def test_max_utilisation_is_coordinated_over_components() -> None:
    problem = _coordination_problem()
    assert len(split(problem)) == 2
    best = brute_force(problem)
    assert best is not None
    sol = solve(problem, time_limit=10, workers=1, seed=0)
    assert sol.status == Status.OPTIMAL
    assert verify(problem, sol.choice) == []
    values = [lv.value for lv in sol.levels]
    assert values == best[1]
    assert values[:2] == [800, 80**2 + 60**2]  # b and c together on b1
    assert all(lv.proven and lv.value == lv.bound for lv in sol.levels)


@st.composite
def composite_problems(draw: st.DrawFn, kinds: tuple[LevelKind, ...]) -> Problem:
    """Two or three small independent problems side by side (same levels, weights per part)."""
    n_parts = draw(st.integers(2, 3))
    n_levels = draw(st.integers(1, 2))
    parts = [draw(small_problems(kinds=kinds, linear_first=True)) for _ in range(n_parts)]
    dims = min(len(p.dimension_names) for p in parts)
    resources: list[Resource] = []
    demands: list[Demand] = []
    options: list[Option] = []
    different: list[DifferentResources] = []
    weights: list[tuple[dict[int, int], dict[int, int]]] = [({}, {}) for _ in range(n_levels + 1)]
    for p in parts:
        # keep it small enough to enumerate: at most 3 demands per part
        keep = min(3, len(p.demands))
        nd, nr, no = len(demands), len(resources), len(options)
        index: dict[int, int] = {}
        for i, o in enumerate(p.options):
            if o.demand >= keep:
                continue
            conds = [
                None if c is None or c[0] >= keep else (c[0] + nd, c[1] + nr)
                for c in (o.requires, o.forbids)
            ]
            index[i] = len(options)
            options.append(Option(o.demand + nd, o.resource + nr, o.load[:dims], *conds))
        for d in p.demands[:keep]:
            demands.append(
                Demand(
                    d.id,
                    d.required,
                    None if d.depends_on is None or d.depends_on >= keep else d.depends_on + nd,
                    index.get(d.fixed) if d.fixed is not None else None,
                    index.get(d.hint) if d.hint is not None else None,
                )
            )
        resources += [Resource(r.id, r.capacity[:dims]) for r in p.resources]
        different += [
            DifferentResources(x.a + nd, x.b + nd) for x in p.different if max(x.a, x.b) < keep
        ]
        for k, lv in enumerate(p.levels[: n_levels + 1]):
            weights[k][0].update({d + nd: w for d, w in lv.demand_weights.items() if d < keep})
            weights[k][1].update({index[o]: w for o, w in lv.option_weights.items() if o in index})
        del no
    base = parts[0].levels
    levels = [
        Level(
            f"level{k}",
            base[min(k, len(base) - 1)].sense,
            LevelKind.LINEAR if k == 0 else draw(st.sampled_from(kinds)),
            demand_weights=weights[k][0],
            option_weights=weights[k][1],
            dimension=draw(st.integers(0, dims - 1)),
        )
        for k in range(n_levels + 1)
    ]
    names = ("hours", "cases")[:dims]
    return Problem(resources, demands, options, levels, different, dimension_names=names)


@pytest.mark.usefixtures("split_everything")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(composite_problems(ALL_KINDS))
def test_components_solved_apart_match_brute_force(problem: Problem) -> None:
    assert problem.check() == []
    assert_cpsat_matches_brute_force(problem)


@pytest.mark.usefixtures("split_everything")
def test_infeasible_component_makes_the_problem_infeasible() -> None:
    resources = [Resource("r0", (5,)), Resource("r1", (5,))]
    demands = [Demand("ok", required=True), Demand("x", required=True), Demand("y", required=True)]
    options = [Option(0, 0, (1,)), Option(1, 1, (3,)), Option(2, 1, (3,))]
    problem = Problem(resources, demands, options, [Level("n", demand_weights={0: 1})])
    sol = solve(problem, time_limit=5, workers=1)
    assert sol.status == Status.INFEASIBLE
    assert sol.choice == [None, None, None]


class _ClockRun:
    """A stand-in for `_Run` in `_lockstep`: records the share it gets per level and moves a
    fake clock on by that share plus a fixed overrun."""

    def __init__(self, clock: list[float], size: int, overrun: float) -> None:
        self.clock, self.size, self.overrun = clock, size, overrun
        self.incumbent: list[int | None] | None = [None]
        self.broken = False
        self.bounds = [0.0, 0.0]
        self.shares: list[float] = []

    def values(self) -> list[float]:
        return [0.0, 0.0]

    def solve_level(self, i: int, share: float) -> None:
        self.shares.append(share)
        self.clock[0] += share + self.overrun

    def add_objective(self, i: int) -> None:
        pass

    def fix_level(self, i: int, at_most: float | None = None) -> None:
        pass


def _two_levels() -> Problem:
    """Two levels of equal time weight (the runs stand in for the parts)."""
    return Problem(
        [Resource("r", (1,))],
        [Demand("d")],
        [Option(0, 0, (1,))],
        [Level("first", time_weight=1.0), Level("second", time_weight=1.0)],
    )


def test_a_part_that_overruns_its_share_does_not_take_it_from_the_next() -> None:
    """Two equal parts, each overrunning by 1 s: the second still gets half of the first
    level's budget (before, the first part's overrun came off the second's share; at city
    scale that left the last parts no time), and the last level keeps to the time left."""
    clock = [0.0]
    runs = [_ClockRun(clock, 10, 1.0), _ClockRun(clock, 10, 1.0)]
    problem = _two_levels()
    messages, stopped = cpsat_solve._lockstep(problem, runs, 20.0, lambda: clock[0], None, None)
    assert not stopped and messages == []
    first = [run.shares[0] for run in runs]
    assert first == pytest.approx([5.0, 5.0])  # 20 s over two equal levels, halved per part
    # the first level ended 2 s late, which the second level absorbs; the most one part ran
    # over (1 s) is kept back, so the second level has 20 - 12 - 1 s, and within it the
    # second part gets what the first part's overrun left
    second = [run.shares[1] for run in runs]
    assert second == pytest.approx([3.5, 2.5])
    assert clock[0] == pytest.approx(20.0)  # within the limit, even with the last overrun


def test_parts_get_no_more_than_the_time_left_and_none_once_it_is_gone() -> None:
    """Three equal parts overrunning by 3 s each on a 10 s limit: the second part's share is
    capped by the time left over the parts still to come, and the third, with no time left
    once the overrun is kept back, is not started (its plan stays as it is)."""
    clock = [0.0]
    runs = [_ClockRun(clock, 10, 3.0) for _ in range(3)]
    problem = _two_levels()
    messages, stopped = cpsat_solve._lockstep(problem, runs, 10.0, lambda: clock[0], None, None)
    assert not stopped
    assert messages == ["time limit reached before every level was optimised"]
    # planned 5/3 s each; after the first part 10 - 3 (its overrun) - 14/3 s are left for two
    assert runs[0].shares == pytest.approx([5 / 3])
    assert runs[1].shares == pytest.approx([(10 - 3 - 14 / 3) / 2])
    assert runs[2].shares == []
    assert clock[0] <= 10.0
