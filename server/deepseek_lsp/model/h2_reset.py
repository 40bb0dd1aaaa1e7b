"""Send RST_STREAM when an HTTP/2 response is abandoned.

httpcore 1.0.x closes an unfinished HTTP/2 response without resetting the stream
(encode/httpcore#943 and #1022; a fix is proposed in #1098). For a completion client that
cancels constantly this is a real fault, not a nicety:

* the server never learns of the cancel, so it keeps generating, and billing, the answer;
* the abandoned stream's DATA frames are never acknowledged, so they eat the connection's
  flow-control window until the whole connection stalls;
* h2 still counts the stream as open, so after ~100 cancels on one connection every request fails
  with ``Max outbound streams is 100, 100 open``.

:func:`install` wraps ``AsyncHTTP2Connection._response_closed`` so that a stream that is still
open gets ``RST_STREAM(CANCEL)``; the frame is flushed by a separate task (the closing code runs
inside httpcore's cancellation shield, where taking the write lock could deadlock against the
request that holds it). This reaches into private httpcore and h2 attributes, so every step is
defensive: if the layout changes, or upstream fixes the bug (the stream is then already closed),
the wrapper does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

__all__ = ["install", "installed"]

log = logging.getLogger(__name__)
_tasks: set[asyncio.Task[None]] = set()
_installed = False


def installed() -> bool:
    return _installed


def install() -> bool:
    """Patch httpcore once per process; returns whether the patch is active."""
    global _installed
    if _installed:
        return True
    try:
        from h2.errors import ErrorCodes
        from httpcore._async.http2 import AsyncHTTP2Connection
    except ImportError:  # no HTTP/2 support installed: nothing to fix
        return False
    original = getattr(AsyncHTTP2Connection, "_response_closed", None)
    if original is None or getattr(original, "_deepseek_lsp_reset", False):
        _installed = original is not None
        return _installed

    async def _response_closed(self: Any, stream_id: int) -> None:
        try:
            _reset(self, stream_id, ErrorCodes.CANCEL)
        except Exception as exc:  # the original cleanup must run whatever happens here
            log.debug("could not reset HTTP/2 stream %s: %s", stream_id, exc)
        await original(self, stream_id)

    _response_closed._deepseek_lsp_reset = True  # type: ignore[attr-defined]
    AsyncHTTP2Connection._response_closed = _response_closed  # type: ignore[method-assign]
    _installed = True
    return True


def _reset(conn: Any, stream_id: int, code: Any) -> None:
    state = conn._h2_state
    stream = state.streams.get(stream_id)
    if stream is None or stream.closed:
        return  # finished normally (or already reset): nothing to tell the server
    state.reset_stream(stream_id, error_code=code)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # not asyncio: the frame goes out with the connection's next write
    task = loop.create_task(_flush(conn))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _flush(conn: Any) -> None:
    try:
        async with conn._write_lock:
            if conn._write_exception is not None:
                return
            data = conn._h2_state.data_to_send()
            if data:
                await conn._network_stream.write(data, None)
    except Exception as exc:  # a dead connection is httpcore's to notice on its next use
        log.debug("could not flush HTTP/2 reset: %s", exc)
