"""Give memory the process has freed back to the system.

glibc's allocator keeps freed blocks resident for reuse. Two things here free a lot at once:
loading the tokenizer (its 6 MB JSON is parsed into temporary structures, ~20 MB left resident)
and dropping syntax trees (~7 MB for a 5,000-line file). ``malloc_trim`` returns those pages;
elsewhere (macOS, musl, Windows) it is a no-op.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

#: Seconds between the first free of a burst and the trim: one trim for many closed files.
TRIM_DELAY_S = 5.0

_malloc_trim: object = None


def trim() -> bool:
    """Release free heap pages to the system; False where the C library cannot."""
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                _malloc_trim = libc.malloc_trim
            except (OSError, AttributeError):  # not glibc
                pass
    if not _malloc_trim:
        return False
    try:
        _malloc_trim(0)  # type: ignore[operator]
    except Exception as exc:  # never worth failing for
        log.debug("malloc_trim failed: %s", exc)
        return False
    return True


class Trimmer:
    """Trims once, a little after memory was freed (call :meth:`freed` from the event loop)."""

    def __init__(self, delay: float = TRIM_DELAY_S) -> None:
        self.delay = delay
        self.trims = 0
        self._pending: asyncio.TimerHandle | None = None

    def freed(self) -> None:
        if self._pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._pending = loop.call_later(self.delay, self._run)

    def _run(self) -> None:
        self._pending = None
        if trim():
            self.trims += 1

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
