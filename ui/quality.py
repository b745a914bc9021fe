"""The data-quality page's logic, without widgets: the tables of `analytics.quality` for the current week
range, their labels in the current language, and links that open exactly a problem's items in the explorer.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from analytics.filters import Filters, week_monday
from analytics.quality import COLUMN_LABELS_VI, COUNT_COLUMNS, problem_table, quality_table
from analytics.urls import EXPLORER_PATH, ITEM_PARAM, LANG_PARAM, item_ref, page_url
from loaders.problems import code_label
from loaders.report import ERROR
from ui.components import whole_numbers
from ui.data import Corpus
from ui.i18n import DEFAULT_LANG, catalog, lang_param, translate, value_names

#: Column holding the explorer link in the displayed tables.
LINK_COLUMN = "link"


def column_label(column: str, language: str) -> str:
    """Header of a quality or problem table column in the language."""
    vi = COLUMN_LABELS_VI.get(column, column)
    if language == DEFAULT_LANG:
        return vi
    return value_names("quality_column", language).get(column, vi)


@st.cache_resource(max_entries=4, show_spinner=False)
def _tables(key: str, _corpus: Corpus) -> tuple[pd.DataFrame, pd.DataFrame]:
    # Keyed by the corpus key (its content): built once per corpus, shared read-only like the corpus.
    return (
        quality_table(_corpus.items, _corpus.report, _corpus.unknown_type),
        problem_table(_corpus.items, _corpus.report),
    )


def tables(corpus: Corpus) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(quality_table, problem_table) of the whole corpus (cached per corpus; never modify them)."""
    return _tables(corpus.key, corpus)


@st.cache_resource(max_entries=8, show_spinner=False)
def _displays(key: str, language: str, _corpus: Corpus) -> tuple[pd.DataFrame, pd.DataFrame]:
    quality, problems = tables(_corpus)
    loaded = set(quality.loc[quality["loaded"], "digest_id"])
    return quality_display(quality, problems, language), problem_display(problems, loaded, language)


def displays(corpus: Corpus, language: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`quality_display` and `problem_display` of the whole corpus in `language`, with the tables' index:
    made once per corpus and language (81,000 explorer links at 350,000 items took ~1 s a rerun); a page
    shows the rows it keeps with `.loc`. Never modify them."""
    return _displays(corpus.key, language, corpus)


def in_week_range(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows whose `week_start` is in the filters' week range. Files without a readable week are kept: they
    cannot be placed in a week, and hiding them would hide a problem."""
    if frame.empty or not (filters.week_from or filters.week_to):
        return frame
    start = frame["week_start"]
    keep = start.isna()
    inside = pd.Series(True, index=frame.index)
    if filters.week_from:
        inside &= start >= pd.Timestamp(week_monday(filters.week_from))
    if filters.week_to:
        inside &= start <= pd.Timestamp(week_monday(filters.week_to))
    return frame[keep | inside.fillna(False)]


def explorer_link(refs: Iterable[str], language: str) -> str:
    """A relative link to the explorer showing exactly the items named by `refs` (see analytics.filters).

    Relative, so that it also works when the app is served under a path prefix; the language travels along.
    """
    return page_url(EXPLORER_PATH, {LANG_PARAM: lang_param(language), ITEM_PARAM: list(refs)})


def problem_refs(problems: pd.DataFrame) -> list[str]:
    """The item reference of each problem: its item, or its whole digest when it is about the digest."""
    return [
        item_ref(d, None if pd.isna(n) else int(n))
        for d, n in zip(problems["digest_id"], problems["item_no"], strict=True)
    ]


def quality_display(quality: pd.DataFrame, problems: pd.DataFrame, language: str) -> pd.DataFrame:
    """The per-digest table for people: labelled columns, a link to each loaded digest's items. Why a file
    did not load is the loaders' English message in English, what its errors mean (`problems`, from
    `analytics.quality.problem_table`) in Vietnamese."""
    out = quality.loc[:, ["file", "week", "week_start"]].copy()
    # The link first after the file: it is what the table is for, and must not hide behind a scroll bar.
    out[LINK_COLUMN] = [
        explorer_link([item_ref(d)], language) if loaded else None
        for d, loaded in zip(quality["digest_id"], quality["loaded"], strict=True)
    ]
    for col in ("loaded", *COUNT_COLUMNS, "errors"):
        out[col] = quality[col]
    if language == DEFAULT_LANG:
        errors = problems[problems["level"] == ERROR]
        labels = {d: "; ".join(code_label(c, language) for c in g) for d, g in errors.groupby("digest_id")["code"]}
        out["errors"] = [labels.get(d, "") for d in quality["digest_id"]]
    out["digest_id"] = quality["digest_id"].str[:12]
    return out.rename(columns={c: column_label(c, language) for c in out.columns if c != LINK_COLUMN})


def problem_display(problems: pd.DataFrame, loaded: set[str], language: str) -> pd.DataFrame:
    """The problem list for people: what each problem means, where it is, and a link to its items
    (none for files that did not load: they have no items to show); in English also the loaders' own message
    (English, so never shown on a Vietnamese page: the problem column says it in Vietnamese)."""
    out = problems[["file", "week_start", "level"]].copy()
    out["level"] = out["level"].map(lambda v: translate(catalog(), f"quality.level_{v}", language))
    out["problem"] = problems["code"].map(lambda c: code_label(c, language))
    out["item_no"] = whole_numbers(problems["item_no"])
    out[LINK_COLUMN] = [
        explorer_link([r], language) if d in loaded else None
        for r, d in zip(problem_refs(problems), problems["digest_id"], strict=True)
    ]
    for col in ("doc_symbol", "headline") if language == DEFAULT_LANG else ("doc_symbol", "headline", "message"):
        out[col] = problems[col]
    labels = {c: column_label(c, language) for c in out.columns if c not in (LINK_COLUMN, "problem")}
    labels["problem"] = translate(catalog(), "quality.problem_col", language)
    return out.rename(columns=labels)


def totals(quality: pd.DataFrame, columns: Iterable[str]) -> dict[str, int]:
    """Sum of each count column over the digests shown."""
    return {c: int(quality[c].sum()) for c in columns}
