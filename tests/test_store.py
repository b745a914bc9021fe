"""The items store: same frame as the pipeline, incremental rebuilds, deletion and corruption lose nothing,
and a crash or a concurrent writer leaves the old store or the new one."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import loaders.library as library_module
from analytics.filters import add_search_key
from loaders import atomic, pipeline, store
from loaders.library import Library
from loaders.phrases import PhraseIndex
from loaders.search import SEARCH_KEY, index_of
from tests.test_library import REWORDED_002, SEED_BYTES, seed_library


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return seed_library(tmp_path / "lib")


def assert_same_as_pipeline(library: Library) -> pd.DataFrame:
    """Library.load equals pipeline.load of the same folder (frame and per-file reports); returns the items."""
    items, report = library.load()
    expected, expected_report = pipeline.load([library.digests_dir])
    pd.testing.assert_frame_equal(items, expected)
    assert report == expected_report
    keyed, _ = library.load_items()
    pd.testing.assert_series_equal(keyed[SEARCH_KEY], add_search_key(expected)[SEARCH_KEY])
    return items


def test_a_restart_reads_the_store_without_parsing_or_the_parse_cache(lib, count_parses, monkeypatch):
    first = assert_same_as_pipeline(lib)
    assert store.path(lib.store_dir).is_file()
    n = len(count_parses)

    def no_parse(*args):
        raise AssertionError("the store should answer")

    monkeypatch.setattr(Library, "_parse", no_parse)
    items, report = Library(lib.root).load()
    pd.testing.assert_frame_equal(items, first)
    assert len(count_parses) == n and len(report.files) == 5 and not report.failed


def test_deleting_or_corrupting_the_store_loses_nothing(lib):
    items = assert_same_as_pipeline(lib)
    shutil.rmtree(lib.store_dir)
    pd.testing.assert_frame_equal(lib.load()[0], items)
    assert store.read_manifest(lib.store_dir) is not None  # rebuilt
    store.path(lib.store_dir).write_bytes(b"PAR1 not really parquet")
    pd.testing.assert_frame_equal(lib.load()[0], items)
    assert store.read_manifest(lib.store_dir) is not None


def test_adding_or_removing_a_file_reparses_only_what_changed(lib, count_parses):
    assert_same_as_pipeline(lib)
    assert len(count_parses) == 5
    # Same items as 002 in other words: another digest, so every item of 002 is now reported twice.
    (lib.digests_dir / "zz_reworded.txt").write_bytes(REWORDED_002)
    items = assert_same_as_pipeline(lib)
    assert count_parses[5:] == ["zz_reworded.txt"]
    assert (items["reported_in"] == 2).sum() == 2 * (items["source"] == "zz_reworded.txt").sum() > 0
    before = len(count_parses)
    lib.load()
    (lib.digests_dir / "001_6a1a74cf8d1e2b76.txt").unlink()
    items, _ = lib.load()
    assert len(count_parses) == before  # nothing parsed: the stored rows of the others are reused
    assert_same_as_pipeline(lib)
    (lib.digests_dir / "zz_reworded.txt").unlink()
    assert (assert_same_as_pipeline(lib)["reported_in"] == 1).all()  # recomputed on the whole


def test_a_copy_of_a_digest_counts_once_and_takes_over_when_the_original_goes(lib):
    (lib.digests_dir / "zz_copy.txt").write_bytes(SEED_BYTES["002_0b14f9dcf9426668.txt"])
    assert_same_as_pipeline(lib)
    assert [f.errors[0].code for f in lib.load()[1].failed] == ["duplicate"]
    (lib.digests_dir / "002_0b14f9dcf9426668.txt").unlink()
    items = assert_same_as_pipeline(lib)
    assert "zz_copy.txt" in set(items["source"])


def test_a_new_parser_version_rebuilds_the_store(lib, count_parses, monkeypatch):
    lib.load()
    monkeypatch.setattr(pipeline, "PARSER_VERSION", pipeline.PARSER_VERSION + "-next")
    lib.load()
    assert len(count_parses) == 10


def test_a_crash_while_writing_the_store_leaves_the_old_one(lib, monkeypatch):
    lib.load()
    old_bytes = store.path(lib.store_dir).read_bytes()
    (lib.digests_dir / "001_6a1a74cf8d1e2b76.txt").unlink()

    def crash(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "rename", crash)
    items, _ = lib.load()  # the store only saves time: the load itself succeeds
    assert "001_6a1a74cf8d1e2b76.txt" not in set(items["source"])
    assert store.path(lib.store_dir).read_bytes() == old_bytes
    assert not [p for p in lib.store_dir.iterdir() if p.name.startswith(atomic.TEMP_PREFIX)]  # no temp file left
    old_key = store.read_manifest(lib.store_dir).key
    assert store.read_index(lib.store_dir, old_key) is not None  # the old store is whole, index included
    monkeypatch.undo()
    assert_same_as_pipeline(lib)


def test_a_load_does_not_wait_long_for_a_busy_writer(lib, monkeypatch):
    monkeypatch.setattr(library_module, "STORE_LOCK_WAIT", 0)
    with lib._writer():  # another writer holds the lock: the store is not written, the load still answers
        items, _ = Library(lib.root).load()
        assert len(items) == 70 and not store.path(lib.store_dir).exists()
    assert_same_as_pipeline(lib)


def _load_in_child(root: str, rounds: int) -> None:
    for _ in range(rounds):
        Library(root).load()


def test_loads_concurrent_with_adds_and_removals_leave_a_consistent_store(tmp_path):
    root = tmp_path / "lib"
    names = sorted(SEED_BYTES)
    lib = seed_library(root, names[:2])
    ctx = multiprocessing.get_context("fork")
    readers = [ctx.Process(target=_load_in_child, args=(str(root), 6)) for _ in range(2)]
    for job in readers:
        job.start()
    for name in names[2:]:
        lib.add(lib.preview([(name, SEED_BYTES[name])]))
    lib.remove(names[0])
    for job in readers:
        job.join(120)
    assert [job.exitcode for job in readers] == [0, 0]
    manifest = store.read_manifest(lib.store_dir)
    assert manifest is not None  # whichever load wrote last, its store is whole
    assert_same_as_pipeline(Library(root))
    assert sorted(f.path for f in store.read_manifest(lib.store_dir).files) == names[1:]


def test_many_files_are_parsed_in_a_process_pool_with_the_same_result(lib, monkeypatch):
    monkeypatch.setattr(library_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(library_module.os, "cpu_count", lambda: 2)
    pools = []
    real_pool = library_module.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        pools.append(args)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(library_module, "ProcessPoolExecutor", counting_pool)
    seen: list[tuple[int, int]] = []
    lib.load(progress=lambda n, total, path: seen.append((n, total)))
    assert pools == [(2,)] and seen == [(n, 5) for n in range(1, 6)]
    shutil.rmtree(lib.root / ".cache")
    assert_same_as_pipeline(lib)


def test_a_broken_pool_falls_back_to_parsing_in_process(lib, monkeypatch):
    monkeypatch.setattr(library_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(library_module.os, "cpu_count", lambda: 2)

    class Broken:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, *args, **kwargs):
            raise library_module.BrokenProcessPool("a worker died")

    monkeypatch.setattr(library_module, "ProcessPoolExecutor", Broken)
    assert_same_as_pipeline(lib)


def test_the_store_names_the_hashes_of_its_files(lib):
    # A restarted dashboard keys its corpus on the files' content hashes: the store hands them over (same
    # size and mtime) instead of every file being read and hashed again.
    import hashlib

    lib.load_items()
    listed = {rel: (size, mtime, sha) for rel, size, mtime, sha in store.file_hashes(lib.store_dir)}
    files = lib.files()
    assert len(listed) == len(files) == 5
    for path in files:
        st = path.stat()
        rel = path.relative_to(lib.digests_dir).as_posix()
        assert listed[rel] == (st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    primed = lib.stored_hashes()
    assert {(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files} == set(primed)
    assert store.file_hashes(lib.root / "nowhere") == []


def test_a_lazy_load_leaves_the_bodies_in_the_store_and_reads_them_from_its_own_version(lib):
    from loaders.schema import COLUMN_NAMES, as_coded
    from loaders.search import keys_of
    from ui.data import build_corpus

    full, _ = lib.load_items()
    picks = [len(full) - 1, 0, 7, 7, 3]  # any order, repeats
    for rebuilt in (False, True):  # read from the store, then built anew (the store written, then reopened)
        if rebuilt:
            shutil.rmtree(lib.store_dir)
        lazy, report = Library(lib.root).load_items(lazy=True)
        pd.testing.assert_frame_equal(lazy, as_coded(full.drop(columns=["body", SEARCH_KEY])))  # codes, as read
        assert keys_of(lazy).tolist() == full[SEARCH_KEY].tolist()  # the search texts, out of the frame
        texts = index_of(lazy, store.StoredTexts)
        assert texts is not None and len(texts) == len(full)
        assert index_of(lazy) is not None and index_of(lazy, PhraseIndex) is not None  # the indexes came along
        assert texts.take(picks)["body"].tolist() == full["body"].iloc[picks].tolist()
    # A damaged or missing texts file: the bodies come from the store's table, in the frame.
    key = store.read_manifest(lib.store_dir).key
    for damage in (lambda f: f.write_bytes(f.read_bytes()[:-9]), lambda f: f.unlink()):
        damage(store.texts_path(lib.store_dir, key))
        again, _ = Library(lib.root).load_items(lazy=True)
        pd.testing.assert_frame_equal(again, as_coded(full))
        assert index_of(again, store.StoredTexts) is None
    # The first rows' digest goes: the new store's rows move up, the loaded corpus still reads its own bodies.
    (lib.digests_dir / full["source"].iloc[0]).unlink()
    after, _ = Library(lib.root).load_items()
    assert after["body"].iloc[0] != full["body"].iloc[0]
    assert texts.take(picks)["body"].tolist() == full["body"].iloc[picks].tolist()
    # The dashboard's corpus puts them back where the schema has them.
    corpus = build_corpus(lazy, report, key="k")
    assert "body" not in corpus.items and corpus.texts is texts
    rows = corpus.full_rows(corpus.items.index[[5, 2]])
    assert [c for c in rows.columns if c in COLUMN_NAMES] == list(COLUMN_NAMES)
    assert rows["body"].tolist() == full["body"].iloc[[5, 2]].tolist()
    assert rows["doc_symbol"].tolist() == full["doc_symbol"].iloc[[5, 2]].tolist()


def test_a_restart_reads_the_indexes_on_first_use_even_once_the_store_moved_on(lib, monkeypatch):
    from loaders import search
    from loaders.phrases import PhraseIndex
    from loaders.search import index_of

    built, _ = lib.load_items()
    expected = index_of(built)
    reads: list[str] = []
    read_index, read_phrases = store.read_index, store.read_phrases
    monkeypatch.setattr(store, "read_index", lambda *a: reads.append("index") or read_index(*a))
    monkeypatch.setattr(store, "read_phrases", lambda *a: reads.append("phrases") or read_phrases(*a))
    items, _ = Library(lib.root).load_items()
    assert reads == []  # a restart reads neither index
    index = index_of(items)
    assert index_of(items) is index and reads == ["index"]  # read once, on first use
    assert index.words == expected.words and index.rows.tolist() == expected.rows.tolist()
    assert index_of(items, PhraseIndex) is not None and reads == ["index", "phrases"]
    # The store replaced before a first search (a digest removed): its index files are gone, so the loaded
    # corpus builds its own from its rows, and the search answers as a scan of them would.
    again, _ = Library(lib.root).load_items()
    old_key = store.read_manifest(lib.store_dir).key
    (lib.digests_dir / built["source"].iloc[0]).unlink()
    lib.load_items()
    assert not store.index_path(lib.store_dir, old_key).exists()
    rebuilt = index_of(again)
    assert rebuilt is not None and rebuilt.words == expected.words
    keys = again[SEARCH_KEY].to_numpy()
    rows = pd.RangeIndex(len(keys)).to_numpy()
    for terms in (["tiem chung"], ["ubnd tinh"], ["cua khau", "lang son"]):
        assert (
            search.matching_rows(keys, rows, terms, rebuilt).tolist()
            == search.matching_rows(keys, rows, terms, None).tolist()
        )


def test_a_lazy_restart_reads_the_search_texts_on_the_first_search_from_its_own_version(lib, monkeypatch):
    from analytics.filters import Filters, apply_filters
    from loaders.search import keys_of

    full, _ = lib.load_items()
    reads: list[int] = []
    search_keys = store._search_keys
    monkeypatch.setattr(store, "_search_keys", lambda stored: reads.append(1) or search_keys(stored))
    items, _ = Library(lib.root).load_items(lazy=True)
    assert SEARCH_KEY not in items and reads == []  # a restart decodes no search text
    (lib.digests_dir / full["source"].iloc[0]).unlink()  # the store moves on before the first search
    lib.load_items()
    reads.clear()  # (that rebuild read the old store whole)
    # A rare term, a phrase most items hold (checked in place), two terms.
    for query in ("tiêm chủng", "UBND tỉnh", "cửa khẩu lạng sơn"):
        found = apply_filters(items, Filters(query=query))
        expected = apply_filters(full.drop(columns=["body"]), Filters(query=query))
        assert found.index.tolist() == expected.index.tolist() and len(found)
    assert reads == [1] and keys_of(items).tolist() == full[SEARCH_KEY].tolist()  # read once
    # The store file unreadable by the first search: the rows are folded again, bodies read from their file.
    again, _ = Library(lib.root).load_items(lazy=True)
    monkeypatch.setattr(store, "_search_keys", lambda stored: (_ for _ in ()).throw(OSError("gone")))
    expected, _ = Library(lib.root).load_items()
    assert keys_of(again).tolist() == expected[SEARCH_KEY].tolist()


def test_the_dashboard_reads_the_search_texts_once_a_page_is_drawn_not_on_the_first_search(lib, monkeypatch):
    import gc

    from analytics.filters import Filters, apply_filters
    from ui import data

    full, _ = lib.load_items()
    reads: list[int] = []
    search_keys = store._search_keys
    monkeypatch.setattr(store, "_search_keys", lambda stored: reads.append(1) or search_keys(stored))
    data._parse.clear()
    corpus = data._parse("restart", str(lib.root))
    assert reads == []  # not while the corpus is built: the first render does not wait for them
    data.read_ahead(corpus)
    data.read_ahead(corpus)  # once per corpus
    data.finish_reading()
    assert reads == [1]
    # And the phrase index's by-row layout, which the Từ khóa page's rising phrases count on, is made.
    assert "by_row" in vars(index_of(corpus.items, PhraseIndex))
    found = apply_filters(corpus.items, Filters(query="tiêm chủng"))
    assert reads == [1] and found.index.tolist() == apply_filters(full, Filters(query="tiêm chủng")).index.tolist()
    data._parse.clear()
    gc.unfreeze()


def test_the_library_list_comes_from_the_store_and_equals_the_parsed_one(lib, count_parses, monkeypatch):
    from tests.test_library import NOT_A_DIGEST

    (lib.digests_dir / "zz_copy.txt").write_bytes(SEED_BYTES["002_0b14f9dcf9426668.txt"])  # not stored: a copy
    (lib.digests_dir / "zz_notice.txt").write_bytes(NOT_A_DIGEST)  # not stored: no item
    lib.load_items()
    parsed = len(count_parses)
    listed = lib.entries()
    assert len(count_parses) == parsed  # nothing parsed again (the two unstored files come from the cache)
    monkeypatch.setattr(store, "read_manifest", lambda folder: None)  # as without a store: every file's parse
    expected = lib.entries()
    assert listed == expected and len(listed) == 7
    assert [e.signature for e in listed] == [e.signature for e in expected]
    assert sum(e.loaded for e in listed) == 6 and all(e.signature for e in listed if e.loaded)  # the copy too


def test_a_built_corpus_is_frozen_out_of_the_collector_and_freed_once_dropped(lib):
    # The dashboard's corpus leaves the cyclic collector's sight once built (a full collection scanned its
    # millions of lists on some reruns); a corpus dropped from the cache is still freed, at the latest when
    # the next one is built.
    import gc
    import weakref

    from ui.data import _parse

    _parse.clear()
    first = _parse("first", str(lib.root))
    frozen = gc.get_freeze_count()
    assert frozen > len(first.items)  # its lists (at least one per row) among the frozen objects
    gone = weakref.ref(first.items)
    _parse.clear()
    del first
    second = _parse("second", str(lib.root))
    assert gone() is None and second.items is not None
    assert gc.get_freeze_count() > len(second.items)
    _parse.clear()
    gc.unfreeze()


TEXTS = ["", "Sở Y tế", "Sở Y Tế", "sở y tế", "Đ", "Z", "a", "ă"]


@given(
    chunks=hst.lists(hst.lists(hst.sampled_from(TEXTS), max_size=6)),
    unused=hst.lists(hst.sampled_from(["Ơ", "b", "Sở"]), max_size=2, unique=True),
)
def test_a_stored_dictionary_column_reads_as_the_dashboard_codes_it(chunks, unused):
    # A restart reads the CODED columns as Parquet keeps them, one dictionary per row group (with entries no
    # row uses): the same categorical as coding the strings (`as_coded`: values present, sorted as strings).
    import pyarrow as pa

    from loaders.schema import as_coded

    arrays = [
        pa.DictionaryArray.from_arrays(
            pa.array([(list(dict.fromkeys(c)) + unused).index(v) for v in c], pa.int32()),
            pa.array(list(dict.fromkeys(c)) + unused, pa.string()),
        )
        for c in chunks
    ]
    column = pa.chunked_array(arrays, pa.dictionary(pa.int32(), pa.string()))
    values = [v for c in chunks for v in c]
    expected = as_coded(pd.DataFrame({"sector": pd.Series(values, dtype=str)}))["sector"]
    pd.testing.assert_series_equal(pd.Series(store._categorical(column), name="sector"), expected)
