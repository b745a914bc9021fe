"""Vietnamese text normalisation: NFC, one tone-mark placement, and a diacritic-free search key.

The digests mix "hóa" and "hoá", "Ủy" and "Uỷ", "khỏe" and "khoẻ". We keep the placement most of the
corpus uses (tone on the first vowel of a syllable-final oa/oe/uy: "hóa", "khỏe", "thủy") so that equal
words are equal strings; `fold` gives the search key that ignores diacritics and case entirely.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

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

# Exactly the pairs to move: o + toned a/e or u + toned y, not after q ("quý" keeps its tone), at the end of
# a syllable (no letter or digit follows: `[^\W_]` is `str.isalnum`). One pattern per first vowel, each led
# by its literal: the regex engine skips to the next "o" at C speed, where a leading character class is tested
# character by character, several times slower. This runs over every digest.
_A_E = "àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ"
_Y = "ỳýỷỹỵỲÝỶỸỴ"
_PAIRS = tuple(
    re.compile(rf"{first}[{toned}](?<![qQ]..)(?![^\W_])")
    for first, toned in (("o", _A_E), ("O", _A_E), ("u", _Y), ("U", _Y))
)


# Each pair a pattern of _PAIRS can match -> the pair with the tone on its first vowel ("oá" -> "óa").
_TRADITIONAL = {
    first + second: _TONED[first][_TONE_OF[second][1]] + _TONE_OF[second][0] for first in "oOuU" for second in _TONE_OF
}


def nfc(text: str) -> str:
    """Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def tone_marks(text: str) -> str:
    """Move tone marks of syllable-final oa/oe/uy to the first vowel: "hoá" -> "hóa", "Uỷ" -> "Ủy".

    Expects NFC text.
    """
    starts = sorted(m.start() for pattern in _PAIRS for m in pattern.finditer(text))
    if not starts:
        return text
    # Pairs never overlap (a pair's second vowel starts none), so each is replaced where it was found.
    pieces, last = [], 0
    for at in starts:
        pieces += (text[last:at], _TRADITIONAL[text[at : at + 2]])
        last = at + 2
    pieces.append(text[last:])
    return "".join(pieces)


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


#: Every code point that `fold` keeps is below this (checked over all of Unicode by tests/test_textnorm.py).
FOLD_SPAN = 0x3000
_DROP = 0xFF  # not an ASCII byte
_DROP_BYTE = bytes([_DROP])
_ELLIPSIS = bytes([0xFE])  # what the table gives "…", the one character that folds to several ("...")
_LOWER_OTHER_CHAR = "\uffff"  # a noncharacter: what `_lower_table` gives the code units `str.lower` must see
_LOWER_OTHER = ord(_LOWER_OTHER_CHAR)
_SPACE, _NEWLINE = ord(" "), ord("\n")
#: `bytes.translate` table: each folded byte as `fold_words` has it, every ASCII character but letters, digits
#: and "\n" a space.
_WORD_BYTES = bytes(_SPACE if c < 128 and not chr(c).isalnum() and c != _NEWLINE else c for c in range(256))


@cache
def _fold_table() -> np.ndarray:
    # `fold` of each UTF-16 code unit as one ASCII byte, _DROP for those it drops (surrogates, so every
    # character beyond the BMP, lie above FOLD_SPAN), _ELLIPSIS for "…". numpy is imported here: this module
    # stays cheap to import for the dashboard and the CLI.
    import numpy as np

    table = np.full(0x10000, _DROP, dtype=np.uint8)
    for code in range(FOLD_SPAN):
        folded = fold(chr(code))
        if len(folded) == 1:
            table[code] = ord(folded)
    table[ord("…")] = _ELLIPSIS[0]
    return table


@cache
def _lower_table() -> np.ndarray:
    # `str.lower` of each UTF-16 code unit below FOLD_SPAN that lower-cases to one character whatever surrounds
    # it; _LOWER_OTHER for the rest: "Σ" (final or not depends on its neighbours), "İ" (two characters),
    # surrogates and everything from FOLD_SPAN on.
    import numpy as np

    table = np.full(0x10000, _LOWER_OTHER, dtype="<u2")
    for code in range(FOLD_SPAN):
        lower = chr(code).lower()
        if len(lower) == 1 and code != ord("Σ"):
            table[code] = ord(lower)
    return table


def fold_and_words(lines: list[str]) -> tuple[list[str], list[str]]:
    """(`fold` of each of `lines`, the words `fold_words` finds in each): the lines hold no "\n"; each line's
    words are joined by single spaces, unpadded (`fold_words(line) == " " + words + " "`).

    One pass over all the lines: `fold` maps characters one by one (the ASCII letters NFD leaves have no
    combining class, so no mark reordering moves them) and nothing folds to or from "\n", so looking each
    UTF-16 code unit up in a table built from `fold` itself, on the joined lines, gives the same as folding
    each line; the words then come from the same bytes (punctuation to spaces, runs of spaces and those at
    the ends of lines dropped), without a string per word. Several times faster than line by line.
    """
    return _fold_and_words(_units(lines)) if lines else ([], [])


def fold_lower_and_words(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """`fold_and_words(lines)` and `str.lower` of each line, from one encoding of them all: the lower case of
    each code unit is looked up in a table too, and only lines holding a character it lacks are lowered
    by `str.lower` (no line's lower case depends on another's)."""
    if not lines:
        return [], [], []
    units = _units(lines)
    lowered = _lower_table().take(units).tobytes().decode("utf-16-le")
    lower = lowered.split("\n") if _LOWER_OTHER_CHAR not in lowered else [line.lower() for line in lines]
    return (*_fold_and_words(units), lower)


def _units(lines: list[str]) -> np.ndarray:
    import numpy as np

    return np.frombuffer("\n".join(lines).encode("utf-16-le", "surrogatepass"), dtype="<u2")


def _fold_and_words(units: np.ndarray) -> tuple[list[str], list[str]]:
    import numpy as np

    # Bytes replace at C speed: faster than a boolean mask, and than replacing "…" in the text.
    folded_bytes = _fold_table().take(units).tobytes().replace(_DROP_BYTE, b"").replace(_ELLIPSIS, b"...")
    words = np.frombuffer(folded_bytes.translate(_WORD_BYTES), dtype=np.uint8)
    keep = words != _SPACE
    keep[1:] |= keep[:-1] & (words[:-1] != _NEWLINE)  # a space right after a word character: one per run
    words = words[keep]
    last = words == _SPACE  # ... unless the line ends there
    last[:-1] &= words[1:] == _NEWLINE
    words = words[~last]
    return folded_bytes.decode("ascii").split("\n"), words.tobytes().decode("ascii").split("\n")


def fold_prefix(text: str, folded: str, end: int) -> str:
    """`fold(text[:end])`, given `folded == fold(text)`: a slice of `folded` when every character of `text`
    folds to exactly one (the lengths agree and no "…" folds to three), else folded again."""
    if len(folded) == len(text) and "…" not in text:
        return folded[:end]
    return fold(text[:end])


# fold() output is ASCII: a 128-entry table turns every non-alphanumeric character into a space, fast.
_PUNCT_TO_SPACE = {c: " " for c in range(128) if not chr(c).isalnum()}


def fold_words(text: str, folded: bool = False) -> str:
    """`fold` with punctuation turned into single spaces, padded: " so lao dong thuong binh va xa hoi ".

    Pass `folded=True` when `text` already went through `fold`.
    """
    return " " + " ".join((text if folded else fold(text)).translate(_PUNCT_TO_SPACE).split()) + " "


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(text)` finds, looked for only at `starts`: distinct ascending positions
    that include every one where a match can begin (where one of the words the pattern starts with occurs).
    `pattern` never matches the empty string.

    The regex engine tries every position; finding the few candidates with `str.find` or an automaton and
    matching there gives the same matches (look-behinds still see the text before) at a fraction of the cost.
    """
    pos = 0
    for start in starts:
        if start >= pos and (m := pattern.match(text, start)):
            pos = m.end()
            yield m


def occurrences(text: str, words: Iterable[str]) -> list[int]:
    """Ascending positions where any of `words` (not empty) occurs in `text`, overlaps included."""
    found: set[int] = set()
    for word in words:
        at = text.find(word)
        while at >= 0:
            found.add(at)
            at = text.find(word, at + 1)
    return sorted(found)
