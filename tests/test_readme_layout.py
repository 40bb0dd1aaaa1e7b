"""README.md's Code layout names every module of server/deepseek_lsp, and none that is gone.

Keep-both merges left the layout's `completion/` row twice (one without `docstring_opener`), and
59 modules (the `imports/` package whole, `review/fitting`, `privacy/vendor_keys`…) in no row: a
reader looking for where a behaviour lives found nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "server" / "deepseek_lsp"


def layout_lines() -> list[str]:
    """The lines of the ``## Code layout`` section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Code layout\n", 1)[1]
    return section.split("\n## ", 1)[0].splitlines()


def named(line: str) -> list[str]:
    return re.findall(r"`([^`]+)`", line)


def modules() -> list[Path]:
    return sorted(
        path.relative_to(PACKAGE)
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" or path.parent != PACKAGE
    )


def folder_exists(name: str) -> bool:
    """`completion/`, `postprocess/` (inside the completion row), `tests/golden/postprocess/`."""
    return (ROOT / name).is_dir() or (PACKAGE / name).is_dir() or any(PACKAGE.rglob(name.rstrip("/")))


def test_each_top_level_module_is_named_once_and_each_named_one_exists() -> None:
    names = [name for line in layout_lines() for name in named(line)]
    top = {path.name for path in modules() if len(path.parts) == 1}
    twice = sorted(name for name in top if names.count(name) != 1)
    assert not twice, f"named not exactly once in Code layout: {twice}"
    gone = sorted(
        name
        for name in names
        if (re.fullmatch(r"[a-z_]+\.py", name) and name not in top)
        or (re.fullmatch(r"[a-z_]+(/[a-z_]+)*/", name) and not folder_exists(name))
    )
    assert not gone, f"Code layout names modules that do not exist: {gone}"


def test_each_package_module_is_named_in_its_packages_row() -> None:
    lines = layout_lines()
    missing = []
    for path in modules():
        if len(path.parts) == 1:
            continue
        package = "/".join(path.parts[:-1]) + "/"
        last = path.parts[-2] + "/"
        # `completion/postprocess/` is written `postprocess/` inside the `completion/` row.
        rows = [line for line in lines if f"`{package.split('/')[0]}/`" in line]
        assert len(rows) == 1, f"`{package.split('/')[0]}/` is in {len(rows)} lines of Code layout"
        row = rows[0]
        after = row[row.index(f"`{last}`") :] if f"`{last}`" in row else ""
        if path.stem != "__init__" and f"`{path.stem}`" not in after:
            missing.append(str(path))
    assert not missing, f"modules in no Code layout row: {missing}"


def test_no_row_of_the_layout_is_there_twice() -> None:
    keys = [line.split("|")[1].strip() for line in layout_lines() if line.startswith("| `")]
    assert len(keys) == len(set(keys)), f"rows given twice: {sorted({k for k in keys if keys.count(k) > 1})}"
