"""Soft preferences (objective level 3, "passend"): preferred expertise, wijk and language.

One place for both the score the engine optimises and the Dutch words that explain it.
"""

from __future__ import annotations

from planner.facts import Context
from planner.model import Family, Professional, Role

Matches = dict[str, list[str]]


def _has(values: tuple[str, ...], value: str) -> bool:
    """Free-text wijk and language names compare case-insensitively."""
    v = value.strip().casefold()
    return any(x.strip().casefold() == v for x in values)


def matches(ctx: Context, pro: Professional, fam: Family, role: Role) -> Matches:
    """The preferences this professional meets for this family and role."""
    out: Matches = {"expertise": [], "wijk": [], "taal": []}
    if role == Role.PRIMARY:
        out["expertise"] = [t for t in ctx.preferred_expertise(fam.id) if t in pro.expertise]
        if fam.language and _has(pro.languages, fam.language):
            out["taal"] = [fam.language]
    if role in (Role.PRIMARY, Role.BACKUP) and fam.wijk and _has(pro.wijken, fam.wijk):
        out["wijk"] = [fam.wijk]
    return out


def fit_score(ctx: Context, pro: Professional, fam: Family, role: Role) -> int:
    return _score(ctx, matches(ctx, pro, fam, role), role)


def _score(ctx: Context, m: Matches, role: Role) -> int:
    w = ctx.policy.weights
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


class Fit:
    """`fit_score` and the wijk match for many pairs of one `Context` (the compiler scores every
    option): `matches` itself, asked once per combination of what it reads (the professional,
    the role, and the family's preferred expertise, wijk and language) and then remembered. A
    professional that is not the `Context`'s own object is scored afresh."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        # (role, family facts) -> professional id -> (score, same wijk)
        self._rows: dict[tuple[str | None, ...], dict[str, tuple[int, bool]]] = {}
        # role -> family id -> (the family, its row)
        self._family: dict[Role, dict[str, tuple[Family, dict[str, tuple[int, bool]]]]] = {
            r: {} for r in Role
        }

    def _lookup(self, pro: Professional, fam: Family, role: Role) -> tuple[int, bool]:
        ctx = self.ctx
        if ctx.professionals.get(pro.id) is not pro:
            return self._compute(pro, fam, role)
        of_role = self._family[role]
        known = of_role.get(fam.id)
        if known is None or known[0] is not fam:
            facts = (role, *ctx.preferred_expertise(fam.id), None, fam.wijk, fam.language)
            row = self._rows.get(facts)
            if row is None:
                row = self._rows[facts] = {}
            known = of_role[fam.id] = (fam, row)
        row = known[1]
        hit = row.get(pro.id)
        if hit is None:
            hit = row[pro.id] = self._compute(pro, fam, role)
        return hit

    def _compute(self, pro: Professional, fam: Family, role: Role) -> tuple[int, bool]:
        m = matches(self.ctx, pro, fam, role)
        return _score(self.ctx, m, role), bool(m["wijk"])

    def score(self, pro: Professional, fam: Family, role: Role) -> int:
        """`fit_score(ctx, pro, fam, role)`."""
        return self._lookup(pro, fam, role)[0]

    def same_wijk(self, pro: Professional, fam: Family, role: Role) -> bool:
        """Whether `matches(ctx, pro, fam, role)` has the family's wijk."""
        return self._lookup(pro, fam, role)[1]
