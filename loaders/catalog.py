"""The interface texts of data/i18n.yaml, readable without Streamlit (the CLI's weekly brief uses them too).

`translate` is pure (catalog, key, language); `ui.i18n.t` adds the language chosen in the dashboard.
A missing key shows the key itself, so a forgotten translation is visible but never breaks anything.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from loaders.config import PROJECT_DIR, read_yaml
from loaders.schema import BY_NAME

I18N_FILE = PROJECT_DIR / "data" / "i18n.yaml"
LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"


@cache
def catalog(path: Path = I18N_FILE) -> dict[str, Any]:
    """The parsed i18n file (read once per process)."""
    return read_yaml(path)


def translate(cat: dict[str, Any], key: str, lang: str, **values: object) -> str:
    """The text for dotted `key` ("overview.title") in `lang`, falling back to Vietnamese, then the key."""
    node: Any = cat.get("ui", {})
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node = node.get(lang) or node.get(DEFAULT_LANG)
    text = node if isinstance(node, str) else key
    return text.format(**values) if values else text


def value_names(kind: str, language: str) -> dict[str, str]:
    """Display names of data values of one kind (doc_type, issuer, is_normative…) in the language.

    In the catalog a value maps to its English name, or to {vi, en} when even Vietnamese needs a name
    (e.g. booleans). Data values are Vietnamese, so in Vietnamese only the {vi, en} entries apply.
    """
    out: dict[str, str] = {}
    for value, name in (catalog().get("values", {}).get(kind) or {}).items():
        if isinstance(name, dict):
            out[str(value)] = name.get(language) or name.get(DEFAULT_LANG) or str(value)
        elif language != DEFAULT_LANG:
            out[str(value)] = str(name)
    return out


def column_label(name: str, language: str) -> str:
    """The label of an items column (from the schema) or of a summary-table column (from the catalog)."""
    col = BY_NAME.get(name)
    if col is not None:
        return col.label_vi if language == "vi" else col.label_en
    return translate(catalog(), f"col.{name}", language)
