"""What-if edits of a dataset (absence, leaving, vacancy, pin, exclusion) and plan differences.

Each edit is a small frozen value with `apply(dataset) -> dataset` and a Dutch description. The
edits only change input data (the same fields a manager could change in the CSV files); what the
edited team may do is still decided by `planner.rules`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from planner.model import Dataset, Professional, Register, Registration

if TYPE_CHECKING:
    from planner.plan import Plan

VACANCY_PREFIX = "VAC"


class WhatIf(Protocol):
    def apply(self, ds: Dataset) -> Dataset: ...

    def describe(self) -> str: ...


def _replace_professional(ds: Dataset, pid: str, **update: object) -> Dataset:
    pros = tuple(p.model_copy(update=update) if p.id == pid else p for p in ds.professionals)
    return ds.model_copy(update={"professionals": pros})


def _replace_family(ds: Dataset, fid: str, **update: object) -> Dataset:
    fams = tuple(f.model_copy(update=update) if f.id == fid else f for f in ds.families)
    return ds.model_copy(update={"families": fams})


@dataclass(frozen=True)
class Absent:
    """A professional is absent (ill, leave) from `start` until `end` (inclusive)."""

    professional_id: str
    start: dt.date
    end: dt.date

    def apply(self, ds: Dataset) -> Dataset:
        return _replace_professional(
            ds, self.professional_id, absent_from=self.start, absent_until=self.end
        )

    def describe(self) -> str:
        return (
            f"{self.professional_id} afwezig van {self.start.isoformat()} "
            f"tot en met {self.end.isoformat()}"
        )


@dataclass(frozen=True)
class Leaving:
    """A professional leaves the team on `start`: absent with no end, takes no new families."""

    professional_id: str
    start: dt.date

    def apply(self, ds: Dataset) -> Dataset:
        return _replace_professional(
            ds, self.professional_id, absent_from=self.start, absent_until=None, accepts_new=False
        )

    def describe(self) -> str:
        return f"{self.professional_id} vertrekt per {self.start.isoformat()}"


@dataclass(frozen=True)
class Vacancy:
    """A new colleague (a filled vacancy) with a function, registration, expertise and FTE."""

    professional_id: str
    team: str
    function: str
    fte: float
    register: str | None  # SKJ or BIG, None: no registration
    title: str | None
    expertise: tuple[str, ...]
    trainings: tuple[str, ...]
    wijken: tuple[str, ...]
    languages: tuple[str, ...] = ("nl",)
    registered_until: dt.date | None = None

    def apply(self, ds: Dataset) -> Dataset:
        pro = Professional(
            id=self.professional_id,
            name=f"Vacature {self.professional_id}",
            team=self.team,
            function=self.function,
            fte=self.fte,
            expertise=self.expertise,
            trainings=self.trainings,
            wijken=self.wijken,
            languages=self.languages,
        )
        regs = ds.registrations
        if self.register and self.title:
            until = self.registered_until or ds.policy.plan_date.replace(
                year=ds.policy.plan_date.year + 5
            )
            regs = (
                *regs,
                Registration(
                    professional_id=self.professional_id,
                    register=Register(self.register),
                    title=self.title,
                    number="VACATURE",
                    valid_until=until,
                ),
            )
        return ds.model_copy(
            update={"professionals": (*ds.professionals, pro), "registrations": regs}
        )

    def describe(self) -> str:
        reg = f"{self.register} {self.title}" if self.register else "zonder registratie"
        exp = ", ".join(self.expertise) or "geen expertise opgegeven"
        fte = f"{self.fte:g}".replace(".", ",")
        return f"vacature {self.professional_id}: {self.function}, {fte} fte, {reg}; {exp}"


@dataclass(frozen=True)
class Pin:
    """Pin a family to its current primary (or release the pin)."""

    family_id: str
    pinned: bool

    def apply(self, ds: Dataset) -> Dataset:
        return _replace_family(ds, self.family_id, pinned=self.pinned)

    def describe(self) -> str:
        verb = "vastgepind op de huidige professional" if self.pinned else "pin losgelaten"
        return f"gezin {self.family_id} {verb}"


@dataclass(frozen=True)
class Exclude:
    """The manager excludes a professional for one family."""

    family_id: str
    professional_id: str

    def apply(self, ds: Dataset) -> Dataset:
        fam = next((f for f in ds.families if f.id == self.family_id), None)
        if fam is None or self.professional_id in fam.excluded:
            return ds
        return _replace_family(ds, self.family_id, excluded=(*fam.excluded, self.professional_id))

    def describe(self) -> str:
        return f"{self.professional_id} uitgesloten voor gezin {self.family_id}"


@dataclass(frozen=True)
class AdoptPlan:
    """Take a plan as the current assignment (as if it had been carried out), so that a
    what-if is compared with that plan: vast gezicht then means "as in this plan"."""

    plan_number: int
    primaries: tuple[tuple[str, str | None], ...]  # every family: its primary in the plan
    backups: tuple[tuple[str, str | None], ...]

    @classmethod
    def of(cls, number: int, plan: Plan, family_ids: list[str]) -> AdoptPlan:
        prim, back = plan.primary_of(), plan.backup_of()
        return cls(
            number,
            tuple((f, prim.get(f)) for f in family_ids),
            tuple((f, back.get(f)) for f in family_ids),
        )

    def apply(self, ds: Dataset) -> Dataset:
        prim, back = dict(self.primaries), dict(self.backups)
        fams = tuple(
            f.model_copy(
                update={
                    "current_primary": prim[f.id],
                    "current_backup": back.get(f.id),
                    # a pin holds the manager's choice; it lapses when the plan moved the family
                    "pinned": f.pinned and prim[f.id] == f.current_primary,
                }
            )
            if f.id in prim
            else f
            for f in ds.families
        )
        return ds.model_copy(update={"families": fams})

    def describe(self) -> str:
        return f"plan #{self.plan_number} als huidige toedeling"


def apply_all(ds: Dataset, edits: list[WhatIf]) -> Dataset:
    for edit in edits:
        ds = edit.apply(ds)
    return ds


def next_vacancy_id(ds: Dataset, edits: list[WhatIf]) -> str:
    taken = {p.id for p in ds.professionals} | {
        e.professional_id for e in edits if isinstance(e, Vacancy)
    }
    n = 1
    while f"{VACANCY_PREFIX}{n:02d}" in taken:
        n += 1
    return f"{VACANCY_PREFIX}{n:02d}"


# --------------------------------------------------------------------------------------------
# Difference between two plans


@dataclass(frozen=True)
class Move:
    family_id: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        if self.before and self.after:
            return "verhuist"
        return "nu geplaatst" if self.after else "nu op de wachtlijst"


def plan_diff(before: Plan, after: Plan) -> list[Move]:
    """Families whose primary professional differs between two plans (moves, newly placed,
    newly waiting), in family order."""
    b, a = before.primary_of(), after.primary_of()
    out = []
    for fid in sorted(set(b) | set(a)):
        if b.get(fid) != a.get(fid):
            out.append(Move(fid, b.get(fid), a.get(fid)))
    return out


def backup_diff(before: Plan, after: Plan) -> list[Move]:
    b, a = before.backup_of(), after.backup_of()
    return [Move(f, b.get(f), a.get(f)) for f in sorted(set(b) | set(a)) if b.get(f) != a.get(f)]
