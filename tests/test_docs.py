"""The README documents what the code does: the schema table and the set-up commands stay in sync."""

from __future__ import annotations

import re
import subprocess
import sys

from loaders.schema import COLUMNS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_schema_table_matches_the_code():
    block = README.split("<!-- schema:start -->")[1].split("<!-- schema:end -->")[0]
    rows = [line for line in block.strip().splitlines()[2:]]
    expected = [f"| `{c.name}` | {c.kind} | {c.label_vi} | {c.description} |" for c in COLUMNS]
    assert rows == expected


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.+?)\n```", README)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert any("streamlit run dashboard.py" in c for c in commands)


def test_code_is_ruff_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_ruff_formatted():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_lists_every_filter_of_the_registry():
    """A filter added to analytics.filters.FILTERS must be documented in the README's filter table."""
    from analytics.filters import FILTERS

    block = README.split("<!-- filters:start -->")[1].split("<!-- filters:end -->")[0]
    rows = [line for line in block.strip().splitlines()[2:]]
    documented = [re.search(r"\| `([^`]+)` \| (\w+) \|", row).groups() for row in rows]
    assert documented == [(spec.key, spec.kind) for spec in FILTERS]
    for spec, row in zip(FILTERS, rows, strict=True):
        assert spec.column == "" or f"`{spec.column}`" in row, row


def test_readme_shows_the_deadline_filter_as_the_example():
    from analytics.filters import FILTERS

    entry = next(s for s in FILTERS if s.name == "has_deadline")
    example = README.split("### Adding a filter")[1]
    assert f'FilterSpec("{entry.name}", "{entry.key}", "{entry.column}", "{entry.kind}", "{entry.label}")' in example
