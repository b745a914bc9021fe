"""Terms page at scale: what the Từ khóa page costs on a SYNTHETIC library of ~70,000 items (bench_dashboard's
`synthesize`: the bundled digests replicated into earlier weeks, renumbered), loaded as the dashboard loads it.

    python bench/bench_terms.py [--copies 1000] [--root /tmp/digest-bench/synthetic-x1000]

Prints what a build of the corpus adds (the phrase index of the headlines, stored beside the search index)
and what a restart reads instead; the rising phrases of the latest 4 weeks on the first visit of the page and
on a rerun, against the 300 ms rerun target; the first use of a term (its matches with and without the
stored syllable index, the contexts the page reads, all contexts as the download reads them). Best of 3 runs
except where it says "once".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard import synthesize

from analytics import terms as tm
from loaders import phrases, search, store
from loaders.library import Library
from loaders.vocab import load_term_stops
from ui.terms import CONTEXT_ITEMS


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
    parser.add_argument("--root", type=Path, default=None, help="default /tmp/digest-bench/synthetic-x<copies>")
    args = parser.parse_args()
    root = synthesize(args.copies, args.root or Path(f"/tmp/digest-bench/synthetic-x{args.copies}"))
    library = Library(root)
    load_ms, (items, _) = best(library.load_items, 1)
    size = f"{len(items):,} items, {items['week'].nunique():,} weeks"
    print(f"SYNTHETIC library {root}: {size}; loaded in {load_ms:.0f} ms")

    stops = load_term_stops()
    headlines = items["headline"].tolist()
    build_ms, built = best(lambda: phrases.build_phrases(headlines, stops), 1)
    key = store.read_manifest(library.store_dir).key
    read_ms, stored = best(lambda: store.read_phrases(library.store_dir, key, phrases.stops_key(stops)))
    assert stored is not None and search.index_of(items, phrases.PhraseIndex) is not None
    print(
        f"phrase index: built in {build_ms:.0f} ms once (when the corpus is built; {len(built.phrases):,} phrases, "
        f"{len(built.rows):,} postings), read from the store in {read_ms:.0f} ms (a restart)"
    )

    weeks = sorted(items["week"].unique())
    current, baseline = items["week"].isin(weeks[-4:]).to_numpy(), items["week"].isin(weeks[:-4]).to_numpy()
    index = search.index_of(items, phrases.PhraseIndex)
    layout_ms, _ = best(lambda: index.by_row, 1)
    first_ms, rising = best(lambda: tm.rising_phrases(index, current, baseline), 1)
    rerun_ms, _ = best(lambda: tm.rising_phrases(index, current, baseline))
    print(
        f"rising phrases (latest 4 weeks, {len(rising)} listed): the index's by-row layout made in {layout_ms:.0f} ms "
        f"once (in the background after a restart); first visit {first_ms:.0f} ms ({first_ms / 300:.2f}x the "
        f"300 ms target), rerun {rerun_ms:.0f} ms ({rerun_ms / 300:.2f}x)"
    )

    term = "cửa khẩu"
    text_ms, text = best(lambda: tm.text_keys(items), 1)
    scan_ms, scan = best(lambda: tm.term_mask(text, term))
    indexed_ms, mask = best(lambda: tm.term_mask(text, term, search.index_of(items)))
    assert (scan == mask).all()
    matched = tm.term_matches(items, {term: mask})
    rows = tm.context_rows(matched, [term], "week")[term]
    shown_ms, shown = best(lambda: tm.contexts(items.loc[rows[:CONTEXT_ITEMS]], [term]))
    every_ms, every = best(lambda: tm.contexts(items.loc[rows], [term]), 1)
    print(f"first use of '{term}' ({len(rows):,} items; term texts cut once per corpus in {text_ms:.0f} ms):")
    speedup = scan_ms / max(indexed_ms, 0.01)
    print(f"  matches: scan {scan_ms:.0f} ms, with the index {indexed_ms:.0f} ms ({speedup:.1f}x)")
    print(
        f"  contexts on the page (first {CONTEXT_ITEMS} items): {shown_ms:.0f} ms ({len(shown):,} hits); "
        f"all of them (the download, once): {every_ms:.0f} ms ({len(every):,} hits, {every_ms / shown_ms:.0f}x)"
    )


if __name__ == "__main__":
    main()
