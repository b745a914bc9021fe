"""The Từ khóa page and analytics/terms.py on the bundled digests.

Expected numbers come from reading the seeds (grep of data/digests/, then the item each line belongs to):
- "cửa khẩu": 002 lines 62 and 64 (item "Tháo gỡ khó khăn … xuất nhập khẩu", 1270/UBND-KTTH); 004 line 14
  (143/KH-UBND); 001 lines 140 and 148 (one item printed twice, 1062/UBND-KT); 003 lines 12 and 15 (the
  meeting of 31/10/2024, item 2, no symbol) — four items, one per week 2020-W10, 2022-W25, 2023-W32, 2024-W44.
- "chuyển đổi số": 003 line 93 only (the item citing 94-KL/TW, 1634/UBND-KT) — one item, 2024-W44.
- "sạt lở": 001 line 6 is the opening summary (not an item); lines 24 and 26 (1048/UBND-KT) and lines 94–100
  (3824/VP-KT) — two items, 2023-W32.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import terms as tm
from loaders.phrases import build_phrases
from loaders.vocab import TermStops, load_term_stops

# term -> (week, doc_symbol or item_no when the item has no symbol) of every item mentioning it
EXPECTED = {
    "cửa khẩu": {
        ("2020-W10", "1270/UBND-KTTH"),
        ("2022-W25", "143/KH-UBND"),
        ("2023-W32", "1062/UBND-KT"),
        ("2024-W44", 2),
    },
    "chuyển đổi số": {("2024-W44", "1634/UBND-KT")},
    "sạt lở": {("2023-W32", "1048/UBND-KT"), ("2023-W32", "3824/VP-KT")},
}


def refs(items: pd.DataFrame, expected: set[tuple[str, object]]) -> set[tuple[str, int]]:
    """(digest_id, item_no) of the expected items, found by week and symbol (or item number)."""
    out = set()
    for week, ident in expected:
        rows = items[(items["week"] == week) & ((items["doc_symbol"] == ident) | (items["item_no"] == ident))]
        assert len(rows) == 1, (week, ident)
        out.add((rows["digest_id"].iloc[0], int(rows["item_no"].iloc[0])))
    return out


@pytest.mark.parametrize("term", list(EXPECTED))
def test_term_matches_the_items_read_in_the_seeds(items: pd.DataFrame, term: str) -> None:
    keys = tm.text_keys(items)
    hit = items[tm.term_mask(keys, term)]
    assert set(zip(hit["digest_id"], hit["item_no"], strict=True)) == refs(items, EXPECTED[term])


@pytest.mark.parametrize(
    ("spelling", "term"),
    [("cua khau", "cửa khẩu"), ("CỬA KHẨU", "cửa khẩu"), ("chuyen doi so", "chuyển đổi số"), ("Sat lo", "sạt lở")],
)
def test_spelling_without_diacritics_or_case_counts_the_same(items: pd.DataFrame, spelling: str, term: str) -> None:
    keys = tm.text_keys(items)
    assert (tm.term_mask(keys, spelling) == tm.term_mask(keys, term)).all()


def test_text_keys_from_the_stored_search_text_equal_folding_anew(items: pd.DataFrame) -> None:
    from loaders.search import SEARCH_KEY, search_keys

    stored = tm.text_keys(items.assign(**{SEARCH_KEY: search_keys(items)}))
    assert stored.tolist() == tm.text_keys(items).tolist()


@pytest.mark.parametrize("term", [*EXPECTED, "cua khau", "Covid-19", "trẻ em", "ủy ban nhân dân"])
def test_the_stored_search_index_gives_the_same_matches(items: pd.DataFrame, term: str) -> None:
    from loaders.search import SEARCH_KEY, build_index, search_keys

    keys = tm.text_keys(items)
    index = build_index(search_keys(items).to_numpy(), max_share=None)
    assert (tm.term_mask(keys, term, index) == tm.term_mask(keys, term)).all()
    assert SEARCH_KEY not in items


def test_whole_syllables_only() -> None:
    keys = np.array(tm.text_keys(pd.DataFrame({"headline": ["Kế hoạch"], "body": ["hóa chất"]})))
    assert tm.term_mask(keys, "hoa").tolist() == [True]  # "hóa", not the "hoa" inside "hoạch"
    keys = np.array(tm.text_keys(pd.DataFrame({"headline": ["Kế hoạch"], "body": [""]})))
    assert tm.term_mask(keys, "hoa").tolist() == [False]


def test_parse_terms_drops_repeats_and_empties() -> None:
    assert tm.parse_terms("chuyen doi so, Chuyển đổi số,, cửa khẩu ,") == ["chuyen doi so", "cửa khẩu"]


def test_spans_keep_the_original_spelling() -> None:
    text = "Phát triển Khu kinh tế Cửa khẩu Đồng Đăng; cửa  khẩu thông minh; cửa khẩuX"
    spans = tm.find_spans(text, "cua khau")
    assert [text[a:b] for a, b in spans] == ["Cửa khẩu", "cửa  khẩu"]


def test_trend_counts_and_shares(items: pd.DataFrame) -> None:
    counted = items[items["first_report"]]
    matched = tm.term_matches(counted, {"cửa khẩu": tm.term_mask(tm.text_keys(counted), "cửa khẩu")})
    trend = tm.term_trend(matched, ["cửa khẩu"], "week")
    per_week = counted.groupby("week").size()
    assert trend["period"].tolist() == sorted(per_week.index)
    assert trend["count"].tolist() == [1, 1, 1, 1, 0]
    assert trend["total"].tolist() == per_week.sort_index().tolist()
    rolled = tm.term_trend(matched, ["cửa khẩu"], "week", window=2)
    assert rolled["count"].tolist() == [1, 2, 2, 2, 1]


def test_contexts_hold_the_term_and_name_their_item(items: pd.DataFrame) -> None:
    rows = items[tm.term_mask(tm.text_keys(items), "sạt lở")]
    found = tm.contexts(rows, ["sạt lở"])
    assert len(found) >= 2 and set(found["match"].str.lower()) == {"sạt lở"}
    assert set(zip(found["digest_id"], found["item_no"], strict=True)) == refs(items, EXPECTED["sạt lở"])
    for r in found.itertuples():
        item = items[(items["digest_id"] == r.digest_id) & (items["item_no"] == r.item_no)].iloc[0]
        assert r.left + r.match + r.right in item[r.field] or r.left.startswith("…") or r.right.endswith("…")


def test_rising_phrases_leave_boilerplate_out() -> None:
    headlines = [
        "UBND tỉnh chỉ đạo phòng, chống sốt xuất huyết trên địa bàn tỉnh",
        "Chỉ đạo phòng chống sốt xuất huyết",
        "Kế hoạch chuyển đổi số năm 2024",
        "Kế hoạch chuyển đổi số của tỉnh",
        "Chỉ đạo chuyển đổi số",
    ]
    stops = TermStops(phrases=("ubnd tinh", "chi dao", "ke hoach", "tren dia ban tinh"), words=frozenset({"của"}))
    index = build_phrases(headlines, stops)
    # "phòng chống" is in one headline only (the other has a comma between): dropped, it cannot rise.
    assert set(index.phrases) == {
        "chong sot",
        "chong sot xuat",
        "sot xuat",
        "xuat huyet",
        "sot xuat huyet",
        "chuyen doi",
        "doi so",
        "chuyen doi so",
    }
    current = np.array([False, False, True, True, True])
    rising = tm.rising_phrases(index, current, ~current)
    # "chuyển đổi" and "đổi số" have the same counts as "chuyển đổi số": only the longer phrase is listed.
    assert rising["phrase"].tolist() == ["chuyển đổi số"]
    assert rising[["current", "baseline"]].iloc[0].tolist() == [3, 0]
    assert rising["share_change"].iloc[0] == pytest.approx(1.0)


def test_stop_phrase_file_is_read(items: pd.DataFrame) -> None:
    stops = load_term_stops()
    assert "tren dia ban tinh" in stops.phrases and "của" in stops.words and "cửa" not in stops.words
    index = build_phrases(items["headline"].tolist(), stops)
    assert not {"tren dia ban", "dia ban tinh", "ubnd tinh", "chu tich ubnd"} & set(index.phrases)


# --- the page ------------------------------------------------------------------------------------------------


def open_terms(make_app: Callable[..., AppTest], **params: str) -> AppTest:
    at = make_app(**params).run()
    at.switch_page("pages/terms.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def totals_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Tuần đầu tiên" in d.value.columns)


def contexts_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "link" in d.value.columns)


def test_page_counts_equal_the_seeds(make_app: Callable[..., AppTest], items: pd.DataFrame) -> None:
    at = open_terms(make_app, terms="chuyen doi so,cua khau")
    assert at.title[0].value == "Từ khóa"
    totals = totals_table(at).set_index("Từ khóa")
    assert totals.loc["chuyen doi so", "Số mục (lần đầu)"] == 1
    assert totals.loc["cua khau", "Số mục (lần đầu)"] == 4
    assert totals.loc["cua khau", "Tuần đầu tiên"] == "2020-W10"
    assert at.get("plotly_chart"), "the trend is drawn"
    ctx = contexts_table(at)
    for term, spelled in (("chuyen doi so", "chuyển đổi số"), ("cua khau", "cửa khẩu")):
        part = ctx[ctx["term"] == term]
        assert set(part["match"].str.lower()) == {spelled}
        linked = {tuple(link.split("item=")[1].split(":")) for link in part["link"]}
        assert {(d, int(n)) for d, n in linked} == refs(items, EXPECTED[spelled])
        assert all(link.startswith("tra-cuu?item=") for link in part["link"])


def test_page_with_and_without_diacritics_gives_the_same_counts(make_app: Callable[..., AppTest]) -> None:
    plain = totals_table(open_terms(make_app, terms="cua khau,sat lo"))
    marked = totals_table(open_terms(make_app, terms="cửa khẩu,Sạt Lở"))
    assert plain.drop(columns="Từ khóa").equals(marked.drop(columns="Từ khóa"))
    assert plain["Số mục (lần đầu)"].tolist() == [4, 2]


def test_page_respects_the_sidebar_filters(make_app: Callable[..., AppTest]) -> None:
    at = open_terms(make_app, terms="cửa khẩu", weeks=["2023-W32", "2025-W12"])
    assert totals_table(at).iloc[0]["Số mục (lần đầu)"] == 2  # 2023-W32 and 2024-W44 only


def test_a_clicked_point_picks_that_period(items: pd.DataFrame) -> None:
    matched = tm.term_matches(items, {"cửa khẩu": tm.term_mask(tm.text_keys(items), "cửa khẩu")})
    rows = tm.context_rows(matched, ["cửa khẩu"], "week", [("cửa khẩu", "2023-W32")])["cửa khẩu"]
    part = tm.contexts(items.loc[rows], ["cửa khẩu"])
    assert len(part) and set(part["week"]) == {"2023-W32"}
    assert set(zip(part["digest_id"], part["item_no"], strict=True)) == refs(items, {("2023-W32", "1062/UBND-KT")})
    assert tm.context_rows(matched, ["cửa khẩu"], "week", [("sạt lở", "2023-W32")])["cửa khẩu"].empty


def test_the_page_reads_the_first_items_contexts_and_downloads_all(
    make_app: Callable[..., AppTest], items: pd.DataFrame, downloads: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_export import read_csv_export
    from ui import terms as cached

    monkeypatch.setattr(cached, "CONTEXT_ITEMS", 2)
    at = open_terms(make_app, terms="cua khau")
    expected = refs(items, EXPECTED["cửa khẩu"])  # four items

    def linked(links: pd.Series) -> set[tuple[str, int]]:
        return {(d, int(n)) for d, n in (link.split("item=")[1].split(":") for link in links)}

    ctx = contexts_table(at)
    assert len(linked(ctx["link"])) == 2 and linked(ctx["link"]) < expected
    assert any("còn 2 mục khác nhắc đến" in c.value for c in at.caption)
    _, frame = read_csv_export(downloads["tu-khoa-ngu-canh.csv"]())
    assert linked(frame["Liên kết"]) == expected and len(frame) > len(ctx)


def test_rising_list_and_follow(make_app: Callable[..., AppTest]) -> None:
    at = open_terms(make_app)
    rising = next(d for d in at.dataframe if "Cụm từ" in d.value.columns)
    assert len(rising.value) > 0
    assert not rising.value["Cụm từ"].isin(["trên địa bàn", "ubnd tỉnh", "chủ tịch ubnd"]).any()


def test_page_in_english_and_empty(make_app: Callable[..., AppTest]) -> None:
    at = open_terms(make_app, lang="English", terms="cua khau")
    assert at.title[0].value == "Terms"
    at = open_terms(make_app, q="khongcotu xyzzy", terms="cua khau")
    assert any("Không có mục nào khớp" in i.value for i in at.info)
