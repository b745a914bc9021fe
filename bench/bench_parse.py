"""Parse benchmark: MB/s and items/s of `loaders.load` on a corpus of ≥ 1,000 digests, and the ratio of the
full parse to simply reading, NFC-normalising and regex-scanning the same bytes in the same run.

The corpus is SYNTHETIC: each bundled digest is replicated with its document numbers renumbered
(435/UBND-NC -> 435007/UBND-NC for copy 7), so every copy is a distinct digest with the same structure.

    python bench/bench_parse.py [--copies 200] [--repeat 3]

Target (issue 2): full parse within 4x of the scan.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import loaders  # noqa: E402
from loaders.symbols import DATE_RE, SYMBOL_RE  # noqa: E402

SYMBOL_NUMBER = re.compile(r"(?<![\w/])(\d{1,6})(\s?/\s?(?:(?:19|20)\d\d\s?/\s?)?[^\W\d_])")


def build_corpus(folder: Path, copies: int) -> int:
    """Write `copies` renumbered copies of every bundled digest into `folder`; return the byte count."""
    total = 0
    for seed in sorted((ROOT / "data" / "digests").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        for k in range(copies):
            body = SYMBOL_NUMBER.sub(lambda m, k=k: f"{m[1]}{k:03d}{m[2]}", text)
            data = body.encode("utf-8")
            (folder / f"{seed.stem}_copy{k:04d}.txt").write_bytes(data)
            total += len(data)
    return total


def scan(files: list[Path]) -> int:
    """The baseline: read, decode, NFC-normalise and regex-scan every file; returns the match count."""
    found = 0
    for path in files:
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8"))
        found += sum(1 for _ in SYMBOL_RE.finditer(text)) + sum(1 for _ in DATE_RE.finditer(text))
    return found


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=200, help="copies of each of the 5 seeds (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is kept")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = build_corpus(folder, args.copies)
        files = sorted(folder.glob("*.txt"))
        scan_s, matches = best_of(args.repeat, lambda: scan(files))
        parse_s, (items, report) = best_of(args.repeat, lambda: loaders.load([folder]))

    mb = size / 2**20
    print(
        f"corpus: SYNTHETIC, {len(files)} digests ({args.copies} renumbered copies of each bundled digest), {mb:.1f} MB"
    )
    print(f"scan  (read + NFC + regex): {scan_s:6.2f} s  {mb / scan_s:7.1f} MB/s  ({matches} matches)")
    print(
        f"parse (loaders.load)      : {parse_s:6.2f} s  {mb / parse_s:7.1f} MB/s  "
        f"{len(items) / parse_s:8.0f} items/s  ({len(items)} items, {len(report.failed)} failed files)"
    )
    ratio = parse_s / scan_s
    print(f"ratio parse/scan: {ratio:.2f}x  (target <= 4x: {'met' if ratio <= 4 else 'NOT met'})")


if __name__ == "__main__":
    main()
