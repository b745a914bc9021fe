"""Cơ quan, lãnh đạo: items by issuer and by named leader over time, who directs what (leader × sector),
and the lead departments ("… chủ trì") ranked and crossed with sectors."""

from __future__ import annotations

import streamlit as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import Selection, in_values
from ui import components as ui
from ui.i18n import column_label, t

TOP_AGENCIES = 20
view, names, n = ui.start_trend_page("issuers.title")

per = view.granularity
period_title = t(f"granularity.{per}")
m = view.total_counted

issuer_order = view.corpus.options["issuers"]
by_issuer = agg.counts_by_period(view.frame, "issuer", per, order=issuer_order, missing=None, rows=view.counted_rows)
fig = charts.stacked_bars(
    by_issuer,
    "period",
    "issuer",
    charts.Labels(
        x=period_title,
        y=t("common.items"),
        color=column_label("issuer"),
        count=t("common.items"),
        share=t("common.share_of_period"),
        names=names["issuer"],
    ),
    charts.palette(issuer_order),
)
ui.chart_with_table(
    fig,
    ui.summary_table(by_issuer, ["period", "issuer", "count", "share"], names),
    key="iss_trend",
    title=t("issuers.by_issuer", period=period_title.lower()),
    n=int((view.counted_rows & ~in_values(view.frame["issuer"], [""])).sum()),
    m=m,
    selection=Selection("issuer", (), per),
)

# Masks over the corpus' rows, no slice (slicing costs more than the charts at 350,000 items).
named = view.counted_rows & ~in_values(view.frame["leader"], [""])  # items naming their leader
n_named = int(named.sum())
st.caption(t("issuers.leader_note", n=n_named, total=n))
if not n_named:
    st.info(t("issuers.no_leader"), icon=":material/info:")
else:
    leader_order = agg.ranking(view.frame, "leader", rows=named)["leader"].tolist()
    leader_colors = charts.palette(leader_order)
    by_leader = agg.counts_by_period(view.frame, "leader", per, order=leader_order, missing=None, rows=named)
    fig = charts.stacked_bars(
        by_leader,
        "period",
        "leader",
        charts.Labels(
            x=period_title,
            y=t("common.items"),
            color=column_label("leader"),
            count=t("common.items"),
            share=t("issuers.share_of_named"),
        ),
        leader_colors,
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(by_leader, ["period", "leader", "count", "share"]),
        key="iss_leader",
        title=t("issuers.by_leader", period=period_title.lower()),
        n=n_named,
        m=m,
        selection=Selection("leader", (), per),
    )
    cross = agg.crosstab(
        view.frame,
        "leader",
        "sector",
        row_order=leader_order,
        col_order=view.corpus.sector_order,
        missing=None,
        rows=named,
    )
    fig = charts.heatmap(
        cross,
        "leader",
        "sector",
        charts.Labels(
            x=column_label("sector"),
            y=column_label("leader"),
            count=t("common.items"),
            share=t("issuers.share_of_leader"),
            names=names["sector"],
        ),
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(cross, ["leader", "sector", "count", "row_share"], names),
        key="iss_who",
        title=t("issuers.who_directs_what"),
        n=n_named,
        m=m,
    )

# Lead agencies through the mask over the corpus' frame, whose lists are flattened once (no slice).
with_agency = int(agg.nonempty(view.frame, "lead_agencies", rows=view.counted_rows).sum())
st.caption(t("issuers.agency_note", n=with_agency, total=n))
if not with_agency:
    st.info(t("issuers.no_agency"), icon=":material/info:")
else:
    left, right = st.columns([2, 3])
    agencies = agg.ranking(view.frame, "lead_agencies", explode=True, missing=None, rows=view.counted_rows)
    with left:
        top = agencies.head(TOP_AGENCIES)
        fig = charts.bars(
            top,
            "lead_agencies",
            charts.Labels(x=t("common.items"), count=t("common.items"), share=t("common.share")),
            horizontal=True,
        )
        ui.chart_with_table(
            fig,
            ui.summary_table(agencies, ["lead_agencies", "count", "share"]),
            key="iss_agency",
            title=t("issuers.agencies", n=min(TOP_AGENCIES, len(agencies))),
            n=with_agency,
            m=m,
            selection=Selection("lead_agencies", (), explode=True),
        )
    with right:
        top_names = agencies["lead_agencies"].head(15).tolist()
        cross = agg.crosstab(
            view.frame,
            "lead_agencies",
            "sector",
            explode_row=True,
            row_order=top_names,
            col_order=view.corpus.sector_order,
            missing=None,
            rows=view.counted_rows,
        )
        cross_top = cross[cross["lead_agencies"].isin(top_names)]
        fig = charts.heatmap(
            cross_top,
            "lead_agencies",
            "sector",
            charts.Labels(
                x=column_label("sector"),
                y=column_label("lead_agencies"),
                count=t("common.items"),
                share=t("issuers.share_of_agency"),
                names=names["sector"],
            ),
        )
        ui.chart_with_table(
            fig,
            ui.summary_table(cross, ["lead_agencies", "sector", "count", "row_share"], names),
            key="iss_agency_sector",
            title=t("issuers.agency_by_sector"),
            n=with_agency,
            m=m,
        )
