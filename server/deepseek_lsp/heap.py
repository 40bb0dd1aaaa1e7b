"""The process's memory: freed pages back to the system, cycles collected between requests.

glibc's allocator keeps freed blocks resident for reuse. Two things here free a lot at once:
loading the tokenizer (its 6 MB JSON is parsed into temporary structures, ~20 MB left resident)
and dropping syntax trees (~7 MB for a 5,000-line file). ``malloc_trim`` returns those pages;
elsewhere (macOS, musl, Windows) it is a no-op.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: Seconds between the first free of a burst and the trim: one trim for many closed files.
TRIM_DELAY_S = 5.0

_malloc_trim: object = None


def _glibc(name: str) -> Any:
    """glibc's function ``name``, or None elsewhere (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The symbols the process has loaded already (dlopen(NULL)), the C library's among
        # them: ctypes.util.find_library("c") ran ``/sbin/ldconfig -p`` at every start to name it.
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # not glibc
        return None


def trim() -> bool:
    """Release free heap pages to the system; False where the C library cannot."""
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = _glibc("malloc_trim") or False
    if not _malloc_trim:
        return False
    try:
        _malloc_trim(0)  # type: ignore[operator]
    except Exception as exc:  # never worth failing for
        log.debug("malloc_trim failed: %s", exc)
        return False
    return True


#: glibc's ``M_MMAP_THRESHOLD`` (malloc.h), and the size it starts at.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024


def fix_mmap_threshold() -> bool:
    """Keep glibc's allocator giving blocks from ``MMAP_THRESHOLD`` up their own mappings,
    returned to the system when freed. Its default raises the threshold to the size of any such
    block freed (up to 32 MB): after the generated-code file (~2 MB) was read, the tokenizer's
    temporary tables of 1-2 MB came from the heap instead, and ``malloc_trim`` could give back
    only part of them: 10 MB more resident, by the size of that file (tests/bench/bench_memory.py,
    114 against 104 MB at start). False where the C library has no ``mallopt``."""
    mallopt = _glibc("mallopt")
    return bool(mallopt and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def _once(pending: asyncio.Handle | None, delay: float, callback: Callable[[], object]) -> asyncio.Handle | None:
    """``callback`` scheduled on the running loop after ``delay`` unless ``pending`` already is;
    None off the loop (nothing to schedule on)."""
    if pending is not None:
        return pending
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop.call_later(delay, callback) if delay > 0 else loop.call_soon(callback)


class Trimmer:
    """Trims once, a little after memory was freed (call :meth:`freed` from the event loop)."""

    def __init__(self, delay: float = TRIM_DELAY_S) -> None:
        self.delay = delay
        self.trims = 0
        self._pending: asyncio.Handle | None = None

    def freed(self) -> None:
        self._pending = _once(self._pending, self.delay, self._run)

    def _run(self) -> None:
        self._pending = None
        if trim():
            self.trims += 1

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None


#: The third threshold while the modules are imported: no full collection before they are all in.
NO_FULL_COLLECTION = 1 << 30

_thresholds_before_imports: tuple[int, int, int] | None = None


def importing() -> None:
    """No full collection until :func:`imported`: each walked every object imported so far
    (two during the server's imports, ~20 ms of CPU), and what the imports leave is frozen
    after them anyway. The young generations are still collected as usual: lsprotocol's attrs
    classes leave their first versions, ~17,500 objects in cycles, and those collections find
    nearly all of them."""
    global _thresholds_before_imports
    if _thresholds_before_imports is None:
        _thresholds_before_imports = gc.get_threshold()
        gc.set_threshold(*_thresholds_before_imports[:2], NO_FULL_COLLECTION)


def imported(freeze: bool) -> None:
    """The modules are imported: the thresholds of before :func:`importing`; ``freeze``
    (the command that serves): what the imports made is kept out of the collector's way from
    now on. The young generations are collected first (~7,000 objects at most, under 1 ms);
    what escaped them to the old one (~170 objects, ~0.1 MB: attrs classes' first versions) is
    frozen with the rest, not collected by a walk of all ~75,000 objects (~35 ms of CPU, 0.1-0.25 s
    of a loaded host's time: it ran at the editor's first quiet second, in the way of a key
    typed then). Nothing once done."""
    global _thresholds_before_imports
    if _thresholds_before_imports is None:
        return
    if freeze:
        gc.collect(1)
        gc.freeze()
    gc.set_threshold(*_thresholds_before_imports)
    _thresholds_before_imports = None


#: When a collection is due, as CPython's thresholds: allocations (less frees) since the last
#: collection of generation 0, then collections of the generation below. CPython's default for
#: the first is 700; a request allocates a few thousand objects, few of them in cycles.
THRESHOLDS = (20_000, 10, 10)
#: Automatic collection stays on as a backstop, at this many times the first threshold: for long
#: stretches with nothing answered (100 files opened at once, a long review).
BACKSTOP = 10


class Collector:
    """Runs the cycle collector right after an answer went out, not in the middle of a request.

    CPython collects when allocations cross a threshold, wherever the program is: a full
    collection (15-20 ms with the server's caches) landed inside a completion request once in a
    few hundred, its slowest (tests/bench/bench_overhead.py). Call :meth:`answered` once an
    answer is written: the collection the allocations call for runs then.
    """

    def __init__(self, thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
        self.thresholds = thresholds
        self.collections = [0, 0, 0]
        self._pending: asyncio.Handle | None = None
        #: Set by the command that serves: :meth:`started` then freezes the heap.
        self.freeze_when_started = False

    def install(self) -> None:
        t0, t1, t2 = self.thresholds
        gc.set_threshold(t0 * BACKSTOP, t1, t2)

    def started(self) -> None:
        """The start is over: what was built for it lives as long as the process. Keep it out
        of the collector's way, so full collections (tens of milliseconds) don't land in the
        middle of a keystroke. Called once the editor is quiet after ``initialized`` (see
        startup.py), not as the editor opens its first file and asks (0.2 s at load 15). The
        imports' objects are frozen already (:func:`imported`): this collection walks what
        serving made since (~10,000 objects, a few ms), not theirs too (~35 ms)."""
        if self.freeze_when_started:
            self.freeze_when_started = False
            gc.collect()
            gc.freeze()

    def answered(self) -> None:
        self._pending = _once(self._pending, 0, self.collect_if_due)

    def collect_if_due(self) -> int | None:
        """Collect the generation that is due, if any; which one it was."""
        self._pending = None
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.thresholds
        if c0 < t0:
            return None
        generation = 2 if c2 >= t2 else 1 if c1 >= t1 else 0
        gc.collect(generation)
        self.collections[generation] += 1
        return generation

