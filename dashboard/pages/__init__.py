"""Page scripts run by `st.navigation` in app.py (one file per page)."""
