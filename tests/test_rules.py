"""Each rule of the norm on its own: allowed and refused, with its Dutch reason and source."""

from __future__ import annotations

import datetime as dt

from builders import PLAN_DATE, case, context, fam, pro, reg, tenzij

from planner.model import Role, Trigger
from planner.rules import (
    Available,
    NotExcluded,
    Registered,
    RequiredExpertise,
    SafetyTraining,
    SameTeam,
    allowed,
    qualifies_for,
)


def _one(p, regs=(), f=None, cases=None, exceptions=None, **policy):
    f = f or fam("G1")
    cases = cases or [case("C1", f.id)]
    return context([p], list(regs), [f], cases, exceptions, **policy), p, f


def test_registered_valid_skj_counts():
    ctx, p, f = _one(pro("P1"), [reg("P1")])
    v = Registered().check(ctx, p, f, Role.PRIMARY, None)
    assert (
        v.ok
        and "SKJ jeugd- en gezinsprofessional" in v.reason
        and "geldig tot 2030-01-01" in v.reason
    )
    assert "norm A" in v.source


def test_registered_title_matched_case_insensitively_and_alias():
    ctx, p, f = _one(pro("P1"), [reg("P1", "GezondheidsZorgPsycholoog", "BIG")])
    assert Registered().check(ctx, p, f, Role.PRIMARY, None).ok


def test_registered_expired_does_not_count():
    ctx, p, f = _one(pro("P1"), [reg("P1", valid_until=PLAN_DATE - dt.timedelta(days=1))])
    v = Registered().check(ctx, p, f, Role.PRIMARY, None)
    assert not v.ok and "verlopen op 2026-11-30" in v.reason


def test_registered_valid_on_plan_date_itself_counts():
    ctx, p, f = _one(pro("P1"), [reg("P1", valid_until=PLAN_DATE)])
    assert Registered().check(ctx, p, f, Role.PRIMARY, None).ok


def test_registerplein_and_vaktherapie_never_count():
    for register in ("Registerplein", "Vaktherapie"):
        ctx, p, f = _one(pro("P1"), [reg("P1", "sociaal werker", register)])
        v = Registered().check(ctx, p, f, Role.BACKUP, None)
        assert not v.ok and register in v.reason


def test_tenzij_exception_allows_and_flags():
    ctx, p, f = _one(
        pro("P1", function="vaktherapeut"),
        [reg("P1", "vaktherapeut", "Vaktherapie")],
        exceptions=[tenzij("P1", "G1", 1, "vaktherapie nodig voor de kwaliteit")],
    )
    v = Registered().check(ctx, p, f, Role.PRIMARY, None)
    assert v.ok and v.flag == "tenzij lid 1" and "vaktherapie nodig" in v.reason


def test_intern_needs_registered_supervisor():
    sup = pro("P2")
    intern = pro("P1", function="stagiair", supervisor_id="P2")
    f = fam("G1")
    ok = context([intern, sup], [reg("P2")], [f], [case("C1", "G1")])
    v = Registered().check(ok, intern, f, Role.PRIMARY, None)
    assert v.ok and v.flag == "stagiair onder verantwoordelijkheid van P2"
    bad = context([intern, sup], [], [f], [case("C1", "G1")])
    assert not Registered().check(bad, intern, f, Role.PRIMARY, None).ok


def test_non_intern_cannot_lean_on_a_supervisor():
    sup = pro("P2")
    worker = pro("P1", supervisor_id="P2")  # not a stagiair: "onder verantwoordelijkheid" no way
    f = fam("G1")
    ctx = context([worker, sup], [reg("P2")], [f], [case("C1", "G1")])
    assert not Registered().check(ctx, worker, f, Role.PRIMARY, None).ok


def test_same_team_and_cross_team_policy():
    p = pro("P1", team="T2")
    ctx, _, f = _one(p, [reg("P1")])
    v = SameTeam().check(ctx, p, f, Role.PRIMARY, None)
    assert not v.ok and "ander team" in v.reason
    ctx2, _, f2 = _one(p, [reg("P1")], cross_team=True)
    v2 = SameTeam().check(ctx2, p, f2, Role.PRIMARY, None)
    assert v2.ok and v2.flag == "teamoverstijgend"


def test_required_expertise_over_all_cases():
    f = fam("G1")
    cases = [
        case("C1", "G1", required_expertise=("lvb",)),
        case("C2", "G1", required_expertise=("scheiding",)),
    ]
    p = pro("P1", expertise=("lvb",))
    ctx, _, _ = _one(p, [reg("P1")], f, cases)
    v = RequiredExpertise().check(ctx, p, f, Role.PRIMARY, None)
    assert not v.ok and "scheiding" in v.reason and "norm B" in v.source
    p2 = pro("P1", expertise=("lvb", "scheiding"))
    ctx2, _, _ = _one(p2, [reg("P1")], f, cases)
    assert RequiredExpertise().check(ctx2, p2, f, Role.PRIMARY, None).ok


def test_safety_training_for_hoog_and_acuut_only():
    f = fam("G1")
    p = pro("P1")
    for safety, needed in [("verhoogd", False), ("hoog", True), ("acuut", True)]:
        ctx, _, _ = _one(p, [reg("P1")], f, [case("C1", "G1", safety=safety)])
        assert SafetyTraining().check(ctx, p, f, Role.PRIMARY, None).ok is (not needed)
    trained = pro("P1", trainings=("signs-of-safety",))
    ctx, _, _ = _one(trained, [reg("P1")], f, [case("C1", "G1", safety="acuut")])
    v = SafetyTraining().check(ctx, trained, f, Role.PRIMARY, None)
    assert v.ok and "signs-of-safety" in v.reason


def test_excluded_professional():
    f = fam("G1", excluded=("P1",))
    p = pro("P1")
    ctx, _, _ = _one(p, [reg("P1")], f)
    v = NotExcluded().check(ctx, p, f, Role.BACKUP, None)
    assert not v.ok and "uitgesloten" in v.reason


def test_absent_keeps_own_family_only_for_short_absence():
    short = pro("P1", absent_from=PLAN_DATE, absent_until=PLAN_DATE + dt.timedelta(weeks=2))
    long = pro("P1", absent_from=PLAN_DATE, absent_until=PLAN_DATE + dt.timedelta(weeks=8))
    own = fam("G1", current_primary="P1")
    other = fam("G2")
    for p, keeps in [(short, True), (long, False)]:
        ctx = context([p], [reg("P1")], [own, other], [case("C1", "G1"), case("C2", "G2")])
        assert Available().check(ctx, p, own, Role.PRIMARY, None).ok is keeps
        assert not Available().check(ctx, p, other, Role.PRIMARY, None).ok


def test_not_accepting_new_keeps_current():
    p = pro("P1", accepts_new=False)
    own = fam("G1", current_primary="P1")
    other = fam("G2")
    ctx = context([p], [reg("P1")], [own, other], [case("C1", "G1"), case("C2", "G2")])
    assert Available().check(ctx, p, own, Role.PRIMARY, None).ok
    v = Available().check(ctx, p, other, Role.PRIMARY, None)
    assert not v.ok and "geen nieuwe" in v.reason


def test_consult_qualification_per_trigger():
    f = fam("G1")
    gw = pro("P1", function="gedragswetenschapper")
    arts = pro("P2", function="jeugdarts")
    psych = pro("P3", function="psychiater")
    sw = pro("P4", function="sociaal-werker", expertise=("schulden",))
    ctx = context(
        [gw, arts, psych, sw],
        [
            reg("P1", "gz-psycholoog", "BIG"),
            reg("P2", "jeugdarts", "BIG"),
            reg("P3", "psychiater", "BIG"),
            reg("P4", "sociaal werker", "Registerplein"),
        ],
        [f],
        [case("C1", "G1")],
    )
    table = {
        Trigger.PSYCHIATRISCH: {"P1", "P3"},
        Trigger.VERKLARENDE_DIAGNOSE: {"P1"},
        Trigger.UITSLUITEN_LVB_PSYCHIATRIE: {"P1", "P3"},
        Trigger.SOMATISCH: {"P2", "P3"},
        Trigger.MEDICATIE: {"P2", "P3"},
        Trigger.MEDICATIE_PSYCHISCH: {"P3"},
        Trigger.SCHULDEN: {"P4"},
    }
    for trig, who in table.items():
        got = {p.id for p in (gw, arts, psych, sw) if qualifies_for(ctx, p, trig).ok}
        assert got == who, trig
        assert all(allowed(ctx, ctx.professionals[p], f, Role.CONSULT, trig) for p in who)


def test_master_level_gedragswetenschapper_is_not_postmaster():
    p = pro("P1", function="gedragswetenschapper")
    ctx, _, _ = _one(p, [reg("P1", "master-orthopedagoog")])
    v = qualifies_for(ctx, p, Trigger.VERKLARENDE_DIAGNOSE)
    assert not v.ok and "postmaster-gw" in v.reason
