"""Bytes of a digest file -> clean Unicode text, or a clear refusal.

Accepted: UTF-8 (with or without BOM), UTF-16/UTF-32 with BOM, UTF-16 without BOM when the zero bytes give
it away, and Windows-1258. Output is always NFC with "\\n" line ends, no BOM and no NUL.

Refused with `DecodeError`: empty or whitespace-only files, binary files (images, archives, PDF, Office
documents), RTF, text in an unknown encoding, and the legacy Vietnamese font encodings TCVN3 (ABC, .VnTime)
and VNI, whether raw or already mis-converted to UTF-8 ("Céng hßa x· héi" instead of "Cộng hòa xã hội").
Those are refused rather than guessed at, because a wrong guess would put garbage into every number.

Cost: the common UTF-8 path is a handful of C-level scans (decode, `in`, `is_normalized`, one regex pass);
the statistics that need counting run on a bounded sample, and only when that pass finds a hint.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

#: Why bytes were refused, as problem codes (the interface words them in each language: data/problems.yaml).
EMPTY, BINARY, NOT_PLAIN_TEXT, UNKNOWN_ENCODING, LEGACY_ENCODING = (
    "empty_file",
    "binary_file",
    "not_plain_text",
    "unknown_encoding",
    "legacy_encoding",
)
DECODE_CODES: tuple[str, ...] = (EMPTY, BINARY, NOT_PLAIN_TEXT, UNKNOWN_ENCODING, LEGACY_ENCODING)


class DecodeError(ValueError):
    """The bytes cannot be turned into trustworthy text; the message says why in plain (English) words and
    `code` (one of DECODE_CODES) says it for the interface, which cannot show English in Vietnamese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was obtained."""

    text: str  # NFC, "\n" line ends, no BOM, no NUL
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "utf-32" or "cp1258"
    notes: tuple[str, ...]  # human-readable remarks, e.g. "decoded as Windows-1258"


# --- character classes -------------------------------------------------------------------------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_BASE_VOWELS = "aăâeêioôơuưy"


def _vietnamese_letters() -> str:
    """Every non-ASCII letter of the Vietnamese alphabet, both cases, in NFC."""
    letters = {"đ", "Đ"}
    for vowel in _BASE_VOWELS:
        for case in (vowel, vowel.upper()):
            letters.add(case)
            letters.update(unicodedata.normalize("NFC", case + tone) for tone in _TONES)
    return "".join(sorted(ch for ch in letters if not ch.isascii()))


VIETNAMESE_LETTERS: str = _vietnamese_letters()  # 134 letters: 67 lower-case + 67 upper-case

# Legacy encodings seen through Windows-1252/Latin-1 (the raw bytes, or a file mis-converted to UTF-8).
# Only characters that Vietnamese Unicode text never uses as letters count as markers.
# TCVN3 writes ă â ê ô ơ ư đ, à ả ã á ạ and ằ ẳ ẵ ắ with these symbols (bytes A1-AE, B5-B9, BB-BE); no
# other encoding or language puts them inside words, so they also tell TCVN3 from VNI.
_TCVN3_SYMBOLS = "¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾"
# Latin-1 letters that TCVN3 (lower-case toned vowels) or VNI (tone bytes after a vowel, ơ ư đ ỉ ĩ ị ỵ)
# produce and that are not Vietnamese letters.
_LEGACY_LETTERS = "ÄÅÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïñö÷øûüþ"
_MARKERS = f"[{re.escape(_TCVN3_SYMBOLS + _LEGACY_LETTERS)}]"


def _in_word(char_class: str) -> re.Pattern[str]:
    # A marker counts only next to a letter ("t©m", "Nh¶y", "thöïc"): "© 2024", "5 × 3", "§ 2" are no hint.
    return re.compile(f"(?<=[A-Za-z]){char_class}|{char_class}(?=[A-Za-z])")


_ANY_MARKER_RE = re.compile(_MARKERS)
_MARKER_RE = _in_word(_MARKERS)
_TCVN3_SYMBOL_RE = _in_word(f"[{re.escape(_TCVN3_SYMBOLS)}]")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")
_VIET_RE = re.compile(f"[{VIETNAMESE_LETTERS}]")
_WORD_WITH_MARKER_RE = re.compile(f"[^\\s,.;:()]*{_MARKERS}[^\\s,.;:()]*")

# Thresholds, measured on the five seeds encoded with tests/legacy_encoders.py (raw bytes, mis-converted to
# UTF-8, or opened as Windows-1258: the same figures). In-word markers are 57-66 % of the non-ASCII
# characters of TCVN3 text and 49-54 % of VNI text, under 2.5 % of Windows-1258 bytes seen as Latin-1,
# and 0 % of the Unicode seeds. Non-ASCII characters are 25-33 % of the letters of Vietnamese in all these
# forms, and under 5 % in French, German or Spanish prose, whose ç ñ ß ü would otherwise look like markers.
_MIN_MARKERS = 8
_MIN_MARKER_SHARE = 0.2  # of non-ASCII characters
_MIN_NON_ASCII_DENSITY = 0.15  # non-ASCII / (non-ASCII + ASCII letters)
_MIN_TCVN3_SYMBOL_SHARE = 0.25  # of markers; VNI text has none
_MIN_CP1258_VIET_DENSITY = 0.08  # Vietnamese letters / letters after decoding as Windows-1258
_MAX_CP1258_ODD_SHARE = 0.05  # non-Vietnamese letters or stray combining marks / Vietnamese letters

_SAMPLE_CHARS = 65_536
_SAMPLE_BYTES = 8_192

# Control bytes that never occur in text (tab, LF, VT, FF, CR and the DOS end-of-file mark ^Z are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1a") + b"\x7f"
_MAX_CONTROL_SHARE = 0.02
_NON_SPACE_RE = re.compile(r"\S")
_ODD_BREAKS = "\x0b\x0c\x85\u2028\u2029"
_ODD_BREAKS_RE = re.compile(f"[{_ODD_BREAKS}]")
_UNUSUAL_RE = re.compile(f"[{_ODD_BREAKS}{re.escape(_TCVN3_SYMBOLS + _LEGACY_LETTERS)}]")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"PK\x03\x04", "ZIP; Word .docx and Excel .xlsx files are ZIP archives"),
    (b"PK\x05\x06", "ZIP"),
    (b"PK\x07\x08", "ZIP"),
    (b"%PDF-", "PDF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Word/Excel 97-2003 document"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
)


# --- public API --------------------------------------------------------------------------------------


def decode_bytes(data: bytes) -> Decoded:
    """Decode a text file's bytes to NFC text with "\\n" line ends, or raise DecodeError saying why.

    The caller adds the file name to the error message.
    """
    if not data:
        raise DecodeError(EMPTY, "empty file")
    kind = _sniff_magic(data)
    if kind:
        raise DecodeError(BINARY, f"binary file (looks like {kind}), not text")
    if data.startswith(b"{\\rtf"):
        raise DecodeError(
            NOT_PLAIN_TEXT, "RTF document, not plain text: open it in Word and save it as plain text (UTF-8)"
        )

    notes: list[str] = []
    text, encoding = _decode(data, notes)

    if "\x00" in text:  # only possible after UTF-16/32 decoding; NUL bytes were dealt with before
        stripped = text.rstrip("\x00")
        if "\x00" in stripped:
            raise DecodeError(BINARY, "binary file (contains NUL characters), not text")
        notes.append(f"removed {len(text) - len(stripped)} NUL padding characters at the end")
        text = stripped
    if "\ufeff" in text:
        if text.startswith("\ufeff"):  # BOM left by a decoder that keeps it, or a doubled BOM
            text = text.lstrip("\ufeff")
        if "\ufeff" in text:
            notes.append("removed byte-order marks inside the text (files joined together?)")
            text = text.replace("\ufeff", "")
    if not _NON_SPACE_RE.search(text):
        raise DecodeError(EMPTY, "file contains only whitespace" if text else "empty file (only a byte-order mark)")

    if "\r" in text:
        if "\r\n" in text:
            notes.append("converted Windows line ends (CRLF) to LF")
            text = text.replace("\r\n", "\n")
        if "\r" in text:
            notes.append("converted old Mac line ends (CR) to LF")
            text = text.replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        # macOS and some Word exports write "ế" as e + ̂ + ́; regexes and comparisons need one code point.
        text = unicodedata.normalize("NFC", text)
        notes.append("normalised decomposed accents to NFC (one code point per letter)")

    # One scan finds both rarities below; Unicode Vietnamese text has neither, so it pays for one pass.
    if _UNUSUAL_RE.search(text):
        if _ODD_BREAKS_RE.search(text):
            notes.append("turned vertical tabs, form feeds and Unicode line separators into line ends")
            text = _ODD_BREAKS_RE.sub("\n", text)
        legacy = detect_legacy_encoding(text)
        if legacy:
            raise DecodeError(LEGACY_ENCODING, _legacy_message(legacy, text, mis_converted=True))
    if "\ufffd" in text:
        notes.append(
            f"text already contains {text.count(chr(0xFFFD))} '\ufffd' replacement characters: "
            "some letters were lost before the file reached us"
        )
    return Decoded(text=text, encoding=encoding, notes=tuple(notes))


def detect_legacy_encoding(text: str) -> str | None:
    """Return "TCVN3" or "VNI" when `text` is a legacy Vietnamese font encoding seen through
    Windows-1252/Latin-1 (raw bytes decoded that way, or mis-converted to UTF-8); otherwise None.

    Looks at a bounded sample; the first scan is one regex pass that finds nothing in Unicode text.
    """
    sample = _sample(text)
    # A plain character class scans much faster than _MARKER_RE's look-arounds; Unicode text stops here.
    if len(_ANY_MARKER_RE.findall(sample)) < _MIN_MARKERS:
        return None
    markers = len(_MARKER_RE.findall(sample))
    if markers < _MIN_MARKERS:
        return None
    non_ascii = len(_NON_ASCII_RE.findall(sample))
    letters = non_ascii + len(_ASCII_LETTER_RE.findall(sample))
    if markers < _MIN_MARKER_SHARE * non_ascii or non_ascii < _MIN_NON_ASCII_DENSITY * letters:
        return None
    symbols = len(_TCVN3_SYMBOL_RE.findall(sample))
    return "TCVN3" if symbols >= _MIN_TCVN3_SYMBOL_SHARE * markers else "VNI"


# --- helpers -----------------------------------------------------------------------------------------


def _sniff_magic(data: bytes) -> str:
    """Name of the binary format whose signature starts `data`, or ""."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    # "BM" starts many words; only call it a bitmap when the header's size field matches the file size.
    if data.startswith(b"BM") and len(data) >= 14 and int.from_bytes(data[2:6], "little") == len(data):
        return "BMP"
    return ""


def _decode(data: bytes, notes: list[str]) -> tuple[str, str]:
    """Pick the encoding and decode; raise DecodeError when no accepted encoding fits."""
    # UTF-32 BOMs first: the little-endian one starts with the UTF-16 LE BOM.
    for bom, codec, label in (
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 little-endian"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 big-endian"),
        (codecs.BOM_UTF8, "utf-8", ""),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 little-endian"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 big-endian"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                name = label or "UTF-8"
                raise DecodeError(
                    UNKNOWN_ENCODING,
                    f"file starts with a {name} byte-order mark but is not valid {name} "
                    f"(bad bytes at offset {exc.start + len(bom)})",
                ) from None
            if label:
                notes.append(f"decoded as {label} (byte-order mark)")
                _refuse_control_characters(text)
                return text, label.split()[0].lower()
            notes.append("removed the UTF-8 byte-order mark")
            return text, "utf-8-sig"

    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16:
            try:
                text = data.decode(utf16)
            except UnicodeDecodeError:
                raise DecodeError(BINARY, "binary file (contains NUL bytes), not text") from None
            notes.append(
                f"decoded as UTF-16 {'little' if utf16.endswith('le') else 'big'}-endian without "
                "byte-order mark (recognised by its zero bytes)"
            )
            _refuse_control_characters(text)
            return text, "utf-16"
        stripped = data.rstrip(b"\x00")
        if b"\x00" in stripped:
            raise DecodeError(BINARY, "binary file (contains NUL bytes), not text")
        if not stripped:
            raise DecodeError(EMPTY, "empty file (only NUL bytes)")
        # Some editors and interrupted downloads pad files with NULs; the text before them is fine.
        notes.append(f"removed {len(data) - len(stripped)} NUL padding bytes at the end")
        data = stripped

    _refuse_control_bytes(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc

    # Not UTF-8. Legacy font encodings first: their bytes would also "decode" as Windows-1258.
    latin1 = data.decode("latin-1")
    legacy = detect_legacy_encoding(latin1)
    if legacy:
        raise DecodeError(LEGACY_ENCODING, _legacy_message(legacy, latin1, mis_converted=False))
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = ""
    if text and _looks_vietnamese(text):
        notes.append("decoded as Windows-1258 (Vietnamese Windows code page)")
        return text, "cp1258"
    raise DecodeError(
        UNKNOWN_ENCODING,
        f"unknown text encoding: not UTF-8 (invalid byte 0x{data[utf8_error.start]:02X} at offset "
        f"{utf8_error.start}) and not Vietnamese Windows-1258; save the file as UTF-8",
    )


def _utf16_without_bom(data: bytes) -> str:
    """ "utf-16-le"/"utf-16-be" when the zero bytes sit in every other position, else ""."""
    sample = data[:_SAMPLE_BYTES]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return ""
    half = len(sample) // 2
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    # ASCII (spaces, digits, unaccented letters) is well over half of Vietnamese text; its high byte is 0.
    if zeros_odd >= 0.3 * half and zeros_even <= 0.02 * half:
        return "utf-16-le"
    if zeros_even >= 0.3 * half and zeros_odd <= 0.02 * half:
        return "utf-16-be"
    return ""


def _refuse_control_bytes(data: bytes) -> None:
    sample = data[:_SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise DecodeError(BINARY, f"binary file ({controls * 100 // len(sample)}% control bytes), not text")


def _refuse_control_characters(text: str) -> None:
    # Same test after decoding, for UTF-16/32 input whose bytes could not be checked directly.
    sample = text[:_SAMPLE_BYTES]
    controls = sum(sample.count(chr(c)) for c in _CONTROL_BYTES)
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise DecodeError(BINARY, f"binary file ({controls * 100 // len(sample)}% control characters), not text")


def _looks_vietnamese(text: str) -> bool:
    """True when NFC `text` reads as Vietnamese: many Vietnamese letters, hardly any foreign letters or
    tone marks left floating (which is what a wrong code page produces)."""
    sample = _sample(text)
    viet = len(_VIET_RE.findall(sample))
    letters = viet + len(_ASCII_LETTER_RE.findall(sample))
    odd = sum(
        1
        for ch in _NON_ASCII_RE.findall(sample)
        if (ch.isalpha() and ch not in VIETNAMESE_LETTERS) or unicodedata.combining(ch)
    )
    return viet >= _MIN_CP1258_VIET_DENSITY * max(letters, 1) and odd <= _MAX_CP1258_ODD_SHARE * viet


def _sample(text: str) -> str:
    """The whole text when short, else its start, middle and end (a bounded amount of work)."""
    if len(text) <= _SAMPLE_CHARS:
        return text
    third = _SAMPLE_CHARS // 3
    mid = len(text) // 2
    return text[:third] + text[mid : mid + third] + text[-third:]


def _legacy_message(encoding: str, text: str, mis_converted: bool) -> str:
    name = {"TCVN3": "TCVN3 (ABC, .VnTime fonts)", "VNI": "VNI (VNI-Times fonts)"}[encoding]
    example = _WORD_WITH_MARKER_RE.search(_sample(text))
    shown = f" (e.g. “{example.group(0)[:30]}”)" if example else ""
    how = "was saved as UTF-8 without being converted" if mis_converted else "is not Unicode"
    return (
        f"text is in the legacy Vietnamese encoding {name} and {how}{shown}; "
        f"convert the file from {encoding} to Unicode (e.g. with UniKey's converter) "
        "and save it as UTF-8"
    )
