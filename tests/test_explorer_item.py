"""Citable items: the explorer's permalink opens exactly one item, shows the link to copy, and the whole source
digest as plain text (from the library's stored file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from loaders.library import Library, LibraryError


def test_permalink_opens_exactly_that_item(make_app: Callable[..., AppTest], seed_items) -> None:
    items: pd.DataFrame = seed_items[0]
    # Seed 001, item 15: "UBND tỉnh chỉ đạo tăng cường ngăn chặn … lợn qua biên giới" (Công văn 1062/UBND-KT).
    row = items[items["doc_symbol"] == "1062/UBND-KT"].iloc[0]
    ref = f"{row['digest_id']}:{row['item_no']}"
    at = make_app(item=ref).run()
    at.switch_page("pages/explorer.py").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert len(table) == 1 and table.iloc[0]["doc_symbol"] == "1062/UBND-KT"
    assert at.subheader[0].value.replace("\\", "") == row["headline"]
    (link,) = [c.value for c in at.code]
    assert link.endswith(f"tra-cuu?item={ref}")
    (whole,) = [t.value for t in at.text if "Chỉ đạo, điều hành nổi bật" in t.value]
    raw = (Path(__file__).resolve().parent.parent / "data" / "digests" / row["source"]).read_text(encoding="utf-8")
    assert whole.splitlines()[0] == raw.splitlines()[0]  # the digest's title line, as stored
    assert "Tết Trung thu" in whole and "1062/UBND-KT" in whole  # other items of the digest, and this one
    assert any(e.label.startswith("Toàn văn bản tin gốc") for e in at.expander)


def test_source_text_stays_inside_the_library(library_root: Path) -> None:
    library = Library(library_root)
    name = library.files()[0].name
    assert library.source_text(name).startswith("Chỉ đạo, điều hành nổi bật")
    with pytest.raises(LibraryError, match="not a digest file"):
        library.source_text("../../etc/passwd")
    with pytest.raises(LibraryError, match="not a digest file"):
        library.source_text("missing.txt")
