"""Showing text that came from uploaded files: as text, never as HTML or live markdown.

Digest text is untrusted: a file may carry `<script>`, `<b>`, markdown links or images. Pages show such
text with st.text / st.code / st.dataframe, or, inside a sentence rendered as markdown, through `md_escape`.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:&])")


def md_escape(text: object) -> str:
    """`text` made literal for st.markdown (and st.error, st.caption…): every markdown or HTML character is
    backslash-escaped, and line breaks become spaces so that no line can start a block (list, heading)."""
    flat = " ".join(str(text).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", flat)
