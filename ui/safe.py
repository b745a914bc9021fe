"""Showing text that came from uploaded files: as text, never as HTML or live markdown.

Digest text is untrusted: a file may carry `<script>`, `<b>`, markdown links or images. Pages show such
text with st.text / st.code / st.dataframe, or, inside a sentence rendered as markdown, through `md_escape`
(defined in `loaders.markup`, which the weekly brief's Markdown also uses).
"""

from __future__ import annotations

from loaders.markup import md_escape

__all__ = ["md_escape"]
