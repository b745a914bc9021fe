"""Data quality (Chất lượng dữ liệu): how far to trust each digest, from the load report and the items.

`quality_table` gives one row per digest file with counts of what the parser found and doubted;
`problem_table` lists every problem (one row each) with the digest and item it belongs to, so that a page
can link each one to the item in the explorer. A file skipped as a duplicate shows only that error: its
warnings belong to the copy that loaded and are not counted twice. Both are pure: (items, LoadReport) in, frames out.
Problem codes, their meaning and the column counting each are the table of `loaders.problems` (data/problems.yaml).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.problems import ERRORS, warning_column
from loaders.report import ERROR, FileReport, LoadReport, Problem

#: doc_type of items that name no document (`unknown_type` in data/vocab/doc_types.yaml).
UNKNOWN_DOC_TYPE = "Khác"

#: Count columns of `quality_table`, in display order.
COUNT_COLUMNS: tuple[str, ...] = (
    "blocks",
    "summary_entries",
    "items",
    "without_doc_number",
    "year_conflicts",
    "unknown_sectors",
    "unrecognised_issuers",
    "repeated_merged",
    "not_in_summary",
    "summary_without_item",
    "other_warnings",
)

QUALITY_COLUMNS: tuple[str, ...] = (
    "digest_id",
    "file",
    "week_start",
    "week_end",
    "week",
    "loaded",
    "errors",
    *COUNT_COLUMNS,
)
PROBLEM_COLUMNS: tuple[str, ...] = (
    "digest_id",
    "file",
    "week_start",
    "level",
    "code",
    "column",
    "item_no",
    "item_key",
    "doc_symbol",
    "headline",
    "message",
)

#: Vietnamese column headers for both tables.
COLUMN_LABELS_VI: dict[str, str] = {
    "digest_id": "Mã bản tin",
    "file": "Tệp",
    "week_start": "Từ ngày",
    "week_end": "Đến ngày",
    "week": "Tuần",
    "loaded": "Đã nạp",
    "errors": "Lỗi",
    "blocks": "Khối tin tìm thấy",
    "summary_entries": "Mục trong đoạn tóm tắt",
    "items": "Tin (sau khi gộp)",
    "without_doc_number": "Tin không có số văn bản",
    "year_conflicts": "Mâu thuẫn về năm",
    "unknown_sectors": "Chưa xác định lĩnh vực",
    "unrecognised_issuers": "Cơ quan, lãnh đạo chưa nhận diện",
    "repeated_merged": "Tin lặp đã gộp",
    "not_in_summary": "Tin không có trong tóm tắt",
    "summary_without_item": "Mục tóm tắt không có tin",
    "other_warnings": "Cảnh báo khác",
    "level": "Mức",
    "code": "Mã vấn đề",
    "column": "Nhóm",
    "item_no": "STT",
    "item_key": "Mã văn bản",
    "doc_symbol": "Số, ký hiệu",
    "headline": "Tiêu đề",
    "message": "Chi tiết",
}


def quality_table(items: pd.DataFrame, report: LoadReport, unknown_type: str = UNKNOWN_DOC_TYPE) -> pd.DataFrame:
    """One row per digest file of `report`: what was found and what deserves a look, sorted by week.

    `items` is the frame `load` returned with `report`; "without_doc_number" counts its items whose
    doc_type is `unknown_type`, so the number matches what the explorer shows for that filter.
    """
    no_doc: dict[str, int] = {}
    if len(items):
        no_doc = items.loc[items["doc_type"] == unknown_type].groupby("digest_id").size().to_dict()
    rows = []
    for f in report.files:
        counts = dict.fromkeys(COUNT_COLUMNS, 0)
        counts.update(blocks=f.blocks, summary_entries=f.summary_entries, items=f.items if f.loaded else 0)
        for p in _shown(f.problems, f):
            if p.level == ERROR:
                continue
            column = warning_column(p.code)
            if column != "without_doc_number":  # counted from the items below
                counts[column] += 1
        counts["without_doc_number"] = int(no_doc.get(f.digest_id, 0)) if f.loaded else 0
        rows.append(
            {
                "digest_id": f.digest_id,
                "file": Path(f.path).name,
                "week_start": f.week_start,
                "week_end": f.week_end,
                "week": _iso_week(f.week_start),
                "loaded": f.loaded,
                "errors": "; ".join(p.message for p in f.errors),
                **counts,
            }
        )
    frame = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    for col in ("week_start", "week_end"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    frame["loaded"] = frame["loaded"].astype(bool)
    for col in COUNT_COLUMNS:
        frame[col] = frame[col].astype("int64")
    for col in ("digest_id", "file", "week", "errors"):
        frame[col] = frame[col].astype(str)
    return frame.sort_values(["week_start", "file"], na_position="last", kind="stable").reset_index(drop=True)


def problem_table(items: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """Every problem of `report`, one row each, with the item it is about (item_no empty for the digest).

    `column` names the `quality_table` column the problem is counted in ("errors" for errors);
    `item_key`, `doc_symbol` and `headline` come from `items` so that a page can link to the explorer.
    """
    lookup: dict[tuple[str, int], tuple[str, str, str]] = {}
    if len(items):
        for digest_id, item_no, key, symbol, headline in zip(
            items["digest_id"], items["item_no"], items["item_key"], items["doc_symbol"], items["headline"], strict=True
        ):
            lookup[(digest_id, int(item_no))] = (key, symbol, headline)
    rows = []
    for f in report.files:
        for p in _shown(f.problems, f):
            key, symbol, headline = (
                lookup.get((f.digest_id, p.item_no), ("", "", "")) if p.item_no and f.loaded else ("", "", "")
            )
            column = ERRORS if p.level == ERROR else warning_column(p.code)
            rows.append(
                {
                    "digest_id": f.digest_id,
                    "file": Path(f.path).name,
                    "week_start": f.week_start,
                    "level": p.level,
                    "code": p.code,
                    "column": column,
                    "item_no": p.item_no,
                    "item_key": key,
                    "doc_symbol": symbol,
                    "headline": headline,
                    "message": p.message,
                }
            )
    frame = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    frame["week_start"] = pd.to_datetime(frame["week_start"]).astype("datetime64[ns]")
    frame["item_no"] = frame["item_no"].astype("Int64")
    for col in ("digest_id", "file", "level", "code", "column", "item_key", "doc_symbol", "headline", "message"):
        frame[col] = frame[col].astype(str)
    return frame


def _shown(problems: list[Problem], file: FileReport) -> list[Problem]:
    """A duplicate file's warnings belong to the copy that loaded: show only its error, count nothing twice."""
    if any(p.code == "duplicate" for p in file.errors):
        return [p for p in problems if p.level == ERROR]
    return problems


def _iso_week(day: object) -> str:
    if day is None:
        return ""
    year, week, _ = day.isocalendar()  # type: ignore[attr-defined]
    return f"{year}-W{week:02d}"
