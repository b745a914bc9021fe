"""Nạp bản tin: upload digests, or fetch them from pasted web addresses ("Nạp từ đường dẫn"): the same preview,
then confirm or cancel, conflicts resolved one by one; and manage the library (remove to the trash with a
confirmation, restore from the trash). Logic lives in ui/library.py. Everyone sees the library, its trash and
its change log; only editors (`ui.auth`) get the uploader, the addresses box and the buttons.

Everything that comes from an uploaded file or a fetched page is shown with st.dataframe / st.text, or through
`md_escape` inside a translated sentence: never as HTML, never as live markdown.
"""

from __future__ import annotations

import streamlit as st

from loaders.library import CONFLICT, REFUSED, RESOLUTIONS, LibraryError
from ui import auth, frame
from ui import components as ui
from ui import library as lib
from ui.i18n import t
from ui.safe import md_escape
from ui.state import get_view

view = get_view()
language = view.lang
library = lib.open_library()
st.title(t("library.title"))
st.caption(t("library.intro", limit=lib.MAX_UPLOAD_MB))
access = auth.access()
auth.panel(access)
if access.can_edit and library.pending():  # a write was interrupted (server killed): finish it first
    try:
        finished = library.recover()
    except LibraryError as exc:
        st.error(t("library.write_failed", error=md_escape(exc)), icon=":material/error:")
    else:
        if finished:
            st.info(t("library.recovered", n=len(finished)), icon=":material/build:")

flash = st.session_state.pop(lib.FLASH_KEY, None)
if isinstance(flash, lib.Flash):
    show = {"success": st.success, "error": st.error}.get(flash.kind, st.info)
    show(flash.message, icon=":material/error:" if flash.kind == "error" else ":material/check_circle:")
    if not flash.outcome.empty:
        st.dataframe(flash.outcome, hide_index=True, width="stretch", key="library_outcome")


def show_preview(state: lib.PreviewState, key: str, source: str) -> None:
    """The preview of uploads or fetched pages (`source` names them): table, refusals, warnings, conflicts
    with a choice each, and the confirm / cancel buttons."""
    if state.error:
        st.error(t("library.preview_failed", error=md_escape(state.error)), icon=":material/error:")
    cands = state.candidates
    st.subheader(t("library.preview_header", n=len(cands)))
    st.caption(t("library.preview_caption"))
    st.dataframe(lib.preview_table(cands, language), hide_index=True, width="stretch", key=f"{source}_preview")
    for cand in cands:
        if cand.status == REFUSED:
            st.error(
                t(
                    "library.refused_file",
                    name=md_escape(cand.name),
                    reason=md_escape(lib.refusal_text(cand, language)),
                ),
                icon=":material/block:",
            )
    for cand in cands:
        if cand.warnings:
            with st.expander(
                t("library.warnings_of", name=md_escape(cand.name), n=len(cand.warnings)), icon=":material/warning:"
            ):
                st.dataframe(
                    lib.warning_table(cand, language),
                    hide_index=True,
                    width="stretch",
                    key=f"library_warnings_{lib.candidate_key(cand)}",
                )

    conflicts = [c for c in cands if c.status == CONFLICT]
    if conflicts:
        st.subheader(t("library.conflicts_header"))
    for cand in conflicts:
        with st.container(border=True):
            for stored in cand.conflicts_with:
                st.markdown(
                    t(
                        "library.conflict_of",
                        name=md_escape(cand.name),
                        n=cand.items,
                        stored=md_escape(stored.file_name),
                        m=stored.items,
                        week=md_escape(cand.week_label),
                    )
                )
                diff = lib.differences_table(cand, stored, language)
                if diff.empty:
                    st.caption(t("library.same_items_other_order"))
                else:
                    st.dataframe(
                        diff,
                        hide_index=True,
                        width="stretch",
                        key=f"library_diff_{lib.candidate_key(cand)}_{stored.sha256[:12]}",
                    )
            if note := lib.completeness(cand, language):
                st.caption(note)
            st.radio(
                t("library.choice"),
                RESOLUTIONS,
                index=RESOLUTIONS.index(cand.default_choice),
                format_func=lambda r: t(f"library.choice_{r}"),
                key=lib.CHOICE_PREFIX + lib.candidate_key(cand),
            )

    n_new, n_conflicts = lib.to_store(cands)
    if n_new or n_conflicts:
        st.caption(t("library.will_store", n=n_new, c=n_conflicts))
    else:
        st.info(t("library.nothing_to_store"), icon=":material/info:")
    row = st.container(horizontal=True)
    row.button(
        t("library.confirm"),
        type="primary",
        icon=":material/save:",
        key=f"{source}_confirm",
        disabled=not (n_new or n_conflicts),
        on_click=lib.confirm,
        args=(language, key),
    )
    row.button(
        t("library.cancel"), icon=":material/close:", key=f"{source}_cancel", on_click=lib.cancel, args=(language,)
    )


# ------------------------------------------------------------------------------------------ upload
if access.can_edit:
    st.header(t("library.upload_header"))
    frame.uploader_words(
        t("library.browse"),
        t("library.per_file", limit=lib.MAX_UPLOAD_MB, types=", ".join(x.upper() for x in lib.UPLOAD_TYPES)),
        t("library.drop_here"),
    )
    files = st.file_uploader(
        t("library.uploader"),
        type=lib.UPLOAD_TYPES,
        accept_multiple_files=True,
        max_upload_size=lib.MAX_UPLOAD_MB,
        key=lib.uploader_key(),
        help=t("library.uploader_help"),
    )
    if files:
        with st.spinner(t("common.loading")):
            upload_state = lib.preview(library, files)
        show_preview(upload_state, lib.PREVIEW_KEY, "library")

    # -------------------------------------------------------------------------------------- from URLs
    st.header(t("library.urls_header"))
    st.text_area(
        t("library.urls"), key=lib.URLS_KEY, placeholder=t("library.urls_placeholder"), help=t("library.urls_help")
    )
    st.button(
        t("library.urls_fetch"),
        icon=":material/download:",
        key="library_urls_fetch",
        on_click=lib.fetch_urls,
        args=(language,),
    )
    url_state = st.session_state.get(lib.URL_PREVIEW_KEY)
    if isinstance(url_state, lib.PreviewState):
        show_preview(url_state, lib.URL_PREVIEW_KEY, "library_urls")

# ------------------------------------------------------------------------------------------ the library
entries, listed, labels = lib.listing(library, language)
st.header(t("library.stored_header", n=len(entries)))
st.caption(t("library.folder", folder=md_escape(library.digests_dir)))
if not entries:
    st.info(t("library.empty_library"), icon=":material/folder_open:")
else:
    ui.screen_table(listed, key="library_entries")
    ui.download_buttons(listed, "thu-vien", "library_entries")
    target = (
        st.selectbox(
            t("library.remove_pick"),
            list(labels),
            key="library_remove_pick",
            format_func=labels.__getitem__,
        )
        if access.can_edit
        else None
    )
    if target is not None:
        ok = st.checkbox(t("library.remove_confirm"), key=lib.remove_confirm_key(target))
        st.button(
            t("library.remove"),
            icon=":material/delete:",
            key="library_remove",
            disabled=not ok,
            on_click=lib.remove,
            args=(target, language),
        )

trash = library.trash()
st.header(t("library.trash_header", n=len(trash)))
if not trash:
    st.caption(t("library.trash_empty"))
else:
    st.dataframe(lib.trash_table(trash, language), hide_index=True, width="stretch", key="library_trash")
    by_id = {x.trash_id: x for x in trash}
    pick = (
        st.selectbox(
            t("library.restore_pick"),
            list(by_id),
            key="library_restore_pick",
            format_func=lambda i: (
                f"{by_id[i].week_label} · {by_id[i].original} · {lib.trash_reason(by_id[i], language)}"
            ),
        )
        if access.can_edit
        else None
    )
    if pick is not None:
        st.button(
            t("library.restore"),
            icon=":material/restore_from_trash:",
            key="library_restore",
            on_click=lib.restore,
            args=(pick, language),
        )

# ------------------------------------------------------------------------------------------ the audit log
st.header(t("library.audit_header"))
records = library.log(lib.AUDIT_ROWS)
if not records:
    st.caption(t("library.audit_empty"))
else:
    st.caption(t("library.audit_caption", n=lib.AUDIT_ROWS))
    st.dataframe(lib.audit_table(records, language), hide_index=True, width="stretch", key="library_audit")
