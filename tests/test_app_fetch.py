"""The dashboard side of fetching (AppTest): "Nạp từ đường dẫn" on the upload page (preview, confirm, cancel),
the "Xem bản gốc" links of the weeks page, and the data-date line of the sidebar. The portal is the local
stand-in of tests/portal_server.py (127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.fetch import Fetcher
from loaders.library import Library
from tests.conftest import SEEDS, app_maker, copy_library, snapshot
from tests.portal_server import Portal as PortalServer
from tests.test_app_library import assert_clean, button, library_page, table

SEED_001 = next(p for p in SEEDS if p.name.startswith("001"))
PAGE_001 = "/vi/node/70431"  # seed 001 on the stand-in portal


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch):
    server = PortalServer().start()
    monkeypatch.setattr(
        "ui.library.fetcher_for",
        lambda library: Fetcher(
            allow_hosts=["127.0.0.1"], delay=0, cache_dir=library.root / ".cache" / "fetch", known=library.known_urls()
        ),
    )
    yield server
    server.stop()


@pytest.fixture
def lib_root(tmp_path: Path) -> Path:
    root = copy_library(tmp_path / "library")
    (root / "digests" / SEED_001.name).unlink()  # the week the portal will bring
    return root


@pytest.fixture
def make_app(lib_root: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    return app_maker(lib_root, monkeypatch)


def fetch_preview(at: AppTest, *urls: str) -> AppTest:
    at.text_area(key="library_urls").set_value("\n".join(urls)).run()
    button(at, "library_urls_fetch").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_pasted_urls_are_previewed_then_stored_with_their_source(portal, make_app, lib_root) -> None:
    good, bad = portal.base + PAGE_001, portal.base + "/report.pdf"
    before = snapshot(lib_root)
    at = fetch_preview(library_page(make_app), good, bad)
    preview = table(at, "library_preview").set_index("Tệp")
    row = preview.loc[good]
    assert (row["Trạng thái"], row["Số mục"], row["Tuần"]) == ("mới", 24, "07/08/2023–13/08/2023")
    assert preview.loc[bad, "Trạng thái"] == "từ chối"
    assert any(bad.replace(".", "\\.") in e.value.replace("\\:", ":") for e in at.error), "the refusal names the URL"
    assert snapshot(lib_root) == before, "a preview stores nothing"

    button(at, "library_urls_confirm").click().run()
    assert_clean(at)
    assert any("Đã lưu 1 tệp" in s.value for s in at.success)
    library = Library(lib_root)
    assert [s.url for s in library.sources().values()] == [good]
    assert at.text_area(key="library_urls").value == "", "the addresses are cleared"

    # The weeks page links that digest to its page, and only that one.
    at.switch_page("pages/weeks.py").run()
    at.selectbox(key="week").set_value("2023-W32").run()
    assert_clean(at)
    links = at.get("link_button")
    assert [(b.proto.label, b.proto.url) for b in links] == [("Xem bản gốc", good)]
    at.selectbox(key="week").set_value("2022-W25").run()
    assert not at.get("link_button"), "an uploaded digest has no original page"


def test_cancel_drops_the_fetched_pages(portal, make_app, lib_root) -> None:
    before = snapshot(lib_root)
    at = fetch_preview(library_page(make_app), portal.base + PAGE_001)
    assert table(at, "library_preview")["Trạng thái"].tolist() == ["mới"]
    button(at, "library_urls_cancel").click().run()
    assert_clean(at)
    assert any("Đã hủy" in i.value for i in at.info)
    assert snapshot(lib_root) == before


def test_a_url_already_stored_is_not_downloaded_again(portal, make_app, lib_root) -> None:
    at = fetch_preview(library_page(make_app), portal.base + PAGE_001)
    button(at, "library_urls_confirm").click().run()
    requests = portal.article_requests()
    fetch_preview(at, portal.base + PAGE_001)
    assert portal.article_requests() == requests
    assert table(at, "library_preview")["Trạng thái"].tolist() == ["đã có"]


def test_the_sidebar_says_up_to_which_week_and_when_updated(make_app, lib_root) -> None:
    at = make_app().run()
    assert_clean(at)
    captions = [c.value for c in at.sidebar.caption]
    # The latest bundled week is 000's, 17–23/3/2025 (ISO week 12).
    assert any(c.startswith("Dữ liệu đến tuần 2025-W12 (23/03/2025), cập nhật lúc ") for c in captions), captions
