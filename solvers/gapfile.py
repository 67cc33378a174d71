"""Read the OR-Library generalized assignment (GAP) format into a `Problem`.

Format (whitespace separated): ``m n``, m rows of n costs, m rows of n weights, m capacities.
Jobs become required demands, agents become resources; an option per (job, agent) pair whose
weight fits the agent's capacity. One LINEAR level "cost" on the option weights.
"""

from __future__ import annotations

from pathlib import Path

from solvers.problem import Demand, Level, LevelKind, Option, Problem, Resource, Sense


class GapFormatError(ValueError):
    """The text is not a single OR-Library GAP instance."""


def parse_gap(text: str, maximize: bool = False) -> Problem:
    """Build a Problem from the text of one GAP instance (minimise cost unless `maximize`)."""
    try:
        numbers = [int(tok) for tok in text.split()]
    except ValueError as exc:
        raise GapFormatError(f"non-integer token: {exc}") from None
    if len(numbers) < 2:
        raise GapFormatError("expected 'm n' at the start")
    m, n = numbers[0], numbers[1]
    if m <= 0 or n <= 0:
        raise GapFormatError(f"expected positive m and n, got {m} {n}")
    expected = 2 + 2 * m * n + m
    if len(numbers) != expected:
        raise GapFormatError(f"expected {expected} numbers for m={m}, n={n}, got {len(numbers)}")
    cost = numbers[2 : 2 + m * n]
    weight = numbers[2 + m * n : 2 + 2 * m * n]
    capacity = numbers[2 + 2 * m * n :]
    resources = [Resource(f"agent{i}", (capacity[i],)) for i in range(m)]
    demands = [Demand(f"job{j}", required=True) for j in range(n)]
    options: list[Option] = []
    weights: dict[int, int] = {}
    for j in range(n):
        for i in range(m):
            w = weight[i * n + j]
            if w > capacity[i]:
                continue
            weights[len(options)] = cost[i * n + j]
            options.append(Option(j, i, (w,)))
    sense = Sense.MAXIMIZE if maximize else Sense.MINIMIZE
    level = Level("cost", sense=sense, kind=LevelKind.LINEAR, option_weights=weights)
    return Problem(resources, demands, options, [level], dimension_names=("weight",))


def read_gap(path: str | Path, maximize: bool = False) -> Problem:
    """Read a GAP instance file (raises OSError or GapFormatError)."""
    return parse_gap(Path(path).read_text(), maximize=maximize)
