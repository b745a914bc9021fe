"""Streamlit glue for the dashboard: cached data access, the shared sidebar and its URL state, translations,
and the chart-with-table component. Computation lives in `analytics/`; this package only renders.
"""
