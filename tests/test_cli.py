"""`python -m loaders`: the export (PATH... --out FILE) and the library commands (add, list, remove, trash,
restore), their confirmations and their exit codes (0 done, 1 bad input, 2 usage)."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from loaders.__main__ import main
from loaders.library import Library
from tests.conftest import ROOT, SEEDS
from tests.test_export import read_csv_export
from tests.test_library import ALTERED_002, SEED_002, snapshot, zip_bytes

SEED_DIR = ROOT / "data" / "digests"


def run(*args: str, env_dir: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m loaders ARGS` for real, from the project folder, with no terminal on stdin."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("DASHBOARD_DATA_DIR", None)
    if env_dir is not None:
        env["DASHBOARD_DATA_DIR"] = str(env_dir)
    return subprocess.run(
        [sys.executable, "-m", "loaders", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin if stdin is not None else "",
        timeout=300,
    )


class Terminal(io.StringIO):
    """Stands for a person at a terminal typing the given answers."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def library_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "library"
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    return root


def answering(monkeypatch, answers: str) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(answers))


def no_terminal(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # piped input is not a confirmation


# ------------------------------------------------------------------------ the export


def test_export_csv_is_utf8_with_bom_and_joins_lists(tmp_path):
    out = tmp_path / "items.csv"
    result = run(str(SEED_DIR), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "5 digest(s) loaded, 0 failed; 70 items" in result.stdout
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    meta, table = read_csv_export(data)
    assert meta["Item rows"] == "70" and meta["Digests"] == "5"
    assert len(table) == 70
    # Seed 004: "(Kế hoạch số 143/KH-UBND …) Kế hoạch thực hiện Quyết định số 221/QĐ-TTg … sửa đổi, bổ sung
    # Quyết định số 200/QĐ-TTg …"
    row = table[table["doc_symbol"] == "143/KH-UBND"].iloc[0]
    assert row["cited_documents"] == "221/QĐ-TTg; 200/QĐ-TTg"
    assert row["doc_date"] == "2022-06-20" and row["week_start"] == "2022-06-20"
    lead = table[table["doc_symbol"] == "1049/UBND-KT"].iloc[0]
    assert lead["lead_agencies"] == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh; Sở Xây dựng"


def test_export_xlsx_and_parquet(tmp_path):
    xlsx, parquet = tmp_path / "items.xlsx", tmp_path / "items.parquet"
    assert main([str(SEED_DIR), "--out", str(xlsx)]) == 0
    assert main([str(SEED_DIR), "--out", str(parquet)]) == 0
    sheet = pd.read_excel(xlsx, keep_default_na=False)
    assert len(sheet) == 70
    assert sheet.loc[sheet["doc_symbol"] == "143/KH-UBND", "cited_documents"].item() == "221/QĐ-TTg; 200/QĐ-TTg"
    frame = pd.read_parquet(parquet)
    assert len(frame) == 70
    assert list(frame.loc[frame["doc_symbol"] == "143/KH-UBND", "cited_documents"].item()) == [
        "221/QĐ-TTg",
        "200/QĐ-TTg",
    ]


def test_export_exits_1_when_nothing_loads_and_writes_nothing(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "note.txt").write_text("Không phải bản tin.\n", encoding="utf-8")
    out = tmp_path / "items.csv"
    result = run(str(folder), "--out", str(out))
    assert result.returncode == 1
    assert "note.txt" in result.stdout and "not a weekly digest" in result.stdout
    assert "Nothing could be loaded" in result.stderr
    assert not out.exists()


def test_export_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([str(SEED_DIR), "--out", str(tmp_path / "items.json")])
    assert exc.value.code == 2
    assert "--out must end in one of .csv, .xlsx, .parquet" in capsys.readouterr().err


# ------------------------------------------------------------------------ add


def test_add_list_remove_trash_restore_for_real(tmp_path):
    root = tmp_path / "lib"
    added = run("add", str(SEED_DIR), "--yes", env_dir=root)
    assert added.returncode == 0, added.stderr
    assert "5 digest(s) added" in added.stdout
    expected = {f"digests/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS}
    assert snapshot(root) == expected

    listed = run("list", env_dir=root)
    assert listed.returncode == 0
    assert "5 file(s)" in listed.stdout and "7a2c3472308634cb  07/08/2023–13/08/2023     24" in listed.stdout

    refused = run("remove", "7a2c3472308634cb", env_dir=root)  # stdin is not a terminal, no --yes
    assert refused.returncode == 2 and "pass --yes" in refused.stderr
    assert snapshot(root) == expected

    removed = run("remove", "7a2c3472308634cb", "--yes", env_dir=root)
    assert removed.returncode == 0
    trash_id = removed.stdout.split("python -m loaders restore ")[1].split()[0]
    trash = run("trash", env_dir=root)
    assert trash_id in trash.stdout and "001_6a1a74cf8d1e2b76.txt" in trash.stdout and "(removed)" in trash.stdout

    restored = run("restore", trash_id, env_dir=root)
    assert restored.returncode == 0 and "Restored 001_6a1a74cf8d1e2b76.txt" in restored.stdout
    assert snapshot(root) == expected
    assert run("restore", trash_id, env_dir=root).returncode == 1  # gone from the trash


def test_add_shows_the_preview_and_asks(library_dir, monkeypatch, capsys):
    answering(monkeypatch, "n\n")
    assert main(["add", str(SEEDS[0])]) == 0
    out = capsys.readouterr().out
    assert "NEW" in out and "week 17/03/2025–23/03/2025, 7 items, 5 warning(s)" in out
    assert "warning: year_conflict" in out and "Add 1 digest(s)" in out and "Cancelled" in out
    assert snapshot(library_dir) == {}
    answering(monkeypatch, "y\n")
    assert main(["add", str(SEEDS[0])]) == 0
    assert list(snapshot(library_dir)) == [f"digests/{SEEDS[0].name}"]


def test_add_without_a_terminal_needs_yes(library_dir, monkeypatch, capsys):
    no_terminal(monkeypatch)
    assert main(["add", str(SEEDS[0])]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert snapshot(library_dir) == {}


def test_adding_the_same_digests_again_does_nothing(library_dir, monkeypatch, capsys):
    no_terminal(monkeypatch)
    assert main(["add", str(SEED_DIR), "--yes"]) == 0
    before = snapshot(library_dir)
    capsys.readouterr()
    assert main(["add", str(SEED_DIR)]) == 0  # nothing to confirm
    out = capsys.readouterr().out
    assert out.count("SAME") == 5 and "Nothing to add." in out
    assert snapshot(library_dir) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("digest.pdf", SEED_002, "not a digest file (.pdf)"),
        ("evil.zip", zip_bytes({"../evil.txt": SEED_002}), "'../evil.txt' points outside the folder"),
        ("note.txt", "Không phải bản tin.\n".encode(), "not a weekly digest"),
    ],
)
def test_add_refuses_bad_input_with_exit_1(library_dir, tmp_path, monkeypatch, capsys, name, data, message):
    no_terminal(monkeypatch)
    main(["add", str(SEEDS[0]), "--yes"])
    before = snapshot(library_dir)
    path = tmp_path / name
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["add", str(path), "--yes"]) == 1
    out = capsys.readouterr().out
    assert f"REFUSED   {path}: " in out and message in out
    assert snapshot(library_dir) == before


def test_add_stores_the_good_files_and_still_reports_the_refused_with_exit_1(
    library_dir, tmp_path, monkeypatch, capsys
):
    bad = tmp_path / "bad.txt"
    bad.write_text("Không phải bản tin.\n", encoding="utf-8")
    assert main(["add", str(SEEDS[2]), str(bad), "--yes"]) == 1
    assert "1 digest(s) added, 0 moved to the trash, 1 refused." in capsys.readouterr().out
    assert list(snapshot(library_dir)) == [f"digests/{SEEDS[2].name}"]


def test_add_a_zip(library_dir, tmp_path, monkeypatch):
    upload = tmp_path / "tuan.zip"
    upload.write_bytes(zip_bytes({p.name: p.read_bytes() for p in SEEDS}))
    assert main(["add", str(upload), "--yes"]) == 0
    assert sorted(snapshot(library_dir)) == [f"digests/{p.name}" for p in SEEDS]


def test_add_a_file_over_the_size_limit(library_dir, tmp_path, capsys):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024 + 1)
    assert main(["add", str(big), "--yes"]) == 1
    assert f"{big}: 20 MB is over the 20 MB limit" in capsys.readouterr().out
    assert snapshot(library_dir) == {}


# ------------------------------------------------------------------------ conflicts


@pytest.fixture
def conflict(library_dir, tmp_path, monkeypatch) -> Path:
    no_terminal(monkeypatch)
    main(["add", str(SEED_DIR / "002_0b14f9dcf9426668.txt"), "--yes"])
    path = tmp_path / "002-altered.txt"
    path.write_bytes(ALTERED_002)
    return path


def test_conflicts_keep_the_stored_digest_unless_told_otherwise(conflict, library_dir, capsys):
    before = snapshot(library_dir)
    capsys.readouterr()
    assert main(["add", str(conflict), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "CONFLICT" in out and "vs 002_0b14f9dcf9426668.txt: 1 item(s) only in the upload" in out
    assert "use --replace or --keep-both" in out
    assert snapshot(library_dir) == before


def test_yes_keeps_the_complete_digest_of_a_week_stored_truncated(library_dir, tmp_path, monkeypatch, capsys):
    from tests.test_library import TRUNCATED_002

    no_terminal(monkeypatch)
    cut = tmp_path / "002-cut.txt"
    cut.write_bytes(TRUNCATED_002)
    assert main(["add", str(cut), "--yes"]) == 0
    capsys.readouterr()
    assert main(["add", str(SEED_DIR / "002_0b14f9dcf9426668.txt"), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "looks truncated" in out and "this one is complete" in out
    assert "trashed  002-cut.txt (replaced by 002_0b14f9dcf9426668.txt)" in out
    assert sorted(p.name for p in (library_dir / "digests").iterdir()) == ["002_0b14f9dcf9426668.txt"]


def test_conflict_replace(conflict, library_dir, capsys):
    assert main(["add", str(conflict), "--yes", "--replace"]) == 0
    assert "trashed  002_0b14f9dcf9426668.txt (replaced by 002-altered.txt)" in capsys.readouterr().out
    assert [e.file_name for e in Library().entries()] == ["002-altered.txt"]
    assert [t.original for t in Library().trash()] == ["002_0b14f9dcf9426668.txt"]


def test_conflict_keep_both(conflict, library_dir):
    assert main(["add", str(conflict), "--yes", "--keep-both"]) == 0
    assert sorted(e.file_name for e in Library().entries()) == ["002-altered.txt", "002_0b14f9dcf9426668.txt"]


def test_conflict_choice_at_the_terminal(conflict, library_dir, monkeypatch):
    answering(monkeypatch, "r\ny\n")  # replace, then confirm
    assert main(["add", str(conflict)]) == 0
    assert [e.file_name for e in Library().entries()] == ["002-altered.txt"]


def test_replace_and_keep_both_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["add", "x.txt", "--replace", "--keep-both"])
    assert exc.value.code == 2


# ------------------------------------------------------------------------ remove, trash, restore


def test_remove_asks_and_can_be_cancelled(library_dir, monkeypatch, capsys):
    no_terminal(monkeypatch)
    main(["add", str(SEED_DIR), "--yes"])
    before = snapshot(library_dir)
    answering(monkeypatch, "n\n")
    assert main(["remove", "e08f33a1ed7cd079"]) == 0
    assert (
        "Move 003_92956dbfc23f0d06.txt (week 28/10/2024–03/11/2024, 22 items) to the trash?" in capsys.readouterr().out
    )
    assert snapshot(library_dir) == before
    answering(monkeypatch, "y\n")
    assert main(["remove", "e08f33a1ed7cd079"]) == 0
    assert "digests/003_92956dbfc23f0d06.txt" not in snapshot(library_dir)


def test_remove_or_restore_unknown_exits_1(library_dir, monkeypatch, capsys):
    no_terminal(monkeypatch)
    main(["add", str(SEEDS[0]), "--yes"])
    before = snapshot(library_dir)
    assert main(["remove", "0123456789abcdef", "--yes"]) == 1
    assert "no digest '0123456789abcdef'" in capsys.readouterr().err
    assert main(["restore", "20250101-000000-deadbeef"]) == 1
    assert "no '20250101-000000-deadbeef' in the trash" in capsys.readouterr().err
    assert snapshot(library_dir) == before


def test_list_and_trash_of_an_empty_library(library_dir, capsys):
    assert main(["list"]) == 0
    assert main(["trash"]) == 0
    out = capsys.readouterr().out
    assert f"Library: {library_dir} — 0 file(s)" in out and "0 file(s)" in out.splitlines()[-1]


def test_list_shows_files_that_do_not_load(library_dir, capsys):
    (library_dir / "digests").mkdir(parents=True)
    (library_dir / "digests" / "note.txt").write_text("Không phải bản tin.\n", encoding="utf-8")
    assert main(["list"]) == 0
    assert "error: no digest title" in capsys.readouterr().out
