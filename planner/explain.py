"""Explain a plan in Dutch: why each professional, why each family waits, everyone's load.

All reasons come from the same rules the compiler used (`planner.rules`), so what the manager
reads is exactly what the engine was allowed to do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planner.compile import DemandMeta
from planner.facts import Context, nl_hours
from planner.model import PRIORITY_ORDER, Family, Professional, Role
from planner.plan import Assignment, Plan
from planner.preferences import fit_reasons
from planner.rules import allowed, failures, verdicts

ROLE_ORDER = {Role.PRIMARY: 0, Role.BACKUP: 1, Role.CONSULT: 2}
SILENT_OK = {"team", "uitgesloten", "beschikbaar"}  # met by nearly everyone: only said when flagged


@dataclass(frozen=True)
class AssignmentRow:
    family_id: str
    role: str
    case_id: str
    professional_id: str
    change: str
    flags: str
    reasons: str


@dataclass(frozen=True)
class WaitingRow:
    family_id: str
    role: str
    case_id: str
    rank: int
    priority: str
    waiting_days: int
    reason_code: str
    reason: str


@dataclass(frozen=True)
class WorkloadRow:
    professional_id: str
    team: str
    capacity_hours: float
    load_hours: float
    utilisation: float
    families_primary: int
    families_backup: int
    consults: int
    registration_valid_until: str
    flags: str


@dataclass
class Loads:
    hours: dict[str, float]
    primary: dict[str, int]
    backup: dict[str, int]
    consult: dict[str, int]


def plan_loads(ctx: Context, assignments: list[Assignment]) -> Loads:
    loads = Loads(*(dict.fromkeys(ctx.professionals, 0) for _ in range(4)))
    for a in assignments:
        if a.role == Role.PRIMARY:
            loads.hours[a.professional_id] += ctx.family_hours(a.family_id)
            loads.primary[a.professional_id] += 1
        elif a.role == Role.BACKUP:
            loads.hours[a.professional_id] += ctx.policy.backup_hours
            loads.backup[a.professional_id] += 1
        else:
            loads.hours[a.professional_id] += ctx.policy.consult_hours
            loads.consult[a.professional_id] += 1
    return loads


def registration_flags(ctx: Context, pro_id: str) -> list[str]:
    until = ctx.registration_valid_until(pro_id)
    if until is None:
        return ["geen SKJ/BIG-registratie"]
    days = (until - ctx.plan_date).days
    if days < 0:
        return [f"registratie verlopen op {until.isoformat()}"]
    if days <= ctx.policy.registration_warning_days:
        return [f"registratie verloopt over {days} dagen ({until.isoformat()})"]
    return []


def availability_flags(ctx: Context, pro: Professional) -> list[str]:
    flags = []
    if pro.absent_on(ctx.plan_date):
        until = pro.absent_until.isoformat() if pro.absent_until else "onbepaald"
        kind = "langdurig afwezig" if ctx.long_absent(pro.id) else "afwezig"
        flags.append(f"{kind} tot {until}")
    if not pro.accepts_new:
        flags.append("neemt geen nieuwe gezinnen")
    if pro.is_intern:
        flags.append(f"stagiair (begeleider {pro.supervisor_id})")
    return flags


def _change(current: str | None, chosen: str) -> str:
    if current is None:
        return "new"
    return "kept" if current == chosen else "changed"


class Explainer:
    def __init__(self, ctx: Context, plan: Plan) -> None:
        self.ctx = ctx
        self.plan = plan
        self.loads = plan_loads(ctx, plan.assignments)
        self.primary = plan.primary_of()
        self.broken = {b.family_id: b for b in plan.broken_pins}
        self.self_covered: dict[str, list[Assignment]] = defaultdict(list)
        for a in plan.self_covered:
            self.self_covered[a.family_id].append(a)

    # ----- assignments ---------------------------------------------------------------------
    def assignment_rows(self) -> list[AssignmentRow]:
        ctx = self.ctx
        rows = []
        order = sorted(
            self.plan.assignments,
            key=lambda a: (ctx.queue_key(a.family_id), ROLE_ORDER[a.role], a.case_id or ""),
        )
        for a in order:
            pro = ctx.professionals[a.professional_id]
            fam = ctx.families[a.family_id]
            flags: list[str] = []
            reasons: list[str] = []
            for v in verdicts(ctx, pro, fam, a.role, a.trigger):
                if v.flag:
                    flags.append(v.flag)
                if v.rule not in SILENT_OK or v.flag:
                    if v.rule in {"expertise", "veiligheid"} and v.reason.startswith("geen "):
                        continue
                    reasons.append(v.reason)
            reasons.extend(fit_reasons(ctx, pro, fam, a.role))
            current = {Role.PRIMARY: fam.current_primary, Role.BACKUP: fam.current_backup}.get(
                a.role
            )
            change = _change(current, a.professional_id) if a.role != Role.CONSULT else "new"
            if a.role == Role.PRIMARY:
                for s in self.self_covered.get(fam.id, []):
                    reasons.append(f"dekt zelf trigger {s.trigger} ({s.case_id})")
                if fam.pinned:
                    if fam.id in self.broken:
                        flags.append("pin gebroken")
                    elif change == "kept":
                        flags.append("vastgepind")
            if change == "kept":
                reasons.append(
                    "blijft vast gezicht" if a.role == Role.PRIMARY else "blijft achtervang"
                )
            elif change == "changed":
                reasons.append(self._why_changed(fam, a.role, current or "", a.professional_id))
            elif a.role == Role.PRIMARY:
                reasons.append("nieuw gezin")
            flags.extend(registration_flags(ctx, pro.id)[:1] if a.role != Role.CONSULT else [])
            rows.append(
                AssignmentRow(
                    a.family_id,
                    a.role.value,
                    a.case_id or "",
                    a.professional_id,
                    change,
                    "; ".join(dict.fromkeys(flags)),
                    "; ".join(dict.fromkeys(reasons)),
                )
            )
        return rows

    def _why_changed(self, fam: Family, role: Role, previous: str, chosen: str) -> str:
        ctx = self.ctx
        prev = ctx.professionals.get(previous)
        if prev is None:
            return f"wisseling: vorige professional {previous} is niet (meer) in het team"
        fails = failures(ctx, prev, fam, role)
        if fails:
            return f"wisseling: {previous} mag niet meer ({'; '.join(v.reason for v in fails)})"
        if role == Role.BACKUP and self.primary.get(fam.id) == previous:
            return f"wisseling: {previous} is nu de primaire professional"
        need = ctx.family_hours(fam.id) if role == Role.PRIMARY else ctx.policy.backup_hours
        cap = ctx.capacity_hours(previous)
        load = self.loads.hours[previous]
        if load + need > cap + 1e-9:
            return (
                f"wisseling: {previous} heeft geen ruimte ({nl_hours(load)} van {nl_hours(cap)}),"
                " de ruimte ging naar gezinnen met hogere prioriteit"
            )
        return f"wisseling: nodig om meer gezinnen te plaatsen ({previous} bereikt het maximum)"

    # ----- waiting list --------------------------------------------------------------------
    def waiting_rows(self) -> list[WaitingRow]:
        ctx = self.ctx
        items = sorted(
            self.plan.unplaced,
            key=lambda m: (
                PRIORITY_ORDER[ctx.priority(m.family_id)],
                ROLE_ORDER[m.role],
                -ctx.waiting_days(m.family_id),
                m.family_id,
                m.case_id or "",
            ),
        )
        rows = []
        for rank, m in enumerate(items, start=1):
            code, reason = self.why_waiting(m)
            rows.append(
                WaitingRow(
                    m.family_id,
                    m.role.value,
                    m.case_id or "",
                    rank,
                    ctx.priority(m.family_id).value,
                    ctx.waiting_days(m.family_id),
                    code,
                    reason,
                )
            )
        return rows

    def why_waiting(self, m: DemandMeta) -> tuple[str, str]:
        ctx = self.ctx
        fam = ctx.families[m.family_id]
        primary = self.primary.get(fam.id)
        pros = [
            p
            for p in ctx.professionals.values()
            if (ctx.policy.cross_team or p.team == fam.team) and p.id != primary
        ]
        eligible = [p for p in pros if allowed(ctx, p, fam, m.role, m.trigger)]
        what = {
            Role.PRIMARY: "dit gezin",
            Role.BACKUP: "de achtervang",
            Role.CONSULT: f"het consult ({m.trigger}, {m.case_id})",
        }[m.role]
        if not eligible:
            return "NO_ELIGIBLE", self._no_eligible(fam, m, pros, what)
        need = {
            Role.PRIMARY: ctx.family_hours(fam.id),
            Role.BACKUP: ctx.policy.backup_hours,
            Role.CONSULT: ctx.policy.consult_hours,
        }[m.role]
        full, free = [], []
        for p in eligible:
            load, cap = self.loads.hours[p.id], ctx.capacity_hours(p.id)
            count_full = (
                m.role == Role.PRIMARY
                and p.max_families is not None
                and self.loads.primary[p.id] >= p.max_families
            )
            text = f"{p.id} ({nl_hours(load)} van {nl_hours(cap)}"
            text += (
                f", {self.loads.primary[p.id]} gezinnen, max {p.max_families})"
                if count_full
                else ")"
            )
            (full if count_full or load + need > cap + 1e-9 else free).append(text)
        if free:
            return (
                "TIME_LIMIT",
                f"niet geplaatst binnen de rekentijd; ruimte bij {', '.join(free[:5])}",
            )
        names = ", ".join(full[:6]) + (f" en {len(full) - 6} anderen" if len(full) > 6 else "")
        who = (
            f"1 professional mag {what} nemen"
            if len(eligible) == 1
            else f"{len(eligible)} professionals mogen {what} nemen"
        )
        full_verb = "zit" if len(eligible) == 1 else "zitten"
        if m.role == Role.PRIMARY:
            higher = self._higher_priority_newcomers(fam, {p.id for p in eligible})
            if higher:
                return (
                    "PRIORITY",
                    f"{who} maar de ruimte ging naar gezinnen met hogere prioriteit ({higher}); "
                    f"vol: {names}",
                )
        return (
            "CAPACITY",
            f"{who} maar {full_verb} vol ({nl_hours(need)} nodig): {names}",
        )

    def _higher_priority_newcomers(self, fam: Family, pro_ids: set[str]) -> str:
        ctx = self.ctx
        mine = PRIORITY_ORDER[ctx.priority(fam.id)]
        counts: dict[str, int] = defaultdict(int)
        for a in self.plan.assignments:
            if a.role != Role.PRIMARY or a.professional_id not in pro_ids:
                continue
            other = ctx.families[a.family_id]
            if other.current_primary == a.professional_id:
                continue
            cls = ctx.priority(other.id)
            if PRIORITY_ORDER[cls] < mine:
                counts[cls.value] += 1
        return ", ".join(f"{n} {cls}" for cls, n in counts.items())

    def _no_eligible(self, fam: Family, m: DemandMeta, pros: list[Professional], what: str) -> str:
        ctx = self.ctx
        needs = []
        if m.role == Role.PRIMARY:
            req = ctx.required_expertise(fam.id)
            if req:
                needs.append(f"expertise {', '.join(req)}")
            if ctx.needs_safety_training(fam.id):
                needs.append(f"training {' of '.join(ctx.policy.safety_trainings)}")
            needs.append("geldige SKJ/BIG-registratie")
        elif m.role == Role.CONSULT:
            rule = ctx.norms.triggers[str(m.trigger)]
            needs.append(" of ".join([*sorted(rule.groups), *sorted(rule.expertise)]))
        else:
            needs.append("geldige SKJ/BIG-registratie, niet de primaire professional")
        near = sorted(
            ((p, failures(ctx, p, fam, m.role, m.trigger)) for p in pros),
            key=lambda pf: (len(pf[1]), pf[0].id),
        )[:3]
        misses = "; ".join(f"{p.id}: {', '.join(v.reason for v in fs)}" for p, fs in near)
        text = f"niemand in het team mag {what} nemen (nodig: {'; '.join(needs)})"
        return text + (f"; dichtstbij: {misses}" if misses else "")

    # ----- workload ------------------------------------------------------------------------
    def workload_rows(self) -> list[WorkloadRow]:
        ctx = self.ctx
        rows = []
        for pid, pro in ctx.professionals.items():
            cap = ctx.capacity_hours(pid)
            load = self.loads.hours[pid]
            until = ctx.registration_valid_until(pid)
            rows.append(
                WorkloadRow(
                    pid,
                    pro.team,
                    round(cap, 2),
                    round(load, 2),
                    round(load / cap, 3) if cap > 0 else 0.0,
                    self.loads.primary[pid],
                    self.loads.backup[pid],
                    self.loads.consult[pid],
                    until.isoformat() if until else "",
                    "; ".join(registration_flags(ctx, pid) + availability_flags(ctx, pro)),
                )
            )
        return rows
