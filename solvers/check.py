"""Solver-independent checking and scoring of a choice (one option index or None per demand).

`verify` lists every violated constraint; `evaluate` computes every level exactly as the CP-SAT
model defines it (integer floor semantics). Pure Python, no solver needed.
"""

from __future__ import annotations

from collections.abc import Sequence

from solvers.problem import LevelKind, Problem, Sense


def _resource_of(problem: Problem, choice: Sequence[int | None]) -> list[int | None]:
    """Resource per demand for well-formed entries; None when unassigned or malformed."""
    options = problem.options
    res: list[int | None] = [None] * len(problem.demands)
    for d, o in enumerate(choice[: len(res)]):
        if o is not None and 0 <= o < len(options) and options[o].demand == d:
            res[d] = options[o].resource
    return res


def _loads(problem: Problem, choice: Sequence[int | None]) -> list[list[int]]:
    """Load per resource per dimension of the well-formed chosen options."""
    dims = len(problem.dimension_names)
    loads = [[0] * dims for _ in problem.resources]
    options = problem.options
    for d, o in enumerate(choice[: len(problem.demands)]):
        if o is not None and 0 <= o < len(options) and options[o].demand == d:
            opt = options[o]
            row = loads[opt.resource]
            for k, amount in enumerate(opt.load):
                row[k] += amount
    return loads


def verify(problem: Problem, choice: Sequence[int | None]) -> list[str]:
    """Every violated constraint of `choice`, in plain English; empty when the choice is valid."""
    demands, options, resources = problem.demands, problem.options, problem.resources
    if len(choice) != len(demands):
        return [f"choice has {len(choice)} entries, expected one per demand ({len(demands)})"]
    errors: list[str] = []
    for d, o in enumerate(choice):
        if o is None:
            continue
        if not 0 <= o < len(options):
            errors.append(f"demand {demands[d].id}: option {o} does not exist")
        elif options[o].demand != d:
            other = options[o].demand
            errors.append(
                f"demand {demands[d].id}: option {o} belongs to demand {demands[other].id}"
            )
    res = _resource_of(problem, choice)

    def rid(r: int) -> str:
        return resources[r].id

    for d, dem in enumerate(demands):
        if dem.required and choice[d] is None:
            errors.append(f"required demand {dem.id} is unassigned")
        if dem.fixed is not None and choice[d] != dem.fixed:
            errors.append(f"demand {dem.id} must take fixed option {dem.fixed}, has {choice[d]}")
        p = dem.depends_on
        if p is not None and res[d] is not None and res[p] is None:
            errors.append(f"demand {dem.id} is assigned but {demands[p].id} it depends on is not")
    for r, row in enumerate(_loads(problem, choice)):
        for k, amount in enumerate(row):
            cap = resources[r].capacity[k]
            if amount > cap:
                name = problem.dimension_names[k]
                errors.append(f"resource {rid(r)} over capacity on {name}: {amount} > {cap}")
    for d, o in enumerate(choice):
        if o is None or res[d] is None:
            continue
        opt = options[o]  # type: ignore[index]
        if opt.requires is not None:
            d2, r2 = opt.requires
            if res[d2] != r2:
                errors.append(
                    f"demand {demands[d].id}: option {o} requires demand {demands[d2].id} "
                    f"on resource {rid(r2)}"
                )
        if opt.forbids is not None:
            d2, r2 = opt.forbids
            if res[d2] == r2:
                errors.append(
                    f"demand {demands[d].id}: option {o} forbids demand {demands[d2].id} "
                    f"on resource {rid(r2)}"
                )
    for pair in problem.different:
        ra = res[pair.a]
        if ra is not None and ra == res[pair.b]:
            errors.append(
                f"demands {demands[pair.a].id} and {demands[pair.b].id} share resource {rid(ra)}"
            )
    return errors


def evaluate(problem: Problem, choice: Sequence[int | None]) -> list[float]:
    """The value of every level for `choice` (same definitions as the CP-SAT model)."""
    options = problem.options
    chosen = [
        (d, o)
        for d, o in enumerate(choice[: len(problem.demands)])
        if o is not None and 0 <= o < len(options) and options[o].demand == d
    ]
    loads: list[list[int]] | None = None
    values: list[float] = []
    for lv in problem.levels:
        if lv.kind == LevelKind.LINEAR:
            dw, ow = lv.demand_weights, lv.option_weights
            values.append(float(sum(dw.get(d, 0) + ow.get(o, 0) for d, o in chosen)))
            continue
        if loads is None:
            loads = _loads(problem, choice)
        k = lv.dimension
        scale = 1000 if lv.kind == LevelKind.MAX_UTILISATION else 100
        utils = [
            (scale * loads[r][k]) // res.capacity[k]
            for r, res in enumerate(problem.resources)
            if res.capacity[k] > 0
        ]
        if lv.kind == LevelKind.MAX_UTILISATION:
            values.append(float(max(utils, default=0)))
        else:
            values.append(float(sum(u * u for u in utils)))
    return values


def lex_key(problem: Problem, values: Sequence[float]) -> tuple[float, ...]:
    """A key that is larger for lexicographically better level values (compare with max())."""
    key: list[float] = []
    for lv, v in zip(problem.levels, values, strict=True):
        maximize = lv.kind == LevelKind.LINEAR and lv.sense == Sense.MAXIMIZE
        key.append(v if maximize else -v)
    return tuple(key)
