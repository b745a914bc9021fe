"""Printing in a real browser: with the print media, a page shows its charts without the sidebar, every chart
inside the sheet's width with its legend, its closed expanders open; the print of the Từ khóa page too. The
PDF chromium prints (read back with pypdf) has no sidebar, the sectors trend whole on one sheet with its
legend, and a week's closed items in full. Screenshots and the PDFs go to the artifacts folder (see
tests/test_browser.py, whose server and tab helpers this uses)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests import test_browser as tb

pytestmark = pytest.mark.browser
server, artifacts = tb.server, tb.artifacts  # the module's dashboard server and screenshot folder


def assert_printable(page: object) -> None:
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert not page.locator("[data-testid=stHeader]").is_visible()
    charts = page.locator(".js-plotly-plot")
    assert charts.count() > 0
    width = page.evaluate("document.documentElement.clientWidth")
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, i


@pytest.mark.parametrize(("path", "title"), [("linh-vuc", "Lĩnh vực"), ("tu-khoa?terms=cua+khau", "Từ khóa")])
def test_print_media_hides_the_sidebar_and_keeps_charts_whole(
    server: str, artifacts: Path, path: str, title: str
) -> None:
    with tb.open_tab(server) as page:
        page.goto(f"{server}/{path}")
        page.wait_for_selector(f"h1:has-text('{title}')")
        tb.settle(page)
        assert page.locator("[data-testid=stSidebar]").is_visible()
        assert page.evaluate("window.__dashboardPrintFit === true")  # the chart-scaling script runs
        closed = page.locator("[data-testid=stExpanderDetails]")
        assert closed.count() > 0 and not closed.first.is_visible()  # the summary tables, closed on screen
        page.emulate_media(media="print")
        page.wait_for_timeout(800)
        stem = path.split("?")[0]
        page.screenshot(path=str(artifacts / f"print-{stem}.png"), full_page=True)
        assert_printable(page)
        assert page.locator(".js-plotly-plot .legend").first.is_visible()  # legends are kept
        assert all(closed.nth(i).is_visible() for i in range(closed.count()))  # expanders print open
        page.emulate_media(media="screen")
        page.wait_for_timeout(300)
        assert page.locator("[data-testid=stSidebar]").is_visible()
        assert not closed.first.is_visible()  # and close again after


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF, NFC, every run of white space one space."""
    return [" ".join(unicodedata.normalize("NFC", p.extract_text()).split()) for p in PdfReader(io.BytesIO(data)).pages]


def lines(page: object, selector: str) -> list[str]:
    texts = page.locator(selector).evaluate_all("els => els.map((e) => e.textContent)")
    return [" ".join(unicodedata.normalize("NFC", t).split()) for t in texts if t.strip()]


def test_the_pdf_of_a_chart_page_has_no_sidebar_and_the_whole_chart(server: str, artifacts: Path) -> None:
    with tb.open_tab(server) as page:
        page.goto(f"{server}/linh-vuc")
        page.wait_for_selector("h1:has-text('Lĩnh vực')")
        tb.settle(page)
        trend = ".js-plotly-plot >> nth=0"
        legend = lines(page, f"{trend} >> .legendtext")
        ticks = lines(page, f"{trend} >> .xtick text")
        axes = lines(page, f"{trend} >> .xtitle") + lines(page, f"{trend} >> .ytitle")
        main = " ".join(lines(page, "[data-testid=stMain]"))  # every text of the page's body, charts included
        sidebar = [x for x in lines(page, "[data-testid=stSidebar] p, [data-testid=stSidebar] h2") if x not in main]
        assert len(legend) == 17 and ticks[0] == "2020-W10" and ticks[-1] == "2025-W12" and len(axes) == 2
        assert {"Bộ lọc", "Đặt lại bộ lọc"} <= set(sidebar)
        charts = page.locator(".js-plotly-plot").count()
        expanders = page.locator("[data-testid=stExpander]").count()
        data = page.pdf(format="A4", print_background=True)  # as printing gives it: no media emulation first
    (artifacts / "print-linh-vuc.pdf").write_bytes(data)
    pages = pdf_pages(data)
    # One sheet at most per chart and per (summary table) expander: nothing is cut across two sheets.
    assert 1 < len(pages) <= charts + expanders
    first = pages[0]
    assert first.startswith("Lĩnh vực") and "Số mục theo tuần và lĩnh vực" in first
    assert [x for x in [*legend, *ticks, *axes] if x not in first] == []  # the trend, legend and ends, on sheet 1
    assert [x for x in sidebar if any(x in p for p in pages)] == []


def test_the_pdf_of_a_week_holds_its_closed_items(server: str, artifacts: Path) -> None:
    with tb.open_tab(server) as page:
        page.goto(f"{server}/theo-tuan?week=2023-W32")
        page.wait_for_selector("h1:has-text('Theo tuần')")
        tb.settle(page)
        assert page.locator("[data-testid=stExpander] details[open]").count() == 0  # every item closed
        data = page.pdf(format="A4")
    (artifacts / "print-theo-tuan.pdf").write_bytes(data)
    text = " ".join(pdf_pages(data))
    # Seed 001 (2023-W32): the text of 1048/UBND-KT and the headline of 1227/QĐ-UBND, both inside closed items.
    assert "Tuyệt đối không lơ là, chủ quan trước mọi diễn biến của thời tiết." in text
    assert "phê duyệt nhu cầu tuyển dụng viên chức các đơn vị sự nghiệp trực thuộc sở, ngành năm 2023" in text
