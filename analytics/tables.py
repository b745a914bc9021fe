"""Download bytes: CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly) and Excel .xlsx.

Both exports carry exactly the rows and columns of the frame given: list cells are joined with "; ",
dates are written as dates (ISO text in CSV, real dates shown dd/mm/yyyy in Excel).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from loaders.schema import COLUMN_NAMES, COLUMNS

LIST_SEPARATOR = "; "
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters that are not allowed in an xlsx cell (openpyxl refuses them).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _cell_text(value: object) -> object:
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(v.isoformat() if isinstance(v, dt.date) else str(v) for v in value)
    return value


def flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where list cells are text joined with "; " (a flat table that any spreadsheet can read)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and any(isinstance(v, list | tuple) for v in out[col].head(1000)):
            out[col] = out[col].map(_cell_text)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV bytes in UTF-8 with a BOM; dates as YYYY-MM-DD; no index column."""
    out = flatten(frame)
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _sheet_title(name: str) -> str:
    return (_BAD_SHEET_CHARS.sub(" ", name).strip() or "Sheet")[:31]


def _xlsx_value(ws: object, value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, str):
        text = _ILLEGAL_XLSX.sub("", value)
        cell = WriteOnlyCell(ws, value=text)
        # A text starting with "=" is data, not a formula: keep it as text.
        cell.data_type = "s"
        return cell
    return value


def _write_sheet(wb: Workbook, name: str, frame: pd.DataFrame) -> None:
    ws = wb.create_sheet(_sheet_title(name))
    flat = flatten(frame)
    for i, col in enumerate(flat.columns, start=1):
        sample = [len(str(col))] + [len(str(v)) for v in flat[col].head(200)]
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, max(sample) + 2))
    ws.freeze_panes = "A2"
    header = []
    for col in flat.columns:
        cell = WriteOnlyCell(ws, value=str(col))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in flat.itertuples(index=False, name=None):
        ws.append([_xlsx_value(ws, v) for v in row])


def to_xlsx_bytes(
    frame: pd.DataFrame, sheet_name: str = "Dữ liệu", extra_sheets: dict[str, pd.DataFrame] | None = None
) -> bytes:
    """An .xlsx workbook: the frame on the first sheet (bold header row, frozen), then `extra_sheets`."""
    wb = Workbook(write_only=True)
    _write_sheet(wb, sheet_name, frame)
    for name, extra in (extra_sheets or {}).items():
        _write_sheet(wb, name, extra)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def items_export(items: pd.DataFrame) -> pd.DataFrame:
    """The items with exactly the schema's columns, in schema order (helper columns dropped)."""
    return items.loc[:, list(COLUMN_NAMES)]


def columns_sheet() -> pd.DataFrame:
    """The column dictionary shipped with item exports: name, Vietnamese and English label, description."""
    return pd.DataFrame(
        [(c.name, c.label_vi, c.label_en, c.description) for c in COLUMNS],
        columns=["column", "label_vi", "label_en", "description"],
    )
