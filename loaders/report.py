"""The load report: per file, what was loaded, and every warning or error found on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about a file or one of its items.

    `code` is stable and machine-readable (the data-quality page groups by it); `message` is for people.
    """

    level: str  # ERROR or WARNING
    code: str
    message: str
    item_no: int | None = None


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    digest_id: str = ""
    title: str = ""
    week_start: dt.date | None = None
    week_end: dt.date | None = None
    encoding: str = ""
    blocks: int = 0  # item blocks found in the text
    items: int = 0  # unique items kept after merging repeats
    summary_entries: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        """True when the file contributed items."""
        return self.items > 0 and not self.errors

    @property
    def errors(self) -> list[Problem]:
        """Problems that stopped the file from loading."""
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that did not stop the file from loading."""
        return [p for p in self.problems if p.level == WARNING]

    def warn(self, code: str, message: str, item_no: int | None = None) -> None:
        """Record a warning."""
        self.problems.append(Problem(WARNING, code, message, item_no))

    def error(self, code: str, message: str) -> None:
        """Record an error: the file contributes nothing."""
        self.problems.append(Problem(ERROR, code, message))


@dataclass
class LoadReport:
    """The report of one `loaders.load` call."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def loaded(self) -> list[FileReport]:
        """Files that contributed items."""
        return [f for f in self.files if f.loaded]

    @property
    def failed(self) -> list[FileReport]:
        """Files that could not be loaded."""
        return [f for f in self.files if not f.loaded]

    def problems(self) -> list[tuple[str, Problem]]:
        """Every problem with the file it belongs to, in file order."""
        return [(f.path, p) for f in self.files for p in f.problems]

    def summary_lines(self) -> list[str]:
        """A short, human-readable summary (one screen)."""
        n_items = sum(f.items for f in self.files)
        n_warn = sum(len(f.warnings) for f in self.files)
        lines = [
            f"{len(self.loaded)} digest(s) loaded, {len(self.failed)} failed; {n_items} items; {n_warn} warning(s)."
        ]
        for f in self.files:
            week = f"{f.week_start:%d/%m/%Y}–{f.week_end:%d/%m/%Y}" if f.week_start and f.week_end else "?"
            state = "OK " if f.loaded else "ERR"
            lines.append(f"  {state} {f.path}: week {week}, {f.items} items ({f.blocks} blocks)")
            for p in f.problems:
                where = f" [item {p.item_no}]" if p.item_no else ""
                lines.append(f"      {p.level}: {p.code}{where}: {p.message}")
        return lines
