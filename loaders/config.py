"""Where things live: the library folder (raw digests) and the bundled vocabularies."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLED_DATA_DIR = PROJECT_DIR / "data"
VOCAB_DIR = BUNDLED_DATA_DIR / "vocab"
DATA_DIR_ENV = "DASHBOARD_DATA_DIR"

#: Digest files bigger than this are refused before being read (a weekly digest is ~10–70 kB).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: File extensions the loader reads; anything else in a folder is skipped.
DIGEST_SUFFIXES = (".txt", ".html", ".htm", ".md")


def data_dir() -> Path:
    """The library folder: $DASHBOARD_DATA_DIR when set, else the bundled data/ folder."""
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(env).expanduser().resolve() if env else BUNDLED_DATA_DIR


def digests_dir() -> Path:
    """The folder of raw digest files inside the library."""
    return data_dir() / "digests"
