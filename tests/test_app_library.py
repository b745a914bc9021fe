"""The "Nạp bản tin" (upload and manage the library) and "Chất lượng dữ liệu" pages, headless (AppTest).

Every test works on its own copy of the bundled digests in a temporary library ($DASHBOARD_DATA_DIR): the
pages write to it. Expected numbers come from `loaders.load` / the load report with plain pandas, and "nothing
stored changes" is checked by hashing every file of the library before and after.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import loaders
from analytics.filters import apply_item_refs
from analytics.urls import ITEM_PARAM, item_ref, parse_item_refs
from loaders.config import MAX_FILE_BYTES
from loaders.library import Library
from tests.conftest import ROOT, SEEDS, app_maker, copy_library, snapshot

SEED = {p.name[:3]: p for p in SEEDS}  # "000" -> path
SEED_002 = SEED["002"].read_bytes()
#: Digest 002 with one item's own document number changed: same week, different items (a conflict).
ALTERED_002 = SEED_002.replace("381/QĐ-UBND".encode(), "391/QĐ-UBND".encode())
#: Digest 002 with one body sentence reworded: another digest id, same week and same items ("same").
REWORDED_002 = SEED_002.replace("Theo đó, Phân bổ 10.000".encode(), "Theo đó, phân bổ 10.000".encode())
#: Digest 002 whose first headline carries HTML and markdown (and a different document: a conflict with 002).
EVIL_HEADLINE = (
    "Phân bổ <script>alert(1)</script> kinh phí <b>đậm</b> [bấm](javascript:alert(1)) "
    "![](http://example.invalid/t.png) giao thông 2020"
)
EVIL_002 = ALTERED_002.replace(
    (
        "Phân bổ chi tiết kinh phí hỗ trợ Đề án phát triển giao thông nông thôn giai đoạn 2016 - 2020, đợt 1 năm 2020"
    ).encode(),
    EVIL_HEADLINE.encode(),
)
EVIL_NAME = "tin <b>đậm<b> [a](javascript:alert(1)) ![](x).txt"
SCRIPT_PAGE = b"<html><head><script>alert(1)</script></head><body><p>Xin ch\xc3\xa0o</p></body></html>"
#: What must never reach the page unescaped: tags, links, images.
RAW_MARKUP = ("<script", "<b>", "](javascript", "![](")

TXT = "text/plain"


# ------------------------------------------------------------------------------------------------ helpers


@pytest.fixture
def lib_root(tmp_path: Path) -> Path:
    """A library folder holding a copy of the bundled digests (each test may write to it)."""
    return copy_library(tmp_path / "library")


@pytest.fixture
def make_app(lib_root: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """AppTest of the entrypoint on `lib_root`, optionally with URL query parameters."""
    return app_maker(lib_root, monkeypatch)


def stored(root: Path) -> dict[str, bytes]:
    """The digest files of the library: name -> bytes."""
    return {p.name: p.read_bytes() for p in sorted((root / "digests").iterdir()) if p.is_file()}


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def overview_expected(root: Path) -> dict[str, str]:
    """The overview's "Bản tin" and "Mục chỉ đạo" for the library's files, straight from the loader."""
    items, _ = loaders.load([root / "digests"])
    return {"Bản tin": str(items["digest_id"].nunique()), "Mục chỉ đạo": str(int(items["first_report"].sum()))}


def overview_figures(at: AppTest) -> dict[str, str]:
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    got = metrics(at)
    return {k: got[k] for k in ("Bản tin", "Mục chỉ đạo")}


def library_page(make_app: Callable[..., AppTest], **params: str) -> AppTest:
    at = make_app(**params).run()
    at.switch_page("pages/library.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, TXT) for name, data in files]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


#: Read-only tables carry no key in AppTest: each is recognised by columns only it has.
TABLES = {
    "library_preview": ("Trạng thái", "Lý do"),
    "library_entries": ("Tiêu đề bản tin",),
    "library_trash": ("Vị trí cũ",),
    "library_diff": ("Ở đâu",),
    "quality_table": ("Khối tin tìm thấy", "Tệp"),
    "quality_totals": ("Khối tin tìm thấy", "-Tệp"),
    "quality_problems": ("Vấn đề", "link", "-Chi tiết"),  # the loaders' English detail: English pages only
    "explorer_table": ("headline", "item_no"),
}


def tables(at: AppTest, name: str) -> list[pd.DataFrame]:
    """The tables of one kind on the page (see TABLES)."""
    wanted = TABLES[name]
    out = []
    for d in at.dataframe:
        cols = set(d.value.columns)
        if all((c[1:] not in cols) if c.startswith("-") else (c in cols) for c in wanted):
            out.append(d.value)
    return out


def table(at: AppTest, name: str) -> pd.DataFrame:
    found = tables(at, name)
    assert len(found) == 1, f"{len(found)} tables {name} on the page"
    return found[0]


def button(at: AppTest, key: str) -> object:
    return at.button(key=key)


def rendered_markdown(at: AppTest) -> list[str]:
    """Every text the page renders as markdown (not st.text / st.code / tables)."""
    texts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader"):
        texts += [str(e.value) for e in at.get(kind)]
    texts += [str(e.label) for e in at.expander]
    texts += [str(w.label) for kind in ("radio", "checkbox", "selectbox", "button") for w in at.get(kind)]
    return texts


def unescaped(text: str) -> str:
    """Markdown source as a reader sees it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


def zip_of(*members: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ upload


def test_uploader_accepts_digest_files_and_zips_up_to_the_loaders_limit(make_app: Callable[..., AppTest]) -> None:
    at = library_page(make_app)
    assert_clean(at)
    uploader = at.file_uploader[0]
    assert uploader.accept_multiple_files
    assert set(uploader.allowed_type) >= {".txt", ".html", ".htm", ".md", ".zip"}
    assert uploader.proto.max_upload_size_mb * 2**20 == MAX_FILE_BYTES


def test_preview_shows_week_and_items_then_confirm_stores_bytes_and_updates_every_page(
    make_app: Callable[..., AppTest], lib_root: Path
) -> None:
    (lib_root / "digests" / SEED["002"].name).unlink()
    (lib_root / "digests" / SEED["004"].name).unlink()
    before_files, before = snapshot(lib_root), overview_expected(lib_root)
    at = library_page(make_app)
    assert overview_figures(at) == before
    at.switch_page("pages/library.py").run()
    seeds = {name: SEED[name[:3]].read_bytes() for name in ("002 tuần 10.txt", "004.txt")}
    upload(at, *seeds.items())
    assert_clean(at)

    preview = table(at, "library_preview").set_index("Tệp")
    for name in seeds:
        items, report = loaders.load([SEED[name[:3]]])
        f = report.files[0]
        row = preview.loc[name]
        assert row["Tuần"] == f"{f.week_start:%d/%m/%Y}–{f.week_end:%d/%m/%Y}"
        assert row["Số mục"] == len(items) and row["Trạng thái"] == "mới"
        assert row["Cảnh báo"] == len(f.warnings)
    assert snapshot(lib_root) == before_files, "a preview stores nothing"

    button(at, "library_confirm").click().run()
    assert_clean(at)
    assert any("Đã lưu 2 tệp" in s.value for s in at.success)
    now = stored(lib_root)
    assert len(now) == 5
    assert sorted(now.values()) == sorted([*(p.read_bytes() for p in SEEDS)]), "stored byte for byte"
    assert at.file_uploader[0].value == [], "the uploader is emptied"
    after = overview_expected(lib_root)
    assert after != before and after["Bản tin"] == "5"
    assert overview_figures(at) == after, "the overview shows the new digests in the next run"


def test_cancel_stores_nothing(make_app: Callable[..., AppTest], lib_root: Path) -> None:
    (lib_root / "digests" / SEED["002"].name).unlink()
    before = snapshot(lib_root)
    at = upload(library_page(make_app), ("002.txt", SEED_002))
    assert table(at, "library_preview")["Trạng thái"].tolist() == ["mới"]
    button(at, "library_cancel").click().run()
    assert_clean(at)
    assert any("Đã hủy" in i.value for i in at.info)
    assert tables(at, "library_preview") == [], "the preview is gone"
    assert snapshot(lib_root) == before


@pytest.mark.parametrize("data", [SEED_002, REWORDED_002], ids=["same-bytes", "same-week-and-items"])
def test_uploading_a_stored_digest_again_changes_nothing(
    make_app: Callable[..., AppTest], lib_root: Path, data: bytes
) -> None:
    before = snapshot(lib_root)
    at = upload(library_page(make_app), ("ban-tin-cu.txt", data))
    assert_clean(at)
    row = table(at, "library_preview").iloc[0]
    assert row["Trạng thái"] == "đã có" and SEED["002"].name in row["Lý do"]
    assert button(at, "library_confirm").disabled
    assert any("Không có tệp nào mới" in i.value for i in at.info)
    assert snapshot(lib_root) == before


@pytest.mark.parametrize("choice", ["keep_stored", "replace", "keep_both"])
def test_a_conflicting_digest_offers_the_choice_and_each_choice_does_what_it_says(
    make_app: Callable[..., AppTest], lib_root: Path, choice: str
) -> None:
    before = snapshot(lib_root)
    at = upload(library_page(make_app), ("002-sua.txt", ALTERED_002))
    assert_clean(at)
    assert table(at, "library_preview")["Trạng thái"].tolist() == ["khác bản đã lưu"]
    diff = table(at, "library_diff")
    sides = dict(zip(diff.iloc[:, 0], diff.iloc[:, 1], strict=True))
    assert sides["Chỉ có trong tệp tải lên"].startswith("391/QĐ-UBND")
    assert sides["Chỉ có trong bản đã lưu"].startswith("381/QĐ-UBND")
    radio = next(r for r in at.radio if (r.key or "").startswith("library_choice_"))
    assert radio.value == "keep_stored", "the safe choice is the default"
    radio.set_value(choice).run()
    button(at, "library_confirm").click().run()
    assert_clean(at)

    now = stored(lib_root)
    trash = Library(lib_root).trash()
    if choice == "keep_stored":
        assert snapshot(lib_root) == before
    elif choice == "replace":
        assert SEED["002"].name not in now and ALTERED_002 in now.values() and len(now) == 5
        assert [t.original for t in trash] == [SEED["002"].name]
        assert (lib_root / ".trash" / trash[0].trash_id / trash[0].file_name).read_bytes() == SEED_002
    else:
        assert now[SEED["002"].name] == SEED_002 and ALTERED_002 in now.values() and len(now) == 6
        assert trash == []
    assert overview_figures(at) == overview_expected(lib_root)


def test_a_complete_digest_replaces_a_stored_truncated_one_by_default(
    make_app: Callable[..., AppTest], lib_root: Path
) -> None:
    from tests.test_library import TRUNCATED_002

    (lib_root / "digests" / SEED["002"].name).write_bytes(TRUNCATED_002)
    at = upload(library_page(make_app), ("002-day-du.txt", SEED_002))
    assert_clean(at)
    row = table(at, "library_preview").iloc[0]
    assert row["Trạng thái"] == "khác bản đã lưu" and "có vẻ bị cắt cụt" in row["Lý do"]
    assert any("tệp tải lên đầy đủ: mặc định thay bản đã lưu" in c.value for c in at.caption), "the page says why"
    radio = next(r for r in at.radio if (r.key or "").startswith("library_choice_"))
    assert radio.value == "replace", "the complete digest wins by default"
    button(at, "library_confirm").click().run()
    assert_clean(at)
    now = stored(lib_root)
    assert now["002-day-du.txt"] == SEED_002 and SEED["002"].name not in now
    assert [t.original for t in Library(lib_root).trash()] == [SEED["002"].name]


def _zip_bomb() -> bytes:
    return zip_of(("to.txt", b"0" * (MAX_FILE_BYTES + 1)))


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("thoat.zip", zip_of(("../../thoat.txt", SEED_002)), "Tệp zip không an toàn"),
        ("lan.zip", zip_of(("ghi-chu.docx", b"PK\x03\x04 word")), "Không phải loại tệp được nhận"),
        ("trang.html", SCRIPT_PAGE, "Không phải bản tin"),
        ("qua-lon.txt", b"a" * (MAX_FILE_BYTES + 1), "Tệp quá lớn"),
        ("bom.zip", None, "zip bomb"),
    ],
    ids=["zip-escape", "wrong-type-in-zip", "html-script-not-a-digest", "over-limit", "zip-bomb"],
)
def test_refused_uploads_name_the_file_and_store_nothing(
    make_app: Callable[..., AppTest], lib_root: Path, name: str, data: bytes | None, why: str
) -> None:
    before = snapshot(lib_root)
    at = upload(library_page(make_app), (name, data if data is not None else _zip_bomb()))
    assert not at.exception
    errors = [unescaped(e.value) for e in at.error]
    assert any(name in e and why in e for e in errors), errors
    assert table(at, "library_preview")["Trạng thái"].tolist() == ["từ chối"]
    assert button(at, "library_confirm").disabled
    assert snapshot(lib_root) == before


def test_an_uploads_warnings_are_worded_in_the_pages_language(lib_root: Path) -> None:
    from ui.library import preview_uploads, warning_table

    (lib_root / "digests" / SEED["000"].name).unlink()
    state = preview_uploads(Library(lib_root), [("000.txt", SEED["000"].read_bytes())])
    cand = state.candidates[0]
    vi = warning_table(cand, "vi")
    # Seed 000: its title year contradicts its documents (2024 vs 2025), and items missing from the summary.
    assert {problem_label("year_conflict"), problem_label("not_in_summary")} <= set(vi["Vấn đề"])
    assert list(vi.columns) == ["STT", "Vấn đề"]  # the parser's English message: English pages only
    english = warning_table(cand, "en")
    assert english["Detail"].str.contains("but the documents inside are dated 2025").any()


def test_a_wrong_file_type_is_refused_by_name(lib_root: Path) -> None:
    """The uploader itself only offers digest types; a wrong type reaching the page logic is refused too."""
    from ui.library import preview_table, preview_uploads

    library = Library(lib_root)
    before = snapshot(lib_root)
    state = preview_uploads(library, [("bao-cao.docx", b"PK\x03\x04"), ("002.txt", SEED_002)])
    frame = preview_table(state.candidates, "vi").set_index("Tệp")
    assert frame.loc["bao-cao.docx", "Trạng thái"] == "từ chối"
    assert frame.loc["bao-cao.docx", "Lý do"] == "Không phải loại tệp được nhận"
    assert "Chi tiết" not in frame  # the loaders' detail is English: shown on English pages only
    assert frame.loc["002.txt", "Trạng thái"] == "đã có"
    english = preview_table(state.candidates, "en").set_index("File")
    assert english.loc["bao-cao.docx", "Reason"] == "Not an accepted file type"
    assert ".docx" in english.loc["bao-cao.docx", "Detail"]
    assert snapshot(lib_root) == before


def test_uploaded_markup_is_shown_as_text_never_as_html(make_app: Callable[..., AppTest], lib_root: Path) -> None:
    at = upload(library_page(make_app), (EVIL_NAME, EVIL_002), ("<b>x<b> [a](javascript:alert(1)).html", SCRIPT_PAGE))
    assert not at.exception
    texts = rendered_markdown(at)
    assert any("đậm" in unescaped(x) for x in texts), "the file name is shown (escaped) in a message"
    leaks = [x for x in texts if any(m in x for m in RAW_MARKUP)]
    assert leaks == []
    # The headline itself is shown verbatim, as text, in the table of differences.
    diff = table(at, "library_diff")
    assert any(EVIL_HEADLINE in str(v) for v in diff.iloc[:, 1])

    radio = next(r for r in at.radio if (r.key or "").startswith("library_choice_"))
    radio.set_value("keep_both").run()
    button(at, "library_confirm").click().run()
    assert not at.exception
    assert EVIL_002 in stored(lib_root).values()
    for page in ("pages/library.py", "pages/quality.py", "pages/explorer.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        leaks = [x for x in rendered_markdown(at) if any(m in x for m in RAW_MARKUP)]
        assert leaks == [], page


@pytest.mark.parametrize(
    "source",
    ["pages/library.py", "pages/quality.py", "ui/library.py", "ui/quality.py", "ui/safe.py", "pages/explorer.py"],
)
def test_no_raw_html_rendering_in_the_code(source: str) -> None:
    code = (ROOT / source).read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in code
    assert "st.html(" not in code and "components.html" not in code and "st.write(" not in code


def test_md_escape_leaves_nothing_for_markdown_to_interpret() -> None:
    from ui.safe import md_escape

    text = "a <script>x</script> *b* [c](javascript:d) ![](e) `f` # g\n- h :red[i] &amp;"
    escaped = md_escape(text)
    assert "\n" not in escaped
    assert unescaped(escaped) == text.replace("\n", " ")
    assert not re.search(r"(?<!\\)[<>*\[\]`#!&:]", escaped)


# ------------------------------------------------------------------------------------------------ remove, trash


def test_remove_needs_confirmation_then_restore_brings_it_back(
    make_app: Callable[..., AppTest], lib_root: Path
) -> None:
    original = snapshot(lib_root)
    full = overview_expected(lib_root)
    at = library_page(make_app)
    target = SEED["000"].name
    at.selectbox(key="library_remove_pick").set_value(target).run()
    assert button(at, "library_remove").disabled, "removing needs the confirmation first"
    assert snapshot(lib_root) == original
    confirm = next(c for c in at.checkbox if (c.key or "").startswith("library_remove_ok_"))
    confirm.check().run()
    button(at, "library_remove").click().run()
    assert_clean(at)
    assert target not in stored(lib_root)
    assert any(target in unescaped(s.value) for s in at.success)
    assert target not in table(at, "library_entries")["Tệp"].tolist()
    trash = table(at, "library_trash")
    assert trash["Vị trí cũ"].tolist() == [target] and trash["Lý do"].tolist() == ["đã xóa"]
    fewer = overview_expected(lib_root)
    assert fewer["Bản tin"] == "4"

    at.switch_page("pages/library.py").run()
    button(at, "library_restore").click().run()
    assert_clean(at)
    assert tables(at, "library_trash") == []
    assert snapshot(lib_root) == original, "restored byte for byte, under its own name"
    assert overview_figures(at) == full


# ------------------------------------------------------------------------------------------------ quality page


def quality_rows(at: AppTest) -> pd.DataFrame:
    return table(at, "quality_table").set_index("Tệp")


def test_quality_page_has_one_row_per_digest_with_the_loaders_numbers(make_app: Callable[..., AppTest]) -> None:
    items, report = loaders.load(SEEDS)
    at = make_app().run()
    at.switch_page("pages/quality.py").run()
    assert_clean(at)
    rows = quality_rows(at)
    assert sorted(rows.index) == sorted(p.name for p in SEEDS)
    for f in report.files:
        row = rows.loc[Path(f.path).name]
        codes = pd.Series([p.code for p in f.problems], dtype=str)
        assert row["Khối tin tìm thấy"] == f.blocks and row["Tin (sau khi gộp)"] == f.items
        assert row["Mục trong đoạn tóm tắt"] == f.summary_entries
        assert row["Tin (sau khi gộp)"] == int((items["digest_id"] == f.digest_id).sum())
        assert row["Mâu thuẫn về năm"] == int((codes == "year_conflict").sum())
        assert row["Tin lặp đã gộp"] == int((codes == "repeated_item").sum())
    # The numbers the issue quotes.
    assert rows.loc[SEED["000"].name, ["Tin (sau khi gộp)", "Mâu thuẫn về năm"]].tolist() == [7, 1]
    assert rows.loc[SEED["001"].name, ["Khối tin tìm thấy", "Tin (sau khi gộp)", "Tin lặp đã gộp"]].tolist() == [
        25,
        24,
        1,
    ]
    assert rows.loc[SEED["003"].name, "Tin lặp đã gộp"] == 2
    assert any("5 / 5 bản tin" in c.value for c in at.caption)
    assert table(at, "quality_totals").iloc[0]["Tin (sau khi gộp)"] == len(items)
    problems = table(at, "quality_problems")
    assert len(problems) == sum(len(f.problems) for f in report.files)


def test_problems_are_worded_in_the_pages_language(make_app: Callable[..., AppTest], lib_root: Path) -> None:
    """The loaders word their findings in English ("the title says …", "item '…' is not listed in the opening
    summary"): a Vietnamese page says what each one means (data/problems.yaml), an English one adds them."""
    (lib_root / "digests" / "ghi-chu.txt").write_text("Ghi chú nội bộ, không phải bản tin.\n", encoding="utf-8")
    at = make_app().run()
    at.switch_page("pages/quality.py").run()
    assert_clean(at)
    problems = table(at, "quality_problems")
    words = " ".join(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())
    for english in ("the title says", "is not listed in the opening summary", "this text is not a weekly digest"):
        assert english not in words
    assert {problem_label("year_conflict"), problem_label("not_in_summary")} <= set(problems["Vấn đề"])
    assert quality_rows(at).loc["ghi-chu.txt", "Lỗi"] == problem_label("not_a_digest")
    at = make_app(lang="English").run()
    at.switch_page("pages/quality.py").run()
    assert_clean(at)
    detail = next(d.value for d in at.dataframe if "Detail" in d.value.columns)["Detail"]
    # Seed 000: titled 17/03/2024–23/03/2024, its documents dated 2025.
    assert detail.str.startswith("the title says 17/03/2024–23/03/2024 but the documents inside are dated 2025").any()
    errors = next(d.value for d in at.dataframe if "Errors" in d.value.columns).set_index("File")["Errors"]
    assert "this text is not a weekly digest" in errors["ghi-chu.txt"]


def test_a_file_that_does_not_load_is_named_in_the_pages_language(
    make_app: Callable[..., AppTest], lib_root: Path
) -> None:
    (lib_root / "digests" / "ghi-chu.txt").write_text("Ghi chú nội bộ, không phải bản tin.\n", encoding="utf-8")
    warning = unescaped(make_app().run().warning[0].value)
    assert "ghi-chu.txt: " + problem_label("not_a_digest") in warning and "weekly digest" not in warning
    warning = unescaped(make_app(lang="English").run().warning[0].value)
    assert "ghi-chu.txt: " in warning and "this text is not a weekly digest" in warning
    entries = table(library_page(make_app), "library_entries").set_index("Tệp")
    assert entries.loc["ghi-chu.txt", "Lỗi"] == problem_label("not_a_digest")
    english = next(d.value for d in library_page(make_app, lang="English").dataframe if "Digest title" in d.value)
    assert "this text is not a weekly digest" in english.set_index("File").loc["ghi-chu.txt", "Errors"]


def test_quality_page_follows_the_week_range(make_app: Callable[..., AppTest]) -> None:
    items, _ = loaders.load(SEEDS)
    weeks = sorted(items["week"].unique())
    at = make_app(weeks=[weeks[1], weeks[3]]).run()
    at.switch_page("pages/quality.py").run()
    assert_clean(at)
    assert sorted(table(at, "quality_table")["Tuần"]) == weeks[1:4]
    assert any("3 / 5 bản tin" in c.value for c in at.caption)


def explorer_rows(at: AppTest) -> pd.DataFrame:
    return table(at, "explorer_table")


def follow(make_app: Callable[..., AppTest], link: str) -> AppTest:
    """Open a link of the quality page as a browser would: its path is the explorer, its query the state."""
    parts = urlsplit(link)
    assert parts.path == "tra-cuu"  # relative to the app, like every page URL
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(parts.query):
        params.setdefault(key, []).append(value)
    at = make_app(**params).run()
    at.switch_page("pages/explorer.py").run()
    assert_clean(at)
    return at


@pytest.mark.parametrize(
    ("seed", "code"), [("003", "repeated_item"), ("000", "not_in_summary"), ("000", "year_conflict")]
)
def test_a_problem_link_opens_exactly_its_items_in_the_explorer(
    make_app: Callable[..., AppTest], seed: str, code: str
) -> None:
    items, report = loaders.load(SEEDS)
    f = next(f for f in report.files if Path(f.path).name == SEED[seed].name)
    problem = next(p for p in f.problems if p.code == code)
    if problem.item_no is None:  # about the digest: its items
        expected = items[items["digest_id"] == f.digest_id]
    else:
        expected = items[(items["digest_id"] == f.digest_id) & (items["item_no"] == problem.item_no)]
    at = make_app().run()
    at.switch_page("pages/quality.py").run()
    problems = table(at, "quality_problems")
    mine = problems[(problems["Tệp"] == SEED[seed].name) & (problems["Vấn đề"] == problem_label(code))]
    if problem.item_no is not None:
        mine = mine[mine["STT"] == str(problem.item_no)]  # numbers as text: blank when missing
    assert len(mine) == 1
    shown = explorer_rows(follow(make_app, mine["link"].iloc[0]))
    assert sorted(zip(shown["week"], shown["item_no"], shown["headline"], strict=True)) == sorted(
        zip(expected["week"], expected["item_no"], expected["headline"], strict=True)
    )


def problem_label(code: str) -> str:
    from loaders.problems import problem_codes

    return problem_codes()[code].vi


def test_a_digest_link_opens_its_items_and_clearing_shows_everything(make_app: Callable[..., AppTest]) -> None:
    items, _ = loaders.load(SEEDS)
    at = make_app().run()
    at.switch_page("pages/quality.py").run()
    link = quality_rows(at).loc[SEED["001"].name, "link"]
    at = follow(make_app, link)
    digest = items[items["source"] == SEED["001"].name]
    assert len(explorer_rows(at)) == len(digest) == 24
    assert any("24 mục" in i.value for i in at.info)
    at.button(key="clear_item_refs").click().run()
    assert_clean(at)
    assert len(explorer_rows(at)) == len(items)


@pytest.mark.parametrize("page", ["pages/library.py", "pages/quality.py"])
def test_pages_render_in_english(make_app: Callable[..., AppTest], page: str) -> None:
    at = make_app(lang="English").run()
    at.switch_page(page).run()
    assert_clean(at)
    assert at.title[0].value in ("Add digests", "Data quality")


# ------------------------------------------------------------------------------------------------ pure pieces


def test_item_refs_name_exact_items(seed_items: tuple[pd.DataFrame, object]) -> None:
    items = seed_items[0]
    digest = items["digest_id"].iloc[0]
    other = items["digest_id"].iloc[-1]
    refs = parse_item_refs([item_ref(digest, 2), item_ref(other), "junk!", f"{digest}:x", item_ref(digest, 2)])
    assert refs == ((digest, 2), (other, None))
    got = apply_item_refs(items, refs)
    expected = items[((items["digest_id"] == digest) & (items["item_no"] == 2)) | (items["digest_id"] == other)]
    assert got.index.tolist() == expected.index.tolist()
    assert apply_item_refs(items, ()) is items
    assert apply_item_refs(items, (("ffffffffffffffff", 1),)).empty


def test_quality_links_round_trip_and_carry_the_language() -> None:
    from ui.quality import explorer_link

    link = explorer_link([item_ref("bec27950ac34594f", 4), item_ref("e08f33a1ed7cd079")], "en")
    query = parse_qsl(urlsplit(link).query)
    assert ("lang", "en") in query  # a code, not the language's display name
    assert parse_item_refs([v for k, v in query if k == ITEM_PARAM]) == (
        ("bec27950ac34594f", 4),
        ("e08f33a1ed7cd079", None),
    )


def test_week_range_keeps_files_without_a_week() -> None:
    from analytics.filters import Filters
    from ui.quality import in_week_range

    frame = pd.DataFrame({"week_start": pd.to_datetime(["2024-10-28", None, "2020-03-02"])})
    kept = in_week_range(frame, Filters(week_from="2024-W01"))
    assert kept.index.tolist() == [0, 1]


def test_explorer_url_of_the_links_is_the_explorers() -> None:
    from analytics.urls import EXPLORER_PATH
    from ui.quality import explorer_link

    source = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    assert re.search(r'st\.Page\("pages/explorer\.py".*?url_path=EXPLORER_PATH', source, flags=re.S)
    assert explorer_link(["abcd1234"], "vi") == f"{EXPLORER_PATH}?item=abcd1234"


def test_every_new_text_and_label_exists_in_both_languages() -> None:
    from analytics.quality import COLUMN_LABELS_VI
    from ui.i18n import catalog, value_names

    def entry(key: str) -> object:
        node: object = catalog()["ui"]
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    sources = {p: (ROOT / p).read_text(encoding="utf-8") for p in ("ui/library.py", "ui/quality.py")}
    keys = {f"library.{k}" for k in re.findall(r'\b_t\("([a-z_.]+)"', sources["ui/library.py"])}
    keys |= set(re.findall(r'translate\(catalog\(\), "([a-z_.]+)"', sources["ui/quality.py"]))
    # Keys built at run time.
    keys |= {f"library.status.{s}" for s in ("new", "same", "conflict", "refused")}
    keys |= {f"library.choice_{c}" for c in ("keep_stored", "replace", "keep_both")}
    keys |= {f"quality.level_{lv}" for lv in ("error", "warning")}
    keys |= {
        f"library.col.{c}"
        for c in (
            "file",
            "week",
            "items",
            "warnings",
            "status",
            "reason",
            "detail",
            "item_no",
            "problem",
            "side",
            "item",
            "title",
            "size",
            "added_at",
            "digest_id",
            "original",
            "removed_at",
            "outcome",
            "errors",
        )
    }
    assert len(keys) > 40
    missing = [
        k for k in sorted(keys) if not (isinstance(entry(k), dict) and entry(k).get("vi") and entry(k).get("en"))
    ]
    assert missing == []
    assert set(COLUMN_LABELS_VI) <= set(value_names("quality_column", "en"))


def test_a_zip_of_digests_is_previewed_file_by_file_and_stored(
    make_app: Callable[..., AppTest], lib_root: Path
) -> None:
    for seed in ("002", "004"):
        (lib_root / "digests" / SEED[seed].name).unlink()
    batch = zip_of(
        ("thang/002.txt", SEED_002),
        ("thang/004.txt", SEED["004"].read_bytes()),
        ("__MACOSX/._002.txt", b"\x00\x05"),
        ("thang/.DS_Store", b"\x00"),
    )
    at = upload(library_page(make_app), ("ban-tin.zip", batch))
    assert_clean(at)
    preview = table(at, "library_preview")
    assert preview["Tệp"].tolist() == ["ban-tin.zip/thang/002.txt", "ban-tin.zip/thang/004.txt"]
    assert preview["Trạng thái"].tolist() == ["mới", "mới"]
    button(at, "library_confirm").click().run()
    assert_clean(at)
    assert sorted(stored(lib_root).values()) == sorted(p.read_bytes() for p in SEEDS)


def test_a_portal_page_with_scripts_is_read_and_the_scripts_are_flagged(
    make_app: Callable[..., AppTest], lib_root: Path
) -> None:
    """HTML carrying scripts that *is* a digest loads (scripts dropped, never run), with a warning per file."""
    (lib_root / "digests" / SEED["000"].name).unlink()
    page = (ROOT / "tests" / "fixtures" / "portal_article_000.html").read_bytes()
    assert b"<script" in page
    at = upload(library_page(make_app), ("ban-tin-000.html", page))
    assert_clean(at)
    row = table(at, "library_preview").iloc[0]
    assert (row["Trạng thái"], row["Số mục"]) == ("mới", 7)
    expander = next(e for e in at.expander if "ban-tin-000" in unescaped(e.label))
    problems = expander.dataframe[0].value["Vấn đề"].tolist()
    assert "Trang HTML có mã script (đã bỏ, không chạy)" in problems
    assert row["Cảnh báo"] == len(problems)


def test_an_empty_library_accepts_its_first_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "new-library"  # not even a digests/ folder yet
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    for page in ("pages/quality.py", "pages/library.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    upload(at, ("002.txt", SEED_002))
    button(at, "library_confirm").click().run()
    assert_clean(at)
    assert stored(root) == {"002.txt": SEED_002}
    assert overview_figures(at) == {"Bản tin": "1", "Mục chỉ đạo": "8"}
