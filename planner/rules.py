"""The hard rules: may this professional take this role for this family?

Each rule is one small class with a name, the roles it applies to and its source in the norm. Its
`check` returns a `Verdict`: allowed or not, why (in Dutch, for the manager and the inspectorate),
and an optional flag when the rule is met through an exception (tenzij, supervised intern).

The compiler builds the eligibility of the assignment problem from these verdicts (through
`Eligibility`, which asks each rule once per combination of the facts that decide it), the
explainer uses the same verdicts as reasons, and the validator re-checks every plan with them.
Capacity is not a pair rule: it is checked over the whole plan (see `planner.validate`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
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
    reads_cases: ClassVar[bool] = False
    """Whether the decision reads the family's cases (see `Eligibility` for what rules read)."""

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
    reads_cases = True

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
    reads_cases = True

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
"""Every rule, in the order of their verdicts. A rule whose decision reads a fact of the family or
of the pair that `Eligibility` does not list must be added to its memo key there."""


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


class Eligibility:
    """The rules' decisions for many pairs of one `Context`, the same as `failures()` gives (the
    compiler asks for every family and every candidate): each rule's own `check`, asked once per
    combination of the facts that decide it and then remembered.

    What the decisions read (keep this in step with the rules above; the reasons may read more,
    such as the safety level or the text of a tenzij decision, but only decisions are kept):

    - the professional, by id through the `Context` (registrations and the supervisor's, team,
      expertise, trainings, absence, accepts_new); a professional that is not the `Context`'s own
      object is checked afresh;
    - the role and the trigger (`ConsultQualified`);
    - of the family, the same for every professional: its team (`SameTeam`) and, in the rules
      with `reads_cases`, the set of expertise its cases require (`RequiredExpertise`) and
      whether its safety asks for training (`SafetyTraining`);
    - of the pair: an exclusion (`NotExcluded`), a recorded tenzij decision (`Registered`) and
      whether the professional is the family's current primary or backup (`Available`).
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._failing: dict[Hashable, dict[Hashable, frozenset[str]]] = {}
        self._without_cases: dict[Hashable, dict[Hashable, frozenset[str]]] = {}
        self._qualifies: dict[tuple[str, Trigger | None], bool] = {}
        self._tenzij: dict[str, set[str]] = defaultdict(set)
        for pro_id, family_id in ctx.exceptions:
            self._tenzij[family_id].add(pro_id)

    def failing_among(
        self,
        pros: Sequence[Professional],
        family: Family,
        role: Role,
        trigger: Trigger | None = None,
    ) -> list[frozenset[str]]:
        """The names of the rules each of `pros` fails for this role (empty: allowed)."""
        ctx = self.ctx
        group: Hashable = (role, trigger, family.team)
        if role in _CASE_ROLES:
            group = (
                role,
                trigger,
                family.team,
                frozenset(ctx.required_expertise(family.id)),
                ctx.needs_safety_training(family.id),
            )
        memo = self._failing.get(group)
        if memo is None:
            memo = self._failing[group] = {}
        # the professionals with a fact of their own about this family; for everyone else the
        # pair facts are all false and the professional's id is the key
        special = {
            *family.excluded,
            family.current_primary,
            family.current_backup,
            *self._tenzij.get(family.id, ()),
        }
        own = ctx.professionals
        out: list[frozenset[str]] = []
        for pro in pros:
            pid = pro.id
            if own.get(pid) is not pro:
                out.append(_failing(RULES, ctx, pro, family, role, trigger))
                continue
            key: Hashable = pid
            if pid in special:
                key = (
                    pid,
                    pid in family.excluded,
                    (pid, family.id) in ctx.exceptions,
                    family.current_primary == pid,
                    family.current_backup == pid,
                )
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = self._decide(pro, family, role, trigger, key)
            out.append(hit)
        return out

    def _decide(
        self, pro: Professional, family: Family, role: Role, trigger: Trigger | None, key: Hashable
    ) -> frozenset[str]:
        """A combination not seen yet. The families of a team differ most in their cases: the
        rules that do not read them are remembered per team and pair facts alone."""
        ctx = self.ctx
        group = (role, trigger, family.team)
        memo = self._without_cases.get(group)
        if memo is None:
            memo = self._without_cases[group] = {}
        fails = memo.get(key)
        if fails is None:
            fails = memo[key] = _failing(_OTHER_RULES, ctx, pro, family, role, trigger)
        more = _failing(_CASE_RULES, ctx, pro, family, role, trigger)
        return fails | more if more else fails

    def failing(
        self, pro: Professional, family: Family, role: Role, trigger: Trigger | None = None
    ) -> frozenset[str]:
        """`{v.rule for v in failures(ctx, pro, family, role, trigger)}`."""
        return self.failing_among([pro], family, role, trigger)[0]

    def allowed(
        self, pro: Professional, family: Family, role: Role, trigger: Trigger | None = None
    ) -> bool:
        """`allowed(ctx, pro, family, role, trigger)`."""
        return not self.failing(pro, family, role, trigger)

    def qualifies(self, pro: Professional, trigger: Trigger | None) -> bool:
        """`qualifies_for(...).ok`: it reads only the professional and the trigger."""
        if self.ctx.professionals.get(pro.id) is not pro:
            return qualifies_for(self.ctx, pro, trigger).ok
        key = (pro.id, trigger)
        hit = self._qualifies.get(key)
        if hit is None:
            hit = self._qualifies[key] = qualifies_for(self.ctx, pro, trigger).ok
        return hit


_CASE_RULES = tuple(r for r in RULES if r.reads_cases)
_OTHER_RULES = tuple(r for r in RULES if not r.reads_cases)
_CASE_ROLES = frozenset(role for r in _CASE_RULES for role in r.roles)


def _failing(
    rules: tuple[Rule, ...],
    ctx: Context,
    pro: Professional,
    family: Family,
    role: Role,
    trigger: Trigger | None,
) -> frozenset[str]:
    """The names of these rules that fail: with `RULES`, the rules of `failures()`."""
    return frozenset(
        r.name for r in rules if role in r.roles and not r.check(ctx, pro, family, role, trigger).ok
    )
