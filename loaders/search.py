"""The folded search text of each item: built once when the corpus is built, stored with it.

Each searched field and list entry is folded to " word word … " (`textnorm.fold_words`: no diacritics, no
case, punctuation and line breaks as spaces, so " term " matches whole words) and the fields are kept apart
by "|", so that a phrase never spans two fields.
"""

from __future__ import annotations

import pandas as pd

from loaders.textnorm import fold_words

#: Column holding the folded search text (not part of the items schema: the store adds it).
SEARCH_KEY = "search_key"

#: Text columns that the free-text search looks into, besides the list columns below.
SEARCH_TEXT = ("headline", "body", "doc_symbol", "doc_type", "issuer", "leader", "sector")
SEARCH_LISTS = ("lead_agencies", "districts", "cited_documents")


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
