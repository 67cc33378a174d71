"""The synthetic-data generator: determinism, calibration, realism and the committed demo."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from planner.model import Dataset, Register, Role, Safety
from planner.norms import NORM_REGISTERS, load_norms
from planner.synth import (
    DEMO_SEED,
    PRESETS,
    SynthSpec,
    capacity_hours,
    demand_hours,
    demand_ratio,
    generate,
    main,
    summarize,
    team_slots,
)

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


@cache
def dataset(preset: str, seed: int = DEMO_SEED) -> Dataset:
    return generate(PRESETS[preset], seed)


def valid_titles(ds: Dataset) -> dict[str, list[tuple[str, str, dt.date]]]:
    """professional id -> counting (register, title, valid_until)."""
    norms = load_norms()
    out: dict[str, list[tuple[str, str, dt.date]]] = {}
    for r in ds.registrations:
        t = norms.title(r.register.value, r.title)
        if r.register.value in NORM_REGISTERS and t is not None and t.counts:
            out.setdefault(r.professional_id, []).append((r.register.value, t.title, r.valid_until))
    return out


def is_valid(ds: Dataset, pid: str) -> bool:
    day = ds.policy.plan_date
    return any(until >= day for _, _, until in valid_titles(ds).get(pid, []))


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_dataset() -> None:
    assert generate(PRESETS["demo"], 7) == generate(PRESETS["demo"], 7)
    assert generate("team-balanced", 3) == dataset("team-balanced", 3)


def test_different_seeds_differ() -> None:
    a, b = generate(PRESETS["demo"], 1), generate(PRESETS["demo"], 2)
    assert a.cases != b.cases
    assert a.families != b.families
    assert a.professionals != b.professionals


def test_generator_does_not_touch_global_random() -> None:
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    generate(PRESETS["demo"], 5)
    assert random.random() == expected


# ----------------------------------------------------------------------------- calibration


@pytest.mark.parametrize(
    "preset", ["demo", "demo-balanced", "team", "team-balanced", "team-overloaded", "district"]
)
def test_demand_ratio_within_tolerance(preset: str) -> None:
    spec = PRESETS[preset]
    ratio = demand_ratio(dataset(preset), spec.capacity_basis)
    assert abs(ratio - spec.demand_ratio) <= spec.demand_tolerance * spec.demand_ratio, ratio


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_demo_ratio_over_seeds(seed: int) -> None:
    spec = PRESETS["demo"]
    assert abs(demand_ratio(generate(spec, seed), spec.capacity_basis) - 1.06) <= 0.02 * 1.06


def test_capacity_basis_available() -> None:
    spec = replace(PRESETS["team"], capacity_basis="available")
    ds = generate(spec, 4)
    day = ds.policy.plan_date
    weeks = ds.policy.reassign_if_absent_weeks
    cap = sum(
        p.fte * 36 * (p.casework_share if p.casework_share is not None else 0.7)
        for p in ds.professionals
        if (is_valid(ds, p.id) or p.is_intern)
        and not (p.absent_on(day) and (p.absent_until - day).days / 7 >= weeks)
    )
    assert capacity_hours(ds, "available") == pytest.approx(cap)
    assert abs(demand_hours(ds) / cap - 1.0) <= 0.02
    assert demand_ratio(ds, "available") == pytest.approx(demand_hours(ds) / cap)
    assert demand_ratio(ds, "nominal") < 0.95  # less than the nominal capacity


def test_capacity_basis_nominal() -> None:
    spec = replace(PRESETS["team"], capacity_basis="nominal")
    ds = generate(spec, 4)
    cap = sum(
        p.fte * 36 * (p.casework_share if p.casework_share is not None else 0.7)
        for p in ds.professionals
    )
    assert capacity_hours(ds, "nominal") == pytest.approx(cap)
    assert abs(demand_hours(ds) / cap - 1.0) <= 0.02
    assert demand_ratio(ds, "nominal") == pytest.approx(demand_hours(ds) / cap)
    assert demand_ratio(ds, "available") > 1.05  # more than the available capacity


def test_presets_use_available_capacity() -> None:
    assert SynthSpec(name="x").capacity_basis == "available"
    assert all(spec.capacity_basis == "available" for spec in PRESETS.values())


def test_presets_and_variants() -> None:
    for base in ("demo", "team", "district", "city"):
        assert PRESETS[f"{base}-balanced"].demand_ratio == 0.95
        assert PRESETS[f"{base}-overloaded"].demand_ratio == 1.20
    assert PRESETS["demo"].demand_ratio > 1.0
    assert (PRESETS["district"].n_teams, PRESETS["district"].n_professionals) == (6, 120)
    assert (PRESETS["city"].n_teams, PRESETS["city"].n_professionals) == (20, 500)


# ----------------------------------------------------------------------------- validity


def assert_consistent(ds: Dataset) -> None:
    """Validates through the pydantic models and every reference resolves."""
    again = Dataset.model_validate(ds.model_dump())
    assert again == ds
    pro_ids = [p.id for p in ds.professionals]
    fam_ids = [f.id for f in ds.families]
    case_ids = [c.id for c in ds.cases]
    for ids in (pro_ids, fam_ids, case_ids):
        assert len(ids) == len(set(ids))
    pros = {p.id: p for p in ds.professionals}
    fams = {f.id: f for f in ds.families}
    norms = load_norms()
    for r in ds.registrations:
        assert r.professional_id in pros
        if r.register.value in NORM_REGISTERS:
            assert norms.title(r.register.value, r.title) is not None, r.title
    for p in ds.professionals:
        assert p.name is None or p.name.startswith("Professional ")
        assert set(p.expertise) <= set(norms.expertise), p.expertise
        assert set(p.trainings) <= set(norms.trainings), p.trainings
        assert "nl" in p.languages
        if p.is_intern:
            assert p.supervisor_id in pros and is_valid(ds, p.supervisor_id)
            assert not any(r.professional_id == p.id for r in ds.registrations)
    for f in ds.families:
        assert f.id.startswith("G")
        for pid in (f.current_primary, f.current_backup):
            assert pid is None or pros[pid].team == f.team
        assert f.current_backup is None or f.current_backup != f.current_primary
        assert set(f.excluded) <= set(pros)
        assert f.current_primary not in f.excluded
        assert f.registered_on <= ds.policy.plan_date
    cases_of = Counter(c.family_id for c in ds.cases)
    assert set(cases_of) == set(fams)
    assert all(1 <= n <= 3 for n in cases_of.values())
    for c in ds.cases:
        assert c.id.startswith("C")
        assert set(c.required_expertise) <= set(norms.expertise)
        assert set(c.preferred_expertise) <= set(norms.expertise)
        assert not set(c.required_expertise) & set(c.preferred_expertise)
    for e in ds.exceptions:
        assert e.family_id in fams and e.professional_id in pros
        assert fams[e.family_id].current_primary == e.professional_id
        assert e.reason.strip() and e.decided_by and e.decided_on


@pytest.mark.parametrize(
    "preset", ["demo", "demo-overloaded", "team", "team-balanced", "team-overloaded", "district"]
)
def test_datasets_validate(preset: str) -> None:
    assert_consistent(dataset(preset))


def test_small_custom_spec() -> None:
    ds = generate(SynthSpec(name="tiny", n_professionals=6, n_families=40, demand_ratio=1.0), 1)
    assert_consistent(ds)
    assert len(ds.professionals) == 6 and len(ds.families) == 40
    assert team_slots(20).count("gezinswerker") >= 10


def test_city_preset_generates_quickly() -> None:
    start = time.perf_counter()
    ds = generate(PRESETS["city"], 11)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, elapsed
    assert len(ds.professionals) == 500
    assert len(ds.families) == 12_000
    assert len({p.team for p in ds.professionals}) == 20
    assert len(ds.cases) == 18_000
    assert abs(demand_ratio(ds, PRESETS["city"].capacity_basis) - 1.0) <= 0.02


def test_every_team_has_the_mix() -> None:
    ds = dataset("district")
    by_team: dict[str, Counter[str]] = {}
    for p in ds.professionals:
        by_team.setdefault(p.team, Counter())[p.function] += 1
    assert len(by_team) == 6
    for team, funcs in by_team.items():
        assert funcs["gezinswerker"] > sum(funcs.values()) / 2, team
        for function in ("gedragswetenschapper", "jeugdarts", "jeugdverpleegkundige"):
            assert funcs[function] >= 1, (team, function)
        for function in ("sociaal-werker", "vaktherapeut", "stagiair"):
            assert funcs[function] == 1, (team, function)
    fams_per_team = Counter(f.team for f in ds.families)
    assert sum(fams_per_team.values()) == 3000 and min(fams_per_team.values()) >= 450


def test_distributions_roughly_as_specified() -> None:
    ds = dataset("district")
    n = len(ds.cases)
    safety = Counter(c.safety for c in ds.cases)
    assert 0.12 <= safety[Safety.VERHOOGD] / n <= 0.18
    assert 0.04 <= safety[Safety.HOOG] / n <= 0.08
    assert 0.003 <= safety[Safety.ACUUT] / n <= 0.02
    assert 0.28 <= sum(bool(c.required_expertise) for c in ds.cases) / n <= 0.38
    assert 0.05 <= sum(bool(c.triggers) for c in ds.cases) / n <= 0.11
    assert sum(c.age <= 17 for c in ds.cases) / n >= 0.85
    with_primary = sum(f.current_primary is not None for f in ds.families) / len(ds.families)
    assert 0.83 <= with_primary <= 0.87
    pinned = sum(f.pinned for f in ds.families) / len(ds.families)
    assert 0.01 <= pinned <= 0.03
    ftes = [p.fte for p in ds.professionals if p.function == "gezinswerker"]
    assert all(0.6 <= x <= 1.0 for x in ftes)
    for p in ds.professionals:
        if p.function not in ("stagiair", "sociaal-werker", "jeugdarts"):
            assert 2 <= len(p.expertise) <= 4, p


# ----------------------------------------------------------------------------- the demo


def test_demo_meets_the_requirements() -> None:
    ds = dataset("demo")
    day = ds.policy.plan_date
    assert day == dt.date(2026, 12, 1)
    assert ds.policy.time_limit <= 30
    pros = {p.id: p for p in ds.professionals}
    regs = valid_titles(ds)
    norms = load_norms()
    funcs = Counter(p.function for p in ds.professionals)

    assert len(ds.professionals) >= 18
    assert len({p.team for p in ds.professionals}) == 1

    # two BIG gedragswetenschappers with a postmaster title
    big_gw = [
        p
        for p in ds.professionals
        if p.function == "gedragswetenschapper"
        and any(
            reg == "BIG" and "postmaster-gw" in norms.title(reg, title).groups
            for reg, title, _ in regs.get(p.id, [])
        )
    ]
    assert len(big_gw) >= 2
    assert funcs["jeugdverpleegkundige"] >= 1
    assert any(t == "verpleegkundige" for p in ds.professionals for _, t, _ in regs.get(p.id, []))
    # a jeugdarts with a BIG arts-group registration
    assert any(
        p.function == "jeugdarts"
        and any("arts" in norms.title(r, t).groups for r, t, _ in regs.get(p.id, []))
        for p in ds.professionals
    )
    # an MBO sociaal werker: Registerplein only, schulden expertise
    sw = [p for p in ds.professionals if p.function == "sociaal-werker"]
    assert sw and "schulden" in sw[0].expertise
    sw_regs = [r for r in ds.registrations if r.professional_id == sw[0].id]
    assert [r.register for r in sw_regs] == [Register.REGISTERPLEIN]
    # a vaktherapeut with recorded tenzij lid 1 decisions for the families they serve
    vt = [p for p in ds.professionals if p.function == "vaktherapeut"]
    assert vt
    vt_families = [f for f in ds.families if f.current_primary == vt[0].id]
    lid1 = {e.family_id for e in ds.exceptions if e.professional_id == vt[0].id and e.limb == 1}
    assert vt_families and {f.id for f in vt_families} == lid1
    assert any(e.limb == 2 and e.professional_id == sw[0].id for e in ds.exceptions)
    assert all(e.decided_by and e.decided_by.startswith("TM") for e in ds.exceptions)
    # an intern with a registered supervisor
    interns = [p for p in ds.professionals if p.is_intern]
    assert interns and all(is_valid(ds, p.supervisor_id or "") for p in interns)
    # one expired and one expiring-within-60-days registration
    ends = [until for v in regs.values() for _, _, until in v]
    assert any(until < day for until in ends)
    assert any(day <= until <= day + dt.timedelta(days=60) for until in ends)
    # one professional on long leave (> 6 weeks past the plan date), and a short one
    weeks = ds.policy.reassign_if_absent_weeks
    absent = [p for p in ds.professionals if p.absent_on(day)]
    assert any(p.absent_until and (p.absent_until - day).days / 7 > weeks for p in absent)
    assert any(p.absent_until and (p.absent_until - day).days / 7 < weeks for p in absent)
    assert any(not p.accepts_new for p in ds.professionals)
    assert any(p.max_families is not None and not p.is_intern for p in ds.professionals)
    # families and cases
    assert len(ds.families) >= 300
    assert len(ds.cases) >= 480
    with_primary = [f for f in ds.families if f.current_primary]
    assert len(with_primary) / len(ds.families) > 0.8
    new = [f for f in ds.families if f.current_primary is None]
    assert new and all((day - f.registered_on).days <= 75 for f in new)
    assert 3 <= sum(f.pinned for f in ds.families) <= 12
    assert any(f.current_backup for f in ds.families)
    assert any(f.excluded for f in ds.families)
    assert all(pros[f.current_primary].team == f.team for f in with_primary)
    # all expertise areas a-f covered by registered, present colleagues
    present = [p for p in ds.professionals if is_valid(ds, p.id) and not p.absent_on(day)]
    areas = {norms.expertise[t] for p in present for t in p.expertise}
    assert set("abcdef") <= areas
    # demand slightly above the capacity of the colleagues who can take families
    assert 1.0 < demand_ratio(ds, "available") < 1.1


def test_demo_placeability() -> None:
    """Every family has an allowed primary in principle, except the deliberate one(s); some
    current primaries are realistically no longer allowed (expired, long leave, wrong expertise)."""
    from planner.facts import Context
    from planner.rules import allowed, failures

    ds = dataset("demo")
    ctx = Context(ds)
    unplaceable = [
        f
        for f in ds.families
        if not any(allowed(ctx, p, f, Role.PRIMARY) for p in ds.professionals)
    ]
    assert 1 <= len(unplaceable) <= 2
    for f in unplaceable:
        assert f.current_primary is None
        assert "verslaving" in ctx.required_expertise(f.id)
    holders = [p for p in ds.professionals if "verslaving" in p.expertise]
    assert len(holders) == 1 and ctx.long_absent(holders[0].id)

    reasons: Counter[str] = Counter()
    current = [f for f in ds.families if f.current_primary]
    for f in current:
        for v in failures(ctx, ctx.professionals[f.current_primary or ""], f, Role.PRIMARY):
            reasons[v.rule] += 1
    assert {"registratie", "beschikbaar", "expertise"} <= set(reasons)
    assert sum(reasons.values()) < 0.25 * len(current)


def test_demo_files_match_the_generator() -> None:
    io = pytest.importorskip("planner.io")
    assert DEMO_DIR.is_dir(), "run: python -m planner.synth demo --seed 20261201 --out data/demo"
    read = io.read_dataset(DEMO_DIR)
    made = dataset("demo")
    for part in ("professionals", "registrations", "families", "cases", "exceptions", "policy"):
        assert getattr(read, part) == getattr(made, part), part
    assert (DEMO_DIR / "README.md").is_file()


# ----------------------------------------------------------------------------- CLI


def test_cli_summary() -> None:
    lines: list[str] = []
    assert main(["team-balanced", "--seed", "3", "--summary"], out=lines.append) == 0
    text = "\n".join(lines)
    assert "professionals: 25" in text and "families: 500" in text
    assert "demand ratio 0.9" in text
    assert "(vs available capacity); 0." in text and " vs nominal capacity" in text
    assert summarize(dataset("demo")).count("\n") > 10
    nominal = summarize(dataset("demo"), basis="nominal")
    assert "demand ratio 0.8" in nominal and "(vs nominal capacity); 1.0" in nominal


def test_cli_writes_dataset(tmp_path: Path) -> None:
    io = pytest.importorskip("planner.io")
    lines: list[str] = []
    assert main(["demo", "--seed", "5", "--out", str(tmp_path)], out=lines.append) == 0
    read = io.read_dataset(tmp_path)
    assert read.cases == generate(PRESETS["demo"], 5).cases
