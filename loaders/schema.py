"""The items table: one row per unique directive item. The single place where its columns are defined.

Column names are the export format users script against: change them only with a deprecation.
`validate_items` is called by `loaders.load` on every frame it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    """One column of the items table."""

    name: str
    kind: str  # "str", "int", "bool", "date", "list[str]", "list[date]"
    label_vi: str
    label_en: str
    description: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "digest_id",
        "str",
        "Mã bản tin",
        "Digest id",
        "Stable id of the digest: a hash of its normalised text, not of its file name.",
    ),
    Column("source", "str", "Tệp nguồn", "Source file", "File the digest was read from."),
    Column(
        "source_url",
        "str",
        "Trang gốc",
        "Original page",
        "Web page the digest was fetched from (`python -m loaders fetch`); empty for uploaded files.",
    ),
    Column("week_start", "date", "Từ ngày", "Week start", "Monday of the digest's week."),
    Column("week_end", "date", "Đến ngày", "Week end", "Sunday of the digest's week."),
    Column("week", "str", "Tuần", "Week", "ISO week label of week_start, e.g. 2024-W44."),
    Column("item_no", "int", "STT", "Item no.", "1-based position of the item in its digest."),
    Column("headline", "str", "Tiêu đề", "Headline", "The item's headline."),
    Column("body", "str", "Nội dung", "Body", "Lead sentence and body paragraphs, one per line."),
    Column(
        "doc_type",
        "str",
        "Loại văn bản",
        "Document type",
        "Type of the item's own document by its Vietnamese name (Quyết định, Kế hoạch, Công văn, …); "
        "'Cuộc họp' for meetings; 'Khác' when the item names no document.",
    ),
    Column(
        "doc_symbol",
        "str",
        "Số, ký hiệu",
        "Number/symbol",
        "The item's own number/symbol without spaces (4851/VP-KT, 45/2024/QĐ-UBND); empty for meetings.",
    ),
    Column("doc_date", "date", "Ngày văn bản", "Document date", "Date of the item's own document, or of the meeting."),
    Column(
        "is_normative",
        "bool",
        "VBQPPL",
        "Normative",
        "True for legal normative documents (a year segment inside the symbol).",
    ),
    Column(
        "issuer",
        "str",
        "Cơ quan, người chỉ đạo",
        "Issuer",
        "Who issued or directed it: UBND tỉnh, Chủ tịch UBND tỉnh, Phó Chủ tịch UBND tỉnh, Ban Chỉ đạo.",
    ),
    Column(
        "leader",
        "str",
        "Lãnh đạo",
        "Leader",
        "The leader's name: stated in the lead sentence, or inferred from the roster (see leader_source).",
    ),
    Column(
        "leader_source",
        "str",
        "Nguồn tên lãnh đạo",
        "Leader source",
        "'stated' when the text names the leader, 'inferred' when taken from the roster, else empty.",
    ),
    Column(
        "unit",
        "str",
        "Đơn vị soạn thảo",
        "Drafting unit",
        "Drafting unit code taken from the symbol (NC, KT, KTTH, KTCN, KGVX, TTPVHCC, …).",
    ),
    Column("sector", "str", "Lĩnh vực", "Sector", "One primary sector from data/vocab/sectors.yaml."),
    Column(
        "sectors_secondary", "list[str]", "Lĩnh vực phụ", "Secondary sectors", "Other sectors the item also scores on."
    ),
    Column(
        "sector_reason",
        "str",
        "Căn cứ phân loại",
        "Sector reason",
        "What decided the sector: keywords, lead department, drafting unit.",
    ),
    Column(
        "lead_agencies",
        "list[str]",
        "Cơ quan chủ trì",
        "Lead agencies",
        "Bodies named as leading ('… chủ trì'), one canonical name per body across the 2025 renames.",
    ),
    Column("districts", "list[str]", "Địa bàn", "Districts", "Districts or communes mentioned."),
    Column(
        "cited_documents",
        "list[str]",
        "Văn bản được dẫn",
        "Cited documents",
        "Symbols of other documents the item implements or cites.",
    ),
    Column(
        "deadlines", "list[date]", "Thời hạn", "Deadlines", "Dates stated as deadlines ('trước ngày …', 'chậm nhất …')."
    ),
    Column(
        "item_key",
        "str",
        "Mã văn bản",
        "Item key",
        "Identity of the item across digests: symbol@year of its document, else digest_id#item_no.",
    ),
    Column(
        "reported_in",
        "int",
        "Số bản tin đưa tin",
        "Reported in",
        "Number of digests that reported this item (same item_key).",
    ),
    Column(
        "first_report",
        "bool",
        "Lần đưa tin đầu",
        "First report",
        "True on the earliest digest reporting the item; trends count only these rows.",
    ),
    Column(
        "merged_blocks",
        "int",
        "Số khối gộp",
        "Merged blocks",
        "How many blocks of the digest described this item (2+ when the digest repeats it).",
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
#: Text columns with few distinct values (a vocabulary, a digest, a week). The dashboard holds them as
#: pandas categoricals (`as_coded`): filtering, slicing and counting then work on small integer codes.
CODED: tuple[str, ...] = (
    "digest_id",
    "source",
    "source_url",
    "week",
    "doc_type",
    "issuer",
    "leader",
    "leader_source",
    "unit",
    "sector",
    "sector_reason",
)


class SchemaError(ValueError):
    """The items frame does not match the schema."""


def empty_items() -> pd.DataFrame:
    """An items frame with no rows and the right columns and dtypes."""
    return coerce_items(pd.DataFrame({name: [] for name in COLUMN_NAMES}))


# The dtype `coerce_items` gives text columns (`astype(str)`).
_TEXT_DTYPE = pd.Series([""], dtype=object).astype(str).dtype


def _is_text(series: pd.Series) -> bool:
    # Already a text column without missing values: what coercing it would give back (a round trip through
    # Python objects, slow on long texts such as the bodies).
    return series.dtype == _TEXT_DTYPE and not series.isna().any()


def _all_text(series: pd.Series) -> bool:
    # A string column without missing values holds text in every row: no need to look at each (slow on
    # Arrow-backed strings); any other column is looked at row by row.
    if isinstance(series.dtype, pd.StringDtype):
        return not series.isna().any()
    return all(isinstance(v, str) for v in series)


def coerce_items(frame: pd.DataFrame) -> pd.DataFrame:
    """Give every column its schema dtype and order; the input is not modified."""
    out = frame.reindex(columns=list(COLUMN_NAMES)).copy()
    for col in COLUMNS:
        if col.kind == "date":
            out[col.name] = pd.to_datetime(out[col.name], errors="coerce").astype("datetime64[ns]")
        elif col.kind == "int":
            out[col.name] = out[col.name].fillna(0).astype("int64")
        elif col.kind == "bool":
            # An absent column is all-NaN float64: going through object keeps False and "" valid fill values.
            out[col.name] = out[col.name].astype(object).fillna(False).astype(bool)
        elif col.kind == "str":
            if not _is_text(out[col.name]):
                out[col.name] = out[col.name].astype(object).fillna("").astype(str)
        else:
            out[col.name] = [list(v) if isinstance(v, list | tuple) else [] for v in out[col.name]]
    return out


def as_coded(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the CODED columns as ordered categoricals (categories sorted as strings, so min/max and
    sorting agree with the text); the input is not modified. Values print and export as the same strings."""
    out = frame.copy(deep=False)
    for name in CODED:
        if name in out and not isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical(out[name], ordered=True)  # categories sorted by code point, like sorted()
    return out


def validate_items(frame: pd.DataFrame) -> None:
    """Raise SchemaError naming the first column that breaks the schema."""
    if tuple(frame.columns) != COLUMN_NAMES:
        missing = [c for c in COLUMN_NAMES if c not in frame.columns]
        extra = [c for c in frame.columns if c not in COLUMN_NAMES]
        raise SchemaError(f"columns differ from the schema (missing {missing}, unexpected {extra})")
    for col in COLUMNS:
        series = frame[col.name]
        if col.kind == "date" and not pd.api.types.is_datetime64_any_dtype(series):
            raise SchemaError(f"{col.name}: expected dates, got {series.dtype}")
        if col.kind == "int" and not pd.api.types.is_integer_dtype(series):
            raise SchemaError(f"{col.name}: expected integers, got {series.dtype}")
        if col.kind == "bool" and not pd.api.types.is_bool_dtype(series):
            raise SchemaError(f"{col.name}: expected booleans, got {series.dtype}")
        if col.kind == "str" and not _all_text(series):
            raise SchemaError(f"{col.name}: expected text in every row")
        if col.kind.startswith("list"):
            inner = dt.date if col.kind == "list[date]" else str
            for v in series:
                if not isinstance(v, list) or not all(isinstance(x, inner) for x in v):
                    raise SchemaError(f"{col.name}: expected a list of {inner.__name__} in every row")
    if len(frame) and (frame["item_no"] < 1).any():
        raise SchemaError("item_no: positions are 1-based")
    if frame["week_start"].isna().any():
        raise SchemaError("week_start: every item needs its digest's week")
