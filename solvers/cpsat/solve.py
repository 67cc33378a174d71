"""Lexicographic CP-SAT solve: optimise each level, fix it, hint the incumbent, go on."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from ortools.sat.python import cp_model

from solvers.check import evaluate, lex_key, verify
from solvers.cpsat.model import AssignmentModel, Objective
from solvers.greedy.solve import solve as greedy_solve
from solvers.problem import Level, LevelKind, LevelResult, Problem, Solution, Status

BACKEND = "cpsat"
MIN_FIRST_LEVEL_SECONDS = 0.05  # the first level always gets a moment to find a solution
LARGE_MODEL_OPTIONS = 50_000  # from this many options, presolve is kept light


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

    errors = problem.check()
    if errors:
        return Solution(
            Status.INVALID, [None] * nd, _empty_levels(problem), elapsed(), BACKEND, errors
        )
    if stop is not None and stop.is_set():
        return Solution(
            Status.UNKNOWN, [None] * nd, _empty_levels(problem), elapsed(), BACKEND, ["stopped"]
        )

    am = AssignmentModel(problem)
    model = am.model
    levels: list[Level | None] = list(problem.levels) or [None]  # None: feasibility only
    total = len(problem.levels)
    # a valid warm start is hinted and kept as the incumbent should CP-SAT find nothing in time
    incumbent, partial_hint = _warm_start(problem)
    if incumbent is not None:
        am.set_hint(incumbent, [])
    else:
        am.set_partial_hint(partial_hint)
    large = len(problem.options) >= LARGE_MODEL_OPTIONS
    bounds = [math.nan] * total
    proven = [False] * total
    seconds = [0.0] * total
    utilisation_objectives: list[tuple[Objective, int, int]] = []
    messages: list[str] = []
    stopped = False

    for i, level in enumerate(levels):
        if level is not None and on_level is not None:
            on_level(level.name, i, total)
        if stop is not None and stop.is_set():
            stopped = True
            break
        remaining = time_limit - elapsed()
        if incumbent is not None and remaining <= 0:
            messages.append("time limit reached before every level was optimised")
            break
        weights = [lv.time_weight if lv is not None else 1.0 for lv in levels[i:]]
        budget = max(remaining, 0.0) * weights[0] / max(sum(weights), 1e-9)
        if incumbent is None:
            budget = max(budget, MIN_FIRST_LEVEL_SECONDS)

        t_level = time.perf_counter()
        objective = am.objective(level) if level is not None else None
        if objective is not None and level is not None and level.kind != LevelKind.LINEAR:
            utilisation_objectives.append((objective, level.dimension, _utilisation_scale(level)))
        if (objective is None or objective.constant) and incumbent is not None:
            if level is not None:
                bounds[i], proven[i] = 0.0, True  # nothing to optimise
            continue
        scale, spread = 1, 0  # combined = scale * level + tie-break, tie-break in [-spread, spread]
        if objective is None or objective.constant:
            model.clear_objective()
        else:
            target = objective.expr
            tie = _tiebreak(problem, level, am) if level is not None else None
            if tie is not None:
                tie_expr, spread = tie
                scale = 2 * spread + 1
                target = scale * objective.expr + (tie_expr if objective.maximize else -tie_expr)
            if objective.maximize:
                model.maximize(target)
            else:
                model.minimize(target)

        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = budget
        params.num_workers = max(1, workers)
        if seed is not None:
            params.random_seed = seed
        if large:
            params.cp_model_probing_level = 0
            params.symmetry_level = 0
            params.max_presolve_iterations = 1
        with _StopWatcher(solver, stop):
            status = solver.solve(model)
        if level is not None:
            seconds[i] = time.perf_counter() - t_level
        interrupted = stop is not None and stop.is_set()

        if status == cp_model.MODEL_INVALID:
            msg = model.validate() or "CP-SAT rejected the model"
            return Solution(
                Status.INVALID, [None] * nd, _empty_levels(problem), elapsed(), BACKEND, [msg]
            )
        if status == cp_model.INFEASIBLE:
            if incumbent is None:
                return Solution(
                    Status.INFEASIBLE,
                    [None] * nd,
                    _empty_levels(problem),
                    elapsed(),
                    BACKEND,
                    _infeasibility_hints(problem),
                )
            messages.append(f"internal: level {i} infeasible after fixing the earlier levels")
            break
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            incumbent = _extract(am, solver)
            if level is not None:
                proven[i] = status == cp_model.OPTIMAL
                bounds[i] = (
                    0.0
                    if objective is None or objective.constant
                    else _integer_bound(
                        _level_bound(
                            solver.best_objective_bound, scale, spread, objective.maximize
                        ),
                        objective.maximize,
                    )
                )
        elif incumbent is None:  # UNKNOWN: nothing found in time
            msg = "stopped before a solution was found" if interrupted else "no solution in time"
            return Solution(
                Status.UNKNOWN, [None] * nd, _empty_levels(problem), elapsed(), BACKEND, [msg]
            )
        elif level is not None:
            messages.append(f"level {level.name}: no better solution in time; kept the incumbent")

        if level is None or objective is None:
            break
        value = evaluate(problem, incumbent)[i]
        # with a tie-break the solver's value is the combined one, so only check plain levels
        plain = proven[i] and not objective.constant and scale == 1
        if plain and abs(solver.objective_value - value) > 1e-6:
            messages.append(
                f"internal: level {level.name}: model value {solver.objective_value} "
                f"differs from evaluate() {value}"
            )
        if interrupted:
            stopped = True
            break
        if i + 1 < len(levels) and not objective.constant:
            v = round(value)
            if proven[i]:
                model.add(objective.expr == v)
            elif objective.maximize:
                model.add(objective.expr >= v)
            else:
                model.add(objective.expr <= v)
            am.set_hint(incumbent, utilisation_objectives)

    if incumbent is None:
        msg = "stopped before a solution was found" if stopped else "no solution"
        return Solution(
            Status.UNKNOWN, [None] * nd, _empty_levels(problem), elapsed(), BACKEND, [msg]
        )
    if stopped:
        messages.append("stopped by the user; returning the best solution found so far")
    values = evaluate(problem, incumbent)
    results = [
        LevelResult(lv.name, values[i], bounds[i], proven[i], seconds[i])
        for i, lv in enumerate(problem.levels)
    ]
    status = Status.OPTIMAL if all(proven) and not stopped else Status.FEASIBLE
    return Solution(status, incumbent, results, elapsed(), BACKEND, messages)


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


def _tiebreak(
    problem: Problem, level: Level, am: AssignmentModel
) -> tuple[cp_model.LinearExprT, int] | None:
    """The level named by `level.tiebreak` as an expression oriented to be maximised, and a bound
    on its absolute value; None when there is none or the combination could overflow."""
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
    tie = am.objective(later)
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
