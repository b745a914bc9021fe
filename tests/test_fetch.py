"""`python -m loaders fetch` and `loaders.fetch` against a local stand-in of the portal (tests/portal_server.py,
127.0.0.1 only): listings in both portal styles, digests in heavy page furniture, and every refusal."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.__main__ import main
from loaders.fetch import Fetcher, Page, page_links
from loaders.library import Library
from loaders.uploads import Refusal
from loaders.vocab import load_portal
from tests.conftest import ROOT, copy_library, snapshot
from tests.portal_server import Portal as PortalServer

VANPHONG = "/vi/chi-dao-dieu-hanh"
LANGSON = "/chi-dao-dieu-hanh-noi-bat.html"
# The five digest pages the two listings link (see tests/portal_server.py), with the seed each carries.
DIGESTS = {
    "/vi/node/70431": "001",
    "/vi/node/61207": "004",
    "/vi/node/51877": "002",
    "/chi-dao-dieu-hanh-noi-bat/chi-dao-dieu-hanh-noi-bat-17-3-23-3-2024-1201.html": "000",
    "/chi-dao-dieu-hanh-noi-bat/chi-dao-dieu-hanh-noi-bat-cua-ubnd-tinh-trong-tuan-28-10-3-11-2024-1093.html": "003",
}


@pytest.fixture
def portal():
    server = PortalServer().start()
    yield server
    server.stop()


@pytest.fixture
def library_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "library"
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    return root


def fetch(*args: str) -> int:
    return main(["fetch", *args, "--allow-host", "127.0.0.1", "--delay", "0", "--yes"])


def fetcher(**kwargs) -> Fetcher:
    waits: list[float] = []
    f = Fetcher(allow_hosts=["127.0.0.1"], delay=0, sleep=waits.append, **kwargs)
    f.waits = waits  # type: ignore[attr-defined]
    return f


# ------------------------------------------------------------------------ listings -> library


def test_listings_fill_an_empty_library_with_every_linked_digest(portal, library_dir, capsys):
    assert fetch(portal.base + VANPHONG, portal.base + LANGSON) == 0
    out = capsys.readouterr()
    library = Library(library_dir)
    entries = library.entries()
    assert len(entries) == 5 and all(e.loaded for e in entries)
    # Stored byte-identical to what the server sent, each with its page as source.
    sources = library.sources()
    assert {s.url for s in sources.values()} == {portal.base + path for path in DIGESTS}
    for name, source in sources.items():
        path = source.url.removeprefix(portal.base)
        assert (library.digests_dir / name).read_bytes() == portal.sent[path]
        assert source.fetched_at is not None
    # The weeks of the five seeds (000's title says 2024, its documents 2025: the evidence wins).
    assert sorted(f"{e.week_start:%Y-%m-%d}" for e in entries) == [
        "2020-03-02",
        "2022-06-20",
        "2023-08-07",
        "2024-10-28",
        "2025-03-17",
    ]
    # Only listings, their next pages (not "cuối »" = page 9), the digests and robots.txt were requested.
    assert set(portal.requests) == {
        "/robots.txt",
        VANPHONG,
        VANPHONG + "?page=1",
        LANGSON,
        "/chi-dao-dieu-hanh-noi-bat/trang-2.html",
        *DIGESTS,
    }
    assert portal.requests["/robots.txt"] == 1
    assert "5 new, 0 same, 0 conflict(s), 0 refused" in out.out
    assert "GET " + portal.base + VANPHONG in out.err  # the progress lines


def test_a_second_fetch_downloads_no_article_and_changes_nothing(portal, library_dir, capsys):
    assert fetch(portal.base + VANPHONG, portal.base + LANGSON) == 0
    before, articles = snapshot(library_dir), portal.article_requests()
    assert articles == 5
    capsys.readouterr()
    assert fetch(portal.base + VANPHONG, portal.base + LANGSON) == 0
    assert portal.article_requests() == articles
    assert snapshot(library_dir) == before
    assert "5 already stored" in capsys.readouterr().out


def test_fetched_items_carry_their_source_url_and_uploads_none(portal, tmp_path, monkeypatch):
    root = copy_library(tmp_path / "lib")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    url = portal.base + "/vi/node/70431"  # seed 001 as a web page: the same items as the stored .txt
    assert fetch(portal.base + VANPHONG, "--since", "2023-01-01", "--keep-both") == 0
    # Nothing new: seed 001 was already there, as a .txt; the page is remembered as its source (its items
    # link to it), so it is not downloaded again. The other uploads have no source.
    assert Library(root).sources()["001_6a1a74cf8d1e2b76.txt"].url == url
    items, _ = Library(root).load()
    assert len(items) == 70
    assert set(items.loc[items["source"] == "001_6a1a74cf8d1e2b76.txt", "source_url"]) == {url}
    assert set(items.loc[items["source"] != "001_6a1a74cf8d1e2b76.txt", "source_url"]) == {""}
    assert url in Library(root).known_urls()
    requests = portal.article_requests()
    assert fetch(portal.base + VANPHONG, "--since", "2023-01-01") == 0
    assert portal.article_requests() == requests
    # A week the library lacks is stored with its URL, and its items say where they come from.
    empty = tmp_path / "empty"
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(empty))
    assert fetch(url) == 0
    items, _ = Library(empty).load()
    assert len(items) == 24 and set(items["source_url"]) == {url}
    assert set(items["source"]) == {"127.0.0.1_vi_node_70431.html"}


def test_since_stops_at_older_weeks_without_reading_further_pages(portal, library_dir):
    assert fetch(portal.base + VANPHONG, "--since", "2023-01-01") == 0
    assert [e.week_start.isoformat() for e in Library(library_dir).entries()] == ["2023-08-07"]
    assert "/vi/node/61207" not in portal.requests  # 2022: older, skipped by its link text
    assert VANPHONG + "?page=1" not in portal.requests


def test_max_pages_limits_the_listing_pages_read(portal, library_dir):
    assert fetch(portal.base + VANPHONG, "--max-pages", "1") == 0
    assert len(Library(library_dir).entries()) == 2
    assert VANPHONG + "?page=1" not in portal.requests


def test_an_interrupted_run_resumes_without_downloading_again(portal, library_dir, monkeypatch, capsys):
    # Ctrl-C right after the second digest page was downloaded.
    keep, kept = Fetcher._keep, []

    def keep_then_interrupt(self, page):
        keep(self, page)
        kept.append(page.url)
        if len(kept) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(Fetcher, "_keep", keep_then_interrupt)
    assert fetch(portal.base + VANPHONG) == 130
    assert "interrupted; nothing was stored" in capsys.readouterr().out
    assert not Library(library_dir).entries()
    monkeypatch.setattr(Fetcher, "_keep", keep)
    articles = portal.article_requests()
    assert articles == 2
    assert fetch(portal.base + VANPHONG) == 0
    assert portal.article_requests() == 3  # only the page not reached before the interruption
    assert len(Library(library_dir).entries()) == 3
    assert "(2 from an interrupted run)" in capsys.readouterr().out
    assert not list((library_dir / ".cache" / "fetch").glob("*.page"))  # stored: the downloads are dropped


def test_update_reads_the_listings_of_the_province_data(portal, library_dir, monkeypatch, capsys):
    real = load_portal()
    listings = (portal.base + VANPHONG, portal.base + LANGSON)
    monkeypatch.setattr("loaders.__main__.load_portal", lambda _dir: dataclasses.replace(real, listings=listings))
    assert main(["fetch", "--update", "--allow-host", "127.0.0.1", "--delay", "0", "--yes"]) == 0
    assert len(Library(library_dir).entries()) == 5
    capsys.readouterr()
    # The next week: only links from the latest stored week on are looked at, and those are stored.
    articles = portal.article_requests()
    assert main(["fetch", "--update", "--allow-host", "127.0.0.1", "--delay", "0", "--yes"]) == 0
    assert portal.article_requests() == articles
    assert VANPHONG + "?page=1" in portal.requests


# ------------------------------------------------------------------------ refusals

REFUSALS = {
    "/private/digest.html": ("robots", "robots.txt does not allow"),
    "/missing.html": ("http_status", "404"),
    "/away.html": ("host", "redirected to http://localhost"),
    "/huge.html": ("too_large", "over the 20 MB limit"),
    "/huge-declared.html": ("too_large", "30 MB is over the 20 MB limit"),
    "/report.pdf": ("not_text", "application/pdf"),
    "/tin-tuc/khai-mac-hoi-cho-789.html": ("not_a_digest", "neither a digest nor a list of digests"),
    "/always-503.html": ("http_status", "503"),
}


def test_every_refusal_names_its_url_and_says_why(portal):
    with fetcher() as f:
        found = f.crawl([portal.base + path for path in REFUSALS])
    assert not found.digests
    by_url = {r.name: r for r in found.refused}
    assert set(by_url) == {portal.base + path for path in REFUSALS}
    for path, (code, why) in REFUSALS.items():
        refusal = by_url[portal.base + path]
        assert refusal.code == code, refusal
        assert why in refusal.reason, refusal
        assert refusal.message.startswith(portal.base + path)
    assert "/vi/node/70431" not in portal.requests  # the redirect to another host was not followed
    assert portal.requests["/always-503.html"] == 3  # tried, then retried twice


def test_refusals_change_nothing_stored(portal, tmp_path, monkeypatch, capsys):
    root = copy_library(tmp_path / "lib")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    before = snapshot(root)
    assert fetch(*(portal.base + path for path in REFUSALS)) == 1
    assert snapshot(root) == before
    out = capsys.readouterr().out
    for path in REFUSALS:
        assert f"REFUSED   {portal.base}{path}: " in out


def test_a_slow_answer_times_out_and_is_refused(portal):
    with fetcher(timeout=(1.0, 0.3), retries=1) as f:
        page = f.get(portal.base + "/slow.html")
    assert isinstance(page, Refusal) and page.code == "timeout" and page.name == portal.base + "/slow.html"


def test_500_then_200_and_429_with_retry_after_are_retried(portal):
    with fetcher(backoff=0.25) as f:
        flaky = f.get(portal.base + "/flaky.html")
        busy = f.get(portal.base + "/busy.html")
    assert isinstance(flaky, Page) and isinstance(busy, Page)
    assert portal.requests["/flaky.html"] == 2 and portal.requests["/busy.html"] == 2
    assert f.waits == [0.25, 1.0]  # backoff for the 500; the server's Retry-After for the 429


def test_a_redirect_within_the_host_is_followed_and_the_requested_url_kept(portal):
    with fetcher() as f:
        page = f.get(portal.base + "/moved.html")
    assert isinstance(page, Page)
    assert page.url == portal.base + "/moved.html" and page.final_url == portal.base + "/vi/node/70431"


def test_hosts_outside_the_portal_and_private_addresses_are_refused(portal):
    with Fetcher(delay=0) as f:  # 127.0.0.1 not allowed explicitly
        refused = f.get(portal.base + "/vi/node/70431")
    assert isinstance(refused, Refusal) and refused.code == "host" and "--allow-host" in refused.reason
    real = load_portal()
    local = dataclasses.replace(real, hosts=("localhost", *real.hosts))
    with Fetcher(portal=local, delay=0) as f:  # a portal host that resolves to a loopback address
        refused = f.get(f"http://localhost:{portal.port}/vi/node/70431")
    assert refused.code == "private_address" and "127.0.0.1" in refused.reason
    assert not portal.requests  # nothing was sent
    with Fetcher(delay=0) as f:
        assert f.check_url("ftp://langson.gov.vn/x").code == "host"
        assert f.check_url("file:///etc/passwd").code == "host"


def test_the_user_agent_names_the_project(portal):
    seen = []
    original = portal.handle
    portal.handle = lambda req: (seen.append(req.headers["User-Agent"]), original(req))
    with fetcher() as f:
        f.get(portal.base + "/vi/node/70431")
    assert seen and all(ua.startswith("langson-digests/") for ua in seen)


def test_listing_links_ignore_menus_news_and_other_hosts(portal):
    with fetcher() as f:
        page = f.get(portal.base + VANPHONG)
    assert isinstance(page, Page)
    links = page_links(page)
    titles = [link.url for link in links if load_portal().is_digest_title(link.text)]
    assert titles == [portal.base + "/vi/node/70431", portal.base + "/vi/node/61207"]
    assert any("facebook" in link.url for link in links)  # present on the page, never followed (other host)


# ------------------------------------------------------------------------ the command never hangs


def test_the_cli_ends_on_a_slow_server_and_names_the_url(portal, tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "DASHBOARD_DATA_DIR": str(tmp_path / "lib")}
    url = portal.base + "/slow.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "loaders",
            "fetch",
            url,
            "--allow-host",
            "127.0.0.1",
            "--delay",
            "0",
            "--timeout",
            "0.3",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        input="",
        timeout=120,
    )
    assert result.returncode == 1
    assert f"REFUSED   {url}: no answer within the timeout" in result.stdout


def test_without_a_terminal_fetch_asks_for_yes_and_stores_nothing(portal, library_dir, capsys):
    code = main(["fetch", portal.base + "/vi/node/70431", "--allow-host", "127.0.0.1", "--delay", "0"])
    assert code == 2
    assert "pass --yes" in capsys.readouterr().err
    assert not Library(library_dir).entries()
    assert not (library_dir / "sources.json").exists()


def test_usage_errors(capsys):
    for argv in (["fetch"], ["fetch", "http://x", "--since", "2024-13-01"], ["fetch", "http://x", "--delay", "-1"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2


def test_sources_follow_a_digest_to_the_trash_and_back(portal, library_dir):
    assert fetch(portal.base + "/vi/node/70431") == 0
    library = Library(library_dir)
    (name,) = library.sources()
    trashed = library.remove(name)
    assert library.sources() == {} and portal.base + "/vi/node/70431" not in library.known_urls()
    assert json.loads((library.trash_dir / trashed.trash_id / "trash.json").read_text())["source"]["url"].endswith(
        "/vi/node/70431"
    )
    restored = library.restore(trashed.trash_id)
    assert library.sources()[restored.file_name].url == portal.base + "/vi/node/70431"
