"""One benchmark measurement in this fresh process; prints one JSON line on stdout.

Usage (internal, started by `benchmarks/run.py`): python benchmarks/worker.py 'TASK-JSON'

Tasks (`kind`):
- `planner`: plan a dataset folder with one engine: `cpsat` (`make_plan`, the engine), `greedy`
  (the greedy backend on the engine's own compiled problem, so its level values compare),
  `highs` (the engine's compiled problem as a MIP, `benchmarks/highs_backend.py`), `highs-warm`
  (the same, started from the engine's warm start: hints or greedy) or `baseline`
  (`make_plan(solver="greedy")`: the planner's hand-made baseline with its own, relaxed rules and
  levels; its values do not compare, its rule violations are counted).
- `gap`: one GAP instance file with `cpsat`, `greedy`, `highs` or `highs-warm`.
- `recommend`: `planner.recommend.recommend` for a sample of families of a dataset.
- `replan`: plan, let the professional with the most families leave (long absence), take the plan
  as the current assignment, re-plan stably and fully; time the re-plans and count the families
  that moved (and those that moved needlessly).

Wall time starts after the input is read and the `Context` is built (its cached indexes are
filled lazily, inside the timed span, as in a real run). Peak memory is this process's VmHWM
(+ the HiGHS process's for `highs`).
"""

from __future__ import annotations

import json
import math
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere, even without an install

from benchmarks.highs_backend import peak_rss_mb  # noqa: E402

MAX_MESSAGES = 12


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return math.nan


def _num(x: float | None) -> float | None:
    """JSON-safe number: NaN and infinities become null."""
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return float(x)


def _levels(levels) -> list[dict[str, Any]]:
    return [
        {
            "name": lv.name,
            "value": _num(lv.value),
            "bound": _num(lv.bound),
            "proven": bool(lv.proven),
            "seconds": round(lv.seconds, 4),
        }
        for lv in levels
    ]


# ------------------------------------------------------------------------------------ planner


def _plan_facts(ctx, plan) -> dict[str, Any]:
    from planner.model import Role
    from planner.validate import validate_plan

    violations = validate_plan(ctx, plan)
    primaries = plan.primary_of()
    return {
        "families": len(ctx.families),
        "placed": len(primaries),
        "waiting": sum(1 for m in plan.unplaced if m.role == Role.PRIMARY),
        "unplaced_roles": sum(1 for m in plan.unplaced if m.role != Role.PRIMARY),
        "violations": len(violations),
        "violation_rules": dict(Counter(v.rule for v in violations)),
    }


def run_planner(task: dict[str, Any]) -> dict[str, Any]:
    from planner.compile import compile_team
    from planner.facts import Context
    from planner.io import read_dataset
    from planner.plan import decode, make_plan
    from solvers import solve

    engine, limit, workers = task["engine"], float(task["time_limit"]), int(task["workers"])
    ctx = Context(read_dataset(task["dataset"]))
    out: dict[str, Any] = {"rss_before_mb": round(_rss_mb(), 1)}
    t0 = time.perf_counter()
    if engine in ("cpsat", "baseline"):
        starts: list[float] = []

        def on_level(name: str, index: int, total: int) -> None:
            starts.append(time.perf_counter() - t0)

        plan = make_plan(
            ctx,
            "cpsat" if engine == "cpsat" else "greedy",
            time_limit=limit,
            workers=workers,
            on_level=on_level,
        )
        wall = time.perf_counter() - t0
        out["level_starts_s"] = [round(s, 4) for s in starts]
        out["first_level_start_s"] = round(starts[0], 4) if starts else None
        status = plan.status
        messages = plan.messages
    elif engine in ("greedy", "highs", "highs-warm"):
        compiled = compile_team(ctx)
        t1 = time.perf_counter()
        overhead = 0.0
        if engine == "greedy":
            solution = solve(compiled.problem, backend="greedy")
        else:
            from benchmarks.highs_backend import solve as highs_solve

            res = highs_solve(
                compiled.problem,
                time_limit=limit,
                workers=workers,
                seed=task["seed"],
                warm_start="greedy" if engine == "highs-warm" else "hints",
                presolve=task.get("highs_presolve", True),
            )
            solution, overhead = res.solution, res.overhead_seconds
            out["overhead_s"] = round(overhead, 4)
            out["child_peak_mb"] = round(res.child_peak_mb, 1)
            out["build_s"] = round(res.build_seconds, 4)
            out["choice_errors"] = len(res.errors)
        t2 = time.perf_counter()
        plan = decode(compiled, solution, engine)
        wall = time.perf_counter() - t0 - overhead
        out["compile_s"] = round(t1 - t0, 4)
        out["solve_s"] = round(t2 - t1 - overhead, 4)
        p = compiled.problem
        out["size"] = {
            "resources": len(p.resources),
            "demands": len(p.demands),
            "options": len(p.options),
            "levels": len(p.levels),
        }
        status = solution.status.value
        messages = solution.messages
    else:
        raise ValueError(f"unknown planner engine {engine!r}")
    out.update(
        status=status,
        wall_s=round(wall, 4),
        levels=_levels(plan.levels),
        messages=list(messages)[:MAX_MESSAGES],
        **_plan_facts(ctx, plan),
    )
    return out


# ------------------------------------------------------------------------------------ gap


def run_gap(task: dict[str, Any]) -> dict[str, Any]:
    from solvers import Status, solve, verify
    from solvers.gapfile import read_gap

    engine, limit, workers = task["engine"], float(task["time_limit"]), int(task["workers"])
    problem = read_gap(task["file"])
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    overhead = 0.0
    if engine in ("cpsat", "greedy"):
        sol = solve(problem, backend=engine, time_limit=limit, workers=workers, seed=task["seed"])
    elif engine in ("highs", "highs-warm"):
        from benchmarks.highs_backend import solve as highs_solve

        res = highs_solve(
            problem,
            time_limit=limit,
            workers=workers,
            seed=task["seed"],
            warm_start="greedy" if engine == "highs-warm" else "hints",
            presolve=task.get("highs_presolve", True),
        )
        sol, overhead = res.solution, res.overhead_seconds
        out["overhead_s"] = round(overhead, 4)
        out["child_peak_mb"] = round(res.child_peak_mb, 1)
    else:
        raise ValueError(f"unknown gap engine {engine!r}")
    wall = time.perf_counter() - t0 - overhead
    complete = sol.status in (Status.OPTIMAL, Status.FEASIBLE)
    errors = verify(problem, sol.choice)
    out.update(
        status=sol.status.value,
        wall_s=round(wall, 4),
        levels=_levels(sol.levels),
        valid=complete and not errors,
        errors=errors[:3],
        messages=list(sol.messages)[:MAX_MESSAGES],
        size={"resources": len(problem.resources), "demands": len(problem.demands)},
    )
    return out


# ------------------------------------------------------------------------------------ extras


def run_recommend(task: dict[str, Any]) -> dict[str, Any]:
    from planner.facts import Context
    from planner.io import read_dataset
    from planner.recommend import recommend

    ctx = Context(read_dataset(task["dataset"]))
    ids = sorted(ctx.families)
    sample = random.Random(task["seed"]).sample(ids, min(int(task["families"]), len(ids)))
    times: list[float] = []
    empty = 0
    for fid in sample:
        t = time.perf_counter()
        result = recommend(ctx, ctx.families[fid])
        times.append((time.perf_counter() - t) * 1000.0)
        empty += not result.recommendations
    ordered = sorted(times)
    return {
        "families": len(sample),
        "median_ms": round(statistics.median(times), 3),
        "first_ms": round(times[0], 3),
        "p90_ms": round(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)], 3),
        "max_ms": round(ordered[-1], 3),
        "without_recommendation": empty,
        "times_ms": [round(t, 3) for t in times],
    }


def run_replan(task: dict[str, Any]) -> dict[str, Any]:
    """Plan; the professional with the most primary families leaves (absent from the plan date,
    open-ended, so `long_absent`); every family's current primary and backup become those of the
    first plan (waiting families: none); re-plan stably (`stable=True`, measured) and, for
    comparison, fully, each at `replan_time_limit`.

    A move is a family not of the leaver whose primary changed (or that went back to waiting).
    In the stable re-plan keeping current professionals is a level right after the urgent
    classes, so when that level is proven every move was needed for a more urgent family and
    none is needless. When it is not proven, the fewest moves possible are measured apart
    (`_fewest_moves`, up to `replan_reference_limit` seconds, not part of the timed re-plan):
    the moves beyond those are needless. Without that proof every move counts as needless.
    In the full re-plan every move counts (it trades moves for placing more families)."""
    from planner.facts import Context
    from planner.io import read_dataset
    from planner.plan import make_plan
    from planner.validate import validate_plan

    limit, workers = float(task["time_limit"]), int(task["workers"])
    replan_limit = float(task.get("replan_time_limit") or limit)
    reference_limit = float(task.get("replan_reference_limit") or 60.0)
    ds = read_dataset(task["dataset"])
    ctx = Context(ds)
    t0 = time.perf_counter()
    first = make_plan(ctx, "cpsat", time_limit=limit, workers=workers)
    first_s = time.perf_counter() - t0
    p1, b1 = first.primary_of(), first.backup_of()
    per_pro = Counter(p1.values())
    leaver = min(per_pro, key=lambda pid: (-per_pro[pid], pid))
    day = ds.policy.plan_date
    pros = tuple(
        p.model_copy(update={"absent_from": day, "absent_until": None}) if p.id == leaver else p
        for p in ds.professionals
    )
    fams = tuple(
        f.model_copy(update={"current_primary": p1.get(f.id), "current_backup": b1.get(f.id)})
        for f in ds.families
    )
    ds2 = ds.model_copy(update={"professionals": pros, "families": fams})
    had = [f for f, pid in p1.items() if pid == leaver]

    def replan(stable: bool) -> dict[str, Any]:
        ctx2 = Context(ds2)
        assert ctx2.long_absent(leaver), "the leaver must count as long absent"
        t1 = time.perf_counter()
        plan = make_plan(ctx2, "cpsat", time_limit=replan_limit, workers=workers, stable=stable)
        seconds = time.perf_counter() - t1
        p2, b2 = plan.primary_of(), plan.backup_of()
        moved = _moved(p1, p2, leaver)
        keep = next((lv for lv in plan.levels if lv.name == "vast-gezicht"), None)
        keep_proven = bool(keep is not None and keep.proven)
        fewest: dict[str, Any] = {}
        if stable and keep_proven:
            needless = 0
        elif stable:
            fewest = _fewest_moves(ctx2, p1, leaver, reference_limit, workers)
            needless = len(moved) - fewest["moved"] if fewest["proven"] else len(moved)
        else:
            needless = len(moved)
        return {
            "replan_s": round(seconds, 4),
            "status": plan.status,
            "levels": _levels(plan.levels),
            "placed": len(p2),
            "moved": len(moved),
            "moved_to_waiting": sum(1 for f in moved if f not in p2),
            "moved_sample": moved[:10],
            "keep_proven": keep_proven,
            "moved_needlessly": needless,
            **({"fewest_moves": fewest} if fewest else {}),
            "leaver_families_replaced": sum(1 for f in had if f in p2),
            "newly_placed": sum(1 for f in p2 if f not in p1),
            "backups_changed": sum(
                1
                for f, pid in b1.items()
                if p1.get(f) != leaver and pid != leaver and b2.get(f) != pid
            ),
            "violations": len(validate_plan(ctx2, plan)),
        }

    stable = replan(True)
    full = replan(False)
    return {
        "leaver": leaver,
        "leaver_families": len(had),
        "first_plan_s": round(first_s, 4),
        "first_status": first.status,
        "first_placed": len(p1),
        "replan_time_limit": replan_limit,
        **stable,
        "full": full,
    }


def _moved(before: dict[str, str], after: dict[str, str], leaver: str) -> list[str]:
    """Families not of the leaver whose primary changed (or who went back to waiting)."""
    return sorted(f for f, pid in before.items() if pid != leaver and after.get(f) != pid)


def _fewest_moves(
    ctx: Any, p1: dict[str, str], leaver: str, limit: float, workers: int
) -> dict[str, Any]:
    """The fewest families (not the leaver's) that must change primary in the stable re-plan:
    its levels up to and including `vast-gezicht` (placing the urgent classes, then keeping),
    solved by the engine until every one of them is proven optimal or `limit` seconds pass.
    Keeping weighs one kept primary above all kept backups, so its optimum keeps the most
    primaries there are; `proven` says whether that optimum was shown."""
    from dataclasses import replace

    from planner.compile import compile_team
    from planner.plan import decode
    from solvers import solve

    t0 = time.perf_counter()
    compiled = compile_team(ctx, stable=True)
    problem = compiled.problem
    names = [lv.name for lv in problem.levels]
    upto = names.index("vast-gezicht") + 1
    sol = solve(replace(problem, levels=problem.levels[:upto]), time_limit=limit, workers=workers)
    primary = decode(compiled, sol, "cpsat").primary_of()
    return {
        "moved": len(_moved(p1, primary, leaver)),
        "proven": all(lv.proven for lv in sol.levels),
        "keep_value": _num(sol.levels[-1].value),
        "earlier": [_num(lv.value) for lv in sol.levels[:-1]],  # the urgent classes placed
        "seconds": round(time.perf_counter() - t0, 3),
    }


TASKS = {"planner": run_planner, "gap": run_gap, "recommend": run_recommend, "replan": run_replan}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    task = json.loads(argv[0])
    result = TASKS[task["kind"]](task)
    own = peak_rss_mb()
    child = result.get("child_peak_mb") or 0.0
    result["own_peak_mb"] = round(own, 1)
    result["peak_mb"] = round(own + child, 1)
    result["ok"] = True
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
