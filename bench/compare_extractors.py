"""Article-text extractors on portal pages: the project's `loaders.markup.html_to_text` against trafilatura.

Pages: the saved portal page of digest 000 (tests/fixtures/portal_article_000.html, with hidden elements,
templates, scripts, comments, related-news sidebars), and each bundled digest wrapped in heavy page furniture
(tests/portal_server.py: menus, search form, breadcrumb, related news, comments, footer, scripts). For each
page and extractor: items parsed from the extracted text vs the items of the bundled .txt (same headlines and
symbols = exact; bodies and other fields compared too), and furniture leaking into the text.

    pip install trafilatura lxml_html_clean   # not a dependency of the project: only to rerun this comparison
    python bench/compare_extractors.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.markup import html_to_text  # noqa: E402
from loaders.pipeline import parse_digest  # noqa: E402
from loaders.report import FileReport  # noqa: E402
from loaders.textnorm import normalize  # noqa: E402
from loaders.vocab import load_vocab  # noqa: E402
from tests.portal_server import FIXTURE_000, SEEDS, digest_page  # noqa: E402

FIELDS = ("doc_symbol", "doc_date", "issuer", "leader", "sector", "lead_agencies", "districts", "deadlines")
LEAKS = ("LEAK", "Tin liên quan", "Hội nghị xúc tiến", "Ý kiến bạn đọc", "Bản quyền", "Trang chủ")


def main() -> int:
    try:
        import trafilatura
    except ImportError as exc:
        print(f"trafilatura is not installed ({exc}): pip install trafilatura lxml_html_clean")
        return 1
    vocab = load_vocab()

    def rows(text: str) -> list[dict]:
        return parse_digest(normalize(text), "page", vocab, FileReport(path="page"))

    extractors = {
        "markup.html_to_text": html_to_text,
        "trafilatura.extract": lambda h: trafilatura.extract(h, include_comments=False, include_tables=True) or "",
    }
    pages = {f"seed {p.name[:3]} in furniture": (digest_page(p.name[:3]), p) for p in SEEDS}
    pages["portal_article_000.html"] = (FIXTURE_000, SEEDS[0])
    totals = {name: [0, 0, 0, 0, 0.0] for name in extractors}  # exact pages, items off, bodies off, leaks, s
    for page, (html, seed) in pages.items():
        want = rows(seed.read_text(encoding="utf-8"))
        for name, extract in extractors.items():
            start = time.perf_counter()
            text = extract(html.decode("utf-8"))
            took = time.perf_counter() - start
            got = rows(text)
            exact = [r["headline"] for r in got] == [r["headline"] for r in want] and [
                r["doc_symbol"] for r in got
            ] == [r["doc_symbol"] for r in want]
            bodies = sum(a["body"] != b["body"] for a, b in zip(got, want, strict=False)) + abs(len(got) - len(want))
            fields = sum(any(a[f] != b[f] for f in FIELDS) for a, b in zip(got, want, strict=False))
            leaks = [k for k in LEAKS if k in text]
            t = totals[name]
            t[0] += exact
            t[1] += abs(len(got) - len(want)) + fields
            t[2] += bodies
            t[3] += len(leaks)
            t[4] += took
            print(
                f"{page:26} {name:20} items {len(got):2}/{len(want):2} exact={exact!s:5} "
                f"bodies differing {bodies} other fields differing {fields} leaks {leaks}"
            )
    print()
    for name, (exact, off, bodies, leaks, took) in totals.items():
        print(
            f"{name:20} exact on {exact}/{len(pages)} pages, {off} item field(s) off, {bodies} body(ies) off, "
            f"{leaks} furniture leak(s), {took * 1000:.0f} ms in all"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
