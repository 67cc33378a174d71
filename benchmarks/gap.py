"""Solve one OR-Library GAP instance with the engine and print one JSON line.

Usage: python benchmarks/gap.py FILE [--time-limit S] [--maximize] [--workers N]
Output: {"instance", "objective", "bound", "status", "seconds"}; exit 2 on a bad file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere, even without an install

from solvers import solve  # noqa: E402
from solvers.gapfile import GapFormatError, read_gap  # noqa: E402

INSTANCES = ROOT / "benchmarks" / "instances" / "gap"


def _number(x: float) -> float | int | None:
    if math.isnan(x) or math.isinf(x):
        return None
    return int(x) if float(x).is_integer() else x


def _name(path: Path) -> str:
    try:
        return path.resolve().relative_to(INSTANCES).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, solve, print the JSON line; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--maximize", action="store_true", help="maximise total cost")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    args = parser.parse_args(argv)
    try:
        problem = read_gap(args.file, maximize=args.maximize)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"gap.py: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    except GapFormatError as exc:
        print(f"gap.py: {args.file} is not a GAP instance: {exc}", file=sys.stderr)
        return 2
    sol = solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    level = sol.levels[0]
    line = {
        "instance": _name(args.file),
        "objective": _number(level.value),
        "bound": _number(level.bound),
        "status": str(sol.status),
        "seconds": round(sol.seconds, 3),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
