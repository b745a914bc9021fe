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
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
    "o": "òóỏõọ",
    "u": "ùúủũụ",
    "A": "ÀÁẢÃẠ",
    "E": "ÈÉẺẼẸ",
    "Y": "ỲÝỶỸỴ",
    "O": "ÒÓỎÕỌ",
    "U": "ÙÚỦŨỤ",
}
_TONE_OF = {ch: (base, i) for base, chars in _TONED.items() for i, ch in enumerate(chars)}

# Candidates only (o/u followed by a toned a, e or y); `_to_traditional` checks the rest. A bare character
# class lets the regex engine skip ahead fast, which matters: this runs over every digest.
_CANDIDATE = re.compile(r"[oOuU][àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ]")


def _to_traditional(m: re.Match[str]) -> str:
    text, start, end = m.string, m.start(), m.end()
    first, second = m.group(0)
    base, tone = _TONE_OF[second]
    syllable_final = end == len(text) or not text[end].isalnum()
    after_q = start > 0 and text[start - 1] in "qQ"
    pair_ok = (first in "oO" and base in "aeAE") or (first in "uU" and base in "yY")
    if not syllable_final or after_q or not pair_ok:
        return m.group(0)
    return _TONED[first][tone] + base


def nfc(text: str) -> str:
    """Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def tone_marks(text: str) -> str:
    """Move tone marks of syllable-final oa/oe/uy to the first vowel: "hoá" -> "hóa", "Uỷ" -> "Ủy".

    Expects NFC text.
    """
    return _CANDIDATE.sub(_to_traditional, text)


def normalize(text: str) -> str:
    """NFC plus one tone-mark placement: the form every parsed string is stored in."""
    return tone_marks(nfc(text))


# Punctuation outside ASCII that would otherwise vanish in `fold` (and glue words together).
_PUNCTUATION = (
    ("–", "-"),
    ("—", "-"),
    ("“", '"'),
    ("”", '"'),
    ("‘", "'"),
    ("’", "'"),
    ("…", "..."),
    ("\u00a0", " "),
    ("đ", "d"),
    ("Đ", "D"),
    ("Ð", "D"),
)


def fold(text: str) -> str:
    """Search key: no diacritics, đ -> d, lower case. "Tiêm chủng" and "TIEM CHUNG" fold alike.

    NFD splits every Vietnamese letter into an ASCII base and combining marks, which the ASCII encoding
    then drops; this runs in C and is several times faster than a per-character translation table.
    """
    if text.isascii():
        return text.lower()
    for old, new in _PUNCTUATION:
        if old in text:
            text = text.replace(old, new)
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii").lower()


# fold() output is ASCII: a 128-entry table turns every non-alphanumeric character into a space, fast.
_PUNCT_TO_SPACE = {c: " " for c in range(128) if not chr(c).isalnum()}


def fold_words(text: str, folded: bool = False) -> str:
    """`fold` with punctuation turned into single spaces, padded: " so lao dong thuong binh va xa hoi ".

    Pass `folded=True` when `text` already went through `fold`.
    """
    return " " + " ".join((text if folded else fold(text)).translate(_PUNCT_TO_SPACE).split()) + " "
