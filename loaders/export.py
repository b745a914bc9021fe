"""The one export path: tables for people who work in Excel (CSV in UTF-8 with BOM, .xlsx) or for scripts
(.parquet), used by `python -m loaders … --out` and by every download of the dashboard.

- **Formulas are neutralised** (OWASP CSV injection): a text cell starting with `=`, `+`, `-`, `@`, tab or
  carriage return is data, never a formula. In CSV it gets a leading `'`; in XLSX it is a string cell (type
  "s", never `<f>`) with Excel's quote prefix, so that editing it does not turn it into a formula either.
  Numbers stay numbers: -1 in a numeric column is written as the number -1.
- **Lists** are joined with "; "; **dates** are ISO (YYYY-MM-DD) in CSV and real dates (dd/mm/yyyy) in XLSX.
- **Headers**: schema column names (the format scripts use), or the schema's Vietnamese or English labels.
- **Citation** (`meta`, label/value pairs: filters, data date, link, sources): in CSV a block of
  `label,value` rows, then one empty row, then the table — Excel shows each label in column A and its value
  in column B; a script skips the rows up to the first empty one (`pd.read_csv(f, skiprows=len(meta) + 1)`).
  In XLSX the citation is a sheet of its own, so the data sheet stays a clean table (autofilter, frozen header).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from loaders.schema import BY_NAME, COLUMN_NAMES, COLUMNS

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

LIST_SEPARATOR = "; "
SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Column headers an export can carry: schema names, Vietnamese labels, English labels.
HEADERS = ("names", "vi", "en")
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Label/value pairs describing where a table comes from (filters, data date, link…).
Meta = Sequence[tuple[str, str]]
#: Sheet names of a file export (data, citation) for each kind of headers.
SHEETS = {"names": ("items", "about"), "vi": ("Dữ liệu", "Nguồn"), "en": ("Data", "About")}

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters that are not allowed in an xlsx cell (openpyxl refuses them).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Excel's limit on the text of one cell.
_MAX_CELL_TEXT = 32767


def latest_week(items: pd.DataFrame) -> tuple[str, dt.date, dt.date]:
    """The latest week of `items` (not empty): its label, first and last day. Three cells are read, not a row
    of every column (10x faster: the dashboard asks on every rerun)."""
    at = int(items["week_start"].to_numpy().argmax())
    return str(items["week"].iat[at]), items["week_start"].iat[at].date(), items["week_end"].iat[at].date()


def data_date(items: pd.DataFrame, language: str) -> str:
    """The data date of `items` in words: their latest week with its dates ("tuần mới nhất 2025-W12 (…)")."""
    from loaders.catalog import catalog, translate

    week, start, end = latest_week(items)
    return translate(
        catalog(), "export.latest_week", language, week=week, start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}"
    )


def is_formula_like(value: object) -> bool:
    """True for a text that a spreadsheet would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_safe(value: object) -> object:
    """A CSV cell that cannot run as a formula: risky text gets a leading `'`, anything else is unchanged."""
    return f"'{value}" if is_formula_like(value) else value


def items_export(items: pd.DataFrame) -> pd.DataFrame:
    """The items with exactly the schema's columns, in schema order (helper columns dropped)."""
    return items.loc[:, list(COLUMN_NAMES)]


def columns_sheet() -> pd.DataFrame:
    """The column dictionary shipped with item exports: name, Vietnamese and English label, description."""
    return pd.DataFrame(
        [(c.name, c.label_vi, c.label_en, c.description) for c in COLUMNS],
        columns=["column", "label_vi", "label_en", "description"],
    )


def with_headers(frame: pd.DataFrame, headers: str = "names") -> pd.DataFrame:
    """`frame` with schema columns renamed to their Vietnamese ("vi") or English ("en") labels; "names"
    keeps the column names. Columns outside the schema keep their names."""
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {', '.join(HEADERS)}, not '{headers}'")
    if headers == "names":
        return frame
    label = "label_vi" if headers == "vi" else "label_en"
    return frame.rename(columns=lambda c: getattr(BY_NAME[c], label) if c in BY_NAME else c)


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where list cells are text joined with "; " (a flat table that any spreadsheet can read)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and any(isinstance(v, list | tuple) for v in out[col].head(1000)):
            out[col] = out[col].map(lambda v: LIST_SEPARATOR.join(map(_text, v)) if isinstance(v, list | tuple) else v)
    return out


def _is_text_column(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def csv_bytes(frame: pd.DataFrame, meta: Meta | None = None) -> bytes:
    """CSV bytes in UTF-8 with a BOM (Excel then shows Vietnamese right), CRLF line ends, no index column;
    the citation block (`meta`) first, when given."""
    out = flatten(frame)
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").astype(object).where(out[col].notna(), "")
        elif _is_text_column(out[col]):
            out[col] = out[col].map(csv_safe)
    out.columns = [csv_safe(str(c)) for c in out.columns]
    buffer = io.StringIO()
    if meta:
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerows([csv_safe(label), csv_safe(value)] for label, value in meta)
        buffer.write("\r\n")
    out.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(name: str) -> str:
    return (_BAD_SHEET_CHARS.sub(" ", name).strip() or "Sheet")[:31]


# openpyxl is imported where a workbook is written (~0.2 s, on a click), not with every page that offers one.


def _xlsx_value(ws: object, value: object) -> object:
    from openpyxl.cell import WriteOnlyCell

    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value)
        cell.number_format = "dd/mm/yyyy" if not isinstance(value, dt.datetime) else "dd/mm/yyyy hh:mm"
        return cell
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, str):
        text = _ILLEGAL_XLSX.sub("", value)[:_MAX_CELL_TEXT]
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"  # always a string: openpyxl would make "=…" a formula and "#N/A" an error
        if is_formula_like(text):
            cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
        return cell
    return value


def _text_cell(ws: object, value: object, bold: bool = False) -> WriteOnlyCell:
    from openpyxl.styles import Font

    cell = _xlsx_value(ws, str(value))
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_sheet(wb: Workbook, name: str, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_title(name))
    flat = flatten(frame)
    for i, col in enumerate(flat.columns, start=1):
        sample = [len(str(col))] + [len(str(v)) for v in flat[col].head(200)]
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, max(sample) + 2))
    ws.freeze_panes = "A2"
    if len(flat.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(flat.columns))}{len(flat) + 1}"
    ws.append([_text_cell(ws, col, bold=True) for col in flat.columns])
    for row in flat.itertuples(index=False, name=None):
        ws.append([_xlsx_value(ws, v) for v in row])


def _write_meta(wb: Workbook, name: str, meta: Meta) -> None:
    ws = wb.create_sheet(_sheet_title(name))
    ws.column_dimensions["A"].width = max(12, *(len(label) + 2 for label, _ in meta))
    ws.column_dimensions["B"].width = 100
    for label, value in meta:
        ws.append([_text_cell(ws, label, bold=True), _text_cell(ws, value)])


def xlsx_bytes(
    frame: pd.DataFrame,
    sheet: str = "Dữ liệu",
    meta: Meta | None = None,
    meta_sheet: str = "Nguồn",
    extra_sheets: dict[str, pd.DataFrame] | None = None,
) -> bytes:
    """An .xlsx workbook: the frame on the first sheet (bold header row, frozen, autofilter), the citation
    (`meta`) on the sheet `meta_sheet`, then `extra_sheets`."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _write_sheet(wb, sheet, frame)
    if meta:
        _write_meta(wb, meta_sheet, meta)
    for name, extra in (extra_sheets or {}).items():
        _write_sheet(wb, name, extra)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parquet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` ready for parquet: lists kept, their dates as ISO strings (parquet wants one type per list)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and any(isinstance(v, list) and v for v in out[col]):
            out[col] = [[_text(x) for x in v] if isinstance(v, list) else v for v in out[col]]
    return out


def write_table(frame: pd.DataFrame, path: Path, headers: str = "names", meta: Meta | None = None) -> None:
    """Write `frame` to `path` in the format its extension names (.csv, .xlsx, .parquet), with the chosen
    headers; CSV and XLSX carry `meta` (parquet is for scripts: the table only)."""
    suffix = path.suffix.lower()
    table = with_headers(frame, headers)
    if suffix == ".csv":
        path.write_bytes(csv_bytes(table, meta))
    elif suffix == ".xlsx":
        data_sheet, meta_sheet = SHEETS[headers]
        path.write_bytes(xlsx_bytes(table, data_sheet, meta, meta_sheet))
    elif suffix == ".parquet":
        parquet_frame(table).to_parquet(path, index=False)
    else:
        raise ValueError(f"{path}: unknown output format '{suffix}' (use one of {', '.join(SUFFIXES)})")
