"""The table of problem codes (data/problems.yaml): what each code the loader can report means, in
Vietnamese and English, how grave it is, and which data-quality column counts it.

One place for each code: the parser emits the codes, this table describes them, and the data-quality page
and its tables read them from here (a test checks that every code the code can emit is listed).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from loaders.config import BUNDLED_DATA_DIR, read_yaml

PROBLEMS_FILE = BUNDLED_DATA_DIR / "problems.yaml"
SEVERITIES = ("error", "warning", "refusal")
#: The data-quality column of warnings without a column of their own, and of every error.
OTHER_WARNINGS = "other_warnings"
ERRORS = "errors"


@dataclass(frozen=True)
class ProblemCode:
    """One problem code of the table."""

    code: str
    severity: tuple[str, ...]  # of SEVERITIES
    column: str  # data-quality column counting it
    vi: str
    en: str

    def label(self, language: str) -> str:
        """What the code means, in `language` ("vi" or "en"; Vietnamese otherwise)."""
        return self.en if language == "en" else self.vi


@cache
def problem_codes(path: Path = PROBLEMS_FILE) -> dict[str, ProblemCode]:
    """code -> ProblemCode, in the table's order (read once per process)."""
    raw = read_yaml(path)
    out: dict[str, ProblemCode] = {}
    for entry in raw["problems"]:
        severity = entry["severity"]
        levels = tuple(severity) if isinstance(severity, list) else (severity,)
        if unknown := set(levels) - set(SEVERITIES):
            raise ValueError(f"{path}: {entry['code']} has unknown severity {sorted(unknown)}")
        out[entry["code"]] = ProblemCode(entry["code"], levels, entry["column"], entry["vi"], entry["en"])
    return out


def code_label(code: str, language: str) -> str:
    """What a problem code means in `language` (the code itself when it is not in the table)."""
    found = problem_codes().get(code)
    return found.label(language) if found else code


def warning_column(code: str) -> str:
    """The data-quality column a warning with this code is counted in."""
    found = problem_codes().get(code)
    return found.column if found and found.column != ERRORS else OTHER_WARNINGS
