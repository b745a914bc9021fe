"""Download digests from the province's portal: digest pages, and listing pages linking to them.

`Fetcher.crawl(urls)` reads each URL and tells from its content what it is: a page whose text parses as a
digest is kept; a page with links whose text reads like a digest title (the profile's `title_pattern`) is a
listing, whose digest links are followed, and its next-page link too (rel="next", portal.yaml's `next_page`
texts, else the next page number), up to `max_pages` listing pages and back to `since`. Anything else is
refused with a reason (a `loaders.uploads.Refusal` named by the URL, as uploads are refused by file name).
Storing is the library's business (`Library.preview` + `add`): this module only downloads, politely and defensively:

- only hosts of portal.yaml and those given explicitly; a redirect elsewhere is refused; a host resolving
  to a private, loopback or link-local address is refused unless given explicitly (`--allow-host`);
- robots.txt is honoured (urllib.robotparser, with its Crawl-delay); one request at a time, `delay`
  seconds apart; a User-Agent naming the project; connect and read timeouts;
- 429 and 5xx are retried with exponential backoff, honouring Retry-After (capped);
- only HTML or plain text, never more than the library's 20 MB limit (the body is streamed and reading
  stops there);
- digest pages are kept in `<library>/.cache/fetch/` as soon as downloaded, and URLs the library already
  holds are not downloaded again: an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import importlib.metadata
import ipaddress
import json
import socket
import time
import urllib.robotparser
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx

from loaders import atomic
from loaders.config import MAX_FILE_BYTES, PROFILE_DIR
from loaders.digest import parse_week
from loaders.pipeline import parse_bytes
from loaders.uploads import Refusal, mb
from loaders.vocab import Portal, Vocab, load_portal, load_vocab

PROJECT = "langson-digests"
#: Default pause between two requests, in seconds.
DEFAULT_DELAY = 1.0
#: Listing pages read per run by default (each links ~10–20 digests).
DEFAULT_MAX_PAGES = 50
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
#: Retries of a request answered 429/5xx or timing out.
RETRIES = 2
#: First backoff pause, doubled at each retry, when the server gives no Retry-After.
BACKOFF = 1.0
#: Longest pause a Retry-After (or a robots.txt Crawl-delay) can impose.
MAX_WAIT = 60.0
MAX_REDIRECTS = 5
MAX_ROBOTS_BYTES = 512 * 1024
#: Media types fetch accepts, and the file extension each is stored with.
TEXT_TYPES = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt"}

Log = Callable[[str], None]


def user_agent() -> str:
    """The User-Agent: the project, its version and its homepage (from the package metadata)."""
    try:
        meta = importlib.metadata.metadata(PROJECT)
        version = meta["Version"]
        urls = [u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or [] if "," in u]
    except importlib.metadata.PackageNotFoundError:
        version, urls = "dev", []
    home = f"; +{urls[0]}" if urls else ""
    return f"{PROJECT}/{version} (weekly digests dashboard{home})"


@dataclass(frozen=True)
class Page:
    """A downloaded page."""

    url: str  # as requested (the one the library records)
    final_url: str  # after allowed redirects
    data: bytes
    media_type: str
    fetched_at: dt.datetime

    @property
    def name(self) -> str:
        """A file name for the page: host and path, with the extension of its media type."""
        url = httpx.URL(self.url)
        stem = "_".join(p for p in [url.host, *url.path.split("/")] if p)
        if url.query:
            stem += "_" + hashlib.sha1(url.query).hexdigest()[:8]
        suffix = TEXT_TYPES.get(self.media_type, ".html")
        for ext in (".html", ".htm", ".txt", ".aspx", ".php"):
            stem = stem.removesuffix(ext)
        return stem + suffix


@dataclass
class CrawlResult:
    """What a crawl found."""

    digests: list[Page] = field(default_factory=list)  # pages that parse as digests, in the order found
    listings: list[str] = field(default_factory=list)  # listing pages read
    stored: list[str] = field(default_factory=list)  # digest URLs skipped: the library already has them
    older: list[str] = field(default_factory=list)  # digest links or pages skipped: before `since`
    refused: list[Refusal] = field(default_factory=list)
    from_cache: int = 0  # digests taken from the download cache of an interrupted run


@dataclass(frozen=True)
class _Retry:
    """A transient failure (429, 5xx, timeout, connection): try again after `wait` (None: backoff)."""

    code: str
    reason: str
    wait: float | None = None


@dataclass(frozen=True)
class _Link:
    url: str
    text: str
    rel: str


class _Links(HTMLParser):
    """<a href> links with their text and rel, and <link rel="next">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self._open: list[tuple[str, str, list[str]]] = []  # (href, rel, text parts) of open <a>s

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self._open.append((a["href"], a.get("rel", ""), [a.get("title", "")]))
        elif tag == "link" and "next" in a.get("rel", "").lower().split() and a.get("href"):
            self.links.append((a["href"], "", "next"))

    def handle_data(self, data: str) -> None:
        for _, _, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, rel, parts = self._open.pop()
            text = " ".join(" ".join(parts[1:]).split()) or parts[0].strip()  # the title when no text
            self.links.append((href, text, rel))


def page_links(page: Page) -> list[_Link]:
    """Absolute http(s) links of an HTML page, fragments dropped."""
    parser = _Links()
    with contextlib.suppress(Exception):  # tag soup never stops a crawl: keep what was read
        parser.feed(page.data.decode("utf-8", errors="replace"))
    base = httpx.URL(page.final_url)
    out = []
    for href, text, rel in parser.links:
        try:
            url = base.join(href.strip()).copy_with(fragment=None)
        except (httpx.InvalidURL, ValueError):
            continue
        if url.scheme in ("http", "https"):
            out.append(_Link(str(url), text, rel.lower()))
    return out


class Fetcher:
    """Downloads pages one at a time, politely, from allowed hosts only (see the module docstring)."""

    def __init__(
        self,
        *,
        portal: Portal | None = None,
        vocab: Vocab | None = None,
        allow_hosts: Iterable[str] = (),
        delay: float = DEFAULT_DELAY,
        cache_dir: Path | None = None,
        known: Iterable[str] = (),
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        log: Log | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.portal = portal or load_portal(PROFILE_DIR)
        self.vocab = vocab or load_vocab(PROFILE_DIR)
        self.explicit = {h.strip().lower() for h in allow_hosts if h.strip()}
        self.hosts = set(self.portal.hosts) | self.explicit
        self.delay = max(0.0, delay)
        self.cache_dir = cache_dir
        self.known = set(known)
        self.retries = retries
        self.backoff = backoff
        self.log = log or (lambda _: None)
        self.sleep = sleep
        self.requests = 0  # requests sent (robots.txt included)
        self._last = 0.0
        self._robots: dict[str, urllib.robotparser.RobotFileParser | Refusal] = {}
        self._crawl_delay: dict[str, float] = {}
        self.client = httpx.Client(
            follow_redirects=False,  # each hop is checked against the allowed hosts
            timeout=httpx.Timeout(timeout[1], connect=timeout[0]),
            headers={"User-Agent": user_agent(), "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9"},
            trust_env=False,  # no proxy from the environment: the address checks must be about the real host
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    # ------------------------------------------------------------------------------------ one page

    def check_url(self, url: str) -> Refusal | None:
        """Why `url` may not be requested (scheme, host, address), or None."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            return Refusal(url, "host", "not a valid web address")
        host = (parsed.host or "").lower()
        if parsed.scheme not in ("http", "https") or not host:
            return Refusal(url, "host", "only http:// and https:// addresses are fetched")
        if host not in self.hosts and host.removeprefix("www.") not in self.hosts:
            allowed = ", ".join(sorted(self.hosts))
            return Refusal(url, "host", f"the host {host} is not one of the portal's ({allowed}): use --allow-host")
        if host in self.explicit:
            return None  # given by the user: loopback/private addresses allowed on purpose
        try:
            infos = socket.getaddrinfo(host, parsed.port or (443 if parsed.scheme == "https" else 80))
        except (OSError, UnicodeError) as exc:
            return Refusal(url, "unresolvable", f"cannot resolve {host}: {exc}")
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%")[0])
            if not ip.is_global:
                return Refusal(
                    url,
                    "private_address",
                    f"{host} resolves to the non-public address {ip}: refused (use --allow-host {host} if meant)",
                )
        return None

    def get(self, url: str, *, robots: bool = True) -> Page | Refusal:
        """Download one page (redirects followed within allowed hosts, 429/5xx retried)."""
        if refusal := self.check_url(url):
            return refusal
        if robots and (refusal := self._robots_refusal(url)):
            return refusal
        for attempt in range(self.retries + 1):
            outcome = self._get_once(url)
            if not isinstance(outcome, _Retry):
                return outcome
            if attempt == self.retries:
                return Refusal(url, outcome.code, f"{outcome.reason} ({self.retries} retries)")
            wait = outcome.wait if outcome.wait is not None else self.backoff * 2**attempt
            self.log(f"  retry {attempt + 1}/{self.retries} in {wait:.1f} s ({outcome.reason}): {url}")
            self.sleep(min(wait, MAX_WAIT))
        raise AssertionError("unreachable")

    def _get_once(self, url: str) -> Page | Refusal | _Retry:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if refusal := self.check_url(current):
                return refusal if current == url else Refusal(url, refusal.code, f"redirected to {refusal.message}")
            self._pause(current)
            try:
                with self.client.stream("GET", current) as resp:
                    self.requests += 1
                    if resp.is_redirect and "location" in resp.headers:
                        current = str(resp.url.join(resp.headers["location"]).copy_with(fragment=None))
                        continue
                    return self._read(url, current, resp)
            except httpx.TimeoutException:
                return _Retry("timeout", "no answer within the timeout")
            except httpx.TransportError as exc:
                return _Retry("network", f"cannot download: {exc}")
            except httpx.HTTPError as exc:
                return Refusal(url, "network", f"cannot download: {exc}")
        return Refusal(url, "redirects", f"more than {MAX_REDIRECTS} redirects")

    def _read(self, url: str, current: str, resp: httpx.Response) -> Page | Refusal | _Retry:
        status = resp.status_code
        if status == 429 or status >= 500:
            wait = _retry_after(resp.headers.get("retry-after"))
            return _Retry("http_status", f"the server answered {status} {resp.reason_phrase}", wait)
        if status >= 400 or status < 200 or status in (204, 205):
            return Refusal(url, "http_status", f"the server answered {status} {resp.reason_phrase}")
        media = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in TEXT_TYPES:
            return Refusal(url, "not_text", f"not a web page or text ({media or 'no content type'})")
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_FILE_BYTES:
            return Refusal(url, "too_large", f"{mb(int(declared))} is over the {mb(MAX_FILE_BYTES)} limit")
        body = bytearray()
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) > MAX_FILE_BYTES:  # stop reading: the connection is dropped on leaving the stream
                return Refusal(url, "too_large", f"over the {mb(MAX_FILE_BYTES)} limit (stopped reading)")
        return Page(url, current, bytes(body), media, dt.datetime.now(dt.UTC))

    def _pause(self, url: str) -> None:
        """One request at a time, `delay` (or the site's Crawl-delay, capped) apart."""
        delay = max(self.delay, self._crawl_delay.get(_origin(url), 0.0))
        wait = self._last + delay - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last = time.monotonic()

    def _robots_refusal(self, url: str) -> Refusal | None:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, Refusal):
            return Refusal(url, "robots", rules.reason)
        if not rules.can_fetch(user_agent(), url):
            return Refusal(url, "robots", f"{origin}/robots.txt does not allow fetching this page")
        return None

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | Refusal:
        rules = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        page = self.get(f"{origin}/robots.txt", robots=False)
        if isinstance(page, Refusal):
            if page.code == "http_status" and any(f" {c} " in f" {page.reason} " for c in ("401", "403")):
                rules.disallow_all = True
            elif page.code in ("http_status", "not_text"):  # no robots.txt: everything is allowed
                rules.allow_all = True
            elif page.code in ("host", "private_address", "unresolvable"):
                return page
            else:  # unreachable: RFC 9309 says assume everything is disallowed
                return Refusal(page.name, "robots", f"{origin}/robots.txt cannot be read ({page.reason})")
            return rules
        rules.parse(page.data[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace").splitlines())
        delay = rules.crawl_delay(user_agent())
        if delay:
            self._crawl_delay[origin] = min(float(delay), MAX_WAIT)
        return rules

    # ------------------------------------------------------------------------------------ crawling

    def crawl(
        self, urls: Iterable[str], since: dt.date | None = None, max_pages: int = DEFAULT_MAX_PAGES
    ) -> CrawlResult:
        """Read digest and listing pages (see the module docstring); nothing is stored in the library."""
        result = CrawlResult()
        queue: deque[tuple[str, str, int]] = deque((u.strip(), "start", 1) for u in urls if u.strip())
        seen: set[str] = set()
        while queue:
            url, kind, page_no = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            if url in self.known:
                result.stored.append(url)
                self.log(f"  stored   {url}")
                continue
            if kind == "listing" and len(result.listings) >= max_pages:
                continue
            page = self._cached(url)
            if page is not None:
                result.from_cache += 1
            else:
                self.log(f"[{self.requests + 1}] GET {url}")
                page = self.get(url)
            if isinstance(page, Refusal):
                result.refused.append(page)
                self.log(f"  refused  {page.message}")
                continue
            rows, report = parse_bytes(page.data, page.name, self.vocab)
            if rows:
                if since and report.week_end and report.week_end < since:
                    result.older.append(url)
                else:
                    self._keep(page)
                    result.digests.append(page)
                    self.log(f"  digest   week {report.week_start:%d/%m/%Y}, {len(rows)} items: {url}")
                continue
            links = page_links(page) if kind != "digest" and page.media_type != "text/plain" else []
            digests = [link for link in links if self.portal.is_digest_title(link.text) and self._ours(link.url)]
            if not digests:
                what = "the linked page" if kind == "digest" else "the page"
                result.refused.append(Refusal(url, "not_a_digest", f"{what} is neither a digest nor a list of digests"))
                self.log(f"  refused  {url}: not a digest")
                continue
            result.listings.append(url)
            self.log(f"  listing  {len(digests)} digest link(s): {url}")
            reached_since = False
            for link in digests:
                week = parse_week(link.text)
                if since and week and week[1] < since:
                    reached_since = True
                    result.older.append(link.url)
                else:
                    queue.append((link.url, "digest", 0))
            following = self._next_page(links, page_no)
            if following and not reached_since:
                queue.append((following, "listing", page_no + 1))
        return result

    def _ours(self, url: str) -> bool:
        host = (httpx.URL(url).host or "").lower()
        return host in self.hosts or host.removeprefix("www.") in self.hosts

    def _next_page(self, links: list[_Link], page_no: int) -> str | None:
        """The listing's next page: rel="next", else the most trusted next-page text, else page_no + 1."""
        ours = [link for link in links if self._ours(link.url)]
        for link in ours:
            if "next" in link.rel.split():
                return link.url
        ranked = [(rank, n) for n, link in enumerate(ours) if (rank := self.portal.next_rank(link.text)) is not None]
        if ranked:
            return ours[min(ranked)[1]].url
        return next((link.url for link in ours if link.text.strip() == str(page_no + 1)), None)

    # ------------------------------------------------------------------------------------ resuming

    def _cache_path(self, url: str) -> Path | None:
        return self.cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.page" if self.cache_dir else None

    def _cached(self, url: str) -> Page | None:
        """A digest page downloaded by an earlier, interrupted run."""
        path = self._cache_path(url)
        try:
            head, data = path.read_bytes().split(b"\n", 1) if path else (b"", b"")
            meta = json.loads(head)
            if meta["url"] != url:
                return None
            return Page(url, meta["final_url"], data, meta["media_type"], dt.datetime.fromisoformat(meta["fetched_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _keep(self, page: Page) -> None:
        path = self._cache_path(page.url)
        if path is None:
            return
        meta = {
            "url": page.url,
            "final_url": page.final_url,
            "media_type": page.media_type,
            "fetched_at": page.fetched_at.isoformat(),
        }
        with contextlib.suppress(OSError):  # the cache only saves downloads; failing to write it loses nothing
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_atomic(path, json.dumps(meta).encode() + b"\n" + page.data)

    def forget(self, urls: Iterable[str]) -> None:
        """Drop cached downloads of these URLs (the library now holds them)."""
        for url in urls:
            if path := self._cache_path(url):
                path.unlink(missing_ok=True)


def _origin(url: str) -> str:
    u = httpx.URL(url)
    port = f":{u.port}" if u.port else ""
    return f"{u.scheme}://{u.host}{port}"


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped; None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds()), MAX_WAIT)
