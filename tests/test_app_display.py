"""How the dashboard writes things on screen: yes/no as words of the language, lists as lists, no English
in the Vietnamese interface. Expectations come from the bundled digests (read by `loaders.load` and by eye)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from loaders.problems import code_label
from tests.conftest import snapshot
from ui.components import display_value, number_styler, number_text, number_texts
from ui.i18n import yes_no
from ui.safe import md_escape


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


# --- no English in the Vietnamese interface --------------------------------------------------------------------

#: Words of the loaders' English refusal details (and of Streamlit's uploader) that a Vietnamese page must not show.
ENGLISH = re.compile(r"\b(empty|binary|file|not text|looks like|Upload|per file|Drag and drop|None)\b")


def _library_page(at: AppTest) -> AppTest:
    at.run().switch_page("pages/library.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_refused_uploads_are_explained_in_vietnamese(make_app: Callable[..., AppTest], library_root: Path) -> None:
    before = snapshot(library_root)
    at = _library_page(make_app())
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    at.file_uploader[0].set_value([("trong.txt", b"", "text/plain"), ("anh.txt", png, "text/plain")]).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 2
    assert "trong\\.txt" in errors[0] and "Tệp rỗng" in errors[0]
    assert "anh\\.txt" in errors[1] and "Tệp nhị phân" in errors[1]
    assert [e for e in errors if ENGLISH.search(e)] == []
    preview = next(d.value for d in at.dataframe if "Lý do" in d.value.columns)
    assert list(preview["Lý do"]) == ["Tệp rỗng (không có nội dung)", code_label("binary_file", "vi")]
    assert not any(ENGLISH.search(str(v)) for v in preview.to_numpy().ravel())
    assert snapshot(library_root) == before


def test_english_pages_keep_the_loaders_detail(library_root: Path) -> None:
    from loaders.library import Library
    from ui.library import preview_table, preview_uploads, refusal_text

    (cand,) = preview_uploads(Library(library_root), [("trong.txt", b"")]).candidates
    assert refusal_text(cand, "en") == "Empty file (no content): empty file"
    assert refusal_text(cand, "vi") == "Tệp rỗng (không có nội dung)"
    assert preview_table([cand], "en")["Detail"].tolist() == ["empty file"]


def test_uploader_words_are_the_interface_language(make_app: Callable[..., AppTest]) -> None:
    """Streamlit's uploader writes "Upload" and "20MB per file" in English whatever the app's language; the
    page puts its own words in their place (checked on screen by tests/test_browser.py)."""
    at = _library_page(make_app())
    styles = [json.dumps(MessageToDict(e.proto), ensure_ascii=False) for e in at.get("html")]
    css = next(s for s in styles if "stFileUploaderDropzone" in s)
    for words in ("Chọn tệp", "Tối đa 20 MB mỗi tệp • TXT, HTML, HTM, MD, ZIP", "Thả tệp vào đây"):
        assert f'content: \\"{words}\\"' in css


def test_missing_item_numbers_are_blank_not_none(make_app: Callable[..., AppTest]) -> None:
    # The 2025-W12 digest's title year contradicts its documents: a problem of the digest, not of an item.
    at = make_app().run().switch_page("pages/quality.py").run()
    assert not at.exception
    problems = next(d.value for d in at.dataframe if "Vấn đề" in d.value.columns and "STT" in d.value.columns)
    conflict = problems[problems["Vấn đề"] == code_label("year_conflict", "vi")]
    assert list(conflict["STT"]) == [""]
    assert all(v == "" or v.isdigit() for v in problems["STT"])


# --- "what moved" compares like with like ----------------------------------------------------------------------


def test_what_moved_says_when_the_previous_period_has_no_digest(make_app: Callable[..., AppTest]) -> None:
    # The latest digest is 2025-W12 (17–23/03/2025); the one before it is 2024-W44, twenty weeks earlier.
    at = make_app().run()
    assert not at.exception
    infos = [i.value for i in at.info]
    # The last 4 weeks are 2025-W09..W12 (24/02–23/03/2025); the 4 before them, W05..W08, hold no digest.
    expected = "Không có bản tin nào trong 4 tuần trước đó (27/01/2025 – 23/02/2025): không có kỳ trước để so sánh."
    assert expected in infos
    assert len(at.get("plotly_chart")) == 2  # the per-period and document-type charts, no movers chart
    at.session_state["ov_k"] = 13
    at.run()
    assert not [i for i in at.info if "Không có bản tin nào" in i.value]
    assert "Kỳ này: 2025-W12. Kỳ trước: 2024-W44. Chỉ tính các tuần có bản tin." in [c.value for c in at.caption]
    assert len(at.get("plotly_chart")) == 3


# --- decimal comma on screen, plain numbers in downloads -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [(24.3, "24,3", "24.3"), (70000, "70.000", "70,000"), (50.0, "50", "50"), (21.853, "21,853", "21.853")],
)
def test_number_text(value: float, vi: str, en: str) -> None:
    assert number_text(value, "vi") == vi and number_text(value, "en") == en


def _display_values(table: object) -> pd.DataFrame:
    """What st.dataframe shows for a styled table (the Styler's display values)."""
    styler = table.proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas()


def test_number_texts_show_what_a_pandas_styler_shows() -> None:
    # Streamlit reads a Styler's display texts; number_styler answers that read itself, quicker than pandas'
    # rendering: both must show the same texts (missing numbers blank) and keep the numbers as data.
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    frame = pd.DataFrame(
        {
            "Văn bản": ["221/QĐ-TTg", "128-KL/TW", "45/2024/QĐ-UBND"],
            "Số mục": [12345, 7, 0],
            "Tỉ lệ (%)": [24.3, float("nan"), 100.0],
            "Nullable": pd.array([1, None, 1000], dtype="Int64"),
        }
    )
    numeric = ["Số mục", "Tỉ lệ (%)", "Nullable"]

    def shown(styler: object) -> pd.DataFrame:
        proto = ArrowData()
        marshall_styler(proto, styler, "t")
        return pa.ipc.open_stream(proto.styler.display_values).read_all().to_pandas()

    fast = shown(number_styler(frame, numeric, "vi"))
    assert fast.equals(shown(frame.style.format(lambda v: "" if pd.isna(v) else number_text(v, "vi"), subset=numeric)))
    assert fast["Số mục"].tolist() == ["12.345", "7", "0"]
    assert fast["Tỉ lệ (%)"].tolist() == ["24,3", "", "100"]
    assert fast["Nullable"].tolist() == ["1", "", "1.000"]
    assert fast["Văn bản"].tolist() == frame["Văn bản"].tolist()
    assert number_texts([1234.5, 0.25, 3], "en") == ["1,234.5", "0.25", "3"]
    assert number_texts([], "vi") == [] and shown(number_styler(frame.head(0), numeric, "vi")).empty  # no row


def test_summary_tables_show_the_decimal_comma_and_keep_numbers(make_app: Callable[..., AppTest]) -> None:
    # Document types of the seeds: 17 of 70 first reports are decisions (Quyết định), 24.3%.
    at = make_app().run()
    table = next(d for d in at.dataframe if "Loại văn bản" in d.value.columns)
    raw = table.value.set_index("Loại văn bản")
    assert raw.loc["Quyết định", "Tỉ lệ (%)"] == 24.3  # a number: it sorts as one (and downloads as one)
    shown = _display_values(table)
    assert shown.loc[shown["Loại văn bản"] == "Quyết định", "Tỉ lệ (%)"].tolist() == ["24,3"]
    english = make_app(lang="English").run()
    table = next(d for d in english.dataframe if "Document type" in d.value.columns)
    assert not table.proto.arrow_data.styler.display_values  # English numbers are already "24.3"
