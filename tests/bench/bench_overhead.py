"""Server overhead per completion request: deepseek-lsp versus tabby-agent.

A 10,000-line file of real Python (``corpus.big_python_file``) is opened; then ``--requests``
completion requests are sent one at a time at random line ends (seeded), with a zero-latency
backend (the fake server in its own process, answering a fixed line). Overhead is the round trip
seen by the client minus the backend's own time for the request it caused (from the moment the
fake has read the request line to its last byte written: parsing the headers and the body is the
backend's work; both sides read the same system-wide monotonic clock). Debounce is off for
both (deepseek-lsp ``completion.debounce: 0``; tabby-agent ``[completion.debounce] mode = "fixed",
interval = 0``), everything else is at its defaults. deepseek-lsp's requests start once its
start-up work is over (``settle``), as a user's after opening a file and reading it a moment.

Then the same requests are repeated without a change in between: the answer comes from each
server's own cache, and its whole round trip is the figure.

Where the overhead goes, from the server's scheduler accounting over each round trip (Linux's
``/proc/PID/task/*/schedstat``, read as the request is sent and as its answer is read): its CPU
time (``server_cpu_ms``; it includes the CPU spent while the backend works, on the chunks
that came first, and whatever the server runs between writing its answer and the client
reading it), its time runnable but waiting for a CPU the host gave others (``server_run_queue_ms``:
the host's load, not the server's work), and what is left (``overhead_less_both_ms``: the time
it waited on nothing of its own: the pipes' and the backend's wake-ups, the turns of its loop).

    python tests/bench/bench_overhead.py [--requests 300] [--seed 3] [--out overhead.json]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_replay import pct  # noqa: E402
from tests.bench.corpus import big_python_file  # noqa: E402
from tests.bench.lsp_client import Call, LspClient, sched_ns, utf16_len  # noqa: E402
from tests.bench.oracle import FIM_PATH, TABBY_PATH, OracleProcess  # noqa: E402
from tests.bench.peers import DEEPSEEK, TABBY, Peer, start, tabby_problem  # noqa: E402

ANSWER = "result = compute(value, other)"
GAP_S = 0.05  # between requests, so background work (prefetch) never overlaps the next one


def positions(text: str, n: int, seed: int) -> list[tuple[int, int]]:
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if line.strip() and not line.rstrip().endswith(":")]
    rng = random.Random(seed)
    chosen = rng.sample(candidates, n)
    return [(i, utf16_len(lines[i])) for i in chosen]


def params(peer: Peer, uri: str, line: int, char: int) -> tuple[str, dict[str, Any]]:
    p: dict[str, Any] = {"textDocument": {"uri": uri}, "position": {"line": line, "character": char}}
    if peer.inline:
        p["context"] = {"triggerKind": 2}
        return "textDocument/inlineCompletion", p
    p["context"] = {"triggerKind": 1}
    return "textDocument/completion", p


def has_items(result: Any) -> bool:
    items = result.get("items") if isinstance(result, dict) else result
    return bool(items)


#: What deepseek-lsp does after a file opens (idle_indexing.py): its lines counted, then counted
#: again by the tokenizer once loaded.
START_UP_WORK = ("IdleWork.",)


async def settle(client: LspClient, timeout: float = 60.0) -> float:
    """Wait until deepseek-lsp's start-up work is over: its tokenizer loaded (~0.5 s holding the
    GIL, once the editor is quiet) and the open file counted by it. On a busy host that took
    longer than the 2 s waited after the open: the load and the count landed in the measured
    requests, whose prompts were then counted one way or the other, with their snippets or
    without. Seconds waited past the open."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        state = await client.call("deepseek/debugState", {})
        busy = [n for n in state.get("taskNames", []) if n.startswith(START_UP_WORK)]
        if state.get("tokenizerLoaded") and not busy:
            break
        await asyncio.sleep(0.1)
    return round(time.monotonic() - start + 2.0, 1)


async def measure(peer: Peer, text: str, spots: list[tuple[int, int]], workdir: Path) -> dict[str, Any]:
    oracle = await OracleProcess.start("--answer", ANSWER)
    client: LspClient | None = None
    try:
        if peer.kind == "deepseek":
            peer = Peer(peer.name, peer.kind, {"completion": {"debounce": 0}})
        else:
            peer = Peer(peer.name, peer.kind, tabby_debounce_ms=0)
        client = await start(peer, oracle.url, workdir / peer.name, root="/bench/ws")
        uri = "file:///bench/ws/big.py"
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        await asyncio.sleep(2.0)
        settled = await settle(client) if peer.kind == "deepseek" else None
        # Warm-up (not measured): first-use costs such as connection set-up and lazy imports.
        for line, char in spots[:10]:
            method, p = params(peer, uri, line, char)
            await client.call(method, p)
            await asyncio.sleep(GAP_S)
        first: list[Call] = []
        repeat: list[Call] = []
        pid = client.pid
        client.probe = lambda: sched_ns(pid)
        for line, char in spots[10:]:
            method, p = params(peer, uri, line, char)
            call = client.request(method, p)
            await asyncio.wait_for(asyncio.shield(call.future), 30)
            first.append(call)
            await asyncio.sleep(GAP_S)
            again = client.request(method, p)
            await asyncio.wait_for(asyncio.shield(again.future), 30)
            repeat.append(again)
            await asyncio.sleep(GAP_S)
        records = await oracle.requests()
        rss = client.rss_kb()
    finally:
        if client is not None:
            await client.stop()
        await oracle.stop()
    path = TABBY_PATH if peer.kind == "tabby" else FIM_PATH
    backend = sorted((r for r in records if r["path"] == path), key=lambda r: r["received_at"])
    overhead, round_trips, backend_ms, unmatched = [], [], [], 0
    cpu_ms, queued_ms, rest_ms = [], [], []
    for call in first:
        assert call.answered is not None
        hits = [r for r in backend if call.sent <= r["received_at"] <= call.answered and r.get("finished_at")]
        if not hits:
            unmatched += 1
            continue
        own = hits[0]["finished_at"] - hits[0]["received_at"]
        rt = call.answered - call.sent
        round_trips.append(rt * 1000)
        backend_ms.append(own * 1000)
        overhead.append((rt - own) * 1000)
        if call.probe_sent is not None and call.probe_answered is not None and call.probe_answered[0]:
            ran = (call.probe_answered[0] - call.probe_sent[0]) / 1e6
            waited = (call.probe_answered[1] - call.probe_sent[1]) / 1e6
            cpu_ms.append(ran)
            queued_ms.append(waited)
            rest_ms.append((rt - own) * 1000 - ran - waited)
    cached_rt = [(c.answered - c.sent) * 1000 for c in repeat if c.answered is not None]
    backend_during_repeats = sum(
        1 for c in repeat for r in backend if c.answered and c.sent <= r["received_at"] <= c.answered
    )

    def summary(values: list[float]) -> dict[str, Any]:
        return {"n": len(values), "p50": pct(values, 0.5), "p99": pct(values, 0.99), "max": max(values, default=None)}

    return {
        "peer": peer.name,
        "requests": len(first),
        "answered_with_items": sum(1 for c in first if has_items(c.result)),
        "unmatched": unmatched,
        "overhead_ms": summary(overhead),
        "server_cpu_ms": summary(cpu_ms),
        "server_run_queue_ms": summary(queued_ms),
        "overhead_less_both_ms": summary(rest_ms),
        "round_trip_ms": summary(round_trips),
        "backend_ms": summary(backend_ms),
        "cache_hit_round_trip_ms": summary(cached_rt),
        "cache_hit_answered_with_items": sum(1 for c in repeat if has_items(c.result)),
        "backend_requests_during_repeats": backend_during_repeats,
        "rss_mb": round(rss / 1024, 1),
        "settled_after_open_s": settled,
    }


async def run_overhead(n: int, seed: int) -> dict[str, Any]:
    text = big_python_file(10_000)
    spots = positions(text, n + 10, seed)
    results: dict[str, Any] = {"file_lines": 10_000, "file_bytes": len(text.encode()), "seed": seed, "columns": {}}
    problem = tabby_problem()
    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        for peer in (DEEPSEEK, TABBY):
            if peer.kind == "tabby" and problem:
                results["columns"][peer.name] = {"error": problem}
                continue
            try:
                results["columns"][peer.name] = await measure(peer, text, spots, Path(tmp))
            except Exception as exc:
                log = Path(tmp) / peer.name / f"{peer.kind}.stderr.log"
                tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
                results["columns"][peer.name] = {"error": repr(exc), "stderr_tail": tail}
    return results


def overhead_rows(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    cols = results["columns"]

    def cell(c: dict[str, Any], key: str, p: str) -> str:
        if "error" in c:
            return "error"
        v = c[key][p]
        return "-" if v is None else f"{v:.2f}"

    return [
        ("server overhead p50 ms", [cell(c, "overhead_ms", "p50") for c in cols.values()]),
        ("server overhead p99 ms", [cell(c, "overhead_ms", "p99") for c in cols.values()]),
        ("  its CPU in the round trip p50 ms", [cell(c, "server_cpu_ms", "p50") for c in cols.values()]),
        ("  waiting for a CPU (host load) p50 ms", [cell(c, "server_run_queue_ms", "p50") for c in cols.values()]),
        ("  neither (wake-ups, idle) p50 ms", [cell(c, "overhead_less_both_ms", "p50") for c in cols.values()]),
        ("answer on a cache hit p50 ms", [cell(c, "cache_hit_round_trip_ms", "p50") for c in cols.values()]),
        ("answer on a cache hit p99 ms", [cell(c, "cache_hit_round_trip_ms", "p99") for c in cols.values()]),
    ]


def main() -> None:
    from tests.bench.bench_replay import report_columns

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args()
    results = asyncio.run(run_overhead(args.requests, args.seed))
    report_columns(results, overhead_rows(results), args.out)


if __name__ == "__main__":
    main()
