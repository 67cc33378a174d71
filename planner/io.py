"""Reading and writing a dataset folder (the input contract in docs/data-format.md).

A dataset folder holds `professionals.csv`, `registrations.csv`, `families.csv`, `cases.csv`
(required), `exceptions.csv` and `policy.toml` (optional).

Public API:

- `read_dataset(folder)` returns a `Dataset` or raises `InputErrors` listing *every* problem found
  in all files (`file:row:column: message`, in Dutch). Warnings (e.g. unknown extra columns) are
  logged through the `planner.io` logger.
- `read_dataset_with_warnings(folder)` returns a `ReadResult(dataset, warnings)`; the CLI uses it to
  show the warnings. `InputErrors` also carries the warnings found so far.
- `read_policy(path)` reads one `policy.toml` on its own.
- `write_dataset(dataset, folder)` writes the same format (comma separated, UTF-8, lists joined
  with `;`, booleans `true`/`false`, `policy.toml` with `plan_date` and every non-default key);
  `read_dataset(write_dataset(ds))` equals `ds` up to `Dataset.source`, which reading sets to the
  folder that was read.

Every cell is read as text and converted by the small converters below, so that each problem gets
its own message with the row number a user sees in Excel (header = row 1, first data row = row 2).
Models are constructed only from values that already passed these checks; should pydantic still
object, its error is translated (no English dump, no traceback).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import logging
import math
import re
import tomllib
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from io import StringIO
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

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
from planner.norms import NORM_REGISTERS, Norms, load_norms, normalise, suggest

__all__ = [
    "COLUMNS",
    "FILES",
    "InputError",
    "InputErrors",
    "InputProblem",
    "InputWarning",
    "ReadResult",
    "policy_toml",
    "read_dataset",
    "read_dataset_with_warnings",
    "read_policy",
    "write_dataset",
]

log = logging.getLogger(__name__)

PROFESSIONALS = "professionals.csv"
REGISTRATIONS = "registrations.csv"
FAMILIES = "families.csv"
CASES = "cases.csv"
EXCEPTIONS = "exceptions.csv"
POLICY = "policy.toml"

FILES: tuple[str, ...] = (PROFESSIONALS, REGISTRATIONS, FAMILIES, CASES, EXCEPTIONS, POLICY)
"""All files of a dataset folder, in the order problems are reported."""

COLUMNS: dict[str, dict[str, bool]] = {
    PROFESSIONALS: {
        "id": True,
        "name": False,
        "team": True,
        "function": True,
        "fte": True,
        "casework_share": False,
        "max_families": False,
        "expertise": False,
        "trainings": False,
        "wijken": False,
        "languages": False,
        "absent_from": False,
        "absent_until": False,
        "accepts_new": False,
        "supervisor_id": False,
    },
    REGISTRATIONS: {
        "professional_id": True,
        "register": True,
        "title": True,
        "number": False,
        "valid_until": True,
    },
    FAMILIES: {
        "id": True,
        "team": True,
        "wijk": False,
        "language": False,
        "registered_on": True,
        "current_primary": False,
        "current_backup": False,
        "pinned": False,
        "excluded": False,
    },
    CASES: {
        "id": True,
        "family_id": True,
        "age": True,
        "phase": True,
        "intensity": True,
        "hours": False,
        "safety": True,
        "urgency": False,
        "required_expertise": False,
        "preferred_expertise": False,
        "triggers": False,
    },
    EXCEPTIONS: {
        "professional_id": True,
        "family_id": True,
        "limb": True,
        "reason": True,
        "decided_by": False,
        "decided_on": False,
    },
}
"""Columns of each CSV file, in the order they are written; True = required column."""

_NEEDS_ROWS = {PROFESSIONALS: True, REGISTRATIONS: True, FAMILIES: True, CASES: True}
_OPTIONAL_FILES = {EXCEPTIONS}


# --------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class InputProblem:
    """One problem in the input, located as precisely as possible."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class InputError(InputProblem):
    """A problem that makes the input unusable."""


@dataclass(frozen=True)
class InputWarning(InputProblem):
    """A problem that is reported but does not stop reading (e.g. an unknown extra column)."""


class InputErrors(Exception):
    """Raised when the input has one or more errors; `errors` lists all of them."""

    def __init__(self, errors: Iterable[InputError], warnings: Iterable[InputWarning] = ()) -> None:
        self.errors: list[InputError] = list(errors)
        self.warnings: list[InputWarning] = list(warnings)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass(frozen=True)
class ReadResult:
    dataset: Dataset
    warnings: tuple[InputWarning, ...] = ()


class _Collector:
    def __init__(self) -> None:
        self.errors: list[InputError] = []
        self.warnings: list[InputWarning] = []

    def error(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(InputError(file, row, column, message))

    def warn(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append(InputWarning(file, row, column, message))

    def sorted_errors(self) -> list[InputError]:
        return sorted(self.errors, key=_problem_order)

    def sorted_warnings(self) -> list[InputWarning]:
        return sorted(self.warnings, key=_problem_order)


def _problem_order(p: InputProblem) -> tuple[int, int, int]:
    index = FILES.index(p.file) if p.file in FILES else -1
    columns = list(COLUMNS.get(p.file, {}))
    column = columns.index(p.column) if p.column in columns else -1
    return (index, p.row or 0, column)


# --------------------------------------------------------------------------------------------
# Small formatting helpers


def _num(x: float) -> str:
    """A number as a Dutch reader writes it: 1,2 and 0 (not 0.0)."""
    text = str(int(x)) if float(x).is_integer() else repr(float(x))
    return text.replace(".", ",")


def _q(value: object) -> str:
    return f'"{value}"'


def _did_you_mean(word: str, vocabulary: Iterable[str]) -> str:
    hit = suggest(word, list(vocabulary))
    return f": bedoelde je {_q(hit)}?" if hit else ""


def _allowed(values: Iterable[str]) -> str:
    return "toegestaan: " + ", ".join(values)


# --------------------------------------------------------------------------------------------
# Value converters (text -> value, or an error message)


class _Bad(Exception):
    """A cell or key could not be converted; the argument is the (Dutch) message."""


_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_TRUE = frozenset({"true", "ja", "j", "yes", "y", "1", "waar"})
_FALSE = frozenset({"false", "nee", "n", "no", "0", "onwaar"})
T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
M = TypeVar("M", bound=BaseModel)


def _parse_number(text: str) -> float:
    """`0.8`, `0,8`, `1e-05`; a single comma is a decimal comma. Raises `_Bad`."""
    if not _NUMBER.fullmatch(text):
        raise _Bad(f"{_q(text)} is geen getal (schrijf bijvoorbeeld 0.8 of 0,8)")
    value = float(text.replace(",", "."))
    if not math.isfinite(value):  # pragma: no cover - the pattern excludes nan/inf
        raise _Bad(f"{_q(text)} is geen eindig getal")
    return value


def _parse_integer(text: str) -> int:
    try:
        value = _parse_number(text)
    except _Bad:
        raise _Bad(f"{_q(text)} is geen geheel getal") from None
    if not value.is_integer():
        raise _Bad(f"{_q(text)} is geen geheel getal")
    return int(value)


def _parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise _Bad(f"{_q(text)} is geen ja/nee-waarde (gebruik true/false, ja/nee of 1/0)")


def _parse_date(text: str) -> dt.date:
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise _Bad(f"{_q(text)} is geen bestaande datum") from None
    hint = ""
    m = _DMY_DATE.fullmatch(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        try:
            hint = f" (bedoelde je {dt.date(year, month, day).isoformat()}?)"
        except ValueError:
            hint = ""
    raise _Bad(f"{_q(text)}: datum moet JJJJ-MM-DD zijn, bijvoorbeeld 2026-03-01{hint}")


def _parse_enum(text: str, enum: type[E], what: str) -> E:
    by_lower = {m.value.lower(): m for m in enum}
    member = by_lower.get(normalise(text))
    if member is None:
        values = [m.value for m in enum]
        hit = suggest(text, list(by_lower))
        hint = f"; bedoelde je {_q(by_lower[hit].value)}?" if hit else ""
        raise _Bad(f"onbekende {what} {_q(text)} ({_allowed(values)}){hint}")
    return member


def _split_list(text: str) -> list[str]:
    """A list cell: items separated by `;`, trimmed, empty items dropped."""
    return [part.strip() for part in text.split(";") if part.strip()]


def _dedupe(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------------------------
# CSV files


def _decode(data: bytes) -> tuple[str, str]:
    """Bytes of a CSV file -> (text, encoding). UTF-8 (with or without BOM), UTF-16 with BOM, or
    cp1252 (old Excel) when the bytes are not valid UTF-8. Raises `_Bad`."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _Bad(
                f"bestand begint met een UTF-8-BOM maar is geen geldige UTF-8 (byte {exc.start})"
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _Bad("bestand begint met een UTF-16-BOM maar is geen geldige UTF-16") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise _Bad(
            "bestand is geen UTF-8 en geen Windows-1252 (cp1252); sla het op als 'CSV UTF-8'"
        ) from None


def _detect_delimiter(header_line: str) -> str:
    """`,`, `;` or tab: whichever occurs most often outside quotes in the header line."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _header_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.replace("\ufeff", "").strip().lower())


@dataclass
class _Table:
    file: str
    columns: dict[str, int]  # known column -> index
    rows: list[tuple[int, list[str]]]  # (Excel row number, cells)


def _read_table(folder: Path, file: str, sink: _Collector) -> _Table | None:
    path = folder / file
    if not path.exists():
        if file in _OPTIONAL_FILES:
            return None
        sink.error(file, None, None, "verplicht bestand ontbreekt")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        sink.error(file, None, None, f"bestand kan niet gelezen worden ({exc.strerror})")
        return None
    try:
        text, encoding = _decode(data)
    except _Bad as exc:
        sink.error(file, None, None, str(exc))
        return None
    if encoding == "cp1252":
        sink.warn(file, None, None, "bestand is geen UTF-8; gelezen als Windows-1252 (cp1252)")
    if not text.strip():
        sink.error(file, None, None, "bestand is leeg (geen kopregel)")
        return None
    first_line = next(line for line in text.splitlines() if line.strip())
    delimiter = _detect_delimiter(first_line)
    try:
        records = list(csv.reader(StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        sink.error(file, None, None, f"geen geldig CSV-bestand ({exc})")
        return None

    # Leading blank lines are skipped; the header is the first non-blank record.
    numbered = [(n, rec) for n, rec in enumerate(records, start=1)]
    while numbered and not any(c.strip() for c in numbered[0][1]):
        numbered.pop(0)
    header_row, header = numbered[0]
    known = COLUMNS[file]
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        name = _header_name(cell)
        if not name:
            continue
        if name in columns:
            sink.error(file, header_row, name, "kolom komt meer dan eens voor")
        elif name in known:
            columns[name] = index
        else:
            unknown.append(name)
            sink.warn(
                file,
                header_row,
                name,
                f"onbekende kolom wordt genegeerd{_did_you_mean(name, known)}",
            )
    for name, required in known.items():
        if required and name not in columns:
            hint = _did_you_mean(name, unknown) if unknown else ""
            sink.error(file, header_row, name, f"verplichte kolom ontbreekt{hint}")

    width = len(header)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in numbered[1:]:
        if not any(c.strip() for c in cells):
            continue  # a blank line or a row of empty cells
        if len(cells) > width:
            # More cells than columns: usually a list (or decimal comma) that was not quoted, so
            # the cells after it have shifted. An error when the extra cells hold data.
            sep = "puntkomma" if delimiter == ";" else "komma"
            report = sink.error if any(c.strip() for c in cells[width:]) else sink.warn
            report(
                file,
                number,
                None,
                f"rij heeft {len(cells)} cellen maar de kopregel heeft er {width}; "
                f"staat er een lijst of decimaal getal met een {sep} zonder aanhalingstekens?",
            )
        rows.append((number, cells))
    if not rows and _NEEDS_ROWS.get(file, False):
        sink.error(file, None, None, "bestand bevat geen rijen (alleen een kopregel)")
    return _Table(file, columns, rows)


class _Row:
    """One data row; every accessor converts a cell and records a located error on failure."""

    def __init__(self, table: _Table, number: int, cells: list[str], sink: _Collector) -> None:
        self.file = table.file
        self.rownum = number
        self.sink = sink
        self.failed = False
        self.cells = {
            name: (cells[i] if i < len(cells) else "") for name, i in table.columns.items()
        }

    def error(self, column: str | None, message: str) -> None:
        self.sink.error(self.file, self.rownum, column, message)
        self.failed = True

    def warn(self, column: str | None, message: str) -> None:
        self.sink.warn(self.file, self.rownum, column, message)

    def raw(self, column: str, required: bool = False) -> str | None:
        """The trimmed cell text, or None when empty (an error when required)."""
        cell = self.cells.get(column)
        value = cell.strip() if cell is not None else ""
        if value:
            return value
        if required:
            if cell is None:
                self.failed = True  # the missing column is already reported once
            else:
                self.error(column, "verplichte waarde ontbreekt")
        return None

    def text(self, column: str, required: bool = False) -> str | None:
        return self.raw(column, required)

    def number(
        self,
        column: str,
        required: bool = False,
        *,
        gt: float | None = None,
        ge: float | None = None,
        le: float | None = None,
    ) -> float | None:
        raw = self.raw(column, required)
        if raw is None:
            return None
        try:
            value = _parse_number(raw)
        except _Bad as exc:
            self.error(column, str(exc))
            return None
        if not _in_range(value, gt, ge, le):
            self.error(column, f"{column} moet {_range_text(gt, ge, le)} zijn, niet {raw}")
            return None
        return value

    def integer(
        self,
        column: str,
        required: bool = False,
        *,
        ge: int | None = None,
        le: int | None = None,
    ) -> int | None:
        raw = self.raw(column, required)
        if raw is None:
            return None
        try:
            value = _parse_integer(raw)
        except _Bad as exc:
            self.error(column, str(exc))
            return None
        if not _in_range(value, None, ge, le):
            self.error(column, f"{column} moet {_range_text(None, ge, le)} zijn, niet {raw}")
            return None
        return value

    def boolean(self, column: str, default: bool) -> bool:
        raw = self.raw(column)
        if raw is None:
            return default
        try:
            return _parse_bool(raw)
        except _Bad as exc:
            self.error(column, str(exc))
            return default

    def date(self, column: str, required: bool = False) -> dt.date | None:
        raw = self.raw(column, required)
        if raw is None:
            return None
        try:
            return _parse_date(raw)
        except _Bad as exc:
            self.error(column, str(exc))
            return None

    def choice(self, column: str, enum: type[E], required: bool = False) -> E | None:
        raw = self.raw(column, required)
        if raw is None:
            return None
        try:
            return _parse_enum(raw, enum, column)
        except _Bad as exc:
            self.error(column, str(exc))
            return None

    def choices(self, column: str, enum: type[E], what: str) -> tuple[E, ...]:
        raw = self.raw(column)
        if raw is None:
            return ()
        out: list[E] = []
        for item in _split_list(raw):
            try:
                out.append(_parse_enum(item, enum, what))
            except _Bad as exc:
                self.error(column, str(exc))
        return _dedupe(out)

    def items(self, column: str) -> tuple[str, ...]:
        """A free-text list (wijken, languages, ids): trimmed, case kept."""
        raw = self.raw(column)
        return _dedupe(_split_list(raw)) if raw is not None else ()

    def tags(self, column: str, vocabulary: _Vocabulary) -> tuple[str, ...]:
        """A list of vocabulary tags: trimmed, lowercased, each one checked."""
        raw = self.raw(column)
        if raw is None:
            return ()
        out: list[str] = []
        for item in _split_list(raw):
            tag = normalise(item)
            problem = vocabulary.check(tag)
            if problem:
                self.error(column, problem)
            else:
                out.append(tag)
        return _dedupe(out)

    def build(self, model: type[M], values: dict[str, Any]) -> M | None:
        if self.failed:
            return None
        try:
            return model(**values)
        except ValidationError as exc:
            for column, message in _translate(exc):
                self.error(column, message)
            return None


def _in_range(value: float, gt: float | None, ge: float | None, le: float | None) -> bool:
    return not (
        (gt is not None and value <= gt)
        or (ge is not None and value < ge)
        or (le is not None and value > le)
    )


def _range_text(gt: float | None, ge: float | None, le: float | None) -> str:
    parts = []
    if gt is not None:
        parts.append(f"groter dan {_num(gt)}")
    if ge is not None:
        parts.append(f"minstens {_num(ge)}")
    if le is not None:
        parts.append(f"hoogstens {_num(le)}")
    return " en ".join(parts)


def _translate(exc: ValidationError, prefix: str = "") -> list[tuple[str | None, str]]:
    """pydantic's errors as (column or key, Dutch message)."""
    out: list[tuple[str | None, str]] = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        key = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or None)
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "greater_than":
            message = f"moet groter zijn dan {ctx.get('gt')}"
        elif kind == "greater_than_equal":
            message = f"moet minstens {ctx.get('ge')} zijn"
        elif kind == "less_than":
            message = f"moet kleiner zijn dan {ctx.get('lt')}"
        elif kind == "less_than_equal":
            message = f"mag hoogstens {ctx.get('le')} zijn"
        elif kind == "missing":
            message = "verplichte waarde ontbreekt"
        elif kind == "extra_forbidden":
            message = "onbekende sleutel"
        elif kind == "value_error":
            message = str(ctx.get("error", "ongeldige waarde"))
        else:
            message = f"ongeldige waarde ({kind})"
        out.append((key, message))
    return out


# --------------------------------------------------------------------------------------------
# Vocabularies


@dataclass(frozen=True)
class _Vocabulary:
    what: str  # "expertise" or "training"
    tags: frozenset[str]
    source: str

    def check(self, tag: str) -> str | None:
        if tag in self.tags:
            return None
        hint = _did_you_mean(tag, self.tags)
        if "," in tag:
            hint += " (items in een lijst worden gescheiden door ';')"
        return f"onbekende {self.what} {_q(tag)}{hint} (zie {self.source})"


def _vocabularies(
    norms: Norms, extra_expertise: Iterable[str], extra_trainings: Iterable[str]
) -> tuple[_Vocabulary, _Vocabulary]:
    extended = norms.with_extra(tuple(extra_expertise), tuple(extra_trainings))
    return (
        _Vocabulary(
            "expertise",
            frozenset(extended.expertise),
            "data/norms/expertise.csv en extra_expertise in policy.toml",
        ),
        _Vocabulary(
            "training",
            frozenset(extended.trainings),
            "data/norms/trainings.csv en extra_trainings in policy.toml",
        ),
    )


# --------------------------------------------------------------------------------------------
# policy.toml


def _toml_locations(text: str) -> dict[str, int]:
    """Dotted key or table name -> line number (1-based); a light scan, good enough for messages."""
    where: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        m = re.match(r"^\[\s*([^\[\]]+?)\s*\]", s)
        if m:
            table = m.group(1).replace('"', "").replace(" ", "")
            where.setdefault(table, number)
            continue
        m = re.match(r'^"?([A-Za-z0-9_.\-]+)"?\s*=', s)
        if m:
            where.setdefault(f"{table}.{m.group(1)}" if table else m.group(1), number)
    return where


def _locate(where: Mapping[str, int], key: str | None) -> int | None:
    if not key:
        return None
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        line = where.get(".".join(parts[:n]))
        if line is not None:
            return line
    return None


_TYPE_WORDS = {
    bool: "true of false",
    int: "een geheel getal",
    float: "een getal",
    str: "tekst tussen aanhalingstekens",
}


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0])
    return annotation


def _from_toml(value: Any, annotation: Any, key: str, problems: list[tuple[str, str]]) -> Any:
    """Convert a TOML value to the type of a model field; record (key, message) and raise _Bad
    when it does not fit. Strict: a string is not a number, a number is not a bool."""
    ann = _unwrap(annotation)
    origin = typing.get_origin(ann)

    def bad(message: str) -> _Bad:
        problems.append((key, message))
        return _Bad(message)

    if ann is bool:
        if isinstance(value, bool):
            return value
        raise bad(f"moet {_TYPE_WORDS[bool]} zijn, niet {value!r}")
    if ann is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad(f"moet {_TYPE_WORDS[int]} zijn, niet {value!r}")
    if ann is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise bad(f"moet een eindig getal zijn, niet {value!r}")
            return float(value)
        raise bad(f"moet {_TYPE_WORDS[float]} zijn, niet {value!r}")
    if ann is str:
        if isinstance(value, str):
            return value
        raise bad(f"moet {_TYPE_WORDS[str]} zijn, niet {value!r}")
    if ann is dt.date:
        if isinstance(value, dt.datetime):
            raise bad("moet een datum zonder tijd zijn (JJJJ-MM-DD)")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return _parse_date(value.strip())
            except _Bad as exc:
                raise bad(str(exc)) from None
        raise bad(f"moet een datum zijn (JJJJ-MM-DD), niet {value!r}")
    if isinstance(ann, type) and issubclass(ann, StrEnum):
        if not isinstance(value, str):
            raise bad(f"moet tekst zijn, niet {value!r}; {_allowed(m.value for m in ann)}")
        try:
            return _parse_enum(value, ann, "waarde")
        except _Bad as exc:
            raise bad(str(exc)) from None
    if origin is tuple:
        if not isinstance(value, list):
            raise bad(f'moet een lijst zijn, bijvoorbeeld ["a", "b"], niet {value!r}')
        item_type = typing.get_args(ann)[0]
        out: list[Any] = []
        failed = False
        for item in value:
            try:
                out.append(_from_toml(item, item_type, key, problems))
            except _Bad:
                failed = True
        if failed:
            raise _Bad(key)
        return tuple(dict.fromkeys(out))
    if origin is dict:
        key_type, value_type = typing.get_args(ann)
        if not isinstance(value, dict):
            raise bad(f"moet een tabel [{key}] zijn, niet {value!r}")
        result: dict[Any, Any] = {}
        failed = False
        allowed = [m.value for m in key_type] if issubclass(key_type, StrEnum) else None
        for k, v in value.items():
            sub = f"{key}.{k}"
            if allowed is not None:
                member = {a.lower(): a for a in allowed}.get(k.lower())
                if member is None:
                    problems.append(
                        (
                            sub,
                            f"onbekende sleutel {_q(k)}{_did_you_mean(k, allowed)}; "
                            f"{_allowed(allowed)}",
                        )
                    )
                    failed = True
                    continue
                k = key_type(member)
            try:
                result[k] = _from_toml(v, value_type, sub, problems)
            except _Bad:
                failed = True
        if failed:
            raise _Bad(key)
        return result
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        if not isinstance(value, dict):
            raise bad(f"moet een tabel [{key}] zijn, niet {value!r}")
        return _model_from_toml(value, ann, f"{key}.", problems)
    raise bad(f"kan dit type niet lezen ({ann!r})")  # pragma: no cover - new field type


def _model_from_toml(
    table: Mapping[str, Any],
    model: type[M],
    prefix: str,
    problems: list[tuple[str, str]],
) -> M:
    fields = model.model_fields
    values: dict[str, Any] = {}
    failed = False
    for k, v in table.items():
        key = f"{prefix}{k}"
        if k not in fields:
            problems.append((key, f"onbekende sleutel {_q(k)}{_did_you_mean(k, fields)}"))
            failed = True
            continue
        try:
            values[k] = _from_toml(v, fields[k].annotation, key, problems)
        except _Bad:
            failed = True
    if failed:
        raise _Bad(prefix)
    try:
        return model(**values)
    except ValidationError as exc:
        for key, message in _translate(exc, prefix):
            problems.append((key or prefix.rstrip("."), message))
        raise _Bad(prefix) from None


def _read_policy(
    path: Path, norms: Norms, sink: _Collector
) -> tuple[Policy | None, dict[str, Any]]:
    """(policy or None on error, the values that could be converted)."""
    if not path.exists():
        return Policy(), {}
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        sink.error(POLICY, None, None, f"bestand kan niet gelezen worden ({exc.strerror})")
        return None, {}
    except UnicodeDecodeError:
        sink.error(POLICY, None, None, "policy.toml moet UTF-8 zijn")
        return None, {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        sink.error(POLICY, int(m.group(1)) if m else None, None, f"ongeldige TOML: {exc}")
        return None, {}

    where = _toml_locations(text)
    problems: list[tuple[str, str]] = []
    defaults = Policy()
    values: dict[str, Any] = {}
    fields = Policy.model_fields
    failed = False
    for name, value in data.items():
        if name not in fields:
            problems.append((name, f"onbekende sleutel {_q(name)}{_did_you_mean(name, fields)}"))
            failed = True
            continue
        try:
            converted = _from_toml(value, fields[name].annotation, name, problems)
        except _Bad:
            failed = True
            continue
        default = getattr(defaults, name)
        if isinstance(default, dict) and isinstance(converted, dict):
            converted = {**default, **converted}  # a partial table keeps the other defaults
        values[name] = converted

    for name in ("extra_expertise", "extra_trainings", "safety_trainings"):
        if name in values:
            values[name] = tuple(dict.fromkeys(normalise(t) for t in values[name]))
    for intensity, hours in values.get("intensity_hours", {}).items():
        if hours < 0:
            problems.append((f"intensity_hours.{intensity}", "moet minstens 0 zijn"))
            failed = True
    if "safety_trainings" in values:
        _, trainings = _vocabularies(
            norms, values.get("extra_expertise", ()), values.get("extra_trainings", ())
        )
        for tag in values["safety_trainings"]:
            problem = trainings.check(tag)
            if problem:
                problems.append(("safety_trainings", problem))
                failed = True

    policy: Policy | None = None
    if not failed:
        try:
            policy = Policy(**values)
        except ValidationError as exc:
            problems.extend((k or "policy", m) for k, m in _translate(exc))
    for key, message in problems:
        sink.error(POLICY, _locate(where, key), key, message)
    return (policy if not problems else None), values


def read_policy(path: Path | str, norms: Norms | None = None) -> Policy:
    """Read one policy.toml (defaults when the file does not exist); raises `InputErrors`."""
    sink = _Collector()
    policy, _ = _read_policy(Path(path), norms or load_norms(), sink)
    if sink.errors or policy is None:
        raise InputErrors(sink.sorted_errors(), sink.sorted_warnings())
    return policy


# --------------------------------------------------------------------------------------------
# The dataset


@dataclass(frozen=True)
class _Ref:
    file: str
    row: int
    column: str
    value: str
    target: Literal["professional", "supervisor", "family"]


@dataclass
class _Ids:
    """Ids seen in one file (first row of each), to find duplicates and dangling references."""

    file: str
    first_row: dict[str, int] = field(default_factory=dict)
    complete: bool = True  # False when the file or its id column is missing

    def add(self, row: _Row, column: str = "id") -> str | None:
        value = row.text(column, required=True)
        if value is None:
            return None
        if value in self.first_row:
            row.error(column, f"dubbel id {_q(value)} (ook op rij {self.first_row[value]})")
        else:
            self.first_row[value] = row.rownum
        return value


def _rows(table: _Table | None, sink: _Collector) -> Iterator[_Row]:
    if table is None:
        return
    for number, cells in table.rows:
        yield _Row(table, number, cells, sink)


def read_dataset_with_warnings(folder: Path | str, norms: Norms | None = None) -> ReadResult:
    """Read a dataset folder; raises `InputErrors` with every problem found in all files."""
    folder = Path(folder)
    norms = norms or load_norms()
    sink = _Collector()
    if not folder.is_dir():
        sink.error(str(folder), None, None, "map met invoerbestanden bestaat niet")
        raise InputErrors(sink.errors)

    policy, policy_values = _read_policy(folder / POLICY, norms, sink)
    expertise_vocab, training_vocab = _vocabularies(
        norms, policy_values.get("extra_expertise", ()), policy_values.get("extra_trainings", ())
    )
    tables = {file: _read_table(folder, file, sink) for file in COLUMNS}
    refs: list[_Ref] = []

    def ids_for(file: str) -> _Ids:
        table = tables[file]
        return _Ids(file, complete=table is not None and "id" in table.columns)

    # professionals.csv
    prof_ids = ids_for(PROFESSIONALS)
    professionals: list[Professional] = []
    teams: set[str] = set()
    interns_without_supervisor: list[_Row] = []
    for row in _rows(tables[PROFESSIONALS], sink):
        pid = prof_ids.add(row)
        absent_from = row.date("absent_from")
        absent_until = row.date("absent_until")
        if absent_from and absent_until and absent_until < absent_from:
            row.error(
                "absent_until",
                f"absent_until ({absent_until}) ligt voor absent_from ({absent_from})",
            )
        function = row.text("function", required=True)
        team = row.text("team", required=True)
        if team is not None:
            teams.add(team)
        supervisor = row.text("supervisor_id")
        if supervisor is not None:
            if supervisor == pid:
                row.error("supervisor_id", "een professional kan niet zijn eigen begeleider zijn")
            else:
                refs.append(
                    _Ref(PROFESSIONALS, row.rownum, "supervisor_id", supervisor, "supervisor")
                )
        elif function is not None and normalise(function) == "stagiair":
            interns_without_supervisor.append(row)
        prof = row.build(
            Professional,
            {
                "id": pid,
                "name": row.text("name"),
                "team": team,
                "function": function,
                "fte": row.number("fte", required=True, gt=0, le=1.2),
                "casework_share": row.number("casework_share", ge=0, le=1),
                "max_families": row.integer("max_families", ge=0),
                "expertise": row.tags("expertise", expertise_vocab),
                "trainings": row.tags("trainings", training_vocab),
                "wijken": row.items("wijken"),
                "languages": row.items("languages"),
                "absent_from": absent_from,
                "absent_until": absent_until,
                "accepts_new": row.boolean("accepts_new", default=True),
                "supervisor_id": supervisor,
            },
        )
        if prof is not None:
            professionals.append(prof)
    for row in interns_without_supervisor:
        row.warn("supervisor_id", "stagiair zonder begeleider (supervisor_id)")

    # registrations.csv
    registrations: list[Registration] = []
    for row in _rows(tables[REGISTRATIONS], sink):
        pid = row.text("professional_id", required=True)
        if pid is not None:
            refs.append(_Ref(REGISTRATIONS, row.rownum, "professional_id", pid, "professional"))
        register = row.choice("register", Register, required=True)
        title = row.text("title", required=True)
        if register is not None and title is not None:
            _check_title(row, norms, register, title)
        reg = row.build(
            Registration,
            {
                "professional_id": pid,
                "register": register,
                "title": title,
                "number": row.text("number"),
                "valid_until": row.date("valid_until", required=True),
            },
        )
        if reg is not None:
            registrations.append(reg)

    # families.csv
    family_ids = ids_for(FAMILIES)
    families: list[Family] = []
    family_rows: dict[str, int] = {}
    for row in _rows(tables[FAMILIES], sink):
        fid = family_ids.add(row)
        if fid is not None:
            family_rows.setdefault(fid, row.rownum)
        for column in ("current_primary", "current_backup"):
            value = row.text(column)
            if value is not None:
                refs.append(_Ref(FAMILIES, row.rownum, column, value, "professional"))
        excluded = row.items("excluded")
        for value in excluded:
            refs.append(_Ref(FAMILIES, row.rownum, "excluded", value, "professional"))
        fam = row.build(
            Family,
            {
                "id": fid,
                "team": row.text("team", required=True),
                "wijk": row.text("wijk"),
                "language": row.text("language"),
                "registered_on": row.date("registered_on", required=True),
                "current_primary": row.text("current_primary"),
                "current_backup": row.text("current_backup"),
                "pinned": row.boolean("pinned", default=False),
                "excluded": excluded,
            },
        )
        if fam is not None:
            families.append(fam)

    # cases.csv
    case_ids = ids_for(CASES)
    cases: list[Case] = []
    families_with_case: set[str] = set()
    for row in _rows(tables[CASES], sink):
        cid = case_ids.add(row)
        fid = row.text("family_id", required=True)
        if fid is not None:
            families_with_case.add(fid)
            refs.append(_Ref(CASES, row.rownum, "family_id", fid, "family"))
        case = row.build(
            Case,
            {
                "id": cid,
                "family_id": fid,
                "age": row.integer("age", required=True, ge=0, le=23),
                "phase": row.choice("phase", Phase, required=True),
                "intensity": row.choice("intensity", Intensity, required=True),
                "hours": row.number("hours", ge=0),
                "safety": row.choice("safety", Safety, required=True),
                "urgency": row.choice("urgency", Urgency) or Urgency.REGULIER,
                "required_expertise": row.tags("required_expertise", expertise_vocab),
                "preferred_expertise": row.tags("preferred_expertise", expertise_vocab),
                "triggers": row.choices("triggers", Trigger, "trigger"),
            },
        )
        if case is not None:
            cases.append(case)

    # exceptions.csv (optional)
    exceptions: list[TenzijDecision] = []
    for row in _rows(tables[EXCEPTIONS], sink):
        pid = row.text("professional_id", required=True)
        fid = row.text("family_id", required=True)
        if pid is not None:
            refs.append(_Ref(EXCEPTIONS, row.rownum, "professional_id", pid, "professional"))
        if fid is not None:
            refs.append(_Ref(EXCEPTIONS, row.rownum, "family_id", fid, "family"))
        limb = row.integer("limb", required=True)
        if limb is not None and limb not in (1, 2):
            row.error("limb", f"limb moet 1 of 2 zijn, niet {limb}")
        decision = row.build(
            TenzijDecision,
            {
                "professional_id": pid,
                "family_id": fid,
                "limb": limb,
                "reason": row.text("reason", required=True),
                "decided_by": row.text("decided_by"),
                "decided_on": row.date("decided_on"),
            },
        )
        if decision is not None:
            exceptions.append(decision)

    # Cross-file checks.
    for ref in refs:
        ids = family_ids if ref.target == "family" else prof_ids
        if not ids.complete or ref.value in ids.first_row:
            continue
        near = [k for k in ids.first_row if k.lower() == ref.value.lower()]
        hint = f"; bedoelde je {_q(near[0])}?" if near else ""
        if ref.target == "family":
            message = f"onbekend gezin {_q(ref.value)} (staat niet in {FAMILIES}){hint}"
        elif ref.target == "supervisor":
            message = f"onbekende begeleider {_q(ref.value)} (staat niet in {PROFESSIONALS}){hint}"
        else:
            message = (
                f"onbekende professional {_q(ref.value)} (staat niet in {PROFESSIONALS}){hint}"
            )
        sink.error(ref.file, ref.row, ref.column, message)
    cases_table = tables[CASES]
    if cases_table is not None and "family_id" in cases_table.columns:
        for fid, number in family_rows.items():
            if fid not in families_with_case:
                sink.error(
                    FAMILIES,
                    number,
                    "id",
                    f"gezin {_q(fid)} heeft geen casus in {CASES}; "
                    "een gezin heeft minstens één casus nodig",
                )
    prof_table = tables[PROFESSIONALS]
    if teams and prof_table is not None and "team" in prof_table.columns:
        for fam in families:
            if fam.team not in teams:
                sink.warn(
                    FAMILIES,
                    family_rows.get(fam.id),
                    "team",
                    f"team {_q(fam.team)} heeft geen professionals in {PROFESSIONALS}",
                )

    warnings = sink.sorted_warnings()
    if sink.errors or policy is None:
        raise InputErrors(sink.sorted_errors(), warnings)
    dataset = Dataset(
        professionals=tuple(professionals),
        registrations=tuple(registrations),
        families=tuple(families),
        cases=tuple(cases),
        exceptions=tuple(exceptions),
        policy=policy,
        source=str(folder),
    )
    return ReadResult(dataset, tuple(warnings))


def read_dataset(folder: Path | str, norms: Norms | None = None) -> Dataset:
    """Read a dataset folder; raises `InputErrors`. Warnings are logged (logger `planner.io`)."""
    result = read_dataset_with_warnings(folder, norms)
    for warning in result.warnings:
        log.warning("%s", warning)
    return result.dataset


def _check_title(row: _Row, norms: Norms, register: Register, title: str) -> None:
    if register.value not in NORM_REGISTERS:
        return  # Registerplein, Vaktherapie, other: free text, never counts for the norm
    if norms.title(register.value, title) is not None:
        return
    others = [r for r in NORM_REGISTERS if r != register.value and norms.title(r, title)]
    if others:
        row.error("title", f"{_q(title)} is een {others[0]}-titel, geen {register.value}-titel")
        return
    known = norms.titles_of(register.value)
    row.error(
        "title",
        f"onbekende {register.value}-titel {_q(title)}{_did_you_mean(title, known)} "
        "(zie data/norms/titles.csv)",
    )


# --------------------------------------------------------------------------------------------
# Writing


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ";".join(_cell(v) for v in value)
    return str(value)


def _write_csv(path: Path, columns: Iterable[str], models: Iterable[BaseModel]) -> None:
    names = list(columns)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        for model in models:
            writer.writerow([_cell(getattr(model, name)) for name in names])


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, StrEnum):
        return _toml_string(value.value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # 'inf'/'nan' are valid TOML too
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def policy_toml(policy: Policy) -> str:
    """policy.toml text: `plan_date` and every key that differs from the default (tables whole)."""
    default = Policy(plan_date=policy.plan_date)
    lines = [
        "# Teambeleid; alle sleutels en standaardwaarden: docs/data-format.md",
        f"plan_date = {_toml_value(policy.plan_date)}",
    ]
    tables: list[str] = []
    for name in Policy.model_fields:
        value = getattr(policy, name)
        if name == "plan_date" or value == getattr(default, name):
            continue
        if isinstance(value, BaseModel):
            items = {k: getattr(value, k) for k in type(value).model_fields}
        elif isinstance(value, dict):
            items = {_cell(k): v for k, v in value.items()}
        else:
            lines.append(f"{name} = {_toml_value(value)}")
            continue
        tables += ["", f"[{name}]"] + [f"{k} = {_toml_value(v)}" for k, v in items.items()]
    return "\n".join(lines + tables) + "\n"


def write_dataset(dataset: Dataset, folder: Path | str) -> None:
    """Write `dataset` as a dataset folder (all five CSV files and policy.toml), overwriting."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / PROFESSIONALS, COLUMNS[PROFESSIONALS], dataset.professionals)
    _write_csv(folder / REGISTRATIONS, COLUMNS[REGISTRATIONS], dataset.registrations)
    _write_csv(folder / FAMILIES, COLUMNS[FAMILIES], dataset.families)
    _write_csv(folder / CASES, COLUMNS[CASES], dataset.cases)
    _write_csv(folder / EXCEPTIONS, COLUMNS[EXCEPTIONS], dataset.exceptions)
    (folder / POLICY).write_text(policy_toml(dataset.policy), encoding="utf-8")
