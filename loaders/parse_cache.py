"""The library's parse cache: one JSON file per digest file, holding its parsed rows and report.

The key covers the file's bytes and name, `pipeline.PARSER_VERSION`, the vocabulary files and the shape of
the report classes, so an upgraded parser or an edited vocabulary re-parses by itself. JSON (with tagged
dates) rather than pickle: a file planted in the cache folder cannot run code. A missing, corrupt or stale
entry is simply parsed again; deleting the folder loses nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from loaders import atomic, pipeline
from loaders.report import FileReport, Problem
from loaders.vocab import vocab_files

FORMAT = "1"


def vocab_fingerprint(vocab_dir: Path) -> str:
    """A hash of every file of the profile folder `vocab_dir` and of the national vocabularies: cached
    parses made with other vocabularies are not reused."""
    h = hashlib.sha256()
    for path in vocab_files(vocab_dir):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def key(data_sha: str, file_name: str, fingerprint: str) -> str:
    """The cache key of one file's parse."""
    parts = (FORMAT, data_sha, file_name, pipeline.PARSER_VERSION, fingerprint, _report_shape())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def get(folder: Path, entry: str) -> tuple[list[dict[str, Any]], FileReport] | None:
    """(rows, report) stored under `entry`, or None when missing, corrupt or of another shape."""
    try:
        payload = loads((folder / f"{entry}.json").read_bytes())
        if payload["key"] != entry:
            return None
        return payload["rows"], report_from_json(payload["report"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def put(folder: Path, entry: str, rows: list[dict[str, Any]], report: FileReport) -> None:
    """Store (rows, report) under `entry`; a read-only or full disk only costs a re-parse next time."""
    try:
        data = dumps({"key": entry, "rows": rows, "report": report_to_json(report)})
        folder.mkdir(parents=True, exist_ok=True)
        atomic.write_atomic(folder / f"{entry}.json", data)
    except (OSError, TypeError, ValueError):
        pass


def prune(folder: Path, used: set[str]) -> None:
    """Drop entries not in `used` (files gone from the library, older parser versions) and old temp files."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        stale = path.suffix == ".json" and path.stem not in used
        if stale or (path.name.startswith(atomic.TEMP_PREFIX) and atomic.older_than(path, 3600)):
            with contextlib.suppress(OSError):
                path.unlink()


def report_to_json(report: FileReport) -> dict[str, Any]:
    """A FileReport as plain values for `dumps` (the inverse of `report_from_json`)."""
    fields = {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
    fields["problems"] = [dataclasses.astuple(p) for p in report.problems]
    return fields


def report_from_json(fields: dict[str, Any]) -> FileReport:
    """The FileReport written by `report_to_json` (a fresh object: callers may change it)."""
    fields = dict(fields)
    fields["problems"] = [Problem(*p) for p in fields["problems"]]
    return FileReport(**fields)


def dumps(value: Any) -> bytes:
    """JSON bytes of `value`; dates and datetimes are tagged so that `loads` gives them back."""
    return json.dumps(value, default=_json_encode, ensure_ascii=False).encode("utf-8")


def loads(data: bytes) -> Any:
    """The value written by `dumps`."""
    return json.loads(data, object_hook=_json_decode)


@cache  # asked once per file on every load: 25,000 times on a national corpus
def _report_shape() -> str:
    """Field names of FileReport and Problem: cached reports of another shape are not reused."""
    return ",".join(f.name for cls in (FileReport, Problem) for f in dataclasses.fields(cls))


def _json_encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _json_decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$date" in obj:
            return dt.date.fromisoformat(obj["$date"])
        if "$datetime" in obj:
            return dt.datetime.fromisoformat(obj["$datetime"])
    return obj
