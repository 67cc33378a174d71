"""The engine against published GAP optima (OR-Library gap1-gap12, Chu & Beasley 1997)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from solver_fixtures import GAP_DIR

from solvers import Sense, Status, solve, verify
from solvers.gapfile import GapFormatError, parse_gap, read_gap

TIME_LIMIT = 20.0
REPO = GAP_DIR.parent.parent.parent


def _data() -> dict[str, dict[str, str]]:
    with (GAP_DIR / "data.csv").open(newline="") as f:
        return {row["Path"]: row for row in csv.DictReader(f)}


def _max_optima() -> dict[str, int]:
    """Maximisation optima per instance from the README table (| gapK | v1 .. v5 |)."""
    out: dict[str, int] = {}
    text = (GAP_DIR / "README.md").read_text()
    for m in re.finditer(r"^\| gap(\d+) \| ([\d ]+) \|$", text, re.M):
        for i, v in enumerate(m.group(2).split()):
            out[f"cattrysse1994/gap{m.group(1)}-{i}"] = int(v)
    return out


DATA = _data()
MAX_OPTIMA = _max_optima()
ORLIB = sorted(
    (p for p in DATA if p.startswith("cattrysse1994/")),
    key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p)),
)
ORLIB_MAX = [p for p in ORLIB if p.endswith("-0")]


def _solve_and_check(path: str, maximize: bool, expected: int) -> None:
    problem = read_gap(GAP_DIR / path, maximize=maximize)
    sol = solve(problem, time_limit=TIME_LIMIT, workers=2, seed=0)
    assert sol.status == Status.OPTIMAL, (path, sol.status, sol.messages)
    assert sol.levels[0].value == expected
    assert sol.levels[0].bound == expected
    assert sol.levels[0].proven
    assert verify(problem, sol.choice) == []


def test_instance_tables_are_complete() -> None:
    assert len(ORLIB) == 60
    assert len(ORLIB_MAX) == 12
    assert set(MAX_OPTIMA) == set(ORLIB)


@pytest.mark.parametrize("path", ORLIB)
def test_orlib_minimisation_optimum(path: str) -> None:
    _solve_and_check(path, False, int(DATA[path]["Optimum"]))


@pytest.mark.parametrize("path", ORLIB_MAX)
def test_orlib_maximisation_optimum(path: str) -> None:
    _solve_and_check(path, True, MAX_OPTIMA[path])


@pytest.mark.parametrize("path", ["chu1997/a05100", "chu1997/b05100", "chu1997/c05100"])
def test_chu_beasley_optimum(path: str) -> None:
    _solve_and_check(path, False, int(DATA[path]["Optimum"]))


def test_read_gap_builds_the_problem() -> None:
    problem = parse_gap("2 3\n1 2 3\n4 5 6\n5 1 1\n1 1 9\n5 2\n", maximize=True)
    assert len(problem.resources) == 2 and len(problem.demands) == 3
    assert all(d.required for d in problem.demands)
    # w[1][2] = 9 exceeds capacity 2: that pair has no option
    pairs = {(o.demand, o.resource) for o in problem.options}
    assert pairs == {(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)}
    level = problem.levels[0]
    assert level.sense == Sense.MAXIMIZE
    assert sorted(level.option_weights.values()) == [1, 2, 3, 4, 5]
    assert problem.check() == []


@pytest.mark.parametrize("text", ["", "2", "2 3 1 2", "1 1 x 1 1", "0 0", "1 1 1 1 1 1"])
def test_read_gap_rejects_malformed_text(text: str) -> None:
    with pytest.raises(GapFormatError):
        parse_gap(text)


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gap.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_benchmark_script_prints_one_json_line() -> None:
    proc = _run_script(str(GAP_DIR / "cattrysse1994" / "gap1-0"), "--time-limit", "10")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert set(row) == {"instance", "objective", "bound", "status", "seconds"}
    assert row["instance"] == "cattrysse1994/gap1-0"
    assert row["objective"] == 261 and row["bound"] == 261
    assert row["status"] == "optimal"


def test_benchmark_script_maximize() -> None:
    proc = _run_script(str(GAP_DIR / "cattrysse1994" / "gap1-0"), "--maximize", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["objective"] == 336


@pytest.mark.parametrize("name", ["does-not-exist", "README.md"])
def test_benchmark_script_bad_file_exits_2(name: str) -> None:
    proc = _run_script(str(GAP_DIR / name))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "gap.py:" in proc.stderr


def test_read_gap_missing_file() -> None:
    with pytest.raises(OSError):
        read_gap(Path(GAP_DIR / "does-not-exist"))
