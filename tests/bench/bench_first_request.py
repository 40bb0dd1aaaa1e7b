"""How long a fresh server's first suggestion takes against its second (not part of the test
run): N sessions, each a new server (forked from the tests' zygote, or with ``--real`` a new
interpreter, as an editor starts it), its settings applied as the end-to-end tests wait for;
a document opened, then three asked suggestions (Invoked) in a row, timed from the client's
side, the fake DeepSeek answering at once. Prints each session's and the medians, and the load.

    PYTHONPATH=server:. python tests/bench/bench_first_request.py [--runs 7] [--real] [--pause 0]

``--language swift`` (``cpp``, ``scala``, ``php``, ``ruby``): the document is a file of that
language (its queries, compiled at its open, are not warmed in the zygote as Python's are: what
its first suggestion waits for). ``--language typescript``: a TypeScript file importing a
JavaScript one beside it, in a workspace folder of the session's own (the imported file's
language's queries are compiled at the open too).

``--pause S``: seconds between the session's start and the open (a user opening a file a
while after the editor: the server's start-up work done by then). Each session's line also
says, from the server's own stamps (``deepseek/debugState``'s ``start``), how long the first
request took inside the server and whether the tokenizer's load (whose GIL stops the event
loop) had begun before it was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, inline_params, lsp_session, open_doc, server_env
from tests.server_fork import WARM_QUERIES

#: The document each session opens, by language: its URI, its text, and the cursor (line, column).
DOCUMENTS = {
    "python": ("file:///ws/a.py", "def f(x):\n    return \n", (1, 11)),
    "swift": ("file:///ws/Cache.swift", "func f(x: Int) -> Int {\n    return \n}\n", (1, 11)),
    "cpp": ("file:///ws/cache.cpp", "int f(int x) {\n    return \n}\n", (1, 11)),
    "scala": ("file:///ws/Cache.scala", "object Cache {\n  def f(x: Int): Int = {\n    x\n  }\n}\n", (2, 5)),
    "php": ("file:///ws/cache.php", "<?php\nfunction f($x) {\n    return \n}\n", (2, 11)),
    "ruby": ("file:///ws/cache.rb", "def f(x)\n  return \nend\n", (1, 9)),
    "typescript": ("util.ts", 'import { formatDate } from "./dates.js";\n\nexport const f = (d: Date) => \n', (2, 30)),
}
#: Files beside the document in its workspace folder (a folder of the session's own), by language.
BESIDE = {
    "typescript": {"dates.js": "export function formatDate(d, pattern) {\n  return d.toISOString();\n}\n"},
}


async def one_session(fake: FakeDeepSeek, pause: float, language: str = "python") -> tuple[float, list[float], str]:
    """The session's start (to its settings applied), its three requests' latencies, and what
    the server's stamps say of the first."""
    env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=tempfile.mkdtemp(prefix="bench-first-"), **{WARM_QUERIES: "python"})
    uri, text, (line, column) = DOCUMENTS[language]
    root = workspace(language)
    if root is not None:
        uri = Path(root, uri).as_uri()
    began = time.monotonic()
    async with lsp_session(env, settings={"completion": {"timeoutS": 30}}, root=root) as client:
        started = time.monotonic() - began
        await asyncio.sleep(pause)
        open_doc(client, uri, text, language)
        latencies = []
        for _ in range(3):
            asked = time.monotonic()
            answer = await client.text_document_inline_completion_async(inline_params(uri, line, column, invoked=True))
            latencies.append(time.monotonic() - asked)
            assert answer is not None and answer.items, "no suggestion"
        start = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {})).get("start")
        return started, latencies, stamps(start)


def workspace(language: str) -> str | None:
    """A folder of the session's own holding the files beside the document (None: it has none)."""
    if language not in BESIDE:
        return None
    root = tempfile.mkdtemp(prefix="bench-first-ws-")
    for name, content in BESIDE[language].items():
        Path(root, name).write_text(content)
    return root


def stamps(start: dict[str, float] | None) -> str:
    if not start or "firstAnswer" not in start:
        return "(no stamps)"
    inside = start["firstAnswer"] - start["firstRequest"]
    began = start.get("tokenizerBegan")
    during = began is not None and began < start["firstAnswer"]
    return f"server {inside:4.0f} ms, tokenizer load {'begun before its answer' if during else 'after it'}"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--real", action="store_true", help="a new interpreter each session, not forked")
    parser.add_argument("--pause", type=float, default=0.0)
    parser.add_argument("--language", choices=sorted(DOCUMENTS), default="python")
    args = parser.parse_args()
    if args.real:
        os.environ["DEEPSEEK_TEST_FORK"] = "0"
    sessions = []
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "x + 1")
        await one_session(fake, 0)  # the zygote's start (and the code cache's first fill): not timed
        for _ in range(args.runs):
            sessions.append(await one_session(fake, args.pause, args.language))
    for started, latencies, said in sessions:
        print(f"start {started * 1000:6.0f} ms  requests " + " ".join(f"{x * 1000:5.0f}" for x in latencies) + f" ms  {said}")
    first = statistics.median(s[1][0] for s in sessions)
    second = statistics.median(s[1][1] for s in sessions)
    start = statistics.median(s[0] for s in sessions)
    print(f"median of {args.runs}: start {start * 1000:.0f} ms, first request {first * 1000:.0f} ms, second {second * 1000:.0f} ms")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
