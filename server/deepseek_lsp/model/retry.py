"""Bounded retries with jittered exponential backoff, for requests that are worth retrying.

Only reviews (chat) retry. Completions never do: by the time a retry would answer, the user has
typed on and the completion is stale.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from .errors import ConnectError, MalformedResponse, ModelError

__all__ = ["backoff_delay", "retrying"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Connects that waited out their whole timeout retried at most this often: a firewall dropping
#: them cost a CLI run 4 tries of 5 s before its one message (~30 s for 5 files); one more
#: try still rides out a slow accept of a moment. Counted at the server, not per request
#: (``timeouts_met``): the review server's model list, asked first, is the run's first try.
MAX_CONNECT_TIMEOUTS = 1
#: The first back-off's step (seconds) where the caller gives none: the first retry waits
#: 0.25-0.5 s, each after twice the one before. Read at each call, not bound as a default
#: argument, so a test of a server process can shorten it (``DEEPSEEK_TEST_CONSTANTS``).
BASE_DELAY_S = 0.5


def backoff_delay(
    attempt: int, *, base_delay: float, max_delay: float, rng: Callable[[], float] = random.random
) -> float:
    """ "Equal jitter": half the exponential step fixed, half random, so clients spread out but
    never retry immediately."""
    step = min(max_delay, base_delay * (2**attempt))
    return step / 2 + rng() * step / 2


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    *,
    deadline: float | Callable[[], float],
    max_retries: int = 2,
    base_delay: float | None = None,
    max_delay: float = 8.0,
    max_malformed_retries: int = 1,
    rng: Callable[[], float] = random.random,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    timeouts_met: Callable[[], int] | None = None,
) -> T:
    """Call ``attempt()`` until it succeeds, retrying errors whose ``retryable`` is set.

    At most ``1 + max_retries`` calls. Unusable answers (``MalformedResponse``: blank or invalid
    JSON, cut streams) are retried at most ``max_malformed_retries`` times, since the same prompt
    tends to fail the same way. A ``Retry-After`` from the server replaces the backoff delay. No
    wait may end past ``deadline`` (``loop.time()`` based; a callable: read at each wait, for a
    deadline that moves): the last error is raised instead.

    ``base_delay``: the first back-off's step; None: :data:`BASE_DELAY_S` as it is at the call.

    ``timeouts_met``: the connects in a row (the one just failed included) that waited out
    their whole timeout at the server, where other requests' count too; else this call's own.
    """
    loop = asyncio.get_running_loop()
    step = BASE_DELAY_S if base_delay is None else base_delay
    retries = 0
    malformed = 0
    timed_out = 0
    while True:
        try:
            return await attempt()
        except ModelError as exc:
            if not exc.retryable or retries >= max_retries:
                raise
            if isinstance(exc, ConnectError) and exc.timed_out:
                timed_out = timeouts_met() if timeouts_met is not None else timed_out + 1
                if timed_out > MAX_CONNECT_TIMEOUTS:
                    raise
            if isinstance(exc, MalformedResponse):
                if malformed >= max_malformed_retries:
                    raise
                malformed += 1
            if exc.retry_after is not None:
                delay = exc.retry_after
            else:
                delay = backoff_delay(retries, base_delay=step, max_delay=max_delay, rng=rng)
            if loop.time() + delay >= (deadline() if callable(deadline) else deadline):
                raise
            retries += 1
            log.info("%s; retry %d/%d in %.2fs", exc, retries, max_retries, delay)
            await sleep(delay)
