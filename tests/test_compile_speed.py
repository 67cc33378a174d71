"""The fast paths of the compiler give exactly what the straightforward definitions give.

`compile_team` asks the rules through `rules.Eligibility` and scores fit through
`preferences.Fit`, which remember each answer per combination of the facts that decide it. Here:

- every answer of `Eligibility` and `Fit` equals `verdicts`/`failures`/`qualifies_for` and
  `fit_score`/`matches` for every (professional, family, role, trigger) of the demo team, a
  synthetic team, a multi-team city (with and without cross-team placement) and random small
  teams full of exceptions (exclusions, tenzij decisions, interns, absences, current roles);
- the compiled problem (demands, options in order, loads, levels and their weights, hints, fixed,
  different pairs, labels, meta, self_cover, broken pins) is identical to the one compiled with
  the straightforward definitions in their place, for baseline and stable on and off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from builders import PLAN_DATE, case, context, fam, pro, reg, tenzij
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner.compile as compile_module
from planner.compile import compile_team
from planner.facts import Context
from planner.io import read_dataset
from planner.model import Dataset, Family, Professional, Role, Trigger
from planner.preferences import Fit, fit_score, matches
from planner.rules import Eligibility, allowed, failures, qualifies_for, verdicts
from planner.synth import PRESETS, SynthSpec, generate

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
ROLES = ((Role.PRIMARY, None), (Role.BACKUP, None), *((Role.CONSULT, t) for t in Trigger))


# ------------------------------------------------------------------------------ the datasets


@cache
def named(name: str) -> Dataset:
    if name == "demo":
        return read_dataset(DEMO_DIR)
    if name == "team":
        return generate(PRESETS["team-balanced"], 1)
    if name == "city":  # several teams, every kind of exception, small enough for a unit test
        spec = SynthSpec(name="city-small", n_teams=3, n_professionals=30, n_families=300)
        return generate(spec, 2)
    if name == "city-cross":
        ds = named("city")
        return ds.model_copy(update={"policy": ds.policy.model_copy(update={"cross_team": True})})
    raise KeyError(name)


DATASETS = ("demo", "team", "city", "city-cross")


# --------------------------------------------------------------- the straightforward stand-ins


class PlainEligibility:
    """`Eligibility` by definition: every rule's verdict, every time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def failing_among(
        self, pros: list[Professional], family: Family, role: Role, trigger: Trigger | None = None
    ) -> list[frozenset[str]]:
        return [
            frozenset(v.rule for v in verdicts(self.ctx, p, family, role, trigger) if not v.ok)
            for p in pros
        ]

    def qualifies(self, pro: Professional, trigger: Trigger | None) -> bool:
        return qualifies_for(self.ctx, pro, trigger).ok


class PlainFit:
    """`Fit` by definition."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def score(self, pro: Professional, family: Family, role: Role) -> int:
        return fit_score(self.ctx, pro, family, role)

    def same_wijk(self, pro: Professional, family: Family, role: Role) -> bool:
        return bool(matches(self.ctx, pro, family, role)["wijk"])


def canonical(x: Any) -> Any:
    """A comparable form that also keeps the order of lists and dicts (dict equality does not)."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        fields = dataclasses.fields(x)
        return (type(x).__name__, tuple((f.name, canonical(getattr(x, f.name))) for f in fields))
    if isinstance(x, dict):
        return ("dict", tuple((canonical(k), canonical(v)) for k, v in x.items()))
    if isinstance(x, list | tuple):
        return (type(x).__name__, tuple(canonical(v) for v in x))
    if isinstance(x, set | frozenset):
        return ("set", tuple(sorted(x)))
    return (type(x).__name__, x)


def straightforward_compile(
    monkeypatch: pytest.MonkeyPatch, ds: Dataset, **kw: bool
) -> compile_module.Compiled:
    with monkeypatch.context() as m:
        m.setattr(compile_module, "Eligibility", PlainEligibility)
        m.setattr(compile_module, "Fit", PlainFit)
        return compile_team(Context(ds), **kw)


# ------------------------------------------------------------------ the compiled problem


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("baseline", [False, True], ids=["engine", "baseline"])
@pytest.mark.parametrize("stable", [False, True], ids=["full", "stable"])
def test_compiled_problem_is_identical_to_the_straightforward_one(
    monkeypatch: pytest.MonkeyPatch, name: str, baseline: bool, stable: bool
) -> None:
    ds = named(name)
    want = straightforward_compile(monkeypatch, ds, baseline=baseline, stable=stable)
    got = compile_team(Context(ds), baseline=baseline, stable=stable)
    assert got.problem.options, "the comparison needs options"
    assert canonical(got) == canonical(want)


def test_the_datasets_exercise_every_pair_fact() -> None:
    """The comparisons above mean something only if the data has what the memo keys on."""
    for name in ("team", "city"):
        ds = named(name)
        assert ds.exceptions, name
        assert any(f.excluded for f in ds.families), name
        assert any(f.current_backup for f in ds.families), name
        assert any(f.pinned for f in ds.families), name
        assert any(p.supervisor_id for p in ds.professionals), name
        assert any(not p.accepts_new or p.absent_from for p in ds.professionals), name
    assert len({p.team for p in named("city").professionals}) > 1


# ---------------------------------------------------------------- answer by answer


def assert_agrees(ctx: Context) -> int:
    """Every answer of one `Eligibility` and one `Fit` (memos filled as they go) equals the
    definition, for every professional (any team), family, role and trigger."""
    rules, fits = Eligibility(ctx), Fit(ctx)
    pros = list(ctx.professionals.values())
    n = 0
    for family in ctx.families.values():
        for role, trig in ROLES:
            want = [frozenset(v.rule for v in failures(ctx, p, family, role, trig)) for p in pros]
            assert rules.failing_among(pros, family, role, trig) == want, (family.id, role, trig)
            for p, fails in zip(pros, want, strict=True):
                assert rules.allowed(p, family, role, trig) == (not fails)
                n += 1
        for p in pros:
            for role in Role:
                assert fits.score(p, family, role) == fit_score(ctx, p, family, role)
                same = bool(matches(ctx, p, family, role)["wijk"])
                assert fits.same_wijk(p, family, role) == same
    for p in pros:
        for trig in Trigger:
            assert rules.qualifies(p, trig) == qualifies_for(ctx, p, trig).ok
    return n


@pytest.mark.parametrize("name", ["demo", "city", "city-cross"])
def test_eligibility_and_fit_agree_with_the_rules(name: str) -> None:
    assert assert_agrees(Context(named(name))) > 0


def test_a_professional_that_is_not_the_contexts_own_is_checked_afresh() -> None:
    ctx = Context(named("demo"))
    rules, fits = Eligibility(ctx), Fit(ctx)
    family, able = next(
        (f, p)
        for f in ctx.families.values()
        if ctx.required_expertise(f.id)
        for p in ctx.team_professionals[f.team]
        if allowed(ctx, p, f, Role.PRIMARY) and fit_score(ctx, p, f, Role.PRIMARY) > 0
    )
    for p in ctx.team_professionals[family.team]:  # fill the memos first
        rules.failing(p, family, Role.PRIMARY)
        fits.score(p, family, Role.PRIMARY)
    changed = able.model_copy(update={"expertise": (), "wijken": (), "languages": ()})
    assert rules.failing(changed, family, Role.PRIMARY) == {"expertise"}
    assert fits.score(changed, family, Role.PRIMARY) == 0
    assert not fits.same_wijk(changed, family, Role.PRIMARY)
    assert rules.failing(able, family, Role.PRIMARY) == frozenset()
    assert fits.score(able, family, Role.PRIMARY) == fit_score(ctx, able, family, Role.PRIMARY)
    debts = next(p for p in ctx.professionals.values() if "schulden" in p.expertise)
    assert rules.qualifies(debts, Trigger.SCHULDEN)
    assert not rules.qualifies(debts.model_copy(update={"expertise": ()}), Trigger.SCHULDEN)


# ---------------------------------------------------------------- random small teams

EXPERTISE = ("lvb", "scheiding", "schulden", "trauma")
REGISTRATIONS = {
    "valid": ("jeugd- en gezinsprofessional", "SKJ", None),
    "expired": ("jeugd- en gezinsprofessional", "SKJ", PLAN_DATE - dt.timedelta(days=1)),
    "gw": ("gz-psycholoog", "BIG", None),
    "arts": ("jeugdarts", "BIG", None),
    "psychiater": ("psychiater", "BIG", None),
    "registerplein": ("sociaal werker", "Registerplein", None),
}
WIJKEN = ("Noord", "noord ", "Zuid", None)
LANGUAGES = ("nl", "NL", "ar", None)


@st.composite
def messy_teams(draw: st.DrawFn) -> Context:
    teams = ("T1", "T2")
    pros, regs = [], []
    n_pro = draw(st.integers(3, 6))
    for i in range(n_pro):
        pid = f"P{i}"
        # present, short absence, long absence, absent without an end date
        absent = draw(st.sampled_from(["no", 1, 10, None]))
        intern = i > 0 and draw(st.booleans())
        pros.append(
            pro(
                pid,
                team=draw(st.sampled_from(teams)),
                function="stagiair" if intern else "gezinswerker",
                supervisor_id=f"P{draw(st.integers(0, i - 1))}" if intern else None,
                expertise=tuple(draw(st.sets(st.sampled_from(EXPERTISE)))),
                trainings=("risicotaxatie",) if draw(st.booleans()) else (),
                wijken=tuple(w for w in draw(st.sets(st.sampled_from(WIJKEN))) if w),
                languages=tuple(la for la in draw(st.sets(st.sampled_from(LANGUAGES))) if la),
                accepts_new=draw(st.booleans()),
                absent_from=None if absent == "no" else PLAN_DATE,
                absent_until=(
                    PLAN_DATE + dt.timedelta(weeks=absent) if isinstance(absent, int) else None
                ),
            )
        )
        for kind in draw(st.sets(st.sampled_from(sorted(REGISTRATIONS)), max_size=2)):
            title, register, until = REGISTRATIONS[kind]
            regs.append(reg(pid, title, register, **({"valid_until": until} if until else {})))
    ids = [p.id for p in pros]
    families, cases, decisions = [], [], []
    for j in range(draw(st.integers(2, 7))):
        fid = f"G{j}"
        current = draw(st.sampled_from([None, *ids]))
        families.append(
            fam(
                fid,
                team=draw(st.sampled_from(teams)),
                wijk=draw(st.sampled_from(WIJKEN)),
                language=draw(st.sampled_from(LANGUAGES)),
                current_primary=current,
                pinned=current is not None and draw(st.booleans()),
                current_backup=draw(st.sampled_from([None, *ids])),
                excluded=tuple(draw(st.sets(st.sampled_from(ids), max_size=2))),
            )
        )
        for k in range(draw(st.integers(1, 2))):
            cases.append(
                case(
                    f"C{j}{k}",
                    fid,
                    safety=draw(st.sampled_from(["geen", "verhoogd", "hoog", "acuut"])),
                    required_expertise=tuple(draw(st.sets(st.sampled_from(EXPERTISE), max_size=2))),
                    preferred_expertise=tuple(
                        draw(st.sets(st.sampled_from(EXPERTISE), max_size=2))
                    ),
                    triggers=tuple(draw(st.sets(st.sampled_from(list(Trigger)), max_size=2))),
                )
            )
        for pid in draw(st.sets(st.sampled_from(ids), max_size=2)):
            decisions.append(tenzij(pid, fid, limb=draw(st.sampled_from([1, 2]))))
    return context(pros, regs, families, cases, decisions, cross_team=draw(st.booleans()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_teams())
def test_random_teams_eligibility_and_fit_agree_with_the_rules(ctx: Context) -> None:
    assert_agrees(ctx)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_teams(), st.booleans(), st.booleans())
def test_random_teams_compile_identically(ctx: Context, baseline: bool, stable: bool) -> None:
    with pytest.MonkeyPatch.context() as m:
        want = straightforward_compile(m, ctx.dataset, baseline=baseline, stable=stable)
    got = compile_team(Context(ctx.dataset), baseline=baseline, stable=stable)
    assert canonical(got) == canonical(want)
