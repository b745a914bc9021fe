"""Command line of the loaders and of the library of digests.

    python -m loaders PATH... [--out FILE] [--headers names|vi|en] [--no-meta]
                                                 parse digests and write the items table (.csv/.xlsx/.parquet)
    python -m loaders add PATH... [--yes] [--replace | --keep-both]
                                                 add digest files, folders or .zip files to the library
    python -m loaders fetch URL... [--since YYYY-MM-DD] [--max-pages N] [--delay S] [--allow-host HOST] [--yes]
    python -m loaders fetch --update [--yes]     download digests from the portal (digest or listing pages)
    python -m loaders list                       the digests in the library
    python -m loaders remove DIGEST_ID [--yes]   move a digest to the library's trash
    python -m loaders trash                      what is in the trash
    python -m loaders restore TRASH_ID           put a digest back from the trash
    python -m loaders brief --week 2023-W32 [--compare 4] [--lang vi|en] --out brief.docx|brief.md|brief.html
                                                 the weekly brief of one week of the library
    python -m loaders log [--limit N]            the audit log: who added, replaced, removed, restored what
    python -m loaders hash-password [--stdin]    hash the dashboard's editor password (for secrets.toml)

The library is $DASHBOARD_DATA_DIR when set, else the bundled data/ folder. Changes are logged in its audit
log under the operating-system user's name. Exit codes: 0 done, 1 nothing
done (or something refused) because of bad input, 2 usage error (including a confirmation that cannot be
asked because stdin is not a terminal: pass --yes), 130 fetch interrupted (run it again to resume).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from pathlib import Path

import pandas as pd

from loaders import fetch
from loaders.catalog import catalog, translate
from loaders.export import HEADERS, SUFFIXES, Meta, data_date, write_table
from loaders.library import (
    CONFLICT,
    KEEP_BOTH,
    KEEP_STORED,
    NEW,
    REFUSED,
    REPLACE,
    SAME,
    Candidate,
    Library,
    LibraryError,
    Source,
)
from loaders.passwords import PASSWORD_HASH_ENV, hash_password
from loaders.pipeline import load
from loaders.vocab import load_portal

MAX_PROBLEM_LINES = 25
#: Warnings shown per file in the `add` preview.
MAX_WARNINGS_SHOWN = 5
OK, BAD_INPUT, USAGE = 0, 1, 2
INTERRUPTED = 130  # Ctrl-C, as shells report it


def _progress(n: int, total: int, path: str) -> None:
    if ((total >= 20 and sys.stderr.isatty()) or total >= 200) and (n == total or n % max(1, total // 50) == 0):
        print(f"\r  parsing {n}/{total} files…", end="" if n < total else "\n", file=sys.stderr, flush=True)


def export_meta(paths: list[Path], items: pd.DataFrame, headers: str) -> Meta:
    """The citation block of a CLI export, in Vietnamese with Vietnamese headers, else in English: what was
    read, when, the data date (latest week) and the counts."""
    cat, language = catalog(), "vi" if headers == "vi" else "en"
    rows = (
        ("sources", "; ".join(str(p.resolve()) for p in paths)),
        ("parsed_at", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        ("data_date", data_date(items, language)),
        ("digests", str(items["digest_id"].nunique())),
        ("rows", str(len(items))),
        ("made_by", "python -m loaders"),
    )
    return [(translate(cat, f"export.{key}", language), value) for key, value in rows]


def export_main(argv: list[str]) -> int:
    """Parse PATH... and write the items table to --out; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders",
        description="Parse the weekly digests of a provincial People's Committee into one items table.",
        epilog="Library commands: python -m loaders {add,list,remove,trash,restore,log,brief,hash-password} --help",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="digest files (.txt, .html, .md) or folders")
    parser.add_argument("--out", type=Path, help=f"output file: {', '.join(SUFFIXES)} by its extension")
    parser.add_argument(
        "--headers",
        choices=HEADERS,
        default="names",
        help="column headers: schema names (default), Vietnamese (vi) or English (en) labels",
    )
    parser.add_argument(
        "--no-meta",
        action="store_true",
        help="no citation block (sources, parse date, latest week) before a CSV table or as an XLSX sheet",
    )
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
        return BAD_INPUT
    unique = int(items["first_report"].sum())
    print(f"{len(items)} item rows ({unique} unique documents/items) from {items['digest_id'].nunique()} digests.")
    if args.out:
        try:
            meta = None if args.no_meta else export_meta(args.paths, items, args.headers)
            write_table(items, args.out, args.headers, meta)
        except OSError as exc:
            print(f"{args.out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return BAD_INPUT
        print(f"Wrote {args.out}")
    return OK


# ------------------------------------------------------------------------ library commands


def _confirm(question: str) -> bool | None:
    """The user's yes/no answer; None when stdin is not a terminal (nobody to ask)."""
    if not sys.stdin.isatty():
        return None
    print(f"{question} [y/N] ", end="", flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes", "c", "có", "co")


def _ask_choice(question: str, choices: dict[str, str]) -> str:
    """One of `choices`' values, picked by its key letter (the first is the default)."""
    default = next(iter(choices.values()))
    print(question, flush=True)
    answer = sys.stdin.readline().strip().lower()[:1]
    return choices.get(answer, default)


def _refusal(command: str, question: str) -> int | None:
    """Ask `question`; None when the user agreed, else the exit code that ends `command`."""
    answer = _confirm(question)
    if answer is None:
        print(f"{command}: stdin is not a terminal, so nobody can confirm: pass --yes to go ahead.", file=sys.stderr)
        return USAGE
    if not answer:
        print("Cancelled: nothing was changed.")
        return OK
    return None


def _open_library() -> Library:
    """The library, after finishing any write a killed writer left half-done (said on stdout)."""
    library = Library()
    print(f"Library: {library.root}")
    try:
        finished = library.recover()
    except LibraryError as exc:
        print(f"  could not finish an interrupted write: {exc}", file=sys.stderr)
        return library
    for record in finished:
        print(f"  finished an interrupted {record['action']} of {record['file']}")
    return library


def _print_candidate(cand: Candidate) -> None:
    label = {NEW: "NEW", SAME: "SAME", CONFLICT: "CONFLICT", REFUSED: "REFUSED"}[cand.status]
    if cand.status == REFUSED:
        print(f"  {label:<9} {cand.message}")
        return
    print(
        f"  {label:<9} {cand.name}: week {cand.week_label}, {cand.items} items, "
        f"{len(cand.warnings)} warning(s) [digest {cand.digest_id}]"
    )
    if cand.source:
        print(f"            from {cand.source.url}")
    if cand.reason:
        print(f"            {cand.reason}")
    for stored in cand.conflicts_with:
        only_new, only_stored = cand.differences(stored)
        print(
            f"            vs {stored.file_name}: {len(only_new)} item(s) only in the upload, "
            f"{len(only_stored)} only in the stored digest"
        )
        for h in only_new[:3]:
            print(f"              + {h[:100]}")
        for h in only_stored[:3]:
            print(f"              - {h[:100]}")
    if cand.status == SAME:
        return  # nothing will be done with it: its warnings are the stored copy's
    for p in cand.warnings[:MAX_WARNINGS_SHOWN]:
        where = f" [item {p.item_no}]" if p.item_no else ""
        print(f"            warning: {p.code}{where}: {p.message}")
    if len(cand.warnings) > MAX_WARNINGS_SHOWN:
        print(f"            … {len(cand.warnings) - MAX_WARNINGS_SHOWN} more warning(s)")


def _storing_options(parser: argparse.ArgumentParser) -> None:
    """--yes, --replace and --keep-both: how `add` and `fetch` store what they preview."""
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--replace",
        action="store_true",
        help="when the library has another digest for the same week, move it to the trash",
    )
    how.add_argument(
        "--keep-both", action="store_true", help="when the library has another digest for the same week, keep both"
    )


def add_main(argv: list[str]) -> int:
    """`add PATH...`: preview, confirm, store; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders add", description="Add digest files, folders of them or .zip files to the library."
    )
    parser.add_argument("paths", nargs="+", type=Path, help="digest files (.txt, .html, .htm, .md), folders, .zip")
    _storing_options(parser)
    args = parser.parse_args(argv)
    library = _open_library()
    return _store("add", library, library.preview_paths(args.paths), args)


def _store(command: str, library: Library, candidates: list[Candidate], args: argparse.Namespace) -> int:
    """Show the preview, resolve conflicts, confirm and store, as `add` does (`command` is the audit action:
    "add" or "fetch"); return the exit code."""
    for cand in candidates:
        _print_candidate(cand)
    refused = [c for c in candidates if c.status == REFUSED]
    conflicts = [c for c in candidates if c.status == CONFLICT]
    new = [c for c in candidates if c.status == NEW]

    resolve: dict[str, str] = {}
    default = REPLACE if args.replace else KEEP_BOTH if args.keep_both else None
    for cand in conflicts:
        if default:
            resolve[cand.digest_id] = default
        elif not args.yes and sys.stdin.isatty():
            choices = {"k": KEEP_STORED, "r": REPLACE, "b": KEEP_BOTH}
            first = next(k for k, v in choices.items() if v == cand.default_choice)
            resolve[cand.digest_id] = _ask_choice(
                f"{cand.name} differs from the stored digest of week {cand.week_label}: "
                "[k]eep the stored one, [r]eplace it (it goes to the trash), keep [b]oth? "
                f"(default: {first}) ",
                {first: cand.default_choice, **choices},
            )
        else:
            resolve[cand.digest_id] = cand.default_choice  # keep the stored one, unless the new one is the better
    to_write = len(new) + sum(resolve[c.digest_id] != KEEP_STORED for c in conflicts)
    if not to_write:
        print("Nothing to add.")
        if any(c.status == SAME and c.source for c in candidates):
            try:  # no digest to write, only where the stored ones were found: fetch will not download them again
                library.add(candidates, resolve, action=command)
            except LibraryError as exc:
                print(f"{command}: {exc}", file=sys.stderr)
        if conflicts:
            print("  Conflicts were kept as stored: use --replace or --keep-both to change that.")
        return BAD_INPUT if refused else OK
    if not args.yes and (code := _refusal(command, f"Add {to_write} digest(s) to {library.root}?")) is not None:
        return code
    try:
        result = library.add(candidates, resolve, action=command)
    except LibraryError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return BAD_INPUT
    for entry in result.added:
        print(f"  added    {entry.file_name} (week {entry.week_label}, {entry.items} items)")
    for t in result.trashed:
        print(f"  trashed  {t.original} ({t.reason}); undo: python -m loaders restore {t.trash_id}")
    for cand, reason in result.skipped:
        if cand.status != REFUSED:
            print(f"  skipped  {cand.name}: {reason}")
    print(f"{len(result.added)} digest(s) added, {len(result.trashed)} moved to the trash, {len(refused)} refused.")
    return BAD_INPUT if refused else OK


def fetch_main(argv: list[str]) -> int:
    """`fetch URL...` / `fetch --update`: download digests from the portal, then store them as `add` does."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders fetch",
        description="Download digests from the provincial portal into the library. Each URL is a digest page or a "
        "listing page (category, archive, search results) whose digest links and next pages are followed.",
    )
    parser.add_argument("urls", nargs="*", help="digest or listing pages")
    parser.add_argument(
        "--update", action="store_true", help="re-read the portal's listing pages (portal.yaml) for new weeks"
    )
    parser.add_argument("--since", type=_iso_date, help="skip digests of weeks ending before YYYY-MM-DD")
    parser.add_argument(
        "--max-pages", type=int, default=fetch.DEFAULT_MAX_PAGES, help="listing pages to read (default %(default)s)"
    )
    parser.add_argument(
        "--delay", type=float, default=fetch.DEFAULT_DELAY, help="seconds between requests (default %(default)s)"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also fetch from HOST, even when it resolves to a private or loopback address",
    )
    parser.add_argument("--timeout", type=float, default=fetch.READ_TIMEOUT, help="read timeout in seconds")
    _storing_options(parser)
    args = parser.parse_args(argv)
    if args.delay < 0 or args.max_pages < 1 or args.timeout <= 0:
        parser.error("--delay must be >= 0, --max-pages >= 1 and --timeout > 0")
    library = _open_library()
    portal = load_portal(library.vocab_dir)
    urls = list(args.urls)
    since = args.since
    if args.update:
        urls += portal.listings
        weeks = [e.week_start for e in library.entries() if e.loaded and e.week_start]
        since = since or (max(weeks) if weeks else None)
    if not urls:
        parser.error("give at least one URL, or --update")

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with fetch.Fetcher(
        portal=portal,
        allow_hosts=args.allow_host,
        delay=args.delay,
        cache_dir=library.root / ".cache" / "fetch",
        known=library.known_urls(),
        timeout=(min(fetch.CONNECT_TIMEOUT, args.timeout), args.timeout),
        log=log,
    ) as fetcher:
        try:
            found = fetcher.crawl(urls, since=since, max_pages=args.max_pages)
        except KeyboardInterrupt:
            print("fetch: interrupted; nothing was stored. Run the same command again: the digest pages already")
            print("  downloaded are kept in the library's .cache/fetch/ and are not downloaded again.")
            return INTERRUPTED
        pages = {p.name: p for p in found.digests}
        candidates = library.preview(
            [(name, p.data) for name, p in pages.items()],
            {name: Source(p.url, p.fetched_at) for name, p in pages.items()},
        )
        summary = (
            f"Fetched: {fetcher.requests} request(s), {len(found.listings)} listing page(s), "
            f"{len(found.digests)} digest page(s) ({found.from_cache} from an interrupted run), "
            f"{len(found.stored)} already stored, {len(found.older)} before --since; "
            f"{sum(c.status == NEW for c in candidates)} new, {sum(c.status == SAME for c in candidates)} same, "
            f"{sum(c.status == CONFLICT for c in candidates)} conflict(s), "
            f"{len(found.refused) + sum(c.status == REFUSED for c in candidates)} refused."
        )
        for refusal in found.refused:
            print(f"  REFUSED   {refusal.message}")
        code = _store("fetch", library, candidates, args) if candidates else OK
        fetcher.forget(library.known_urls())
    print(summary)
    return BAD_INPUT if found.refused and code == OK else code


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a YYYY-MM-DD date") from exc


def list_main(argv: list[str]) -> int:
    """`list`: the digests of the library."""
    argparse.ArgumentParser(prog="python -m loaders list", description="List the digests in the library.").parse_args(
        argv
    )
    library = Library()
    entries = library.entries()
    print(f"Library: {library.root} — {len(entries)} file(s)")
    if entries:
        print(f"  {'DIGEST_ID':<16}  {'WEEK':<21}  {'ITEMS':>5}  {'WARN':>4}  {'SIZE':>7}  {'ADDED':<16}  FILE")
    for e in entries:
        added = f"{e.added_at:%Y-%m-%d %H:%M}" if e.added_at else "?"
        print(
            f"  {e.digest_id or '-':<16}  {e.week_label:<21}  {e.items:>5}  {e.warnings:>4}  "
            f"{e.size / 1024:>5.0f}kB  {added:<16}  {e.file_name}"
        )
        for err in e.errors:
            print(f"      error: {err}")
    return OK


def remove_main(argv: list[str]) -> int:
    """`remove DIGEST_ID`: confirm, then move the digest to the trash."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders remove", description="Move a digest to the library's trash (undo with restore)."
    )
    parser.add_argument("digest_id", help="digest id (or a unique prefix of it), or file name, from `list`")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    args = parser.parse_args(argv)
    library = _open_library()
    try:
        entry = library.find(args.digest_id)
    except LibraryError as exc:
        print(f"remove: {exc}", file=sys.stderr)
        return BAD_INPUT
    question = f"Move {entry.file_name} (week {entry.week_label}, {entry.items} items) to the trash?"
    if not args.yes and (code := _refusal("remove", question)) is not None:
        return code
    try:
        trashed = library.remove(entry.file_name)
    except LibraryError as exc:
        print(f"remove: {exc}", file=sys.stderr)
        return BAD_INPUT
    print(f"Moved {trashed.original} to the trash; undo: python -m loaders restore {trashed.trash_id}")
    return OK


def trash_main(argv: list[str]) -> int:
    """`trash`: what is in the trash."""
    argparse.ArgumentParser(prog="python -m loaders trash", description="List the library's trash.").parse_args(argv)
    library = Library()
    entries = library.trash()
    print(f"Trash of {library.root}: {len(entries)} file(s)")
    for t in entries:
        print(
            f"  {t.trash_id:<28}  removed {t.removed_at.astimezone():%Y-%m-%d %H:%M}  week {t.week_label:<21}  "
            f"{t.items:>3} items  {t.original}  ({t.reason})"
        )
    return OK


def restore_main(argv: list[str]) -> int:
    """`restore TRASH_ID`: put a digest back from the trash."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders restore", description="Put a digest back from the library's trash."
    )
    parser.add_argument("trash_id", help="id shown by `python -m loaders trash`")
    args = parser.parse_args(argv)
    library = _open_library()
    try:
        entry = library.restore(args.trash_id)
    except LibraryError as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return BAD_INPUT
    print(f"Restored {entry.file_name} (week {entry.week_label}, {entry.items} items).")
    others = [e for e in library.entries() if e.week_start == entry.week_start and e.file_name != entry.file_name]
    if entry.week_start and others:
        print(f"  note: the library also has {', '.join(e.file_name for e in others)} for that week.")
    return OK


#: The dashboard's weeks page (its url_path in dashboard.py; tests/test_brief.py keeps them equal).
WEEKS_PATH = "theo-tuan"


def brief_main(argv: list[str]) -> int:
    """`brief --week W --out FILE`: the weekly brief of the library's digests as .docx, .md or .html."""
    from loaders import brief
    from loaders.catalog import LANGUAGES
    from loaders.vocab import load_vocab

    parser = argparse.ArgumentParser(
        prog="python -m loaders brief",
        description="The weekly brief of one week of the library: Word (.docx), Markdown (.md) or print-ready HTML.",
    )
    parser.add_argument("--week", required=True, help="ISO week, e.g. 2023-W32")
    parser.add_argument("--compare", type=int, default=4, help="previous weeks with a digest to compare with (4)")
    parser.add_argument("--lang", choices=LANGUAGES, default="vi", help="language of the brief (vi)")
    parser.add_argument("--out", type=Path, required=True, help=f"output file: {', '.join(brief.FORMATS)}")
    parser.add_argument(
        "--dashboard-url",
        default=os.environ.get("DASHBOARD_URL", "http://localhost:8501"),
        help="address of the dashboard, for the link in the footer ($DASHBOARD_URL or http://localhost:8501)",
    )
    args = parser.parse_args(argv)
    suffix = args.out.suffix.lower()
    if suffix not in brief.FORMATS:
        print(f"brief: {args.out}: unknown format '{suffix}' (use {', '.join(brief.FORMATS)})", file=sys.stderr)
        return USAGE
    library = Library()
    items, report = library.load()
    if items.empty:
        print(f"brief: no digest could be loaded from {library.digests_dir}", file=sys.stderr)
        return BAD_INPUT
    vocab = load_vocab()
    link = f"{args.dashboard_url.rstrip('/')}/{WEEKS_PATH}?week={args.week}"
    try:
        model = brief.build_brief(
            items,
            args.week,
            compare=args.compare,
            titles={f.digest_id: f.title for f in report.files},
            meta=brief.file_meta(items, args.lang, link),
            type_codes=list(vocab.type_names),
            central=list(vocab.central_issuers),
        )
    except ValueError as exc:
        print(f"brief: {exc}", file=sys.stderr)
        return BAD_INPUT
    names = {s.name_vi: s.name_en for s in vocab.sectors}
    data = brief.render(brief.brief_blocks(model, args.lang, names), suffix, args.lang)
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        print(f"brief: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return BAD_INPUT
    print(f"Brief of week {args.week} ({len(model.items)} items) written to {args.out}")
    return OK


def log_main(argv: list[str]) -> int:
    """`log`: the audit log, latest first."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders log", description="Show the library's audit log, latest first."
    )
    parser.add_argument("--limit", "-n", type=int, default=50, help="show at most N records (default 50; 0: all)")
    args = parser.parse_args(argv)
    if args.limit < 0:
        parser.error("--limit must be 0 or more")
    library = Library()
    records = library.log(args.limit or None)
    print(f"Audit log of {library.root}: {len(records)} record(s) shown, latest first")
    for r in records:
        digest = r.get("digest_id") or "-"
        print(f"  {r.get('time', '?'):<20}  {r.get('action', '?'):<8}  {r.get('file', '?')}  [digest {digest}]")
        print(f"  {'':<20}  by {r.get('who', '?')}; sha256 {str(r.get('sha256', ''))[:16]}…", end="")
        details = [f"trash {r['trash_id']}"] if r.get("trash_id") else []
        details += [f"replaced {x.get('file')} (trash {x.get('trash_id')})" for x in r.get("replaced") or []]
        details += ["finished after an interruption"] if r.get("recovered") else []
        print(f"; {'; '.join(details)}" if details else "")
    return OK


def hash_password_main(argv: list[str]) -> int:
    """`hash-password`: read the editor password (twice, without echo; or one line of stdin) and print its hash."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders hash-password",
        description="Print the argon2 hash of the dashboard's editor password, for .streamlit/secrets.toml "
        f"([dashboard] editor_password_hash) or ${PASSWORD_HASH_ENV}. The password itself is stored nowhere.",
    )
    parser.add_argument("--stdin", action="store_true", help="read the password from the first line of stdin")
    args = parser.parse_args(argv)
    if args.stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        try:
            password = getpass.getpass("Editor password: ")
            if getpass.getpass("Same password again: ") != password:
                print("hash-password: the two passwords differ; nothing was printed.", file=sys.stderr)
                return BAD_INPUT
        except (EOFError, KeyboardInterrupt):
            print("\nhash-password: cancelled.", file=sys.stderr)
            return BAD_INPUT
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        print(f"hash-password: {exc}.", file=sys.stderr)
        return BAD_INPUT
    print(hashed)
    print(
        f'Put it in .streamlit/secrets.toml as [dashboard] editor_password_hash = "{hashed}" '
        f"(or in ${PASSWORD_HASH_ENV}).",
        file=sys.stderr,
    )
    return OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m loaders`."""
    argv = sys.argv[1:] if argv is None else argv
    commands = {
        "add": add_main,
        "fetch": fetch_main,
        "list": list_main,
        "remove": remove_main,
        "trash": trash_main,
        "restore": restore_main,
        "brief": brief_main,
        "log": log_main,
        "hash-password": hash_password_main,
    }
    if argv and argv[0] in commands:
        return commands[argv[0]](argv[1:])
    return export_main(argv)


if __name__ == "__main__":
    sys.exit(main())
