"""Soft preferences (objective level 3, "passend"): preferred expertise, wijk and language.

One place for both the score the engine optimises and the Dutch words that explain it.
"""

from __future__ import annotations

from planner.facts import Context
from planner.model import Family, Professional, Role


def _has(values: tuple[str, ...], value: str) -> bool:
    """Free-text wijk and language names compare case-insensitively."""
    v = value.strip().casefold()
    return any(x.strip().casefold() == v for x in values)


def matches(ctx: Context, pro: Professional, fam: Family, role: Role) -> dict[str, list[str]]:
    """The preferences this professional meets for this family and role."""
    out: dict[str, list[str]] = {"expertise": [], "wijk": [], "taal": []}
    if role == Role.PRIMARY:
        out["expertise"] = [t for t in ctx.preferred_expertise(fam.id) if t in pro.expertise]
        if fam.language and _has(pro.languages, fam.language):
            out["taal"] = [fam.language]
    if role in (Role.PRIMARY, Role.BACKUP) and fam.wijk and _has(pro.wijken, fam.wijk):
        out["wijk"] = [fam.wijk]
    return out


def fit_score(ctx: Context, pro: Professional, fam: Family, role: Role) -> int:
    w = ctx.policy.weights
    m = matches(ctx, pro, fam, role)
    if role == Role.BACKUP:
        return w.backup_wijk * len(m["wijk"])
    return (
        w.preferred_expertise * len(m["expertise"])
        + w.wijk * len(m["wijk"])
        + w.language * len(m["taal"])
    )


def fit_reasons(ctx: Context, pro: Professional, fam: Family, role: Role) -> list[str]:
    m = matches(ctx, pro, fam, role)
    out = []
    if m["expertise"]:
        out.append(f"voorkeursexpertise {', '.join(m['expertise'])}")
    if m["wijk"]:
        out.append(f"zelfde wijk ({m['wijk'][0]})")
    if m["taal"] and m["taal"][0].casefold() != "nl":
        out.append(f"spreekt {m['taal'][0]}")
    return out
