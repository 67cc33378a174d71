"""The benchmark harness runs end to end in --quick mode and writes a complete report."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report, run  # noqa: E402

TOP_KEYS = {
    "schema",
    "id",
    "complete",
    "command",
    "started",
    "finished",
    "duration_s",
    "machine",
    "git",
    "config",
    "instances",
    "gap_expected",
    "extras",
    "gap_classes",
    "highs_ratio",
    "scaling",
    "targets",
    "notes",
}
TARGET_ROWS = 13  # the table, district and city split per variant and measurement


@pytest.mark.skipif(importlib.util.find_spec("highspy") is None, reason="extra `bench` missing")
def test_quick_run_writes_json_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "results"
    argv = ["--quick", "--out", str(out), "--cache", str(tmp_path / "cache")]
    assert run.main(argv) == 0

    jsons = list(out.glob("*.json"))
    assert len(jsons) == 1
    res = json.loads(jsons[0].read_text())  # strict JSON: NaN would fail below
    json.dumps(res, allow_nan=False)
    assert set(res) >= TOP_KEYS
    assert res["complete"] is True
    assert res["config"]["quick"] and res["config"]["runs"] == 1
    for when in ("calibration_start", "calibration_end"):  # one timing each in quick mode
        assert res["machine"][when]["scip"]["value"] == 1931, when

    planner = [i for i in res["instances"] if i["suite"] == "planner"]
    assert [i["name"] for i in planner] == ["tiny-balanced", "tiny-overloaded"]
    for inst in planner:
        assert set(inst["engines"]) == {"cpsat", "greedy", "highs", "baseline"}
        for engine, slot in inst["engines"].items():
            s = slot["summary"]
            assert s["ok"] == 1, (inst["name"], engine, s.get("errors"))
            assert s["wall_s"] > 0 and s["peak_mb"] > 0
            assert s["levels"]
            if engine != "baseline":  # the hand-made baseline breaks rules on purpose
                assert s["violations_max"] == 0, (engine, s["violation_rules"])
        assert inst["engines"]["cpsat"]["runs"][0]["first_level_start_s"] is not None
        assert inst["engines"]["highs"]["runs"][0]["choice_errors"] == 0
        assert inst["engines"]["greedy"]["summary"]["size"]["options"] > 0

    gap = [i for i in res["instances"] if i["suite"] == "gap"]
    assert [i["name"] for i in gap] == list(run.QUICK_GAP)
    for inst in gap:
        assert set(inst["engines"]) == {"cpsat", "greedy", "highs"}
        for engine in ("cpsat", "highs"):  # both easy: the best known value, proven
            s = inst["engines"][engine]["summary"]
            assert s["hits"] == 1 and s["gap_to_best_pct"] == 0, (inst["name"], engine, s)
            assert s["level1_proven_runs"] == 1
    assert {c["class"] for c in res["gap_classes"]} == {"OR-Library gap1-12", "C&B A"}

    extras = res["extras"]
    assert extras["recommend"]["ok"] and extras["recommend"]["families"] == 10
    assert extras["replan"]["summary"]["ok"] == 1
    assert extras["replan"]["summary"]["violations_max"] == 0
    assert extras["first_plan"]["scale"] == "tiny" and extras["first_plan"]["valid"]

    assert len(res["targets"]) == TARGET_ROWS
    for row in res["targets"]:
        assert set(row) == {"work", "target", "reached", "met"}
        assert row["met"] is None  # tiny inputs and 2 s limits never meet the targets' terms

    md = (out / f"{res['id']}.md").read_text()
    assert (out / "latest.md").read_text() == md
    assert "- machine speed (`benchmarks/calibrate.py`" in md
    for heading in (
        "## Targets",
        "| work | target | reached | met |",
        "## Planner instances",
        "## Extra measurements",
        "## GAP instances",
        "### Engine vs HiGHS and greedy",
        "## Notes",
    ):
        assert heading in md, heading


def test_dry_run_lists_the_full_suite(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "planner/city-overloaded: cpsat, greedy, highs, baseline x 3 at 60 s" in err
    assert "gap/cattrysse1994/gap12-4: cpsat, greedy, highs x 3 at 5 s" in err
    assert "gap/chu1997/d20200: cpsat, greedy, highs x 3 at 30 s" in err
    assert "upper bound on the duration" in err


def test_gap_selection_and_best_known() -> None:
    meta = run.gap_metadata()
    orlib = run.select_gap(meta, ["cattrysse1994/*"])
    assert len(orlib) == 60 and orlib[:2] == ["cattrysse1994/gap1-0", "cattrysse1994/gap1-1"]
    assert orlib[-1] == "cattrysse1994/gap12-4"  # natural order, not gap1, gap10, gap11 ...
    chu = run.select_gap(meta, ["chu1997/*"])
    assert len(chu) == 24 and chu[0].startswith("chu1997/a") and chu[-1].startswith("chu1997/d")
    assert meta["chu1997/d20200"]["best_known"] == 12238  # README correction of data.csv
    assert meta["chu1997/d20200"]["optimum"] is None


def test_summaries_gaps_and_scaling() -> None:
    assert report.rel_gap_pct(990.0, 1000.0) == pytest.approx(100 * 10 / 990)
    assert report.rel_gap_pct(5.0, None) is None
    assert report.gap_class("chu1997/d05100") == "C&B D"
    levels = [
        {"name": "plaatsen-acuut", "value": 10.0, "bound": 10.0, "proven": True, "seconds": 0.1},
        {"name": "wachttijd", "value": 99.0, "bound": 100.0, "proven": False, "seconds": 0.1},
        {"name": "vast-gezicht", "value": 5.0, "bound": None, "proven": False, "seconds": 0.1},
    ]
    proven, gap = report.level1({"levels": levels}, "planner")
    assert not proven and gap == pytest.approx(100 / 99)
    runs = [
        {"ok": True, "status": "feasible", "wall_s": w, "peak_mb": 100.0, "levels": levels}
        for w in (1.0, 3.0, 2.0)
    ]
    s = report.summarize([*runs, {"ok": False, "error": "boom"}], "planner", 5.0, engine="cpsat")
    assert s["runs"] == 4 and s["ok"] == 3 and s["wall_s"] == 2.0
    assert s["level1_proven_runs"] == 0 and s["errors"] == ["boom"]
    assert [lv["proven"] for lv in s["levels"]] == [3, 0, 0]

    def inst(scale: str, families: int, wall: float) -> dict:
        summary = {"ok": 1, "wall_s": wall, "compile_s": wall / 2, "size": {"options": families}}
        return {
            "suite": "planner",
            "scale": scale,
            "variant": "balanced",
            "families": families,
            "engines": {"greedy": {"summary": summary}},
        }

    rows = report.scaling([inst("team", 500, 1.0), inst("city", 12000, 24.0)])
    wall = next(r for r in rows if r["what"].startswith("wall time"))
    assert wall["exponent"] == pytest.approx(1.0)
    assert {r["what"] for r in rows} == {
        "wall time, greedy",
        "compile time (compile_team)",
        "model size (options)",
    }


def test_replan_counts_needless_moves_against_the_fewest_possible() -> None:
    """When the short stable re-plan does not prove its keeping level, the fewest moves are
    proven apart: the needless moves are the ones beyond those, and the reference keeps at
    least as much as the re-plan did (placing the same urgent families). When that proof does
    not come in time either, every move counts as needless."""
    from benchmarks.worker import run_replan

    r = run_replan(
        {
            "dataset": str(ROOT / "data" / "demo"),
            "time_limit": 3.0,
            "workers": 2,
            "replan_time_limit": 0.5,
            "replan_reference_limit": 60.0,
        }
    )
    assert r["violations"] == 0
    keep = next(lv for lv in r["levels"] if lv["name"] == "vast-gezicht")
    if r["keep_proven"]:  # then every move was needed
        assert r["moved_needlessly"] == 0 and "fewest_moves" not in r
        return
    fewest = r["fewest_moves"]
    if not fewest["proven"]:  # the proof has a long tail (9-58 s here): then every move counts
        assert r["moved_needlessly"] == r["moved"]
        return
    earlier = [lv["value"] for lv in r["levels"][: len(fewest["earlier"])]]
    if earlier == fewest["earlier"]:  # (at 0.5 s the re-plan may place fewer urgent families)
        assert fewest["keep_value"] >= keep["value"]  # the optimum keeps at least as much
        assert 0 <= fewest["moved"] <= r["moved"]
    assert r["moved_needlessly"] == r["moved"] - fewest["moved"]
