"""The items store: the built corpus as one Parquet file beside the raw digests.

`<library>/.cache/store/items.parquet` holds every column of the items schema plus the folded search
text (`loaders.search.SEARCH_KEY`); its Parquet metadata names the corpus key K. Beside it, files named
with K: the manifest (`manifest-K.json`: for each digest file its size, modification time, content hash,
parse-cache key, whether its rows are in the table, and its report), the files' hashes alone
(`files-K.json`), the search and phrase indexes and the bodies (`body-K.bin`, read a row at a time). A
restart reads these instead of decoding the parse cache, building the frame, folding the search text and
validating it all again: what the app itself wrote is checked once, on the Arrow schema, not row by row.

The side files are written first and the table last, each atomically (temporary file, fsync, rename:
`loaders.atomic`), by a writer holding the library's lock, so a crash or a concurrent add leaves the old
store or the new one, never a mix. The raw
files stay the source of truth: a missing, corrupt or stale store is rebuilt by `Library.load`, which
re-parses only the files the manifest does not describe.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from loaders import atomic, parse_cache
from loaders.phrases import PhraseIndex
from loaders.report import FileReport
from loaders.schema import CODED, COLUMN_NAMES, COLUMNS, as_coded, empty_items
from loaders.search import SEARCH_KEY, Deferred, SearchIndex, attach_index, search_keys

#: Bump when the table or the manifest changes shape: older stores are rebuilt.
FORMAT = "4"
FILE_NAME = "items.parquet"
#: The search index of the corpus with key K is `index-K.parquet` (`loaders.search.SearchIndex`).
INDEX_PREFIX = "index-"
#: Its phrase index is `phrases-K.parquet` (`loaders.phrases.PhraseIndex`).
PHRASES_PREFIX = "phrases-"
#: "FORMAT:corpus key" in the table's footer: all a reader checks before reading the table.
_KEY_KEY = b"digest_items_key"
#: The manifest of the corpus with key K is `manifest-K.json`; the files table alone (path, size, mtime_ns,
#: sha256: what a restart needs to key the corpus without decoding the reports) `files-K.json`. Kept out of
#: the Parquet footer, where at 25,000 digests they were 66 MB parsed on every open.
MANIFEST_PREFIX = "manifest-"
FILES_PREFIX = "files-"

_ARROW_TYPES = {
    "str": pa.large_string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "date": pa.timestamp("ns"),
    "list[str]": pa.list_(pa.string()),
    "list[date]": pa.list_(pa.date32()),
}
#: The stored table's columns and types; a file with another schema is not read (it is rebuilt).
SCHEMA = pa.schema(
    [pa.field(c.name, _ARROW_TYPES[c.kind]) for c in COLUMNS] + [pa.field(SEARCH_KEY, pa.large_string())]
)
_LISTS = tuple(c.name for c in COLUMNS if c.kind.startswith("list"))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many containers at once: it would scan every
    tracked object again and again as they pile up (3x the time of making the list columns at a restart).
    They hold no cycles; the collector runs as usual afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass(frozen=True)
class StoredFile:
    """What the store knows about one digest file."""

    path: str  # inside digests/, "/"-separated
    size: int
    mtime_ns: int
    sha256: str
    parse_key: str  # `parse_cache.key` of the file: covers its bytes, name, parser and vocabularies
    stored: bool  # its rows are in the table (False: failed, empty, or a copy of an earlier digest)
    report: dict  # `parse_cache.report_to_json` of its report as parsed (before duplicates are marked)


@dataclass(frozen=True)
class Manifest:
    """The corpus key and the files the stored table was built from, in load order."""

    key: str
    files: tuple[StoredFile, ...]

    def report(self, i: int) -> FileReport:
        """A fresh FileReport of file `i` as parsed."""
        return parse_cache.report_from_json(self.files[i].report)


def corpus_key(files: Iterable[tuple[str, str]]) -> str:
    """The key of a corpus from its (path inside digests/, parse key) pairs in load order."""
    h = hashlib.sha256(f"store:{FORMAT}".encode())
    for path, key in files:
        h.update(f"\0{path}\0{key}".encode())
    return h.hexdigest()


def path(folder: Path) -> Path:
    """The store file in `folder`."""
    return folder / FILE_NAME


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of the store in `folder`, or None when missing or unusable."""
    key = stored_key(folder)
    try:
        meta = parse_cache.loads(_side_path(folder, MANIFEST_PREFIX, key).read_bytes()) if key else None
        if not meta or meta["format"] != FORMAT or meta["key"] != key:
            return None
        files = tuple(StoredFile(**f) for f in meta["files"])
        return Manifest(meta["key"], files)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def stored_key(folder: Path) -> str:
    """The corpus key of the store in `folder` ("" without a usable store of this FORMAT and SCHEMA)."""
    try:
        return _key_of(_footer(folder).schema.to_arrow_schema())
    except (OSError, ValueError, pa.ArrowException):
        return ""


def _key_of(schema: pa.Schema) -> str:
    """The corpus key a stored table's schema names, "" when it is of another FORMAT or SCHEMA."""
    version, _, key = (schema.metadata or {}).get(_KEY_KEY, b"").decode(errors="replace").partition(":")
    return key if version == FORMAT and schema.equals(SCHEMA, check_metadata=False) else ""


def _side_path(folder: Path, prefix: str, key: str) -> Path:
    return folder / f"{prefix}{key}.json"


def _footer(folder: Path) -> pq.FileMetaData:
    """The store file's Parquet footer, parsed once per version of the file (a load reads it three times)."""
    return _open(folder)[1]


def _open(folder: Path) -> tuple[pa.NativeFile, pq.FileMetaData]:
    """An open handle on the store file and its footer: both of the same version of the file."""
    handle = pa.OSFile(str(path(folder)))
    stat = os.fstat(handle.fileno())
    version = (str(path(folder)), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    with _FOOTERS_LOCK:
        found = _FOOTERS.pop(version, None)
    if found is None:
        found = pq.read_metadata(handle)
    with _FOOTERS_LOCK:
        _FOOTERS[version] = found
        while len(_FOOTERS) > 2:
            _FOOTERS.popitem(last=False)
    return handle, found


_FOOTERS: OrderedDict[tuple[str, int, int, int], pq.FileMetaData] = OrderedDict()
_FOOTERS_LOCK = threading.Lock()


def file_hashes(folder: Path) -> list[tuple[str, int, int, str]]:
    """(path inside digests/, size, mtime_ns, sha256) of every file the store in `folder` was built from,
    read without decoding the reports; empty when there is no usable store."""
    key = stored_key(folder)
    try:
        raw = _side_path(folder, FILES_PREFIX, key).read_bytes() if key else b"[]"
        return [(str(p), int(size), int(mtime), str(sha)) for p, size, mtime, sha in parse_cache.loads(raw)]
    except (OSError, ValueError, TypeError):
        return []


def read_items(folder: Path, key: str, lazy: bool = False) -> pd.DataFrame | None:
    """The stored items (schema columns plus SEARCH_KEY) when the store in `folder` has corpus `key`, else None.

    No per-row validation: the schema is checked on the Arrow schema (it is what this module wrote).
    `lazy` (the dashboard's read): the CODED columns as `schema.as_coded` makes them; when the LAZY column's
    `StoredTexts` file is there, leave out that column and attach the file instead
    (`loaders.search.index_of`), and leave out SEARCH_KEY too, read on first use (`loaders.search.keys_of`;
    the dashboard reads it in the background once its first page is drawn): decoding it was a third of a
    restart.
    """
    stored = _open_table(folder, key, coded=lazy)
    if stored is None:
        return None
    texts = open_texts(folder, key) if lazy else None
    if texts is not None and len(texts) != stored.metadata.num_rows:
        texts = None
    try:
        with gc_paused():
            frame = _read_frame(stored, skip=(LAZY, SEARCH_KEY) if texts is not None else (), coded=lazy)
    except (OSError, ValueError, pa.ArrowException):
        return None
    if texts is not None:
        attach_index(frame, texts)
        # The search texts are read on first use, from this handle: the version these rows are of.
        attach_index(frame, Deferred(np.ndarray, lambda rows: _deferred_keys(stored, rows, texts)), SEARCH_KEY)
    return frame


def _deferred_keys(stored: pq.ParquetFile, rows: pd.DataFrame, texts: StoredTexts) -> np.ndarray:
    try:
        return _search_keys(stored)
    except (OSError, pa.ArrowException):  # the file unreadable since: fold the rows again, bodies and all
        return search_keys(rows.assign(**{LAZY: texts.take(np.arange(len(rows)))[LAZY].to_numpy()})).to_numpy()


def read_documents(folder: Path, key: str) -> dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]:
    """Per digest id of the stored corpus `key`, its items' headlines and (symbol, ISO date) documents, in
    item order (what the library's list shows and compares); empty when the store holds another corpus."""
    stored = _open_table(folder, key)
    if stored is None:
        return {}
    out: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}
    try:  # a row group at a time: never the whole decoded columns next to their Python copies
        for batch in stored.iter_batches(columns=["digest_id", "headline", "doc_symbol", "doc_date"]):
            dates = pc.fill_null(pc.strftime(batch.column(3), format="%Y-%m-%d"), "").to_pylist()
            ids, headlines, symbols = (batch.column(i).to_pylist() for i in range(3))
            for digest, headline, symbol, date in zip(ids, headlines, symbols, dates, strict=True):
                found = out.setdefault(digest, ([], []))
                found[0].append(headline)
                found[1].append((symbol, date))
    except (OSError, pa.ArrowException):
        return {}
    return {d: (tuple(h), tuple(docs)) for d, (h, docs) in out.items()}


def texts_path(folder: Path, key: str) -> Path:
    """The file of the LAZY column of the corpus `key` in `folder` (`StoredTexts`)."""
    return folder / f"{TEXTS_PREFIX}{key}.bin"


def open_texts(folder: Path, key: str) -> StoredTexts | None:
    """The LAZY column of the corpus `key`, read on demand; None when its file is missing or damaged (or
    the system has no `os.pread`: then the bodies stay in memory)."""
    if not hasattr(os, "pread"):
        return None
    try:
        return StoredTexts(texts_path(folder, key))
    except (OSError, ValueError):
        return None


def _open_table(folder: Path, key: str, coded: bool = False) -> pq.ParquetFile | None:
    """The store file opened, when it holds corpus `key` in this FORMAT and SCHEMA; else None. `coded`: the
    CODED columns read as dictionaries (pandas categoricals)."""
    try:
        handle, footer = _open(folder)
        stored = pq.ParquetFile(handle, metadata=footer, read_dictionary=CODED if coded else None)
        schema = footer.schema.to_arrow_schema()  # as written (schema_arrow has the dictionaries)
    except (OSError, ValueError, pa.ArrowException):
        return None
    return stored if _key_of(schema) == key else None


def write(
    folder: Path,
    items: pd.DataFrame,
    manifest: Manifest,
    index: SearchIndex | None = None,
    phrases: PhraseIndex | None = None,
) -> None:
    """Replace the store in `folder` with `items` (schema columns plus SEARCH_KEY), `manifest`, the
    search `index` and the `phrases` of `items`, atomically.

    The caller holds the library's writer lock. Raises OSError when the disk refuses.
    """
    meta = {"format": FORMAT, "key": manifest.key, "files": [f.__dict__ for f in manifest.files]}
    if items.empty:  # (the list columns of an empty frame have no list dtype to convert from)
        table = SCHEMA.empty_table()
    else:
        table = pa.Table.from_pandas(items[[*COLUMN_NAMES, SEARCH_KEY]], schema=SCHEMA, preserve_index=False)
    hashes = [[f.path, f.size, f.mtime_ns, f.sha256] for f in manifest.files]
    table = table.replace_schema_metadata({_KEY_KEY: f"{FORMAT}:{manifest.key}".encode()})
    folder.mkdir(parents=True, exist_ok=True)
    # The table last: a store whose key names its side files finds them complete.
    atomic.write_atomic(_side_path(folder, MANIFEST_PREFIX, manifest.key), parse_cache.dumps(meta))
    atomic.write_atomic(_side_path(folder, FILES_PREFIX, manifest.key), parse_cache.dumps(hashes))
    if index is not None:  # first: a store whose key names an index finds it complete
        _write_table(index_path(folder, manifest.key), _index_table(index))
    if len(table):
        _write_texts(texts_path(folder, manifest.key), table.column(LAZY).combine_chunks())
    if phrases is not None:
        write_phrases(folder, manifest.key, phrases)
    _write_table(path(folder), table)
    current = {p(folder, manifest.key).name for p in (index_path, phrases_path, texts_path)}
    current |= {_side_path(folder, prefix, manifest.key).name for prefix in (MANIFEST_PREFIX, FILES_PREFIX)}
    for prefix in (INDEX_PREFIX, PHRASES_PREFIX, TEXTS_PREFIX, MANIFEST_PREFIX, FILES_PREFIX):
        for old in folder.glob(f"{prefix}*"):
            if old.name not in current:
                old.unlink(missing_ok=True)  # (a corpus still reading it keeps its open handle)


#: Rows per Parquet row group: a restart converts the search text one group at a time (see `_read_frame`).
ROW_GROUP = 65_536


def _write_table(target: Path, table: pa.Table) -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=ROW_GROUP)
    atomic.write_atomic(target, memoryview(sink.getvalue()))


def index_path(folder: Path, key: str) -> Path:
    """The search index file of the corpus `key` in `folder`."""
    return folder / f"{INDEX_PREFIX}{key}.parquet"


def _index_table(index: SearchIndex) -> pa.Table:
    # One row per syllable: its postings, or null when it is too common to be indexed.
    words = sorted(index.words, key=index.words.__getitem__)
    postings = pa.ListArray.from_arrays(
        pa.array(index.bounds.astype(np.int32)), pa.array(index.rows), mask=pa.array(~index.indexed)
    )
    # The frequent syllables' row bitmaps (null for the others); the row count in the schema's metadata.
    bitmaps = pa.array(
        [index.common[w].tobytes() if w in index.common else None for w in range(len(words))], pa.binary()
    )
    table = pa.table({"word": pa.array(words, type=pa.string()), "rows": postings, "bits": bitmaps})
    return table.replace_schema_metadata({b"rows": str(index.n_rows).encode()})


def read_index(folder: Path, key: str) -> SearchIndex | None:
    """The stored search index of the corpus `key`, or None when missing or unreadable."""
    try:
        table = pq.read_table(index_path(folder, key))
        postings = table.column("rows").combine_chunks()
        words = table.column("word").to_pylist()
        bounds = postings.offsets.to_numpy().astype(np.int64)
        rows = postings.values.to_numpy().astype(np.int32, copy=False)
        indexed = ~postings.is_null().to_numpy(zero_copy_only=False)
        n_rows = int((table.schema.metadata or {})[b"rows"])
        bits = table.column("bits").to_pylist()
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None
    if len(words) != len(indexed) or len(bounds) != len(words) + 1:
        return None
    common = {w: np.frombuffer(b, dtype=np.uint8) for w, b in enumerate(bits) if b is not None}
    return SearchIndex(dict(zip(words, range(len(words)), strict=True)), indexed, bounds, rows, common, n_rows)


def phrases_path(folder: Path, key: str) -> Path:
    """The phrase index file of the corpus `key` in `folder`."""
    return folder / f"{PHRASES_PREFIX}{key}.parquet"


def write_phrases(folder: Path, key: str, phrases: PhraseIndex) -> None:
    """Write the phrase index of the corpus `key` (atomically; the caller holds the library's lock)."""
    _write_table(phrases_path(folder, key), phrases.to_table())


def read_phrases(folder: Path, key: str, stops: str) -> PhraseIndex | None:
    """The stored phrase index of the corpus `key` built with the stop list `stops`
    (`loaders.phrases.stops_key`), or None when missing, unreadable or built with another list."""
    try:
        found = PhraseIndex.from_table(pq.read_table(phrases_path(folder, key)))
    except (OSError, pa.ArrowException):
        return None
    return found if found is not None and found.stops == stops else None


def _read_frame(stored: pq.ParquetFile, skip: Sequence[str] = (), coded: bool = False) -> pd.DataFrame:
    """The items frame of a store file: schema dtypes, Python lists in list columns, plain-string SEARCH_KEY;
    without the columns in `skip`; `coded`: the CODED columns as `schema.as_coded` makes them (the file
    opened with them as dictionaries: `_open_table`).

    Column by column, each one's Arrow memory released once converted: a restart at 350,000 items never
    holds the decoded table and the frame whole at once.
    """
    names = [name for name in [*COLUMN_NAMES, SEARCH_KEY] if name not in skip]
    if not stored.metadata.num_rows:
        empty = empty_items().assign(**{SEARCH_KEY: pd.Series([], dtype=object)})[names]
        return as_coded(empty) if coded else empty
    converted: dict[str, object] = {SEARCH_KEY: _search_keys(stored)} if SEARCH_KEY in names else {}
    for name in _LISTS:
        converted[name] = _lists(stored.read(columns=[name]).column(0))
    for name in CODED if coded else ():
        converted[name] = _categorical(stored.read(columns=[name]).column(0))
    rest = [name for name in names if name not in converted]
    frame = stored.read(columns=rest).to_pandas(self_destruct=True, split_blocks=True)
    for name, values in converted.items():
        frame[name] = pd.Series(values, index=frame.index, dtype=object) if name == SEARCH_KEY else values
    return frame[names]


def _search_keys(stored: pq.ParquetFile) -> np.ndarray:
    """The SEARCH_KEY column of a store file as Python strings (object dtype on purpose: see
    `loaders.search.search_keys`), made a row group at a time, never next to the whole decoded column."""
    parts = [np.empty(0, dtype=object)]
    for batch in stored.iter_batches(columns=[SEARCH_KEY], batch_size=ROW_GROUP):
        parts.append(_objects(batch.column(0)))
        del batch
        pa.default_memory_pool().release_unused()  # the allocator would keep every decoded group otherwise
    return np.concatenate(parts)


def _categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary-encoded string column (no nulls) as an ordered categorical of the values present, sorted
    as strings: what `schema.as_coded` makes of the same strings, without making a Python string per row."""
    if column.num_chunks > 1:
        column = column.unify_dictionaries()
    dictionary = column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
    indices = np.concatenate([np.empty(0, np.int32), *(c.indices.to_numpy() for c in column.chunks)])
    order = pc.array_sort_indices(dictionary).to_numpy()  # UTF-8 byte order: code point order
    order = order[(np.bincount(indices, minlength=len(dictionary)) > 0)[order]]
    recode = np.empty(len(dictionary), dtype=np.int32)
    recode[order] = np.arange(len(order), dtype=np.int32)
    categories = pd.Index(dictionary.take(pa.array(order)).to_pandas())
    return pd.Categorical.from_codes(recode[indices], dtype=pd.CategoricalDtype(categories, ordered=True))


def _objects(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A string column as an object array of Python strings (built in C++)."""
    return column.to_numpy(zero_copy_only=False)


def _lists(column: pa.ChunkedArray) -> list[list]:
    """A list column as Python lists, without a Python call per value (one C-level list slice per row).

    Each distinct value (an agency, a district, a date) becomes one Python object shared by every list
    holding it: converting thousands of distinct values instead of every occurrence is several times faster
    on a restart, and the frame holds each string once.
    """
    out: list[list] = []
    for chunk in column.chunks:
        offsets = chunk.offsets.to_numpy()
        encoded = pc.dictionary_encode(chunk.flatten())
        # Dates come back as datetime.date (numpy datetime64[D] -> tolist), strings as str.
        distinct = np.array(encoded.dictionary.to_numpy(zero_copy_only=False).tolist(), dtype=object)
        values = distinct[encoded.indices.to_numpy(zero_copy_only=False)].tolist()
        bounds = (offsets - offsets[0]).tolist()
        out.extend(map(values.__getitem__, map(slice, bounds[:-1], bounds[1:])))
    return out


#: The long text column a lazy read leaves on disk (`read_items(lazy=True)`): the bodies are most of a
#: corpus' memory (1.1 GB of 2.1 at 350,000 items) and only ever shown or exported a few rows at a time.
LAZY = "body"
#: Its file for the corpus with key K is `body-K.bin` (`StoredTexts`).
TEXTS_PREFIX = f"{LAZY}-"
_TEXTS_MAGIC = b"DIGTXT1\n"


def _write_texts(target: Path, column: pa.Array) -> None:
    """The texts file of a string column: magic, the UTF-8 of every row one after the other, the n + 1
    offsets (int64, from 0), n (int64), magic. Written atomically; straight from the Arrow buffers."""
    column = column.cast(pa.large_string())
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], dtype="<i8")[column.offset : column.offset + n + 1]
    data = memoryview(column.buffers()[2] or b"")[offsets[0] : offsets[-1]]
    tail = (offsets - offsets[0]).astype("<i8").tobytes() + np.int64(n).astype("<i8").tobytes() + _TEXTS_MAGIC
    atomic.write_atomic(target, _TEXTS_MAGIC, data, tail)


class StoredTexts:
    """The LAZY column of one stored corpus, each row read from disk when asked for (one `pread` a row).

    The file stays open: when a writer replaces the store, this handle still reads the version the corpus
    was loaded from. Raises OSError when the file is missing, ValueError when it is not a texts file.
    """

    def __init__(self, file: Path) -> None:
        fd = os.open(file, os.O_RDONLY)
        self._finalizer = weakref.finalize(self, os.close, fd)
        size = os.fstat(fd).st_size
        head, magic = os.pread(fd, len(_TEXTS_MAGIC), 0), len(_TEXTS_MAGIC)
        tail = os.pread(fd, 8 + magic, max(0, size - 8 - magic))
        if size < 2 * magic + 16 or head != _TEXTS_MAGIC or tail[8:] != _TEXTS_MAGIC:
            raise ValueError(f"{file}: not a texts file")
        n = int(np.frombuffer(tail[:8], dtype="<i8")[0])
        start = size - 8 - magic - 8 * (n + 1)
        offsets = np.frombuffer(os.pread(fd, 8 * (n + 1), start), dtype="<i8") if start >= magic else np.empty(0)
        if n < 0 or len(offsets) != n + 1 or offsets[0] != 0 or offsets[-1] != start - magic:
            raise ValueError(f"{file}: damaged texts file")
        self._fd, self._offsets = fd, offsets + magic

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def take(self, positions: Sequence[int] | np.ndarray) -> pd.DataFrame:
        """The column's values at `positions` (row numbers of the stored table), in that order."""
        at = self._offsets
        values = [
            os.pread(self._fd, int(at[i + 1] - at[i]), int(at[i])).decode("utf-8")
            for i in np.asarray(positions, dtype=np.int64)
        ]
        return pd.DataFrame({LAZY: pd.Series(values, dtype=object)})
