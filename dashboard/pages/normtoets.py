"""Normtoets (compliance): what the employer must be able to show to an inspector."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components, state, tables
from planner.facts import Context
from planner.findings import Finding, eligibility_findings


@st.cache_resource(show_spinner=False, max_entries=16)
def _eligibility(key: str, _ctx: Context) -> list[Finding]:
    return eligibility_findings(_ctx)


def render() -> None:
    st.title("Normtoets")
    st.caption(
        "Wat de werkgever moet kunnen laten zien (norm van de verantwoorde werktoedeling, "
        "Besluit Jeugdwet art. 5.1.1 en art. 2.1): wie elk gezin heeft en op welke grond, welke "
        "registraties verlopen, welke expertise het team dekt, en welke gezinnen niemand mag nemen."
    )
    components.plan_progress()
    res = state.latest()
    cur = state.current()
    if res is not None:
        ctx, key = res.ctx, res.dataset_key
        primary_of, backup_of = res.plan.primary_of(), res.plan.backup_of()
        source = f"plan #{res.number} ({res.made_at:%d-%m-%Y %H:%M})"
        broken = [(b.family_id, b.professional_id, b.reason) for b in res.plan.broken_pins]
    elif cur.ctx is not None:
        ctx, key = cur.ctx, cur.key
        primary_of, backup_of = tables.current_assignment(ctx)
        source = "de huidige toedeling in de gegevens (nog geen plan gemaakt)"
        broken = None
    else:
        st.error("De gekozen gegevens bevatten fouten; zie de pagina Toedelen.")
        return
    st.info(f"Getoetst: {source}; plandatum {ctx.plan_date.isoformat()}.")

    eligibility = _eligibility(key, ctx)
    nobody = [f for f in eligibility if f.code == "NIEMAND_TOEGESTAAN"]
    pins = [f for f in eligibility if f.code == "PIN_GEBROKEN"]
    not_allowed_now = [f for f in eligibility if f.code == "HUIDIGE_TOEDELING_ONTOELAATBAAR"]
    comp = tables.compliance_frame(ctx, primary_of, backup_of)
    expiring = tables.expiring_frame(ctx)
    teams = sorted({p.team for p in ctx.professionals.values()})

    status = comp["Status"]
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    c1.metric("Gezinnen die voldoen", int(status.str.startswith("✔").sum()))
    c2.metric("Voldoet niet", int(status.str.startswith("✘").sum()))
    c3.metric("Achtervang ontbreekt", int(status.str.startswith("⚠").sum()))
    c4.metric("Registraties verlopen(d)", len(expiring))
    c5.metric("Niemand toegestaan", len(nobody))
    c6.metric("Gebroken pins", len(broken) if broken is not None else len(pins))

    # 1. every family's primary and backup
    st.subheader("Primaire professional en achtervang per gezin")
    st.caption(
        "✔ geldige SKJ- of BIG-registratie · ☑ toegestaan via een vastgelegd tenzij-besluit of "
        "als stagiair onder verantwoordelijkheid van een geregistreerde begeleider · ✘ voldoet "
        "niet (met de regel die het verbiedt)."
    )
    a, b, c = st.columns([3, 2, 2])
    text = a.text_input("Zoeken", key="nt_search", placeholder="gezin, professional of grond…")
    chosen = b.multiselect(
        "Status",
        ["✔ voldoet", "✘ voldoet niet", "⚠ achtervang ontbreekt", "○ wacht op plaatsing"],
        key="nt_status",
        placeholder="Kies…",
    )
    basis = c.multiselect(
        "Grondslag",
        ["geregistreerd", "tenzij-besluit", "stagiair onder verantwoordelijkheid"],
        key="nt_basis",
        placeholder="Kies…",
    )
    view = tables.pick(tables.pick(tables.search(comp, text), "Status", chosen), "Grondslag", basis)
    st.caption(f"{len(view)} van {len(comp)} gezinnen")
    st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        height=360,
        key="nt_families",
        column_config={
            "Toets primair": st.column_config.TextColumn(width="large"),
            "Toets achtervang": st.column_config.TextColumn(width="medium"),
        },
    )

    # 2. registrations
    window = ctx.policy.registration_warning_days
    st.subheader(f"Registraties die verlopen zijn of binnen {window} dagen verlopen")
    if expiring.empty:
        st.success("Geen registraties die verlopen of binnenkort verlopen.")
    else:
        st.dataframe(expiring, hide_index=True, width="stretch", key="nt_expiring")
    with st.expander("Alle registraties"):
        st.dataframe(
            tables.registrations_frame(ctx), hide_index=True, width="stretch", key="nt_regs"
        )

    # 3. coverage a-f
    st.subheader("Dekking van de expertisegebieden a-f (Besluit Jeugdwet art. 2.1)")
    team = teams[0]
    if len(teams) > 1:
        team = st.selectbox("Team", teams, key="nt_team")
    areas, tags = tables.coverage_frames(ctx, team)
    pro_ids = [p for p in areas.columns if p in ctx.professionals]
    gaps = areas[areas["Beschikbaar"] == 0]
    if gaps.empty:
        st.success(f"Team {team} dekt alle zes gebieden met beschikbare professionals.")
    else:
        st.error(
            f"Team {team} mist (beschikbare) expertise in: "
            + "; ".join(
                f"{g}. {o}" for g, o in zip(gaps["Gebied"], gaps["Omschrijving"], strict=True)
            )
        )
    st.caption(
        "Per gebied de expertise van elke professional (cel = de tags in dat gebied). "
        "Langdurig afwezigen tellen niet mee."
    )
    st.dataframe(
        areas,
        hide_index=True,
        width="stretch",
        key="nt_coverage",
        column_config={
            "Gebied": st.column_config.TextColumn(pinned=True, width="small"),
            "Omschrijving": st.column_config.TextColumn(width="medium"),
        },
    )
    st.altair_chart(charts.coverage_chart(areas, pro_ids), width="stretch")
    with st.expander("Per expertise (tag x professional)"):
        st.dataframe(tags, hide_index=True, width="stretch", key="nt_tags")

    # 4. nobody may take
    st.subheader("Gezinnen die niemand mag nemen")
    if not nobody:
        st.success("Voor elk gezin is er minstens één professional die het mag nemen.")
    else:
        st.dataframe(
            tables.findings_frame(nobody), hide_index=True, width="stretch", key="nt_nobody"
        )

    # 5. broken pins
    st.subheader("Gebroken pins")
    if broken is not None:
        rows = [{"Gezin": f, "Professional": p, "Reden": r} for f, p, r in broken]
    else:
        rows = [{"Gezin": f.subject, "Professional": "", "Reden": f.message} for f in pins]
    if not rows:
        st.success("Alle vastgepinde gezinnen kunnen bij hun professional blijven.")
    else:
        st.caption(
            "Een pin die niet kan blijven: de regels staan het niet (meer) toe of er is geen "
            "ruimte."
        )
        st.dataframe(rows, hide_index=True, width="stretch", key="nt_pins")

    # 6. current assignments that are no longer allowed
    if not_allowed_now:
        with st.expander(
            f"Huidige toedelingen in de gegevens die niet (meer) mogen ({len(not_allowed_now)})"
        ):
            st.dataframe(
                tables.findings_frame(not_allowed_now),
                hide_index=True,
                width="stretch",
                key="nt_now",
            )


render()
