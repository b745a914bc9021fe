"""Command line: `python -m loaders PATH... --out FILE` parses digests and writes the items table.

Prints a one-screen summary (digests, items, warnings); shows progress on long loads; exits non-zero only
when nothing could be loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from loaders.export import SUFFIXES, write_table
from loaders.pipeline import load

MAX_PROBLEM_LINES = 25


def _progress(n: int, total: int, path: str) -> None:
    if ((total >= 20 and sys.stderr.isatty()) or total >= 200) and (n == total or n % max(1, total // 50) == 0):
        print(f"\r  parsing {n}/{total} files…", end="" if n < total else "\n", file=sys.stderr, flush=True)


def export_main(argv: list[str]) -> int:
    """Parse PATH... and write the items table to --out; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders",
        description="Parse weekly digests of UBND tỉnh Lạng Sơn into one items table.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="digest files (.txt, .html, .md) or folders")
    parser.add_argument("--out", type=Path, help=f"output file: {', '.join(SUFFIXES)} by its extension")
    parser.add_argument("--all-problems", action="store_true", help="list every warning, not only the first")
    args = parser.parse_args(argv)
    if args.out and args.out.suffix.lower() not in SUFFIXES:
        parser.error(f"--out must end in one of {', '.join(SUFFIXES)}")

    items, report = load(args.paths, progress=_progress)
    lines = report.summary_lines()
    if not args.all_problems and len(lines) > MAX_PROBLEM_LINES:
        hidden = len(lines) - MAX_PROBLEM_LINES
        lines = [*lines[:MAX_PROBLEM_LINES], f"  … {hidden} more line(s): use --all-problems"]
    print("\n".join(lines))
    if items.empty:
        print("Nothing could be loaded.", file=sys.stderr)
        return 1
    unique = int(items["first_report"].sum())
    print(f"{len(items)} item rows ({unique} unique documents/items) from {items['digest_id'].nunique()} digests.")
    if args.out:
        try:
            write_table(items, args.out)
        except OSError as exc:
            print(f"{args.out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"Wrote {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m loaders`."""
    return export_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
