"""Text normalisation: NFC/NFD and old/new tone-mark placement give identical results; search folding."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.textnorm import (
    FOLD_SPAN,
    fold,
    fold_and_words,
    fold_lower_and_words,
    fold_prefix,
    fold_words,
    matches_at,
    normalize,
    occurrences,
    tone_marks,
)

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
    for word in ("quý", "Quý", "quá", "quỷ", "hoạch", "toán", "khoán", "thuyền", "Huỳnh", "của", "mùa", "hoá2"):
        assert normalize(word) == word


def test_a_syllable_ends_at_anything_but_a_letter_or_digit():
    assert normalize("hoá_x") == "hóa_x"
    assert normalize("oé") == "óe"
    assert normalize("(thuỷ)") == "(thủy)"


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


def test_nothing_beyond_fold_span_folds_to_anything():
    # fold_and_words' table covers only the code points below FOLD_SPAN; "…" is the one that folds to several.
    assert all(not fold(chr(c)) for c in range(FOLD_SPAN, 0x110000))
    assert [chr(c) for c in range(FOLD_SPAN) if len(fold(chr(c))) > 1] == ["…"]


@settings(deadline=None)  # the first call builds fold_and_words' table
@given(st.lists(st.one_of(sentence, st.text()).map(lambda s: s.replace("\n", " ")), max_size=8))
def test_fold_and_words_are_fold_and_fold_words_per_line(lines):
    folded, words = fold_and_words(lines)
    assert folded == [fold(line) for line in lines]
    assert [f" {w} " for w in words] == [fold_words(line) for line in lines]


_CASED = st.text("ΣσςİIiẞĐđ A.")  # letters whose lower case is context-dependent, several characters or none


@settings(deadline=None)  # the first call builds the lower-case table
@given(st.lists(st.one_of(sentence, st.text(), _CASED).map(lambda s: s.replace("\n", " ")), max_size=8))
def test_fold_lower_and_words_lower_each_line_as_str_lower(lines):
    folded, words, lower = fold_lower_and_words(lines)
    assert (folded, words) == fold_and_words(lines)
    assert lower == [line.lower() for line in lines]


# Words that overlap, share prefixes and must stand alone (the sector keywords' shape): what `matches_at`
# finds at the words' occurrences must be what the regex engine finds trying every position.
_WORDS = ("an", "an ninh", "ninh", "nh", "a-n")
_WORD_RE = re.compile(r"(?<!\w)(?:an ninh|an|ninh|nh|a-n)(?!\w)")


@given(st.text(alphabet="anih -,\n", max_size=40))
def test_matches_at_the_words_occurrences_finds_what_finditer_finds(text):
    found = [m.span() for m in matches_at(_WORD_RE, text, occurrences(text, _WORDS))]
    assert found == [m.span() for m in _WORD_RE.finditer(text)]


@given(st.one_of(sentence, st.text()), st.integers(min_value=0, max_value=60))
def test_fold_prefix_is_the_fold_of_the_prefix(text, end):
    assert fold_prefix(text, fold(text), end) == fold(text[:end])


# The rule as one pattern (what `tone_marks` did before it looked for each first vowel on its own).
_ONE_PATTERN = re.compile(r"[oOuU](?<![qQ].)(?:(?<=[oO])[àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|(?<=[uU])[ỳýỷỹỵỲÝỶỸỴ])(?![^\W_])")


@given(st.text(alphabet="qQoOuUaáàạèẹýỵỷxX1_ ", max_size=30))
def test_tone_marks_moves_exactly_the_pairs_of_the_rule(text):
    from loaders.textnorm import _TRADITIONAL

    assert tone_marks(text) == _ONE_PATTERN.sub(lambda m: _TRADITIONAL[m.group(0)], text)
