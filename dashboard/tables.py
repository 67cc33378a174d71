"""Tables (pandas DataFrames with Dutch column names) built from the planner's own rows.

Nothing here decides anything: assignments, reasons, waiting reasons and workload come from
`planner.report` / `planner.explain`, verdicts from `planner.rules`, findings and coverage from
`planner.findings`. This module only selects, labels and filters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from planner.facts import Context
from planner.findings import Finding, coverage
from planner.model import Family, Role
from planner.rules import failures, verdicts

if TYPE_CHECKING:
    from dashboard.state import PlanResult

ROLE_NL = {"primary": "primair", "backup": "achtervang", "consult": "consult"}
CHANGE_NL = {"kept": "✔ behouden", "new": "✚ nieuw", "changed": "↻ gewisseld"}
REASON_NL = {
    "NO_ELIGIBLE": "niemand toegestaan",
    "CAPACITY": "geen ruimte",
    "PRIORITY": "ruimte naar hogere prioriteit",
    "TIME_LIMIT": "rekentijd op",
}
STATUS_NL = {
    "optimal": "optimaal (alle doelen bewezen)",
    "feasible": "goed plan, niet alle doelen bewezen binnen de rekentijd",
    "infeasible": "onoplosbaar",
    "unknown": "geen oplossing binnen de rekentijd",
    "invalid": "ongeldig probleem",
}
SEVERITY_ICON = {"fout": "✘ fout", "waarschuwing": "⚠ waarschuwing", "info": "ℹ info"}


def pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def nl_num(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def search(df: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows where any cell contains `text` (case-insensitive); all rows for empty text."""
    text = text.strip().lower()
    if not text or df.empty:
        return df
    hay = df.astype(str).apply(lambda col: col.str.lower())
    mask = hay.apply(lambda col: col.str.contains(text, regex=False)).any(axis=1)
    return df[mask]


def pick(df: pd.DataFrame, column: str, values: list[Any] | None) -> pd.DataFrame:
    """Rows whose `column` is one of `values` (all rows when nothing is chosen)."""
    if not values or df.empty:
        return df
    return df[df[column].isin(values)]


def pro_label(ctx: Context, pid: str) -> str:
    p = ctx.professionals.get(pid)
    if p is None:
        return pid
    name = f" {p.name}" if p.name else ""
    return f"{pid}{name} ({p.function})"


# --------------------------------------------------------------------------------------------
# A plan


@dataclass
class PlanFrames:
    assignments: pd.DataFrame
    waiting: pd.DataFrame
    waiting_families: pd.DataFrame
    waiting_roles: pd.DataFrame
    workload: pd.DataFrame
    levels: pd.DataFrame
    findings: pd.DataFrame

    @classmethod
    def build(cls, result: PlanResult) -> PlanFrames:
        ctx, report = result.ctx, result.report
        rows = []
        for r in report.assignments:
            fam = ctx.families[r.family_id]
            was = {"primary": fam.current_primary, "backup": fam.current_backup}.get(r.role)
            rows.append(
                {
                    "Gezin": r.family_id,
                    "Prioriteit": ctx.priority(r.family_id).value,
                    "Wijk": fam.wijk or "",
                    "Rol": ROLE_NL[r.role],
                    "Hulpvraag": r.case_id,
                    "Professional": r.professional_id,
                    "Was": was or "",
                    "Wijziging": CHANGE_NL.get(r.change, r.change) if r.role != "consult" else "",
                    "Signalen": r.flags,
                    "Toelichting": r.reasons,
                }
            )
        waiting = [
            {
                "Rang": w.rank,
                "Gezin": w.family_id,
                "Rol": ROLE_NL[w.role],
                "Hulpvraag": w.case_id,
                "Prioriteit": w.priority,
                "Wachtdagen": w.waiting_days,
                "Uren/week": ctx.family_hours(w.family_id),
                "Reden": REASON_NL.get(w.reason_code, w.reason_code),
                "Toelichting": w.reason,
            }
            for w in report.waiting
        ]
        wdf = pd.DataFrame(waiting, columns=_WAITING_COLUMNS)
        fam_df = wdf[wdf["Rol"] == "primair"].copy()
        fam_df["Rang"] = range(1, len(fam_df) + 1)
        role_df = wdf[wdf["Rol"] != "primair"].drop(columns=["Uren/week"])
        return cls(
            assignments=pd.DataFrame(rows, columns=_ASSIGNMENT_COLUMNS),
            waiting=wdf,
            waiting_families=fam_df.drop(columns=["Rol", "Hulpvraag"]),
            waiting_roles=role_df,
            workload=workload_frame(ctx, report.workload),
            levels=levels_frame(report.summary["levels"]),
            findings=findings_frame(result.findings),
        )


_ASSIGNMENT_COLUMNS = [
    "Gezin",
    "Prioriteit",
    "Wijk",
    "Rol",
    "Hulpvraag",
    "Professional",
    "Was",
    "Wijziging",
    "Signalen",
    "Toelichting",
]
_WAITING_COLUMNS = [
    "Rang",
    "Gezin",
    "Rol",
    "Hulpvraag",
    "Prioriteit",
    "Wachtdagen",
    "Uren/week",
    "Reden",
    "Toelichting",
]


def workload_frame(ctx: Context, workload: list[Any]) -> pd.DataFrame:
    rows = []
    for w in workload:
        pro = ctx.professionals[w.professional_id]
        rows.append(
            {
                "Professional": w.professional_id,
                "Naam": pro.name or "",
                "Functie": pro.function,
                "Team": w.team,
                "Capaciteit (u/week)": w.capacity_hours,
                "Belasting (u/week)": w.load_hours,
                "Bezetting": w.utilisation,
                "Gezinnen": w.families_primary,
                "Achtervang": w.families_backup,
                "Consulten": w.consults,
                "Registratie geldig tot": w.registration_valid_until,
                "Signalen": w.flags,
            }
        )
    return pd.DataFrame(rows)


def levels_frame(levels: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Doel": i,
                "Naam": lv["name"],
                "Omschrijving": lv["label"],
                "Waarde": lv["value"],
                "Grens": lv["bound"],
                "Bewezen": "ja" if lv["proven"] else "nee",
                "Seconden": lv["seconds"],
            }
            for i, lv in enumerate(levels, start=1)
        ]
    )


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Ernst": SEVERITY_ICON.get(f.severity, f.severity),
                "Code": f.code,
                "Betreft": f.subject,
                "Melding": f.message,
            }
            for f in findings
        ],
        columns=["Ernst", "Code", "Betreft", "Melding"],
    )


# --------------------------------------------------------------------------------------------
# Families, cases, registrations


def cases_frame(ctx: Context, family_ids: list[str]) -> pd.DataFrame:
    rows = []
    for fid in family_ids:
        for c in ctx.cases_of.get(fid, []):
            rows.append(
                {
                    "Gezin": fid,
                    "Hulpvraag": c.id,
                    "Leeftijd": c.age,
                    "Fase": c.phase.value,
                    "Intensiteit": c.intensity.value,
                    "Uren/week": ctx.case_hours(c),
                    "Veiligheid": c.safety.value,
                    "Urgentie": c.urgency.value,
                    "Vereiste expertise": ", ".join(c.required_expertise),
                    "Voorkeursexpertise": ", ".join(c.preferred_expertise),
                    "Triggers": ", ".join(str(t) for t in c.triggers),
                }
            )
    return pd.DataFrame(rows)


def registrations_frame(ctx: Context, pro_ids: list[str] | None = None) -> pd.DataFrame:
    """Every registration with its status on the plan date (all registers; SKJ/BIG count)."""
    window = ctx.policy.registration_warning_days
    counting = {
        (pid, r.register, r.title, r.valid_until)
        for pid in ctx.professionals
        for r, _ in ctx.norm_registrations(pid)
    }
    rows = []
    for r in ctx.dataset.registrations:
        if pro_ids is not None and r.professional_id not in pro_ids:
            continue
        days = (r.valid_until - ctx.plan_date).days
        counts = (r.professional_id, r.register, r.title, r.valid_until) in counting
        if not counts:
            status = "telt niet voor de norm"
        elif days < 0:
            status = "✘ verlopen"
        elif days <= window:
            status = f"⚠ verloopt binnen {window} dagen"
        else:
            status = "✔ geldig"
        rows.append(
            {
                "Professional": r.professional_id,
                "Register": str(r.register),
                "Titel": r.title,
                "Nummer": r.number or "",
                "Geldig tot": r.valid_until.isoformat(),
                "Dagen": days,
                "Status": status,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["Professional", "Register", "Titel", "Nummer", "Geldig tot", "Dagen", "Status"],
    )


def _registration_basis(ctx: Context, pid: str, fam: Family, role: Role) -> tuple[bool, str]:
    """(allowed, basis) for one role: the registration verdict, or the failing rules."""
    fails = failures(ctx, ctx.professionals[pid], fam, role)
    if fails:
        return False, "✘ " + "; ".join(v.reason for v in fails)
    reg = next(
        v for v in verdicts(ctx, ctx.professionals[pid], fam, role) if v.rule == "registratie"
    )
    icon = "✔" if reg.flag is None else "☑"
    return True, f"{icon} {reg.reason}"


def compliance_frame(
    ctx: Context, primary_of: Mapping[str, str], backup_of: Mapping[str, str]
) -> pd.DataFrame:
    """Per family: primary and backup with the basis of their registration (or tenzij /
    supervised intern) and whether the norm is met."""
    rows = []
    for fam in sorted(ctx.families.values(), key=lambda f: ctx.queue_key(f.id)):
        p, b = primary_of.get(fam.id), backup_of.get(fam.id)
        need_backup = ctx.needs_backup(fam.id)
        p_ok, p_basis = _registration_basis(ctx, p, fam, Role.PRIMARY) if p else (False, "")
        b_ok, b_basis = _registration_basis(ctx, b, fam, Role.BACKUP) if b else (False, "")
        if p is None:
            status = "○ wacht op plaatsing"
        elif not p_ok or (b is not None and not b_ok):
            status = "✘ voldoet niet"
        elif need_backup and b is None:
            status = "⚠ achtervang ontbreekt"
        else:
            status = "✔ voldoet"
        basis = "geregistreerd"
        if p_ok and "tenzij" in p_basis:
            basis = "tenzij-besluit"
        elif p_ok and "stagiair" in p_basis:
            basis = "stagiair onder verantwoordelijkheid"
        elif not p_ok:
            basis = ""
        rows.append(
            {
                "Gezin": fam.id,
                "Prioriteit": ctx.priority(fam.id).value,
                "Status": status,
                "Primair": p or "",
                "Grondslag": basis,
                "Toets primair": p_basis,
                "Achtervang nodig": "ja" if need_backup else "nee",
                "Achtervang": b or "",
                "Toets achtervang": b_basis,
            }
        )
    return pd.DataFrame(rows)


def expiring_frame(ctx: Context) -> pd.DataFrame:
    """Counting registrations that lapsed or lapse within the warning window, soonest first."""
    df = registrations_frame(ctx)
    df = df[df["Status"].str.startswith(("✘", "⚠"))].copy()
    primaries = ctx.current_primary_count()
    df["Gezinnen nu (gegevens)"] = [primaries.get(p, 0) for p in df["Professional"]]
    return df.sort_values(["Dagen", "Professional"]).reset_index(drop=True)


def coverage_frames(ctx: Context, team: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Besluit Jeugdwet 2.1 coverage of one team: (areas a-f x professionals, with the tags in
    each cell and a count; expertise tags x professionals)."""
    cov = coverage(ctx).get(team, {})
    pros = [p for p in ctx.professionals.values() if p.team == team]
    area_rows = []
    for area, label in ctx.norms.areas.items():
        n = len(cov.get(area, []))
        row: dict[str, Any] = {
            "Gebied": area,
            "Omschrijving": label,
            "Beschikbaar": n,
            "Dekking": "✔ gedekt" if n else "✘ ontbreekt",
        }
        for p in pros:
            tags = [t for t in p.expertise if ctx.norms.expertise.get(t) == area]
            cell = ", ".join(tags)
            if tags and p.id not in cov.get(area, []):
                cell += " (langdurig afwezig)"
            row[p.id] = cell
        area_rows.append(row)
    tag_rows = []
    tags = sorted(
        {t for p in pros for t in p.expertise}, key=lambda t: (ctx.norms.expertise.get(t) or "z", t)
    )
    for tag in tags:
        row = {"Expertise": tag, "Gebied": ctx.norms.expertise.get(tag) or "-"}
        for p in pros:
            row[p.id] = "✔" if tag in p.expertise else ""
        tag_rows.append(row)
    return pd.DataFrame(area_rows), pd.DataFrame(tag_rows)


def current_assignment(ctx: Context) -> tuple[dict[str, str], dict[str, str]]:
    """The assignment in the data (before any plan): family -> primary, family -> backup."""
    prim = {f.id: f.current_primary for f in ctx.families.values() if f.current_primary}
    back = {f.id: f.current_backup for f in ctx.families.values() if f.current_backup}
    return (
        {f: p for f, p in prim.items() if p in ctx.professionals},
        {f: b for f, b in back.items() if b in ctx.professionals},
    )
