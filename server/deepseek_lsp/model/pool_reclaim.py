"""Give back the connection-pool slots that httpcore leaks when a request is cancelled.

httpcore 1.0.x (encode/httpcore#1093, open; fixes proposed in #986 and #1099): a request
cancelled after the pool assigned it a new connection, but before that connection became active,
leaves the connection in the pool for good: neither idle, closed nor available, so it is never
reused nor cleaned up. A completion client cancels all the time; once ``max_connections`` such
orphans pile up, every request waits for the pool and fails with ``PoolTimeout``.
tests/bench/soak.py found it (16 orphans after a few thousand keystrokes with bursts, then every
completion failed after a 5 s wait); tests/test_reliability_leaks.py keeps it fixed.

:func:`reclaim` removes from the pool every connection that no queued or running request holds
and that is neither idle nor closed (httpcore keeps a request in the pool's list until its
response is closed, so such a connection can serve no one), and closes it. :func:`release`
finishes the close of a response that a cancel interrupted inside httpx or httpcore (a second
way to lose a slot, see there). Like ``h2_reset``
this reaches into private httpcore attributes, so every step is defensive: if the layout
changes, or upstream fixes the bug (no orphans then), it does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ..console import counted
from .aio_network import RECEIVED_AT

__all__ = ["drop_idle", "drop_silent", "reclaim", "release"]

log = logging.getLogger(__name__)
_closing: set[asyncio.Task[None]] = set()


def _pools(http: Any) -> list[Any]:
    """The connection pools of an ``httpx.AsyncClient``: its default transport's, and those of
    the transports it mounts for the proxies the environment names (``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``ALL_PROXY``). Behind a proxy every request goes through a mounted one: its
    orphans were never reclaimed, and after ``max_connections`` cancelled completions every
    request failed with "no free connection in the pool"."""
    transports = [getattr(http, "_transport", None)]
    mounts = getattr(http, "_mounts", None)
    if isinstance(mounts, dict):
        transports += list(mounts.values())
    pools = []
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is not None and all(p is not pool for p in pools):
            pools.append(pool)
    return pools


def _drop(http: Any, select: Callable[[Any], Callable[[Any], bool]]) -> int:
    """Take the connections ``select(pool)`` picks out of an ``httpx.AsyncClient``'s pools (under
    each pool's lock, so ``select`` may read its state) and close them; returns how many."""
    return sum(_drop_from(pool, select) for pool in _pools(http))


def _drop_from(pool: Any, select: Callable[[Any], Callable[[Any], bool]]) -> int:
    try:
        lock = pool._optional_thread_lock
        connections = pool._connections
    except AttributeError:
        return 0
    taken = []
    try:
        with lock:
            picked = select(pool)
            for conn in list(connections):
                if picked(conn):
                    connections.remove(conn)
                    taken.append(conn)
    except Exception as exc:  # an unexpected layout: leave the pool alone
        log.debug("could not inspect the connection pool: %s", exc)
        return 0
    _close_soon(taken)
    return len(taken)


def reclaim(http: Any) -> int:
    """Drop orphaned connections from an ``httpx.AsyncClient``'s pool; returns how many."""

    def orphaned(pool: Any) -> Callable[[Any], bool]:
        held = {id(r.connection) for r in pool._requests if getattr(r, "connection", None) is not None}
        return lambda conn: not (id(conn) in held or conn.is_idle() or conn.is_closed())

    count = _drop(http, orphaned)
    if count:
        log.debug("reclaimed %s orphaned by cancelled requests", counted(count, "connection"))
    return count


def drop_idle(http: Any) -> int:
    """Close the idle connections of an ``httpx.AsyncClient``'s pool; returns how many."""
    return _drop(http, lambda pool: lambda conn: conn.is_idle())


def drop_silent(http: Any, since: float) -> int:
    """Close the HTTP/2 connections of an ``httpx.AsyncClient``'s pool that have received
    nothing since ``since`` (``time.monotonic()``); returns how many.

    For a request that ran out of time without a byte of answer: its connection is presumed
    dead (a laptop woken in another network, a NAT or firewall that forgot it), which TCP only
    notices after ~15 minutes of retransmissions. Over HTTP/1.1 giving up a request closes its
    connection; over HTTP/2 only the stream is reset, and every later request went out on the
    dead connection to run out of time in turn. A live server would at least have sent the
    headers, or another stream's data; closing a connection that was merely slow costs one
    reconnect. Needs :mod:`aio_network`'s streams (they tell when they last received).
    """
    try:
        from httpcore._async.http2 import AsyncHTTP2Connection
    except ImportError:
        return 0

    def silent(conn: Any) -> bool:
        inner = getattr(conn, "_connection", None)
        if not isinstance(inner, AsyncHTTP2Connection) or conn.is_closed():
            return False
        received = inner._network_stream.get_extra_info(RECEIVED_AT)
        return isinstance(received, float) and received < since

    count = _drop(http, lambda pool: silent)
    if count:
        log.info("closed %s silent since the request went out", counted(count, "connection"))
    return count


def _close_soon(connections: list[Any]) -> None:
    for conn in connections:
        try:
            task = asyncio.get_running_loop().create_task(_close(conn))
        except RuntimeError:
            continue
        _closing.add(task)
        task.add_done_callback(_closing.discard)


async def _close(conn: Any) -> None:
    try:
        await conn.aclose()
    except Exception as exc:
        log.debug("closing an orphaned connection failed: %s", exc)


async def release(response: Any) -> bool:
    """Finish the close of ``response`` if a cancel interrupted it inside httpx or httpcore.

    Both mark a response closed before their closing work is done, so a cancel landing in that
    work (httpx closes a response itself when its body ends; httpcore awaits a lock to hand the
    connection back) leaves the request listed in the pool and its connection checked out, and
    every later close is a no-op. Call after closing, from code a cancel cannot reach. Returns
    whether anything had to be released.
    """
    try:
        inner = response.stream._stream._httpcore_stream
        pool, pool_request = inner._pool, inner._pool_request
        lock = pool._optional_thread_lock
    except AttributeError:
        return False
    try:
        with lock:
            if pool_request not in pool._requests:
                return False  # closed properly
            pool._requests.remove(pool_request)
            conn = pool_request.connection
            shared = any(r.connection is conn for r in pool._requests)
            drop = conn is not None and not shared and not conn.is_idle() and conn in pool._connections
            if drop:
                pool._connections.remove(conn)
            closing = pool._assign_requests_to_connections()
        if drop:
            closing.append(conn)
        for c in closing:
            await _close(c)
    except Exception as exc:  # an unexpected layout: leave the pool alone
        log.debug("could not release an interrupted response: %s", exc)
        return False
    log.debug("released a connection whose close a cancel had interrupted")
    return True
