"""Data quality (Chất lượng dữ liệu): how far to trust each digest, from the load report and the items.

`quality_table` gives one row per digest file with counts of what the parser found and doubted;
`problem_table` lists every problem (one row each) with the digest and item it belongs to, so that a page
can link each one to the item in the explorer. A file skipped as a duplicate shows only that error: its
warnings belong to the copy that loaded and are not counted twice. Both are pure: (items, LoadReport) in, frames out.
Problem codes are those of `loaders.pipeline` and `loaders.items` (see `CODE_LABELS_VI`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.report import ERROR, FileReport, LoadReport, Problem

#: doc_type of items that name no document (`unknown_type` in data/vocab/doc_types.yaml).
UNKNOWN_DOC_TYPE = "Khác"

#: Which quality column each warning code is counted in; codes not listed count as "other_warnings".
CODE_COLUMN: dict[str, str] = {
    "no_document": "without_doc_number",
    "year_conflict": "year_conflicts",
    "unknown_sector": "unknown_sectors",
    "unknown_leader": "unrecognised_issuers",
    "unknown_unit": "unrecognised_issuers",
    "vp_letter_without_leader": "unrecognised_issuers",
    "repeated_item": "repeated_merged",
    "not_in_summary": "not_in_summary",
    "summary_without_item": "summary_without_item",
}

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

#: What each problem code means, in Vietnamese (the message itself stays as the parser wrote it).
CODE_LABELS_VI: dict[str, str] = {
    "no_document": "Tin không nêu số, ký hiệu văn bản",
    "no_document_date": "Không tìm thấy ngày của văn bản",
    "year_conflict": "Năm ở tiêu đề khác năm của các văn bản",
    "unknown_sector": "Không xác định được lĩnh vực",
    "unknown_leader": "Lãnh đạo không có trong danh sách",
    "unknown_unit": "Đơn vị soạn thảo không có trong danh mục",
    "vp_letter_without_leader": "Công văn của Văn phòng không nêu lãnh đạo chỉ đạo",
    "repeated_item": "Tin lặp lại trong bản tin, đã gộp",
    "not_in_summary": "Tin không có trong đoạn tóm tắt",
    "summary_without_item": "Mục tóm tắt không có tin tương ứng",
    "no_summary": "Không có đoạn tóm tắt",
    "no_title": "Không có tiêu đề bản tin",
    "no_week": "Không đọc được tuần",
    "week_inferred": "Tuần được suy ra từ ngày văn bản",
    "week_not_monday_sunday": "Tuần không từ thứ Hai đến Chủ nhật",
    "text_ignored": "Có đoạn văn bị bỏ qua",
    "possibly_truncated": "Bản tin có thể bị cắt cụt",
    "duplicate": "Trùng với một bản tin khác",
    "not_a_digest": "Không phải bản tin",
    "no_items": "Không tìm thấy tin nào",
    "too_large": "Tệp quá lớn",
    "unreadable": "Không đọc được tệp",
    # Why bytes are not text (loaders.decoding.DECODE_CODES).
    "empty_file": "Tệp rỗng (không có nội dung)",
    "binary_file": "Tệp nhị phân (ảnh, tệp nén, PDF, Word…), không phải văn bản",
    "not_plain_text": "Tài liệu RTF, không phải văn bản thuần: mở bằng Word rồi lưu dạng văn bản thuần (UTF-8)",
    "unknown_encoding": "Không nhận ra bảng mã: hãy lưu tệp dạng UTF-8",
    "legacy_encoding": "Bảng mã cũ TCVN3 (ABC) hoặc VNI: hãy chuyển sang Unicode (UTF-8) rồi tải lại",
    # Refusals and warnings of uploads (loaders.library).
    "wrong_type": "Không phải loại tệp được nhận",
    "unsafe_zip": "Tệp zip không an toàn",
    "zip_bomb": "Tệp zip giải nén ra quá lớn (có thể là zip bomb)",
    "bad_zip": "Tệp zip hỏng, không đọc được",
    "empty_folder": "Thư mục không có tệp bản tin",
    "html_scripts": "Trang HTML có mã script (đã bỏ, không chạy)",
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
            column = CODE_COLUMN.get(p.code, "other_warnings")
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
            column = "errors" if p.level == ERROR else CODE_COLUMN.get(p.code, "other_warnings")
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
