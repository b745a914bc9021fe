"""Shared fixtures: the bundled digests, parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "digests").glob("*.txt"))


@pytest.fixture(scope="session")
def seed_items():
    """(items, report) of the five bundled digests."""
    import loaders

    return loaders.load(SEEDS)


@pytest.fixture(scope="session")
def library_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library folder (`digests/` inside) holding a copy of the bundled digests, for app tests that must
    not write the parse cache into the repository."""
    import shutil

    root = tmp_path_factory.mktemp("library")
    shutil.copytree(ROOT / "data" / "digests", root / "digests")
    return root
