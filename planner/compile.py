"""Compile a team into the generic assignment problem of `solvers`.

Demands: one *primary* per family (the vast gezicht), a *backup* per family whose safety asks for
one (must differ from the primary), and a *consult* per (case, trigger). A consult is covered by the
primary itself when the primary qualifies (a zero-load option conditional on that primary);
otherwise a qualifying colleague gives it (an option forbidden when that colleague is the primary).

Resources: professionals with two capacity dimensions: weekly hours (hundredths) and the number of
primary families (`max_families`).

Objective levels, strictly in this order (docs/objectives.md):

1. place families, one level per priority class (acuut, spoed, hoog, regulier): one more
   family of the class beats all of its backups and consults, which come next within the same
   level; then, with those counts fixed, the total waiting days of the placed families (longer
   waiting wins ties);
2. vast gezicht: keep current primaries (then current backups);
3. fit: preferred expertise, wijk and language;
4. fair load: minimise the highest utilisation, then the spread.

Eligibility comes from `planner.rules` and nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from planner.facts import HOURS_SCALE, Context
from planner.model import Family, Priority, Role, Trigger
from planner.preferences import Fit
from planner.rules import Eligibility, failures
from solvers import (
    Demand,
    DifferentResources,
    Level,
    LevelKind,
    Option,
    Problem,
    Resource,
    Sense,
)

HOURS, FAMILIES = 0, 1


@dataclass(frozen=True)
class DemandMeta:
    role: Role
    family_id: str
    case_id: str | None = None
    trigger: Trigger | None = None


@dataclass(frozen=True)
class BrokenPin:
    family_id: str
    professional_id: str
    reason: str


@dataclass
class Compiled:
    problem: Problem
    meta: list[DemandMeta]
    pro_ids: list[str]
    primary_demand: dict[str, int]
    self_cover: set[int] = field(default_factory=set)  # consult options covered by the primary
    broken_pins: list[BrokenPin] = field(default_factory=list)
    level_labels: dict[str, str] = field(default_factory=dict)


def hours_units(hours: float) -> int:
    return round(hours * HOURS_SCALE)


def capacity_units(hours: float) -> int:
    return int(hours * HOURS_SCALE + 1e-9)


class _Builder:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.pro_ids = list(ctx.professionals)
        self.pro_index = {p: i for i, p in enumerate(self.pro_ids)}
        self.demands: list[Demand] = []
        self.meta: list[DemandMeta] = []
        self.options: list[Option] = []
        self.different: list[DifferentResources] = []
        self.options_by_demand: dict[int, dict[int, int]] = defaultdict(dict)

    def demand(self, meta: DemandMeta, depends_on: int | None = None) -> int:
        self.demands.append(Demand(id=_demand_id(meta), depends_on=depends_on))
        self.meta.append(meta)
        return len(self.demands) - 1

    def option(
        self,
        d: int,
        r: int,
        load: tuple[int, int],
        requires: tuple[int, int] | None = None,
        forbids: tuple[int, int] | None = None,
    ) -> int:
        """Add an option of demand `d` for resource `r` with `load` (hours units, families)."""
        idx = len(self.options)
        self.options.append(Option(d, r, load, requires, forbids))
        self.options_by_demand[d].setdefault(r, idx)
        return idx

    def resources(self) -> list[Resource]:
        ctx = self.ctx
        n_fam = len(ctx.families)
        out = []
        for pid in self.pro_ids:
            p = ctx.professionals[pid]
            cap = p.max_families if p.max_families is not None else n_fam
            out.append(Resource(pid, (capacity_units(ctx.capacity_hours(pid)), cap)))
        return out


def _demand_id(meta: DemandMeta) -> str:
    parts = [meta.family_id, meta.role.value]
    if meta.case_id:
        parts.append(meta.case_id)
    if meta.trigger:
        parts.append(str(meta.trigger))
    return "/".join(parts)


RELAXED_RULES = frozenset({"team", "uitgesloten", "beschikbaar"})


def compile_team(ctx: Context, *, baseline: bool = False, stable: bool = False) -> Compiled:
    """Build the assignment problem.

    `stable` (re-planning after a change): keeping current primaries and backups (`vast-gezicht`)
    comes right after placing the acuut, spoed and hoog families, before the regulier ones. A
    family then only moves when its professional may no longer take it or when its room is
    needed for a more urgent family; regulier families of a leaver and the waiting list get the
    room that is left.
    `baseline` builds the hand-made baseline instead: primary and backup only need team,
    availability and exclusions (registration and expertise are ignored, as when work is divided
    by wijk and caseload), and the levels order the work the way teams do it by hand.
    """
    b = _Builder(ctx)
    families = sorted(ctx.families.values(), key=lambda f: ctx.queue_key(f.id))
    primary_demand: dict[str, int] = {}
    self_cover: set[int] = set()
    pol = ctx.policy

    rules = Eligibility(ctx)

    def may(fails: frozenset[str]) -> bool:
        if baseline:
            return not fails & RELAXED_RULES
        return not fails

    index = b.pro_index
    backup_load = (hours_units(pol.backup_hours), 0)
    consult_load = (hours_units(pol.consult_hours), 0)
    no_load = (hours_units(0), 0)
    for fam in families:
        pros = ctx.candidates(fam)
        load = (hours_units(ctx.family_hours(fam.id)), 1)
        d = b.demand(DemandMeta(Role.PRIMARY, fam.id))
        primary_demand[fam.id] = d
        for pro, fails in zip(pros, rules.failing_among(pros, fam, Role.PRIMARY), strict=True):
            if may(fails):
                b.option(d, index[pro.id], load)
        if ctx.needs_backup(fam.id):
            bd = b.demand(DemandMeta(Role.BACKUP, fam.id), depends_on=d)
            b.different.append(DifferentResources(d, bd))
            for pro, fails in zip(pros, rules.failing_among(pros, fam, Role.BACKUP), strict=True):
                if may(fails):
                    b.option(bd, index[pro.id], backup_load)
        for case, trig in ctx.triggers(fam.id):
            cd = b.demand(DemandMeta(Role.CONSULT, fam.id, case.id, trig), depends_on=d)
            primaries = b.options_by_demand[d]
            consult = rules.failing_among(pros, fam, Role.CONSULT, trig)
            for pro, fails in zip(pros, consult, strict=True):
                r = index[pro.id]
                if r in primaries and rules.qualifies(pro, trig):
                    self_cover.add(b.option(cd, r, no_load, requires=(d, r)))
                if not fails:
                    b.option(cd, r, consult_load, forbids=(d, r))

    resources = b.resources()
    broken = _apply_pins_and_hints(ctx, b, primary_demand, resources)
    if baseline:
        levels, labels = _baseline_levels(ctx, b, primary_demand)
    else:
        levels, labels = _levels(ctx, b, primary_demand, families, stable)
    problem = Problem(
        resources=resources,
        demands=b.demands,
        options=b.options,
        levels=levels,
        different=b.different,
        dimension_names=("hours", "families"),
    )
    return Compiled(problem, b.meta, b.pro_ids, primary_demand, self_cover, broken, labels)


def _apply_pins_and_hints(
    ctx: Context,
    b: _Builder,
    primary_demand: dict[str, int],
    resources: list[Resource],
) -> list[BrokenPin]:
    """Fix pinned primaries that are still allowed (and fit together); hint current roles."""
    broken: list[BrokenPin] = []
    used = [[0, 0] for _ in resources]
    pinned = sorted(
        (f for f in ctx.families.values() if f.pinned and f.current_primary),
        key=lambda f: ctx.queue_key(f.id),
    )
    for fam in pinned:
        d = primary_demand[fam.id]
        pid = fam.current_primary
        assert pid is not None
        r = b.pro_index.get(pid)
        opt = b.options_by_demand[d].get(r) if r is not None else None
        if opt is None:
            pro = ctx.professionals.get(pid)
            why = (
                "; ".join(v.reason for v in failures(ctx, pro, fam, Role.PRIMARY))
                if pro
                else "onbekende professional"
            )
            broken.append(BrokenPin(fam.id, pid, why or "niet toegestaan"))
            continue
        load = b.options[opt].load
        cap = resources[r].capacity
        if used[r][HOURS] + load[HOURS] > cap[HOURS] or used[r][FAMILIES] + 1 > cap[FAMILIES]:
            broken.append(
                BrokenPin(fam.id, pid, f"{pid} heeft geen ruimte voor alle vastgepinde gezinnen")
            )
            continue
        used[r][HOURS] += load[HOURS]
        used[r][FAMILIES] += 1
        b.demands[d].fixed = opt
    for d, meta in enumerate(b.meta):
        fam = ctx.families[meta.family_id]
        current = {Role.PRIMARY: fam.current_primary, Role.BACKUP: fam.current_backup}.get(
            meta.role
        )
        r = b.pro_index.get(current) if current else None
        if r is not None and r in b.options_by_demand[d]:
            b.demands[d].hint = b.options_by_demand[d][r]
    return broken


def _levels(
    ctx: Context,
    b: _Builder,
    primary_demand: dict[str, int],
    families: list[Family],
    stable: bool = False,
) -> tuple[list[Level], dict[str, str]]:
    levels: list[Level] = []
    labels: dict[str, str] = {}
    by_class: dict[Priority, list[int]] = defaultdict(list)
    for d, meta in enumerate(b.meta):
        if b.options_by_demand[d]:
            by_class[ctx.priority(meta.family_id)].append(d)
    for cls in Priority:
        ds = by_class.get(cls, [])
        if not ds:
            continue
        roles = [d for d in ds if b.meta[d].role != Role.PRIMARY]
        m = len(roles) + 1  # one more family beats all of the class's backups and consults
        weights = {d: (1 if b.meta[d].role != Role.PRIMARY else m) for d in ds}
        name = f"plaatsen-{cls.value}"
        levels.append(
            Level(
                name,
                Sense.MAXIMIZE,
                demand_weights=weights,
                time_weight=4.0,
                tiebreak="vast-gezicht",
            )
        )
        labels[name] = (
            f"gezinnen met prioriteit {cls.value} geplaatst, dan hun achtervang en consulten"
        )
    waited = {
        primary_demand[f.id]: ctx.waiting_days(f.id)
        for f in families
        if b.options_by_demand[primary_demand[f.id]] and ctx.waiting_days(f.id) > 0
    }
    if waited:
        levels.append(
            Level("wachttijd", Sense.MAXIMIZE, demand_weights=waited, tiebreak="vast-gezicht")
        )
        labels["wachttijd"] = (
            "bij gelijk aantal: langst wachtenden eerst (som wachtdagen geplaatst)"
        )

    keep: dict[int, int] = {}
    n_backups = sum(1 for m in b.meta if m.role == Role.BACKUP)
    for d, meta in enumerate(b.meta):
        fam = ctx.families[meta.family_id]
        if meta.role == Role.PRIMARY and fam.current_primary in b.pro_index:
            opt = b.options_by_demand[d].get(b.pro_index[fam.current_primary])
            if opt is not None:
                keep[opt] = n_backups + 1
        elif meta.role == Role.BACKUP and fam.current_backup in b.pro_index:
            opt = b.options_by_demand[d].get(b.pro_index[fam.current_backup])
            if opt is not None:
                keep[opt] = 1
    if keep and stable:
        # before the regulier families (and waiting time): only more urgent families displace
        at = next(
            (k for k, lv in enumerate(levels) if lv.name == f"plaatsen-{Priority.REGULIER.value}"),
            next((k for k, lv in enumerate(levels) if lv.name == "wachttijd"), len(levels)),
        )
        later = [replace(lv, tiebreak=None) for lv in levels[at:]]
        # the most time of any level: keeping faces is what a stable re-plan is for
        kept = Level("vast-gezicht", Sense.MAXIMIZE, option_weights=keep, time_weight=16.0)
        levels[at:] = [kept, *later]
        labels["vast-gezicht"] = (
            "huidige professionals behouden (stabiel herplannen: vóór de reguliere gezinnen)"
        )
    elif keep:
        levels.append(Level("vast-gezicht", Sense.MAXIMIZE, option_weights=keep))
        labels["vast-gezicht"] = "huidige professionals behouden (primair zwaarder dan achtervang)"

    fit: dict[int, int] = {}
    fits = Fit(ctx)
    pros = [ctx.professionals[pid] for pid in b.pro_ids]
    for i, o in enumerate(b.options):
        meta = b.meta[o.demand]
        if meta.role == Role.CONSULT:
            continue
        score = fits.score(pros[o.resource], ctx.families[meta.family_id], meta.role)
        if score:
            fit[i] = score
    if fit:
        levels.append(Level("passend", Sense.MAXIMIZE, option_weights=fit))
        labels["passend"] = "voorkeursexpertise, wijk en taal"
    levels.append(
        Level("max-belasting", Sense.MINIMIZE, LevelKind.MAX_UTILISATION, dimension=HOURS)
    )
    labels["max-belasting"] = "hoogste bezetting (promille)"
    levels.append(Level("spreiding", Sense.MINIMIZE, LevelKind.SPREAD, dimension=HOURS))
    labels["spreiding"] = "spreiding van de bezetting (som van kwadraten, procent)"
    return levels, labels


def _baseline_levels(
    ctx: Context, b: _Builder, primary_demand: dict[str, int]
) -> tuple[list[Level], dict[str, str]]:
    """How teams divide work by hand: existing families first, then first come first served;
    keep the current professional, else someone of the same wijk; the greedy backend breaks the
    remaining ties by lowest caseload."""
    order: dict[int, int] = {}
    for fam_id, d in primary_demand.items():
        fam = ctx.families[fam_id]
        order[d] = (10**6 if fam.current_primary else 0) + ctx.waiting_days(fam_id) + 1
    for d, meta in enumerate(b.meta):
        if meta.role != Role.PRIMARY:
            order[d] = order[primary_demand[meta.family_id]] - 1
    choice: dict[int, int] = {}
    fits = Fit(ctx)
    for i, o in enumerate(b.options):
        meta = b.meta[o.demand]
        fam = ctx.families[meta.family_id]
        pid = b.pro_ids[o.resource]
        current = {Role.PRIMARY: fam.current_primary, Role.BACKUP: fam.current_backup}.get(
            meta.role
        )
        same_wijk = fits.same_wijk(ctx.professionals[pid], fam, meta.role)
        score = 2 * (pid == current) + same_wijk
        if score:
            choice[i] = score
    levels = [
        Level("volgorde", Sense.MAXIMIZE, demand_weights=order),
        Level("hand-keuze", Sense.MAXIMIZE, option_weights=choice),
    ]
    labels = {
        "volgorde": "bestaande gezinnen eerst, daarna op volgorde van aanmelding",
        "hand-keuze": "huidige professional, anders zelfde wijk, dan laagste caseload",
    }
    return levels, labels
