"""Summaries, targets, scaling and the Markdown report of a benchmark run (pure functions on the
JSON-able results of `benchmarks/run.py`; no solver imports)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any

LATER_OBJECTIVES = ("vast-gezicht", "passend", "max-belasting", "spreiding")
"""Planner levels after objective 1 (docs/objectives.md): "level 1" of the issue's targets is
every level before the first of these (plaatsen-acuut ... plaatsen-regulier, wachttijd)."""

SCALE_ORDER = ("tiny", "team", "district", "city")
ENGINE_ORDER = ("cpsat", "greedy", "highs", "highs-warm", "baseline")
ENGINE_LABEL = {
    "cpsat": "engine (cpsat)",
    "greedy": "greedy",
    "highs": "HiGHS MIP",
    "highs-warm": "HiGHS MIP + greedy start",
    "baseline": "hand-made baseline",
}
GAP_CLASSES = ("OR-Library gap1-12", "C&B A", "C&B B", "C&B C", "C&B D")


# ------------------------------------------------------------------------------------ helpers


def _finite(xs) -> list[float]:
    return [float(x) for x in xs if x is not None and not math.isnan(float(x))]


def median(xs) -> float | None:
    vals = _finite(xs)
    return statistics.median(vals) if vals else None


def rel_gap_pct(value: float | None, bound: float | None) -> float | None:
    """|value - bound| / max(1, |value|) in percent (the incumbent as denominator, as CP-SAT
    and HiGHS report their gap); None without a value or bound."""
    if value is None or bound is None:
        return None
    return 100.0 * abs(value - bound) / max(1.0, abs(value))


def gap_class(name: str) -> str:
    if name.startswith("cattrysse1994/"):
        return GAP_CLASSES[0]
    letter = name.split("/")[-1][:1].upper()
    return f"C&B {letter}"


def objective1(levels: list[dict[str, Any]], suite: str) -> list[dict[str, Any]]:
    """The levels that make up "level 1": the GAP cost level, or the planner's placement levels."""
    if suite != "planner":
        return levels[:1]
    out = []
    for lv in levels:
        if lv["name"] in LATER_OBJECTIVES:
            break
        out.append(lv)
    return out


def placement_gap(run: dict[str, Any]) -> float | None:
    """The worst relative gap (%) over the planner's `plaatsen-*` levels (families placed per
    priority class, without the waiting-time tie-break); None when a bound is missing."""
    gaps = [
        rel_gap_pct(lv["value"], lv["bound"])
        for lv in run.get("levels") or []
        if lv["name"].startswith("plaatsen-")
    ]
    return None if not gaps or None in gaps else max(gaps)  # type: ignore[type-var]


def level1(run: dict[str, Any], suite: str) -> tuple[bool, float | None]:
    """(every level-1 level proven, the worst relative gap in % or None when a bound is missing)."""
    group = objective1(run.get("levels") or [], suite)
    if not group:
        return False, None
    gaps = [rel_gap_pct(lv["value"], lv["bound"]) for lv in group]
    proven = all(lv["proven"] for lv in group)
    return proven, (None if any(g is None for g in gaps) else max(gaps))


# ------------------------------------------------------------------------------------ summaries


def summarize(
    runs: list[dict[str, Any]],
    suite: str,
    time_limit: float,
    best_known: float | None = None,
    engine: str = "",
) -> dict[str, Any]:
    """Medians over the runs of one engine on one instance."""
    ok = [r for r in runs if r.get("ok")]
    s: dict[str, Any] = {
        "runs": len(runs),
        "ok": len(ok),
        "errors": [r.get("error", "")[-300:] for r in runs if not r.get("ok")][:2],
    }
    if not ok:
        return s
    walls = [r["wall_s"] for r in ok]
    s["status"] = dict(Counter(r["status"] for r in ok))
    s["wall_s"] = median(walls)
    s["wall_min_s"], s["wall_max_s"] = min(walls), max(walls)
    s["peak_mb"] = median(r.get("peak_mb") for r in ok)
    s["peak_max_mb"] = max(_finite(r.get("peak_mb") for r in ok), default=None)
    s["capped"] = any(
        r["status"] != "optimal" and r["wall_s"] >= 0.9 * time_limit for r in ok
    ) and engine not in ("greedy", "baseline")
    nlev = max(len(r.get("levels") or []) for r in ok)
    levels = []
    for i in range(nlev):
        at = [r["levels"][i] for r in ok if len(r.get("levels") or []) > i]
        levels.append(
            {
                "name": at[0]["name"],
                "value": median(lv["value"] for lv in at),
                "bound": median(lv["bound"] for lv in at),
                "proven": sum(1 for lv in at if lv["proven"]),
                "seconds": median(lv["seconds"] for lv in at),
            }
        )
    s["levels"] = levels
    s["all_proven_runs"] = sum(
        1 for r in ok if r.get("levels") and all(lv["proven"] for lv in r["levels"])
    )
    if engine != "baseline":
        l1 = [level1(r, suite) for r in ok]
        gaps = [g for _, g in l1]
        s["level1_proven_runs"] = sum(1 for p, _ in l1 if p)
        s["level1_gap_pct"] = median(gaps)
        s["level1_gap_max_pct"] = (
            None if any(g is None for g in gaps) else max(gaps)  # type: ignore[type-var]
        )
    if suite == "planner":
        if engine != "baseline":
            pg = [placement_gap(r) for r in ok]
            s["placement_gap_pct"] = median(pg)
            s["placement_gap_max_pct"] = None if None in pg else max(pg)  # type: ignore[type-var]
        for key in ("placed", "waiting", "unplaced_roles", "compile_s", "first_level_start_s"):
            s[key] = median(r.get(key) for r in ok)
        s["violations_max"] = max(r.get("violations", 0) for r in ok)
        rules: Counter[str] = Counter()
        for r in ok:
            rules.update(r.get("violation_rules") or {})
        s["violation_rules"] = dict(rules)
        sizes = [r["size"] for r in ok if r.get("size")]
        if sizes:
            s["size"] = sizes[0]
    else:
        values = [(r.get("levels") or [{}])[0].get("value") if r.get("valid") else None for r in ok]
        s["value"] = median(values)
        s["valid_runs"] = sum(1 for r in ok if r.get("valid"))
        s["invalid_runs"] = sum(
            1 for r in ok if r["status"] in ("optimal", "feasible") and not r.get("valid")
        )
        if best_known is not None:
            gaps = [
                None if v is None else 100.0 * (v - best_known) / abs(best_known) for v in values
            ]
            s["gap_to_best_pct"] = median(gaps)
            s["gap_to_best_max_pct"] = None if any(g is None for g in gaps) else max(gaps)
            s["hits"] = sum(1 for v in values if v is not None and v <= best_known)
    return s


def _fewest(s: dict[str, Any]) -> str:
    """The fewest-moves reference of the runs whose keeping was not proven, as text."""
    if not s.get("fewest_moved"):
        return ""
    return (
        f"; otherwise the fewest moves possible, {_moves(s['fewest_moved'])}, proven apart in "
        f"{s['fewest_proven']}/{len(s['fewest_moved'])} runs (at most "
        f"{_f(max(s['fewest_s']))} s each)"
    )


def _moves(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def summarize_replan(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if r.get("ok")]
    s: dict[str, Any] = {"runs": len(runs), "ok": len(ok)}
    if not ok:
        s["errors"] = [r.get("error", "")[-300:] for r in runs][:2]
        return s
    full = [r["full"] for r in ok if "full" in r]
    s.update(
        replan_s=median(r["replan_s"] for r in ok),
        replan_max_s=max(r["replan_s"] for r in ok),
        replan_time_limit=ok[0].get("replan_time_limit"),
        first_plan_s=median(r["first_plan_s"] for r in ok),
        first_placed=median(r.get("first_placed", 0) for r in ok),
        placed=median(r.get("placed", 0) for r in ok),
        moved=median(r.get("moved", 0) for r in ok),
        moved_max=max(r.get("moved", 0) for r in ok),
        keep_proven=sum(1 for r in ok if r.get("keep_proven")),
        fewest_proven=sum(1 for r in ok if r.get("fewest_moves", {}).get("proven")),
        fewest_moved=[r["fewest_moves"]["moved"] for r in ok if "fewest_moves" in r],
        fewest_s=[r["fewest_moves"]["seconds"] for r in ok if "fewest_moves" in r],
        moved_needlessly=median(r["moved_needlessly"] for r in ok),
        moved_needlessly_max=max(r["moved_needlessly"] for r in ok),
        leaver=ok[0]["leaver"],
        leaver_families=ok[0]["leaver_families"],
        leaver_families_replaced=median(r["leaver_families_replaced"] for r in ok),
        status=dict(Counter(r["status"] for r in ok)),
        violations_max=max(r["violations"] for r in ok),
    )
    if full:
        s["full"] = {
            "replan_s": median(f["replan_s"] for f in full),
            "placed": median(f["placed"] for f in full),
            "moved": median(f["moved"] for f in full),
            "moved_max": max(f["moved"] for f in full),
            "leaver_families_replaced": median(f["leaver_families_replaced"] for f in full),
            "violations_max": max(f["violations"] for f in full),
        }
    return s


def gap_classes(instances: list[dict[str, Any]], engines: list[str]) -> list[dict[str, Any]]:
    """Per GAP class and engine: hits of the best known value, gaps and times."""
    out = []
    for cls in GAP_CLASSES:
        members = [i for i in instances if i["suite"] == "gap" and i["class"] == cls]
        if not members:
            continue
        for engine in engines:
            sums = [i["engines"][engine]["summary"] for i in members if engine in i["engines"]]
            if not sums:
                continue
            gaps = [s.get("gap_to_best_pct") for s in sums]
            walls = [s.get("wall_s") for s in sums]
            out.append(
                {
                    "class": cls,
                    "engine": engine,
                    "instances": len(sums),
                    "hits": sum(1 for s in sums if s.get("hits", 0) == s.get("ok", -1) > 0),
                    "hits_within_5s": sum(
                        1
                        for s in sums
                        if s.get("hits", 0) == s.get("ok", -1) > 0 and (s.get("wall_s") or 1e9) <= 5
                    ),
                    "without_solution": sum(1 for g in gaps if g is None),
                    "mean_gap_pct": (
                        statistics.fmean(_finite(gaps))
                        if _finite(gaps) and None not in gaps
                        else None
                    ),
                    "max_gap_pct": max(_finite(gaps)) if _finite(gaps) else None,
                    "mean_wall_s": statistics.fmean(_finite(walls)) if _finite(walls) else None,
                    "max_wall_s": max(_finite(walls)) if _finite(walls) else None,
                    "time_limit": members[0]["time_limit"],
                    "invalid_runs": sum(s.get("invalid_runs", 0) for s in sums),
                }
            )
    return out


def _slope(points: list[tuple[float, float]]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = statistics.fmean(p[0] for p in pts)
    my = statistics.fmean(p[1] for p in pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def scaling(instances: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Log-log slope of median wall time (and compile time, model size) against the number of
    families, per engine and variant, over the scales team .. city that ran (least squares)."""
    planner = [i for i in instances if i["suite"] == "planner" and i["scale"] != "tiny"]
    out = []
    for variant in sorted({i["variant"] for i in planner}):
        rows = sorted(
            (i for i in planner if i["variant"] == variant),
            key=lambda i: SCALE_ORDER.index(i["scale"]),
        )
        if len(rows) < 2:
            continue
        for engine in ENGINE_ORDER:
            have = [
                i
                for i in rows
                if engine in i["engines"] and i["engines"][engine]["summary"].get("wall_s")
            ]
            if len(have) < 2:
                continue
            sums = [i["engines"][engine]["summary"] for i in have]
            points = [(i["families"], s["wall_s"]) for i, s in zip(have, sums, strict=True)]
            out.append(
                {
                    "variant": variant,
                    "what": f"wall time, {ENGINE_LABEL[engine]}",
                    "scales": [i["scale"] for i in have],
                    "points": points,
                    "exponent": _slope(points),
                    "capped": any(s.get("capped") for s in sums),
                }
            )
            if engine == "greedy":
                comp = [
                    (i["families"], s.get("compile_s")) for i, s in zip(have, sums, strict=True)
                ]
                out.append(
                    {
                        "variant": variant,
                        "what": "compile time (compile_team)",
                        "scales": [i["scale"] for i in have],
                        "points": comp,
                        "exponent": _slope([p for p in comp if p[1]]),
                        "capped": False,
                    }
                )
                opts = [
                    (i["families"], (s.get("size") or {}).get("options"))
                    for i, s in zip(have, sums, strict=True)
                ]
                out.append(
                    {
                        "variant": variant,
                        "what": "model size (options)",
                        "scales": [i["scale"] for i in have],
                        "points": opts,
                        "exponent": _slope([p for p in opts if p[1]]),
                        "capped": False,
                    }
                )
    return out


# ------------------------------------------------------------------------------------ targets


def _find(instances, suite: str, name: str) -> dict[str, Any] | None:
    return next((i for i in instances if i["suite"] == suite and i["name"] == name), None)


def _eng(inst: dict[str, Any] | None, engine: str = "cpsat") -> dict[str, Any] | None:
    if inst is None or engine not in inst["engines"]:
        return None
    s = inst["engines"][engine]["summary"]
    return s if s.get("ok") else None


def _f(x: float | None, digits: int = 2, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}{unit}"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's target table with what this run reached (engine = cpsat). `met` is None when
    the run did not measure the row under the target's conditions."""
    inst = results["instances"]
    rows: list[dict[str, Any]] = []

    def row(work: str, target: str, reached: str, met: bool | None) -> None:
        rows.append({"work": work, "target": target, "reached": reached, "met": met})

    s = _eng(_find(inst, "planner", "team-balanced"))
    if s:
        n = len(s["levels"])
        row(
            "team, balanced",
            "every objective level proven optimal, median <= 2 s",
            f"all {n} levels proven in {s['all_proven_runs']}/{s['ok']} runs; "
            f"median {_f(s['wall_s'])} s",
            s["all_proven_runs"] == s["ok"] and s["wall_s"] <= 2.0,
        )
    else:
        row(
            "team, balanced", "every objective level proven optimal, median <= 2 s", "not run", None
        )
    s = _eng(_find(inst, "planner", "team-overloaded"))
    target = "level 1 proven optimal, whole plan <= 5 s"
    if s:
        row(
            "team, overloaded",
            target,
            f"level 1 proven in {s['level1_proven_runs']}/{s['ok']} runs; "
            f"median {_f(s['wall_s'])} s",
            s["level1_proven_runs"] == s["ok"] and s["wall_s"] <= 5.0,
        )
    else:
        row("team, overloaded", target, "not run", None)
    for variant in ("balanced", "overloaded"):
        s = _eng(_find(inst, "planner", f"district-{variant}"))
        target = "level 1 within 0.1 % of its bound, whole plan <= 15 s"
        if s:
            g = s.get("level1_gap_max_pct")
            row(
                f"district, {variant}",
                target,
                f"level-1 gap {_f(g, 3)} % (placement levels only "
                f"{_f(s.get('placement_gap_max_pct'), 3)} %), worst run; median "
                f"{_f(s['wall_s'])} s",
                g is not None and g <= 0.1 and s["wall_s"] <= 15.0,
            )
        else:
            row(f"district, {variant}", target, "not run", None)
    first = results.get("extras", {}).get("first_plan")
    if first and first.get("scale") == "city":
        x = first.get("seconds")
        row(
            "city: first complete plan",
            "<= 10 s",
            f"{_f(x)} s ({first.get('how', '')})",
            x is not None and x <= 10.0 and bool(first.get("valid")),
        )
    else:
        row("city: first complete plan", "<= 10 s", "not run at city scale", None)
    peaks = []
    for variant in ("balanced", "overloaded"):
        i = _find(inst, "planner", f"city-{variant}")
        s = _eng(i)
        target = "level 1 within 0.5 % of its bound at 60 s"
        if s:
            g = s.get("level1_gap_max_pct")
            at60 = i["time_limit"] == 60
            row(
                f"city, {variant}: level 1",
                target,
                f"level-1 gap {_f(g, 3)} % (placement levels only "
                f"{_f(s.get('placement_gap_max_pct'), 3)} %), worst run, at a "
                f"{_f(i['time_limit'], 0)} s limit",
                (g is not None and g <= 0.5) if at60 else None,
            )
            peaks.append(s.get("peak_max_mb"))
        else:
            row(f"city, {variant}: level 1", target, "not run", None)
    if peaks and None not in peaks:
        row(
            "city: peak memory",
            "<= 4 GB",
            f"{_f(max(peaks) / 1024, 2)} GB (engine, worst run)",
            max(peaks) <= 4096,
        )
    else:
        row("city: peak memory", "<= 4 GB", "not run", None)
    rec = results.get("extras", {}).get("recommend")
    if rec and rec.get("ok"):
        row(
            f"`recommend` for one family, {rec['scale']} scale",
            "<= 200 ms",
            f"median {_f(rec['median_ms'], 1)} ms over {rec['families']} families "
            f"(first call {_f(rec['first_ms'], 1)} ms, max {_f(rec['max_ms'], 1)} ms)",
            rec["median_ms"] <= 200 if rec["scale"] == "team" else None,
        )
    else:
        row("`recommend` for one family, team scale", "<= 200 ms", "not run", None)
    rp = results.get("extras", {}).get("replan")
    if rp and rp.get("summary", {}).get("ok"):
        s = rp["summary"]
        row(
            f"re-plan after one professional leaves ({rp['scale']})",
            "<= 2 s, and no family moves that does not have to",
            f"stable re-plan: median {_f(s['replan_s'])} s; {s['moved_needlessly_max']} families "
            f"moved needlessly (worst run; {_num(s['moved'])} moved, keeping proven in "
            f"{s['keep_proven']}/{s['ok']} runs{_fewest(s)}; {s['leaver']} had "
            f"{s['leaver_families']})",
            (s["replan_s"] <= 2.0 and s["moved_needlessly_max"] == 0)
            if rp["scale"] == "team"
            else None,
        )
    else:
        row(
            "re-plan after one professional leaves (team)",
            "<= 2 s, no needless moves",
            "not run",
            None,
        )
    classes = {(c["class"], c["engine"]): c for c in results.get("gap_classes", [])}
    expected = results.get("gap_expected", {})
    for label, names, count in (
        ("OR-Library gap1-12", ["OR-Library gap1-12"], 60),
        ("Chu & Beasley A/B/C", ["C&B A", "C&B B", "C&B C"], 18),
    ):
        cs = [classes[(n, "cpsat")] for n in names if (n, "cpsat") in classes]
        target = "all published optima, each <= 5 s"
        if not cs:
            row(label, target, "not run", None)
            continue
        n = sum(c["instances"] for c in cs)
        hits = sum(c["hits"] for c in cs)
        fast = sum(c["hits_within_5s"] for c in cs)
        wall = max(c["max_wall_s"] or 0 for c in cs)
        limits = sorted({c["time_limit"] for c in cs})
        complete = n == sum(expected.get(x, 0) for x in names) == count
        row(
            label,
            target,
            f"{hits}/{n} best known values reached, {fast} of them within 5 s; "
            f"slowest {_f(wall)} s (limit {', '.join(_f(x, 0) for x in limits)} s)",
            (fast == n) if complete else None,
        )
    d = classes.get(("C&B D", "cpsat"))
    target = "average gap to best known <= 0.3 % (plain CP-SAT: 0.06-1.57 %)"
    if d:
        complete = d["instances"] == expected.get("C&B D", 0) == 6
        at30 = d["time_limit"] == 30 and results["config"].get("workers") == 2
        row(
            "Chu & Beasley D at 30 s, 2 workers",
            target,
            f"average {_f(d['mean_gap_pct'], 3)} %, worst {_f(d['max_gap_pct'], 3)} % over "
            f"{d['instances']} instances at {_f(d['time_limit'], 0)} s",
            (d["mean_gap_pct"] is not None and d["mean_gap_pct"] <= 0.3)
            if complete and at30
            else None,
        )
    else:
        row("Chu & Beasley D at 30 s, 2 workers", target, "not run", None)
    return rows


# ------------------------------------------------------------------------------------ markdown


def _met(x: bool | None) -> str:
    return "–" if x is None else ("yes" if x else "**no**")


def _status(s: dict[str, Any]) -> str:
    if not s.get("ok"):
        return f"error ({s.get('runs', 0)} runs)"
    return ", ".join(
        f"{k} {v}" if len(s["status"]) > 1 else k for k, v in sorted(s["status"].items())
    )


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _num(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "–"
    if digits == 0 and float(x).is_integer():
        return f"{int(x):,}".replace(",", " ")
    return f"{x:,.{digits}f}".replace(",", " ")


def _speed(calibration: dict[str, Any] | None) -> str:
    """'python 1.05, cpsat 1.04, scip 1.02' (speed against the reference), or 'not measured'."""
    if not calibration:
        return "not measured"
    return ", ".join(f"{name} {_f(c['speed'])}" for name, c in calibration.items())


def markdown(results: dict[str, Any]) -> str:
    cfg, machine = results["config"], results["machine"]
    lines = [
        f"# Benchmark {results['id']}",
        "",
        f"- command: `{results['command']}`",
        f"- started {results['started']}, took {_f(results.get('duration_s', 0) / 60, 1)} min"
        + ("" if results.get("complete") else " (**incomplete**)"),
        f"- machine: {machine.get('cpus')} cpus, {_f(machine.get('memory_gb'), 1)} GB, "
        f"load average {machine.get('load_start')} at the start, {machine.get('load_end')} at "
        f"the end; Python {machine.get('python')}, ortools {machine.get('ortools')}, "
        f"highspy {machine.get('highspy')}",
        f"- machine speed (`benchmarks/calibrate.py`, 1.0 = 2026-11-23, higher is faster): "
        f"{_speed(machine.get('calibration_start'))} at the start, "
        f"{_speed(machine.get('calibration_end'))} at the end",
        f"- code: {results.get('git', {}).get('commit', '?')[:12]}"
        + (" with uncommitted changes" if results.get("git", {}).get("dirty") else ""),
        f"- runs per measurement: {cfg['runs']} (medians); workers {cfg['workers']}; "
        f"time limits: {cfg['time_limits_text']}",
        "",
        "## Targets (issue 4; engine = CP-SAT backend via `make_plan` / `solvers.solve`)",
        "",
    ]
    lines += _table(
        ["work", "target", "reached", "met"],
        [[r["work"], r["target"], r["reached"], _met(r["met"])] for r in results["targets"]],
    )
    lines += [
        "",
        "`met` is – when this run did not measure the row under the target's conditions "
        "(scale, time limit, workers or instance set).",
    ]
    planner = [i for i in results["instances"] if i["suite"] == "planner"]
    if planner:
        lines += _planner_section(planner, results)
    extras = results.get("extras", {})
    if extras:
        lines += _extras_section(extras)
    if results.get("scaling"):
        lines += ["", "## Scaling (team -> city)", ""]
        lines += _table(
            ["variant", "what", "points (families: value)", "exponent"],
            [
                [
                    s["variant"],
                    s["what"],
                    ", ".join(
                        f"{int(x)}: {_f(y, 2) if isinstance(y, float) else y}"
                        for x, y in s["points"]
                    ),
                    _f(s["exponent"], 2) + (" (capped by the time limit)" if s["capped"] else ""),
                ]
                for s in results["scaling"]
            ],
        )
        lines += [
            "",
            "Exponent = least-squares slope of log(value) over log(families): time ~ families^e. "
            "A capped series hit its time limit at some scale (the limits differ per scale), so "
            "its exponent describes the limits rather than the growth of the work.",
        ]
    gap = [i for i in results["instances"] if i["suite"] == "gap"]
    if gap:
        lines += _gap_section(gap, results)
    lines += ["", "## Notes", ""]
    lines += [f"- {n}" for n in results.get("notes", [])]
    return "\n".join(lines) + "\n"


def _engines(instances: list[dict[str, Any]]) -> list[str]:
    seen = {e for i in instances for e in i["engines"]}
    return [e for e in ENGINE_ORDER if e in seen]


def _planner_section(planner: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    lines = ["", "## Planner instances", ""]
    rows = []
    for inst in planner:
        for engine in _engines([inst]):
            s = inst["engines"][engine]["summary"]
            if not s.get("ok"):
                rows.append([inst["name"], ENGINE_LABEL[engine], _status(s)] + ["–"] * 8)
                continue
            l1 = objective1(s.get("levels", []), "planner") if engine != "baseline" else []
            l1_text = (
                ", ".join(f"{_num(lv['value'])}/{_num(lv['bound'])}" for lv in l1)
                if l1
                else "(own levels)"
            )
            rows.append(
                [
                    inst["name"],
                    ENGINE_LABEL[engine],
                    _status(s),
                    _f(s["wall_s"]),
                    _num(s.get("peak_mb")),
                    l1_text,
                    (f"{_f(s.get('level1_gap_pct'), 3)} ({_f(s.get('placement_gap_pct'), 3)})")
                    if engine != "baseline"
                    else "–",
                    (
                        f"{s['all_proven_runs']}/{s['ok']} all, "
                        + "/".join(str(lv["proven"]) for lv in s["levels"])
                    )
                    if engine in ("cpsat", "highs", "highs-warm")
                    else "–",
                    f"{_num(s.get('placed'))} / {_num(s.get('waiting'))}",
                    str(s.get("violations_max", "–")),
                    _f(s.get("compile_s")) if s.get("compile_s") is not None else "–",
                ]
            )
    lines += _table(
        [
            "instance",
            "engine",
            "status",
            "wall s (median)",
            "peak MB",
            "level 1 value/bound per level",
            "level-1 gap % (placement only)",
            "runs proven (per level)",
            "placed / waiting",
            "violations",
            "compile s",
        ],
        rows,
    )
    lines += [
        "",
        "Level 1 = the levels before `vast-gezicht` (placing families per priority class, then "
        "waiting time). Gap = |value - bound| / max(1, |value|), worst level, median over runs; "
        "in brackets the `plaatsen-*` levels only (without `wachttijd`); – = no bound. "
        "Greedy runs on the engine's own model (values compare); the hand-made "
        "baseline (`make_plan(solver='greedy')`) has relaxed rules and its own levels: its "
        "violations count the rules it breaks. `violations` must be 0 for the engine and HiGHS.",
        "",
        "### Objective levels per instance (median value / bound, runs proven)",
    ]
    for inst in planner:
        engines = [e for e in _engines([inst]) if e != "baseline"]
        base = next(
            (
                inst["engines"][e]["summary"]
                for e in engines
                if inst["engines"][e]["summary"].get("ok")
            ),
            None,
        )
        if base is None:
            continue
        lines += [
            "",
            f"**{inst['name']}** ({inst['families']} families, "
            f"time limit {_f(inst['time_limit'], 0)} s)",
            "",
        ]
        rows = []
        for i, lv in enumerate(base["levels"]):
            row = [lv["name"]]
            for e in engines:
                s = inst["engines"][e]["summary"]
                levels = s.get("levels") or []
                if i < len(levels):
                    x = levels[i]
                    row.append(
                        f"{_num(x['value'])} / {_num(x['bound'])} "
                        f"({x['proven']}/{s['ok']}, {_f(x['seconds'])} s)"
                    )
                else:
                    row.append("–")
            rows.append(row)
        lines += _table(["level", *[ENGINE_LABEL[e] for e in engines]], rows)
    return lines


def _extras_section(extras: dict[str, Any]) -> list[str]:
    lines = ["", "## Extra measurements", ""]
    rec = extras.get("recommend")
    if rec:
        if rec.get("ok"):
            lines.append(
                f"- `recommend` ({rec['dataset']}): median {_f(rec['median_ms'], 1)} ms, p90 "
                f"{_f(rec['p90_ms'], 1)} ms, max {_f(rec['max_ms'], 1)} ms, first call "
                f"{_f(rec['first_ms'], 1)} ms (fills the Context's caches) over {rec['families']} "
                f"random families; {rec['without_recommendation']} got no recommendation."
            )
        else:
            lines.append(f"- `recommend`: failed: {rec.get('error', '')[-200:]}")
    rp = extras.get("replan")
    if rp:
        s = rp.get("summary", {})
        if s.get("ok"):
            lines.append(
                f"- stable re-plan ({rp['dataset']}, engine, "
                f"{_f(s.get('replan_time_limit') or rp['time_limit'], 0)} s limit): first plan "
                f"{_f(s['first_plan_s'])} s at {_f(rp['time_limit'], 0)} s placing "
                f"{_num(s['first_placed'])}; {s['leaver']} (most families: {s['leaver_families']}) "
                f"leaves; re-plan median {_f(s['replan_s'])} s (max {_f(s['replan_max_s'])} s), "
                f"status {s['status']}; {_num(s['placed'])} families placed, "
                f"{_num(s['leaver_families_replaced'])} of the leaver's families placed again; "
                f"families of others moved: median {_num(s['moved'])}, worst {s['moved_max']}, "
                f"keeping proven optimal (every move needed for a more urgent family) in "
                f"{s['keep_proven']}/{s['ok']} runs{_fewest(s)}; moved needlessly (the moves "
                f"beyond the fewest possible; all moves when neither is proven): worst "
                f"{s['moved_needlessly_max']}; validator violations {s['violations_max']}."
            )
            f = s.get("full")
            if f:
                lines.append(
                    f"- full re-plan of the same change, same limit (placement before keeping): "
                    f"median {_f(f['replan_s'])} s; {_num(f['placed'])} placed, "
                    f"{_num(f['leaver_families_replaced'])} of the leaver's families placed again;"
                    f" {_num(f['moved'])} families of others moved (worst {f['moved_max']}); "
                    f"validator violations {f['violations_max']}."
                )
        else:
            lines.append(f"- re-plan: failed: {s.get('errors')}")
    fp = extras.get("first_plan")
    if fp:
        lines.append(
            f"- first complete plan ({fp['instance']}): {_f(fp.get('seconds'))} s = {fp['how']}; "
            f"valid: {fp.get('valid')}. The engine itself holds its warm start (a complete "
            f"plan) when its first level starts: median {_f(fp.get('engine_first_level_s'))} s "
            "after `make_plan` was called (its `on_level` callback)."
        )
    return lines


def _gap_section(gap: list[dict[str, Any]], results: dict[str, Any]) -> list[str]:
    engines = _engines(gap)
    lines = ["", "## GAP instances (minimisation; best known from data.csv)", ""]
    rows = []
    for c in results.get("gap_classes", []):
        rows.append(
            [
                c["class"],
                ENGINE_LABEL[c["engine"]],
                f"{_f(c['time_limit'], 0)} s",
                f"{c['hits']}/{c['instances']}",
                f"{c['hits_within_5s']}/{c['instances']}",
                _f(c["mean_gap_pct"], 3),
                _f(c["max_gap_pct"], 3),
                _f(c["mean_wall_s"]),
                _f(c["max_wall_s"]),
                str(c["without_solution"]),
                str(c["invalid_runs"]),
            ]
        )
    lines += _table(
        [
            "class",
            "engine",
            "limit",
            "best known reached",
            "reached within 5 s",
            "mean gap to best %",
            "max gap %",
            "mean wall s",
            "max wall s",
            "no solution",
            "invalid runs",
        ],
        rows,
    )
    ratio = results.get("highs_ratio")
    if ratio:
        lines += ["", "### Engine vs HiGHS and greedy", ""]
        lines += _table(
            [
                "class",
                "vs",
                "instances",
                "engine better",
                "equal",
                "engine worse",
                "time ratio (other / engine, geo. mean)",
            ],
            [
                [
                    r["class"],
                    ENGINE_LABEL[r["other"]],
                    str(r["instances"]),
                    str(r["better"]),
                    str(r["equal"]),
                    str(r["worse"]),
                    _f(r["time_ratio"], 2),
                ]
                for r in ratio
            ],
        )
        lines += [
            "",
            "Better/worse compare level 1 (GAP: the cost; planner: the placement levels in "
            "lexicographic order; median run); a missing solution counts as worse. Time ratio "
            "> 1: the other engine took longer (an engine stops early only when it proves "
            "optimality).",
        ]
    lines += ["", "### Per instance", ""]
    rows = []
    for inst in gap:
        row = [inst["name"], _num(inst.get("best_known"))]
        for e in engines:
            s = inst["engines"].get(e, {}).get("summary", {})
            if not s.get("ok"):
                row.append("error" if e in inst["engines"] else "–")
                continue
            row.append(
                f"{_num(s.get('value'))} ({_f(s.get('gap_to_best_pct'), 2)} %, "
                f"{_f(s.get('wall_s'))} s"
                + (", proven" if s.get("level1_proven_runs") == s["ok"] else "")
                + ")"
            )
        rows.append(row)
    lines += _table(["instance", "best known", *[ENGINE_LABEL[e] for e in engines]], rows)
    return lines


def engine_ratios(instances: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per GAP class (and the planner): the engine's level-1 value and time against HiGHS and
    greedy on the same instances."""
    out = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for i in instances:
        key = i["class"] if i["suite"] == "gap" else "planner"
        groups.setdefault(key, []).append(i)
    order = [*GAP_CLASSES, "planner"]
    for key in sorted(groups, key=order.index):
        for other in ("highs", "highs-warm", "greedy"):
            pairs = []
            for i in groups[key]:
                a, b = _eng(i, "cpsat"), _eng(i, other)
                if a and b:
                    pairs.append((i, a, b))
            if not pairs:
                continue
            better = equal = worse = 0
            ratios = []
            for i, a, b in pairs:
                ka, kb = _level1_key(i, a), _level1_key(i, b)
                if ka == kb:
                    equal += 1
                elif kb is None or (ka is not None and ka > kb):
                    better += 1
                else:
                    worse += 1
                if a.get("wall_s") and b.get("wall_s"):
                    ratios.append(b["wall_s"] / a["wall_s"])
            out.append(
                {
                    "class": key,
                    "other": other,
                    "instances": len(pairs),
                    "better": better,
                    "equal": equal,
                    "worse": worse,
                    "time_ratio": (
                        math.exp(statistics.fmean(math.log(r) for r in ratios if r > 0))
                        if ratios
                        else None
                    ),
                }
            )
    return out


def _level1_key(inst: dict[str, Any], s: dict[str, Any]) -> tuple[float, ...] | None:
    """Larger is better. GAP: minus the cost; planner: the level-1 values (all maximised) in
    lexicographic order. None without a (complete) solution."""
    if inst["suite"] == "gap":
        v = s.get("value")
        return None if v is None else (-v,)
    values = [lv["value"] for lv in objective1(s.get("levels") or [], "planner")]
    return None if not values or None in values else tuple(values)
