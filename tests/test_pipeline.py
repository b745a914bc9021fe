"""The loader end to end: the same digest in every supported form gives identical rows; bad input is
reported per file and never raises; schema validation; cross-digest identity."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest

import loaders
from loaders.digest import clean_lines
from loaders.pipeline import parse_bytes
from loaders.schema import COLUMN_NAMES, SchemaError, validate_items
from tests.conftest import SEEDS
from tests.legacy_encoders import to_cp1258, to_tcvn3, wrap_in_portal_html


def _variants(text: str) -> dict[str, bytes]:
    nfc = unicodedata.normalize("NFC", text)
    return {
        "utf8.txt": nfc.encode("utf-8"),
        "bom.txt": nfc.encode("utf-8-sig"),
        "utf16.txt": nfc.encode("utf-16"),
        "cp1258.txt": to_cp1258(nfc),
        "nfd.txt": unicodedata.normalize("NFD", nfc).encode("utf-8"),
        "crlf.txt": nfc.replace("\n", "\r\n").encode("utf-8"),
        "page.html": wrap_in_portal_html(nfc).encode("utf-8"),
    }


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["source"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_every_encoding_and_wrapping_gives_identical_rows(tmp_path, seed):
    text = seed.read_text(encoding="utf-8")
    reference = None
    for name, data in _variants(text).items():
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        (folder / name).write_bytes(data)
        items, report = loaders.load([folder])
        assert not report.failed, (name, report.summary_lines())
        if reference is None:
            reference = _comparable(items)
            assert len(reference) > 0
        else:
            pd.testing.assert_frame_equal(_comparable(items), reference, obj=name)


def test_old_tone_placement_gives_identical_rows(tmp_path):
    # "hóa" written "hoá", "Ủy" written "Uỷ", "thủy" written "thuỷ" everywhere in the digest.
    text = SEEDS[3].read_text(encoding="utf-8")
    old = text.replace("hóa", "hoá").replace("Ủy", "Uỷ").replace("ủy", "uỷ").replace("thủy", "thuỷ")
    assert old != text
    a, _ = parse_bytes(text.encode(), "new.txt")
    b, _ = parse_bytes(old.encode(), "old.txt")
    strip = [{k: v for k, v in row.items() if k != "source"} for row in a]
    assert strip == [{k: v for k, v in row.items() if k != "source"} for row in b]


def test_a_long_load_reports_progress():
    calls = []
    loaders.load(SEEDS, progress=lambda n, total, path: calls.append((n, total)))
    assert calls == [(n, 5) for n in range(1, 6)]


def _one(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    items, report = loaders.load([path])
    assert len(report.files) == 1
    return items, report.files[0]


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("empty.txt", b"", "empty_file", "empty"),
        ("blank.txt", b" \n\n  \r\n", "empty_file", "whitespace"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary_file", "binary"),
        ("legacy.txt", None, "legacy_encoding", "TCVN3"),
        (
            "novel.txt",
            "Hôm nay trời đẹp. Chúng tôi đi chơi công viên và ăn kem.\n".encode(),
            "not_a_digest",
            "not a weekly digest",
        ),
        (
            "title-only.txt",
            "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 07/8 đến ngày 13/8/2023)\n".encode(),
            "no_items",
            "truncated",
        ),
    ],
)
def test_bad_input_is_reported_not_raised(tmp_path, name, data, code, words):
    if data is None:
        data = to_tcvn3(SEEDS[0].read_text(encoding="utf-8"))
    items, report = _one(tmp_path, name, data)
    assert items.empty
    assert [p.code for p in report.errors] == [code]
    assert words.lower() in report.errors[0].message.lower()
    assert list(items.columns) == list(COLUMN_NAMES)


def test_a_200_mb_file_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: no 200 MB written to disk
        fh.truncate(200 * 2**20)
    items, report = loaders.load([huge, SEEDS[2]])
    assert [f.loaded for f in report.files] == [False, True]
    assert report.files[0].errors[0].code == "too_large"
    assert "200 MB" in report.files[0].errors[0].message
    assert len(items) == 8


def test_truncated_digest_keeps_what_is_there_and_warns(tmp_path):
    text = SEEDS[4].read_text(encoding="utf-8")
    cut = text[: text.index("Quyết định phê duyệt bổ sung nhiệm vụ giao cho các tổ chức hội", 2000) + 120]
    items, report = _one(tmp_path, "cut.txt", cut.encode())
    assert len(items) == 7  # the 7th block is cut inside its lead sentence
    codes = [p.code for p in report.warnings]
    assert codes.count("summary_without_item") == 2  # trường học đạt chuẩn, tiêm vắc xin liều nhắc lại
    assert "possibly_truncated" in codes


def test_the_other_files_still_load(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "skip.pdf").write_bytes(b"%PDF-1.4")  # not a digest extension: not even tried
    for seed in SEEDS[:2]:
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    items, report = loaders.load([tmp_path])
    assert [f.loaded for f in report.files] == [True, True, False]  # sorted: 000_, 001_, bad.txt
    assert len(items) == 7 + 24


def test_the_same_digest_twice_counts_once(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(SEEDS[2].read_bytes())
    items, report = loaders.load([tmp_path])
    assert len(items) == 8
    assert report.files[1].errors[0].code == "duplicate"


def test_a_document_reported_in_two_digests_is_one_document(tmp_path):
    # A later digest (next week) reports 704/UBND-KGVX again, next to a new item.
    week2 = (
        "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (ngày 27/6 đến ngày 03/7/2022)\n"
        "Chỉ đạo tăng cường công tác phòng, chống sốt xuất huyết; Quyết định công nhận xã an toàn.\n"
        "Chỉ đạo tăng cường công tác phòng, chống sốt xuất huyết\n"
        "UBND tỉnh chỉ đạo (Công văn số 704/UBND-KGVX, ngày 23/6/2022) về tăng cường công tác phòng, "
        "chống sốt xuất huyết.\nSở Y tế chủ trì triển khai.\n"
        "Quyết định công nhận xã an toàn\n"
        "UBND tỉnh ban hành (Quyết định số 1100/QĐ-UBND, ngày 30/6/2022) công nhận xã an toàn.\n"
        "Theo đó, công nhận 5 xã.\n"
    )
    (tmp_path / "w26.txt").write_bytes(SEEDS[4].read_bytes())
    (tmp_path / "w27.txt").write_text(week2, encoding="utf-8")
    items, _ = loaders.load([tmp_path])
    again = items[items["doc_symbol"] == "704/UBND-KGVX"]
    assert list(again["reported_in"]) == [2, 2]
    assert list(again["first_report"]) == [True, False]
    assert list(again["week"]) == ["2022-W25", "2022-W26"]
    assert items["first_report"].sum() == 10  # 9 + 1 new document


def test_week_across_new_year(tmp_path):
    text = (
        "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 29/12 đến ngày 04/01/2026)\n"
        "Kế hoạch phòng, chống dịch bệnh mùa đông.\n"
        "Kế hoạch phòng, chống dịch bệnh mùa đông\n"
        "UBND tỉnh ban hành Kế hoạch số 1/KH-UBND ngày 02/01/2026 phòng, chống dịch bệnh mùa đông.\n"
        "Sở Y tế chủ trì, hoàn thành trước ngày 15/01.\n"
    )
    items, _ = _one(tmp_path, "newyear.txt", text.encode())
    row = items.iloc[0]
    assert (row["week_start"].date().isoformat(), row["week_end"].date().isoformat()) == ("2025-12-29", "2026-01-04")
    assert row["week"] == "2026-W01"
    assert [d.isoformat() for d in row["deadlines"]] == ["2026-01-15"]  # year-less deadline after the document


@pytest.mark.parametrize(
    "title",
    [
        "(ngày 02/3 đến ngày 08/3/2020)",
        "(từ ngày 02/3 đến hết ngày 08/3/2020",
        "(từ ngày 02/3 - 08/3/2020)",
        "(từ ngày 02/3 – 08/3/2020)",
        "(từ ngày 02/03/2020 - 08/03/2020)",
    ],
)
def test_title_variants(title):
    from loaders.digest import parse_week

    start, end = parse_week("Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần " + title)
    assert (start.isoformat(), end.isoformat()) == ("2020-03-02", "2020-03-08")


def test_validation_names_the_broken_column(seed_items):
    items, _ = seed_items
    validate_items(items)
    broken = items.copy()
    broken["deadlines"] = broken["deadlines"].astype(str)
    with pytest.raises(SchemaError, match="deadlines"):
        validate_items(broken)
    with pytest.raises(SchemaError, match="missing"):
        validate_items(items.drop(columns=["sector"]))


SLOPPY = """Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 12/01/2026 - 18/01/2026)
Kế hoạch tổ chức Tết Nguyên đán an toàn, tiết kiệm, Chỉ đạo tăng cường phòng cháy chữa cháy mùa khô \
Quyết định phê duyệt danh mục dự án trọng điểm năm 2026; Chỉ đạo bảo đảm trật tự an toàn giao thông dịp Tết…
Kế hoạch tổ chức Tết Nguyên đán an toàn, tiết kiệm
UBND tỉnh ban hành Kế hoạch số 12/KH-UBND ngày 12/01/2026 tổ chức Tết Nguyên đán an toàn, tiết kiệm.
Sở Văn hóa, Thể thao và Du lịch chủ trì tổ chức các hoạt động.
Chỉ đạo tăng cường phòng cháy chữa cháy mùa khô
Chủ tịch UBND tỉnh chỉ đạo (Công văn số 55/UBND-NC, ngày 13/01/2026) tăng cường phòng cháy chữa cháy mùa khô.
Công an tỉnh chủ trì, hoàn thành trước ngày 30/01/2026.
Quyết định phê duyệt danh mục dự án trọng điểm năm 2026
UBND tỉnh ban hành Quyết định số 80/QĐ-UBND, ngày 14/01/2026 phê duyệt danh mục dự án trọng điểm năm 2026.
Sở Tài chính chủ trì theo dõi.
Chỉ đạo bảo đảm trật tự an toàn giao thông dịp Tết
UBND tỉnh yêu cầu các sở, ngành bảo đảm trật tự an toàn giao thông dịp Tết Nguyên đán.
Công an tỉnh tăng cường tuần tra, kiểm soát.
"""


def test_sloppy_summary_and_an_item_without_a_document(tmp_path):
    items, report = _one(tmp_path, "sloppy.txt", SLOPPY.encode())
    # The 4th item's lead names no document; it is still an item because the summary lists its headline.
    assert list(items["doc_type"]) == ["Kế hoạch", "Công văn", "Quyết định", "Khác"]
    assert list(items["doc_symbol"]) == ["12/KH-UBND", "55/UBND-NC", "80/QĐ-UBND", ""]
    assert items.iloc[1]["issuer"] == "Chủ tịch UBND tỉnh"
    assert items.iloc[1]["leader"] == "Nguyễn Cảnh Toàn" and items.iloc[1]["leader_source"] == "inferred"
    assert (items["week"] == "2026-W03").all()
    codes = [(p.code, p.item_no) for p in report.warnings]
    assert ("no_document", 4) in codes
    # Commas / nothing between headlines and a trailing "…" are not reported as missing items.
    assert not [c for c in codes if c[0] in ("summary_without_item", "not_in_summary")]


def test_hidden_files_and_folders_are_not_digests(tmp_path):
    (tmp_path / "digests").mkdir()
    (tmp_path / "digests" / SEEDS[2].name).write_bytes(SEEDS[2].read_bytes())
    for hidden in (".trash/abc/old.txt", ".cache/x.txt", "digests/.tmp-1.part.txt"):
        (tmp_path / hidden).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / hidden).write_bytes(SEEDS[4].read_bytes())
    items, report = loaders.load([tmp_path])
    assert [f.path for f in report.files] == [str(tmp_path / "digests" / SEEDS[2].name)]
    assert len(items) == 8


def test_clean_lines_drops_the_lines_a_pattern_matches_whole():
    # Patterns without groups are merged into one regex; one with a group is tried on its own: same rule.
    caption, number, skip = re.compile(r"^ảnh: .*$", re.I), re.compile(r"(\d+)"), re.compile("skip", re.I)
    text = "Ảnh: Văn A\n 123 \nSkip\nskip me\n  Nội   dung\u00a0chính \n"
    assert clean_lines(text, [caption, number, skip]) == ["skip me", "Nội dung chính"]
    assert clean_lines(text, [caption, skip]) == ["123", "skip me", "Nội dung chính"]
    assert clean_lines(text, []) == ["Ảnh: Văn A", "123", "Skip", "skip me", "Nội dung chính"]
