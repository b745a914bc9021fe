"""The phrase index of the items' headlines: which 2–3-syllable phrases each item's headline holds.

Built with the search index whenever the corpus is built (`loaders.library`) and stored beside it
(`loaders.store`), so that the rising-phrases list of the Từ khóa page only counts postings: nothing is
tokenised when the page is opened. Boilerplate is left out as `data/vocab/term_stopphrases.yaml` says:
punctuation, numbers, stop words and every occurrence of a stop phrase cut a headline into runs, and a
phrase never spans a cut. The stored index names the stop list it was built with (`stops_key`); after an
edit of that file it is not used (the page builds the index again in memory).

Tokenising is one regular expression per headline; everything after it (cuts, phrases, counts) runs on
arrays of syllable numbers, once per distinct syllable in Python.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from loaders.textnorm import fold
from loaders.vocab import TermStops

#: Phrase lengths (in syllables) of the index.
PHRASE_LENGTHS = (2, 3)

# A word (letters and digits) or one punctuation character (anything else but spaces, or "_"): words are
# what `[^\W_]+` finds, and a punctuation character between two words cuts the headline there.
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")
_WORD = re.compile(r"[^\W_]+")
_META_KEY = b"digest_phrases"


@dataclass(frozen=True)
class PhraseIndex:
    """Every 2–3-syllable phrase of the items' headlines, once per item.

    `rows[k]` (position of the item in the indexed frame) mentions phrase `ids[k]`; `phrases[id]` is the
    folded phrase and `shown[id]` its first spelling in the headlines (lower case). Phrases of one item
    only are dropped (they cannot rise against anything). `stops` is the `stops_key` it was built with.
    """

    phrases: np.ndarray
    shown: np.ndarray
    rows: np.ndarray  # int32
    ids: np.ndarray  # int32
    n_rows: int
    stops: str

    def counts(self, picked: np.ndarray) -> np.ndarray:
        """Items per phrase among the rows the boolean mask `picked` (one per indexed row) picks: counted on
        the postings of those rows, or of the others, subtracted from all rows' counts, when they are fewer
        (a broad search picks almost every row: ~6 million postings at 350,000 items)."""
        offsets, ids, every = self.by_row
        rows = np.flatnonzero(picked)
        if 2 * len(rows) <= self.n_rows:
            return _postings_count(offsets, ids, rows, len(self.phrases))
        return every - _postings_count(offsets, ids, np.flatnonzero(~picked), len(self.phrases))

    @cached_property
    def by_row(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start of each row's postings, with the end; the phrase ids in row order; items per phrase), made
        on first use: a sort of every posting, ~0.3 s at 350,000 items (the dashboard makes it in the
        background after a restart, `ui.data.read_ahead`)."""
        offsets = np.zeros(self.n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.rows, minlength=self.n_rows), out=offsets[1:])
        by_row = self.ids[np.argsort(self.rows, kind="stable")]
        return offsets, by_row, np.bincount(self.ids, minlength=len(self.phrases))

    def to_table(self) -> pa.Table:
        """The index as stored (`loaders.store`): one row per phrase, its folded form, spelling and rows."""
        order = np.lexsort((self.rows, self.ids))
        bounds = np.searchsorted(self.ids[order], np.arange(len(self.phrases) + 1)).astype(np.int32)
        table = pa.table(
            {
                "phrase": pa.array(self.phrases.tolist(), type=pa.string()),
                "shown": pa.array(self.shown.tolist(), type=pa.string()),
                "rows": pa.ListArray.from_arrays(pa.array(bounds), pa.array(self.rows[order], type=pa.int32())),
            }
        )
        meta = json.dumps({"n_rows": self.n_rows, "stops": self.stops}).encode()
        return table.replace_schema_metadata({_META_KEY: meta})

    @classmethod
    def from_table(cls, table: pa.Table) -> PhraseIndex | None:
        """The index of a table written by `to_table`, or None when it is not one."""
        try:
            meta = json.loads((table.schema.metadata or {})[_META_KEY])
            postings = table.column("rows").combine_chunks()
            bounds = postings.offsets.to_numpy()
            rows = postings.values.to_numpy().astype(np.int32, copy=False)
            phrases = np.array(table.column("phrase").to_pylist(), dtype=object)
            shown = np.array(table.column("shown").to_pylist(), dtype=object)
            n_rows, stops = int(meta["n_rows"]), str(meta["stops"])
        except (KeyError, ValueError, TypeError, pa.ArrowException):
            return None
        if len(bounds) != len(phrases) + 1 or len(shown) != len(phrases):
            return None
        ids = np.repeat(np.arange(len(phrases), dtype=np.int32), np.diff(bounds))
        return cls(phrases, shown, rows, ids, n_rows, stops)


def _postings_count(offsets: np.ndarray, ids: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """Items per phrase among `rows` (positions): one bincount over the ranges of their postings."""
    starts, lengths = offsets[rows], offsets[rows + 1] - offsets[rows]
    # Position of each wanted posting: its row's start, plus its place within the row.
    at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    return np.bincount(ids[at], minlength=size)


def stops_key(stops: TermStops) -> str:
    """A fingerprint of the stop list: a stored index built with another list is not used."""
    text = "\n".join([*stops.phrases, "", *sorted(stops.words)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_phrases(headlines: Sequence[str], stops: TermStops, lengths: Sequence[int] = PHRASE_LENGTHS) -> PhraseIndex:
    """The phrase index of `headlines` (one per item, in the frame's order), boilerplate left out."""
    tokens: list[str] = []
    counts = np.zeros(len(headlines), dtype=np.int64)
    for pos, headline in enumerate(headlines):
        found = _TOKEN.findall(str(headline))
        tokens.extend(found)
        counts[pos] = len(found)
    codes, distinct = pd.factorize(pd.Series(tokens, dtype=object), sort=False)
    rows = np.repeat(np.arange(len(headlines), dtype=np.int64), counts)
    # Per distinct token: is it a word, and its lower case, fold, number and stop-word flags.
    is_word_of = np.array([bool(_WORD.fullmatch(t)) for t in distinct], dtype=bool)
    lower_of = [t.lower() for t in distinct]
    key_codes, keys = pd.factorize(pd.Series([fold(w) for w in lower_of], dtype=object), sort=False)
    numeric_of = np.array([any(ch.isdigit() for ch in w) for w in lower_of], dtype=bool)
    stop_of = np.array([w in stops.words for w in lower_of], dtype=bool)
    so_of = np.array([w == "số" for w in lower_of], dtype=bool)
    # A chunk is the words between two punctuation characters of one headline.
    word = is_word_of[codes] if len(codes) else np.zeros(0, dtype=bool)
    new_row = np.ones(len(codes), dtype=bool)
    new_row[1:] = rows[1:] != rows[:-1]
    chunk = np.cumsum(~word | new_row)[word]
    codes, rows = codes[word], rows[word]
    kid = key_codes[codes]
    numeric = numeric_of[codes]
    same = chunk[1:] == chunk[:-1]  # word i and i + 1 are in one chunk
    # "số" before a number is "number 128", not the "số" of "chuyển đổi số".
    cut = stop_of[codes] | numeric
    cut[:-1] |= so_of[codes[:-1]] & numeric[1:] & same
    key_ids = {k: i for i, k in enumerate(keys)}
    for phrase in stops.phrases:
        want = [key_ids.get(w) for w in phrase.split()]
        n = len(want)
        if None in want or n > len(kid):
            continue
        at = np.ones(len(kid) - n + 1, dtype=bool)
        for j, k in enumerate(want):
            at &= kid[j : len(kid) - n + 1 + j] == k
        at &= chunk[n - 1 :] == chunk[: len(chunk) - n + 1]
        for j in range(n):
            cut[np.flatnonzero(at) + j] = True
    # A run is a stretch of uncut words of one chunk: phrases start at each word and stay in its run.
    run = np.cumsum(np.concatenate([[True], ~same]) | cut)
    size = len(keys) + 1
    parts = []  # (gram code, first word, length, traversal order) of every phrase occurrence
    for n in lengths:
        if n > len(kid):
            continue
        starts = np.arange(len(kid) - n + 1)
        ok = run[n - 1 :] == run[: len(run) - n + 1]
        for j in range(n):
            ok &= ~cut[j : len(cut) - n + 1 + j]
        starts = starts[ok]
        gram = np.zeros(len(starts), dtype=np.int64)
        for j in range(n):
            gram = gram * size + kid[starts + j] + 1
        parts.append((gram * len(lengths) + lengths.index(n), starts, np.full(len(starts), n)))
    grams = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    ns = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    # The first spelling follows the old reading order: item, run, length, position.
    order = np.lexsort((starts, ns, run[starts] if len(starts) else starts))
    grams, starts, ns = grams[order], starts[order], ns[order]
    unique, first, inverse = np.unique(grams, return_index=True, return_inverse=True)
    item_rows = rows[starts] if len(starts) else np.zeros(0, dtype=np.int64)
    pairs = np.sort(inverse.astype(np.int64) * max(1, len(headlines)) + item_rows)
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs  # once per item
    pair_ids, pair_rows = np.divmod(pairs, max(1, len(headlines)))
    df = np.bincount(pair_ids, minlength=len(unique))
    keep = np.flatnonzero(df >= 2)
    remap = np.full(len(unique), -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    sel = remap[pair_ids] >= 0
    phrases, shown = [], []
    for g in keep:
        i, n = starts[first[g]], ns[first[g]]
        phrases.append(" ".join(keys[kid[i : i + n]]))
        shown.append(" ".join(lower_of[c] for c in codes[i : i + n]))
    return PhraseIndex(
        phrases=np.array(phrases, dtype=object),
        shown=np.array(shown, dtype=object),
        rows=pair_rows[sel].astype(np.int32),
        ids=remap[pair_ids[sel]].astype(np.int32),
        n_rows=len(headlines),
        stops=stops_key(stops),
    )
