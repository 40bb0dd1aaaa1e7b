"""C and C++ includes as a compiler given the project's include folders finds them."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .project_files import _folders_up, _read_small, _read_when_changed

#: compile_commands.json files larger than this are not read (parsing is in a request's path).
MAX_COMPILE_COMMANDS_BYTES = 8 << 20
_INCLUDE_FLAG = re.compile(r"^-(?:I|isystem|iquote|idirafter)(.*)$")


def _include_dirs(commands: Path) -> list[Path]:
    """The include folders (``-I``, ``-isystem``, ``-iquote``) of a compilation database, as
    clangd reads them, in their first order; read again when the file changes."""
    return _read_when_changed(commands, _include_dirs_in) or []


def _include_dirs_in(commands: Path) -> list[Path]:
    try:
        too_big = commands.stat().st_size > MAX_COMPILE_COMMANDS_BYTES
        entries = [] if too_big else json.loads(_read_small(commands, MAX_COMPILE_COMMANDS_BYTES))
    except (OSError, ValueError):
        return []
    found: dict[Path, None] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        args = entry.get("arguments")
        if not isinstance(args, list):
            args = str(entry.get("command", "")).split()
        directory = Path(str(entry.get("directory", commands.parent)))
        pending = False
        for arg in map(str, args):
            if pending:
                found[Path(os.path.normpath(directory / arg))] = None
                pending = False
            elif flag := _INCLUDE_FLAG.match(arg):
                if flag.group(1):
                    found[Path(os.path.normpath(directory / flag.group(1)))] = None
                else:
                    pending = True
    return list(found)


def _resolve_include(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """``#include "x.h"`` as a compiler given the project's include folders finds it: the
    including file's folder (not for ``<x.h>``), the ``-I`` folders of the nearest
    compile_commands.json (in a folder above the file or its build/), then the workspace's
    include/, src/ and root."""
    system = source.startswith("<")
    name = source.strip("<>")
    if not name or name.startswith("/"):
        return []
    folders: list[Path] = [] if system else [doc_path.parent]
    above = _folders_up(doc_path, roots)
    for folder in above:
        commands = next((c for c in (folder / "compile_commands.json", folder / "build" / "compile_commands.json") if c.is_file()), None)
        if commands is not None:
            folders += _include_dirs(commands)
            break
    top = above[-1]  # the workspace root holding the file (its folder outside every root)
    folders += [top / "include", top / "src", top]
    for folder in dict.fromkeys(folders):
        cand = Path(os.path.normpath(folder / name))
        if cand.is_file():
            return [cand]
    return []
