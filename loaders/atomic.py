"""Crash-safe file writes and the writers' lock, for the library folder.

A write goes to a temporary file in the target folder (named `.tmp-*.part`, so that readers skip it), is
flushed and fsynced, then renamed into place, and the folder is fsynced: a crash or a full disk leaves the
old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from pathlib import Path

TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".part"

try:  # POSIX
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take the exclusive lock on `fd` without waiting; False when another process holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def unlock(fd: int) -> None:
        """Release the lock taken by `try_lock`."""
        fcntl.flock(fd, fcntl.LOCK_UN)
except ImportError:  # Windows: lock the lock file's first byte instead
    import msvcrt

    def try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte to `fd` (a separate function so that tests can simulate a full disk)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def rename(source: Path, target: Path) -> None:
    """The atomic step of a write (a separate function so that tests can crash just before it)."""
    os.replace(source, target)


def write_atomic(path: Path, data: bytes, *more: bytes) -> None:
    """Write `path` all or nothing: temp file in the same folder, fsync, rename, fsync the folder.
    `more`: bytes written after `data` (parts of one file never joined in memory)."""
    tmp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            for part in (data, *more):
                write_all(fd, part)
            os.fsync(fd)
        finally:
            os.close(fd)
        rename(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be fsynced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.EACCES):
            raise
    finally:
        os.close(fd)


def older_than(path: Path, seconds: float) -> bool:
    """True when `path` was last modified more than `seconds` ago."""
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False
