"""The items store: the built corpus as one Parquet file beside the raw digests.

`<library>/.cache/store/items.parquet` holds every column of the items schema plus the folded search
text (`loaders.search.SEARCH_KEY`); its Parquet metadata holds the manifest: the corpus key and, for each
digest file, its size, modification time, content hash, parse-cache key, whether its rows are in the
table, and its report. A restart reads this file instead of decoding the parse cache, building the frame,
folding the search text and validating it all again: what the app itself wrote is checked once, on the
Arrow schema, not row by row.

One file replaced atomically (temporary file, fsync, rename: `loaders.atomic`) by a writer holding the
library's lock, so a crash or a concurrent add leaves the old store or the new one, never a mix. The raw
files stay the source of truth: a missing, corrupt or stale store is rebuilt by `Library.load`, which
re-parses only the files the manifest does not describe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from loaders import atomic, parse_cache
from loaders.phrases import PhraseIndex
from loaders.report import FileReport
from loaders.schema import COLUMN_NAMES, COLUMNS, empty_items
from loaders.search import SEARCH_KEY, SearchIndex

#: Bump when the table or the manifest changes shape: older stores are rebuilt.
FORMAT = "2"
FILE_NAME = "items.parquet"
#: The search index of the corpus with key K is `index-K.parquet` (`loaders.search.SearchIndex`).
INDEX_PREFIX = "index-"
#: Its phrase index is `phrases-K.parquet` (`loaders.phrases.PhraseIndex`).
PHRASES_PREFIX = "phrases-"
_META_KEY = b"digest_items_store"
#: The files table alone (path, size, mtime_ns, sha256), decoded without the reports (see `file_hashes`).
_FILES_KEY = b"digest_items_files"

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
    """The manifest of the store in `folder` (reads only the file's footer), or None when missing or unusable."""
    try:
        schema = _footer(folder).schema.to_arrow_schema()
        meta = parse_cache.loads((schema.metadata or {})[_META_KEY])
        if meta["format"] != FORMAT or not schema.equals(SCHEMA, check_metadata=False):
            return None
        files = tuple(StoredFile(**f) for f in meta["files"])
        return Manifest(meta["key"], files)
    except (OSError, ValueError, TypeError, KeyError, pa.ArrowException):
        return None


def _footer(folder: Path) -> pq.FileMetaData:
    """The store file's Parquet footer, parsed once per version of the file (it holds the manifest, tens of
    MB on a national corpus, and a load reads it three times)."""
    file = path(folder)
    stat = file.stat()
    return _footer_of(str(file), stat.st_size, stat.st_mtime_ns, stat.st_ino)


@lru_cache(maxsize=2)
def _footer_of(file: str, size: int, mtime_ns: int, inode: int) -> pq.FileMetaData:
    return pq.read_metadata(file)


def file_hashes(folder: Path) -> list[tuple[str, int, int, str]]:
    """(path inside digests/, size, mtime_ns, sha256) of every file the store in `folder` was built from,
    read from the file's footer without decoding the reports; empty when there is no usable store."""
    try:
        raw = (_footer(folder).schema.to_arrow_schema().metadata or {})[_FILES_KEY]
        return [(str(p), int(size), int(mtime), str(sha)) for p, size, mtime, sha in parse_cache.loads(raw)]
    except (OSError, ValueError, TypeError, KeyError, pa.ArrowException):
        return []


def read_items(folder: Path, key: str) -> pd.DataFrame | None:
    """The stored items (schema columns plus SEARCH_KEY) when the store in `folder` has corpus `key`, else None.

    No per-row validation: the schema is checked on the Arrow schema (it is what this module wrote).
    """
    try:
        stored = pq.ParquetFile(path(folder), metadata=_footer(folder))
        schema = stored.schema_arrow
        meta = parse_cache.loads((schema.metadata or {})[_META_KEY])
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None
    if meta.get("key") != key or meta.get("format") != FORMAT or not schema.equals(SCHEMA, check_metadata=False):
        return None
    try:
        return _read_frame(stored)
    except (OSError, ValueError, pa.ArrowException):
        return None


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
    table = table.replace_schema_metadata({_META_KEY: parse_cache.dumps(meta), _FILES_KEY: parse_cache.dumps(hashes)})
    folder.mkdir(parents=True, exist_ok=True)
    if index is not None:  # first: a store whose key names an index finds it complete
        _write_table(index_path(folder, manifest.key), _index_table(index))
    if phrases is not None:
        write_phrases(folder, manifest.key, phrases)
    _write_table(path(folder), table)
    current = {index_path(folder, manifest.key).name, phrases_path(folder, manifest.key).name}
    for prefix in (INDEX_PREFIX, PHRASES_PREFIX):
        for old in folder.glob(f"{prefix}*.parquet"):
            if old.name not in current:
                old.unlink(missing_ok=True)


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


def _read_frame(stored: pq.ParquetFile) -> pd.DataFrame:
    """The items frame of a store file: schema dtypes, Python lists in list columns, plain-string SEARCH_KEY.

    Column by column, each one's Arrow memory released once converted: a restart at 350,000 items never
    holds the decoded table and the frame whole at once.
    """
    if not stored.metadata.num_rows:
        return empty_items().assign(**{SEARCH_KEY: pd.Series([], dtype=object)})
    # Object dtype on purpose for the search text (see `loaders.search.search_keys`): its Python strings are
    # made a row group at a time, never next to the whole decoded column.
    parts = []
    for batch in stored.iter_batches(columns=[SEARCH_KEY], batch_size=ROW_GROUP):
        parts.append(_objects(batch.column(0)))
        del batch
        pa.default_memory_pool().release_unused()  # the allocator would keep every decoded group otherwise
    converted: dict[str, object] = {SEARCH_KEY: np.concatenate(parts)}
    for name in _LISTS:
        converted[name] = _lists(stored.read(columns=[name]).column(0))
    rest = [name for name in COLUMN_NAMES if name not in converted]
    frame = stored.read(columns=rest).to_pandas(self_destruct=True, split_blocks=True)
    for name, values in converted.items():
        frame[name] = pd.Series(values, index=frame.index, dtype=object) if name == SEARCH_KEY else values
    return frame[[*COLUMN_NAMES, SEARCH_KEY]]


def _objects(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A string column as an object array of Python strings (built in C++)."""
    return column.to_numpy(zero_copy_only=False)


def _lists(column: pa.ChunkedArray) -> list[list]:
    """A list column as Python lists, without a Python call per value (one list slice per row).

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
        starts = (offsets[:-1] - offsets[0]).tolist()
        ends = (offsets[1:] - offsets[0]).tolist()
        out.extend(values[a:b] for a, b in zip(starts, ends, strict=True))
    return out
