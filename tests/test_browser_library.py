"""The upload page in a real browser: the part AppTest cannot see, Streamlit's own uploader widget.

`streamlit run dashboard.py` on a temporary library (the bundled digests minus 002), driven by chromium through
Playwright: a digest chosen in the file input is previewed, confirmed, stored byte for byte and counted on the
overview at once; a file of a wrong type is refused by the uploader, naming the file, and nothing is stored;
a link of the data-quality page opens exactly its item in the explorer. Skips like tests/test_browser.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.conftest import snapshot
from tests.test_browser import assert_no_error, open_page, open_tab, run_dashboard, settle

ROOT = Path(__file__).resolve().parent.parent
SEED_002 = ROOT / "data" / "digests" / "002_0b14f9dcf9426668.txt"

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with the bundled digests except 002 (uploaded by the test)."""
    root = tmp_path_factory.mktemp("browser-upload-library")
    shutil.copytree(ROOT / "data" / "digests", root / "digests")
    (root / "digests" / SEED_002.name).unlink()
    return root


@pytest.fixture(scope="module")
def server(library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of `streamlit run dashboard.py` on `library`."""
    with run_dashboard(library, tmp_path_factory.mktemp("browser-upload-log")) as base:
        yield base


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    with open_tab(server) as tab:
        yield tab


def file_input(tab: object) -> object:
    return tab.locator("[data-testid=stFileUploader] input[type=file]").first


def test_a_wrong_file_type_is_refused_by_name_and_nothing_is_stored(page: object, library: Path) -> None:
    before = snapshot(library)
    open_page(page, "Nạp bản tin")
    file_input(page).set_input_files(
        files=[{"name": "bao-cao.docx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04 not a digest"}]
    )
    uploader = page.locator("[data-testid=stFileUploader]")
    page.wait_for_function("document.querySelector('[data-testid=stFileUploader]').innerText.includes('Error')")
    text = uploader.inner_text()
    assert "bao-cao.docx" in text and "not allowed" in text
    settle(page)
    assert page.locator("button:has-text('Xác nhận lưu')").count() == 0, "nothing reached the preview"
    assert snapshot(library) == before
    page.reload()
    settle(page)


def test_upload_preview_confirm_stores_the_file_and_every_page_counts_it(page: object, library: Path) -> None:
    open_page(page, "Tổng quan")
    before = page.locator("[data-testid=stMetricValue]").all_inner_texts()
    assert before[0] == "4"
    open_page(page, "Nạp bản tin")
    file_input(page).set_input_files(str(SEED_002))
    confirm = page.locator("button:has-text('Xác nhận lưu')")
    confirm.wait_for()
    settle(page)
    main = page.locator("[data-testid=stMainBlockContainer]")
    preview = main.locator("[data-testid=stDataFrame]").first
    assert "02/03/2020–08/03/2020" in preview.inner_text() or "Xem trước (1 tệp)" in main.inner_text()
    assert not (library / "digests" / SEED_002.name).exists(), "a preview stores nothing"
    confirm.click()
    page.locator("[data-testid=stAlertContentSuccess]").wait_for()
    settle(page)
    assert "Đã lưu 1 tệp" in page.locator("[data-testid=stAlertContentSuccess]").inner_text()
    assert (library / "digests" / SEED_002.name).read_bytes() == SEED_002.read_bytes()
    assert_no_error(page)
    open_page(page, "Tổng quan")
    after = page.locator("[data-testid=stMetricValue]").all_inner_texts()
    assert after[0] == "5" and int(after[1]) == int(before[1]) + 8  # digest 002 has 8 new items


def test_a_quality_link_opens_exactly_its_item(page: object, server: str) -> None:
    import loaders

    open_page(page, "Chất lượng dữ liệu")
    assert_no_error(page)
    items, report = loaders.load([ROOT / "data" / "digests"])
    f = next(f for f in report.files if Path(f.path).name.startswith("003_"))
    problem = next(p for p in f.problems if p.code == "repeated_item")
    from ui.quality import explorer_link

    link = urljoin(page.url, explorer_link([f"{f.digest_id}:{problem.item_no}"], "vi"))
    page.goto(link)
    settle(page)
    assert page.url.startswith(f"{server}/tra-cuu?")
    captions = " ".join(page.locator("[data-testid=stCaptionContainer]").all_inner_texts())
    assert re.search(r"(^|\s)1 / [\d.]+ mục", captions), captions
    headline = items[(items["digest_id"] == f.digest_id) & (items["item_no"] == problem.item_no)]["headline"].iloc[0]
    assert page.locator("[data-testid=stAlertContentInfo]").filter(has_text="liên kết").count() == 1
    box = page.locator("[data-testid=stDataFrame]").first.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 52)  # the only row's selection box: its detail opens
    page.locator("h3").filter(has_text=headline[:30]).first.wait_for()
    settle(page)
    assert_no_error(page)


def test_uploaded_markup_shows_as_literal_text(page: object, library: Path, tmp_path: Path) -> None:
    """A digest whose headline carries <script>, <b>, a link and an image: stored, then shown literally."""
    import loaders
    from tests.test_app_library import EVIL_002, EVIL_HEADLINE

    evil = tmp_path / "tin-<b>đậm<b>.txt"
    evil.write_bytes(EVIL_002)
    open_page(page, "Nạp bản tin")
    file_input(page).set_input_files(str(evil))
    page.locator("button:has-text('Xác nhận lưu')").wait_for()
    settle(page)
    main = page.locator("[data-testid=stMainBlockContainer]")
    assert "tin-<b>đậm<b>.txt" in main.inner_text(), "the name is shown as written, tags and all"
    page.locator("label:has-text('Giữ cả hai')").click()  # it conflicts with the stored 002
    settle(page)
    page.locator("button:has-text('Xác nhận lưu')").click()
    page.locator("[data-testid=stAlertContentSuccess]").wait_for()
    settle(page)
    assert EVIL_002 in [p.read_bytes() for p in (library / "digests").iterdir()]

    items, _ = loaders.load([evil])
    from ui.quality import explorer_link

    page.goto(urljoin(page.url, explorer_link([f"{items['digest_id'].iloc[0]}:1"], "vi")))
    settle(page)
    box = page.locator("[data-testid=stDataFrame]").first.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 52)
    heading = page.locator("[data-testid=stMainBlockContainer] h3").filter(has_text="alert(1)").first
    heading.wait_for()
    settle(page)
    assert heading.inner_text().strip() == EVIL_HEADLINE
    # The app's own st.html blocks (ui/frame.py: language and print scripts, static) are not data: skip them.
    from_data = main.locator("b, script, img[src*='example.invalid'], a[href^='javascript']").evaluate_all(
        "els => els.filter(e => !e.closest('[data-testid=stHtml]')).length"
    )
    assert from_data == 0
    assert_no_error(page)
