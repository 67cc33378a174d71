"""Widgets shared by the pages: error tables, the plan progress panel, the sidebar summary."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.data import Loaded, Problem
from dashboard.tables import STATUS_NL

POLL_SECONDS = 0.3


def problems_table(problems: tuple[Problem, ...] | list[Problem], key: str) -> None:
    df = pd.DataFrame(
        [p.as_row() for p in problems], columns=["Bestand", "Rij", "Kolom", "Melding"]
    )
    df["Rij"] = df["Rij"].astype("Int64")
    st.dataframe(
        df,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={"Melding": st.column_config.TextColumn(width="large")},
    )


def data_errors(data: Loaded) -> bool:
    """Show the input errors of `data` (a table, never a traceback). True when there are any."""
    if data.ok:
        return False
    st.error(
        f"De gegevens bevatten {len(data.errors)} fout(en). Er wordt niets gepland tot ze "
        "verbeterd zijn. Per fout: het bestand (of werkblad), de rij zoals Excel die toont, "
        "de kolom en wat er mis is."
    )
    problems_table(data.errors, key="input_errors")
    return True


def data_warnings(data: Loaded) -> None:
    if data.warnings:
        with st.expander(f"{len(data.warnings)} waarschuwing(en) bij het inlezen"):
            problems_table(data.warnings, key="input_warnings")


@st.fragment(run_every=POLL_SECONDS)
def _progress_panel() -> None:
    job = state.job()
    if job is None:
        return
    if job.done.is_set():
        st.rerun()  # the whole page: it harvests the plan and shows it
    elapsed = job.elapsed()
    with st.status(
        f"Plan wordt gemaakt… {elapsed:.0f} s (maximaal ongeveer {job.time_limit:.0f} s)",
        expanded=True,
    ):
        st.markdown(job.progress_text())
        st.progress(min(1.0, elapsed / max(job.time_limit, 1e-9)))
        st.button(
            "Stoppen",
            key="plan_stop",
            on_click=job.stop.set,
            disabled=job.stop.is_set(),
            help="Stopt het zoeken; het beste plan tot nu toe wordt getoond.",
        )


def plan_progress() -> None:
    """The progress of a running plan (refreshes itself), or the error of the last attempt."""
    if state.running():
        _progress_panel()
        return
    err = st.session_state.get("job_error")
    if err:
        exc, details = err
        if isinstance(exc, state.Stopped):
            st.info("Gestopt voordat er een plan was; er is geen nieuw plan.")
        else:
            st.error(f"Er is geen plan gemaakt: {exc}")
            if details and not isinstance(exc, state.NoPlan):
                with st.expander("Technische details"):
                    st.code(details)


def sidebar() -> None:
    """Which data and which plan the pages show."""
    cur = state.loaded()
    with st.sidebar:
        st.caption("Gegevens")
        if cur.dataset is not None:
            ds = cur.dataset
            st.markdown(
                f"**{cur.label}**  \n{len(ds.professionals)} professionals, "
                f"{len(ds.families)} gezinnen, {len(ds.cases)} hulpvragen"
            )
        else:
            st.markdown(f"**{cur.label}**  \n✘ {len(cur.errors)} invoerfout(en)")
        plan = state.latest()
        st.caption("Laatste plan")
        if state.running():
            st.markdown("○ wordt gemaakt…")
        elif plan is None:
            st.markdown("nog geen plan")
        else:
            c = plan.counts
            st.markdown(
                f"**#{plan.number}** van {plan.made_at:%H:%M:%S}  \n"
                f"{c['placed']} geplaatst, {c['waiting']} op de wachtlijst  \n"
                f"{STATUS_NL.get(plan.plan.status, plan.plan.status)}"
            )
