"""Địa bàn: districts mentioned in the items, on a map (2025 communes placed at their former district),
ranked, and crossed with sectors."""

from __future__ import annotations

import streamlit as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import Selection
from ui import components as ui
from ui.i18n import column_label, t

view, names, n = ui.start_trend_page("places.title")
# Counted through the mask over the corpus' frame, whose lists are flattened once (no slice of the rows).
frame, rows = view.frame, view.counted_rows

n_mentioning = int(agg.nonempty(frame, "districts", rows=rows).sum())
st.caption(t("places.note", n=n_mentioning, total=n))
if not n_mentioning:
    st.info(t("places.none"), icon=":material/location_off:")
    st.stop()

places = agg.place_counts(frame, view.corpus.places, rows=rows)
left, right = st.columns([3, 2])
with left:
    fig = charts.place_map(
        places,
        charts.Labels(x=t("places.lon"), y=t("places.lat"), count=t("common.items"), share=t("common.share")),
        view.corpus.profile.map_centre,
    )
    table = places.assign(mentions=places["mentions"].map("; ".join))
    ui.chart_with_table(
        fig,
        ui.summary_table(table, ["district", "count", "share", "mentions", "lat", "lon"]),
        key="pl_map",
        title=t("places.map"),
        n=n_mentioning,
        m=view.total_counted,
    )
    unplaced = places[places["lat"].isna()]
    if len(unplaced):
        st.caption(t("places.unplaced", labels="; ".join(m for ms in unplaced["mentions"] for m in ms)))
with right:
    labels = agg.ranking(frame, "districts", explode=True, missing=None, rows=rows)
    fig = charts.bars(
        labels.head(25),
        "districts",
        charts.Labels(x=t("common.items"), count=t("common.items"), share=t("common.share")),
        horizontal=True,
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(labels, ["districts", "count", "share"]),
        key="pl_rank",
        title=t("places.ranking"),
        n=n_mentioning,
        m=view.total_counted,
        selection=Selection("districts", (), explode=True),
    )

cross = agg.crosstab(  # (items naming no place drop out: missing=None)
    frame,
    "districts",
    "sector",
    explode_row=True,
    row_order=labels["districts"].tolist(),
    col_order=view.corpus.sector_order,
    missing=None,
    rows=rows,
)
fig = charts.heatmap(
    cross,
    "districts",
    "sector",
    charts.Labels(
        x=column_label("sector"),
        y=column_label("districts"),
        count=t("common.items"),
        share=t("places.share_of_place"),
        names=names["sector"],
    ),
)
ui.chart_with_table(
    fig,
    ui.summary_table(cross, ["districts", "sector", "count", "row_share"], names),
    key="pl_cross",
    title=t("places.by_sector"),
    n=n_mentioning,
    m=view.total_counted,
)
