"""Files git sees moved: ``git diff --name-status -M`` read, and a staged ``git mv``'s source.

A file moved with ``git mv`` and not yet committed has no text of its new name in HEAD: a
save measured it as all new (a Dockerfile moved into ``docker/``: 150 of its 164 lines sent
for one edited), where git itself pairs it with the file it was.
"""

from __future__ import annotations

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
