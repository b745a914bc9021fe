"""A real browser on the real server: `streamlit run dashboard.py` on a free port, driven by Debian's chromium
through Playwright. Opens every page, checks charts and the table are visible and no error box is shown,
uses the filters (URL state, page switches, reset), opens an item, and saves screenshots.

Skips (with the reason) when /usr/bin/chromium or the playwright package is missing; `.ci/run` installs
chromium with apt, so it runs in CI. Screenshots go to $BROWSER_ARTIFACTS (default: pytest's temp dir);
with UPDATE_DOCS_SCREENSHOT=1 the overview screenshot is also written to docs/screenshot-overview.png.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus, urlparse

import pytest

from tests.conftest import copy_library
from tests.test_contrast import AA, contrast, over

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# (url path, title in the sidebar and the page's h1, what must be visible)
PAGES = [
    ("tong-quan", "Tổng quan", "chart"),
    ("linh-vuc", "Lĩnh vực", "chart"),
    ("co-quan", "Cơ quan, lãnh đạo", "chart"),
    ("loai-van-ban", "Loại văn bản", "chart"),
    ("theo-tuan", "Theo tuần", "chart"),
    ("dia-ban", "Địa bàn", "chart"),
    ("tra-cuu", "Tra cứu", "table"),
]

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def run_dashboard(library: Path, log_dir: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on `library`, on a free port: yields its base URL, stops it afterwards."""
    port = _free_port()
    log = (log_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "DASHBOARD_DATA_DIR": str(library)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start (see {log.name})") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of `streamlit run dashboard.py` on a copy of the bundled library."""
    library = copy_library(tmp_path_factory.mktemp("browser-library"))
    with run_dashboard(library, tmp_path_factory.mktemp("browser-log")) as base:
        yield base


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("BROWSER_ARTIFACTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@contextlib.contextmanager
def open_tab(server: str) -> Iterator[object]:
    """A chromium tab (fresh profile) on the dashboard's root URL, closed afterwards."""
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="chromium-profile-"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 1000},
            locale="vi-VN",
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        # The first request of a fresh server must be the root URL (see dashboard.py's docstring).
        page.goto(server + "/")
        settle(page)
        yield page
        context.close()


@pytest.fixture(scope="module")
def browser_page(server: str) -> Iterator[object]:
    with open_tab(server) as page:
        yield page


def settle(page: object) -> None:
    """Wait until the app has finished running (twice: a rerun can start right after the first one)
    and the charts had time to draw."""
    page.wait_for_selector("[data-testid=stMainBlockContainer] h1")
    for _ in range(2):
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')")
        page.wait_for_timeout(600)


def assert_no_error(page: object) -> None:
    errors = page.locator("[data-testid=stException], [data-testid=stAlertContentError]")
    assert errors.count() == 0, errors.all_inner_texts()


def expected_rows(sector: str) -> object:
    """Rows of the bundled corpus in `sector`, straight from the loader."""
    import loaders

    items, _ = loaders.load([ROOT / "data" / "digests"])
    return items[items["sector"] == sector]


def metric_values(page: object) -> list[str]:
    return page.locator("[data-testid=stMetricValue]").all_inner_texts()


def nav_link(page: object, title: str) -> object:
    """The sidebar's link to the page titled `title` (the app draws its own links: they keep the view)."""
    return page.locator(f"[data-testid=stSidebar] a[data-testid=stPageLink-NavLink]:has-text('{title}')").first


def open_page(page: object, title: str) -> None:
    nav_link(page, title).click()
    page.wait_for_selector(f"h1:has-text('{title}')")
    settle(page)


def pick_option(page: object, label: str, option: str) -> None:
    """Choose `option` in the sidebar multiselect labelled `label`."""
    box = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text=label).first
    box.click()
    # The option list is virtualised (only the first ~11 are in the page): type to bring the option in.
    page.keyboard.type(option)
    page.locator("[role=option]").filter(has_text=option).first.click()
    page.keyboard.press("Escape")
    settle(page)


def test_every_page_shows_charts_and_no_error(browser_page: object, server: str, artifacts: Path) -> None:
    page = browser_page
    for path, title, content in PAGES:
        open_page(page, title)
        assert page.url.split("?")[0] == f"{server}/{path}"
        assert_no_error(page)
        if content == "chart":
            charts = page.locator(".js-plotly-plot")
            assert charts.count() > 0 and charts.first.is_visible(), title
        else:
            assert page.locator("[data-testid=stDataFrame]").first.is_visible()
        captions = " ".join(page.locator("[data-testid=stCaptionContainer]").all_inner_texts())
        assert " / 70 mục" in captions, title
        page.screenshot(path=str(artifacts / f"{path or 'tong-quan'}.png"), full_page=True)
    open_page(page, "Tổng quan")
    page.screenshot(path=str(artifacts / "overview.png"))
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "screenshot-overview.png"))


def test_filter_click_url_state_and_reset(browser_page: object, server: str, artifacts: Path) -> None:
    page = browser_page
    open_page(page, "Tổng quan")
    before = metric_values(page)
    pick_option(page, "Lĩnh vực", "Y tế")
    assert "sector=S12" in page.url  # the sector's code (data/vocab/sectors.yaml), not its name
    after = metric_values(page)
    health = expected_rows(sector="Y tế")
    assert after[1] == str(int(health["first_report"].sum())) != before[1]
    assert_no_error(page)
    page.screenshot(path=str(artifacts / "filtered-overview.png"))

    # The filter survives a page switch, in the URL and in the sidebar.
    # Every page link in the sidebar carries the filters (so that a new tab opened from it keeps them).
    hrefs = page.locator("[data-testid=stSidebar] a[data-testid=stPageLink-NavLink]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) >= 9 and all("sector=S12" in h for h in hrefs), hrefs
    open_page(page, "Tra cứu")
    assert "sector=S12" in page.url
    captions = " ".join(page.locator("[data-testid=stCaptionContainer]").all_inner_texts())
    assert f"{len(health)} / 70 mục" in captions  # the explorer lists every report
    assert page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="Y tế").count() == 1

    # A copied link reproduces the view in a fresh tab.
    link = page.url.replace("/tra-cuu", "/")
    other = page.context.new_page()
    other.goto(link)
    other.wait_for_selector("[data-testid=stMetricValue]")
    settle(other)
    assert metric_values(other) == after
    other.close()

    # One click resets every filter.
    page.locator("[data-testid=stSidebar] button:has-text('Đặt lại bộ lọc')").click()
    settle(page)
    assert "sector=" not in page.url
    open_page(page, "Tổng quan")
    assert metric_values(page) == before


def test_search_and_item_detail(browser_page: object, server: str, artifacts: Path) -> None:
    page = browser_page
    open_page(page, "Tra cứu")
    search = page.locator("[data-testid=stSidebar] input[type=text]").first
    search.fill("tiem chung")
    search.press("Enter")
    settle(page)
    assert f"q={quote_plus('tiem chung')}" in page.url
    captions = page.locator("[data-testid=stCaptionContainer]").all_inner_texts()
    shown = next(c for c in captions if " / 70 mục" in c)
    assert not shown.startswith("70 /") and not shown.startswith("0 /")
    table = page.locator("[data-testid=stDataFrame]").first
    box = table.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 52)  # the first row's selection box
    page.wait_for_selector("text=Bản tin")
    settle(page)
    assert "tiêm chủng" in page.locator("[data-testid=stMainBlockContainer]").inner_text().lower()
    assert_no_error(page)
    page.screenshot(path=str(artifacts / "explorer-item.png"), full_page=True)
    search.fill("")
    search.press("Enter")
    settle(page)


def test_english_switch(browser_page: object, server: str, artifacts: Path) -> None:
    page = browser_page
    open_page(page, "Tổng quan")
    page.locator("[data-testid=stSidebar] label:has-text('English')").click()
    page.wait_for_selector("h1:has-text('Overview')")
    settle(page)
    assert "lang=en" in page.url
    assert "of 70 items" in " ".join(page.locator("[data-testid=stCaptionContainer]").all_inner_texts())
    assert_no_error(page)
    page.screenshot(path=str(artifacts / "overview-en.png"))
    page.locator("[data-testid=stSidebar] label:has-text('Tiếng Việt')").click()
    page.wait_for_selector("h1:has-text('Tổng quan')")


def test_clicking_a_bar_narrows_the_explorer(browser_page: object, server: str, artifacts: Path) -> None:
    page = browser_page
    open_page(page, "Lĩnh vực")
    ranking = page.locator(".js-plotly-plot").nth(1)  # the sector ranking: one bar per sector
    ranking.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    bar = ranking.locator("g.point path").first  # the largest sector
    box = bar.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 4, y)
    page.wait_for_timeout(300)
    page.mouse.move(x, y)  # plotly selects the hovered bar on click
    page.wait_for_timeout(400)
    page.mouse.down()
    page.mouse.up()
    link = page.locator("a:has-text('Xem các mục đã chọn')")
    link.wait_for()
    settle(page)
    link.first.click()
    page.wait_for_selector("h1:has-text('Tra cứu')")
    settle(page)
    banner = page.locator("[data-testid=stAlertContentInfo]").filter(has_text="Đang thu hẹp")
    assert banner.count() == 1
    text = banner.inner_text()
    sector = text.split("(Lĩnh vực): ")[1].split(" — ")[0]
    assert "sel=sector" in page.url and "pick=S" in page.url  # the selection is in the URL, in codes
    import loaders

    items, _ = loaders.load([ROOT / "data" / "digests"])
    first = items[items["first_report"]]
    n = int((first["sector"] == sector).sum())
    assert n == first["sector"].value_counts().max()  # the top bar is the largest sector
    assert f"{n} / 70 mục" in " ".join(page.locator("[data-testid=stCaptionContainer]").all_inner_texts())
    page.screenshot(path=str(artifacts / "explorer-narrowed.png"))
    page.locator("button:has-text('Bỏ chọn')").click()
    settle(page)
    assert "70 / 70 mục" in " ".join(page.locator("[data-testid=stCaptionContainer]").all_inner_texts())


def _rgb(css: str) -> tuple[float, float, float]:
    """(r, g, b) of a computed "rgb(r, g, b)" / "rgba(r, g, b, a)" colour."""
    r, g, b = (float(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    return r, g, b


def test_document_language_and_nothing_fetched_from_the_internet(browser_page: object, server: str) -> None:
    """`<html lang>` follows the language switch, the uploader speaks Vietnamese, and no page asks another host
    for anything (the favicon is shipped with the app, fonts are Streamlit's bundled ones)."""
    outside: list[str] = []

    def watch(request: object) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
            outside.append(request.url)

    context = browser_page.context
    context.on("request", watch)
    page = context.new_page()
    try:
        for path, title, _ in [*PAGES, ("chat-luong", "Chất lượng dữ liệu", ""), ("nap-ban-tin", "Nạp bản tin", "")]:
            page.goto(f"{server}/{path}")
            page.wait_for_selector(f"h1:has-text('{title}')")
            settle(page)
            assert page.evaluate("document.documentElement.lang") == "vi", title
        # Streamlit's uploader says "Upload" in every language: the page's own words are shown instead.
        shown = page.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=stFileUploaderDropzone] button p'), '::after')"
            ".content"
        )
        assert shown == '"Chọn tệp"'
        icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(link => link.href)")
        assert icons and all(href.startswith("data:image/svg+xml") for href in icons), icons
        page.goto(f"{server}/?lang=English")
        page.wait_for_selector("h1:has-text('Overview')")
        settle(page)
        assert page.evaluate("document.documentElement.lang") == "en"
        # Captions and chart ticks as drawn, at WCAG AA contrast on the page (tests/test_contrast.py explains).
        caption, opacity, tick = page.evaluate(
            """() => {
                const el = document.querySelector('[data-testid=stMain] [data-testid=stCaptionContainer]');
                const c = getComputedStyle(el);
                return [c.color, c.opacity, document.querySelector('.js-plotly-plot .xtick text').style.fill];
            }"""
        )
        white = (255, 255, 255)
        assert contrast(over(_rgb(caption), white, float(opacity)), white) >= AA
        assert contrast(_rgb(tick), white) >= AA
    finally:
        page.close()
        context.remove_listener("request", watch)
    assert outside == []


def test_deep_links_open_without_page_not_found(browser_page: object, server: str) -> None:
    """`/tong-quan` (where the sidebar's overview link goes) and old label-style links open right: no
    "Page not found" box, the filters applied, and the URL rewritten once in codes."""
    page = browser_page.context.new_page()
    try:
        page.goto(f"{server}/tong-quan?sector=Y+t%E1%BA%BF&lang=English&per=Th%C3%A1ng")
        page.wait_for_selector("h1:has-text('Overview')")
        settle(page)
        assert page.get_by_text("Page not found").count() == 0
        assert_no_error(page)
        assert page.url.split("?")[0] == f"{server}/tong-quan"
        query = page.url.split("?")[1]
        assert {"sector=S12", "lang=en", "per=month"} <= set(query.split("&")), page.url
        health = expected_rows(sector="Y tế")
        assert metric_values(page)[1] == str(int(health["first_report"].sum()))
    finally:
        page.close()
