"""Loại văn bản: the mix of document types over time, normative vs administrative, type × sector, and the
central documents (QĐ-TTg, NQ-CP, KL/TW…) that local directives cite."""

from __future__ import annotations

import numpy as np
import streamlit as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import Selection, in_values
from ui import components as ui
from ui.i18n import column_label, t

view, names, n = ui.start_trend_page("doc_types.title")

per = view.granularity
period_title = t(f"granularity.{per}")
m = view.total_counted
type_order = view.corpus.options["doc_types"]
type_colors = charts.palette(type_order)

mix = agg.counts_by_period(view.frame, "doc_type", per, order=type_order, missing=None, rows=view.counted_rows)
fig = charts.stacked_bars(
    mix,
    "period",
    "doc_type",
    charts.Labels(
        x=period_title,
        y=t("common.share_of_period"),
        color=column_label("doc_type"),
        count=t("common.items"),
        share=t("common.share_of_period"),
        names=names["doc_type"],
    ),
    type_colors,
    y="share",
)
ui.chart_with_table(
    fig,
    ui.summary_table(mix, ["period", "doc_type", "count", "total", "share"], names),
    key="dt_mix",
    title=t("doc_types.mix", period=period_title.lower()),
    n=n,
    m=m,
    selection=Selection("doc_type", (), per),
)

# Documents (not meetings, not items naming none), counted through a mask: no slice of the rows.
doc_rows = view.counted_rows & ~in_values(view.frame["doc_type"], view.no_document_types)
n_docs = int(doc_rows.sum())
if not n_docs:
    st.subheader(t("doc_types.normative"))
    st.info(t("doc_types.no_documents"), icon=":material/info:")
else:
    norm = agg.counts_by_period(view.frame, "is_normative", per, order=["True", "False"], rows=doc_rows)
    fig = charts.stacked_bars(
        norm,
        "period",
        "is_normative",
        charts.Labels(
            x=period_title,
            y=t("common.documents"),
            color=column_label("is_normative"),
            count=t("common.documents"),
            share=t("common.share_of_period"),
            names=names["is_normative"],
        ),
        {"True": "#b07aa1", "False": "#bab0ac"},
    )
    ui.chart_with_table(
        fig,
        ui.summary_table(norm, ["period", "is_normative", "count", "share"], names),
        key="dt_norm",
        title=t("doc_types.normative"),
        n=n_docs,
        m=m,
        selection=Selection("is_normative", (), per),
    )

cross = agg.crosstab(
    view.frame,
    "doc_type",
    "sector",
    row_order=type_order,
    col_order=view.corpus.sector_order,
    missing=None,
    rows=view.counted_rows,
)
fig = charts.heatmap(
    cross,
    "doc_type",
    "sector",
    charts.Labels(
        x=column_label("sector"),
        y=column_label("doc_type"),
        count=t("common.items"),
        share=t("doc_types.share_of_type"),
        names={**names["sector"], **names["doc_type"]},
    ),
)
ui.chart_with_table(
    fig,
    ui.summary_table(cross, ["doc_type", "sector", "count", "row_share"], names),
    key="dt_cross",
    title=t("doc_types.by_sector"),
    n=n,
    m=m,
)

# Cited documents: which central documents drive local action.
central = view.corpus.central_issuers
every_cite = view.corpus.central_citations
central_cites = every_cite[view.counted_rows[every_cite["at"].to_numpy()]]  # the citations of counted rows
citing = int(np.count_nonzero(np.bincount(central_cites["at"].to_numpy())))  # distinct citing rows
st.subheader(t("doc_types.cited"))
st.caption(t("doc_types.cited_note", n=citing, total=n))
if central_cites.empty:
    st.info(t("doc_types.no_citations"), icon=":material/info:")
else:
    issuer_names = {code: v.get(view.lang) or v.get("vi", code) for code, v in central.items()}

    def citation_panel(column: str, key: str, title: str, selection: Selection | None = None) -> None:
        """The 15 most cited families or documents, with the citing issuer named in the table."""
        ranked = agg.citation_ranking(central_cites, column, n)
        fig = charts.bars(
            ranked.head(15),
            column,
            charts.Labels(x=t("common.items"), count=t("common.items"), share=t("common.share")),
            horizontal=True,
        )
        table = ranked.assign(
            issuer=ranked["issuer"].map({c: issuer_names.get(c, c) for c in ranked["issuer"].unique()})
        )
        cols = {column: column, "issuer": "cited_issuer", "count": "count", "share": "share"}
        ui.chart_with_table(
            fig, ui.summary_table(table, cols), key=key, title=title, n=citing, m=m, selection=selection
        )

    c1, c2 = st.columns(2)
    with c1:
        citation_panel("family", "dt_families", t("doc_types.cited_families"))
    with c2:
        citation_panel(
            "symbol", "dt_cited", t("doc_types.cited_documents"), Selection("cited_documents", (), explode=True)
        )
