"""The hard rules: may this professional take this role for this family?

Each rule is one small class with a name, the roles it applies to and its source in the norm. Its
`check` returns a `Verdict`: allowed or not, why (in Dutch, for the manager and the inspectorate),
and an optional flag when the rule is met through an exception (tenzij, supervised intern).

The compiler uses `allowed()` to build the eligibility of the assignment problem, the explainer
uses the same verdicts as reasons, and the validator re-checks every plan with them. Capacity is
not a pair rule: it is checked over the whole plan (see `planner.validate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from planner.facts import Context
from planner.model import Family, Professional, Role, Trigger


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rule: str
    reason: str
    source: str
    flag: str | None = None


class Rule:
    name: ClassVar[str]
    source: ClassVar[str]
    roles: ClassVar[frozenset[Role]]

    def check(
        self, ctx: Context, pro: Professional, family: Family, role: Role, trigger: Trigger | None
    ) -> Verdict:
        raise NotImplementedError

    def _v(self, ok: bool, reason: str, flag: str | None = None) -> Verdict:
        return Verdict(ok, self.name, reason, self.source, flag)


class Registered(Rule):
    """Norm A: the toegang's work goes to a professional with a valid SKJ or BIG registration,
    unless a recorded tenzij decision allows it or an intern works under a registered supervisor."""

    name = "registratie"
    source = "norm A, art. 5.1.1 Besluit Jeugdwet; tenzij-bepaling; stagiair"
    roles = frozenset({Role.PRIMARY, Role.BACKUP})

    def check(self, ctx, pro, family, role, trigger):  # type: ignore[override]
        valid = ctx.valid_registrations(pro.id)
        if valid:
            return self._v(True, f"geregistreerd {valid[0].label}")
        decision = ctx.exceptions.get((pro.id, family.id))
        if decision is not None:
            flag = f"tenzij lid {decision.limb}"
            return self._v(True, f"{flag}: {decision.reason}", flag=flag)
        if pro.is_intern and pro.supervisor_id:
            sup = ctx.valid_registrations(pro.supervisor_id)
            if sup:
                flag = f"stagiair onder verantwoordelijkheid van {pro.supervisor_id}"
                return self._v(True, f"{flag} ({sup[0].label})", flag=flag)
            return self._v(
                False, f"stagiair, maar begeleider {pro.supervisor_id} is niet geldig geregistreerd"
            )
        expired = ctx.norm_registrations(pro.id)
        if expired:
            r, title = max(expired, key=lambda rt: rt[0].valid_until)
            return self._v(
                False,
                f"registratie {r.register} {title.title} verlopen op {r.valid_until.isoformat()}",
            )
        others = [r.register for r in ctx.registrations_of.get(pro.id, [])]
        if others:
            names = ", ".join(sorted(set(others)))
            return self._v(False, f"geen SKJ- of BIG-registratie ({names} telt niet voor de norm)")
        return self._v(False, "geen geldige SKJ- of BIG-registratie")


class SameTeam(Rule):
    """Work stays within the family's team unless the policy allows cross-team placement."""

    name = "team"
    source = "teambeleid (policy cross_team)"
    roles = frozenset({Role.PRIMARY, Role.BACKUP, Role.CONSULT})

    def check(self, ctx, pro, family, role, trigger):  # type: ignore[override]
        if pro.team == family.team:
            return self._v(True, f"zelfde team ({pro.team})")
        if ctx.policy.cross_team:
            return self._v(True, f"ander team ({pro.team}), toegestaan", flag="teamoverstijgend")
        return self._v(False, f"ander team ({pro.team}, gezin in {family.team})")


class RequiredExpertise(Rule):
    """Norm B: the primary has every expertise the family's cases require."""

    name = "expertise"
    source = "norm B, art. 5.1.1 Besluit Jeugdwet"
    roles = frozenset({Role.PRIMARY})

    def check(self, ctx, pro, family, role, trigger):  # type: ignore[override]
        required = ctx.required_expertise(family.id)
        missing = [t for t in required if t not in pro.expertise]
        if missing:
            return self._v(False, f"mist expertise {', '.join(missing)}")
        if required:
            return self._v(True, f"expertise {', '.join(required)}")
        return self._v(True, "geen specifieke expertise vereist")


class SafetyTraining(Rule):
    """Norm C: a family with safety hoog or acuut gets a primary trained in the safety method."""

    name = "veiligheid"
    source = "norm C; veiligheid (001:621-625, 003:470-472)"
    roles = frozenset({Role.PRIMARY})

    def check(self, ctx, pro, family, role, trigger):  # type: ignore[override]
        if not ctx.needs_safety_training(family.id):
            return self._v(True, "geen verhoogd veiligheidsrisico")
        trained = [t for t in ctx.policy.safety_trainings if t in pro.trainings]
        if trained:
            return self._v(True, f"training {', '.join(trained)}")
        wanted = " of ".join(ctx.policy.safety_trainings)
        return self._v(
            False, f"geen training {wanted} (veiligheid {ctx.family_safety(family.id).value})"
        )


class NotExcluded(Rule):
    """The manager excluded this professional for this family."""

    name = "uitgesloten"
    source = "besluit teamleider (families.excluded)"
    roles = frozenset({Role.PRIMARY, Role.BACKUP, Role.CONSULT})

    def check(self, ctx, pro, family, role, trigger):  # type: ignore[override]
        if pro.id in family.excluded:
            return self._v(False, "uitgesloten voor dit gezin")
        return self._v(True, "niet uitgesloten")


class Available(Rule):
    """Absent or not accepting new work: only families they already have, and those only while
    the absence ends within `reassign_if_absent_weeks`."""

    name = "beschikbaar"
    source = "teambeleid (afwezigheid, accepts_new, reassign_if_absent_weeks)"
    roles = frozenset({Role.PRIMARY, Role.BACKUP, Role.CONSULT})

    def check(self, ctx, pro, family, role, trigger):  # type: ignore[override]
        current = (role == Role.PRIMARY and family.current_primary == pro.id) or (
            role == Role.BACKUP and family.current_backup == pro.id
        )
        absent = pro.absent_on(ctx.plan_date)
        if absent and ctx.long_absent(pro.id):
            until = pro.absent_until.isoformat() if pro.absent_until else "onbepaalde tijd"
            return self._v(False, f"langdurig afwezig (tot {until})")
        if absent and not current:
            return self._v(False, "afwezig op de plandatum; neemt geen nieuw werk")
        if not pro.accepts_new and not current and role != Role.CONSULT:
            return self._v(False, "neemt geen nieuwe gezinnen aan")
        if absent:
            return self._v(True, "kort afwezig, houdt eigen gezin", flag="kort afwezig")
        return self._v(True, "beschikbaar")


class ConsultQualified(Rule):
    """A case trigger asks for a specific professional (DOMAIN.md section 2 item 7)."""

    name = "consult"
    source = "triggertabel (data/norms/triggers.csv)"
    roles = frozenset({Role.CONSULT})

    def check(self, ctx, pro, family, role, trigger):  # type: ignore[override]
        return qualifies_for(ctx, pro, trigger)


def qualifies_for(ctx: Context, pro: Professional, trigger: Trigger | None) -> Verdict:
    """Whether a professional qualifies for a trigger: a valid registration in a qualifying group
    (postmaster gedragswetenschapper, arts, psychiater) or a qualifying expertise (schulden)."""
    rule = ctx.norms.triggers[str(trigger)]
    source = f"triggertabel: {rule.label} ({rule.source})"
    for v in ctx.valid_registrations(pro.id):
        hit = v.title.groups & rule.groups
        if hit:
            return Verdict(True, "consult", f"{v.label} voor {rule.label}", source)
    hit_exp = [e for e in pro.expertise if e in rule.expertise]
    if hit_exp:
        return Verdict(True, "consult", f"expertise {hit_exp[0]} voor {rule.label}", source)
    need = [*sorted(rule.groups), *(f"expertise {e}" for e in sorted(rule.expertise))]
    return Verdict(
        False,
        "consult",
        f"niet gekwalificeerd voor {rule.label} (nodig: {' of '.join(need)})",
        source,
    )


RULES: tuple[Rule, ...] = (
    Registered(),
    SameTeam(),
    RequiredExpertise(),
    SafetyTraining(),
    NotExcluded(),
    Available(),
    ConsultQualified(),
)


def verdicts(
    ctx: Context, pro: Professional, family: Family, role: Role, trigger: Trigger | None = None
) -> list[Verdict]:
    """Every rule's verdict for this role."""
    return [r.check(ctx, pro, family, role, trigger) for r in RULES if role in r.roles]


def failures(
    ctx: Context, pro: Professional, family: Family, role: Role, trigger: Trigger | None = None
) -> list[Verdict]:
    return [v for v in verdicts(ctx, pro, family, role, trigger) if not v.ok]


def allowed(
    ctx: Context, pro: Professional, family: Family, role: Role, trigger: Trigger | None = None
) -> bool:
    return all(r.check(ctx, pro, family, role, trigger).ok for r in RULES if role in r.roles)
