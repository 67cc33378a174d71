"""An exact search of one LINEAR level as a MIP with SCIP (part of OR-Tools), in a thread
beside CP-SAT's searches.

The model is `solvers.lp.Relaxation`'s rows with 0/1 variables: the problem's constraints, the
earlier levels kept at their values, the options the run has banned and the demands it must
assign. On tightly packed levels SCIP's LP-based branch and bound proves what CP-SAT with 2
workers does not in time (Chu & Beasley c10200 and c20200 at 30 s: unproven before, proven
since), while on Chu & Beasley type D CP-SAT's searches find the better plans: so both run,
and what each finds counts once the caller has `verify`-ed it.

SCIP gets no start from the incumbent. In the engine, with CP-SAT idle, SCIP took Chu &
Beasley b10200 9.0 s, c10200 17.3 s and c20200 24.0 s to prove when given the incumbent as a
hint, and 6.4, 6.5 and 10.1 s without. (SCIP alone on the team's `plaatsen-regulier` went the
other way: proven in 21 s from the engine's plan, unproven after 40 s without; but beside
CP-SAT it never has a core that long, and did not prove that level even at a 60 s limit.)
On Chu & Beasley type D the start seemed to help a little, probably by letting SCIP improve
CP-SAT's plan: five runs averaged 0.309 % above the best known with it, 0.342 % without
(`benchmarks/results/README.md`), about two standard errors apart.

What else was measured (SCIP alone on b10200 / c10200 / c20200, one session, seconds to prove):
- SCIP spends most of its time finding the optimum; proving it is quick. With the optimum as a
  cutoff (MathOpt's `cutoff_limit`: nothing worse counts) it proved c20200 in 2.4 s against
  16.7 s without, b10200 3.7 against 8.1, c10200 5.8 against 12.7. But beside SCIP, CP-SAT
  (one worker) found the optimum of b10200 only at 7.3 s and that of c10200 and c20200 not at
  all before SCIP did, and a cutoff above the optimum made SCIP slower (c20200 at 2395: 51 s),
  so a cutoff from CP-SAT's plans does not pay. (MathOpt 9.15's Python also fails to parse
  the "cutoff reached" result, and its SCIP callbacks could neither pass plans nor run cleanly.)
- Settings: heuristics off 6x slower on b10200; heuristics or cuts emphasis HIGH, fewer root
  separation rounds, no presolve: all slower or no faster. HiGHS (through MathOpt) took
  13.3 / 13.6 / 19.7 s.
- On Chu & Beasley D, where SCIP never proves a level within 30 s and its own plans are worse
  than CP-SAT's, the engine still did better with it than without (d20100, d20200, d10200,
  3 runs each, interleaved: 0.45 % against 0.53 % on average), and at city scale it made no
  difference (city overloaded, 3 runs each, interleaved: 10,190-10,407 families placed with it,
  10,170-10,430 without).

SCIP's own time limit and `interrupt` end the search; the model is built in the thread too,
so starting one costs the caller nothing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Mapping, Sequence

from solvers.lp import Relaxation
from solvers.problem import Problem

Row = tuple[Mapping[int, int], float | None, float | None]


class MipSearch:
    """One level's MIP, maximising sum coef * x, solved in a background thread."""

    def __init__(
        self,
        problem: Problem,
        coef: Mapping[int, int],
        rows: Sequence[Row],
        banned: Collection[int],
        must: Collection[int],
    ) -> None:
        self.problem = problem
        # copies: the caller goes on banning options and adding rows while this runs
        self._coef = dict(coef)
        self._rows = list(rows)
        self._banned = sorted(banned)
        self._must = sorted(must)
        self.done = threading.Event()  # set when the search has ended
        self.proven = False  # `choice` is optimal
        self.choice: list[int | None] | None = None  # the best one found
        self.bound: int | None = None  # on sum coef * x, rounded down (coefficients are integers)
        self.error: str | None = None  # what went wrong, if the search failed
        self._model: Relaxation | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()  # between building the model and interrupting it
        self._thread: threading.Thread | None = None

    def start(self, seconds: float) -> None:
        self._thread = threading.Thread(target=self._run, args=(seconds,), daemon=True)
        self._thread.start()

    def _run(self, seconds: float) -> None:
        try:
            model = Relaxation(self.problem, "SCIP", integer=True)
            for row in self._rows:
                model.add_row(*row)
            for o in self._banned:
                model.forbid(o)
            for d in self._must:
                model.require(d)
            with self._lock:
                if self._cancelled.is_set():
                    return
                self._model = model
            xs, bound, optimal = model.search(self._coef, seconds)
            if xs is not None:
                choice: list[int | None] = [None] * len(self.problem.demands)
                for o, v in enumerate(xs):
                    if v > 0.5:
                        choice[self.problem.options[o].demand] = o
                self.choice = choice
            if bound is not None and math.isfinite(bound):
                self.bound = math.floor(bound + 1e-6)
            self.proven = optimal and xs is not None
        except Exception as exc:  # reported by the engine, which goes on without it
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()

    def finish(self, cancel: bool = True) -> None:
        """Wait for the search to end, interrupting it first when `cancel`."""
        if self._thread is None:
            return
        if cancel:
            with self._lock:
                self._cancelled.set()
        while self._thread.is_alive():
            if cancel and self._model is not None:
                self._model.interrupt()  # (lost when sent before SCIP has started: resent)
            self._thread.join(0.02 if cancel else None)
