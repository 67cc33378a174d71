"""Build the CP-SAT model of a `Problem`: one Boolean per option, sparse linear constraints."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from solvers.problem import Level, LevelKind, Problem, Sense

LinearExpr = cp_model.LinearExpr


class Objective:
    """One level as a CP-SAT expression, plus how to hint its auxiliary variables."""

    def __init__(
        self,
        expr: cp_model.LinearExprT,
        maximize: bool,
        constant: bool,
        aux: list[tuple[cp_model.IntVar, int, int]] | None = None,
    ) -> None:
        self.expr = expr
        self.maximize = maximize
        self.constant = constant  # no decision variable in the expression
        # auxiliary variables as (variable, resource, power); resource -1 means the maximum
        self.aux = aux or []


class AssignmentModel:
    """The CP-SAT model of a problem; level objectives are added lazily, one at a time."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        m = self.model
        options = problem.options
        self.x: list[cp_model.IntVar] = [m.new_bool_var("") for _ in options]
        self.x_index: list[int] = [v.index for v in self.x]
        self.per_demand: list[list[int]] = problem.options_of()
        self.per_resource: list[list[int]] = [[] for _ in problem.resources]
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, o in enumerate(options):
            self.per_resource[o.resource].append(i)
            on[(o.demand, o.resource)].append(i)
        self.on = on
        # (lo, hi) of the load of each resource per dimension, for utilisation domains
        self.load_range: list[list[tuple[int, int]]] = []
        self._assignment()
        self._capacity()
        self._conditions()
        self._depends_and_different()

    def assigned(self, d: int) -> cp_model.LinearExprT:
        """Sum of the option variables of demand d (0 or 1)."""
        x = self.x
        return LinearExpr.sum([x[i] for i in self.per_demand[d]])

    def _assignment(self) -> None:
        m, x = self.model, self.x
        for d, dem in enumerate(self.problem.demands):
            lits = [x[i] for i in self.per_demand[d]]
            if dem.required:
                m.add_exactly_one(lits)
            elif len(lits) > 1:
                m.add_at_most_one(lits)
            if dem.fixed is not None:
                m.add(x[dem.fixed] == 1)

    def _capacity(self) -> None:
        m, x, options = self.model, self.x, self.problem.options
        dims = len(self.problem.dimension_names)
        for r, res in enumerate(self.problem.resources):
            ids = self.per_resource[r]
            ranges: list[tuple[int, int]] = []
            for k in range(dims):
                terms = [(x[i], options[i].load[k]) for i in ids if options[i].load[k] != 0]
                lo = sum(c for _, c in terms if c < 0)
                hi = sum(c for _, c in terms if c > 0)
                cap = res.capacity[k]
                ranges.append((lo, min(hi, cap)))
                if hi <= cap:
                    continue  # can never be exceeded
                if lo > cap:
                    m.add_bool_or([])  # exceeded whatever is chosen: infeasible
                    continue
                m.add(LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms]) <= cap)
            self.load_range.append(ranges)

    def _conditions(self) -> None:
        m, x, on = self.model, self.x, self.on
        for i, o in enumerate(self.problem.options):
            if o.requires is not None and o.requires != (o.demand, o.resource):
                others = on.get(o.requires, [])
                if not others or o.requires[0] == o.demand:
                    m.add(x[i] == 0)  # the required assignment can never hold together with i
                else:
                    m.add(x[i] <= LinearExpr.sum([x[j] for j in others]))
            if o.forbids is not None:
                others = on.get(o.forbids, [])
                if o.forbids == (o.demand, o.resource):
                    m.add(x[i] == 0)
                elif others and o.forbids[0] != o.demand:
                    m.add_at_most_one([x[i], *[x[j] for j in others]])

    def _depends_and_different(self) -> None:
        m, x, per, on = self.model, self.x, self.per_demand, self.on
        for d, dem in enumerate(self.problem.demands):
            p = dem.depends_on
            if p is None or p == d or not per[d]:
                continue
            if not per[p]:
                for i in per[d]:
                    m.add(x[i] == 0)
            else:
                m.add(self.assigned(d) <= self.assigned(p))
        options = self.problem.options
        for pair in self.problem.different:
            res_a = {options[i].resource for i in per[pair.a]}
            res_b = {options[i].resource for i in per[pair.b]}
            for r in res_a & res_b:
                m.add_at_most_one([x[i] for i in on[(pair.a, r)] + on[(pair.b, r)]])

    # ----------------------------------------------------------------------------- objectives

    def objective(self, level: Level) -> Objective:
        """Create the expression (and auxiliary variables) of one level."""
        if level.kind == LevelKind.LINEAR:
            return self._linear(level)
        if level.kind == LevelKind.MAX_UTILISATION:
            return self._max_utilisation(level.dimension)
        return self._spread(level.dimension)

    def _linear(self, level: Level) -> Objective:
        coef: dict[int, int] = defaultdict(int)
        for o, w in level.option_weights.items():
            coef[o] += w
        per = self.per_demand
        for d, w in level.demand_weights.items():
            if w:
                for o in per[d]:
                    coef[o] += w
        ids = [o for o, c in coef.items() if c != 0]
        x = self.x
        expr = LinearExpr.weighted_sum([x[o] for o in ids], [coef[o] for o in ids])
        return Objective(expr, level.sense == Sense.MAXIMIZE, constant=not ids)

    def _utilisation_terms(
        self, k: int, scale: int
    ) -> list[tuple[int, int, list[cp_model.IntVar], list[int], int, int]]:
        """(resource, capacity, vars, loads, util_lo, util_hi) per resource whose load varies."""
        out = []
        x, options = self.x, self.problem.options
        for r, res in enumerate(self.problem.resources):
            cap = res.capacity[k]
            if cap <= 0:
                continue
            ids = [i for i in self.per_resource[r] if options[i].load[k] != 0]
            lo, hi = self.load_range[r][k]
            out.append(
                (
                    r,
                    cap,
                    [x[i] for i in ids],
                    [options[i].load[k] for i in ids],
                    (scale * lo) // cap,
                    (scale * hi) // cap,
                )
            )
        return out

    def _max_utilisation(self, k: int) -> Objective:
        m = self.model
        terms = self._utilisation_terms(k, 1000)
        if not any(vs for _, _, vs, _, _, _ in terms):
            return Objective(LinearExpr.constant(0), False, constant=True)
        lo = max(u_lo for *_, u_lo, _ in terms)
        hi = max(max(u_hi for *_, u_hi in terms), lo)
        u = m.new_int_var(lo, hi, f"max_util_{k}")
        for _, cap, vs, loads, _, _ in terms:
            if vs:
                # floor(1000 * load / cap) <= U  <=>  1000 * load <= U * cap + cap - 1
                load = LinearExpr.weighted_sum(vs, [1000 * c for c in loads])
                m.add(load - cap * u <= cap - 1)
        return Objective(u, False, constant=False, aux=[(u, -1, 1)])

    def _spread(self, k: int) -> Objective:
        m = self.model
        squares: list[cp_model.IntVar] = []
        aux: list[tuple[cp_model.IntVar, int, int]] = []
        for r, cap, vs, loads, u_lo, u_hi0 in self._utilisation_terms(k, 100):
            if not vs:
                continue
            u_hi = max(u_hi0, u_lo)
            util = m.new_int_var(u_lo, u_hi, f"util_{r}_{k}")
            load = LinearExpr.weighted_sum(vs, [100 * c for c in loads])
            # util = floor(100 * load / cap)
            m.add(cap * util <= load)
            m.add(load <= cap * util + cap - 1)
            sq = m.new_int_var(0, max(u_lo * u_lo, u_hi * u_hi), f"util_sq_{r}_{k}")
            m.add_multiplication_equality(sq, [util, util])
            squares.append(sq)
            aux += [(util, r, 1), (sq, r, 2)]
        if not squares:
            return Objective(LinearExpr.constant(0), False, constant=True)
        return Objective(LinearExpr.sum(squares), False, constant=False, aux=aux)

    # ----------------------------------------------------------------------------- hints

    def set_partial_hint(self, options: Sequence[int]) -> None:
        """Replace all hints by "these options are chosen" (nothing said about the others)."""
        m = self.model
        m.clear_hints()
        for o in options:
            m.add_hint(self.x[o], 1)

    def set_hint(
        self, choice: Sequence[int | None], objectives: Sequence[tuple[Objective, int, int]]
    ) -> None:
        """Replace all hints by the complete `choice` (and the matching auxiliary values).

        `objectives` holds (objective, dimension, scale) of the utilisation levels built so far.
        """
        m = self.model
        m.clear_hints()
        values = [0] * len(self.x)
        for o in choice:
            if o is not None:
                values[o] = 1
        hint = m.proto.solution_hint
        hint.vars.extend(self.x_index)
        hint.values.extend(values)
        if not objectives:
            return
        options, resources = self.problem.options, self.problem.resources
        dims = len(self.problem.dimension_names)
        loads = [[0] * dims for _ in resources]
        for o in choice:
            if o is not None:
                opt = options[o]
                for k2, amount in enumerate(opt.load):
                    loads[opt.resource][k2] += amount
        for obj, k, scale in objectives:
            for var, r, power in obj.aux:
                if r >= 0:
                    m.add_hint(var, ((scale * loads[r][k]) // resources[r].capacity[k]) ** power)
                else:
                    utils = [
                        (scale * loads[r2][k]) // res.capacity[k]
                        for r2, res in enumerate(resources)
                        if res.capacity[k] > 0
                    ]
                    m.add_hint(var, max(utils, default=0))
