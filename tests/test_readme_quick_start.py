"""README.md's quick start works on a fresh machine as written.

``pip install . && deepseek-lsp`` alone stopped at ``error: externally-managed-environment`` with
Debian 12's and Ubuntu 23.04+'s Python (PEP 668), the first command a new user ran.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the package's own dependency there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def quick_start() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Quick start\n", 1)[1].split("\n## ", 1)[0]


def commands(section: str) -> list[str]:
    return [line[4:] for line in section.splitlines() if line.startswith("    ") and line[4:5] != " "]


def test_the_quick_start_is_two_commands_run_in_a_virtualenv_made_before_them() -> None:
    """Two commands (install and run; install and test), the virtualenv they need said first."""
    section = quick_start()
    said = commands(section)
    assert [line.split(" && ")[0] for line in said] == ["pip install .", "pip install '.[test]'"], said
    venv = re.search(r"`(python3? -m venv (\S+) && \. \2/bin/activate)`", section)
    assert venv and section.index(venv.group(0)) < section.index("    pip install ."), section


def test_the_python_it_names_is_the_one_the_package_requires() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    least = project["requires-python"].removeprefix(">=")
    assert f"Python {least} or later" in quick_start()
