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
