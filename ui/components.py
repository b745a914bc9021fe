"""Reusable pieces of a page: the "N of M items" caption, a chart with its summary table and downloads,
the friendly empty message, and the link from a chart click to the explorer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from analytics.charts import selected_values
from analytics.filters import FILTERS, Selection
from analytics.urls import EXPLORER_PATH, ITEM_PARAM, item_ref, page_url
from analytics.urls import slug as url_slug
from loaders import export
from ui.i18n import column_label, lang, t, yes_no
from ui.safe import md_escape, web_url
from ui.state import View, get_view, page_choice, selection_link_params, value_labels

EXPLORER_PAGE = "pages/explorer.py"
_PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d"]}


def original_link(url: object, key: str) -> None:
    """A "Xem bản gốc" button opening the page a digest was fetched from (only for http(s) addresses)."""
    if address := web_url(url):
        st.link_button(
            t("common.original_page"),
            address,
            icon=":material/open_in_new:",
            help=t("common.original_page_help"),
            key=key,
        )


def count_caption(n: int, m: int, counted: bool = True) -> None:
    """Say how many items a chart or table shows: "N of M items", and the counting rule for trends."""
    text = t("common.n_of_m", n=thousands(n), m=thousands(m))
    st.caption(f"{text} · {t('common.counted_rule')}" if counted else text)


def empty_message() -> None:
    """The friendly message for a filter that leaves nothing to show."""
    st.info(t("common.empty"), icon=":material/filter_alt_off:")


def start_trend_page(title_key: str) -> tuple[View, dict[str, dict[str, str]], int]:
    """Title a trend page and return (view, display names, number of counted items); stop with the friendly
    message when the filters leave no counted item."""
    view = get_view()
    st.title(t(title_key))
    n = view.n_counted
    if not n:
        empty_message()
        st.stop()
    return view, view_names(view), n


def slug(text: str) -> str:
    """A file-name-safe ASCII slug of a chart title."""
    return url_slug(text)[:60] or "bang"


def summary_table(
    frame: pd.DataFrame,
    columns: Mapping[str, str] | Sequence[str],
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """A summary table for people: chosen columns with labels in the current language, shares in %.

    `columns` lists the aggregate's columns to keep (or maps them to label keys); `names` maps a column to
    display names of its values (translations).
    """
    keep = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
    out = frame.loc[:, list(keep)].copy()
    for col, mapping in (names or {}).items():
        if col in out and mapping:  # (each distinct value looked up once)
            out[col] = out[col].map({v: mapping.get(str(v), v) for v in out[col].unique()})
    for col in out.columns:
        if "share" in col:
            out[col] = (out[col].astype(float) * 100).round(1)
    labels = {c: column_label(label) for c, label in keep.items()}
    return out.rename(columns=labels)


def describe_filters(view: View) -> str:
    """The view's filters in words, in the current language ("no filter: all the data" when none)."""
    f, names, parts = view.filters, view_names(view), []
    for spec in FILTERS:
        value = f.value(spec)
        if value == spec.default:
            continue
        label = t(f"filters.{spec.label}")
        if spec.kind == "range":
            weeks = view.corpus.weeks
            parts.append(f"{label}: {value[0] or weeks[0]} – {value[1] or weeks[-1]}")
        elif spec.kind == "bool":
            parts.append(label)
        elif spec.kind == "multi":
            shown = names.get(spec.column, {})
            parts.append(f"{label}: {', '.join(shown.get(v, v) for v in value)}")
        else:
            parts.append(f"{label}: “{value}”")
    return "; ".join(parts) or t("export.no_filters")


def data_date(view: View) -> str:
    """The latest week in the corpus (with its dates) and when the library's files last changed."""
    items, changed = view.corpus.items, view.corpus.changed_at
    parts = [export.data_date(items, lang())] if len(items) else []
    if changed is not None:
        parts.append(t("export.files_changed", when=f"{changed:%d/%m/%Y %H:%M}"))
    return "; ".join(parts)


def view_link(view: View, extra_params: Mapping[str, str] | None = None) -> str:
    """The link that reopens this view: the page's address with the view's parameters (filters, language,
    time unit, in codes: see analytics.urls) and `extra_params`, e.g. the brief's week."""
    base = str(st.context.url or "").split("?", 1)[0]  # None outside a browser session (tests)
    return page_url(base, {**view.params, **(extra_params or {})})


def citation(
    view: View, extra: export.Meta = (), link_params: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """What every download carries so that its numbers can be cited: the filters in words (and `extra`,
    e.g. a chart selection), the items in view, the data date, the view's link and when it was made."""
    return [
        (t("export.filters"), describe_filters(view)),
        *extra,
        (t("export.items"), t("common.n_of_m", n=thousands(view.n_items), m=thousands(view.total))),
        (t("export.data_date"), data_date(view)),
        (t("export.link"), view_link(view, link_params)),
        (t("export.made_at"), dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M %z")),
    ]


def download_buttons(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    stem: str,
    key: str,
    extra_sheets: dict[str, pd.DataFrame] | None = None,
    meta: export.Meta | None = None,
) -> None:
    """CSV (UTF-8 with BOM) and Excel buttons, through `loaders.export`: schema columns under the current
    language's labels, the citation (`meta`, by default `citation` of the current view) as a header block
    in CSV and a sheet in Excel. The bytes (and the frame, when given as a callable) are made only when
    clicked, outside the script run: everything that needs the session is worked out now."""
    language = lang()
    if meta is None:  # the view's citation, made once per rerun for all its downloads
        view = get_view()
        meta = view.memo.get("citation") or view.memo.setdefault("citation", citation(view))
    meta = list(meta)
    sheets = (t("export.data_sheet"), t("export.about_sheet"))

    def get() -> pd.DataFrame:
        return export.with_headers(frame() if callable(frame) else frame, language)

    row = st.container(horizontal=True)
    row.download_button(
        t("common.download_csv"),
        data=lambda: export.csv_bytes(get(), meta),
        file_name=f"{stem}.csv",
        mime=export.CSV_MIME,
        on_click="ignore",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    row.download_button(
        t("common.download_xlsx"),
        data=lambda: export.xlsx_bytes(get(), sheets[0], meta, sheets[1], extra_sheets),
        file_name=f"{stem}.xlsx",
        mime=export.XLSX_MIME,
        on_click="ignore",
        key=f"{key}_xlsx",
        icon=":material/table_view:",
    )


#: Rows of a summary table shown on screen at most: formatting a table of 20,000 cited documents took
#: seconds on every rerun, and nobody reads that far on screen; the downloads hold every row.
SCREEN_ROWS = 1000


def screen_table(
    table: pd.DataFrame, key: str | None = None, column_config: dict | None = None, numbers: bool = True
) -> None:
    """`table` on screen, its first SCREEN_ROWS rows, saying so when there are more (the caller offers the
    downloads, which hold every row). `numbers`: styled to read in the language (`styled`, ~0.1 ms a row;
    False for a table whose numbers need no separator)."""
    shown = table.head(SCREEN_ROWS)
    st.dataframe(
        styled(shown) if numbers else shown, hide_index=True, width="stretch", key=key, column_config=column_config
    )
    if len(table) > SCREEN_ROWS:
        st.caption(t("common.table_capped", shown=thousands(SCREEN_ROWS), n=thousands(len(table))))


def chart_with_table(
    fig: go.Figure,
    table: pd.DataFrame,
    *,
    key: str,
    title: str,
    n: int,
    m: int,
    counted: bool = True,
    selection: Selection | None = None,
    pickable: bool = False,
) -> list[tuple[str, str]]:
    """A chart, its "N of M items" caption, and its summary table with both downloads one click away.

    With `selection` (a template: column, granularity…), clicking bars offers a link to the explorer
    narrowed to those items (the selection travels in the link's URL, see analytics.urls). With `pickable`,
    clicks are left to the caller: the (value, period) pairs of the clicked points are returned (always
    empty otherwise).
    """
    st.subheader(title)
    selectable = selection is not None or pickable
    event = st.plotly_chart(
        fig,
        key=f"{key}_chart",
        config=_PLOTLY_CONFIG,
        width="stretch",
        on_select="rerun" if selectable else "ignore",
        selection_mode=("points", "box") if selectable else ("points",),
    )
    count_caption(n, m, counted)
    points = list(getattr(getattr(event, "selection", None), "points", None) or []) if selectable else []
    pairs = tuple(selected_values(points))
    if selection is not None:
        if pairs:
            picked = replace(selection, pairs=pairs)
            st.page_link(
                EXPLORER_PAGE,
                label=t("common.open_selection", n=len(pairs)),
                icon=":material/manage_search:",
                query_params=selection_link_params(picked),
            )
        else:
            st.caption(t("common.click_hint"))
    with st.expander(t("common.summary_table"), icon=":material/table:"):
        screen_table(table)
        download_buttons(table, slug(title), key)
    return list(pairs) if pickable else []


def item_url(digest_id: str, item_no: int, absolute: bool = False) -> str:
    """The explorer's permalink to one item: relative ("tra-cuu?item=…", for links on a page) or, with
    `absolute`, the full URL of this server (to copy and cite)."""
    link = page_url(EXPLORER_PATH, {ITEM_PARAM: item_ref(digest_id, item_no)})
    if not absolute:
        return link
    current = str(st.context.url or "")  # e.g. http://host:8501/base/tu-khoa?terms=… (empty in AppTest)
    base = current.split("?", 1)[0].rsplit("/", 1)[0] if "://" in current else ""
    return f"{base}/{link}" if base else link


def item_list(rows: pd.DataFrame) -> str:
    """Items as a markdown bullet list, one line each: number, headline in bold, document symbol. Every text
    is escaped (it comes from uploaded files), so no headline can start a block or carry a link."""
    return "\n".join(
        f"- {r.item_no}\\. **{md_escape(r.headline)}**" + (f" — {md_escape(r.doc_symbol)}" if r.doc_symbol else "")
        for r in rows[["item_no", "headline", "doc_symbol"]].itertuples()  # (a small tuple class: quick to make)
    )


def display_value(value: object, language: str | None = None) -> str:
    """A cell value as readable text: lists joined, dates dd/mm/yyyy, booleans as words of the language
    ("Có"/"Không"), empty as "–"."""
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(display_value(v, language) for v in value) or "–"
    if isinstance(value, bool | np.bool_):
        return yes_no(value, language)
    if hasattr(value, "strftime"):
        return "–" if pd.isna(value) else value.strftime("%d/%m/%Y")
    return str(value) if str(value) else "–"


def brief_buttons(view: View, week: str) -> None:
    """Word, Markdown and HTML downloads of the weekly brief of `week`, within the view's filters (made
    only when clicked; what needs the session — language, names, footer — is worked out now)."""
    from loaders import brief

    language, corpus = lang(), view.corpus
    meta = citation(view, link_params={"week": week})

    def blocks() -> list[brief.Block]:
        model = brief.build_brief(
            view.items,  # (sliced on the click, not on every rerun; the light frame: no body is copied)
            week,
            titles={f.digest_id: f.title for f in corpus.report.files},
            meta=meta,
            type_codes=corpus.type_codes,
            central=list(corpus.central_issuers),
        )
        return brief.brief_blocks(model, language, corpus.sector_names_en)

    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(f"**{t('brief.download')}**")
    for suffix, icon in (
        (".docx", ":material/description:"),
        (".md", ":material/article:"),
        (".html", ":material/print:"),
    ):
        row.download_button(
            t(f"brief.download_{suffix[1:]}"),
            data=lambda s=suffix: brief.render(blocks(), s, language),
            file_name=f"ban-tom-tat-{week}{suffix}",
            mime=brief.MIMES[suffix],
            on_click="ignore",
            key=f"brief_{suffix[1:]}",
            icon=icon,
        )


def whole_numbers(values: pd.Series) -> pd.Series:
    """Whole numbers as text for a display table, missing ones blank (st.dataframe would write "None")."""
    return pd.Series(["" if pd.isna(v) else str(int(v)) for v in values], index=values.index, dtype=object)


def metric_row(values: Sequence[tuple[str, str, str | None]]) -> None:
    """A row of headline metrics: (label, value, help)."""
    for col, (label, value, help_text) in zip(st.columns(len(values)), values, strict=True):
        col.metric(label, value, help=help_text, border=True)


def percent(x: float) -> str:
    """A share as a percentage in the current language's style ("12,5%" / "12.5%")."""
    text = f"{x * 100:.1f}%"
    return text.replace(".", ",") if lang() == "vi" else text


_VI_NUMBER = str.maketrans(",.", ".,")  # 1,234.5 -> 1.234,5


def number_text(x: float, language: str | None = None) -> str:
    """A number as shown on screen: thousands separated, at most 4 decimals without trailing zeros, in the
    language's style ("1.234,5" / "1,234.5"). Exports keep plain numbers: only display tables use this."""
    return number_texts([x], language)[0]


def number_texts(values: Sequence[float], language: str | None = None) -> list[str]:
    """`number_text` of each value, "" for a missing one (one pass: a table column at a time)."""
    texts = [
        ""
        if x is None or x is pd.NA or x != x
        else f"{x:,.4f}".rstrip("0").rstrip(".")
        if isinstance(x, float)
        else f"{x:,}"
        for x in values
    ]
    if (language or lang()) != "vi" or not texts:
        return texts
    return "\n".join(texts).translate(_VI_NUMBER).split("\n")  # (one translation for the whole column)


def number_styler(frame: pd.DataFrame, numeric: list[str], language: str) -> Styler:
    """A pandas Styler writing the numbers of the `numeric` columns with `number_texts` in `language`,
    quick to hand to `st.dataframe`.

    Streamlit takes a Styler's display texts from `Styler._translate(False, False)`, which pandas answers by
    rendering every cell as HTML parts: ~0.1 ms a row, 100 ms for a 1,000-row table, the largest share of a
    page's rerun. This Styler answers that one call with the numeric cells' texts alone (the other cells
    show their values anyway); any other rendering (`to_html`…) is pandas' own, unformatted. (An instance,
    not a subclass: Streamlit recognises a Styler by its exact type.)
    """
    styler = frame.style
    full = styler._translate

    def translate(sparse_index: bool, sparse_cols: bool, *args: object, **kwargs: object) -> dict:
        if sparse_index or sparse_cols or args or kwargs:
            return full(sparse_index, sparse_cols, *args, **kwargs)
        body = []
        for name in numeric:
            c = frame.columns.get_loc(name)
            texts = number_texts(frame[name].tolist(), language)
            # Streamlit shows a cell with no display text as `astype(str)` writes it: most counts (below 1,000)
            # need none, and each one it reads costs a regular expression and a cell assignment.
            plain = frame[name].astype(str).tolist()
            body.append(
                [
                    {"id": f"row{r}_col{c}", "display_value": text}
                    for r, (text, same) in enumerate(zip(texts, plain, strict=True))
                    if text != same
                ]
            )
        return {"body": body, "cellstyle": [], "table_styles": []}

    styler._translate = translate  # type: ignore[method-assign]
    return styler


def styled(frame: pd.DataFrame) -> pd.DataFrame | Styler:
    """A display table whose numbers read in the current language (decimal comma in Vietnamese): a Styler
    (`number_styler`) formats what is shown while the values stay numbers, so columns still sort as numbers.
    Downloads are made from the frame itself, never from this."""
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool]
    if lang() != "vi" or not numeric:
        return frame
    return number_styler(frame, numeric, lang())


def thousands(n: int) -> str:
    """An integer with the current language's thousands separator ("70.000" / "70,000")."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang() == "vi" else text


def view_names(view: View) -> dict[str, dict[str, str]]:
    """Display names per column for the current language (sectors, doc types, issuers)."""
    return value_labels(view.corpus, view.lang)


def trend_controls(prefix: str, period_title: str) -> tuple[str, int]:
    """(mode, rolling window) of a trend chart: counts or shares, and a window of 1/4/8/13 periods; both kept
    in the URL as codes under `<prefix>_mode` and `<prefix>_window`."""
    c1, c2 = st.columns(2)
    mode = page_choice(
        c1.segmented_control,
        t("sectors.mode"),
        ("count", "share"),
        key=f"{prefix}_mode",
        default="count",
        format_func=lambda m: t(f"sectors.mode_{m}"),
    )
    window = page_choice(
        c2.selectbox,
        t("sectors.window"),
        (1, 4, 8, 13),
        key=f"{prefix}_window",
        default=1,
        format_func=lambda w: (
            t("sectors.window_n", n=w, period=period_title.lower()) if w > 1 else t("sectors.window_none")
        ),
        help=t("sectors.window_help"),
    )
    return mode, window
