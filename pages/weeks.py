"""Theo tuần: the weeks as a calendar, a week's items in the digest's own order, and stated deadlines."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import week_monday
from ui import components as ui
from ui.i18n import column_label, t
from ui.safe import md_escape
from ui.state import get_view

#: Above this many items a week is shown as one table instead of one expander per item.
MAX_EXPANDERS = 60
WEEK_TABLE = ["source", "item_no", "headline", "doc_type", "doc_symbol", "sector", "leader", "body"]

view = get_view()
names = ui.view_names(view)
st.title(t("weeks.title"))
# Through the view's mask: no slice of every row, only of the columns each table reads.
frame, mask = view.frame, view.mask
if not view.n_items:
    ui.empty_message()
    st.stop()

cal = agg.week_calendar(frame, rows=mask)
fig = charts.calendar(cal, charts.Labels(x=t("weeks.week_no"), y=t("weeks.year"), count=t("common.items")))
ui.chart_with_table(
    fig,
    ui.summary_table(cal, ["week", "week_start", "digests", "reports", "items"]),
    key="wk_calendar",
    title=t("weeks.calendar"),
    n=int(view.counted_rows.sum()),
    m=view.total_counted,
)

# One week, read in the digest's own order.
weeks = sorted(cal["week"], reverse=True)
week = st.selectbox(t("weeks.pick"), weeks, key="week", bind="query-params", help=t("weeks.pick_help"))
monday = week_monday(week)
rows = view.full_rows(agg.week_items(frame, week, rows=mask))
n_week = int((frame["week"] == week).sum())  # every item of the week, filters aside
st.subheader(
    t("weeks.week_items", week=week, start=f"{monday:%d/%m/%Y}", end=f"{monday + dt.timedelta(days=6):%d/%m/%Y}")
)
ui.count_caption(len(rows), n_week, counted=False)
ui.brief_buttons(view, week)
if len(rows) > MAX_EXPANDERS:  # a national week: one table, not one widget per item
    st.caption(t("weeks.as_table", n=ui.thousands(len(rows))))
    st.dataframe(
        rows[WEEK_TABLE].assign(sector=rows["sector"].map(lambda s: names["sector"].get(s, s))),
        hide_index=True,
        width="stretch",
        column_config={c: column_label(c) for c in WEEK_TABLE},
    )
else:
    digest = None  # the rows come digest by digest (`week_items`): each digest's heading before its items
    for r in rows.itertuples():  # (one pass: itertuples makes a class per call, ~50 ms for this many columns)
        if r.digest_id != digest:
            digest = r.digest_id
            st.caption(t("weeks.digest", source=md_escape(r.source), digest=str(digest)[:12]))
            ui.original_link(r.source_url, key=f"weeks_original_{digest}")
        sector = names["sector"].get(r.sector, r.sector)
        meta = " · ".join(x for x in (r.doc_type, r.doc_symbol, sector, r.leader) if x)
        repeat = "" if r.first_report else f" · {t('weeks.repeat', n=r.reported_in)}"
        with st.expander(f"{r.item_no}\\. {md_escape(r.headline)}"):
            st.caption(md_escape(meta + repeat))
            st.text(r.body or "–")

# Deadlines stated in the filtered items.
st.subheader(t("weeks.deadlines"))
today = dt.date.today()
due = agg.deadlines(frame, today, rows=mask)
with_deadline = int(due["row"].nunique()) if len(due) else 0
if due.empty:
    st.info(t("weeks.no_deadlines"), icon=":material/event_busy:")
else:
    table = due.drop(columns="row").assign(
        # Labels translated once per distinct value, not once per deadline.
        status=due["status"].map({s: t(f"weeks.status_{s}") for s in due["status"].unique()}),
        sector=due["sector"].map({s: names["sector"].get(s, s) for s in due["sector"].unique()}),
    )
    table = table.rename(columns={c: column_label(c) for c in table.columns})
    n_upcoming = int((due["status"] == "upcoming").sum())  # (listed first: each tab is a range of rows)
    upcoming, past = st.tabs([t("weeks.upcoming", n=n_upcoming), t("weeks.past", n=len(due) - n_upcoming)])
    for tab, status, part in ((upcoming, "upcoming", table.iloc[:n_upcoming]), (past, "past", table.iloc[n_upcoming:])):
        with tab:
            ui.screen_table(  # soonest (or latest) first: the first rows are the ones to read
                part,
                column_config={column_label("deadline"): st.column_config.DateColumn(format="DD/MM/YYYY")},
                numbers=False,  # (days: small whole numbers)
            )
            ui.download_buttons(part, f"thoi-han-{status}", f"wk_deadlines_{status}")
    ui.count_caption(with_deadline, view.n_items, counted=False)
    st.caption(t("weeks.today", today=f"{today:%d/%m/%Y}"))
