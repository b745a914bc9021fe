"""Entrypoint of the dashboard: `streamlit run dashboard.py`.

The router and frame: page config, the shared sidebar (page links, language, filters; the URL holds the
view), then the pages. Add a page by appending one `st.Page` to `PAGES`.

The overview is served at `/` (the default page, whose URL is always the root in Streamlit) and at
`/tong-quan` (the page the sidebar links to), so that both open it without a "Page not found" box.

Keep each page's `url_path` different from its file name: a `pages/` folder next to the entrypoint makes
Streamlit (1.67) treat the very first run of a fresh server — and every AppTest run after the first — as
a legacy auto-discovered app, and a URL equal to a file name would then run that page without this file.
"""

from __future__ import annotations

import streamlit as st

from analytics.urls import EXPLORER_PATH
from ui import data, frame, state
from ui.i18n import lang, t

st.set_page_config(page_title=data.app_title(lang()), page_icon=frame.FAVICON, layout="wide")

try:
    corpus = data.get_corpus()
except Exception as exc:  # a broken vocabulary or library folder: a message, not a traceback
    st.error(t("errors.load_failed", error=str(exc)), icon=":material/error:")
    st.stop()

view = state.sidebar(corpus)
frame.print_style()
frame.document_language(view.lang)
with st.sidebar:
    st.caption(data.as_of(corpus))

HOME = st.Page(
    "pages/overview.py", title=t("page.overview"), icon=":material/dashboard:", url_path="trang-chu", default=True
)
PAGES = [
    st.Page("pages/overview.py", title=t("page.overview"), icon=":material/dashboard:", url_path="tong-quan"),
    st.Page("pages/sectors.py", title=t("page.sectors"), icon=":material/category:", url_path="linh-vuc"),
    st.Page("pages/issuers.py", title=t("page.issuers"), icon=":material/account_balance:", url_path="co-quan"),
    st.Page("pages/doc_types.py", title=t("page.doc_types"), icon=":material/description:", url_path="loai-van-ban"),
    st.Page("pages/weeks.py", title=t("page.weeks"), icon=":material/calendar_month:", url_path="theo-tuan"),
    st.Page("pages/places.py", title=t("page.places"), icon=":material/map:", url_path="dia-ban"),
    st.Page("pages/terms.py", title=t("page.terms"), icon=":material/insights:", url_path="tu-khoa"),
    st.Page("pages/explorer.py", title=t("page.explorer"), icon=":material/manage_search:", url_path=EXPLORER_PATH),
    st.Page("pages/quality.py", title=t("page.quality"), icon=":material/fact_check:", url_path="chat-luong"),
    st.Page("pages/library.py", title=t("page.library"), icon=":material/upload_file:", url_path="nap-ban-tin"),
]

page = st.navigation([HOME, *PAGES], position="hidden")
state.page_links(PAGES)
state.load_problems(corpus)
page.run()
data.read_ahead(corpus)
