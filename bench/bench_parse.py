"""Parse benchmark: MB/s and items/s of `loaders.load` on a corpus of ≥ 1,000 digests, and the ratio of the
full parse to simply reading, NFC-normalising and regex-scanning the same bytes in the same run.

The corpus is SYNTHETIC: each bundled digest is replicated with its document numbers renumbered
(435/UBND-NC -> 435007/UBND-NC for copy 7), so every copy is a distinct digest with the same structure.
With --redated (issue 8) the copies are instead moved week by week across 2020–2026 (every date in the
text shifted, `bench_dashboard.shift_text`), so items fall on both sides of the 1/7/2025 reform.

    python bench/bench_parse.py [--copies 200] [--repeat 3] [--redated]

The scan is issue 8's: read bytes, decode UTF-8, NFC, count the matches of the symbol and date patterns
below, split lines. Target (issues 2, 8): the full parse, on one core, within 4x of the scan.

Both are timed in CPU seconds of this process (`time.process_time`), alternately: scan, parse, scan, … ,
parse, scan over the --repeat rounds. Printed: each one's best, and the ratio of each parse to the mean of
the scans just before and after it (median over the rounds), which the verdict uses: on a shared machine the
processor's speed changes from one second to the next (other work, throttling), and the bests of the two
can come from different moments; a parse and the scans around it share theirs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_dashboard import shift_text  # noqa: E402

import loaders  # noqa: E402

SCAN_SYMBOL = re.compile(r"(\d+)\s*/\s*(?:(\d{4})/)?([A-ZĐa-zđ&]+)-([A-ZĐa-zđ0-9&]+)")
SCAN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

SYMBOL_NUMBER = re.compile(r"(?<![\w/])(\d{1,6})(\s?/\s?(?:(?:19|20)\d\d\s?/\s?)?[^\W\d_])")


def build_corpus(folder: Path, copies: int, redated: bool = False) -> int:
    """Write `copies` renumbered copies of every bundled digest into `folder`; return the byte count.

    `redated`: copy k of a seed is moved by whole weeks so that the copies step week by week from
    January 2020 (wrapping after 2026), every date in its text shifted alike.
    """
    import datetime as dt

    total = 0
    start, span = dt.date(2020, 1, 6), (dt.date(2026, 12, 28) - dt.date(2020, 1, 6)).days // 7
    for s, seed in enumerate(sorted((ROOT / "data" / "digests").glob("*.txt"))):
        text = seed.read_text(encoding="utf-8")
        monday = loaders.load([seed])[1].files[0].week_start if redated else None
        for k in range(copies):
            body = SYMBOL_NUMBER.sub(lambda m, k=k: f"{m[1]}{k:03d}{m[2]}", text)
            if monday is not None:
                target = start + dt.timedelta(weeks=(k * 5 + s) * span // (copies * 5))  # evenly over the span
                body = shift_text(body, (target - monday).days, renumber=0)
            data = body.encode("utf-8")
            (folder / f"{seed.stem}_copy{k:04d}.txt").write_bytes(data)
            total += len(data)
    return total


def scan(files: list[Path]) -> tuple[int, int]:
    """The baseline: read, decode, NFC-normalise, regex-scan and split every file; (matches, lines)."""
    found = lines = 0
    for path in files:
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8"))
        found += sum(1 for _ in SCAN_SYMBOL.finditer(text)) + sum(1 for _ in SCAN_DATE.finditer(text))
        lines += len(text.splitlines())
    return found, lines


def alternate(repeat: int, scan_fn, parse_fn):
    """CPU seconds of `repeat` runs of `parse_fn`, each between two of `scan_fn` (repeat + 1 of them), and the
    last results: (scan times, parse times, scan result, parse result)."""

    def timed(fn):
        t0 = time.process_time()
        result = fn()
        return time.process_time() - t0, result

    scans, parses = [], []
    seconds, scanned = timed(scan_fn)
    scans.append(seconds)
    for _ in range(repeat):
        seconds, parsed = timed(parse_fn)
        parses.append(seconds)
        seconds, scanned = timed(scan_fn)
        scans.append(seconds)
    return scans, parses, scanned, parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=200, help="copies of each of the 5 seeds (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="parses (each between two scans)")
    parser.add_argument("--redated", action="store_true", help="copies re-dated week by week across 2020–2026")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = build_corpus(folder, args.copies, args.redated)
        files = sorted(folder.glob("*.txt"))
        scans, parses, matches, (items, report) = alternate(
            args.repeat, lambda: scan(files), lambda: loaders.load([folder])
        )
    scan_s, parse_s = min(scans), min(parses)
    rounds = [p / ((before + after) / 2) for p, before, after in zip(parses, scans[:-1], scans[1:], strict=True)]

    mb = size / 2**20
    how = "renumbered, re-dated week by week across 2020–2026" if args.redated else "renumbered"
    print(f"corpus: SYNTHETIC, {len(files)} digests ({args.copies} {how} copies of each bundled digest), {mb:.1f} MB")
    if args.redated and len(items):
        after = (items["week_start"] >= "2025-07-01").mean()
        print(f"  weeks {items['week'].min()} to {items['week'].max()}; {after:.0%} of items after the 1/7/2025 reform")
    print(f"CPU seconds, best of {args.repeat} parses and {args.repeat + 1} scans, run alternately")
    print(
        f"scan  (read + NFC + regex + lines): {scan_s:6.2f} s  {mb / scan_s:7.1f} MB/s  "
        f"({matches[0]} matches, {matches[1]} lines)"
    )
    print(
        f"parse (loaders.load)              : {parse_s:6.2f} s  {mb / parse_s:7.1f} MB/s  "
        f"{len(items) / parse_s:8.0f} items/s  ({len(items)} items, {len(report.failed)} failed files)"
    )
    ratio = statistics.median(rounds)
    print(f"ratio of the bests: {parse_s / scan_s:.2f}x")
    print(f"each parse / the mean of the scans before and after it: {min(rounds):.2f}x to {max(rounds):.2f}x")
    verdict = "met" if ratio <= 4 else "NOT met"
    print(f"ratio parse/scan, median of the {len(rounds)} rounds: {ratio:.2f}x  (target <= 4x: {verdict})")


if __name__ == "__main__":
    main()
