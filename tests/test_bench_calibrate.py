"""The machine-speed calibration does fixed work, checks it, and lands in the benchmark report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import calibrate, report, run  # noqa: E402


def test_workloads_do_fixed_checked_work() -> None:
    out = calibrate.calibrate(repeats=2)  # raises if a workload's result differs between runs
    assert set(out) == {"python", "cpsat", "scip"}
    for name, c in out.items():
        assert c["seconds"] > 0, name
        assert c["speed"] == pytest.approx(calibrate.REFERENCE[name] / c["seconds"], rel=1e-2)
    assert out["scip"]["value"] == 1931  # c05100's published optimum: SCIP solved it
    assert out["python"]["value"] == sum(range(calibrate.PYTHON_STEPS))
    # CP-SAT stopped at a deterministic time: a plan of c10200, not better than its optimum
    assert out["cpsat"]["value"] >= 2806


def test_different_work_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    results = iter([(0.1, 1.0), (0.1, 2.0)])
    monkeypatch.setattr(calibrate, "WORKLOADS", {"python": lambda: next(results)})
    with pytest.raises(RuntimeError, match="different work"):
        calibrate.calibrate(repeats=2)
    with pytest.raises(ValueError):
        calibrate.calibrate(repeats=0)


def test_run_calibrates_in_a_fresh_process_and_reports_the_speed() -> None:
    assert run._calibrate(0) is None
    out = run._calibrate(1)
    assert out is not None and set(out) == {"python", "cpsat", "scip"}
    machine = {"calibration_start": out, "calibration_end": None}
    line = next(
        x
        for x in report.markdown(_minimal(machine)).splitlines()
        if x.startswith("- machine speed")
    )
    assert f"scip {report._f(out['scip']['speed'])}" in line
    assert line.endswith("not measured at the end")


def _minimal(machine: dict) -> dict:
    """The smallest results dict `report.markdown` renders."""
    return {
        "id": "x",
        "command": "python benchmarks/run.py",
        "started": "2026-11-23T10:00:00",
        "complete": True,
        "duration_s": 1.0,
        "machine": machine,
        "git": {"commit": "0" * 40},
        "config": {"runs": 1, "workers": 2, "time_limits_text": "-"},
        "instances": [],
        "targets": [],
        "gap_classes": [],
        "highs_ratio": [],
        "scaling": {},
        "extras": {},
        "notes": [],
    }


def test_a_failed_calibration_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A calibration that cannot run leaves the benchmark run going, with the reason logged."""
    monkeypatch.setattr(run, "ROOT", Path("/nonexistent"))  # no calibrate.py to start
    assert run._calibrate(1) is None
    assert "calibration failed:" in capsys.readouterr().err
