"""Downloads of a plan: the command line's four files as a zip, and one Excel workbook.

The zip holds exactly what `planner plan --out` writes (`planner.report.write_report`):
assignments.csv, waiting.csv, workload.csv and summary.json. The workbook has the same rows
with Dutch column names, one sheet per table, plus the summary, the objective levels and the
findings.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from dashboard.state import PlanResult

ZIP = "zip"
XLSX = "xlsx"


def report_zip(result: PlanResult) -> bytes:
    from planner.report import write_report

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="wijkteam-plan-") as tmp:
        paths = write_report(result.report, Path(tmp))
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, arcname=p.name)
    return buf.getvalue()


def _sheet(
    book: Workbook, title: str, df: pd.DataFrame, widths: dict[str, int] | None = None
) -> Worksheet:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title)
    ws.append(list(df.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False):
        ws.append([_plain(v) for v in row])
    ws.freeze_panes = "A2"
    for i, col in enumerate(df.columns, start=1):
        width = (widths or {}).get(col) or min(60, max(10, len(str(col)) + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
    return ws


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    return v


def summary_rows(result: PlanResult) -> list[tuple[str, Any]]:
    s = result.report.summary
    c = s["counts"]
    rows: list[tuple[str, Any]] = [
        ("Gegevens", result.ctx.dataset.source or ""),
        ("Plandatum", s["plan_date"]),
        ("Status", s["status"]),
        ("Rekentijd (s)", s["solve_seconds"]),
        ("Gezinnen", c["families"]),
        ("Geplaatst", c["placed"]),
        ("Wachtlijst", c["waiting"]),
        ("Vast gezicht behouden", c["kept"]),
        ("Vast gezicht gewisseld", c["changes"]),
        ("Nieuw geplaatst", c["new"]),
        ("Achtervang geplaatst / nodig", f"{c['backups_placed']} / {c['backups_needed']}"),
        (
            "Consulten geplaatst / nodig",
            f"{c['consults_placed'] + c['consults_self_covered']} / {c['consults_needed']}",
        ),
        ("Gemiddelde bezetting", s["utilisation"]["mean"]),
        ("Hoogste bezetting", s["utilisation"]["max"]),
        ("Regelovertredingen in dit plan", s["rule_violations"]),
        ("Bevindingen", len(s["findings"])),
    ]
    b = s.get("baseline")
    if b:
        rows += [
            ("Handwerk: geplaatst", b["placed"]),
            ("Handwerk: keuzes in strijd met de norm", b["choices_breaking_norm"]),
            ("Handwerk: zonder vereiste expertise", b["missing_required_expertise"]),
            ("Handwerk: zonder geldige registratie", b["unregistered"]),
            ("Handwerk: zonder veiligheidstraining", b["missing_safety_training"]),
        ]
    rows += [("Wat-als", e) for e in result.edits]
    return rows


def report_xlsx(result: PlanResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    frames = result.frames
    book = Workbook()
    ws = book.active
    ws.title = "Samenvatting"
    ws.append(["Onderdeel", "Waarde"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for k, v in summary_rows(result):
        ws.append([k, v])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40
    wide = {"Toelichting": 90, "Signalen": 30, "Melding": 90, "Omschrijving": 60}
    _sheet(book, "Toedeling", frames.assignments, wide)
    _sheet(book, "Wachtlijst", frames.waiting, wide)
    _sheet(book, "Belasting", frames.workload, wide)
    _sheet(book, "Doelen", frames.levels, wide)
    _sheet(book, "Bevindingen", frames.findings, wide)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_downloads(result: PlanResult) -> dict[str, bytes]:
    return {ZIP: report_zip(result), XLSX: report_xlsx(result)}


def file_stem(result: PlanResult) -> str:
    return f"plan-{result.settings.plan_date.isoformat()}-{result.number}"
