"""Write tables for people who work in Excel: CSV in UTF-8 with BOM, .xlsx, or .parquet.

List-valued columns are `; `-joined and dates are ISO (YYYY-MM-DD) in CSV and Excel; parquet keeps lists.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

LIST_SEPARATOR = "; "
SUFFIXES = (".csv", ".xlsx", ".parquet")


def _cell(value: object) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with list cells joined by '; ' and datetime columns as plain dates (no time part)."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d").fillna("")
        elif series.dtype == object and any(isinstance(v, list) for v in series):
            out[col] = [LIST_SEPARATOR.join(_cell(x) for x in v) if isinstance(v, list) else v for v in series]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV, UTF-8 with BOM so that Excel shows Vietnamese correctly."""
    return flatten(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx workbook with a header row and one sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        flatten(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `path` in the format its extension names (.csv, .xlsx, .parquet)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_bytes(csv_bytes(frame))
    elif suffix == ".xlsx":
        path.write_bytes(xlsx_bytes(frame, "items"))
    elif suffix == ".parquet":
        out = frame.copy()
        for col in out.columns:  # parquet wants one type per list: dates as ISO strings keep it simple
            if out[col].dtype == object and any(isinstance(v, list) and v for v in out[col]):
                out[col] = [[_cell(x) for x in v] for v in out[col]]
        out.to_parquet(path, index=False)
    else:
        raise ValueError(f"{path}: unknown output format '{suffix}' (use one of {', '.join(SUFFIXES)})")
