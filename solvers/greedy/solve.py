"""Greedy baseline: one pass over the demands, each takes its best still-feasible option."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from solvers.check import evaluate
from solvers.problem import LevelKind, LevelResult, Problem, Sense, Solution, Status

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

    def gain(d: int, o: int, assign_weights: bool) -> tuple[float, ...]:
        """Improvement per level of choosing o (larger is better), then tie-breakers."""
        opt = options[o]
        r = opt.resource
        key: list[float] = []
        for i, lv in enumerate(levels):
            k = lv.dimension
            if lv.kind == LevelKind.LINEAR:
                w = lv.option_weights.get(o, 0)
                if assign_weights:
                    w += lv.demand_weights.get(d, 0)
                key.append(w if lv.sense == Sense.MAXIMIZE else -w)
                continue
            cap = caps[r][k]
            if cap <= 0:
                key.append(0)
                continue
            if lv.kind == LevelKind.MAX_UTILISATION:
                after = (1000 * (load[r][k] + opt.load[k])) // cap
                key.append(-(max(after, current_max[i]) - current_max[i]))
            else:
                before = (100 * load[r][k]) // cap
                after = (100 * (load[r][k] + opt.load[k])) // cap
                key.append(-(after * after - before * before))
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
        candidates = [dem.fixed] if dem.fixed is not None else per[d]
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

    for d in _order(problem, per):
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
