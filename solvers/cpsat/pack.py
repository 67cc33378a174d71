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

A demand with one dependent paired with it in `DifferentResources` (a family and its backup)
moves with it as a unit (see `units`): per class of alike units one count per option of the
head and one per option of the tail, with no more tails on a resource than heads elsewhere and
no more tails than heads, which by Hall's theorem is exactly what a matching can hand out
(`_pair`). Without units, a head stayed where it was as long as its tail was assigned.

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


def _named(problem: Problem, choice: Sequence[int | None]) -> tuple[set[int], set[int]]:
    """The demands an assigned option's condition names, and those an assigned demand depends
    on."""
    options = problem.options
    by_condition: set[int] = set()
    by_dependency: set[int] = set()
    for d, o in enumerate(choice):
        if o is None:
            continue
        dem = problem.demands[d]
        if dem.depends_on is not None:
            by_dependency.add(dem.depends_on)
        for cond in (options[o].requires, options[o].forbids):
            if cond is not None:
                by_condition.add(cond[0])
    return by_condition, by_dependency


def _conditional(problem: Problem) -> set[int]:
    """The demands with an option that has a condition."""
    return {o.demand for o in problem.options if o.requires is not None or o.forbids is not None}


def movable(problem: Problem, choice: Sequence[int | None]) -> set[int]:
    """Demands that can change option, or be left out, while every other demand keeps its
    choice in `choice`: not fixed, not dependent on another, no conditional option, not named by
    an assigned demand's dependency or condition, and not paired in `DifferentResources` with an
    assigned demand (of a pair of two unassigned movable ones, only the first)."""
    by_condition, by_dependency = _named(problem, choice)
    named = by_condition | by_dependency
    conditional = _conditional(problem)
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


def units(problem: Problem, choice: Sequence[int | None], must: Collection[int]) -> dict[int, int]:
    """Pairs of a demand and its only dependent that move together: {demand: dependent}. The
    demand is not fixed, not dependent itself, has no conditional option and is not named by
    an assigned demand's condition; its dependent is the only demand that depends on it, is
    paired with it (and with nothing else) in `DifferentResources`, has no dependents of its
    own, and is not fixed, required, in `must`, conditional or named by a condition either.
    (A family and its backup.)"""
    named, _ = _named(problem, choice)
    conditional = _conditional(problem)
    dependents: dict[int, list[int]] = defaultdict(list)
    for d, dem in enumerate(problem.demands):
        if dem.depends_on is not None:
            dependents[dem.depends_on].append(d)
    pairs: dict[int, list[int]] = defaultdict(list)
    for pair in problem.different:
        pairs[pair.a].append(pair.b)
        pairs[pair.b].append(pair.a)
    out: dict[int, int] = {}
    for d, deps in dependents.items():
        if len(deps) != 1:
            continue
        b = deps[0]
        head, tail = problem.demands[d], problem.demands[b]
        if (
            head.fixed is None
            and head.depends_on is None
            and tail.fixed is None
            and b not in dependents
            and not tail.required
            and b not in must
            and d not in conditional
            and b not in conditional
            and d not in named
            and b not in named
            and pairs[d] == [b]
            and pairs[b] == [d]
        ):
            out[d] = b
    return out


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
    but the caller's tie-break was). Units (`units`) move with their tails."""
    levels = problem.levels[: level + 1]
    if any(lv.kind != LevelKind.LINEAR for lv in levels):
        return None
    per = problem.options_of()
    coefs = [oriented_weights(lv, per) for lv in levels]
    banned_set, must_set = set(banned), set(must)
    pairs = units(problem, choice, must_set)
    tails = set(pairs.values())
    free = movable(problem, choice) - pairs.keys() - tails
    dims = len(problem.dimension_names)
    used = [[0] * dims for _ in problem.resources]  # by the demands that stay
    const = [0] * len(levels)
    for d, o in enumerate(choice):
        if o is None or d in free or d in pairs or d in tails:
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
    def lookup(d: int) -> dict[tuple, int]:
        """Demand d's options that are not banned, by pattern."""
        return {pattern(o): o for o in per[d] if o not in banned_set}

    groups: dict[tuple, list[tuple[int, dict[tuple, int]]]] = defaultdict(list)
    for d in sorted(free):
        options_of = lookup(d)
        required = problem.demands[d].required or d in must_set
        if required and not options_of:
            return None  # (a valid choice has none such)
        if options_of:
            groups[(required, tuple(sorted(options_of)))].append((d, options_of))
    # per class of alike units: members, each member's option per pattern of the head and of
    # the tail
    unit_groups: dict[tuple, list[tuple[int, dict[tuple, int], dict[tuple, int]]]] = defaultdict(
        list
    )
    for d, b in sorted(pairs.items()):
        head, tail = lookup(d), lookup(b)
        required = problem.demands[d].required or d in must_set
        if required and not head:
            return None
        if head:
            unit_groups[(required, tuple(sorted(head)), tuple(sorted(tail)))].append(
                (d, head, tail)
            )
    moving = len(free) + 2 * sum(len(g) for g in unit_groups.values())
    if not (groups or unit_groups) or len(groups) + len(unit_groups) > MAX_CLASS_SHARE * moving:
        return None
    m = cp_model.CpModel()
    classes: list[tuple[list[int], list[list[int]], list[cp_model.IntVar]]] = []
    rows: list[dict[int, list[tuple[cp_model.IntVar, int]]]] = [
        defaultdict(list) for _ in range(dims)
    ]
    terms: list[list[tuple[cp_model.IntVar, int]]] = [[] for _ in levels]
    stay: list[cp_model.IntVar] = []

    def counted(key: tuple, members: list[int], options: list[list[int]]) -> list[cp_model.IntVar]:
        """One count per pattern of `key` (`options`: per pattern, per member), with its
        loads, weights and the tie-break for members that keep their option."""
        counts = [m.new_int_var(0, len(members), "") for _ in key]
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
        return counts

    for (required, key), group in groups.items():
        members = [d for d, _ in group]
        options = [[found[p] for _, found in group] for p in key]  # per pattern, per member
        counts = counted(key, members, options)
        if required:
            m.add(LinearExpr.sum(counts) == len(members))
        elif len(counts) > 1:
            m.add(LinearExpr.sum(counts) <= len(members))
        classes.append((members, options, counts))
    # a unit's tail goes with a head on another resource: per resource, at most as many tails
    # as heads elsewhere, and no more tails than heads (by Hall's theorem, exactly what alike
    # units can be given one by one)
    unit_classes: list[tuple[list[int], list[list[int]], list[int], list[cp_model.IntVar]]] = []
    for (required, hkey, tkey), group in unit_groups.items():
        members = [d for d, _, _ in group]
        tails_of = [pairs[d] for d in members]
        hopts = [[head[p] for _, head, _ in group] for p in hkey]
        topts = [[tail[p] for _, _, tail in group] for p in tkey]
        heads = counted(hkey, members, hopts)
        tails_n = counted(tkey, tails_of, topts)
        if required:
            m.add(LinearExpr.sum(heads) == len(members))
        else:
            m.add(LinearExpr.sum(heads) <= len(members))
        m.add(LinearExpr.sum(tails_n) <= LinearExpr.sum(heads))
        for p, n in zip(tkey, tails_n, strict=True):
            elsewhere = [h for q, h in zip(hkey, heads, strict=True) if q[0] != p[0]]
            m.add(n <= LinearExpr.sum(elsewhere))
        classes.append((members, hopts, heads))
        unit_classes.append((tails_of, topts, [p[0] for p in tkey], tails_n))
    for k in range(dims):
        for r, row in rows[k].items():
            room = problem.resources[r].capacity[k] - used[r][k]
            m.add(LinearExpr.weighted_sum([n for n, _ in row], [c for _, c in row]) <= room)

    def expr(j: int) -> cp_model.LinearExprT:
        return LinearExpr.weighted_sum([n for n, _ in terms[j]], [w for _, w in terms[j]])

    for j in range(level):
        m.add(expr(j) >= held[j] - const[j])
    # one more of the level's value beats keeping every movable demand where it is
    m.maximize((moving + 1) * expr(level) + LinearExpr.sum(stay))
    status, solver = run(m, seconds)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    current = sum(coefs[level].get(o, 0) for o in choice if o is not None)
    if const[level] + solver.value(expr(level)) <= current:
        return None
    out = list(choice)
    for members, options, counts in classes:
        _spread(problem, members, options, [solver.value(n) for n in counts], out)
    for tails_of, topts, resources, counts in unit_classes:
        _pair(problem, tails_of, topts, resources, [solver.value(n) for n in counts], out)
    return out


def _pair(
    problem: Problem,
    tails: list[int],
    options: list[list[int]],
    resources: list[int],
    counts: list[int],
    out: list[int | None],
) -> None:
    """Give the tails of a class of units options by `counts` (per pattern, on `resources`),
    each to a unit whose head is assigned on another resource. A maximum matching of tails to
    the counted slots, grown by augmenting paths from the tails that keep their option: the
    counts meet Hall's condition, so every slot gets a tail."""
    before = [out[t] for t in tails]
    for t in tails:
        out[t] = None
    where: list[int | None] = []
    for t in tails:
        head = problem.demands[t].depends_on
        o = None if head is None else out[head]
        where.append(None if o is None else problem.options[o].resource)
    slots: list[int] = []  # the pattern of each slot
    owner: dict[int, int] = {}  # member -> its slot
    for p, n in enumerate(counts):
        keep = [
            i
            for i, o in enumerate(options[p])
            if before[i] == o and where[i] not in (None, resources[p])
        ][:n]
        for i in keep:
            owner[i] = len(slots)
            slots.append(p)
        slots.extend([p] * (n - len(keep)))
    placed = [i for i, r in enumerate(where) if r is not None]
    slot_owner = {s: i for i, s in owner.items()}

    def augment(s: int, seen: set[int]) -> bool:
        for i in placed:
            if i in seen or where[i] == resources[slots[s]]:
                continue
            seen.add(i)
            if i not in owner or augment(owner[i], seen):
                owner[i] = s
                slot_owner[s] = i
                return True
        return False

    for s in range(len(slots)):
        if s not in slot_owner:
            augment(s, set())
    for i, s in owner.items():
        out[tails[i]] = options[slots[s]][i]


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
