"""A SIGTERM during a review run (``docker stop``, a CI job's time limit or cancel: GitLab's
runner, Kubernetes) stops it as Ctrl+C does: the requests under way end and are recorded in the
usage ledger, and the run exits 143. It killed the process at once: what those requests cost
was in no ledger, nor in the daily budget of the runs sharing a cached state folder."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")

#: The exit status of a run ended by SIGTERM, as the shell gives one (128 + 15), and the server's.
EXIT_TERMINATED = 143


class Terminated(Exception):
    """The run was stopped by a SIGTERM."""


async def until_terminated(work: Awaitable[T]) -> T:
    """``work``, the running loop's main task, cancelled by a SIGTERM (raising
    :class:`Terminated` once it has unwound). Where the loop cannot take the signal (Windows,
    another thread) or the run's parent ignores it, ``work`` as it is."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    previous = signal.getsignal(signal.SIGTERM)
    stopped = False

    def terminate() -> None:
        nonlocal stopped
        stopped = True
        if task is not None:
            task.cancel()

    if previous == signal.SIG_IGN:
        return await work
    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
    except (NotImplementedError, RuntimeError, ValueError):
        return await work
    try:
        return await work
    except asyncio.CancelledError:
        if stopped:
            raise Terminated from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if previous is not None:  # the handler before (the github report's), not the default
            signal.signal(signal.SIGTERM, previous)
