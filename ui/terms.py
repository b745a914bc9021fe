"""Cached term searches for the Từ khóa page: the folded texts and the phrase index are built once per
corpus, a term's matches and contexts once per corpus and term; each rerun only narrows them to the view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analytics import terms as tm
from loaders.search import index_of
from loaders.vocab import load_term_stops
from ui.data import Corpus


@st.cache_resource(max_entries=4, show_spinner=False)
def _text_keys(corpus_key: str, _items: pd.DataFrame) -> np.ndarray:
    return tm.text_keys(_items)


@st.cache_resource(max_entries=256, show_spinner=False)
def _mask(corpus_key: str, key: str, _items: pd.DataFrame) -> np.ndarray:
    return tm.term_mask(_text_keys(corpus_key, _items), key, index_of(_items))


@st.cache_data(max_entries=256, show_spinner=False)
def _contexts(corpus_key: str, term: str, granularity: str, _items: pd.DataFrame) -> pd.DataFrame:
    rows = _items[_mask(corpus_key, tm.term_key(term), _items)]
    return tm.contexts(rows, [term], granularity)


@st.cache_resource(max_entries=4, show_spinner=False)
def _phrases(corpus_key: str, _items: pd.DataFrame) -> tm.PhraseIndex:
    return tm.phrase_index(_items["headline"].tolist(), load_term_stops())


def masks(corpus: Corpus, rows: pd.DataFrame, terms: list[str]) -> dict[str, np.ndarray]:
    """Per term, which of `rows` (a slice of the corpus) mention it."""
    where = corpus.items.index.get_indexer(rows.index)
    return {t: _mask(corpus.key, tm.term_key(t), corpus.items)[where] for t in terms}


def contexts(corpus: Corpus, rows: pd.DataFrame, terms: list[str], granularity: str) -> pd.DataFrame:
    """The contexts of `terms` in `rows` (a slice of the corpus), in the corpus order."""
    parts = [_contexts(corpus.key, t, granularity, corpus.items) for t in terms]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=tm.CONTEXT_COLUMNS)
    return frame[frame["row"].isin(rows.index)].reset_index(drop=True)


def rising(corpus: Corpus, current: pd.DataFrame, baseline: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """Rising phrases of the `current` rows against the `baseline` rows (both slices of the corpus)."""
    index = _phrases(corpus.key, corpus.items)
    return tm.rising_phrases(
        index, corpus.items.index.isin(current.index), corpus.items.index.isin(baseline.index), top=top
    )
