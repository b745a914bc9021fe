"""The weekly brief (loaders/brief.py, `python -m loaders brief`) on the five bundled weeks.

The expected items are the seeds' own: each digest's document symbols in the order they are printed (read in
data/digests/, lead sentence of each item; "" for the meetings, which have none).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from loaders import brief
from loaders.__main__ import WEEKS_PATH, main
from loaders.vocab import load_vocab
from tests.conftest import ROOT, app_maker

SYMBOLS = {
    "2020-W10": ["381/QĐ-UBND", "371/QĐ-UBND", "4/2020/QĐ-UBND", "380/QĐ-UBND", "39/KH-UBND", "40/KH-UBND",
                 "389/QĐ-UBND", "1270/UBND-KTTH"],
    "2022-W25": ["143/KH-UBND", "704/UBND-KGVX", "146/KH-UBND", "145/KH-UBND", "714/UBND-KGVX", "706/UBND-KGVX",
                 "1066/QĐ-UBND", "1073/QĐ-UBND", "2792/VP-KGVX"],
    "2023-W32": ["", "1048/UBND-KT", "1227/QĐ-UBND", "168/KH-UBND", "1049/UBND-KT", "4851/VP-KT", "171/KH-UBND",
                 "169/KH-UBND", "1241/QĐ-UBND", "3824/VP-KT", "170/KH-UBND", "1052/UBND-KGVX", "1056/UBND-TTPVHCC",
                 "1059/UBND-KGVX", "1062/UBND-KT", "1254/QĐ-UBND", "3890/VP-KGVX", "3893/VP-NC", "1262/QĐ-UBND",
                 "1070/UBND-NC", "172/KH-UBND", "1264/QĐ-UBND", "113/QĐ-BCĐ", "1261/QĐ-UBND"],
    "2024-W44": ["", "", "5902/VP-NC", "242/KH-UBND", "1605/UBND-KGVX", "243/KH-UBND", "45/2024/QĐ-UBND",
                 "5975/VP-KT", "1619/UBND-KGVX", "1890/QĐ-UBND", "1630/UBND-KT", "244/KH-UBND", "46/2024/QĐ-UBND",
                 "5990/VP-KT", "1634/UBND-KT", "175/BCĐ-NTM", "5986/VP-KGVX", "5988/VP-KGVX", "1636/UBND-KT",
                 "1639/UBND-KT", "6006/VP-KT", "245/KH-UBND"],
    "2025-W12": ["435/UBND-NC", "1517/VP-KTCN", "421/UBND-NC", "81/KH-UBND", "391/UBND-KTTH", "387/UBND-KTCN",
                 "405/UBND-NC"],
}  # fmt: skip
ENTRY = re.compile(r"^(\d+)\. (.+)$")


@pytest.fixture(scope="module")
def titles(seed_items: tuple[pd.DataFrame, object]) -> dict[str, str]:
    return {f.digest_id: f.title for f in seed_items[1].files}


def blocks_of(items: pd.DataFrame, titles: dict[str, str], week: str, lang: str = "vi") -> list[brief.Block]:
    vocab = load_vocab()
    model = brief.build_brief(
        items,
        week,
        titles=titles,
        meta=brief.file_meta(items, lang, f"http://localhost:8501/{WEEKS_PATH}?week={week}"),
        type_codes=list(vocab.type_names),
        central=list(vocab.central_issuers),
    )
    return brief.brief_blocks(model, lang, {s.name_vi: s.name_en for s in vocab.sectors})


def docx_entries(data: bytes) -> tuple[list[tuple[int, str]], list[str], str]:
    """(number, headline) of the item entries, their symbol lines, and the whole text of a .docx."""
    doc = Document(io.BytesIO(data))
    entries, symbols = [], []
    for p in doc.paragraphs:
        m = ENTRY.match(p.text)
        if m and p.runs and p.runs[0].bold:
            entries.append((int(m.group(1)), m.group(2)))
            symbols.append("")
        elif entries and p.text.startswith("Số, ký hiệu: "):
            symbols[-1] = p.text.removeprefix("Số, ký hiệu: ").split(" ngày ")[0]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return entries, symbols, "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("week", list(SYMBOLS))
def test_docx_lists_exactly_the_weeks_items(items: pd.DataFrame, titles: dict[str, str], week: str) -> None:
    entries, symbols, text = docx_entries(brief.render(blocks_of(items, titles, week), ".docx"))
    rows = items[items["week"] == week].sort_values("item_no")
    assert entries == list(zip(rows["item_no"], rows["headline"], strict=True))
    assert symbols == SYMBOLS[week]
    digest = rows.iloc[0]
    assert titles[digest["digest_id"]] in text and digest["source"] in text
    assert "Ngày dữ liệu: tuần mới nhất 2025-W12" in text and f"theo-tuan?week={week}" in text
    assert "Bộ lọc: không lọc" in text


@pytest.mark.parametrize("week", ["2023-W32", "2025-W12"])
def test_markdown_and_html_hold_the_same_items(items: pd.DataFrame, titles: dict[str, str], week: str) -> None:
    blocks = blocks_of(items, titles, week)
    entries, _, _ = docx_entries(brief.render(blocks, ".docx"))
    md = brief.render(blocks, ".md").decode("utf-8")
    page = brief.render(blocks, ".html").decode("utf-8")
    md_entries = [(int(n), h) for n, h in re.findall(r"^(\d+)\\\. \*\*(.+)\*\*  $", md, flags=re.M)]
    assert [(n, re.sub(r"\\(.)", r"\1", h)) for n, h in md_entries] == entries
    html_entries = [(int(n), h) for n, h in re.findall(r'<div class="item"><p><b>(\d+)\. (.+?)</b>', page)]
    import html as html_lib

    assert [(n, html_lib.unescape(h)) for n, h in html_entries] == entries
    for symbol in filter(None, SYMBOLS[week]):
        assert symbol in page and symbol.replace("-", "\\-") in md


def test_brief_sections(items: pd.DataFrame, titles: dict[str, str]) -> None:
    model = brief.build_brief(
        items,
        "2024-W44",
        compare=2,
        titles=titles,
        type_codes=list(load_vocab().type_names),
        central=list(load_vocab().central_issuers),
    )
    assert model.previous_weeks == ("2022-W25", "2023-W32")
    first = items[items["first_report"]]
    assert model.by_sector["current"].sum() == (first["week"] == "2024-W44").sum()
    prev = first[first["week"].isin(["2022-W25", "2023-W32"])]
    health = model.by_sector.set_index("sector")
    if "Y tế" in health.index:
        assert health.loc["Y tế", "previous"] == (prev["sector"] == "Y tế").sum()
    # Seed 003 cites 94-KL/TW (item 15) and 132/2024/QH15 for the first time; 221/QĐ-TTg was cited in 2022-W25.
    cited = set(model.first_cited["symbol"])
    assert {"94-KL/TW", "132/2024/QH15"} <= cited and "221/QĐ-TTg" not in cited
    # Deadlines within 30 days after Sunday 03/11/2024 (seed 003: "trước ngày 5/11/2024", "trước ngày 15/11/2024").
    assert {d.isoformat() for d in model.deadlines["deadline"]} >= {"2024-11-05", "2024-11-15"}
    assert all(0 < d <= brief.DEADLINE_DAYS for d in model.deadlines["days"])


def test_data_from_the_digests_is_escaped(items: pd.DataFrame, titles: dict[str, str]) -> None:
    rows = items[items["week"] == "2025-W12"].copy()
    rows.loc[rows.index[0], "headline"] = "<script>alert(1)</script> [x](http://evil) **b**"
    model = brief.build_brief(rows, "2025-W12", titles=titles)
    blocks = brief.brief_blocks(model)
    page = brief.render(blocks, ".html").decode("utf-8")
    md = brief.render(blocks, ".md").decode("utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "[x](http" not in md and "\\<script\\>" in md and "\\*\\*b\\*\\*" in md


def test_english_brief(items: pd.DataFrame, titles: dict[str, str]) -> None:
    page = brief.render(blocks_of(items, titles, "2023-W32", "en"), ".html", "en").decode("utf-8")
    assert '<html lang="en">' in page and "Items by sector" in page and "Số mục theo" not in page


@pytest.mark.parametrize("suffix", [".docx", ".md", ".html"])
def test_cli_writes_the_brief(library_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(library_root))
    out = tmp_path / f"brief{suffix}"
    assert main(["brief", "--week", "2022-W25", "--out", str(out)]) == 0
    data = out.read_bytes()
    text = docx_entries(data)[2] if suffix == ".docx" else re.sub(r"\\(.)", r"\1", data.decode("utf-8"))
    assert all(s in text for s in SYMBOLS["2022-W25"])


def test_cli_refuses_unknown_week_and_format(library_root: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(library_root))
    assert main(["brief", "--week", "2021-W01", "--out", str(tmp_path / "b.md")]) == 1
    assert "no item in week 2021-W01" in capsys.readouterr().err
    assert main(["brief", "--week", "2022-W25", "--out", str(tmp_path / "b.pdf")]) == 2
    assert not (tmp_path / "b.md").exists()


def test_weeks_path_is_the_dashboards() -> None:
    assert f'url_path="{WEEKS_PATH}"' in (ROOT / "dashboard.py").read_text(encoding="utf-8")


def test_weeks_page_downloads_the_brief_within_the_filters(
    library_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    downloads: dict[str, object],
    items: pd.DataFrame,
) -> None:
    at = app_maker(library_root, monkeypatch)(week="2023-W32", type="Kế hoạch").run()
    at.switch_page("pages/weeks.py").run()
    assert not at.exception and not at.error
    entries, symbols, text = docx_entries(downloads["ban-tom-tat-2023-W32.docx"]())
    plans = items[(items["week"] == "2023-W32") & (items["doc_type"] == "Kế hoạch")].sort_values("item_no")
    assert entries == list(zip(plans["item_no"], plans["headline"], strict=True))
    assert symbols == ["168/KH-UBND", "171/KH-UBND", "169/KH-UBND", "170/KH-UBND", "172/KH-UBND"]
    # The old label-style link is rewritten in codes: the footer links to the same view with `type=KH`.
    assert "type=KH" in text and "week=2023-W32" in text
    md = downloads["ban-tom-tat-2023-W32.md"]().decode("utf-8")
    assert md.count("**  \n") == len(plans)
    assert downloads["ban-tom-tat-2023-W32.html"]().decode("utf-8").startswith("<!DOCTYPE html>")
