"""How the dashboard writes things on screen: yes/no as words of the language, lists as lists, no English
in the Vietnamese interface. Expectations come from the bundled digests (read by `loaders.load` and by eye)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import app_maker
from ui.components import display_value
from ui.i18n import yes_no
from ui.safe import md_escape


@pytest.fixture(scope="module")
def items(seed_items: tuple[pd.DataFrame, object]) -> pd.DataFrame:
    return seed_items[0]


@pytest.fixture
def make_app(library_root: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    return app_maker(library_root, monkeypatch)


def markdown_texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


# --- yes/no as words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language", "word"),
    [(True, "vi", "Có"), (False, "vi", "Không"), (np.True_, "en", "Yes"), (np.bool_(False), "en", "No")],
)
def test_booleans_are_words_of_the_language(value: object, language: str, word: str) -> None:
    assert yes_no(value, language) == word
    assert display_value(value, language) == word


def test_display_value_of_lists_dates_and_empties() -> None:
    import datetime as dt

    assert display_value([dt.date(2025, 3, 31), dt.date(2025, 4, 15)], "vi") == "31/03/2025; 15/04/2025"
    assert display_value([], "vi") == "–"
    assert display_value(pd.NaT, "vi") == "–"
    assert display_value("", "en") == "–"


def _detail_of_first_row(at: AppTest) -> str:
    """Select the explorer's first row (as a click would) and return the detail list's markdown."""
    at.run().switch_page("pages/explorer.py").run()
    at.session_state["explorer_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return next(m for m in markdown_texts(at) if m.startswith("- **"))


def test_explorer_detail_says_yes_or_no(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    assert items["is_normative"].any() and not items["is_normative"].all()
    # The newest item first: 435/UBND-NC of 2025-W12 is an official letter, not a normative document.
    detail = _detail_of_first_row(make_app())
    assert "- **Số, ký hiệu**: 435/UBND\\-NC" in detail
    assert "- **VBQPPL**: Không" in detail
    assert "False" not in detail and "True" not in detail
    normative = _detail_of_first_row(make_app(normative="true"))
    assert "- **VBQPPL**: Có" in normative
    english = _detail_of_first_row(make_app(lang="English"))
    assert "- **Normative**: No" in english


# --- lists ---------------------------------------------------------------------------------------------------


def test_overview_latest_week_is_a_list_one_line_per_item(
    make_app: Callable[..., AppTest], items: pd.DataFrame
) -> None:
    latest = items["week"].max()
    rows = items[items["week"] == latest].sort_values(["digest_id", "item_no"])
    assert latest == "2025-W12" and len(rows) == 7  # the 17–23/03/2025 digest lists seven items
    at = make_app().run()
    assert not at.exception
    block = next(m for m in markdown_texts(at) if m.startswith("- 1\\. "))
    lines = block.split("\n")
    assert len(lines) == 7 and all(line.startswith("- ") for line in lines)
    assert lines[0] == (f"- 1\\. **{md_escape(rows.iloc[0]['headline'])}** — 435/UBND\\-NC")
    assert [line.split("**")[1] for line in lines] == [md_escape(h) for h in rows["headline"]]
