"""Loaders: parse a province's weekly digests (the profile's, see loaders.vocab) into one validated items DataFrame.

`load(paths) -> (items, report)` is the entry point; `schema` documents the columns.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import loaders.textnorm` stays cheap for the dashboard and the CLI.
    if name == "load":
        from loaders.pipeline import load

        return load
    raise AttributeError(name)
