"""Interface texts in Vietnamese (default) and English, read from data/i18n.yaml.

`translate` is pure (catalog, key, language); `t` reads the current language from the session.
A missing key shows the key itself, so a forgotten translation is visible but never breaks a page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from loaders.schema import BY_NAME

I18N_FILE = Path(__file__).resolve().parent.parent / "data" / "i18n.yaml"
LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"
LANG_KEY = "lang"  # session/URL key of the language switch


@cache
def catalog(path: Path = I18N_FILE) -> dict[str, Any]:
    """The parsed i18n file (read once per process)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def translate(cat: dict[str, Any], key: str, lang: str, **values: object) -> str:
    """The text for dotted `key` ("overview.title") in `lang`, falling back to Vietnamese, then the key."""
    node: Any = cat.get("ui", {})
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node = node.get(lang) or node.get(DEFAULT_LANG)
    text = node if isinstance(node, str) else key
    return text.format(**values) if values else text


def lang() -> str:
    """The language chosen in the sidebar ("vi" or "en")."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGUAGES else DEFAULT_LANG


def t(key: str, **values: object) -> str:
    """Translate `key` into the current language."""
    return translate(catalog(), key, lang(), **values)


def value_names(kind: str, language: str | None = None) -> dict[str, str]:
    """Display names of data values of one kind (doc_type, issuer, is_normative…) in the language.

    In the catalog a value maps to its English name, or to {vi, en} when even Vietnamese needs a name
    (e.g. booleans). Data values are Vietnamese, so in Vietnamese only the {vi, en} entries apply.
    """
    language = language or lang()
    out: dict[str, str] = {}
    for value, name in (catalog().get("values", {}).get(kind) or {}).items():
        if isinstance(name, dict):
            out[str(value)] = name.get(language) or name.get(DEFAULT_LANG) or str(value)
        elif language != DEFAULT_LANG:
            out[str(value)] = str(name)
    return out


def yes_no(value: object, language: str | None = None) -> str:
    """A yes/no value as a word of the language ("Có"/"Không", "Yes"/"No"); numpy booleans included."""
    return value_names("bool", language)[str(bool(value))]


def column_label(name: str, language: str | None = None) -> str:
    """The label of an items column (from the schema) or of a summary-table column (from the catalog)."""
    language = language or lang()
    col = BY_NAME.get(name)
    if col is not None:
        return col.label_vi if language == "vi" else col.label_en
    return translate(catalog(), f"col.{name}", language)
