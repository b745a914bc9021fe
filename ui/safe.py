"""Showing text that came from uploaded files: as text, never as HTML or live markdown.

Digest text is untrusted: a file may carry `<script>`, `<b>`, markdown links or images. Pages show such
text with st.text / st.code / st.dataframe, or, inside a sentence rendered as markdown, through `md_escape`
(defined in `loaders.markup`, which the weekly brief's Markdown also uses).
"""

from __future__ import annotations

import urllib.parse

from loaders.markup import md_escape

__all__ = ["md_escape", "web_url"]


def web_url(url: object) -> str | None:
    """`url` when it is a plain http(s) address with a host (safe to offer as a link), else None."""
    text = str(url or "").strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    return text
