"""The shared sidebar: language, filters and display options, all bound to the URL.

Every widget's key is its URL query parameter (`bind="query-params"`, Streamlit ≥ 1.56): a copied link
reproduces the view, and because the widgets live in the entrypoint they are rendered on every page, so
their parameters survive page switches (checked on 1.67 in a real browser, see tests/test_browser.py).
Values in the URL are the Vietnamese data values whatever the display language: a link means the same
thing in both languages. The filtered frame is computed here once per rerun and handed to the page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from analytics.aggregate import GRANULARITIES, auto_granularity
from analytics.filters import (
    FILTERS,
    Filters,
    FilterSpec,
    Selection,
    apply_item_refs,
    apply_selection,
    filter_mask,
    week_monday,
)
from analytics.urls import ITEM_PARAM, parse_item_refs
from ui.data import Corpus
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANGUAGE_NAMES, LANGUAGES, catalog, lang, t
from ui.safe import md_escape

GRANULARITY_KEY = "per"
SELECTION_KEY = "_chart_selection"  # a chart click, kept in the session only (see `Selection`)
VIEW_KEY = "_view"
_WEEKS_SEEN = "_weeks_full_range"  # the full week range the slider last offered
_WEEKS = next(s for s in FILTERS if s.kind == "range")


@dataclass(frozen=True)
class View:
    """What a page renders: the corpus, the filters, and the filtered items (never modified).

    `items` lacks the long text columns (see `ui.data.HEAVY_COLUMNS`); `full_rows` adds them back.
    """

    corpus: Corpus
    filters: Filters
    items: pd.DataFrame
    granularity: str
    lang: str

    @property
    def total(self) -> int:
        """Rows in the whole corpus (the M of "N of M items" for tables of reports)."""
        return len(self.corpus.items)

    @property
    def total_counted(self) -> int:
        """First reports in the whole corpus (the M of "N of M items" for trends)."""
        return int(self.corpus.items["first_report"].sum()) if len(self.corpus.items) else 0

    @property
    def no_document_types(self) -> tuple[str, str]:
        """Types that are not documents: meetings and items naming no document."""
        return (self.corpus.meeting_type, self.corpus.unknown_type)

    def full_rows(self, rows: pd.DataFrame) -> pd.DataFrame:
        """`rows` (from `items`) with every schema column, the long texts included, in the same order."""
        return self.corpus.items.loc[rows.index]

    def sector_names(self) -> dict[str, str]:
        """Display names of sectors in the current language."""
        return dict(self.corpus.sector_names_en) if self.lang == "en" else {}


def _defaults(corpus: Corpus) -> dict[str, object]:
    """Widget key -> its value meaning "no restriction" (the week slider's is the full range)."""
    weeks = corpus.weeks
    out: dict[str, object] = {s.key: list(s.default) if s.kind == "multi" else s.default for s in FILTERS}
    out[GRANULARITY_KEY] = "auto"
    if len(weeks) > 1:
        out[_WEEKS.key] = (weeks[0], weeks[-1])
    else:
        out.pop(_WEEKS.key)
    return out


def reset_filters(corpus: Corpus) -> None:
    """Put every filter back to its default (a widget callback: runs before the widgets are drawn)."""
    for key, value in _defaults(corpus).items():
        st.session_state[key] = value
    st.session_state.pop(SELECTION_KEY, None)


def _week_caption(weeks: tuple[str, str]) -> str:
    start = week_monday(weeks[0])
    end = week_monday(weeks[1]) + pd.Timedelta(days=6)
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"


def _language_switch() -> str:
    st.radio(
        "Ngôn ngữ / Language",
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        key=LANG_KEY,
        bind="query-params",
        horizontal=True,
        index=LANGUAGES.index(DEFAULT_LANG),
    )
    return lang()


def _follow_week_range(weeks: list[str]) -> None:
    """Keep the week slider meaningful when digests are added or removed: "every week" stays every week
    (the new first and last), and a range whose ends no longer exist goes back to every week."""
    full = (weeks[0], weeks[-1])
    current = st.session_state.get(_WEEKS.key)
    previous = st.session_state.get(_WEEKS_SEEN)
    if (
        current is not None
        and len(current) == 2
        and (tuple(current) == previous or any(w not in weeks for w in current))
    ):
        st.session_state[_WEEKS.key] = full
    st.session_state[_WEEKS_SEEN] = full


def _filter_widget(spec: FilterSpec, corpus: Corpus) -> object:
    """Draw one filter's widget (bound to its URL key) and return its value as `Filters` holds it."""
    label, help_text = t(f"filters.{spec.label}"), t(f"filters.{spec.label}_help")
    if spec.kind == "range":
        weeks = corpus.weeks
        if len(weeks) < 2:
            return spec.default
        _follow_week_range(weeks)
        chosen = st.select_slider(
            label, options=weeks, value=(weeks[0], weeks[-1]), key=spec.key, bind="query-params", help=help_text
        )
        st.caption(_week_caption(chosen))
        return Filters().with_weeks(chosen[0], chosen[1], weeks).value(spec)
    if spec.kind == "text":
        value = st.text_input(
            label, key=spec.key, bind="query-params", placeholder=t(f"filters.{spec.label}_placeholder"), help=help_text
        )
        return value.strip()
    if spec.kind == "multi":
        values = st.multiselect(
            label,
            corpus.options[spec.name],
            key=spec.key,
            bind="query-params",
            placeholder=t("filters.all"),
            help=help_text,
            select_all=False,
        )
        return tuple(values)
    return st.toggle(label, key=spec.key, bind="query-params", help=help_text)


def sidebar(corpus: Corpus) -> View:
    """Draw the sidebar and return the view it selects (also stored for the pages)."""
    with st.sidebar:
        language = _language_switch()
        st.header(t("filters.title"))
        filters = Filters()
        for spec in FILTERS:
            filters = filters.with_value(spec, _filter_widget(spec, corpus))
        st.button(
            t("filters.reset"),
            on_click=reset_filters,
            args=(corpus,),
            icon=":material/restart_alt:",
            disabled=filters.is_default() and SELECTION_KEY not in st.session_state,
            width="stretch",
            key="reset_filters",
        )
        st.caption(t("filters.share_hint"))
        st.divider()
        granularity = st.selectbox(
            t("filters.granularity"),
            ("auto", *GRANULARITIES),
            key=GRANULARITY_KEY,
            bind="query-params",
            format_func=lambda g: catalog()["ui"]["granularity"][g][language],
            help=t("filters.granularity_help"),
        )
    # The mask is computed on the full frame (it needs the search text); the rows come from the light one.
    items = corpus.light if filters.is_default() else corpus.light[filter_mask(corpus.items, filters)]
    if granularity == "auto":
        granularity = auto_granularity(items["week_start"]) if len(items) else "week"
    view = View(corpus=corpus, filters=filters, items=items, granularity=granularity, lang=language)
    st.session_state[VIEW_KEY] = view
    return view


def get_view() -> View:
    """The view computed by the entrypoint for this rerun."""
    view = st.session_state.get(VIEW_KEY)
    if view is None:  # a page run without the entrypoint (should not happen with st.navigation)
        st.error(t("errors.no_view"))
        st.stop()
    return view


def get_selection() -> Selection | None:
    """The chart selection that narrows the explorer, if any."""
    return st.session_state.get(SELECTION_KEY)


def set_selection(selection: Selection | None) -> None:
    """Remember (or forget) a chart selection for the explorer."""
    if selection is None or not selection.pairs:
        st.session_state.pop(SELECTION_KEY, None)
    else:
        st.session_state[SELECTION_KEY] = selection


def item_refs() -> tuple[tuple[str, int | None], ...]:
    """The exact items named in the URL (`?item=<digest_id>:<item_no>` or `?item=<digest_id>`), if any."""
    return parse_item_refs(st.query_params.get_all(ITEM_PARAM))


def clear_item_refs() -> None:
    """Forget the items named in the URL."""
    if ITEM_PARAM in st.query_params:
        del st.query_params[ITEM_PARAM]


def selected_items(view: View) -> pd.DataFrame:
    """The view's items narrowed by the items named in the URL and the chart selection (the explorer's rows)."""
    return apply_selection(apply_item_refs(view.items, item_refs()), get_selection())


def with_language(view: View, language: str) -> View:
    """The same view in another language (tests and benchmarks)."""
    return replace(view, lang=language)


def load_problems(corpus: Corpus) -> None:
    """Above every page: files that could not be loaded (file and problem), or the empty-library hint."""
    failed = corpus.report.failed
    if failed:
        lines = [t("errors.failed_files", n=len(failed))]
        for f in failed[:20]:
            problem = f.errors[0].message if f.errors else t("errors.no_items")
            lines.append(f"- `{f.path}`: {md_escape(problem)}")  # messages may quote the file's text
        if len(failed) > 20:
            lines.append(t("errors.more", n=len(failed) - 20))
        st.warning("\n".join(lines), icon=":material/warning:")
    if corpus.items.empty:
        st.info(t("errors.no_digests", folder=corpus.source_dir), icon=":material/folder_open:")
