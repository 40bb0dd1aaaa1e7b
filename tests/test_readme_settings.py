"""The settings tables of README.md and editors/vscode/README.md are the server's settings.

A user sets what the README lists, with the defaults it gives: a setting the table leaves out is
one nobody finds (``review.timeoutS`` was in neither), and a default that differs from the
server's misleads whoever tunes from it. package.json is checked in test_editor_settings.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.config import Settings
from tests.test_editor_settings import CLIENT_ONLY, server_settings

ROOT = Path(__file__).resolve().parents[1]
#: Defaults the tables describe in words (a list of globs, where the key comes from).
IN_WORDS = {"deepseek.apiKey", "deepseek.fimApiKey", "deepseek.exclude"}


def settings_rows(readme: Path) -> list[tuple[str, str]]:
    """(key cell, default cell) of each row of the table under ``## Settings``/``## Configuration``."""
    rows: list[tuple[str, str]] = []
    in_section = False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_section = line in ("## Settings", "## Configuration")
            continue
        if not in_section or not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in split_cells(line)]
        rows.append((cells[0], cells[1]))
    return rows


def split_cells(line: str) -> list[str]:
    """A table row's cells; a `|` inside backticks (`text\\|json`) is text, not a border."""
    cells, current, quoted = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            quoted = not quoted
        if char == "|" and not quoted:
            cells.append(current)
            current = ""
        else:
            current += char
    cells.append(current)
    return cells


def pieces(cell: str) -> list[str]:
    """A cell's values, separated by `` / `` or ``, `` outside backticks and parentheses."""
    cell = re.sub(r"\s*\([^)]*\)", "", cell)  # "0 (none)", "`""` (derived)"
    out, current, quoted = [], "", False
    index = 0
    while index < len(cell):
        char = cell[index]
        if char == "`":
            quoted = not quoted
        if not quoted and cell.startswith((" / ", ", "), index):
            out.append(current.strip())
            current = ""
            index += 3 if cell.startswith(" / ", index) else 2
            continue
        current += char
        index += 1
    out.append(current.strip())
    return [piece for piece in out if piece]


def full_keys(cell: str) -> list[str]:
    """`completion.enable` / `.model` and `completion.cache`, `cacheSize`: the later keys are the
    first one's siblings."""
    keys = [piece.strip("`") for piece in pieces(cell)]
    first = keys[0].removeprefix("deepseek.")
    section = first.rsplit(".", 1)[0] + "." if "." in first else ""
    out = [first]
    for key in keys[1:]:
        key = key.removeprefix("deepseek.")
        if key.startswith("."):
            out.append(section + key[1:])
        elif "." in key:
            out.append(key)
        else:
            out.append(section + key)
    return ["deepseek." + key for key in out]


def value(text: str) -> Any:
    """A default as the table writes it: `true`, 512, `"adaptive"`, `{}`, `deepseek-v4-pro`."""
    text = text.strip("`")
    try:
        return json.loads(text)
    except ValueError:
        return text


def documented(readme: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key_cell, default_cell in settings_rows(readme):
        keys = full_keys(key_cell)
        defaults = pieces(default_cell)
        for index, key in enumerate(keys):
            assert key not in found, f"{readme.relative_to(ROOT)}: {key} is documented twice"
            if key in IN_WORDS:
                found[key] = None
                continue
            assert len(defaults) == len(keys), f"{readme.relative_to(ROOT)}: {key_cell} has defaults {defaults}"
            found[key] = value(defaults[index])
    return found


def same(documented_value: Any, server_value: Any) -> bool:
    if isinstance(server_value, bool) or isinstance(documented_value, bool):
        return documented_value is server_value
    if isinstance(server_value, (int, float)):
        return isinstance(documented_value, (int, float)) and documented_value == server_value
    return documented_value == server_value


@pytest.mark.parametrize(
    ("readme", "client_only"),
    [
        (ROOT / "README.md", set()),
        (ROOT / "editors" / "vscode" / "README.md", CLIENT_ONLY),
    ],
    ids=["README.md", "editors/vscode/README.md"],
)
def test_every_setting_is_in_the_readme_once_with_the_servers_default(
    readme: Path, client_only: set[str]
) -> None:
    server = server_settings()
    if readme.parent == ROOT:
        # The server's README documents the key too (the extension keeps it out of settings).
        server["deepseek.apiKey"] = (Settings().api_key, str)
        server["deepseek.fimApiKey"] = (Settings().fim_api_key, str)
    table = documented(readme)
    missing = sorted(set(server) - set(table))
    unknown = sorted(set(table) - set(server) - client_only)
    assert not missing and not unknown, f"{readme.relative_to(ROOT)}: not documented {missing}; no such setting {unknown}"
    for key, (default, _annotation) in server.items():
        if key in IN_WORDS:
            continue
        shown = list(default) if isinstance(default, tuple) else default
        assert same(table[key], shown), f"{readme.relative_to(ROOT)}: {key} default {table[key]!r}, server {shown!r}"

