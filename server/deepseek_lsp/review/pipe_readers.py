"""Who reads the pipes this process writes to (Linux's ``/proc``): a report piped to stdout is
read where stderr is (a CI runner reading both into the job's log) or by another command
(``| grep critical``), where what only the report says never reaches the user.
"""

from __future__ import annotations

import os


def _pipe(fd: int) -> str | None:
    """``pipe:[INODE]`` for a pipe ``fd`` is an end of, else None (or not Linux)."""
    try:
        link = os.readlink(f"/proc/self/fd/{fd}")
    except (OSError, ValueError):
        return None
    return link if link.startswith("pipe:") else None


def _reads(pid: str, fd: str) -> bool:
    """Whether the process's ``fd`` is open for reading only (its ``flags``, octal)."""
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as info:
            for line in info:
                if line.startswith("flags:"):
                    return int(line.split()[1], 8) & os.O_ACCMODE == os.O_RDONLY
    except (OSError, ValueError, IndexError):
        pass
    return False


def pipe_readers(*fds: int) -> list[set[int]] | None:
    """For each of ``fds`` (pipes), the other processes holding its read end, as far as
    ``/proc`` shows them (another user's, or another container's, are not seen); None where
    one of them is no pipe or nothing can be told (not Linux). One pass over ``/proc``."""
    pipes = [_pipe(fd) for fd in fds]
    if any(p is None for p in pipes):
        return None
    found: list[set[int]] = [set() for _ in fds]
    me = str(os.getpid())
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit() and p != me]
    except OSError:
        return None
    for pid in pids:
        try:
            held = os.listdir(f"/proc/{pid}/fd")
        except OSError:  # gone meanwhile, or not ours to see
            continue
        for fd in held:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            for i, pipe in enumerate(pipes):
                if link == pipe and _reads(pid, fd):
                    found[i].add(int(pid))
    return found
