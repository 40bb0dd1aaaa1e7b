"""How long completions wait while a large file's save is reviewed (not part of the test run):
the server over stdio, a 10,000-line Python module saved (its units extracted, looked up and
batched, its findings placed) while the user types in another file and asks for a completion
every 50 ms. Printed: the completions' latency before the save (idle) and during the review's
first seconds, for a first review (every unit sent) and a save after one edit (the cache
answers the rest). The review model has no known price, so no first-save question is asked.

    PYTHONPATH=server:. python tests/bench/bench_review_save_stall.py [--functions 2000] [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env
from tests.review_support import reviewer

SETTINGS: dict[str, Any] = {
    "completion": {"debounce": 0, "prefetch": False},
    "review": {"mode": "onSave", "model": "bench-review-model", "maxConcurrency": 8},
}


def module(functions: int) -> str:
    return "".join(
        f"def handler_{i}(request):\n    x = request.get({i})\n    return x + {i * 7}\n\n\n" for i in range(functions)
    )


class Typist:
    """Types one character at a time at the end of a small file and asks for a completion there."""

    def __init__(self, client: Any, uri: str) -> None:
        self.client, self.uri, self.version, self.line = client, uri, 1, "value = compute("

    async def one(self) -> float:
        self.version += 1
        self.line += "a"
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=0, character=len(self.line) - 1),
                            end=types.Position(line=0, character=len(self.line) - 1),
                        ),
                        text="a",
                    )
                ],
            )
        )
        started = time.perf_counter()
        await self.client.text_document_inline_completion_async(inline_params(self.uri, 0, len(self.line)))
        return time.perf_counter() - started

    async def during(self, seconds: float) -> list[float]:
        took: list[float] = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            took.append(await self.one())
            await asyncio.sleep(0.05)
        return took


def said(name: str, took: list[float]) -> str:
    ms = sorted(t * 1000 for t in took)
    p90 = ms[int(len(ms) * 0.9) - 1] if len(ms) >= 10 else ms[-1]
    return f"{name:<24} {len(ms):3} completions: p50 {statistics.median(ms):6.1f} ms, p90 {p90:6.1f} ms, max {ms[-1]:7.1f} ms"


def save(client: Any, uri: str) -> None:
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))


async def main(functions: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as state, FakeDeepSeek() as fake:
        fake.responder(lambda body: "x)", path="/beta/completions")
        fake.responder(reviewer(()), path="/chat/completions")
        root = Path(state) / "ws"
        root.mkdir()
        text = module(functions)
        big = (root / "handlers.py").as_uri()
        small = (root / "main.py").as_uri()
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(Path(state) / "state"))
        async with lsp_session(env, settings=SETTINGS, root=str(root)) as client:
            open_doc(client, small, "value = compute(\n")
            open_doc(client, big, text)
            typist = Typist(client, small)
            await typist.during(1.0)  # warmed up
            print(f"{text.count(chr(10)):,} lines, {len(text.encode()):,} bytes, {functions} functions")
            print(said("idle", await typist.during(seconds)))
            save(client, big)
            print(said("first review", await typist.during(seconds)))
            await asyncio.sleep(2)
            line = 5 * (functions // 2) + 1
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=big, version=2),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(start=types.Position(line=line, character=4), end=types.Position(line=line, character=4)),
                            text="print(request)\n    ",
                        )
                    ],
                )
            )
            save(client, big)
            print(said("save after one edit", await typist.during(seconds)))
            print(f"review requests: {len(fake.requests_to('/chat/completions'))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--functions", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    asyncio.run(main(args.functions, args.seconds))
