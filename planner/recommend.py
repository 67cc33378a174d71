"""Best professionals for one family, given everyone's current load (no solve needed).

Ranking, in this order: keeps the family's current primary (vast gezicht); fit (the same score as
objective level 3); lowest utilisation after placement. Only professionals the rules allow and
who have room are recommended; when there are none the answer says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.facts import Context, nl_hours
from planner.model import Family, Role
from planner.preferences import fit_reasons, fit_score
from planner.rules import allowed, failures, verdicts


@dataclass(frozen=True)
class Recommendation:
    professional_id: str
    score: int
    load_after: float
    capacity: float
    utilisation_after: float
    keeps_current: bool
    reasons: str


@dataclass(frozen=True)
class RecommendResult:
    family_id: str
    recommendations: list[Recommendation]
    full: list[str]  # allowed but without room
    not_allowed: list[str]  # near misses, with the rule that stops them


def recommend(ctx: Context, family: Family, top: int = 3) -> RecommendResult:
    """Rank allowed professionals for `family` (which may be new: it must be in `ctx`)."""
    load = ctx.current_load()
    count = ctx.current_primary_count()
    own = ctx.family_hours(family.id)
    if family.current_primary in load:  # the family's own hours do not count against a move
        load[family.current_primary] -= own
        count[family.current_primary] -= 1
    ranked: list[tuple[tuple, Recommendation]] = []
    full: list[str] = []
    misses: list[tuple[int, str, str]] = []
    for pro in ctx.professionals.values():
        if not ctx.policy.cross_team and pro.team != family.team:
            continue
        if not allowed(ctx, pro, family, Role.PRIMARY):
            fails = failures(ctx, pro, family, Role.PRIMARY)
            misses.append((len(fails), pro.id, ", ".join(v.reason for v in fails)))
            continue
        cap = ctx.capacity_hours(pro.id)
        after = load[pro.id] + own
        if after > cap + 1e-9:
            full.append(f"{pro.id} ({nl_hours(load[pro.id])} van {nl_hours(cap)})")
            continue
        if pro.max_families is not None and count[pro.id] + 1 > pro.max_families:
            full.append(f"{pro.id} ({count[pro.id]} gezinnen, maximaal {pro.max_families})")
            continue
        keeps = family.current_primary == pro.id
        score = fit_score(ctx, pro, family, Role.PRIMARY)
        util = after / cap if cap > 0 else 1.0
        reasons = [
            v.reason
            for v in verdicts(ctx, pro, family, Role.PRIMARY)
            if v.flag
            or v.rule == "registratie"
            or (v.rule == "expertise" and ctx.required_expertise(family.id))
            or (v.rule == "veiligheid" and ctx.needs_safety_training(family.id))
        ]
        reasons += fit_reasons(ctx, pro, family, Role.PRIMARY)
        if keeps:
            reasons.append("blijft vast gezicht")
        reasons.append(f"belasting na plaatsing {nl_hours(after)} van {nl_hours(cap)}")
        rec = Recommendation(
            pro.id, score, round(after, 2), round(cap, 2), round(util, 3), keeps, "; ".join(reasons)
        )
        ranked.append(((not keeps, -score, util, pro.id), rec))
    ranked.sort(key=lambda kr: kr[0])
    misses.sort()
    return RecommendResult(
        family.id,
        [r for _, r in ranked[:top]],
        full,
        [f"{pid}: {why}" for _, pid, why in misses[:3]],
    )
