"""Opening SQLite files that several processes share (a server per editor window, the CLI).

Two processes starting at once race on a new file: while one creates it (writes its first page,
switches it to WAL), the other can read "file is not a database" or "database is locked". Taken
at face value, the first made a server move the other's file aside as corrupt, the second made
it keep usage in memory only; either way one process's records were lost
(tests/test_model_ledger.py saw it on a loaded machine). Both are retried for a moment first:
only an error that persists is believed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
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
