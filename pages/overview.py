"""Tổng quan: headline figures, items per period, documents by type, the latest week, and what moved."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import Selection, week_monday
from ui import components as ui
from ui.i18n import column_label, t
from ui.state import get_view

view = get_view()
names = ui.view_names(view)
st.title(t("overview.title"))
profile = view.corpus.profile
st.caption(t("overview.intro", level=profile.level if profile else "", province=profile.name if profile else ""))

# Counted through the view's mask; the only slice of the rows holds the three columns read below.
if not view.n_items:
    ui.empty_message()
    st.stop()
counted = view.counted_of("doc_type", "sector", "week")

figs = agg.headline_figures(view.frame, view.no_document_types, rows=view.mask)
ui.metric_row(
    [
        (t("overview.digests"), ui.thousands(figs["digests"]), t("overview.digests_help")),
        (t("overview.items"), ui.thousands(figs["items"]), t("overview.items_help", reports=figs["reports"])),
        (t("overview.documents"), ui.thousands(figs["documents"]), t("overview.documents_help")),
        (
            t("overview.normative_share"),
            ui.percent(figs["normative_share"]),
            t("overview.normative_help", n=figs["normative"], m=figs["documents"]),
        ),
    ]
)

per = view.granularity
period_title = t(f"granularity.{per}")
trend = agg.counts_by_period(
    view.frame, "sector", per, order=view.corpus.sector_order, missing=None, rows=view.counted_rows
)
left, right = st.columns([3, 2])
with left:
    fig = charts.stacked_bars(
        trend,
        "period",
        "sector",
        charts.Labels(
            x=period_title,
            y=t("common.items"),
            color=column_label("sector"),
            count=t("common.items"),
            share=t("common.share_of_period"),
            names=names["sector"],
        ),
        view.corpus.sector_colors,
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(trend, {"period": "period", "sector": "sector", "count": "count", "share": "share"}, names),
        key="ov_trend",
        title=t("overview.per_period", period=period_title.lower()),
        n=len(counted),
        m=view.total_counted,
        selection=Selection("sector", (), per),
    )
with right:
    types = agg.ranking(counted, "doc_type")
    fig = charts.bars(
        types,
        "doc_type",
        charts.Labels(x=t("common.items"), count=t("common.items"), share=t("common.share"), names=names["doc_type"]),
        horizontal=True,
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(types, ["doc_type", "count", "share"], names),
        key="ov_types",
        title=t("overview.by_type"),
        n=len(counted),
        m=view.total_counted,
        selection=Selection("doc_type", ()),
    )

# The latest week at a glance.
weeks = view.frame["week"]
latest = str((weeks if view.mask is None else weeks[view.mask]).max())
week_rows = agg.week_items(view.frame, latest, rows=view.mask)
start = week_monday(latest)
st.subheader(t("overview.latest", week=latest, start=f"{start:%d/%m/%Y}"))
c1, c2 = st.columns([1, 2])
with c1:
    top = agg.ranking(agg.counted(week_rows), "sector", missing=None, top=5)
    st.metric(t("overview.latest_items"), ui.thousands(len(week_rows)), border=True)
    st.dataframe(
        ui.styled(ui.summary_table(top, ["sector", "count", "share"], names)), hide_index=True, width="stretch"
    )
with c2:
    st.markdown(ui.item_list(week_rows.head(12)))
    if len(week_rows) > 12:
        st.caption(t("overview.latest_more", n=len(week_rows) - 12))
ui.count_caption(len(week_rows), view.n_items, counted=False)

# What moved most against the previous period.
st.subheader(t("overview.movers"))
k = (
    st.segmented_control(
        t("overview.movers_window"), (1, 4, 13), default=4, key="ov_k", format_func=lambda n: t("overview.n_weeks", n=n)
    )
    or 4
)
# Calendar periods: the k weeks ending at the latest week in view against the k weeks before. Digests are
# counted over the corpus (a digest none of whose items match the filters still belongs to its period).
f = view.filters
digest_weeks = [w for w in view.corpus.weeks if f.week_from <= w and (not f.week_to or w <= f.week_to)]
current, previous = agg.recent_periods(digest_weeks, k, latest=latest)
if not previous:
    before_end = week_monday(latest) - pd.Timedelta(weeks=k)
    st.info(
        t(
            "overview.movers_no_previous",
            n=k,
            start=f"{before_end - pd.Timedelta(weeks=k - 1):%d/%m/%Y}",
            end=f"{before_end + pd.Timedelta(days=6):%d/%m/%Y}",
        ),
        icon=":material/info:",
    )
else:
    all_weeks = view.corpus.items["week"]
    digests = tuple(int(view.corpus.items.loc[all_weeks.isin(ws), "digest_id"].nunique()) for ws in (current, previous))
    per_digest = digests[0] != digests[1]
    moved = agg.movers(counted, "sector", current, previous, missing=None, digests=digests)
    st.caption(t("overview.movers_caption", current=", ".join(current), previous=", ".join(previous)))
    if per_digest:
        st.caption(t("overview.movers_per_digest", a=digests[0], b=digests[1]))
    value = "change_per_digest" if per_digest else "change"
    moved_shown = moved[moved[value] != 0].head(12)
    change_label = t("overview.change_per_digest" if per_digest else "overview.change")
    fig = charts.bars(
        moved_shown.assign(count=moved_shown[value], share=moved_shown["share_change"]),
        "sector",
        charts.Labels(x=change_label, count=change_label, share=t("overview.share_change"), names=names["sector"]),
        colors=view.corpus.sector_colors,
        value=value,
        horizontal=True,
    )
    n_now = int(counted["week"].isin(current).sum())
    n_before = int(counted["week"].isin(previous).sum())
    columns = ["sector", "current", "previous", "change"]
    columns += ["current_per_digest", "previous_per_digest", "change_per_digest"] if per_digest else []
    ui.chart_with_table(
        fig,
        ui.summary_table(moved, [*columns, "current_share", "previous_share", "share_change"], names),
        key="ov_movers",
        title=t("overview.movers_chart_per_digest" if per_digest else "overview.movers_chart"),
        n=n_now + n_before,
        m=view.total_counted,
    )
