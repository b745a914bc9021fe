"""The Streamlit app, headless (AppTest), on the bundled digests.

Expected numbers are computed here from `loaders.load` output with plain pandas (not with `analytics`), and
the search expectation with an independent diacritic folding, so a bug in the dashboard's own aggregation
or search cannot make its test pass.
"""

from __future__ import annotations

import base64
import io
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from analytics.filters import FILTERS, Selection
from loaders.schema import BY_NAME, COLUMN_NAMES
from tests.test_export import read_csv_export
from ui.safe import md_escape

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "pages/overview.py",
    "pages/sectors.py",
    "pages/issuers.py",
    "pages/doc_types.py",
    "pages/weeks.py",
    "pages/places.py",
    "pages/explorer.py",
]
CHART_PAGES = PAGES[:-1]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def n_of_m(at: AppTest) -> list[tuple[int, int]]:
    """Every "N / M mục" caption on the page, as numbers."""
    out = []
    for text in captions(at):
        m = re.match(r"^([\d.]+) / ([\d.]+) mục", text)
        if m:
            out.append((int(m.group(1).replace(".", "")), int(m.group(2).replace(".", ""))))
    return out


def _values(data: object) -> list[float]:
    """Plotly JSON arrays: plain lists, or typed arrays {"dtype": "i1", "bdata": <base64>}."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return [v for v in (data or []) if isinstance(v, int | float)]


def chart_totals(at: AppTest) -> list[float]:
    """Sum of the y values of every trace, per plotly chart (bars of counts add up to the items shown)."""
    return [
        sum(sum(_values(trace.get("y"))) for trace in json.loads(chart.proto.spec)["data"])
        for chart in at.get("plotly_chart")
    ]


def plain(text: str) -> str:
    """Independent search folding: no diacritics, đ -> d, lower case, punctuation as spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", text).split()) + " "


def searchable(row: pd.Series) -> list[str]:
    """The folded fields a search looks into (a phrase must sit inside one field)."""
    parts = [row[c] for c in ("headline", "body", "doc_symbol", "doc_type", "issuer", "leader", "sector")]
    parts += [v for c in ("lead_agencies", "districts", "cited_documents") for v in row[c]]
    return [plain(p) for p in parts]


def matches(row: pd.Series, query: str) -> bool:
    """Every whitespace-separated term of `query` is inside one of the row's fields, as whole words."""
    fields = searchable(row)
    return all(any(plain(term) in f for f in fields) for term in query.split())


def top_sector(items: pd.DataFrame) -> str:
    return items[items["first_report"]]["sector"].value_counts().index[0]


# --- every page renders -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_bundled_data(make_app: Callable[..., AppTest], items: pd.DataFrame, page: str) -> None:
    at = make_app().run()
    assert_clean(at)
    at.switch_page(page).run()
    assert_clean(at)
    assert at.title, "every page has a title"
    counts = n_of_m(at)
    assert counts, "every page says how many items it shows"
    total_rows, total_first = len(items), int(items["first_report"].sum())
    assert all(m in (total_rows, total_first) or n <= m for n, m in counts)
    if page in CHART_PAGES:
        assert at.get("plotly_chart"), "chart pages draw charts"
        assert len(at.expander) >= 1 and all(e.label == "Bảng số liệu" for e in at.expander[:1])
    else:
        assert at.dataframe, "the explorer shows a table"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_english(make_app: Callable[..., AppTest], page: str) -> None:
    at = make_app(lang="en").run()
    at.switch_page(page).run()
    assert_clean(at)
    assert at.radio(key="lang").value == "en"
    assert any(re.match(r"^\d+ of \d+ items", c) for c in captions(at))


def test_overview_headline_figures(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    at = make_app().run()
    first = items[items["first_report"]]
    docs = first[~first["doc_type"].isin(["Cuộc họp", "Khác"])]
    got = metrics(at)
    assert got["Bản tin"] == str(items["digest_id"].nunique())
    assert got["Mục chỉ đạo"] == str(len(first))
    assert got["Văn bản"] == str(len(docs))
    assert got["Tỉ lệ VBQPPL"] == f"{docs['is_normative'].mean() * 100:.1f}%".replace(".", ",")
    # The per-period chart's bars add up to the items counted.
    assert chart_totals(at)[0] == len(first)


# --- filters change the figures to the right numbers ----------------------------------------------------------


def test_sector_filter(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    sector = top_sector(items)
    at = make_app().run()
    at.multiselect(key="sector").select(sector).run()
    assert_clean(at)
    rows = items[items["sector"] == sector]
    first = rows[rows["first_report"]]
    got = metrics(at)
    assert got["Mục chỉ đạo"] == str(len(first))
    assert got["Bản tin"] == str(rows["digest_id"].nunique())
    assert chart_totals(at)[0] == len(first)
    assert (len(first), int(items["first_report"].sum())) in n_of_m(at)


def test_week_range_and_normative(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    weeks = sorted(items["week"].unique())
    at = make_app().run()
    at.select_slider(key="weeks").set_value((weeks[1], weeks[3])).run()
    in_range = items[items["week"].isin(weeks[1:4])]
    assert metrics(at)["Bản tin"] == str(in_range["digest_id"].nunique())
    assert metrics(at)["Mục chỉ đạo"] == str(int(in_range["first_report"].sum()))
    at.toggle(key="normative").set_value(True).run()
    normative = in_range[in_range["is_normative"] & in_range["first_report"]]
    assert metrics(at)["Mục chỉ đạo"] == str(len(normative))


def test_has_deadline_filter(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    at = make_app().run()
    at.toggle(key="deadline").set_value(True).run()
    assert_clean(at)
    rows = items[[len(d) > 0 for d in items["deadlines"]]]
    assert 0 < len(rows) < len(items)
    assert metrics(at)["Mục chỉ đạo"] == str(int(rows["first_report"].sum()))


@pytest.mark.parametrize("query", ["tiem chung", "TIÊM CHỦNG", "hoá", "hóa", "QĐ-UBND"])
def test_search_ignores_diacritics_and_case(make_app: Callable[..., AppTest], items: pd.DataFrame, query: str) -> None:
    at = make_app().run()
    at.text_input(key="q").input(query).run()
    assert_clean(at)
    hits = items[[matches(r, query) for _, r in items.iterrows()]]
    assert len(hits) > 0, "the query should find something in the bundled digests"
    assert metrics(at)["Mục chỉ đạo"] == str(int(hits["first_report"].sum()))


def test_lead_agency_and_place_filters(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    agency = items["lead_agencies"].explode().dropna().value_counts().index[0]
    place = items["districts"].explode().dropna().value_counts().index[0]
    at = make_app().run()
    at.multiselect(key="agency").select(agency).run()
    rows = items[[agency in v for v in items["lead_agencies"]]]
    assert metrics(at)["Mục chỉ đạo"] == str(int(rows["first_report"].sum()))
    at.multiselect(key="district").select(place).run()
    rows = rows[[place in v for v in rows["districts"]]]
    if len(rows):
        assert metrics(at)["Mục chỉ đạo"] == str(int(rows["first_report"].sum()))
    else:
        assert any("Không có mục nào" in i.value for i in at.info)


def test_empty_result_is_friendly_on_every_page(make_app: Callable[..., AppTest]) -> None:
    at = make_app(q="khongcotu xyzzy").run()
    for page in PAGES:
        at.switch_page(page).run()
        assert_clean(at)
        assert any("Không có mục nào khớp" in i.value for i in at.info), page


# --- URL state ---------------------------------------------------------------------------------------------


def test_url_parameters_reproduce_a_view(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    weeks = sorted(items["week"].unique())
    sector = top_sector(items)
    at = make_app(sector=[sector], weeks=[weeks[2], weeks[4]], type=["Công văn", "Kế hoạch"]).run()
    assert_clean(at)
    assert at.multiselect(key="sector").value == [sector]
    assert at.select_slider(key="weeks").value == (weeks[2], weeks[4])
    assert at.multiselect(key="type").value == ["Công văn", "Kế hoạch"]
    rows = items[
        (items["sector"] == sector) & items["week"].isin(weeks[2:5]) & items["doc_type"].isin(["Công văn", "Kế hoạch"])
    ]
    assert metrics(at)["Mục chỉ đạo"] == str(int(rows["first_report"].sum()))

    # The same view reached by clicking shows the same figures.
    clicked = make_app().run()
    clicked.multiselect(key="sector").select(sector).run()
    clicked.select_slider(key="weeks").set_value((weeks[2], weeks[4])).run()
    clicked.multiselect(key="type").select("Công văn").select("Kế hoạch").run()
    assert metrics(clicked) == metrics(at)


def test_invalid_url_values_are_ignored(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    at = make_app(sector=["Không có lĩnh vực này"], weeks=["1999-W01", "junk"], per="fortnight").run()
    assert_clean(at)
    assert metrics(at)["Mục chỉ đạo"] == str(int(items["first_report"].sum()))


def test_state_survives_switching_pages(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    sector = top_sector(items)
    at = make_app().run()
    at.multiselect(key="sector").select(sector).run()
    rows = items[items["sector"] == sector]
    at.switch_page("pages/explorer.py").run()
    assert at.multiselect(key="sector").value == [sector]
    assert (len(rows), len(items)) in n_of_m(at)
    at.switch_page("pages/sectors.py").run()
    assert at.multiselect(key="sector").value == [sector]
    assert (int(rows["first_report"].sum()), int(items["first_report"].sum())) in n_of_m(at)


def test_reset_restores_defaults(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    at = make_app(sector=[top_sector(items)], q="ubnd", per="month").run()
    assert metrics(at)["Mục chỉ đạo"] != str(int(items["first_report"].sum()))
    at.button(key="reset_filters").click().run()
    assert_clean(at)
    assert at.multiselect(key="sector").value == []
    assert at.text_input(key="q").value == ""
    assert metrics(at)["Mục chỉ đạo"] == str(int(items["first_report"].sum()))


def test_week_page_reads_a_week_in_digest_order(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    week = items["week"].value_counts().index[0]
    at = make_app(week=week).run()
    at.switch_page("pages/weeks.py").run()
    assert_clean(at)
    rows = items[items["week"] == week].sort_values("item_no")
    assert (len(rows), len(rows)) in n_of_m(at)
    # Headlines come from uploaded files: shown escaped, literal, never as live markdown.
    labels = [e.label for e in at.expander if re.match(r"^\d+\\\. ", e.label)]
    assert labels == [f"{r.item_no}\\. {md_escape(r.headline)}" for r in rows.itertuples()]


# --- downloads ---------------------------------------------------------------------------------------------


def test_explorer_downloads_exactly_the_filtered_rows(
    make_app: Callable[..., AppTest], items: pd.DataFrame, downloads: dict[str, Callable[[], bytes]]
) -> None:
    sector = top_sector(items)
    at = make_app(sector=[sector], q="ubnd").run()
    at.switch_page("pages/explorer.py").run()
    assert_clean(at)
    found = pd.Series([matches(r, "ubnd") for _, r in items.iterrows()], index=items.index)
    expected = items[(items["sector"] == sector) & found]
    assert 0 < len(expected) < len(items)
    key = set(zip(expected["digest_id"], expected["item_no"], strict=True))

    csv = downloads["muc-chi-dao.csv"]()
    assert csv.startswith(b"\xef\xbb\xbf")
    _, frame = read_csv_export(csv)
    labels = [BY_NAME[c].label_vi for c in COLUMN_NAMES]  # the columns under their Vietnamese labels
    assert list(frame.columns) == labels
    assert set(zip(frame["Mã bản tin"], frame["STT"], strict=True)) == key and len(frame) == len(key)
    assert set(frame["Tiêu đề"]) == set(expected["headline"])  # Vietnamese intact

    wb = load_workbook(io.BytesIO(downloads["muc-chi-dao.xlsx"]()))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == labels
    assert len(rows) - 1 == len(key)
    assert {r[rows[0].index("Tiêu đề")] for r in rows[1:]} == set(expected["headline"])


def test_summary_table_download_matches_the_chart(
    make_app: Callable[..., AppTest], items: pd.DataFrame, downloads: dict[str, Callable[[], bytes]]
) -> None:
    at = make_app(normative="false").run()
    assert_clean(at)
    _, frame = read_csv_export(downloads["van-ban-theo-loai.csv"]())
    expected = items[items["first_report"]]["doc_type"].value_counts()
    assert dict(zip(frame["Loại văn bản"], frame["Số mục"], strict=True)) == expected.to_dict()
    assert frame["Tỉ lệ (%)"].sum() == pytest.approx(100, abs=0.2)


# --- chart selection narrows the explorer ------------------------------------------------------------------


def test_chart_selection_narrows_the_explorer(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    from analytics.urls import selection_params

    sector = top_sector(items)
    week = sorted(items["week"].unique())[-2]
    at = make_app().run()
    codes = at.session_state["_view"].corpus.codes
    for key, value in selection_params(Selection("sector", ((sector, week),)), codes).items():
        at.query_params[key] = value
    assert at.query_params["pick"] != f"{sector}@{week}"  # a code, not the sector's name
    at.switch_page("pages/explorer.py").run()
    assert_clean(at)
    rows = items[(items["sector"] == sector) & (items["week"] == week) & items["first_report"]]
    assert (len(rows), len(items)) in n_of_m(at)
    assert any(md_escape(sector) in i.value and md_escape(week) in i.value for i in at.info)  # escaped markdown
    at.button(key="clear_selection").click().run()
    assert "sel" not in at.query_params and "pick" not in at.query_params
    assert (len(items), len(items)) in n_of_m(at)


def test_urls_hold_codes_and_open_the_same_view_in_both_languages(
    make_app: Callable[..., AppTest], items: pd.DataFrame
) -> None:
    """A link made in English opens the same view in Vietnamese: the URL holds codes, not display labels."""
    from loaders.vocab import load_vocab

    sector_ids = {s.name_vi: s.id for s in load_vocab().sectors}
    sector = top_sector(items)
    at = make_app(lang="en").run()
    at.multiselect(key="sector").select(sector).run()
    at.multiselect(key="type").select("Quyết định").run()
    at.selectbox(key="per").select("month").run()
    assert_clean(at)
    assert at.query_params["sector"] == sector_ids[sector]  # e.g. S12, not "Y tế" or "Health"
    assert at.query_params["type"] == "QĐ" and at.query_params["lang"] == "en" and at.query_params["per"] == "month"
    link = {k: v for k, v in at.query_params.items() if k != "lang"}  # the same link, opened in Vietnamese
    english = metrics(at)

    vi = make_app(**link).run()
    assert_clean(vi)
    assert vi.radio(key="lang").value == "vi"
    assert vi.multiselect(key="sector").value == [sector] and vi.multiselect(key="type").value == ["Quyết định"]
    assert vi.selectbox(key="per").value == "month"
    rows = items[(items["sector"] == sector) & (items["doc_type"] == "Quyết định")]
    assert metrics(vi)["Mục chỉ đạo"] == str(int(rows["first_report"].sum()))
    assert [v.replace(",", ".") for v in metrics(vi).values()] == list(english.values())  # decimal comma in vi


def test_old_label_links_are_translated_once(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    at = make_app(sector="Y tế", type=["Quyết định", "Kế hoạch"], lang="English", per="Tháng").run()
    assert_clean(at)
    assert at.multiselect(key="sector").value == ["Y tế"]
    assert at.multiselect(key="type").value == ["Quyết định", "Kế hoạch"]
    assert at.radio(key="lang").value == "en" and at.selectbox(key="per").value == "month"
    # The URL now says the same in codes.
    assert at.query_params["sector"] == "S12" and at.query_params["type"] == ["QĐ", "KH"]
    assert at.query_params["lang"] == "en" and at.query_params["per"] == "month"
    rows = items[(items["sector"] == "Y tế") & items["doc_type"].isin(["Quyết định", "Kế hoạch"])]
    assert metrics(at)["Directive items"] == str(int(rows["first_report"].sum()))


def test_page_controls_travel_as_codes(make_app: Callable[..., AppTest]) -> None:
    """The sectors page's own choices are codes in the URL (not "Tỉ lệ" / "4 weeks"), in either language."""
    plain = make_app().run()
    plain.switch_page("pages/sectors.py").run()
    assert plain.session_state["sec_mode"] == "count" and plain.selectbox(key="sec_window").value == 1
    assert "sec_mode" not in plain.query_params and "sec_window" not in plain.query_params
    for language in ("vi", "en"):
        at = make_app(lang=language, sec_mode="share", sec_window="4").run()
        at.switch_page("pages/sectors.py").run()
        assert_clean(at)
        assert at.selectbox(key="sec_window").value == 4
        assert at.session_state["sec_mode"] == "share"
        at.selectbox(key="sec_window").select_index(2).run()  # 8
        assert at.query_params["sec_window"] == "8" and at.query_params["sec_mode"] == "share"
        at.selectbox(key="sec_window").select_index(0).run()  # 1, the default: left out of the link
        assert "sec_window" not in at.query_params


def test_page_links_keep_the_view(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    from urllib.parse import parse_qs

    at = make_app(sector="S12", q="ubnd", lang="en").run()
    links = {p.proto.page: parse_qs(p.proto.query_string) for p in at.get("page_link")}
    assert {"tong-quan", "linh-vuc", "tra-cuu", "chat-luong"} <= set(links)
    assert all(q == {"sector": ["S12"], "q": ["ubnd"], "lang": ["en"]} for q in links.values()), links


def test_selected_explorer_row_is_in_the_url(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    row = items[items["first_report"]].iloc[3]
    ref = f"{row['digest_id']}:{row['item_no']}"
    at = make_app(row=ref).run()
    at.switch_page("pages/explorer.py").run()
    assert_clean(at)
    assert any(md_escape(row["headline"]) == s.value for s in at.subheader)  # the item's detail is open
    assert at.query_params["row"] == ref


# --- bad input ---------------------------------------------------------------------------------------------


def test_unreadable_file_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(ROOT / "data" / "digests", tmp_path / "digests")
    (tmp_path / "digests" / "ghi-chu.txt").write_text("Danh sách việc cần làm tuần này.\n", encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    assert any(md_escape("ghi-chu.txt") in w.value for w in at.warning)
    assert metrics(at)["Bản tin"] == "5"


def test_file_names_are_escaped_wherever_markdown_shows_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name placed by hand in digests/ with a backtick or link syntax stays literal text: in the list of
    files that did not load, and in the captions naming a loaded digest (weeks page, explorer detail)."""
    import shutil

    (tmp_path / "digests").mkdir()
    bad, good = "x`](javascript:alert(1))`*y*.txt", "tuần`_một_`.txt"
    (tmp_path / "digests" / bad).write_text("Không phải bản tin.\n", encoding="utf-8")
    shutil.copy(ROOT / "data" / "digests" / "004_b8308b7cb78d46d0.txt", tmp_path / "digests" / good)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "không đọc được" in w.value)
    assert f"- {md_escape(tmp_path / 'digests' / bad)}: " in warning
    assert bad not in warning  # never raw: the backtick would close a code span and the link would be live
    at.switch_page("pages/weeks.py").run()
    assert not at.exception
    assert any(f"Bản tin: {md_escape(good)} (mã" in c for c in captions(at))
    assert not any(good in c for c in captions(at))


def test_empty_library_shows_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "digests").mkdir()
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    assert any("Chưa có bản tin" in i.value for i in at.info)
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, page


def test_page_url_paths_differ_from_file_names() -> None:
    """See dashboard.py: a URL equal to a page's file name would run the page without the entrypoint on a
    fresh server (Streamlit treats a `pages/` folder as a legacy app until st.navigation runs once)."""
    from analytics.urls import EXPLORER_PATH  # the explorer's path is shared with every link to it

    source = (ROOT / "dashboard.py").read_text(encoding="utf-8").replace("EXPLORER_PATH", f'"{EXPLORER_PATH}"')
    pages = re.findall(r'st\.Page\(\s*"pages/(\w+)\.py".*?url_path="([\w-]+)"', source, flags=re.S)
    assert {stem for stem, _ in pages} == {
        p.stem for p in (ROOT / "pages").glob("*.py")
    }  # every page file is registered
    assert all(stem != url for stem, url in pages)


def test_every_interface_text_exists_in_both_languages() -> None:
    """A key used by the code but missing from data/i18n.yaml would show as the key itself."""
    from ui.i18n import catalog, translate

    sources = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    keys = {k for p in sources for k in re.findall(r'\bt\("([a-z_.]+)"', p.read_text(encoding="utf-8"))}
    # Keys built at run time: each filter's two labels, f"granularity.{g}", f"sectors.mode_{m}", f"weeks.status_{s}".
    keys |= {f"filters.{spec.label}{h}" for spec in FILTERS for h in ("", "_help")}
    keys |= {f"granularity.{g}" for g in ("auto", "week", "month", "quarter", "year")}
    keys |= {"sectors.mode_count", "sectors.mode_share", "weeks.status_upcoming", "weeks.status_past"}
    assert len(keys) > 100

    def entry(key: str) -> object:
        node: object = catalog()["ui"]
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    missing = [
        k for k in sorted(keys) if not (isinstance(entry(k), dict) and entry(k).get("vi") and entry(k).get("en"))
    ]
    assert missing == []
    assert translate(catalog(), "common.n_of_m", "en", n=3, m=70) == "3 of 70 items"
