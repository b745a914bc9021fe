"""Interface texts in Vietnamese (default) and English: `loaders.catalog` reads data/i18n.yaml, `t` adds the
language chosen in the sidebar (from the session).
"""

from __future__ import annotations

import streamlit as st

from loaders import catalog as _catalog
from loaders.catalog import DEFAULT_LANG, I18N_FILE, LANGUAGES, catalog, translate

__all__ = [
    "DEFAULT_LANG",
    "I18N_FILE",
    "LANGUAGES",
    "LANG_KEY",
    "catalog",
    "column_label",
    "lang",
    "t",
    "translate",
    "value_names",
]

LANG_KEY = "lang"  # session/URL key of the language switch
#: Display names of the languages (the language switch's options).
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def lang() -> str:
    """The language chosen in the sidebar ("vi" or "en")."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGUAGES else DEFAULT_LANG


def lang_param(language: str) -> str:
    """The URL value of a language ("" for the default, which links leave out)."""
    return "" if language == DEFAULT_LANG else language


def t(key: str, **values: object) -> str:
    """Translate `key` into the current language."""
    return translate(catalog(), key, lang(), **values)


def value_names(kind: str, language: str | None = None) -> dict[str, str]:
    """Display names of data values of one kind in the language (the current one by default)."""
    return _catalog.value_names(kind, language or lang())


def yes_no(value: object, language: str | None = None) -> str:
    """A yes/no value as a word of the language ("Có"/"Không", "Yes"/"No"); numpy booleans included."""
    return value_names("bool", language)[str(bool(value))]


def column_label(name: str, language: str | None = None) -> str:
    """The label of an items column or of a summary-table column, in the language (current by default)."""
    return _catalog.column_label(name, language or lang())
