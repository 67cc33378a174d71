"""Streamlit dashboard of the wijkteam planner (`streamlit run app.py`).

The dashboard adds no rules of its own: every decision, reason and finding comes from `planner`.
Modules: `data` (demo and uploads, CSV or one Excel workbook), `whatif` (scenario edits of a
dataset), `state` (session state and the background plan job), `tables`, `charts` and `downloads`
(presentation), `components` (shared widgets) and `pages/` (one script per page).
"""
