"""The start's work kept out of the way of the editor's first requests, and when each part ran.

DeepSeek's tokenizer loads in a thread, but the ``tokenizers`` library holds the GIL for all of
its JSON read and BPE build (~0.4 s of CPU, 0.6-2 s of a loaded machine's time): the event loop
stands still meanwhile. Loaded as ``initialized`` came, it was in the way of the file the editor
opens and the suggestion it asks for then (a new server's first one waited 1.1 s, median, at load
5; 0.3 s once the start had gone by). It now loads once the editor has let the server be for
:data:`QUIET_S` (or :data:`LATEST_S` after ``initialized``, whatever it does); prompts are
counted by the estimate until then, which their budget allows for
(``completion.prompting.LOADING_MARGIN``).

:class:`StartTimes` keeps when each of these moments came (``deepseek/debugState``'s ``start``):
a slow first suggestion is told apart from the start-up work it waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from .timeouts import within

log = logging.getLogger(__name__)

#: How long the editor must have sent nothing, and had no request under way, before the start's
#: work that stops the event loop is done: longer than the pauses between keys, so a user
#: typing is not stopped by it, and short enough that a file's lines are counted exactly well
#: before most first suggestions.
QUIET_S = 1.0
#: How long after ``initialized`` the work is done whether the editor has been quiet or not (once
#: no request of it is under way): an editor that sends something every second (a status poll,
#: Neovim's ``deepseek/cursorMoved`` as the cursor goes about) was never quiet, and counted every
#: prompt by the estimate all day.
LATEST_S = 20.0


class StartTimes:
    """The first time each named moment came, in milliseconds since the server was made."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.origin = clock()
        self._marks: dict[str, float] = {}

    def now(self) -> float:
        return self._clock()

    def mark(self, name: str, at: float | None = None) -> None:
        """``name`` has come now (or ``at``, the clock's time); only its first time is kept (the
        first request's, not the next ones'), and logged at debug level. On the event loop's
        thread: the log goes to the editor too."""
        if name not in self._marks:
            self._marks[name] = self._clock() if at is None else at
            log.debug("start: %s %.1f ms after the server was made", name, (self._marks[name] - self.origin) * 1000)

    def get(self, name: str) -> float | None:
        """When ``name`` first came (the clock's time), or None."""
        return self._marks.get(name)

    def to_json(self) -> dict[str, float]:
        return {name: round((at - self.origin) * 1000, 1) for name, at in self._marks.items()}


class EditorActivity:
    """When the editor last sent the server something to do, and which of its requests are still
    being answered (the protocol tells both)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last = clock()
        self._under_way: set[Any] = set()
        self._stirred = asyncio.Event()

    def received(self, msg_id: Any = None) -> None:
        """A message came; ``msg_id``: a request's, answered later (see :meth:`answered`)."""
        self.last = self._clock()
        if msg_id is not None:
            self._under_way.add(msg_id)
        self._stirred.set()

    def answered(self, msg_id: Any) -> None:
        if msg_id in self._under_way:
            self._under_way.discard(msg_id)
            self.last = self._clock()
            self._stirred.set()

    def now(self) -> float:
        """The clock's time (the one ``until_quiet``'s ``latest`` is given in)."""
        return self._clock()

    def quiet_for(self) -> float:
        """Seconds since the last message or answer; 0 while a request is under way."""
        return 0.0 if self._under_way else self._clock() - self.last

    async def until_quiet(self, quiet_s: float = QUIET_S, latest: float | None = None) -> bool:
        """Return once the editor has been quiet for ``quiet_s`` (True), or, from ``latest`` on
        (the clock's time), once none of its requests is under way (False)."""
        while True:
            self._stirred.clear()
            left = quiet_s - self.quiet_for()
            if latest is not None:
                if not self._under_way and self._clock() >= latest:
                    return left <= 0
                left = min(left, latest - self._clock())
            if left <= 0 and not self._under_way:
                return True
            # Woken by each message and answer; while a request is under way, by its answer alone.
            # Not ``asyncio.wait_for``: cancelled in the turn a message woke it (the editor's
            # shutdown, whose handler stops the work waiting here), it lost the cancellation,
            # and the wait went on for a quiet that the shutdown, under way until this work
            # ended, kept away: the shutdown was never answered.
            with contextlib.suppress(asyncio.TimeoutError):
                await within(self._stirred.wait(), None if self._under_way else left)
