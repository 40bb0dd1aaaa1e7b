"""Serving one editor over a pipe (stdio) or a TCP connection, ending with its exit status."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import stat
import sys
import threading
from typing import TYPE_CHECKING, BinaryIO

from pygls.io_ import StdoutWriter, run_async

from .protocol import _PipeReader

if TYPE_CHECKING:
    from .server import DeepSeekServer

log = logging.getLogger(__name__)


def is_pipe(source: BinaryIO) -> bool:
    """Whether ``source`` is a pipe or socket the event loop can read (POSIX only: on Windows
    the loop can only read overlapped pipes, and an editor's stdin is not one)."""
    try:
        mode = os.fstat(source.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return os.name == "posix" and (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode))


def _exit_status(exc: SystemExit) -> int:
    # pygls' exit: 0 after shutdown, 1 without one (the protocol says so; the process
    # always ended with 0, so a supervisor could not tell).
    return exc.code if isinstance(exc.code, int) else 1


def serve_pipe(server: DeepSeekServer, source: BinaryIO, sink: BinaryIO) -> None:
    """Serve over a pipe, reading with the event loop's own pipe reader.

    pygls reads each header line and each body in its thread pool: three thread hand-offs
    per message, ~1 ms of every request's round trip (tests/bench/bench_overhead.py).
    """
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(sink))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server.end_on_sigterm(loop)
        reader = asyncio.StreamReader(limit=1 << 20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), source)
        await run_async(
            stop_event=server._stop_event,
            reader=_PipeReader(reader),
            protocol=server.protocol,
            logger=log,
            error_handler=server.report_server_error,
        )

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("Connection to the client is lost; shutting down.")
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:
        server.exit_code = _exit_status(exc)
    finally:
        server.shutdown()


def serve_tcp(server: DeepSeekServer, host: str, port: int) -> None:
    """Serve the first editor to connect over TCP, and end with its connection as over
    stdio. pygls' own let ``exit``'s SystemExit escape the connection's callback: asyncio
    printed it as an unhandled exception with a traceback, and its status was lost."""
    server._stop_event = threading.Event()

    async def serve() -> None:
        server.end_on_sigterm(asyncio.get_running_loop())
        ended = asyncio.get_running_loop().create_future()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if ended.done() or getattr(server.protocol, "writer", None) is not None:
                writer.close()  # one editor a server, as over stdio
                return
            server.protocol.set_writer(writer)  # type: ignore[arg-type]
            try:
                await run_async(
                    stop_event=server._stop_event,
                    reader=reader,
                    protocol=server.protocol,
                    logger=log,
                    error_handler=server.report_server_error,
                )
            except SystemExit as exc:
                server.exit_code = _exit_status(exc)
            finally:
                if not ended.done():
                    ended.set_result(None)

        try:
            listener = await asyncio.start_server(connection, host, port)
        except OSError as exc:  # the port in use, a host not found or not this machine's
            # One sentence and status 1: asyncio's traceback told the user nothing useful.
            reason = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or exc
            print(f"deepseek-lsp: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
            server.exit_code = 1
            return
        # The port bound, not the one asked for: with ``--port 0`` (any free port) that
        # was "0", and nothing could find the server.
        bound = listener.sockets[0].getsockname()[1] if listener.sockets else port
        log.info("serving on %s:%s", host, bound)
        async with listener:
            await ended

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
