"""Imports looked up by a language's ``[imports]`` rules in language.toml (Ruby, Lua)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..languages import ImportRules


def _resolve_by_rules(source: str, doc_path: Path, roots: Iterable[Path], rules: ImportRules) -> list[Path]:
    """The file ``source`` names by a language's ``[imports]`` rules (``ImportRules``).

    Nothing is guessed beyond them: a name that is no file there (a gem, a LuaRock, a path
    built at run time) names nothing, rather than the first workspace file that looks like it."""
    if not source:
        return []
    if source.startswith(("./", "../")):
        bases, name = [doc_path.parent], source
    elif source.startswith((".", "/")) or not rules.paths:
        return []  # an absolute path, or a relative one the language does not have
    else:
        name = source.replace(rules.separator, "/") if rules.separator else source
        bases = []
        for folder in rules.paths:
            if folder.startswith("{dir}"):
                bases.append(Path(str(doc_path.parent) + folder.removeprefix("{dir}")))
            else:
                bases += [Path(str(root) + folder.removeprefix("{root}")) for root in roots]
    for base in bases:
        # Folded, so that ``lib/../../x`` is not taken for a file under the workspace root.
        target = os.path.normpath(base / name)
        as_spelled = not rules.suffixes or target.endswith(rules.suffixes)
        for cand in (*((target,) if as_spelled else ()), *(target + suffix for suffix in rules.suffixes)):
            path = Path(cand)
            if path.is_file():
                return [path]
    return []
