"""Domain-free assignment engine: a generic problem, a CP-SAT backend and a greedy baseline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from solvers.check import evaluate, verify
from solvers.cpsat.solve import StopFlag
from solvers.problem import (
    Demand,
    DifferentResources,
    Level,
    LevelKind,
    LevelResult,
    Option,
    Problem,
    Resource,
    Sense,
    Solution,
    Status,
)

Backend = Literal["cpsat", "greedy"]
BACKENDS: tuple[str, ...] = ("cpsat", "greedy")


def solve(
    problem: Problem,
    backend: Backend = "cpsat",
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int | None = None,
    on_level: Callable[[str, int, int], None] | None = None,
    stop: StopFlag | None = None,
) -> Solution:
    """Solve `problem` with the chosen backend.

    `time_limit` is the total for all levels in seconds; `on_level(name, index, total)` is called
    as each level starts (index from 0); setting `stop` (e.g. a `threading.Event`) ends the
    search and returns the best solution found so far. The greedy backend ignores the solver
    arguments.
    """
    if backend == "cpsat":
        from solvers.cpsat import solve as run
    elif backend == "greedy":
        from solvers.greedy import solve as run
    else:
        raise ValueError(f"unknown backend {backend!r}, expected one of {BACKENDS}")
    return run(
        problem, time_limit=time_limit, workers=workers, seed=seed, on_level=on_level, stop=stop
    )


__all__ = [
    "BACKENDS",
    "Backend",
    "Demand",
    "DifferentResources",
    "Level",
    "LevelKind",
    "LevelResult",
    "Option",
    "Problem",
    "Resource",
    "Sense",
    "Solution",
    "Status",
    "StopFlag",
    "evaluate",
    "solve",
    "verify",
]
