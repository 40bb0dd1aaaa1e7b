"""Files git sees moved: ``git diff --name-status -M`` read, and a moved file's source, staged
(``git mv``) or not (``mv``, an editor's rename).

A file moved with ``git mv`` and not yet committed has no text of its new name in HEAD: a
save measured it as all new (a Dockerfile moved into ``docker/``: 150 of its 164 lines sent
for one edited), where git itself pairs it with the file it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..gitignore import git


def name_changes(name_status: str) -> list[tuple[str, str]]:
    """(old name, name) of each file of ``git diff --name-status -z`` output; the old name is
    "" but for a rename or copy, which names both."""
    fields = name_status.split("\0")
    changes: list[tuple[str, str]] = []
    i = 0
    while i + 1 < len(fields) and fields[i]:
        if fields[i][:1] in ("R", "C"):
            changes.append((fields[i + 1], fields[i + 2]))
            i += 3
        else:
            changes.append(("", fields[i + 1]))
            i += 2
    return changes


def staged_source(path: Path) -> str | None:
    """The name in HEAD (from the repository's top) of the file a staged rename made ``path``."""
    folder = path.parent
    prefix = git(folder, "rev-parse", "--show-prefix")
    status = git(folder, "diff", "--cached", "--name-status", "-M", "-z", "HEAD")
    if prefix is None or prefix.returncode != 0 or status is None or status.returncode != 0:
        return None
    name = prefix.stdout.strip() + path.name
    return next((old for old, new in name_changes(status.stdout) if old and new == name), None)


def moved_source(path: Path) -> str | None:
    """The name in HEAD (from the repository's top) of the file ``path``, untracked, was before
    a move git was not told of (an editor's file explorer, ``mv``; or a second rename after a
    ``git mv``): git pairs them once both are added, as ``git add -A`` then ``git status``
    would, done here on a copy of the index so that the user's is left as it is."""
    folder = path.parent
    gone = git(folder, "ls-files", "--deleted", "-z")
    if gone is None or gone.returncode != 0 or not gone.stdout.strip("\0"):
        return None  # no tracked file is missing: nothing was moved
    where = git(folder, "rev-parse", "--show-prefix", "--git-path", "index")
    if where is None or where.returncode != 0:
        return None
    prefix, index = [*where.stdout.split("\n"), "", ""][:2]
    with tempfile.TemporaryDirectory(prefix="deepseek-lsp-index-") as scratch:
        copy = os.path.join(scratch, "index")
        try:
            shutil.copyfile(folder / index, copy)
        except OSError:
            return None
        # Intended to add: the working tree's diff then shows it, with the missing files
        # deleted, the pair git's rename detection reads (nothing written to the repository).
        added = git(folder, "add", "--intent-to-add", "--", path.name, index=copy)
        status = git(folder, "diff", "--name-status", "-M", "-z", "HEAD", index=copy)
        if added is None or added.returncode != 0 or status is None or status.returncode != 0:
            return None
        name = prefix + path.name
        return next((old for old, new in name_changes(status.stdout) if old and new == name), None)
