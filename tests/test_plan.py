"""End-to-end planning on small hand-made teams: every plan is re-checked by the validator."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import PLAN_DATE, case, context, fam, pro, reg

from planner.compile import compile_team
from planner.explain import Explainer
from planner.model import Role
from planner.plan import Assignment, Plan, make_plan
from planner.report import build_report
from planner.validate import validate_plan

CAP_2_5 = 0.1  # fte giving 2.52 h per week of casework (36 h x 0.7 x 0.1)


def planned(ctx, solver="cpsat"):
    plan = make_plan(ctx, solver, time_limit=10)
    assert validate_plan(ctx, plan) == [] if solver == "cpsat" else True
    return plan


def waiting_ids(plan):
    return {m.family_id for m in plan.unplaced if m.role == Role.PRIMARY}


def test_higher_priority_class_beats_any_number_of_lower():
    p = pro("P1", fte=CAP_2_5, trainings=("risicotaxatie",))
    families = [fam("A"), *(fam(f"R{i}") for i in range(5))]
    cases = [case("CA", "A", intensity="intensief", safety="acuut")]
    cases += [case(f"C{i}", f"R{i}", intensity="licht") for i in range(5)]
    ctx = context([p], [reg("P1")], families, cases)
    plan = planned(ctx)
    assert plan.primary_of() == {"A": "P1"}
    waiting = Explainer(ctx, plan).waiting_rows()
    # the acuut family's missing backup ranks first, then the regulier families
    assert next((w.family_id, w.role, w.rank) for w in waiting) == ("A", "backup", 1)
    rows = {r.family_id: r for r in waiting if r.role == "primary"}
    assert {r.reason_code for r in rows.values()} == {"PRIORITY"}
    assert "acuut" in rows["R0"].reason
    assert sorted(r.rank for r in rows.values()) == [2, 3, 4, 5, 6]


def test_longer_waiting_wins_within_a_class():
    p = pro("P1", fte=CAP_2_5)
    families = [
        fam("NEW", registered_on=PLAN_DATE - dt.timedelta(days=3)),
        fam("OLD", registered_on=PLAN_DATE - dt.timedelta(days=300)),
    ]
    cases = [case("C1", "NEW", intensity="intensief"), case("C2", "OLD", intensity="intensief")]
    plan = planned(context([p], [reg("P1")], families, cases))
    assert plan.primary_of() == {"OLD": "P1"}


def test_more_families_beat_longer_waiting_within_class():
    p = pro("P1", fte=CAP_2_5)
    families = [fam("OLD", registered_on=dt.date(2024, 1, 1)), fam("N1"), fam("N2")]
    cases = [
        case("C1", "OLD", intensity="intensief"),
        case("C2", "N1", hours=1.2),
        case("C3", "N2", hours=1.2),
    ]
    plan = planned(context([p], [reg("P1")], families, cases))
    assert set(plan.primary_of()) == {"N1", "N2"}


def test_vast_gezicht_kept_when_allowed():
    ps = [pro("P1"), pro("P2"), pro("P3")]
    families = [fam(f"G{i}", current_primary=f"P{i % 3 + 1}") for i in range(9)]
    cases = [case(f"C{i}", f"G{i}") for i in range(9)]
    ctx = context(ps, [reg(p.id) for p in ps], families, cases)
    plan = planned(ctx)
    assert plan.primary_of() == {f.id: f.current_primary for f in families}
    report = build_report(ctx, plan)
    assert report.summary["counts"]["changes"] == 0
    assert report.summary["counts"]["kept"] == 9


def test_family_moves_when_current_primary_no_longer_allowed():
    ps = [pro("P1"), pro("P2")]
    regs = [reg("P1", valid_until=PLAN_DATE - dt.timedelta(days=10)), reg("P2")]
    ctx = context(ps, regs, [fam("G1", current_primary="P1")], [case("C1", "G1")])
    plan = planned(ctx)
    assert plan.primary_of() == {"G1": "P2"}
    row = build_report(ctx, plan).assignments[0]
    assert (
        row.change == "changed" and "P1 mag niet meer" in row.reasons and "verlopen" in row.reasons
    )


def test_capacity_and_max_families_are_never_exceeded():
    ps = [pro("P1", fte=0.2, max_families=2), pro("P2", fte=0.2)]
    families = [fam(f"G{i}") for i in range(12)]
    cases = [case(f"C{i}", f"G{i}", intensity="middel") for i in range(12)]
    ctx = context(ps, [reg("P1"), reg("P2")], families, cases)
    plan = planned(ctx)
    per = {"P1": 0, "P2": 0}
    for a in plan.assignments:
        per[a.professional_id] += 1
    assert per["P1"] <= 2
    assert per["P2"] <= 5  # 5.04 h of capacity, 1 h each
    assert len(plan.primary_of()) == 7
    codes = {r.reason_code for r in Explainer(ctx, plan).waiting_rows()}
    assert codes == {"CAPACITY"}


def test_pin_holds_and_broken_pin_is_reported():
    ps = [pro("P1"), pro("P2", expertise=("lvb",))]
    families = [
        fam("G1", current_primary="P1", pinned=True),
        fam("G2", current_primary="P1", pinned=True),
    ]
    cases = [case("C1", "G1"), case("C2", "G2", required_expertise=("lvb",))]
    ctx = context(ps, [reg("P1"), reg("P2")], families, cases)
    plan = planned(ctx)
    assert plan.primary_of() == {"G1": "P1", "G2": "P2"}
    assert [(b.family_id, b.professional_id) for b in plan.broken_pins] == [("G2", "P1")]
    assert "mist expertise lvb" in plan.broken_pins[0].reason


def test_pins_that_do_not_fit_together_break_lowest_priority_first():
    p = pro("P1", fte=CAP_2_5)
    families = [
        fam("G1", current_primary="P1", pinned=True),
        fam("G2", current_primary="P1", pinned=True, registered_on=dt.date(2020, 1, 1)),
    ]
    cases = [case("C1", "G1", hours=2.0), case("C2", "G2", hours=2.0)]
    plan = planned(context([p], [reg("P1")], families, cases))
    assert plan.primary_of() == {"G2": "P1"}
    assert [b.family_id for b in plan.broken_pins] == ["G1"]


def test_backup_for_high_safety_differs_from_primary():
    ps = [pro("P1", trainings=("risicotaxatie",)), pro("P2")]
    ctx = context(ps, [reg("P1"), reg("P2")], [fam("G1")], [case("C1", "G1", safety="hoog")])
    plan = planned(ctx)
    assert plan.primary_of() == {"G1": "P1"}
    assert plan.backup_of() == {"G1": "P2"}


def test_missing_backup_goes_on_waiting_list():
    ctx = context(
        [pro("P1", trainings=("risicotaxatie",))],
        [reg("P1")],
        [fam("G1")],
        [case("C1", "G1", safety="acuut")],
    )
    plan = planned(ctx)
    rows = Explainer(ctx, plan).waiting_rows()
    assert [(r.role, r.reason_code) for r in rows] == [("backup", "NO_ELIGIBLE")]


def test_consult_self_covered_by_qualified_primary():
    gw = pro("P1", function="gedragswetenschapper")
    ctx = context(
        [gw],
        [reg("P1", "gz-psycholoog", "BIG")],
        [fam("G1")],
        [case("C1", "G1", triggers=("verklarende-diagnose",))],
    )
    plan = planned(ctx)
    assert plan.primary_of() == {"G1": "P1"}
    assert [a.role for a in plan.assignments] == [Role.PRIMARY]
    assert [(a.professional_id, a.case_id) for a in plan.self_covered] == [("P1", "C1")]


def test_consult_by_qualified_colleague():
    ps = [pro("P1"), pro("P2", function="jeugdarts")]
    ctx = context(
        ps,
        [reg("P1"), reg("P2", "jeugdarts", "BIG")],
        [fam("G1", current_primary="P1")],
        [case("C1", "G1", triggers=("somatisch", "schulden"))],
    )
    plan = planned(ctx)
    consults = [a for a in plan.assignments if a.role == Role.CONSULT]
    assert [(a.professional_id, str(a.trigger)) for a in consults] == [("P2", "somatisch")]
    waiting = Explainer(ctx, plan).waiting_rows()
    assert [(w.role, w.case_id, w.reason_code) for w in waiting] == [
        ("consult", "C1", "NO_ELIGIBLE")
    ]
    assert "schulden" in waiting[0].reason


def test_long_absence_replans_families_short_absence_keeps_them():
    ps = [
        pro("P1", absent_from=PLAN_DATE, absent_until=PLAN_DATE + dt.timedelta(weeks=10)),
        pro("P2", absent_from=PLAN_DATE, absent_until=PLAN_DATE + dt.timedelta(weeks=1)),
        pro("P3"),
    ]
    families = [fam("G1", current_primary="P1"), fam("G2", current_primary="P2"), fam("G3")]
    cases = [case(f"C{i}", f"G{i}") for i in (1, 2, 3)]
    plan = planned(context(ps, [reg(p.id) for p in ps], families, cases))
    assert plan.primary_of() == {"G1": "P3", "G2": "P2", "G3": "P3"}


def test_no_eligible_reason_names_near_misses():
    ps = [pro("P7", expertise=("lvb",)), pro("P8", trainings=("risicotaxatie",))]
    ctx = context(
        ps,
        [reg("P7"), reg("P8")],
        [fam("G1")],
        [case("C1", "G1", required_expertise=("lvb",), safety="hoog")],
    )
    plan = planned(ctx)
    row = Explainer(ctx, plan).waiting_rows()[0]
    assert row.reason_code == "NO_ELIGIBLE"
    assert "expertise lvb" in row.reason and "risicotaxatie" in row.reason
    assert "P7: geen training" in row.reason and "P8: mist expertise lvb" in row.reason


def test_greedy_baseline_breaks_the_norm_and_is_counted():
    ps = [pro("P1", wijken=("Noord",)), pro("P2", expertise=("lvb",), wijken=("Zuid",))]
    ctx = context(
        ps,
        [reg("P1"), reg("P2")],
        [fam("G1", wijk="Noord")],
        [case("C1", "G1", required_expertise=("lvb",))],
    )
    base = make_plan(ctx, "greedy")
    assert base.primary_of() == {"G1": "P1"}
    summary = build_report(ctx, planned(ctx), base).summary
    assert summary["baseline"]["missing_required_expertise"] == 1
    assert summary["baseline"]["choices_breaking_norm"] == 1
    assert summary["rule_violations"] == 0


def _bad_plan(ctx, assignments):
    return Plan(assignments, [], [], "feasible", [], {}, 0.0, "test")


def test_validator_catches_broken_plans():
    ps = [pro("P1", fte=0.05), pro("P2", team="T2")]
    ctx = context(
        ps, [reg("P1")], [fam("G1"), fam("G2")], [case("C1", "G1", hours=3), case("C2", "G2")]
    )
    plan = _bad_plan(
        ctx,
        [
            Assignment("G1", Role.PRIMARY, "P1"),
            Assignment("G1", Role.BACKUP, "P1"),
            Assignment("G2", Role.PRIMARY, "P2"),
            Assignment("G2", Role.PRIMARY, "P1"),
        ],
    )
    rules = {v.rule for v in validate_plan(ctx, plan)}
    assert {"capaciteit", "rollen", "team", "registratie", "volledig"} <= rules


def test_validator_catches_a_lost_family():
    ctx = context([pro("P1")], [reg("P1")], [fam("G1")], [case("C1", "G1")])
    vs = validate_plan(ctx, _bad_plan(ctx, []))
    assert [v.rule for v in vs] == ["volledig"]


@pytest.mark.parametrize("solver", ["cpsat", "greedy"])
def test_every_family_appears_exactly_once(solver):
    ps = [pro(f"P{i}", fte=0.3, expertise=("lvb",) if i % 2 else ()) for i in range(4)]
    families = [fam(f"G{i}", current_primary=f"P{i % 4}" if i % 3 else None) for i in range(30)]
    cases = [
        case(
            f"C{i}",
            f"G{i}",
            intensity=["licht", "middel", "intensief"][i % 3],
            required_expertise=("lvb",) if i % 5 == 0 else (),
        )
        for i in range(30)
    ]
    ctx = context(ps, [reg(p.id) for p in ps], families, cases)
    plan = make_plan(ctx, solver, time_limit=10)
    placed = set(plan.primary_of())
    assert placed.isdisjoint(waiting_ids(plan))
    assert placed | waiting_ids(plan) == {f.id for f in families}
    if solver == "cpsat":
        assert validate_plan(ctx, plan) == []


def test_compiled_problem_is_well_formed_and_domain_free():
    ctx = context(
        [pro("P1")], [reg("P1")], [fam("G1")], [case("C1", "G1", triggers=("somatisch",))]
    )
    compiled = compile_team(ctx)
    assert compiled.problem.check() == []
    assert [m.role for m in compiled.meta] == [Role.PRIMARY, Role.CONSULT]


def test_time_limit_covers_compiling(monkeypatch: pytest.MonkeyPatch):
    """The search gets what is left of the limit after compiling (at least the minimum)."""
    import time

    import planner.plan as plan_module

    seen: list[float] = []
    real_solve, real_compile = plan_module.solve, plan_module.compile_team

    def slow_compile(*args, **kw):
        time.sleep(0.3)
        return real_compile(*args, **kw)

    def spy(problem, **kw):
        seen.append(kw["time_limit"])
        return real_solve(problem, **kw)

    monkeypatch.setattr(plan_module, "compile_team", slow_compile)
    monkeypatch.setattr(plan_module, "solve", spy)
    ctx = context([pro("P1")], [reg("P1")], [fam("G1")], [case("C1", "G1")])
    make_plan(ctx, time_limit=2.0)
    make_plan(ctx, time_limit=0.2)
    assert seen[0] <= 2.0 - 0.3
    assert seen[1] == plan_module.MIN_SEARCH_SECONDS
