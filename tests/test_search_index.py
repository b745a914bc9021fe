"""The indexed search answers exactly like the plain scan: random queries over the seeds' own words."""

from __future__ import annotations

import random

import numpy as np
import pytest

from analytics.filters import Filters, filter_mask, search_terms
from loaders import search, store
from loaders.library import Library
from tests.conftest import copy_library


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds' items as the library loads them (search text and index from the store)."""
    library = Library(copy_library(tmp_path_factory.mktemp("lib")))
    items, _ = library.load_items()
    return library, items


def scan(keys: np.ndarray, query: str) -> np.ndarray:
    return search.matching_rows(keys, np.arange(len(keys)), search_terms(query), None)


def random_queries(keys: np.ndarray, n: int, seed: int) -> list[str]:
    """Words and phrases cut from the items' own text, written with and without diacritics, plus misses."""
    rng = random.Random(seed)
    fields = [f.split() for k in keys for f in k.split("|") if f.strip()]
    out = ["hoá", "hóa", "HOA", "Hóa chất", "tiêm chủng", '"phòng chống"', "qđ-ubnd", "xyzzy", "ubnd tỉnh"]
    while len(out) < n:
        words = rng.choice(fields)
        start = rng.randrange(len(words))
        phrase = " ".join(words[start : start + rng.choice((1, 1, 2, 3))])
        form = rng.random()
        if form < 0.3:
            out.append(f'"{phrase}"')
        elif form < 0.5:
            out.append(phrase.upper())
        elif form < 0.6:
            out.append(f"{phrase} {rng.choice(rng.choice(fields))}")  # two terms, both required
        else:
            out.append(phrase)
    return out


@pytest.mark.parametrize("chunk", [20_000, 16])
@pytest.mark.parametrize("max_share", [None, search.INDEX_MAX_SHARE, 0.0])
def test_indexed_search_equals_the_scan_on_random_queries(corpus, max_share, chunk, monkeypatch):
    monkeypatch.setattr(search, "_CHUNK", chunk)  # 16: the index is built from several chunks of rows
    _, items = corpus
    keys = items[search.SEARCH_KEY].to_numpy()
    index = search.build_index(keys, max_share)  # None: every syllable indexed; 0.0: none (all scanned)
    for query in random_queries(keys, 300, seed=len(keys)):
        terms = search_terms(query)
        got = search.matching_rows(keys, np.arange(len(keys)), terms, index)
        np.testing.assert_array_equal(got, scan(keys, query), err_msg=query)


def test_the_index_narrows_before_the_phrase_check(corpus):
    _, items = corpus
    keys = items[search.SEARCH_KEY].to_numpy()
    index = search.build_index(keys, None)
    found = index.candidates("ubnd tinh")
    assert found is not None and len(found) >= len(scan(keys, "UBND tỉnh"))
    assert len(index.candidates("xyzzy")) == 0  # a word in no item: nothing to check
    # Syllables too common for postings have a bitmap of their rows: a one-syllable term needs no scan.
    frequent = search.build_index(keys, 0.0)
    assert not frequent.indexed[frequent.words["ubnd"]] and frequent.words["ubnd"] in frequent.common
    both = frequent.candidates("ubnd tinh")
    np.testing.assert_array_equal(both, np.intersect1d(scan(keys, "ubnd"), scan(keys, "tinh")))
    assert frequent.exact("ubnd") and not frequent.exact("ubnd tinh")
    for query in random_queries(keys, 40, seed=7):
        for terms in [search_terms(query)]:
            got = search.matching_rows(keys, np.arange(len(keys)), terms, frequent)
            np.testing.assert_array_equal(got, scan(keys, query), err_msg=query)


def test_the_library_corpus_searches_through_its_stored_index(corpus):
    library, items = corpus
    assert search.index_of(items) is not None
    stored = store.read_index(library.store_dir, store.read_manifest(library.store_dir).key)
    assert stored is not None and stored.words == search.index_of(items).words
    keys = items[search.SEARCH_KEY].to_numpy()
    for query in random_queries(keys, 60, seed=1):
        mask = filter_mask(items, Filters(query=query))
        np.testing.assert_array_equal(np.flatnonzero(mask), scan(keys, query), err_msg=query)
    # A copy of the frame has no index attached: it scans, with the same answer.
    assert search.index_of(items.copy()) is None


def test_a_missing_index_file_is_rebuilt(corpus):
    library, _ = corpus
    key = store.read_manifest(library.store_dir).key
    store.index_path(library.store_dir, key).unlink()
    again, _ = Library(library.root).load_items()
    assert search.index_of(again) is not None and store.index_path(library.store_dir, key).is_file()


def test_the_dashboards_coded_corpus_keeps_the_stored_indexes(corpus):
    # build_corpus recodes the frame (categoricals): the stored search and phrase indexes must follow it, or
    # every search would scan and the terms page would rebuild its phrases on a national corpus.
    from loaders.phrases import PhraseIndex
    from ui.data import build_corpus

    library, _ = corpus
    items, report = Library(library.root).load_items()
    built = build_corpus(items, report, "key")
    assert built.items is not items
    assert search.index_of(built.items) is search.index_of(items) is not None
    assert search.index_of(built.items, PhraseIndex) is search.index_of(items, PhraseIndex) is not None
