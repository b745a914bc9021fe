"""The one export module (`loaders.export`): CSV with BOM and citation block, XLSX with real dates, autofilter,
frozen header and a citation sheet — and never a live formula, whether the table comes from the CLI or from a
dashboard download (OWASP CSV injection: cells starting with =, +, -, @, tab or CR)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from loaders import export
from loaders.__main__ import main
from loaders.schema import BY_NAME, COLUMN_NAMES, as_coded, coerce_items
from tests.conftest import SEEDS

#: Headlines that a spreadsheet would run as formulas if written raw.
RISKY = ['=HYPERLINK("http://x"&A2,"a")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)"]
#: Also risky, but the parser strips them from headlines: checked on frames given to the writers directly.
RISKY_WHITESPACE = ["\t=1+1", "\r=2+2"]


def read_csv_export(data: bytes) -> tuple[dict[str, str], pd.DataFrame]:
    """(citation block, table) of a CSV export: label/value rows, one empty row, then the table."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    blank = rows.index([]) if [] in rows else -1
    meta = dict(rows[:blank]) if blank >= 0 else {}
    return meta, pd.read_csv(io.StringIO(text), skiprows=blank + 1, keep_default_na=False)


def sheet_xml(data: bytes) -> dict[str, str]:
    """The XML of every worksheet of an .xlsx file."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/")}


def assert_no_formula(data: bytes, texts: list[str]) -> None:
    """No `<f>` element anywhere, and each of `texts` is a string cell (read back as data type "s")."""
    for name, xml in sheet_xml(data).items():
        assert not re.search(r"<f[ >]", xml), f"formula in {name}"
    wb = load_workbook(io.BytesIO(data))
    cells = {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in texts:
        found = [c for v, c in cells.items() if v.startswith(text)]
        assert found, f"{text!r} not in the workbook"
        assert all(c.data_type == "s" and c.quotePrefix for c in found), text


def risky_digest(folder: Path) -> Path:
    """Seed 000 with its first four headlines prefixed by the RISKY texts (the rest of the file as it is)."""
    import loaders

    items, _ = loaders.load([SEEDS[0]])
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n")
    for risky, headline in zip(RISKY, items.sort_values("item_no")["headline"], strict=False):
        lines[lines.index(headline)] = f"{risky} {headline}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "risky.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


_EMPTY = {"str": "", "int": 0, "bool": False, "date": None, "list[str]": [], "list[date]": []}


def frame() -> pd.DataFrame:
    """Two item rows: risky headlines, a negative number, lists, dates, a two-line body."""
    base = {c.name: _EMPTY[c.kind] for c in BY_NAME.values()}
    rows = [
        {
            "digest_id": "d1",
            "week_start": dt.date(2024, 10, 28),
            "week_end": dt.date(2024, 11, 3),
            "week": "2024-W44",
            "item_no": 1,
            "headline": RISKY[0],
            "body": "Phòng, chống\nsốt xuất huyết",
            "lead_agencies": ["Sở Y tế", "Công an tỉnh"],
            "deadlines": [dt.date(2024, 11, 30), dt.date(2024, 12, 1)],
            "reported_in": -1,
        },
        {
            "digest_id": "d2",
            "week_start": dt.date(2024, 11, 4),
            "week_end": dt.date(2024, 11, 10),
            "week": "2024-W45",
            "item_no": 2,
            "headline": RISKY_WHITESPACE[0],
            "body": RISKY_WHITESPACE[1],
            "sector": "-",
            "reported_in": 3,
        },
    ]
    return coerce_items(pd.DataFrame([{**base, **row} for row in rows]))


META = [
    ("Bộ lọc", "Lĩnh vực: Y tế"),
    ("Tìm kiếm", "=cmd"),
    ("Đường dẫn", "http://localhost:8501/tra-cuu?sector=Y+t%E1%BA%BF"),
]


# ------------------------------------------------------------------------ the writers


def test_csv_neutralises_formulas_keeps_numbers_and_carries_the_citation() -> None:
    data = export.csv_bytes(frame(), META)
    assert data.startswith(b"\xef\xbb\xbf")
    meta, back = read_csv_export(data)
    assert meta == {"Bộ lọc": "Lĩnh vực: Y tế", "Tìm kiếm": "'=cmd", "Đường dẫn": META[2][1]}
    assert list(back.columns) == list(COLUMN_NAMES)
    assert back["headline"].tolist() == ["'" + RISKY[0], "'" + RISKY_WHITESPACE[0]]
    assert back["body"].tolist() == ["Phòng, chống\nsốt xuất huyết", "'" + RISKY_WHITESPACE[1]]
    assert back["sector"].tolist() == ["", "'-"]
    assert back["reported_in"].tolist() == [-1, 3]  # numbers, not "'-1"
    assert back["lead_agencies"].tolist() == ["Sở Y tế; Công an tỉnh", ""]
    assert back["deadlines"].tolist() == ["2024-11-30; 2024-12-01", ""]
    assert back["week_start"].tolist() == ["2024-10-28", "2024-11-04"]
    assert b"\r\n" in data and b",-1," in data


def test_coded_columns_export_like_text(tmp_path: Path) -> None:
    # The dashboard holds sector, source, issuer… as categoricals (loaders.schema.as_coded): a file named
    # "=cmd…" must still reach a spreadsheet as text, in CSV and in XLSX.
    coded = as_coded(frame().assign(source=["=HYPERLINK(1)", "ok.txt"]))
    assert isinstance(coded["source"].dtype, pd.CategoricalDtype)
    _, back = read_csv_export(export.csv_bytes(coded))
    assert back["source"].tolist() == ["'=HYPERLINK(1)", "ok.txt"]
    assert back["sector"].tolist() == ["", "'-"]
    export.write_table(coded, tmp_path / "coded.xlsx")
    with zipfile.ZipFile(tmp_path / "coded.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "=HYPERLINK(1)" in sheet


def test_every_risky_start_is_neutralised() -> None:
    for text in [*RISKY, *RISKY_WHITESPACE]:
        assert export.csv_safe(text) == "'" + text
    assert export.csv_safe("Hoá chất =x") == "Hoá chất =x"
    assert export.csv_safe(-1) == -1


def test_xlsx_writes_text_cells_real_dates_autofilter_and_a_citation_sheet() -> None:
    data = export.xlsx_bytes(frame(), "Dữ liệu", META, "Nguồn", {"Cột": export.columns_sheet()})
    assert_no_formula(data, [RISKY[0], RISKY_WHITESPACE[0], RISKY_WHITESPACE[1], "=cmd"])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Dữ liệu", "Nguồn", "Cột"]
    ws = wb["Dữ liệu"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(COLUMN_NAMES)).column_letter}3"
    rows = list(ws.iter_rows(values_only=True))
    col = {name: i for i, name in enumerate(rows[0])}
    assert rows[1][col["headline"]] == RISKY[0]
    assert rows[1][col["week_start"]] == dt.datetime(2024, 10, 28)
    assert ws.cell(2, col["week_start"] + 1).number_format == "dd/mm/yyyy"
    assert rows[1][col["reported_in"]] == -1 and ws.cell(2, col["reported_in"] + 1).data_type == "n"
    assert rows[1][col["deadlines"]] == "2024-11-30; 2024-12-01"
    assert rows[1][col["body"]] == "Phòng, chống\nsốt xuất huyết"
    assert [tuple(r) for r in wb["Nguồn"].iter_rows(values_only=True)] == META
    assert len(list(wb["Cột"].iter_rows())) == len(COLUMN_NAMES) + 1


def test_headers_in_vietnamese_or_english_on_request() -> None:
    vi = export.with_headers(frame(), "vi")
    assert list(vi.columns) == [BY_NAME[c].label_vi for c in COLUMN_NAMES]
    assert "Tiêu đề" in vi.columns and "Thời hạn" in vi.columns
    en = list(export.with_headers(frame(), "en").columns)
    assert en == [BY_NAME[c].label_en for c in COLUMN_NAMES]
    assert en[0] == "Digest id" and "Headline" in en and "Deadlines" in en
    summary = pd.DataFrame({"Lĩnh vực": ["Y tế"], "count": [2]})
    assert list(export.with_headers(summary, "vi").columns) == ["Lĩnh vực", "count"]  # not schema columns
    with pytest.raises(ValueError, match="headers must be one of"):
        export.with_headers(frame(), "fr")


# ------------------------------------------------------------------------ the CLI


def test_cli_exports_carry_no_live_formula(tmp_path: Path) -> None:
    digest = risky_digest(tmp_path / "in")
    csv_out, xlsx_out = tmp_path / "items.csv", tmp_path / "items.xlsx"
    assert main([str(digest), "--out", str(csv_out)]) == 0
    assert main([str(digest), "--out", str(xlsx_out)]) == 0
    meta, table = read_csv_export(csv_out.read_bytes())
    risky_rows = [h for h in table["headline"] if h.lstrip("'").startswith(tuple(RISKY))]
    assert len(risky_rows) == 4 and all(h.startswith("'") for h in risky_rows)
    assert meta["Sources"] == str(digest.resolve())
    assert meta["Item rows"] == str(len(table)) and meta["Digests"] == "1"
    assert meta["Data date"] == "latest week 2025-W12 (17/03/2025–23/03/2025)"
    assert dt.datetime.fromisoformat(meta["Parsed at"]).date() == dt.date.today()
    assert_no_formula(xlsx_out.read_bytes(), RISKY)
    wb = load_workbook(xlsx_out)
    assert wb.sheetnames == ["items", "about"]
    assert dict(wb["about"].iter_rows(values_only=True))["Sources"] == str(digest.resolve())


def test_cli_vietnamese_headers_and_no_meta(tmp_path: Path) -> None:
    out = tmp_path / "muc.xlsx"
    assert main([str(SEEDS[0]), "--out", str(out), "--headers", "vi"]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Dữ liệu", "Nguồn"]
    assert next(wb["Dữ liệu"].iter_rows(values_only=True)) == tuple(BY_NAME[c].label_vi for c in COLUMN_NAMES)
    assert "Nguồn dữ liệu" in dict(wb["Nguồn"].iter_rows(values_only=True))
    plain = tmp_path / "plain.csv"
    assert main([str(SEEDS[0]), "--out", str(plain), "--no-meta"]) == 0
    table = pd.read_csv(plain, encoding="utf-8-sig")
    assert list(table.columns) == list(COLUMN_NAMES) and len(table) == 7


# ------------------------------------------------------------------------ the dashboard downloads


def test_dashboard_downloads_carry_no_live_formula_and_cite_the_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], bytes]]
) -> None:
    from tests.conftest import app_maker

    root = tmp_path / "library"
    digest = risky_digest(root / "digests")
    at = app_maker(root, monkeypatch)(q="tỉnh").run()
    at.switch_page("pages/explorer.py").run()
    assert not at.exception and not at.error

    meta, table = read_csv_export(downloads["muc-chi-dao.csv"]())
    headline = BY_NAME["headline"].label_vi
    assert list(table.columns) == [BY_NAME[c].label_vi for c in COLUMN_NAMES]
    risky_rows = [h for h in table[headline] if h.lstrip("'").startswith(tuple(RISKY))]
    assert len(risky_rows) == 4 and all(h.startswith("'") for h in risky_rows)
    assert meta["Bộ lọc"] == "Tìm kiếm: “tỉnh”"
    assert meta["Số mục trong góc nhìn"] == f"{len(table)} / 7 mục"
    changed = dt.datetime.fromtimestamp(digest.stat().st_mtime)
    assert meta["Ngày dữ liệu"] == (
        f"tuần mới nhất 2025-W12 (17/03/2025–23/03/2025); tệp cập nhật lần cuối {changed:%d/%m/%Y %H:%M}"
    )
    assert meta["Đường dẫn"].endswith("?q=t%E1%BB%89nh")

    xlsx = downloads["muc-chi-dao.xlsx"]()
    assert_no_formula(xlsx, RISKY)
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Dữ liệu", "Nguồn", "Giải thích cột"]
    assert dict(wb["Nguồn"].iter_rows(values_only=True)) == meta


def test_summary_downloads_cite_the_filters_in_english(
    library_root: Path, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], bytes]]
) -> None:
    from tests.conftest import app_maker

    at = app_maker(library_root, monkeypatch)(lang="English", normative="true", type=["Quyết định"]).run()
    assert not at.exception and not at.error
    assert downloads, "the overview offers downloads"
    for name, make in downloads.items():
        if name.endswith(".csv"):
            meta, _ = read_csv_export(make())
            assert meta["Filters"] == "Document types: Decision; Normative documents only", name
            assert meta["Link"].endswith("?type=Q%C4%90&normative=true&lang=en"), name  # codes, see analytics.urls
            assert meta["Data date"].startswith("latest week 2025-W"), name
        else:
            wb = load_workbook(io.BytesIO(make()))
            assert wb.sheetnames[:2] == ["Data", "About"], name


def test_long_summary_tables_show_their_first_rows_and_download_them_all(
    library_root: Path, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, Callable[[], bytes]]
) -> None:
    # Formatting a table of 20,000 cited documents on every rerun took seconds: the screen shows the first
    # SCREEN_ROWS rows and says so; the downloads keep every row.
    from tests.conftest import app_maker

    monkeypatch.setattr("ui.components.SCREEN_ROWS", 5)
    at = app_maker(library_root, monkeypatch)().run()
    assert not at.exception and not at.error
    assert all(len(df.value) <= 5 for df in at.dataframe)
    capped = [re.search(r"hiển thị 5 dòng đầu trong (\d+) dòng", c.value) for c in at.caption]
    totals = sorted(int(m.group(1)) for m in capped if m)
    assert totals, "the overview's trend table (weeks x sectors) has more than 5 rows"
    rows = sorted(len(read_csv_export(make())[1]) for name, make in downloads.items() if name.endswith(".csv"))
    assert set(totals) <= set(rows) and max(rows) > 5
