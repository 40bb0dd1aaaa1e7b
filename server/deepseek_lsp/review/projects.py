"""The project a file belongs to: where a finding the user ignored stays ignored.

An ignore was global: the same code and message was hidden in every project the user opened,
and showing the ignored findings again brought back every project's. A project is the git
repository holding the file (the innermost: a submodule is its own), whichever of its folders
the editor opened (the repository's root one day, a package of it the next: the ignores of
the one held in the other); outside a repository, the innermost workspace folder holding it,
and for a file in neither, its own folder. The command line, whose working directory stands
for the folder an editor opened, finds the same project for the same file, so it leaves out
what the user ignored there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cachetools import TTLCache

from .. import privacy

#: Each folder's repository, kept a few seconds: a review asks for every file it shows, and a
#: ``git init`` during a session counts from a moment later.
_repositories: TTLCache[str, str | None] = TTLCache(maxsize=1024, ttl=5.0)


def project_of(path: Path, folders: Sequence[Path] = ()) -> str:
    """The project holding ``path`` (a file or a folder), as a key: its folder's real path,
    in one case where the file system ignores case (an editor may spell it ``c:``, git
    ``C:``)."""
    start = os.path.realpath(path if path.is_dir() else path.parent)
    project = _repository(start)
    if project is None:
        holders = [root for root in (os.path.realpath(f) for f in folders) if _holds(root, start)]
        project = max(holders, key=len) if holders else start
    return project.lower() if privacy.paths.CASE_INSENSITIVE_FS else project


def _holds(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _repository(folder: str) -> str | None:
    """The innermost folder at or above ``folder`` holding a ``.git`` (a folder; a file in a
    worktree or submodule, which is a repository of its own), without running git."""
    if folder in _repositories:
        return _repositories[folder]
    found: str | None = None
    here = folder
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            found = here
            break
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    _repositories[folder] = found
    return found
