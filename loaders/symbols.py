"""Document numbers/symbols ("435/UBND-NC", "45/2024/QĐ-UBND", "128-KL/TW") and dates in digest text.

Decree 30/2020: `number/TYPE-ISSUER` for typed documents, `number/ISSUER-UNIT` for Công văn, a year segment
for legal normative documents (`45/2024/QĐ-UBND`, `132/2024/QH15`); Party documents put a hyphen between the
number and the type (`128-KL/TW`). Digest text sometimes has a space before the slash (`4851 /VP-KT`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

_L = r"[^\W\d_]"  # any letter, Vietnamese included
_GROUP = rf"{_L}[^\W_]*(?:&{_L}+)?"  # CĐSQG, UBQG50, TTr, QyĐ, PCTT&TKCN
# The look-behind ("not after a letter, digit or /") comes after the first digit so that the engine skips
# ahead on digits rather than trying the whole pattern at every position.
SYMBOL_RE = re.compile(
    rf"(?P<num>\d(?<![\w/]\d)\d{{0,6}}[a-z]?)"
    rf"(?:\s?/\s?(?P<year>(?:19|20)\d\d)\s?/\s?(?P<code1>{_GROUP}(?:\s?[-–]\s?{_GROUP})*)"
    rf"|\s?/\s?(?P<code2>{_GROUP}(?:[-–]{_GROUP})+|QH\d{{1,2}})"
    rf"|-(?P<ptype>[A-ZĐ][A-Za-zĐđ]{{0,3}})/(?P<porg>[A-ZĐ][A-ZĐ]{{0,5}}))(?![\w-])"
)

# Not after a digit or "/": the look-behind follows the first digit (as in SYMBOL_RE), so that both branches
# start with a digit and the engine skips ahead to the next one instead of trying the pattern everywhere.
_NUMERIC_DATE = r"(?P<d>\d(?<![\d/]\d)\d?)\s?/\s?(?P<m>\d{1,2})\s?/\s?(?P<y>(?:19|20)\d\d)"
_WORDY_DATE = r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>(?:19|20)\d\d)"
DATE_RE = re.compile(rf"{_NUMERIC_DATE}(?![\d/])|{_WORDY_DATE}", re.IGNORECASE)
#: Date with an optional year ("15/11" in "trước ngày 15/11"), in folded text ("thang", "nam"), for deadlines.
SHORT_DATE_RE = re.compile(
    r"(?<![\d/])(?P<d>\d{1,2})\s?/\s?(?P<m>\d{1,2})(?:\s?/\s?(?P<y>(?:19|20)\d\d))?(?![\d/])"
    r"|(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})\s+nam\s+(?P<y2>(?:19|20)\d\d)"
)

_CODE_ALIASES: dict[str, str] = {}


def set_code_aliases(aliases: dict[str, str]) -> None:
    """Install spelling fixes for symbol groups (e.g. QD -> QĐ), from data/vocab/doc_types.yaml."""
    fixes = {k.upper(): v for k, v in aliases.items()}
    if fixes != _CODE_ALIASES:
        _CODE_ALIASES.clear()
        _CODE_ALIASES.update(fixes)
        _GROUPS.clear()


class Symbol(NamedTuple):
    """A parsed document symbol (a named tuple: a digest holds dozens, made several times faster than a frozen
    dataclass)."""

    text: str  # normalised: no spaces, ASCII hyphens: "4851/VP-KT", "45/2024/QĐ-UBND", "128-KL/TW"
    number: str
    year: int | None  # the year segment of normative documents
    groups: tuple[str, ...]  # the groups after the slash: ("QĐ", "UBND"), ("UBND", "NC"), ("QH15",)
    party: bool  # Party document (number-TYPE/ORG)
    start: int
    end: int

    @property
    def is_normative(self) -> bool:
        """Legal normative documents carry their year inside the symbol."""
        return self.year is not None


def _fix_group(group: str) -> str:
    fixed = _CODE_ALIASES.get(group.upper())
    if fixed:
        return fixed
    # An all-lower-case group is a typing slip ("qđ-ubnd"); mixed case is meaningful (TTr, QyĐ, CTr).
    return group.upper() if group.islower() else group


_GROUP_SPLIT = re.compile(r"\s?[-–]\s?")


#: `_groups` of each code seen (with the aliases installed): the codes of a province's documents are few.
_GROUPS: dict[str, tuple[str, ...]] = {}


def _groups(code: str) -> tuple[str, ...]:
    groups = _GROUPS.get(code)
    if groups is None:
        if len(_GROUPS) > 10_000:  # bounded, whatever the corpus
            _GROUPS.clear()
        groups = _GROUPS[code] = tuple(_fix_group(g.strip()) for g in _GROUP_SPLIT.split(code))
    return groups


# Every symbol has a letter after one of its slashes (TYPE, ISSUER or the Party body), at most _REACH
# characters after its start: the number (8), a space, "/", a space, the year (4), a space, then that "/"
# ("45 / 2024 /QĐ"). This literal-led search finds them at C speed; SYMBOL_RE, which starts with a digit,
# is tried only from _REACH before each (the engine tries it at every digit of the text otherwise).
_SLASH_LETTER = re.compile(r"/\s?[^\W\d_]")
_REACH = 16


def find_symbols(text: str) -> list[Symbol]:
    """Every document symbol in `text`, in order of appearance."""
    found: list[Symbol] = []
    pos = 0  # where SYMBOL_RE.finditer would look next
    for slash in _SLASH_LETTER.finditer(text):
        at = slash.start()
        if at < pos:
            continue
        # No match starts in [pos, at - _REACH): it would hold a slash and letter before `at`, the first one
        # from `pos` on. So the next match from `at - _REACH` is finditer's next one.
        m = SYMBOL_RE.search(text, max(pos, at - _REACH))
        if m is None:
            break
        pos = m.end()
        number, year_text, code1, code2, ptype, porg = m.groups()
        if ptype:
            groups = (_fix_group(ptype), _fix_group(porg))
            found.append(Symbol(f"{number}-{groups[0]}/{groups[1]}", number, None, groups, True, m.start(), m.end()))
            continue
        year = int(year_text) if year_text else None
        groups = _groups(code1 or code2)
        prefix = f"{number}/{year}/" if year else f"{number}/"
        found.append(Symbol(prefix + "-".join(groups), number, year, groups, False, m.start(), m.end()))
    return found


def normalize_symbol(text: str) -> str:
    """The normalised form of one symbol, or "" when `text` holds none."""
    found = find_symbols(text)
    return found[0].text if found else ""


def make_date(day: int, month: int, year: int) -> dt.date | None:
    """A date, or None when the numbers do not form one (31/2, 0/5)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def match_date(m: re.Match[str]) -> dt.date | None:
    """The date of a DATE_RE match."""
    if m["d"]:
        return make_date(int(m["d"]), int(m["m"]), int(m["y"]))
    return make_date(int(m["d2"]), int(m["m2"]), int(m["y2"]))


def find_dates(text: str) -> list[tuple[dt.date, int, int]]:
    """Every full date (d/m/yyyy or 'd tháng m năm yyyy') in `text` as (date, start, end)."""
    out = []
    for m in DATE_RE.finditer(text):
        d = match_date(m)
        if d:
            out.append((d, m.start(), m.end()))
    return out


def parse_date(text: str) -> dt.date | None:
    """The first full date in `text`, or None."""
    found = find_dates(text)
    return found[0][0] if found else None
