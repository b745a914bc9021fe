"""Vietnamese text normalisation: NFC, one tone-mark placement, and a diacritic-free search key.

The digests mix "hóa" and "hoá", "Ủy" and "Uỷ", "khỏe" and "khoẻ". We keep the placement most of the
corpus uses (tone on the first vowel of a syllable-final oa/oe/uy: "hóa", "khỏe", "thủy") so that equal
words are equal strings; `fold` gives the search key that ignores diacritics and case entirely.
"""

from __future__ import annotations

import re
import unicodedata

_TONES = {"\u0300": 0, "\u0301": 1, "\u0309": 2, "\u0303": 3, "\u0323": 4}  # huyền sắc hỏi ngã nặng
_TONED = {
    "a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ", "o": "òóỏõọ", "u": "ùúủũụ",
    "A": "ÀÁẢÃẠ", "E": "ÈÉẺẼẸ", "Y": "ỲÝỶỸỴ", "O": "ÒÓỎÕỌ", "U": "ÙÚỦŨỤ",
}
_TONE_OF = {ch: (base, i) for base, chars in _TONED.items() for i, ch in enumerate(chars)}

# o+toned a/e or u+toned y at the end of a syllable ("hoá", "khoẻ", "thuỷ"); not after q ("quý" is right).
_NEW_STYLE = re.compile(r"(?<![qQ\w])(\w*?)(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?!\w)")
_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}


def _to_traditional(m: re.Match[str]) -> str:
    head, first, second = m.group(1), m.group(2), m.group(3)
    base, tone = _TONE_OF[second]
    if (first.lower(), base.lower()) not in _PAIRS:
        return m.group(0)
    return head + _TONED[first][tone] + base


def nfc(text: str) -> str:
    """Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def tone_marks(text: str) -> str:
    """Move tone marks of syllable-final oa/oe/uy to the first vowel: "hoá" -> "hóa", "Uỷ" -> "Ủy".

    Expects NFC text.
    """
    return _NEW_STYLE.sub(_to_traditional, text)


def normalize(text: str) -> str:
    """NFC plus one tone-mark placement: the form every parsed string is stored in."""
    return tone_marks(nfc(text))


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x1EFA):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii():
            table[cp] = base.lower()
    table.update({ord("đ"): "d", ord("Đ"): "d", ord("Ð"): "d"})
    return table


_FOLD = _fold_table()
_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Search key: no diacritics, đ -> d, case-folded. "Tiêm chủng" and "TIEM CHUNG" fold alike."""
    if not text.isascii():
        text = _COMBINING.sub("", nfc(text).translate(_FOLD))
    return text.casefold()


_NON_WORD = re.compile(r"[^\w]+")


def fold_words(text: str) -> str:
    """`fold` with punctuation turned into single spaces: for matching names written with -, –, ',' or '&'."""
    return " " + _NON_WORD.sub(" ", fold(text)).strip() + " "
