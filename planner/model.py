"""Domain model of a local youth team: who works there, which families and cases it serves.

These are plain, validated value objects. Reading them from files (and turning bad input into
clear messages) is `planner.io`; deciding who may serve whom is `planner.rules`.
"""

from __future__ import annotations

import datetime as dt
import warnings
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Phase(StrEnum):
    AANMELDING = "aanmelding"
    TRIAGE = "triage"
    ANALYSE = "analyse"
    PLAN = "plan"
    BESLUIT = "besluit"
    HULP = "hulp"
    MONITORING = "monitoring"


class Intensity(StrEnum):
    LICHT = "licht"
    MIDDEL = "middel"
    INTENSIEF = "intensief"
    PASSIEF = "passief"


class Safety(StrEnum):
    GEEN = "geen"
    LAAG = "laag"
    VERHOOGD = "verhoogd"
    HOOG = "hoog"
    ACUUT = "acuut"


class Urgency(StrEnum):
    REGULIER = "regulier"
    HOOG = "hoog"
    SPOED = "spoed"


class Trigger(StrEnum):
    PSYCHIATRISCH = "psychiatrisch"
    VERKLARENDE_DIAGNOSE = "verklarende-diagnose"
    UITSLUITEN_LVB_PSYCHIATRIE = "uitsluiten-lvb-psychiatrie"
    SOMATISCH = "somatisch"
    MEDICATIE = "medicatie"
    MEDICATIE_PSYCHISCH = "medicatie-psychisch"
    SCHULDEN = "schulden"


class Register(StrEnum):
    SKJ = "SKJ"
    BIG = "BIG"
    REGISTERPLEIN = "Registerplein"
    VAKTHERAPIE = "Vaktherapie"
    OTHER = "other"


class Priority(StrEnum):
    """Priority class of a family, highest first (see `planner.priority`)."""

    ACUUT = "acuut"
    SPOED = "spoed"
    HOOG = "hoog"
    REGULIER = "regulier"


class Role(StrEnum):
    PRIMARY = "primary"
    BACKUP = "backup"
    CONSULT = "consult"


SAFETY_ORDER: dict[Safety, int] = {s: i for i, s in enumerate(Safety)}
PRIORITY_ORDER: dict[Priority, int] = {p: i for i, p in enumerate(Priority)}  # 0 = highest

Tags = Annotated[tuple[str, ...], Field(default=())]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


with warnings.catch_warnings():
    # `register` is the domain's word; it only shadows ABCMeta.register, which we never use.
    warnings.filterwarnings("ignore", message='Field name "register"')

    class Registration(_Frozen):
        professional_id: str
        register: Register
        title: str
        number: str | None = None
        valid_until: dt.date


class Professional(_Frozen):
    id: str
    name: str | None = None
    team: str
    function: str
    fte: float = Field(gt=0, le=1.2)
    casework_share: float | None = Field(default=None, ge=0, le=1)
    max_families: int | None = Field(default=None, ge=0)
    expertise: Tags
    trainings: Tags
    wijken: Tags
    languages: Tags
    absent_from: dt.date | None = None
    absent_until: dt.date | None = None
    accepts_new: bool = True
    supervisor_id: str | None = None

    @model_validator(mode="after")
    def _absence_order(self) -> Professional:
        if self.absent_from and self.absent_until and self.absent_until < self.absent_from:
            raise ValueError("absent_until ligt voor absent_from")
        return self

    @property
    def is_intern(self) -> bool:
        return self.function.strip().lower() == "stagiair"

    def absent_on(self, day: dt.date) -> bool:
        if self.absent_from is None and self.absent_until is None:
            return False
        start = self.absent_from or dt.date.min
        end = self.absent_until or dt.date.max
        return start <= day <= end


class Case(_Frozen):
    id: str
    family_id: str
    age: int = Field(ge=0, le=23)
    phase: Phase
    intensity: Intensity
    hours: float | None = Field(default=None, ge=0)
    safety: Safety
    urgency: Urgency = Urgency.REGULIER
    required_expertise: Tags
    preferred_expertise: Tags
    triggers: tuple[Trigger, ...] = ()


class Family(_Frozen):
    id: str
    team: str
    wijk: str | None = None
    language: str | None = None
    registered_on: dt.date
    current_primary: str | None = None
    current_backup: str | None = None
    pinned: bool = False
    excluded: Tags


class TenzijDecision(_Frozen):
    """A recorded decision to deviate from the norm for one professional and one family."""

    professional_id: str
    family_id: str
    limb: int = Field(ge=1, le=2)
    reason: str
    decided_by: str | None = None
    decided_on: dt.date | None = None

    @field_validator("reason")
    @classmethod
    def _reason_required(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("een tenzij-besluit heeft een reden nodig")
        return v


class Weights(_Frozen):
    """Weights inside the lower objective levels (the levels themselves are strictly ordered)."""

    preferred_expertise: int = Field(default=3, ge=0)
    wijk: int = Field(default=2, ge=0)
    language: int = Field(default=2, ge=0)
    backup_wijk: int = Field(default=1, ge=0)


class Policy(_Frozen):
    """Team policy. Every value is an editable default; see docs/data-format.md (policy.toml)."""

    plan_date: dt.date = Field(default_factory=dt.date.today)
    hours_per_fte: float = Field(default=36.0, gt=0)
    casework_share: float = Field(default=0.7, gt=0, le=1)
    intensity_hours: dict[Intensity, float] = Field(
        default_factory=lambda: {
            Intensity.LICHT: 0.5,
            Intensity.MIDDEL: 1.0,
            Intensity.INTENSIEF: 2.5,
            Intensity.PASSIEF: 0.25,
        }
    )
    backup_hours: float = Field(default=0.1, ge=0)
    consult_hours: float = Field(default=0.5, ge=0)
    registration_warning_days: int = Field(default=90, ge=0)
    backup_for_safety: tuple[Safety, ...] = (Safety.HOOG, Safety.ACUUT)
    safety_trainings: tuple[str, ...] = ("risicotaxatie", "signs-of-safety")
    reassign_if_absent_weeks: float = Field(default=6, ge=0)
    cross_team: bool = False
    time_limit: float = Field(default=30.0, gt=0)
    workers: int = Field(default=4, ge=1)  # CP-SAT portfolio; see docs/data-format.md
    extra_expertise: tuple[str, ...] = ()
    extra_trainings: tuple[str, ...] = ()
    weights: Weights = Field(default_factory=Weights)

    @field_validator("intensity_hours")
    @classmethod
    def _all_intensities(cls, v: dict[Intensity, float]) -> dict[Intensity, float]:
        defaults = {
            Intensity.LICHT: 0.5,
            Intensity.MIDDEL: 1.0,
            Intensity.INTENSIEF: 2.5,
            Intensity.PASSIEF: 0.25,
        }
        merged = {**defaults, **v}
        if any(h < 0 for h in merged.values()):
            raise ValueError("uren per intensiteit moeten 0 of meer zijn")
        return merged


class Dataset(BaseModel):
    """Everything the planner reads for one plan: one or more teams and the policy."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    professionals: tuple[Professional, ...]
    registrations: tuple[Registration, ...]
    families: tuple[Family, ...]
    cases: tuple[Case, ...]
    exceptions: tuple[TenzijDecision, ...] = ()
    policy: Policy = Field(default_factory=Policy)
    source: str | None = None
