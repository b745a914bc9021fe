"""`load(paths) -> (items, report)`: files and folders of digests in, one validated items DataFrame out.

Nothing raises out of `load` for bad input: every file gets its own entry in the report, with errors
(the file contributed nothing) and warnings (it loaded, but something deserves a look).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import statistics
from collections.abc import Callable, Iterable, Iterator, Sized
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from loaders import digest as dg
from loaders.classify import classify, keywords_of
from loaders.config import MAX_FILE_BYTES, PROFILE_DIR
from loaders.decoding import DecodeError, decode_bytes
from loaders.files import ReadRefused, read_file, too_large, walk
from loaders.items import ItemFields, parse_block
from loaders.markup import html_to_text, markdown_to_text
from loaders.report import FileReport, LoadReport
from loaders.schema import coerce_items, empty_items, validate_items
from loaders.symbols import set_code_aliases
from loaders.textnorm import fold_and_words, normalize, tone_marks
from loaders.vocab import Vocab, load_vocab

#: Bump when a parsing rule changes: cached parses of older versions are discarded.
PARSER_VERSION = "3"  # 3: profiles, pre-2025 communes, paragraphs merged once, stated sector tie rule
#: Warnings saying that items are missing (the text was cut short): a complete digest of the same week wins.
TRUNCATION_CODES = frozenset({"possibly_truncated", "summary_without_item"})

Progress = Callable[[int, int, str], None]
Part = TypeVar("Part", bound=Sized)


def read_text(path: Path, data: bytes) -> tuple[str, str]:
    """(normalised text, encoding) of a digest file's bytes; raises DecodeError with the problem."""
    decoded = decode_bytes(data)
    text = decoded.text
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm") or (suffix not in (".md", ".txt") and "<html" in text[:2000].lower()):
        return normalize(html_to_text(text)), decoded.encoding
    if suffix == ".md":
        return normalize(markdown_to_text(text)), decoded.encoding
    return tone_marks(text), decoded.encoding  # `decode_bytes` gives NFC already


def parse_digest(text: str, source: str, vocab: Vocab, report: FileReport) -> list[dict[str, Any]]:
    """Rows (one per unique item) of one digest's normalised text; findings go to `report`."""
    lines = dg.clean_lines(text, list(vocab.drop_lines))
    digest_id = hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()[:16]
    report.digest_id = digest_id
    parsed = dg.split_digest(lines, vocab)
    report.title = parsed.title
    report.blocks = len(parsed.blocks)
    report.summary_entries = len(parsed.summary_entries)
    if not parsed.blocks:
        if parsed.title:
            report.week_start, report.week_end = parsed.week_start, parsed.week_end
            week = f"week {parsed.week_start:%d/%m/%Y}–{parsed.week_end:%d/%m/%Y}" if parsed.week_start else "no week"
            report.error(
                "no_items",
                f"the digest title ({week}) was found but no item block (headline followed by "
                "a lead sentence naming a document) — truncated or not a digest?",
            )
        else:
            report.error(
                "not_a_digest",
                "no digest title ('Chỉ đạo, điều hành nổi bật … trong tuần (…)') and "
                "no item block: this text is not a weekly digest",
            )
        return []
    if not parsed.title:
        report.warn("no_title", "no digest title found: the week is inferred from the document dates")
    elif parsed.week_start is None:
        report.warn("no_week", f"the title names no readable week: '{parsed.title}'")
    if parsed.ignored:
        report.warn(
            "text_ignored",
            f"{len(parsed.ignored)} paragraph(s) before the first item were ignored: '{parsed.ignored[0][:80]}'",
        )

    fields = [parse_block(b, vocab, parsed.week_start) for b in parsed.blocks]
    week = _check_week(parsed, fields, report)
    if week is None:
        report.error("no_week", "no week in the title and no dated document to infer it from")
        return []
    week_start, week_end = week
    report.week_start, report.week_end = week_start, week_end
    # Re-anchor year-less deadlines and roster look-ups when the week moved: only an item without a document
    # date is anchored on the week.
    if parsed.week_start != week_start:
        fields = [
            f if f.doc_date else parse_block(b, vocab, week_start) for b, f in zip(parsed.blocks, fields, strict=True)
        ]

    last = parsed.blocks[-1].paragraphs
    if not last or not last[-1].rstrip().endswith((".", "!", "?", "…", "”", '"', ")", ":")):
        report.warn(
            "possibly_truncated",
            "the last item ends mid-sentence or has no body: the text may be truncated",
            len(parsed.blocks),
        )

    rows: list[dict[str, Any]] = []
    iso_week = _iso_week(week_start)
    by_key: dict[str, dict[str, Any]] = {}
    first_block: dict[str, dg.Block] = {}
    body_words: dict[str, list[list[str]]] = {}  # the words of each paragraph of a merged row's body
    block_items: list[int] = []  # item_no of each block
    keywords = keywords_of([(b.lower[0], b.lower[1:]) for b in parsed.blocks], vocab)
    for block, item, block_keywords in zip(parsed.blocks, fields, keywords, strict=True):
        key = f"{item.doc_symbol}@{item.doc_date}" if item.doc_symbol else block.folded_words(0, 1)
        if key in by_key:
            block_items.append(by_key[key]["item_no"])
            kept = body_words[key] if key in body_words else _paragraph_words(first_block[key])
            body_words[key] = _merge(by_key[key], item, kept, _paragraph_words(block))
            report.warn(
                "repeated_item",
                f"item '{item.headline[:70]}' appears again in the digest: merged",
                by_key[key]["item_no"],
            )
            continue
        item_no = len(rows) + 1
        block_items.append(item_no)
        for code, message in item.problems:
            report.warn(code, message, item_no)
        sector = classify(item.headline, block.paragraphs, item.lead_agencies, item.unit, vocab, block_keywords)
        if sector.unclassified:
            report.warn(
                "unknown_sector", f"no sector keyword, lead department or unit matched '{item.headline[:70]}'", item_no
            )
        row = {
            "digest_id": digest_id,
            "source": source,
            "source_url": "",  # the library sets it from sources.json: provenance is not in the file
            "week_start": week_start,
            "week_end": week_end,
            "week": iso_week,
            "item_no": item_no,
            "headline": item.headline,
            "body": item.body,
            "doc_type": item.doc_type,
            "doc_symbol": item.doc_symbol,
            "doc_date": item.doc_date,
            "is_normative": item.is_normative,
            "issuer": item.issuer,
            "leader": item.leader,
            "leader_source": item.leader_source,
            "unit": item.unit,
            "sector": sector.sector,
            "sectors_secondary": sector.secondary,
            "sector_reason": sector.reason,
            "lead_agencies": item.lead_agencies,
            "districts": item.districts,
            "cited_documents": item.cited_documents,
            "deadlines": item.deadlines,
            "item_key": f"{item.doc_symbol}@{item.doc_date.year}"
            if item.doc_symbol and item.doc_date
            else f"{digest_id}#{item_no}",
            "reported_in": 1,
            "first_report": True,
            "merged_blocks": 1,
        }
        by_key[key] = row
        first_block[key] = block
        rows.append(row)
    report.items = len(rows)
    _check_summary(parsed, report, block_items)
    return rows


def looks_truncated(report: FileReport | None) -> bool:
    """True when the parse found signs that items are missing (`TRUNCATION_CODES`)."""
    return report is not None and any(p.code in TRUNCATION_CODES for p in report.warnings)


#: A repeated paragraph that only adds this many trailing words to one already kept is the same paragraph
#: with a stray word ("… vào Việt Nam tại."): the first copy stays. More than that, the first was cut short.
STRAY_WORDS = 2


def merge_paragraphs(kept: list[str], added: list[str]) -> list[str]:
    """`kept` plus the paragraphs of `added` it lacks, each paragraph once.

    Paragraphs compare by their words (`fold_words`: case, diacritics and punctuation aside). One that
    extends a kept paragraph by at most STRAY_WORDS trailing words is that paragraph again; one that
    extends it by more replaces it (the complete variant wins); anything else is appended.
    """
    return _merge_words(kept, _words(kept), added, _words(added))[0]


def _words(paragraphs: list[str]) -> list[list[str]]:
    return [w.split() for w in fold_and_words(paragraphs)[1]]


def _paragraph_words(block: dg.Block) -> list[list[str]]:
    # `_words` of the block's body split at "\n" (one empty paragraph when it has none), from the words the
    # block already holds: nothing is folded again.
    return [w.split() for w in block.words[1:]] if block.paragraphs else [[]]


def _merge_words(
    kept: list[str], kept_words: list[list[str]], added: list[str], added_words: list[list[str]]
) -> tuple[list[str], list[list[str]]]:
    """`merge_paragraphs` of paragraphs whose `_words` are given; (paragraphs, their words)."""
    out, words = list(kept), list(kept_words)
    for para, new in zip(added, added_words, strict=True):
        for i, old in enumerate(words):
            short, long_ = sorted((old, new), key=len)
            if short and long_[: len(short)] == short:
                if long_ is new and len(new) - len(old) > STRAY_WORDS:
                    out[i], words[i] = para, new
                break
        else:
            out.append(para)
            words.append(new)
    return out, words


def _merge(row: dict[str, Any], item: ItemFields, kept: list[list[str]], added: list[list[str]]) -> list[list[str]]:
    """Fold a repeated block into the row of its first occurrence, losing nothing it adds, repeating nothing.
    `kept` and `added` are the `_words` of the row's paragraphs and of the block's; returns the row's new ones."""
    row["merged_blocks"] += 1
    if item.body:
        body, kept = _merge_words(row["body"].split("\n"), kept, item.body.split("\n"), added)
        row["body"] = "\n".join(body)
    for col in ("lead_agencies", "districts", "cited_documents", "deadlines"):
        row[col] = row[col] + [v for v in getattr(item, col) if v not in row[col]]
    return kept


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _check_week(parsed: dg.DigestText, fields: list[ItemFields], report: FileReport) -> tuple[dt.date, dt.date] | None:
    """The digest's week: the title's, unless the documents inside say another year (then the evidence)."""
    dates = [f.doc_date for f in fields if f.doc_date]
    start, end = parsed.week_start, parsed.week_end
    if start is None or end is None:
        if not dates:
            return None
        latest = max(dates)
        start = latest - dt.timedelta(days=latest.weekday())
        report.warn("week_inferred", f"week inferred from the latest document date ({latest:%d/%m/%Y})")
        return start, start + dt.timedelta(days=6)
    if dates:
        doc_year = round(statistics.median(d.year for d in dates))
        shift = doc_year - end.year
        if shift and _near_share(dates, start, end, 0) < 0.5 <= _near_share(dates, start, end, shift):
            new_start, new_end = _shift_years(start, shift), _shift_years(end, shift)
            report.warn(
                "year_conflict",
                f"the title says {start:%d/%m/%Y}–{end:%d/%m/%Y} but the documents "
                f"inside are dated {doc_year}: using {new_start:%d/%m/%Y}–"
                f"{new_end:%d/%m/%Y}",
            )
            start, end = new_start, new_end
    if start.weekday() != 0 or (end - start).days != 6:
        report.warn("week_not_monday_sunday", f"the week {start:%d/%m/%Y}–{end:%d/%m/%Y} is not Monday–Sunday")
    return start, end


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/2
        return day.replace(year=day.year + years, day=28)


def _near_share(dates: list[dt.date], start: dt.date, end: dt.date, shift: int) -> float:
    """Share of `dates` within 60 days before to 7 days after the (year-shifted) week."""
    lo = _shift_years(start, shift) - dt.timedelta(days=60)
    hi = _shift_years(end, shift) + dt.timedelta(days=7)
    return sum(lo <= d <= hi for d in dates) / len(dates)


def _bigrams(*words: str) -> set[tuple[str, str]]:
    # Syllable pairs of `fold_and_words` word lines run together (`fold_words` of the lines joined by spaces):
    # single syllables (chỉ, đạo, tỉnh) are shared by almost every headline.
    return set(itertools.pairwise(" ".join(words).split()))


class _Pairs:
    """The syllable pairs (`_bigrams`) of each of some `fold_and_words` word lines, made when first needed: a
    summary entry is mostly its headline word for word, which tells without them."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self._sets: list[set[tuple[str, str]] | None] = [None] * len(words)

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i: int) -> set[tuple[str, str]]:
        pairs = self._sets[i]
        if pairs is None:
            pairs = self._sets[i] = _bigrams(self.words[i])
        return pairs

    def __iter__(self) -> Iterator[set[tuple[str, str]]]:
        return (self[i] for i in range(len(self.words)))


def _first_cover(parts: _Pairs, k: int, pool: _Pairs, share: float, start: int) -> int | None:
    """Index of a line of `pool` whose pairs hold at least `share` of the pairs of line `k` of `parts` (if it
    has any), looked for from `start` on and then from the top; None when there is none."""
    words = parts.words[k]
    if " " not in words:  # one syllable or none: no pairs
        return None
    need = None
    for i in itertools.chain(range(start, len(pool)), range(start)):
        if pool.words[i] == words:  # the same syllables: every pair
            return i
        if need is None:
            need = share * len(parts[k])
        if len(parts[k] & pool[i]) >= need:
            return i
    return None


def _check_summary(parsed: dg.DigestText, report: FileReport, block_items: list[int]) -> None:
    """Cross-check the opening summary against the item blocks, both ways."""
    if not parsed.summary_entries:
        report.warn("no_summary", "no opening summary paragraph to check the items against")
        return
    entries = _Pairs(parsed.summary_words)
    heads = _Pairs([b.words[0] for b in parsed.blocks])
    texts: dict[int, set[tuple[str, str]]] = {}  # headline and first two paragraphs, made when needed

    def text(i: int) -> set[tuple[str, str]]:
        if i not in texts:
            texts[i] = heads[i] | _bigrams(*parsed.blocks[i].words[1:3])
        return texts[i]

    def covered(part: set[tuple[str, str]], pool: Iterable[set[tuple[str, str]]], share: float) -> bool:
        return bool(part) and any(len(part & w) >= share * len(part) for w in pool)

    reported: set[int] = set()
    at = 0
    for k, (block, item_no) in enumerate(zip(parsed.blocks, block_items, strict=True)):
        if item_no in reported:
            continue
        reported.add(item_no)
        # Summary and blocks mostly run in the same order: looking from after the last match on finds the
        # next one at once (any match will do, so where the search starts changes nothing).
        found = _first_cover(heads, k, entries, 0.6, at)
        if found is not None:
            at = found + 1
        elif not any(covered(e, [heads[k]], 0.8) for e in entries):
            report.warn("not_in_summary", f"item '{block.headline[:70]}' is not listed in the opening summary", item_no)
    at = 0
    for k, entry in enumerate(parsed.summary_entries):
        # A headline is part of its text: an entry its headline covers needs no paragraph bigrams.
        found = _first_cover(entries, k, heads, 0.6, at)
        if found is not None:
            at = found + 1
            continue
        if covered(entries[k], map(text, range(len(heads))), 0.6):
            continue
        # Headlines run together (a comma or nothing instead of ";"): each is inside the entry.
        if sum(covered(h, [entries[k]], 0.8) for h in heads) >= 2:
            continue
        report.warn("summary_without_item", f"summary entry '{entry[:70]}' has no item block")


def cross_digest(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark the same document reported in several digests: count them, keep one first report."""
    if frame.empty:
        return frame
    frame = frame.sort_values(["week_start", "digest_id", "item_no"], kind="stable").reset_index(drop=True)
    frame["reported_in"] = frame.groupby("item_key")["digest_id"].transform("nunique").astype("int64")
    frame["first_report"] = ~frame.duplicated("item_key", keep="first")
    return frame


def parse_bytes(data: bytes, name: str, vocab: Vocab | None = None) -> tuple[list[dict[str, Any]], FileReport]:
    """Parse one digest file's bytes into item rows and its report (the unit the library caches).

    `name` is the file name recorded in `source`; its extension picks the format (.txt, .html, .md).
    """
    vocab = vocab or load_vocab(PROFILE_DIR)
    set_code_aliases(vocab.code_aliases)
    report = FileReport(path=name)
    if len(data) > MAX_FILE_BYTES:
        report.error("too_large", too_large(len(data)))
        return [], report
    try:
        text, report.encoding = read_text(Path(name), data)
    except DecodeError as exc:
        report.error(exc.code, str(exc))
        return [], report
    return parse_digest(text, Path(name).name, vocab, report), report


def parse_file(path: Path, vocab: Vocab | None = None) -> tuple[list[dict[str, Any]], FileReport]:
    """Read (`files.read_file`: regular files within the size limit only) and parse one file."""
    try:
        data = read_file(path)
    except OSError as exc:
        return [], unread_report(path, exc)
    rows, report = parse_bytes(data, path.name, vocab)
    report.path = str(path)
    return rows, report


def unread_report(path: Path, exc: OSError) -> FileReport:
    """The report of a file that `files.read_file` refused or could not read."""
    report = FileReport(path=str(path))
    if isinstance(exc, ReadRefused):
        report.error(exc.code, exc.reason)
    else:
        report.error("unreadable", f"cannot read the file: {exc.strerror or exc}")
    return report


def kept_parts(parsed: Iterable[tuple[Part, FileReport]]) -> tuple[LoadReport, list[tuple[int, Part]]]:
    """The load report of per-file results, and the (file position, rows) that count: a digest given
    twice counts once (the later file gets a "duplicate" error). `rows` is anything with a length."""
    report = LoadReport()
    kept: list[tuple[int, Part]] = []
    seen: dict[str, str] = {}
    for i, (file_rows, file_report) in enumerate(parsed):
        report.files.append(file_report)
        if len(file_rows) and file_report.digest_id in seen:
            file_report.items = 0
            file_report.error("duplicate", f"same digest as {seen[file_report.digest_id]}: skipped")
            continue
        if len(file_rows):
            seen[file_report.digest_id] = file_report.path
            kept.append((i, file_rows))
    return report, kept


def combine(parsed: Iterable[tuple[list[dict[str, Any]], FileReport]]) -> tuple[pd.DataFrame, LoadReport]:
    """One validated items frame from per-file results: a digest given twice counts once."""
    report, kept = kept_parts(parsed)
    rows = [row for _, part in kept for row in part]
    # Column by column: pandas makes a frame of lists faster than one of row dicts (same columns and dtypes).
    columns = {name: [row[name] for row in rows] for name in rows[0]} if rows else {}
    items = coerce_items(cross_digest(pd.DataFrame(columns))) if rows else empty_items()
    validate_items(items)
    return items, report


def load(
    paths: Iterable[str | Path], progress: Progress | None = None, vocab_dir: Path = PROFILE_DIR
) -> tuple[pd.DataFrame, LoadReport]:
    """Parse digest files and folders into (items, report). Never raises for bad input."""
    vocab = load_vocab(vocab_dir)
    files = list(walk(paths))

    def parsed() -> Iterator[tuple[list[dict[str, Any]], FileReport]]:
        for n, path in enumerate(files, start=1):
            if progress:
                progress(n, len(files), str(path))
            yield parse_file(path, vocab)

    return combine(parsed())
