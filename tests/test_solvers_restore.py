"""`restore`: demands a candidate plan lost on an earlier level are assigned again, directly,
in place of demands that may leave, or by moving one demand aside."""

from __future__ import annotations

import importlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_fixtures import simple_problem, small_problems

from solvers import Demand, Level, Option, Problem, Resource, Sense, evaluate, verify
from solvers.greedy.solve import restore

cpsat_solve = importlib.import_module("solvers.cpsat.solve")


def _opt(problem: Problem, d: int, r: int) -> int:
    return next(o for o in problem.options_of()[d] if problem.options[o].resource == r)


def test_a_lost_demand_goes_back_where_there_is_room() -> None:
    problem = simple_problem([10, 10], {(0, 0): 5, (1, 0): 5}, {0: 1, 1: 1})
    start = [_opt(problem, 0, 0), None]
    assert restore(problem, start, {1: [_opt(problem, 1, 0)]}, set(), {}) == [
        _opt(problem, 0, 0),
        _opt(problem, 1, 0),
    ]


def test_room_is_made_by_leaving_out_the_least_worth_that_may_leave() -> None:
    # r0 (10) holds d0 (gain 5) and d1 (gain 1), 5 each; d2 (5) wants back on r0
    problem = simple_problem([10], {(0, 0): 5, (1, 0): 5, (2, 0): 5}, {})
    o0, o1, o2 = (_opt(problem, d, 0) for d in range(3))
    start = [o0, o1, None]
    gain = {o0: 5, o1: 1}
    assert restore(problem, start, {2: [o2]}, {0, 1}, gain) == [o0, None, o2]
    # only d0 may leave: it does, though it is worth more
    assert restore(problem, start, {2: [o2]}, {0}, gain) == [None, o1, o2]
    # nobody may leave: it cannot be put back
    assert restore(problem, start, {2: [o2]}, set(), gain) is None


def test_what_depends_on_a_demand_leaves_with_it() -> None:
    resources = [Resource("r0", (10,)), Resource("r1", (10,))]
    demands = [Demand("a"), Demand("b", depends_on=0), Demand("c")]
    options = [Option(0, 0, (10,)), Option(1, 1, (4,)), Option(2, 0, (6,))]
    problem = Problem(resources, demands, options, [])
    assert restore(problem, [0, 1, None], {2: [2]}, {0, 1}, {}) == [None, None, 2]


def test_one_demand_is_moved_aside_where_it_fits_or_is_made_room_for() -> None:
    # r0 is full with d0, which may also go to r1; d1 wants back on r0
    problem = simple_problem([10, 10], {(0, 0): 10, (0, 1): 10, (1, 0): 10}, {})
    on0, on1, back = _opt(problem, 0, 0), _opt(problem, 0, 1), _opt(problem, 1, 0)

    def aside(v: int, o: int) -> list[int]:
        return [on1] if (v, o) == (0, on0) else []

    assert restore(problem, [on0, None], {1: [back]}, set(), {}, aside) == [on1, back]
    assert restore(problem, [on0, None], {1: [back]}, set(), {}) is None  # nothing may move
    # r1 full with d2, which may leave: d0 goes aside after all
    problem = simple_problem([10, 10], {(0, 0): 10, (0, 1): 10, (1, 0): 10, (2, 1): 10}, {})
    on0, on1, back = _opt(problem, 0, 0), _opt(problem, 0, 1), _opt(problem, 1, 0)
    d2 = _opt(problem, 2, 1)
    assert restore(problem, [on0, None, d2], {1: [back]}, {2}, {}, aside) == [on1, back, None]
    assert restore(problem, [on0, None, d2], {1: [back]}, set(), {}, aside) is None


def test_a_dependent_whose_principal_is_out_cannot_come_back() -> None:
    resources = [Resource("r0", (10,))]
    demands = [Demand("a"), Demand("b", depends_on=0)]
    options = [Option(0, 0, (5,)), Option(1, 0, (5,))]
    problem = Problem(resources, demands, options, [])
    assert restore(problem, [None, None], {1: [1]}, set(), {}) is None


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(small_problems(), st.data())
def test_what_comes_back_fits_and_only_demands_that_may_leave_are_left_out(
    problem: Problem, data: st.DataObject
) -> None:
    per = problem.options_of()
    nd = len(problem.demands)
    start = [data.draw(st.sampled_from([None, *per[d]])) if per[d] else None for d in range(nd)]
    out = [d for d in range(nd) if start[d] is None and per[d]]
    wanted = (
        {d: per[d] for d in data.draw(st.lists(st.sampled_from(out), unique=True))} if out else {}
    )
    evictable = set(data.draw(st.lists(st.integers(0, nd - 1), unique=True)))
    gain = {o: data.draw(st.integers(0, 3)) for o in range(len(problem.options))}
    # start within capacity (restore only adds to a plan that fits)
    used = [[0] * len(problem.dimension_names) for _ in problem.resources]
    for d, o in enumerate(start):
        if o is None:
            continue
        opt = problem.options[o]
        if any(
            used[opt.resource][k] + opt.load[k] > problem.resources[opt.resource].capacity[k]
            for k in range(len(used[0]))
        ):
            start[d] = None
            continue
        for k in range(len(used[0])):
            used[opt.resource][k] += opt.load[k]
    result = restore(problem, start, wanted, evictable, gain)
    if result is None:
        return
    for d in range(nd):
        if start[d] is not None and result[d] != start[d]:
            # left out: allowed to leave, or depends on one that was
            assert result[d] is None
            chain, seen = d, set()
            while chain not in evictable:
                seen.add(chain)
                principal = problem.demands[chain].depends_on
                assert principal is not None and principal not in seen
                chain = principal
    for d in wanted:
        principal = problem.demands[d].depends_on
        assert result[d] in per[d] or (start[d] is not None)
        assert principal is None or result[principal] is not None
    load = [[0] * len(problem.dimension_names) for _ in problem.resources]
    for o in result:
        if o is not None:
            opt = problem.options[o]
            for k, x in enumerate(opt.load):
                load[opt.resource][k] += x
    for r, res in enumerate(problem.resources):
        assert all(load[r][k] <= res.capacity[k] for k in range(len(res.capacity)))


def test_a_demand_stays_when_what_depends_on_it_may_not_leave() -> None:
    resources = [Resource("r0", (10,)), Resource("r1", (10,))]
    demands = [Demand("a"), Demand("b", depends_on=0), Demand("c")]
    options = [Option(0, 0, (10,)), Option(1, 1, (4,)), Option(2, 0, (6,))]
    problem = Problem(resources, demands, options, [])
    # a may leave, but b, which depends on it, may not: c cannot be put back
    assert restore(problem, [0, 1, None], {2: [2]}, {0}, {}) is None


def _two_levels(required: bool) -> tuple[Problem, list[int | None]]:
    """h (5) counts on the first level, a and b (5 each) on the second. h and a can only go to
    r0 (10), b to r0 or r1 (10). The candidate has a and b on r0 (two on the second level) and
    lost h. `required`: a and b may not be left out."""
    resources = [Resource("r0", (10,)), Resource("r1", (10,))]
    demands = [Demand("h"), Demand("a", required=required), Demand("b", required=required)]
    options = [
        Option(0, 0, (5,)),  # 0: h on r0
        Option(1, 0, (5,)),  # 1: a on r0
        Option(2, 0, (5,)),  # 2: b on r0
        Option(2, 1, (5,)),  # 3: b on r1
    ]
    levels = [
        Level("first", Sense.MAXIMIZE, demand_weights={0: 1}),
        Level("second", Sense.MAXIMIZE, demand_weights={1: 1, 2: 1}),
    ]
    return Problem(resources, demands, options, levels), [None, 1, 2]


def _run_at(problem: Problem, incumbent: list[int | None]) -> Any:
    """A CP-SAT run at `incumbent` with the first level held (as on the second level)."""
    run = cpsat_solve._Run(problem, 1, 0, None)
    run._set_incumbent(list(incumbent))
    run.add_objective(0)
    run.fix_level(0)
    return run


def test_the_engine_mends_a_candidate_that_lost_an_earlier_level() -> None:
    """`_Run._restored`: h goes back on r0 in place of a or b (both may leave), so the
    candidate keeps the first level."""
    problem, cand = _two_levels(required=False)
    incumbent: list[int | None] = [0, 1, None]
    run = _run_at(problem, incumbent)
    mended = run._restored(1, cand)
    assert verify(problem, mended) == []
    assert evaluate(problem, mended) == [1.0, 1.0]
    assert run._restored(1, incumbent) == incumbent  # loses nothing: left as it is


def test_the_engine_moves_a_demand_aside_to_mend_a_candidate() -> None:
    """With a and b required (neither may leave), b moves to r1, an option as good on both
    levels, so h goes back on r0 and all three are placed."""
    problem, cand = _two_levels(required=True)
    run = _run_at(problem, [0, 1, 3])
    mended = run._restored(1, cand)
    assert verify(problem, mended) == []
    assert mended == [0, 1, 3]
