"""What every page shares in the browser document: the favicon shipped with the app (for the page config),
the `<html lang>` attribute of the chosen language, the file uploader's own words in that language, and the
print style (`static/print.html`: no sidebar on paper, each chart and table whole, charts scaled to the sheet).

Nothing here reaches the internet: Streamlit turns a `:material/…:` page icon into a fonts.gstatic.com URL,
so the favicon is a local SVG (sent inline as a data URL). Streamlit 1.67 has no setting for the document
language (its index.html says `lang="en"`), so a one-line script sets it; screen readers and the browser's
spell checking and hyphenation follow it. Nor does it let the file uploader's built-in words ("Upload",
"200MB per file", "Drag and drop files here", hard-coded in its frontend) be changed: `uploader_words` puts the
interface's own words in their place with CSS generated content (`font-size: 0` hides the original text, which
stays in the page, and `::after` shows ours).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.i18n import DEFAULT_LANG, LANGUAGES

FAVICON = Path(__file__).resolve().parent / "static" / "favicon.svg"
PRINT_STYLE = Path(__file__).resolve().parent / "static" / "print.html"


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


def _css_string(text: str) -> str:
    """`text` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


#: The uploader's parts that carry built-in words: its button label, the limit line, the drop overlay (the
#: overlay is the dropzone's only child div without a test id, shown while a file is dragged over it).
_UPLOADER = "[data-testid=stFileUploaderDropzone]"
_UPLOADER_PARTS = {
    "button": f"{_UPLOADER} button [data-testid=stMarkdownContainer] p",
    "limit": f"{_UPLOADER} [data-testid=stFileUploaderDropzoneInstructions] span",
    "drop": f"{_UPLOADER} > div:not([data-testid]) > *",
}


def uploader_words(button: str, limit: str, drop: str) -> None:
    """Show `button`, `limit` and `drop` in place of st.file_uploader's built-in English words."""
    words = {"button": button, "limit": limit, "drop": drop}
    rules = "".join(
        f"{selector} {{font-size: 0}} {selector}::after {{content: {_css_string(words[part])}; font-size: 0.875rem}}"
        for part, selector in _UPLOADER_PARTS.items()
    )
    st.html(f"<style>{rules}</style>")


def print_style() -> None:
    """The print style sheet and its chart-scaling script (our own file, no data in it): printing any page
    gives its charts and tables without the sidebar."""
    st.html(PRINT_STYLE, unsafe_allow_javascript=True, width="content")
