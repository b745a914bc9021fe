"""Printing in a real browser: with the print media, a page shows its charts without the sidebar, every chart
inside the sheet's width with its legend; the print of the Từ khóa page too. Screenshots and a PDF of the
sectors page go to the artifacts folder (see tests/test_browser.py, whose server and tab helpers this uses)."""

from __future__ import annotations

from pathlib import Path

import pytest

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
        page.emulate_media(media="print")
        page.wait_for_timeout(800)
        stem = path.split("?")[0]
        page.screenshot(path=str(artifacts / f"print-{stem}.png"), full_page=True)
        assert_printable(page)
        assert page.locator(".js-plotly-plot .legend").first.is_visible()  # legends are kept
        if stem == "linh-vuc":
            page.pdf(path=str(artifacts / "print-linh-vuc.pdf"), format="A4", print_background=True)
        page.emulate_media(media="screen")
        page.wait_for_timeout(300)
        assert page.locator("[data-testid=stSidebar]").is_visible()
