"""Awaiting with a time limit without losing a cancellation.

Python 3.11's ``asyncio.wait_for`` returns the inner result when its task is cancelled in the same
turn of the loop as that result arrives, and the cancellation is lost: Ctrl+C during a review
landed as the answer's headers came in, and the command waited on for the whole answer; a review
superseded as the editor answered its progress request ran on and was billed. ``asyncio.timeout``
(3.11+) keeps the cancellation, so it is used wherever it exists.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")

if sys.version_info >= (3, 11):

    async def within(aw: Awaitable[T], timeout: float) -> T:
        """``await aw``, raising ``asyncio.TimeoutError`` after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            return await aw

else:  # pragma: no cover - exercised on 3.10 only; its wait_for has the flaw described above

    async def within(aw: Awaitable[T], timeout: float) -> T:
        """``await aw``, raising ``asyncio.TimeoutError`` after ``timeout`` seconds."""
        return await asyncio.wait_for(aw, timeout)
