"""Wijkteam planner dashboard: `streamlit run app.py` (or `make run`).

Three pages (see dashboard/pages/): Toedelen for the team manager, Mijn caseload for a
professional and Normtoets for compliance. Every page works on the same data, settings and
latest plan, kept in the session.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # the `dashboard` package next to this file
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import components, state  # noqa: E402

st.set_page_config(page_title="Wijkteamplanner", page_icon=":material/diversity_3:", layout="wide")

state.harvest()  # a plan that finished since the last run becomes the latest plan

pages = [
    st.Page(
        "dashboard/pages/toedelen.py",
        title="Toedelen",
        icon=":material/assignment_ind:",
        default=True,
    ),
    st.Page("dashboard/pages/mijn_caseload.py", title="Mijn caseload", icon=":material/person:"),
    st.Page("dashboard/pages/normtoets.py", title="Normtoets", icon=":material/verified:"),
]
page = st.navigation(pages)
page.run()
components.sidebar()  # after the page, so it shows data the page has just loaded
