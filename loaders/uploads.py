"""Uploads before they reach the library: files and folders read from disk, zips expanded in memory, and
safe file names. Anything that could write outside a folder or exhaust memory is refused, naming the file.
"""

from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from loaders.config import DIGEST_SUFFIXES, MAX_FILE_BYTES
from loaders.files import ReadRefused, mb, read_file, too_large, walk_folder

#: Upload extensions accepted besides the digest formats.
ZIP_SUFFIX = ".zip"
#: Refuse a zip with more members than this (a year of weekly digests is ~52).
MAX_ZIP_MEMBERS = 1000
#: Refuse a zip whose members add up to more than this once uncompressed (a year of digests is ~5 MB).
MAX_ZIP_TOTAL_BYTES = 50 * 1024 * 1024
#: Refuse a zip member, or a whole zip, compressed more than this ratio (text compresses ~3–10×; bombs ~1000×)…
MAX_ZIP_RATIO = 100
#: …once it expands to more than this (tiny files can have silly ratios harmlessly).
ZIP_RATIO_MIN_BYTES = 1024 * 1024
#: Longest stem (in UTF-8 bytes) of a stored file name, leaving room for "-2" suffixes.
MAX_NAME_BYTES = 150

# Zip members that are operating-system clutter, not uploads: skipped silently.
_ZIP_CLUTTER = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Refusal:
    """An upload (file, zip member, fetched page) refused before parsing: its name, a stable code, and why."""

    name: str  # the file, zip member or (loaders.fetch) URL
    code: str
    reason: str

    @property
    def message(self) -> str:
        """One line naming the upload and why it is refused."""
        return f"{self.name}: {self.reason}"


class UnsafeUpload(ValueError):
    """A zip refused as a whole; the message names the member."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def read_uploads(paths: Iterable[str | Path]) -> list[tuple[str, bytes] | Refusal]:
    """(name, bytes) of files and of the digest files and zips found in folders, or why one is refused.

    Folders are walked and files read by `loaders.files` (hidden folders such as a library's .trash and
    .cache skipped; FIFOs, devices and oversized files refused without being read).
    """
    out: list[tuple[str, bytes] | Refusal] = []
    accepted = (*DIGEST_SUFFIXES, ZIP_SUFFIX)
    for p in paths:
        path = Path(p)
        found = walk_folder(path, accepted) if path.is_dir() else [path]
        if not found:
            out.append(Refusal(str(path), "empty_folder", "no .txt, .html, .htm, .md or .zip file in this folder"))
        for f in found:
            suffix = f.suffix.lower()
            if suffix not in accepted:
                out.append(Refusal(str(f), "wrong_type", wrong_type(suffix)))
                continue
            try:
                out.append((str(f), read_file(f)))
            except ReadRefused as exc:
                out.append(Refusal(str(f), exc.code, exc.reason))
            except OSError as exc:
                out.append(Refusal(str(f), "unreadable", f"cannot read the file: {exc.strerror or exc}"))
    return out


def expand_zip(name: str, data: bytes) -> list[tuple[str, bytes] | Refusal]:
    """The digest files of a zip, read in memory: (display name, bytes), or a Refusal for a member.

    Raises UnsafeUpload, naming the member, for anything that could write outside a folder or exhaust
    memory: absolute paths, "..", symlinks, encryption, too many members, too much data, bomb ratios.
    Members that are not digest files are refused one by one; OS clutter (__MACOSX, .DS_Store) is skipped.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UnsafeUpload("bad_zip", f"not a readable zip file ({exc})") from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UnsafeUpload("unsafe_zip", f"{len(infos)} files in the zip: more than {MAX_ZIP_MEMBERS}")
    total = 0
    wanted: list[zipfile.ZipInfo] = []
    for info in infos:
        member = info.filename
        parts = member.replace("\\", "/").split("/")
        if member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member) or ".." in parts:
            raise UnsafeUpload("unsafe_zip", f"member '{member}' points outside the folder")
        if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeUpload("unsafe_zip", f"member '{member}' is a symbolic link")
        if info.is_dir() or _ZIP_CLUTTER.search(member.replace("\\", "/")) or parts[-1].startswith("."):
            continue
        if info.flag_bits & 0x1:
            raise UnsafeUpload("unsafe_zip", f"member '{member}' is password-protected")
        if info.file_size > MAX_FILE_BYTES:
            raise UnsafeUpload(
                "zip_bomb",
                f"member '{member}' is {mb(info.file_size)} uncompressed, over the "
                f"{mb(MAX_FILE_BYTES)} limit for one digest",
            )
        if info.file_size > ZIP_RATIO_MIN_BYTES and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise UnsafeUpload(
                "zip_bomb",
                f"member '{member}' expands {info.file_size // max(info.compress_size, 1)}"
                f"× when uncompressed: refused as a possible zip bomb",
            )
        total += info.file_size
        _check_total(total, len(data), member)
        wanted.append(info)
    out: list[tuple[str, bytes] | Refusal] = []
    read = 0
    for info in wanted:
        display = f"{name}/{info.filename}"
        suffix = PurePosixPath(info.filename.replace("\\", "/")).suffix.lower()
        if suffix not in DIGEST_SUFFIXES:
            out.append(Refusal(display, "wrong_type", wrong_type(suffix)))
            continue
        try:
            with archive.open(info) as fh:
                # Sizes in the zip's headers can lie: never read more than the limit.
                content = fh.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
            raise UnsafeUpload("bad_zip", f"member '{info.filename}' cannot be read ({exc})") from exc
        if len(content) > MAX_FILE_BYTES:
            raise UnsafeUpload(
                "zip_bomb", f"member '{info.filename}' is over the {mb(MAX_FILE_BYTES)} limit uncompressed"
            )
        read += len(content)
        _check_total(read, len(data), info.filename)  # what was really read, in case the headers lie
        out.append((display, content))
    return out


def _check_total(total: int, packed: int, member: str) -> None:
    """Refuse a zip whose members, up to `member`, expand beyond the total size or ratio limits."""
    if total > MAX_ZIP_TOTAL_BYTES:
        raise UnsafeUpload(
            "zip_bomb",
            f"the files add up to more than {mb(MAX_ZIP_TOTAL_BYTES)} uncompressed (at member '{member}')",
        )
    if total > ZIP_RATIO_MIN_BYTES and total > MAX_ZIP_RATIO * max(packed, 1):
        raise UnsafeUpload(
            "zip_bomb",
            f"the zip expands more than {MAX_ZIP_RATIO}× (to {mb(total)} at member '{member}'): "
            "refused as a possible zip bomb",
        )


def safe_name(name: str) -> str:
    """A safe file name for an upload: no folders, letters (Vietnamese too), digits and `-_.()` only."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name)[-1])
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower() if suffix.lower() in DIGEST_SUFFIXES else ".txt"
    stem = re.sub(r"[^\w\-.()]+", "_", stem).strip("._- ")
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:  # file systems limit names to 255 bytes
        stem = stem[:-1]
    stem = stem.rstrip("._- ") or "digest"
    if stem.upper() in _WINDOWS_RESERVED:
        stem += "_"
    return stem + suffix


def digest_files(uploads: Iterable[tuple[str, bytes] | Refusal]) -> Iterator[tuple[str, bytes] | Refusal]:
    """The digest files among uploads: zips expanded, wrong types and oversized files refused."""
    for upload in uploads:
        if isinstance(upload, Refusal):
            yield upload
            continue
        name, data = upload
        suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
        if len(data) > MAX_FILE_BYTES:
            yield Refusal(name, "too_large", too_large(len(data)))
        elif suffix == ZIP_SUFFIX:
            try:
                yield from expand_zip(name, data)
            except UnsafeUpload as exc:
                yield Refusal(name, exc.code, str(exc))
        elif suffix in DIGEST_SUFFIXES:
            yield name, data
        else:
            yield Refusal(name, "wrong_type", wrong_type(suffix))


def count_scripts(data: bytes) -> int:
    """How many <script> elements an HTML upload carries."""
    return len(re.findall(rb"<script\b", data[:MAX_FILE_BYTES], re.IGNORECASE))


def wrong_type(suffix: str) -> str:
    """Why a file with this extension is refused."""
    return (
        f"not a digest file ({suffix or 'no extension'}): only {', '.join(DIGEST_SUFFIXES)} files "
        f"or a {ZIP_SUFFIX} of them are accepted"
    )
