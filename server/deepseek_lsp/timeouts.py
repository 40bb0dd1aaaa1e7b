"""Awaiting with a time limit without losing a cancellation.

Python 3.11's ``asyncio.wait_for`` returns the inner result when its task is cancelled in the same
turn of the loop as that result arrives, and the cancellation is lost: Ctrl+C during a review
landed as the answer's headers came in, and the command waited on for the whole answer; a review
superseded as the editor answered its progress request ran on and was billed; the work waiting
for the editor's quiet, cancelled by the ``shutdown`` that woke it, waited on and the shutdown was
never answered. ``asyncio.timeout`` (3.11+) keeps the cancellation, so it is used wherever it
exists; on 3.10 (whose ``wait_for`` has the same flaw) ``asyncio.wait``, which raises it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")

if sys.version_info >= (3, 11):

    async def within(aw: Awaitable[T], timeout: float | None) -> T:
        """``await aw``, raising ``asyncio.TimeoutError`` after ``timeout`` seconds (None: no limit)."""
        async with asyncio.timeout(timeout):
            return await aw

else:  # pragma: no cover - exercised on 3.10 only; its wait_for has the flaw described above

    async def within(aw: Awaitable[T], timeout: float | None) -> T:
        """``await aw``, raising ``asyncio.TimeoutError`` after ``timeout`` seconds (None: no limit)."""
        # ``asyncio.wait`` raises a cancellation whatever came in the same turn; 3.10 has no
        # ``asyncio.timeout``, and its ``wait_for`` loses it as 3.11's does.
        task = asyncio.ensure_future(aw)
        try:
            done, _ = await asyncio.wait((task,), timeout=timeout)
        finally:
            if not task.done():  # cancelled, or out of time: not left running behind
                task.cancel()
                await asyncio.wait((task,))
        if not done:
            raise asyncio.TimeoutError
        return task.result()
