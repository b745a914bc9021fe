"""Saved web pages and Markdown -> plain text, one paragraph per line.

`html_to_text` is for article pages saved from the provincial portal (Drupal-like): it
keeps the article and drops the page furniture (menus, banners, breadcrumbs, sidebars, footers, forms,
comments, scripts, styles, hidden elements). Script and style content is never kept, let alone run.
`markdown_to_text` strips Markdown syntax and keeps the words.

Both are pure functions on `str`; bytes go through `loaders.decoding.decode_bytes` first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

# --- HTML ---------------------------------------------------------------------------------------------

_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
# Elements whose whole subtree is never article text.
_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "aside",
        "form",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "map",
        "button",
        "select",
        "option",
        "textarea",
        "input",
        "label",
        "dialog",
        "head",
        "title",
        "meta",
        "link",
    }
)
_PAGE_FURNITURE_TAGS = frozenset({"header", "footer"})  # dropped unless inside the article itself
_BLOCK = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tfoot",
        "tr",
        "ul",
    }
)
_CELL = frozenset({"td", "th"})
_CELL_MARK = "\x00"  # stands for a cell boundary while rendering (NULs are removed from page text)
# Never furniture by class/id/role: containers whose classes describe the page ("sidebar-first" on <body>)
# and headings (Bootstrap themes write <h1 class="page-header">).
_NEVER_FURNITURE = frozenset({"html", "body", "main", "article", "h1", "h2", "h3", "h4", "h5", "h6"})
# Class words that look like furniture but are not: layout flags ("one-sidebar", "no-comments") describe
# the page, and title wrappers ("page-header", "entry-header") hold the article's heading.
_NOT_FURNITURE_RE = re.compile(
    r"(?:has|with|no|one|two|without|show)-|(?:page|article|entry|node|post|content)[-_]+(?:header|title)$",
    re.IGNORECASE,
)
# Opening one of these closes an open <p> (HTML's implied end tags), unless a table cell, caption or
# button lies in between, so unclosed <p>s do not swallow the next paragraph.
_CLOSES_P = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dd",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
    }
)
_P_SCOPE = frozenset(
    {"applet", "button", "caption", "html", "body", "marquee", "object", "table", "td", "th", "template"}
)
_IMPLIED_END = {  # opening tag -> open tags it closes, up to (not past) the listed scope boundaries
    "li": ({"li"}, {"ul", "ol", "menu"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tbody": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "thead": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "tfoot": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "option": ({"option"}, {"select"}),
}

# class/id words of page furniture. Matched as whole words of the class/id ("main-menu", "breadcrumb",
# "region-sidebar-first", "tin-lien-quan"), so "menu" does not hit "menuitem-text" by accident.
_FURNITURE_RE = re.compile(
    r"(?:^|[\s_-])(?:breadcrumbs?|menu|menus|navbar|navigation|nav|sidebar|sidebars|footer|comments?|"
    r"share|sharing|social|related|relatedposts|banner|pager|pagination|skip-link|toolbar|cookie|"
    r"advert|ads|tags|print|lien-quan|tinlienquan|tin-khac|other-news|more-news|login|search)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
_HEADER_RE = re.compile(r"(?:^|[\s_-])(?:header|masthead|site-header|top-bar)(?:$|[\s_-])", re.IGNORECASE)
_HIDDEN_CLASSES = frozenset(
    {
        "hidden",
        "hide",
        "d-none",
        "invisible",
        "visually-hidden",
        "visuallyhidden",
        "element-invisible",
        "element-hidden",
        "sr-only",
        "screen-reader-text",
        "offscreen",
    }
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CONTENT_RE = re.compile(
    r"(?:^|[\s_-])(?:content|article|news-detail|newsdetail|node|post|entry|detail|chi-tiet|noi-dung|"
    r"field--name-body|body)(?:$|[\s_-])",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_WHITESPACE_RE = re.compile(r"\s+")


class _Node:
    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    """Tolerant HTML -> tree of _Node, closing implied and forgotten tags the way browsers do."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities (&nbsp;, &#7879;) decoded in text and attributes
        self.root = _Node("#document", {}, None)
        self.stack: list[_Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _IMPLIED_END:
            closes, scope = _IMPLIED_END[tag]
            self._close_open(closes, scope)
        if tag in _CLOSES_P:
            self._close_open({"p"}, _P_SCOPE)
        node = _Node(tag, {k: (v or "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # "</br>" is read as <br> by browsers
            self.handle_starttag("br", [])
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        # A stray end tag with nothing to close: ignore it, as browsers do.

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _close_open(self, tags: set[str], scope: set[str]) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            open_tag = self.stack[i].tag
            if open_tag in tags:
                del self.stack[i:]
                return
            if open_tag in scope:
                return


def _words(node: _Node) -> str:
    return f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}".strip()


def _is_hidden(node: _Node) -> bool:
    attrs = node.attrs
    if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
        return True
    if _HIDDEN_STYLE_RE.search(attrs.get("style", "")):
        return True
    return not _HIDDEN_CLASSES.isdisjoint(attrs.get("class", "").lower().split())


def _furniture_words(node: _Node) -> str:
    return " ".join(w for w in _words(node).split() if not _NOT_FURNITURE_RE.match(w))


def _is_dropped(node: _Node, in_article: bool, by_class: bool = True) -> bool:
    """Page furniture or invisible: the subtree contributes no text.

    Tags, hidden markers and ARIA roles are always trusted; class/id words only when `by_class`.
    """
    if node.tag in _DROP_TAGS or _is_hidden(node):
        return True
    if node.tag in _NEVER_FURNITURE:
        return False
    role = node.attrs.get("role", "")
    if role in {"navigation", "search", "complementary", "contentinfo"}:
        return True
    words = _furniture_words(node) if by_class else ""
    if node.tag in _PAGE_FURNITURE_TAGS or role == "banner" or (words and _HEADER_RE.search(words)):
        # An article's own <header> holds its title; the page's <header>/<footer> hold the banner.
        return not in_article or node.tag == "footer"
    return bool(words and _FURNITURE_RE.search(words))


def _find(root: _Node, want: Callable[[_Node], bool], by_class: bool = True) -> list[_Node]:
    """Nodes below `root` satisfying `want`, outside dropped subtrees, in document order."""
    found: list[_Node] = []
    stack: list[tuple[_Node, bool]] = [(root, False)]
    while stack:  # iterative: tag soup can nest deeper than Python's recursion limit
        node, in_article = stack.pop()
        if node is not root and want(node):
            found.append(node)
        inside = in_article or node.tag == "article"
        stack.extend(
            (child, inside)
            for child in reversed(node.children)
            if not isinstance(child, str) and not _is_dropped(child, inside, by_class)
        )
    return found


def _render(root: _Node, in_article: bool) -> str:
    """Text of `root`: block boundaries become "\n", table cells " | ", everything else flows inline."""
    parts: list[str] = []
    # (children, inside an <article>, inside a <pre>, tag to close)
    stack: list[tuple[Iterator[_Node | str], bool, bool, str]] = [(iter(root.children), in_article, False, "")]
    while stack:  # iterative: tag soup can nest deeper than Python's recursion limit
        children, inside, pre, _ = stack[-1]
        child = next(children, None)
        if child is None:
            tag = stack.pop()[3]
            if tag in _BLOCK and tag not in _CELL:
                parts.append("\n")
            continue
        if isinstance(child, str):
            child = child.replace(_CELL_MARK, "")
            parts.append(child if pre else _WHITESPACE_RE.sub(" ", child))
            continue
        if _is_dropped(child, inside):
            continue
        tag = child.tag
        if tag in ("br", "hr"):
            parts.append("\n")
            continue
        if tag in _CELL:
            parts.append(_CELL_MARK)  # becomes " | " only between cells that have text
        elif tag in _BLOCK:
            parts.append("\n")
        stack.append((iter(child.children), inside or tag == "article", pre or tag == "pre", tag))

    lines = []
    for raw in "".join(parts).split("\n"):
        cells = (_SPACES_RE.sub(" ", cell).strip() for cell in raw.split(_CELL_MARK))
        line = " | ".join(cell for cell in cells if cell)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _depth(node: _Node) -> int:
    depth = 0
    while node.parent is not None:
        node, depth = node.parent, depth + 1
    return depth


def _content_root(doc: _Node) -> tuple[_Node, bool]:
    """The element holding the article, and whether it is (inside) an <article>.

    Searched first outside all furniture, then again trusting only tags: a wrapper such as
    "content-sidebar-wrap" holds the article as well as the sidebar. Either way only what lies below the
    chosen element is rendered, with every rule applied.
    """
    for by_class in (True, False):
        found = _pick_content(doc, by_class)
        if found:
            return found
    bodies = _find(doc, lambda n: n.tag == "body")
    return (bodies[0] if bodies else doc), False


def _pick_content(doc: _Node, by_class: bool) -> tuple[_Node, bool] | None:
    articles = [(len(_render(n, True)), n) for n in _find(doc, lambda n: n.tag == "article", by_class)]
    if articles:
        size, best = max(articles, key=lambda pair: pair[0])  # teasers of other articles are shorter
        if size:
            return best, True
    for main in _find(doc, lambda n: n.tag == "main" or n.attrs.get("role") == "main", by_class):
        if _render(main, False):
            return main, False
    candidates = [
        (len(_render(n, False)), _depth(n), n)
        for n in _find(doc, lambda n: bool(_CONTENT_RE.search(_words(n))), by_class)
    ]
    longest = max((size for size, _, _ in candidates), default=0)
    if longest:
        # The innermost candidate that still holds nearly all the text: "node__content" rather than
        # "page-content", which also wraps leftovers such as a date line or tags.
        near = [(depth, n) for size, depth, n in candidates if size >= 0.8 * longest]
        return max(near, key=lambda pair: pair[0])[1], False
    return None


def html_to_text(html: str) -> str:
    """Article text of an HTML page, one paragraph (block element or <br>-separated line) per line.

    The article is the biggest <article>, else <main>, else the most specific element whose class/id
    says content/article/news-detail/node, else <body>; menus, headers, footers, breadcrumbs, sidebars,
    forms, comments, scripts, styles and hidden elements are dropped wherever they are. When the page's
    <h1> title sits outside the article (Drupal puts it in a block of its own), it becomes the first
    line. Entities are decoded, &nbsp; and runs of spaces become one space, empty lines are dropped.
    """
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    root, in_article = _content_root(builder.root)
    text = _render(root, in_article)
    if root.tag != "#document" and not _find(root, lambda n: n.tag == "h1"):
        titles = _find(builder.root, lambda n: n.tag == "h1")
        title = _render(titles[0], False) if titles else ""
        if title and not text.startswith(title):
            text = f"{title}\n{text}" if text else title
    return text


# --- Markdown -----------------------------------------------------------------------------------------

_MD_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_MD_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_MD_HEADING_CLOSE_RE = re.compile(r"\s+#+\s*$")
_MD_SETEXT_RE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_RULE_RE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_QUOTE_RE = re.compile(r"^\s{0,3}(>\s?)+")
_MD_BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_MD_REFDEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_MD_TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]+)\]\[[^\]]*\]")
_MD_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_MD_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_MD_BR_TAG_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_MD_CODE_RE = re.compile(r"(`+)(.+?)\1")
# Emphasis only around words: "5 * 3 * 2" and snake_case_names are left alone.
_MD_EMPHASIS_RES = (
    re.compile(r"(?<![\w*])(\*\*\*|___)(?=\S)(.+?)(?<=\S)\1(?![\w*])"),
    re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])"),
    re.compile(r"(?<![\w*])(\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*])"),
    re.compile(r"(~~)(?=\S)(.+?)(?<=\S)\1"),
)
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_MD_HARD_BREAK_RE = re.compile(r"(?: {2,}|\\)$")
_PARK = 0xE000  # escaped ASCII punctuation c is parked as chr(_PARK + ord(c))
_MD_PARKED_RE = re.compile("[\ue000-\ue07f]")
_CODE_OPEN, _CODE_CLOSE = "\ue100", "\ue101"
_MD_CODE_REF_RE = re.compile("\ue100(\\d+)\ue101")


def _md_inline(text: str) -> str:
    # Escaped characters and code spans are literal text: park them in private-use characters so the
    # emphasis and link rules cannot touch them, and put them back at the end.
    text = _MD_ESCAPE_RE.sub(lambda m: chr(_PARK + ord(m.group(1))), text)
    codes: list[str] = []

    def park_code(match: re.Match[str]) -> str:
        codes.append(match.group(2).strip())
        return f"{_CODE_OPEN}{len(codes) - 1}{_CODE_CLOSE}"

    text = _MD_CODE_RE.sub(park_code, text)
    text = _MD_BR_TAG_RE.sub("\n", text)
    text = _MD_IMAGE_RE.sub("", text)
    text = _MD_LINK_RE.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = _MD_AUTOLINK_RE.sub(r"\1", text)
    text = _MD_TAG_RE.sub("", text)
    for pattern in _MD_EMPHASIS_RES:
        text = pattern.sub(r"\2", text)
    text = _MD_CODE_REF_RE.sub(lambda m: codes[int(m.group(1))], text)
    return _MD_PARKED_RE.sub(lambda m: chr(ord(m.group(0)) - _PARK), text)


def markdown_to_text(md: str) -> str:
    """Plain text of Markdown: one paragraph, heading, list item or table row per line.

    Heading marks, emphasis, link targets (`[t](u)` -> `t`), images, bullets, quote marks, code-fence
    lines, horizontal rules, link definitions and HTML comments are removed; soft-wrapped lines of a
    paragraph are joined with a space.
    """
    md = _MD_COMMENT_RE.sub("", md.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    paragraph: list[str] = []
    in_fence = False

    def flush() -> None:
        if paragraph:
            joined = _md_inline(" ".join(paragraph))
            out.extend(_SPACES_RE.sub(" ", part).strip() for part in joined.split("\n"))
            paragraph.clear()

    for line in md.split("\n"):
        if _MD_FENCE_RE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:  # code keeps its own lines
            out.append(_SPACES_RE.sub(" ", line).strip())
            continue
        if not line.strip():
            flush()
            continue
        if _MD_RULE_RE.match(line) or _MD_REFDEF_RE.match(line) or _MD_TABLE_RULE_RE.match(line):
            flush()
            continue
        if _MD_SETEXT_RE.match(line) and paragraph:
            flush()  # the paragraph above was a heading
            continue
        line = _MD_QUOTE_RE.sub("", line)
        heading = _MD_HEADING_RE.match(line)
        bullet = _MD_BULLET_RE.match(line)
        if heading or bullet:
            flush()
            line = line[(heading or bullet).end() :]
            if heading:
                line = _MD_HEADING_CLOSE_RE.sub("", line)
        if "|" in line and line.strip().startswith("|"):  # table row
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out.append(" | ".join(_md_inline(c) for c in cells if c))
            continue
        hard_break = bool(_MD_HARD_BREAK_RE.search(line))
        paragraph.append(_MD_HARD_BREAK_RE.sub("", line).strip() + ("\n" if hard_break else ""))
        if heading:
            flush()
    flush()
    return "\n".join(line for line in out if line)


# --- the other way: text made literal for Markdown renderers ----------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:&])")


def md_escape(text: object) -> str:
    """`text` made literal for a Markdown renderer (st.markdown, a .md file): every markdown or HTML character
    is backslash-escaped, and line breaks become spaces so that no line can start a block (list, heading)."""
    flat = " ".join(str(text).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", flat)
