"""Every problem code the code can emit is in data/problems.yaml, at the severity it is emitted with, and the
data-quality tables and page take their labels and columns from that table."""

from __future__ import annotations

import ast
import re

from analytics.quality import COUNT_COLUMNS
from loaders.decoding import DECODE_CODES
from loaders.problems import ERRORS, OTHER_WARNINGS, code_label, problem_codes, warning_column
from tests.conftest import ROOT

CODE = re.compile(r"[a-z][a-z0-9_]*")
#: Calls that record a problem, and where their code stands: (argument index, severity).
_EMITTERS = {
    "warn": (0, "warning"),
    "error": (0, "error"),
    "Refusal": (1, "refusal"),
    "UnsafeUpload": (0, "refusal"),
    "_Retry": (0, "refusal"),  # loaders.fetch: a transient failure, refused under its code once retries run out
}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _grave(severities: set[str] | tuple[str, ...]) -> set[str]:
    return {"error" if s == "refusal" else s for s in severities}


def emitted_codes() -> dict[str, set[str]]:
    """code -> severities, for every problem recorded in loaders/: report.warn/error("code", …),
    Refusal(name, "code", …), UnsafeUpload("code", …), item.problems.append(("code", message)), and the
    codes of loaders.decoding.DecodeError."""
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / "loaders").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if isinstance(node.func, ast.Attribute) and _name(node.func.value) == "parser":
                continue  # argparse's parser.error("usage message"): not a problem code
            arg, severity = _EMITTERS.get(name, (None, ""))
            if name == "append" and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "problems":
                tup = node.args[0] if node.args else None
                if isinstance(tup, ast.Tuple) and len(tup.elts) == 2:  # item-level: reported as warnings
                    arg, severity, node = 0, "warning", ast.Call(func=node.func, args=tup.elts, keywords=[])
            if arg is None or len(node.args) <= arg:
                continue
            code = node.args[arg]
            # Codes are snake_case words: argparse's parser.error("--limit must be …") is not a problem code.
            if isinstance(code, ast.Constant) and isinstance(code.value, str) and CODE.fullmatch(code.value):
                out.setdefault(code.value, set()).add(severity)
    # Decoding failures carry a code constant, which the pipeline records as the file's error.
    for code in DECODE_CODES:
        out.setdefault(code, set()).add("error")
    return out


def test_the_scan_finds_the_codes_of_every_kind_of_emitter():
    found = emitted_codes()
    # A warning, an error, a multi-line warn, an item problem, a refusal and a refused zip.
    assert {"not_in_summary", "no_items", "possibly_truncated", "unknown_unit", "wrong_type", "zip_bomb"} <= set(found)
    assert found["no_week"] == {"warning", "error"}


def test_every_emitted_code_is_in_the_table_at_its_severity():
    table = problem_codes()
    found = emitted_codes()
    assert sorted(set(found) - set(table)) == []
    for code, severities in found.items():
        # A refusal stops a file like an error does: too_large is both a refused upload and a file's error.
        assert _grave(severities) <= _grave(table[code].severity), (code, severities, table[code].severity)


def test_every_code_in_the_table_is_emitted_or_relayed():
    # not_a_digest / no_items reach uploads through `first.code`; html_scripts and the rest are literal.
    assert sorted(set(problem_codes()) - set(emitted_codes())) == []


def test_the_table_is_complete_and_names_real_columns():
    for entry in problem_codes().values():
        assert entry.vi and entry.en and entry.vi != entry.en, entry.code
        assert entry.column in (*COUNT_COLUMNS, ERRORS), entry.code
        if entry.column == ERRORS:
            assert "warning" not in entry.severity, entry.code


def test_labels_and_columns_come_from_the_table():
    assert code_label("no_document", "vi") == "Tin không nêu số, ký hiệu văn bản"
    assert code_label("no_document", "en") == "Item names no document number"
    assert code_label("not_a_code", "en") == "not_a_code"
    assert warning_column("repeated_item") == "repeated_merged"
    assert warning_column("no_title") == OTHER_WARNINGS
    assert warning_column("not_a_code") == OTHER_WARNINGS
    # No second copy of the codes left where they used to be.
    for rel in ("analytics/quality.py", "ui/quality.py", "data/i18n.yaml"):
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert "vp_letter_without_leader" not in text, rel


def test_the_quality_tables_count_by_the_table(seed_items):
    from analytics.quality import problem_table, quality_table

    items, report = seed_items
    problems = problem_table(items, report)
    assert not problems.empty
    for code, column in zip(problems["code"], problems["column"], strict=True):
        assert column == warning_column(code), code
    quality = quality_table(items, report)
    merged = problems[problems["code"] == "repeated_item"].groupby("file").size()
    assert dict(zip(quality["file"], quality["repeated_merged"], strict=True)) == {
        f: int(merged.get(f, 0)) for f in quality["file"]
    }
