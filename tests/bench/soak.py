"""Memory soak: a long typing replay against the real server over stdio, and its RSS growth.

Each keystroke is one incremental ``didChange`` and one ``textDocument/inlineCompletion`` that
cancels the previous one with ``$/cancelRequest`` (as VS Code does), typing real code line by
line into a few files (switching files, and now and then deleting a line, as people do), against
the fake DeepSeek server in this process. The server's resident set (``deepseek/debugState``
``rssBytes``) is read after the warm-up and at the end; growth after the warm-up should stay
under 10 %. Not part of the default test run:

    python tests/bench/soak.py [--keys 20000] [--warmup 2000] [--out soak.json]

Also home of :class:`StdioLsp`, the small pipelining client the 10,000-request leak test uses
(tests/test_reliability_leaks.py): it keeps only what it is asked to keep, so the client's own
memory and time stay flat over tens of thousands of messages.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek  # noqa: E402
from tests.harness import server_env  # noqa: E402

CODE = [
    "def total_price(items, tax_rate):",
    "    subtotal = sum(item.price * item.quantity for item in items)",
    "    if subtotal <= 0:",
    "        return 0.0",
    "    tax = round(subtotal * tax_rate, 2)",
    "    return subtotal + tax",
    "",
    "class Inventory:",
    "    def __init__(self, rows):",
    "        self.rows = {row.sku: row for row in rows}",
    "",
    "    def available(self, sku):",
    "        row = self.rows.get(sku)",
    "        return row.quantity if row is not None else 0",
    "",
]


class StdioLsp:
    """A JSON-RPC client over the server's stdio: pipelined requests, futures by id."""

    def __init__(self, proc: asyncio.subprocess.Process, settings: dict[str, Any]) -> None:
        self.proc = proc
        self.settings = settings
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.notifications = 0
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], settings: dict[str, Any], args: list[str] | None = None) -> StdioLsp:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "deepseek_lsp", *(args or []),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env=env, limit=1 << 24,
        )
        client = cls(proc, settings)
        await client.call("initialize", {
            "processId": os.getpid(), "rootUri": None,
            "capabilities": {"workspace": {"configuration": True},
                             "textDocument": {"inlineCompletion": {}}},
        })
        client.notify("initialized", {})
        return client

    def _write(self, obj: dict[str, Any]) -> None:
        body = json.dumps(obj).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any) -> tuple[int, asyncio.Future[Any]]:
        msg_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        self._write({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return msg_id, future

    def cancel(self, msg_id: int) -> None:
        self.notify("$/cancelRequest", {"id": msg_id})

    async def call(self, method: str, params: Any, timeout: float = 30.0) -> Any:
        _, future = self.request(method, params)
        assert self.proc.stdin is not None
        await self.proc.stdin.drain()
        answer = await asyncio.wait_for(future, timeout)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    async def drain(self) -> None:
        assert self.proc.stdin is not None
        await self.proc.stdin.drain()

    async def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = await stream.readline()
                if not line:
                    for future in self._pending.values():
                        if not future.done():
                            future.set_exception(ConnectionError("server closed its output"))
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n") and length is not None:
                    break
            msg = json.loads(await stream.readexactly(length))
            if "method" in msg and "id" in msg:  # the server's own requests
                result: Any = None
                if msg["method"] == "workspace/configuration":
                    result = [{**self.settings} for _ in msg["params"]["items"]]
                self._write({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            elif "method" in msg:
                self.notifications += 1
                if msg["method"] == "deepseek/status":
                    self.statuses.append(msg["params"])
            else:
                future = self._pending.pop(msg.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(msg)

    async def stop(self) -> int | None:
        with contextlib.suppress(Exception):
            await self.call("shutdown", None, timeout=10)
            self.notify("exit", None)
            await self.drain()
        try:
            return await asyncio.wait_for(self.proc.wait(), 10)
        except asyncio.TimeoutError:
            self.proc.kill()
            return await self.proc.wait()
        finally:
            self._reader.cancel()


def _change(uri: str, version: int, line: int, col: int, end_col: int, text: str) -> dict[str, Any]:
    return {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": {"start": {"line": line, "character": col},
                                      "end": {"line": line, "character": end_col}}, "text": text}],
    }


def _inline(uri: str, line: int, col: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": col},
            "context": {"triggerKind": 2}}


async def soak(keys: int, warmup: int, files: int = 4, verbose: bool = False) -> dict[str, Any]:
    settings = {"completion": {"debounce": 0}, "review": {"mode": "off"}}
    with FakeDeepSeek() as fake, tempfile.TemporaryDirectory() as state:
        # An answer that often agrees with what is typed next, so typing-through is exercised.
        fake.responder(lambda body: "subtotal = sum(item.price for item in items)", path="/beta/completions")
        client = await StdioLsp.start(server_env(fake.url, api_key=DEFAULT_KEY, state_dir=state), settings)
        uris = [f"file:///soak/ws/f{i}.py" for i in range(files)]
        docs = {u: ["import math", ""] for u in uris}  # the client's copy, line by line
        versions = dict.fromkeys(uris, 1)
        for u in uris:
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": u, "languageId": "python", "version": 1, "text": "\n".join(docs[u])}})
        pending: tuple[int, asyncio.Future[Any]] | None = None
        samples: list[tuple[int, int]] = []
        answered = 0
        timeouts = 0  # answers that took more than 5 s (none expected)
        source = itertools.cycle(CODE)
        started = time.monotonic()
        rss_warm = 0
        uri = uris[0]
        typed = 0
        while typed < keys:
            if typed % 997 == 0:
                uri = uris[(typed // 997) % files]
            lines = docs[uri]
            target = next(source)
            row = len(lines) - 1
            # Now and then the user deletes the line above instead (the file does not only grow).
            if typed % 211 == 0 and row > 3:
                versions[uri] += 1
                client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": versions[uri]},
                    "contentChanges": [{"range": {"start": {"line": row - 1, "character": 0},
                                                  "end": {"line": row, "character": 0}}, "text": ""}]})
                del lines[row - 1]
                row -= 1
            for ch in target + "\n":
                if typed >= keys:
                    break
                col = len(lines[row])
                versions[uri] += 1
                client.notify("textDocument/didChange", _change(uri, versions[uri], row, col, col, ch))
                if ch == "\n":
                    lines.append("")
                    row += 1
                    col = 0
                else:
                    lines[row] += ch
                    col += 1
                if pending is not None and not pending[1].done():
                    client.cancel(pending[0])
                pending = client.request("textDocument/inlineCompletion", _inline(uri, row, col))
                typed += 1
                # Mostly the answer arrives before the next key (a fast backend, ~90 ms between
                # keys); every seventh key starts a burst of three, each cancelling the last.
                if typed % 7 not in (1, 2):
                    await client.drain()
                    try:
                        await asyncio.wait_for(asyncio.shield(pending[1]), 5)
                        answered += 1
                    except asyncio.TimeoutError:
                        timeouts += 1
                if typed in (warmup, keys) or typed % (500 if verbose else 2000) == 0:
                    state_now = await client.call("deepseek/debugState", {})
                    samples.append((typed, state_now["rssBytes"]))
                    if verbose:
                        print(f"{typed} keys {time.monotonic() - started:.0f}s rss {state_now['rssBytes'] / 2**20:.1f} MB "
                              f"tasks {state_now['tasks']} connections {state_now['connections']} "
                              f"busy {state_now.get('connectionsBusy')} futures {state_now.get('protocolFutures')} "
                              f"timeouts {timeouts}",
                              file=sys.stderr, flush=True)
                    if typed == warmup:
                        rss_warm = state_now["rssBytes"]
        final = await client.call("deepseek/debugState", {})
        rss_end = final["rssBytes"]
        elapsed = time.monotonic() - started
        stats = await client.call("deepseek/completionStats", {})
        await client.stop()
        # The server keeps no copy of what it was sent beyond the documents themselves.
        return {
            "keystrokes": keys,
            "warmup": warmup,
            "seconds": round(elapsed, 1),
            "rss_warmup_mb": round(rss_warm / 2**20, 1),
            "rss_end_mb": round(rss_end / 2**20, 1),
            "growth_pct": round(100 * (rss_end - rss_warm) / rss_warm, 2) if rss_warm else None,
            "samples_mb": [(k, round(r / 2**20, 1)) for k, r in samples],
            "backend_requests": len(fake.requests),
            "server_stats": {k: stats[k] for k in ("requests", "backendRequests", "backendCancelled", "cacheHits")},
            "answered": answered,
            "timeouts": timeouts,
            "tasks_end": final["tasks"],
            "connections_end": final["connections"],
            "connections_busy_end": final.get("connectionsBusy"),
            "protocol_futures_end": final.get("protocolFutures"),
            "document_bytes": sum(len("\n".join(v)) for v in docs.values()),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--out")
    parser.add_argument("--verbose", action="store_true", help="progress on stderr every 500 keys")
    args = parser.parse_args()
    result = asyncio.run(soak(args.keys, args.warmup, verbose=args.verbose))
    text = json.dumps(result, indent=2)
    print(text)
    print(f"RSS after warm-up ({args.warmup} keys): {result['rss_warmup_mb']} MB; "
          f"after {args.keys} keys: {result['rss_end_mb']} MB; growth {result['growth_pct']} %")
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0 if result["growth_pct"] is not None and result["growth_pct"] < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
