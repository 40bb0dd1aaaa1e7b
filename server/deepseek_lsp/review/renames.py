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
from collections.abc import Iterator
from contextlib import contextmanager
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
    where = git(folder, "rev-parse", "--show-prefix")
    if where is None or where.returncode != 0:
        return None
    with intended(folder, [path.name]) as copy:
        if copy is None:
            return None
        status = git(folder, "diff", "--name-status", "-M", "-z", "HEAD", index=copy)
        if status is None or status.returncode != 0:
            return None
        name = where.stdout.strip() + path.name
        return next((old for old, new in name_changes(status.stdout) if old and new == name), None)


@contextmanager
def intended(folder: Path, names: list[str]) -> Iterator[str | None]:
    """A copy of the index of ``folder``'s repository in which ``names`` (untracked, from
    ``folder``) are intended to add: the working tree's diff then shows them, and the missing
    files deleted, the pairs git's rename detection reads, nothing written to the repository.
    None where git could not make it."""
    where = git(folder, "rev-parse", "--git-path", "index")
    if where is None or where.returncode != 0:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="deepseek-lsp-index-") as scratch:
        copy = os.path.join(scratch, "index")
        try:
            shutil.copyfile(folder / where.stdout.strip(), copy)
        except OSError:
            yield None
            return
        # From stdin, each name as it is: many files overflowed no command line, and one named
        # ``x[1].py`` is no pattern.
        added = git(
            folder, "--literal-pathspecs", "add", "--intent-to-add", "--pathspec-from-file=-", "--pathspec-file-nul",
            stdin="\0".join(names), index=copy,
        )
        yield copy if added is not None and added.returncode == 0 else None
