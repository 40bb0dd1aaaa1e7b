"""README.md's editor set-up names what the editors' folders hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_vsix_the_readme_installs_is_the_one_npm_run_package_writes() -> None:
    # vsce names it <name>-<version>.vsix: a version bump left the README's command naming none.
    package = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    named = set(re.findall(r"[\w.-]+\.vsix", (ROOT / "README.md").read_text(encoding="utf-8")))
    assert named == {f"{package['name']}-{package['version']}.vsix"}, named
