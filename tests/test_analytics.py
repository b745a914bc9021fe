"""Analytics on a small hand-made items frame: every expected number below was counted by hand
from the six rows in `ITEMS` (see the comment above it)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import aggregate as agg
from analytics import charts
from analytics.filters import (
    FILTERS,
    SEARCH_KEY,
    Filters,
    Selection,
    add_search_key,
    apply_filters,
    apply_selection,
    in_values,
    newest_first,
    search_terms,
    week_monday,
)
from analytics.urls import (
    decode_choice,
    decode_values,
    from_query_params,
    parse_selection,
    selection_params,
    slug,
    to_query_params,
    value_codes,
)
from loaders.schema import COLUMN_NAMES, as_coded, coerce_items
from tests.conftest import SEEDS

YT, GD, CH = "Y tế", "Giáo dục và đào tạo", "Chỉ đạo điều hành chung"
W44, W45, W47 = dt.date(2024, 10, 28), dt.date(2024, 11, 4), dt.date(2024, 11, 18)


def _row(**kw: object) -> dict[str, object]:
    week_start = kw["week_start"]
    assert isinstance(week_start, dt.date)
    base: dict[str, object] = {
        "source": f"{kw['digest_id']}.txt",
        "week_end": week_start + dt.timedelta(days=6),
        "week": f"{week_start.isocalendar()[0]}-W{week_start.isocalendar()[1]:02d}",
        "body": "",
        "doc_symbol": "",
        "doc_date": None,
        "is_normative": False,
        "issuer": "UBND tỉnh",
        "leader": "",
        "leader_source": "",
        "unit": "",
        "sectors_secondary": [],
        "sector_reason": "",
        "lead_agencies": [],
        "districts": [],
        "cited_documents": [],
        "deadlines": [],
        "reported_in": 1,
        "first_report": True,
        "merged_blocks": 1,
    }
    base.update(kw)
    return base


# r0..r5. Three digests (d1 W44, d2 W45, d3 W47). r3 repeats r0's document (key A): not a first report.
ITEMS = coerce_items(
    pd.DataFrame(
        [
            _row(
                digest_id="d1",
                week_start=W44,
                item_no=1,
                item_key="A",
                headline="Tiêm chủng mở rộng",
                sector=YT,
                doc_type="Quyết định",
                doc_symbol="45/2024/QĐ-UBND",
                is_normative=True,
                lead_agencies=["Sở Y tế"],
                districts=["huyện Cao Lộc"],
                reported_in=2,
                cited_documents=["221/QĐ-TTg"],
            ),
            _row(
                digest_id="d1",
                week_start=W44,
                item_no=2,
                item_key="B",
                headline="=Hoá chất trường học",
                sector=GD,
                doc_type="Công văn",
                doc_symbol="1052/UBND-KGVX",
                issuer="Chủ tịch UBND tỉnh",
                leader="Hồ Tiến Thiệu",
                lead_agencies=["Sở Giáo dục và Đào tạo"],
                districts=["xã Mẫu Sơn", "huyện Lộc Bình"],
                deadlines=[dt.date(2024, 11, 30)],
            ),
            _row(
                digest_id="d2",
                week_start=W45,
                item_no=1,
                item_key="C",
                headline="Kế hoạch phòng dịch",
                sector=YT,
                doc_type="Kế hoạch",
                doc_symbol="146/KH-UBND",
                lead_agencies=["Sở Y tế", "Công an tỉnh"],
                deadlines=[dt.date(2024, 10, 1)],
                body="Phòng, chống\nsốt xuất huyết",
            ),
            _row(
                digest_id="d2",
                week_start=W45,
                item_no=2,
                item_key="A",
                headline="Tiêm chủng mở rộng (nhắc lại)",
                sector=YT,
                doc_type="Quyết định",
                doc_symbol="45/2024/QĐ-UBND",
                is_normative=True,
                first_report=False,
                reported_in=2,
            ),
            _row(
                digest_id="d3",
                week_start=W47,
                item_no=1,
                item_key="D",
                headline="Họp thường kỳ",
                sector=CH,
                doc_type="Cuộc họp",
                issuer="Chủ tịch UBND tỉnh",
                leader="Hồ Tiến Thiệu",
            ),
            _row(
                digest_id="d3",
                week_start=W47,
                item_no=2,
                item_key="E",
                headline="Khám sức khỏe",
                sector=YT,
                doc_type="Công văn",
                doc_symbol="2792/VP-KGVX",
                districts=["huyện Cao Lộc", "huyện Cao Lộc"],
            ),
        ]
    )
)
COUNTED = agg.counted(ITEMS)  # r0 r1 r2 r4 r5


def rows_of(frame: pd.DataFrame) -> list[int]:
    return sorted(frame.index.tolist())


# --- filters -------------------------------------------------------------------------------------------


def test_schema_of_the_fixture_is_the_real_one() -> None:
    assert tuple(ITEMS.columns) == COLUMN_NAMES


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), [0, 1, 2, 3, 4, 5]),
        (Filters(sectors=(YT,)), [0, 2, 3, 5]),
        (Filters(week_from="2024-W45", week_to="2024-W47"), [2, 3, 4, 5]),
        (Filters(week_to="2024-W44"), [0, 1]),
        (Filters(normative_only=True), [0, 3]),
        (Filters(issuers=("Chủ tịch UBND tỉnh",)), [1, 4]),
        (Filters(leaders=("Hồ Tiến Thiệu",), doc_types=("Cuộc họp",)), [4]),
        (Filters(lead_agencies=("Công an tỉnh",)), [2]),
        (Filters(lead_agencies=("Sở Y tế",), week_from="2024-W45"), [2]),
        (Filters(districts=("xã Mẫu Sơn",)), [1]),
        (Filters(sectors=(YT,), districts=("huyện Cao Lộc",)), [0, 5]),
        (Filters(sectors=(GD,), normative_only=True), []),
    ],
)
def test_apply_filters(filters: Filters, expected: list[int]) -> None:
    assert rows_of(apply_filters(add_search_key(ITEMS), filters)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tiem chung", [0, 3]),
        ("TIÊM CHỦNG", [0, 3]),
        ("hóa chất", [1]),  # the headline writes "Hoá": both tone placements fold alike
        ("hoá", [1]),
        ("chong sot", [2]),  # a phrase across a line break of the body
        ('"chung mo" nhac', [3]),
        ("qđ-ubnd", [0, 3]),  # symbols are searchable, đ folds to d, punctuation-joined words form a phrase
        ("mở nhắc", [3]),  # two words: both must appear, anywhere
        ("kế mở", []),
        ("nhắc mở", [3]),
        ("'kế hoạch' dịch", [2]),
        ("cao loc", [0, 5]),  # districts are searchable
        ("không có", []),
    ],
)
def test_search_ignores_case_and_diacritics(query: str, expected: list[int]) -> None:
    assert rows_of(apply_filters(add_search_key(ITEMS), Filters(query=query))) == expected


# Items of the bundled digests that state a dated deadline, read by hand: 000 #4 ("chậm nhất trong ngày
# 31/3/2025"); 001 #3 (two dates on one line) and #16; 003 #1 (two lines), #2, #4, #17, #20. 002 and 004
# state none; 003's "trước ngày Quyết định này có hiệu lực" is not a deadline.
DEADLINE_ITEMS = {("000", 4), ("001", 3), ("001", 16), ("003", 1), ("003", 2), ("003", 4), ("003", 17), ("003", 20)}
_DEADLINE_LINE = re.compile(r"(trước ngày|chậm nhất(?: trong)? ngày) \d{1,2}/\d{1,2}")


def test_has_deadline_filter_on_the_seeds(seed_items: tuple[pd.DataFrame, object]) -> None:
    lines = {p.name[:3]: sum(bool(_DEADLINE_LINE.search(x)) for x in p.read_text("utf-8").splitlines()) for p in SEEDS}
    assert lines == {"000": 1, "001": 2, "002": 0, "003": 6, "004": 0}  # the independent (grep-style) count
    items = seed_items[0]
    got = apply_filters(items, Filters(has_deadline=True))
    assert {(Path(s).name[:3], n) for s, n in zip(got["source"], got["item_no"], strict=True)} == DEADLINE_ITEMS
    both = apply_filters(items, Filters(has_deadline=True, sectors=(got["sector"].iloc[0],)))
    assert 0 < len(both) <= len(got) and set(both.index) <= set(got.index)


def test_search_works_without_precomputed_key() -> None:
    assert SEARCH_KEY not in ITEMS
    assert rows_of(apply_filters(ITEMS, Filters(query="tiem chung"))) == [0, 3]


def test_search_terms() -> None:
    assert search_terms('  Tiêm   "Chủng,  mở" rộng QĐ-UBND') == ["chung mo", "tiem", "rong", "qd ubnd"]
    assert search_terms("") == []


def test_week_monday() -> None:
    assert week_monday("2024-W44") == dt.date(2024, 10, 28)
    assert week_monday("2020-W01") == dt.date(2019, 12, 30)
    with pytest.raises(ValueError, match="ISO week"):
        week_monday("44/2024")


def test_query_params_round_trip_example() -> None:
    f = Filters(week_from="2024-W45", week_to="", sectors=(YT, GD), normative_only=True, query="tiêm chủng")
    params = to_query_params(f)
    assert params == {"weeks": ["2024-W45", ""], "sector": [YT, GD], "normative": "true", "q": "tiêm chủng"}
    assert from_query_params(params) == f
    assert to_query_params(Filters()) == {}


def test_query_params_full_range_means_no_restriction() -> None:
    weeks = ["2024-W44", "2024-W45", "2024-W47"]
    assert from_query_params({"weeks": ["2024-W44", "2024-W47"]}, weeks) == Filters()
    assert from_query_params({"weeks": ["2024-W45", "2024-W47"]}, weeks) == Filters(week_from="2024-W45")
    assert from_query_params({"weeks": "junk", "foo": "bar"}) == Filters()
    assert from_query_params({"normative": "false", "sector": ["Y tế", "Y tế"]}) == Filters(sectors=("Y tế",))


_words = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạ ", min_size=1, max_size=12).map(str.strip).filter(bool)
_week = st.builds(lambda y, w: f"{y}-W{w:02d}", st.integers(2019, 2026), st.integers(1, 52))


@given(
    st.builds(
        Filters,
        week_from=st.one_of(st.just(""), _week),
        week_to=st.one_of(st.just(""), _week),
        sectors=st.lists(_words, max_size=3, unique=True).map(tuple),
        issuers=st.lists(_words, max_size=2, unique=True).map(tuple),
        normative_only=st.booleans(),
        query=st.one_of(st.just(""), _words),
    )
)
def test_query_params_round_trip(filters: Filters) -> None:
    assert from_query_params(to_query_params(filters)) == filters


def _one_of_each() -> Filters:
    """Filters with a non-default value for every registered filter (the registry decides what there is)."""
    values = {"range": ("2024-W45", "2024-W47"), "text": "tiêm chủng", "bool": True}
    f = Filters()
    for spec in FILTERS:
        if spec.kind == "multi":
            value = tuple([v for v in ITEMS[spec.column].explode().dropna().astype(str).unique() if v][:2])
        else:
            value = values[spec.kind]
        f = f.with_value(spec, value)
    return f


def test_every_registered_filter_round_trips_through_the_url() -> None:
    full = _one_of_each()
    assert all(full.value(spec) != spec.default for spec in FILTERS)
    codes = {s.name: value_codes(ITEMS[s.column].explode().dropna().astype(str)) for s in FILTERS if s.kind == "multi"}
    for with_codes in (None, codes):
        params = to_query_params(full, codes=with_codes)
        assert set(params) == {spec.key for spec in FILTERS}
        assert from_query_params(params, codes=with_codes) == full
        for spec in FILTERS:  # and each filter alone
            alone = Filters().with_value(spec, full.value(spec))
            assert from_query_params(to_query_params(alone, codes=with_codes), codes=with_codes) == alone
    # With codes, the URL holds no display label: sectors by slug or id, never their Vietnamese name.
    assert all(v.isascii() for v in to_query_params(full, codes=codes)["sector"])


def test_url_codes_accept_old_label_style_values() -> None:
    sectors = next(s for s in FILTERS if s.name == "sectors")
    codes = {"sectors": value_codes([YT, GD], {YT: "S12"})}
    assert codes["sectors"] == {YT: "S12", GD: slug(GD)}
    assert decode_values(sectors, ["S12", GD, slug(GD), "junk"], codes) == (YT, GD)
    assert from_query_params({"sector": YT}, codes=codes) == Filters(sectors=(YT,))


def test_value_codes_never_collide() -> None:
    codes = value_codes(["Bắc Sơn", "Bác Sơn", "Sở Y tế", ""])
    assert codes["Sở Y tế"] == "so-y-te"
    assert codes["Bắc Sơn"] == "Bắc Sơn" and codes["Bác Sơn"] == "Bác Sơn"  # same slug: each keeps itself
    assert len(set(codes.values())) == len(codes)


def test_selection_round_trips_through_the_url() -> None:
    codes = {"sectors": value_codes([YT], {YT: "S12"})}
    for sel in (
        Selection("sector", ((YT, "2024-W44"), ("", "2024-W45")), "week"),
        Selection("districts", (("huyện Cao Lộc", ""),), "month", explode=True),
        Selection("is_normative", (("True", "2024-Q4"),), "quarter", counted_only=False),
    ):
        params = selection_params(sel, codes)
        assert parse_selection(params, codes) == sel
    assert selection_params(Selection("sector", ((YT, ""),)), codes)["pick"] == ["S12@"]
    assert parse_selection({"sel": "nonsense:week", "pick": "x@"}) is None
    assert parse_selection({"sel": "sector:fortnight", "pick": "S12@"}, codes) is None


def test_choices_read_codes_and_old_labels() -> None:
    labels = {"vi": ["Tiếng Việt"], "en": ["English"]}
    assert decode_choice("en", labels) == decode_choice("English", labels) == "en"
    assert decode_choice("tieng viet", labels) == "vi"
    assert decode_choice("fr", labels) is None and decode_choice(None, labels) is None


def test_selection_narrows_to_the_clicked_bar() -> None:
    assert rows_of(apply_selection(ITEMS, Selection("sector", ((YT, "2024-W44"),)))) == [0]
    assert rows_of(apply_selection(ITEMS, Selection("sector", ((YT, ""),)))) == [0, 2, 5]
    # Repeat reports are kept when the chart counted every report.
    assert rows_of(apply_selection(ITEMS, Selection("sector", ((YT, ""),), counted_only=False))) == [0, 2, 3, 5]
    assert rows_of(apply_selection(ITEMS, Selection("", (("", "2024-W47"),)))) == [4, 5]
    assert rows_of(
        apply_selection(ITEMS, Selection("sector", ((YT, "2024-11"), (GD, "2024-10")), granularity="month"))
    ) == [1, 2, 5]
    assert rows_of(apply_selection(ITEMS, Selection("lead_agencies", (("Sở Y tế", ""),), explode=True))) == [0, 2]
    assert rows_of(apply_selection(ITEMS, Selection("is_normative", (("True", ""),)))) == [0]
    assert rows_of(apply_selection(ITEMS, None)) == [0, 1, 2, 3, 4, 5]


# --- aggregates ----------------------------------------------------------------------------------------


def test_counted_drops_repeat_reports() -> None:
    assert rows_of(COUNTED) == [0, 1, 2, 4, 5]


def test_period_labels() -> None:
    ws = pd.Series(pd.to_datetime(["2024-10-28", "2019-12-30", "2025-03-17"]))
    assert agg.period_labels(ws, "week").tolist() == ["2024-W44", "2020-W01", "2025-W12"]
    assert agg.period_labels(ws, "month").tolist() == ["2024-10", "2019-12", "2025-03"]
    assert agg.period_labels(ws, "quarter").tolist() == ["2024-Q4", "2019-Q4", "2025-Q1"]
    assert agg.period_labels(ws, "year").tolist() == ["2024", "2019", "2025"]
    with pytest.raises(ValueError, match="granularity"):
        agg.period_labels(ws, "day")


def test_period_labels_at_iso_year_ends() -> None:
    # ISO weeks belong to the year of their Thursday: 2020 and 2026 have a week 53, 30/12/2024 opens 2025-W01.
    days = ["2020-12-28", "2021-01-03", "2021-01-04", "2024-12-30", "2026-12-28", "2027-01-03"]
    ws = pd.Series(pd.to_datetime(days), index=[5, 4, 3, 2, 1, 0])
    got = agg.period_labels(ws, "week")
    assert got.tolist() == ["2020-W53", "2020-W53", "2021-W01", "2025-W01", "2026-W53", "2026-W53"]
    assert got.index.tolist() == [5, 4, 3, 2, 1, 0]
    assert agg.period_labels(ws, "quarter").tolist() == [
        "2020-Q4",
        "2021-Q1",
        "2021-Q1",
        "2024-Q4",
        "2026-Q4",
        "2027-Q1",
    ]


def _reference_counts(frame: pd.DataFrame, by: str, granularity: str) -> dict[tuple[str, str], int]:
    """(period, value) -> items, counted row by row with the standard library (no pandas grouping)."""
    fmt = {
        "week": lambda d: "{}-W{:02d}".format(*d.isocalendar()[:2]),
        "month": lambda d: f"{d:%Y-%m}",
        "quarter": lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
        "year": lambda d: str(d.year),
    }[granularity]
    out: dict[tuple[str, str], int] = {}
    for day, value in zip(frame["week_start"].dt.date, frame[by].astype(str), strict=True):
        if value:
            out[(fmt(day), value)] = out.get((fmt(day), value), 0) + 1
    return out


@settings(deadline=None)  # AppTest-free, but the first example imports and warms pandas paths (~0.4 s)
@given(
    st.lists(
        st.tuples(st.integers(0, 700), st.sampled_from(["Y tế", "Giáo dục, đào tạo", "", "Xây dựng"]), st.booleans()),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(agg.GRANULARITIES),
)
def test_counts_through_a_mask_on_coded_frames_equal_a_row_by_row_count(rows: list, granularity: str) -> None:
    # The dashboard counts its coded frame (categoricals, pre-coded periods) through the filters' mask.
    days = pd.to_datetime("2019-12-30") + pd.to_timedelta([7 * r[0] for r in rows], unit="D")
    plain = pd.DataFrame({"week_start": days, "sector": [r[1] for r in rows]})
    mask = pd.Series([r[2] for r in rows]).to_numpy()
    coded = agg.with_periods(as_coded(plain))
    got = agg.counts_by_period(coded, "sector", granularity, missing=None, rows=mask)
    expected = _reference_counts(plain[mask], "sector", granularity)
    with pytest.MonkeyPatch.context() as patch:  # as when a column has too many values for one count table
        patch.setattr(agg, "_MAX_CELLS", 0)
        assert agg.counts_by_period(coded, "sector", granularity, missing=None, rows=mask).equals(got)
    nonzero = {
        (str(p), str(v)): int(c) for p, v, c in zip(got["period"], got["sector"], got["count"], strict=True) if c
    }
    assert nonzero == expected
    if mask.any():
        same = agg.counts_by_period(plain[mask], "sector", granularity, missing=None)
        assert same.astype({"period": str, "sector": str}).equals(got.astype({"period": str, "sector": str}))
    if len(got):  # (no row at all when every value in view is empty)
        totals = dict(zip(got["period"].astype(str), got["total"], strict=True))
        assert totals == agg.period_labels(plain[mask]["week_start"], granularity).value_counts().to_dict()
    ranked = agg.ranking(as_coded(plain), "sector", missing="—")
    assert ranked.equals(agg.ranking(plain, "sector", missing="—"))


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["b1", "a2", "c0"]), st.integers(1, 3)), max_size=30),
    st.booleans(),
)
def test_newest_first_orders_as_a_sort_on_the_three_columns(rows: list, coded: bool) -> None:
    # Newest week first, then digest and item number ascending; ties keep their order (a stable sort).
    frame = pd.DataFrame(
        {
            "week_start": pd.to_datetime("2024-01-01") + pd.to_timedelta([7 * r[0] for r in rows], unit="D"),
            "digest_id": [r[1] for r in rows],
            "item_no": np.array([r[2] for r in rows], dtype=np.int64),
        },
        index=pd.RangeIndex(len(rows)) * 3,  # labels that are not positions
    )
    expected = frame.sort_values(
        ["week_start", "digest_id", "item_no"], ascending=[False, True, True], kind="stable"
    ).index.tolist()
    items = as_coded(frame) if coded else frame
    assert frame.index[newest_first(items)].tolist() == expected


@settings(deadline=None)
@given(
    st.lists(st.sampled_from(["Y tế", "Xây dựng", "", None]), max_size=30),
    st.lists(st.sampled_from(["Y tế", "Giáo dục", "", None]), max_size=3),
)
def test_in_values_through_the_codes_answers_as_isin(values: list, wanted: list) -> None:
    # Categories tested once, read through the codes: missing values (code -1) and unused categories too.
    plain = pd.Series(values, dtype=object)
    coded = plain.astype(pd.CategoricalDtype(["Giáo dục", "Xây dựng", "Y tế", ""]))
    expected = plain.isin(wanted).to_numpy()
    assert in_values(plain, wanted).tolist() == in_values(coded, wanted).tolist() == expected.tolist()
    # And the distinct values among the rows a mask picks (here: those among `wanted`), missing ones left out.
    frame = pd.DataFrame({"plain": plain, "coded": coded})
    present = sorted({v for v, hit in zip(values, expected, strict=True) if hit and v is not None})
    assert agg.distinct(frame, "plain", expected) == agg.distinct(frame, "coded", expected) == present


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_counts_of_a_boolean_column_equal_those_of_its_texts(rows: list) -> None:
    # A boolean column is its own code (no hash pass): the same table as the column written "True"/"False".
    days = pd.to_datetime("2024-01-01") + pd.to_timedelta([7 * r[0] for r in rows], unit="D")
    flags = pd.DataFrame({"week_start": days, "is_normative": [r[1] for r in rows]})
    texts = flags.assign(is_normative=flags["is_normative"].map(str))
    mask = np.array([r[2] for r in rows], dtype=bool)
    for picked in (None, mask):
        got = agg.counts_by_period(flags, "is_normative", "month", order=["True", "False"], rows=picked)
        want = agg.counts_by_period(texts, "is_normative", "month", order=["True", "False"], rows=picked)
        assert got.astype(object).values.tolist() == want.astype(object).values.tolist()
        ranked, expected = (
            agg.ranking(flags, "is_normative", rows=picked),
            agg.ranking(texts, "is_normative", rows=picked),
        )
        assert ranked.astype(object).values.tolist() == expected.astype(object).values.tolist()


def test_auto_granularity() -> None:
    def weeks(n: int, start: str) -> pd.DataFrame:
        return pd.DataFrame({"week_start": pd.date_range(start, periods=n, freq="W-MON")})

    assert agg.auto_granularity(weeks(60, "2024-01-01")) == "week"
    assert agg.auto_granularity(weeks(200, "2020-01-06")) == "month"
    assert agg.auto_granularity(weeks(5000, "1930-01-06")) == "year"
    # Through a mask, on the pre-coded periods too: 61 weeks are too many for weeks, 60 of them are not.
    frame = weeks(61, "2024-01-01")
    every, but_one = None, frame.index.to_numpy() > 0
    for items in (frame, agg.with_periods(frame)):
        assert agg.auto_granularity(items, every) == "month"
        assert agg.auto_granularity(items, but_one) == "week"
        assert agg.auto_granularity(items, np.zeros(61, dtype=bool)) == "week"  # no row


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3000), st.booleans()), min_size=1, max_size=80), st.integers(1, 12))
def test_auto_granularity_on_pre_coded_periods_counts_as_on_the_dates(rows: list, limit: int) -> None:
    # The coded frame counts the weeks present once and maps them to their months, quarters, years; the
    # digests' weeks start on any day, so one ISO week may hold two months (then it counts on the dates).
    days = pd.to_datetime("2019-12-30") + pd.to_timedelta([r[0] for r in rows], unit="D")
    frame = pd.DataFrame({"week_start": days})
    mask = np.array([r[1] for r in rows], dtype=bool)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(agg, "_AUTO_LIMIT", limit)  # small, so that a few dozen rows reach every granularity
        coded = agg.with_periods(frame)
        for picked in (None, mask):
            chosen = frame if picked is None else frame[picked]
            expected = next(
                (g for g in agg.GRANULARITIES if agg.period_labels(chosen["week_start"], g).nunique() <= limit),
                "year",
            )
            assert agg.auto_granularity(coded, picked) == agg.auto_granularity(frame, picked) == expected


def test_auto_granularity_when_one_iso_week_holds_two_months() -> None:
    # Monday 30/9/2024 and Wednesday 2/10/2024 are both 2024-W40, so that week cannot stand for one month:
    # two weeks, two months (September, October), two quarters, one year.
    days = pd.to_datetime(["2024-09-30", "2024-10-02", "2024-10-07"])
    frame = agg.with_periods(pd.DataFrame({"week_start": days}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(agg, "_AUTO_LIMIT", 1)
        assert agg.auto_granularity(frame) == "year"
        assert agg.auto_granularity(frame, np.array([True, True, False])) == "week"  # 2024-W40 alone


def _as_dict(frame: pd.DataFrame, by: str, value: str) -> dict[tuple[str, str], float]:
    return {(r["period"], r[by]): r[value] for _, r in frame.iterrows()}


def test_counts_by_period_per_sector() -> None:
    out = agg.counts_by_period(COUNTED, "sector", order=[CH, YT, GD])
    counts = _as_dict(out, "sector", "count")
    assert counts == {
        ("2024-W44", CH): 0,
        ("2024-W44", YT): 1,
        ("2024-W44", GD): 1,
        ("2024-W45", CH): 0,
        ("2024-W45", YT): 1,
        ("2024-W45", GD): 0,
        ("2024-W47", CH): 1,
        ("2024-W47", YT): 1,
        ("2024-W47", GD): 0,
    }
    shares = _as_dict(out, "sector", "share")
    assert shares[("2024-W44", YT)] == 0.5
    assert shares[("2024-W45", YT)] == 1.0
    assert out.groupby("period")["total"].first().to_dict() == {"2024-W44": 2, "2024-W45": 1, "2024-W47": 2}
    assert out["sector"].drop_duplicates().tolist() == [CH, YT, GD]  # the taxonomy's order


def test_counts_by_period_totals_and_rolling() -> None:
    totals = agg.counts_by_period(COUNTED)
    assert totals[["period", "count"]].values.tolist() == [["2024-W44", 2], ["2024-W45", 1], ["2024-W47", 2]]
    rolled = agg.counts_by_period(COUNTED, "sector", window=2)
    counts = _as_dict(rolled, "sector", "count")
    assert counts[("2024-W45", YT)] == 2 and counts[("2024-W47", YT)] == 2
    assert counts[("2024-W45", GD)] == 1 and counts[("2024-W47", GD)] == 0
    shares = _as_dict(rolled, "sector", "share")
    assert shares[("2024-W45", YT)] == pytest.approx(2 / 3)
    assert shares[("2024-W44", YT)] == 0.5  # the window is shorter at the start


def test_counts_by_period_monthly_and_exploded() -> None:
    monthly = agg.counts_by_period(COUNTED, "sector", granularity="month")
    assert _as_dict(monthly, "sector", "count")[("2024-11", YT)] == 2
    agencies = agg.counts_by_period(COUNTED, "lead_agencies", explode=True, missing=None)
    counts = _as_dict(agencies, "lead_agencies", "count")
    assert counts[("2024-W45", "Sở Y tế")] == 1 and counts[("2024-W45", "Công an tỉnh")] == 1
    assert ("2024-W47", "—") not in counts  # items naming no agency are left out when missing=None


def test_counts_by_period_empty() -> None:
    out = agg.counts_by_period(COUNTED.iloc[0:0], "sector")
    assert out.empty and list(out.columns) == ["period", "sector", "count", "total", "share"]


def test_ranking() -> None:
    out = agg.ranking(COUNTED, "sector")
    assert out[["sector", "count"]].values.tolist() == [[YT, 3], [CH, 1], [GD, 1]]
    assert out["share"].tolist() == [0.6, 0.2, 0.2]
    agencies = agg.ranking(COUNTED, "lead_agencies", explode=True, missing=None)
    assert agencies[["lead_agencies", "count"]].values.tolist() == [
        ["Sở Y tế", 2],
        ["Công an tỉnh", 1],
        ["Sở Giáo dục và Đào tạo", 1],
    ]
    leaders = agg.ranking(COUNTED, "leader", missing="(không nêu)")
    assert leaders[["leader", "count"]].values.tolist() == [["(không nêu)", 3], ["Hồ Tiến Thiệu", 2]]
    assert agg.ranking(COUNTED, "sector", top=1)["sector"].tolist() == [YT]


def test_ranking_counts_an_item_once_per_value() -> None:
    out = agg.ranking(COUNTED, "districts", explode=True, missing=None)
    assert dict(zip(out["districts"], out["count"], strict=True)) == {
        "huyện Cao Lộc": 2,
        "huyện Lộc Bình": 1,
        "xã Mẫu Sơn": 1,
    }


def test_crosstab() -> None:
    out = agg.crosstab(COUNTED, "sector", "doc_type", row_order=[YT, GD, CH])
    cells = {(r.sector, r.doc_type): (r.count, r.row_share) for r in out.itertuples()}
    assert cells == {
        (YT, "Quyết định"): (1, 1 / 3),
        (YT, "Kế hoạch"): (1, 1 / 3),
        (YT, "Công văn"): (1, 1 / 3),
        (GD, "Công văn"): (1, 1.0),
        (CH, "Cuộc họp"): (1, 1.0),
    }
    assert out["sector"].drop_duplicates().tolist() == [YT, GD, CH]
    by_agency = agg.crosstab(COUNTED, "lead_agencies", "sector", explode_row=True, missing=None)
    assert by_agency[by_agency["lead_agencies"] == "Sở Y tế"]["count"].tolist() == [2]


def test_crosstab_of_the_seeds_coded_or_not_equals_a_row_by_row_count(seed_items) -> None:
    items = agg.counted(seed_items[0])
    pairs: dict[tuple[str, str], int] = {}
    for doc_type, sector in zip(items["doc_type"], items["sector"], strict=True):
        pairs[(doc_type, sector)] = pairs.get((doc_type, sector), 0) + 1
    per_type = items["doc_type"].value_counts().to_dict()
    for frame in (items, as_coded(items)):
        out = agg.crosstab(frame, "doc_type", "sector", missing=None, row_order=["Quyết định"])
        assert {(r.doc_type, r.sector): r.count for r in out.itertuples()} == pairs
        assert all(r.row_share == r.count / per_type[r.doc_type] for r in out.itertuples())
        assert out["doc_type"].iloc[0] == "Quyết định"  # the given order first, then the others sorted
        assert out["doc_type"].drop_duplicates().tolist()[1:] == sorted(
            set(pairs_key[0] for pairs_key in pairs) - {"Quyết định"}
        )


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Quyết định", "Công văn", ""]), st.sampled_from([YT, GD, "", "—"]), st.booleans()),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([None, "—"]),
)
def test_crosstab_of_two_columns_through_a_mask_equals_a_row_by_row_count(rows: list, missing: str | None) -> None:
    # "" is labelled `missing` (and then merges with a value already written "—") or dropped.
    frame = pd.DataFrame({"doc_type": [r[0] for r in rows], "sector": [r[1] for r in rows]})
    mask = np.array([r[2] for r in rows], dtype=bool)
    label = {"": missing} if missing is not None else {}
    pairs: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = {}
    for doc_type, sector, picked in rows:
        r, c = label.get(doc_type, doc_type), label.get(sector, sector)
        if picked and r:
            totals[r] = totals.get(r, 0) + 1
            if c:
                pairs[(r, c)] = pairs.get((r, c), 0) + 1
    for items in (frame, as_coded(frame)):
        with pytest.MonkeyPatch.context() as patch:
            for cells in (agg._MAX_CELLS, 0):  # 0: as for columns of too many values for one count table
                patch.setattr(agg, "_MAX_CELLS", cells)
                got = agg.crosstab(items, "doc_type", "sector", missing=missing, rows=mask)
                assert {
                    (r, c): n for r, c, n in zip(got["doc_type"], got["sector"], got["count"], strict=True)
                } == pairs
                assert list(zip(got["doc_type"], got["sector"], strict=True)) == sorted(pairs)
                assert got["row_share"].tolist() == [
                    n / totals[r] for r, n in zip(got["doc_type"], got["count"], strict=True)
                ]


def test_recent_periods_are_calendar_weeks() -> None:
    weeks = ["2024-W47", "2024-W44", "2024-W45", "2024-W45"]
    # The week before 2024-W47 (W46) has no digest: nothing to compare the latest week with.
    assert agg.recent_periods(weeks, 1) == (["2024-W47"], [])
    assert agg.recent_periods(weeks, 2) == (["2024-W47"], ["2024-W44", "2024-W45"])  # W46–47 against W44–45
    assert agg.recent_periods(weeks, 3) == (["2024-W45", "2024-W47"], ["2024-W44"])  # W45–47 vs W42–44
    assert agg.recent_periods(weeks, 1, latest="2024-W45") == (["2024-W45"], ["2024-W44"])
    # Across a year end: 2025-W01's previous week is 2024-W52.
    assert agg.recent_periods(["2024-W52", "2025-W01"], 1) == (["2025-W01"], ["2024-W52"])
    assert agg.recent_periods([], 4) == ([], [])


def test_recent_periods_of_the_seeds_years_apart(seed_items) -> None:
    weeks = seed_items[0]["week"].unique().tolist()
    assert sorted(weeks) == ["2020-W10", "2022-W25", "2023-W32", "2024-W44", "2025-W12"]
    for k in (1, 4):  # no digest in the 1 or 4 weeks before 2025-W12 (the one before is 2024-W44, 20 weeks)
        assert agg.recent_periods(weeks, k) == (["2025-W12"], [])
    # 13 weeks: 2024-W52..2025-W12 against 2024-W39..W51, which holds 2024-W44.
    assert agg.recent_periods(weeks, 13) == (["2025-W12"], ["2024-W44"])


def test_movers() -> None:
    out = agg.movers(COUNTED, "sector", ["2024-W47"], ["2024-W45"])
    assert out[["sector", "current", "previous", "change"]].values.tolist() == [[CH, 1, 0, 1], [YT, 1, 1, 0]]
    assert out["current_share"].tolist() == [0.5, 0.5]
    assert out["share_change"].tolist() == [0.5, -0.5]


def test_movers_per_digest_when_the_periods_hold_different_numbers_of_digests() -> None:
    # One digest now, two before (W44 and W45): Y tế has 1 item now and 2 before, i.e. 1 per digest both times.
    out = agg.movers(COUNTED, "sector", ["2024-W47"], ["2024-W44", "2024-W45"], digests=(1, 2))
    rows = out.set_index("sector")
    assert rows.loc[YT, ["current", "previous", "change"]].tolist() == [1, 2, -1]
    assert rows.loc[YT, "change_per_digest"] == 0.0
    assert rows.loc[CH, ["current_per_digest", "previous_per_digest", "change_per_digest"]].tolist() == [1.0, 0, 1.0]
    assert out["sector"].iloc[0] != YT  # ranked by the per-digest move, not by the raw count


def test_headline_figures() -> None:
    figs = agg.headline_figures(ITEMS, no_document_types=["Cuộc họp"])
    assert figs == {"digests": 3, "reports": 6, "items": 5, "documents": 4, "normative": 1, "normative_share": 0.25}
    assert agg.headline_figures(ITEMS.iloc[0:0])["normative_share"] == 0.0
    # Through a mask (the overview's path), plain or coded: the figures of the rows it picks.
    for frame in (ITEMS, as_coded(ITEMS)):
        for picked in ([True, False, True, True, False, False], [False] * 6, [True] * 6):
            rows = pd.Series(picked).to_numpy()
            assert agg.headline_figures(frame, ["Cuộc họp"], rows=rows) == agg.headline_figures(
                ITEMS[rows], ["Cuộc họp"]
            )


def test_week_calendar_and_items() -> None:
    cal = agg.week_calendar(ITEMS)
    assert cal[["week", "year", "week_no", "digests", "reports", "items"]].values.tolist() == [
        ["2024-W44", 2024, 44, 1, 2, 2],
        ["2024-W45", 2024, 45, 1, 2, 1],
        ["2024-W47", 2024, 47, 1, 2, 2],
    ]
    shuffled = ITEMS.iloc[[3, 5, 2, 4]]
    assert agg.week_items(shuffled, "2024-W45").index.tolist() == [2, 3]
    assert agg.week_items(
        shuffled, "2024-W45", rows=pd.Series([True, True, False, True]).to_numpy()
    ).index.tolist() == [3]


def test_deadlines() -> None:
    out = agg.deadlines(ITEMS, today=dt.date(2024, 11, 10))
    assert out[["deadline", "status", "days", "row"]].values.tolist() == [
        [dt.date(2024, 11, 30), "upcoming", 20, 1],
        [dt.date(2024, 10, 1), "past", -40, 2],
    ]


def test_place_counts_maps_communes_to_their_district() -> None:
    places = pd.DataFrame(
        {
            "label": ["huyện Cao Lộc", "huyện Lộc Bình", "xã Mẫu Sơn"],
            "district": ["Cao Lộc", "Lộc Bình", "Lộc Bình"],
            "lat": [21.88, 21.68, 21.68],
            "lon": [106.84, 106.97, 106.97],
        }
    )
    out = agg.place_counts(COUNTED, places)
    assert out[["district", "count"]].values.tolist() == [["Cao Lộc", 2], ["Lộc Bình", 1]]
    assert out.loc[1, "mentions"] == ["huyện Lộc Bình", "xã Mẫu Sơn"]
    assert out.loc[0, "share"] == 0.4
    unknown = agg.place_counts(COUNTED, places.iloc[:1])
    assert unknown[["district", "count"]].values.tolist() == [["Cao Lộc", 2], ["", 1]]


# --- charts --------------------------------------------------------------------------------------------


def test_stacked_bars_colours_and_customdata() -> None:
    frame = agg.counts_by_period(COUNTED, "sector", order=[YT, GD, CH])
    colours = {YT: "#ff0000", GD: "#00ff00", CH: "#0000ff"}
    fig = charts.stacked_bars(frame, "period", "sector", charts.Labels(names={YT: "Health"}), colours)
    assert [t.name for t in fig.data] == ["Health", GD, CH]
    assert [t.marker.color for t in fig.data] == ["#ff0000", "#00ff00", "#0000ff"]
    health = fig.data[0]
    assert list(health.y) == [1, 1, 1]
    points = [{"customdata": list(health.customdata[1])}, {"customdata": list(fig.data[2].customdata[2])}]
    assert charts.selected_values(points) == [(YT, "2024-W45"), (CH, "2024-W47")]


def test_heatmap_cells_follow_the_orders_given() -> None:
    # Each cell is its (row, column) pair's count, 0 for a pair with none; a label not in the orders is left out.
    cross = pd.DataFrame(
        {
            "doc_type": ["Quyết định", "Quyết định", "Công văn", "Kế hoạch"],
            "sector": [YT, GD, YT, CH],
            "count": [3, 1, 2, 5],
            "row_share": [0.75, 0.25, 1.0, 1.0],
        }
    )
    fig = charts.heatmap(
        cross,
        "doc_type",
        "sector",
        charts.Labels(),
        row_order=["Công văn", "Quyết định", "Chỉ thị"],
        col_order=[GD, YT],
    )
    (trace,) = fig.data
    assert list(trace.y) == ["Công văn", "Quyết định", "Chỉ thị"] and list(trace.x) == [GD, YT]
    assert np.asarray(trace.z).tolist() == [[0, 2], [1, 3], [0, 0]]
    assert np.asarray(trace.customdata).tolist() == [[0.0, 1.0], [0.25, 0.75], [0.0, 0.0]]
    assert np.asarray(trace.text).tolist() == np.asarray(trace.z).tolist()


def test_calendar_places_each_week_at_its_year_and_week_number() -> None:
    # A row per year present, a column per ISO week number; weeks without a digest stay empty (NaN).
    cal = agg.week_calendar(ITEMS)
    fig = charts.calendar(cal, charts.Labels())
    (trace,) = fig.data
    assert list(trace.y) == [str(y) for y in sorted(cal["year"].unique())]
    for week, year, week_no, n in zip(cal["week"], cal["year"], cal["week_no"], cal["items"], strict=True):
        r = list(trace.y).index(str(year))
        assert trace.z[r][week_no - 1] == n and trace.customdata[r][week_no - 1] == week
    filled = sum(1 for row in trace.z for v in row if v == v)
    assert filled == len(cal) == ITEMS["week"].nunique() > 1


def test_every_kind_of_chart_is_a_valid_plotly_figure() -> None:
    # The charts are built without plotly's validation (it took half of their time): validating each kind
    # must raise nothing and give the very same figure.
    import plotly.graph_objects as go
    import plotly.io as pio

    trend = agg.counts_by_period(COUNTED, "sector", order=[YT, GD, CH])
    ranked = agg.ranking(COUNTED, "sector")
    places = pd.DataFrame({"label": ["huyện Cao Lộc"], "district": ["Cao Lộc"], "lat": [21.88], "lon": [106.84]})
    labels = charts.Labels(title="T", x="x", y="y", color="c", count="n", share="s")
    figures = [
        charts.stacked_bars(trend, "period", "sector", labels, {YT: "#ff0000"}),
        charts.stacked_bars(trend, "period", "sector", labels, {}, y="share"),
        charts.share_lines(trend, "period", "sector", labels, {}),
        charts.bars(ranked, "sector", labels, horizontal=True),
        charts.bars(ranked, "sector", charts.Labels(), value="share"),
        charts.heatmap(agg.crosstab(COUNTED, "doc_type", "sector"), "doc_type", "sector", labels),
        charts.calendar(agg.week_calendar(ITEMS), labels),
        charts.place_map(agg.place_counts(COUNTED, places), labels, (21.85, 106.76)),
    ]
    for fig in figures:
        validated = go.Figure(fig.to_dict())  # (validates every property: raises on an invalid one)
        assert json.loads(pio.to_json(validated, validate=False)) == json.loads(pio.to_json(fig, validate=False))


def test_palette_keeps_fixed_colours() -> None:
    colours = charts.palette(["a", "b", "c"], {"b": "#123456"})
    assert colours["b"] == "#123456"
    assert len(set(colours.values())) == 3
    assert charts.palette(["a", "b", "c"], {"b": "#123456"}) == colours  # stable


def test_citations_family_issuer_and_level() -> None:
    frame = ITEMS.iloc[[0, 1]].copy()
    frame.at[1, "cited_documents"] = ["128-KL/TW", "132/2024/QH15", "5828/VPCP-KSTT", "13/2024/NQ-HĐND", "221/QĐ-TTg"]
    cites = agg.citations(frame, type_codes=["QĐ", "KL", "NQ"], central=["TTg", "TW", "QH", "VPCP"])
    assert cites[["row", "family", "issuer", "central"]].values.tolist() == [
        [0, "QĐ-TTg", "TTg", True],
        [1, "KL/TW", "TW", True],
        [1, "QH15", "QH", True],
        [1, "VPCP-KSTT", "VPCP", True],
        [1, "NQ-HĐND", "HĐND", False],
        [1, "QĐ-TTg", "TTg", True],
    ]
    families = agg.citation_ranking(cites[cites["central"]], "family", n_items=2)
    assert families[["family", "count", "share"]].values.tolist()[0] == ["QĐ-TTg", 2, 1.0]
    assert agg.citation_ranking(cites, "symbol", 2)["count"].tolist()[0] == 2  # 221/QĐ-TTg, cited by both
    assert agg.citations(ITEMS.iloc[[2, 3]], ["QĐ"], ["TTg"]).empty  # items citing nothing


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.sampled_from(["QĐ-TTg", "KL/TW", "QH15", "NQ-CP"])), min_size=1, max_size=40
    ),
    st.booleans(),
)
def test_citation_ranking_counts_each_citing_item_once(cites: list[tuple[int, str]], coded: bool) -> None:
    # Item by item: a family counts the distinct items citing it (twice in one item is once); its issuer is
    # that of its first citation (each citation here has its own issuer, so "first" is told apart).
    frame = pd.DataFrame(
        {
            "row": [r for r, _ in cites],
            "family": [f for _, f in cites],
            "issuer": [f"{f}#{i}" for i, (_, f) in enumerate(cites)],
        }
    )
    if coded:
        frame["family"] = frame["family"].astype("category")
    out = agg.citation_ranking(frame, "family", n_items=7)
    expected = {}
    for i, (row, family) in enumerate(cites):
        expected.setdefault(family, [f"{family}#{i}", set()])[1].add(row)
    want = sorted(((f, iss, len(rows)) for f, (iss, rows) in expected.items()), key=lambda x: (-x[2], x[0]))
    assert [tuple(r) for r in out[["family", "issuer", "count"]].astype(object).values.tolist()] == want
    assert out["share"].tolist() == [c / 7 for *_, c in want]


def _labels(values: list[str], missing: str | None) -> set[str]:
    """What one item's list counts as: each value once, "" labelled `missing` or dropped, [] like [""]."""
    out = {missing if v == "" else v for v in (values or [""])} if missing is not None else set(values)
    return out - {""}


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(["Sở Y tế", "Sở Xây dựng", "", "—", "Công an tỉnh"]), max_size=4),
            st.sampled_from(["Y tế", "", "Xây dựng"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([None, "—", "(không)"]),
)
def test_exploded_rankings_and_crosstabs_equal_an_item_by_item_count(rows: list, missing: str | None) -> None:
    # Lists with repeats, "" and empty lists; a slice of the frame (its index labels are not 0..n-1).
    frame = pd.DataFrame({"lead_agencies": [r[0] for r in rows], "sector": [r[1] for r in rows]})
    items = frame[[r[2] for r in rows]] if any(r[2] for r in rows) else frame
    per_item = [_labels(v, missing) for v in items["lead_agencies"]]
    sectors = [missing if s == "" else s for s in items["sector"]] if missing is not None else list(items["sector"])

    counts: dict[str, int] = {}
    for labels in per_item:
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    ranked = agg.ranking(items, "lead_agencies", explode=True, missing=missing)
    assert list(zip(ranked["lead_agencies"], ranked["count"], strict=True)) == sorted(
        counts.items(), key=lambda kv: (-kv[1], kv[0])
    )
    assert ranked["share"].tolist() == [c / len(items) for c in ranked["count"]]

    for explode_row in (True, False):
        row, col = ("lead_agencies", "sector") if explode_row else ("sector", "lead_agencies")
        pairs: dict[tuple[str, str], int] = {}
        totals: dict[str, int] = {}
        for labels, sector in zip(per_item, sectors, strict=True):
            row_labels = labels if explode_row else {sector} - {""}
            col_labels = {sector} - {""} if explode_row else labels
            for r in row_labels:
                totals[r] = totals.get(r, 0) + 1
                for c in col_labels:
                    pairs[(r, c)] = pairs.get((r, c), 0) + 1
        got = agg.crosstab(items, row, col, explode_row=explode_row, explode_col=not explode_row, missing=missing)
        assert {(r, c): n for r, c, n in zip(got[row], got[col], got["count"], strict=True)} == pairs
        assert got["row_share"].tolist() == [n / totals[r] for r, n in zip(got[row], got["count"], strict=True)]
        assert list(zip(got[row], got[col], strict=True)) == sorted(pairs)  # rows, then columns, in order
        # The same through the filters' mask over the whole frame (the dashboard's way, whose whole
        # column's entries are kept): equal to the slice's, asked twice (the second from what was kept).
        mask = np.array([r[2] for r in rows])
        if mask.any():
            for _ in range(2):
                args = {"explode_row": explode_row, "explode_col": not explode_row, "missing": missing}
                assert agg.crosstab(frame, row, col, rows=mask, **args).equals(got)
                assert agg.ranking(frame, "lead_agencies", explode=True, missing=missing, rows=mask).equals(ranked)
                assert agg.ranking(frame, "sector", missing=missing, rows=mask).equals(
                    agg.ranking(items, "sector", missing=missing)
                )
                assert (
                    agg.nonempty(frame, "lead_agencies", rows=mask)[mask] == agg.nonempty(items, "lead_agencies")
                ).all()
    if mask.any():
        places = pd.DataFrame(
            {"label": ["Sở Y tế", "—"], "district": ["huyện A", "huyện B"], "lat": [1.0, 2.0], "lon": [3.0, 4.0]}
        )
        as_places = frame.rename(columns={"lead_agencies": "districts"})
        assert agg.place_counts(as_places, places, rows=mask).equals(agg.place_counts(as_places[mask], places))
