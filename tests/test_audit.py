"""The library's audit log (loaders/audit.py) after each action, from Python, the CLI and the page; and writes
killed half-way (a process SIGKILLed at a hook between two file operations) finished by the next writer.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import signal
from pathlib import Path

import pytest

import loaders.library as library_module
from loaders import atomic, audit
from loaders.library import REPLACE, Library, LibraryError
from tests.conftest import SEEDS, app_maker, copy_library, kill_when_ready, snapshot
from tests.test_library import ALTERED_002, SEED_002, seed_library

NAME_002 = SEEDS[2].name
ID_002 = "7e16c4bbbc46f45a"  # digest 002's id (the hash of its normalised text)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return seed_library(tmp_path / "lib")


def lines(library: Library) -> list[dict]:
    """The log as written, oldest first."""
    return [json.loads(x) for x in library.audit_path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------------------------------------ each action


def test_each_action_appends_one_record_naming_who_what_and_which_bytes(lib: Library) -> None:
    [cand] = lib.preview([("002-sua.txt", ALTERED_002)])
    lib.add([cand], {cand.digest_id: REPLACE}, who="bien.tap@langson.gov.vn")
    trashed = lib.trash()[0]
    lib.restore(trashed.trash_id, who="password editor")
    lib.remove("002-sua.txt", who="local")
    new_2019 = ALTERED_002.replace(b"2020", b"2019")
    lib.add(lib.preview([("tuan-2019.txt", new_2019)]), who="local")

    log = lines(lib)
    assert [(r["action"], r["who"], r["file"]) for r in log] == [
        ("replace", "bien.tap@langson.gov.vn", "002-sua.txt"),
        ("restore", "password editor", NAME_002),
        ("remove", "local", "002-sua.txt"),
        ("add", "local", "tuan-2019.txt"),
    ]
    replace, restore, remove, add = log
    assert replace["sha256"] == sha(ALTERED_002) and replace["digest_id"] == cand.digest_id
    assert replace["week"] == "2020-03-02" and replace["upload"] == "002-sua.txt"
    assert replace["replaced"] == [
        {
            "file": NAME_002,
            "digest_id": ID_002,
            "sha256": sha(SEED_002),
            "week": "2020-03-02",
            "trash_id": trashed.trash_id,
        }
    ]
    assert (restore["digest_id"], restore["sha256"], restore["trash_id"]) == (ID_002, sha(SEED_002), trashed.trash_id)
    assert remove["sha256"] == sha(ALTERED_002) and remove["trash_id"] == lib.trash()[0].trash_id
    assert add["sha256"] == sha(new_2019) and add["week"] == "2019-03-02"  # the title's week, moved to 2019
    for r in log:
        when = dt.datetime.fromisoformat(r["time"].replace("Z", "+00:00"))
        assert r["time"].endswith("Z") and abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=5)
    assert len({r["id"] for r in log}) == 4
    assert lib.log() == log[::-1] and lib.log(limit=1) == [add], "latest first"


def test_the_os_user_is_who_by_default(lib: Library) -> None:
    lib.remove(NAME_002)
    assert lines(lib)[0]["who"] == getpass.getuser()


def test_refusals_failures_and_no_ops_log_nothing(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    lib.add(lib.preview([("ban-sao.txt", SEED_002), ("rong.txt", b"")]))  # already stored; not a digest
    with pytest.raises(LibraryError):
        lib.remove("ffffffffffff")
    with pytest.raises(LibraryError):
        lib.restore("nope")
    monkeypatch.setattr(atomic, "rename", lambda *a: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    with pytest.raises(LibraryError):
        lib.remove(NAME_002)
    assert not lib.audit_path.exists() and not lib.pending()


def test_a_failing_log_write_undoes_the_action(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """No change without its record: when the log cannot be written, the change is undone."""
    before = snapshot(lib.root)
    monkeypatch.setattr(audit, "append", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    [cand] = lib.preview([("002-sua.txt", ALTERED_002)])
    with pytest.raises(LibraryError, match="No space left"):
        lib.add([cand], {cand.digest_id: REPLACE})
    with pytest.raises(LibraryError, match="No space left"):
        lib.remove(NAME_002)
    assert snapshot(lib.root) == before and lib.trash() == []


def test_a_line_cut_by_a_crash_is_skipped_and_the_next_record_starts_a_new_line(lib: Library) -> None:
    lib.remove(NAME_002)
    with lib.audit_path.open("ab") as fh:
        fh.write(b'{"id": "cut", "time": "2026-')  # a crash in the middle of a write
    lib.restore(lib.trash()[0].trash_id)
    assert [r["action"] for r in lib.log()] == ["restore", "remove"]
    assert lib.audit_path.read_bytes().count(b"\n") == 3


# ------------------------------------------------------------------------------------------ the CLI


def test_the_log_command_shows_the_latest_first(lib: Library, monkeypatch, capsys) -> None:
    from loaders.__main__ import main

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(lib.root))
    assert main(["remove", NAME_002, "--yes"]) == 0
    trash_id = lib.trash()[0].trash_id
    assert main(["restore", trash_id]) == 0
    capsys.readouterr()
    assert main(["log"]) == 0
    out = capsys.readouterr().out
    assert "2 record(s)" in out
    assert out.index("restore") < out.index("remove"), out
    assert f"by {getpass.getuser()}" in out and f"trash {trash_id}" in out and ID_002 in out
    assert main(["log", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 record(s)" in out and "remove " not in out


# ------------------------------------------------------------------------------------------ the page


def test_the_page_shows_the_log_latest_first_with_who(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_library(tmp_path / "library")
    make = app_maker(root, monkeypatch)
    at = make().run()
    at.switch_page("pages/library.py").run()
    assert any("Chưa có thay đổi" in c.value for c in at.caption)
    at.selectbox(key="library_remove_pick").set_value(NAME_002).run()
    next(c for c in at.checkbox if (c.key or "").startswith("library_remove_ok_")).check().run()
    at.button(key="library_remove").click().run()
    at.button(key="library_restore").click().run()
    assert not at.exception
    log = next(d.value for d in at.dataframe if "Người thực hiện" in d.value.columns)
    assert log["Thao tác"].tolist() == ["khôi phục", "xóa"]
    assert log["Người thực hiện"].tolist() == ["local", "local"]
    assert log["Tệp"].tolist() == [NAME_002, NAME_002] and log["Mã bản tin"].tolist() == [ID_002[:12]] * 2
    assert [r["action"] for r in Library(root).log()] == ["restore", "remove"]


# ------------------------------------------------------------------------------------------ killed half-way


def _killed_at(root: str, hook: str, ready) -> None:
    """Replace digest 002 by its altered version, and stop dead at `hook` (the parent SIGKILLs us)."""

    def stop(*args, **kwargs):
        ready.set()
        signal.pause()

    if hook == "before_trash":
        Library._move_to_trash = stop  # the new file is stored; the old one is not trashed yet
    elif hook == "before_log":
        library_module.audit.append = stop  # both files moved; the record not yet written
    elif hook == "before_new_file":
        real = atomic.rename
        atomic.rename = lambda s, t: stop() if t.parent.name == "digests" else real(s, t)
    library = Library(root)
    [cand] = library.preview([("002-sua.txt", ALTERED_002)])
    library.add([cand], {cand.digest_id: REPLACE})


def kill_at(lib: Library, hook: str) -> None:
    kill_when_ready(_killed_at, str(lib.root), hook)
    assert lib.pending(), "the journal of the dead writer is left"


@pytest.mark.parametrize("hook", ["before_trash", "before_log"])
def test_a_replace_killed_between_its_steps_is_finished_by_the_next_writer(lib: Library, hook: str) -> None:
    kill_at(lib, hook)
    stored = {p.name: p.read_bytes() for p in lib.digests_dir.iterdir() if p.is_file()}
    if hook == "before_trash":
        assert stored[NAME_002] == SEED_002 and stored["002-sua.txt"] == ALTERED_002, "both files are there"
    finished = lib.recover()
    assert [(r["action"], r["file"], r.get("recovered")) for r in finished] == [("replace", "002-sua.txt", True)]
    assert not lib.pending()
    stored = {p.name: p.read_bytes() for p in lib.digests_dir.iterdir() if p.is_file()}
    assert NAME_002 not in stored and stored["002-sua.txt"] == ALTERED_002 and len(stored) == 5
    [trashed] = lib.trash()
    assert (trashed.original, trashed.reason) == (NAME_002, "replaced by 002-sua.txt")
    assert (lib.trash_dir / trashed.trash_id / trashed.file_name).read_bytes() == SEED_002
    assert [r["action"] for r in lib.log()] == ["replace"], "logged once"
    assert lib.log()[0]["replaced"][0]["trash_id"] == trashed.trash_id
    assert lib.recover() == [] and len(lib.log()) == 1, "finishing is done once"


def test_a_replace_killed_before_its_new_file_was_stored_is_dropped(lib: Library) -> None:
    before = snapshot(lib.root)
    kill_at(lib, "before_new_file")
    assert lib.recover() == []
    assert snapshot(lib.root) == before and lib.log() == [] and not lib.pending()


def test_the_cli_rerun_of_an_interrupted_replace_finishes_it(lib: Library, tmp_path: Path) -> None:
    from tests.test_cli import run

    kill_at(lib, "before_trash")
    upload = tmp_path / "002-sua.txt"
    upload.write_bytes(ALTERED_002)
    result = run("add", str(upload), "--replace", "--yes", env_dir=lib.root)
    assert result.returncode == 0, result.stderr
    assert "finished an interrupted replace of 002-sua.txt" in result.stdout
    assert "SAME" in result.stdout, "then the upload is already stored"
    assert NAME_002 not in {p.name for p in lib.digests_dir.iterdir()}
    assert [t.original for t in lib.trash()] == [NAME_002]


def test_opening_the_dashboard_finishes_an_interrupted_replace(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first load takes the lock to refresh the items store, and so finishes the dead writer's steps (the
    library page would otherwise do it for an editor): the dashboard never shows both digests of the week."""
    kill_at(lib, "before_trash")
    at = app_maker(lib.root, monkeypatch)().run()
    at.switch_page("pages/library.py").run()
    assert not at.exception
    assert not lib.pending() and [t.original for t in lib.trash()] == [NAME_002]
    assert [(r["action"], r["recovered"]) for r in lib.log()] == [("replace", True)]
    entries = next(d.value for d in at.dataframe if "Tiêu đề bản tin" in d.value.columns)
    assert NAME_002 not in entries["Tệp"].tolist() and "002-sua.txt" in entries["Tệp"].tolist()


def _remove_killed_after_the_sidecar(root: str, ready) -> None:
    real = atomic.rename

    def stop(source, target):
        if target.parent.parent.name == ".trash" and target.name != library_module.TRASH_META:
            ready.set()
            signal.pause()
        real(source, target)

    atomic.rename = stop
    Library(root).remove(NAME_002)


def test_a_removal_killed_after_its_sidecar_is_finished_by_the_next_writer(lib: Library) -> None:
    kill_when_ready(_remove_killed_after_the_sidecar, str(lib.root))
    assert lib.trash() == [], "a trash entry without its file does not count"
    assert [r["action"] for r in lib.recover()] == ["remove"]
    assert [t.original for t in lib.trash()] == [NAME_002] and not (lib.digests_dir / NAME_002).exists()
