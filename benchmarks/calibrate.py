"""Time fixed workloads on this machine, so that benchmark runs of different sessions compare.

The machine these benchmarks run on is a shared virtual machine, and its speed drifts: SCIP,
which is deterministic on one thread, proved Chu & Beasley b10200 in the engine (CP-SAT idle)
in 6.4 s in one session and 9.7 s in the next with the same code. A report's wall times and
the gaps reached within a time limit only compare with another report's when the machine was
about as fast, so `benchmarks/run.py` times these workloads at the start and at the end of
each run.

Each workload does the same work every time and on every commit: it builds its own model of a
GAP instance from `benchmarks/instances/` (not the engine's, which changes) and checks its
result (`value`), so a different value means different work, not a different machine.

- `python`: a dictionary loop in the interpreter (the planner's compile and the engine's
  Python-side searches);
- `cpsat`: CP-SAT with 1 worker and seed 0 on Chu & Beasley c10200, stopped at a fixed
  deterministic time (its own work unit, independent of the clock);
- `scip`: SCIP (from OR-Tools, one thread) solving Chu & Beasley c05100 to its optimum.

Reported: the shortest of `repeats` timings per workload (the one least disturbed by other
work), in seconds; lower is faster. `REFERENCE` holds the timings of 2026-11-23, and
`speed` divides them by the measured ones: 1.0 is that day's machine, 0.8 one a fifth slower.

Usage: python benchmarks/calibrate.py [--repeats N]   (prints one JSON object)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

CHU = Path(__file__).resolve().parent / "instances" / "gap" / "chu1997"
CPSAT_INSTANCE, CPSAT_DETERMINISTIC_TIME = "c10200", 0.4
SCIP_INSTANCE = "c05100"
PYTHON_STEPS = 2_000_000
# the shortest of 3 timings on this machine on 2026-11-23 (a slow day: see the docstring)
REFERENCE = {"python": 0.31, "cpsat": 0.89, "scip": 0.80}

Gap = tuple[int, int, list[list[int]], list[list[int]], list[int]]


def read_gap(name: str) -> Gap:
    """m, n, cost[i][j], weight[i][j], capacity[i] of a Chu & Beasley instance."""
    numbers = iter(int(t) for t in (CHU / name).read_text().split())
    m, n = next(numbers), next(numbers)
    cost = [[next(numbers) for _ in range(n)] for _ in range(m)]
    weight = [[next(numbers) for _ in range(n)] for _ in range(m)]
    capacity = [next(numbers) for _ in range(m)]
    return m, n, cost, weight, capacity


def python_loop() -> tuple[float, float]:
    """A dictionary loop of `PYTHON_STEPS` steps: (seconds, a checksum)."""
    t0 = time.perf_counter()
    counts: dict[int, int] = {}
    for k in range(PYTHON_STEPS):
        counts[k % 1000] = counts.get(k % 1000, 0) + k
    return time.perf_counter() - t0, float(sum(counts.values()))


def cpsat_fixed() -> tuple[float, float]:
    """CP-SAT on `CPSAT_INSTANCE` to a fixed deterministic time: (seconds, objective)."""
    m, n, cost, weight, capacity = read_gap(CPSAT_INSTANCE)
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{i}_{j}") for j in range(n)] for i in range(m)]
    for j in range(n):
        model.add_exactly_one(x[i][j] for i in range(m))
    for i in range(m):
        model.add(sum(weight[i][j] * x[i][j] for j in range(n)) <= capacity[i])
    model.minimize(sum(cost[i][j] * x[i][j] for i in range(m) for j in range(n)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = CPSAT_DETERMINISTIC_TIME
    t0 = time.perf_counter()
    status = solver.solve(model)
    seconds = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"calibration: CP-SAT ended with {solver.status_name(status)}")
    return seconds, solver.objective_value


def scip_fixed() -> tuple[float, float]:
    """SCIP solving `SCIP_INSTANCE` to its optimum: (seconds, optimum)."""
    m, n, cost, weight, capacity = read_gap(SCIP_INSTANCE)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - SCIP ships with OR-Tools
        raise RuntimeError("calibration: SCIP is not available")
    x = [[solver.BoolVar(f"x{i}_{j}") for j in range(n)] for i in range(m)]
    for j in range(n):
        solver.Add(sum(x[i][j] for i in range(m)) == 1)
    for i in range(m):
        solver.Add(sum(weight[i][j] * x[i][j] for j in range(n)) <= capacity[i])
    solver.Minimize(sum(cost[i][j] * x[i][j] for i in range(m) for j in range(n)))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    t0 = time.perf_counter()
    status = solver.Solve(params)
    seconds = time.perf_counter() - t0
    if status != pywraplp.Solver.OPTIMAL:
        raise RuntimeError(f"calibration: SCIP ended with status {status}")
    return seconds, solver.Objective().Value()


WORKLOADS: dict[str, Callable[[], tuple[float, float]]] = {
    "python": python_loop,
    "cpsat": cpsat_fixed,
    "scip": scip_fixed,
}


def calibrate(repeats: int = 3) -> dict[str, dict[str, float]]:
    """Per workload: its shortest time of `repeats` (`seconds`), the result it checks
    (`value`) and `speed` against `REFERENCE` (above 1: faster than that day)."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    out: dict[str, dict[str, float]] = {}
    for name, work in WORKLOADS.items():
        runs = [work() for _ in range(repeats)]
        values = {value for _, value in runs}
        if len(values) != 1:
            raise RuntimeError(f"calibration: workload {name} did different work: {values}")
        seconds = min(s for s, _ in runs)
        out[name] = {
            "seconds": round(seconds, 4),
            "value": values.pop(),
            "speed": round(REFERENCE[name] / seconds, 3),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timings per workload")
    args = parser.parse_args(argv)
    print(json.dumps(calibrate(args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
