"""What every page shares in the browser document: the page config (title, a favicon shipped with the app),
the `<html lang>` attribute of the chosen language, and the few style rules the theme cannot express.

Nothing here reaches the internet: Streamlit turns a `:material/…:` page icon into a fonts.gstatic.com URL,
so the favicon is a local SVG (sent inline as a data URL). Streamlit 1.67 has no setting for the document
language (its index.html says `lang="en"`), so a one-line script sets it; screen readers and the browser's
spell checking and hyphenation follow it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.i18n import DEFAULT_LANG, LANGUAGES

FAVICON = Path(__file__).resolve().parent / "static" / "favicon.svg"


def document_language(language: str) -> None:
    """Set `<html lang>` to `language` ("vi" / "en"); the script re-runs only when the language changes.

    Only a code of ui.i18n.LANGUAGES ever reaches the script, never text from the URL.
    """
    code = language if language in LANGUAGES else DEFAULT_LANG
    # The element is empty, but its container would still take a gap at the top of the page: hide it.
    st.html(
        "<style>[data-testid=stElementContainer]:has(> [data-testid=stHtml] > script.html-lang)"
        "{display: none}</style>"
        f"<script class='html-lang'>document.documentElement.lang = {code!r};</script>",
        unsafe_allow_javascript=True,
        width="content",
    )
