"""Cached term searches for the Từ khóa page: the folded texts are cut once per corpus, a term's matches
found once per corpus and term; each rerun only narrows them to the view. The phrase index comes with the
corpus (stored by the library, `loaders.phrases`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analytics import terms as tm
from loaders.phrases import PhraseIndex, build_phrases
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
def _contexts(corpus_key: str, term: str, granularity: str, labels: tuple, _corpus: Corpus) -> pd.DataFrame:
    return tm.contexts(_corpus.full_rows(list(labels)), [term], granularity)


@st.cache_resource(max_entries=4, show_spinner=False)
def _phrases(corpus_key: str, _items: pd.DataFrame) -> PhraseIndex:
    # The library attaches the stored index; a corpus loaded otherwise (or a stop list edited since) builds it.
    return index_of(_items, PhraseIndex) or build_phrases(_items["headline"].tolist(), load_term_stops())


def masks(corpus: Corpus, rows: pd.DataFrame, terms: list[str]) -> dict[str, np.ndarray]:
    """Per term, which of `rows` (a slice of the corpus) mention it."""
    where = corpus.items.index.get_indexer(rows.index)
    return {t: _mask(corpus.key, tm.term_key(t), corpus.items)[where] for t in terms}


#: Items whose contexts the page reads per term (a common term is in thousands: the download has them all).
CONTEXT_ITEMS = 100


def contexts(corpus: Corpus, rows: dict[str, pd.Index], granularity: str) -> tuple[pd.DataFrame, int, int]:
    """The contexts of each term in its first CONTEXT_ITEMS rows (`analytics.terms.context_rows`: index
    labels of the corpus), how many items they come from and how many other items mention a term."""
    parts, used, every = [], set(), set()
    for term, labels in rows.items():
        take = labels[:CONTEXT_ITEMS]
        used.update(take)
        every.update(labels)
        parts.append(_contexts(corpus.key, term, granularity, tuple(take), corpus))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=tm.CONTEXT_COLUMNS)
    return frame, len(used), len(every) - len(used)


def rising(corpus: Corpus, current: np.ndarray, baseline: np.ndarray, top: int = 20) -> pd.DataFrame:
    """Rising phrases of the `current` rows against the `baseline` rows (boolean masks over the corpus' rows)."""
    return tm.rising_phrases(_phrases(corpus.key, corpus.items), current, baseline, top=top)
