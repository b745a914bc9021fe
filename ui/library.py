"""The "Nạp bản tin" page's logic: previewing uploads and fetched pages, storing them, removing and restoring
digests.

The tables are pure (candidates or entries in, DataFrame out, in the given language). The actions are
widget callbacks: they run before the next script run, so the entrypoint already loads the changed library
and every page shows it in that very run. Whatever happens, the outcome is kept in the session (`FLASH_KEY`)
for the page to show, an error included: a failed write leaves the library as it was (`Library` undoes it).
Text from uploads only ever reaches the page through these DataFrames or `ui.safe.md_escape`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd
import streamlit as st

from loaders import audit, pipeline
from loaders.config import MAX_FILE_BYTES, data_dir
from loaders.fetch import Fetcher
from loaders.library import (
    CONFLICT,
    NEW,
    REFUSED,
    REPLACE,
    RESOLUTIONS,
    SAME,
    AddResult,
    Candidate,
    Entry,
    Library,
    LibraryError,
    Source,
    TrashEntry,
)
from ui import auth, data
from ui.components import whole_numbers
from ui.i18n import DEFAULT_LANG, catalog, translate
from ui.quality import code_label
from ui.safe import md_escape

#: Upload limit per file, in MB as st.file_uploader counts them (2**20 bytes): the loaders' limit.
MAX_UPLOAD_MB = MAX_FILE_BYTES // 2**20
#: Types the uploader offers (the loaders' digest formats and zips of them).
UPLOAD_TYPES = ["txt", "html", "htm", "md", "zip"]

PREVIEW_KEY = "_library_preview"  # PreviewState of the files in the uploader
URL_PREVIEW_KEY = "_library_url_preview"  # PreviewState of the pages fetched from pasted URLs
URLS_KEY = "library_urls"  # the text area of pasted URLs
#: Listing pages read per pasted URL: the page itself (whole archives are for `python -m loaders fetch`).
URL_MAX_PAGES = 1
NONCE_KEY = "_library_nonce"  # part of the uploader's key: bumping it empties the uploader
FLASH_KEY = "_library_flash"  # Flash: outcome of the last action, shown once
CHOICE_PREFIX = "library_choice_"  # + candidate key: the resolution picked for a conflict


class UploadedLike(Protocol):
    """What the page needs from an uploaded file (st.file_uploader's UploadedFile)."""

    name: str
    size: int
    file_id: str

    def getvalue(self) -> bytes:
        """The file's bytes."""


@dataclass
class PreviewState:
    """The preview of the files in the uploader, valid while those files and the library stay the same."""

    signature: tuple[Any, ...]
    candidates: list[Candidate]
    error: str = ""


@dataclass
class Flash:
    """What the last action did, for the page to show once."""

    kind: str  # "success", "info" or "error"
    message: str  # already translated; may contain markdown built from escaped text only
    outcome: pd.DataFrame = field(default_factory=pd.DataFrame)


def _t(key: str, language: str, **values: object) -> str:
    return translate(catalog(), f"library.{key}", language, **values)


def open_library() -> Library:
    """The library the dashboard shows ($DASHBOARD_DATA_DIR or data/)."""
    return Library(data_dir())


def nonce() -> int:
    """The uploader's current generation (its key changes when emptied)."""
    return int(st.session_state.get(NONCE_KEY, 0))


def uploader_key() -> str:
    """Key of the file uploader of this generation."""
    return f"library_upload_{nonce()}"


def candidate_key(cand: Candidate) -> str:
    """A stable key of an upload in a preview (its name and bytes), for widget keys."""
    return f"{cand.sha256[:16]}_{hashlib.sha256(cand.name.encode()).hexdigest()[:8]}"


# ------------------------------------------------------------------------------------------ preview


def preview(library: Library, files: Sequence[UploadedLike]) -> PreviewState:
    """The preview of `files`, parsed once per set of files and library state (reruns reuse it)."""
    signature = (tuple((f.file_id, f.name, f.size) for f in files), library.state_token())
    current = st.session_state.get(PREVIEW_KEY)
    if isinstance(current, PreviewState) and current.signature == signature:
        return current
    state = preview_uploads(library, [(f.name, f.getvalue()) for f in files], signature)
    st.session_state[PREVIEW_KEY] = state
    return state


def preview_uploads(
    library: Library, uploads: list[tuple[str, bytes]], signature: tuple[Any, ...] = ()
) -> PreviewState:
    """Parse (name, bytes) uploads without storing anything; a failure becomes a message, not an exception."""
    try:
        return PreviewState(signature, library.preview(uploads))
    except (LibraryError, OSError, ValueError) as exc:
        return PreviewState(signature, [], str(exc))


def pasted_urls(text: str) -> list[str]:
    """The URLs in pasted text: one per line or separated by spaces, duplicates dropped."""
    return list(dict.fromkeys(text.split()))


def fetcher_for(library: Library) -> Fetcher:
    """The fetcher of the page (polite defaults, the portal's hosts only); tests point it at their server."""
    return Fetcher(cache_dir=library.root / ".cache" / "fetch", known=library.known_urls())


def preview_urls(library: Library, text: str) -> PreviewState:
    """Fetch the pasted digest or listing pages and preview them like uploads; nothing is stored.

    Refused pages become REFUSED candidates named by their URL; pages the library already holds, SAME ones.
    """
    urls = pasted_urls(text)
    try:
        with fetcher_for(library) as fetcher:
            found = fetcher.crawl(urls, max_pages=URL_MAX_PAGES)
        pages = {p.name: p for p in found.digests}
        fetched = library.preview(
            [(name, p.data) for name, p in pages.items()],
            {name: Source(p.url, p.fetched_at) for name, p in pages.items()},
        )
    except (LibraryError, OSError, ValueError) as exc:
        return PreviewState((text,), [], str(exc))
    files = {s.url: name for name, s in library.sources().items()}
    stored = [Candidate(url, b"", SAME, same_as=files.get(url, "")) for url in found.stored]
    refused = [Candidate(r.name, b"", REFUSED, r.reason, r.code) for r in found.refused]
    return PreviewState((text,), [*fetched, *stored, *refused])


def reason(cand: Candidate, language: str) -> str:
    """Why a candidate has its status, in the language (the loaders' own message is the `detail`)."""
    if cand.status == REFUSED:
        return code_label(cand.code, language)
    if cand.status == SAME:
        return _t("reason_same", language, file=cand.same_as)
    if cand.status == CONFLICT:
        truncated = _t("looks_truncated", language)
        files = ", ".join(
            f"{e.file_name} ({_t('n_items', language, n=e.items)}{truncated if e.truncated else ''})"
            for e in cand.conflicts_with
        )
        return " ".join(filter(None, [_t("reason_conflict", language, files=files), completeness(cand, language)]))
    return _t("reason_new", language)


def completeness(cand: Candidate, language: str) -> str:
    """For a conflict, which digest looks complete and what is done by default ("" when neither is truncated)."""
    if cand.default_choice == REPLACE:
        return _t("complete_wins", language)
    if pipeline.looks_truncated(cand.report):
        return _t("upload_truncated", language)
    return ""


def refusal_text(cand: Candidate, language: str) -> str:
    """Why an upload was refused: the problem's words in the language, then (in English only) the loaders'
    own detail, which is English and so never shown on a Vietnamese page."""
    label = code_label(cand.code, language)
    return f"{label}: {cand.reason}" if language != DEFAULT_LANG and cand.reason else label


def preview_table(candidates: Iterable[Candidate], language: str) -> pd.DataFrame:
    """One row per upload (or fetched page, by its URL): file, week, items, warnings, status, reason, and in
    English the loaders' detail."""
    rows = [
        {
            "file": c.source.url if c.source else c.name,
            "week": c.week_label if c.report else "",
            "items": c.items,
            "warnings": len(c.warnings),
            "status": _t(f"status.{c.status}", language),
            "reason": reason(c, language),
            "detail": c.reason if c.status == REFUSED else "",
        }
        for c in candidates
    ]
    frame = pd.DataFrame(rows, columns=["file", "week", "items", "warnings", "status", "reason", "detail"])
    if language == DEFAULT_LANG:
        frame = frame.drop(columns="detail")
    return frame.rename(columns=lambda col: _t(f"col.{col}", language))


def warning_table(cand: Candidate, language: str) -> pd.DataFrame:
    """The warnings of one upload: item number, what the problem means, and in English the parser's own
    message (English, so never shown on a Vietnamese page)."""
    rows = [{"item_no": p.item_no, "problem": code_label(p.code, language), "detail": p.message} for p in cand.warnings]
    frame = pd.DataFrame(rows, columns=["item_no", "problem", "detail"])
    frame["item_no"] = whole_numbers(frame["item_no"])
    if language == DEFAULT_LANG:
        frame = frame.drop(columns="detail")
    return frame.rename(columns=lambda col: _t(f"col.{col}", language))


def differences_table(cand: Candidate, stored: Entry, language: str) -> pd.DataFrame:
    """Items only in the upload and items only in the stored digest, one row each, to help choose."""
    mine, theirs = cand.differences(stored)
    rows = [(_t("only_upload", language), x) for x in mine] + [(_t("only_stored", language), x) for x in theirs]
    return pd.DataFrame(rows, columns=[_t("col.side", language), _t("col.item", language)])


def to_store(candidates: Iterable[Candidate]) -> tuple[int, int]:
    """(new uploads, conflicts awaiting a choice) in a preview."""
    cands = list(candidates)
    return sum(c.status == NEW for c in cands), sum(c.status == CONFLICT for c in cands)


def resolutions(candidates: Iterable[Candidate], choices: dict[str, str]) -> dict[str, str]:
    """`Library.add`'s resolve argument from the choices made per candidate key (the candidate's default —
    keep the stored one, unless it looks truncated and the upload is complete — when no valid choice was made)."""
    out = {}
    for c in candidates:
        if c.status == CONFLICT:
            choice = choices.get(candidate_key(c), c.default_choice)
            out[c.digest_id] = choice if choice in RESOLUTIONS else c.default_choice
    return out


def outcome_table(result: AddResult, language: str) -> pd.DataFrame:
    """What `add` did, one row per file: stored as, skipped (why), moved to the trash."""
    rows = [(e.file_name, _t("outcome_added", language, file=e.file_name)) for e in result.added]
    rows += [
        (c.name, f"{_t('outcome_skipped', language)}: {_skip_reason(c, why, language)}") for c, why in result.skipped
    ]
    by_trash = {t.original: t for t in result.trashed}
    rows += [
        (name, _t("outcome_trashed", language, file=t.reason.removeprefix("replaced by ")))
        for name, t in by_trash.items()
    ]
    return pd.DataFrame(rows, columns=[_t("col.file", language), _t("col.outcome", language)])


def _skip_reason(cand: Candidate, why: str, language: str) -> str:
    if cand.status == CONFLICT:
        return _t("outcome_kept_stored", language)
    if cand.status in (REFUSED, SAME):
        return reason(cand, language)
    return why  # new at preview time, judged again when storing (another upload got there first)


# ------------------------------------------------------------------------------------------ actions


def _after_write() -> None:
    """The library changed: relist it now, and empty the uploader and its preview."""
    data.invalidate()
    _reset_upload()


def _reset_upload() -> None:
    st.session_state.pop(PREVIEW_KEY, None)
    st.session_state.pop(URL_PREVIEW_KEY, None)
    st.session_state[URLS_KEY] = ""
    st.session_state[NONCE_KEY] = nonce() + 1
    for key in [k for k in st.session_state if str(k).startswith(CHOICE_PREFIX)]:
        del st.session_state[key]


def fetch_urls(language: str) -> None:
    """Fetch and preview the pasted URLs (a button callback; editors only: it downloads on the server)."""
    if _editor_or_refuse(language):
        st.session_state[URL_PREVIEW_KEY] = preview_urls(open_library(), str(st.session_state.get(URLS_KEY, "")))


def confirm(language: str, key: str = PREVIEW_KEY) -> None:
    """Store the previewed uploads or fetched pages (a button callback), conflicts as chosen on the page."""
    state = st.session_state.get(key)
    if not isinstance(state, PreviewState) or not _editor_or_refuse(language):
        return
    choices = {
        k.removeprefix(CHOICE_PREFIX): v for k, v in st.session_state.items() if str(k).startswith(CHOICE_PREFIX)
    }
    try:
        result = open_library().add(
            state.candidates,
            resolutions(state.candidates, choices),
            who=auth.editor(),
            action=audit.FETCH if key == URL_PREVIEW_KEY else audit.ADD,
        )
    except (LibraryError, OSError, ValueError) as exc:
        st.session_state[FLASH_KEY] = Flash("error", _t("write_failed", language, error=md_escape(exc)))
        return
    message = (
        _t("added", language, n=len(result.added), s=len(result.skipped))
        if result.changed
        else _t("nothing_added", language, s=len(result.skipped))
    )
    if result.trashed:
        message += " " + _t("replaced", language, n=len(result.trashed))
    st.session_state[FLASH_KEY] = Flash(
        "success" if result.changed else "info", message, outcome_table(result, language)
    )
    _after_write()


def cancel(language: str) -> None:
    """Drop the uploads or fetched pages without storing anything (a button callback)."""
    _reset_upload()
    st.session_state[FLASH_KEY] = Flash("info", _t("cancelled", language))


def remove_confirm_key(file_name: str) -> str:
    """Key of the checkbox confirming the removal of one stored file."""
    return f"library_remove_ok_{hashlib.sha256(file_name.encode()).hexdigest()[:16]}"


def _editor_or_refuse(language: str) -> bool:
    """True when the current user may edit; else the refusal is flashed (the page shows viewers no button, but
    a callback is checked again: roles can change between the run that drew the button and the click)."""
    if auth.can_edit():
        return True
    st.session_state[FLASH_KEY] = Flash("error", translate(catalog(), "auth.not_allowed", language))
    return False


def _write(language: str, action: Callable[[Library], str], done_key: str) -> None:
    """Run a library write from a button callback: flash its outcome, reload the corpus when it worked."""
    if not _editor_or_refuse(language):
        return
    try:
        name = action(open_library())
    except (LibraryError, OSError) as exc:
        st.session_state[FLASH_KEY] = Flash("error", _t("write_failed", language, error=md_escape(exc)))
        return
    st.session_state[FLASH_KEY] = Flash("success", _t(done_key, language, file=md_escape(name)))
    data.invalidate()


def remove(file_name: str, language: str) -> None:
    """Move a stored digest to the trash (a button callback; the page asks for confirmation first)."""
    if not st.session_state.get(remove_confirm_key(file_name)):
        return  # only ever removed after the explicit confirmation
    st.session_state.pop(remove_confirm_key(file_name), None)
    _write(language, lambda library: library.remove(file_name, who=auth.editor()).original, "removed")


def restore(trash_id: str, language: str) -> None:
    """Put a digest back from the trash (a button callback)."""
    _write(language, lambda library: library.restore(trash_id, who=auth.editor()).file_name, "restored")


# ------------------------------------------------------------------------------------------ library tables


def listing(library: Library, language: str) -> tuple[list[Entry], pd.DataFrame, dict[str, str]]:
    """The library's digests, their table (`entries_table`) and their labels in the remove picker, in
    `language`. Shared by every session (never modify them) and made again only when the files or the
    vocabularies change: keyed on the corpus key (`ui.data.get_corpus`), not on a stat of every file."""
    return _listing(str(library.root), data.get_corpus(library.root).key, language)


@st.cache_resource(max_entries=4, show_spinner=False)
def _listing(root: str, corpus_key: str, language: str) -> tuple[list[Entry], pd.DataFrame, dict[str, str]]:
    entries = Library(root).entries()
    n_items = {n: _t("n_items", language, n=n) for n in {e.items for e in entries}}  # once per distinct count
    labels = {e.file_name: f"{e.week_label} · {e.file_name} · {n_items[e.items]}" for e in entries}
    return entries, entries_table(entries, language), labels


def entries_table(entries: Iterable[Entry], language: str) -> pd.DataFrame:
    """The stored digests: file, week, title, items, warnings, errors (the loaders' English messages in
    English, what their codes mean in Vietnamese), size, when added."""
    rows = [
        {
            "file": e.file_name,
            "week": e.week_label,
            "title": e.title,
            "items": e.items,
            "warnings": e.warnings,
            "errors": "; ".join(
                e.errors if language != DEFAULT_LANG else (code_label(c, language) for c in e.error_codes)
            ),
            "size": round(e.size / 1024, 1),
            "added_at": e.added_at.replace(tzinfo=None) if e.added_at else None,
            "digest_id": e.digest_id[:12],
        }
        for e in entries
    ]
    cols = ["file", "week", "title", "items", "warnings", "errors", "size", "added_at", "digest_id"]
    return pd.DataFrame(rows, columns=cols).rename(columns=lambda col: _t(f"col.{col}", language))


def trash_reason(t: TrashEntry, language: str) -> str:
    """Why a file is in the trash, in the language."""
    if t.reason.startswith("replaced by "):
        return _t("trash_replaced", language, file=t.reason.removeprefix("replaced by "))
    return _t("trash_removed", language) if t.reason == "removed" else t.reason


def trash_table(trash: Iterable[TrashEntry], language: str) -> pd.DataFrame:
    """The trash, most recent first: file, former name, week, items, when and why removed."""
    rows = [
        {
            "file": t.file_name,
            "original": t.original,
            "week": t.week_label,
            "items": t.items,
            "removed_at": t.removed_at.astimezone().replace(tzinfo=None),
            "reason": trash_reason(t, language),
        }
        for t in trash
    ]
    cols = ["file", "original", "week", "items", "removed_at", "reason"]
    return pd.DataFrame(rows, columns=cols).rename(columns=lambda col: _t(f"col.{col}", language))


# ------------------------------------------------------------------------------------------ the audit log

#: Records of the audit log the page shows (the CLI's `log --limit 0` shows all).
AUDIT_ROWS = 200


def _local_time(value: object) -> dt.datetime | None:
    """An ISO time of the log (UTC) as local time without a zone, like the other tables; None if unreadable."""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone().replace(tzinfo=None)
    except ValueError:
        return None


def audit_table(records: Iterable[dict[str, Any]], language: str) -> pd.DataFrame:
    """The audit log, latest first: when (local time), who, what, which file and digest, and the details."""
    rows = []
    for r in records:
        action = str(r.get("action", ""))
        details = [_t("audit_trash", language, id=r["trash_id"])] if r.get("trash_id") else []
        details += [_t("audit_replaced", language, file=x.get("file", "?")) for x in r.get("replaced") or []]
        details += [_t("audit_recovered", language)] if r.get("recovered") else []
        rows.append(
            {
                "time": _local_time(r.get("time")),
                "who": str(r.get("who", "")),
                "action": _t(f"action.{action}", language) if action in audit.ACTIONS else action,
                "file": str(r.get("file", "")),
                "digest_id": str(r.get("digest_id") or "")[:12],
                "sha256": str(r.get("sha256") or "")[:12],
                "detail": "; ".join(details),
            }
        )
    cols = ["time", "who", "action", "file", "digest_id", "sha256", "detail"]
    return pd.DataFrame(rows, columns=cols).rename(columns=lambda col: _t(f"col.{col}", language))
