"""Analytics: pure functions over the items DataFrame (filters, aggregates, figures, export bytes).

Nothing here imports streamlit: every function takes frames and plain values and returns frames,
figures or bytes, so that each number the dashboard shows can be checked in a unit test.
"""
