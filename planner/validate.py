"""Solver-independent validator: re-check a plan against every hard rule and "nothing lost".

It knows nothing of how the plan was made. The tests run it on every plan they produce, and the
baseline comparison uses it to count how many hand-made choices break the norm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from planner.compile import capacity_units, hours_units
from planner.facts import Context, nl_hours
from planner.model import Role
from planner.plan import Plan
from planner.rules import failures, qualifies_for


@dataclass(frozen=True)
class Violation:
    rule: str
    family_id: str | None
    role: str | None
    professional_id: str | None
    message: str


def validate_plan(ctx: Context, plan: Plan) -> list[Violation]:
    out: list[Violation] = []

    def bad(rule: str, fam: str | None, role: str | None, pro: str | None, msg: str) -> None:
        out.append(Violation(rule, fam, role, pro, msg))

    primaries = Counter(a.family_id for a in plan.assignments if a.role == Role.PRIMARY)
    waiting = Counter(m.family_id for m in plan.unplaced if m.role == Role.PRIMARY)
    for fam_id in ctx.families:
        n = primaries[fam_id] + waiting[fam_id]
        if n != 1:
            bad(
                "volledig",
                fam_id,
                "primary",
                None,
                f"gezin komt {n} keer voor (primair of wachtlijst)",
            )
    for fam_id in set(primaries) | set(waiting):
        if fam_id not in ctx.families:
            bad("volledig", fam_id, None, None, "onbekend gezin in het plan")
    primary = {a.family_id: a.professional_id for a in plan.assignments if a.role == Role.PRIMARY}

    hours: dict[str, int] = defaultdict(int)
    fam_count: dict[str, int] = defaultdict(int)
    backups: dict[str, list[str]] = defaultdict(list)
    consults: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for a in plan.assignments:
        pro = ctx.professionals.get(a.professional_id)
        fam = ctx.families.get(a.family_id)
        if pro is None or fam is None:
            bad(
                "volledig",
                a.family_id,
                a.role,
                a.professional_id,
                "onbekende professional of gezin",
            )
            continue
        for v in failures(ctx, pro, fam, a.role, a.trigger):
            bad(v.rule, a.family_id, a.role, a.professional_id, v.reason)
        if a.role == Role.PRIMARY:
            hours[pro.id] += sum(hours_units(ctx.case_hours(c)) for c in ctx.cases_of[fam.id])
            fam_count[pro.id] += 1
        elif a.role == Role.BACKUP:
            hours[pro.id] += hours_units(ctx.policy.backup_hours)
            backups[fam.id].append(pro.id)
            if fam.id not in primary:
                bad("rollen", fam.id, a.role, pro.id, "achtervang zonder primaire professional")
            elif primary[fam.id] == pro.id:
                bad("rollen", fam.id, a.role, pro.id, "achtervang is dezelfde als de primaire")
            if not ctx.needs_backup(fam.id):
                bad("rollen", fam.id, a.role, pro.id, "achtervang waar geen nodig is")
        else:
            hours[pro.id] += hours_units(ctx.policy.consult_hours)
            key = (fam.id, a.case_id or "", str(a.trigger))
            consults[key].append(pro.id)
            if fam.id not in primary:
                bad("rollen", fam.id, a.role, pro.id, "consult zonder primaire professional")
            elif primary[fam.id] == pro.id:
                bad(
                    "rollen",
                    fam.id,
                    a.role,
                    pro.id,
                    "consult door de primaire zelf telt als zelfdekking",
                )
    for a in plan.self_covered:
        pro = ctx.professionals.get(a.professional_id)
        if pro is None or primary.get(a.family_id) != a.professional_id:
            bad(
                "rollen",
                a.family_id,
                "consult",
                a.professional_id,
                "zelfdekking door iemand die niet primair is",
            )
        elif not qualifies_for(ctx, pro, a.trigger).ok:
            bad(
                "consult",
                a.family_id,
                "consult",
                a.professional_id,
                "primaire kwalificeert niet zelf",
            )
        consults[(a.family_id, a.case_id or "", str(a.trigger))].append(a.professional_id)

    missing_ok = {
        (m.family_id, m.role, m.case_id, str(m.trigger) if m.trigger else None)
        for m in plan.unplaced
    }
    for fam_id in primary:
        if ctx.needs_backup(fam_id):
            n = len(backups.get(fam_id, []))
            if n > 1 or (n == 0 and (fam_id, Role.BACKUP, None, None) not in missing_ok):
                bad(
                    "rollen", fam_id, "backup", None, f"{n} achtervangen (verwacht 1 of wachtlijst)"
                )
        for case, trig in ctx.triggers(fam_id):
            n = len(consults.get((fam_id, case.id, str(trig)), []))
            if n > 1 or (n == 0 and (fam_id, Role.CONSULT, case.id, str(trig)) not in missing_ok):
                bad("rollen", fam_id, "consult", None, f"{n} consulten voor {case.id} {trig}")

    for pid, used in hours.items():
        cap = capacity_units(ctx.capacity_hours(pid))
        if used > cap:
            bad(
                "capaciteit",
                None,
                None,
                pid,
                f"belasting {nl_hours(used / 100)} boven capaciteit {nl_hours(cap / 100)}",
            )
    for pid, n in fam_count.items():
        limit = ctx.professionals[pid].max_families
        if limit is not None and n > limit:
            bad("capaciteit", None, None, pid, f"{n} gezinnen, maximaal {limit}")

    broken = {b.family_id for b in plan.broken_pins}
    for fam in ctx.families.values():
        pinned = fam.pinned and fam.current_primary and fam.id not in broken
        if pinned and primary.get(fam.id) != fam.current_primary:
            bad(
                "pin",
                fam.id,
                "primary",
                fam.current_primary,
                "vastgepind gezin is verplaatst zonder dat de pin als gebroken is gemeld",
            )
    return out
