"""The one file walker and the one guarded read, shared by `pipeline.load`, the library and uploads.

- `walk` / `walk_folder`: files named directly, and the files with a digest extension found in folders
  (recursively, sorted). Hidden files and folders are never picked up: the library's `.cache/`, `.trash/`
  and temporary `.tmp-*` files are not digests. Symbolic links to folders are not followed. Entries that are
  not regular files (FIFOs, devices, sockets, links to them) are *yielded*, so that the read refuses them by
  name instead of skipping them silently.
- `read_file`: the bytes of a regular file of at most `MAX_FILE_BYTES`. Anything else is refused without
  being read — a FIFO is never opened for a blocking read (it would wait forever for a writer), a link to
  /dev/zero never read (it would fill memory) — and the size limit holds even for a file that grows while
  it is read: never more than limit + 1 bytes are read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path

from loaders.config import DIGEST_SUFFIXES, MAX_FILE_BYTES


class ReadRefused(OSError):
    """A file refused before (or while) reading it: a stable problem code and the reason, naming the file."""

    def __init__(self, path: str | Path, code: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.code, self.reason = str(path), code, reason


def walk_folder(folder: Path, suffixes: Iterable[str] = DIGEST_SUFFIXES) -> list[Path]:
    """The non-hidden files under `folder` whose extension is in `suffixes`, sorted."""
    wanted = tuple(s.lower() for s in suffixes)
    # Each path's parts (they sort as the paths do, ~10x faster than paths), with its folder's Path: joining a
    # name to it is twice as fast as making a Path of the parts.
    found: list[tuple[tuple[str, ...], Path, str]] = []
    for top, dirs, names in os.walk(folder):  # followlinks=False: a link to a folder is not entered
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(top)
        parts = base.parts
        found.extend(((*parts, n), base, n) for n in names if not n.startswith(".") and _suffix(n) in wanted)
    found.sort(key=itemgetter(0))
    return [base.joinpath(name) for _, base, name in found]


def _suffix(name: str) -> str:
    """`Path(name).suffix.lower()` of a file name, without making a Path."""
    i = name.rfind(".")
    return name[i:].lower() if 0 < i < len(name) - 1 else ""


def walk(paths: Iterable[str | Path], suffixes: Iterable[str] = DIGEST_SUFFIXES) -> Iterator[Path]:
    """Each path named directly (whatever it is: `read_file` judges it), or for a folder its files with
    those extensions (see `walk_folder`)."""
    for p in paths:
        path = Path(p)
        yield from walk_folder(path, suffixes) if path.is_dir() else [path]


def mb(size: int) -> str:
    """A size for people: "20 MB", "350 kB"."""
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size / 1024:.0f} kB"


def too_large(size: int, limit: int = MAX_FILE_BYTES) -> str:
    """Why a file of `size` bytes is refused."""
    return f"{mb(size)} is over the {mb(limit)} limit for one digest"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _not_regular(path: Path, mode: int) -> ReadRefused:
    return ReadRefused(path, "wrong_type", f"{_kind(mode)}, not a regular file: refused without reading it")


def read_file(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at `path` (links followed), at most `limit` of them.

    Raises ReadRefused ("wrong_type" for anything but a regular file, "too_large" over the limit) or
    OSError (missing, no permission…); nothing blocks and at most limit + 1 bytes are read.
    """
    path = Path(path)
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(path, st.st_mode)
    if st.st_size > limit:
        raise ReadRefused(path, "too_large", too_large(st.st_size, limit))
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it still returns at once;
    # the fstat of the opened descriptor is the check that counts.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, st.st_mode)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ReadRefused(path, "too_large", too_large(len(data), limit))
    return data
