"""The plan as tables and a summary, and writing them (all or nothing) to an output folder."""

from __future__ import annotations

import csv
import json
import math
import shutil
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from planner.explain import AssignmentRow, Explainer, WaitingRow, WorkloadRow
from planner.facts import Context
from planner.findings import Finding, all_findings
from planner.model import Role
from planner.plan import Plan
from planner.validate import Violation, validate_plan

NORM_RULES = ("registratie", "expertise", "veiligheid", "consult")


@dataclass
class Report:
    assignments: list[AssignmentRow]
    waiting: list[WaitingRow]
    workload: list[WorkloadRow]
    summary: dict[str, Any]
    violations: list[Violation]


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else round(x, 6)


def counts(ctx: Context, plan: Plan, rows: list[AssignmentRow]) -> dict[str, int]:
    primary = [r for r in rows if r.role == Role.PRIMARY]
    changes = Counter(r.change for r in primary)
    backups_needed = sum(1 for f in plan.primary_of() if ctx.needs_backup(f))
    consults_needed = sum(len(ctx.triggers(f)) for f in plan.primary_of())
    return {
        "families": len(ctx.families),
        "cases": len(ctx.dataset.cases),
        "professionals": len(ctx.professionals),
        "placed": len(primary),
        "waiting": len(ctx.families) - len(primary),
        "kept": changes["kept"],
        "new": changes["new"],
        "changes": changes["changed"],
        "backup_changes": sum(1 for r in rows if r.role == Role.BACKUP and r.change == "changed"),
        "backups_needed": backups_needed,
        "backups_placed": sum(1 for r in rows if r.role == Role.BACKUP),
        "consults_needed": consults_needed,
        "consults_placed": sum(1 for r in rows if r.role == Role.CONSULT),
        "consults_self_covered": len(plan.self_covered),
    }


def level_dicts(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "name": lv.name,
            "label": plan.level_labels.get(lv.name, lv.name),
            "value": _num(lv.value),
            "bound": _num(lv.bound),
            "proven": lv.proven,
            "seconds": round(lv.seconds, 3),
        }
        for lv in plan.levels
    ]


def baseline_summary(ctx: Context, baseline: Plan) -> dict[str, Any]:
    """How the hand-made baseline (same wijk, lowest caseload) fares against the rules."""
    violations = validate_plan(ctx, baseline)
    by_rule = Counter(v.rule for v in violations)
    bad_choices = {
        (v.family_id, v.role, v.professional_id) for v in violations if v.rule in NORM_RULES
    }
    primaries = baseline.primary_of()
    return {
        "solver": baseline.solver,
        "placed": len(primaries),
        "waiting": len(ctx.families) - len(primaries),
        "assignments": len(baseline.assignments),
        "choices_breaking_norm": len(bad_choices),
        "missing_required_expertise": by_rule.get("expertise", 0),
        "unregistered": by_rule.get("registratie", 0),
        "missing_safety_training": by_rule.get("veiligheid", 0),
        "violations_by_rule": dict(sorted(by_rule.items())),
    }


def build_report(
    ctx: Context,
    plan: Plan,
    baseline: Plan | None = None,
    findings: list[Finding] | None = None,
) -> Report:
    ex = Explainer(ctx, plan)
    rows = ex.assignment_rows()
    waiting = ex.waiting_rows()
    workload = ex.workload_rows()
    violations = validate_plan(ctx, plan)
    found = findings if findings is not None else all_findings(ctx)
    util = [w.utilisation for w in workload if w.capacity_hours > 0]
    summary: dict[str, Any] = {
        "status": plan.status,
        "solver": plan.solver,
        "solve_seconds": round(plan.seconds, 3),
        "plan_date": ctx.plan_date.isoformat(),
        "dataset": ctx.dataset.source,
        "counts": counts(ctx, plan, rows),
        "utilisation": {
            "mean": round(sum(util) / len(util), 3) if util else 0.0,
            "max": max(util, default=0.0),
        },
        "waiting_by_reason": dict(Counter(w.reason_code for w in waiting)),
        "levels": level_dicts(plan),
        "broken_pins": [asdict(b) for b in plan.broken_pins],
        "findings": [f.as_dict() for f in found],
        "rule_violations": len(violations),
        "messages": plan.messages,
    }
    if baseline is not None:
        summary["baseline"] = baseline_summary(ctx, baseline)
    return Report(rows, waiting, workload, summary, violations)


def _write_csv(path: Path, rows: list, row_type: type) -> None:
    names = [f.name for f in fields(row_type)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for r in rows:
            writer.writerow([getattr(r, n) for n in names])


def write_report(report: Report, outdir: Path) -> list[Path]:
    """Write the four files. They are written to a temporary folder first and moved in only
    when all are complete, so a failure never leaves a half-written plan behind."""
    outdir.mkdir(parents=True, exist_ok=True)
    names = ["assignments.csv", "waiting.csv", "workload.csv", "summary.json"]
    with tempfile.TemporaryDirectory(dir=outdir, prefix=".plan-") as tmp:
        t = Path(tmp)
        _write_csv(t / names[0], report.assignments, AssignmentRow)
        _write_csv(t / names[1], report.waiting, WaitingRow)
        _write_csv(t / names[2], report.workload, WorkloadRow)
        (t / names[3]).write_text(
            json.dumps(report.summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        for n in names:
            shutil.move(str(t / n), str(outdir / n))
    return [outdir / n for n in names]
