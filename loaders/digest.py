"""Split the text of one digest into its title, week, opening summary and item blocks.

A digest is: a title with the week, an opening paragraph listing the week's headlines separated by ";",
then one block per item: a headline, a lead sentence naming the document (or the meeting), body paragraphs.
Headlines are recognised by what follows them: a lead sentence that cites one of the province's own
documents ("(Công văn số 435/UBND-NC, ngày 21/3/2025)") or dates a meeting ("Ngày 29/10/2024, … chủ trì").
The summary is a second opinion: a line that matches a summary entry also starts a block.
The title and summary-tail patterns are the profile's (data/provinces/<id>/profile.yaml).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from loaders.symbols import Symbol, find_symbols, make_date
from loaders.textnorm import fold, fold_and_words, fold_lower_and_words
from loaders.vocab import Vocab

_WEEK_RE = re.compile(
    r"ngay\s+(?P<d1>\d{1,2})\s?/\s?(?P<m1>\d{1,2})(?:\s?/\s?(?P<y1>\d{4}))?\s*"
    r"(?:(?:den|toi)(?:\s+het)?(?:\s+ngay)?|[-–—]+(?:\s*ngay)?)\s*"
    r"(?P<d2>\d{1,2})\s?/\s?(?P<m2>\d{1,2})\s?/\s?(?P<y2>\d{4})"
)
_MEETING_LEAD_RE = re.compile(r"^(?:(?:sang|chieu|toi)\s+)?(?:ngay\s+)+\d{1,2}\s?/\s?\d{1,2}\s?/\s?\d{4}")
_MEETING_WORDS = re.compile(r"\bhop\b|chu tri|hoi nghi")
_SENTENCE_ENDS = (".", ";", ":", ",", "…")  # a line ending so is a sentence, not a headline
_CITED_AFTER = re.compile(r"[\s,]*(?:ngày\s+[\d/]+(?:\s+tháng\s+\d+\s+năm\s+\d+)?)?[\s,]*của\b")
_BYLINE_RE = re.compile(r"^(?:[A-ZĐ][^\W\d_]*\s){1,5}[A-ZĐ][^\W\d_]*$")

MAX_HEADLINE_CHARS = 400


@dataclass
class Block:
    """One item block: its headline and its paragraphs (the first is the lead sentence)."""

    headline: str
    paragraphs: list[str]
    folded: list[str]  # `fold` of each paragraph, computed once
    symbols: list[list[Symbol]]  # `find_symbols` of the headline, then of each paragraph
    words: list[str]  # `fold_and_words` words of the headline, then of each paragraph, computed once
    lower: list[str]  # `str.lower` of the headline, then of each paragraph
    reference: Symbol | None = None  # `own_reference` of the lead sentence, found when looking for blocks

    def folded_words(self, start: int = 0, stop: int | None = None) -> str:
        """`fold_words` of the headline and paragraphs joined (`words[start:stop]`): " word word … "."""
        return " " + " ".join(filter(None, self.words[start:stop])) + " "


@dataclass
class DigestText:
    """The structure of one digest."""

    title: str = ""
    week_start: dt.date | None = None
    week_end: dt.date | None = None
    summary: str = ""
    summary_entries: list[str] = field(default_factory=list)
    summary_words: list[str] = field(default_factory=list)  # `fold_and_words` words of each entry
    blocks: list[Block] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # text between summary and first block
    byline: str = ""


def clean_lines(text: str, drop_patterns: list[re.Pattern[str]]) -> list[str]:
    """Non-empty, whitespace-collapsed lines without boilerplate (skip links, banners, captions)."""
    drop = _any_of(tuple(drop_patterns))
    # `raw` is clean when " ".join(raw.split()) would return it: its only whitespace is single inner spaces
    # (every whitespace character but " " is non-printable). Most lines are; the test is much cheaper. The
    # join also turns NBSP and tabs into single spaces.
    lines = [
        raw if raw.isprintable() and "  " not in raw and raw[0] != " " and raw[-1] != " " else " ".join(raw.split())
        for raw in text.split("\n")
        if raw
    ]
    return [line for line in lines if line and not drop(line)]


@cache
def _any_of(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], object]:
    """A test "one of `patterns` matches the whole line" (truthy when one does), as one alternation when they
    can be merged (the same flags, no groups whose numbers would shift): one regex call per line instead of one
    per pattern."""
    if patterns and all(p.flags == patterns[0].flags and not p.groups for p in patterns):
        try:
            merged = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
        except re.error:  # an inline global flag inside a pattern cannot move into a group
            pass
        else:
            return merged.fullmatch
    return lambda line: any(p.fullmatch(line) for p in patterns)


def parse_week(title: str) -> tuple[dt.date, dt.date] | None:
    """(start, end) of the week named in a title, or None.

    The start date often has no year ("ngày 02/3 đến ngày 08/3/2020"); a week across New Year takes the
    previous year for the start ("từ ngày 29/12 đến ngày 04/01/2026").
    """
    return _week_of(fold(title))


def _week_of(folded_title: str) -> tuple[dt.date, dt.date] | None:
    m = _WEEK_RE.search(folded_title)
    if not m:
        return None
    y2 = int(m["y2"])
    end = make_date(int(m["d2"]), int(m["m2"]), y2)
    if end is None:
        return None
    y1 = int(m["y1"]) if m["y1"] else y2 - 1 if int(m["m1"]) > int(m["m2"]) else y2
    start = make_date(int(m["d1"]), int(m["m1"]), y1)
    if start is None or not (0 <= (end - start).days <= 13):
        return None
    return start, end


def is_own_symbol(sym: Symbol, own_issuers: frozenset[str]) -> bool:
    """A document of the province itself: TYPE-ISSUER (QĐ-UBND) or a letter ISSUER-UNIT (UBND-NC, VP-KT)."""
    return not sym.party and len(sym.groups) >= 2 and (sym.groups[-1] in own_issuers or sym.groups[0] in own_issuers)


def own_reference(text: str, symbols: list[Symbol], own_issuers: frozenset[str]) -> Symbol | None:
    """The first of the province's own documents that `text` names as its subject, not as a citation.

    Citations of earlier provincial documents are followed by "của UBND tỉnh"; the item's own is not.
    `symbols` are `find_symbols(text)`.
    """
    for sym in symbols:
        if is_own_symbol(sym, own_issuers) and not _CITED_AFTER.match(text, sym.end):
            return sym
    return None


def is_meeting_lead(folded: str) -> bool:
    """A lead (folded) that dates a meeting: "Ngày 29/10/2024, đồng chí … chủ trì phiên họp …"."""
    return bool(_MEETING_LEAD_RE.match(folded)) and bool(_MEETING_WORDS.search(folded[:400]))


def _containment(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def split_summary(summary: str, tail_re: re.Pattern[str]) -> list[str]:
    """Summary entries: the opening paragraph split at ";" without its "… là những nội dung chính …" tail
    (`tail_re`, the profile's summary_tail_pattern)."""
    tail = tail_re.search(summary)
    body = summary[: tail.start()] if tail else summary
    entries = [e.strip(" .…;") for e in body.split(";")]
    return [e for e in entries if len(e.split()) >= 2]


def _looks_like_headline(line: str) -> bool:
    return 0 < len(line) <= MAX_HEADLINE_CHARS and not line.endswith(_SENTENCE_ENDS)


def split_digest(lines: list[str], vocab: Vocab) -> DigestText:
    """Find title, week, summary and item blocks in cleaned lines, with the patterns of `vocab.profile`."""
    own_issuers = vocab.own_issuer_codes
    title_re = vocab.profile.title_re
    out = DigestText()
    folded_lines, word_lines, lower_lines = fold_lower_and_words(lines)  # once, for every check and field
    start = 0
    for i, line in enumerate(folded_lines[:15]):
        if title_re.search(line):
            out.title = lines[i]
            start = i + 1
            week = _week_of(line)
            if week:
                out.week_start, out.week_end = week
            break
    # Some pages repeat the title.
    kept = [i for i in range(start, len(lines)) if lines[i] != out.title]
    body = [lines[i] for i in kept]
    folded = [folded_lines[i] for i in kept]
    words = [word_lines[i] for i in kept]
    lower = [lower_lines[i] for i in kept]
    symbols = [find_symbols(ln) if "/" in ln else [] for ln in body]
    references = [
        own_reference(ln, syms, own_issuers) if syms else None for ln, syms in zip(body, symbols, strict=True)
    ]
    leads = [ref is not None or is_meeting_lead(f) for ref, f in zip(references, folded, strict=True)]
    heads = [i for i in range(len(body) - 1) if leads[i + 1] and not leads[i] and _looks_like_headline(body[i])]
    first = heads[0] if heads else len(body)
    if first > 0 and not leads[0]:
        out.summary = body[0]
        out.summary_entries = split_summary(body[0], vocab.profile.summary_tail_re)
        out.summary_words = fold_and_words(out.summary_entries)[1]
        out.ignored = body[1:first]
    else:
        out.ignored = body[:first]

    # Second opinion: a short line equal to a summary entry starts a block even when its lead names no
    # document (so that items without a document are still counted, and reported).
    if out.summary_entries:
        entries: list[set[str]] | None = None  # the entries' syllables, made for the first candidate line
        known = set(heads)
        for i in range(first + 1, len(body) - 1):
            if i in known or i - 1 in known or not _looks_like_headline(body[i]):
                continue
            if entries is None:
                entries = [set(e.split()) for e in out.summary_words]
            syllables = set(words[i].split())
            if len(syllables) >= 4 and any(
                _containment(syllables, e) >= 0.9 and _containment(e, syllables) >= 0.9 for e in entries
            ):
                heads.append(i)
        heads.sort()

    for n, h in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(body)
        lead = references[h + 1] if h + 1 < end else None
        block = Block(body[h], body[h + 1 : end], folded[h + 1 : end], symbols[h:end], words[h:end], lower[h:end], lead)
        out.blocks.append(block)
    if out.blocks:
        last = out.blocks[-1].paragraphs
        if len(last) > 1 and _BYLINE_RE.match(last[-1]):
            out.byline = last.pop()
            out.blocks[-1].folded.pop()
            out.blocks[-1].symbols.pop()
            out.blocks[-1].words.pop()
            out.blocks[-1].lower.pop()
    return out
