"""How files are named in prompts and where the workspace roots are."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from cachetools import TTLCache

from .. import privacy
from ..privacy import uri_to_path


def display_path(uri: str, roots: Iterable[Path] = ()) -> str:
    """The file's label in a prompt: its path from the workspace folder holding it
    (``src/api/index.ts``), as Copilot labels its snippets, and the file name alone outside
    every folder. A project has many ``index.ts``, ``__init__.py`` and ``utils.py``: by name
    alone the model could not tell whose definitions it was shown."""
    return label_path(uri_to_path(uri), roots)


def label_path(path: str, roots: Iterable[Path] = ()) -> str:
    # On Windows a ``Path`` is spelled with backslashes, a URI's path with slashes, and a file
    # read for context is the resolved one (``C:``, the names' case on disk) under a folder
    # VS Code spells ``c:``: the label was the whole path, the user's name in it, not
    # ``src/app.py``. Labels there use slashes, as everywhere (the model reads one spelling).
    windows, any_case = privacy.paths.WINDOWS, privacy.paths.CASE_INSENSITIVE_FS
    if windows:
        path = path.replace("\\", "/")
    best = ""
    for root in roots:
        prefix = (str(root).replace("\\", "/") if windows else str(root)).rstrip("/") + "/"
        head = path[: len(prefix)]
        if (head == prefix or (any_case and head.lower() == prefix.lower())) and len(prefix) > len(best):
            best = prefix
    if best:
        return path[len(best) :]
    return path.rsplit("/", 1)[-1] if "/" in path else path


#: The workspace folders that exist, asked on every request at a new place (a ``stat`` and a
#: ``Path`` per folder, 0.07 ms): kept a few seconds.
_roots: TTLCache[tuple[str, ...], list[Path]] = TTLCache(maxsize=16, ttl=5.0)


def env_workspace_roots(folders: Iterable[str]) -> list[Path]:
    key = tuple(folders)
    roots = _roots.get(key)
    if roots is None:
        roots = []
        for folder in key:
            path = uri_to_path(folder)
            if path and os.path.isdir(path):
                roots.append(Path(path))
        _roots[key] = roots
    return list(roots)


TokenCount = Callable[[str], int]
