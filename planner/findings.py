"""Findings for the manager and the inspectorate, without solving.

What an employer must be able to show: registrations that lapsed or lapse soon, the team's
coverage of the Besluit Jeugdwet 2.1 expertise areas a-f, families nobody may take and why, pins
that cannot hold, professionals over capacity today, and current primaries the norm no longer
allows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from planner.facts import Context, nl_hours
from planner.model import Role
from planner.rules import allowed, failures


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # fout | waarschuwing | info
    subject: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def registration_findings(ctx: Context) -> list[Finding]:
    out = []
    for pid in ctx.professionals:
        for reg, title in ctx.norm_registrations(pid):
            days = (reg.valid_until - ctx.plan_date).days
            label = f"{reg.register} {title.title}"
            if days < 0:
                valid = ctx.valid_registrations(pid)
                extra = f"; nog geldig: {valid[0].label}" if valid else ""
                out.append(
                    Finding(
                        "REGISTRATIE_VERLOPEN",
                        "waarschuwing" if valid else "fout",
                        pid,
                        f"registratie {label} verlopen op {reg.valid_until.isoformat()}{extra}",
                    )
                )
            elif days <= ctx.policy.registration_warning_days:
                out.append(
                    Finding(
                        "REGISTRATIE_VERLOOPT",
                        "waarschuwing",
                        pid,
                        f"registratie {label} verloopt over {days} dagen "
                        f"({reg.valid_until.isoformat()})",
                    )
                )
    return out


def coverage(ctx: Context) -> dict[str, dict[str, list[str]]]:
    """Per team, per area a-f: the available professionals with an expertise in that area."""
    teams = sorted({p.team for p in ctx.professionals.values()})
    out: dict[str, dict[str, list[str]]] = {t: {a: [] for a in ctx.norms.areas} for t in teams}
    for p in ctx.professionals.values():
        if ctx.long_absent(p.id):
            continue
        for tag in p.expertise:
            area = ctx.norms.expertise.get(tag, "")
            if area and p.id not in out[p.team][area]:
                out[p.team][area].append(p.id)
    return out


def coverage_findings(ctx: Context) -> list[Finding]:
    out = []
    for team, areas in coverage(ctx).items():
        for area, pros in areas.items():
            if not pros:
                out.append(
                    Finding(
                        "DEKKING_ONTBREEKT",
                        "fout",
                        team,
                        f"team {team} heeft geen (beschikbare) expertise in gebied {area}: "
                        f"{ctx.norms.areas[area]} ({ctx.norms.area_source})",
                    )
                )
    return out


def eligibility_findings(ctx: Context) -> list[Finding]:
    out = []
    for fam in sorted(ctx.families.values(), key=lambda f: ctx.queue_key(f.id)):
        same = ctx.candidates(fam)
        if not any(allowed(ctx, p, fam, Role.PRIMARY) for p in same):
            near = sorted(
                ((p, failures(ctx, p, fam, Role.PRIMARY)) for p in same),
                key=lambda pf: (len(pf[1]), pf[0].id),
            )[:2]
            why = "; ".join(f"{p.id}: {', '.join(v.reason for v in fs)}" for p, fs in near)
            out.append(
                Finding(
                    "NIEMAND_TOEGESTAAN",
                    "fout",
                    fam.id,
                    f"niemand mag gezin {fam.id} als primaire professional nemen ({why})",
                )
            )
        cur = ctx.professionals.get(fam.current_primary or "")
        if cur is not None:
            fails = failures(ctx, cur, fam, Role.PRIMARY)
            if fails:
                reasons = "; ".join(v.reason for v in fails)
                if fam.pinned:
                    out.append(
                        Finding(
                            "PIN_GEBROKEN",
                            "fout",
                            fam.id,
                            f"pin op {cur.id} kan niet blijven: {reasons}",
                        )
                    )
                out.append(
                    Finding(
                        "HUIDIGE_TOEDELING_ONTOELAATBAAR",
                        "fout",
                        fam.id,
                        f"huidige primaire professional {cur.id} mag dit gezin niet houden: "
                        f"{reasons}",
                    )
                )
    return out


def capacity_findings(ctx: Context) -> list[Finding]:
    out = []
    load = ctx.current_load()
    count = ctx.current_primary_count()
    for pid, pro in ctx.professionals.items():
        cap = ctx.capacity_hours(pid)
        if load[pid] > cap + 1e-9:
            out.append(
                Finding(
                    "OVERBELAST_NU",
                    "waarschuwing",
                    pid,
                    f"huidige belasting {nl_hours(load[pid])} boven capaciteit {nl_hours(cap)}",
                )
            )
        if pro.max_families is not None and count[pid] > pro.max_families:
            out.append(
                Finding(
                    "OVERBELAST_NU",
                    "waarschuwing",
                    pid,
                    f"nu {count[pid]} gezinnen, maximaal {pro.max_families}",
                )
            )
    return out


def all_findings(ctx: Context) -> list[Finding]:
    return (
        registration_findings(ctx)
        + coverage_findings(ctx)
        + eligibility_findings(ctx)
        + capacity_findings(ctx)
    )
