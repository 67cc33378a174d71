"""Loading a dataset for the dashboard: the demo team, uploaded CSV files or one Excel workbook.

Uploads are written to a temporary dataset folder and read with `planner.io`, so every problem
is reported exactly as the command line reports it (file, row, column, message). A workbook has
one sheet per file (`professionals`, `registrations`, `families`, `cases`, optionally
`exceptions` and `policy`); each sheet is written as its CSV file with the sheet's row numbers
kept, so a message names the sheet and the row the user sees in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.io import (
    FILES,
    InputErrors,
    InputProblem,
    policy_toml,
    read_dataset_with_warnings,
    write_dataset,
)
from planner.model import Dataset

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data" / "demo"
POLICY_FILE = "policy.toml"
SHEETS: dict[str, str] = {Path(f).stem: f for f in FILES}
"""Workbook sheet name (case-insensitive, `.csv`/`.toml` suffix allowed) -> dataset file."""


@dataclass(frozen=True)
class Problem:
    """One input problem as shown in the dashboard (where: file, or workbook and sheet)."""

    where: str
    row: int | None
    column: str | None
    message: str

    def as_row(self) -> dict[str, Any]:
        return {
            "Bestand": self.where,
            "Rij": self.row,
            "Kolom": self.column or "",
            "Melding": self.message,
        }


@dataclass(frozen=True)
class Loaded:
    """The outcome of loading: a dataset, or the errors that stop planning."""

    key: str
    label: str
    dataset: Dataset | None
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not self.errors


def digest(parts: Iterable[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, data in sorted(parts):
        h.update(name.encode())
        h.update(b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()[:16]


def _read_folder(folder: Path, key: str, label: str, where: dict[str, str] | None = None) -> Loaded:
    """Read a dataset folder with planner.io; `where` renames files (workbook sheets)."""
    where = where or {}

    def problem(p: InputProblem) -> Problem:
        message = p.message
        if p.file in where and message == "verplicht bestand ontbreekt":
            message = "verplicht werkblad ontbreekt"
        return Problem(where.get(p.file, p.file), p.row, p.column, message)

    try:
        result = read_dataset_with_warnings(folder)
    except InputErrors as err:
        return Loaded(
            key,
            label,
            None,
            tuple(problem(e) for e in err.errors),
            tuple(problem(w) for w in err.warnings),
        )
    dataset = result.dataset.model_copy(update={"source": label})
    return Loaded(key, label, dataset, (), tuple(problem(w) for w in result.warnings))


def demo_signature(folder: Path = DEMO_DIR) -> str:
    """Changes when a demo file changes (the cache key of the demo team)."""
    parts = [
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(folder.iterdir())
        if p.is_file()
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def load_folder(folder: Path, label: str) -> Loaded:
    return _read_folder(folder, f"map:{demo_signature(folder)}", label)


# --------------------------------------------------------------------------------------------
# Uploads


def load_upload(files: Sequence[tuple[str, bytes]]) -> Loaded:
    """Read uploaded files: the dataset's CSV files (and policy.toml), or one .xlsx workbook
    (optionally with a policy.toml next to it)."""
    key = "upload:" + digest(files)
    names = [Path(name).name for name, _ in files]
    label = "upload: " + ", ".join(names)
    workbooks = [(n, d) for n, d in files if n.lower().endswith(".xlsx")]
    others = [(Path(n).name, d) for n, d in files if not n.lower().endswith(".xlsx")]
    if not files:
        return Loaded(key, label, None, (Problem("upload", None, None, "geen bestanden"),))
    if len(workbooks) > 1 or (workbooks and any(n != POLICY_FILE for n, _ in others)):
        msg = (
            "upload óf de losse CSV-bestanden óf één Excel-werkmap (.xlsx) met één werkblad per "
            "bestand, niet beide"
        )
        return Loaded(key, label, None, (Problem("upload", None, None, msg),))
    warnings: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="wijkteam-upload-") as tmp:
        folder = Path(tmp)
        where: dict[str, str] = {}
        if workbooks:
            book_name, book_data = workbooks[0]
            book_name = Path(book_name).name
            try:
                sheets, extra = workbook_to_folder(book_data, folder)
            except ValueError as exc:
                return Loaded(key, label, None, (Problem(book_name, None, None, str(exc)),))
            where = {file: f"{book_name}, werkblad {sheet}" for file, sheet in sheets.items()}
            for file in FILES:
                where.setdefault(file, f"{book_name}, werkblad {Path(file).stem}")
            warnings += [
                Problem(f"{book_name}, werkblad {s}", None, None, "onbekend werkblad genegeerd")
                for s in extra
            ]
        for name, data in others:
            if name not in FILES:
                warnings.append(
                    Problem(
                        name,
                        None,
                        None,
                        "onbekend bestand genegeerd; verwacht: " + ", ".join(FILES),
                    )
                )
                continue
            if name == POLICY_FILE and workbooks:
                where.pop(POLICY_FILE, None)
            (folder / name).write_bytes(data)
        loaded = _read_folder(folder, key, label, where)
    return Loaded(
        loaded.key, loaded.label, loaded.dataset, loaded.errors, (*warnings, *loaded.warnings)
    )


def _cell_text(value: Any) -> str:
    """An Excel cell as the text the CSV reader expects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _toml_literal(value: Any) -> str:
    """A policy sheet's value cell as a TOML value (text that is no TOML value is quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).strip()
    try:
        tomllib.loads(f"x = {text}")
    except tomllib.TOMLDecodeError:
        return json.dumps(text, ensure_ascii=False)
    return text


def _sheet_rows(ws: Any) -> list[list[Any]]:
    rows = [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True)]
    for r in rows:
        while r and r[-1] is None:
            r.pop()
    return rows


def workbook_to_folder(data: bytes, folder: Path) -> tuple[dict[str, str], list[str]]:
    """Write each known sheet of an .xlsx workbook as its dataset file in `folder`.

    Row n of a sheet becomes line n of the file, so the reader's row numbers are the sheet's.
    Returns (file -> sheet name, unknown sheet names); raises ValueError when it is no workbook.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a broken or foreign file
        raise ValueError(f"geen geldige Excel-werkmap (.xlsx): {exc.__class__.__name__}") from exc
    sheets: dict[str, str] = {}
    unknown: list[str] = []
    for ws in book.worksheets:
        stem = ws.title.strip().lower().removesuffix(".csv").removesuffix(".toml")
        file = SHEETS.get(stem)
        if file is None or file in sheets:
            unknown.append(ws.title)
            continue
        sheets[file] = ws.title
        rows = _sheet_rows(ws)
        if file == POLICY_FILE:
            (folder / file).write_text(_policy_text(rows), encoding="utf-8")
            continue
        with (folder / file).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for r in rows:
                writer.writerow([_cell_text(v) for v in r])
    return sheets, unknown


def _policy_text(rows: list[list[Any]]) -> str:
    """A policy sheet (columns key, value; optional header row) as policy.toml, line n = row n."""
    lines = []
    for n, r in enumerate(rows, start=1):
        key = _cell_text(r[0]).strip() if r else ""
        value = r[1] if len(r) > 1 else None
        if not key or (n == 1 and key.lower() in {"key", "sleutel"}):
            lines.append("#" if key else "")
        elif value is None or (isinstance(value, str) and not value.strip()):
            lines.append(f"# {key}: leeg, standaardwaarde")
        else:
            lines.append(f"{key} = {_toml_literal(value)}")
    return "\n".join(lines) + "\n"


def dataset_workbook(dataset: Dataset) -> bytes:
    """The dataset as one .xlsx workbook in the upload format (a template for own data)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    with tempfile.TemporaryDirectory(prefix="wijkteam-export-") as tmp:
        folder = Path(tmp)
        write_dataset(dataset, folder)
        for file in FILES:
            if file == POLICY_FILE:
                continue
            ws = book.create_sheet(Path(file).stem)
            with (folder / file).open(encoding="utf-8", newline="") as fh:
                for row in csv.reader(fh):
                    ws.append(row)
            for cell in ws[1]:
                cell.font = Font(bold=True)
    ws = book.create_sheet("policy")
    ws.append(["key", "value"])
    ws["A1"].font = ws["B1"].font = Font(bold=True)
    for key, value in _flatten(tomllib.loads(policy_toml(dataset.policy))):
        ws.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, v in table.items():
        if isinstance(v, dict):
            out += _flatten(v, f"{prefix}{k}.")
        elif isinstance(v, list):
            out.append((prefix + k, json.dumps(v, ensure_ascii=False)))
        elif isinstance(v, dt.date | bool | int | float):
            out.append((prefix + k, _toml_literal(v)))
        else:
            out.append((prefix + k, str(v)))
    return out
