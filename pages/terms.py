"""Từ khóa: one or more terms followed across the periods (items mentioning each, counts or shares, rolling
window), their totals, every sentence they occur in (linking to its item), and the rising phrases."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import in_values
from analytics.terms import TEXT_FIELDS, context_rows, contexts, parse_terms, term_matches, term_totals, term_trend
from ui import components as ui
from ui import terms as cached
from ui.i18n import column_label, t
from ui.safe import md_escape

TERMS_KEY = "terms"  # also the URL parameter: ?terms=chuyen doi so,cua khau

view, _, _ = ui.start_trend_page("terms.title")
st.caption(t("terms.intro"))
corpus = view.corpus


def _follow(phrase: str) -> None:
    """Add `phrase` to the followed terms (a button callback: runs before the text box is drawn)."""
    current = parse_terms(st.session_state.get(TERMS_KEY, ""))
    st.session_state[TERMS_KEY] = ", ".join(dict.fromkeys([*current, phrase]))


def _count(hits: int, used: int, more: int) -> str:
    """How many contexts are shown, from how many items, and how many items mentioning a term are left out."""
    if more:
        return t("terms.contexts_more", hits=ui.thousands(hits), items=ui.thousands(used), more=ui.thousands(more))
    return t("terms.contexts_count", hits=ui.thousands(hits), items=ui.thousands(used))


CONTEXT_TABLE = ["term", "item", "field", "left", "match", "right", "link"]


def _context_table(found: pd.DataFrame, fields: dict[str, str]) -> pd.DataFrame:
    """The contexts as listed: the item named by week and number, the field in words, the item's link."""
    return found.assign(
        item=[f"{w} · #{n}" for w, n in zip(found["week"], found["item_no"], strict=True)],
        field=found["field"].map(fields),
        link=[ui.item_url(d, n) for d, n in zip(found["digest_id"], found["item_no"], strict=True)],
    )[CONTEXT_TABLE]


def _span(weeks: list[str]) -> str:
    return f"{weeks[0]} – {weeks[-1]}" if weeks else "–"


text = st.text_input(
    t("terms.input"),
    key=TERMS_KEY,
    bind="query-params",
    placeholder=t("terms.input_placeholder"),
    help=t("terms.input_help"),
)
terms = parse_terms(text)
per = view.granularity
period_title = t(f"granularity.{per}")

if not terms:
    st.info(t("terms.none"), icon=":material/search:")
else:
    counted = view.counted_of("week", "week_start")  # the columns the term counts read
    matched = term_matches(counted, cached.masks(corpus, counted, terms))
    totals = term_totals(matched, terms)
    missing = totals.loc[totals["items"] == 0, "term"].tolist()
    if missing:
        st.warning(t("terms.not_found", terms=md_escape(", ".join(missing))), icon=":material/search_off:")

    mode, window = ui.trend_controls("term", period_title)
    trend = term_trend(matched, terms, per, window=window)
    labels = charts.Labels(
        x=period_title,
        y=t("common.items") if mode == "count" else t("common.share_of_period"),
        color=column_label("term"),
        count=t("common.items"),
        share=t("common.share_of_period"),
    )
    fig = charts.share_lines(trend, "period", "term", labels, charts.palette(terms), y=mode)
    title = t("terms.trend_count" if mode == "count" else "terms.trend_share", period=period_title.lower())
    if window > 1:
        title += " · " + t("sectors.window_n", n=window, period=period_title.lower())
    picked = ui.chart_with_table(
        fig,
        ui.summary_table(trend, ["period", "term", "count", "total", "share"]),
        key="term_trend",
        title=title,
        n=int((matched["terms"].str.len() > 0).sum()),
        m=view.total_counted,
        pickable=window == 1,  # a rolling point sums several periods: it names no period's sentences
    )
    st.caption(t("terms.pick_hint") if window == 1 else t("terms.window_no_pick"))

    st.subheader(t("terms.totals"))
    table = ui.summary_table(totals, ["term", "items", "share", "weeks", "first_week", "last_week"])
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_buttons(table, "tu-khoa-tong-hop", "term_totals")

    every = context_rows(matched, terms, per)
    found, used, more = cached.contexts(corpus, every, per)
    if picked:
        part, part_used, part_more = cached.contexts(corpus, context_rows(matched, terms, per, picked), per)
        st.subheader(t("terms.contexts_picked"))
        st.caption(_count(len(part), part_used, part_more))
        lines = [
            f"- [{md_escape(f'{r.week} · #{r.item_no}')}]({ui.item_url(r.digest_id, r.item_no)}) "
            f"{md_escape(r.left)}**{md_escape(r.match)}**{md_escape(r.right)}"
            for r in part.itertuples()
        ]
        st.markdown("\n".join(lines))
    st.subheader(t("terms.contexts"))
    st.caption(_count(len(found), used, more))
    fields = {f: t(f"terms.field_{f}") for f in TEXT_FIELDS}
    st.dataframe(
        _context_table(found, fields),
        hide_index=True,
        width="stretch",
        column_config={
            "term": st.column_config.TextColumn(column_label("term")),
            "item": st.column_config.TextColumn(t("terms.item")),
            "field": st.column_config.TextColumn(column_label("field")),
            "left": st.column_config.TextColumn(column_label("left"), alignment="right"),
            "match": st.column_config.TextColumn(column_label("match")),
            "right": st.column_config.TextColumn(column_label("right")),
            "link": st.column_config.LinkColumn(column_label("link"), display_text=t("terms.open_item")),
        },
    )
    headers = {c: t("terms.item") if c == "item" else column_label(c) for c in CONTEXT_TABLE}
    ui.download_buttons(  # it reads every context, only when clicked
        lambda: _context_table(
            pd.concat([contexts(corpus.full_rows(every[term]), [term], per) for term in terms], ignore_index=True),
            fields,
        ).rename(columns=headers),
        "tu-khoa-ngu-canh",
        "term_contexts",
    )

st.divider()
st.subheader(t("terms.rising"))
weeks = agg.distinct(view.frame, "week", view.counted_rows)
n_weeks = st.selectbox(t("terms.rising_weeks"), (1, 4, 8, 13), index=1, key="rising_weeks", bind="query-params")
current_weeks, baseline_weeks = weeks[-n_weeks:], weeks[:-n_weeks]
# Masks over the corpus' rows (no slice of the counted rows): the latest weeks, and the weeks before.
current = view.counted_rows & in_values(view.frame["week"], current_weeks)
baseline = view.counted_rows & in_values(view.frame["week"], baseline_weeks)
st.caption(t("terms.rising_intro", n=n_weeks, current=_span(current_weeks), baseline=_span(baseline_weeks)))
rising = cached.rising(corpus, current, baseline) if baseline_weeks else None
if rising is None or rising.empty:
    st.info(t("terms.rising_none"), icon=":material/trending_flat:")
else:
    table = ui.summary_table(
        rising, ["phrase", "current", "baseline", "current_share", "baseline_share", "share_change"]
    )
    event = st.dataframe(
        table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="term_rising"
    )
    ui.count_caption(int(current.sum() + baseline.sum()), view.total_counted)
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    if rows and rows[0] < len(rising):
        phrase = str(rising["phrase"].iloc[rows[0]])
        st.button(
            t("terms.follow", phrase=phrase),
            on_click=_follow,
            args=(phrase,),
            icon=":material/add_chart:",
            key="follow",
        )
    ui.download_buttons(table, "cum-tu-noi-len", "term_rising_dl")
