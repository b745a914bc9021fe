"""Document symbols and dates, example-based and property-based."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.symbols import SYMBOL_RE, find_dates, find_symbols, normalize_symbol, parse_date


@pytest.mark.parametrize(
    ("text", "symbol", "year", "groups"),
    [
        ("Công văn số 435/UBND-NC, ngày 21/3/2025", "435/UBND-NC", None, ("UBND", "NC")),
        ("(Công văn số 4851 /VP-KT, ngày 08/8/2023)", "4851/VP-KT", None, ("VP", "KT")),
        ("Quyết định số 45/2024/QĐ-UBND, ngày 30/10/2024", "45/2024/QĐ-UBND", 2024, ("QĐ", "UBND")),
        ("Nghị quyết số 132/2024/QH15 của Quốc hội", "132/2024/QH15", 2024, ("QH15",)),
        ("Kết luận số 128-KL/TW ngày 07/3/2025", "128-KL/TW", None, ("KL", "TW")),
        ("Công văn số 3109/BTTTT-CĐSQG ngày 01/8/2023", "3109/BTTTT-CĐSQG", None, ("BTTTT", "CĐSQG")),
        ("Công văn số 5429/BLĐTBXH-TTr", "5429/BLĐTBXH-TTr", None, ("BLĐTBXH", "TTr")),
        ("số 05/2016/NQ-HĐND8", "05/2016/NQ-HĐND8", 2016, ("NQ", "HĐND8")),
        ("Quyết định số 37/2025/QĐ-CTUBND", "37/2025/QĐ-CTUBND", 2025, ("QĐ", "CTUBND")),
        ("số 12/qđ-ubnd", "12/QĐ-UBND", None, ("QĐ", "UBND")),
    ],
)
def test_symbols(text, symbol, year, groups):
    (found,) = find_symbols(text)
    assert (found.text, found.year, found.groups) == (symbol, year, groups)
    assert found.is_normative == (year is not None)


@pytest.mark.parametrize(
    "text",
    [
        "ngày 21/3/2025",
        "tỷ lệ 115/181 xã",
        "(23/11)",
        "HIV/AIDS",
        "giai đoạn 2021-2030",
        "10%/năm",
        "từ 1-5 tuổi",
    ],
)
def test_not_symbols(text):
    assert find_symbols(text) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("ngày 13/9/2024", dt.date(2024, 9, 13)),
        ("ngày 13 tháng 09 năm 2024", dt.date(2024, 9, 13)),
        ("ngày 05/03/2020", dt.date(2020, 3, 5)),
        ("ngày 31/2/2024", None),
        ("số 4/2020/QĐ-UBND", None),
    ],
)
def test_dates(text, date):
    assert parse_date(text) == date


codes = st.sampled_from(
    [
        "QĐ-UBND",
        "KH-UBND",
        "UBND-NC",
        "VP-KGVX",
        "UBND-TTPVHCC",
        "BCĐ-NTM",
        "QĐ-TTg",
        "NQ-CP",
        "TB-VPCP",
        "BYT-UBQG50",
        "NQ-HĐND",
        "CĐ-TTg",
    ]
)
numbers = st.integers(min_value=1, max_value=99999)
years = st.integers(min_value=1990, max_value=2099)
spaces = st.sampled_from(["", " "])


@given(numbers, codes, spaces, st.booleans(), years)
def test_symbol_roundtrip(number, code, space, normative, year):
    canonical = f"{number}/{year}/{code}" if normative else f"{number}/{code}"
    written = canonical.replace("/", f"{space}/", 1)  # "4851 /VP-KT" happens in the digests
    (found,) = find_symbols(f"(Công văn số {written}, ngày 01/02/2024)")
    assert found.text == canonical
    assert found.number == str(number)
    assert found.year == (year if normative else None)
    assert normalize_symbol(found.text) == canonical


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)), st.booleans(), st.booleans())
def test_date_roundtrip(day, padded, wordy):
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if padded else (str(day.day), str(day.month))
    text = f"ngày {d} tháng {m} năm {day.year}" if wordy else f"ngày {d}/{m}/{day.year}"
    assert [found[0] for found in find_dates(f"Ban hành {text}, có hiệu lực.")] == [day]


@given(st.text(alphabet="0123456789/- ", max_size=20))
def test_digits_and_slashes_alone_are_never_symbols(text):
    assert find_symbols(text) == []


# Symbols with spaces around the slashes, years, Party numbers and look-alikes run together: `find_symbols` tries
# SYMBOL_RE only near each slash and letter, which must find exactly what the regex finds trying every position.
_PIECES = ["45", "2024", "128", "/", " / ", "/ ", "QĐ", "UBND", "-", "–", "KL", "TW", "NC", "qđ", "QH15", "&", "a", " "]


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_find_symbols_finds_what_the_pattern_finds_everywhere(text):
    assert [(s.start, s.end) for s in find_symbols(text)] == [m.span() for m in SYMBOL_RE.finditer(text)]
