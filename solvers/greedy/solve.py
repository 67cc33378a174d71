"""Greedy baseline: one pass over the demands, each takes its best still-feasible option."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace

from solvers.check import evaluate
from solvers.problem import Level, LevelKind, LevelResult, Problem, Sense, Solution, Status

BACKEND = "greedy"


def _order(problem: Problem, per: list[list[int]]) -> list[int]:
    """Fixed demands first, then required ones, then by descending first-LINEAR-level weight."""
    first = next((lv for lv in problem.levels if lv.kind == LevelKind.LINEAR), None)
    weight = [0] * len(problem.demands)
    if first is not None:
        sign = 1 if first.sense == Sense.MAXIMIZE else -1
        ow = first.option_weights
        for d, ids in enumerate(per):
            best = max((sign * ow.get(o, 0) for o in ids), default=0)
            weight[d] = sign * first.demand_weights.get(d, 0) + best
    demands = problem.demands
    return sorted(
        range(len(demands)),
        key=lambda d: (demands[d].fixed is None, not demands[d].required, -weight[d], d),
    )


def solve(
    problem: Problem,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int | None = None,
    on_level: Callable[[str, int, int], None] | None = None,
    stop: object | None = None,
) -> Solution:
    """Greedy assignment; the solver arguments are accepted for a uniform API and ignored.

    Options are compared lexicographically over the levels (LINEAR: option weight in the level's
    sense; MAX_UTILISATION: resulting maximum; SPREAD: increase of the squared utilisation), then
    by the resulting utilisation of the resource on dimension 0, then by resource index.
    An optional demand is assigned only when that does not make the levels worse.
    """
    return _solve(problem, frozenset())


def guided(
    problem: Problem,
    weight: Sequence[float],
    first_level: int = 0,
    required: Collection[int] = (),
    skip: Collection[int] = (),
    keep: Mapping[int, int | None] | None = None,
) -> list[int | None]:
    """A greedy choice led by a weight in [0, 1] per option (such as an LP solution): demands
    by their best option weight first, each taking its highest-weight feasible option; the
    earlier levels and then the levels from `first_level` on break ties. Demands in `required`
    count as required, options in `skip` are never taken, and the demands in `keep` keep the
    option given there (None: stay unassigned). The choice may be invalid: `verify` it."""
    lead = Level(
        "lead",
        option_weights={o: round(1000 * w) for o, w in enumerate(weight) if w > 1e-6},
    )
    levels = problem.levels
    earlier = [lv for lv in levels[:first_level] if lv.kind == LevelKind.LINEAR]
    keep = keep or {}
    demands = [
        replace(d, required=True) if j in required else d for j, d in enumerate(problem.demands)
    ]
    per = problem.options_of()
    never = set(skip)
    for j, o in keep.items():
        if o is None:
            never.update(per[j])
            demands[j] = replace(demands[j], required=False)
        else:
            demands[j] = replace(demands[j], fixed=o)
    sub = Problem(
        problem.resources,
        demands,
        problem.options,
        [lead, *earlier, *levels[first_level:]],
        problem.different,
        problem.dimension_names,
    )
    best = [max((weight[o] for o in ids), default=0.0) for ids in per]
    earlier_weight = [
        [
            -(
                (1 if lv.sense == Sense.MAXIMIZE else -1) * lv.demand_weights.get(d, 0)
                + max(
                    ((1 if lv.sense == Sense.MAXIMIZE else -1) * lv.option_weights.get(o, 0))
                    for o in ids
                )
            )
            if ids
            else 0
            for d, ids in enumerate(per)
        ]
        for lv in earlier
    ]
    # what the earlier levels weigh and the LP uses first (by those levels), then what the LP
    # takes whole, then the rest by LP weight
    order = sorted(
        range(len(demands)),
        key=lambda d: (
            demands[d].fixed is None,
            not demands[d].required,
            *((w[d] if best[d] > 1e-6 else 0) for w in earlier_weight),
            best[d] < 0.999,
            -best[d],
            d,
        ),
    )
    return _solve(sub, frozenset(never), order).choice


def _solve(problem: Problem, skip: frozenset[int], order: list[int] | None = None) -> Solution:
    start = time.perf_counter()
    demands, options, resources, levels = (
        problem.demands,
        problem.options,
        problem.resources,
        problem.levels,
    )
    nd = len(demands)
    errors = problem.check()
    if errors:
        empty = [LevelResult(lv.name, math.nan, math.nan, False, 0.0) for lv in levels]
        return Solution(
            Status.INVALID, [None] * nd, empty, time.perf_counter() - start, BACKEND, errors
        )

    per = problem.options_of()
    dims = len(problem.dimension_names)
    load = [[0] * dims for _ in resources]
    caps = [r.capacity for r in resources]
    partners: list[list[int]] = [[] for _ in demands]
    for pair in problem.different:
        partners[pair.a].append(pair.b)
        partners[pair.b].append(pair.a)
    banned: set[tuple[int, int]] = set()  # (demand, resource) excluded by an earlier forbids
    res_of: list[int | None] = [None] * nd
    choice: list[int | None] = [None] * nd
    done = [False] * nd
    # running maximum utilisation per MAX_UTILISATION level (every load starts at 0)
    current_max = {i: 0 for i, lv in enumerate(levels) if lv.kind == LevelKind.MAX_UTILISATION}
    messages: list[str] = []
    infeasible = False

    def allowed(d: int, o: int) -> bool:
        opt = options[o]
        r = opt.resource
        if (d, r) in banned:
            return False
        p = demands[d].depends_on
        if p is not None and p != d and res_of[p] is None:
            return False
        row, cap = load[r], caps[r]
        for k in range(dims):
            if row[k] + opt.load[k] > cap[k]:
                return False
        if opt.requires is not None:
            d2, r2 = opt.requires
            if (r if d2 == d else res_of[d2]) != r2:
                return False
        if opt.forbids is not None:
            d2, r2 = opt.forbids
            if (r if d2 == d else res_of[d2]) == r2:
                return False
        return all(res_of[q] != r for q in partners[d])

    # per LINEAR level: (index, sign, option weights, demand weights); the rest by index
    linear = [
        (i, 1 if lv.sense == Sense.MAXIMIZE else -1, lv.option_weights, lv.demand_weights)
        for i, lv in enumerate(levels)
        if lv.kind == LevelKind.LINEAR
    ]
    nonlinear = [(i, lv) for i, lv in enumerate(levels) if lv.kind != LevelKind.LINEAR]

    def gain(d: int, o: int, assign_weights: bool) -> tuple[float, ...]:
        """Improvement per level of choosing o (larger is better), then tie-breakers."""
        opt = options[o]
        r = opt.resource
        key: list[float] = [0] * len(levels)
        for i, sign, ow, dw in linear:
            w = ow.get(o, 0)
            if assign_weights:
                w += dw.get(d, 0)
            key[i] = sign * w
        for i, lv in nonlinear:
            k = lv.dimension
            cap = caps[r][k]
            if cap <= 0:
                continue
            if lv.kind == LevelKind.MAX_UTILISATION:
                after = (1000 * (load[r][k] + opt.load[k])) // cap
                key[i] = -(max(after, current_max[i]) - current_max[i])
            else:
                before = (100 * load[r][k]) // cap
                after = (100 * (load[r][k] + opt.load[k])) // cap
                key[i] = -(after * after - before * before)
        if dims:
            cap0 = caps[r][0]
            key.append(-((load[r][0] + opt.load[0]) / cap0) if cap0 > 0 else 0.0)
        key.append(-r)
        key.append(-o)
        return tuple(key)

    def take(d: int, o: int) -> None:
        opt = options[o]
        r = opt.resource
        choice[d], res_of[d] = o, r
        for k in range(dims):
            load[r][k] += opt.load[k]
        if opt.forbids is not None and not done[opt.forbids[0]]:
            banned.add(opt.forbids)
        for i in current_max:
            k = levels[i].dimension
            if caps[r][k] > 0:
                current_max[i] = max(current_max[i], (1000 * load[r][k]) // caps[r][k])

    def assign(d: int) -> None:
        nonlocal infeasible
        done[d] = True
        dem = demands[d]
        candidates = [dem.fixed] if dem.fixed is not None else [o for o in per[d] if o not in skip]
        feasible = [o for o in candidates if allowed(d, o)]
        if not feasible:
            if dem.fixed is not None:
                messages.append(f"demand {dem.id}: fixed option {dem.fixed} is not feasible")
                infeasible = True
            elif dem.required:
                messages.append(f"required demand {dem.id}: no feasible option left")
                infeasible = True
            return
        best = max(feasible, key=lambda o: gain(d, o, False))
        if not dem.required and dem.fixed is None:
            per_level = gain(d, best, True)[: len(levels)]
            if per_level < (0,) * len(levels):
                return  # assigning would make the levels worse
        take(d, best)

    for d in order if order is not None else _order(problem, per):
        # parents first, so that depends_on can be satisfied
        chain: list[int] = []
        cur: int | None = d
        while cur is not None and not done[cur] and cur not in chain:
            chain.append(cur)
            cur = demands[cur].depends_on
        for c in reversed(chain):
            assign(c)

    values = evaluate(problem, choice)
    results = [LevelResult(lv.name, values[i], math.nan, False, 0.0) for i, lv in enumerate(levels)]
    status = Status.INFEASIBLE if infeasible else Status.FEASIBLE
    return Solution(status, choice, results, time.perf_counter() - start, BACKEND, messages)


def insert(
    problem: Problem,
    choice: Sequence[int | None],
    gain: Mapping[int, int],
    skip: Collection[int] = (),
) -> list[int | None]:
    """Assign more demands to options with a positive `gain`, making room when needed by moving
    one other demand to another of its options (of at least the same gain).

    Only *plain* demands take part: not fixed, no `depends_on`, no conditions on their options,
    no condition of another option and no `DifferentResources` pair naming them, and nobody
    depending on them; for those, capacity is the only constraint a move can break. One pass, in
    order of decreasing gain. The result may still be invalid elsewhere: `verify` it."""
    demands, options, resources = problem.demands, problem.options, problem.resources
    per = problem.options_of()
    linked: set[int] = set()
    for j, dem in enumerate(demands):
        if dem.fixed is not None or dem.depends_on is not None:
            linked.update((j, dem.depends_on) if dem.depends_on is not None else (j,))
    for o in options:
        for cond in (o.requires, o.forbids):
            if cond is not None:
                linked.update((o.demand, cond[0]))
    for pair in problem.different:
        linked.update((pair.a, pair.b))
    never = set(skip)
    dims = len(problem.dimension_names)
    out = list(choice)
    # free capacity per resource and dimension
    free = [list(res.capacity) for res in resources]
    on: list[list[int]] = [[] for _ in resources]  # plain demands assigned per resource
    for d, o in enumerate(out):
        if o is None:
            continue
        opt = options[o]
        for k in range(dims):
            free[opt.resource][k] -= opt.load[k]
        if d not in linked:
            on[opt.resource].append(d)

    def fits(o: int, gone: int | None = None) -> bool:
        """Does option o fit on its resource (with option `gone` taken off it)?"""
        f, load = free[options[o].resource], options[o].load
        if gone is None:
            return all(load[k] <= f[k] for k in range(dims))
        lo = options[gone].load
        return all(load[k] - lo[k] <= f[k] for k in range(dims))

    # per plain demand, the first of its other options that fits (None: none does); capacity
    # only changes when something moves, which is rare next to the checks (on a city team
    # part 173,000 checks found no move at all in 0.46 s), so this is cleared on every move
    first_fit: dict[int, int | None] = {}

    def move(d: int, o: int | None) -> None:
        first_fit.clear()
        old = out[d]
        if old is not None:
            opt = options[old]
            for k in range(dims):
                free[opt.resource][k] += opt.load[k]
            on[opt.resource].remove(d)
        out[d] = o
        if o is not None:
            opt = options[o]
            for k in range(dims):
                free[opt.resource][k] -= opt.load[k]
            on[opt.resource].append(d)

    def moves_to(v: int) -> int | None:
        """The first other option of v (on another resource, no less gain) that fits."""
        if v in first_fit:
            return first_fit[v]
        o_v = out[v]
        assert o_v is not None
        r, g_v = options[o_v].resource, gain.get(o_v, 0)
        found = next(
            (
                alt
                for alt in per[v]
                if alt not in never
                and options[alt].resource != r
                and gain.get(alt, 0) >= g_v
                and fits(alt)
            ),
            None,
        )
        first_fit[v] = found
        return found

    waiting = [
        d
        for d, o in enumerate(out)
        if o is None and d not in linked and any(gain.get(o2, 0) > 0 for o2 in per[d])
    ]
    waiting.sort(key=lambda d: -max(gain.get(o, 0) for o in per[d]))
    for u in waiting:
        wanted = sorted(
            (o for o in per[u] if gain.get(o, 0) > 0 and o not in never),
            key=lambda o: -gain.get(o, 0),
        )
        for o_u in wanted:
            if fits(o_u):
                move(u, o_u)
                break
            r = options[o_u].resource
            helper = next((v for v in on[r] if fits(o_u, out[v]) and moves_to(v) is not None), None)
            if helper is not None:
                alt = moves_to(helper)
                move(helper, alt)
                move(u, o_u)
                break
    return out


def restore(
    problem: Problem,
    choice: Sequence[int | None],
    wanted: Mapping[int, Sequence[int]],
    evictable: Collection[int],
    gain: Mapping[int, int],
    aside: Callable[[int, int], Sequence[int]] = lambda v, o: (),
) -> list[int | None] | None:
    """`choice` with each demand of `wanted` that it leaves out assigned to the first of its
    options there that fits; or else to the first that fits after leaving out demands of
    `evictable` on that resource (the least `gain` first, with the demands that depend on
    them, and only when those are evictable too); or else after moving one demand v on that
    resource from its option o to the first of `aside(v, o)` that fits or is made room for
    so. None when one cannot be assigned.

    For a plan that is better on the level being optimised but lost a little on an earlier one:
    on a city team part the LP-led start placed 14,000 more on `plaatsen-regulier` and left out one
    consult of a `plaatsen-hoog` family, so it was not taken. The result may still be invalid
    elsewhere (conditions, pairs): `verify` it."""
    options, resources = problem.options, problem.resources
    dims = len(problem.dimension_names)
    out = list(choice)
    dependents: dict[int, list[int]] = {}
    for j, dem in enumerate(problem.demands):
        if dem.depends_on is not None:
            dependents.setdefault(dem.depends_on, []).append(j)
    used = [[0] * dims for _ in resources]
    on: list[list[int]] = [[] for _ in resources]
    for d, o in enumerate(out):
        if o is not None:
            opt = options[o]
            on[opt.resource].append(d)
            for k in range(dims):
                used[opt.resource][k] += opt.load[k]

    def take_off(d: int) -> None:
        o = out[d]
        if o is None:
            return
        out[d] = None
        opt = options[o]
        on[opt.resource].remove(d)
        for k in range(dims):
            used[opt.resource][k] -= opt.load[k]

    def drop(d: int) -> None:
        if out[d] is None:
            return
        take_off(d)
        for j in dependents.get(d, ()):
            drop(j)

    def over(r: int, load: Sequence[int], freed: Sequence[int] | None = None) -> bool:
        cap = resources[r].capacity
        if freed is None:
            return any(used[r][k] + load[k] > cap[k] for k in range(dims))
        return any(used[r][k] - freed[k] + load[k] > cap[k] for k in range(dims))

    def place(d: int, o: int) -> None:
        out[d] = o
        opt = options[o]
        on[opt.resource].append(d)
        for k in range(dims):
            used[opt.resource][k] += opt.load[k]

    def worth(v: int) -> tuple[int, int]:
        o_v = out[v]
        assert o_v is not None
        return gain.get(o_v, 0), v

    # what is put back stays; a demand leaves with those that depend on it, so only when all
    # of them may leave too (which keeps the demands what is put back depends on)
    allowed = set(evictable) - set(wanted)
    changed = True
    while changed:
        changed = False
        for d, deps in dependents.items():
            if d in allowed and any(j not in allowed for j in deps):
                allowed.discard(d)
                changed = True

    def make_room(r: int, load: Sequence[int]) -> bool:
        """Leave out demands of `evictable` on r, the least worth first, until `load` fits
        there; False (and nothing changed) when all of them together would not do."""
        spare = sorted((v for v in on[r] if v in allowed), key=worth)
        freed = [0] * dims
        for v in spare:
            o_v = out[v]
            assert o_v is not None
            freed = [freed[k] + options[o_v].load[k] for k in range(dims)]
        if over(r, load, freed):
            return False
        for v in spare:
            if not over(r, load):
                break
            drop(v)
        return True

    def move_aside(r: int, load: Sequence[int]) -> bool:
        """Move one demand on r to another of its options (`aside`), where it fits or is
        made room for, so that `load` fits on r; False (nothing changed) when none can."""
        for v in on[r]:
            o_v = out[v]
            assert o_v is not None
            if over(r, load, options[o_v].load):
                continue
            for a in aside(v, o_v):
                target = options[a].resource
                if target == r:
                    continue
                if over(target, options[a].load) and not make_room(target, options[a].load):
                    continue
                take_off(v)
                place(v, a)
                return True
        return False

    for d in sorted(wanted):
        principal = problem.demands[d].depends_on
        if out[d] is not None:
            continue  # only demands the choice left out are assigned
        if principal is not None and out[principal] is None:
            return None
        fits = next(
            (o for o in wanted[d] if not over(options[o].resource, options[o].load)),
            None,
        )
        if fits is None:
            fits = next(
                (o for o in wanted[d] if make_room(options[o].resource, options[o].load)),
                None,
            )
        if fits is None:
            fits = next(
                (o for o in wanted[d] if move_aside(options[o].resource, options[o].load)),
                None,
            )
        if fits is None:
            return None
        place(d, fits)
    return out
