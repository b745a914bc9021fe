"""The folded search text of each item: built once when the corpus is built, stored with it.

Each searched field and list entry is folded to " word word … " (`textnorm.fold_words`: no diacritics, no
case, punctuation and line breaks as spaces, so " term " matches whole words) and the fields are kept apart
by "|", so that a phrase never spans two fields.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.textnorm import fold_words

#: Column holding the folded search text (not part of the items schema: the store adds it).
SEARCH_KEY = "search_key"

#: Text columns that the free-text search looks into, besides the list columns below.
SEARCH_TEXT = ("headline", "body", "doc_symbol", "doc_type", "issuer", "leader", "sector")
SEARCH_LISTS = ("lead_agencies", "districts", "cited_documents")

T = TypeVar("T")


def search_text(texts: tuple[str, ...], lists: tuple[list[str], ...]) -> str:
    """The folded search text of one item from its text fields and list entries."""
    return "|".join([*(fold_words(t) for t in texts), *(fold_words(x) for values in lists for x in values)])


def search_keys(items: pd.DataFrame) -> pd.Series:
    """The folded search text of every row of `items` (object dtype: plain Python strings, same index).

    Plain strings rather than Arrow: CPython's substring search beats pyarrow's several times over when a
    term is rare, and the phrase check of the indexed search reads a few rows by position.
    """
    texts = zip(*(items[c].astype(str) for c in SEARCH_TEXT if c in items), strict=True)
    lists = zip(*(items[c] for c in SEARCH_LISTS if c in items), strict=True)
    keys = [search_text(t, ls) for t, ls in zip(texts, lists, strict=True)]
    return pd.Series(keys, index=items.index, dtype=object)


# ---------------------------------------------------------------------------------------------- the index

#: Syllables found more often than this share of rows are not indexed: a term made only of them is
#: answered by a scan, which costs no more than reading so many postings would.
INDEX_MAX_SHARE = 0.05
#: Rows tokenised at once while building the index (bounds its memory).
_CHUNK = 20_000  # a multiple of 8: each chunk fills whole bytes of the row bitmaps


@dataclass(frozen=True)
class SearchIndex:
    """Syllable -> the rows holding it: sorted row positions for every syllable no more frequent than the
    cut-off, a bitmap of the rows for the more frequent ones.

    `words` maps every syllable of the corpus to its number; `bounds[w]` .. `bounds[w + 1]` delimit its
    postings in `rows`, empty when `indexed[w]` is False (too common for postings); `common[w]` is then the
    packed bitmap (`np.packbits`, one bit per row) of the rows holding it.
    """

    words: dict[str, int]
    indexed: np.ndarray  # bool, one per word
    bounds: np.ndarray  # int64, one more than words
    rows: np.ndarray  # int32
    common: dict[int, np.ndarray] = field(default_factory=dict)  # word -> packed row bitmap (uint8)
    n_rows: int = 0

    def candidates(self, term: str) -> np.ndarray | None:
        """Sorted rows holding every syllable of `term` (a superset of its matches, exactly its matches when
        it is one syllable), or None when the index cannot narrow (a syllable without postings or bitmap)."""
        found: np.ndarray | None = None
        bits: np.ndarray | None = None
        for word in set(term.split()):
            w = self.words.get(word)
            if w is None:
                return np.empty(0, dtype=np.int32)  # in no item
            if not self.indexed[w]:
                if w in self.common:
                    bits = self.common[w] if bits is None else bits & self.common[w]
                continue
            posting = self.rows[self.bounds[w] : self.bounds[w + 1]]
            found = posting if found is None else np.intersect1d(found, posting, assume_unique=True)
        if bits is not None:
            held = np.unpackbits(bits, count=self.n_rows).astype(bool)
            found = np.flatnonzero(held).astype(np.int32) if found is None else found[held[found]]
        return found

    def exact(self, term: str) -> bool:
        """True when `candidates(term)` is the whole answer: a single syllable the index holds."""
        w = self.words.get(term.strip()) if len(term.split()) == 1 else None
        return w is not None and bool(self.indexed[w] or w in self.common)


def _chunk_tokens(keys: np.ndarray, vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(word numbers, row offsets within the chunk) of every syllable occurrence; grows `vocab`."""
    toks = pc.split_pattern(pa.array(keys, type=pa.large_string()), " ")
    parents = pc.list_parent_indices(toks).to_numpy()
    encoded = pc.dictionary_encode(pc.list_flatten(toks))
    local = encoded.dictionary.to_pylist()
    to_global = np.fromiter((vocab.setdefault(w, len(vocab)) for w in local), dtype=np.int64, count=len(local))
    return to_global[encoded.indices.to_numpy()], parents


def build_index(keys: np.ndarray, max_share: float | None = INDEX_MAX_SHARE) -> SearchIndex:
    """The index of SEARCH_KEY values (positions as in `keys`), built with pyarrow's vectorised split.

    Syllables occurring more than `max_share` × rows times are left out (None: none is left out).
    """
    vocab: dict[str, int] = {}
    counts = np.zeros(0, dtype=np.int64)
    for lo in range(0, len(keys), _CHUNK):  # pass 1: how often each syllable occurs (≥ rows holding it)
        codes, _ = _chunk_tokens(keys[lo : lo + _CHUNK], vocab)
        counts = np.pad(counts, (0, len(vocab) - len(counts)))
        counts += np.bincount(codes, minlength=len(vocab))
    indexed = counts <= (max(1, int(max_share * len(keys))) if max_share is not None else counts.max(initial=0))
    for junk in ("", "|"):  # field separators, never a search word
        if junk in vocab:
            indexed[vocab[junk]] = False
    junk = {vocab[j] for j in ("", "|") if j in vocab}
    frequent = np.flatnonzero(~indexed)
    frequent = frequent[~np.isin(frequent, list(junk))]
    # The frequent syllables' row bitmaps, packed a chunk at a time (a chunk is a whole number of bytes).
    bits = np.zeros((len(frequent), (len(keys) + 7) // 8), dtype=np.uint8)
    slot = np.full(len(vocab), -1, dtype=np.int64)
    slot[frequent] = np.arange(len(frequent))
    pairs = []
    for lo in range(0, len(keys), _CHUNK):  # pass 2: (syllable, row) of the indexed syllables, once each
        chunk = keys[lo : lo + _CHUNK]
        codes, parents = _chunk_tokens(chunk, vocab)
        keep = indexed[codes]
        pairs.append(np.unique(codes[keep] * len(keys) + parents[keep] + lo))
        held = np.zeros((len(frequent), len(chunk)), dtype=bool)
        some = slot[codes] >= 0
        held[slot[codes[some]], parents[some]] = True
        bits[:, lo // 8 : lo // 8 + (len(chunk) + 7) // 8] = np.packbits(held, axis=1)
    flat = np.sort(np.concatenate(pairs)) if pairs else np.zeros(0, dtype=np.int64)  # chunks: sorted apart
    word_of, rows = np.divmod(flat, max(1, len(keys)))  # sorted by syllable, then row
    bounds = np.searchsorted(word_of, np.arange(len(vocab) + 1)).astype(np.int64)
    common = {int(w): bits[i] for i, w in enumerate(frequent)}
    return SearchIndex(vocab, indexed, bounds, rows.astype(np.int32), common, len(keys))


# A frame's indexes, found by the frame itself (frames are not hashable): the search function takes a frame
# and finds the index of the corpus it was given, or none (then it scans). One per kind of index (this
# module's SearchIndex, `loaders.phrases.PhraseIndex`), and what else is worked out once per frame (`kept`).
_INDEXES: dict[tuple[int, Hashable], tuple[weakref.ref, object]] = {}


class Deferred:
    """An index of `kind` made on first use by `load(frame)` (None: none to be had): a restart need not read
    indexes that only a search or the Từ khóa page consult. Loaded once, under a lock (sessions are threads)."""

    _UNSET = object()

    def __init__(self, kind: type, load: Callable[[pd.DataFrame], object | None]) -> None:
        self.kind, self._load, self._value, self._lock = kind, load, Deferred._UNSET, threading.Lock()

    def get(self, items: pd.DataFrame) -> object | None:
        """The index (loaded now, for `items`, if it is the first use)."""
        with self._lock:
            if self._value is Deferred._UNSET:
                self._value = self._load(items)
        return self._value


def attach_index(items: pd.DataFrame, index: object, key: Hashable | None = None) -> None:
    """Remember `index` (or a `Deferred` one) as what `key` names for `items` (default: its kind of index;
    its row positions are those of `items`), until `items` is freed."""
    slot = (id(items), key if key is not None else index.kind if isinstance(index, Deferred) else type(index))
    _INDEXES[slot] = (weakref.ref(items), index)
    weakref.finalize(items, _INDEXES.pop, slot, None)


def share_indexes(source: pd.DataFrame, target: pd.DataFrame) -> None:
    """Attach to `target` every index attached to `source`: the same rows in the same order (a recoded copy)."""
    for (frame_id, key), (ref, index) in list(_INDEXES.items()):
        if frame_id == id(source) and ref() is source:
            attach_index(target, index, key)


def kept(items: pd.DataFrame, key: tuple[object, ...], make: Callable[[], T]) -> T:
    """What `make()` gives for `items`, made on the first ask and kept like an index, while `items` lives:
    for a frame that nothing modifies (the corpus')."""
    found = _INDEXES.get((id(items), key))
    if found is not None and found[0]() is items:
        return found[1]  # type: ignore[return-value]
    value = make()
    attach_index(items, value, key)
    return value


def index_of(items: pd.DataFrame, kind: type[T] = SearchIndex) -> T | None:
    """The index of that kind attached to exactly this frame, if any."""
    return _attached(items, kind)  # type: ignore[return-value]


def _attached(items: pd.DataFrame, key: Hashable, load: bool = True) -> object | None:
    found = _INDEXES.get((id(items), key))
    if found is None or found[0]() is not items:
        return None
    return found[1].get(items) if load and isinstance(found[1], Deferred) else found[1]


def keys_of(items: pd.DataFrame) -> np.ndarray | None:
    """Every row's folded search text (an object array by row position): the SEARCH_KEY column, or the
    stored texts a restart attached instead (read on first use: `loaders.store.read_items`); None when
    `items` has neither."""
    if SEARCH_KEY in items:
        return items[SEARCH_KEY].to_numpy()
    return _attached(items, SEARCH_KEY)  # type: ignore[return-value]


def has_keys(items: pd.DataFrame) -> bool:
    """True when `keys_of(items)` has the search texts (without reading stored ones)."""
    return SEARCH_KEY in items or _attached(items, SEARCH_KEY, load=False) is not None


def matching_rows(keys: np.ndarray, rows: np.ndarray, terms: list[str], index: SearchIndex | None) -> np.ndarray:
    """The positions among `rows` (sorted positions in `keys`) whose search text holds every term.

    With an index, the rows are first narrowed to those holding every indexed syllable of every term;
    then each term is checked as a phrase (" term ") on the rows left, which is the whole answer.
    """
    if index is not None:
        for term in terms:
            found = index.candidates(term)
            if found is not None:
                keep = np.zeros(len(keys), dtype=bool)
                keep[found] = True
                rows = rows[keep[rows]]
        terms = [t for t in terms if not index.exact(t)]  # answered by the index alone
    for term in terms:
        needle = f" {term} "
        if 2 * len(rows) > len(keys):  # most rows: check every text in place (copying 300,000 costs ~40 ms)
            hit = np.fromiter((needle in t for t in keys), dtype=bool, count=len(keys))
            rows = rows[hit[rows]]
        else:
            rows = rows[np.fromiter((needle in t for t in keys[rows]), dtype=bool, count=len(rows))]
    return rows
