"""Mijn caseload (professional): my families and cases, load, reasons, duties, registrations."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, components, state, tables
from planner.facts import Context, nl_hours
from planner.model import Role
from planner.rules import failures

PRO_KEY = "my_professional"


def _pick(ctx: Context) -> str | None:
    ids = list(ctx.professionals)
    if st.session_state.get(PRO_KEY) not in ids:
        st.session_state.pop(PRO_KEY, None)
    return st.selectbox(
        "Wie ben je?",
        ids,
        format_func=lambda pid: tables.pro_label(ctx, pid),
        key=PRO_KEY,
        persist_state="session",
        help="Inloggen volgt later; kies voorlopig jezelf uit de lijst.",
    )


def _from_plan(res: state.PlanResult, pid: str) -> dict[str, pd.DataFrame]:
    rows = [r for r in res.report.assignments if r.professional_id == pid]
    ctx = res.ctx
    primary_of = res.plan.primary_of()
    prim = pd.DataFrame(
        [
            {
                "Gezin": r.family_id,
                "Prioriteit": ctx.priority(r.family_id).value,
                "Wijk": ctx.families[r.family_id].wijk or "",
                "Taal": ctx.families[r.family_id].language or "",
                "Uren/week": ctx.family_hours(r.family_id),
                "Wijziging": tables.CHANGE_NL.get(r.change, r.change),
                "Signalen": r.flags,
                "Waarom jij": r.reasons,
            }
            for r in rows
            if r.role == "primary"
        ]
    )
    back = pd.DataFrame(
        [
            {
                "Gezin": r.family_id,
                "Primaire professional": primary_of.get(r.family_id, ""),
                "Wijziging": tables.CHANGE_NL.get(r.change, r.change),
                "Waarom jij": r.reasons,
            }
            for r in rows
            if r.role == "backup"
        ]
    )
    cons = pd.DataFrame(
        [
            {
                "Gezin": r.family_id,
                "Hulpvraag": r.case_id,
                "Primaire professional": primary_of.get(r.family_id, ""),
                "Waarom jij": r.reasons,
            }
            for r in rows
            if r.role == "consult"
        ]
    )
    return {"primary": prim, "backup": back, "consult": cons}


def _from_data(ctx: Context, pid: str) -> dict[str, pd.DataFrame]:
    """The current assignment in the data, with the rules' verdict on it (no plan yet)."""
    pro = ctx.professionals[pid]

    def verdict(fid: str, role: Role) -> str:
        fails = failures(ctx, pro, ctx.families[fid], role)
        return "✔ mag volgens de regels" if not fails else "✘ " + "; ".join(v.reason for v in fails)

    fams = [f for f in ctx.families.values() if f.current_primary == pid]
    prim = pd.DataFrame(
        [
            {
                "Gezin": f.id,
                "Prioriteit": ctx.priority(f.id).value,
                "Wijk": f.wijk or "",
                "Taal": f.language or "",
                "Uren/week": ctx.family_hours(f.id),
                "Wijziging": "huidige toedeling",
                "Signalen": "vastgepind" if f.pinned else "",
                "Waarom jij": verdict(f.id, Role.PRIMARY),
            }
            for f in sorted(fams, key=lambda f: ctx.queue_key(f.id))
        ]
    )
    back = pd.DataFrame(
        [
            {
                "Gezin": f.id,
                "Primaire professional": f.current_primary or "",
                "Wijziging": "huidige toedeling",
                "Waarom jij": verdict(f.id, Role.BACKUP),
            }
            for f in ctx.families.values()
            if f.current_backup == pid
        ]
    )
    return {"primary": prim, "backup": back, "consult": pd.DataFrame()}


def _load_parts(ctx: Context, pid: str, t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    pol = ctx.policy
    prim = t["primary"]
    hours = float(prim["Uren/week"].sum()) if not prim.empty else 0.0
    return pd.DataFrame(
        [
            {"Wie": pid, "Rol": "primair", "Uren": hours, "Aantal": len(prim)},
            {
                "Wie": pid,
                "Rol": "achtervang",
                "Uren": len(t["backup"]) * pol.backup_hours,
                "Aantal": len(t["backup"]),
            },
            {
                "Wie": pid,
                "Rol": "consult",
                "Uren": len(t["consult"]) * pol.consult_hours,
                "Aantal": len(t["consult"]),
            },
        ]
    )


def render() -> None:
    st.title("Mijn caseload")
    components.plan_progress()
    res = state.latest()
    cur = state.current()
    if res is None and cur.ctx is None:
        st.error("De gekozen gegevens bevatten fouten; zie de pagina Toedelen.")
        return
    ctx = res.ctx if res is not None else cur.ctx
    assert ctx is not None
    pid = _pick(ctx)
    if pid is None:
        return
    pro = ctx.professionals[pid]
    if res is not None:
        st.caption(
            f"Volgens plan #{res.number} van {res.made_at:%d-%m-%Y %H:%M} "
            f"(plandatum {res.settings.plan_date.isoformat()})."
        )
        t = _from_plan(res, pid)
    else:
        st.info(
            "Er is nog geen plan gemaakt. Hieronder staat je huidige toedeling uit de gegevens, "
            "met per gezin of de regels het toestaan. Maak een plan om te zien wat de planner "
            "voorstelt."
        )
        st.button(
            "Plan maken",
            type="primary",
            key="my_plan_make",
            on_click=lambda: state.start_plan(state.current()),
            disabled=state.running(),
        )
        t = _from_data(ctx, pid)
    from planner.explain import availability_flags, registration_flags

    flags = availability_flags(ctx, pro) + registration_flags(ctx, pid)
    if flags:
        st.warning(" · ".join(flags))

    cap = ctx.capacity_hours(pid)
    parts = _load_parts(ctx, pid, t)
    load = float(parts["Uren"].sum())
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Mijn gezinnen", len(t["primary"]))
    c2.metric("Achtervang voor", len(t["backup"]))
    c3.metric("Consulten", len(t["consult"]))
    c4.metric(
        f"Belasting (capaciteit {nl_hours(cap)})",
        nl_hours(load),
        help="Uren per week voor casuswerk: gezinnen naar intensiteit, plus achtervang en "
        "consulten, tegenover je capaciteit (fte x uren per fte x aandeel casuswerk).",
    )
    st.altair_chart(charts.caseload_chart(parts, cap), width="stretch")
    if cap > 0:
        st.caption(f"Bezetting {tables.pct(load / cap)} (zwart streepje = capaciteit).")

    st.subheader("Mijn gezinnen")
    prim = t["primary"]
    if prim.empty:
        st.markdown("Je hebt geen gezinnen als primaire professional.")
    else:
        st.dataframe(
            prim,
            hide_index=True,
            width="stretch",
            key="my_families",
            column_config={
                "Waarom jij": st.column_config.TextColumn(width="large"),
                "Uren/week": st.column_config.NumberColumn(format="%.2f"),
            },
        )
        cases = tables.cases_frame(ctx, list(prim["Gezin"]))
        st.markdown("**Hulpvragen per gezin**")
        for fid, group in cases.groupby("Gezin", sort=False):
            fam_row = prim[prim["Gezin"] == fid].iloc[0]
            with st.expander(
                f"{fid} · {fam_row['Prioriteit']} · {len(group)} hulpvraag/-vragen · "
                f"{nl_hours(float(fam_row['Uren/week']))} per week"
            ):
                st.markdown(f"**Waarom jij:** {fam_row['Waarom jij']}")
                st.table(group.drop(columns=["Gezin"]).set_index("Hulpvraag"))

    st.subheader("Achtervang en consulten")
    if t["backup"].empty and t["consult"].empty:
        st.markdown("Geen achtervang- of consulttaken.")
    if not t["backup"].empty:
        st.markdown("**Achtervang (maatje) voor**")
        st.dataframe(
            t["backup"],
            hide_index=True,
            width="stretch",
            key="my_backups",
            column_config={"Waarom jij": st.column_config.TextColumn(width="large")},
        )
    if not t["consult"].empty:
        st.markdown("**Consulten (een trigger vraagt om jouw deskundigheid)**")
        st.dataframe(
            t["consult"],
            hide_index=True,
            width="stretch",
            key="my_consults",
            column_config={"Waarom jij": st.column_config.TextColumn(width="large")},
        )

    st.subheader("Mijn registraties")
    regs = tables.registrations_frame(ctx, [pid])
    if regs.empty:
        st.markdown("Geen registraties bekend.")
    else:
        st.dataframe(
            regs.drop(columns=["Professional"]), hide_index=True, width="stretch", key="my_regs"
        )
    st.caption(
        f"Een registratie die binnen {ctx.policy.registration_warning_days} dagen na de "
        "plandatum verloopt krijgt een waarschuwing; alleen SKJ en BIG tellen voor de norm."
    )
    st.markdown(
        f"**Expertise:** {', '.join(pro.expertise) or '—'}  \n"
        f"**Trainingen:** {', '.join(pro.trainings) or '—'}  \n"
        f"**Wijken:** {', '.join(pro.wijken) or '—'} · **Talen:** {', '.join(pro.languages) or '—'}"
    )


render()
