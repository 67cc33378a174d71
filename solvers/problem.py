"""A generic, domain-free assignment problem (a generalized assignment problem with extras).

Vocabulary:

- A *demand* is something that needs one resource (a job, a role). It is satisfied by choosing at
  most one of its *options*; a `required` demand must choose exactly one.
- A *resource* has a capacity per dimension (integers; scale real quantities before building).
- An *option* is an eligible (demand, resource) pair with a load per dimension. A demand may have
  several options on the same resource (e.g. with different loads under different conditions).
  An option may be *conditional*: `requires=(d, r)` allows it only if demand d is assigned to
  resource r; `forbids=(d, r)` allows it only if demand d is NOT assigned to resource r.
- `depends_on`: a demand may be assigned only if another demand is assigned.
- `DifferentResources(a, b)`: demands a and b may not be assigned to the same resource.
- `fixed`: an option index the demand must take. `hint`: an option index to start from.
- Objectives are *lexicographic levels*, optimised one after the other; each level is fixed at its
  value (or at least at the best value found) before the next one is optimised.

Nothing here knows what a demand or resource means to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Sense(StrEnum):
    MAXIMIZE = "max"
    MINIMIZE = "min"


class LevelKind(StrEnum):
    LINEAR = "linear"
    """sum of demand_weights[d] * assigned(d) + option_weights[o] * chosen(o)"""
    MAX_UTILISATION = "max_utilisation"
    """minimise the highest load/capacity ratio (in permille) over resources on `dimension`

    Exactly: max over resources with capacity > 0 of floor(1000 * load / capacity), 0 if none.
    Always minimised; `sense` is ignored."""
    SPREAD = "spread"
    """minimise the sum over resources of squared utilisation (in percent) on `dimension`

    Exactly: sum over resources with capacity > 0 of floor(100 * load / capacity) ** 2.
    Always minimised; `sense` is ignored."""


@dataclass(frozen=True, slots=True)
class Resource:
    id: str
    capacity: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Option:
    demand: int
    resource: int
    load: tuple[int, ...]
    requires: tuple[int, int] | None = None
    forbids: tuple[int, int] | None = None


@dataclass(slots=True)
class Demand:
    id: str
    required: bool = False
    depends_on: int | None = None
    fixed: int | None = None  # global option index
    hint: int | None = None  # global option index


@dataclass(frozen=True, slots=True)
class DifferentResources:
    a: int
    b: int


@dataclass(slots=True)
class Level:
    name: str
    sense: Sense = Sense.MAXIMIZE
    kind: LevelKind = LevelKind.LINEAR
    demand_weights: dict[int, int] = field(default_factory=dict)
    option_weights: dict[int, int] = field(default_factory=dict)
    dimension: int = 0
    time_weight: float = 1.0
    """Share of the remaining time limit this level gets relative to the levels after it."""
    tiebreak: str | None = None
    """Name of a later LINEAR level used as a tie-break while this one is optimised, so the
    solutions found here are already good for that level (the level's value is unaffected)."""


@dataclass(slots=True)
class Problem:
    resources: list[Resource]
    demands: list[Demand]
    options: list[Option]
    levels: list[Level]
    different: list[DifferentResources] = field(default_factory=list)
    dimension_names: tuple[str, ...] = ("load",)

    def options_of(self) -> list[list[int]]:
        """Option indices per demand."""
        per: list[list[int]] = [[] for _ in self.demands]
        for i, o in enumerate(self.options):
            per[o.demand].append(i)
        return per

    def check(self) -> list[str]:
        """Structural problems (bad indices, dimension mismatch); empty when well-formed."""
        errors: list[str] = []
        dims = len(self.dimension_names)
        nd, nr = len(self.demands), len(self.resources)
        for r in self.resources:
            if len(r.capacity) != dims:
                errors.append(f"resource {r.id}: {len(r.capacity)} capacities, expected {dims}")
        for i, o in enumerate(self.options):
            if not 0 <= o.demand < nd or not 0 <= o.resource < nr:
                errors.append(f"option {i}: demand or resource index out of range")
            if len(o.load) != dims:
                errors.append(f"option {i}: {len(o.load)} loads, expected {dims}")
            for cond in (o.requires, o.forbids):
                if cond is not None and not (0 <= cond[0] < nd and 0 <= cond[1] < nr):
                    errors.append(f"option {i}: condition index out of range")
        for j, d in enumerate(self.demands):
            for opt in (d.fixed, d.hint):
                if opt is not None and not (
                    0 <= opt < len(self.options) and self.options[opt].demand == j
                ):
                    errors.append(f"demand {d.id}: fixed/hint option {opt} is not its own")
            if d.depends_on is not None and not 0 <= d.depends_on < nd:
                errors.append(f"demand {d.id}: depends_on out of range")
        for pair in self.different:
            if not (0 <= pair.a < nd and 0 <= pair.b < nd):
                errors.append(f"different resources ({pair.a}, {pair.b}): index out of range")
            elif pair.a == pair.b:
                errors.append(f"different resources ({pair.a}, {pair.b}): same demand twice")
        for lv in self.levels:
            if lv.kind != LevelKind.LINEAR and not 0 <= lv.dimension < dims:
                errors.append(f"level {lv.name}: dimension {lv.dimension} out of range")
            if any(not 0 <= d < nd for d in lv.demand_weights):
                errors.append(f"level {lv.name}: demand index out of range")
            if any(not 0 <= o < len(self.options) for o in lv.option_weights):
                errors.append(f"level {lv.name}: option index out of range")
        return errors


def oriented_weights(level: Level, per_demand: Sequence[Sequence[int]]) -> dict[int, int]:
    """Per option, its weight in the LINEAR `level` oriented to be maximised (its option weight
    plus its demand's weight, negated for a minimised level; zero ones left out).
    `per_demand` lists the option indices of every demand (`Problem.options_of()`)."""
    sign = 1 if level.sense == Sense.MAXIMIZE else -1
    coef: dict[int, int] = {}
    for o, w in level.option_weights.items():
        if w:
            coef[o] = coef.get(o, 0) + sign * w
    for d, w in level.demand_weights.items():
        if w:
            for o in per_demand[d]:
                coef[o] = coef.get(o, 0) + sign * w
    return coef


class Status(StrEnum):
    OPTIMAL = "optimal"  # every level proven optimal
    FEASIBLE = "feasible"  # a solution, not every level proven
    INFEASIBLE = "infeasible"  # required demands cannot be met
    UNKNOWN = "unknown"  # no solution within the time limit
    INVALID = "invalid"  # the problem is malformed


@dataclass(slots=True)
class LevelResult:
    name: str
    value: float
    bound: float
    proven: bool
    seconds: float


@dataclass(slots=True)
class Solution:
    status: Status
    choice: list[int | None]  # chosen global option index per demand, None = unassigned
    levels: list[LevelResult]
    seconds: float
    backend: str
    messages: list[str] = field(default_factory=list)

    def assigned_resource(self, problem: Problem, demand: int) -> int | None:
        o = self.choice[demand]
        return None if o is None else problem.options[o].resource
