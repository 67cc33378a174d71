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
from solvers.cpsat.pack import _pair, movable, pack, units
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


def _units_crowd() -> tuple[Problem, list[int | None]]:
    """Two resources of 8. Two alike units: a head of load 2 and its optional tail of load 2
    on the other resource (weights 10 and 1). Two demands X of load 3 only on r1, two Y of load
    2 only on r0 (weight 10 each). The start: heads on r1, tails and both Y on r0 (full), one X
    on r1 (7 of 8): 52. The best is 61: both X on r1, which takes a head (or both) to r0 and
    leaves one tail out."""
    demands = [
        Demand("h0"),
        Demand("t0", depends_on=0),
        Demand("h1"),
        Demand("t1", depends_on=2),
        Demand("x0"),
        Demand("x1"),
        Demand("y0"),
        Demand("y1"),
    ]
    options = [Option(d, r, (2,)) for d in range(4) for r in range(2)]
    options += [Option(d, 1, (3,)) for d in (4, 5)]
    options += [Option(d, 0, (2,)) for d in (6, 7)]
    weights = {0: 10, 1: 1, 2: 10, 3: 1, 4: 10, 5: 10, 6: 10, 7: 10}
    problem = Problem(
        resources=[Resource("r0", (8,)), Resource("r1", (8,))],
        demands=demands,
        options=options,
        levels=[Level("placed", demand_weights=weights)],
        different=[DifferentResources(0, 1), DifferentResources(2, 3)],
    )
    per = problem.options_of()
    on = {d: {problem.options[o].resource: o for o in per[d]} for d in range(8)}
    start: list[int | None] = [on[0][1], on[1][0], on[2][1], on[3][0], on[4][1], None]
    start += [on[6][0], on[7][0]]
    assert verify(problem, start) == []
    return problem, start


def test_a_family_moves_with_its_dependent() -> None:
    """A head whose tail is placed moves with it: the heads go to r0, the tails give way to
    the second X (one tail is left out, the other goes to r1, never on its head's resource).
    Without units (the heads named by their tails) nothing better is found."""
    problem, start = _units_crowd()
    assert _value(problem, start) == 52
    assert units(problem, start, set()) == {0: 1, 2: 3}
    packed = pack(problem, start, 0, [], set(), set(), 5.0, _run)
    assert packed is not None and verify(problem, packed) == []
    assert _value(problem, packed) == 61
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack_module, "units", lambda *a: {})
        assert pack(problem, start, 0, [], set(), set(), 5.0, _run) is None


def _two_units(
    caps: list[int], tails_on: tuple[int, ...], singles_on: int, single_weight: int
) -> tuple[Problem, dict[int, dict[int, int]]]:
    """Two units (heads h0, h1 of weight 10 only on r0, tails t0, t1 of weight 5 on `tails_on`)
    and two single demands s0, s1 only on `singles_on`; every load 1. Also each demand's option
    per resource."""
    demands = [Demand("h0"), Demand("t0", depends_on=0), Demand("h1"), Demand("t1", depends_on=2)]
    demands += [Demand("s0"), Demand("s1")]
    options = [Option(h, 0, (1,)) for h in (0, 2)]
    options += [Option(t, r, (1,)) for t in (1, 3) for r in tails_on]
    options += [Option(d, singles_on, (1,)) for d in (4, 5)]
    weights = {0: 10, 1: 5, 2: 10, 3: 5, 4: single_weight, 5: single_weight}
    problem = Problem(
        resources=[Resource(f"r{r}", (c,)) for r, c in enumerate(caps)],
        demands=demands,
        options=options,
        levels=[Level("placed", demand_weights=weights)],
        different=[DifferentResources(0, 1), DifferentResources(2, 3)],
    )
    per = problem.options_of()
    return problem, {d: {problem.options[o].resource: o for o in per[d]} for d in range(6)}


def _packs_to(problem: Problem, start: list[int | None], before: int, after: int) -> None:
    assert verify(problem, start) == [] and _value(problem, start) == before
    packed = pack(problem, start, 0, [], set(), set(), 5.0, _run)
    assert packed is not None and verify(problem, packed) == []
    assert _value(problem, packed) == after


def test_tails_are_counted_only_where_a_head_is_elsewhere() -> None:
    """Heads only on r0 (cap 4), tails on r0 or r1 (cap 1), both singles only on r0. A tail on
    r0 would need a head elsewhere: there is none, so one tail (on r1) and both singles are the
    best, 31; counting tails on r0 would promise 33 and deliver 28."""
    problem, on = _two_units([4, 1], (0, 1), 0, 3)
    _packs_to(problem, [on[0][0], on[1][1], on[2][0], None, None, None], 25, 31)


def test_no_more_tails_than_heads() -> None:
    """One head fits (on r0, cap 1); tails on r1 or r2 (cap 1 each), both singles only on r2.
    With one head only one tail can be placed, so the best is that tail on r1 and a single on
    r2 (19); counting a second tail on r2 would promise 20 and deliver 15."""
    problem, on = _two_units([1, 1, 1], (1, 2), 2, 4)
    _packs_to(problem, [on[0][0], on[1][1], None, None, None, None], 15, 19)


def test_tails_that_keep_their_option_can_still_give_way() -> None:
    """Heads of units A and B on r1, C's on r2; one tail counted on r1, two on r3. C's tail
    was on r3 and could keep it, but then no tail could go on r1 (only C's head is elsewhere):
    the matching moves C's tail to r1 and gives r3 to A and B."""
    opts = [Option(h, r, (1,)) for h, r in ((0, 1), (2, 1), (4, 2))]
    opts += [Option(t, r, (1,)) for t in (1, 3, 5) for r in (1, 3)]
    problem = Problem(
        resources=[Resource(f"r{r}", (9,)) for r in range(4)],
        demands=[
            Demand(n, depends_on=None if n[0] == "h" else h)
            for n, h in (("hA", 0), ("tA", 0), ("hB", 2), ("tB", 2), ("hC", 4), ("tC", 4))
        ],
        options=opts,
        levels=[Level("placed", demand_weights={d: 1 for d in range(6)})],
    )
    per = problem.options_of()
    on = {d: {problem.options[o].resource: o for o in per[d]} for d in range(6)}
    out: list[int | None] = [on[0][1], None, on[2][1], None, on[4][2], on[5][3]]
    tails = [1, 3, 5]
    options = [[on[t][1] for t in tails], [on[t][3] for t in tails]]
    _pair(problem, tails, options, [1, 3], [1, 2], out)
    assert [problem.options[out[t]].resource for t in tails] == [3, 3, 1]  # type: ignore[index]


def test_what_is_not_a_unit() -> None:
    """A unit is a demand and its one dependent, paired with each other in DifferentResources
    and with nothing else; neither fixed, conditional or named by a condition, the dependent
    not required, not in `must` and without dependents of its own."""
    opts = [Option(d, r, (1,)) for d in range(14) for r in range(2)]
    opts.append(Option(13, 0, (1,), requires=(10, 0)))
    demands = [
        Demand("head"),
        Demand("its tail", depends_on=0),
        Demand("head of a tail not paired"),
        Demand("tail not paired", depends_on=2),
        Demand("head of a required tail"),
        Demand("required tail", depends_on=4, required=True),
        Demand("head of a tail in must"),
        Demand("tail in must", depends_on=6),
        Demand("head of a tail with a dependent"),
        Demand("tail with a dependent", depends_on=8),
        Demand("head named by a condition"),
        Demand("its tail", depends_on=10),
        Demand("dependent of a tail", depends_on=9),
        Demand("conditional"),
    ]
    pairs = [(0, 1), (4, 5), (6, 7), (8, 9), (10, 11)]
    problem = Problem(
        resources=[Resource(f"r{r}", (99,)) for r in range(2)],
        demands=demands,
        options=opts,
        levels=[Level("all", demand_weights={d: 1 for d in range(14)})],
        different=[DifferentResources(a, b) for a, b in pairs],
    )
    per = problem.options_of()
    choice: list[int | None] = [None] * 14
    choice[13] = per[13][2]  # the conditional option, which names demand 10
    assert units(problem, choice, {7}) == {0: 1}
    choice[13] = None
    assert units(problem, choice, set()) == {0: 1, 6: 7, 10: 11}


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
    if units(problem, start, set()):
        event("with units")
    if packed is None:
        return
    assert verify(problem, packed) == []
    after = evaluate(problem, packed)
    key_before, key_after = lex_key(problem, before), lex_key(problem, after)
    assert all(a >= b for a, b in zip(key_after[:level], key_before[:level], strict=True))
    assert key_after[level] > key_before[level]


@st.composite
def unit_problems(draw: st.DrawFn) -> tuple[Problem, list[int | None]]:
    """Two or three resources; two kinds of alike units (a head and its optional tail, paired)
    and two kinds of alike single demands, each kind with random loads and weights per
    resource; a random valid start (each demand takes an option that still fits, or none)."""
    nr = draw(st.integers(2, 3))
    caps = [draw(st.integers(2, 9)) for _ in range(nr)]
    demands: list[Demand] = []
    options: list[Option] = []
    weights: dict[int, int] = {}
    different: list[DifferentResources] = []

    def kind() -> tuple[dict[int, int], int]:
        on = draw(st.lists(st.integers(0, nr - 1), min_size=1, max_size=nr, unique=True))
        return {r: draw(st.integers(1, 4)) for r in on}, draw(st.integers(1, 9))

    for _ in range(2):
        (head_loads, head_w), (tail_loads, tail_w) = kind(), kind()
        for _ in range(draw(st.integers(1, 3))):
            h = len(demands)
            demands += [Demand(f"h{h}"), Demand(f"t{h}", depends_on=h)]
            options += [Option(h, r, (w,)) for r, w in head_loads.items()]
            options += [Option(h + 1, r, (w,)) for r, w in tail_loads.items()]
            weights[h], weights[h + 1] = head_w, tail_w
            different.append(DifferentResources(h, h + 1))
    for _ in range(2):
        loads, w = kind()
        for _ in range(draw(st.integers(1, 3))):
            d = len(demands)
            demands.append(Demand(f"s{d}"))
            options += [Option(d, r, (x,)) for r, x in loads.items()]
            weights[d] = w
    problem = Problem(
        resources=[Resource(f"r{r}", (c,)) for r, c in enumerate(caps)],
        demands=demands,
        options=options,
        levels=[Level("placed", demand_weights=weights)],
        different=different,
    )
    per = problem.options_of()
    room = list(caps)
    start: list[int | None] = []
    for d, ids in enumerate(per):
        head = demands[d].depends_on
        taken = None if head is None else start[head]
        if head is not None and taken is None:
            start.append(None)  # a tail needs its head
            continue
        fits = [
            o
            for o in ids
            if options[o].load[0] <= room[options[o].resource]
            and (taken is None or options[taken].resource != options[o].resource)
        ]
        o = draw(st.sampled_from([None, *fits]))
        if o is not None:
            room[options[o].resource] -= options[o].load[0]
        start.append(o)
    return problem, start


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_problems())
def test_packing_units_keeps_every_rule(case: tuple[Problem, list[int | None]]) -> None:
    """From any valid choice of a problem with units, a packed result is valid (no tail without
    its head, none on its head's resource, no resource over capacity) and strictly better."""
    problem, start = case
    assert verify(problem, start) == []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pack_module, "MAX_CLASS_SHARE", 1.0)
        packed = pack(problem, start, 0, [], set(), set(), 1.0, _run)
    event("packed" if packed is not None else "nothing")
    if packed is None:
        return
    assert verify(problem, packed) == []
    assert _value(problem, packed) > _value(problem, start)


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
