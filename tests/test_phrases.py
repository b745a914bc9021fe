"""The stored phrase index (loaders/phrases.py) of the rising-phrases list: the same phrases, spellings and
counts as reading each headline word by word (the method the page used before the index was stored,
kept here as the reference), on the seeds and on random headlines; stored with the library and reused."""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pytest

from analytics.terms import rising_phrases
from loaders import phrases, search, store
from loaders.library import Library
from loaders.textnorm import fold
from loaders.vocab import TermStops, load_term_stops
from tests.conftest import copy_library

_PUNCT = re.compile(r"[^\w\s]+|_")
_WORD = re.compile(r"[^\W_]+")


def reference(headlines: list[str], stops: TermStops) -> tuple[dict[str, set[int]], dict[str, str]]:
    """(folded phrase -> rows holding it, folded phrase -> its first spelling), read headline by headline:
    punctuation cuts a headline into chunks; numbers, stop words, "số" before a number and every occurrence
    of a stop phrase cut a chunk into runs; every 2–3 words of a run are a phrase; a phrase of one item
    only is left out."""
    rows: dict[str, set[int]] = {}
    shown: dict[str, str] = {}
    for pos, headline in enumerate(headlines):
        for chunk in _PUNCT.split(headline):
            words = [w.lower() for w in _WORD.findall(chunk)]
            keys = [fold(w) for w in words]
            numeric = [any(ch.isdigit() for ch in w) for w in words]
            cut = [
                w in stops.words or numeric[i] or (w == "số" and i + 1 < len(words) and numeric[i + 1])
                for i, w in enumerate(words)
            ]
            for stop in stops.phrases:
                n = len(stop.split())
                for i in range(len(keys) - n + 1):
                    if " ".join(keys[i : i + n]) == stop:
                        cut[i : i + n] = [True] * n
            runs, run = [], []
            for word, drop in zip(words, cut, strict=True):
                if drop:
                    runs.append(run)
                    run = []
                else:
                    run.append(word)
            runs.append(run)
            for run in runs:
                for n in (2, 3):
                    for i in range(len(run) - n + 1):
                        key = fold(" ".join(run[i : i + n]))
                        rows.setdefault(key, set()).add(pos)
                        shown.setdefault(key, " ".join(run[i : i + n]))
    kept = {k: r for k, r in rows.items() if len(r) >= 2}
    return kept, {k: shown[k] for k in kept}


def as_dicts(index: phrases.PhraseIndex) -> tuple[dict[str, set[int]], dict[str, str]]:
    rows: dict[str, set[int]] = {}
    for r, i in zip(index.rows.tolist(), index.ids.tolist(), strict=True):
        rows.setdefault(index.phrases[i], set()).add(r)
    return rows, dict(zip(index.phrases, index.shown, strict=True))


def random_headlines(rng: random.Random, n: int) -> list[str]:
    """Headlines made of the seeds' boilerplate, two spellings of one phrase, numbers and punctuation."""
    words = "chuyển đổi số Chuyển chuyen doi so của cửa khẩu CỬA KHẨU UBND ubnd tỉnh chỉ đạo trên địa bàn Lạng"
    others = [",", ";", " - ", "(", ")", "…", "\n", "–", "Sơn", "năm", "2024", "số", "12", "giai", "đoạn", "x_y", "²"]
    tokens = [*words.split(" "), *others]
    return [" ".join(rng.choice(tokens) for _ in range(rng.randint(0, 24))) for _ in range(n)]


def test_the_seeds_give_what_reading_each_headline_gives(items: pd.DataFrame) -> None:
    stops = load_term_stops()
    headlines = items["headline"].tolist()
    expected = reference(headlines, stops)
    assert len(expected[0]) > 50  # the seeds share many phrases across items
    assert as_dicts(phrases.build_phrases(headlines, stops)) == expected


@pytest.mark.parametrize("seed", range(8))
def test_random_headlines_give_what_reading_each_headline_gives(seed: int) -> None:
    rng = random.Random(seed)
    stops = load_term_stops()
    headlines = random_headlines(rng, rng.randint(0, 80))
    index = phrases.build_phrases(headlines, stops)
    expected = reference(headlines, stops)
    assert as_dicts(index) == expected
    # And so the rising list, on random windows, counts what the reference counts.
    current = np.array([rng.random() < 0.3 for _ in headlines], dtype=bool)
    rising = rising_phrases(index, current, ~current, top=1000)
    # Items per phrase: on the picked rows' postings (a few rows), or all rows' less the others' (most rows).
    for picked in (current, ~current, np.zeros(len(headlines), dtype=bool), np.ones(len(headlines), dtype=bool)):
        want = [int(picked[sorted(expected[0][p])].sum()) for p in index.phrases]
        assert index.counts(picked).tolist() == want
    for r in rising.itertuples():
        holders = expected[0][r.term]
        assert (r.current, r.baseline) == (int(current[list(holders)].sum()), int((~current)[list(holders)].sum()))
        assert r.phrase == expected[1][r.term]


def test_one_spelling_per_phrase_the_first_one() -> None:
    index = phrases.build_phrases(["Cửa khẩu Tân Thanh", "cua khau; CỬA KHẨU", "các cửa khẩu"], load_term_stops())
    assert dict(zip(index.phrases, index.shown, strict=True)) == {"cua khau": "cửa khẩu"}
    assert sorted(index.rows[index.ids == 0].tolist()) == [0, 1, 2]


def test_the_library_stores_the_index_and_reuses_it(tmp_path, monkeypatch) -> None:
    library = Library(copy_library(tmp_path / "lib"))
    items, _ = library.load_items()
    built = search.index_of(items, phrases.PhraseIndex)
    assert built is not None and built.n_rows == len(items)
    key = store.read_manifest(library.store_dir).key
    assert store.phrases_path(library.store_dir, key).is_file()
    # A restart reads it instead of building it.
    monkeypatch.setattr(phrases, "build_phrases", lambda *a, **k: pytest.fail("built again"))
    again, _ = Library(library.root).load_items()
    stored = search.index_of(again, phrases.PhraseIndex)
    assert stored is not None and as_dicts(stored) == as_dicts(built)
    monkeypatch.undo()
    # Built with another stop list (the file was edited): not used, built anew and stored.
    other = phrases.stops_key(TermStops(phrases=(), words=frozenset()))
    assert store.read_phrases(library.store_dir, key, other) is None
    store.phrases_path(library.store_dir, key).unlink()
    third, _ = Library(library.root).load_items()
    assert search.index_of(third, phrases.PhraseIndex) is not None
    assert store.phrases_path(library.store_dir, key).is_file()
