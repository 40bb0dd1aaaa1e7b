"""editors/neovim/README.md's "Setup options" block is the plugin's defaults (config.lua).

A user copies that block into their config: an option it leaves out is one nobody finds, and a
default it states that the plugin does not have (an old `debounce`) misleads whoever tunes it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEOVIM = ROOT / "editors" / "neovim"
#: `name = value,` with an optional comment: the block's options and the keymaps inside it.
OPTION = re.compile(r"^\s*(?P<name>\w+)\s*=\s*(?P<value>.*?),?\s*(?:--.*)?$")


def options(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = OPTION.match(line)
        if match is None:
            continue
        name, value = match["name"], match["value"].rstrip(",").strip()
        assert name not in found, f"{name} is given twice"
        found[name] = "{" if value.startswith("{") and not value.endswith("}") else value
    return found


def readme_block() -> list[str]:
    text = (NEOVIM / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Setup options\n", 1)[1]
    block = section.split("```lua\n", 1)[1].split("```", 1)[0]
    return block.splitlines()[1:-1]  # inside `require("deepseek_lsp").setup({` ... `})`


def plugin_defaults() -> list[str]:
    text = (NEOVIM / "lua" / "deepseek_lsp" / "config.lua").read_text(encoding="utf-8")
    block = text.split("M.defaults = {\n", 1)[1].split("\n}\n", 1)[0]
    return [line for line in block.splitlines() if not line.lstrip().startswith("--")]


def test_the_setup_options_block_is_the_plugins_defaults() -> None:
    documented, defaults = options(readme_block()), options(plugin_defaults())
    assert documented.keys() == defaults.keys(), (
        f"not documented {sorted(defaults.keys() - documented.keys())}; "
        f"no such option {sorted(documented.keys() - defaults.keys())}"
    )
    differ = {name: (documented[name], defaults[name]) for name in defaults if documented[name] != defaults[name]}
    assert not differ, f"README default, config.lua default: {differ}"
