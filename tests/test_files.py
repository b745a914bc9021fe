"""The one file walker and guarded read (`loaders.files`) as load, add, uploads and the library use them:
hidden folders (.trash, .cache) never picked up, FIFOs and links to /dev/zero refused by name without
hanging or filling memory, the size limit held while reading; and `add` priming the parse cache."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

import loaders
from loaders import files
from loaders.library import NEW, REFUSED, Library
from tests.conftest import SEEDS
from tests.test_cli import run

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """Fail (instead of hanging for ever) when anything blocks: a FIFO opened for reading waits for a writer."""

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError("blocked: a special file was opened or read")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def specials(folder: Path) -> tuple[Path, Path]:
    """A FIFO and a symbolic link to /dev/zero, both with a digest extension, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    fifo, zero = folder / "pipe.txt", folder / "zero.txt"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    return fifo, zero


# ------------------------------------------------------------------------ walker and read


def test_walk_skips_hidden_folders_and_keeps_special_files_for_the_read(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for rel in (
        "a.txt",
        "sub/b.md",
        "c.pdf",
        ".hidden.txt",
        ".trash/x/old.txt",
        ".cache/parse/y.txt",
        "sub/.tmp-1.txt",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x", encoding="utf-8")
    (root / "linked").symlink_to(root / "sub", target_is_directory=True)  # not followed: no second b.md
    fifo, zero = specials(root)
    assert files.walk_folder(root) == sorted([root / "a.txt", fifo, root / "sub/b.md", zero])
    assert list(files.walk([root / "c.pdf", root / "sub"])) == [root / "c.pdf", root / "sub/b.md"]
    assert files.walk_folder(root, (".pdf",)) == [root / "c.pdf"]


def test_read_refuses_special_files_without_reading_and_holds_the_limit(tmp_path: Path) -> None:
    fifo, zero = specials(tmp_path)
    for path, kind in ((fifo, "named pipe (FIFO)"), (zero, "device"), (tmp_path, "folder")):
        with pytest.raises(files.ReadRefused) as exc:
            files.read_file(path)
        assert exc.value.code == "wrong_type" and kind in exc.value.reason
        assert str(path) in str(exc.value)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(files.ReadRefused, match="over the") as exc:
        files.read_file(big, limit=100)
    assert exc.value.code == "too_large"
    assert files.read_file(big, limit=101) == b"x" * 101
    # /proc files say size 0 but hold more: the limit is enforced on what is read, not on what stat says.
    with pytest.raises(files.ReadRefused, match="over the"):
        files.read_file("/proc/self/maps", limit=10)


# ------------------------------------------------------------------------ load, add, the library


def test_load_refuses_fifo_and_dev_zero_by_name_and_loads_the_rest(tmp_path: Path) -> None:
    fifo, zero = specials(tmp_path / "in")
    items, report = loaders.load([fifo, zero, SEEDS[0]])
    assert items["digest_id"].nunique() == 1
    failed = {f.path: f.errors[0] for f in report.failed}
    assert set(failed) == {str(fifo), str(zero)}
    assert failed[str(fifo)].code == "wrong_type" and "FIFO" in failed[str(fifo)].message
    assert "device" in failed[str(zero)].message
    # The same files found in a folder: refused too, not skipped in silence.
    _, report = loaders.load([tmp_path / "in"])
    assert {f.path for f in report.failed} == {str(fifo), str(zero)}


def test_cli_load_and_add_of_special_files_end_with_their_names(tmp_path: Path) -> None:
    fifo, zero = specials(tmp_path / "in")
    result = run(str(fifo), str(zero), "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 1 and "pipe.txt" in result.stdout and "zero.txt" in result.stdout
    result = run("add", str(fifo), str(zero), "--yes", env_dir=tmp_path / "lib")
    assert result.returncode == 1
    assert f"REFUSED   {fifo}: a named pipe (FIFO), not a regular file" in result.stdout
    assert f"REFUSED   {zero}: a device, not a regular file" in result.stdout
    assert not (tmp_path / "lib" / "digests").exists()


def test_special_files_in_a_library_folder_are_listed_as_refused(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    lib.digests_dir.mkdir(parents=True)
    shutil.copy(SEEDS[0], lib.digests_dir / SEEDS[0].name)
    fifo, zero = specials(lib.digests_dir)
    items, report = lib.load()
    assert items["digest_id"].nunique() == 1
    assert {f.path for f in report.failed} == {str(fifo), str(zero)}
    errors = {e.file_name: e.errors for e in lib.entries()}
    assert "named pipe (FIFO)" in errors["pipe.txt"][0] and "device" in errors["zero.txt"][0]
    from ui.data import corpus_key

    assert corpus_key(lib.files())  # the dashboard's content key does not read them either


def test_add_folder_of_a_library_never_picks_up_trash_or_cache(tmp_path: Path) -> None:
    source = Library(tmp_path / "source")
    source.add(source.preview_paths(SEEDS[:3]))
    source.remove(source.entries()[0].file_name)  # now in .trash/
    source.load()  # fills .cache/parse/
    assert any(source.trash_dir.rglob("*.txt")) and any(source.cache_dir.glob("*.json"))
    kept = sorted(p.name for p in source.files())
    candidates = Library(tmp_path / "target").preview_paths([source.root])
    assert sorted(Path(c.name).name for c in candidates) == kept
    assert all(".trash" not in c.name and ".cache" not in c.name for c in candidates)
    result = run("add", str(source.root), "--yes", env_dir=tmp_path / "target")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 digest(s) added" in result.stdout and ".trash" not in result.stdout
    assert sorted(p.name for p in Library(tmp_path / "target").files()) == kept


def test_add_primes_the_parse_cache(tmp_path: Path, count_parses: list[str]) -> None:
    lib = Library(tmp_path / "lib")
    candidates = lib.preview_paths(SEEDS)
    assert [c.status for c in candidates] == [NEW] * len(SEEDS)
    assert len(count_parses) == len(SEEDS)  # the preview parsed each file once
    count_parses.clear()
    result = lib.add(candidates)
    assert len(result.added) == len(SEEDS)
    items, report = Library(lib.root).load()
    assert count_parses == []  # nothing parsed again: add stored its parses in the cache
    expected, _ = loaders.load([lib.digests_dir])
    assert items.equals(expected)  # and the cached parses are what a fresh parse gives
    assert [f.path for f in report.files] == [str(p) for p in lib.files()]


def test_upload_preview_refuses_special_files_by_name(tmp_path: Path) -> None:
    fifo, zero = specials(tmp_path / "in")
    candidates = Library(tmp_path / "lib").preview_paths([fifo, zero])
    assert [(c.status, c.code, c.name) for c in candidates] == [
        (REFUSED, "wrong_type", str(fifo)),
        (REFUSED, "wrong_type", str(zero)),
    ]
