"""Altair charts: workload against capacity, one professional's load, coverage a-f."""

from __future__ import annotations

import altair as alt
import pandas as pd

LOAD_COLOURS = alt.Scale(
    domain=["tot 85%", "85-100%", "vol (100%)"], range=["#4c78a8", "#f58518", "#e45756"]
)


def _band(u: float) -> str:
    if u >= 0.999:
        return "vol (100%)"
    return "85-100%" if u >= 0.85 else "tot 85%"


def workload_chart(workload: pd.DataFrame) -> alt.LayerChart:
    """Load per professional (bars) against capacity (black ticks), in hours per week."""
    df = workload.copy()
    df["Band"] = [_band(u) for u in df["Bezetting"]]
    df["Bezetting %"] = (df["Bezetting"] * 100).round(0)
    base = alt.Chart(df).encode(
        x=alt.X("Professional:N", sort=None, title="Professional"),
        tooltip=[
            "Professional",
            "Naam",
            "Functie",
            alt.Tooltip("Belasting (u/week):Q", format=".2f"),
            alt.Tooltip("Capaciteit (u/week):Q", format=".2f"),
            alt.Tooltip("Bezetting %:Q", title="Bezetting (%)"),
            "Gezinnen",
            "Achtervang",
            "Consulten",
            "Signalen",
        ],
    )
    bars = base.mark_bar().encode(
        y=alt.Y("Belasting (u/week):Q", title="uren per week"),
        color=alt.Color("Band:N", scale=LOAD_COLOURS, title="Bezetting"),
    )
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(y="Capaciteit (u/week):Q")
    return (bars + ticks).properties(height=320)


def caseload_chart(parts: pd.DataFrame, capacity: float) -> alt.LayerChart:
    """One professional's load by role (stacked) against capacity (a rule)."""
    bars = (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            x=alt.X("Uren:Q", title="uren per week", stack="zero"),
            y=alt.Y("Wie:N", title=None),
            color=alt.Color(
                "Rol:N",
                scale=alt.Scale(
                    domain=["primair", "achtervang", "consult"],
                    range=["#4c78a8", "#72b7b2", "#b279a2"],
                ),
            ),
            tooltip=["Rol", alt.Tooltip("Uren:Q", format=".2f"), "Aantal"],
        )
    )
    cap = pd.DataFrame({"Capaciteit": [capacity], "Wie": [parts["Wie"].iloc[0]]})
    rule = (
        alt.Chart(cap)
        .mark_tick(color="black", thickness=3, size=40)
        .encode(x="Capaciteit:Q", y="Wie:N", tooltip=[alt.Tooltip("Capaciteit:Q", format=".2f")])
    )
    return (bars + rule).properties(height=110)


def recommendation_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Load after placement against capacity for the recommended professionals."""
    base = alt.Chart(df).encode(y=alt.Y("Professional:N", sort=None, title=None))
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("Belasting na plaatsing (u):Q", title="uren per week na plaatsing"),
        tooltip=["Professional", "Belasting na plaatsing (u)", "Capaciteit (u)"],
    )
    ticks = base.mark_tick(color="black", thickness=3, size=30).encode(x="Capaciteit (u):Q")
    return (bars + ticks).properties(height=40 + 40 * len(df))


def coverage_chart(areas: pd.DataFrame, pro_ids: list[str]) -> alt.Chart:
    """Heatmap of areas a-f x professionals: filled when the professional covers the area."""
    rows = []
    for _, r in areas.iterrows():
        for pid in pro_ids:
            cell = str(r[pid])
            state = "geen" if not cell else ("afwezig" if "afwezig" in cell else "dekt")
            rows.append(
                {
                    "Gebied": f"{r['Gebied']}. {r['Omschrijving']}",
                    "Professional": pid,
                    "Dekking": state,
                    "Tags": cell,
                }
            )
    df = pd.DataFrame(rows)
    return (
        alt.Chart(df)
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("Professional:N", sort=None),
            y=alt.Y("Gebied:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "Dekking:N",
                scale=alt.Scale(
                    domain=["dekt", "afwezig", "geen"], range=["#54a24b", "#f2cf5b", "#eeeeee"]
                ),
                legend=alt.Legend(title="Dekking"),
            ),
            tooltip=["Gebied", "Professional", "Tags"],
        )
        .properties(height=220)
    )
