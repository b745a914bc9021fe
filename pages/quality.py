"""Chất lượng dữ liệu: per digest, what the parser found and doubted; every problem links to its items in the
explorer. The week range of the sidebar applies; the other filters select items, not digests, and do not."""

from __future__ import annotations

import streamlit as st

from analytics.quality import COUNT_COLUMNS
from loaders.report import WARNING
from ui import components as ui
from ui import quality as q
from ui.i18n import t
from ui.state import get_view

view = get_view()
st.title(t("quality.title"))
st.caption(t("quality.intro"))

all_quality, all_problems = q.tables(view.corpus)
quality_shown, problems_shown = q.displays(view.corpus, view.lang)
quality = q.in_week_range(all_quality, view.filters)
problems = q.in_week_range(all_problems, view.filters)
st.caption(t("quality.covers", n=ui.thousands(len(quality)), m=ui.thousands(len(all_quality))))
if quality.empty:
    st.info(t("quality.no_digests"), icon=":material/filter_alt_off:")
    st.stop()

sums = q.totals(quality, COUNT_COLUMNS)
n_loaded = int(quality["loaded"].sum())
ui.metric_row(
    [
        (t("quality.digests"), f"{ui.thousands(n_loaded)} / {ui.thousands(len(quality))}", t("quality.digests_help")),
        (t("quality.items"), ui.thousands(sums["items"]), t("quality.items_help")),
        (t("quality.warnings"), ui.thousands(int((problems["level"] == WARNING).sum())), t("quality.warnings_help")),
        (t("quality.failed"), ui.thousands(len(quality) - n_loaded), t("quality.failed_help")),
    ]
)

link_config = {q.LINK_COLUMN: st.column_config.LinkColumn(t("quality.link"), display_text=t("quality.open_items"))}
st.subheader(t("quality.per_digest"))
st.dataframe(
    quality_shown.loc[quality.index],
    hide_index=True,
    width="stretch",
    key="quality_table",
    column_config={
        **link_config,
        q.column_label("week_start", view.lang): st.column_config.DateColumn(format="DD/MM/YYYY"),
    },
)
st.caption(t("quality.link_hint", label=t("quality.open_items")))
st.markdown(f"**{t('quality.totals')}**")
st.dataframe(
    {q.column_label(c, view.lang): [v] for c, v in sums.items()}, hide_index=True, width="stretch", key="quality_totals"
)
ui.download_buttons(
    lambda: quality.rename(columns=lambda c: q.column_label(c, view.lang)),
    "chat-luong-du-lieu" if view.lang == "vi" else "data-quality",
    "quality",
)

st.subheader(t("quality.problems", n=ui.thousands(len(problems))))
if problems.empty:
    st.success(t("quality.no_problems"), icon=":material/check_circle:")
    st.stop()
codes = list(dict.fromkeys(problems["code"]))
picked = st.multiselect(
    t("quality.kinds"),
    codes,
    format_func=lambda c: q.code_label(c, view.lang),
    key="quality_codes",
    placeholder=t("filters.all"),
    help=t("quality.kinds_help"),
)
shown = problems[problems["code"].isin(picked)] if picked else problems
st.dataframe(
    problems_shown.loc[shown.index],
    hide_index=True,
    width="stretch",
    key="quality_problems",
    column_config={
        q.LINK_COLUMN: st.column_config.LinkColumn(t("quality.link"), display_text=t("quality.open")),
        q.column_label("week_start", view.lang): st.column_config.DateColumn(format="DD/MM/YYYY"),
        q.column_label("headline", view.lang): st.column_config.TextColumn(width="large"),
    },
)
st.caption(t("quality.link_hint", label=t("quality.open")))
