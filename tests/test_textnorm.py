"""Text normalisation: NFC/NFD and old/new tone-mark placement give identical results; search folding."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from loaders.textnorm import fold, normalize

# Syllables that exist in both tone-mark styles, written the old way ("hoá") and the new way ("hóa").
PAIRS = [
    ("hoá", "hóa"),
    ("hoà", "hòa"),
    ("hoả", "hỏa"),
    ("xoá", "xóa"),
    ("khoẻ", "khỏe"),
    ("thuỷ", "thủy"),
    ("Uỷ", "Ủy"),
    ("uý", "úy"),
    ("loạ", "lọa"),
    ("HOÁ", "HÓA"),
    ("Thuỵ", "Thụy"),
]
WORDS = [
    "Quyết",
    "định",
    "số",
    "Chủ",
    "tịch",
    "tiêm",
    "chủng",
    "đường",
    "phường",
    "quý",
    "của",
    "hoạch",
    "toán",
    "khuyến",
    "Nguyễn",
    "Đoàn",
    "giữa",
    "thuế",
    "ngoài",
    "xã",
    "hội",
    "huyện",
]
syllable = st.sampled_from([old for old, _ in PAIRS] + [new for _, new in PAIRS] + WORDS)
sentence = st.lists(st.tuples(syllable, st.sampled_from([" ", ", ", " - ", "; ", "/", "\n"])), max_size=30).map(
    lambda parts: "".join(w + sep for w, sep in parts)
)


def test_known_pairs():
    for old, new in PAIRS:
        assert normalize(old) == new
        assert normalize(new) == new


def test_qu_and_closed_syllables_keep_their_mark():
    for word in ("quý", "Quý", "quá", "hoạch", "toán", "khoán", "thuyền", "Huỳnh", "của", "mùa"):
        assert normalize(word) == word


@given(sentence)
def test_nfc_and_nfd_normalise_alike(text):
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(text)
    assert normalize(text) == unicodedata.normalize("NFC", normalize(text))


@given(sentence)
def test_old_and_new_tone_placement_normalise_alike(text):
    old = text
    for o, n in PAIRS:
        old = old.replace(n, o)
    assert normalize(old) == normalize(text)


@given(sentence)
def test_normalise_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(sentence)
def test_fold_ignores_diacritics_case_and_form(text):
    folded = fold(text)
    assert folded.isascii()
    assert fold(unicodedata.normalize("NFD", text)) == folded
    assert fold(text.upper()) == folded
    assert fold(normalize(text)) == folded


def test_fold_examples():
    assert fold("Tiêm chủng") == "tiem chung"
    assert fold("hoá") == fold("hóa") == "hoa"
    assert fold("Quyết định 4/2020/QĐ-UBND") == "quyet dinh 4/2020/qd-ubnd"
    assert fold("ĐƯỜNG") == "duong"
