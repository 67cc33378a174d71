"""Ejection chains: place more demands of a LINEAR level in a tight packing by moving others.

When every resource is full to within a fraction of the smallest load, a demand that is still
out fits nowhere, and placing it means a chain of moves: it takes a
resource, one demand there is ejected and moves to another resource, which ejects one in turn,
and so on until a resource has room (or the last one ejected is worth less than what was
gained). One-move repairs (`insert`) and CP-SAT's own neighbourhoods rarely find such chains in
time; this depth-first search over them does, in a fraction of a second at team scale.

Between rounds without a gain, a few random moves that keep every value (a demand to another
resource with room, or two demands swapping resources) spread the free room differently, so the
next round can find other chains. After a few such rounds in a row the search gives up: at a
local optimum it would otherwise take its whole time without a gain.

Every step keeps the problem's rules (capacity in every dimension, conditions, `depends_on`,
`DifferentResources`, fixed and required demands, banned options); the caller still `verify`s
the result. The levels before `level` never go below their values in `choice`, and a result
is only returned when it is strictly better on `level` (otherwise `choice` comes back).
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection, Sequence

from solvers.problem import LevelKind, Problem, oriented_weights

DEPTH = 2  # ejections after the first placement, at most
WIDTH = 6  # demands tried as the one to eject from a full resource, at most
NODES = 500  # search nodes per demand to place, at most
KICKS = 5  # plateau moves between rounds without a gain
STALL = 3  # rounds without a gain (each after a kick) before giving up


class _Packing:
    """A choice with its loads, per-level totals and an undo log."""

    def __init__(
        self,
        problem: Problem,
        per: list[list[int]],
        choice: Sequence[int | None],
        level: int,
        coef: dict[int, int],
        banned: Collection[int],
        must: Collection[int],
    ) -> None:
        self.problem = problem
        self.options = problem.options
        self.per = per
        self.dims = len(problem.dimension_names)
        self.capacity = [r.capacity for r in problem.resources]
        self.choice = list(choice)
        self.on: list[set[int]] = [set() for _ in problem.resources]
        self.load = [[0] * self.dims for _ in problem.resources]
        self.where: list[int | None] = [None] * len(problem.demands)
        nd = len(problem.demands)
        self.partners: list[list[int]] = [[] for _ in range(nd)]
        for pair in problem.different:
            self.partners[pair.a].append(pair.b)
            self.partners[pair.b].append(pair.a)
        self.dependents: list[list[int]] = [[] for _ in range(nd)]
        for d, dem in enumerate(problem.demands):
            if dem.depends_on is not None:
                self.dependents[dem.depends_on].append(d)
        watchers: list[set[int]] = [set() for _ in range(nd)]  # demands with options on d
        for o in self.options:
            for cond in (o.requires, o.forbids):
                if cond is not None and cond[0] != o.demand:
                    watchers[cond[0]].add(o.demand)
        self.watchers = [sorted(w) for w in watchers]
        self.fixed = {d for d, dem in enumerate(problem.demands) if dem.fixed is not None}
        self.required = {d for d, dem in enumerate(problem.demands) if dem.required}
        self.required.update(must)
        self.banned = set(banned)
        # per level up to `level` (whose own, `coef`, the caller has), oriented to maximise
        self.coefs = [oriented_weights(lv, per) for lv in problem.levels[:level]] + [coef]
        self.totals = [0] * len(self.coefs)
        self.log: list[tuple[int, int | None]] = []
        for d, o in enumerate(self.choice):
            self.choice[d] = None
            self._put(d, o)

    # ----------------------------------------------------------------------- changes

    def _put(self, d: int, o: int | None) -> None:
        old = self.choice[d]
        if old is not None:
            opt = self.options[old]
            self.on[opt.resource].discard(d)
            used = self.load[opt.resource]
            for k in range(self.dims):
                used[k] -= opt.load[k]
            for i, coef in enumerate(self.coefs):
                self.totals[i] -= coef.get(old, 0)
        self.choice[d] = o
        self.where[d] = None
        if o is not None:
            opt = self.options[o]
            self.on[opt.resource].add(d)
            self.where[d] = opt.resource
            used = self.load[opt.resource]
            for k in range(self.dims):
                used[k] += opt.load[k]
            for i, coef in enumerate(self.coefs):
                self.totals[i] += coef.get(o, 0)

    def set(self, d: int, o: int | None) -> None:
        self.log.append((d, self.choice[d]))
        self._put(d, o)

    def mark(self) -> int:
        return len(self.log)

    def undo(self, mark: int) -> None:
        while len(self.log) > mark:
            d, o = self.log.pop()
            self._put(d, o)

    # ----------------------------------------------------------------------- rules

    def fits(self, r: int) -> bool:
        used, cap = self.load[r], self.capacity[r]
        return all(used[k] <= cap[k] for k in range(self.dims))

    def _condition_holds(self, o: int) -> bool:
        """Does option o's condition hold, with its own demand where o puts it?"""
        opt = self.options[o]
        for cond, wanted in ((opt.requires, True), (opt.forbids, False)):
            if cond is None:
                continue
            where = opt.resource if cond[0] == opt.demand else self.where[cond[0]]
            if (where == cond[1]) != wanted:
                return False
        return True

    def may_take(self, d: int, o: int) -> bool:
        """May demand d (now out) take option o, given where the others are (capacity aside)?"""
        if o in self.banned or not self._condition_holds(o):
            return False
        r = self.options[o].resource
        if any(self.where[e] == r for e in self.partners[d]):
            return False
        parent = self.problem.demands[d].depends_on
        return parent is None or self.where[parent] is not None

    def may_leave(self, d: int) -> bool:
        """May demand d (now out) stay out?"""
        return d not in self.required and all(self.where[e] is None for e in self.dependents[d])

    def watchers_hold(self, d: int) -> bool:
        """Do the conditions of the other demands' options on d still hold where d is now?"""
        for e in self.watchers[d]:
            o = self.choice[e]
            if o is not None and not self._condition_holds(o):
                return False
        return True

    def may_eject(self, d: int) -> bool:
        return d not in self.fixed and all(self.where[e] is None for e in self.dependents[d])


def improve(
    problem: Problem,
    choice: Sequence[int | None],
    level: int,
    deadline: float,
    banned: Collection[int] = (),
    must: Collection[int] = (),
    seed: int | None = None,
) -> list[int | None]:
    """A choice better than `choice` on `level` (the earlier levels kept at least at their
    values), with more demands placed by ejection chains before `deadline` (a
    `time.perf_counter()` value); or `choice` itself when none is found. `banned` options are
    never taken and `must` demands never left out (besides the fixed and required ones).
    Levels up to `level` must be LINEAR.
    """
    levels = problem.levels[: level + 1]
    if any(lv.kind != LevelKind.LINEAR for lv in levels):
        raise ValueError("ejection chains need LINEAR levels up to the one they improve")
    per = problem.options_of()
    coef = oriented_weights(levels[level], per)
    if not any(
        o is None
        and problem.demands[d].fixed is None
        and any(coef.get(o2, 0) > 0 for o2 in per[d] if o2 not in banned)
        for d, o in enumerate(choice)
    ):
        return list(choice)  # nothing out that the level wants (such as on a GAP): no setup
    pack = _Packing(problem, per, choice, level, coef, banned, must)
    floors = pack.totals[:level]
    rng = random.Random(seed)
    best = pack.totals[level]
    nodes = 0

    def earlier_kept() -> bool:
        return all(t >= f for t, f in zip(pack.totals[:level], floors, strict=True))

    def better() -> bool:
        return pack.totals[level] > best and earlier_kept()

    def ejections(r: int, newcomer: int) -> list[int]:
        """Demands on the over-full resource r whose leaving alone makes it fit: the least
        valuable first, then the smallest excess."""
        used, cap = pack.load[r], pack.capacity[r]
        over = [max(0, used[k] - cap[k]) for k in range(pack.dims)]
        ranked: list[tuple[int, int, float, int]] = []
        for v in pack.on[r]:
            if v == newcomer or not pack.may_eject(v):
                continue
            o = pack.choice[v]
            assert o is not None
            load = pack.options[o].load
            if all(load[k] >= over[k] for k in range(pack.dims)):
                excess = sum(load[k] - over[k] for k in range(pack.dims))
                ranked.append((coef.get(o, 0), excess, rng.random(), v))
        ranked.sort()
        return [v for *_, v in ranked[:WIDTH]]

    def place(out: list[int], depth: int, avoid: frozenset[int]) -> bool:
        """Place the demands in `out` (all out now) or leave them out; True (and the state
        kept) when that ends better, else False (and the state as it was)."""
        nonlocal nodes
        nodes += 1
        if not out:
            return better()
        if nodes > NODES or (nodes % 64 == 0 and time.perf_counter() >= deadline):
            return False
        v, rest = out[0], out[1:]
        mark = pack.mark()
        ranked = sorted(pack.per[v], key=lambda o: -coef.get(o, 0))
        for o in ranked:
            r = pack.options[o].resource
            if r in avoid or not pack.may_take(v, o):
                continue
            pack.set(v, o)
            if pack.watchers_hold(v):
                if pack.fits(r):
                    if place(rest, depth, avoid):
                        return True
                elif depth > 0:
                    for w in ejections(r, v):
                        inner = pack.mark()
                        pack.set(w, None)
                        if pack.watchers_hold(w) and place([*rest, w], depth - 1, avoid | {r}):
                            return True
                        pack.undo(inner)
            pack.undo(mark)
        if pack.may_leave(v) and pack.watchers_hold(v):
            return place(rest, depth, avoid)
        return False

    def shift(d: int) -> bool:
        """Move d to another resource keeping every value, swapping one demand back if its new
        resource is then over-full."""
        o0 = pack.choice[d]
        assert o0 is not None
        r0 = pack.options[o0].resource
        alts = [
            o
            for o in pack.per[d]
            if pack.options[o].resource != r0 and coef.get(o, 0) >= coef.get(o0, 0)
        ]
        if not alts:
            return False
        o = rng.choice(alts)
        r = pack.options[o].resource
        mark = pack.mark()
        pack.set(d, None)
        if not pack.may_take(d, o):
            pack.undo(mark)
            return False
        pack.set(d, o)
        if not pack.watchers_hold(d):
            pack.undo(mark)
            return False
        if pack.fits(r) and pack.totals[level] >= best and earlier_kept():
            return True
        for v in list(pack.on[r]):
            if v == d or not pack.may_eject(v):
                continue
            ov = pack.choice[v]
            assert ov is not None
            for o2 in pack.per[v]:
                if pack.options[o2].resource != r0 or coef.get(o2, 0) < coef.get(ov, 0):
                    continue
                inner = pack.mark()
                pack.set(v, None)
                if pack.may_take(v, o2):
                    pack.set(v, o2)
                    if (
                        pack.watchers_hold(v)
                        and pack.fits(r)
                        and pack.fits(r0)
                        and pack.totals[level] >= best
                        and earlier_kept()
                    ):
                        return True
                pack.undo(inner)
        pack.undo(mark)
        return False

    def kick() -> None:
        movable = [d for d, o in enumerate(pack.choice) if o is not None and d not in pack.fixed]
        done = tries = 0
        while movable and done < KICKS and tries < 50 * KICKS:
            tries += 1
            if shift(rng.choice(movable)):
                done += 1
        pack.log.clear()

    def wanting() -> list[int]:
        """Demands out that could add to the level, the most to gain first. (Demands already
        placed are left to CP-SAT: moving them to a better option is what its own
        neighbourhoods do well, and on problems where every demand is placed, such as the GAP,
        chains only took time from it.)"""
        gains: list[tuple[int, float, int]] = []
        for d, o in enumerate(pack.choice):
            if o is not None or d in pack.fixed:
                continue
            top = max((coef.get(o2, 0) for o2 in pack.per[d] if o2 not in pack.banned), default=0)
            if top > 0:
                gains.append((-top, rng.random(), d))
        gains.sort()
        return [d for *_, d in gains]

    found = False
    stalled = 0
    while time.perf_counter() < deadline and stalled < STALL:
        gained = False
        todo = wanting()
        if not todo:
            break
        for u in todo:
            if time.perf_counter() >= deadline:
                break
            mark = pack.mark()
            nodes = 0
            pack.set(u, None)
            if place([u], DEPTH, frozenset()):
                best = pack.totals[level]
                gained = found = True
                pack.log.clear()
            else:
                pack.undo(mark)
        if gained:
            stalled = 0
        else:
            stalled += 1
            kick()
    return pack.choice if found else list(choice)
