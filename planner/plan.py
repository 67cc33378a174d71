"""Make a plan: compile the team, run an engine backend, decode the answer into domain terms."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from planner.compile import BrokenPin, Compiled, DemandMeta, compile_team
from planner.facts import Context
from planner.model import Role, Trigger
from solvers import LevelResult, Solution, Status, solve

SOLVERS = ("cpsat", "greedy")


@dataclass(frozen=True)
class Assignment:
    family_id: str
    role: Role
    professional_id: str
    case_id: str | None = None
    trigger: Trigger | None = None


@dataclass
class Plan:
    assignments: list[Assignment]
    self_covered: list[Assignment]  # consults covered by a primary who qualifies
    unplaced: list[DemandMeta]  # waiting primaries, and missing backups/consults of placed ones
    status: str
    levels: list[LevelResult]
    level_labels: dict[str, str]
    seconds: float
    solver: str
    broken_pins: list[BrokenPin] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def primary_of(self) -> dict[str, str]:
        return {a.family_id: a.professional_id for a in self.assignments if a.role == Role.PRIMARY}

    def backup_of(self) -> dict[str, str]:
        return {a.family_id: a.professional_id for a in self.assignments if a.role == Role.BACKUP}


def decode(compiled: Compiled, solution: Solution, solver: str) -> Plan:
    problem = compiled.problem
    assignments: list[Assignment] = []
    covered: list[Assignment] = []
    unplaced: list[DemandMeta] = []
    placed_families = set()
    for d, meta in enumerate(compiled.meta):
        opt = solution.choice[d]
        if opt is None:
            continue
        if meta.role == Role.PRIMARY:
            placed_families.add(meta.family_id)
    for d, meta in enumerate(compiled.meta):
        opt = solution.choice[d]
        if opt is None:
            if meta.role == Role.PRIMARY or meta.family_id in placed_families:
                unplaced.append(meta)
            continue
        pid = compiled.pro_ids[problem.options[opt].resource]
        a = Assignment(meta.family_id, meta.role, pid, meta.case_id, meta.trigger)
        (covered if opt in compiled.self_cover else assignments).append(a)
    return Plan(
        assignments=assignments,
        self_covered=covered,
        unplaced=unplaced,
        status=solution.status.value,
        levels=solution.levels,
        level_labels=compiled.level_labels,
        seconds=solution.seconds,
        solver=solver,
        broken_pins=compiled.broken_pins,
        messages=solution.messages,
    )


MIN_SEARCH_SECONDS = 0.5
"""The search always gets this long, even when compiling used up the time limit."""


def make_plan(
    ctx: Context,
    solver: str = "cpsat",
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    on_level: Callable[[str, int, int], None] | None = None,
    stop=None,
    stable: bool = False,
    on_compiled: Callable[[Compiled], None] | None = None,
) -> Plan:
    """Plan a dataset within `time_limit` seconds (compiling included; the search gets at least
    `MIN_SEARCH_SECONDS`). `solver="greedy"` is the hand-made baseline (see `compile_team`).

    `stable` re-plans with as few moves as possible: a family only changes professional when it
    must (see `compile_team`). `on_compiled` sees the compiled problem (its level labels, for
    progress) before the search starts."""
    if solver not in SOLVERS:
        raise ValueError(f"onbekende solver {solver!r}; kies uit {', '.join(SOLVERS)}")
    start = time.perf_counter()
    compiled = compile_team(ctx, baseline=solver == "greedy", stable=stable)
    if on_compiled is not None:
        on_compiled(compiled)
    # the time limit covers the whole plan: what compiling took is not left for the search
    limit = time_limit if time_limit is not None else ctx.policy.time_limit
    search = max(MIN_SEARCH_SECONDS, limit - (time.perf_counter() - start))
    solution = solve(
        compiled.problem,
        backend=solver,
        time_limit=search,
        workers=workers if workers is not None else ctx.policy.workers,
        on_level=on_level,
        stop=stop,
    )
    plan = decode(compiled, solution, solver)
    plan.seconds = time.perf_counter() - start
    if stable:
        primary = plan.primary_of()
        current = {f: fam.current_primary for f, fam in ctx.families.items() if fam.current_primary}
        kept = sum(1 for f, pid in current.items() if primary.get(f) == pid)
        plan.messages.append(
            f"stabiel herplannen: {kept} van {len(current)} gezinnen houden hun hoofdbehandelaar; "
            "de anderen moesten wisselen (professional mag of kan niet meer, of plaats nodig voor "
            "een urgenter gezin)"
        )
    if solution.status in (Status.INVALID, Status.UNKNOWN, Status.INFEASIBLE):
        plan.messages.append(f"solver status {solution.status.value}")
    return plan
