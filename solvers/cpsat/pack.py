"""A packing search for a LINEAR level: alike demands as one count per option, not Booleans.

On a placement level of an overloaded problem most demands are alike: the same options (same
resources, same loads) with the same weights in every level so far; on the team-overloaded
benchmark the 411 families that can move fall in 153 such classes. The Boolean model then
holds many equal plans that differ only in *which* of the alike demands is placed where, and
CP-SAT spends its time among them. Here the demands that can move on their own
(see `movable`) are grouped into classes of alike ones, and every class gets one integer per
option: how many of its demands take it. Every other demand stays as it is in the incumbent
and only takes its capacity. The counts found are turned back into a choice that keeps every
demand that can stay where it is, and the callers `verify` it.

A neighbourhood, not the level's model: its optimum is only the best plan around the demands
that stay. (The exact counterpart, every other demand with its Booleans and constraints, found
nothing better in 0.7 s on the team-overloaded benchmark, where this found two more families.)

Nothing here knows what a demand or resource means to the caller.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence

from ortools.sat.python import cp_model

from solvers.problem import LevelKind, Problem, oriented_weights

LinearExpr = cp_model.LinearExpr
MAX_CLASS_SHARE = 0.5  # classes per movable demand above which there is too little to gain


def movable(problem: Problem, choice: Sequence[int | None]) -> set[int]:
    """Demands that can change option, or be left out, while every other demand keeps its
    choice in `choice`: not fixed, not dependent on another, no conditional option, not named by
    an assigned demand's dependency or condition, and not paired in `DifferentResources` with an
    assigned demand (of a pair of two unassigned movable ones, only the first)."""
    options = problem.options
    named: set[int] = set()
    for d, dem in enumerate(problem.demands):
        o = choice[d]
        if o is None:
            continue
        if dem.depends_on is not None:
            named.add(dem.depends_on)
        for cond in (options[o].requires, options[o].forbids):
            if cond is not None:
                named.add(cond[0])
    conditional = {o.demand for o in options if o.requires is not None or o.forbids is not None}
    free = {
        d
        for d, dem in enumerate(problem.demands)
        if dem.fixed is None and dem.depends_on is None and d not in conditional and d not in named
    }
    for pair in problem.different:
        a, b = pair.a, pair.b
        if a in free and choice[b] is not None:
            free.discard(a)
        if b in free and (choice[a] is not None or a in free):
            free.discard(b)
    return free


def pack(
    problem: Problem,
    choice: Sequence[int | None],
    level: int,
    held: Sequence[int],
    banned: Collection[int],
    must: Collection[int],
    seconds: float,
    run: Callable[[cp_model.CpModel, float], tuple[int, cp_model.CpSolver]],
) -> list[int | None] | None:
    """A choice better than the valid `choice` on LINEAR level `level`, with every earlier level
    j at least `held[j]` (oriented to be maximised), or None: none found in `seconds`, too few
    alike demands to gain from counting them, or a level up to `level` is not LINEAR.
    `banned` options are not taken, `must` demands stay assigned. `run(model, seconds)` solves
    a model (with the caller's workers and stop). Among plans of equal value it takes one that
    keeps the most demands where they are in `choice` (the later levels were not optimised yet,
    but the caller's tie-break was)."""
    levels = problem.levels[: level + 1]
    if any(lv.kind != LevelKind.LINEAR for lv in levels):
        return None
    per = problem.options_of()
    coefs = [oriented_weights(lv, per) for lv in levels]
    banned_set, must_set = set(banned), set(must)
    free = movable(problem, choice)
    dims = len(problem.dimension_names)
    used = [[0] * dims for _ in problem.resources]  # by the demands that stay
    const = [0] * len(levels)
    for d, o in enumerate(choice):
        if o is None or d in free:
            continue
        opt = problem.options[o]
        for k in range(dims):
            used[opt.resource][k] += opt.load[k]
        for j, c in enumerate(coefs):
            const[j] += c.get(o, 0)

    def pattern(o: int) -> tuple:
        opt = problem.options[o]
        return (opt.resource, opt.load, tuple(c.get(o, 0) for c in coefs))

    # per class (alike demands: the same patterns, both required or both not), its members and
    # each member's option per pattern
    groups: dict[tuple, list[tuple[int, dict[tuple, int]]]] = defaultdict(list)
    for d in sorted(free):
        lookup = {pattern(o): o for o in per[d] if o not in banned_set}
        required = problem.demands[d].required or d in must_set
        if required and not lookup:
            return None  # (a valid choice has none such)
        if lookup:
            groups[(required, tuple(sorted(lookup)))].append((d, lookup))
    if not groups or len(groups) > MAX_CLASS_SHARE * len(free):
        return None
    m = cp_model.CpModel()
    classes: list[tuple[list[int], list[list[int]], list[cp_model.IntVar]]] = []
    rows: list[dict[int, list[tuple[cp_model.IntVar, int]]]] = [
        defaultdict(list) for _ in range(dims)
    ]
    terms: list[list[tuple[cp_model.IntVar, int]]] = [[] for _ in levels]
    stay: list[cp_model.IntVar] = []
    for (required, key), group in groups.items():
        members = [d for d, _ in group]
        options = [[lookup[p] for _, lookup in group] for p in key]  # per pattern, per member
        counts = [m.new_int_var(0, len(members), "") for _ in key]
        if required:
            m.add(LinearExpr.sum(counts) == len(members))
        elif len(counts) > 1:
            m.add(LinearExpr.sum(counts) <= len(members))
        for (resource, load, weights), n, opts in zip(key, counts, options, strict=True):
            for k in range(dims):
                if load[k]:
                    rows[k][resource].append((n, load[k]))
            for j, w in enumerate(weights):
                if w:
                    terms[j].append((n, w))
            now = sum(1 for d, o in zip(members, opts, strict=True) if choice[d] == o)
            m.add_hint(n, now)
            if now:
                kept = m.new_int_var(0, now, "")
                m.add(kept <= n)
                m.add_hint(kept, now)
                stay.append(kept)
        classes.append((members, options, counts))
    for k in range(dims):
        for r, row in rows[k].items():
            room = problem.resources[r].capacity[k] - used[r][k]
            m.add(LinearExpr.weighted_sum([n for n, _ in row], [c for _, c in row]) <= room)

    def expr(j: int) -> cp_model.LinearExprT:
        return LinearExpr.weighted_sum([n for n, _ in terms[j]], [w for _, w in terms[j]])

    for j in range(level):
        m.add(expr(j) >= held[j] - const[j])
    # one more of the level's value beats keeping every movable demand where it is
    m.maximize((len(free) + 1) * expr(level) + LinearExpr.sum(stay))
    status, solver = run(m, seconds)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    current = sum(coefs[level].get(o, 0) for o in choice if o is not None)
    if const[level] + solver.value(expr(level)) <= current:
        return None
    out = list(choice)
    for members, options, counts in classes:
        _spread(problem, members, options, [solver.value(n) for n in counts], out)
    return out


def _spread(
    problem: Problem,
    members: list[int],
    options: list[list[int]],
    counts: list[int],
    out: list[int | None],
) -> None:
    """Give a class's members options by `counts` (per pattern): first every member that
    already has one of the counted options keeps it, then the rest, those whose hint is on
    that option's resource first."""
    before = [out[d] for d in members]
    for d in members:
        out[d] = None
    taken: set[int] = set()
    for p, opts in enumerate(options):
        for i, d in enumerate(members):
            if counts[p] and before[i] == opts[i] and d not in taken:
                out[d] = opts[i]
                counts[p] -= 1
                taken.add(d)
    for p, opts in enumerate(options):
        if not counts[p]:
            continue
        resource = problem.options[opts[0]].resource
        rest = [i for i, d in enumerate(members) if d not in taken]
        rest.sort(key=lambda i: _hint_rank(problem, members[i], resource))
        for i in rest[: counts[p]]:
            out[members[i]] = opts[i]
            taken.add(members[i])


def _hint_rank(problem: Problem, d: int, resource: int) -> int:
    hint = problem.demands[d].hint
    return 0 if hint is not None and problem.options[hint].resource == resource else 1
