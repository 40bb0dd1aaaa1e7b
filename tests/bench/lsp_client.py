"""A minimal JSON-RPC/LSP client over a child process's stdio, for benchmarks.

Deliberately small and typed loosely (plain dicts): it adds as little as possible to the round
trips it measures, it drives servers in any language the same way, and it timestamps each answer
when its frame is read, not when a coroutine gets around to it. Times are ``time.monotonic()``,
the system-wide clock the fake server records with.
Server-to-client requests are answered at once (``workspace/configuration`` with ``settings``,
everything else with ``null``); notifications are kept in ``notifications``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One request: when it was sent and answered, and how."""

    id: int
    method: str
    sent: float
    future: asyncio.Future[Any]
    answered: float | None = None
    error: dict[str, Any] | None = None
    cancelled: bool = False  # we sent $/cancelRequest for it
    #: ``LspClient.probe``'s reading just before the request was written and as its answer was read.
    probe_sent: Any = None
    probe_answered: Any = None

    @property
    def result(self) -> Any:
        if self.future.done() and not self.future.cancelled() and self.future.exception() is None:
            return self.future.result()
        return None


@dataclass
class LspClient:
    proc: asyncio.subprocess.Process
    settings: dict[str, Any] = field(default_factory=dict)
    notifications: list[tuple[str, Any]] = field(default_factory=list)
    calls: dict[int, Call] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _reader: asyncio.Task[None] | None = None
    #: Read at each request's sending and at its answer's reading, after the time stamps (see
    #: ``sched_ns``): what the server did in between, measured where it happened.
    probe: Callable[[], Any] | None = None

    @classmethod
    async def start(
        cls, cmd: list[str], *, env: dict[str, str], cwd: str | None = None, stderr_path: str | None = None
    ) -> LspClient:
        stderr = open(stderr_path, "ab") if stderr_path else asyncio.subprocess.DEVNULL  # noqa: ASYNC230
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=cwd,
            limit=64 * 1024 * 1024,
        )
        if stderr_path:
            stderr.close()  # type: ignore[union-attr]
        client = cls(proc)
        client._reader = asyncio.ensure_future(client._read_loop())
        return client

    @property
    def pid(self) -> int:
        return self.proc.pid

    # -- sending ---------------------------------------------------------------------------------

    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def request(self, method: str, params: Any) -> Call:
        msg_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: f.cancelled() or f.exception())  # errors are read
        probed = self.probe() if self.probe is not None else None
        call = Call(msg_id, method, time.monotonic(), future, probe_sent=probed)
        self.calls[msg_id] = call
        self._write({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return call

    async def call(self, method: str, params: Any, timeout: float = 60.0) -> Any:
        c = self.request(method, params)
        try:
            return await asyncio.wait_for(asyncio.shield(c.future), timeout)
        finally:
            self.calls.pop(c.id, None)

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def cancel(self, call: Call) -> None:
        if not call.future.done():
            call.cancelled = True
            self.notify("$/cancelRequest", {"id": call.id})

    def forget(self, call: Call) -> None:
        self.calls.pop(call.id, None)

    async def drain(self) -> None:
        assert self.proc.stdin is not None
        await self.proc.stdin.drain()

    # -- receiving -------------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        assert self.proc.stdout is not None
        out = self.proc.stdout
        try:
            while True:
                header = await out.readuntil(b"\r\n\r\n")
                length = 0
                for line in header.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await out.readexactly(length)
                now = time.monotonic()
                self._dispatch(json.loads(body), now)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            for call in self.calls.values():
                if not call.future.done():
                    call.future.set_exception(ConnectionError("server exited"))

    def _dispatch(self, msg: dict[str, Any], now: float) -> None:
        if "method" in msg:
            if "id" in msg:  # a request from the server
                self._write({"jsonrpc": "2.0", "id": msg["id"], "result": self._answer(msg)})
            else:
                self.notifications.append((msg["method"], msg.get("params")))
            return
        call = self.calls.get(msg.get("id"))  # type: ignore[arg-type]
        if call is None or call.future.done():
            return
        call.answered = now
        if self.probe is not None:
            call.probe_answered = self.probe()
        if "error" in msg:
            call.error = msg["error"]
            call.future.set_exception(RuntimeError(str(msg["error"])))
        else:
            call.future.set_result(msg.get("result"))

    def _answer(self, msg: dict[str, Any]) -> Any:
        if msg["method"] == "workspace/configuration":
            items = (msg.get("params") or {}).get("items") or [{}]
            return [self.settings for _ in items]
        return None

    # -- lifecycle -------------------------------------------------------------------------------

    async def initialize(
        self, *, root: str | None = None, init_options: Any = None, timeout: float = 60.0
    ) -> Any:
        caps = {
            "textDocument": {
                "synchronization": {"dynamicRegistration": False, "didSave": True},
                "completion": {"completionItem": {"snippetSupport": False}, "contextSupport": True},
                "inlineCompletion": {"dynamicRegistration": False},
            },
            "workspace": {"configuration": True, "workspaceFolders": True},
            "general": {"positionEncodings": ["utf-16"]},
        }
        params = {
            "processId": os.getpid(),
            "clientInfo": {"name": "deepseek-lsp-bench", "version": "1"},
            "rootUri": f"file://{root}" if root else None,
            "workspaceFolders": [{"uri": f"file://{root}", "name": "ws"}] if root else None,
            "capabilities": caps,
            "initializationOptions": init_options,
        }
        result = await self.call("initialize", params, timeout)
        self.notify("initialized", {})
        return result

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    async def stop(self, timeout: float = 10.0) -> None:
        with contextlib.suppress(Exception):
            await self.call("shutdown", None, timeout)
        with contextlib.suppress(Exception):
            self.notify("exit", None)
            await self.drain()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader


def rss_kb(pid: int, key: str = "VmRSS") -> int:
    """Resident memory of one process (``key``: VmRSS, or VmHWM for the peak), in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def sched_ns(pid: int) -> tuple[int, int]:
    """Nanoseconds process ``pid`` has run on a CPU, and waited runnable for one (the host busy
    with others), summed over its threads (Linux's ``/proc/PID/task/*/schedstat``, exact where
    ``/proc/PID/stat``'s CPU time is counted in 10 ms ticks); (0, 0) where there is none."""
    ran = waited = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0, 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as fh:
                fields = fh.read().split()
        except OSError:  # a thread gone meanwhile
            continue
        ran += int(fields[0])
        waited += int(fields[1])
    return ran, waited


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
