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
