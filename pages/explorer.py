"""Tra cứu: the filtered items as a searchable, sortable table; a selected row shows the whole item and the
digest it came from. Downloads carry the filtered rows with every column."""

from __future__ import annotations

import numpy as np
import streamlit as st

from analytics.filters import newest_first
from analytics.urls import item_ref
from loaders import export
from loaders.library import LibraryError
from ui import components as ui
from ui.data import source_text
from ui.i18n import column_label, t
from ui.safe import md_escape
from ui.state import (
    clear_item_refs,
    get_selection,
    get_view,
    item_refs,
    selected_labels,
    selected_row,
    set_selected_row,
    set_selection,
)

#: Rows sent to the table at most: more is slow to send and to scroll; the download has every match.
MAX_TABLE_ROWS = 2000
TABLE_COLUMNS = [
    "week",
    "item_no",
    "headline",
    "doc_symbol",
    "doc_date",
    "doc_type",
    "issuer",
    "leader",
    "sector",
    "lead_agencies",
    "districts",
    "cited_documents",
    "reported_in",
]
DETAIL_COLUMNS = [
    "doc_type",
    "doc_symbol",
    "doc_date",
    "is_normative",
    "issuer",
    "leader",
    "leader_source",
    "unit",
    "sector",
    "sectors_secondary",
    "sector_reason",
    "lead_agencies",
    "districts",
    "cited_documents",
    "deadlines",
    "item_key",
    "reported_in",
]


view = get_view()
st.title(t("explorer.title"))

selection = get_selection()
labels = selected_labels(view)  # the rows' labels: no slice of every column of every row
refs = item_refs()
narrowed: list[tuple[str, str]] = []  # what narrows the rows besides the filters: cited in the downloads
if refs:  # a link naming exact items (from the data-quality page)
    linked = ", ".join(f"{d[:12]}#{n}" if n is not None else d[:12] for d, n in refs[:8])
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.info(
        t("explorer.linked", picked=md_escape(linked + ("…" if len(refs) > 8 else "")), n=len(labels)),
        icon=":material/link:",
    )
    narrowed.append((t("export.linked"), ", ".join(item_ref(d, n) for d, n in refs)))
    if c2.button(t("explorer.clear_selection"), key="clear_item_refs", icon=":material/close:"):
        clear_item_refs()
        st.rerun()
if selection is not None:
    shown_as = ui.view_names(view).get(selection.column, {})
    picked = ", ".join(" · ".join(p for p in (shown_as.get(v, v), per) if p) for v, per in selection.pairs[:8])
    more = "…" if len(selection.pairs) > 8 else ""
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.info(
        t("explorer.narrowed", column=column_label(selection.column), picked=md_escape(picked + more), n=len(labels)),
        icon=":material/ads_click:",
    )
    every = "; ".join(" · ".join(p for p in pair if p) for pair in selection.pairs)
    narrowed.append((t("export.selection"), f"{column_label(selection.column)}: {every}"))
    if c2.button(t("explorer.clear_selection"), key="clear_selection", icon=":material/close:"):
        set_selection(None)
        st.rerun()

if not len(labels):
    ui.empty_message()
    ui.count_caption(0, view.total, counted=False)
    st.stop()

# Newest first; only the first MAX_TABLE_ROWS are sliced and go to the browser.
order = labels[newest_first(view.frame.loc[labels, ["week_start", "digest_id", "item_no"]])]
shown = view.frame.loc[order[:MAX_TABLE_ROWS]]
# The row named in the URL (`?row=`) opens selected: a copied link shows the same item.
in_url = selected_row()
at = (
    np.flatnonzero((shown["digest_id"] == in_url[0]).to_numpy() & (shown["item_no"] == in_url[1]).to_numpy())[:1]
    if in_url
    else []
)
config = {c: column_label(c) for c in TABLE_COLUMNS}
column_config = {
    **{
        c: st.column_config.TextColumn(config[c])
        for c in ("week", "doc_symbol", "doc_type", "issuer", "leader", "sector")
    },
    "item_no": st.column_config.NumberColumn(config["item_no"], width="small"),
    "headline": st.column_config.TextColumn(config["headline"], width="large"),
    "doc_date": st.column_config.DateColumn(config["doc_date"], format="DD/MM/YYYY"),
    **{c: st.column_config.ListColumn(config[c]) for c in ("lead_agencies", "districts", "cited_documents")},
    "reported_in": st.column_config.NumberColumn(
        config["reported_in"], width="small", help=t("explorer.reported_in_help")
    ),
}
event = st.dataframe(
    shown[TABLE_COLUMNS],
    hide_index=True,
    width="stretch",
    height=min(460, 35 * len(shown) + 40),
    column_config=column_config,
    on_select="rerun",
    selection_mode="single-row",
    selection_default={"selection": {"rows": [int(at[0])]}} if len(at) else None,
    key="explorer_table",
)
ui.count_caption(len(labels), view.total, counted=False)
if len(labels) > len(shown):
    st.caption(t("explorer.capped", shown=ui.thousands(len(shown)), n=ui.thousands(len(labels))))
st.caption(t("explorer.hint"))

ui.download_buttons(
    lambda: export.items_export(view.corpus.full_rows(labels)),
    "muc-chi-dao" if view.lang == "vi" else "directive-items",
    "explorer",
    extra_sheets={t("explorer.columns_sheet"): export.columns_sheet()},
    meta=ui.citation(view, narrowed),
)

picked_rows = [r for r in getattr(getattr(event, "selection", None), "rows", None) or [] if r < len(shown)]
set_selected_row(
    item_ref(shown["digest_id"].iloc[picked_rows[0]], shown["item_no"].iloc[picked_rows[0]]) if picked_rows else None
)
item = None
if picked_rows:
    item = shown.iloc[picked_rows[0]]
elif refs and len(shown) == 1:  # a permalink (?item=<digest_id>:<item_no>) opens its item
    item = shown.iloc[0]
if item is not None:
    st.divider()
    st.subheader(md_escape(item["headline"]))
    digest_rows = view.corpus.items[view.corpus.items["digest_id"] == item["digest_id"]]
    st.caption(
        t(
            "explorer.source",
            source=md_escape(item["source"]),
            week=item["week"],
            start=f"{item['week_start']:%d/%m/%Y}",
            end=f"{item['week_end']:%d/%m/%Y}",
            no=item["item_no"],
            n=len(digest_rows),
            digest=item["digest_id"][:12],
        )
    )
    ui.original_link(item["source_url"], key="explorer_original")
    st.code(ui.item_url(item["digest_id"], int(item["item_no"]), absolute=True), language=None)
    st.caption(t("explorer.permalink_hint"))
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{t('explorer.body')}**")
        with st.container(border=True):
            for line in str(view.corpus.full_rows([item.name])["body"].iloc[0]).splitlines() or ["–"]:
                st.markdown(md_escape(line))
    with right:
        details = [(column_label(c), ui.display_value(item[c])) for c in DETAIL_COLUMNS]
        st.markdown("\n".join(f"- **{label}**: {md_escape(value)}" for label, value in details))
        others = view.corpus.items[
            (view.corpus.items["item_key"] == item["item_key"]) & (view.corpus.items.index != item.name)
        ]
        if len(others):
            st.markdown(f"**{t('explorer.other_reports')}**")
            st.markdown("\n".join(f"- {o.week} · {md_escape(o.source)} · #{o.item_no}" for o in others.itertuples()))
    with st.expander(t("explorer.whole_digest", source=md_escape(item["source"])), icon=":material/article:"):
        try:
            st.text(source_text(view.corpus, item["digest_id"]))
        except LibraryError as exc:
            st.warning(t("explorer.digest_unreadable", error=md_escape(exc)), icon=":material/warning:")
