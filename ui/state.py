"""The shared sidebar: page links, language, filters and display options; the URL holds the whole view.

The URL is read and written by the one codec, `analytics.urls`: on a session's first run the URL's view
goes into the widgets (old label-style links such as `?sector=Y tế&lang=English` are translated once), and
after every run the URL is rewritten from the widgets in stable codes (`?sector=S12&lang=en&per=month`),
so that a link means the same view in both languages. The widgets are not bound with `bind="query-params"`
on purpose: Streamlit writes a bound widget's displayed label into the URL. The sidebar's page links carry
the view, so a page opened from them (also in a new tab) keeps the filters. The filtered frame is computed
here once per rerun, as a mask, and handed to the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.navigation.page import StreamlitPage

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
from analytics.urls import (
    ITEM_PARAM,
    LANG_PARAM,
    PER_PARAM,
    PICK_PARAM,
    ROW_PARAM,
    SELECTION_PARAM,
    decode_choice,
    from_query_params,
    parse_item_refs,
    parse_selection,
    selection_params,
    to_query_params,
)
from loaders.problems import code_label
from ui.data import Corpus
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANGUAGE_NAMES, LANGUAGES, catalog, lang, lang_param, t, value_names
from ui.safe import md_escape

GRANULARITY_KEY = PER_PARAM
VIEW_KEY = "_view"
_NAV = "_nav_container"  # where `page_links` draws, at the top of the sidebar
_SEEDED = "_url_seeded"  # the URL's view went into the widgets (once per session)
_WEEKS_SEEN = "_weeks_full_range"  # the full week range the slider last offered
_WEEKS = next(s for s in FILTERS if s.kind == "range")
#: The URL parameters the sidebar owns and rewrites after every run.
_OWN_PARAMS = (*(s.key for s in FILTERS), LANG_PARAM, PER_PARAM)


@dataclass(frozen=True)
class View:
    """What a page renders: the corpus, the filters, and which rows pass them (never modified).

    `mask` picks the rows of `corpus.light` that pass the filters (None: all of them). Charts that read one or
    two columns count through it (`frame`, `counted_rows`) without slicing the frame; `items`, the filtered
    rows, is sliced on first use only. It lacks the long text columns (see `ui.data.HEAVY_COLUMNS`);
    `full_rows` adds them back.
    """

    corpus: Corpus
    filters: Filters
    mask: np.ndarray | None
    granularity: str
    lang: str
    params: dict[str, str | list[str]] = field(default_factory=dict)  # the view in the URL (see analytics.urls)
    # What several parts of one rerun derive from the view alike (the downloads' citation): made once.
    memo: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def frame(self) -> pd.DataFrame:
        """Every row of the corpus (light columns): what `mask` and `counted_rows` index."""
        return self.corpus.light

    @cached_property
    def items(self) -> pd.DataFrame:
        """The rows that pass the filters."""
        return self.frame if self.mask is None or self.mask.all() else self.frame[self.mask]

    @property
    def n_items(self) -> int:
        """How many rows pass the filters (without slicing them)."""
        return len(self.frame) if self.mask is None else int(self.mask.sum())

    @property
    def n_counted(self) -> int:
        """How many rows pass the filters and are counted by trends (without slicing them)."""
        return int(self.counted_rows.sum())

    def counted_of(self, *columns: str) -> pd.DataFrame:
        """The rows that pass the filters and that trends count (`analytics.aggregate.counted`), with only
        these columns: what a chart reads. Slicing every light column of 350,000 rows costs ~110 ms, two ~5."""
        rows, frame = self.counted_rows, self.frame
        return frame[list(columns)] if rows.all() else frame.loc[rows, list(columns)]

    @cached_property
    def counted_rows(self) -> np.ndarray:
        """Boolean mask over `frame`: the rows that pass the filters and that trends count (first reports)."""
        first = self.frame["first_report"].to_numpy(dtype=bool)
        return first if self.mask is None else first & self.mask

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
        return self.corpus.full_rows(rows.index)


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
    set_selection(None)


def _url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _choice_labels() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Display labels of the languages and time units in every language (old links wrote labels)."""
    units = catalog()["ui"]["granularity"]
    return (
        {code: [name] for code, name in LANGUAGE_NAMES.items()},
        {g: list(units[g].values()) for g in ("auto", *GRANULARITIES)},
    )


def _seed_from_url(corpus: Corpus) -> None:
    """On a session's first run, before any widget: the view in the URL goes into the widgets' state.

    Values that name nothing in this corpus are dropped (a hand-edited or stale link never breaks a page).
    """
    if st.session_state.get(_SEEDED):
        return
    st.session_state[_SEEDED] = True
    params = _url_params()
    state = {**_defaults(corpus), LANG_KEY: DEFAULT_LANG}
    filters = from_query_params(params, corpus.weeks, corpus.codes)
    for spec in FILTERS:
        value = filters.value(spec)
        if spec.kind == "range":
            if _WEEKS.key in state and all(w in corpus.weeks for w in value if w) and any(value):
                state[spec.key] = (value[0] or corpus.weeks[0], value[1] or corpus.weeks[-1])
        elif spec.kind == "multi":
            state[spec.key] = [v for v in value if v in corpus.options[spec.name]]
        else:
            state[spec.key] = value
    languages, units = _choice_labels()
    state[LANG_KEY] = decode_choice(params.get(LANG_PARAM), languages) or DEFAULT_LANG
    state[GRANULARITY_KEY] = decode_choice(params.get(PER_PARAM), units) or "auto"
    for key, value in state.items():
        st.session_state.setdefault(key, value)


def _sync_url(params: Mapping[str, str | Sequence[str]]) -> None:
    """Rewrite the sidebar's own URL parameters to `params` (others, e.g. a chart selection, stay)."""
    for key in _OWN_PARAMS:
        wanted = params.get(key)
        if wanted in (None, "", []):
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get_all(key) != ([wanted] if isinstance(wanted, str) else list(wanted)):
            st.query_params[key] = wanted


def value_labels(corpus: Corpus, language: str) -> dict[str, dict[str, str]]:
    """Display names of data values per column in the language (sectors, doc types, issuers…)."""
    return {
        "sector": dict(corpus.sector_names_en) if language == "en" else {},
        "doc_type": dict(corpus.doc_type_names_en) if language == "en" else {},
        "issuer": value_names("issuer", language),
        "status": value_names("status", language),
        "is_normative": value_names("is_normative", language),
    }


def _week_caption(weeks: tuple[str, str]) -> str:
    start = week_monday(weeks[0])
    end = week_monday(weeks[1]) + pd.Timedelta(days=6)
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"


def _language_switch() -> str:
    st.radio("Ngôn ngữ / Language", LANGUAGES, format_func=LANGUAGE_NAMES.get, key=LANG_KEY, horizontal=True)
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


def _filter_widget(spec: FilterSpec, corpus: Corpus, names: dict[str, dict[str, str]]) -> object:
    """Draw one filter's widget and return its value as `Filters` holds it."""
    label, help_text = t(f"filters.{spec.label}"), t(f"filters.{spec.label}_help")
    if spec.kind == "range":
        weeks = corpus.weeks
        if len(weeks) < 2:
            return spec.default
        _follow_week_range(weeks)
        # `value` makes it a range slider; the state set from the URL or by reset wins over it.
        chosen = st.select_slider(label, options=weeks, value=(weeks[0], weeks[-1]), key=spec.key, help=help_text)
        st.caption(_week_caption(chosen))
        return Filters().with_weeks(chosen[0], chosen[1], weeks).value(spec)
    if spec.kind == "text":
        value = st.text_input(label, key=spec.key, placeholder=t(f"filters.{spec.label}_placeholder"), help=help_text)
        return value.strip()
    if spec.kind == "multi":
        shown = names.get(spec.column, {})
        values = st.multiselect(
            label,
            corpus.options[spec.name],
            key=spec.key,
            format_func=lambda v: shown.get(v, v),
            placeholder=t("filters.all"),
            help=help_text,
            select_all=False,
        )
        return tuple(values)
    return st.toggle(label, key=spec.key, help=help_text)


def sidebar(corpus: Corpus) -> View:
    """Draw the sidebar and return the view it selects (also stored for the pages).

    The page links go at the top of the sidebar once the pages are known: see `page_links`.
    """
    _seed_from_url(corpus)
    with st.sidebar:
        st.session_state[_NAV] = st.container()
        language = _language_switch()
        names = value_labels(corpus, language)
        st.header(t("filters.title"))
        filters = Filters()
        for spec in FILTERS:
            filters = filters.with_value(spec, _filter_widget(spec, corpus, names))
        st.button(
            t("filters.reset"),
            on_click=reset_filters,
            args=(corpus,),
            icon=":material/restart_alt:",
            disabled=filters.is_default() and SELECTION_PARAM not in st.query_params,
            width="stretch",
            key="reset_filters",
        )
        st.caption(t("filters.share_hint"))
        st.divider()
        choice = st.selectbox(
            t("filters.granularity"),
            ("auto", *GRANULARITIES),
            key=GRANULARITY_KEY,
            format_func=lambda g: catalog()["ui"]["granularity"][g][language],
            help=t("filters.granularity_help"),
        )
    params = {
        **to_query_params(filters, corpus.weeks, corpus.codes),
        LANG_PARAM: lang_param(language),
        PER_PARAM: "" if choice == "auto" else choice,
    }
    _sync_url(params)
    # The mask is computed on the full frame (it needs the search text); pages read the light one through it.
    mask = None if filters.is_default() else filter_mask(corpus.items, filters)
    granularity = choice
    if granularity == "auto":
        granularity = auto_granularity(corpus.light, mask)
    view = View(
        corpus=corpus,
        filters=filters,
        mask=mask,
        granularity=granularity,
        lang=language,
        params={k: v for k, v in params.items() if v},
    )
    st.session_state[VIEW_KEY] = view
    return view


def page_choice(
    widget: Callable[..., Any],
    label: str,
    options: Sequence[Any],
    *,
    key: str,
    default: Any,
    format_func: Callable[[Any], str],
    **kwargs: Any,
) -> Any:
    """A page's own choice (segmented control, select box) kept in the URL as its code, not its label.

    `bind="query-params"` would write the displayed label ("Tỉ lệ", "4 weeks"), so a link made in English
    would not open the same view in Vietnamese. Here the URL is read once per session (a code, or a label of
    the current language from an old link) and the code is written back after each run; the default is
    left out of the URL.
    """
    codes = {str(o): o for o in options}
    labels = {format_func(o): o for o in options}
    seeded = f"{_SEEDED}:{key}"
    if not st.session_state.get(seeded):
        st.session_state[seeded] = True
        raw = st.query_params.get(key)
        if raw in codes or raw in labels:
            st.session_state[key] = codes.get(raw, labels.get(raw))
    st.session_state.setdefault(key, default)  # shown selected (the widget gets no default of its own)
    value = widget(label, options, key=key, format_func=format_func, **kwargs)
    value = default if value is None else value
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
    return value


def page_links(pages: Sequence[StreamlitPage]) -> None:
    """The pages, at the top of the sidebar, as links that keep the current view (filters, language…)."""
    view = get_view()
    nav = st.session_state.get(_NAV)
    if nav is None:
        return
    for page in pages:
        nav.page_link(page, query_params=view.params)
    nav.divider()


def get_view() -> View:
    """The view computed by the entrypoint for this rerun."""
    view = st.session_state.get(VIEW_KEY)
    if view is None:  # a page run without the entrypoint (should not happen with st.navigation)
        st.error(t("errors.no_view"))
        st.stop()
    return view


def get_selection() -> Selection | None:
    """The chart selection in the URL that narrows the explorer, if any."""
    view = get_view()
    return parse_selection(_url_params(), view.corpus.codes)


def set_selection(selection: Selection | None) -> None:
    """Put a chart selection in the URL, or take it out."""
    if selection is None or not selection.pairs:
        for key in (SELECTION_PARAM, PICK_PARAM):
            if key in st.query_params:
                del st.query_params[key]
    else:
        st.query_params.update(selection_params(selection, get_view().corpus.codes))


def selection_link_params(selection: Selection) -> dict[str, str | list[str]]:
    """URL parameters of a link to the explorer showing `selection` within the current view."""
    view = get_view()
    return {**view.params, **selection_params(selection, view.corpus.codes)}


def item_refs() -> tuple[tuple[str, int | None], ...]:
    """The exact items named in the URL (`?item=<digest_id>:<item_no>` or `?item=<digest_id>`), if any."""
    return parse_item_refs(st.query_params.get_all(ITEM_PARAM))


def clear_item_refs() -> None:
    """Forget the items named in the URL."""
    if ITEM_PARAM in st.query_params:
        del st.query_params[ITEM_PARAM]


def selected_row() -> tuple[str, int] | None:
    """The explorer row named in the URL (`?row=<digest_id>:<item_no>`), if any."""
    refs = parse_item_refs(st.query_params.get_all(ROW_PARAM))
    return (refs[0][0], refs[0][1]) if refs and refs[0][1] is not None else None


def set_selected_row(ref: str | None) -> None:
    """Name the explorer's selected row in the URL (an `analytics.urls.item_ref`), or forget it."""
    if ref is None:
        if ROW_PARAM in st.query_params:
            del st.query_params[ROW_PARAM]
    elif st.query_params.get(ROW_PARAM) != ref:
        st.query_params[ROW_PARAM] = ref


def selected_labels(view: View) -> pd.Index:
    """The index labels of the view's items narrowed by the items named in the URL and the chart selection
    (the explorer's rows). Only the columns each narrowing reads are sliced: never every column of every row."""
    frame = view.frame
    labels = frame.index if view.mask is None else frame.index[view.mask]
    if refs := item_refs():
        labels = apply_item_refs(frame.loc[labels, ["digest_id", "item_no"]], refs).index
    selection = get_selection()
    if selection is not None and selection.pairs:
        read = list(dict.fromkeys(["first_report", "week_start", *([selection.column] if selection.column else [])]))
        labels = apply_selection(frame.loc[labels, read], selection).index
    return labels


def with_language(view: View, language: str) -> View:
    """The same view in another language (tests and benchmarks)."""
    return replace(view, lang=language)


def load_problems(corpus: Corpus) -> None:
    """Above every page: files that could not be loaded (file and problem), or the empty-library hint."""
    failed = corpus.failed
    if failed:
        lines = [t("errors.failed_files", n=len(failed))]
        language = lang()
        for f in failed[:20]:
            # The loaders' message is English: a Vietnamese page says what its code means instead.
            error = f.errors[0] if f.errors else None
            problem = t("errors.no_items") if error is None else error.message
            if error is not None and language == DEFAULT_LANG:
                problem = code_label(error.code, language)
            lines.append(f"- {md_escape(f.path)}: {md_escape(problem)}")  # a name or message may hold `*[…
        if len(failed) > 20:
            lines.append(t("errors.more", n=len(failed) - 20))
        st.warning("\n".join(lines), icon=":material/warning:")
    if corpus.items.empty:
        st.info(t("errors.no_digests", folder=md_escape(corpus.source_dir)), icon=":material/folder_open:")
