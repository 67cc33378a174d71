"""Solve a `solvers.Problem` as a MIP with HiGHS (highspy), lexicographically like CP-SAT.

Benchmark-only (extra `bench`): this is "the same model solved with what an operations-research
user would reach for instead", so the report can state the engine's ratio against it.

The MIP is the CP-SAT model of `solvers/cpsat/model.py`, row for row:

- one binary x_o per option; per demand sum x <= 1 (== 1 when `required`); `fixed` sets x = 1;
- per resource and dimension sum load * x <= capacity (only where the options could exceed it);
- `requires=(d, r)`: x_o <= sum of d's options on r (x_o = 0 when there are none, or d is o's own
  demand on another resource); `forbids=(d, r)`: x_o + sum of d's options on r <= 1 (x_o = 0 when
  it forbids its own assignment); `depends_on`: assigned(d) <= assigned(p); `DifferentResources`:
  per shared resource at most one of both demands' options.

Levels, optimised one after the other (each then fixed before the next, as in CP-SAT):

- LINEAR: sum (demand weight + option weight) * x in the level's sense; then fixed with a row
  `== value` when proven optimal, else `>= value` (maximise) or `<= value` (minimise);
- MAX_UTILISATION on dimension k: an integer U with, per resource with capacity c > 0,
  1000 * load - c * U <= c - 1, i.e. U >= floor(1000 * load / c), exactly the integer floor
  semantics of `solvers.check.evaluate`; minimise U; then fixed with U <= value;
- SPREAD on dimension k (quadratic, sum of floor(100 * load / c) ** 2): linearised *exactly*.
  Per resource an integer u = floor(100 * load / c) (two rows: c*u <= 100*load <= c*u + c - 1)
  and a continuous s >= (2j + 1) * u - j * (j + 1) for every integer j in [u_lo, u_hi - 1]: the
  secants of u**2 between consecutive integers, whose maximum at an integer u is exactly u**2;
  minimising sum s makes every s equal u**2. About 100 rows per resource (u is a percentage).
  Then fixed with sum s <= value. `spread="skip"` leaves the level unoptimised instead (value
  reported, no bound, with a note in the messages).

Time: one limit shared over all levels, split exactly like the CP-SAT backend (each level gets
the remaining time x its `time_weight` / the sum of the remaining weights). The incumbent of a
level is passed to the next as a MIP start (it stays feasible after fixing), and kept unless
HiGHS's answer is lexicographically better on this level and the ones after it (so a tie here
keeps what the incumbent had for later levels). The levels' `tiebreak` (a CP-SAT search aid,
not part of a level's value) is not used.

`warm_start`: "hints" (default) gives the demands' `hint` / `fixed` options to the first level
as a partial MIP start (HiGHS completes it), as the CP-SAT backend hints them too; "greedy"
starts, like the CP-SAT backend, from the better valid one of the hints and the greedy backend's
choice (a complete start and incumbent; the greedy time counts in the solve time); "none" starts
from nothing, as a plain MIP user would.

HiGHS settings: mip_rel_gap = 0 (the default 1e-4 would stop early and call it optimal), threads
= workers (HiGHS's branch and bound itself is serial), random_seed = seed, presolve on, logging
off. HiGHS checks its time limit only now and then (at city scale a level overran its 2 s by
30-55 s, in presolve): a run still busy 0.25 s after its limit is cancelled through highspy's
user interrupt (simplex, IPM, branch and bound); presolve cannot be interrupted, so an overrun
there remains and is reported in the messages (the levels after it then get no time);
`presolve=False` switches HiGHS's presolve off (runner flag `--highs-presolve off`). A level is
`proven` when HiGHS reports optimal and the value of the (rounded) choice equals the
integer-rounded dual bound.

Process isolation: `ortools` and `highspy` both ship a shared library named `libhighs.so.1`, of
different HiGHS versions; the dynamic loader keeps the first one loaded, so whichever of the two
is imported second fails (undefined symbol). `solvers` imports ortools, so `solve()` sends the
problem as JSON to a fresh Python process that imports highspy and nothing of this project
(`python benchmarks/highs_backend.py --child IN OUT`), and turns the answer into a
`solvers.Solution`, checked with `solvers.verify` and scored with `solvers.evaluate` in the
caller's process. This module therefore imports only the standard library at the top.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from solvers import Problem, Solution

BACKEND = "highs"
MIN_FIRST_LEVEL_SECONDS = 0.05  # as the CP-SAT backend: the first level always gets a moment
DEADLINE_GRACE_SECONDS = 0.25  # past its time limit, a HiGHS run is cancelled
SPREAD_MODES = ("linear", "skip")
WARM_STARTS = ("hints", "greedy", "none")
_INF = math.inf


# ================================================================================ caller side


@dataclass
class HighsResult:
    """The outcome of one lexicographic HiGHS solve, checked in the caller's process."""

    solution: Solution
    """backend "highs"; level values from `solvers.evaluate`, bounds/proven/seconds from HiGHS"""
    errors: list[str] = field(default_factory=list)
    """`solvers.verify` of the choice: must be empty"""
    build_seconds: float = 0.0
    """building the MIP in the child (part of `solution.seconds`)"""
    overhead_seconds: float = 0.0
    """serialising, starting the child process and reading back (not in `solution.seconds`)"""
    child_peak_mb: float = math.nan
    """peak resident memory of the HiGHS process"""
    highs_version: str = ""

    @property
    def status(self):  # -> solvers.Status
        return self.solution.status

    @property
    def choice(self) -> list[int | None]:
        return self.solution.choice

    @property
    def levels(self):  # -> list[solvers.LevelResult]
        return self.solution.levels


def problem_to_spec(problem: Problem) -> dict[str, Any]:
    """The problem as plain JSON-able data (what the HiGHS process reads)."""
    opts = problem.options
    dims = len(problem.dimension_names)
    return {
        "dims": dims,
        "capacity": [list(r.capacity) for r in problem.resources],
        "required": [int(d.required) for d in problem.demands],
        "depends_on": [-1 if d.depends_on is None else d.depends_on for d in problem.demands],
        "fixed": [-1 if d.fixed is None else d.fixed for d in problem.demands],
        "hint": [-1 if d.hint is None else d.hint for d in problem.demands],
        "opt_demand": [o.demand for o in opts],
        "opt_resource": [o.resource for o in opts],
        "opt_load": [[o.load[k] for o in opts] for k in range(dims)],
        "requires": [[i, *o.requires] for i, o in enumerate(opts) if o.requires is not None],
        "forbids": [[i, *o.forbids] for i, o in enumerate(opts) if o.forbids is not None],
        "different": [[p.a, p.b] for p in problem.different],
        "levels": [
            {
                "name": lv.name,
                "sense": str(lv.sense),
                "kind": str(lv.kind),
                "demand_weights": [[d, w] for d, w in lv.demand_weights.items()],
                "option_weights": [[o, w] for o, w in lv.option_weights.items()],
                "dimension": lv.dimension,
                "time_weight": lv.time_weight,
            }
            for lv in problem.levels
        ],
    }


def _child_command(in_path: Path, out_path: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", str(in_path), str(out_path)]


def _run_child(payload: dict[str, Any], timeout: float) -> tuple[dict[str, Any] | None, str, float]:
    """Run the HiGHS process on `payload`; (answer or None, error text, seconds spent)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="highs-") as tmp:
        in_path, out_path = Path(tmp) / "in.json", Path(tmp) / "out.json"
        in_path.write_text(json.dumps(payload, separators=(",", ":")))
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)  # nothing of this project (nor ortools) in the child
        try:
            proc = subprocess.run(
                _child_command(in_path, out_path),
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None, f"HiGHS process killed after {timeout:.0f} s", time.perf_counter() - t0
        if proc.returncode != 0 or not out_path.exists():
            tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
            return (
                None,
                f"HiGHS process failed (exit {proc.returncode}): {' | '.join(tail)}",
                time.perf_counter() - t0,
            )
        return json.loads(out_path.read_text()), "", time.perf_counter() - t0


def solve(
    problem: Problem,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int | None = None,
    *,
    warm_start: str = "hints",
    spread: str = "linear",
    presolve: bool = True,
    timeout: float | None = None,
) -> HighsResult:
    """Solve `problem` lexicographically with HiGHS within `time_limit` seconds in total.

    Runs HiGHS in a child process (see the module docstring); `timeout` (default
    2 x time_limit + 120 s) kills it should it not return.
    """
    return solve_many(
        [problem],
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        warm_start=warm_start,
        spread=spread,
        presolve=presolve,
        timeout=timeout,
    )[0]


def solve_many(
    problems: list[Problem],
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int | None = None,
    *,
    warm_start: str = "hints",
    spread: str = "linear",
    presolve: bool = True,
    timeout: float | None = None,
) -> list[HighsResult]:
    """`solve` for several problems, one after the other in a single HiGHS process (each with
    its own `time_limit`); used by the tests to keep process start-up out of the loop."""
    from solvers import LevelResult, Solution, Status

    if spread not in SPREAD_MODES:
        raise ValueError(f"spread must be one of {SPREAD_MODES}, got {spread!r}")
    if warm_start not in WARM_STARTS:
        raise ValueError(f"warm_start must be one of {WARM_STARTS}, got {warm_start!r}")
    t0 = time.perf_counter()
    results: list[HighsResult | None] = [None] * len(problems)
    specs: list[dict[str, Any]] = []
    todo: list[int] = []
    start_seconds: dict[int, float] = {}
    for i, problem in enumerate(problems):
        errors = problem.check()
        if errors:
            nan_levels = [
                LevelResult(lv.name, math.nan, math.nan, False, 0.0) for lv in problem.levels
            ]
            sol = Solution(
                Status.INVALID, [None] * len(problem.demands), nan_levels, 0.0, BACKEND, errors
            )
            results[i] = HighsResult(sol)
        else:
            spec = problem_to_spec(problem)
            if warm_start == "greedy":
                t = time.perf_counter()
                start = _best_start(problem)
                spec["start"] = None if start is None else [-1 if o is None else o for o in start]
                start_seconds[i] = time.perf_counter() - t
            specs.append(spec)
            todo.append(i)
    if todo:
        payload = {
            "problems": specs,
            "time_limit": time_limit,
            "workers": workers,
            "seed": seed,
            "warm_start": warm_start,
            "spread": spread,
            "presolve": presolve,
        }
        limit = timeout if timeout is not None else len(todo) * (2 * time_limit + 120)
        answer, error, _ = _run_child(payload, limit)
        answers = answer["results"] if answer else [None] * len(todo)
        for i, raw in zip(todo, answers, strict=True):
            results[i] = _to_result(problems[i], raw, error, answer)
    elapsed = time.perf_counter() - t0
    child_total = sum(r.solution.seconds for r in results if r is not None)
    share = max(elapsed - child_total - sum(start_seconds.values()), 0.0) / max(len(todo), 1)
    for i in todo:
        res = results[i]
        assert res is not None
        res.overhead_seconds = share
        res.solution.seconds += start_seconds.get(i, 0.0)
    return [r for r in results if r is not None]


def _best_start(problem: Problem) -> list[int | None] | None:
    """The CP-SAT backend's warm start: the lexicographically better valid one of the user's
    hints (with the fixed options) and the greedy backend's choice; None when neither is valid."""
    from solvers import evaluate, solve, verify
    from solvers.check import lex_key

    candidates: list[list[int | None]] = []
    if any(d.hint is not None for d in problem.demands):
        candidates.append([d.fixed if d.fixed is not None else d.hint for d in problem.demands])
    candidates.append(solve(problem, backend="greedy").choice)
    valid = [c for c in candidates if not verify(problem, c)]
    if not valid:
        return None
    return max(valid, key=lambda c: lex_key(problem, evaluate(problem, c)))


def _to_result(
    problem: Problem,
    raw: dict[str, Any] | None,
    error: str,
    answer: dict[str, Any] | None,
) -> HighsResult:
    from solvers import LevelResult, Solution, Status, evaluate, verify

    nd = len(problem.demands)
    if raw is None:
        nan_levels = [LevelResult(lv.name, math.nan, math.nan, False, 0.0) for lv in problem.levels]
        return HighsResult(
            Solution(Status.UNKNOWN, [None] * nd, nan_levels, 0.0, BACKEND, [error]),
            errors=[],
        )
    status = Status(raw["status"])
    messages = list(raw["messages"])
    choice: list[int | None] = [None if o < 0 else o for o in raw["choice"]]
    has_choice = status in (Status.OPTIMAL, Status.FEASIBLE)
    values = evaluate(problem, choice) if has_choice else [math.nan] * len(problem.levels)
    levels = []
    for lv, r, v in zip(problem.levels, raw["levels"], values, strict=True):
        if has_choice and r["value"] is not None and abs(r["value"] - v) > 1e-6:
            messages.append(
                f"internal: level {lv.name}: HiGHS side value {r['value']} differs from "
                f"evaluate() {v}"
            )
        bound = math.nan if r["bound"] is None else float(r["bound"])
        levels.append(LevelResult(lv.name, v, bound, bool(r["proven"]), float(r["seconds"])))
    errors = verify(problem, choice) if has_choice else []
    if errors:
        messages.append(f"internal: the HiGHS choice violates {len(errors)} constraint(s)")
    sol = Solution(status, choice, levels, float(raw["seconds"]), BACKEND, messages)
    return HighsResult(
        sol,
        errors=errors,
        build_seconds=float(raw["build_seconds"]),
        child_peak_mb=float(answer["peak_mb"]) if answer else math.nan,
        highs_version=str(answer.get("highs_version", "")) if answer else "",
    )


# ================================================================================ HiGHS side
# Everything below runs in the child process: highspy and numpy only, no project imports.


def _rows() -> dict[str, list]:
    return {"start": [], "index": [], "value": [], "lower": [], "upper": []}


def _add(rows: dict[str, list], idx: list[int], val: list[float], lo: float, hi: float) -> None:
    rows["start"].append(len(rows["index"]))
    rows["index"].extend(idx)
    rows["value"].extend(val)
    rows["lower"].append(lo)
    rows["upper"].append(hi)


class _Lexicographic:
    """The MIP of one problem spec and its lexicographic solve (child process only)."""

    def __init__(self, spec: dict[str, Any], options: dict[str, Any]) -> None:
        import highspy
        import numpy as np

        self.hs, self.np = highspy, np
        self.spec = spec
        self.time_limit = float(options["time_limit"])
        self.warm_start = options["warm_start"]
        self.spread_mode = options["spread"]
        self.presolve = bool(options.get("presolve", True))
        self.start = time.perf_counter()
        self.messages: list[str] = []

        self.nd = len(spec["required"])
        self.nr = len(spec["capacity"])
        self.n = len(spec["opt_demand"])
        self.dims = spec["dims"]
        self.opt_demand: list[int] = spec["opt_demand"]
        self.opt_resource: list[int] = spec["opt_resource"]
        self.loads: list[list[int]] = spec["opt_load"]  # [dimension][option]
        self.per_demand: list[list[int]] = [[] for _ in range(self.nd)]
        self.per_resource: list[list[int]] = [[] for _ in range(self.nr)]
        self.on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (d, r) in enumerate(zip(self.opt_demand, self.opt_resource, strict=True)):
            self.per_demand[d].append(i)
            self.per_resource[r].append(i)
            self.on[(d, r)].append(i)
        self.load_range: list[list[tuple[int, int]]] = []
        # auxiliary columns: (column, kind, resource, dimension); kind "max" | "util" | "sq"
        self.aux: list[tuple[int, str, int, int]] = []
        self.num_col = self.n

        self.h = highspy.Highs()
        h = self.h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("threads", max(1, int(options["workers"])))
        h.HandleUserInterrupt = True  # cancelSolve() can stop simplex, IPM and branch and bound
        if not self.presolve:
            h.setOptionValue("presolve", "off")
        if options.get("seed") is not None:
            h.setOptionValue("random_seed", int(options["seed"]))
        self._build()
        self.build_seconds = time.perf_counter() - self.start

    # ----------------------------------------------------------------------------- model

    def _build(self) -> None:
        np, hs = self.np, self.hs
        spec, n = self.spec, self.n
        col_lower = np.zeros(n)
        col_upper = np.ones(n)
        rows = _rows()
        per, on = self.per_demand, self.on
        for d in range(self.nd):
            ids = per[d]
            if spec["required"][d] and ids:  # without options: infeasible, see run()
                _add(rows, ids, [1.0] * len(ids), 1.0, 1.0)
            elif len(ids) > 1:
                _add(rows, ids, [1.0] * len(ids), -_INF, 1.0)
            f = spec["fixed"][d]
            if f >= 0:
                col_lower[f] = 1.0
        for r in range(self.nr):
            ranges = []
            for k in range(self.dims):
                load = self.loads[k]
                terms = [(i, load[i]) for i in self.per_resource[r] if load[i] != 0]
                lo = sum(c for _, c in terms if c < 0)
                hi = sum(c for _, c in terms if c > 0)
                cap = spec["capacity"][r][k]
                ranges.append((lo, min(hi, cap)))
                if hi > cap:
                    _add(rows, [i for i, _ in terms], [float(c) for _, c in terms], -_INF, cap)
            self.load_range.append(ranges)
        for i, d2, r2 in spec["requires"]:
            d, r = self.opt_demand[i], self.opt_resource[i]
            if (d2, r2) == (d, r):
                continue
            others = on.get((d2, r2), [])
            if not others or d2 == d:
                col_upper[i] = 0.0
            else:
                _add(rows, [i, *others], [1.0] + [-1.0] * len(others), -_INF, 0.0)
        for i, d2, r2 in spec["forbids"]:
            d, r = self.opt_demand[i], self.opt_resource[i]
            others = on.get((d2, r2), [])
            if (d2, r2) == (d, r):
                col_upper[i] = 0.0
            elif others and d2 != d:
                _add(rows, [i, *others], [1.0] * (1 + len(others)), -_INF, 1.0)
        for d, p in enumerate(spec["depends_on"]):
            if p < 0 or p == d or not per[d]:
                continue
            if not per[p]:
                for i in per[d]:
                    col_upper[i] = 0.0
            else:
                _add(rows, per[d] + per[p], [1.0] * len(per[d]) + [-1.0] * len(per[p]), -_INF, 0)
        for a, b in spec["different"]:
            shared = {self.opt_resource[i] for i in per[a]} & {self.opt_resource[i] for i in per[b]}
            for r in sorted(shared):
                ids = on[(a, r)] + on[(b, r)]
                _add(rows, ids, [1.0] * len(ids), -_INF, 1.0)
        fixed_up = col_lower > col_upper  # a fixed option that is never allowed
        if fixed_up.any():
            col_upper[fixed_up] = 1.0
            for i in np.nonzero(fixed_up)[0]:
                _add(rows, [int(i)], [1.0], -_INF, 0.0)  # keeps the model infeasible, honestly

        lp = hs.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(rows["lower"])
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = col_lower
        lp.col_upper_ = col_upper
        lp.row_lower_ = np.array(rows["lower"], dtype=float)
        lp.row_upper_ = np.array(rows["upper"], dtype=float)
        a = lp.a_matrix_
        a.format_ = hs.MatrixFormat.kRowwise
        a.num_col_ = n
        a.num_row_ = lp.num_row_
        a.start_ = np.array([*rows["start"], len(rows["index"])], dtype=np.int32)
        a.index_ = np.array(rows["index"], dtype=np.int32)
        a.value_ = np.array(rows["value"], dtype=float)
        lp.a_matrix_ = a
        self.h.passModel(lp)
        if n:
            self.h.changeColsIntegrality(
                n, np.arange(n, dtype=np.int32), np.full(n, 1, dtype=np.uint8)
            )

    def _add_cols(self, lower: list[float], upper: list[float], integer: bool) -> list[int]:
        np = self.np
        m = len(lower)
        first = self.num_col
        self.h.addCols(
            m,
            np.zeros(m),
            np.array(lower, dtype=float),
            np.array(upper, dtype=float),
            0,
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        ids = list(range(first, first + m))
        if integer and m:
            self.h.changeColsIntegrality(
                m, np.array(ids, dtype=np.int32), np.full(m, 1, dtype=np.uint8)
            )
        self.num_col += m
        return ids

    def _pass_rows(self, rows: dict[str, list]) -> None:
        np = self.np
        m = len(rows["lower"])
        if not m:
            return
        self.h.addRows(
            m,
            np.array(rows["lower"], dtype=float),
            np.array(rows["upper"], dtype=float),
            len(rows["index"]),
            np.array(rows["start"], dtype=np.int32),
            np.array(rows["index"], dtype=np.int32),
            np.array(rows["value"], dtype=float),
        )

    def _utilisation_terms(self, k: int, scale: int) -> list[tuple[int, int, list[int], int, int]]:
        """(resource, capacity, varying option ids, util_lo, util_hi) per resource with c > 0."""
        out = []
        load = self.loads[k]
        for r in range(self.nr):
            cap = self.spec["capacity"][r][k]
            if cap <= 0:
                continue
            ids = [i for i in self.per_resource[r] if load[i] != 0]
            lo, hi = self.load_range[r][k]
            out.append((r, cap, ids, (scale * lo) // cap, (scale * hi) // cap))
        return out

    def objective(self, level: dict[str, Any]) -> tuple[dict[int, float], bool] | None:
        """Column costs of a level and whether it is maximised; None when it is constant.

        Utilisation levels add their auxiliary columns and rows here."""
        kind = level["kind"]
        if kind == "linear":
            coef: dict[int, float] = defaultdict(float)
            for o, w in level["option_weights"]:
                coef[o] += w
            for d, w in level["demand_weights"]:
                if w:
                    for o in self.per_demand[d]:
                        coef[o] += w
            costs = {o: c for o, c in coef.items() if c != 0}
            return (costs, level["sense"] == "max") if costs else None
        k = level["dimension"]
        load = self.loads[k]
        if kind == "max_utilisation":
            terms = self._utilisation_terms(k, 1000)
            if not any(ids for _, _, ids, _, _ in terms):
                return None
            lo = max(t[3] for t in terms)
            hi = max(max(t[4] for t in terms), lo)
            (u,) = self._add_cols([lo], [hi], integer=True)
            self.aux.append((u, "max", -1, k))
            rows = _rows()
            for _, cap, ids, _, _ in terms:
                if ids:
                    # floor(1000 * load / cap) <= U  <=>  1000 * load - cap * U <= cap - 1
                    _add(rows, [*ids, u], [1000.0 * load[i] for i in ids] + [-cap], -_INF, cap - 1)
            self._pass_rows(rows)
            return {u: 1.0}, False
        # spread
        terms = [t for t in self._utilisation_terms(k, 100) if t[2]]
        if not terms:
            return None
        utils = self._add_cols(
            [t[3] for t in terms], [max(t[4], t[3]) for t in terms], integer=True
        )
        sq_lo, sq_hi = [], []
        for _, _, _, u_lo, u_hi0 in terms:
            u_hi = max(u_hi0, u_lo)
            sq_lo.append(float(u_lo * u_lo) if u_lo == u_hi else 0.0)
            sq_hi.append(float(max(u_lo * u_lo, u_hi * u_hi)))
        squares = self._add_cols(sq_lo, sq_hi, integer=False)
        rows = _rows()
        for (r, cap, ids, u_lo, u_hi0), u, s in zip(terms, utils, squares, strict=True):
            self.aux += [(u, "util", r, k), (s, "sq", r, k)]
            hundred = [100.0 * load[i] for i in ids]
            # u = floor(100 * load / cap): cap * u <= 100 * load <= cap * u + cap - 1
            _add(rows, [*ids, u], [-v for v in hundred] + [cap], -_INF, 0.0)
            _add(rows, [*ids, u], [*hundred, -cap], -_INF, cap - 1)
            for j in range(u_lo, max(u_hi0, u_lo)):
                # s >= (2j + 1) u - j (j + 1): the secant of u**2 through j and j + 1
                _add(rows, [s, u], [1.0, -(2.0 * j + 1.0)], -float(j * (j + 1)), _INF)
        self._pass_rows(rows)
        return {s: 1.0 for s in squares}, False

    # ----------------------------------------------------------------------------- values

    def _resource_loads(self, choice: list[int]) -> list[list[int]]:
        loads = [[0] * self.dims for _ in range(self.nr)]
        for o in choice:
            if o >= 0:
                r = self.opt_resource[o]
                for k in range(self.dims):
                    loads[r][k] += self.loads[k][o]
        return loads

    def evaluate(self, choice: list[int]) -> list[float]:
        """Level values as `solvers.check.evaluate` defines them (re-checked by the caller)."""
        loads = self._resource_loads(choice)
        out: list[float] = []
        chosen = [(d, o) for d, o in enumerate(choice) if o >= 0]
        caps = self.spec["capacity"]
        for lv in self.spec["levels"]:
            if lv["kind"] == "linear":
                dw, ow = dict(lv["demand_weights"]), dict(lv["option_weights"])
                out.append(float(sum(dw.get(d, 0) + ow.get(o, 0) for d, o in chosen)))
                continue
            k = lv["dimension"]
            scale = 1000 if lv["kind"] == "max_utilisation" else 100
            utils = [(scale * loads[r][k]) // caps[r][k] for r in range(self.nr) if caps[r][k] > 0]
            if lv["kind"] == "max_utilisation":
                out.append(float(max(utils, default=0)))
            else:
                out.append(float(sum(u * u for u in utils)))
        return out

    def _key(self, choice: list[int], first: int) -> tuple[float, ...]:
        """Larger is better: the values of levels `first`.. oriented to be maximised."""
        values = self.evaluate(choice)
        return tuple(
            v if lv["kind"] == "linear" and lv["sense"] == "max" else -v
            for lv, v in list(zip(self.spec["levels"], values, strict=True))[first:]
        )

    def _column_values(self, choice: list[int]):
        """A complete MIP start: the choice plus its auxiliary column values."""
        values = self.np.zeros(self.num_col)
        for o in choice:
            if o >= 0:
                values[o] = 1.0
        if self.aux:
            loads = self._resource_loads(choice)
            caps = self.spec["capacity"]
            for col, kind, r, k in self.aux:
                if kind == "max":
                    values[col] = max(
                        (
                            (1000 * loads[r2][k]) // caps[r2][k]
                            for r2 in range(self.nr)
                            if caps[r2][k] > 0
                        ),
                        default=0,
                    )
                else:
                    u = (100 * loads[r][k]) // caps[r][k]
                    values[col] = u if kind == "util" else u * u
        return values

    def _extract(self, col_value) -> list[int]:
        np = self.np
        x = np.asarray(col_value[: self.n])
        choice = [-1] * self.nd
        for o in np.nonzero(x > 0.5)[0]:
            choice[self.opt_demand[int(o)]] = int(o)
        return choice

    # ----------------------------------------------------------------------------- solve

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def _set_costs(self, costs: dict[int, float], previous: list[int]) -> list[int]:
        np, h = self.np, self.h
        if previous:
            h.changeColsCost(
                len(previous), np.array(previous, dtype=np.int32), np.zeros(len(previous))
            )
        ids = list(costs)
        if ids:
            h.changeColsCost(
                len(ids), np.array(ids, dtype=np.int32), np.array([costs[i] for i in ids])
            )
        return ids

    def _fix(self, level: dict[str, Any], costs: dict[int, float], value: float, proven: bool):
        """Keep the level at its value (or at least as good) for the levels after it."""
        np, h = self.np, self.h
        v = float(round(value))
        kind = level["kind"]
        if kind == "max_utilisation":
            (u,) = costs
            h.changeColsBounds(1, np.array([u], dtype=np.int32), np.array([-_INF]), np.array([v]))
            return
        ids = list(costs)
        if kind == "spread":
            lo, hi = -_INF, v
        elif proven:
            lo, hi = v, v
        elif level["sense"] == "max":
            lo, hi = v, _INF
        else:
            lo, hi = -_INF, v
        rows = _rows()
        _add(rows, ids, [costs[i] for i in ids], lo, hi)
        self._pass_rows(rows)

    def _run_until(self, limit: float, level: dict[str, Any] | None) -> None:
        """`run()` with HiGHS's time limit, and a deadline: HiGHS checks its limit only now and
        then, so after the limit (+ a grace) the solve is cancelled through the user-interrupt
        callbacks. Presolve checks neither: an overrun there is reported in the messages."""
        h = self.h
        h.setOptionValue("time_limit", limit)
        t0 = time.perf_counter()
        h.startSolve()
        finished, _ = h.wait(limit + DEADLINE_GRACE_SECONDS)
        if not finished:
            h.cancelSolve()
            h.wait()
        over = time.perf_counter() - t0 - limit
        if over > DEADLINE_GRACE_SECONDS:
            name = level["name"] if level is not None else "feasibility"
            self.messages.append(
                f"level {name}: HiGHS overran its {limit:.2f} s limit by {over:.2f} s "
                "(interrupted; presolve cannot be)"
            )

    def _partial_start(self) -> None:
        """Hinted and fixed options as a partial MIP start for the first level."""
        spec = self.spec
        ids = sorted(
            {f if f >= 0 else hnt for f, hnt in zip(spec["fixed"], spec["hint"], strict=True)}
            - {-1}
        )
        if ids:
            np = self.np
            self.h.setSolution(len(ids), np.array(ids, dtype=np.int32), np.ones(len(ids)))

    def run(self) -> dict[str, Any]:
        hs, h = self.hs, self.h
        levels = self.spec["levels"]
        total = len(levels)
        nan_levels = [
            {"value": None, "bound": None, "proven": False, "seconds": 0.0} for _ in levels
        ]

        def result(status: str, choice: list[int] | None, out_levels) -> dict[str, Any]:
            return {
                "status": status,
                "choice": choice if choice is not None else [-1] * self.nd,
                "levels": out_levels,
                "messages": self.messages,
                "build_seconds": self.build_seconds,
                "seconds": self.elapsed(),
            }

        missing = [d for d in range(self.nd) if self.spec["required"][d] and not self.per_demand[d]]
        if missing:
            self.messages.append(f"required demand {missing[0]} has no options")
            return result("infeasible", None, nan_levels)

        incumbent: list[int] | None = None
        bounds: list[float | None] = [None] * total
        proven = [False] * total
        seconds = [0.0] * total
        previous_costs: list[int] = []
        run_levels: list[dict[str, Any] | None] = list(levels) or [None]  # None: feasibility
        start = self.spec.get("start")
        if start is not None:  # a valid complete start (warm_start="greedy")
            incumbent = list(start)
        elif self.warm_start in ("hints", "greedy"):
            self._partial_start()
        for i, level in enumerate(run_levels):
            remaining = self.time_limit - self.elapsed()
            if incumbent is not None and remaining <= 0:
                self.messages.append("time limit reached before every level was optimised")
                break
            weights = [lv["time_weight"] if lv is not None else 1.0 for lv in run_levels[i:]]
            budget = max(remaining, 0.0) * weights[0] / max(sum(weights), 1e-9)
            if incumbent is None:
                budget = max(budget, MIN_FIRST_LEVEL_SECONDS)
            t_level = time.perf_counter()
            skip = level is not None and level["kind"] == "spread" and self.spread_mode == "skip"
            if skip and incumbent is not None:
                self.messages.append(
                    f"level {level['name']}: SPREAD not optimised (spread='skip'); value of "
                    "the incumbent reported without a bound"
                )
                seconds[i] = time.perf_counter() - t_level
                continue
            obj = None if level is None or skip else self.objective(level)
            if obj is None and incumbent is not None:
                if level is not None:
                    bounds[i] = self.evaluate(incumbent)[i]
                    proven[i] = True
                seconds[i] = time.perf_counter() - t_level
                continue
            costs, maximize = obj if obj is not None else ({}, False)
            previous_costs = self._set_costs(costs, previous_costs)
            h.changeObjectiveSense(hs.ObjSense.kMaximize if maximize else hs.ObjSense.kMinimize)
            if incumbent is not None:
                h.setSolution(self._solution(incumbent))
            self._run_until(max(budget - (time.perf_counter() - t_level), 0.01), level)
            status = h.getModelStatus()
            info = h.getInfo()
            has_solution = info.primal_solution_status == hs.SolutionStatus.kSolutionStatusFeasible
            if level is not None:
                seconds[i] = time.perf_counter() - t_level
            ms = hs.HighsModelStatus
            if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible) and not has_solution:
                if incumbent is None:
                    self.messages.append("no choice satisfies all required demands and constraints")
                    return result("infeasible", None, nan_levels)
                self.messages.append(f"internal: level {i} infeasible after fixing earlier levels")
                break
            if has_solution:
                candidate = self._extract(h.getSolution().col_value)
                if incumbent is None or level is None:
                    incumbent = candidate
                else:
                    # lexicographically on this level and the ones after it: a candidate that
                    # only ties here must not lose what the incumbent had for the later levels
                    if self._key(candidate, i) > self._key(incumbent, i):
                        incumbent = candidate
            elif incumbent is None:
                self.messages.append("no solution in time")
                return result("unknown", None, nan_levels)
            else:
                self.messages.append(
                    f"level {level['name']}: no solution in time; kept the incumbent"
                )
            if level is None:
                break
            value = self.evaluate(incumbent)[i]
            raw = info.mip_dual_bound
            if has_solution and not skip and math.isfinite(raw):
                b = math.floor(raw + 1e-6) if maximize else math.ceil(raw - 1e-6)
                bounds[i] = float(b)
                proven[i] = status == ms.kOptimal and b == value
                if status == ms.kOptimal and b != value:
                    self.messages.append(
                        f"level {level['name']}: HiGHS optimal {info.objective_function_value} "
                        f"but the rounded choice scores {value}"
                    )
            if i + 1 < len(run_levels):
                self._fix(level, costs, value, proven[i])
        if incumbent is None:
            return result("unknown", None, nan_levels)
        values = self.evaluate(incumbent)
        out_levels = [
            {"value": values[i], "bound": bounds[i], "proven": proven[i], "seconds": seconds[i]}
            for i in range(total)
        ]
        return result("optimal" if all(proven) else "feasible", incumbent, out_levels)

    def _solution(self, choice: list[int]):
        sol = self.hs.HighsSolution()
        sol.col_value = self._column_values(choice)
        sol.value_valid = True
        return sol


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB: VmHWM from /proc (per address space, so a
    child started by fork + exec does not inherit its parent's peak, as `ru_maxrss` does on
    Linux), else `getrusage(RUSAGE_SELF).ru_maxrss`."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def solve_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Solve every problem spec of `payload` here (needs highspy; never import ortools first)."""
    import highspy

    results = []
    keys = ("time_limit", "workers", "seed", "warm_start", "spread", "presolve")
    options = {k: payload.get(k) for k in keys}
    for spec in payload["problems"]:
        results.append(_Lexicographic(spec, options).run())
    version = highspy.Highs().version()
    return {"results": results, "peak_mb": peak_rss_mb(), "highs_version": version}


def _child_main(argv: list[str]) -> int:
    in_path, out_path = Path(argv[0]), Path(argv[1])
    if "ortools" in sys.modules:  # pragma: no cover - guards the process isolation
        print("highs_backend child: ortools is loaded; HiGHS would clash with it", file=sys.stderr)
        return 3
    answer = solve_payload(json.loads(in_path.read_text()))
    out_path.write_text(json.dumps(answer, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(_child_main(sys.argv[2:]))
    print(
        "usage: python benchmarks/highs_backend.py --child IN.json OUT.json (internal; "
        "use benchmarks.highs_backend.solve)",
        file=sys.stderr,
    )
    sys.exit(2)
