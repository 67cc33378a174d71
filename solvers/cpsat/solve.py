"""Lexicographic CP-SAT solve: optimise each level, fix it, hint the incumbent, go on.

The problem is first split into independent components (`solvers.decompose`); small ones are
bundled. Every bundle gets its own model, and the bundles go through the levels in lockstep: a
level is solved in every bundle before the next level starts. LINEAR and SPREAD levels are sums
over the bundles, so the bundles' optima add up to the whole problem's optimum. A
MAX_UTILISATION level is the maximum over the bundles: its optimum is the largest bundle
optimum, and afterwards every bundle may use that much (not only its own optimum) while the
later levels are optimised.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Protocol

from ortools.sat.python import cp_model

from solvers.check import evaluate, lex_key, verify
from solvers.cpsat.model import AssignmentModel, Objective
from solvers.cpsat.pack import movable, pack
from solvers.decompose import Component, split, sub_problem
from solvers.greedy.chains import improve
from solvers.greedy.solve import guided, insert, restore
from solvers.greedy.solve import solve as greedy_solve
from solvers.lagrange import Lagrangian
from solvers.lp import Relaxation
from solvers.mip import MipSearch
from solvers.problem import (
    Level,
    LevelKind,
    LevelResult,
    Problem,
    Sense,
    Solution,
    Status,
    oriented_weights,
)

BACKEND = "cpsat"
MIN_FIRST_LEVEL_SECONDS = 0.05  # the first level always gets a moment to find a solution
CHAIN_SHARE = 0.1  # of a LINEAR level's budget, at most, for ejection chains on the best start
PACK_SHARE = 0.5  # of a LINEAR level's budget, at most, for the packing search (`pack`)
RENS_SHARE = 0.3  # of a LINEAR level's budget, for the search around the LP solution
GUIDE_SHARE = 1.0  # of a LINEAR level's budget, at most, for the LP-led warm starts: a cap that
# stops them overrunning a small budget, not a reservation
RENS_MAX_FRACTION = 0.6  # ... unless that neighbourhood holds this share of the options or more
LNS_SHARE = 0.5  # of a LINEAR level's search time, for the search over a few resources at a time
# after CP-SAT's own search (when that has not proven the level) ...
LNS_MAX_SECONDS = 10.0  # ... at most: a long search is for CP-SAT to prove (the benchmark's
# fewest-moves reference, 60 s, went unproven in 2 of 8 runs with half of it)
LNS_STEP_SHARE = 0.1  # of that time, at most, for one neighbourhood
REDUCED_SHARE = 0.25  # of a LINEAR level's search time, for the search among the options the LP
# relaxation's reduced costs say are cheap (on Chu & Beasley type D the strongest of the searches)
REDUCED_PER_DEMAND = 3  # options per demand in its first neighbourhood (cheapest by reduced cost)
REDUCED_MAX_FRACTION = 0.6  # ... unless that holds this share of the options or more
LAGRANGE_SHARE = 0.1  # of a LINEAR level's search time, at most, for the Lagrangian bound (it
# stops earlier once its steps no longer lower it: 0.4-1.2 s on Chu & Beasley C and D)
GIVE_UP_ABOVE_LP = 0.005  # ... or less: it stops when it starts this far above the LP bound
LOSS_TOLERANCE = 0.5  # + 1e-6 of the LP value: reduced costs are floating point, level values
# integers, so an option is ruled out only when its loss exceeds the gap by more than this
FOCUS_SHARE = 0.8  # of a LINEAR level's budget, at most, for the focused neighbourhoods ...
FOCUS_MAX_FRACTION = 0.3  # ... that hold less than this share of the options: CP-SAT solves those
# to their optimum in a fraction of a level's time (team re-plan, keeping: 24 % in 0.2-0.5 s),
# larger ones hardly (team, placing: 49 % not in 1.2 s; at city scale they cost 4 % placed)
MIP_MIN_SECONDS = 0.5  # a LINEAR level's search time below which no MIP search starts
LP_MAX_COEFFICIENT = 10**7  # in the LP that guides the warm starts (see `_lp_scale`)
BUNDLE_OPTIONS = 2_000  # components with fewer options are solved together, up to this many


class StopFlag(Protocol):
    """Anything with `is_set()`, such as `threading.Event`."""

    def is_set(self) -> bool: ...


OnLevel = Callable[[str, int, int], None]


class _StopWatcher:
    """Calls `solver.stop_search()` as soon as `stop` is set, while a solve runs."""

    def __init__(self, solver: cp_model.CpSolver, stop: StopFlag | None) -> None:
        self.solver = solver
        self.stop = stop
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def _watch(self) -> None:
        assert self.stop is not None
        while not self.done.wait(0.02):
            if self.stop.is_set():
                self.solver.stop_search()
                return

    def __enter__(self) -> _StopWatcher:
        if self.stop is not None:
            self.thread = threading.Thread(target=self._watch, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


def _empty_levels(problem: Problem) -> list[LevelResult]:
    return [LevelResult(lv.name, math.nan, math.nan, False, 0.0) for lv in problem.levels]


def _infeasibility_hints(problem: Problem) -> list[str]:
    """Obvious reasons why required demands cannot be met (best effort)."""
    per = problem.options_of()
    out = [
        f"required demand {d.id} has no options"
        for j, d in enumerate(problem.demands)
        if d.required and not per[j]
    ]
    return out or ["no choice satisfies all required demands and constraints"]


def _warm_start(problem: Problem) -> tuple[list[int | None] | None, list[int]]:
    """A valid starting choice (the user's hints or the greedy one), if any, and hint options.

    Returns (best valid candidate or None, options to hint when no candidate is valid).
    """
    candidates: list[list[int | None]] = []
    user = [d.fixed if d.fixed is not None else d.hint for d in problem.demands]
    if any(d.hint is not None for d in problem.demands):
        candidates.append(user)
    greedy = greedy_solve(problem)
    candidates.append(greedy.choice)
    valid = [c for c in candidates if not verify(problem, c)]
    if valid:
        return max(valid, key=lambda c: lex_key(problem, evaluate(problem, c))), []
    return None, [o for o in user if o is not None]


def _utilisation_scale(level: Level) -> int:
    return 1000 if level.kind == LevelKind.MAX_UTILISATION else 100


class _Either:
    """Set when the user's stop flag is, or the MIP search has proven its level."""

    def __init__(self, stop: StopFlag | None, mip: MipSearch) -> None:
        self.stop = stop
        self.mip = mip

    def is_set(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            return True
        return self.mip.done.is_set() and self.mip.proven


class _Failure(Exception):
    """A bundle cannot go on: the whole solve ends with this status."""

    def __init__(self, status: Status, messages: list[str]) -> None:
        super().__init__(status.value)
        self.status = status
        self.messages = messages


class _Run:
    """The lexicographic CP-SAT solve of one problem (a bundle), one level at a time."""

    def __init__(
        self, problem: Problem, workers: int, seed: int | None, stop: StopFlag | None
    ) -> None:
        self.problem = problem
        self.workers = workers
        # the small sub-models gain nothing from more workers than cores (on 2 cores, 4 workers
        # took the keeping level's focused neighbourhood 0.57 s, 2 took 0.35 s)
        self.sub_workers = max(1, min(workers, os.cpu_count() or 1))
        self.seed = seed
        self.stop = stop
        self.am = AssignmentModel(problem)
        n = len(problem.levels)
        self.bounds = [math.nan] * n
        self.proven = [False] * n
        self.seconds = [0.0] * n
        self.objectives: dict[int, Objective] = {}
        self.scales: dict[int, tuple[int, int]] = {}  # level -> (scale, spread) of the tie-break
        self.utilisation: list[tuple[Objective, int, int]] = []
        self.messages: list[str] = []
        self.broken = False  # a level turned out infeasible after fixing: optimise no further
        self.size = max(1, len(problem.options))
        # implied by the fixed levels: options that can no longer be chosen, demands that must
        # be assigned (they tighten the trivial bounds of the later levels)
        self.banned: set[int] = set()
        self.must: set[int] = set()
        # the LP relaxation (built when first needed) and every level row so far (the LP gets
        # them when built, the MIP search its own copy)
        self.lp: Relaxation | None = None
        self.rows: list[tuple[dict[int, int], float | None, float | None]] = []
        self.mip: MipSearch | None = None  # the MIP search of the level being solved
        self.user_stop = stop
        self.lp_solution: list[float] | None = None
        self.lp_bound: float | None = None  # of the level being solved, from the LP
        self.lp_seconds = 0.0  # what the last LP bound took to solve
        # of the level being solved: the LP value (oriented to be maximised) and per option its
        # loss by reduced cost (`Relaxation.losses`); the options of the last reduced-cost search
        self.lp_value: float | None = None
        self.lp_losses: list[float] | None = None
        self.lp_duals: list[float] | None = None  # per demand, of the plain LP
        # the same from the Lagrangian relaxation (`solvers.lagrange`), and its level bound
        self.lag_value: float | None = None
        self.lag_losses: list[float] | None = None
        self.lag_bound: float | None = None
        self.cheap: set[int] | None = None
        self.held: dict[int, int] = {}  # unproven LINEAR level -> the value it is held at
        self.incumbent, partial_hint = _warm_start(problem)
        self._values: list[float] | None = None
        if self.incumbent is not None:
            self.am.set_hint(self.incumbent, [])
        else:
            self.am.set_partial_hint(partial_hint)

    # ------------------------------------------------------------------------- values

    def values(self) -> list[float]:
        """The level values of the incumbent (which must exist)."""
        if self._values is None:
            assert self.incumbent is not None
            self._values = evaluate(self.problem, self.incumbent)
        return self._values

    def _set_incumbent(self, choice: list[int | None]) -> None:
        self.incumbent = choice
        self._values = None

    def _coefficients(self, level: Level) -> dict[int, int]:
        """Per option, its weight in `level` oriented to be maximised (zero ones left out)."""
        return oriented_weights(level, self.am.per_demand)

    def _best_per_demand(self, coef: dict[int, int]) -> list[int | None]:
        """Per demand, the best weight it can contribute (None: it cannot be met at all)."""
        demands, banned, must = self.problem.demands, self.banned, self.must
        best: list[int | None] = []
        for d, ids in enumerate(self.am.per_demand):
            dem = demands[d]
            if dem.fixed is not None:
                best.append(coef.get(dem.fixed, 0))
                continue
            values = [coef.get(o, 0) for o in ids if o not in banned]
            if not (dem.required or d in must):
                values.append(0)
            best.append(max(values) if values else None)
        return best

    def _top(self, level: Level) -> int | None:
        """The trivial best value of a LINEAR level (in its own sense), each demand on its own."""
        best = self._best_per_demand(self._coefficients(level))
        if any(b is None for b in best):
            return None
        total = sum(b for b in best if b is not None)
        return total if level.sense == Sense.MAXIMIZE else -total

    # ------------------------------------------------------------------------- levels

    def feasibility(self, budget: float) -> None:
        """No levels: find any valid choice."""
        if self.incumbent is not None:
            return
        self.am.model.clear_objective()
        status, solver = self._run_solver(max(budget, MIN_FIRST_LEVEL_SECONDS))
        self._check_status(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._set_incumbent(_extract(self.am, solver))

    def add_objective(self, i: int) -> Objective:
        """The objective of level i (created once)."""
        objective = self.objectives.get(i)
        if objective is None:
            level = self.problem.levels[i]
            objective = self.am.objective(level)
            self.objectives[i] = objective
            if level.kind != LevelKind.LINEAR:
                self.utilisation.append((objective, level.dimension, _utilisation_scale(level)))
        return objective

    def solve_level(self, i: int, budget: float) -> None:
        """Optimise level i within `budget` seconds (the earlier levels are fixed)."""
        try:
            self._solve_level(i, budget)
        finally:
            self._mip_finish(i)

    def _mip_start(self, i: int, seconds: float) -> None:
        """Start the MIP search of LINEAR level i (`solvers.mip`) for `seconds`; CP-SAT's
        searches stop when it proves the level."""
        if seconds < MIP_MIN_SECONDS or self.incumbent is None:
            return
        coef = self._coefficients(self.problem.levels[i])
        if not coef:
            return
        mip = MipSearch(self.problem, coef, self.rows, self.banned, self.must)
        self.mip = mip
        self.stop = _Either(self.user_stop, mip)
        mip.start(seconds)

    def _mip_finish(self, i: int) -> None:
        """End the MIP search of level i (if one runs) and take what it found: a better
        plan, a tighter bound (its optimum, when it proved one)."""
        mip, self.mip, self.stop = self.mip, None, self.user_stop
        if mip is None:
            return
        t0 = time.perf_counter()
        mip.finish()
        self.seconds[i] += time.perf_counter() - t0
        if mip.error is not None:
            self.messages.append(f"internal: the MIP search failed ({mip.error})")
        if self.broken or self.incumbent is None:
            return
        if mip.choice is not None:
            self._take_if_better(i, mip.choice)
        if mip.bound is not None:
            maximize = self.problem.levels[i].sense == Sense.MAXIMIZE
            bound = mip.bound if maximize else -mip.bound
            self.bounds[i] = _tighter(self.bounds[i], bound, maximize)
            self.proven[i] = self.proven[i] or self.bounds[i] == self.values()[i]

    def _stopped(self) -> bool:
        """Has the user stopped the run, or the MIP search proven the level?"""
        return self.stop is not None and self.stop.is_set()

    def _open(self, i: int) -> bool:
        """Is level i still worth searching (unproven, with an incumbent, not stopped)?"""
        return (
            not self.proven[i]
            and not self.broken
            and self.incumbent is not None
            and not self._stopped()
        )

    def _solve_level(self, i: int, budget: float) -> None:
        level = self.problem.levels[i]
        t_level = time.perf_counter()
        am, model = self.am, self.am.model
        objective = self.add_objective(i)
        if self.broken:
            return
        if objective.aux and self.incumbent is not None:
            self.am.set_hint(self.incumbent, self.utilisation)  # hint the new variables too
        if objective.constant and self.incumbent is not None:
            self.bounds[i], self.proven[i] = 0.0, True  # nothing to optimise
            return
        top = self._top(level) if level.kind == LevelKind.LINEAR else None
        if top is not None and self.incumbent is not None and self.values()[i] == top:
            # the incumbent reaches the trivial bound: proven without a search
            self.bounds[i], self.proven[i] = float(top), True
            self.seconds[i] = time.perf_counter() - t_level
            return
        if self.incumbent is None and level.kind == LevelKind.LINEAR:
            # any solution first (CP-SAT stops at the first one without an objective), so that
            # the searches around an incumbent below run too: on Chu & Beasley type D, where
            # the greedy start does not fit, they do better than CP-SAT on the whole model
            t_first = time.perf_counter()
            self.feasibility(budget)
            budget -= time.perf_counter() - t_first
            if self.incumbent is not None:
                self.am.set_hint(self.incumbent, self.utilisation)
        if self.incumbent is None:
            budget = max(budget, MIN_FIRST_LEVEL_SECONDS)
        scale, spread = 1, 0  # combined = scale * level + tie-break, tie-break in [-spread, spread]
        if objective.constant:
            model.clear_objective()
        else:
            target = objective.expr
            tie = _tiebreak(self.problem, level, am)
            if tie is not None:
                tie_expr, spread = tie
                scale = 2 * spread + 1
                target = scale * objective.expr + (tie_expr if objective.maximize else -tie_expr)
            if objective.maximize:
                model.maximize(target)
            else:
                model.minimize(target)
        self.scales[i] = (scale, spread)
        self.lp_bound = self.lp_value = self.lp_losses = self.lp_duals = self.cheap = None
        self.lag_bound = self.lag_value = self.lag_losses = None
        if level.kind == LevelKind.LINEAR and self.incumbent is not None:
            # the focused neighbourhoods first: on a re-plan they reach the fewest moves from
            # the earlier levels' plan in 0.2-0.4 s, after the LP-led starts (0.5 s) in 0.4-0.6 s
            t_start = time.perf_counter()
            self._focus(i, FOCUS_SHARE * budget)
            known = _tighter(math.nan, top, objective.maximize)
            if known != self.values()[i]:
                self._guide(i, budget - (time.perf_counter() - t_start))
                known = _tighter(known, self.lp_bound, objective.maximize)
            budget -= time.perf_counter() - t_start
            if known == self.values()[i]:
                # the (focused or LP-led) incumbent reaches the trivial or the LP bound: proven
                self.bounds[i], self.proven[i] = known, True
                self.seconds[i] = time.perf_counter() - t_level
                return
        if self.lp_solution is not None:
            spent = self._rens(i, RENS_SHARE * budget)
            budget -= spent
        # (a level without any solution yet, such as a first non-LINEAR one, gets all the time)
        linear = level.kind == LevelKind.LINEAR and self.incumbent is not None
        cheap = REDUCED_SHARE * budget if linear and self.lp_losses is not None else 0.0
        lns = min(LNS_SHARE * (budget - cheap), LNS_MAX_SECONDS) if linear else 0.0
        if linear:
            self._rule_out(i)
            self._mip_start(i, budget)
        status, solver = self._run_solver(budget - cheap - lns)
        self.seconds[i] = time.perf_counter() - t_level
        self._check_status(status)
        if self.broken:
            return
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._set_incumbent(_extract(am, solver))
            bound = (
                0.0
                if objective.constant
                else _integer_bound(
                    _level_bound(solver.best_objective_bound, scale, spread, objective.maximize),
                    objective.maximize,
                )
            )
            bound = _tighter(bound, top, objective.maximize)
            bound = _tighter(bound, self.lp_bound, objective.maximize)
            self.bounds[i] = bound
            value = self.values()[i]
            # with a tie-break the search may go on after the level itself is proven
            self.proven[i] = (scale == 1 and status == cp_model.OPTIMAL) or bound == value
            # with a tie-break the solver's value is the combined one, so only check plain levels
            plain = self.proven[i] and not objective.constant and scale == 1
            if plain and abs(solver.objective_value - value) > 1e-6:
                self.messages.append(
                    f"internal: level {level.name}: model value {solver.objective_value} "
                    f"differs from evaluate() {value}"
                )
        else:
            if not (self.mip is not None and self.mip.proven):
                self.messages.append(
                    f"level {level.name}: no better solution in time; kept the incumbent"
                )
            bound = _tighter(math.nan, top, objective.maximize)
            bound = _tighter(bound, self.lp_bound, objective.maximize)
            self.bounds[i] = bound
            self.proven[i] = bound == self.values()[i]
        searches_end = time.perf_counter() + cheap + lns
        if cheap > 0 and self._open(i):
            # the Lagrangian bound, from the searches' time: on a GAP stronger than the LP's
            spent = self._lagrange(i, LAGRANGE_SHARE * (cheap + lns))
            cheap -= spent * cheap / (cheap + lns)
            self.bounds[i] = _tighter(self.bounds[i], self.lag_bound, objective.maximize)
            self.proven[i] = self.bounds[i] == self.values()[i]
        if cheap > 0 and self._open(i):
            self._cheap(i, cheap)
        if lns > 0 and self._open(i):
            self._rule_out(i)
            # with what the reduced-cost search left (it stops early when its neighbourhood
            # would hold most of the options)
            self._lns(i, searches_end - time.perf_counter())
        if not self.broken and self.incumbent is not None:
            self.proven[i] = self.proven[i] or self.bounds[i] == self.values()[i]
            self.seconds[i] = time.perf_counter() - t_level

    def _lns(self, i: int, budget: float) -> None:
        """Large neighbourhood search over resources: free every demand on a few resources
        (and those out that could go there) to move among them, the rest as they are; CP-SAT
        solves that small model, and a better result becomes the incumbent. A neighbourhood
        solved to its optimum makes the next one a resource larger, one that is not makes it
        a resource smaller. CP-SAT's own neighbourhoods, with 2 workers, get a share of one;
        these get all of it. After `_cheap` they stay within its options (on Chu & Beasley
        d20100 and d20200 at 30 s, one run each: 0.50 % / 0.56 % above the best known against
        0.70 % / 0.80 % over all options). The resources of a neighbourhood are related
        (`_related`), not drawn at random."""
        t0 = time.perf_counter()
        rng = random.Random(self.seed)
        options, banned = self.problem.options, self.banned
        per_resource = self.am.per_resource
        usable = [r for r, ids in enumerate(per_resource) if ids]
        if len(usable) < 3:
            return  # a neighbourhood of all resources but one is hardly smaller than the model
        size = 2
        step = max(LNS_STEP_SHARE * budget, 0.05)
        assert self.incumbent is not None
        self.am.set_hint(self.incumbent, self.utilisation)
        while not (self.stop is not None and self.stop.is_set()):
            left = budget - (time.perf_counter() - t0)
            if left <= 0.01:
                break
            inc = self.incumbent
            assert inc is not None
            chosen = self._related(rng.choice(usable), size, usable, rng)
            free = {options[o].demand for r in chosen for o in per_resource[r] if o not in banned}
            free = {d for d in free if inc[d] is None or options[inc[d]].resource in chosen}
            kept = [o for d, o in enumerate(inc) if o is not None and d not in free]
            allowed = {
                o
                for r in chosen
                for o in per_resource[r]
                if options[o].demand in free and o not in banned
            }
            if self.cheap is not None:
                # after the reduced-cost search, within its options: smaller models, better
                # moves (Chu & Beasley type D)
                allowed &= self.cheap
            allowed.update(o for o in inc if o is not None)
            status = self._search_within(i, allowed, min(step, left), fixed=kept)
            if status == cp_model.OPTIMAL:
                size = min(size + 1, len(usable) - 1)
            else:
                size = max(2, size - 1)

    def _related(
        self, first: int, size: int, usable: Sequence[int], rng: random.Random
    ) -> set[int]:
        """`first` and the `size` - 1 resources most related to it: those where the most of the
        demands the incumbent has on `first` have an option (not banned; within `_cheap`'s
        options once it ran), ties drawn at random; random ones when fewer are related. Among
        random resources most demands have nowhere to go in the neighbourhood; among related
        ones they can trade places (Chu & Beasley d20100 / d20200 at 30 s, 8 runs against 5,
        interleaved: 6,229.6 / 12,296.8 on average against 6,237.2 / 12,307.6; d20200 better
        in each of the first five pairs; the benchmark's D average stayed within its spread,
        0.300-0.343 % in four runs)."""
        options, inc = self.problem.options, self.incumbent
        assert inc is not None
        score: dict[int, int] = {}
        for o in self.am.per_resource[first]:
            d = options[o].demand
            if inc[d] != o:
                continue
            for o2 in self.am.per_demand[d]:
                r = options[o2].resource
                if (
                    r == first
                    or o2 in self.banned
                    or (self.cheap is not None and o2 not in self.cheap)
                ):
                    continue
                score[r] = score.get(r, 0) + 1
        ranked = sorted(score, key=lambda r: -score[r] - rng.random())
        chosen = {first, *ranked[: size - 1]}
        rest = [r for r in usable if r not in chosen]
        chosen.update(rng.sample(rest, min(len(rest), size - len(chosen))))
        return chosen

    def _pricings(self) -> list[tuple[float, list[float]]]:
        """The relaxations of the level being solved that price its options: (value, losses),
        the LP's and then the Lagrangian's (kept only when tighter than the LP's)."""
        out: list[tuple[float, list[float]]] = []
        if self.lp_value is not None and self.lp_losses is not None:
            out.append((self.lp_value, self.lp_losses))
        if self.lag_value is not None and self.lag_losses is not None:
            out.append((self.lag_value, self.lag_losses))  # (set only when tighter)
        return out

    def _slack(self, i: int, relaxed: float) -> float:
        """The most loss (`Relaxation.losses`, `Lagrangian.losses`) a solution of level i as
        good as the incumbent can have: the relaxation's value less the incumbent's (oriented
        to be maximised), plus a margin for floating point (level values are integers)."""
        sign = 1 if self.problem.levels[i].sense == Sense.MAXIMIZE else -1
        gap = relaxed - sign * self.values()[i]
        return gap + LOSS_TOLERANCE + 1e-6 * abs(relaxed)

    def _rule_out(self, i: int) -> None:
        """Reduced-cost fixing: an option whose loss (by the LP's reduced costs or the
        Lagrangian's) exceeds the gap between that relaxation's value of level i and the
        incumbent's is in no solution as good as the incumbent, so in none this level or a
        later one can end with: ban it."""
        if self.incumbent is None:
            return
        taken = set(self.incumbent)
        for relaxed, losses in self._pricings():
            limit = self._slack(i, relaxed)
            for o, loss in enumerate(losses):
                if loss > limit and o not in self.banned and o not in taken:
                    self._ban(o)

    def _ban(self, o: int) -> None:
        """Option o can no longer be chosen. Its variable's domain becomes {0}: CP-SAT, which
        runs without presolve on the whole model, took up to 7 s to prove OR-Library gap2-3
        with 20 options banned by constraints `x == 0`, against 0.1 s without them."""
        self.banned.add(o)
        domain = self.am.model.proto.variables[self.am.x_index[o]].domain
        domain[0] = domain[1] = 0
        if self.lp is not None:
            self.lp.forbid(o)

    def _cheap(self, i: int, budget: float) -> None:
        """Search the options that are cheap by the LP's reduced costs (and the incumbent's):
        first the REDUCED_PER_DEMAND cheapest per demand on average, then, each time that
        neighbourhood is solved to its optimum, half as many again. A neighbourhood holding
        every option whose loss is within the gap (`_rule_out`) holds every better solution,
        so solving it to its optimum proves the level. The last neighbourhood is where the
        resource search (`_lns`) goes on. On Chu & Beasley type D the LP's cheap options are
        where the best known solutions are: CP-SAT finds better plans in them than in the
        whole model, and smaller neighbourhoods within them are easier to solve."""
        t0 = time.perf_counter()
        # (by the LP's losses: ordered by the Lagrangian's, Chu & Beasley D averaged 0.341 % in
        # three runs against 0.311 % in four by the LP's; its bans still apply)
        relaxed, losses = self._pricings()[0]
        assert self.incumbent is not None
        open_ = sorted(loss for o, loss in enumerate(losses) if o not in self.banned)
        if not open_:
            return
        k = min(len(open_) - 1, REDUCED_PER_DEMAND * len(self.problem.demands))
        while not (self.stop is not None and self.stop.is_set()):
            left = budget - (time.perf_counter() - t0)
            if left <= 0.01:
                return
            self._rule_out(i)
            limit = open_[k]
            allowed = {o for o, loss in enumerate(losses) if loss <= limit}
            allowed -= self.banned
            allowed.update(o for o in self.incumbent if o is not None)
            # (the last one holds every option not banned, whatever the slack)
            whole = limit >= self._slack(i, relaxed) or k == len(open_) - 1
            if not whole and len(allowed) >= REDUCED_MAX_FRACTION * len(losses):
                return  # hardly smaller than the whole model
            self.cheap = allowed
            status = self._search_within(i, allowed, left)
            if status != cp_model.OPTIMAL:
                return
            if k == len(open_) - 1 or self._slack(i, relaxed) <= limit:
                # every solution at least as good is in the neighbourhood: the incumbent is best
                level = self.problem.levels[i]
                value = self.values()[i]
                self.bounds[i] = _tighter(self.bounds[i], value, level.sense == Sense.MAXIMIZE)
                self.proven[i] = True
                return
            k = min(len(open_) - 1, k + k // 2 + 1)

    def _lagrange(self, i: int, budget: float) -> float:
        """The Lagrangian bound of level i (`solvers.lagrange`), from the LP's duals, and its
        losses per option for `_rule_out` (`_cheap` keeps the LP's order). Returns the seconds
        spent."""
        t0 = time.perf_counter()
        level = self.problem.levels[i]
        coef = self._coefficients(level)
        if not coef or self.incumbent is None or self.lp_duals is None:
            return 0.0
        relaxation = Lagrangian(self.problem, coef, self.banned, self.must)
        if not relaxation.usable:
            return time.perf_counter() - t0
        maximize = level.sense == Sense.MAXIMIZE
        known = self.values()[i] if maximize else -self.values()[i]
        # (from the LP's duals a useful relaxation starts near the LP bound: on a GAP at or below
        # it, on a team's placement level, with the conditions and a dimension dropped, 4 %
        # above it, and its steps never got below it)
        limit = None
        if self.lp_value is not None:
            limit = self.lp_value + GIVE_UP_ABOVE_LP * abs(self.lp_value) + 1.0
        value = relaxation.optimise(known, t0 + budget, self.lp_duals, limit)
        if math.isinf(value) or (self.lp_value is not None and value >= self.lp_value):
            return time.perf_counter() - t0  # no tighter than the LP: of no use
        self.lag_value, self.lag_losses = value, relaxation.losses()
        self.lag_bound = _relaxed_bound(value, maximize)
        return time.perf_counter() - t0

    def _relaxation(self) -> Relaxation:
        if self.lp is None:
            self.lp = Relaxation(self.problem)
            for row in self.rows:
                self.lp.add_row(*row)
            for o in self.banned:
                self.lp.forbid(o)
            for d in self.must:
                self.lp.require(d)
        return self.lp

    def _rens(self, i: int, budget: float) -> float:
        """Search only the options the LP relaxation uses or the incumbent takes (a relaxation
        enforced neighbourhood); keep what is better. Returns the seconds spent."""
        t0 = time.perf_counter()
        xs, inc = self.lp_solution, self.incumbent
        self.lp_solution = None
        assert xs is not None and inc is not None
        keep = {o for o, v in enumerate(xs) if v > 1e-6}
        keep.update(o for o in inc if o is not None)
        if len(keep) >= RENS_MAX_FRACTION * len(xs):
            return time.perf_counter() - t0  # hardly smaller than the whole model
        self._search_within(i, keep, budget)
        return time.perf_counter() - t0

    def _earlier_weighed(self, i: int) -> tuple[set[int], set[int]]:
        """The demands the LINEAR levels before i weigh: by demand weights (whether assigned
        counts), and by option weights (where they are counts)."""
        by_demand: set[int] = set()
        by_option: set[int] = set()
        options = self.problem.options
        for lv in self.problem.levels[:i]:
            if lv.kind == LevelKind.LINEAR:
                by_demand.update(d for d, w in lv.demand_weights.items() if w)
                by_option.update(options[o].demand for o, w in lv.option_weights.items() if w)
        return by_demand, by_option

    def _focus(self, i: int, budget: float) -> float:
        """Search neighbourhoods of the incumbent cut to what level i is about; keep what is
        better. Returns the seconds spent.

        - A demand that counts at level i where it is stays there (or leaves, if it may).
        - A demand that an earlier level needs but that does not count here may go anywhere.
        - One that does not count but could goes to its best options only (or stays, or
          leaves); the rest stay or leave.
        - Of the demands that count here but must stay assigned, those that count the least
          may move too, in the first neighbourhood; each next one lets the next least move.

        In a re-plan that keeps current professionals, say, the families an urgent family
        displaced may come back, the urgent families go anywhere and kept backups may move,
        which is what the fewest moves take; CP-SAT on the whole model needs about twice the
        time for it. A neighbourhood solved to its optimum opens the next; they stop when
        one holds FOCUS_MAX_FRACTION of the options or the time is up. CP-SAT runs with
        presolve: these models are small."""
        t0 = time.perf_counter()
        for allowed in self._neighbourhoods(i):
            left = budget - (time.perf_counter() - t0)
            if left <= 0 or self._search_within(i, allowed, left) != cp_model.OPTIMAL:
                break
        return time.perf_counter() - t0

    def _neighbourhoods(self, i: int) -> Iterator[set[int]]:
        """The options each neighbourhood of `_focus` allows, smallest first (the incumbent's
        always among them), up to the first that would hold FOCUS_MAX_FRACTION of all."""
        inc = self.incumbent
        assert inc is not None
        coef = self._coefficients(self.problem.levels[i])
        demands, per = self.problem.demands, self.am.per_demand
        by_demand, by_option = self._earlier_weighed(i)
        held = by_demand | by_option | self.must
        allowed: set[int] = set()
        staying: dict[int, list[int]] = {}  # weight at level i -> demands that must stay
        for d, ids in enumerate(per):
            dem, cur = demands[d], inc[d]
            stays = dem.required or dem.fixed is not None or d in held
            here = coef.get(cur, 0) if cur is not None else 0
            if cur is not None:
                allowed.add(cur)
            if here > 0:
                if stays:
                    staying.setdefault(here, []).append(d)
            elif stays:
                allowed.update(ids)
            else:
                best = max((coef.get(o, 0) for o in ids if o not in self.banned), default=0)
                if best > 0:
                    allowed.update(o for o in ids if coef.get(o, 0) == best)
        limit = FOCUS_MAX_FRACTION * len(self.problem.options)
        for weight in sorted(staying) or [0]:
            for d in staying.get(weight, []):
                allowed.update(per[d])
            if len(allowed) >= limit:
                return
            yield set(allowed)

    def _search_within(
        self, i: int, allowed: set[int], budget: float, fixed: Collection[int] = ()
    ) -> int:
        """Solve the model with only the `allowed` options, the `fixed` ones taken (and the
        incumbent as the hint); keep the result when it is better. Returns CP-SAT's status."""
        sub = self.am.model.clone()
        variables = sub.proto.variables
        for o, index in enumerate(self.am.x_index):
            if o not in allowed:
                domain = variables[index].domain
                domain[0] = 0
                domain[1] = 0
        for o in fixed:
            variables[self.am.x_index[o]].domain[0] = 1
        status, solver = self._run_solver(budget, sub, presolve=True, workers=self.sub_workers)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._take_if_better(i, _extract(self.am, solver))
        return status

    def _guide(self, i: int, budget: float) -> None:
        """Try a warm start led by the LP relaxation of level i; keep it when it is better."""
        level = self.problem.levels[i]
        coef = self._coefficients(level)
        if not coef:
            return
        end = time.perf_counter() + GUIDE_SHARE * budget

        def left() -> float:
            """Seconds left for the warm starts (the LP bound is solved whenever the last LP
            took no longer than the whole budget)."""
            return end - time.perf_counter()

        if self.lp_seconds > budget:
            # the LP alone would overrun the level's budget (late levels of a short limit):
            # no LP bound and no warm starts; the search starts from the incumbent
            return
        lp = self._relaxation()
        t_lp = time.perf_counter()
        plain = lp.solve(coef, max(budget / 4, 0.01))  # the LP bound: as before
        self.lp_seconds = time.perf_counter() - t_lp
        if plain is not None:
            value = sum(c * plain[o] for o, c in coef.items())
            self.lp_value, self.lp_losses, self.lp_duals = value, lp.losses(), lp.duals()
            self.lp_bound = _relaxed_bound(value, level.sense == Sense.MAXIMIZE)
        tie = _tiebreak_level(self.problem, level)
        if tie is not None:
            # the LP of the combined objective, as CP-SAT sees it (with a smaller scale when
            # the exact one is too large for GLOP)
            later, spread = tie
            tie_coef = self._coefficients(later)
            scale = _lp_scale(2 * spread + 1, coef, tie_coef)
            combined = {o: scale * c for o, c in coef.items()}
            for o, c in tie_coef.items():
                combined[o] = combined.get(o, 0) + c
            coef = combined
        candidates: list[list[int | None]] = []
        if left() <= 0:
            return  # no time for warm starts: the search starts from the incumbent
        xs = lp.solve(coef, max(left() / 2, 0.01)) if tie is not None else plain
        self.lp_solution = xs
        if xs is not None:
            candidates.append(guided(self.problem, xs, i, required=self.must, skip=self.banned))
        # the same with the demands the earlier levels weigh kept as they are (their values then
        # stay exactly what they were fixed at)
        assert self.incumbent is not None
        # (a demand only the earlier levels' demand weights care about may move to another
        # resource: it keeps being assigned or not)
        inc = self.incumbent
        status, exact = self._earlier_weighed(i)
        status -= exact
        # each further LP-led candidate (an LP, then its rounding) starts only when the time
        # left covers what the last LP took, twice
        if (exact or status) and left() > 2 * self.lp_seconds:
            # all of them exactly as they are (their levels then cannot change) ...
            keep = {d: inc[d] for d in exact | status}
            xs = lp.solve_with(coef, max(left() / 2, 0.01), keep)
            if xs is not None:
                candidates.append(
                    guided(self.problem, xs, i, required=self.must, skip=self.banned, keep=keep)
                )
        if status and left() > 2 * self.lp_seconds:
            # ... and those only demand weights care about free to change resource
            keep = {d: inc[d] for d in exact}
            keep.update({d: None for d in status if inc[d] is None})
            placed = {d for d in status if inc[d] is not None}
            xs = lp.solve_with(coef, max(left() / 2, 0.01), keep, placed)
            if xs is not None:
                required = self.must | placed
                candidates.append(
                    guided(self.problem, xs, i, required=required, skip=self.banned, keep=keep)
                )
        # ... and each (and the incumbent) with more demands inserted by moving others aside
        plain_coef = self._coefficients(level)
        inserted = [insert(self.problem, inc, plain_coef, self.banned)] if left() > 0 else []
        for cand in candidates:
            cand = self._restored(i, cand)
            inserted.append(
                insert(self.problem, cand, plain_coef, self.banned) if left() > 0 else cand
            )
        for cand in inserted:
            self._take_if_better(i, cand)
        # ... and the best of them with more demands placed by chains of moves
        linear = all(lv.kind == LevelKind.LINEAR for lv in self.problem.levels[: i + 1])
        at_bound = self.lp_bound is not None and self.values()[i] == self.lp_bound
        if linear and not at_bound and left() > 0:
            until = min(end, time.perf_counter() + CHAIN_SHARE * budget)
            best = self.incumbent
            assert best is not None
            cand = improve(self.problem, best, i, until, self.banned, self.must, self.seed)
            self._take_if_better(i, cand)
        # ... and the alike demands counted, not told apart (`solvers.cpsat.pack`)
        at_bound = self.lp_bound is not None and self.values()[i] == self.lp_bound
        if linear and not at_bound and left() > 0:
            seconds = min(left(), PACK_SHARE * budget)
            values = self.values()
            held = [
                self.held.get(j, round(values[j])) * (1 if lv.sense == Sense.MAXIMIZE else -1)
                for j, lv in enumerate(self.problem.levels[:i])
            ]
            packed = pack(
                self.problem,
                self.incumbent,
                i,
                held,
                self.banned,
                self.must,
                seconds,
                lambda m, t: self._run_solver(t, m, presolve=True, workers=self.sub_workers),
            )
            if packed is not None:
                self._take_if_better(i, packed)

    def _restored(self, i: int, cand: list[int | None]) -> list[int | None]:
        """`cand` with what it lost on the levels before i put back (`restore`): each demand
        those levels weigh that the incumbent assigns and `cand` leaves out is assigned again,
        to the incumbent's option or one worth as much to those levels, if need be in place of
        demands no earlier level weighs. `cand` itself when it loses nothing there (or cannot
        be mended)."""
        inc = self.incumbent
        if i == 0 or inc is None:
            return cand
        levels = self.problem.levels
        if self._against(i, cand)[0]:
            return cand
        earlier = [self._coefficients(lv) for lv in levels[:i] if lv.kind == LevelKind.LINEAR]
        options, demands = self.problem.options, self.problem.demands
        weighed = {options[o].demand for coef in earlier for o, c in coef.items() if c}

        def as_good(v: int, o_v: int, coefs: list[dict[int, int]]) -> list[int]:
            """The other options of v (not banned) worth as much as o_v to each of `coefs`."""
            return [
                a
                for a in self.am.per_demand[v]
                if a != o_v
                and a not in self.banned
                and all(c.get(a, 0) >= c.get(o_v, 0) for c in coefs)
            ]

        wanted: dict[int, list[int]] = {}
        for d in weighed:
            o = inc[d]
            if cand[d] is not None or o is None or all(c.get(o, 0) <= 0 for c in earlier):
                continue
            # the incumbent's option first, then any other worth as much to every earlier level
            wanted[d] = [o, *as_good(d, o, earlier)]
        if not wanted:
            return cand
        free = {
            d
            for d, dem in enumerate(demands)
            if d not in weighed and not dem.required and d not in self.must and dem.fixed is None
        }
        coef = self._coefficients(levels[i])
        upto = [*earlier, coef]

        mobile = movable(self.problem, cand)  # those that can move without the others

        def aside(v: int, o_v: int) -> list[int]:
            """The other options of v worth as much as o_v to every level up to i."""
            return as_good(v, o_v, upto) if v in mobile else []

        mended = restore(self.problem, cand, wanted, free, coef, aside)
        return cand if mended is None else mended

    def _against(self, i: int, cand: list[int | None]) -> tuple[bool, bool]:
        """Is `cand` no worse than the incumbent on the levels before i, and is it better
        on level i?"""
        key_new = lex_key(self.problem, evaluate(self.problem, cand))
        key_old = lex_key(self.problem, self.values())
        kept = all(a >= b for a, b in zip(key_new[:i], key_old[:i], strict=True))
        return kept, key_new[i] > key_old[i]

    def _take_if_better(self, i: int, cand: list[int | None]) -> None:
        """Make `cand` the incumbent (and the hint) when it is valid, no worse on the levels
        before i and better on level i."""
        if verify(self.problem, cand):
            return
        kept, better = self._against(i, cand)
        if kept and better:
            self._set_incumbent(cand)
            self.am.set_hint(cand, self.utilisation)

    def _run_solver(
        self,
        budget: float,
        model: cp_model.CpModel | None = None,
        presolve: bool = False,
        workers: int | None = None,
    ) -> tuple[int, cp_model.CpSolver]:
        """Solve `model` (default: this run's model) within `budget` seconds, stoppable."""
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(budget, 0.0)
        params.num_workers = max(1, workers or self.workers)
        if self.mip is not None and not self.mip.done.is_set():
            # a core for the MIP search (with all workers beside it, on 2 cores, Chu & Beasley
            # b10200 took 13 s and c20200 went unproven at 30 s; with one less, 7 s and 25 s)
            params.num_workers = max(1, params.num_workers - 1)
        if self.seed is not None:
            params.random_seed = self.seed
        # CP-SAT's presolve turns capacity rows into forms whose LP relaxation is much weaker
        # here (a placement level's bound stays near the trivial one), and on the later levels
        # it can take the whole budget before the (complete, feasible) hint counts; the small
        # RENS sub-models keep it
        params.cp_model_presolve = presolve
        with _StopWatcher(solver, self.stop):
            status = solver.solve(self.am.model if model is None else model)
        return status, solver

    def _check_status(self, status: int) -> None:
        """Raise `_Failure` when the bundle cannot go on."""
        interrupted = self.stop is not None and self.stop.is_set()
        if status == cp_model.MODEL_INVALID:
            msg = self.am.model.validate() or "CP-SAT rejected the model"
            raise _Failure(Status.INVALID, [msg])
        if status == cp_model.INFEASIBLE:
            if self.incumbent is None:
                raise _Failure(Status.INFEASIBLE, _infeasibility_hints(self.problem))
            self.broken = True
            self.messages.append("internal: a level is infeasible after fixing the earlier ones")
            return
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and self.incumbent is None:
            msg = "stopped before a solution was found" if interrupted else "no solution in time"
            raise _Failure(Status.UNKNOWN, [msg])

    def fix_level(self, i: int, at_most: float | None = None) -> None:
        """Keep level i at its value for the later levels (at `at_most` for a coordinated
        MAX_UTILISATION level), and hint the incumbent."""
        objective = self.objectives.get(i)
        if objective is None or objective.constant or self.incumbent is None or self.broken:
            return
        model = self.am.model
        level = self.problem.levels[i]
        self._tighten_earlier(i)
        v = round(self.values()[i])
        # at the trivial bound, the demand-by-demand implications say it all
        exact = level.kind == LevelKind.LINEAR and self._imply(level, v) == 0
        if level.kind == LevelKind.LINEAR and not exact:
            coef = self._coefficients(level)  # oriented: at least the (oriented) value
            oriented = v if level.sense == Sense.MAXIMIZE else -v
            self._lp_row(coef, oriented, oriented if self.proven[i] else None)
        elif level.kind == LevelKind.MAX_UTILISATION:
            self._lp_utilisation(level, round(at_most if at_most is not None else v))
        if exact:
            pass
        elif at_most is not None:
            model.add(objective.expr <= round(at_most))
        elif self.proven[i]:
            model.add(objective.expr == v)
        elif objective.maximize:
            model.add(objective.expr >= v)
        else:
            model.add(objective.expr <= v)
        if level.kind == LevelKind.LINEAR and not exact and not self.proven[i]:
            self.held[i] = v
        self.am.set_hint(self.incumbent, self.utilisation)

    def _tighten_earlier(self, i: int) -> None:
        """An earlier LINEAR level kept at "at least the best value found" that the incumbent now
        beats is kept at the incumbent's value: later levels may not give that back."""
        values = self.values()
        for j in range(i):
            held = self.held.get(j)
            objective = self.objectives.get(j)
            if held is None or objective is None or self.proven[j]:
                continue
            v = round(values[j])
            if (v > held) if objective.maximize else (v < held):
                self.am.model.add(
                    objective.expr >= v if objective.maximize else objective.expr <= v
                )
                self.held[j] = v
                level = self.problem.levels[j]
                oriented = v if level.sense == Sense.MAXIMIZE else -v
                self._lp_row(self._coefficients(level), oriented, None)

    def _lp_row(self, coef: dict[int, int], lo: float | None, hi: float | None) -> None:
        self.rows.append((coef, lo, hi))
        if self.lp is not None:
            self.lp.add_row(coef, lo, hi)

    def _lp_utilisation(self, level: Level, at_most: int) -> None:
        """floor(1000 * load / cap) <= at_most on every resource, as load rows."""
        k = level.dimension
        options = self.problem.options
        for r, res in enumerate(self.problem.resources):
            cap = res.capacity[k]
            if cap <= 0:
                continue
            coef = {o: 1000 * options[o].load[k] for o in self.am.per_resource[r]}
            coef = {o: c for o, c in coef.items() if c}
            if coef:
                self._lp_row(coef, None, cap * at_most + cap - 1)

    def _imply(self, level: Level, value: int) -> int | None:
        """Add what `level >= value` (oriented) implies demand by demand: an option whose loss
        against its demand's best exceeds the slack cannot be chosen, and a demand whose
        weight exceeds the slack must be assigned. Returns the slack (None: unknown); with
        slack 0 the implications are equivalent to the level constraint."""
        coef = self._coefficients(level)
        best = self._best_per_demand(coef)
        if any(b is None for b in best):
            return None
        top = sum(b for b in best if b is not None)
        slack = top - (value if level.sense == Sense.MAXIMIZE else -value)
        if slack < 0:
            return None
        model, x, demands = self.am.model, self.am.x, self.problem.demands
        for d, ids in enumerate(self.am.per_demand):
            b = best[d]
            assert b is not None
            dem = demands[d]
            if dem.fixed is not None or not ids:
                continue
            for o in ids:
                if o not in self.banned and b - coef.get(o, 0) > slack:
                    self._ban(o)
            if not dem.required and d not in self.must and b > slack:
                self.must.add(d)
                model.add_exactly_one([x[o] for o in ids])  # (an at-least-one is not in the LP)
                if self.lp is not None:
                    self.lp.require(d)
        return slack


def _tighter(bound: float, other: float | None, maximize: bool) -> float:
    """The tighter of two bounds of a level (NaN or None: unknown)."""
    if other is None or math.isnan(other):
        return bound
    if math.isnan(bound):
        return float(other)
    return float(min(bound, other) if maximize else max(bound, other))


def _relaxed_bound(value: float, maximize: bool) -> float:
    """The level bound a relaxation's value (oriented to be maximised) gives: rounded down to
    the integer below (level values are integers), in the level's own sense."""
    oriented = math.floor(value + 1e-6 * max(1.0, abs(value)))
    return float(oriented if maximize else -oriented)


def _integer_bound(bound: float, maximize: bool) -> float:
    """Round CP-SAT's floating bound to the integer it stands for (objectives are integral)."""
    if math.isnan(bound) or math.isinf(bound):
        return bound
    return float(math.floor(bound + 1e-6) if maximize else math.ceil(bound - 1e-6))


def _level_bound(raw: float, scale: int, spread: int, maximize: bool) -> float:
    """The level's own bound from the bound of `scale * level +/- tie-break`."""
    if scale == 1:
        return raw
    return (raw + spread) / scale if maximize else (raw - spread) / scale


def _tiebreak_level(problem: Problem, level: Level) -> tuple[Level, int] | None:
    """The level named by `level.tiebreak` and a bound on its absolute value; None when there is
    none or the combination could overflow."""
    if not level.tiebreak:
        return None
    later = next((lv for lv in problem.levels if lv.name == level.tiebreak), None)
    if later is None or later.kind != LevelKind.LINEAR:
        return None
    spread = sum(abs(w) for w in later.demand_weights.values()) + sum(
        abs(w) for w in later.option_weights.values()
    )
    main = sum(abs(w) for w in level.demand_weights.values()) + sum(
        abs(w) for w in level.option_weights.values()
    )
    if spread == 0 or (2 * spread + 1) * (main + 1) > 2**53:
        return None
    return later, spread


def _lp_scale(scale: int, coef: Mapping[int, int], tie: Mapping[int, int]) -> int:
    """The weight of a level against its tie-break in the LP that guides the warm starts,
    given `scale`, the exact one (larger than the tie-break's whole range). Past
    `LP_MAX_COEFFICIENT` GLOP fails on the combination: on a city team part (coefficients up
    to 9.7e8) it ended ABNORMAL after 0.46 s, so the level got no LP-led start at all. Then the
    scale is just over twice the largest tie weight: any two options that differ on the level
    are still ordered by it, not by the tie-break, though many tie weights together may now
    outweigh one unit of the level (the LP only guides; CP-SAT's objective stays exact)."""
    top = max((abs(c) for c in coef.values()), default=0)
    if scale * top <= LP_MAX_COEFFICIENT:
        return scale
    return min(scale, 2 * max((abs(c) for c in tie.values()), default=0) + 1)


def _tiebreak(
    problem: Problem, level: Level, am: AssignmentModel
) -> tuple[cp_model.LinearExprT, int] | None:
    """The tie-break level of `level` as an expression oriented to be maximised, and a bound
    on its absolute value; None when there is none (see `_tiebreak_level`)."""
    found = _tiebreak_level(problem, level)
    if found is None:
        return None
    later, spread = found
    tie = am.objective(later)
    if tie.constant:
        return None
    return (tie.expr if tie.maximize else -tie.expr), spread


def _extract(am: AssignmentModel, solver: cp_model.CpSolver) -> list[int | None]:
    """The chosen option per demand in the solver's last solution."""
    values = solver.response_proto.solution
    index = am.x_index
    choice: list[int | None] = [None] * len(am.per_demand)
    for d, ids in enumerate(am.per_demand):
        for o in ids:
            if values[index[o]]:
                choice[d] = o
                break
    return choice


# --------------------------------------------------------------------------------- bundles


def _bundles(problem: Problem) -> list[Component] | None:
    """Independent parts to solve one by one; None when the problem is one part."""
    parts = split(problem)
    groups: list[list[Component]] = []
    small: list[Component] = []
    size = 0
    for comp in parts:
        if len(comp.options) >= BUNDLE_OPTIONS:
            groups.append([comp])
            continue
        small.append(comp)
        size += len(comp.options)
        if size >= BUNDLE_OPTIONS:
            groups.append(small)
            small, size = [], 0
    if small:
        groups.append(small)
    if len(groups) <= 1:
        return None
    return [_merge(problem, g) for g in groups]


def _merge(problem: Problem, group: list[Component]) -> Component:
    """Several components as one part (they stay independent inside it)."""
    if len(group) == 1:
        return group[0]
    demands = sorted(j for c in group for j in c.demands)
    options = sorted(i for c in group for i in c.options)
    resources = sorted({r for c in group for r in c.resources})
    return sub_problem(problem, demands, resources, options)


def solve(
    problem: Problem,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int | None = None,
    on_level: OnLevel | None = None,
    stop: StopFlag | None = None,
) -> Solution:
    """Solve `problem` lexicographically with CP-SAT within `time_limit` seconds in total.

    `on_level(name, index, total)` is called as each level starts (index counts from 0).
    Setting `stop` ends the search; the best complete solution so far is returned.
    """
    start = time.perf_counter()
    nd = len(problem.demands)

    def elapsed() -> float:
        return time.perf_counter() - start

    def failed(status: Status, messages: list[str]) -> Solution:
        return Solution(status, [None] * nd, _empty_levels(problem), elapsed(), BACKEND, messages)

    errors = problem.check()
    if errors:
        return failed(Status.INVALID, errors)
    if stop is not None and stop.is_set():
        return failed(Status.UNKNOWN, ["stopped"])

    parts = _bundles(problem)
    if parts is None:
        everything = list(range(len(problem.resources)))
        parts = [Component(list(range(nd)), everything, list(range(len(problem.options))), problem)]
    try:
        runs = [_Run(p.problem, workers, seed, stop) for p in parts]
        messages, stopped = _lockstep(problem, runs, time_limit, elapsed, on_level, stop)
    except _Failure as fail:
        return failed(fail.status, fail.messages)
    for run in runs:
        messages.extend(m for m in run.messages if m not in messages)

    choice: list[int | None] = [None] * nd
    for part, run in zip(parts, runs, strict=True):
        if run.incumbent is None:
            msg = "stopped before a solution was found" if stopped else "no solution"
            return failed(Status.UNKNOWN, [msg])
        for local, o in enumerate(run.incumbent):
            if o is not None:
                choice[part.demands[local]] = part.options[o]
    if stopped:
        messages.append("stopped by the user; returning the best solution found so far")
    values = evaluate(problem, choice)
    covered = {r for part in parts for r in part.resources}
    results = []
    all_proven = True
    for i, lv in enumerate(problem.levels):
        idle = lv.kind == LevelKind.MAX_UTILISATION and any(
            res.capacity[lv.dimension] > 0 and r not in covered
            for r, res in enumerate(problem.resources)
        )
        bound, proven, seconds = _combine(lv, runs, i, values[i], idle)
        all_proven = all_proven and proven
        results.append(LevelResult(lv.name, values[i], bound, proven, seconds))
    status = Status.OPTIMAL if all_proven and not stopped else Status.FEASIBLE
    return Solution(status, choice, results, elapsed(), BACKEND, messages)


def _combine(
    level: Level, runs: Sequence[_Run], i: int, value: float, idle: bool
) -> tuple[float, bool, float]:
    """(bound, proven, seconds) of level i over the runs, whose values make up `value`;
    `idle`: some resource with capacity on the level's dimension is in no run (load 0)."""
    seconds = sum(r.seconds[i] for r in runs)
    if len(runs) == 1:
        return runs[0].bounds[i], runs[0].proven[i], seconds
    bounds = [r.bounds[i] for r in runs]
    if level.kind == LevelKind.MAX_UTILISATION:
        # the maximum is at least every part's lower bound; parts that were not searched could
        # not raise it (see _lockstep)
        known = [b for b in bounds if not math.isnan(b)]
        if idle and known:
            known.append(0.0)
        if not known:
            return math.nan, False, seconds
        bound = max(known)
        return bound, bound == value, seconds
    if any(math.isnan(b) for b in bounds):
        return math.nan, False, seconds
    return float(sum(bounds)), all(r.proven[i] for r in runs), seconds


def _lockstep(
    problem: Problem,
    runs: Sequence[_Run],
    time_limit: float,
    elapsed: Callable[[], float],
    on_level: OnLevel | None,
    stop: StopFlag | None,
) -> tuple[list[str], bool]:
    """Take every run through the levels together; returns (messages, stopped)."""
    messages: list[str] = []
    levels = problem.levels
    total = len(levels)

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    if not levels:
        for k, run in enumerate(runs):
            if stopped():
                return messages, True
            share = (time_limit - elapsed()) / (len(runs) - k)
            run.feasibility(share)
        return messages, False

    late = 0.0  # the most a part ran past its share of a level (its fixed costs): kept back,
    # so that the last level, where each part's overrun comes off the parts after it and the
    # last part's has nowhere to go, ends within the limit
    for i, level in enumerate(levels):
        if on_level is not None:
            on_level(level.name, i, total)
        if stopped():
            return messages, True
        remaining = time_limit - late - elapsed()
        have_all = all(r.incumbent is not None for r in runs)
        if have_all and remaining <= 0:
            messages.append("time limit reached before every level was optimised")
            return messages, False
        weights = [lv.time_weight for lv in levels[i:]]
        budget = max(remaining, 0.0) * weights[0] / max(sum(weights), 1e-9)
        level_end = elapsed() + budget
        order = list(range(len(runs)))
        skip: set[int] = set()
        if level.kind == LevelKind.MAX_UTILISATION and len(runs) > 1 and have_all:
            order.sort(key=lambda k: -runs[k].values()[i])
        floor = -math.inf  # a proven lower bound on the coordinated maximum
        # each part's share of the level as planned at its start: a part that overruns its
        # share (the LP and the models it builds are fixed costs of 0.1-0.5 s a part at city
        # scale) does not take it from the parts after it, which once left the last of 20
        # city parts no time at all; the later levels absorb the overrun instead. The last
        # level has no later one, so it keeps to the time left.
        sizes = sum(runs[k].size for k in order if not runs[k].broken)
        planned = {k: budget * runs[k].size / max(sizes, 1) for k in order}
        last = i + 1 == total
        for pos, k in enumerate(order):
            run = runs[k]
            if stopped():
                return messages, True
            if run.broken:
                continue
            if (
                level.kind == LevelKind.MAX_UTILISATION
                and run.incumbent is not None
                and run.values()[i] <= floor
            ):
                skip.add(k)  # cannot raise the maximum: nothing to gain here
                continue
            overall = time_limit - late - elapsed()
            if have_all and overall <= 0:
                # no time left at all: the parts not reached keep their plans (each would
                # still cost its fixed time, past the limit)
                messages.append("time limit reached before every level was optimised")
                return messages, False
            left = [runs[q].size for q in order[pos:] if q not in skip]
            share = max(level_end - elapsed(), 0.0) * run.size / max(sum(left), 1)
            if not last:
                # the planned share, but not more than the part's share of all the time left
                share = max(share, min(planned[k], overall * run.size / max(sum(left), 1)))
            started = elapsed()
            run.solve_level(i, share)
            late = max(late, elapsed() - started - share)
            if level.kind == LevelKind.MAX_UTILISATION and not math.isnan(run.bounds[i]):
                floor = max(floor, run.bounds[i])
        for k in skip:
            runs[k].add_objective(i)
        if stopped():
            return messages, True
        if i + 1 < total:
            at_most = None
            if level.kind == LevelKind.MAX_UTILISATION and len(runs) > 1:
                at_most = max(r.values()[i] for r in runs)
            for run in runs:
                run.fix_level(i, at_most)
    return messages, False
