"""A bare JSON-RPC-over-stdio client: for tests that need to send what no real client would
(malformed frames, abrupt exits) or to watch the server process itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from tests import harness

#: How long a server may take to answer ``initialize``: a new interpreter's imports and
#: tokenizer load are 2-5 s of CPU, over 10 s of a loaded host's time (at load 19 on 2 cores,
#: 7 of 12 starts: "no answer to request 1").
START_S = 60.0


class RawServer:
    def __init__(self, env: dict[str, str], args: list[str] | None = None, *, forked: bool = False) -> None:
        """``forked``: the server is forked from the test run's zygote (``harness.server_command``),
        for tests of the protocol rather than of the process: a new interpreter's imports and
        tokenizer load cost 2-5 s of CPU a start."""
        command = harness.server_command(env) if forked else [sys.executable, "-m", "deepseek_lsp"]
        self.proc = subprocess.Popen(
            [*command, *(args or [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.messages: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._next_id = 0
        self.stderr = b""
        #: Methods of the server's own requests left unanswered (a busy or buggy editor), or
        #: answered later by the test (:meth:`answer`).
        self.unanswered: set[str] = set()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    # -- wire ----------------------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj: dict[str, Any]) -> None:
        body = json.dumps(obj).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: Any = None) -> int:
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self._next_id

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def answer(self, request: dict[str, Any], result: Any = None) -> None:
        """Answer one of the server's requests left unanswered (see ``unanswered``)."""
        self.send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def wait_for(self, method: str, timeout: float = 10.0, nth: int = 1) -> dict[str, Any]:
        """The ``nth`` message the server sent with ``method`` (the first by default)."""
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                sent = [msg for msg in self.messages if msg.get("method") == method]
                if len(sent) >= nth:
                    return sent[nth - 1]
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no {method}")
                self._cond.wait(remaining)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Until ``condition`` (of :attr:`messages`) holds, checked at each message received and
        every 0.1 s: a condition that asks the server (``deepseek/debugState``) got its answer,
        false, then waited for a next message an idle server never sent, the whole ``timeout``
        (15 s in the settings tests), and held only at the check after it."""
        end = time.monotonic() + timeout
        with self._cond:
            while not condition():
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the server never sent what was waited for")
                self._cond.wait(min(remaining, 0.1))

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line in (b"\r\n", b"\n") and length is not None:
                    break
            msg = json.loads(stream.read(length))
            if "id" in msg and "method" in msg and msg["method"] not in self.unanswered:
                # Answer the server's own requests (configuration, progress) like an editor.
                result: Any = [None] * len(msg.get("params", {}).get("items", [])) if msg["method"] == "workspace/configuration" else None
                try:
                    self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
                except (BrokenPipeError, ValueError):
                    return
            with self._cond:
                self.messages.append(msg)
                self._cond.notify_all()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):  # type: ignore[union-attr]
            self.stderr += chunk

    def response(self, msg_id: int, timeout: float = 10.0) -> dict[str, Any]:
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                for msg in self.messages:
                    if msg.get("id") == msg_id and "method" not in msg:
                        return msg
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no answer to request {msg_id}")
                self._cond.wait(remaining)

    def call(self, method: str, params: Any = None, timeout: float = 10.0) -> dict[str, Any]:
        return self.response(self.request(method, params), timeout)

    # -- lifecycle -----------------------------------------------------------------------------

    def initialize(
        self, process_id: int | None = None, capabilities: dict[str, Any] | None = None, options: Any = None
    ) -> dict[str, Any]:
        params = {"processId": process_id if process_id is not None else os.getpid(), "rootUri": None, "capabilities": capabilities or {}}
        if options is not None:
            params["initializationOptions"] = options
        answer = self.call("initialize", params, timeout=START_S)
        self.notify("initialized", {})
        return answer

    def wait_exit(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
