"""The library's audit log: one JSON object per line in `<library>/audit.jsonl`, appended, never rewritten.

Each line says when (UTC), who (an e-mail, "password editor", "local", or the operating-system user of the
CLI), what (add, replace, remove, restore, fetch…) and to which digest (file name, digest id, sha256 of the
bytes). `Library` appends under its writer lock, in one `write` per batch of whole lines on a file opened
with O_APPEND, then fsyncs. A line cut by a crash is skipped when reading, and the next append starts on a
new line, so one bad line never hides the others.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loaders import atomic

AUDIT_FILE = "audit.jsonl"
ADD, REPLACE, REMOVE, RESTORE, FETCH = "add", "replace", "remove", "restore", "fetch"
ACTIONS = (ADD, REPLACE, REMOVE, RESTORE, FETCH)


def default_who() -> str:
    """Who runs the CLI: the operating-system user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor the password database
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def event(action: str, who: str, **fields: Any) -> dict[str, Any]:
    """One audit record: an id (to recognise it when a crashed write is finished), time, who, action, fields."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"id": secrets.token_hex(8), "time": now, "who": who, "action": action, **fields}


def append(path: Path, events: Iterable[dict[str, Any]]) -> None:
    """Append `events` as whole lines in one write, and make them durable."""
    data = "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in events).encode("utf-8")
    if not data:
        return
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and _last_byte(path, size) != b"\n":  # a line cut by a crash: start a new one
            data = b"\n" + data
        atomic.write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        atomic.fsync_dir(path.parent)


def _last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(size - 1)
        return fh.read(1)


def read(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The log's records, latest first (at most `limit`); unreadable lines are skipped."""
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return []
    out: list[dict[str, Any]] = []
    for line in reversed(lines):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
            if limit is not None and len(out) >= limit:
                break
    return out


def logged_ids(path: Path) -> set[str]:
    """Ids of every record in the log."""
    return {str(r.get("id")) for r in read(path)}
