"""Shared fixtures and helpers: the bundled digests (parsed once per session), a copy of them as a library,
AppTest of the entrypoint, and a byte-for-byte snapshot of a library folder."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import signal
from collections.abc import Callable
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
    return copy_library(tmp_path_factory.mktemp("library"))


def copy_library(root: Path) -> Path:
    """Make `root` a library holding a copy of the bundled digests; return it."""
    shutil.copytree(ROOT / "data" / "digests", root / "digests")
    return root


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under a library root except the parse cache (disposable), the empty lock file and
    the audit log (append-only record keeping, checked by its own tests: a removal undone by a restore
    leaves the digests and the trash as they were, and two lines in the log)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".cache/") and rel not in (".lock", "audit.jsonl"):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def app_maker(root: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """A function making AppTests of the entrypoint on the library `root`, with optional URL parameters."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))

    def make(**params: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
        for key, value in params.items():
            at.query_params[key] = value
        return at

    return make


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """file name -> the callable a download button would run when clicked (captured during the run)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    captured: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def spy(
        self: object,
        data_callable: Callable[[], bytes],
        mimetype: str | None,
        coordinates: str,
        file_name: str | None = None,
        **kwargs: object,
    ) -> str:
        captured[file_name or ""] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return captured


def kill_when_ready(target: Callable[..., None], *args: object) -> None:
    """Run `target(*args, ready)` in a forked process and SIGKILL it once it sets `ready` (its hook reached)."""
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=target, args=(*args, ready))
    child.start()
    assert ready.wait(60), "the child never reached its hook"
    os.kill(child.pid, signal.SIGKILL)
    child.join(60)


@pytest.fixture
def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the library parses (not reads from a cache), in order."""
    calls: list[str] = []
    import loaders.library as library_module

    real = library_module.parse_bytes

    def counting(data, name, vocab=None):
        calls.append(name)
        return real(data, name, vocab)

    monkeypatch.setattr(library_module, "parse_bytes", counting)
    return calls


@pytest.fixture(scope="module")
def items(seed_items: tuple[object, object]) -> object:
    """The items frame of the bundled digests (a test file may define its own)."""
    return seed_items[0]


@pytest.fixture
def make_app(library_root: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """AppTests of the entrypoint on a copy of the bundled library (a test file may define its own)."""
    return app_maker(library_root, monkeypatch)
