"""A Lagrangian bound of a LINEAR level, and per option what choosing it costs at least.

The level is maximised (weights oriented as `oriented_weights`). Relaxing every demand's row
"at most one option" (exactly one for a required demand) with a multiplier u[d] leaves one
knapsack per resource, solved exactly by dynamic programming:

    L(u) = sum of u[d] + sum over resources of max { sum (w[o] - u[d(o)]) x[o] : load <= capacity }

Every valid choice has a value of at most L(u) for every u (u >= 0 on the rows of demands that
may stay unassigned), and the best L(u), found by subgradient steps, is at most the LP bound:
each knapsack is solved in integers where the LP takes fractions. On Chu & Beasley type C it
closes most of the LP's gap (c20200: LP 2,376.9, this 2,390.1, optimum 2,391).

Dropped in the relaxation (so the bound stays valid, only weaker): the conditions of options,
`depends_on`, `DifferentResources`, the rows that keep earlier levels at their values, and per
resource every capacity dimension but its most binding one. Options of a fixed demand other than
its fixed one are out; the fixed one is taken on its resource.

The same tables give, per option o, the Lagrangian bound with o taken: L(u) - loss[o]. An option
whose loss exceeds the gap between L(u) and a known solution's value is in no solution as good.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from solvers.problem import Problem

MAX_CAPACITY = 4_000  # knapsack tables are scaled down to at most this many capacity steps
STALL_STEPS = 8  # subgradient steps without a better bound before the step size halves
MIN_STEP_FACTOR = 1e-3  # the subgradient search stops when the step size falls below this


class _Knapsack:
    """The options of one resource, on its most binding capacity dimension."""

    def __init__(self, ids: list[int], loads: list[int], capacity: int, constant: float) -> None:
        self.ids = np.array(ids, dtype=np.int64)
        self.loads = np.array(loads, dtype=np.int64)
        self.capacity = capacity
        self.constant = constant  # the weight of fixed options on this resource
        # a resource whose options all fit at once needs no table: take every gain
        self.tight = int(self.loads.sum()) > capacity

    def best(self, gains: np.ndarray) -> tuple[float, np.ndarray]:
        """The knapsack optimum for these gains (one per option) and the options it takes."""
        take = np.zeros(len(self.ids), dtype=bool)
        positive = np.flatnonzero(gains > 0)
        if not self.tight:
            take[positive] = True
            return float(gains[positive].sum()) + self.constant, take
        cap = self.capacity
        tables = [np.zeros(cap + 1)]
        for k in positive:
            tables.append(_add(tables[-1], int(self.loads[k]), float(gains[k]), cap))
        c = cap
        for t in range(len(positive) - 1, -1, -1):
            if tables[t + 1][c] != tables[t][c]:
                k = positive[t]
                take[k] = True
                c -= int(self.loads[k])
        return float(tables[-1][cap]) + self.constant, take

    def losses(self, gains: np.ndarray) -> np.ndarray:
        """Per option, how much lower the knapsack optimum is with that option taken (inf when
        it cannot be taken at all)."""
        positive = np.flatnonzero(gains > 0)
        if not self.tight:
            out = np.maximum(0.0, -gains)
            out[self.loads > self.capacity] = np.inf
            return out
        cap = self.capacity
        prefix = [np.zeros(cap + 1)]
        for k in positive:
            prefix.append(_add(prefix[-1], int(self.loads[k]), float(gains[k]), cap))
        suffix = [np.zeros(cap + 1)]
        for k in positive[::-1]:
            suffix.append(_add(suffix[-1], int(self.loads[k]), float(gains[k]), cap))
        suffix.reverse()  # suffix[t]: the options positive[t:]
        best = float(prefix[-1][cap])
        full = prefix[-1]
        # an option outside the table: taken on top of the best choice within the rest
        rest = cap - self.loads
        out = np.full(len(self.ids), np.inf)
        fits = rest >= 0
        out[fits] = best - (gains[fits] + full[rest[fits]])
        for t, k in enumerate(positive):
            rest = cap - int(self.loads[k])
            if rest < 0:
                continue
            without = float(np.max(prefix[t][: rest + 1] + suffix[t + 1][rest::-1]))
            out[k] = best - (gains[k] + without)
        return np.maximum(out, 0.0)


def _add(table: np.ndarray, w: int, gain: float, cap: int) -> np.ndarray:
    """The knapsack table with one more option of load w and this gain."""
    new = table.copy()
    if w == 0:
        new += gain
    elif w <= cap:
        new[w:] = np.maximum(table[w:], table[: cap + 1 - w] + gain)
    return new


class Lagrangian:
    """The Lagrangian relaxation of a LINEAR level (weights `coef`, oriented to be maximised)."""

    def __init__(
        self,
        problem: Problem,
        coef: Mapping[int, int],
        banned: Collection[int] = (),
        must: Collection[int] = (),
    ) -> None:
        self.problem = problem
        n_demands = len(problem.demands)
        self.usable = True
        fixed = {d.fixed for d in problem.demands if d.fixed is not None}
        free = [d.fixed is None for d in problem.demands]
        # demands whose row is relaxed: index into u; required ones have a free multiplier
        self.rows = np.array([d for d in range(n_demands) if free[d]], dtype=np.int64)
        row_of = np.full(n_demands, -1, dtype=np.int64)
        row_of[self.rows] = np.arange(len(self.rows))
        self.required = np.array(
            [problem.demands[d].required or d in must for d in self.rows], dtype=bool
        )
        per_resource: list[list[int]] = [[] for _ in problem.resources]
        constant = [0.0] * len(problem.resources)
        used = [[0] * len(problem.dimension_names) for _ in problem.resources]
        for o, opt in enumerate(problem.options):
            if o in fixed:
                constant[opt.resource] += coef.get(o, 0)
                for k, load in enumerate(opt.load):
                    used[opt.resource][k] += load
            elif free[opt.demand] and o not in banned:
                per_resource[opt.resource].append(o)
        self.knapsacks: list[_Knapsack] = []
        self.fixed_only = 0.0  # fixed options' weights on resources with nothing else
        for r, res in enumerate(problem.resources):
            ids = per_resource[r]
            if not ids:
                self.fixed_only += constant[r]
                continue
            caps = [c - u for c, u in zip(res.capacity, used[r], strict=True)]
            if any(c < 0 for c in caps) or any(x < 0 for o in ids for x in problem.options[o].load):
                self.usable = False  # over capacity already, or loads that give capacity back
                return
            dim = max(
                range(len(caps)),
                key=lambda k: sum(problem.options[o].load[k] for o in ids) / max(caps[k], 0.5),
            )
            loads = [problem.options[o].load[dim] for o in ids]
            cap = caps[dim]
            if cap > MAX_CAPACITY and sum(loads) > cap:
                # loads rounded down and capacity rounded down by the same step: every choice
                # that fits still fits, so the bound stays valid
                step = -(-cap // MAX_CAPACITY)
                loads = [w // step for w in loads]
                cap //= step
            self.knapsacks.append(_Knapsack(ids, loads, cap, constant[r]))
        self.weight = np.zeros(len(problem.options))
        for o, w in coef.items():
            self.weight[o] = w
        # per knapsack, the row (index into u) of each option
        demand_of = np.array([o.demand for o in problem.options], dtype=np.int64)
        self.row_index = [row_of[demand_of[k.ids]] for k in self.knapsacks]
        self.u = np.zeros(len(self.rows))
        self.value = float("inf")  # the best (lowest) bound found; at self.u

    def evaluate(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        """L(u) and, per relaxed row, how many options the knapsacks take of it."""
        total = float(u.sum()) + self.fixed_only
        taken = np.zeros(len(self.rows))
        for k, rows in zip(self.knapsacks, self.row_index, strict=True):
            value, take = k.best(self.weight[k.ids] - u[rows])
            total += value
            np.add.at(taken, rows[take], 1.0)
        return total, taken

    def optimise(
        self,
        known: float,
        deadline: float,
        start: Sequence[float] | None = None,
        give_up_above: float | None = None,
    ) -> float:
        """Subgradient steps towards the lowest L(u) until `deadline` (perf_counter) or until
        the bound is within 1 of `known` (a solution's value: the bound cannot go below it).
        `start`: multipliers per demand (e.g. the LP's duals). When L at the start is above
        `give_up_above` (e.g. well above the LP bound: the relaxation dropped too much), stop
        there. Returns the best bound."""
        u = np.zeros(len(self.rows))
        if start is not None:
            u = np.array([start[d] for d in self.rows], dtype=float)
        u = np.where(self.required, u, np.maximum(u, 0.0))
        factor, stall, first = 1.0, 0, True
        while time.perf_counter() < deadline:
            value, taken = self.evaluate(u)
            if value < self.value - 1e-9:
                self.value, self.u, stall = value, u.copy(), 0
            else:
                stall += 1
                if stall >= STALL_STEPS:
                    factor, stall = factor / 2, 0
            if self.value < known + 1 - 1e-6 or factor < MIN_STEP_FACTOR:
                break
            if give_up_above is not None and value > give_up_above and first:
                break
            first = False
            g = 1.0 - taken
            # a row at most one with u at 0 and nothing taken cannot go lower
            g[(~self.required) & (u <= 0) & (g > 0)] = 0.0
            norm = float(g @ g)
            if norm == 0:
                break  # the knapsacks' choice satisfies every row: L(u) is optimal
            step = factor * max(value - known, 1e-3) / norm
            u = u - step * g
            u = np.where(self.required, u, np.maximum(u, 0.0))
        return self.value

    def losses(self) -> list[float]:
        """Per option, L(u) less the Lagrangian bound with that option taken, at the best u
        found (0 for options not in the relaxation: fixed or banned ones)."""
        out = np.zeros(len(self.problem.options))
        for k, rows in zip(self.knapsacks, self.row_index, strict=True):
            out[k.ids] = k.losses(self.weight[k.ids] - self.u[rows])
        return out.tolist()
