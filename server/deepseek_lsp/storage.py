"""Opening SQLite files that several processes share (a server per editor window, the CLI).

Two processes starting at once race on a new file: while one creates it (writes its first page,
switches it to WAL), the other can read "file is not a database" or "database is locked". Taken
at face value, the first made a server move the other's file aside as corrupt, the second made
it keep usage in memory only; either way one process's records were lost
(tests/test_model_ledger.py saw it on a loaded machine). Both are retried for a moment first:
only an error that persists is believed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
_DAMAGED = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_busy(exc: BaseException) -> bool:
    code = _code(exc)
    if code is not None:
        return code in _BUSY
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def looks_damaged(exc: BaseException) -> bool:
    code = _code(exc)
    if code is not None:
        return code in _DAMAGED
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "integrity check failed" in text


def open_shared(connect: Callable[[], T], *, attempts: int = 5, first_delay: float = 0.05) -> T:
    """``connect()``, tried again after a short wait (0.05 s, doubling) while the file is busy
    or reads as damaged; the last error is raised when it persists."""
    delay = first_delay
    for attempt in range(attempts):
        try:
            return connect()
        except sqlite3.DatabaseError as exc:
            if attempt == attempts - 1 or not (is_busy(exc) or looks_damaged(exc)):
                raise
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def make_private(path: Path) -> None:
    """Make the database file ``path`` (and its ``-wal`` and ``-shm`` files) readable by its
    owner only, creating it empty when missing, before SQLite opens it: SQLite gives a new file
    0644 under the usual umask, and the other two the database file's permissions. For files
    holding the user's code (the review cache quotes it). Raises OSError when the file cannot
    be created (a read-only folder); one that cannot be changed is left as it is."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    for tail in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):  # gone meanwhile, another user's, a read-only disk
            target = Path(f"{path}{tail}")
            mode = stat.S_IMODE(target.stat().st_mode)
            if mode & 0o077:
                target.chmod(mode & 0o700)


def replace_file(
    target: Path,
    data: bytes,
    *,
    prefix: str,
    suffix: str = "",
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
) -> None:
    """Write ``data`` to a new file beside ``target``, then rename it over ``target``: a reader
    (another server starting) sees the old file or the new one whole, never one cut short.
    The new file is the owner's only (mkstemp's 0600) unless ``mode`` says otherwise (where the
    file system keeps modes), and this process's unless ``owner`` (user, group) says otherwise
    (see :func:`_give`). Raises OSError; no temporary is left."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=suffix)
    try:
        # The descriptor is owned by ``out`` first: a chown or a write that fails closes it on
        # the way out (on Windows an open file cannot be unlinked).
        with os.fdopen(fd, "wb") as out:
            if owner is not None:
                _give(tmp, *owner)  # first: a chown (root's too) clears the set-id bits of a mode
            if mode is not None:
                # By name: os.fchmod is not on Windows before Python 3.13. A file system without
                # modes (FAT, exFAT: EPERM for one it cannot hold) keeps the mount's: the file is
                # written all the same, as open() would write it there.
                with contextlib.suppress(OSError):
                    os.chmod(tmp, mode)
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _give(path: str, uid: int, gid: int) -> None:
    """``path`` given to ``uid`` and ``gid`` as far as this process may: root to anyone (a CI
    container's root replaced a host user's report with a file of root's), another user to a
    group of its own only. What it may not give stays its own; there is no way to write a new
    file as someone else."""
    if not hasattr(os, "chown"):  # Windows: no owners to keep this way
        return
    for ids in ((uid, gid), (-1, gid)):
        try:
            os.chown(path, *ids)
            return
        except OSError:  # EPERM; EINVAL for an id a user namespace does not map
            continue


def folder_problem(folder: Path) -> str | None:
    """Why no file can be written in ``folder`` (created when missing), None when one can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "it is a file, not a folder"
    except NotADirectoryError:
        return "a part of its path is a file, not a folder"
    except OSError as exc:
        return exc.strerror or str(exc)
    try:  # what writing a file there says: "Read-only file system", "Permission denied"
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def state_folder_message(folder: Path, problem: str) -> str:
    """What the user is told, once, when the state folder cannot be used: the usage ledger and
    the review cache both live there, and each told its own warning for the one cause."""
    return (
        f"cannot write to the state folder {folder} ({problem}): usage is counted in memory only "
        "and reviews are not remembered; set DEEPSEEK_LSP_STATE_DIR to a folder you can write"
    )


def file_id(path: Path) -> tuple[int, int] | None:
    """The file at ``path`` (device, inode), None when there is none: another process that
    set a damaged file aside and started a new one leaves a connection still open writing to
    the old file, which no one else reads any more (see its users' ``_run``)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino
