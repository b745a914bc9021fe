"""Cached access to the corpus: parse once per distinct file content, never per rerun.

Keying: each file's cheap fingerprint (path, size, mtime_ns) maps to a hash of its bytes (cached), and the
parsed corpus is cached on the sorted content hashes plus the parser version and the vocabularies' hashes.
Touching a file without changing it re-uses the parse; editing one byte re-parses. The parsed frame is a
shared, read-only object (`st.cache_resource`): nothing may modify it, everything downstream copies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from analytics.aggregate import citations, with_periods
from analytics.filters import MULTI, SEARCH_KEY, FilterSpec, add_search_key
from analytics.urls import value_codes
from loaders.config import NATIONAL_VOCAB_DIR, PROFILE_DIR, data_dir
from loaders.export import latest_week
from loaders.files import read_file
from loaders.phrases import PhraseIndex
from loaders.report import FileReport, LoadReport
from loaders.schema import COLUMN_NAMES, as_coded
from loaders.search import has_keys, index_of, keys_of, share_indexes
from loaders.store import StoredTexts, gc_paused
from loaders.vocab import Profile, Vocab, VocabError, load_vocab, vocab_files
from ui.i18n import t

#: How many distinct corpora (e.g. before/after an upload) stay parsed in memory.
MAX_CORPORA = 4
#: Long text columns left out of the frame pages filter and aggregate: slicing them costs more than the
#: rest of a rerun at 70,000 items. Pages that show or export the text take it from `Corpus.full_rows`.
HEAVY_COLUMNS = ("body", SEARCH_KEY)


@dataclass(frozen=True)
class Corpus:
    """The parsed items plus what the dashboard needs to show them: options, order, colours, places."""

    items: pd.DataFrame  # every schema column, but those `texts` keeps on disk (see full_rows); search: keys_of
    report: LoadReport
    key: str
    # `items` without HEAVY_COLUMNS, plus pre-coded periods (`analytics.aggregate.with_periods`)
    light: pd.DataFrame = field(default_factory=pd.DataFrame)
    weeks: list[str] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)  # multi filter name -> its options, in order
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # multi filter name -> {value: URL code}
    sector_order: list[str] = field(default_factory=list)
    sector_colors: dict[str, str] = field(default_factory=dict)
    sector_names_en: dict[str, str] = field(default_factory=dict)
    doc_type_names_en: dict[str, str] = field(default_factory=dict)
    central_issuers: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> {vi, en} name
    profile: Profile | None = None  # the province whose digests these are
    places: pd.DataFrame = field(default_factory=pd.DataFrame)
    type_codes: tuple[str, ...] = ()  # document type codes of symbols (QĐ, KH…), to read cited symbols
    meeting_type: str = "Cuộc họp"
    unknown_type: str = "Khác"
    source_dir: str = ""
    changed_at: dt.datetime | None = None  # latest modification time of the library's files (the data date)
    texts: StoredTexts | None = None  # the long texts read from the store on demand (`loaders.store.LAZY`)

    def full_rows(self, labels: Sequence[object] | pd.Index) -> pd.DataFrame:
        """The rows of `items` with these index labels and every schema column, in the schema's order: the
        long texts read from the store when it keeps them."""
        rows = self.items.loc[labels]
        if self.texts is None:
            return rows
        texts = self.texts.take(self.items.index.get_indexer(rows.index)).set_axis(rows.index)
        joined = pd.concat([rows, texts], axis=1)
        return joined[[c for c in COLUMN_NAMES if c in joined] + [c for c in joined if c not in COLUMN_NAMES]]

    @cached_property
    def failed(self) -> list[FileReport]:
        """The files that could not be loaded (`LoadReport.failed`): one pass over every report per corpus,
        not per rerun (25,000 reports take ~0.1 s)."""
        return self.report.failed

    @cached_property
    def central_citations(self) -> pd.DataFrame:
        """The citations of central documents (`analytics.aggregate.citations`) in every item, with `at`, the
        citing row's position in `items`, and the texts coded. Parsed on first use (~40,000 cited symbols
        take ~0.3 s at 70,000 items, too much for the first render of a page that shows none), then kept."""
        cites = citations(self.items, self.type_codes, self.central_issuers)
        cites = cites[cites["central"].to_numpy(dtype=bool)]
        return cites.assign(
            at=self.items.index.get_indexer(cites["row"]),
            **{c: cites[c].astype("category") for c in ("symbol", "family", "issuer")},
        )


def app_title(language: str) -> str:
    """The browser tab's title: the profile's `app_title` in `language` (a neutral one if the profile is
    broken: the page then shows the loading error itself)."""
    try:
        titles = load_vocab().profile.app_title
    except VocabError:
        return "Chỉ đạo, điều hành"
    return titles.get(language) or next(iter(titles.values()), "")


def _hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# (path, size, mtime_ns) -> sha256 of the bytes. A plain dict, not st.cache_data: it is consulted for every
# file on every rerun, and a cache_data lookup (argument hashing + unpickling) per file costs too much at
# thousands of files. Entries are tiny; a stale entry is never hit because the fingerprint changes.
_HASHES: dict[tuple[str, int, int], str] = {}
_HASHES_LOCK = threading.Lock()
_PRIMED: set[str] = set()  # libraries whose store's hashes are in _HASHES


def _fingerprint(path: Path, mtimes: dict[str, float] | None = None) -> str:
    """Content hash of a file, recomputed only when its size or modification time changes (which goes into
    `mtimes` when given: `latest_change` need not read it again)."""
    try:
        stat = os.stat(path)
    except OSError:
        return f"missing:{path}"  # loaders.load reports it; the key just has to differ
    name = str(path)  # (the key of both caches: hashing a Path costs more than the stat)
    if mtimes is not None:
        mtimes[name] = stat.st_mtime
    cheap = (name, stat.st_size, stat.st_mtime_ns)
    found = _HASHES.get(cheap)
    if found is None:
        try:
            found = _hash_bytes(read_file(path))
        except OSError:  # refused (a FIFO, a device, too large) or unreadable: loading reports it
            return f"unreadable:{path}"
        with _HASHES_LOCK:
            _HASHES[cheap] = found
    return found


def corpus_key(files: list[Path], mtimes: dict[str, float] | None = None) -> str:
    """One key for a set of files' contents, the parser version and the vocabularies (the files' modification
    times go into `mtimes` when given)."""
    from loaders.pipeline import PARSER_VERSION

    parts = [f"parser:{PARSER_VERSION}"] + [f"vocab:{p}:{_fingerprint(p)}" for p in vocab_files()]
    parts += sorted(_fingerprint(p, mtimes) for p in files)
    return _hash_bytes("\n".join(parts).encode())


def _places(vocab: Vocab) -> pd.DataFrame:
    """Labels as written in the `districts` column -> district and coordinates (the profile's divisions)."""
    coords = {d.name: (d.lat, d.lon) for d in vocab.districts}
    rows = [(d.label, d.name, d.lat, d.lon) for d in vocab.districts]
    # A label of both eras ("phường Đông Kinh") keeps its pre-2025 district: that one is exact.
    rows += [(c.label, c.district, *coords.get(c.district, (None, None))) for c in vocab.former_communes]
    rows += [(c.label, c.district, *coords.get(c.district, (None, None))) for c in vocab.communes]
    return pd.DataFrame(rows, columns=["label", "district", "lat", "lon"])


def _value_counts(spec: FilterSpec, items: pd.DataFrame) -> dict[str, int]:
    """How often each value of a filter's column occurs (every element of a list column)."""
    column = items[spec.column]
    if spec.on_list:  # the flattened lists counted on codes (a Counter of 350,000 lists took ~0.3 s)
        lists = column.tolist()
        flat = np.fromiter(chain.from_iterable(lists), dtype=object, count=sum(map(len, lists)))
        codes, uniques = pd.factorize(flat)
        counts: Counter[str] = Counter()
        for value, n in zip(uniques, np.bincount(codes, minlength=len(uniques)).tolist(), strict=True):
            counts[str(value)] += n
        return dict(counts)
    if isinstance(column.dtype, pd.CategoricalDtype):  # counted on the codes
        counts = np.bincount(column.array.codes[column.array.codes >= 0], minlength=len(column.cat.categories))
        return {str(v): int(n) for v, n in zip(column.cat.categories, counts, strict=True) if n}
    return {str(v): int(n) for v, n in column.value_counts().items()}


def _options(spec: FilterSpec, items: pd.DataFrame, vocab_order: list[str]) -> list[str]:
    """A multi filter's options: the values present, in the order its spec names."""
    counts = _value_counts(spec, items)
    present = set(counts) - {""}
    if spec.options == "vocab":
        return [v for v in vocab_order if v in present] + sorted(present - set(vocab_order))
    if spec.options == "frequency":
        return sorted(present, key=lambda v: (-counts[v], v))
    return sorted(present)


def latest_change(files: list[Path], mtimes: dict[str, float] | None = None) -> dt.datetime | None:
    """When the newest of `files` was last modified (local time), or None when there is none; `mtimes`, the
    modification times already read by path (`corpus_key`)."""
    stamps = []
    for path in files:
        if mtimes and (known := mtimes.get(str(path))) is not None:
            stamps.append(known)
            continue
        with contextlib.suppress(OSError):
            stamps.append(os.stat(path).st_mtime)
    return dt.datetime.fromtimestamp(max(stamps)).astimezone() if stamps else None


def build_corpus(
    items: pd.DataFrame,
    report: LoadReport,
    key: str,
    source_dir: str = "",
    changed_at: dt.datetime | None = None,
) -> Corpus:
    """Everything derived once per corpus: the search column, filter options, sector order and colours."""
    vocab = load_vocab()
    sectors = [*(s for s in vocab.sectors if s.id != vocab.unclassified.id), vocab.unclassified]
    order = [s.name_vi for s in sectors]
    if not has_keys(items):  # the library's store has them; a bare frame (tests) gets them here
        items = add_search_key(items)
    coded = as_coded(items)
    share_indexes(items, coded)  # the stored search and phrase indexes belong to these rows, now coded
    items = coded
    # Codes that stand for values in URLs, by the vocabulary a spec names (else slugs of the values).
    vocab_codes = {
        "sectors": {s.name_vi: s.id for s in sectors},
        "doc_types": {name: code for code, name in reversed(vocab.type_names.items())},
    }
    options = {spec.name: _options(spec, items, order) for spec in MULTI}
    codes = {spec.name: value_codes(options[spec.name], vocab_codes.get(spec.codes)) for spec in MULTI}
    return Corpus(
        items=items,
        report=report,
        key=key,
        light=with_periods(items.drop(columns=[c for c in HEAVY_COLUMNS if c in items])),
        weeks=list(items["week"].cat.categories),  # the weeks present, sorted (`as_coded`)
        options=options,
        codes=codes,
        sector_order=order,
        sector_colors={s.name_vi: s.color for s in sectors},
        sector_names_en={s.name_vi: s.name_en for s in sectors},
        doc_type_names_en=dict(vocab.type_names_en),
        central_issuers=dict(vocab.central_issuers),
        profile=vocab.profile,
        places=_places(vocab),
        type_codes=tuple(vocab.type_names),
        meeting_type=vocab.meeting_type,
        unknown_type=vocab.unknown_type,
        source_dir=source_dir,
        changed_at=changed_at,
        texts=index_of(items, StoredTexts),
    )


@st.cache_resource(max_entries=MAX_CORPORA, show_spinner=False)
def _parse(key: str, root: str, _files: list[Path] | None = None, _mtimes: dict[str, float] | None = None) -> Corpus:
    """Load the library at `root`; `key` stands for its files' contents (see `corpus_key`). `_files`, its
    digest files when the caller has just listed them, and `_mtimes` their modification times as read then
    (neither is part of the cache key).

    The library keeps the built corpus on disk (`loaders.store`), so a server restart reads one Parquet
    file and parses only changed files.
    """
    from loaders.library import Library

    finish_reading()  # an earlier corpus' search texts: read before another is built
    if gc.get_freeze_count():  # corpora built before go back to the cyclic collector, garbage among them
        gc.unfreeze()  # collected, before this one is built (see the freeze below)
        gc.collect()
    library = Library(root)
    files = library.files() if _files is None else _files
    # Nothing built here is garbage: the collector would only rescan the growing corpus (`gc_paused`).
    with st.spinner(t("common.loading")), gc_paused():
        items, report = library.load_items(files=files, lazy=True)
        corpus = build_corpus(items, report, key, str(library.digests_dir), latest_change(files, _mtimes))
    # Everything alive now (the corpus' millions of lists, the modules) leaves the cyclic collector's sight:
    # a full collection scanned them all, 0.4 s at 350,000 items, in the middle of some reruns. Reference
    # counting still frees a dropped corpus; cycles wait for the next build's collection.
    gc.freeze()
    return corpus


_READING: dict[str, threading.Thread] = {}  # corpus key -> the thread reading its search texts
_READING_LOCK = threading.Lock()


def read_ahead(corpus: Corpus) -> None:
    """Read what a restart left in the store in the background, once per corpus: the search texts
    (`loaders.search.keys_of`, ~0.4 s at 70,000 items, 2.5 s at 350,000) and the phrase index with its
    by-row layout (`PhraseIndex.by_row`, ~0.3 s at 350,000). Called once a page is drawn, so that neither
    the first render nor the first search or Từ khóa page waits for them."""
    with _READING_LOCK:
        if corpus.key in _READING:
            return
        # Not a daemon: Python waits for it at exit (a daemon thread still inside Arrow while the interpreter
        # shuts down can crash the process).
        reading = _READING[corpus.key] = threading.Thread(target=_read, args=(corpus.items,), daemon=False)
    reading.start()


def _read(items: pd.DataFrame) -> None:
    keys_of(items)
    phrases = index_of(items, PhraseIndex)
    if phrases is not None:
        phrases.by_row  # noqa: B018 (made and kept by the index)


def finish_reading() -> None:
    """Wait for every background read `read_ahead` started, and forget them."""
    with _READING_LOCK:
        readings = [_READING.pop(k) for k in list(_READING)]
    for reading in readings:
        reading.join()


def as_of(corpus: Corpus) -> str:
    """ "Data up to week …, updated …": the latest week in the library and when its files last changed."""
    items = corpus.items
    if items.empty:
        return ""
    week, _, end = latest_week(items)
    updated = f"{corpus.changed_at:%H:%M %d/%m/%Y}" if corpus.changed_at else "?"
    return t("common.data_as_of", week=week, end=f"{end:%d/%m/%Y}", updated=updated)


# Listing a library of thousands of files costs ~0.2 s, too much for every rerun. The listing (and so the
# corpus key) is re-done when the digests folder's own mtime changes (adding, removing or renaming a file,
# which is how the library writes) or at the latest every RELIST_SECONDS (an in-place edit of a file).
RELIST_SECONDS = 30.0
_KEYS: dict[str, tuple[tuple[int, ...], float, str]] = {}


def _folder_stamp(library: object) -> tuple[int, ...]:
    stamps = []
    # The library's root too: sources.json (the fetched pages' URLs) is replaced there.
    for folder in (library.digests_dir, PROFILE_DIR, NATIONAL_VOCAB_DIR, library.root):  # type: ignore[attr-defined]
        try:
            stamps.append(folder.stat().st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)


def get_corpus(root: Path | None = None) -> Corpus:
    """The corpus of the library folder ($DASHBOARD_DATA_DIR or data/), parsed once per distinct content."""
    from loaders.library import Library

    library = Library(root or data_dir())
    stamp, now = _folder_stamp(library), time.monotonic()
    known = _KEYS.get(str(library.root))
    # A restart lists thousands of files before the corpus is built and frozen (`_parse`): the process' first
    # full collection would fall in the middle, scanning every object the imports made (~0.2 s).
    with gc_paused():
        if known is None and str(library.root) not in _PRIMED:
            # A restart: the store knows the hashes of the files it was built from (same size and mtime).
            with _HASHES_LOCK:
                _HASHES.update(library.stored_hashes())
                _PRIMED.add(str(library.root))
        files, mtimes = None, {}
        if known is None or known[0] != stamp or now - known[1] > RELIST_SECONDS:
            files = library.files()
            key = corpus_key([*files, library.sources_path], mtimes)
            _KEYS[str(library.root)] = (stamp, now, key)
        else:
            key = known[2]
        return _parse(key, str(library.root), files, mtimes)


def invalidate(root: Path | None = None) -> None:
    """Make the next `get_corpus` relist the library (call after adding, removing or restoring a digest).

    The folder's mtime already changes on every library write, but two writes within the file system's
    timestamp granularity would look alike; this makes "shown on every page at once" not depend on it.
    """
    from loaders.library import Library

    _KEYS.pop(str(Library(root or data_dir()).root), None)


def source_text(corpus: Corpus, digest_id: str) -> str:
    """The whole text of the digest file an item came from, read from the library (LibraryError when the
    file is gone or unreadable)."""
    from loaders.library import Library, LibraryError

    path = next((f.path for f in corpus.report.files if f.digest_id == digest_id), None)
    if path is None:
        raise LibraryError(f"digest {digest_id}: no file of the library holds it")
    return Library(Path(corpus.source_dir).parent).source_text(path)
