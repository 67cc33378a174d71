"""Split a problem into independent components and put their solutions back together.

Two demands are in one component when an option, a condition (`requires`/`forbids`, with its
resource), a `depends_on` or a `DifferentResources` pair links them, directly or through a
resource they both have options on (or a condition names). Components share no constraint, so
every choice that is valid per component is valid for the whole problem, and every LINEAR or
SPREAD level is the sum of its values over the components. A MAX_UTILISATION level is the
maximum over the components (a resource carries load in one component at most; resources
without options carry none and never raise it); `solvers.cpsat.solve` coordinates that level.
"""

from __future__ import annotations

from dataclasses import dataclass

from solvers.problem import (
    Demand,
    DifferentResources,
    Level,
    Option,
    Problem,
)


@dataclass(slots=True)
class Component:
    """One independent part: global indices, and the part as a problem of its own."""

    demands: list[int]
    resources: list[int]
    options: list[int]
    problem: Problem


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        parent = self.parent
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def component_labels(problem: Problem) -> list[int]:
    """A label per demand; demands with the same label are in the same component."""
    nd = len(problem.demands)
    uf = _UnionFind(nd + len(problem.resources))
    for o in problem.options:
        uf.union(o.demand, nd + o.resource)
        for cond in (o.requires, o.forbids):
            if cond is not None:
                uf.union(o.demand, cond[0])
                uf.union(o.demand, nd + cond[1])
    for j, d in enumerate(problem.demands):
        if d.depends_on is not None:
            uf.union(j, d.depends_on)
    for pair in problem.different:
        uf.union(pair.a, pair.b)
    return [uf.find(j) for j in range(nd)]


def split(problem: Problem) -> list[Component]:
    """The components of a well-formed problem (`problem.check()` is empty), largest first.

    Resources without options belong to no component. Levels keep their order, names and
    settings; their weights are restricted to the component.
    """
    labels = component_labels(problem)
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(label, len(order))
    comp_of_demand = [order[label] for label in labels]
    n = len(order)
    demands: list[list[int]] = [[] for _ in range(n)]
    for j, c in enumerate(comp_of_demand):
        demands[c].append(j)
    options: list[list[int]] = [[] for _ in range(n)]
    for i, o in enumerate(problem.options):
        options[comp_of_demand[o.demand]].append(i)
    resources: list[set[int]] = [set() for _ in range(n)]
    for c in range(n):
        for i in options[c]:
            o = problem.options[i]
            resources[c].add(o.resource)
            for cond in (o.requires, o.forbids):
                if cond is not None:
                    resources[c].add(cond[1])
    parts = [sub_problem(problem, demands[c], sorted(resources[c]), options[c]) for c in range(n)]
    parts.sort(key=lambda comp: (-len(comp.options), -len(comp.demands), comp.demands[0]))
    return parts


def sub_problem(
    problem: Problem,
    demands: list[int],
    resources: list[int],
    options: list[int],
) -> Component:
    """The part of `problem` on these demands, resources and options (sorted global indices;
    every option of a demand, and every resource they or their conditions use, included)."""
    d_local = {j: k for k, j in enumerate(demands)}
    r_local = {r: k for k, r in enumerate(resources)}
    o_local = {i: k for k, i in enumerate(options)}

    def cond(c: tuple[int, int] | None) -> tuple[int, int] | None:
        return None if c is None else (d_local[c[0]], r_local[c[1]])

    sub_options: list[Option] = []
    for i in options:
        o = problem.options[i]
        sub_options.append(
            Option(
                d_local[o.demand],
                r_local[o.resource],
                o.load,
                requires=cond(o.requires),
                forbids=cond(o.forbids),
            )
        )
    sub_demands = []
    for j in demands:
        d = problem.demands[j]
        sub_demands.append(
            Demand(
                d.id,
                required=d.required,
                depends_on=None if d.depends_on is None else d_local[d.depends_on],
                fixed=None if d.fixed is None else o_local[d.fixed],
                hint=None if d.hint is None else o_local[d.hint],
            )
        )
    members = set(demands)
    different = [
        DifferentResources(d_local[p.a], d_local[p.b]) for p in problem.different if p.a in members
    ]
    levels = [
        Level(
            lv.name,
            lv.sense,
            lv.kind,
            demand_weights={d_local[j]: w for j, w in lv.demand_weights.items() if j in d_local},
            option_weights={o_local[i]: w for i, w in lv.option_weights.items() if i in o_local},
            dimension=lv.dimension,
            time_weight=lv.time_weight,
            tiebreak=lv.tiebreak,
        )
        for lv in problem.levels
    ]
    sub = Problem(
        resources=[problem.resources[r] for r in resources],
        demands=sub_demands,
        options=sub_options,
        levels=levels,
        different=different,
        dimension_names=problem.dimension_names,
    )
    return Component(demands, resources, options, sub)
