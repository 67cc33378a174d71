"""Run the engine benchmark suite; write benchmarks/results/<id>.json and <id>.md (+ latest.md).

Every measurement runs in a fresh Python process (`benchmarks/worker.py`), N times (median).
Engines side by side at the same time limit: the engine (CP-SAT backend), the greedy backend on
the same model, the same model as a MIP with HiGHS, and (planner only) the hand-made baseline.

    python benchmarks/run.py                        # the full suite (hours; see README)
    python benchmarks/run.py --suite gap --gap 'chu1997/d*' --runs 1
    python benchmarks/run.py --scales team --suite planner
    python benchmarks/run.py --quick --out /tmp/bench   # smoke test: tiny inputs, 1 run, 2 s
    python benchmarks/run.py --dry-run              # list the measurements and a duration bound
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import fnmatch
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere, even without an install

from benchmarks import report  # noqa: E402

BENCH = ROOT / "benchmarks"
WORKER = BENCH / "worker.py"
GAP_DIR = BENCH / "instances" / "gap"
DEFAULT_OUT = BENCH / "results"
DEFAULT_CACHE = BENCH / ".cache"

SCALES = ("tiny", "team", "district", "city")
VARIANTS = ("balanced", "overloaded")
ENGINES = ("cpsat", "greedy", "highs", "highs-warm", "baseline")
DEFAULT_ENGINES = ("cpsat", "greedy", "highs", "baseline")
"""`highs-warm` (opt-in): HiGHS started from the engine's warm start (hints or greedy)."""
GAP_ENGINES = ("cpsat", "greedy", "highs", "highs-warm")
EXTRAS = ("recommend", "replan", "first-plan")
PLANNER_TIME_LIMIT = {"tiny": 2.0, "team": 5.0, "district": 15.0, "city": 60.0}
"""Per scale, the time of the issue's target (team overloaded <= 5 s, district <= 15 s, city
at 60 s); team balanced (<= 2 s) runs at the team limit and must finish early."""
GAP_TIME_LIMIT = 5.0  # OR-Library gap1-12
CHU_TIME_LIMIT = 30.0  # Chu & Beasley A-D
BEST_KNOWN_CORRECTIONS = {"chu1997/d20200": 12238}
"""benchmarks/instances/gap/README.md: a feasible solution of cost 12238 exists (csv: 12244)."""
QUICK_GAP = ("cattrysse1994/gap1-0", "chu1997/a05100")
TINY = {"n_professionals": 6, "n_families": 60}
"""`tiny` (quick mode and tests): the team preset trimmed to 6 professionals and 60 families."""
RATIO = {"balanced": 0.95, "overloaded": 1.20}  # as planner.synth._variants


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------ datasets


def synth_spec(scale: str, variant: str):
    from planner.synth import PRESETS

    if scale == "tiny":
        return replace(PRESETS["team"], name=f"tiny-{variant}", demand_ratio=RATIO[variant], **TINY)
    return PRESETS[f"{scale}-{variant}"]


def ensure_dataset(cache: Path, scale: str, variant: str, seed: int) -> Path:
    """The generated dataset folder (planner input format), cached per spec, seed and the
    source of the generator and writer."""
    spec = synth_spec(scale, variant)
    digest = hashlib.sha1(repr(spec).encode())
    for src in ("planner/synth.py", "planner/io.py", "planner/model.py"):
        digest.update((ROOT / src).read_bytes())
    folder = cache / f"{scale}-{variant}-seed{seed}-{digest.hexdigest()[:10]}"
    if (folder / ".complete").exists():
        return folder
    from planner.io import write_dataset
    from planner.synth import generate

    log(f"generating {scale}-{variant} (seed {seed}) into {folder}")
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    write_dataset(generate(spec, seed), tmp)
    (tmp / ".complete").write_text(f"{spec!r}\n")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


def gap_metadata() -> dict[str, dict[str, Any]]:
    """Per instance in data.csv that exists in the folder: best known (corrected) and optimum."""
    out: dict[str, dict[str, Any]] = {}
    with (GAP_DIR / "data.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            name = row["Path"]
            if not (GAP_DIR / name).is_file():
                continue
            best = int(row["Best known solution value"])
            best = min(best, BEST_KNOWN_CORRECTIONS.get(name, best))
            out[name] = {
                "best_known": best,
                "optimum": int(row["Optimum"]) if row["Optimum"] else None,
                "class": report.gap_class(name),
            }
    return out


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def select_gap(meta: dict[str, dict[str, Any]], patterns: list[str]) -> list[str]:
    names = [n for n in meta if n.startswith(("cattrysse1994/", "chu1997/"))]
    chosen = [n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)]
    return sorted(chosen, key=lambda n: (report.GAP_CLASSES.index(meta[n]["class"]), _natural(n)))


# ------------------------------------------------------------------------------------ running


def run_task(task: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One measurement in a fresh process: the worker's JSON, or ok=False with the error."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(WORKER), json.dumps(task)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"killed after {timeout:.0f} s", "process_s": timeout}
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode == 0 and lines:
        try:
            out = json.loads(lines[-1])
            out["process_s"] = round(time.perf_counter() - t0, 3)
            return out
        except json.JSONDecodeError:
            pass
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
    return {"ok": False, "error": f"exit {proc.returncode}: {tail}"}


def _describe(r: dict[str, Any]) -> str:
    if not r.get("ok"):
        return "ERROR " + r.get("error", "")[-200:]
    levels = r.get("levels") or []
    first = levels[0] if levels else {}
    return (
        f"{r['status']} {r['wall_s']:.2f} s, {r.get('peak_mb', 0):.0f} MB, "
        f"{first.get('name', '')}={first.get('value')}/{first.get('bound')}"
    )


def _timeout(kind: str, limit: float) -> float:
    return {"planner": 3 * limit + 900, "gap": 3 * limit + 120}.get(kind, 4 * limit + 900)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[5:]),
    )
    p.add_argument("--suite", choices=("planner", "gap", "all"), default="all")
    p.add_argument(
        "--scales", help=f"comma list of {', '.join(SCALES)} (default team,district,city)"
    )
    p.add_argument("--variants", default="balanced,overloaded", help="comma list")
    p.add_argument(
        "--engines",
        default=",".join(DEFAULT_ENGINES),
        help=f"comma list of {', '.join(ENGINES)} (default {','.join(DEFAULT_ENGINES)})",
    )
    p.add_argument("--runs", type=int, help="runs per measurement, median reported (default 3)")
    p.add_argument(
        "--time-limit",
        type=float,
        help="planner time limit in s for every scale (default team 5, district 15, city 60)",
    )
    p.add_argument(
        "--gap-time-limit", type=float, help=f"OR-Library (default {GAP_TIME_LIMIT:.0f})"
    )
    p.add_argument(
        "--chu-time-limit", type=float, help=f"Chu & Beasley (default {CHU_TIME_LIMIT:.0f})"
    )
    p.add_argument(
        "--gap",
        help="comma list of instance patterns, e.g. 'cattrysse1994/gap1-*,chu1997/d*' "
        "(default: OR-Library gap1-12 and every Chu & Beasley instance in the folder)",
    )
    p.add_argument("--workers", type=int, default=2, help="solver workers (default 2)")
    p.add_argument("--seed", type=int, default=1, help="dataset seed (default 1)")
    p.add_argument("--solver-seed", type=int, default=None, help="CP-SAT/HiGHS random seed")
    p.add_argument(
        "--highs-presolve",
        choices=("on", "off"),
        default="on",
        help="HiGHS presolve (default on; it cannot be interrupted and overruns at city scale)",
    )
    p.add_argument("--extras", help=f"comma list of {', '.join(EXTRAS)}, or none (default all)")
    p.add_argument("--extras-scale", help="scale of recommend and re-plan (default team)")
    p.add_argument(
        "--replan-time-limit", type=float, help="re-plan time limit in s (default 2, the target)"
    )
    p.add_argument(
        "--replan-reference-limit",
        type=float,
        default=60.0,
        help="s to prove the fewest moves of a re-plan whose keeping is unproven (default 60)",
    )
    p.add_argument("--recommend-families", type=int, help="families timed (default 50)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="generated datasets")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: tiny scale, 2 GAP instances, 1 run, 2 s limits (flags still win)",
    )
    p.add_argument(
        "--calibrate",
        type=int,
        help="timings per fixed workload at the start and the end, to compare runs of "
        "different days (benchmarks/calibrate.py; default 3, 0: none)",
    )
    p.add_argument("--dry-run", action="store_true", help="list the measurements, run nothing")
    args = p.parse_args(argv)

    def pick(value, quick, default):
        return value if value is not None else (quick if args.quick else default)

    args.scales = _split(pick(args.scales, "tiny", "team,district,city"), SCALES, "--scales")
    args.variants = _split(args.variants, VARIANTS, "--variants")
    args.engines = _split(args.engines, ENGINES, "--engines")
    args.runs = pick(args.runs, 1, 3)
    args.gap_time_limit = pick(args.gap_time_limit, 2.0, GAP_TIME_LIMIT)
    args.chu_time_limit = pick(args.chu_time_limit, 2.0, CHU_TIME_LIMIT)
    args.time_limit = pick(args.time_limit, 2.0, None)
    args.gap = pick(args.gap, ",".join(QUICK_GAP), "cattrysse1994/*,chu1997/*").split(",")
    extras = pick(args.extras, ",".join(EXTRAS), ",".join(EXTRAS))
    args.extras = [] if extras == "none" else _split(extras, EXTRAS, "--extras")
    args.extras_scale = pick(args.extras_scale, "tiny", "team")
    if args.extras_scale not in SCALES:
        p.error(f"--extras-scale: expected one of {', '.join(SCALES)}")
    args.recommend_families = pick(args.recommend_families, 10, 50)
    args.replan_time_limit = pick(args.replan_time_limit, 2.0, 2.0)
    args.calibrate = pick(args.calibrate, 1, 3)
    if args.calibrate < 0:
        p.error("--calibrate must be 0 or more")
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


def _split(text: str, allowed: tuple[str, ...], flag: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in allowed]
    if bad or not items:
        raise SystemExit(f"{flag}: unknown {bad or text!r}; expected a comma list of {allowed}")
    return items


def _machine() -> dict[str, Any]:
    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gb": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "ortools": version("ortools"),
        "highspy": version("highspy"),
        "load_start": _load(),
    }


def _calibrate(repeats: int) -> dict[str, Any] | None:
    """The fixed workloads' timings (`benchmarks/calibrate.py`) in a fresh process, as the
    measurements run; None when `repeats` is 0 or it failed (the error is logged)."""
    if repeats == 0:
        return None
    cmd = [sys.executable, str(ROOT / "benchmarks" / "calibrate.py"), "--repeats", str(repeats)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        log("calibration failed: no result within 600 s")
        return None
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        log(f"calibration failed: {last[0]}")
        return None
    out: dict[str, Any] = json.loads(proc.stdout)
    log("calibration: " + ", ".join(f"{k} {v['seconds']:.2f} s" for k, v in out.items()))
    return out


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _git() -> dict[str, Any]:
    def git(*a: str) -> str:
        return subprocess.run(
            ["git", *a], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def _limits_text(args: argparse.Namespace) -> str:
    parts = []
    if args.suite in ("planner", "all"):
        parts.append(
            "planner " + ", ".join(f"{s} {_planner_limit(args, s):g} s" for s in args.scales)
        )
    if args.suite in ("gap", "all"):
        parts.append(
            f"OR-Library {args.gap_time_limit:g} s, Chu & Beasley {args.chu_time_limit:g} s"
        )
    return "; ".join(parts)


def _planner_limit(args: argparse.Namespace, scale: str) -> float:
    return args.time_limit if args.time_limit is not None else PLANNER_TIME_LIMIT[scale]


def build_plan(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The instances to measure (without results yet) and the GAP metadata."""
    instances: list[dict[str, Any]] = []
    meta = gap_metadata()
    if args.suite in ("planner", "all"):
        for scale in args.scales:
            for variant in args.variants:
                spec = synth_spec(scale, variant)
                instances.append(
                    {
                        "suite": "planner",
                        "name": f"{scale}-{variant}",
                        "scale": scale,
                        "variant": variant,
                        "families": spec.n_families,
                        "professionals": spec.n_professionals,
                        "time_limit": _planner_limit(args, scale),
                        "engines": {e: {"runs": []} for e in args.engines},
                    }
                )
    if args.suite in ("gap", "all"):
        engines = [e for e in args.engines if e in GAP_ENGINES]
        for name in select_gap(meta, args.gap):
            m = meta[name]
            limit = (
                args.gap_time_limit if m["class"] == report.GAP_CLASSES[0] else args.chu_time_limit
            )
            instances.append(
                {
                    "suite": "gap",
                    "name": name,
                    "class": m["class"],
                    "best_known": m["best_known"],
                    "optimum": m["optimum"],
                    "time_limit": limit,
                    "engines": {e: {"runs": []} for e in engines},
                }
            )
    return instances, meta


def estimate_seconds(args: argparse.Namespace, instances: list[dict[str, Any]]) -> float:
    """A rough upper bound: every solver run uses its whole limit, plus process start-up and
    (planner) compile time guesses."""
    compile_guess = {"tiny": 1, "team": 2, "district": 6, "city": 12}
    total = 0.0
    for inst in instances:
        for engine in inst["engines"]:
            solve = inst["time_limit"] if engine in ("cpsat", "highs", "highs-warm") else 0.5
            extra = compile_guess[inst["scale"]] if inst["suite"] == "planner" else 0
            total += args.runs * (solve + extra + 2)
    if args.suite in ("planner", "all"):
        limit = _planner_limit(args, args.extras_scale)
        if "replan" in args.extras:
            total += args.runs * (limit + 2 * args.replan_time_limit + 8 + 5)  # 5: fewest moves
        if "recommend" in args.extras:
            total += 10
    return total


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    instances, meta = build_plan(args)
    planner_suite = args.suite in ("planner", "all")
    if args.dry_run:
        for inst in instances:
            log(
                f"{inst['suite']}/{inst['name']}: {', '.join(inst['engines'])} "
                f"x {args.runs} at {inst['time_limit']:g} s"
            )
        if planner_suite and args.extras:
            log(f"extras at {args.extras_scale}: {', '.join(args.extras)}")
        bound = estimate_seconds(args, instances)
        log(f"upper bound on the duration: {bound / 3600:.1f} h ({bound / 60:.0f} min)")
        return 0

    started = dt.datetime.now()
    run_id = started.strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out / f"{run_id}.json", args.out / f"{run_id}.md"
    results: dict[str, Any] = {
        "schema": 1,
        "id": run_id,
        "complete": False,
        "command": "python benchmarks/run.py " + " ".join(argv),
        "started": started.isoformat(timespec="seconds"),
        "machine": _machine(),
        "git": _git(),
        "config": {
            "suite": args.suite,
            "scales": args.scales,
            "variants": args.variants,
            "engines": args.engines,
            "runs": args.runs,
            "workers": args.workers,
            "seed": args.seed,
            "solver_seed": args.solver_seed,
            "highs_presolve": args.highs_presolve,
            "planner_time_limits": {s: _planner_limit(args, s) for s in args.scales},
            "gap_time_limit": args.gap_time_limit,
            "chu_time_limit": args.chu_time_limit,
            "gap_patterns": args.gap,
            "extras": args.extras,
            "extras_scale": args.extras_scale,
            "quick": args.quick,
            "time_limits_text": _limits_text(args),
        },
        "instances": instances,
        "gap_expected": {
            cls: sum(1 for m in meta.values() if m["class"] == cls) for cls in report.GAP_CLASSES
        },
        "extras": {},
    }
    t_start = time.perf_counter()

    def save() -> None:
        results["duration_s"] = round(time.perf_counter() - t_start, 1)
        json_path.write_text(json.dumps(results, indent=1, allow_nan=False) + "\n")

    results["machine"]["calibration_start"] = _calibrate(args.calibrate)
    save()
    datasets: dict[str, Path] = {}
    todo = sum(len(i["engines"]) * args.runs for i in instances)
    done = 0
    for inst in instances:
        if inst["suite"] == "planner":
            folder = ensure_dataset(args.cache, inst["scale"], inst["variant"], args.seed)
            datasets[inst["name"]] = folder
            inst["dataset"] = str(folder)
        for run in range(args.runs):  # engines interleaved, so load changes hit all alike
            for engine, slot in inst["engines"].items():
                task: dict[str, Any] = {
                    "kind": inst["suite"],
                    "engine": engine,
                    "time_limit": inst["time_limit"],
                    "workers": args.workers,
                    "seed": args.solver_seed,
                    "highs_presolve": args.highs_presolve == "on",
                }
                if inst["suite"] == "planner":
                    task["dataset"] = inst["dataset"]
                else:
                    task["file"] = str(GAP_DIR / inst["name"])
                r = run_task(task, _timeout(inst["suite"], inst["time_limit"]))
                r["run"] = run
                slot["runs"].append(r)
                done += 1
                log(
                    f"[{done}/{todo}] {inst['suite']}/{inst['name']} {engine} "
                    f"#{run + 1}: {_describe(r)}"
                )
        for engine, slot in inst["engines"].items():
            slot["summary"] = report.summarize(
                slot["runs"], inst["suite"], inst["time_limit"], inst.get("best_known"), engine
            )
        save()

    if planner_suite and args.extras:
        _extras(args, results, datasets)
        save()

    gap_insts = [i for i in instances if i["suite"] == "gap"]
    results["gap_classes"] = report.gap_classes(
        gap_insts, [e for e in GAP_ENGINES if e in args.engines]
    )
    results["highs_ratio"] = report.engine_ratios(instances)
    results["scaling"] = report.scaling(instances)
    results["targets"] = report.targets(results)
    results["notes"] = _notes(results)
    results["machine"]["load_end"] = _load()
    results["machine"]["calibration_end"] = _calibrate(args.calibrate)
    results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    results["complete"] = True
    save()
    text = report.markdown(results)
    md_path.write_text(text)
    (args.out / "latest.md").write_text(text)
    log(f"wrote {json_path} and {md_path} (and latest.md)")
    return 0


def _extras(args: argparse.Namespace, results: dict[str, Any], datasets: dict[str, Path]) -> None:
    extras = results["extras"]
    scale = args.extras_scale
    limit = _planner_limit(args, scale)
    folder = ensure_dataset(args.cache, scale, "balanced", args.seed)
    name = f"{scale}-balanced"
    if "recommend" in args.extras:
        r = run_task(
            {
                "kind": "recommend",
                "dataset": str(folder),
                "families": args.recommend_families,
                "seed": args.seed,
            },
            900,
        )
        r.update(scale=scale, dataset=name)
        extras["recommend"] = r
        log(
            f"recommend {name}: "
            + (f"median {r['median_ms']:.1f} ms" if r.get("ok") else r.get("error", ""))
        )
    if "replan" in args.extras:
        runs = []
        for run in range(args.runs):
            r = run_task(
                {
                    "kind": "replan",
                    "dataset": str(folder),
                    "time_limit": limit,
                    "replan_time_limit": args.replan_time_limit,
                    "replan_reference_limit": args.replan_reference_limit,
                    "workers": args.workers,
                    "seed": args.solver_seed,
                },
                _timeout("replan", limit) + args.replan_reference_limit,
            )
            r["run"] = run
            runs.append(r)
            log(
                f"replan {name} #{run + 1}: "
                + (
                    f"stable {r['replan_s']:.2f} s, {r['moved']} moved, "
                    f"{r['moved_needlessly']} needlessly; full {r['full']['replan_s']:.2f} s, "
                    f"{r['full']['moved']} moved"
                    if r.get("ok")
                    else r.get("error", "")
                )
            )
        extras["replan"] = {
            "scale": scale,
            "dataset": name,
            "time_limit": limit,
            "runs": runs,
            "summary": report.summarize_replan(runs),
        }
    if "first-plan" in args.extras:
        fp = _first_plan(results["instances"])
        if fp:
            extras["first_plan"] = fp


def _first_plan(instances: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Time to the first complete plan at the largest planner scale that ran (worst variant):
    the greedy backend on the engine's model (compile + greedy + decode, its median wall time),
    valid when the planner's validator finds nothing; and, for reference, when the engine's
    first level starts (it holds its greedy warm start by then)."""
    planner = [i for i in instances if i["suite"] == "planner"]
    if not planner:
        return None
    top = max(report.SCALE_ORDER.index(i["scale"]) for i in planner)
    at = [i for i in planner if report.SCALE_ORDER.index(i["scale"]) == top]
    worst: dict[str, Any] | None = None
    for inst in at:
        g = report._eng(inst, "greedy")
        c = report._eng(inst, "cpsat")
        if g:
            fp = {
                "seconds": g["wall_s"],
                "how": "compile_team + greedy backend + decode, median wall",
                "valid": g.get("violations_max") == 0
                and set(g["status"]) <= {"feasible", "optimal"},
            }
        elif c and c.get("first_level_start_s") is not None:
            fp = {
                "seconds": c["first_level_start_s"],
                "how": "make_plan until the engine's first level starts (warm start held)",
                "valid": c.get("violations_max") == 0,
            }
        else:
            continue
        fp.update(
            instance=inst["name"],
            scale=inst["scale"],
            engine_first_level_s=c.get("first_level_start_s") if c else None,
        )
        if worst is None or fp["seconds"] > worst["seconds"]:
            worst = fp
    return worst


def _notes(results: dict[str, Any]) -> list[str]:
    cfg = results["config"]
    notes = [
        "Every measurement is a fresh process; wall time = compile + solve + decode of the plan "
        "(GAP: solve), after reading the input. Peak memory = the process's VmHWM (resident "
        "high-water mark, /proc), which includes Python, ortools and the input data.",
        f"CP-SAT with {cfg['workers']} workers is not deterministic: values and times vary "
        "between runs; medians are reported and the worst run is used for the gap targets. "
        "`make_plan` takes no random seed.",
        "The greedy column is the greedy backend on the engine's own model (its values compare "
        "level by level); the hand-made baseline is `make_plan(solver='greedy')`.",
        "HiGHS solves the same model as a MIP (benchmarks/highs_backend.py: mip_rel_gap 0, "
        f"threads = workers, HiGHS's branch and bound is serial; presolve {cfg['highs_presolve']}; "
        "SPREAD linearised exactly with secant cuts; the time limit is split over the levels "
        "like the engine's; a run busy past its limit is cancelled, except in presolve, which "
        "cannot be interrupted). It runs in a "
        "child process because ortools and highspy ship clashing libhighs.so.1 builds; that "
        "overhead (JSON + start-up) is left out of its wall time and its memory is added to the "
        "peak.",
    ]
    overhead = report.median(
        r.get("overhead_s")
        for i in results["instances"]
        for e in ("highs", "highs-warm")
        for r in i["engines"].get(e, {}).get("runs", [])
    )
    if overhead is not None:
        notes.append(f"HiGHS process overhead left out: median {overhead:.2f} s per solve.")
    overran = [
        f"{i['name']} ({e})"
        for i in results["instances"]
        for e in ("highs", "highs-warm")
        for r in i["engines"].get(e, {}).get("runs", [])
        if any("overran" in m for m in r.get("messages", []))
    ]
    if overran:
        notes.append(
            f"HiGHS overran its time limit (in presolve) in {len(overran)} runs: "
            + ", ".join(sorted(set(overran)))
            + "; its wall time then exceeds the limit."
        )
    notes.append(
        f"Machine load average at the start: {results['machine'].get('load_start')}; other work on "
        "the machine inflates wall times (2 cores)."
    )
    return notes


if __name__ == "__main__":
    sys.exit(main())
