"""A local stand-in for the provincial portal (127.0.0.1 only), for the fetch tests: listing pages in both
portal styles with pagination and unrelated links, the bundled digests wrapped in heavy page furniture,
and every misbehaviour fetch must survive (robots.txt, 404, 500 then 200, 429 with Retry-After, a slow
answer, a redirect to another host, a 30 MB body, a PDF, a page that is not a digest).

Digest pages are built from the seeds: each line of the .txt becomes a paragraph of the article, the
title its <h1>, inside menus, banners, a search form, a sidebar of related digests, comments and footers.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import ROOT, SEEDS

FIXTURE_000 = (ROOT / "tests" / "fixtures" / "portal_article_000.html").read_bytes()
SEED_TEXT = {p.name[:3]: p.read_text(encoding="utf-8") for p in SEEDS}

MENU = """
<div id="header"><div class="region region-header"><div class="site-name">CỔNG THÔNG TIN ĐIỆN TỬ TỈNH LẠNG SƠN</div>
<form action="/tim-kiem" class="search-form"><input name="q" /><button>Tìm kiếm</button></form></div></div>
<nav id="main-menu" class="menu"><ul>
<li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>
<li><a href="/tin-tuc-su-kien">Tin tức - Sự kiện</a></li><li><a href="/van-ban-chi-dao">Văn bản chỉ đạo</a></li>
<li><a href="https://www.facebook.com/langson">Facebook</a></li></ul></nav>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/chi-dao-dieu-hanh">Chỉ đạo điều hành</a></div>
"""
SIDEBAR = """
<div id="sidebar" class="sidebar"><div class="block tin-lien-quan"><h2>Tin liên quan</h2><ul>
<li><a href="/tin-tuc/hoi-nghi-xuc-tien-dau-tu-123.html">Hội nghị xúc tiến đầu tư năm 2024</a></li>
<li><a href="/tin-tuc/le-hoi-ky-lua-456.html">Lễ hội Kỳ Lừa 2025</a></li></ul></div>
<div class="block"><h2>Liên kết</h2><a href="/lich-cong-tac">Lịch công tác tuần</a></div></div>
"""
FOOTER = """
<div id="comments" class="comments"><h2>Ý kiến bạn đọc</h2><form><textarea></textarea></form></div>
<div id="footer"><p>© Cổng Thông tin điện tử tỉnh Lạng Sơn. Địa chỉ: Số 2 Hoàng Văn Thụ.</p></div>
<script>var tracker = "<p>SCRIPT-LEAK</p>";</script>
"""


def page(title: str, main: str) -> bytes:
    """A whole portal page around `main`."""
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)} | Cổng TTĐT</title>'
        f"<style>.menu{{color:red}}</style></head><body class='page one-sidebar'>{MENU}"
        f"<div id='content'>{main}</div>{SIDEBAR}{FOOTER}</body></html>"
    ).encode()


def digest_page(seed: str) -> bytes:
    """Seed `seed` ("001") as the portal would show it: its lines as the article's paragraphs."""
    lines = [line for line in SEED_TEXT[seed].splitlines() if line.strip()]
    title = next(line for line in lines if "điều hành nổi bật" in line)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line != title)
    return page(
        title, f'<article class="node"><h1>{html.escape(title)}</h1><div class="field-name-body">{body}</div></article>'
    )


def title_of(seed: str) -> str:
    """The digest title line of a seed."""
    return next(line for line in SEED_TEXT[seed].splitlines() if "điều hành nổi bật" in line).strip()


def listing(title: str, links: list[tuple[str, str]], pager: str) -> bytes:
    """A listing page: teasers of `links` (href, text), unrelated links around them, and the pager."""
    teasers = "".join(
        f'<div class="views-row"><h3><a href="{href}">{html.escape(text)}</a></h3>'
        f'<div class="teaser">Văn phòng UBND tỉnh <a href="{href}">Xem tiếp</a></div></div>'
        for href, text in links
    )
    others = (
        '<div class="block"><h2>Tin mới</h2><a href="/tin-tuc/khai-mac-hoi-cho-789.html">Khai mạc hội chợ '
        'thương mại</a> <a href="/chuyen-muc/kinh-te">Kinh tế</a> <a href="/chuyen-muc/xa-hoi">Xã hội</a></div>'
    )
    return page(title, f"<h1>{html.escape(title)}</h1>{teasers}{others}<ul class='pager'>{pager}</ul>")


def not_a_digest() -> bytes:
    """A news article of the portal."""
    body = "<p>Sáng nay, tỉnh Lạng Sơn tổ chức hội chợ thương mại biên giới với 200 gian hàng.</p>" * 5
    return page("Khai mạc hội chợ thương mại", f"<article><h1>Khai mạc hội chợ thương mại</h1>{body}</article>")


class Portal:
    """The server: `start()` it, read `requests` (path -> count), `stop()` it."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.sent: dict[str, bytes] = {}  # path -> bytes of the digest pages served
        self._flaky = Counter()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep the test output clean
                pass

            def do_GET(self) -> None:
                outer.requests[self.path] += 1
                outer.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.routes = self._routes()

    def start(self) -> Portal:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def article_requests(self) -> int:
        """Requests for digest pages (not listings, not robots.txt)."""
        return sum(n for path, n in self.requests.items() if path in self.sent)

    def _routes(self) -> dict[str, bytes]:
        vp = [("/vi/node/70431", "001"), ("/vi/node/61207", "004"), ("/vi/node/51877", "002")]
        ls = "/chi-dao-dieu-hanh-noi-bat/chi-dao-dieu-hanh-noi-bat-cua-ubnd-tinh-trong-tuan-28-10-3-11-2024-1093.html"
        routes = {path: digest_page(seed) for path, seed in vp}
        routes[ls] = digest_page("003")
        routes["/chi-dao-dieu-hanh-noi-bat/chi-dao-dieu-hanh-noi-bat-17-3-23-3-2024-1201.html"] = FIXTURE_000
        self.sent = dict(routes)
        routes["/vi/chi-dao-dieu-hanh"] = listing(
            "Chỉ đạo điều hành",
            [(vp[0][0], title_of("001")), (vp[1][0], title_of("004"))],
            '<li><a href="/vi/chi-dao-dieu-hanh" class="active">1</a></li>'
            '<li><a href="/vi/chi-dao-dieu-hanh?page=1">2</a></li>'
            '<li class="pager-next"><a href="/vi/chi-dao-dieu-hanh?page=1">Trang sau</a></li>'
            '<li class="pager-last"><a href="/vi/chi-dao-dieu-hanh?page=9">cuối »</a></li>',
        )
        routes["/vi/chi-dao-dieu-hanh?page=1"] = listing(
            "Chỉ đạo điều hành",
            [(vp[2][0], title_of("002"))],
            '<li><a href="/vi/chi-dao-dieu-hanh">1</a></li><li class="active">2</li>',
        )
        routes["/chi-dao-dieu-hanh-noi-bat.html"] = listing(
            "Chỉ đạo, điều hành nổi bật",
            [("/chi-dao-dieu-hanh-noi-bat/chi-dao-dieu-hanh-noi-bat-17-3-23-3-2024-1201.html", title_of("000"))],
            '<li><a rel="next" href="/chi-dao-dieu-hanh-noi-bat/trang-2.html">›</a></li>',
        )
        routes["/chi-dao-dieu-hanh-noi-bat/trang-2.html"] = listing(
            "Chỉ đạo, điều hành nổi bật – trang 2",
            [(ls, "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 28/10 đến hết ngày 03/11/2024)")],
            '<li><a href="/chi-dao-dieu-hanh-noi-bat.html">‹</a></li>',
        )
        routes["/tin-tuc/khai-mac-hoi-cho-789.html"] = not_a_digest()
        routes["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
        return routes

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path
        if path in self.routes:
            media = "text/plain" if path == "/robots.txt" else "text/html; charset=utf-8"
            return self._send(req, 200, self.routes[path], media)
        if path == "/private/digest.html":
            return self._send(req, 200, digest_page("001"), "text/html")
        if path == "/flaky.html":  # 500, then the digest
            self._flaky[path] += 1
            if self._flaky[path] == 1:
                return self._send(req, 500, b"Internal error", "text/html")
            return self._send(req, 200, digest_page("004"), "text/html")
        if path == "/busy.html":  # 429 with Retry-After, then the digest
            self._flaky[path] += 1
            if self._flaky[path] == 1:
                return self._send(req, 429, b"Too many requests", "text/html", {"Retry-After": "1"})
            return self._send(req, 200, digest_page("002"), "text/html")
        if path == "/always-503.html":
            return self._send(req, 503, b"Down", "text/html")
        if path == "/slow.html":
            time.sleep(3)
            return self._send(req, 200, digest_page("001"), "text/html")
        if path == "/away.html":
            return self._send(req, 302, b"", "text/html", {"Location": f"http://localhost:{self.port}/vi/node/70431"})
        if path == "/moved.html":
            return self._send(req, 301, b"", "text/html", {"Location": "/vi/node/70431"})
        if path == "/huge.html":  # 30 MB, no Content-Length: the client must stop reading by itself
            req.send_response(200)
            req.send_header("Content-Type", "text/html")
            req.end_headers()
            chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"
            try:
                for _ in range(30):
                    req.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/huge-declared.html":
            return self._send(req, 200, b"x", "text/html", {"Content-Length-Override": str(30 * 2**20)})
        if path == "/report.pdf":
            return self._send(req, 200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
        return self._send(req, 404, b"<h1>Not found</h1>", "text/html")

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler, status: int, body: bytes, media: str, headers: dict[str, str] | None = None
    ) -> None:
        headers = dict(headers or {})
        length = headers.pop("Content-Length-Override", str(len(body)))
        req.send_response(status)
        req.send_header("Content-Type", media)
        req.send_header("Content-Length", length)
        for key, value in headers.items():
            req.send_header(key, value)
        req.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            req.wfile.write(body)
