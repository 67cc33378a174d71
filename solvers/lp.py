"""The LP relaxation of a `Problem` (GLOP, part of OR-Tools): every option variable in [0, 1].

With 0/1 variables and SCIP instead of GLOP, the same rows are the exact model the MIP search
(`solvers.mip`) solves beside CP-SAT.

Used to guide a warm start (`solvers.greedy.guided`): the relaxation of a LINEAR level, with
the earlier levels kept as linear rows, says which demands and options a good solution uses;
its reduced costs (`losses`) say which options cannot be in a solution as good as a known one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from ortools.linear_solver import pywraplp

from solvers.problem import Problem


class Relaxation:
    """The LP of a problem's constraints; rows can be added as levels are fixed.

    With `integer=True` and a MIP backend of OR-Tools' linear solver ("SCIP"), the same rows
    with 0/1 variables: the exact model (`solvers.mip`)."""

    def __init__(self, problem: Problem, backend: str = "GLOP", integer: bool = False) -> None:
        self.problem = problem
        s = pywraplp.Solver.CreateSolver(backend)
        if s is None:  # pragma: no cover - GLOP and SCIP ship with OR-Tools
            raise RuntimeError(f"{backend} is not available")
        self.solver = s
        inf = s.infinity()
        self.inf = inf
        options = problem.options
        var = s.IntVar if integer else s.NumVar
        self.x = [var(0.0, 1.0, "") for _ in options]
        x = self.x
        per = problem.options_of()
        self.per = per
        per_resource: list[list[int]] = [[] for _ in problem.resources]
        on: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, o in enumerate(options):
            per_resource[o.resource].append(i)
            on[(o.demand, o.resource)].append(i)
        self.assign_rows: list[pywraplp.Constraint | None] = []
        for d, dem in enumerate(problem.demands):
            if not per[d]:
                self.assign_rows.append(None)
                continue
            row = s.Constraint(1.0 if dem.required else 0.0, 1.0)
            for i in per[d]:
                row.SetCoefficient(x[i], 1.0)
            self.assign_rows.append(row)
            if dem.fixed is not None:
                x[dem.fixed].SetLb(1.0)
        for r, res in enumerate(problem.resources):
            for k, cap in enumerate(res.capacity):
                ids = [i for i in per_resource[r] if options[i].load[k] != 0]
                if not ids or sum(max(options[i].load[k], 0) for i in ids) <= cap:
                    continue
                row = s.Constraint(-inf, float(cap))
                for i in ids:
                    row.SetCoefficient(x[i], float(options[i].load[k]))
        for i, o in enumerate(options):
            if o.requires is not None and o.requires != (o.demand, o.resource):
                others = on.get(o.requires, [])
                if not others or o.requires[0] == o.demand:
                    x[i].SetUb(0.0)
                else:
                    row = s.Constraint(-inf, 0.0)
                    row.SetCoefficient(x[i], 1.0)
                    for j in others:
                        row.SetCoefficient(x[j], -1.0)
            if o.forbids is not None:
                others = on.get(o.forbids, [])
                if o.forbids == (o.demand, o.resource):
                    x[i].SetUb(0.0)
                elif others and o.forbids[0] != o.demand:
                    row = s.Constraint(-inf, 1.0)
                    for j in (i, *others):
                        row.SetCoefficient(x[j], 1.0)
        for d, dem in enumerate(problem.demands):
            p = dem.depends_on
            if p is None or p == d or not per[d]:
                continue
            if not per[p]:
                for i in per[d]:
                    x[i].SetUb(0.0)
                continue
            row = s.Constraint(-inf, 0.0)
            for i in per[d]:
                row.SetCoefficient(x[i], 1.0)
            for i in per[p]:
                row.SetCoefficient(x[i], -1.0)
        for pair in problem.different:
            res_a = {options[i].resource for i in per[pair.a]}
            res_b = {options[i].resource for i in per[pair.b]}
            for r in res_a & res_b:
                row = s.Constraint(-inf, 1.0)
                for i in on[(pair.a, r)] + on[(pair.b, r)]:
                    row.SetCoefficient(x[i], 1.0)

    def forbid(self, option: int) -> None:
        self.x[option].SetUb(0.0)

    def solve_with(
        self,
        coef: Mapping[int, int],
        time_limit: float,
        fix: Mapping[int, int | None],
        assigned: Collection[int] = (),
    ) -> list[float] | None:
        """`solve` with the demands in `fix` held at the option given (None: unassigned) and
        the demands in `assigned` assigned to any of their options."""
        saved: list[tuple[pywraplp.Variable, float, float]] = []
        rows: list[tuple[pywraplp.Constraint, float]] = []
        for d in assigned:
            row = self.assign_rows[d]
            if row is not None:
                rows.append((row, row.lb()))
                row.SetLb(1.0)
        for d, o in fix.items():
            for i in self.per[d]:
                var = self.x[i]
                saved.append((var, var.lb(), var.ub()))
                if i == o:
                    var.SetLb(1.0)
                else:
                    var.SetUb(0.0)
        try:
            return self.solve(coef, time_limit)
        finally:
            for var, lb, ub in saved:
                var.SetBounds(lb, ub)
            for row, lb in rows:
                row.SetLb(lb)

    def require(self, demand: int) -> None:
        row = self.assign_rows[demand]
        if row is not None:
            row.SetLb(1.0)

    def add_row(self, coef: Mapping[int, int], lo: float | None, hi: float | None) -> None:
        """lo <= sum coef[o] * x[o] <= hi (None: unbounded on that side)."""
        s = self.solver
        row = s.Constraint(-self.inf if lo is None else lo, self.inf if hi is None else hi)
        for o, c in coef.items():
            row.SetCoefficient(self.x[o], float(c))

    def duals(self) -> list[float]:
        """Per demand, the dual value of its row "at most one option" (exactly one when
        required) in the last optimal `solve`, as a price of the maximised objective (0 for a
        demand without options)."""
        return [0.0 if row is None else row.dual_value() for row in self.assign_rows]

    def losses(self) -> list[float]:
        """Per option, what the last optimal `solve` says choosing it costs at least: minus its
        reduced cost where that is negative, else 0. LP duality gives, for every choice x
        within the rows, value(x) <= LP optimum - sum of the losses of the options x takes
        (the options the LP takes whole have no loss; reduced costs of the other sign only
        lower the right side, so they are left out). A fixed option has none either: its
        reduced cost belongs to its lower bound of 1, which every choice meets."""
        return [0.0 if v.lb() >= 1.0 else max(0.0, -v.reduced_cost()) for v in self.x]

    def search(
        self, coef: Mapping[int, int], time_limit: float
    ) -> tuple[list[float] | None, float | None, bool]:
        """With 0/1 variables (`integer=True`): maximise sum coef[o] * x[o] to a zero gap or
        until `time_limit` seconds or `interrupt`. Returns the best x found (None: none), the
        solver's bound on the objective (None: none) and whether x is proven optimal."""
        s = self.solver
        objective = self._maximise(coef, time_limit)
        params = pywraplp.MPSolverParameters()
        params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
        status = s.Solve(params)
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None, None, False
        bound = objective.BestBound()
        return [v.solution_value() for v in self.x], bound, status == pywraplp.Solver.OPTIMAL

    def _maximise(self, coef: Mapping[int, int], time_limit: float) -> pywraplp.Objective:
        """Set the objective to maximise sum coef[o] * x[o], and the time limit."""
        objective = self.solver.Objective()
        objective.Clear()
        for o, c in coef.items():
            objective.SetCoefficient(self.x[o], float(c))
        objective.SetMaximization()
        self.solver.SetTimeLimit(max(1, int(time_limit * 1000)))
        return objective

    def interrupt(self) -> None:
        """Stop a running `search` (from another thread) soon, keeping its best x."""
        self.solver.InterruptSolve()

    def solve(self, coef: Mapping[int, int], time_limit: float) -> list[float] | None:
        """Maximise sum coef[o] * x[o]; the optimal x, or None (no optimum in time)."""
        self._maximise(coef, time_limit)
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return [v.solution_value() for v in self.x]
