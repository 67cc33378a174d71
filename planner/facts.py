"""Derived facts about a dataset: indexes, hours, priority classes, valid registrations.

`Context` is built once per dataset and shared by the rules, the compiler, the explainer, the
validator and the findings, so all of them see the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from planner.model import (
    PRIORITY_ORDER,
    SAFETY_ORDER,
    Case,
    Dataset,
    Family,
    Policy,
    Priority,
    Professional,
    Registration,
    Safety,
    TenzijDecision,
    Trigger,
    Urgency,
)
from planner.norms import NORM_REGISTERS, Norms, Title, load_norms

T = TypeVar("T")

HOURS_SCALE = 100
"""Hours are passed to the engine in hundredths of an hour (integers)."""


def nl_hours(value: float) -> str:
    """Hours in Dutch notation: 2,5 u."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " u"


def nl_date(value: dt.date) -> str:
    return value.isoformat()


@dataclass(frozen=True)
class ValidRegistration:
    registration: Registration
    title: Title

    @property
    def label(self) -> str:
        r = self.registration
        return f"{r.register} {self.title.title} (geldig tot {nl_date(r.valid_until)})"


@dataclass
class Context:
    dataset: Dataset
    norms: Norms = field(default_factory=load_norms)

    def __post_init__(self) -> None:
        p = self.dataset.policy
        self.norms = self.norms.with_extra(p.extra_expertise, p.extra_trainings)
        self._valid_regs: dict[str, list[ValidRegistration]] = {}
        self._family_memo: dict[str, dict[str, object]] = defaultdict(dict)

    def _memo(self, kind: str, family_id: str, compute: Callable[[], T]) -> T:
        """Per-family facts are asked for once per (professional, family) pair: compute once."""
        memo = self._family_memo[kind]
        if family_id not in memo:
            memo[family_id] = compute()
        return memo[family_id]  # type: ignore[return-value]

    # ----- indexes -------------------------------------------------------------------------
    @property
    def policy(self) -> Policy:
        return self.dataset.policy

    @property
    def plan_date(self) -> dt.date:
        return self.dataset.policy.plan_date

    @cached_property
    def professionals(self) -> dict[str, Professional]:
        return {p.id: p for p in self.dataset.professionals}

    @cached_property
    def families(self) -> dict[str, Family]:
        return {f.id: f for f in self.dataset.families}

    @cached_property
    def cases_of(self) -> dict[str, list[Case]]:
        out: dict[str, list[Case]] = defaultdict(list)
        for c in self.dataset.cases:
            out[c.family_id].append(c)
        return dict(out)

    @cached_property
    def registrations_of(self) -> dict[str, list[Registration]]:
        out: dict[str, list[Registration]] = defaultdict(list)
        for r in self.dataset.registrations:
            out[r.professional_id].append(r)
        return dict(out)

    @cached_property
    def exceptions(self) -> dict[tuple[str, str], TenzijDecision]:
        return {(e.professional_id, e.family_id): e for e in self.dataset.exceptions}

    @cached_property
    def team_professionals(self) -> dict[str, list[Professional]]:
        out: dict[str, list[Professional]] = defaultdict(list)
        for p in self.dataset.professionals:
            out[p.team].append(p)
        return dict(out)

    def candidates(self, family: Family) -> list[Professional]:
        """Professionals who could serve this family at all: its team, or everyone if the
        policy allows cross-team placement (the team rule itself is `rules.SameTeam`)."""
        if self.policy.cross_team:
            return list(self.dataset.professionals)
        return self.team_professionals.get(family.team, [])

    # ----- registrations -------------------------------------------------------------------
    def norm_registrations(self, pro_id: str) -> list[tuple[Registration, Title]]:
        """Registrations whose title counts for the norm, valid or not."""
        out = []
        for r in self.registrations_of.get(pro_id, []):
            if r.register not in NORM_REGISTERS:
                continue
            t = self.norms.title(r.register, r.title)
            if t is not None and t.counts:
                out.append((r, t))
        return out

    def valid_registrations(self, pro_id: str) -> list[ValidRegistration]:
        """Counting registrations valid on the plan date, longest valid first."""
        hit = self._valid_regs.get(pro_id)
        if hit is not None:
            return hit
        regs = [
            ValidRegistration(r, t)
            for r, t in self.norm_registrations(pro_id)
            if r.valid_until >= self.plan_date
        ]
        out = sorted(regs, key=lambda v: v.registration.valid_until, reverse=True)
        self._valid_regs[pro_id] = out
        return out

    def groups_of(self, pro_id: str) -> set[str]:
        """Qualification groups (postmaster-gw, arts, psychiater) from valid registrations."""
        return {g for v in self.valid_registrations(pro_id) for g in v.title.groups}

    def registration_valid_until(self, pro_id: str) -> dt.date | None:
        regs = self.norm_registrations(pro_id)
        return max((r.valid_until for r, _ in regs), default=None)

    # ----- families ------------------------------------------------------------------------
    def case_hours(self, case: Case) -> float:
        if case.hours is not None:
            return case.hours
        return self.policy.intensity_hours[case.intensity]

    def family_hours(self, family_id: str) -> float:
        return self._memo(
            "hours",
            family_id,
            lambda: sum(self.case_hours(c) for c in self.cases_of.get(family_id, [])),
        )

    def family_safety(self, family_id: str) -> Safety:
        cases = self.cases_of.get(family_id, [])
        return self._memo(
            "safety",
            family_id,
            lambda: max(
                (c.safety for c in cases), key=SAFETY_ORDER.__getitem__, default=Safety.GEEN
            ),
        )

    def needs_backup(self, family_id: str) -> bool:
        return any(c.safety in self.policy.backup_for_safety for c in self.cases_of[family_id])

    def needs_safety_training(self, family_id: str) -> bool:
        return self.family_safety(family_id) in (Safety.HOOG, Safety.ACUUT)

    def required_expertise(self, family_id: str) -> list[str]:
        return self._case_tags(family_id, "required_expertise")

    def preferred_expertise(self, family_id: str) -> list[str]:
        return self._case_tags(family_id, "preferred_expertise")

    def _case_tags(self, family_id: str, field: str) -> list[str]:
        """The tags in `field` over the family's cases, first occurrence first (shared: do not
        change the list)."""

        def compute() -> list[str]:
            tags: list[str] = []
            for c in self.cases_of.get(family_id, []):
                tags.extend(t for t in getattr(c, field) if t not in tags)
            return tags

        return self._memo(field, family_id, compute)

    def triggers(self, family_id: str) -> list[tuple[Case, Trigger]]:
        return [(c, t) for c in self.cases_of.get(family_id, []) for t in c.triggers]

    def priority(self, family_id: str) -> Priority:
        """acuut > spoed > hoog > regulier (see docs/objectives.md)."""
        return self._memo("priority", family_id, lambda: self._priority(family_id))

    def _priority(self, family_id: str) -> Priority:
        cases = self.cases_of.get(family_id, [])
        if any(c.safety == Safety.ACUUT for c in cases):
            return Priority.ACUUT
        if any(c.urgency == Urgency.SPOED or c.safety == Safety.HOOG for c in cases):
            return Priority.SPOED
        if any(c.urgency == Urgency.HOOG or c.safety == Safety.VERHOOGD for c in cases):
            return Priority.HOOG
        return Priority.REGULIER

    def waiting_days(self, family_id: str) -> int:
        return max(0, (self.plan_date - self.families[family_id].registered_on).days)

    def queue_key(self, family_id: str) -> tuple[int, int, str]:
        """Sort key of the waiting order: priority class, then longest waiting, then id."""
        return (PRIORITY_ORDER[self.priority(family_id)], -self.waiting_days(family_id), family_id)

    # ----- capacity ------------------------------------------------------------------------
    def capacity_hours(self, pro_id: str) -> float:
        p = self.professionals[pro_id]
        share = p.casework_share if p.casework_share is not None else self.policy.casework_share
        return p.fte * self.policy.hours_per_fte * share

    def long_absent(self, pro_id: str) -> bool:
        """Absent on the plan date and for at least `reassign_if_absent_weeks` after it."""
        p = self.professionals[pro_id]
        if not p.absent_on(self.plan_date):
            return False
        if p.absent_until is None:
            return True
        weeks = (p.absent_until - self.plan_date).days / 7
        return weeks >= self.policy.reassign_if_absent_weeks

    def current_load(self) -> dict[str, float]:
        """Weekly hours per professional in the current (input) assignment."""
        load = dict.fromkeys(self.professionals, 0.0)
        for f in self.dataset.families:
            if f.current_primary in load:
                load[f.current_primary] += self.family_hours(f.id)
            if f.current_backup in load and f.current_backup != f.current_primary:
                load[f.current_backup] += self.policy.backup_hours
        return load

    def current_primary_count(self) -> dict[str, int]:
        count = dict.fromkeys(self.professionals, 0)
        for f in self.dataset.families:
            if f.current_primary in count:
                count[f.current_primary] += 1
        return count
