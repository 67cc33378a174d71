"""Vocabularies and tables of the norm, read from `data/norms/`.

- `titles.csv`: SKJ and BIG titles that count for the *norm van de verantwoorde werktoedeling*
  (Besluit Jeugdwet 5.1.1), with their level and groups (`postmaster-gw`, `arts`, `psychiater`).
- `triggers.csv`: which professional a case trigger asks for (DOMAIN.md section 2 item 7).
- `expertise.csv`: expertise tags and the Besluit Jeugdwet 2.1 area (a-f) each one covers.
- `trainings.csv`: training tags (e.g. the team's safety method).
- `areas.csv`: the six expertise areas a-f a toegang must cover.

Titles are matched case-insensitively and with whitespace normalised; aliases map common spellings
to the canonical title.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

NORMS_DIR = Path(__file__).resolve().parent.parent / "data" / "norms"

NORM_REGISTERS = ("SKJ", "BIG")
"""Registers whose titles count for the norm. Registerplein and Vaktherapie never count."""


def normalise(text: str) -> str:
    return " ".join(text.strip().lower().split())


@dataclass(frozen=True)
class Title:
    register: str
    title: str
    level: str
    counts: bool
    groups: frozenset[str]
    source: str


@dataclass(frozen=True)
class TriggerRule:
    trigger: str
    groups: frozenset[str]  # registration groups that qualify
    expertise: frozenset[str]  # expertise tags that qualify
    label: str
    source: str


@dataclass(frozen=True)
class Norms:
    titles: dict[tuple[str, str], Title]  # (register, normalised title or alias) -> Title
    triggers: dict[str, TriggerRule]
    expertise: dict[str, str]  # tag -> area letter ("" when none)
    expertise_labels: dict[str, str]
    trainings: dict[str, str]  # tag -> label
    areas: dict[str, str]  # letter -> label
    area_source: str = field(default="Besluit Jeugdwet art. 2.1")

    def title(self, register: str, title: str) -> Title | None:
        return self.titles.get((register, normalise(title)))

    def titles_of(self, register: str) -> list[str]:
        return sorted({t.title for (reg, _), t in self.titles.items() if reg == register})

    def with_extra(self, expertise: tuple[str, ...], trainings: tuple[str, ...]) -> Norms:
        """The team's own extensions of the vocabularies (policy `extra_expertise`/`_trainings`)."""
        if not expertise and not trainings:
            return self
        exp = dict(self.expertise)
        labels = dict(self.expertise_labels)
        for tag in expertise:
            exp.setdefault(normalise(tag), "")
            labels.setdefault(normalise(tag), tag)
        tr = dict(self.trainings)
        for tag in trainings:
            tr.setdefault(normalise(tag), tag)
        return Norms(self.titles, self.triggers, exp, labels, tr, self.areas, self.area_source)


def suggest(word: str, vocabulary: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The nearest known word, for 'did you mean' messages."""
    hits = difflib.get_close_matches(normalise(word), sorted(vocabulary), n=1, cutoff=0.5)
    return hits[0] if hits else None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(";") if p.strip()]


@cache
def load_norms(directory: Path = NORMS_DIR) -> Norms:
    titles: dict[tuple[str, str], Title] = {}
    for row in _rows(directory / "titles.csv"):
        t = Title(
            register=row["register"],
            title=normalise(row["title"]),
            level=row["level"],
            counts=row["counts"].lower() == "true",
            groups=frozenset(_split(row["groups"])),
            source=row["source"],
        )
        for name in [row["title"], *_split(row["aliases"])]:
            titles[(t.register, normalise(name))] = t
    triggers: dict[str, TriggerRule] = {}
    for row in _rows(directory / "triggers.csv"):
        quals = _split(row["qualifies"])
        triggers[row["trigger"]] = TriggerRule(
            trigger=row["trigger"],
            groups=frozenset(q.removeprefix("group:") for q in quals if q.startswith("group:")),
            expertise=frozenset(
                q.removeprefix("expertise:") for q in quals if q.startswith("expertise:")
            ),
            label=row["label"],
            source=row["source"],
        )
    exp_rows = _rows(directory / "expertise.csv")
    return Norms(
        titles=titles,
        triggers=triggers,
        expertise={r["tag"]: r["area"] for r in exp_rows},
        expertise_labels={r["tag"]: r["label"] for r in exp_rows},
        trainings={r["tag"]: r["label"] for r in _rows(directory / "trainings.csv")},
        areas={r["area"]: r["label"] for r in _rows(directory / "areas.csv")},
    )
