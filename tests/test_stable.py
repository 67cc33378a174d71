"""Stable re-planning (`make_plan(..., stable=True)`, `planner plan --stabiel`): families that
may stay with their current professional stay; only the others are placed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from builders import PLAN_DATE, case, context, fam, pro, reg

from planner.cli import main
from planner.facts import Context
from planner.io import read_dataset
from planner.model import Dataset
from planner.plan import make_plan
from planner.validate import validate_plan

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


def test_only_the_families_that_must_move_are_placed_again() -> None:
    pros = [pro(p, fte=0.2, trainings=("risicotaxatie",)) for p in ("P0", "P1", "P2")]
    regs = [reg("P0"), reg("P1", valid_until=PLAN_DATE - dt.timedelta(days=1)), reg("P2")]
    families = [
        fam("G0", current_primary="P0"),
        fam("G1", current_primary="P1"),  # P1's registration expired: must move
        fam("G2", current_primary="P2"),
        fam("G3", current_primary="P2", current_backup="P0"),
        fam("G4"),  # new
    ]
    cases = [
        case("C0", "G0", intensity="licht"),
        case("C1", "G1", intensity="licht"),
        case("C2", "G2", intensity="licht"),
        case("C3", "G3", intensity="licht", safety="hoog"),
        case("C4", "G4", intensity="licht"),
    ]
    ctx = context(pros, regs, families, cases)
    plan = make_plan(ctx, time_limit=10, stable=True)
    assert plan.status == "optimal"
    assert validate_plan(ctx, plan) == []
    primary = plan.primary_of()
    assert primary["G0"] == "P0" and primary["G2"] == "P2" and primary["G3"] == "P2"
    assert plan.backup_of()["G3"] == "P0"
    assert primary["G1"] in ("P0", "P2") and primary["G4"] in ("P0", "P2")
    assert any(m.startswith("stabiel herplannen: 3 van 4 gezinnen") for m in plan.messages)


def test_a_more_urgent_family_of_a_leaver_may_displace_one_regulier_family() -> None:
    """Team T1: P0 leaves. Its hoog family H (2.5 h) fits nowhere without a move: one
    regulier family must make room, and only one moves. Moving R (2.5 h) off P1 leaves room on
    P2 for P0's regulier family L as well, so that is the plan; R2 stays with P2.
    Team T2: four new regulier families could replace R3 (2.5 h) on P3. A full plan moves R3
    to place them; a stable one keeps R3, because nobody more urgent needs the room."""
    t1 = ("P0", "P1", "P2")
    pros = [
        pro("P0", fte=0.1, absent_from=PLAN_DATE, trainings=("risicotaxatie",)),
        pro("P1", fte=0.1, trainings=("risicotaxatie",)),
        pro("P2", fte=0.1, trainings=("risicotaxatie",)),
        pro("P3", fte=0.1, team="T2"),
    ]
    families = [
        fam("H", current_primary="P0"),
        fam("L", current_primary="P0"),
        fam("R", current_primary="P1"),
        fam("R2", current_primary="P2"),
        fam("R3", current_primary="P3", team="T2"),
        *(fam(f"N{k}", team="T2") for k in range(4)),
    ]
    cases = [
        case("CH", "H", intensity="intensief", urgency="hoog"),
        case("CL", "L", intensity="licht"),
        case("CR", "R", intensity="intensief"),
        case("CR2", "R2", intensity="licht"),
        case("CR3", "R3", intensity="intensief"),
        *(case(f"CN{k}", f"N{k}", intensity="licht") for k in range(4)),
    ]
    ctx = context(pros, [reg(p) for p in (*t1, "P3")], families, cases)
    stable = make_plan(ctx, time_limit=10, stable=True)
    assert stable.status == "optimal"
    assert validate_plan(ctx, stable) == []
    assert stable.primary_of() == {"H": "P1", "R2": "P2", "L": "P2", "R3": "P3"}
    assert any(m.startswith("stabiel herplannen: 2 van 5 gezinnen") for m in stable.messages)
    full = make_plan(ctx, time_limit=10)
    assert full.primary_of()["H"] in t1 and "R3" not in full.primary_of()


def _leaver(ds: Dataset, first) -> tuple[Dataset, str]:
    """The professional with most families leaves; the first plan becomes the current one."""
    per = Counter(first.primary_of().values())
    leaver = min(per, key=lambda pid: (-per[pid], pid))
    day = ds.policy.plan_date
    pros = tuple(
        p.model_copy(update={"absent_from": day, "absent_until": None}) if p.id == leaver else p
        for p in ds.professionals
    )
    p1, b1 = first.primary_of(), first.backup_of()
    fams = tuple(
        f.model_copy(update={"current_primary": p1.get(f.id), "current_backup": b1.get(f.id)})
        for f in ds.families
    )
    return ds.model_copy(update={"professionals": pros, "families": fams}), leaver


def test_demo_leaver_stable_replan_is_valid() -> None:
    ds = read_dataset(DEMO)
    first = make_plan(Context(ds), time_limit=3)
    ds2, leaver = _leaver(ds, first)
    ctx2 = Context(ds2)
    second = make_plan(ctx2, time_limit=10, stable=True)
    assert validate_plan(ctx2, second) == []
    names = [lv.name for lv in second.levels]
    assert names.index("vast-gezicht") < names.index("plaatsen-regulier")
    p1, p2 = first.primary_of(), second.primary_of()
    had = [f for f, pid in p1.items() if pid == leaver]
    assert had and all(p2.get(f) != leaver for f in had)


def test_cli_stabiel(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["plan", str(DEMO), "--out", str(out), "--stabiel", "--time-limit", "2"]) == 0
    assert (out / "summary.json").exists()
