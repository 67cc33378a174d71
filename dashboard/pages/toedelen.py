"""Toedelen (team manager): choose data, plan, read every choice, try a what-if, download."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, components, state, tables
from dashboard.data import Loaded, dataset_workbook, digest, load_upload
from dashboard.downloads import XLSX, ZIP, file_stem
from dashboard.state import Current, PlanResult
from dashboard.whatif import (
    Absent,
    AdoptPlan,
    Exclude,
    Leaving,
    Pin,
    Vacancy,
    WhatIf,
    backup_diff,
    next_vacancy_id,
    plan_diff,
)
from planner.facts import Context, nl_hours
from planner.model import (
    Case,
    Family,
    Intensity,
    Phase,
    Safety,
    Trigger,
    Urgency,
)
from planner.recommend import RecommendResult, recommend

NEW_FAMILY_ID = "NIEUW"


# --------------------------------------------------------------------------------------------
# Data and settings


@st.cache_data(show_spinner=False, max_entries=2)
def _demo_workbook(key: str, _loaded: Loaded) -> bytes:
    assert _loaded.dataset is not None
    return dataset_workbook(_loaded.dataset)


def choose_data() -> Loaded:
    st.radio(
        "Gegevens",
        [state.DEMO, state.UPLOAD],
        key=state.DATA_CHOICE,
        horizontal=True,
        persist_state="session",
        help="Het demoteam is een volledig synthetisch wijkteam (20 professionals, 320 gezinnen).",
    )
    if st.session_state.get(state.DATA_CHOICE) == state.UPLOAD:
        files = st.file_uploader(
            "Upload de CSV-bestanden (professionals.csv, registrations.csv, families.csv, "
            "cases.csv, eventueel exceptions.csv en policy.toml) of één Excel-werkmap met één "
            "werkblad per bestand",
            type=["csv", "toml", "xlsx"],
            accept_multiple_files=True,
            key="upload_files",
        )
        if files:
            parts = [(f.name, f.getvalue()) for f in files]
            up = st.session_state.get(state.UPLOADED)
            if up is None or up.key != "upload:" + digest(parts):
                st.session_state[state.UPLOADED] = load_upload(parts)
        demo = state.demo()
        st.download_button(
            "Voorbeeld: het demoteam als Excel-werkmap",
            data=_demo_workbook(demo.key, demo),
            file_name="demoteam.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            help="Het invoerformaat staat in docs/data-format.md; de werkmap heeft dezelfde "
            "kolommen, één werkblad per bestand.",
        )
        up = st.session_state.get(state.UPLOADED)
        if up is None:
            st.info("Nog geen eigen gegevens ingelezen; hieronder staat het demoteam.")
        elif not files:
            st.caption(f"In gebruik: {up.label} (eerder ingelezen).")
    return state.loaded()


def settings_row(data: Loaded) -> None:
    state.ensure_settings(data)
    c1, c2, c3 = st.columns(3)
    c1.date_input(
        "Plandatum",
        key=state.PLAN_DATE,
        format="YYYY-MM-DD",
        persist_state="session",
        help="De dag waarop registraties, afwezigheid en wachttijd worden beoordeeld.",
    )
    c2.number_input(
        "Rekentijd (seconden)",
        min_value=2,
        max_value=600,
        step=5,
        key=state.TIME_LIMIT,
        persist_state="session",
        help="Binnen deze tijd staat het plan op het scherm. Langer rekenen kan meer gezinnen "
        "plaatsen of minder wisselingen geven; 'Stoppen' toont het beste plan tot dan.",
    )
    c3.checkbox(
        "Teamoverstijgend plaatsen",
        key=state.CROSS_TEAM,
        persist_state="session",
        help="Sta toe dat een professional van een ander team een gezin neemt.",
    )
    c3.checkbox(
        "Alleen verplaatsen wat moet",
        key=state.STABLE,
        persist_state="session",
        help="Stabiel herplannen: elk gezin dat bij de huidige hoofdbehandelaar mag blijven, "
        "blijft daar (met de huidige achtervang). Alleen gezinnen van wie vertrekt of lang "
        "afwezig is, gezinnen die niet meer mogen blijven en de wachtlijst worden geplaatst.",
    )


# --------------------------------------------------------------------------------------------
# What-if


def _add(edit: WhatIf) -> None:
    state.edits().append(edit)


def _remove(index: int) -> None:
    edits = state.edits()
    if 0 <= index < len(edits):
        edits.pop(index)


def _clear() -> None:
    st.session_state[state.WHATIF] = []


def _adopt(res: PlanResult) -> None:
    edits = [e for e in state.edits() if not isinstance(e, AdoptPlan)]
    adopt = AdoptPlan.of(res.number, res.plan, list(res.ctx.families))
    st.session_state[state.WHATIF] = [adopt, *edits]


def whatif_panel(cur: Current) -> None:
    assert cur.ctx is not None and cur.settings is not None
    ctx, s = cur.ctx, cur.settings
    base = cur.loaded.dataset
    assert base is not None
    pro_ids = list(ctx.professionals)
    label = lambda pid: tables.pro_label(ctx, pid)  # noqa: E731
    with st.expander(
        "Wat als…? Afwezigheid, vertrek, vacature, pin of uitsluiting", expanded=bool(cur.edits)
    ):
        st.caption(
            "Wijzig de situatie zonder de gegevens aan te passen, maak daarna opnieuw een plan "
            "en bekijk het verschil met het vorige plan."
        )
        res = state.latest()
        adopted = next((e for e in cur.edits if isinstance(e, AdoptPlan)), None)
        if (
            res is not None
            and res.loaded_key == cur.loaded.key
            and (adopted is None or adopted.plan_number != res.number)
        ):
            c1, c2 = st.columns([2, 3])
            c1.button(
                f"Plan #{res.number} als uitgangspunt nemen",
                key="wi_adopt",
                on_click=_adopt,
                args=(res,),
                icon=":material/flag:",
            )
            c2.caption(
                f"Doe alsof plan #{res.number} is doorgevoerd: vast gezicht betekent dan 'zoals "
                "in dit plan', zodat het nieuwe plan alleen verschuift wat door de wat-als nodig "
                "is. Zonder uitgangspunt rekent elk plan vanaf de toedeling in de gegevens."
            )
        t_abs, t_vac, t_pin, t_exc = st.tabs(
            ["Afwezig of vertrek", "Vacature", "Vastpinnen", "Uitsluiten"]
        )
        with t_abs:
            pid = st.selectbox("Professional", pro_ids, format_func=label, key="wi_abs_pro")
            kind = st.radio(
                "Wat gebeurt er?",
                ["afwezig (ziekte, verlof)", "vertrekt uit het team"],
                key="wi_abs_kind",
                horizontal=True,
            )
            c1, c2 = st.columns(2)
            start = c1.date_input(
                "Vanaf", value=s.plan_date, key="wi_abs_from", format="YYYY-MM-DD"
            )
            if kind.startswith("afwezig"):
                end = c2.date_input(
                    "Tot en met",
                    value=s.plan_date + dt.timedelta(weeks=8),
                    key="wi_abs_until",
                    format="YYYY-MM-DD",
                )
                st.caption(
                    f"Bij afwezigheid van minstens {ctx.policy.reassign_if_absent_weeks:g} weken "
                    "na de plandatum worden de gezinnen opnieuw verdeeld; korter houdt de "
                    "professional de eigen gezinnen maar krijgt geen nieuwe."
                )
                edit: WhatIf = Absent(pid, start, max(start, end))
            else:
                edit = Leaving(pid, start)
            st.button("Toevoegen", key="wi_abs_add", on_click=_add, args=(edit,))
        with t_vac:
            functions = sorted({p.function for p in base.professionals} | {"gezinswerker"})
            titles = [
                f"{reg} — {t}" for reg in ("SKJ", "BIG") for t in ctx.norms.titles_of(reg)
            ] + ["geen registratie"]
            c1, c2 = st.columns(2)
            function = c1.selectbox(
                "Functie", functions, index=functions.index("gezinswerker"), key="wi_vac_fn"
            )
            default_title = (
                titles.index("SKJ — jeugd- en gezinsprofessional")
                if ("SKJ — jeugd- en gezinsprofessional" in titles)
                else 0
            )
            title = c2.selectbox("Registratie", titles, index=default_title, key="wi_vac_reg")
            fte = c1.number_input(
                "FTE", min_value=0.1, max_value=1.2, value=0.8, step=0.1, key="wi_vac_fte"
            )
            teams = sorted({p.team for p in base.professionals})
            team = c2.selectbox("Team", teams, key="wi_vac_team")
            expertise = st.multiselect(
                "Expertise", sorted(ctx.norms.expertise), key="wi_vac_exp", placeholder="Kies…"
            )
            trainings = st.multiselect(
                "Trainingen",
                sorted(ctx.norms.trainings),
                default=[t for t in ctx.policy.safety_trainings if t in ctx.norms.trainings],
                key="wi_vac_tr",
                placeholder="Kies…",
            )
            wijken_all = sorted({f.wijk for f in base.families if f.wijk})
            wijken = st.multiselect(
                "Wijken", wijken_all, default=wijken_all, key="wi_vac_wijk", placeholder="Kies…"
            )
            languages_all = sorted({f.language for f in base.families if f.language} | {"nl"})
            languages = st.multiselect(
                "Talen", languages_all, default=["nl"], key="wi_vac_lang", placeholder="Kies…"
            )
            register, _, reg_title = title.partition(" — ")
            vac = Vacancy(
                professional_id=next_vacancy_id(base, state.edits()),
                team=team,
                function=function,
                fte=round(float(fte), 2),
                register=register if reg_title else None,
                title=reg_title or None,
                expertise=tuple(expertise),
                trainings=tuple(trainings),
                wijken=tuple(wijken),
                languages=tuple(languages),
            )
            st.button("Vacature toevoegen", key="wi_vac_add", on_click=_add, args=(vac,))
        with t_pin:
            fams = [f.id for f in ctx.dataset.families if f.current_primary]
            fid = st.selectbox(
                "Gezin (met een huidige professional)",
                fams,
                format_func=lambda f: (
                    f"{f} — nu bij {ctx.families[f].current_primary}"
                    + (" (vastgepind)" if ctx.families[f].pinned else "")
                ),
                key="wi_pin_fam",
            )
            if fid:
                pinned = ctx.families[fid].pinned
                st.button(
                    "Pin loslaten"
                    if pinned
                    else f"Vastpinnen op {ctx.families[fid].current_primary}",
                    key="wi_pin_add",
                    on_click=_add,
                    args=(Pin(fid, not pinned),),
                )
        with t_exc:
            c1, c2 = st.columns(2)
            fid = c1.selectbox("Gezin", list(ctx.families), key="wi_exc_fam")
            pid = c2.selectbox("Professional", pro_ids, format_func=label, key="wi_exc_pro")
            st.button(
                "Uitsluiten voor dit gezin",
                key="wi_exc_add",
                on_click=_add,
                args=(Exclude(fid, pid),),
            )
        if cur.edits:
            st.markdown("**Actieve wat-als-wijzigingen**")
            for i, e in enumerate(cur.edits):
                c1, c2 = st.columns([10, 1])
                c1.markdown(f"- {e.describe()}")
                c2.button(
                    "Weg", key=f"wi_del_{i}", on_click=_remove, args=(i,), icon=":material/close:"
                )
            st.button("Alle wat-als-wijzigingen wissen", key="wi_clear", on_click=_clear)


# --------------------------------------------------------------------------------------------
# Plan and results


def _start() -> None:
    state.start_plan(state.current())


def plan_controls(cur: Current) -> None:
    res = state.latest()
    c1, c2 = st.columns([1, 4])
    c1.button(
        "Plan maken",
        type="primary",
        key="plan_make",
        on_click=_start,
        disabled=state.running(),
        width="stretch",
    )
    if res is not None and res.dataset_key != cur.key and not state.running():
        c2.info(
            f"De gegevens, instellingen of wat-als-wijzigingen zijn veranderd sinds plan "
            f"#{res.number}. Klik op **Plan maken** om opnieuw te plannen."
        )
    components.plan_progress()


def _delta(now: float, before: float | None) -> int | None:
    return None if before is None else int(now - before)


def headline(res: PlanResult, prev: PlanResult | None) -> None:
    s, c = res.report.summary, res.counts
    pc = prev.counts if prev else {}
    cols = st.columns(6)
    cols[0].metric(
        "Geplaatst",
        c["placed"],
        _delta(c["placed"], pc.get("placed")),
        help="Gezinnen met een primaire professional in dit plan.",
    )
    cols[1].metric(
        "Wachtlijst",
        c["waiting"],
        _delta(c["waiting"], pc.get("waiting")),
        delta_color="inverse",
        help="Gezinnen zonder primaire professional, in volgorde van prioriteit en wachttijd.",
    )
    cols[2].metric(
        "Wisselingen",
        c["changes"],
        _delta(c["changes"], pc.get("changes")),
        delta_color="inverse",
        help=f"Vast gezicht gewisseld: gezinnen die een andere professional krijgen. "
        f"{c['kept']} gezinnen houden hun professional, {c['new']} nieuwe gezinnen zijn "
        "geplaatst.",
    )
    cols[3].metric("Gemiddelde bezetting", tables.pct(s["utilisation"]["mean"]))
    cols[4].metric("Hoogste bezetting", tables.pct(s["utilisation"]["max"]))
    errors = sum(1 for f in res.findings if f.severity == "fout")
    cols[5].metric(
        "Bevindingen",
        len(res.findings),
        help=f"{errors} fout(en); zie 'Doelen en bevindingen' en de pagina Normtoets.",
    )
    st.caption(
        f"Achtervang {c['backups_placed']}/{c['backups_needed']} · consulten "
        f"{c['consults_placed'] + c['consults_self_covered']}/{c['consults_needed']} "
        f"({c['consults_self_covered']} door de primaire professional zelf) · "
        f"regelovertredingen in dit plan: {s['rule_violations']}"
    )


def diff_section(res: PlanResult, prev: PlanResult) -> None:
    moves = plan_diff(prev.plan, res.plan)
    backups = backup_diff(prev.plan, res.plan)
    st.subheader(f"Verschil met plan #{prev.number}")
    added = [e for e in res.edits if e not in prev.edits]
    removed = [e for e in prev.edits if e not in res.edits]
    changes = [f"+ {e}" for e in added] + [f"− {e}" for e in removed]
    if prev.settings != res.settings:
        changes.append("andere instellingen (plandatum, rekentijd of teamoverstijgend)")
    st.caption("Wijzigingen: " + ("; ".join(changes) if changes else "geen (opnieuw gerekend)"))
    kinds = pd.Series([m.kind for m in moves], dtype=object)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Gezinnen verhuisd", int((kinds == "verhuist").sum()))
    c2.metric("Nu geplaatst", int((kinds == "nu geplaatst").sum()))
    c3.metric("Nu op de wachtlijst", int((kinds == "nu op de wachtlijst").sum()))
    c4.metric("Achtervang gewijzigd", len(backups))
    if moves:
        icon = {"verhuist": "↻", "nu geplaatst": "✚", "nu op de wachtlijst": "○"}
        reasons = {(r.family_id): r.reasons for r in res.report.assignments if r.role == "primary"}
        waiting = {w.family_id: w.reason for w in res.report.waiting if w.role == "primary"}
        df = pd.DataFrame(
            [
                {
                    "Gezin": m.family_id,
                    "Wat": f"{icon[m.kind]} {m.kind}",
                    f"Plan #{prev.number}": m.before or "wachtlijst",
                    f"Plan #{res.number}": m.after or "wachtlijst",
                    "Toelichting": reasons.get(m.family_id) or waiting.get(m.family_id, ""),
                }
                for m in moves
            ]
        )
        st.dataframe(df, hide_index=True, width="stretch", key="diff_table")
    else:
        st.success("Geen enkel gezin krijgt een andere primaire professional.")


def assignments_tab(res: PlanResult) -> None:
    df = res.frames.assignments
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    text = c1.text_input(
        "Zoeken", key="as_search", placeholder="gezin, professional, wijk of reden…"
    )
    roles = c2.multiselect(
        "Rol", ["primair", "achtervang", "consult"], key="as_roles", placeholder="Kies…"
    )
    changes = c3.multiselect(
        "Wijziging", list(tables.CHANGE_NL.values()), key="as_change", placeholder="Kies…"
    )
    pros = ["iedereen", *sorted(df["Professional"].unique())]
    pro = c4.selectbox("Professional", pros, key="as_pro")
    view = tables.search(df, text)
    view = tables.pick(view, "Rol", roles)
    view = tables.pick(view, "Wijziging", changes)
    if pro != "iedereen":
        view = view[view["Professional"] == pro]
    flagged = st.toggle(
        "Alleen regels met een signaal (tenzij, stagiair, pin, registratie)", key="as_flags"
    )
    if flagged:
        view = view[view["Signalen"] != ""]
    st.caption(
        f"{len(view)} van {len(df)} regels. Wijziging: ✔ behouden = vast gezicht blijft, "
        "✚ nieuw = gezin had nog niemand, ↻ gewisseld = andere professional (de toelichting "
        "zegt waarom). 'Was' is de professional in de gegevens."
    )
    event = st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        height=420,
        key="as_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Toelichting": st.column_config.TextColumn(width="large"),
            "Signalen": st.column_config.TextColumn(width="medium"),
        },
    )
    rows = event.selection.rows if event else []
    if rows and rows[0] < len(view):
        family_details(res, str(view.iloc[rows[0]]["Gezin"]))
    else:
        st.caption(
            "Kies een regel (vakje links) om de volledige toelichting van dat gezin te lezen."
        )


def family_details(res: PlanResult, fid: str) -> None:
    """Everything the plan says about one family, in full sentences."""
    ctx = res.ctx
    fam = ctx.families[fid]
    rows = [r for r in res.report.assignments if r.family_id == fid]
    waits = [w for w in res.report.waiting if w.family_id == fid]
    with st.container(border=True):
        st.markdown(
            f"**Gezin {fid}** · prioriteit {ctx.priority(fid).value} · "
            f"{nl_hours(ctx.family_hours(fid))} per week · wijk {fam.wijk or 'onbekend'} · "
            f"taal {fam.language or 'onbekend'} · wacht {ctx.waiting_days(fid)} dagen · "
            f"in de gegevens bij {fam.current_primary or 'niemand'}"
        )
        for r in rows:
            role = tables.ROLE_NL[r.role] + (f" ({r.case_id})" if r.case_id else "")
            change = tables.CHANGE_NL.get(r.change, "") if r.role != "consult" else ""
            flags = f" — signalen: {r.flags}" if r.flags else ""
            st.markdown(f"- **{role}: {r.professional_id}** {change}{flags}  \n  {r.reasons}")
        for w in waits:
            role = tables.ROLE_NL[w.role] + (f" ({w.case_id})" if w.case_id else "")
            st.markdown(
                f"- **{role}: wachtlijst** (plaats {w.rank}, "
                f"{tables.REASON_NL.get(w.reason_code, w.reason_code)})  \n  {w.reason}"
            )
        st.table(tables.cases_frame(ctx, [fid]).drop(columns=["Gezin"]).set_index("Hulpvraag"))


def waiting_tab(res: PlanResult) -> None:
    fams = res.frames.waiting_families
    if fams.empty:
        st.success("Alle gezinnen zijn geplaatst.")
    else:
        st.caption(
            "Volgorde: prioriteit (acuut, spoed, hoog, regulier), dan de langste wachttijd. "
            "Reden: niemand toegestaan = niemand voldoet aan de regels; geen ruimte = wie mag, "
            "zit vol; ruimte naar hogere prioriteit = de ruimte ging naar urgentere gezinnen; "
            "rekentijd op = er was nog ruimte, langer rekenen helpt."
        )
        text = st.text_input("Zoeken in de wachtlijst", key="wl_search")
        view = tables.search(fams, text)
        event = st.dataframe(
            view,
            hide_index=True,
            width="stretch",
            key="wl_table",
            on_select="rerun",
            selection_mode="single-row",
            column_config={
                "Toelichting": st.column_config.TextColumn(width="large"),
                "Uren/week": st.column_config.NumberColumn(format="%.2f"),
            },
        )
        rows = event.selection.rows if event else []
        if rows and rows[0] < len(view):
            family_details(res, str(view.iloc[rows[0]]["Gezin"]))
    roles = res.frames.waiting_roles
    if not roles.empty:
        st.markdown(f"**Geplaatste gezinnen zonder achtervang of consult ({len(roles)})**")
        st.dataframe(
            roles,
            hide_index=True,
            width="stretch",
            key="wl_roles",
            column_config={"Toelichting": st.column_config.TextColumn(width="large")},
        )


def workload_tab(res: PlanResult) -> None:
    wl = res.frames.workload
    st.caption(
        "Belasting in uren per week (gezinnen naar intensiteit, achtervang en consulten) "
        "tegenover de capaciteit voor casuswerk (zwart streepje)."
    )
    st.altair_chart(charts.workload_chart(wl), width="stretch")
    st.dataframe(
        wl,
        hide_index=True,
        width="stretch",
        key="wl_workload",
        column_config={
            "Bezetting": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
        },
    )


def baseline_tab(res: PlanResult) -> None:
    b = res.report.summary.get("baseline")
    if not b:
        st.info("Geen vergelijking beschikbaar.")
        return
    st.markdown(
        "**Handmatig toedelen** zoals teams dat vaak doen: de huidige professional houden, "
        "anders iemand uit dezelfde wijk met de laagste caseload — zonder te kijken naar "
        "registratie of vereiste expertise. Hieronder hoe die keuzes zich verhouden tot de norm "
        "van de verantwoorde werktoedeling."
    )
    c = res.counts
    left, right = st.columns(2)
    with left:
        st.markdown("##### Dit plan")
        st.metric("Geplaatst (dit plan)", c["placed"])
        st.metric("Keuzes in strijd met de norm (dit plan)", res.report.summary["rule_violations"])
    with right:
        st.markdown("##### Handwerk")
        st.metric("Geplaatst (handwerk)", b["placed"])
        st.metric("Keuzes in strijd met de norm (handwerk)", b["choices_breaking_norm"])
    c1, c2, c3 = st.columns(3)
    c1.metric("Handwerk: zonder vereiste expertise", b["missing_required_expertise"])
    c2.metric("Handwerk: zonder geldige registratie", b["unregistered"])
    c3.metric("Handwerk: zonder veiligheidstraining", b["missing_safety_training"])
    st.caption(
        "Handwerk plaatst meer gezinnen omdat het de regels negeert: elke keuze in strijd met "
        "de norm is een gezin bij een professional die het niet mag doen."
    )


def levels_tab(res: PlanResult) -> None:
    st.markdown(
        "Het plan optimaliseert de doelen **strikt in deze volgorde**: eerst zoveel mogelijk "
        "gezinnen plaatsen (urgentste eerst), dan vast gezicht, dan passende match, dan een "
        "eerlijke verdeling. 'Bewezen' betekent dat beter niet kan."
    )
    st.dataframe(res.frames.levels, hide_index=True, width="stretch", key="levels_table")
    if res.plan.messages:
        with st.expander("Meldingen van de rekenmachine"):
            for m in res.plan.messages:
                st.markdown(f"- {m}")
    st.markdown(f"**Bevindingen ({len(res.findings)})** — ook op de pagina Normtoets")
    text = st.text_input("Zoeken in bevindingen", key="fi_search")
    st.dataframe(
        tables.search(res.frames.findings, text),
        hide_index=True,
        width="stretch",
        key="findings_table",
        column_config={"Melding": st.column_config.TextColumn(width="large")},
    )


def downloads_tab(res: PlanResult) -> None:
    stem = file_stem(res)
    st.caption(
        "CSV: dezelfde vier bestanden als de opdrachtregel (`planner plan --out`). Excel: "
        "dezelfde regels met Nederlandse kolomnamen, plus samenvatting, doelen en bevindingen."
    )
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download plan (CSV, zip)",
        data=res.downloads[ZIP],
        file_name=f"{stem}.zip",
        mime="application/zip",
        key="dl_zip",
        on_click="ignore",
        icon=":material/download:",
    )
    c2.download_button(
        "Download plan (Excel)",
        data=res.downloads[XLSX],
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_xlsx",
        on_click="ignore",
        icon=":material/table_view:",
    )


def results(cur: Current) -> None:
    res = state.latest()
    if res is None:
        if not state.running() and cur.ctx is not None:
            found = state.findings_for(cur.key, cur.ctx)
            errors = sum(1 for f in found if f.severity == "fout")
            st.info(
                "Nog geen plan. Kies eventueel de plandatum en rekentijd en klik op "
                "**Plan maken**. Elk gezin krijgt een professional die het volgens de norm mag "
                "doen; wie niet geplaatst kan worden komt met reden op de wachtlijst."
            )
            st.caption(
                f"Vóór het plannen: {len(cur.ctx.professionals)} professionals, "
                f"{len(cur.ctx.families)} gezinnen, {len(found)} bevindingen ({errors} fout) — "
                "zie de pagina Normtoets."
            )
        return
    prev = state.previous()
    status = tables.STATUS_NL.get(res.plan.status, res.plan.status)
    st.subheader(f"Plan #{res.number}")
    st.caption(
        f"{res.made_at:%d-%m-%Y %H:%M:%S} · plandatum {res.settings.plan_date.isoformat()} · "
        f"{status} · rekentijd maximaal {res.settings.time_limit:g} s, klaar in "
        f"{res.wall_seconds:.1f} s" + (f" · wat-als: {'; '.join(res.edits)}" if res.edits else "")
    )
    if res.stopped:
        st.warning("Gestopt: dit is het beste plan dat tot dat moment gevonden was.")
    headline(res, prev)
    if prev is not None:
        diff_section(res, prev)
    tabs = st.tabs(
        [
            "Toedeling",
            "Wachtlijst",
            "Belasting",
            "Vergelijking met handwerk",
            "Doelen en bevindingen",
            "Downloaden",
        ]
    )
    with tabs[0]:
        assignments_tab(res)
    with tabs[1]:
        waiting_tab(res)
    with tabs[2]:
        workload_tab(res)
    with tabs[3]:
        baseline_tab(res)
    with tabs[4]:
        levels_tab(res)
    with tabs[5]:
        downloads_tab(res)


# --------------------------------------------------------------------------------------------
# Best match for a (new) family


def _new_family_form(ctx: Context) -> tuple[Family, list[Case]] | None:
    ds = ctx.dataset
    teams = sorted({f.team for f in ds.families} | {p.team for p in ds.professionals})
    wijken = sorted({f.wijk for f in ds.families if f.wijk})
    languages = sorted({f.language for f in ds.families if f.language} | {"nl"})
    n = st.number_input("Aantal hulpvragen (kinderen)", 1, 5, 1, key="nf_n")
    with st.form("nf_form"):
        c1, c2, c3 = st.columns(3)
        team = c1.selectbox("Team", teams, key="nf_team")
        wijk = c2.selectbox("Wijk", ["(onbekend)", *wijken], key="nf_wijk")
        lang = c3.selectbox("Taal", languages, index=languages.index("nl"), key="nf_lang")
        cases: list[dict[str, object]] = []
        for i in range(int(n)):
            st.markdown(f"**Hulpvraag {i + 1}**")
            a, b, c, d, e = st.columns(5)
            cases.append(
                {
                    "age": a.number_input("Leeftijd", 0, 23, 8, key=f"nf_age_{i}"),
                    "phase": b.selectbox("Fase", [p.value for p in Phase], key=f"nf_phase_{i}"),
                    "intensity": c.selectbox(
                        "Intensiteit", [x.value for x in Intensity], index=1, key=f"nf_int_{i}"
                    ),
                    "safety": d.selectbox(
                        "Veiligheid", [x.value for x in Safety], key=f"nf_safe_{i}"
                    ),
                    "urgency": e.selectbox(
                        "Urgentie", [x.value for x in Urgency], key=f"nf_urg_{i}"
                    ),
                }
            )
            f1, f2, f3 = st.columns(3)
            cases[-1]["required_expertise"] = tuple(
                f1.multiselect(
                    "Vereiste expertise",
                    sorted(ctx.norms.expertise),
                    key=f"nf_req_{i}",
                    placeholder="Kies…",
                )
            )
            cases[-1]["preferred_expertise"] = tuple(
                f2.multiselect(
                    "Voorkeursexpertise",
                    sorted(ctx.norms.expertise),
                    key=f"nf_pref_{i}",
                    placeholder="Kies…",
                )
            )
            cases[-1]["triggers"] = tuple(
                f3.multiselect(
                    "Triggers", [t.value for t in Trigger], key=f"nf_trig_{i}", placeholder="Kies…"
                )
            )
        submitted = st.form_submit_button("Zoek beste match", type="primary")
    if not submitted:
        return None
    fid = NEW_FAMILY_ID
    while fid in ctx.families:
        fid += "-1"
    fam = Family(
        id=fid,
        team=team,
        wijk=None if wijk == "(onbekend)" else wijk,
        language=lang,
        registered_on=ctx.plan_date,
    )
    return fam, [Case(id=f"{fid}-{i + 1}", family_id=fid, **c) for i, c in enumerate(cases)]


def _show_match(ctx: Context, fam: Family, res: RecommendResult) -> None:
    facts = [
        f"prioriteit **{ctx.priority(fam.id).value}**",
        f"{nl_hours(ctx.family_hours(fam.id))} per week",
    ]
    if ctx.required_expertise(fam.id):
        facts.append("vereist " + ", ".join(ctx.required_expertise(fam.id)))
    if ctx.needs_safety_training(fam.id):
        facts.append("veiligheidstraining nodig")
    if ctx.needs_backup(fam.id):
        facts.append("achtervang nodig")
    for case, trig in ctx.triggers(fam.id):
        facts.append(f"consult nodig: {trig} ({case.id})")
    st.markdown(f"Gezin **{fam.id}**: " + " · ".join(facts))
    if not res.recommendations:
        st.error("Geen enkele toegestane professional heeft ruimte voor dit gezin.")
    else:
        df = pd.DataFrame(
            [
                {
                    "#": i,
                    "Professional": tables.pro_label(ctx, r.professional_id),
                    "Passend (score)": r.score,
                    "Belasting na plaatsing (u)": r.load_after,
                    "Capaciteit (u)": r.capacity,
                    "Bezetting na plaatsing": tables.pct(r.utilisation_after),
                    "Vast gezicht": "ja" if r.keeps_current else "",
                    "Waarom": r.reasons,
                }
                for i, r in enumerate(res.recommendations, start=1)
            ]
        )
        st.dataframe(
            df,
            hide_index=True,
            width="stretch",
            key="match_table",
            column_config={"Waarom": st.column_config.TextColumn(width="large")},
        )
        st.altair_chart(charts.recommendation_chart(df), width="stretch")
    if res.full:
        st.caption("Toegestaan maar vol: " + ", ".join(res.full))
    if res.not_allowed and not res.recommendations:
        st.markdown("**Dichtstbij, maar niet toegestaan:**")
        for line in res.not_allowed:
            st.markdown(f"- {line}")


def best_match(cur: Current) -> None:
    assert cur.ctx is not None and cur.dataset is not None
    ctx = cur.ctx
    st.subheader("Beste match voor nieuw gezin")
    st.caption(
        "De drie best passende professionals die dit gezin volgens de regels mogen nemen en "
        "ruimte hebben, met hun belasting na plaatsing (uitgaande van de huidige toedeling in "
        "de gegevens, inclusief wat-als-wijzigingen)."
    )
    mode = st.radio(
        "Gezin",
        ["Nieuw gezin invoeren", "Bestaand gezin kiezen"],
        key="match_mode",
        horizontal=True,
    )
    if mode == "Bestaand gezin kiezen":
        order = sorted(ctx.families, key=ctx.queue_key)
        fid = st.selectbox(
            "Gezin",
            order,
            format_func=lambda f: (
                f"{f} — {ctx.priority(f).value}, {ctx.families[f].wijk or 'wijk onbekend'}, "
                f"nu bij {ctx.families[f].current_primary or 'niemand'}"
            ),
            key="match_family",
        )
        if fid:
            fam = ctx.families[fid]
            _show_match(ctx, fam, recommend(ctx, fam))
        return
    made = _new_family_form(ctx)
    if made is not None:
        fam, cases = made
        ds = cur.dataset.model_copy(
            update={
                "families": (*cur.dataset.families, fam),
                "cases": (*cur.dataset.cases, *cases),
            }
        )
        st.session_state["match_new"] = (cur.key, fam, cases, ds)
    saved = st.session_state.get("match_new")
    if saved and saved[0] == cur.key:
        _, fam, _, ds = saved
        ctx2 = Context(ds)
        _show_match(ctx2, fam, recommend(ctx2, fam))


# --------------------------------------------------------------------------------------------


def render() -> None:
    st.title("Toedelen")
    st.caption(
        "Geef elk gezin de juiste professional volgens de norm van de verantwoorde "
        "werktoedeling: geregistreerd (of een vastgelegd tenzij-besluit), met de vereiste "
        "expertise, binnen ieders capaciteit en met zo min mogelijk wisselingen."
    )
    data = choose_data()
    if components.data_errors(data):
        components.data_warnings(data)
        return
    components.data_warnings(data)
    settings_row(data)
    cur = state.current()
    whatif_panel(cur)
    plan_controls(cur)
    results(cur)
    st.divider()
    best_match(cur)


render()
