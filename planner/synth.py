"""Synthetic, fully pseudonymous datasets: the demo team, test fixtures and benchmark cities.

`generate(spec, seed)` builds a `Dataset` that looks like a real Dutch local youth team (wijkteam)
without containing anything real: professionals are codes ("P007", "Professional 07"), families
and cases are pseudonymous ids ("G0001", "C00001"), registration numbers are marked synthetic
("SYN-000123") and wijk names are generic compass / landscape words.

What a generated team contains (see DOMAIN.md and data/demo/README.md):

- a realistic mix of functions: a majority of gezinswerkers (SKJ jeugd- en gezinsprofessional or
  jeugdzorgwerker, some BIG verpleegkundige), gedragswetenschappers (SKJ master and postmaster,
  BIG gz-psycholoog / orthopedagoog-generalist), a part-time jeugdarts, a jeugdverpleegkundige, an
  MBO sociaal werker (Registerplein only: never counts for the norm), a vaktherapeut (Register
  Vaktherapie: recorded *tenzij lid 1* decisions) and an intern (stagiair) with a registered
  supervisor;
- the messy parts of practice: an expired registration, one expiring soon, short and long leave,
  someone not accepting new families, caps on the number of families, current primaries who are no
  longer allowed (expired, long leave, or given by wijk instead of expertise), pinned families,
  excluded professionals and new families still waiting;
- cases whose total weekly hours are calibrated to `demand_ratio` x the team's casework capacity
  (sum of fte x hours_per_fte x casework_share) within +-1 %, on the spec's `capacity_basis`: by
  default only the colleagues who may take families on the plan date count ("available"), with
  "nominal" every professional does. `demand_ratio(dataset, basis)` measures the achieved ratio
  with the same rule the generator calibrates with.

Everything is drawn from one `random.Random(seed)`: the same spec and seed give the same dataset.

CLI: ``python -m planner.synth PRESET --seed N --out FOLDER [--summary]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeAlias, TypeVar

from planner.model import (
    Case,
    Dataset,
    Family,
    Intensity,
    Phase,
    Policy,
    Professional,
    Register,
    Registration,
    Safety,
    TenzijDecision,
    Trigger,
    Urgency,
)
from planner.norms import NORM_REGISTERS, load_norms

T = TypeVar("T")
P = TypeVar("P", "Professional", "_Prof")

CapacityBasis: TypeAlias = Literal["nominal", "available"]

# --------------------------------------------------------------------------------------------
# Spec and presets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthSpec:
    """What to generate. Every share is a target; the generator draws around it."""

    name: str
    n_teams: int = 1
    n_professionals: int = 20
    n_families: int = 320
    demand_ratio: float = 1.0
    """Total weekly case hours / casework capacity on `capacity_basis`."""
    plan_date: dt.date = dt.date(2026, 12, 1)
    current_primary_share: float = 0.85
    """Families with a current primary; the rest are new (registered in the last ~10 weeks)."""
    pinned_share: float = 0.02
    """Of the families with a current primary."""
    cases_per_family: float = 1.5
    """Average cases per family (1-3 each); the total is exactly round(n_families x this)."""
    required_share: float = 0.35
    preferred_share: float = 0.25
    trigger_share: float = 0.08
    backup_share: float = 0.85
    """Of the families with a safety in `backup_for_safety` (and a current primary)."""
    excluded_share: float = 0.01
    mismatch_share: float = 0.08
    """Current primaries given by wijk instead of expertise (realistic; may be not allowed)."""
    unplaceable: int = 0
    """Deliberately unplaceable new families in the first team (required expertise that only a
    professional on long leave has), so the waiting list shows a 'no eligible' reason."""
    demand_tolerance: float = 0.02
    time_limit: float = 20.0
    """`time_limit` written to the policy."""
    capacity_basis: CapacityBasis = "available"
    """What `demand_ratio` is measured against: "available" (the presets) = only colleagues who
    may take families on the plan date (valid SKJ/BIG registration or supervised intern, not on
    long leave), so "1.06" really means slightly more work than the team can carry; "nominal" =
    every professional's casework capacity, including people who cannot take families."""


def _variants(base: SynthSpec) -> dict[str, SynthSpec]:
    return {
        base.name: base,
        f"{base.name}-balanced": replace(base, name=f"{base.name}-balanced", demand_ratio=0.95),
        f"{base.name}-overloaded": replace(base, name=f"{base.name}-overloaded", demand_ratio=1.20),
    }


PRESETS: dict[str, SynthSpec] = {
    **_variants(
        SynthSpec(
            name="demo",
            n_professionals=20,
            n_families=320,
            cases_per_family=1.55,
            demand_ratio=1.06,
            unplaceable=1,
        )
    ),
    **_variants(SynthSpec(name="team", n_professionals=25, n_families=500, demand_ratio=1.0)),
    **_variants(
        SynthSpec(
            name="district",
            n_teams=6,
            n_professionals=120,
            n_families=3000,
            demand_ratio=1.0,
            time_limit=60.0,
        )
    ),
    **_variants(
        SynthSpec(
            name="city",
            n_teams=20,
            n_professionals=500,
            n_families=12000,
            demand_ratio=1.0,
            time_limit=120.0,
        )
    ),
}
"""Named specs. `demo` is the committed demo team (data/demo); each base has a `-balanced`
(demand 0.95 of capacity) and an `-overloaded` (1.20) variant."""

DEMO_SEED = 20261201

# --------------------------------------------------------------------------------------------
# Vocabularies and distributions (assumptions for realism, not law)
# --------------------------------------------------------------------------------------------

GEZINSWERKER = "gezinswerker"
GEDRAGSWETENSCHAPPER = "gedragswetenschapper"
JEUGDARTS = "jeugdarts"
JEUGDVERPLEEGKUNDIGE = "jeugdverpleegkundige"
SOCIAAL_WERKER = "sociaal-werker"
VAKTHERAPEUT = "vaktherapeut"
STAGIAIR = "stagiair"

CARRIER_FUNCTIONS = (GEZINSWERKER, JEUGDVERPLEEGKUNDIGE, GEDRAGSWETENSCHAPPER, JEUGDARTS, STAGIAIR)
"""Functions that carry families as primary in the current (input) assignment."""

PRIMARY_WEIGHT = {
    GEZINSWERKER: 1.0,
    JEUGDVERPLEEGKUNDIGE: 1.0,
    GEDRAGSWETENSCHAPPER: 0.35,
    JEUGDARTS: 0.15,
    STAGIAIR: 0.6,
}

CORE_HOLDERS: dict[str, tuple[str, ...]] = {
    "ggz-jeugd": (GEDRAGSWETENSCHAPPER, GEZINSWERKER),
    "lvb": (GEZINSWERKER, GEDRAGSWETENSCHAPPER),
    "scheiding": (GEZINSWERKER,),
    "huiselijk-geweld": (GEZINSWERKER,),
    "kindermishandeling": (GEZINSWERKER, JEUGDVERPLEEGKUNDIGE),
    "autisme": (GEDRAGSWETENSCHAPPER, GEZINSWERKER),
    "trauma": (GEZINSWERKER, GEDRAGSWETENSCHAPPER),
    "infant-mental-health": (JEUGDVERPLEEGKUNDIGE, GEZINSWERKER),
    "jongvolwassenen": (GEZINSWERKER,),
    "onderwijs": (GEZINSWERKER, GEDRAGSWETENSCHAPPER),
    "ggz-ouders": (GEZINSWERKER,),
}
CORE_EXPERTISE = tuple(CORE_HOLDERS)
"""Expertise every generated team has among its available registered colleagues."""

CURRENT_FILL = {GEDRAGSWETENSCHAPPER: 0.5, JEUGDARTS: 0.5}
"""Share of their capacity these functions fill with primary families in the input assignment
(the rest goes to consults, as in practice)."""

SAFETY_TRAININGS = ("risicotaxatie", "signs-of-safety")
TRAINING_ORDER = (
    "risicotaxatie",
    "signs-of-safety",
    "meldcode",
    "oplossingsgericht",
    "motiverende-gespreksvoering",
    "triple-p",
)

SINGLE_TEAM_WIJKEN = ("Noord", "Oost", "Centrum", "Zuid", "Haven")
WIJK_PREFIXES = ("Noord", "Oost", "Zuid", "West", "Midden", "Hoog", "Laag", "Oud", "Nieuw")
WIJK_SUFFIXES = (
    "haven",
    "veld",
    "dijk",
    "park",
    "kade",
    "hof",
    "wijk",
    "buurt",
    "polder",
    "weide",
    "brug",
    "molen",
)

EXTRA_LANGUAGES = {"en": 40, "ar": 15, "tr": 15, "pl": 10, "so": 10, "ti": 10}
FAMILY_LANGUAGES = {"nl": 82, "ar": 5, "tr": 4, "pl": 4, "en": 2, "so": 2, "ti": 1}

FTE_CHOICES = {0.6: 1, 0.67: 2, 0.78: 3, 0.89: 4, 1.0: 3}

GEZINSWERKER_EXPERTISE = {
    "scheiding": 12,
    "huiselijk-geweld": 12,
    "kindermishandeling": 8,
    "lvb": 10,
    "ggz-ouders": 8,
    "jongvolwassenen": 8,
    "trauma": 7,
    "autisme": 6,
    "onderwijs": 8,
    "verslaving": 4,
    "armoede": 4,
    "infant-mental-health": 4,
    "taal": 3,
    "ggz-jeugd": 6,
}
GW_EXPERTISE = {
    "ggz-jeugd": 12,
    "autisme": 10,
    "lvb": 10,
    "trauma": 10,
    "onderwijs": 6,
    "infant-mental-health": 4,
    "ggz-ouders": 5,
    "kindermishandeling": 4,
    "beperking": 4,
}
ARTS_EXPERTISE = {"beperking": 3, "infant-mental-health": 3, "ggz-jeugd": 1, "taal": 1}
JVK_EXPERTISE = {
    "infant-mental-health": 5,
    "opvoeding": 4,
    "taal": 2,
    "kindermishandeling": 2,
    "beperking": 1,
}
VT_EXPERTISE = {"autisme": 2, "ggz-jeugd": 2, "beperking": 1}
STAGIAIR_EXPERTISE = {"onderwijs": 2, "jongvolwassenen": 2, "scheiding": 1}

REQUIRED_WEIGHTS = {
    "lvb": 14,
    "ggz-jeugd": 14,
    "scheiding": 14,
    "huiselijk-geweld": 12,
    "autisme": 10,
    "trauma": 8,
    "ggz-ouders": 6,
    "kindermishandeling": 5,
    "onderwijs": 5,
    "verslaving": 2,
    "taal": 2,
    "beperking": 2,
    "somatiek": 2,
}
PREFERRED_WEIGHTS = {**REQUIRED_WEIGHTS, "opvoeding": 10, "armoede": 3, "schulden": 2}

TRIGGER_WEIGHTS = {
    Trigger.PSYCHIATRISCH: 22,
    Trigger.VERKLARENDE_DIAGNOSE: 20,
    Trigger.UITSLUITEN_LVB_PSYCHIATRIE: 14,
    Trigger.SOMATISCH: 14,
    Trigger.MEDICATIE: 10,
    Trigger.SCHULDEN: 18,
    Trigger.MEDICATIE_PSYCHISCH: 2,
}

SAFETY_WEIGHTS = {
    Safety.GEEN: 46,
    Safety.LAAG: 32,
    Safety.VERHOOGD: 15,
    Safety.HOOG: 6,
    Safety.ACUUT: 1,
}

PHASES_NEW = {Phase.AANMELDING: 35, Phase.TRIAGE: 35, Phase.ANALYSE: 30}
PHASES_RECENT = {Phase.ANALYSE: 30, Phase.PLAN: 35, Phase.BESLUIT: 20, Phase.HULP: 15}
PHASES_ESTABLISHED = {
    Phase.ANALYSE: 5,
    Phase.PLAN: 5,
    Phase.BESLUIT: 5,
    Phase.HULP: 55,
    Phase.MONITORING: 30,
}

INTENSITY_BY_PHASE: dict[Phase, dict[Intensity, int]] = {
    Phase.AANMELDING: {Intensity.LICHT: 60, Intensity.MIDDEL: 35, Intensity.INTENSIEF: 5},
    Phase.TRIAGE: {Intensity.LICHT: 60, Intensity.MIDDEL: 35, Intensity.INTENSIEF: 5},
    Phase.ANALYSE: {Intensity.LICHT: 30, Intensity.MIDDEL: 55, Intensity.INTENSIEF: 15},
    Phase.PLAN: {Intensity.LICHT: 30, Intensity.MIDDEL: 55, Intensity.INTENSIEF: 15},
    Phase.BESLUIT: {Intensity.LICHT: 35, Intensity.MIDDEL: 55, Intensity.INTENSIEF: 10},
    Phase.HULP: {
        Intensity.PASSIEF: 15,
        Intensity.LICHT: 30,
        Intensity.MIDDEL: 40,
        Intensity.INTENSIEF: 15,
    },
    Phase.MONITORING: {Intensity.PASSIEF: 60, Intensity.LICHT: 30, Intensity.MIDDEL: 10},
}
LADDER = (Intensity.PASSIEF, Intensity.LICHT, Intensity.MIDDEL, Intensity.INTENSIEF)
DEFAULT_HOURS = Policy().intensity_hours
CRISIS_HOURS = 4.0

VAKTHERAPIE_TITLES = (
    "beeldend therapeut",
    "dramatherapeut",
    "muziektherapeut",
    "psychomotorisch therapeut",
)

TENZIJ_1_REASON = (
    "Vaktherapie is voor dit gezin inhoudelijk nodig (non-verbale verwerking); een vaktherapeut "
    "kan zich niet in het SKJ registreren. Afweging besproken met de gedragswetenschapper."
)
TENZIJ_2_REASON = (
    "Enkelvoudige praktische hulpvraag (schulden en administratie) zonder veiligheidszorgen; inzet "
    "van een mbo-sociaal werker doet hier geen afbreuk aan de kwaliteit. Veiligheid en voortgang "
    "worden elk kwartaal getoetst door een geregistreerde collega."
)


# --------------------------------------------------------------------------------------------
# Capacity: one rule for calibrating (generator) and measuring (datasets)
# --------------------------------------------------------------------------------------------


def counts_for_norm(register: str, title: str) -> bool:
    """An SKJ/BIG title that counts for the norm (data/norms/titles.csv)."""
    t = load_norms().title(register, title)
    return register in NORM_REGISTERS and t is not None and t.counts


def casework_capacity(p: Professional | _Prof, policy: Policy) -> float:
    """Weekly casework hours of one professional: fte x hours_per_fte x casework_share."""
    share = p.casework_share if p.casework_share is not None else policy.casework_share
    return p.fte * policy.hours_per_fte * share


def counts_for_capacity(
    p: Professional | _Prof, basis: CapacityBasis, policy: Policy, *, registered: bool
) -> bool:
    """Whether `p`'s casework capacity counts on `basis`. "nominal": everyone. "available": only
    who may take families on the plan date: a valid SKJ/BIG registration (`registered`) or an
    intern with a supervisor, and not on long leave (absent on the plan date and for at least
    `reassign_if_absent_weeks` after it)."""
    if basis == "nominal":
        return True
    day = policy.plan_date
    long_leave = p.absent_on(day) and (
        p.absent_until is None or (p.absent_until - day).days / 7 >= policy.reassign_if_absent_weeks
    )
    intern = p.function.strip().lower() == STAGIAIR and p.supervisor_id is not None
    return not long_leave and (registered or intern)


def _capacity(
    pros: Sequence[P], basis: CapacityBasis, policy: Policy, registered: Callable[[P], bool]
) -> float:
    return sum(
        casework_capacity(p, policy)
        for p in pros
        if counts_for_capacity(p, basis, policy, registered=registered(p))
    )


# --------------------------------------------------------------------------------------------
# Mutable working records (turned into the frozen pydantic models at the end)
# --------------------------------------------------------------------------------------------


@dataclass
class _Reg:
    register: Register
    title: str
    valid_until: dt.date
    number: str = ""

    @property
    def counts(self) -> bool:
        return counts_for_norm(self.register.value, self.title)


@dataclass
class _Prof:
    id: str
    name: str
    team: str
    function: str
    fte: float
    wijken: list[str]
    languages: list[str]
    expertise: list[str] = field(default_factory=list)
    trainings: list[str] = field(default_factory=list)
    regs: list[_Reg] = field(default_factory=list)
    casework_share: float | None = None
    max_families: int | None = None
    absent_from: dt.date | None = None
    absent_until: dt.date | None = None
    accepts_new: bool = True
    supervisor_id: str | None = None
    # bookkeeping for the current assignment
    load: float = 0.0
    families: int = 0

    def counting(self) -> bool:
        """Holds an SKJ/BIG registration (valid or not): plausibly 'registered' to the team."""
        return any(r.counts for r in self.regs)

    def valid_on(self, day: dt.date) -> bool:
        return any(r.counts and r.valid_until >= day for r in self.regs)

    def absent_on(self, day: dt.date) -> bool:
        if self.absent_from is None and self.absent_until is None:
            return False
        return (self.absent_from or dt.date.min) <= day <= (self.absent_until or dt.date.max)

    def trained(self) -> bool:
        return any(t in self.trainings for t in SAFETY_TRAININGS)

    def capacity(self, policy: Policy) -> float:
        return casework_capacity(self, policy)

    def model(self) -> Professional:
        return Professional(
            id=self.id,
            name=self.name,
            team=self.team,
            function=self.function,
            fte=self.fte,
            casework_share=self.casework_share,
            max_families=self.max_families,
            expertise=tuple(self.expertise),
            trainings=tuple(t for t in TRAINING_ORDER if t in self.trainings),
            wijken=tuple(self.wijken),
            languages=tuple(self.languages),
            absent_from=self.absent_from,
            absent_until=self.absent_until,
            accepts_new=self.accepts_new,
            supervisor_id=self.supervisor_id,
        )


@dataclass
class _Case:
    id: str
    family_id: str
    age: int
    phase: Phase
    intensity: Intensity
    safety: Safety
    urgency: Urgency
    hours: float | None = None
    required: list[str] = field(default_factory=list)
    preferred: list[str] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)

    def weekly_hours(self, policy: Policy) -> float:
        return self.hours if self.hours is not None else policy.intensity_hours[self.intensity]

    def model(self) -> Case:
        return Case(
            id=self.id,
            family_id=self.family_id,
            age=self.age,
            phase=self.phase,
            intensity=self.intensity,
            hours=self.hours,
            safety=self.safety,
            urgency=self.urgency,
            required_expertise=tuple(self.required),
            preferred_expertise=tuple(self.preferred),
            triggers=tuple(self.triggers),
        )


@dataclass
class _Fam:
    id: str
    team: str
    wijk: str
    language: str
    registered_on: dt.date
    is_new: bool
    cases: list[_Case] = field(default_factory=list)
    primary: str | None = None
    backup: str | None = None
    pinned: bool = False
    excluded: list[str] = field(default_factory=list)
    deliberate: bool = False  # deliberately unplaceable
    special: bool = False  # served under a tenzij decision

    def required(self) -> list[str]:
        out: list[str] = []
        for c in self.cases:
            out.extend(t for t in c.required if t not in out)
        return out

    def high_safety(self) -> bool:
        return any(c.safety in (Safety.HOOG, Safety.ACUUT) for c in self.cases)

    def low_risk(self) -> bool:
        return all(c.safety in (Safety.GEEN, Safety.LAAG) and not c.triggers for c in self.cases)

    def hours(self, policy: Policy) -> float:
        return sum(c.weekly_hours(policy) for c in self.cases)

    def model(self) -> Family:
        return Family(
            id=self.id,
            team=self.team,
            wijk=self.wijk,
            language=self.language,
            registered_on=self.registered_on,
            current_primary=self.primary,
            current_backup=self.backup,
            pinned=self.pinned,
            excluded=tuple(self.excluded),
        )


# --------------------------------------------------------------------------------------------
# Small random helpers (all on the given rng, never the global one)
# --------------------------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[T, float] | dict[T, int]) -> T:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _pick_tags(
    rng: random.Random, weights: dict[str, int], k: int, exclude: Sequence[str] = ()
) -> list[str]:
    """k distinct tags, weighted, in draw order."""
    pool = {t: w for t, w in weights.items() if t not in exclude}
    out: list[str] = []
    while pool and len(out) < k:
        t = _pick(rng, pool)
        out.append(t)
        del pool[t]
    return out


def _split_evenly(total: int, weights: Sequence[float]) -> list[int]:
    """Integers proportional to weights that sum to total (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def _days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, hi))


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


@dataclass
class _Ids:
    prof_width: int
    name_width: int
    fam_width: int
    case_width: int
    prof: int = 0
    fam: int = 0
    case: int = 0
    reg: int = 0

    def next_prof(self) -> tuple[str, str]:
        self.prof += 1
        n = self.prof
        return f"P{n:0{self.prof_width}d}", f"Professional {n:0{self.name_width}d}"

    def next_fam(self) -> str:
        self.fam += 1
        return f"G{self.fam:0{self.fam_width}d}"

    def next_case(self) -> str:
        self.case += 1
        return f"C{self.case:0{self.case_width}d}"

    def next_reg(self) -> str:
        self.reg += 1
        return f"SYN-{self.reg:06d}"


def team_slots(n: int) -> list[str]:
    """The functions of a team of n professionals (a realistic mix; majority gezinswerkers)."""
    if n <= 0:
        return []
    slots: list[str] = []
    if n >= 8:
        slots.append(JEUGDARTS)
    n_gw = max(2, int(n * 0.14 + 0.5)) if n >= 8 else (1 if n >= 3 else 0)
    slots += [GEDRAGSWETENSCHAPPER] * n_gw
    if n >= 6:
        slots += [JEUGDVERPLEEGKUNDIGE] * max(1, int(n * 0.06 + 0.5))
        slots.append(SOCIAAL_WERKER)
    if n >= 12:
        slots.append(VAKTHERAPEUT)
    if n >= 10:
        slots.append(STAGIAIR)
    if n >= 30:
        slots.append(STAGIAIR)
    slots += [GEZINSWERKER] * (n - len(slots))
    return slots[:n] if len(slots) > n else slots


class _Generator:
    def __init__(self, spec: SynthSpec, seed: int) -> None:
        if spec.n_teams < 1 or spec.n_professionals < spec.n_teams or spec.n_families < 0:
            raise ValueError("need n_teams >= 1, n_professionals >= n_teams, n_families >= 0")
        self.spec = spec
        self.seed = seed
        self.rng = random.Random(seed)
        self.policy = Policy(plan_date=spec.plan_date, time_limit=spec.time_limit)
        self.day = spec.plan_date
        n_cases = round(spec.n_families * spec.cases_per_family)
        self.ids = _Ids(
            prof_width=max(3, len(str(spec.n_professionals))),
            name_width=max(2, len(str(spec.n_professionals))),
            fam_width=max(4, len(str(spec.n_families))),
            case_width=max(5, len(str(n_cases))),
        )
        self.norms = load_norms()
        self.profs: list[_Prof] = []
        self.fams: list[_Fam] = []
        self.exceptions: list[TenzijDecision] = []

    # ---------------------------------------------------------------- professionals
    def _valid_until(self) -> dt.date:
        return self.day + _days(self.rng, 61, 5 * 365)

    def _reg(self, register: Register, title: str) -> _Reg:
        return _Reg(register, title, self._valid_until(), self.ids.next_reg())

    def _fte(self) -> float:
        return _pick(self.rng, FTE_CHOICES)

    def _languages(self) -> list[str]:
        langs = ["nl"]
        if self.rng.random() < 0.3:
            langs.append(_pick(self.rng, EXTRA_LANGUAGES))
        return langs

    def _trainings(self, p_risk: float, p_sos: float, p_meld: float) -> list[str]:
        rng = self.rng
        out = []
        if rng.random() < p_risk:
            out.append("risicotaxatie")
        if rng.random() < p_sos:
            out.append("signs-of-safety")
        if rng.random() < p_meld:
            out.append("meldcode")
        for tag, p in (("oplossingsgericht", 0.3), ("motiverende-gespreksvoering", 0.25)):
            if rng.random() < p:
                out.append(tag)
        if rng.random() < 0.15:
            out.append("triple-p")
        return out

    def _make_professional(
        self, team: str, team_index: int, function: str, slot: int, wijken: list[str]
    ) -> _Prof:
        rng = self.rng
        pid, name = self.ids.next_prof()
        own_wijken = sorted(rng.sample(wijken, k=min(len(wijken), rng.choice((1, 2, 2)))))
        p = _Prof(pid, name, team, function, self._fte(), own_wijken, self._languages())
        if function == GEZINSWERKER:
            p.expertise = ["opvoeding"] if rng.random() < 0.8 else []
            k = rng.randint(2, 4) - len(p.expertise)
            p.expertise += _pick_tags(rng, GEZINSWERKER_EXPERTISE, max(k, 1))
            p.trainings = self._trainings(0.5, 0.45, 0.7)
            r = rng.random()
            if r < 0.62:
                p.regs.append(self._reg(Register.SKJ, "jeugd- en gezinsprofessional"))
            elif r < 0.88:
                p.regs.append(self._reg(Register.SKJ, "jeugdzorgwerker"))
            else:
                p.regs.append(self._reg(Register.BIG, "verpleegkundige"))
        elif function == GEDRAGSWETENSCHAPPER:
            p.wijken = list(wijken)
            first = ["ggz-jeugd"] if rng.random() < 0.7 else []
            p.expertise = first + _pick_tags(
                rng, GW_EXPERTISE, rng.randint(2, 4) - len(first), first
            )
            p.trainings = self._trainings(0.6, 0.4, 0.5)
            if slot == 0:
                p.regs.append(self._reg(Register.BIG, "gz-psycholoog"))
                if rng.random() < 0.5:
                    p.regs.append(self._reg(Register.SKJ, "master-psycholoog"))
            elif slot == 1:
                if team_index == 0:
                    title = (Register.BIG, "orthopedagoog-generalist")
                else:
                    title = rng.choice(
                        [
                            (Register.BIG, "orthopedagoog-generalist"),
                            (Register.SKJ, "postmaster-orthopedagoog"),
                            (Register.SKJ, "kinder- en jeugdpsycholoog"),
                            (Register.BIG, "gz-psycholoog"),
                        ]
                    )
                p.regs.append(self._reg(*title))
                if title[0] == Register.BIG and rng.random() < 0.5:
                    p.regs.append(self._reg(Register.SKJ, "master-orthopedagoog"))
            else:
                title = _pick(
                    rng,
                    {
                        "master-orthopedagoog": 4,
                        "master-psycholoog": 3,
                        "master-pedagoog": 2,
                        "kinder- en jeugdpsycholoog": 2,
                    },
                )
                p.regs.append(self._reg(Register.SKJ, title))
        elif function == JEUGDARTS:
            p.wijken = list(wijken)
            p.fte = rng.choice((0.44, 0.5, 0.56))
            p.casework_share = 0.5
            p.expertise = ["somatiek", *_pick_tags(rng, ARTS_EXPERTISE, rng.randint(1, 2))]
            p.trainings = self._trainings(0.3, 0.1, 0.9)
            p.regs.append(self._reg(Register.BIG, "arts"))
            p.regs.append(self._reg(Register.BIG, "jeugdarts"))
        elif function == JEUGDVERPLEEGKUNDIGE:
            p.expertise = ["somatiek", *_pick_tags(rng, JVK_EXPERTISE, rng.randint(1, 3))]
            p.trainings = self._trainings(0.4, 0.4, 0.8)
            p.regs.append(self._reg(Register.BIG, "verpleegkundige"))
        elif function == SOCIAAL_WERKER:
            p.fte = rng.choice((0.67, 0.78, 0.89))
            p.expertise = ["schulden", "armoede"]
            p.trainings = [
                t for t in ("meldcode", "motiverende-gespreksvoering") if rng.random() < 0.6
            ]
            p.regs.append(self._reg(Register.REGISTERPLEIN, "sociaal werker (mbo)"))
        elif function == VAKTHERAPEUT:
            p.wijken = list(wijken)
            p.fte = rng.choice((0.5, 0.6, 0.67))
            p.expertise = ["trauma", *_pick_tags(rng, VT_EXPERTISE, rng.randint(1, 2))]
            p.trainings = ["meldcode"] if rng.random() < 0.5 else []
            p.regs.append(self._reg(Register.VAKTHERAPIE, rng.choice(VAKTHERAPIE_TITLES)))
        elif function == STAGIAIR:
            p.fte = rng.choice((0.78, 0.89))
            p.casework_share = 0.5
            p.max_families = 6
            p.expertise = ["opvoeding", *_pick_tags(rng, STAGIAIR_EXPERTISE, 1)]
            p.trainings = ["meldcode"] if rng.random() < 0.5 else []
        return p

    def _professionals(self, team: str, team_index: int, n: int, wijken: list[str]) -> list[_Prof]:
        rng = self.rng
        slots = team_slots(n)
        rng.shuffle(slots)  # functions interleaved over the ids, as in a real roster
        profs: list[_Prof] = []
        per_function: Counter[str] = Counter()
        for function in slots:
            profs.append(
                self._make_professional(team, team_index, function, per_function[function], wijken)
            )
            per_function[function] += 1

        # Special roles among the gezinswerkers (distinct people).
        workers = [p for p in profs if p.function == GEZINSWERKER]
        rng.shuffle(workers)
        roles: dict[str, _Prof] = {}
        for role in ("supervisor", "expired", "expiring", "long_leave", "short_sick", "no_new"):
            # The first team always has each situation; further teams most of the time.
            keep = role == "supervisor" or team_index == 0 or rng.random() < 0.6
            if workers and keep:
                roles[role] = workers.pop()
        day = self.day
        if "expired" in roles:
            for r in roles["expired"].regs:
                r.valid_until = day - _days(rng, 7, 45)
        if "expiring" in roles:
            for r in roles["expiring"].regs:
                r.valid_until = day + _days(rng, 10, 50)
        if "long_leave" in roles:
            p = roles["long_leave"]
            p.absent_from = day - _days(rng, 7, 28)
            p.absent_until = day + _days(rng, 8 * 7, 16 * 7)
        if "short_sick" in roles:
            p = roles["short_sick"]
            p.absent_from = day - _days(rng, 1, 5)
            p.absent_until = day + _days(rng, 3, 12)
        if "no_new" in roles:
            roles["no_new"].accepts_new = False
        for p in workers[: rng.choice((1, 2))]:
            p.max_families = max(8, round(p.fte * 26))
        sup = roles.get("supervisor")
        for p in profs:
            if p.function == STAGIAIR:
                p.supervisor_id = sup.id if sup else None
                if sup is None:  # a tiny team: any valid registered colleague
                    ok = [q for q in profs if q.valid_on(day)]
                    p.supervisor_id = ok[0].id if ok else None

        # The deliberately unplaceable family needs an expertise only the long-leave colleague has.
        if self.spec.unplaceable and team_index == 0 and "long_leave" in roles:
            holder = roles["long_leave"]
            for p in profs:
                if p is not holder and "verslaving" in p.expertise:
                    p.expertise.remove("verslaving")
                    extra = _pick_tags(rng, GEZINSWERKER_EXPERTISE, 1, [*p.expertise, "verslaving"])
                    p.expertise += extra
            if "verslaving" not in holder.expertise:
                if len(holder.expertise) >= 4:
                    holder.expertise.pop()
                holder.expertise.append("verslaving")

        self._fix_coverage(profs, team_index)
        return profs

    def _pool(self, profs: Sequence[_Prof]) -> list[_Prof]:
        """Who could take a new family in principle: valid SKJ/BIG, present, accepting."""
        return [
            p
            for p in profs
            if p.function != STAGIAIR
            and p.valid_on(self.day)
            and not p.absent_on(self.day)
            and p.accepts_new
        ]

    def _fix_coverage(self, profs: list[_Prof], team_index: int) -> None:
        """Every area a-f and enough safety-trained people among the available registered."""
        rng = self.rng
        pool = self._pool(profs)
        if not pool:
            return
        banned = {"verslaving"} if self.spec.unplaceable and team_index == 0 else set()
        areas = self.norms.expertise
        for area in sorted(self.norms.areas):
            if any(areas.get(t) == area for p in pool for t in p.expertise):
                continue
            tags = sorted(t for t, a in areas.items() if a == area and t not in banned)
            candidates = [p for p in pool if len(p.expertise) < 4] or pool
            p = rng.choice(candidates)
            if len(p.expertise) >= 4:
                p.expertise.pop()
            p.expertise.append(rng.choice(tags))
        # The expertise families most often need (DOMAIN.md section 4) is present in the team.
        for tag in CORE_EXPERTISE:
            if tag in banned or any(tag in p.expertise for p in pool):
                continue
            candidates = [
                p for p in pool if p.function in CORE_HOLDERS[tag] and len(p.expertise) < 4
            ] or [p for p in pool if p.function in CORE_HOLDERS[tag]]
            if candidates:
                p = rng.choice(candidates)
                if len(p.expertise) >= 4:
                    p.expertise.pop()
                p.expertise.append(tag)
        trained = [p for p in pool if p.trained()]
        need = max(2, math.ceil(0.4 * len(pool)))
        untrained = [p for p in pool if not p.trained()]
        rng.shuffle(untrained)
        for p in untrained[: max(0, need - len(trained))]:
            p.trainings.insert(0, "risicotaxatie")

    # ---------------------------------------------------------------- families and cases
    def _case(self, fam: _Fam, age: int, avail: list[str]) -> _Case:
        rng = self.rng
        if fam.is_new:
            phase = _pick(rng, PHASES_NEW)
        elif (self.day - fam.registered_on).days < 90:
            phase = _pick(rng, PHASES_RECENT)
        else:
            phase = _pick(rng, PHASES_ESTABLISHED)
        safety = _pick(rng, SAFETY_WEIGHTS)
        intensity = _pick(rng, INTENSITY_BY_PHASE[phase])
        hours: float | None = None
        if safety == Safety.ACUUT:
            intensity = Intensity.INTENSIEF
            if rng.random() < 0.5:
                hours = CRISIS_HOURS
            urgency = Urgency.SPOED if rng.random() < 0.8 else Urgency.HOOG
        elif safety == Safety.HOOG:
            if LADDER.index(intensity) < LADDER.index(Intensity.MIDDEL):
                intensity = Intensity.MIDDEL
            r = rng.random()
            urgency = Urgency.SPOED if r < 0.1 else Urgency.HOOG if r < 0.6 else Urgency.REGULIER
        else:
            r = rng.random()
            urgency = Urgency.SPOED if r < 0.015 else Urgency.HOOG if r < 0.10 else Urgency.REGULIER
        case = _Case(self.ids.next_case(), fam.id, age, phase, intensity, safety, urgency, hours)
        if rng.random() < self.spec.required_share and avail:
            tag: str | None = None
            if age <= 2 and "infant-mental-health" in avail and rng.random() < 0.6:
                tag = "infant-mental-health"
            elif age >= 18 and "jongvolwassenen" in avail and rng.random() < 0.7:
                tag = "jongvolwassenen"
            else:
                weights = {t: w for t, w in REQUIRED_WEIGHTS.items() if t in avail}
                if weights:
                    tag = _pick(rng, weights)
            if tag:
                case.required.append(tag)
        if rng.random() < self.spec.preferred_share:
            weights = dict(PREFERRED_WEIGHTS)
            if age <= 2:
                weights["infant-mental-health"] = 20
            if age >= 18:
                weights["jongvolwassenen"] = 20
            case.preferred += _pick_tags(rng, weights, 1, case.required)
        if rng.random() < self.spec.trigger_share:
            case.triggers.append(_pick(rng, TRIGGER_WEIGHTS))
        return case

    def _ages(self, n: int) -> list[int]:
        rng = self.rng
        r = rng.random()
        if r < 0.15:
            base = rng.randint(0, 2)
        elif r < 0.60:
            base = rng.randint(3, 11)
        elif r < 0.92:
            base = rng.randint(12, 17)
        else:
            base = rng.randint(18, 23)
        ages = [base]
        for _ in range(n - 1):
            sib = base + rng.choice((-1, 1)) * rng.randint(1, 6)
            ages.append(min(max(sib, 0), 17 if base < 18 else 23))
        return ages

    @staticmethod
    def _placeable(fam: _Fam, pool: Sequence[_Prof]) -> bool:
        need = set(fam.required())
        high = fam.high_safety()
        return any(
            need.issubset(p.expertise) and (p.trained() or not high)
            for p in pool
            if p.id not in fam.excluded
        )

    def _families(
        self, team: str, team_index: int, n: int, profs: list[_Prof], wijken: list[str]
    ) -> list[_Fam]:
        rng = self.rng
        spec = self.spec
        day = self.day
        wijk_weights = {w: rng.uniform(0.7, 1.3) for w in wijken}
        n_new = n - round(n * spec.current_primary_share)
        new_flags = [True] * n_new + [False] * (n - n_new)
        rng.shuffle(new_flags)
        fams: list[_Fam] = []
        for is_new in new_flags:
            registered = day - (_days(rng, 0, 70) if is_new else _days(rng, 14, 730))
            fams.append(
                _Fam(
                    id=self.ids.next_fam(),
                    team=team,
                    wijk=_pick(rng, wijk_weights),
                    language=_pick(rng, FAMILY_LANGUAGES),
                    registered_on=registered,
                    is_new=is_new,
                )
            )
        # Cases per family: 1-3, exactly round(n x cases_per_family) in total.
        counts = [_pick(rng, {1: 60, 2: 30, 3: 10}) for _ in fams]
        target = min(3 * n, max(n, round(n * spec.cases_per_family)))
        while sum(counts) < target:
            i = rng.randrange(n)
            if counts[i] < 3:
                counts[i] += 1
        while sum(counts) > target:
            i = rng.randrange(n)
            if counts[i] > 1:
                counts[i] -= 1

        pool = self._pool(profs)
        avail = sorted({t for p in pool for t in p.expertise})
        deliberate: set[int] = set()
        if spec.unplaceable and team_index == 0:
            holders = [p for p in profs if "verslaving" in p.expertise]
            if holders and not any("verslaving" in p.expertise for p in pool):
                new_idx = [i for i, f in enumerate(fams) if f.is_new]
                deliberate = set(rng.sample(new_idx, k=min(spec.unplaceable, len(new_idx))))
        for i, (fam, k) in enumerate(zip(fams, counts, strict=True)):
            for age in self._ages(k):
                fam.cases.append(self._case(fam, age, avail))
            if i in deliberate:
                fam.deliberate = True
                c = fam.cases[0]
                c.required = ["verslaving"]
                c.preferred = [t for t in c.preferred if t != "verslaving"]
                if c.safety in (Safety.HOOG, Safety.ACUUT):
                    c.safety = Safety.VERHOOGD
                continue
            # Keep every family placeable in principle: demote required tags that no single
            # available colleague combines (they become preferences), last case first.
            for c in reversed(fam.cases):
                if self._placeable(fam, pool):
                    break
                c.preferred += [t for t in c.required if t not in c.preferred]
                c.required = []
            if not self._placeable(fam, pool):  # no trained colleague at all: lower the risk
                for c in fam.cases:
                    if c.safety in (Safety.HOOG, Safety.ACUUT):
                        c.safety = Safety.VERHOOGD
        return fams

    # ---------------------------------------------------------------- calibration
    def _calibrate(self, fams: list[_Fam], capacity: float) -> None:
        """Move case intensities one step at a time until the hours hit demand_ratio x capacity."""
        rng = self.rng
        policy = self.policy
        target = self.spec.demand_ratio * capacity
        cases = [c for f in fams for c in f.cases if c.hours is None and c.safety != Safety.ACUUT]
        if not cases or target <= 0:
            return
        total = sum(f.hours(policy) for f in fams)
        band = max(0.005 * target, 0.5)

        def low(c: _Case) -> int:
            floor = 0 if c.phase in (Phase.HULP, Phase.MONITORING) else 1
            return max(floor, 2 if c.safety == Safety.HOOG else 0)

        for _ in range(200 * len(cases) + 10_000):
            diff = total - target
            if abs(diff) <= band:
                return
            c = cases[rng.randrange(len(cases))]
            level = LADDER.index(c.intensity)
            step = -1 if diff > 0 else 1
            new = level + step
            if new < low(c) or new >= len(LADDER):
                continue
            before = policy.intensity_hours[c.intensity]
            c.intensity = LADDER[new]
            total += policy.intensity_hours[c.intensity] - before

    # ---------------------------------------------------------------- current assignment
    def _assign(self, team_index: int, profs: list[_Prof], fams: list[_Fam]) -> None:
        rng = self.rng
        spec = self.spec
        day = self.day
        policy = self.policy
        team_no = team_index + 1
        existing = [f for f in fams if not f.is_new and not f.deliberate]
        rng.shuffle(existing)

        def give(f: _Fam, p: _Prof) -> None:
            f.primary = p.id
            p.load += f.hours(policy)
            p.families += 1

        # Tenzij families: a vaktherapeut (lid 1) and the MBO sociaal werker (lid 2).
        for p in profs:
            if p.function not in (VAKTHERAPEUT, SOCIAAL_WERKER):
                continue
            lid = 1 if p.function == VAKTHERAPEUT else 2
            k = rng.randint(2, 4) if lid == 1 else rng.choice((1, 2))
            fits = [
                f
                for f in existing
                if f.primary is None
                and f.low_risk()
                and set(f.required()).issubset(p.expertise)
                and (lid == 2 or any(4 <= c.age <= 17 for c in f.cases))
            ]
            for f in fits[:k]:
                give(f, p)
                f.special = True
                tag = "trauma" if lid == 1 else "schulden"
                c = f.cases[0]
                if tag not in c.preferred and tag not in c.required:
                    c.preferred.append(tag)
                self.exceptions.append(
                    TenzijDecision(
                        professional_id=p.id,
                        family_id=f.id,
                        limb=lid,
                        reason=TENZIJ_1_REASON if lid == 1 else TENZIJ_2_REASON,
                        decided_by=f"TM{team_no:02d}",
                        decided_on=day - _days(rng, 14, 300),
                    )
                )

        carriers = [
            p
            for p in profs
            if p.function in CARRIER_FUNCTIONS and (p.counting() or p.function == STAGIAIR)
        ]
        registered = [p for p in carriers if p.function != STAGIAIR]
        caps = {p.id: p.capacity(policy) for p in profs}

        def plausible(f: _Fam, p: _Prof) -> bool:
            if p.function == STAGIAIR:
                return f.low_risk() and set(f.required()).issubset(p.expertise)
            if f.high_safety() and not p.trained():
                return False
            return set(f.required()).issubset(p.expertise)

        def weight(f: _Fam, p: _Prof) -> float:
            target = CURRENT_FILL.get(p.function, 1.0) * caps[p.id]
            room = max(target - p.load, 0.03 * caps[p.id])
            return PRIMARY_WEIGHT[p.function] * (3.0 if f.wijk in p.wijken else 1.0) * room

        def has_room(p: _Prof) -> bool:
            return p.max_families is None or p.families < p.max_families

        todo = [f for f in existing if f.primary is None]
        todo.sort(key=lambda f: (not (f.required() or f.high_safety()),))  # constrained first
        for f in todo:
            if rng.random() < spec.mismatch_share:  # divided by wijk, not by expertise
                cands = [p for p in registered if f.wijk in p.wijken] or registered
            else:
                cands = [p for p in carriers if plausible(f, p)]
            cands = [p for p in cands if has_room(p)]
            if not cands:  # the only fitting colleagues are full: given by wijk instead
                cands = [p for p in registered if has_room(p)]
            if not cands:
                continue
            give(f, rng.choices(cands, weights=[weight(f, p) for p in cands])[0])

        # Backups (maatje): most families with safety hoog/acuut, a few others.
        present = [p for p in registered if p.valid_on(day)]
        for f in existing:
            if f.primary is None:
                continue
            needs = any(c.safety in policy.backup_for_safety for c in f.cases)
            if rng.random() >= (spec.backup_share if needs else 0.03):
                continue
            cands = [p for p in present if p.id != f.primary]
            if cands:
                w = [3.0 if p.trained() else 1.0 for p in cands]
                f.backup = rng.choices(cands, weights=w)[0].id

        # Pinned: ~2 % of the assigned families, plus one family of the colleague whose
        # registration expired (a pin the planner must report as broken).
        assigned = [f for f in existing if f.primary is not None and not f.special]
        for f in rng.sample(assigned, k=round(spec.pinned_share * len(assigned))):
            f.pinned = True
        expired = [p for p in registered if p.counting() and not p.valid_on(day)]
        for p in expired[:1]:
            mine = [f for f in assigned if f.primary == p.id]
            if mine:
                rng.choice(mine).pinned = True

        # Excluded: a few families exclude one colleague (never leaving them unplaceable).
        pool = self._pool(profs)
        options = [f for f in fams if not f.deliberate]
        k = math.ceil(spec.excluded_share * len(options))
        for f in sorted(rng.sample(options, k=min(k, len(options))), key=lambda f: f.id):
            cands = [p for p in registered if p.id not in (f.primary, f.backup)]
            if not cands:
                continue
            p = rng.choice(cands)
            f.excluded.append(p.id)
            if not self._placeable(f, pool):
                f.excluded.pop()

    # ---------------------------------------------------------------- driver
    def run(self) -> Dataset:
        spec = self.spec
        rng = self.rng
        team_sizes = _split_evenly(spec.n_professionals, [1.0] * spec.n_teams)
        fam_sizes = _split_evenly(spec.n_families, team_sizes)
        combos = [a + b for a in WIJK_PREFIXES for b in WIJK_SUFFIXES]
        rng.shuffle(combos)
        for t in range(spec.n_teams):
            team = f"WT{t + 1:02d}"
            k = rng.randint(3, 5)
            if t == 0:
                wijken = list(SINGLE_TEAM_WIJKEN[:k])
            else:
                wijken = sorted(combos[:k])
                del combos[:k]
                if not combos:  # very many teams: reuse with a number
                    combos = [f"{a}{b} {t}" for a in WIJK_PREFIXES for b in WIJK_SUFFIXES]
            profs = self._professionals(team, t, team_sizes[t], wijken)
            fams = self._families(team, t, fam_sizes[t], profs, wijken)
            capacity = _capacity(
                profs, spec.capacity_basis, self.policy, lambda p: p.valid_on(self.day)
            )
            self._calibrate(fams, capacity)
            self._assign(t, profs, fams)
            self.profs += profs
            self.fams += fams
        registrations = [
            Registration(
                professional_id=p.id,
                register=r.register,
                title=r.title,
                number=r.number,
                valid_until=r.valid_until,
            )
            for p in self.profs
            for r in p.regs
        ]
        return Dataset(
            professionals=tuple(p.model() for p in self.profs),
            registrations=tuple(registrations),
            families=tuple(f.model() for f in self.fams),
            cases=tuple(c.model() for f in self.fams for c in f.cases),
            exceptions=tuple(self.exceptions),
            policy=self.policy,
            source=f"planner.synth {spec.name} --seed {self.seed}",
        )


def generate(spec: SynthSpec | str, seed: int) -> Dataset:
    """A synthetic dataset for `spec` (a `SynthSpec` or a preset name); deterministic per seed."""
    if isinstance(spec, str):
        spec = PRESETS[spec]
    return _Generator(spec, seed).run()


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def capacity_hours(ds: Dataset, basis: CapacityBasis) -> float:
    """Weekly casework capacity of the professionals who count on `basis` (see
    `counts_for_capacity`; the same rule the generator calibrates with)."""
    day = ds.policy.plan_date
    registered = {
        r.professional_id
        for r in ds.registrations
        if counts_for_norm(r.register.value, r.title) and r.valid_until >= day
    }
    return _capacity(ds.professionals, basis, ds.policy, lambda p: p.id in registered)


def demand_hours(ds: Dataset) -> float:
    """Total weekly hours of all cases (`hours` or the policy's intensity hours)."""
    pol = ds.policy
    return sum(
        c.hours if c.hours is not None else pol.intensity_hours[c.intensity] for c in ds.cases
    )


def demand_ratio(ds: Dataset, basis: CapacityBasis) -> float:
    """The achieved demand ratio: total case hours / casework capacity on `basis`. For a generated
    dataset this is within `demand_tolerance` of `spec.demand_ratio` on `spec.capacity_basis`."""
    cap = capacity_hours(ds, basis)
    return demand_hours(ds) / cap if cap else math.inf


def _mix(counter: Counter[str], order: Sequence[str], total: int) -> str:
    parts = [f"{k} {counter[k]} ({100 * counter[k] / total:.1f} %)" for k in order if counter[k]]
    return ", ".join(parts) if parts else "-"


def summarize(ds: Dataset, title: str | None = None, basis: CapacityBasis = "available") -> str:
    """Counts and distributions of a dataset, as plain text (for --summary and the README). The
    demand ratio is shown on `basis` first (the spec's `capacity_basis`), then on the other."""
    pol = ds.policy
    day = pol.plan_date
    lines: list[str] = []
    add = lines.append
    add(f"dataset: {title or ds.source or '-'}; plan_date {day.isoformat()}")
    teams = sorted({p.team for p in ds.professionals})
    add(f"teams: {len(teams)} ({', '.join(teams[:6])}{', ...' if len(teams) > 6 else ''})")
    funcs = Counter(p.function for p in ds.professionals)
    fte = sum(p.fte for p in ds.professionals)
    caps: dict[CapacityBasis, float] = {b: capacity_hours(ds, b) for b in ("nominal", "available")}
    add(
        f"professionals: {len(ds.professionals)} (fte {fte:.2f}; casework capacity "
        f"{caps['nominal']:.1f} h/week nominal, {caps['available']:.1f} h/week available)"
    )
    for f, n in sorted(funcs.items(), key=lambda kv: (-kv[1], kv[0])):
        add(f"  {f}: {n}")

    def counting(r: Registration) -> bool:
        return counts_for_norm(r.register.value, r.title)

    reg_mix = Counter(f"{r.register.value} {r.title}" for r in ds.registrations)
    add(f"registrations: {len(ds.registrations)}")
    for k, n in sorted(reg_mix.items()):
        add(f"  {k}: {n}")
    expired = sum(1 for r in ds.registrations if counting(r) and r.valid_until < day)
    soon = sum(
        1
        for r in ds.registrations
        if counting(r) and day <= r.valid_until <= day + dt.timedelta(60)
    )
    add(f"  expired before plan_date: {expired}; expiring within 60 days: {soon}")
    weeks = pol.reassign_if_absent_weeks
    absent = [p for p in ds.professionals if p.absent_on(day)]
    long_leave = [
        p for p in absent if p.absent_until is None or (p.absent_until - day).days / 7 >= weeks
    ]
    interns = sum(p.is_intern and p.supervisor_id is not None for p in ds.professionals)
    add(
        f"absent on plan_date: {len(absent)} (long leave >= {weeks:g} weeks: {len(long_leave)}); "
        f"accepts_new=false: {sum(not p.accepts_new for p in ds.professionals)}; "
        f"max_families set: {sum(p.max_families is not None for p in ds.professionals)}; "
        f"interns with supervisor: {interns}"
    )
    fams = ds.families
    nf = len(fams) or 1
    with_primary = sum(f.current_primary is not None for f in fams)
    add(
        f"families: {len(fams)}; with current primary {with_primary} "
        f"({100 * with_primary / nf:.1f} %); new without primary {len(fams) - with_primary}; "
        f"pinned {sum(f.pinned for f in fams)}; with backup "
        f"{sum(f.current_backup is not None for f in fams)}; with excluded "
        f"{sum(bool(f.excluded) for f in fams)}"
    )
    lang = Counter(f.language or "-" for f in fams)
    add(f"  language: {_mix(lang, [k for k, _ in lang.most_common()], nf)}")
    cases = ds.cases
    nc = len(cases) or 1
    add(f"cases: {len(cases)} ({len(cases) / nf:.2f} per family)")
    ages = Counter(
        "0-2" if c.age <= 2 else "3-11" if c.age <= 11 else "12-17" if c.age <= 17 else "18-23"
        for c in cases
    )
    add(f"  age: {_mix(ages, ['0-2', '3-11', '12-17', '18-23'], nc)}")
    add(f"  phase: {_mix(Counter(c.phase.value for c in cases), [p.value for p in Phase], nc)}")
    add(
        "  intensity: "
        + _mix(Counter(c.intensity.value for c in cases), [i.value for i in Intensity], nc)
        + f"; with explicit hours {sum(c.hours is not None for c in cases)}"
    )
    add(f"  safety: {_mix(Counter(c.safety.value for c in cases), [s.value for s in Safety], nc)}")
    urg = Counter(c.urgency.value for c in cases)
    add(f"  urgency: {_mix(urg, [u.value for u in Urgency], nc)}")
    req = Counter(t for c in cases for t in c.required_expertise)
    n_req = sum(bool(c.required_expertise) for c in cases)
    add(
        f"  required expertise: {n_req} cases ({100 * n_req / nc:.1f} %): "
        + ", ".join(f"{k} {v}" for k, v in req.most_common())
    )
    n_pref = sum(bool(c.preferred_expertise) for c in cases)
    add(f"  preferred expertise: {n_pref} cases ({100 * n_pref / nc:.1f} %)")
    trig = Counter(t.value for c in cases for t in c.triggers)
    n_trig = sum(bool(c.triggers) for c in cases)
    add(
        f"  triggers: {n_trig} cases ({100 * n_trig / nc:.1f} %): "
        + ", ".join(f"{k} {v}" for k, v in trig.most_common())
    )
    other: CapacityBasis = "nominal" if basis == "available" else "available"
    add(
        f"demand: {demand_hours(ds):.1f} h/week; demand ratio {demand_ratio(ds, basis):.3f} "
        f"(vs {basis} capacity); {demand_ratio(ds, other):.3f} vs {other} capacity"
    )
    limbs = Counter(e.limb for e in ds.exceptions)
    add(f"tenzij decisions: {len(ds.exceptions)} (lid 1: {limbs[1]}, lid 2: {limbs[2]})")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m planner.synth",
        description="Generate a synthetic, pseudonymous wijkteam dataset.",
    )
    parser.add_argument("preset", choices=sorted(PRESETS), help="named spec")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help=f"default {DEMO_SEED}")
    parser.add_argument("--out", type=Path, help="folder to write the dataset to")
    parser.add_argument("--summary", action="store_true", help="print counts and distributions")
    args = parser.parse_args(argv)
    if args.out is None and not args.summary:
        parser.error("give --out FOLDER and/or --summary")
    ds = generate(PRESETS[args.preset], args.seed)
    if args.out is not None:
        from planner.io import write_dataset

        write_dataset(ds, args.out)
        out(f"wrote {args.preset} (seed {args.seed}) to {args.out}")
    if args.summary:
        spec = PRESETS[args.preset]
        out(summarize(ds, f"{args.preset} --seed {args.seed}", spec.capacity_basis))
    return 0


if __name__ == "__main__":
    sys.exit(main())
