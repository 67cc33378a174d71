"""The command line on the demo team and on broken input (exit 2, nothing written)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.facts import Context
from planner.io import read_dataset
from planner.model import Role
from planner.plan import Assignment, Plan
from planner.validate import validate_plan

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    code = main(["plan", str(DEMO), "--out", str(out), "--time-limit", "20"])
    assert code == 0
    return out


def test_plan_writes_four_files_and_loses_nobody(demo_plan):
    assignments = _rows(demo_plan / "assignments.csv")
    waiting = _rows(demo_plan / "waiting.csv")
    summary = json.loads((demo_plan / "summary.json").read_text(encoding="utf-8"))
    families = {r["id"] for r in _rows(DEMO / "families.csv")}
    primaries = [r["family_id"] for r in assignments if r["role"] == "primary"]
    waiting_primaries = [r["family_id"] for r in waiting if r["role"] == "primary"]
    assert len(primaries) == len(set(primaries))
    assert sorted(primaries + waiting_primaries) == sorted(families)
    assert summary["counts"]["placed"] == len(primaries)
    assert summary["counts"]["waiting"] == len(waiting_primaries)
    assert summary["rule_violations"] == 0
    assert [int(r["rank"]) for r in waiting] == list(range(1, len(waiting) + 1))
    assert {r["reason_code"] for r in waiting} <= {
        "NO_ELIGIBLE",
        "CAPACITY",
        "PRIORITY",
        "TIME_LIMIT",
    }
    assert all(r["reason"] for r in waiting)
    assert all(r["reasons"] for r in assignments)
    assert {lv["name"] for lv in summary["levels"]} >= {"vast-gezicht", "max-belasting"}
    assert summary["baseline"]["choices_breaking_norm"] > 0
    workload = _rows(demo_plan / "workload.csv")
    assert all(float(w["load_hours"]) <= float(w["capacity_hours"]) + 1e-6 for w in workload)


def test_plan_files_pass_the_validator(demo_plan):
    """Re-read the written CSV and check it, independently of the in-memory plan."""
    ctx = Context(read_dataset(DEMO))
    rows = _rows(demo_plan / "assignments.csv")
    assignments = [
        Assignment(
            r["family_id"],
            Role(r["role"]),
            r["professional_id"],
            r["case_id"] or None,
            _trigger(ctx, r) if r["role"] == "consult" else None,
        )
        for r in rows
    ]
    waiting = _rows(demo_plan / "waiting.csv")
    from planner.compile import DemandMeta

    unplaced = [DemandMeta(Role(w["role"]), w["family_id"], w["case_id"] or None) for w in waiting]
    plan = Plan(assignments, [], unplaced, "", [], {}, 0.0, "file")
    hard = [v for v in validate_plan(ctx, plan) if v.rule not in {"rollen", "pin"}]
    assert hard == []


def _trigger(ctx, row):
    # a consult row names its case; the trigger is the case's one that the professional qualifies
    from planner.rules import qualifies_for

    case = next(c for c in ctx.cases_of[row["family_id"]] if c.id == row["case_id"])
    pro = ctx.professionals[row["professional_id"]]
    return next(t for t in case.triggers if qualifies_for(ctx, pro, t).ok)


def test_check_reports_findings(capsys):
    assert main(["check", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "REGISTRATIE_VERLOPEN" in out and "REGISTRATIE_VERLOOPT" in out
    assert "NIEMAND_TOEGESTAAN" in out


def test_recommend_top_three(capsys):
    fam = _rows(DEMO / "families.csv")[0]["id"]
    assert main(["recommend", str(DEMO), "--family", fam]) == 0
    out = capsys.readouterr().out
    assert f"gezin {fam}" in out
    assert out.count("\n  1. ") + out.count("\n  2. ") + out.count("\n  3. ") >= 1


def test_recommend_unknown_family_is_exit_2(capsys):
    assert main(["recommend", str(DEMO), "--family", "NOPE"]) == 2


def test_bad_input_exit_2_lists_every_problem_and_writes_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    fams = (data / "families.csv").read_text(encoding="utf-8").splitlines()
    fams[1] = fams[1].replace("2026-", "2026/", 1)
    (data / "families.csv").write_text("\n".join(fams) + "\n", encoding="utf-8")
    cases = (data / "cases.csv").read_text(encoding="utf-8").splitlines()
    header = cases[0].split(",")
    cells = cases[1].split(",")
    cells[header.index("safety")] = "extreem"
    cases[1] = ",".join(cells)
    (data / "cases.csv").write_text("\n".join(cases) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["plan", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "families.csv:2:registered_on:" in err
    assert "cases.csv:2:safety:" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_missing_folder_is_exit_2(tmp_path):
    assert main(["check", str(tmp_path / "nope")]) == 2


def test_console_script_runs_as_module(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "check", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_greedy_solver_option(tmp_path):
    out = tmp_path / "g"
    assert main(["plan", str(DEMO), "--out", str(out), "--solver", "greedy"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["solver"] == "greedy"
    assert summary["rule_violations"] > 0  # the hand-made way breaks the norm on the demo
