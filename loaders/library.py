"""The library of digests: a folder whose raw files are the source of truth.

Layout of the library folder (`loaders.config.data_dir()` by default):

- `digests/`  the raw digest files as uploaded (file names sanitised). Nothing else is needed to rebuild
  everything; files starting with "." are never digests (temporary files are `.tmp-*.part`).
- `.cache/parse/`  one JSON file per digest file (`loaders.parse_cache`): its parsed rows and report, keyed
  by the file's bytes, name, `pipeline.PARSER_VERSION` and the vocabulary files. Stale or corrupt entries
  are rebuilt; deleting the folder loses nothing.
- `.cache/store/items.parquet`  the built corpus (`loaders.store`): every item with the folded search text,
  and a manifest of the files it was built from. Read on a restart instead of the parse cache; rebuilt
  incrementally when files change; deleting it loses nothing.
- `.trash/<trash_id>/`  removed or replaced digests, each with a `trash.json` sidecar saying where it came
  from and when: every removal can be undone.
- `sources.json`  provenance of fetched digests (`python -m loaders fetch`): per file in digests/, the web
  page it came from and when it was fetched (plus other pages found to carry the same digest). Written
  atomically under the lock, last in a write; a digest moved to the trash takes its source along (in its
  `trash.json`) and brings it back when restored. Uploaded files have no entry.
- `.lock`  writers (add, remove, restore) hold an exclusive lock on it (`flock`); readers never take it.
- `audit.jsonl`  the audit log (`loaders.audit`): who added, replaced, removed or restored which digest, when.
- `.journal/`  the steps of the write in progress, saved before each step is taken: when a writer dies half-way
  (e.g. between storing a replacement and trashing the digest it replaces), whoever next takes the lock (a
  writer, a load refreshing the store, `Library.recover`) finishes the steps whose first file operation
  happened, logs them, and drops the rest.

Every write goes to a temporary file in the target folder, is flushed and fsynced, then renamed into
place, and the folder is fsynced: a crash or a full disk leaves either the old or the new state, plus at
worst a temporary file that readers ignore and the next writer deletes (see `loaders.atomic`). A write that
fails half-way undoes what it already did; one killed half-way is finished by the next writer (journal).
Uploads are screened first by `loaders.uploads` (types, sizes, zips expanded in memory, safe names).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from loaders import atomic, audit, parse_cache, phrases, pipeline, search, store
from loaders.config import PROFILE_DIR, data_dir
from loaders.decoding import DecodeError
from loaders.files import ReadRefused, read_file, walk_folder
from loaders.pipeline import parse_bytes
from loaders.report import FileReport, LoadReport, Problem
from loaders.schema import as_coded, coerce_items, empty_items, validate_items
from loaders.search import SEARCH_KEY, search_keys
from loaders.textnorm import fold_words
from loaders.uploads import Refusal, count_scripts, digest_files, read_uploads, safe_name
from loaders.vocab import Vocab, VocabError, load_term_stops, load_vocab

#: Give up waiting for another writer after this many seconds.
LOCK_TIMEOUT = 60.0
#: Files to parse per worker process at least: below 2 × this, a pool costs more than it saves.
PARALLEL_MIN = 50
#: How long a load waits for the lock to write the store before leaving it for the next load.
STORE_LOCK_WAIT = 10.0

TRASH_META = "trash.json"
SOURCES_FILE = "sources.json"

# Candidate statuses.
NEW, SAME, CONFLICT, REFUSED = "new", "same", "conflict", "refused"
# Ways to resolve a conflict (same week, different items).
KEEP_STORED, REPLACE, KEEP_BOTH = "keep_stored", "replace", "keep_both"
RESOLUTIONS = (KEEP_STORED, REPLACE, KEEP_BOTH)


class LibraryError(Exception):
    """A library operation could not be done; the message says why, and nothing stored was changed."""


@dataclass(frozen=True)
class Source:
    """Where a fetched digest came from: the page's URL and when it was downloaded."""

    url: str
    fetched_at: dt.datetime | None = None


@dataclass(frozen=True)
class Entry:
    """One digest file stored in the library (or, in a conflict, a digest about to be)."""

    digest_id: str  # pipeline's id (hash of the normalised text); "" when the file cannot be read
    file_name: str  # path inside digests/, "/"-separated (usually just the file name)
    week_start: dt.date | None
    week_end: dt.date | None
    title: str
    items: int
    warnings: int
    errors: tuple[str, ...]  # why the file does not load, if it does not
    size: int
    sha256: str
    added_at: dt.datetime | None  # the file's modification time
    headlines: tuple[str, ...] = field(default=(), repr=False)
    documents: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (symbol, ISO date) per item
    truncated: bool = False  # the parse says items are missing (`pipeline.looks_truncated`)
    error_codes: tuple[str, ...] = ()  # the problem codes of `errors` (data/problems.yaml words them)

    @functools.cached_property
    def signature(self) -> tuple[tuple[str, str, str], ...]:
        """The item keys (`_item_keys`), in item order: folded when a digest of the same week is compared."""
        return tuple((s, d, fold_words(h)) for (s, d), h in zip(self.documents, self.headlines, strict=True))

    @property
    def loaded(self) -> bool:
        """True when the file contributes items."""
        return self.items > 0 and not self.errors

    @property
    def week_label(self) -> str:
        """The week as dd/mm/yyyy–dd/mm/yyyy, or '?'."""
        return _week_label(self.week_start, self.week_end)


@dataclass
class Candidate:
    """One uploaded digest file, parsed but not stored: what `add` would do with it and why."""

    name: str  # as uploaded: "x.txt", "/path/x.txt" or "batch.zip/folder/x.txt"
    data: bytes = field(repr=False)
    status: str  # NEW, SAME, CONFLICT or REFUSED
    reason: str = ""  # for people: why refused / what it duplicates / what it conflicts with
    code: str = ""  # machine-readable reason of a refusal (wrong_type, too_large, unsafe_zip, not_a_digest, …)
    report: FileReport | None = None
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False)
    same_as: str = ""  # file name of the stored (or earlier uploaded) digest it duplicates
    conflicts_with: list[Entry] = field(default_factory=list)  # same week, different items
    default_choice: str = KEEP_STORED  # what `add` does with the conflict when nobody chooses
    source: Source | None = None  # the web page it was fetched from (None for uploads)
    # (vocabulary fingerprint, rows, report) exactly as parsed, for `add` to prime the parse cache with
    parsed: tuple[str, list[dict[str, Any]], FileReport] | None = field(default=None, repr=False)

    @functools.cached_property
    def sha256(self) -> str:
        """Hash of the uploaded bytes."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def digest_id(self) -> str:
        """The digest's id once parsed ("" when refused before parsing)."""
        return self.report.digest_id if self.report else ""

    @property
    def week_start(self) -> dt.date | None:
        """Monday of the digest's week."""
        return self.report.week_start if self.report else None

    @property
    def week_end(self) -> dt.date | None:
        """Sunday of the digest's week."""
        return self.report.week_end if self.report else None

    @property
    def week_label(self) -> str:
        """The week as dd/mm/yyyy–dd/mm/yyyy, or '?'."""
        return _week_label(self.week_start, self.week_end)

    @property
    def items(self) -> int:
        """Unique items found."""
        return len(self.rows)

    @property
    def warnings(self) -> list[Problem]:
        """Warnings of the parse (the file would load, but they deserve a look)."""
        return self.report.warnings if self.report else []

    @property
    def headlines(self) -> list[str]:
        """Headlines of the items, in order."""
        return [r["headline"] for r in self.rows]

    @property
    def message(self) -> str:
        """One line naming the upload and what happens to it."""
        return f"{self.name}: {self.reason}" if self.reason else self.name

    def differences(self, stored: Entry) -> tuple[list[str], list[str]]:
        """(items only in this upload, items only in `stored`) as "symbol: headline" — to help choose."""
        mine, theirs = _item_keys(self.rows), stored.signature

        def describe(keys: tuple[tuple[str, str, str], ...], headlines: Iterable[str], other: set) -> list[str]:
            return [f"{k[0]}: {h}" if k[0] else h for k, h in zip(keys, headlines, strict=True) if k not in other]

        return describe(mine, self.headlines, set(theirs)), describe(theirs, stored.headlines, set(mine))


@dataclass(frozen=True)
class TrashEntry:
    """A digest file in the trash, with where it came from."""

    trash_id: str
    file_name: str  # name of the file inside the trash entry
    original: str  # its path inside digests/ before removal
    digest_id: str
    week_start: dt.date | None
    week_end: dt.date | None
    items: int
    size: int
    sha256: str
    removed_at: dt.datetime
    reason: str  # "removed" or "replaced by <file>"
    source: dict[str, Any] | None = None  # its sources.json entry (a fetched digest), put back when restored

    @property
    def week_label(self) -> str:
        """The week as dd/mm/yyyy–dd/mm/yyyy, or '?'."""
        return _week_label(self.week_start, self.week_end)


@dataclass
class AddResult:
    """What `Library.add` did."""

    added: list[Entry] = field(default_factory=list)
    trashed: list[TrashEntry] = field(default_factory=list)  # stored digests replaced (undo with restore)
    skipped: list[tuple[Candidate, str]] = field(default_factory=list)  # with the reason

    @property
    def changed(self) -> bool:
        """True when the library changed."""
        return bool(self.added or self.trashed)


class Library:
    """A library folder of raw digest files, with its parse cache, trash and writer lock."""

    def __init__(self, root: str | Path | None = None, vocab_dir: Path = PROFILE_DIR) -> None:
        self.root = Path(root) if root is not None else data_dir()
        self.vocab_dir = vocab_dir
        self._vocab: Vocab | None = None
        self._planned_trash: set[str] = set()  # trash ids chosen by the write in progress
        self._vocab_fingerprint = ""

    def __repr__(self) -> str:
        return f"Library({str(self.root)!r})"

    @property
    def digests_dir(self) -> Path:
        """Where the raw digest files live."""
        return self.root / "digests"

    @property
    def cache_dir(self) -> Path:
        """The parse cache (safe to delete)."""
        return self.root / ".cache" / "parse"

    @property
    def store_dir(self) -> Path:
        """The items store (`loaders.store`; safe to delete)."""
        return self.root / ".cache" / "store"

    @property
    def sources_path(self) -> Path:
        """The provenance sidecar of fetched digests."""
        return self.root / SOURCES_FILE

    @property
    def trash_dir(self) -> Path:
        """Removed and replaced digests."""
        return self.root / ".trash"

    @property
    def audit_path(self) -> Path:
        """The audit log (JSON lines)."""
        return self.root / audit.AUDIT_FILE

    @property
    def journal_dir(self) -> Path:
        """Steps of the write in progress (empty unless a writer is running or died)."""
        return self.root / ".journal"

    # ---------------------------------------------------------------- reading (never blocks, never writes
    # anything but the cache)

    def files(self) -> list[Path]:
        """The digest files of the library, sorted: what `pipeline.load` walks (`loaders.files.walk_folder`),
        special files included so that reading them refuses them by name."""
        return walk_folder(self.digests_dir) if self.digests_dir.is_dir() else []

    def stored_hashes(self) -> dict[tuple[str, int, int], str]:
        """(file path, size, mtime_ns) -> sha256 of its bytes, for the files the store describes (see
        `loaders.store`): the content hashes a restarted server need not compute again. Empty without a store."""
        prefix = f"{self.digests_dir}{os.sep}"  # str(digests_dir / rel), without a Path per file
        return {
            (prefix + rel.replace("/", os.sep), size, mtime): sha
            for rel, size, mtime, sha in store.file_hashes(self.store_dir)
        }

    def source_text(self, path: str | Path) -> str:
        """The whole text of one of the library's digest files as the parser read it (decoded; a saved web
        page or Markdown reduced to its text; normalised): the source digest that items cite.

        `path` is a file of the library (absolute, as in the load report, or relative to `digests/`).
        LibraryError names the file when it is not in the library, too large or unreadable.
        """
        p = Path(path) if Path(path).is_absolute() else self.digests_dir / path
        try:
            resolved = p.resolve(strict=True)
            resolved.relative_to(self.digests_dir.resolve())
        except (OSError, ValueError) as exc:
            raise LibraryError(f"{path}: not a digest file of the library {self.root}") from exc
        try:
            return pipeline.read_text(resolved, read_file(resolved))[0]
        except ReadRefused as exc:  # a FIFO, a device, over the size limit
            raise LibraryError(f"{path}: {exc.reason}") from exc
        except (OSError, DecodeError) as exc:
            raise LibraryError(f"{path}: cannot be read: {exc}") from exc

    def state_token(self) -> str:
        """Changes whenever what `load` returns may change: a cache key for the dashboard."""
        h = hashlib.sha256(f"{pipeline.PARSER_VERSION}\0{parse_cache.vocab_fingerprint(self.vocab_dir)}".encode())
        for path in [*self.files(), self.sources_path]:
            with contextlib.suppress(OSError):
                st = path.stat()
                h.update(f"\0{path.relative_to(self.root)}\0{st.st_size}\0{st.st_mtime_ns}".encode())
        return h.hexdigest()[:16]

    def load(self, progress: pipeline.Progress | None = None) -> tuple[pd.DataFrame, LoadReport]:
        """(items, report) of every digest in the library, through the store and the parse cache.

        Same result as `pipeline.load([library.digests_dir])`.
        """
        items, report = self.load_items(progress)
        return items.drop(columns=[SEARCH_KEY]), report

    def load_items(
        self, progress: pipeline.Progress | None = None, files: list[Path] | None = None, lazy: bool = False
    ) -> tuple[pd.DataFrame, LoadReport]:
        """`load` plus the folded search text (`SEARCH_KEY`): what the dashboard reads.

        When the store (`loaders.store`) describes the library's files as they are (same paths, sizes and
        modification times, same parser and vocabularies) it is read as it is. Otherwise the files it does
        not describe are parsed (through the parse cache), the rows of the others are taken from the old
        store, the cross-digest columns are recomputed on the whole, and the store is replaced. The
        `source_url` column comes from `sources.json` on every load (it changes without the files changing).
        `files`: the library's files (`files()`) when the caller has just listed them. `lazy`: the bodies
        (`store.LAZY`) stay on disk, read on demand through the attached `store.StoredTexts`, and the search
        texts too (`search.keys_of`), when the store holds these items (else they are in the frame); the
        CODED columns then come as categoricals (`schema.as_coded`).
        """
        items, report = self._load_items(progress, self.files() if files is None else files, lazy)
        urls = {PurePosixPath(name).name: s.url for name, s in self.sources().items()}
        items["source_url"] = items["source"].astype(object).map(urls).fillna("") if urls else ""
        if lazy:  # coded like the other CODED columns
            items["source_url"] = pd.Categorical(items["source_url"], ordered=True)
        return items, report

    def _load_items(
        self, progress: pipeline.Progress | None, files: list[Path], lazy: bool
    ) -> tuple[pd.DataFrame, LoadReport]:
        fingerprint = parse_cache.vocab_fingerprint(self.vocab_dir)
        with store.gc_paused():
            manifest = store.read_manifest(self.store_dir)
        known = {f.path: i for i, f in enumerate(manifest.files)} if manifest else {}
        plan: list[tuple[Path, str, int | None]] = []  # (file, path inside digests/, its manifest entry)
        relative = _relative_in(self.digests_dir)
        for path in files:
            rel = relative(path)
            i = known.get(rel)
            if i is not None and not _described(manifest.files[i], path, fingerprint):  # type: ignore[union-attr]
                i = None
            plan.append((path, rel, i))
        if manifest and all(i is not None for *_, i in plan):
            key = store.corpus_key((rel, manifest.files[i].parse_key) for _, rel, i in plan)  # type: ignore[index]
            items = store.read_items(self.store_dir, key, lazy) if key == manifest.key else None
            if items is not None and store.index_path(self.store_dir, key).is_file():
                # The indexes are read on first use (a search, the Từ khóa page), not on every restart.
                search.attach_index(items, search.Deferred(search.SearchIndex, lambda frame: self._index(frame, key)))
                search.attach_index(
                    items, search.Deferred(phrases.PhraseIndex, lambda frame: self._phrases(frame, key, stored=True))
                )
                reports = []
                with store.gc_paused():
                    for path, _, i in plan:
                        report = manifest.report(i)  # type: ignore[arg-type]
                        report.path = str(path)
                        reports.append((range(report.items), report))
                    return items, pipeline.kept_parts(reports)[0]
        return self._rebuild(plan, manifest, fingerprint, progress, lazy)

    def _rebuild(
        self,
        plan: list[tuple[Path, str, int | None]],
        manifest: store.Manifest | None,
        fingerprint: str,
        progress: pipeline.Progress | None,
        lazy: bool,
    ) -> tuple[pd.DataFrame, LoadReport]:
        """Build the items from the old store's rows and the files it does not describe; write the store."""
        reusable = [i for *_, i in plan if i is not None and manifest.files[i].stored]  # type: ignore[union-attr]
        old = store.read_items(self.store_dir, manifest.key) if manifest and reusable else None
        rows_of = old.groupby("digest_id", sort=False).indices if old is not None else {}
        # A part is the positions of a file's rows in the old store (reused), or its parsed rows.
        parts: list[tuple[np.ndarray | list[dict[str, Any]], FileReport]] = []
        described: list[tuple[str, int, int, str, str, dict[str, Any]]] = []
        stamps = [_stamp(path) for path, _, _ in plan]  # before reading: a file changed meanwhile is read again
        entries = [manifest.files[i] if manifest and i is not None else None for _, _, i in plan]
        reuse = [bool(e and e.stored and e.report["digest_id"] in rows_of) for e in entries]
        to_parse = [path for (path, _, _), again in zip(plan, reuse, strict=True) if not again]
        parsed = iter(self._parse_all(to_parse, fingerprint, progress))
        for (path, rel, i), (size, mtime), entry, again in zip(plan, stamps, entries, reuse, strict=True):
            if again:
                report = manifest.report(i)  # type: ignore[union-attr, arg-type]
                rows: np.ndarray | list[dict[str, Any]] = rows_of[report.digest_id]
                sha, key = entry.sha256, entry.parse_key  # type: ignore[union-attr]
            else:
                rows, report, sha, key = next(parsed)
            report.path = str(path)
            # The report as parsed: `kept_parts` marks duplicates on the objects, and that is redone each load.
            described.append((rel, size, mtime, sha, key, parse_cache.report_to_json(report)))
            parts.append((rows, report))
        report, kept = pipeline.kept_parts(parts)
        reused = [part for _, part in kept if isinstance(part, np.ndarray)]
        new_rows = [row for _, part in kept if not isinstance(part, np.ndarray) for row in part]
        frames = [old.take(np.concatenate(reused))] if reused else []  # type: ignore[union-attr]
        if new_rows or not frames:
            new = coerce_items(pd.DataFrame(new_rows)) if new_rows else empty_items()
            validate_items(new)
            frames.append(new.assign(**{SEARCH_KEY: search_keys(new)}))
        items = pipeline.cross_digest(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
        stored = {i for i, _ in kept}
        new_manifest = store.Manifest(
            store.corpus_key((d[0], d[4]) for d in described),
            tuple(store.StoredFile(*d[:5], stored=n in stored, report=d[5]) for n, d in enumerate(described)),
        )
        index = search.build_index(items[SEARCH_KEY].to_numpy())
        search.attach_index(items, index)
        phrase_index = self._phrases(items, new_manifest.key, stored=False)
        if phrase_index is not None:
            search.attach_index(items, phrase_index)
        texts = None
        try:
            with self._writer(timeout=STORE_LOCK_WAIT):
                store.write(self.store_dir, items, new_manifest, index, phrase_index)
                texts = store.open_texts(self.store_dir, new_manifest.key) if lazy and len(items) else None
        except (LibraryError, OSError):
            pass  # the store only saves time: the next load tries again
        parse_cache.prune(self.cache_dir, {d[4] for d in described})
        if lazy:  # the frame a lazy read of the store gives
            on_disk = texts is not None and len(texts) == len(items)  # the texts are: free them here
            light = as_coded(items.drop(columns=[store.LAZY, SEARCH_KEY]) if on_disk else items)
            search.share_indexes(items, light)
            if on_disk:
                search.attach_index(light, texts)
                search.attach_index(light, items[SEARCH_KEY].to_numpy(), SEARCH_KEY)
            items = light
        return items, report

    def _index(self, items: pd.DataFrame, key: str) -> search.SearchIndex | None:
        """The search index of `items` (corpus `key`): the stored one, else (gone with a newer store, or
        unreadable) one built now."""
        found = store.read_index(self.store_dir, key)
        if found is None and (keys := search.keys_of(items)) is not None:
            found = search.build_index(keys)
        return found

    def _phrases(self, items: pd.DataFrame, key: str, stored: bool) -> phrases.PhraseIndex | None:
        """The phrase index of `items` (corpus `key`; `loaders.phrases`): the stored one when it was built
        with the current stop list, else one built now (and stored, when the rest of the store is). None
        when the stop list is unreadable: the Từ khóa page says why."""
        try:
            stops = load_term_stops()
        except VocabError:
            return None
        found = store.read_phrases(self.store_dir, key, phrases.stops_key(stops)) if stored else None
        if found is None:
            found = phrases.build_phrases(items["headline"].tolist(), stops)
            if stored:
                with contextlib.suppress(LibraryError, OSError), self._writer(timeout=STORE_LOCK_WAIT):
                    store.write_phrases(self.store_dir, key, found)
        return found

    def entries(self) -> list[Entry]:
        """Every digest file of the library, sorted by week then file name.

        A file the store describes as it is (`loaders.store`) is listed from the store (its report and its
        rows' headlines and documents); the others through the parse cache.
        """
        fingerprint = parse_cache.vocab_fingerprint(self.vocab_dir)
        manifest = store.read_manifest(self.store_dir)
        known = {f.path: f for f in manifest.files if f.stored} if manifest else {}
        stored: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] | None = None
        out = []
        relative = _relative_in(self.digests_dir)
        for path in self.files():
            rel = relative(path)
            try:
                st = path.stat()
                size, added = st.st_size, dt.datetime.fromtimestamp(st.st_mtime).astimezone()
            except OSError:
                size, added = 0, None
            described = known.get(rel)
            if described is not None and _described(described, path, fingerprint):
                if stored is None:
                    with store.gc_paused():
                        stored = store.read_documents(self.store_dir, manifest.key)  # type: ignore[union-attr]
                report = parse_cache.report_from_json(described.report)
                if report.digest_id in stored:
                    report.path = str(path)
                    headlines, documents = stored[report.digest_id]
                    out.append(_entry_of(rel, headlines, documents, report, size, described.sha256, added))
                    continue
            rows, report, data_sha, _ = self._parse(path, fingerprint)
            out.append(_entry(rel, rows, report, size, data_sha, added))
        return sorted(out, key=lambda e: (e.week_start or dt.date.max, e.file_name))

    def find(self, key: str) -> Entry:
        """The stored digest with this digest id (or unique id prefix of 4+ characters) or file name."""
        entries = self.entries()
        for match in (
            lambda e: e.digest_id == key,
            lambda e: e.file_name == key or PurePosixPath(e.file_name).name == key,
            lambda e: len(key) >= 4 and e.digest_id.startswith(key),
        ):
            found = [e for e in entries if match(e)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise LibraryError(
                    f"'{key}' matches {len(found)} files ({', '.join(e.file_name for e in found)}): give the file name"
                )
        raise LibraryError(f"no digest '{key}' in the library {self.root}")

    def sources(self) -> dict[str, Source]:
        """The web page each fetched digest came from, by file name inside digests/ (stored files only)."""
        return {
            name: Source(str(meta["url"]), _when(meta.get("fetched_at")))
            for name, meta in self._read_sources().items()
            if (self.digests_dir / name).is_file()
        }

    def known_urls(self) -> set[str]:
        """Every web page the library holds a digest of (fetch does not download them again)."""
        stored = self._read_sources()
        return {u for name, meta in stored.items() if (self.digests_dir / name).is_file() for u in _urls(meta)}

    def _read_sources(self) -> dict[str, dict[str, Any]]:
        try:
            raw = json.loads(self.sources_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        files = raw.get("files") if isinstance(raw, dict) else None
        if not isinstance(files, dict):
            return {}
        return {k: v for k, v in files.items() if isinstance(v, dict) and isinstance(v.get("url"), str)}

    def _write_sources(self, files: dict[str, dict[str, Any]]) -> None:
        payload = {"format": 1, "files": dict(sorted(files.items()))}
        atomic.write_atomic(self.sources_path, json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))

    def trash(self) -> list[TrashEntry]:
        """The trash, most recent first. Incomplete entries (a crash during removal) are ignored."""
        out = []
        if self.trash_dir.is_dir():
            for folder in self.trash_dir.iterdir():
                entry = _read_trash_entry(folder)
                if entry is not None:
                    out.append(entry)
        return sorted(out, key=lambda t: (t.removed_at, t.trash_id), reverse=True)

    def log(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The audit log, latest first (at most `limit` records)."""
        return audit.read(self.audit_path, limit)

    def pending(self) -> bool:
        """True when a writer died half-way: `recover` (or any write) finishes its steps."""
        return self.journal_dir.is_dir() and any(self.journal_dir.glob("*.json"))

    # ---------------------------------------------------------------- previewing uploads (no writes)

    def preview(
        self, uploads: Iterable[tuple[str, bytes]], sources: dict[str, Source] | None = None
    ) -> list[Candidate]:
        """Parse uploads (digest files or zips of them) without storing anything: one Candidate per file.

        Each candidate says what `add` would do: NEW, SAME (already stored: nothing to do), CONFLICT (the
        library has another digest for the same week with different items) or REFUSED (with the reason).
        Later uploads are compared with earlier ones too, as `add` stores them in order. `sources` gives
        the web page of fetched uploads, by upload name: `add` records it.
        """
        candidates = self._expand(uploads)
        for cand in candidates:
            cand.source = (sources or {}).get(cand.name)
        return self._judge_all(candidates)

    def preview_paths(self, paths: Iterable[str | Path]) -> list[Candidate]:
        """`preview` for files and folders on disk; files over the size limit are refused unread."""
        return self._judge_all(self._expand(read_uploads(paths)))

    def _expand(self, uploads: Iterable[tuple[str, bytes] | Refusal]) -> list[Candidate]:
        # A refused zip keeps its bytes out of the candidate: nothing of it will be stored anyway.
        return [
            Candidate(u.name, b"", REFUSED, u.reason, u.code) if isinstance(u, Refusal) else self._parse_upload(*u)
            for u in digest_files(uploads)
        ]

    def _parse_upload(self, name: str, data: bytes) -> Candidate:
        base = PurePosixPath(name.replace("\\", "/")).name
        rows, report = parse_bytes(data, base, self._get_vocab())
        report.path = name
        if report.errors or not rows:
            first = report.errors[0] if report.errors else None
            return Candidate(
                name,
                data,
                REFUSED,
                first.message if first else "no items found",
                first.code if first else "no_items",
                report,
            )
        parsed = (self._fingerprint(), rows, dataclasses.replace(report, problems=list(report.problems)))
        cand = Candidate(name, data, NEW, report=report, rows=rows, parsed=parsed)
        scripts = count_scripts(data) if PurePosixPath(base).suffix.lower() in (".html", ".htm") else 0
        if scripts:
            report.warn(
                "html_scripts",
                f"the page carries {scripts} <script> element(s): they are dropped when reading and are never run",
            )
        return cand

    def _judge_all(self, candidates: list[Candidate]) -> list[Candidate]:
        known = self.entries()
        for cand in candidates:
            if cand.status == REFUSED:
                continue
            verdict = _judge(cand, known)
            cand.status, cand.reason, cand.same_as = verdict.status, verdict.reason, verdict.same_as
            cand.conflicts_with, cand.default_choice = verdict.conflicts, verdict.default
            if cand.status != SAME:
                known.append(_entry(cand.name, cand.rows, cand.report, len(cand.data), cand.sha256, None))
        return candidates

    # ---------------------------------------------------------------- writing (under the lock)

    def add(
        self,
        candidates: Iterable[Candidate],
        resolve: dict[str, str] | None = None,
        who: str | None = None,
        action: str = audit.ADD,
    ) -> AddResult:
        """Store the candidates that are new; conflicts as `resolve` says (keyed by digest id or name).

        Everything is re-checked under the lock, so two concurrent adds of one digest store it once, and a
        conflict that appeared since the preview gets its default (keep the stored digest, unless the stored one
        looks truncated and the new one is complete) unless resolved. Each stored file is logged as `action`
        ("add", or e.g. "fetch"; "replace" when it replaced digests) by `who` (default: the OS user). On any
        failure what this call did is undone and LibraryError is raised.
        """
        resolve = dict(resolve or {})
        for key, choice in resolve.items():
            if choice not in RESOLUTIONS:
                raise ValueError(f"resolution for '{key}' must be one of {', '.join(RESOLUTIONS)}, not '{choice}'")
        result = AddResult()
        candidates = list(candidates)
        if all(c.status == REFUSED for c in candidates):  # nothing could be written: do not even lock
            result.skipped = [(c, c.reason) for c in candidates]
            return result
        try:
            with self._transaction(who) as tx:
                known = self.entries()
                before = self._read_sources()
                sources = {k: dict(v) for k, v in before.items()}
                for cand in candidates:
                    self._add_one(cand, resolve, known, result, tx, action, sources)
                # Provenance last: lost only if the process dies right here, and then the next fetch of the
                # page finds the digest stored (SAME) and records it again.
                if sources != before:
                    self._write_sources(sources)
        except OSError as exc:
            raise LibraryError(
                f"cannot write to the library {self.root}: {exc.strerror or exc}; nothing was changed"
            ) from exc
        return result

    def _add_one(
        self,
        cand: Candidate,
        resolve: dict[str, str],
        known: list[Entry],
        result: AddResult,
        tx: _Transaction,
        action: str,
        sources: dict[str, dict[str, Any]],
    ) -> None:
        if cand.status == REFUSED:
            result.skipped.append((cand, cand.reason))
            return
        verdict = _judge(cand, known)
        choice = KEEP_BOTH
        if verdict.status == SAME:
            if cand.source:  # remember that this page carries a stored digest: fetch skips it next time
                meta = sources.setdefault(verdict.same_as, _source_json(cand.source))
                if cand.source.url not in _urls(meta):
                    meta["also"] = [*meta.get("also", []), cand.source.url]
            result.skipped.append((cand, verdict.reason))
            return
        if verdict.status == CONFLICT:
            choice = resolve.get(cand.digest_id) or resolve.get(cand.name) or verdict.default
            if choice == KEEP_STORED:
                result.skipped.append((cand, f"{verdict.reason}: kept the stored one"))
                return
        path = self._unique_path(safe_name(cand.name))
        rel = path.relative_to(self.digests_dir).as_posix()
        trashes = (
            [self._trash_entry(old, f"replaced by {rel}") for old in verdict.conflicts] if choice == REPLACE else []
        )
        tx.step(
            audit.event(
                audit.REPLACE if trashes else action,
                tx.who,
                **_audit_fields(rel, cand.digest_id, cand.sha256, cand.week_start),
                upload=cand.name,
                **({"replaced": [_trashed_fields(t) for t in trashes]} if trashes else {}),
            ),
            new={"file": rel, "sha256": cand.sha256},
            trash=trashes,
        )
        atomic.write_atomic(path, cand.data)
        tx.undo.append(lambda: (path.unlink(missing_ok=True), atomic.fsync_dir(path.parent)))
        self._prime_cache(cand, path)
        st = path.stat()
        entry = _entry(
            rel, cand.rows, cand.report, st.st_size, cand.sha256, dt.datetime.fromtimestamp(st.st_mtime).astimezone()
        )
        known.append(entry)
        result.added.append(entry)
        if cand.source:
            sources[rel] = _source_json(cand.source)
        for trashed in trashes:
            sources.pop(trashed.original, None)
        for old, trashed in zip(verdict.conflicts if trashes else [], trashes, strict=True):
            self._move_to_trash(trashed)
            tx.undo.append(lambda t=trashed: self._restore_unlocked(t))
            known.remove(old)
            result.trashed.append(trashed)

    def remove(self, key: str, who: str | None = None) -> TrashEntry:
        """Move a stored digest (by digest id or file name) to the trash; `restore` undoes it."""
        try:
            with self._transaction(who) as tx:
                entry = self.find(key)
                trashed = self._trash_entry(entry, "removed")
                tx.step(
                    audit.event(
                        audit.REMOVE,
                        tx.who,
                        **_audit_fields(entry.file_name, entry.digest_id, entry.sha256, entry.week_start),
                        trash_id=trashed.trash_id,
                    ),
                    trash=[trashed],
                )
                self._move_to_trash(trashed)
                tx.undo.append(lambda: self._restore_unlocked(trashed))
                if trashed.source:  # its provenance now lives in its trash.json
                    sources = self._read_sources()
                    sources.pop(trashed.original, None)
                    self._write_sources(sources)
                return trashed
        except OSError as exc:
            raise LibraryError(f"cannot move {key} to the trash: {exc.strerror or exc}; nothing was changed") from exc

    def restore(self, trash_id: str, who: str | None = None) -> Entry:
        """Put a digest from the trash back into the library (under a new name if its name is taken)."""
        try:
            with self._transaction(who) as tx:
                trashed = {t.trash_id: t for t in self.trash()}.get(trash_id)
                if trashed is None:
                    raise LibraryError(f"no '{trash_id}' in the trash of {self.root}")
                same = [
                    e
                    for e in self.entries()
                    if e.sha256 == trashed.sha256 or (trashed.digest_id and e.digest_id == trashed.digest_id)
                ]
                if same:
                    raise LibraryError(
                        f"{trashed.file_name} is already in the library as {same[0].file_name}: nothing to restore"
                    )
                target = self._restore_target(trashed)
                rel = target.relative_to(self.digests_dir).as_posix()
                tx.step(
                    audit.event(
                        audit.RESTORE,
                        tx.who,
                        **_audit_fields(rel, trashed.digest_id, trashed.sha256, trashed.week_start),
                        trash_id=trashed.trash_id,
                    ),
                    restore={"file": rel, "trash": _trash_json(trashed)},
                )
                self._restore_to(trashed, target)
                tx.undo.append(lambda: self._move_to_trash(trashed, target))
                if trashed.source:
                    sources = self._read_sources()
                    sources[rel] = trashed.source
                    self._write_sources(sources)
        except OSError as exc:
            raise LibraryError(f"cannot restore {trash_id}: {exc.strerror or exc}; nothing was changed") from exc
        return next(e for e in self.entries() if e.file_name == rel)

    def recover(self) -> list[dict[str, Any]]:
        """Finish what writers that died half-way left in the journal; the audit records of what was finished."""
        if not self.pending():
            return []
        with self._writer() as recovered:
            return recovered

    def _trash_entry(self, entry: Entry, reason: str) -> TrashEntry:
        """The trash entry `entry` will get (its id not used by any entry on disk or planned in this process)."""
        now = dt.datetime.now(dt.UTC)
        base = f"{now:%Y%m%d-%H%M%S}-{(entry.digest_id or entry.sha256)[:8]}"
        trash_id, n = base, 1
        while (self.trash_dir / trash_id).exists() or trash_id in self._planned_trash:
            n += 1
            trash_id = f"{base}-{n}"
        self._planned_trash.add(trash_id)
        return TrashEntry(
            trash_id,
            PurePosixPath(entry.file_name).name,
            entry.file_name,
            entry.digest_id,
            entry.week_start,
            entry.week_end,
            entry.items,
            entry.size,
            entry.sha256,
            now,
            reason,
            self._read_sources().get(entry.file_name),
        )

    def _move_to_trash(self, trashed: TrashEntry, source: Path | None = None) -> None:
        """Move `source` (default digests/<trashed.original>) into the trash entry `trashed`, its sidecar first."""
        source = source or self.digests_dir / trashed.original
        folder = self.trash_dir / trashed.trash_id
        folder.mkdir(parents=True)
        # The sidecar first: an entry without its file (a crash right here) is ignored and swept.
        atomic.write_atomic(
            folder / TRASH_META, json.dumps(_trash_json(trashed), ensure_ascii=False, indent=1).encode("utf-8")
        )
        try:
            atomic.rename(source, folder / trashed.file_name)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        atomic.fsync_dir(folder)
        atomic.fsync_dir(source.parent)

    def _restore_target(self, trashed: TrashEntry) -> Path:
        original = self.digests_dir / trashed.original
        return original if not original.exists() else self._unique_path(original.name)

    def _restore_to(self, trashed: TrashEntry, target: Path) -> None:
        folder = self.trash_dir / trashed.trash_id
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.rename(folder / trashed.file_name, target)
        atomic.fsync_dir(target.parent)
        shutil.rmtree(folder, ignore_errors=True)
        atomic.fsync_dir(self.trash_dir)

    def _restore_unlocked(self, trashed: TrashEntry) -> Path:
        target = self._restore_target(trashed)
        self._restore_to(trashed, target)
        return target

    def _unique_path(self, name: str) -> Path:
        """A path in digests/ for `name` that no file uses, even on a case-insensitive disk."""
        self.digests_dir.mkdir(parents=True, exist_ok=True)
        taken = {p.name.casefold() for p in self.digests_dir.iterdir()}
        stem, suffix = os.path.splitext(name)
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem}-{n}{suffix}"
        return self.digests_dir / candidate

    @contextlib.contextmanager
    def _transaction(self, who: str | None) -> Iterator[_Transaction]:
        """A journaled write under the lock: its steps are undone if it fails, logged if it succeeds."""
        with self._writer():
            tx = _Transaction(self, who or audit.default_who())
            try:
                yield tx
                tx.commit()
            except BaseException:
                tx.rollback()
                raise
            finally:
                self._planned_trash.clear()

    @contextlib.contextmanager
    def _writer(self, timeout: float = LOCK_TIMEOUT) -> Iterator[list[dict[str, Any]]]:
        """Hold the library's writer lock (waiting up to `timeout` s); sweep what crashed writers left behind
        and finish their journaled steps (yields the audit records of what was finished)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LibraryError(f"cannot write to the library {self.root}: {exc.strerror or exc}") from exc
        try:
            deadline = time.monotonic() + timeout
            while not atomic.try_lock(fd):
                if time.monotonic() > deadline:
                    raise LibraryError(
                        "the library is busy (another upload or removal is running): try again in a moment"
                    )
                time.sleep(0.05)
            try:
                yield self._sweep()
            finally:
                atomic.unlock(fd)
        finally:
            os.close(fd)

    def _sweep(self) -> list[dict[str, Any]]:
        """Delete temporary files and half-made trash entries of writers that crashed, then finish their
        journaled steps (we hold the lock). Returns the audit records of the steps finished."""
        for folder in (self.digests_dir, self.trash_dir, self.store_dir, self.journal_dir):
            if folder.is_dir():
                for tmp in folder.rglob(f"{atomic.TEMP_PREFIX}*{atomic.TEMP_SUFFIX}"):
                    with contextlib.suppress(OSError):
                        tmp.unlink()
        if self.trash_dir.is_dir():
            for folder in self.trash_dir.iterdir():
                if folder.is_dir() and _read_trash_entry(folder) is None:
                    shutil.rmtree(folder, ignore_errors=True)
        finished: list[dict[str, Any]] = []
        if self.journal_dir.is_dir():
            for journal in sorted(self.journal_dir.glob("*.json")):
                finished += self._replay(journal)
        return finished

    def _replay(self, journal: Path) -> list[dict[str, Any]]:
        """Finish the steps of a dead writer's journal: a step whose new file is on disk (or that only moves
        files) is completed and logged; a step whose new file never made it is dropped."""
        try:
            steps = json.loads(journal.read_text(encoding="utf-8"))["steps"]
        except (OSError, ValueError, KeyError, TypeError):
            steps = []  # journals are written atomically: unreadable means not ours; nothing to finish
        logged = audit.logged_ids(self.audit_path)
        done = []
        for step in steps:
            new = step.get("new")
            if new and not self._holds(new["file"], new["sha256"]):
                continue  # killed before the new file was in place: nothing else was done either
            for meta in step.get("trash", []):
                trashed = _trash_from_json(meta)
                if self._holds(trashed.original, trashed.sha256) and not (self.trash_dir / trashed.trash_id).exists():
                    self._move_to_trash(trashed)
            restore = step.get("restore")
            if restore:
                trashed, target = _trash_from_json(restore["trash"]), self.digests_dir / restore["file"]
                if not target.exists() and _read_trash_entry(self.trash_dir / trashed.trash_id):
                    self._restore_to(trashed, target)
                elif not self._holds(restore["file"], trashed.sha256):
                    continue  # its name was taken meanwhile: leave it in the trash
            if step["event"].get("id") not in logged:
                done.append({**step["event"], "recovered": True})
        audit.append(self.audit_path, done)
        journal.unlink()
        atomic.fsync_dir(self.journal_dir)
        return done

    def _holds(self, rel: str, sha256: str) -> bool:
        """True when digests/<rel> exists with these bytes."""
        try:
            return hashlib.sha256((self.digests_dir / rel).read_bytes()).hexdigest() == sha256
        except OSError:
            return False

    # ---------------------------------------------------------------- the parse cache

    def _get_vocab(self) -> Vocab:
        if self._vocab is None:
            self._vocab_fingerprint = parse_cache.vocab_fingerprint(self.vocab_dir)
            self._vocab = load_vocab(self.vocab_dir)
        return self._vocab

    def _parse_all(
        self, paths: list[Path], fingerprint: str, progress: pipeline.Progress | None
    ) -> list[tuple[list[dict[str, Any]], FileReport, str, str]]:
        """`_parse` of each path, in order; in a process pool sized to the cores when there are many."""
        workers = min(os.cpu_count() or 1, len(paths) // PARALLEL_MIN)
        if workers < 2:
            results = []
            for n, path in enumerate(paths, start=1):
                if progress:
                    progress(n, len(paths), str(path))
                results.append(self._parse(path, fingerprint))
            return results
        # forkserver (not fork): the dashboard's server has threads, which a forked child must not inherit.
        context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
        jobs = [(str(self.root), str(self.vocab_dir), str(p), fingerprint) for p in paths]
        results: list[tuple[list[dict[str, Any]], FileReport, str, str]] = []
        try:
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                for n, result in enumerate(pool.map(_parse_job, jobs, chunksize=16), start=1):
                    if progress:
                        progress(n, len(paths), str(paths[n - 1]))
                    results.append(result)
        except (BrokenProcessPool, OSError):  # no pool here (a sandbox, a killed worker): parse the rest here
            for n, path in enumerate(paths[len(results) :], start=len(results) + 1):
                if progress:
                    progress(n, len(paths), str(path))
                results.append(self._parse(path, fingerprint))
        return results

    def _fingerprint(self) -> str:
        """The fingerprint of the vocabularies `_get_vocab` loaded (what parses made with them are keyed by)."""
        self._get_vocab()
        return self._vocab_fingerprint

    def _prime_cache(self, cand: Candidate, path: Path) -> None:
        """Cache the parse the preview did under the stored file's key, so loading re-parses nothing.

        The parse is the stored file's own: same bytes, same extension (`safe_name` keeps it), same
        vocabularies; only the `source` column names the file as stored rather than as uploaded.
        """
        if cand.parsed is None:
            return
        fingerprint, rows, report = cand.parsed
        rows = [{**row, "source": path.name} for row in rows]
        parse_cache.put(self.cache_dir, parse_cache.key(cand.sha256, path.name, fingerprint), rows, report)

    def _parse(self, path: Path, fingerprint: str) -> tuple[list[dict[str, Any]], FileReport, str, str]:
        """(rows, report, sha256 of the bytes, cache key) of one stored file, through the cache."""
        try:
            data = read_file(path)
        except OSError as exc:
            return [], pipeline.unread_report(path, exc), "", ""
        data_sha = hashlib.sha256(data).hexdigest()
        key = parse_cache.key(data_sha, path.name, fingerprint)
        cached = parse_cache.get(self.cache_dir, key)
        if cached is None:
            rows, report = parse_bytes(data, path.name, self._get_vocab())
            parse_cache.put(self.cache_dir, key, rows, report)
        else:
            rows, report = cached
        report.path = str(path)
        return rows, report, data_sha, key


# -------------------------------------------------------------------- helpers


_WORKER_LIBRARIES: dict[tuple[str, str], Library] = {}


def _parse_job(job: tuple[str, str, str, str]) -> tuple[list[dict[str, Any]], FileReport, str, str]:
    """`Library._parse` in a pool worker (one Library, hence one vocabulary load, per worker)."""
    root, vocab_dir, path, fingerprint = job
    library = _WORKER_LIBRARIES.get((root, vocab_dir))
    if library is None:
        library = _WORKER_LIBRARIES[(root, vocab_dir)] = Library(root, Path(vocab_dir))
    return library._parse(Path(path), fingerprint)


def _stamp(path: Path) -> tuple[int, int]:
    """(size, mtime_ns) of a file, (-1, -1) when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return -1, -1
    return st.st_size, st.st_mtime_ns


def _relative_in(folder: Path) -> Callable[[Path], str]:
    """path -> its path inside `folder`, "/"-separated, by a string cut where it can (pathlib's
    `relative_to` costs ~25 µs a file: 0.6 s of a restart at 25,000 files)."""
    prefix = f"{folder}{os.sep}"

    def relative(path: Path) -> str:
        name = str(path)
        if name.startswith(prefix):
            return name[len(prefix) :].replace(os.sep, "/")
        return path.relative_to(folder).as_posix()

    return relative


def _described(entry: store.StoredFile, path: Path, fingerprint: str) -> bool:
    """True when the store's `entry` still describes `path`: same size and modification time (then the
    same bytes, as with `ui.data`'s fingerprints), same parser and vocabularies (same parse key)."""
    try:
        st = os.stat(path)  # (not Path.stat: a quarter faster, 25,000 times on a restart)
    except OSError:
        return False
    same_file = (entry.size, entry.mtime_ns) == (st.st_size, st.st_mtime_ns)
    return same_file and entry.parse_key == parse_cache.key(entry.sha256, path.name, fingerprint)


@dataclass(frozen=True)
class _Verdict:
    """What a parsed candidate is against the known digests."""

    status: str
    reason: str = ""
    same_as: str = ""
    conflicts: list[Entry] = field(default_factory=list)
    default: str = KEEP_STORED  # what `add` does with a conflict nobody resolved


def _judge(cand: Candidate, known: list[Entry]) -> _Verdict:
    """The candidate against known digests: same, new, or a conflict (with the better digest as the default)."""
    sig = sorted(_item_keys(cand.rows))
    for e in known:
        if e.sha256 == cand.sha256 or (e.loaded and e.digest_id == cand.digest_id):
            return _Verdict(SAME, f"already in the library as {e.file_name}", e.file_name)
    same_week = [e for e in known if e.loaded and e.week_start == cand.week_start]
    for e in same_week:
        if sorted(e.signature) == sig:
            return _Verdict(SAME, f"the same week and items as {e.file_name}", e.file_name)
    if not same_week:
        return _Verdict(NEW)
    complete = not pipeline.looks_truncated(cand.report)
    names = ", ".join(f"{e.file_name} ({e.items} items{', looks truncated' if e.truncated else ''})" for e in same_week)
    reason = f"the library already has another digest for the week {cand.week_label}: {names}"
    if complete and all(e.truncated and e.items <= cand.items for e in same_week):
        reason += "; this one is complete, so by default it replaces the truncated one (moved to the trash)"
        return _Verdict(CONFLICT, reason, conflicts=same_week, default=REPLACE)
    if not complete and any(not e.truncated for e in same_week):
        reason += "; this one looks truncated, so by default the stored one is kept"
    return _Verdict(CONFLICT, reason, conflicts=same_week)


def _item_keys(rows: list[dict[str, Any]]) -> tuple[tuple[str, str, str], ...]:
    """What makes two digests 'the same items' (in any order): each item's document, date and headline words."""
    return tuple((s, d, fold_words(r["headline"])) for (s, d), r in zip(_documents(rows), rows, strict=True))


def _documents(rows: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple((r["doc_symbol"], r["doc_date"].isoformat() if r["doc_date"] else "") for r in rows)


def _entry(
    file_name: str,
    rows: list[dict[str, Any]],
    report: FileReport | None,
    size: int,
    sha: str,
    added: dt.datetime | None,
) -> Entry:
    headlines = tuple(r["headline"] for r in rows)
    return _entry_of(file_name, headlines, _documents(rows), report, size, sha, added)


def _entry_of(
    file_name: str,
    headlines: tuple[str, ...],
    documents: tuple[tuple[str, str], ...],
    report: FileReport | None,
    size: int,
    sha: str,
    added: dt.datetime | None,
) -> Entry:
    report = report or FileReport(path=file_name)
    return Entry(
        report.digest_id,
        file_name,
        report.week_start,
        report.week_end,
        report.title,
        len(headlines),
        len(report.warnings),
        tuple(p.message for p in report.errors),
        size,
        sha,
        added,
        headlines,
        documents,
        pipeline.looks_truncated(report),
        tuple(p.code for p in report.errors),
    )


def _source_json(source: Source) -> dict[str, Any]:
    return {"url": source.url, "fetched_at": source.fetched_at.isoformat() if source.fetched_at else None}


def _urls(meta: dict[str, Any]) -> list[str]:
    """The page a sources.json entry names, then the other pages found to carry the same digest."""
    return [meta["url"], *(u for u in meta.get("also") or [] if isinstance(u, str))]


def _when(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _week_label(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}" if start and end else "?"


def _trash_json(t: TrashEntry) -> dict[str, Any]:
    out = dataclasses.asdict(t)
    for key in ("week_start", "week_end", "removed_at"):
        out[key] = out[key].isoformat() if out[key] else None
    return out


def _trash_from_json(meta: dict[str, Any]) -> TrashEntry:
    return TrashEntry(
        **{
            **meta,
            "week_start": dt.date.fromisoformat(meta["week_start"]) if meta.get("week_start") else None,
            "week_end": dt.date.fromisoformat(meta["week_end"]) if meta.get("week_end") else None,
            "removed_at": dt.datetime.fromisoformat(meta["removed_at"]),
        }
    )


def _read_trash_entry(folder: Path) -> TrashEntry | None:
    """The trash entry in `folder`, or None when incomplete or unreadable."""
    try:
        entry = _trash_from_json(json.loads((folder / TRASH_META).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if entry.trash_id != folder.name or not (folder / entry.file_name).is_file():
        return None
    return entry


def _audit_fields(file_name: str, digest_id: str, sha256: str, week_start: dt.date | None) -> dict[str, Any]:
    """What the audit log says of one digest file."""
    return {
        "file": file_name,
        "digest_id": digest_id,
        "sha256": sha256,
        "week": week_start.isoformat() if week_start else None,
    }


def _trashed_fields(t: TrashEntry) -> dict[str, Any]:
    return {**_audit_fields(t.original, t.digest_id, t.sha256, t.week_start), "trash_id": t.trash_id}


class _Transaction:
    """One write (an add batch, a removal, a restore) under the writer lock.

    Before each step its intent is saved in `<library>/.journal/<id>.json` (all the steps so far, written
    atomically), so that a writer killed half-way is finished by the next one (`Library._replay`). A step that
    raises is undone with `undo`; a write that completes appends its audit records, then drops its journal.
    """

    def __init__(self, library: Library, who: str) -> None:
        self.library, self.who = library, who
        self.path = library.journal_dir / f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.json"
        self.steps: list[dict[str, Any]] = []
        self.undo: list[Callable[[], None]] = []

    def step(
        self,
        event: dict[str, Any],
        new: dict[str, str] | None = None,
        trash: Iterable[TrashEntry] = (),
        restore: dict[str, Any] | None = None,
    ) -> None:
        """Record the next step (its audit record and the file operations it is about to do)."""
        self.steps.append({"event": event, "new": new, "trash": [_trash_json(t) for t in trash], "restore": restore})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_atomic(self.path, json.dumps({"steps": self.steps}, ensure_ascii=False).encode("utf-8"))

    def commit(self) -> None:
        """Log the steps, then forget them."""
        if not self.steps:
            return
        audit.append(self.library.audit_path, [s["event"] for s in self.steps])
        self._forget()

    def rollback(self) -> None:
        """Undo the steps taken, newest first, then forget them."""
        for undo in reversed(self.undo):
            with contextlib.suppress(OSError):
                undo()
        if self.steps:
            with contextlib.suppress(OSError):
                self._forget()

    def _forget(self) -> None:
        self.path.unlink(missing_ok=True)
        atomic.fsync_dir(self.path.parent)
