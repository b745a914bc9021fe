"""The weekly brief: one week of directives as a document for the office (Word, Markdown, print-ready HTML).

`build_brief` reads the items frame once into a `Brief` (numbers and rows, no wording); `brief_blocks`
words it in one language as a list of blocks (headings, paragraphs, tables, items); the three renderers
only lay those blocks out, so the .docx, .md and .html of a brief hold the same content. Labels live in
data/i18n.yaml under `ui.brief` (read by `loaders.catalog`, no Streamlit). Text from the digests is data:
escaped in Markdown and HTML, plain runs in Word.

    python -m loaders brief --week 2023-W32 [--compare 4] [--lang vi|en] --out brief.docx|brief.md|brief.html
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from loaders.catalog import catalog, column_label, translate, value_names
from loaders.export import data_date
from loaders.markup import md_escape
from loaders.vocab import load_vocab

#: Output formats by file extension.
FORMATS = (".docx", ".md", ".html")
#: Deadlines listed: those falling within this many days after the week.
DEADLINE_DAYS = 30
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MD_MIME = "text/markdown"
HTML_MIME = "text/html"
MIMES = {".docx": DOCX_MIME, ".md": MD_MIME, ".html": HTML_MIME}


@dataclass(frozen=True)
class Digest:
    """A digest of the week: its title as published, the file it was read from, its items."""

    digest_id: str
    title: str
    source: str
    items: int
    source_url: str = ""


@dataclass(frozen=True)
class Brief:
    """One week: its digests, counts against the previous weeks, first citations, deadlines and items."""

    week: str
    week_start: dt.date
    week_end: dt.date
    digests: tuple[Digest, ...]
    previous_weeks: tuple[str, ...]
    by_sector: pd.DataFrame  # sector, current, previous, previous_avg, change (against the average)
    by_type: pd.DataFrame  # doc_type, same columns
    first_cited: pd.DataFrame  # symbol, issuer, items (item numbers citing it this week)
    deadlines: pd.DataFrame  # deadline, days, week, item_no, headline, doc_symbol
    items: pd.DataFrame  # every item of the week, in the digests' order
    meta: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # footer: filters, data date, link


def _against(now: pd.DataFrame, before: pd.DataFrame, column: str, n_previous: int) -> pd.DataFrame:
    current = now[column].value_counts()
    previous = before[column].value_counts()
    out = pd.DataFrame({"current": current, "previous": previous}).fillna(0).astype("int64")
    out["previous_avg"] = out["previous"] / n_previous if n_previous else 0.0
    out["change"] = out["current"] - out["previous_avg"]
    out = out.rename_axis(column).reset_index()
    out = out[out["current"] > 0].sort_values(["current", column], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def build_brief(
    items: pd.DataFrame,
    week: str,
    compare: int = 4,
    titles: Mapping[str, str] | None = None,
    meta: Sequence[tuple[str, str]] = (),
    type_codes: Sequence[str] = (),
    central: Sequence[str] = (),
) -> Brief:
    """The brief of `week` from `items` (every schema column; already filtered if the brief should be).

    `compare`: how many weeks with a digest before `week` the counts are compared with (their weekly
    average). `titles`: digest_id -> the digest's title (`FileReport.title`). `type_codes` and `central`
    tell central documents among the cited ones (see `analytics.aggregate.citations`). `meta` is the
    footer (label, value) — filters, data date, link. Raises ValueError when `week` has no item.
    """
    from analytics.aggregate import citations, counted, deadlines  # pure pandas, no Streamlit

    rows = items[items["week"] == week].sort_values(["digest_id", "item_no"], kind="stable")
    if rows.empty:
        known = ", ".join(sorted(set(items["week"]))) or "none"
        raise ValueError(f"no item in week {week} (weeks with items: {known})")
    earlier = sorted(w for w in set(items["week"]) if w < week)
    previous = tuple(earlier[-compare:]) if compare > 0 else ()
    now, before = counted(rows), counted(items[items["week"].isin(previous)])

    # Central documents this week's items cite that no earlier item cited.
    upto = items[items["week"] <= week]
    cites = citations(upto, type_codes, central)
    cites = cites[cites["central"].astype(bool)] if len(cites) else cites
    cite_week = upto.loc[cites["row"], "week"].to_numpy() if len(cites) else []
    seen_before = set(cites.loc[cite_week < week, "symbol"]) if len(cites) else set()
    fresh = cites[(cite_week == week) & ~cites["symbol"].isin(seen_before)] if len(cites) else cites
    first_cited = pd.DataFrame(
        [
            (symbol, issuer, sorted({int(items.at[r, "item_no"]) for r in part["row"]}))
            for (symbol, issuer), part in fresh.groupby(["symbol", "issuer"], sort=False)
        ],
        columns=["symbol", "issuer", "items"],
    )

    due = deadlines(upto, rows["week_end"].iloc[0].date() + dt.timedelta(days=1))
    due = due[(due["days"] >= 0) & (due["days"] < DEADLINE_DAYS)]
    due = due.assign(item_no=items.loc[due["row"], "item_no"].to_numpy() if len(due) else [])
    due = due.assign(days=due["days"] + 1 if len(due) else [])  # days after the week's last day

    digests = tuple(
        Digest(
            digest_id=str(d),
            title=(titles or {}).get(str(d), ""),
            source=str(part["source"].iloc[0]),
            items=len(part),
            source_url=str(part["source_url"].iloc[0]) if "source_url" in part else "",
        )
        for d, part in rows.groupby("digest_id", sort=False)
    )
    return Brief(
        week=week,
        week_start=rows["week_start"].iloc[0].date(),
        week_end=rows["week_end"].iloc[0].date(),
        digests=digests,
        previous_weeks=previous,
        by_sector=_against(now, before, "sector", len(previous)),
        by_type=_against(now, before, "doc_type", len(previous)),
        first_cited=first_cited,
        deadlines=due[["deadline", "days", "week", "item_no", "headline", "doc_symbol"]].reset_index(drop=True),
        items=rows.reset_index(drop=True),
        meta=tuple(meta),
    )


def file_meta(items: pd.DataFrame, lang: str, link: str) -> list[tuple[str, str]]:
    """The footer of a brief made outside the dashboard (all the items, no filter): the data date (the
    latest week of `items`), the dashboard link and when it was made."""
    cat = catalog()
    return [
        (translate(cat, "export.filters", lang), translate(cat, "export.no_filters", lang)),
        (translate(cat, "export.data_date", lang), data_date(items, lang)),
        (translate(cat, "export.link", lang), link),
        (translate(cat, "export.made_at", lang), dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M %z")),
    ]


# ---------------------------------------------------------------- wording: blocks in one language


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Entry:
    """One directive item: its number, headline and detail lines."""

    number: int
    headline: str
    details: tuple[tuple[str, str], ...]  # (label, value)


Block = Heading | Para | Table | Entry


def _date(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d/%m/%Y}"


def _number(x: float, lang: str) -> str:
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def _signed(x: float, lang: str) -> str:
    return ("+" if x > 0 else "") + _number(x, lang) if abs(x) >= 0.05 else "0"


def brief_blocks(brief: Brief, lang: str = "vi", sector_names: Mapping[str, str] | None = None) -> list[Block]:
    """The brief worded in `lang` ("vi" or "en") as blocks; `sector_names` maps sectors to their English
    names (Vietnamese data values are shown as they are in Vietnamese)."""
    cat = catalog()

    def tr(key: str, **values: object) -> str:
        return translate(cat, f"brief.{key}", lang, **values)

    sectors = dict(sector_names or {}) if lang != "vi" else {}
    vocab = load_vocab()  # document types and central issuers are national: any profile's are the same
    types, issuers = (vocab.type_names_en if lang != "vi" else {}), value_names("issuer", lang)
    central = vocab.central_issuers
    blocks: list[Block] = [
        Heading(tr("title", week=brief.week), 0),
        Para(tr("period", start=_date(brief.week_start), end=_date(brief.week_end))),
    ]
    for d in brief.digests:
        blocks.append(Para(tr("digest", title=d.title or "–", source=d.source, digest=d.digest_id[:12], n=d.items)))
        if d.source_url:
            blocks.append(Para(tr("source_url", url=d.source_url), small=True))

    n = len(brief.previous_weeks)
    compare = (
        tr("compare", n=n, weeks=", ".join(brief.previous_weeks)) if n else tr("compare_none")
    ) + f" {tr('counted_rule')}"
    header_counts = (tr("this_week"), tr("previous", n=n), tr("previous_avg"), tr("change"))
    for key, frame, column, names in (
        ("by_sector", brief.by_sector, "sector", sectors),
        ("by_type", brief.by_type, "doc_type", types),
    ):
        blocks.append(Heading(tr(key)))
        blocks.append(Para(compare, small=True))
        blocks.append(
            Table(
                (column_label(column, lang), *header_counts),
                tuple(
                    (
                        names.get(str(r[column]), str(r[column])),
                        str(int(r["current"])),
                        str(int(r["previous"])),
                        _number(float(r["previous_avg"]), lang),
                        _signed(float(r["change"]), lang),
                    )
                    for _, r in frame.iterrows()
                ),
            )
        )

    blocks.append(Heading(tr("first_cited")))
    if brief.first_cited.empty:
        blocks.append(Para(tr("none")))
    else:
        blocks.append(
            Table(
                (column_label("symbol", lang), column_label("cited_issuer", lang), tr("items")),
                tuple(
                    (
                        str(r["symbol"]),
                        str((central.get(r["issuer"]) or {}).get(lang, r["issuer"])),
                        ", ".join(f"#{i}" for i in r["items"]),
                    )
                    for _, r in brief.first_cited.iterrows()
                ),
            )
        )

    until = brief.week_end + dt.timedelta(days=DEADLINE_DAYS)
    blocks.append(Heading(tr("deadlines", end=_date(until))))
    if brief.deadlines.empty:
        blocks.append(Para(tr("none")))
    else:
        blocks.append(
            Table(
                (column_label("deadline", lang), tr("days"), column_label("week", lang), tr("item")),
                tuple(
                    (
                        _date(r["deadline"]),
                        str(int(r["days"])),
                        str(r["week"]),
                        f"#{int(r['item_no'])} {r['headline']}" + (f" ({r['doc_symbol']})" if r["doc_symbol"] else ""),
                    )
                    for _, r in brief.deadlines.iterrows()
                ),
            )
        )

    blocks.append(Heading(tr("items_heading", n=len(brief.items))))
    for r in brief.items.itertuples():
        symbol = " ".join(x for x in (r.doc_symbol, tr("dated", date=_date(r.doc_date)) if r.doc_symbol else "") if x)
        who = " – ".join(x for x in (issuers.get(r.issuer, r.issuer), r.leader) if x)
        details = [
            (column_label("doc_type", lang), types.get(r.doc_type, r.doc_type)),
            (column_label("doc_symbol", lang), symbol)
            if symbol
            else (column_label("doc_date", lang), _date(r.doc_date)),
            (column_label("issuer", lang), who),
            (column_label("lead_agencies", lang), "; ".join(r.lead_agencies)),
            (column_label("districts", lang), "; ".join(r.districts)),
            (column_label("sector", lang), sectors.get(r.sector, r.sector)),
        ]
        if not r.first_report:
            details.append((tr("repeat_label"), tr("repeat", n=r.reported_in)))
        blocks.append(Entry(int(r.item_no), str(r.headline), tuple((k, v) for k, v in details if v)))

    blocks.append(Heading(tr("about")))
    for label, value in brief.meta:
        blocks.append(Para(f"{label}: {value}", small=True))
    return blocks


# ---------------------------------------------------------------- renderers


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown; every text from the data is escaped (no link, HTML or markup can come in)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * (b.level + 1) + " " + md_escape(b.text), ""]
        elif isinstance(b, Para):
            out += [("*" + md_escape(b.text) + "*") if b.small else md_escape(b.text), ""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(md_escape(h) for h in b.header) + " |")
            out.append("|" + "---|" * len(b.header))
            out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in b.rows]
            out.append("")
        else:
            out.append(f"{b.number}\\. **{md_escape(b.headline)}**  ")
            out += [f"   {md_escape(k)}: {md_escape(v)}  " for k, v in b.details]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_PRINT_CSS = """
body { font-family: "Times New Roman", serif; font-size: 12pt; line-height: 1.35; max-width: 46rem;
       margin: 2rem auto; color: #111; }
h1 { font-size: 17pt; margin-bottom: .2rem; } h2 { font-size: 13.5pt; margin-top: 1.4rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #888; padding: .2rem .4rem; text-align: left; vertical-align: top; }
.small { font-size: 10pt; color: #333; }
.item { margin: .5rem 0; page-break-inside: avoid; break-inside: avoid; } .item p { margin: .1rem 0 .1rem 1.5rem; }
table, tr { page-break-inside: avoid; break-inside: avoid; } h2 { page-break-after: avoid; break-after: avoid; }
@page { size: A4; margin: 18mm 16mm; }
@media print { body { margin: 0; max-width: none; } }
"""


def to_html(blocks: Sequence[Block], lang: str = "vi") -> str:
    """The blocks as one print-ready HTML page (A4, tables and items never cut); every text escaped."""
    e = html.escape
    title = next((b.text for b in blocks if isinstance(b, Heading)), "")
    body: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            tag = f"h{b.level + 1}"
            body.append(f"<{tag}>{e(b.text)}</{tag}>")
        elif isinstance(b, Para):
            body.append(f'<p class="small">{e(b.text)}</p>' if b.small else f"<p>{e(b.text)}</p>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{e(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            details = "".join(f"<p>{e(k)}: {e(v)}</p>" for k, v in b.details)
            body.append(f'<div class="item"><p><b>{b.number}. {e(b.headline)}</b></p>{details}</div>')
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n<title>{e(title)}</title>\n'
        f"<style>{_PRINT_CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def to_docx(blocks: Sequence[Block]) -> bytes:
    """The blocks as a Word document (python-docx): headings, tables in Word's grid style, items as
    numbered paragraphs with their details indented."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2)
    for b in blocks:
        if isinstance(b, Heading):
            doc.add_heading(b.text, level=b.level)
        elif isinstance(b, Para):
            run = doc.add_paragraph().add_run(b.text)
            if b.small:
                run.italic = True
                run.font.size = Pt(10)
        elif isinstance(b, Table):
            table = doc.add_table(rows=1, cols=len(b.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, b.header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            for row in b.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text
            doc.add_paragraph()
        else:
            p = doc.add_paragraph()
            p.add_run(f"{b.number}. {b.headline}").bold = True
            p.paragraph_format.keep_with_next = True
            for k, v in b.details:
                d = doc.add_paragraph(f"{k}: {v}")
                d.paragraph_format.left_indent = Cm(0.8)
                d.paragraph_format.space_after = Pt(0)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render(blocks: Sequence[Block], suffix: str, lang: str = "vi") -> bytes:
    """The blocks in the format of `suffix` (".docx", ".md" or ".html") as bytes (text in UTF-8)."""
    if suffix == ".docx":
        return to_docx(blocks)
    if suffix == ".md":
        return to_markdown(blocks).encode("utf-8")
    if suffix == ".html":
        return to_html(blocks, lang).encode("utf-8")
    raise ValueError(f"unknown brief format '{suffix}' (expected one of {', '.join(FORMATS)})")
