"""Lĩnh vực: items per period by sector (counts or shares, optional rolling window), the sector ranking,
and sector × document type."""

from __future__ import annotations

import streamlit as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import Selection
from ui import components as ui
from ui.i18n import column_label, t

view, names, n = ui.start_trend_page("sectors.title")

per = view.granularity
period_title = t(f"granularity.{per}")
mode, window = ui.trend_controls("sec", period_title)

order = view.corpus.sector_order
trend = agg.counts_by_period(
    view.frame, "sector", per, window=window, order=order, missing=None, rows=view.counted_rows
)
labels = charts.Labels(
    x=period_title,
    y=t("common.items") if mode == "count" else t("common.share_of_period"),
    color=column_label("sector"),
    count=t("common.items"),
    share=t("common.share_of_period"),
    names=names["sector"],
)
colors = view.corpus.sector_colors
fig = (
    charts.stacked_bars(trend, "period", "sector", labels, colors)
    if mode == "count"
    else charts.share_lines(trend, "period", "sector", labels, colors)
)
title = t("sectors.trend_count" if mode == "count" else "sectors.trend_share", period=period_title.lower())
if window > 1:
    title += " · " + t("sectors.window_n", n=window, period=period_title.lower())
ui.chart_with_table(
    fig,
    ui.summary_table(trend, ["period", "sector", "count", "total", "share"], names),
    key="sec_trend",
    title=title,
    n=n,
    m=view.total_counted,
    # A rolling bar sums several periods: a click could not name its items, so no selection then.
    selection=Selection("sector", (), per) if window == 1 else None,
)

left, right = st.columns([2, 3])
with left:
    rank = agg.ranking(view.frame, "sector", missing=None, rows=view.counted_rows)
    fig = charts.bars(
        rank,
        "sector",
        charts.Labels(x=t("common.items"), count=t("common.items"), share=t("common.share"), names=names["sector"]),
        colors=colors,
        horizontal=True,
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(rank, ["sector", "count", "share"], names),
        key="sec_rank",
        title=t("sectors.ranking"),
        n=n,
        m=view.total_counted,
        selection=Selection("sector", ()),
    )
with right:
    cross = agg.crosstab(view.frame, "sector", "doc_type", row_order=order, missing=None, rows=view.counted_rows)
    fig = charts.heatmap(
        cross,
        "sector",
        "doc_type",
        charts.Labels(
            x=column_label("doc_type"),
            y=column_label("sector"),
            count=t("common.items"),
            share=t("sectors.share_of_sector"),
            names={**names["sector"], **names["doc_type"]},
        ),
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(cross, ["sector", "doc_type", "count", "row_share"], names),
        key="sec_cross",
        title=t("sectors.by_type"),
        n=n,
        m=view.total_counted,
    )
