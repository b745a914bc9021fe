"""Terms across the digests: which items mention a term, per period; the sentences it occurs in (KWIC);
and the phrases whose share rose most in the latest weeks.

A term matches like the sidebar search (`analytics.filters.search_terms`: diacritics and case ignored,
whole syllables, punctuation as spaces) but only in what an item *says*, its headline and body: the
search box also looks at the sector name, so "chuyển đổi số" would find every item of the sector
"Khoa học, công nghệ, chuyển đổi số" without a sentence to show.

Every function is pure: frames (or arrays) in, frames out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.aggregate import counts_by_period, period_labels
from analytics.filters import search_terms
from loaders.phrases import PhraseIndex
from loaders.search import SEARCH_TEXT, SearchIndex, keys_of
from loaders.textnorm import fold, fold_words

#: The item text a term is looked for in, in this order (a context names the field it comes from).
TEXT_FIELDS = ("headline", "body")
#: Characters of context kept on each side of a hit when its sentence is longer.
CONTEXT_CHARS = 160
# A sentence ends at . ! ? … (optionally closed by a quote or bracket) followed by a space and a capital.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)]*\s+(?=[\"“(]?[^\W\d_])")


def parse_terms(text: str) -> list[str]:
    """The terms of a comma-separated list ("chuyen doi so, cửa khẩu"), as typed, without repeats
    (two spellings that fold alike are one term) and without empty ones."""
    out: dict[str, str] = {}
    for raw in text.split(","):
        term = " ".join(raw.replace('"', " ").split())
        key = term_key(term)
        if key and key not in out:
            out[key] = term
    return list(out.values())


def term_key(term: str) -> str:
    """The folded phrase a term is matched as: the search box's reading of `"term"` (a quoted phrase)."""
    found = search_terms('"' + term.replace('"', " ") + '"')
    return found[0] if found else ""


def text_keys(items: pd.DataFrame) -> np.ndarray:
    """Per row, the folded headline and body (" word word … |  word … "), the text terms are matched in.

    Taken from the stored search text when `items` has it (its first fields are these two, folded the same
    way), else folded here; callers cache it per corpus: folding is the costly part of a term search.
    """
    stored = keys_of(items) if SEARCH_TEXT[: len(TEXT_FIELDS)] == TEXT_FIELDS else None
    if stored is not None:
        cut = len(TEXT_FIELDS)
        return np.array(["|".join(k.split("|", cut)[:cut]) for k in stored], dtype=object)
    cols = [items[c].astype(str) for c in TEXT_FIELDS]
    return np.array(["|".join(fold_words(t) for t in texts) for texts in zip(*cols, strict=True)], dtype=object)


def term_mask(keys: np.ndarray, term: str, index: SearchIndex | None = None) -> np.ndarray:
    """Boolean array: which rows' text keys contain `term` (as typed) as a whole phrase.

    With the corpus' stored search index (rows in the same order as `keys`), only the rows holding every
    indexed syllable of the term are checked.
    """
    key = term_key(term)
    mask = np.zeros(len(keys), dtype=bool)
    if not key:
        return mask
    found = index.candidates(key) if index is not None else None
    rows = np.arange(len(keys)) if found is None else np.asarray(found)
    needle = f" {key} "
    mask[rows] = np.fromiter((needle in keys[r] for r in rows), dtype=bool, count=len(rows))
    return mask


def term_matches(items: pd.DataFrame, masks: dict[str, np.ndarray]) -> pd.DataFrame:
    """`items` (index kept) with a `terms` column: the terms (keys of `masks`, in order) each row mentions.

    `masks` holds one boolean array per term, aligned with `items`.
    """
    names = list(masks)
    stacked = np.column_stack([masks[t] for t in names]) if names else np.zeros((len(items), 0), dtype=bool)
    lists = [[names[j] for j in np.flatnonzero(row)] for row in stacked]
    return items.assign(terms=pd.Series(lists, index=items.index, dtype=object))


def term_trend(matched: pd.DataFrame, terms: Sequence[str], granularity: str, window: int = 1) -> pd.DataFrame:
    """Items mentioning each term per period: columns period, term, count, total, share.

    `matched` comes from `term_matches` on the counted items; `total` is every item of the period (so
    `share` is the term's share of the period's items), with the same rolling window as `counts_by_period`.
    """
    frame = matched.rename(columns={"terms": "term"})
    return counts_by_period(frame, "term", granularity, window=window, order=list(terms), explode=True, missing=None)


def term_totals(matched: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """One row per term: items (mentioning it), share (of all items given), weeks (with a mention),
    first_week, last_week."""
    rows = []
    n = len(matched)
    for term in terms:
        hit = matched[[term in ts for ts in matched["terms"]]]
        weeks = sorted(set(hit["week"]))
        rows.append(
            {
                "term": term,
                "items": len(hit),
                "share": len(hit) / n if n else 0.0,
                "weeks": len(weeks),
                "first_week": weeks[0] if weeks else "",
                "last_week": weeks[-1] if weeks else "",
            }
        )
    return pd.DataFrame(rows, columns=["term", "items", "share", "weeks", "first_week", "last_week"])


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = fold(ch)
    return folded if len(folded) == 1 and folded.isalnum() else ("" if not folded else " ")


def find_spans(text: str, term: str) -> list[tuple[int, int]]:
    """(start, end) character spans in `text` (original spelling) where `term` occurs, matched like
    `term_mask`: diacritics, case and punctuation between syllables ignored, whole syllables only."""
    words = term_key(term).split()
    if not words:
        return []
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        if f:  # characters folding to nothing (rare symbols) vanish, as in `fold_words`
            chars.append(f)
            where.append(i)
    folded = "".join(chars)
    pattern = re.compile(r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(map(re.escape, words)) + r"(?![a-z0-9])")
    return [(where[m.start()], where[m.end() - 1] + 1) for m in pattern.finditer(folded)]


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence (within one line) holding text[start:end]."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    lo, hi = line_start, line_end
    for m in _SENTENCE_END.finditer(text, line_start, line_end):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start() + len(m.group(0).rstrip())
            break
    return lo, hi


def _clip(left: str, right: str) -> tuple[str, str]:
    if len(left) > CONTEXT_CHARS:
        left = "…" + left[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(right) > CONTEXT_CHARS:
        right = right[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"
    return left, right


CONTEXT_COLUMNS = ["term", "row", "digest_id", "item_no", "week", "period", "field", "left", "match", "right"]


def contexts(items: pd.DataFrame, terms: Iterable[str], granularity: str = "week") -> pd.DataFrame:
    """Keyword in context: one row per hit of each term in the items' headline and body.

    Columns: term, row (the item's index label), digest_id, item_no, week, period, field (headline/body),
    left, match (as written in the text), right — the sentence around the hit, clipped to CONTEXT_CHARS
    on each side. Rows follow the items' order, then the position in the text.
    """
    terms = list(terms)
    if items.empty or not terms:
        return pd.DataFrame(columns=CONTEXT_COLUMNS)
    period = period_labels(items["week_start"], granularity)
    rows = []
    for label, item in items.iterrows():
        for term in terms:
            for field_name in TEXT_FIELDS:
                text = str(item[field_name])
                for start, end in find_spans(text, term):
                    lo, hi = _sentence(text, start, end)
                    left, right = _clip(text[lo:start], text[end:hi])
                    rows.append(
                        (
                            term,
                            label,
                            item["digest_id"],
                            int(item["item_no"]),
                            item["week"],
                            period[label],
                            field_name,
                            left,
                            text[start:end],
                            right,
                        )
                    )
    return pd.DataFrame(rows, columns=CONTEXT_COLUMNS)


def context_rows(
    matched: pd.DataFrame, terms: Sequence[str], granularity: str, picked: Iterable[tuple[str, str]] | None = None
) -> dict[str, pd.Index]:
    """Per term, the index labels of the `matched` rows (from `term_matches`) mentioning it, in their order:
    the items whose contexts `contexts` reads. With `picked` (clicked (term, period) points of a term trend),
    only the rows of those periods."""
    if picked is not None:
        chosen = set(picked)
        period = period_labels(matched["week_start"], granularity)
    out = {}
    for term in terms:
        keep = np.fromiter((term in ts for ts in matched["terms"]), dtype=bool, count=len(matched))
        if picked is not None:
            keep &= np.fromiter(((term, p) in chosen for p in period), dtype=bool, count=len(matched))
        out[term] = matched.index[keep]
    return out


# ---------------------------------------------------------------- rising terms (counted on `loaders.phrases`)


RISING_COLUMNS = ["phrase", "term", "current", "baseline", "current_share", "baseline_share", "share_change"]


def rising_phrases(
    index: PhraseIndex, current: np.ndarray, baseline: np.ndarray, top: int = 20, min_count: int = 2
) -> pd.DataFrame:
    """Phrases whose share of items rose most from `baseline` to `current` (boolean masks over the indexed
    rows): columns phrase (as written), term (folded), current, baseline (items mentioning it),
    current_share, baseline_share (of the items in each mask), share_change (current − baseline share).

    Only phrases in at least `min_count` current items; largest rise first, then most current items.
    """
    n_cur, n_base = int(current.sum()), int(baseline.sum())
    if not n_cur or not len(index.phrases):
        return pd.DataFrame(columns=RISING_COLUMNS)
    cur, base = index.counts(current), index.counts(baseline)
    keep = np.flatnonzero(cur >= min_count)
    out = pd.DataFrame(
        {
            "phrase": index.shown[keep],
            "term": index.phrases[keep],
            "current": cur[keep].astype("int64"),
            "baseline": base[keep].astype("int64"),
        }
    )
    out["current_share"] = out["current"] / n_cur
    out["baseline_share"] = out["baseline"] / n_base if n_base else 0.0
    out["share_change"] = out["current_share"] - out["baseline_share"]
    out = out[out["share_change"] > 0]
    # A phrase inside a longer one with the same counts says nothing more ("kết luận" in "thực hiện kết luận").
    counts = dict(zip(out["term"], zip(out["current"], out["baseline"], strict=True), strict=True))
    inside = set()
    for term, pair in counts.items():
        words = term.split()
        for n in range(1, len(words)):
            for i in range(len(words) - n + 1):
                sub = " ".join(words[i : i + n])
                if counts.get(sub) == pair:
                    inside.add(sub)
    out = out[~out["term"].isin(inside)]
    out = out.sort_values(["share_change", "current", "term"], ascending=[False, False, True], kind="stable")
    return out.head(top).reset_index(drop=True)[RISING_COLUMNS]
