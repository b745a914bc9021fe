"""Where things live: the library folder (raw digests), the bundled vocabularies and province profiles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLED_DATA_DIR = PROJECT_DIR / "data"
#: National vocabularies (document types, sectors, central issuers): the same for every province.
NATIONAL_VOCAB_DIR = BUNDLED_DATA_DIR / "vocab"
#: Province profiles, one folder each (data/provinces/<id>/: profile.yaml, units, leaders, divisions …).
PROVINCES_DIR = BUNDLED_DATA_DIR / "provinces"


#: The safe YAML loader, libyaml's when PyYAML has it (several times faster on the divisions and i18n files).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The data of a YAML file, read with the safe loader (OSError, yaml.YAMLError for the caller to word)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)


def _default_profile() -> Path:
    """The folder named by data/provinces/default.yaml (a data file, so that no province is named in code)."""
    return PROVINCES_DIR / str(read_yaml(PROVINCES_DIR / "default.yaml")["profile"])


#: The default profile: the folder `loaders.vocab.load_vocab` reads when given none.
PROFILE_DIR = _default_profile()
#: The name callers used before profiles existed; it is the profile folder, which holds every
#: province-specific file (profile.yaml, units.yaml, portal.yaml …).
VOCAB_DIR = PROFILE_DIR
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
