"""Terms page at scale: what is built once per corpus and what each rerun costs, on a SYNTHETIC corpus (the
bundled items replicated, each copy in its own weeks) of ~70,000 items by default.

    python bench/bench_terms.py [--copies 1000]

Prints the one-off costs per corpus (folded texts, syllable index, phrase index), the first use of a term
(its matches with and without the stored index, its contexts: then cached), and what every rerun does (the
rising phrases of the latest 4 weeks) against the 300 ms rerun target; best of 3 runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loaders
from analytics import terms as tm
from loaders.search import build_index, search_keys
from loaders.vocab import load_term_stops


def synthetic(copies: int) -> pd.DataFrame:
    """The bundled items `copies` times, copy k shifted by k*5 weeks (so that each copy has its own weeks)."""
    items, _ = loaders.load([Path(__file__).resolve().parent.parent / "data" / "digests"])
    parts = []
    for k in range(copies):
        part = items.copy()
        part["week_start"] = part["week_start"] + pd.Timedelta(weeks=5 * k)
        part["digest_id"] = part["digest_id"] + f"-{k}"
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    iso = out["week_start"].dt.isocalendar()
    out["week"] = iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)
    return out


def best(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000)
    args = parser.parse_args()
    items = synthetic(args.copies)
    print(f"SYNTHETIC corpus: {len(items):,} items, {items['week'].nunique():,} weeks (bundled items x {args.copies})")

    once_keys, keys = best(lambda: search_keys(items).to_numpy(), 1)
    once_text, text = best(lambda: tm.text_keys(items.assign(search_key=keys)), 1)
    once_index, index = best(lambda: build_index(keys), 1)
    stops = load_term_stops()
    once_phrases, phrases = best(lambda: tm.phrase_index(items["headline"].tolist(), stops), 1)
    print(
        f"once per corpus: search text {once_keys:.0f} ms (the store keeps it), term texts from it {once_text:.0f} ms, "
        f"syllable index {once_index:.0f} ms, phrase index {once_phrases:.0f} ms ({len(phrases.phrases):,} phrases)"
    )

    term = "cửa khẩu"
    scan_ms, scan = best(lambda: tm.term_mask(text, term))
    indexed_ms, indexed = best(lambda: tm.term_mask(text, term, index))
    assert (scan == indexed).all()
    weeks = sorted(items["week"].unique())
    current = items["week"].isin(weeks[-4:]).to_numpy()
    rising_ms, rising = best(lambda: tm.rising_phrases(phrases, current, ~current))
    hits = items[indexed]
    ctx_ms, ctx = best(lambda: tm.contexts(hits, [term]))
    print(f"first use of a term (then cached per corpus and term): '{term}' in {int(indexed.sum()):,} items")
    speedup = scan_ms / max(indexed_ms, 0.01)
    print(f"  matches: scan {scan_ms:.0f} ms, with the index {indexed_ms:.0f} ms ({speedup:.1f}x)")
    print(f"  contexts: {ctx_ms:.0f} ms ({len(ctx):,} hits)")
    ratio = rising_ms / 300
    print(f"every rerun: rising phrases {rising_ms:.0f} ms ({len(rising)} listed) = {ratio:.2f} x the 300 ms target")


if __name__ == "__main__":
    main()
