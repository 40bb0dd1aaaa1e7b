"""Benchmark of the model client against the fake DeepSeek server (not a test).

Measures, at zero server latency:

* per streamed FIM request: a raw ``httpx`` SSE read (the floor) versus ``ModelClient.fim`` (with
  a file-backed ledger, as in the server), interleaved; the difference is the client's overhead.
  The fake's own receive/finish timestamps give the server-side share;
* with a slow token stream: the time from cancelling the consumer (``task.cancel()``) or breaking
  out of the stream to the fake seeing the connection closed.

The fake runs in a separate process by default so that its threads do not compete with the
client for the GIL (``--inproc`` to run it in-process). Timestamps on both sides are
``time.monotonic()``, which is system-wide on Linux and macOS.

    python tests/bench/bench_client.py --out artifacts/bench_client.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from deepseek_lsp.model import EndpointConfig, FimRequest, Ledger, ModelClient  # noqa: E402
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek  # noqa: E402

ANSWER = "    return fibonacci(n - 1) + fibonacci(n - 2)\n"  # 12 chunks of 4 chars
PROMPT = "def fibonacci(n):\n    if n < 2:\n        return n\n" * 20
SUFFIX = "\n\nprint(fibonacci(10))\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def stats(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "p50_ms": pct(ms, 50),
        "p99_ms": pct(ms, 99),
        "mean_ms": sum(ms) / len(ms),
        "n": len(ms),
    }


class Fake:
    """The fake in a subprocess (default) or in-process, driven through its control API."""

    def __init__(self, inproc: bool) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.inproc: FakeDeepSeek | None = None
        if inproc:
            self.inproc = FakeDeepSeek().start()
            self.url = self.inproc.url
        else:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.fake_deepseek", "--port", "0"],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self.proc.stdout is not None
            self.url = self.proc.stdout.readline().split()[-1]
        self.control = httpx.Client(base_url=f"{self.url}/_fake")

    def call(self, name: str, payload: dict[str, Any] | None = None) -> Any:
        if payload is None:
            return self.control.get(f"/{name}").json()
        return self.control.post(f"/{name}", json=payload).json()

    def close(self) -> None:
        self.control.close()
        if self.inproc is not None:
            self.inproc.stop()
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            if self.proc.stdout is not None:
                self.proc.stdout.close()


async def raw_request(http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> float:
    start = time.perf_counter()
    async with http.stream("POST", url, json=body) as response:
        # Read to the end of the body (not just [DONE]) so the connection is reused, as the
        # client does.
        async for line in response.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                json.loads(line[6:])
    return time.perf_counter() - start


async def overhead(fake: Fake, n: int, warmup: int, ledger_path: Path) -> dict[str, Any]:
    fake.call("reset", {})
    fake.call("script", {"answers": [ANSWER] * (2 * (n + warmup))})
    config = EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)
    req = FimRequest(prompt=PROMPT, suffix=SUFFIX, max_tokens=64, stop=["\n\n"])
    body = {
        "model": req.model,
        "prompt": PROMPT,
        "suffix": SUFFIX,
        "max_tokens": 64,
        "stop": ["\n\n"],
        "temperature": 0.0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    headers = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    ledger = Ledger(ledger_path)
    raw_times: list[float] = []
    client_times: list[float] = []
    async with (
        httpx.AsyncClient(http2=True, headers=headers) as http,
        ModelClient(config, ledger) as client,
    ):
        await client.warm()
        loop = asyncio.get_running_loop()
        url = f"{fake.url}/beta/completions"
        raw_cpu = client_cpu = 0.0
        for i in range(n + warmup):
            cpu0 = time.process_time()
            t_raw = await raw_request(http, url, body)
            cpu1 = time.process_time()
            start = time.perf_counter()
            result = await client.fim(req, loop.time() + 10)
            t_client = time.perf_counter() - start
            cpu2 = time.process_time()
            assert result.text == ANSWER, result
            if i >= warmup:
                raw_times.append(t_raw)
                client_times.append(t_client)
                raw_cpu += cpu1 - cpu0
                client_cpu += cpu2 - cpu1
    ledger.close()
    records = [r for r in fake.call("requests") if r["path"] == "/beta/completions"]
    server = [
        r["finished_at"] - r["received_at"] for r in records[2 * warmup :] if r["finished_at"]
    ]
    diffs = [c - r for c, r in zip(client_times, raw_times, strict=True)]
    return {
        "raw_httpx": stats(raw_times),
        "model_client": stats(client_times),
        "overhead_paired": stats(diffs),
        "server_side": stats(server),
        # CPU time of this process per request: insensitive to the fake's speed and to load
        # (meaningful with the fake in its own process).
        "cpu_ms_per_request": {
            "raw_httpx": raw_cpu / n * 1000,
            "model_client": client_cpu / n * 1000,
        },
    }


async def cancel_to_close(fake: Fake, n: int, mode: str) -> dict[str, Any]:
    config = EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)
    marks: list[float] = []
    async with ModelClient(config) as client:
        await client.warm()
        fake.call("reset", {})
        fake.call("latency", {"ttft": 0.0, "per_token": 0.01})
        fake.call("script", {"answers": ["x = compute(1)\n" * 100] * n})
        loop = asyncio.get_running_loop()
        req = FimRequest(prompt=PROMPT, suffix=SUFFIX, max_tokens=1000)
        for _ in range(n):
            first = asyncio.Event()
            mark: list[float] = []

            async def consume() -> None:
                async with client.stream_fim(req, loop.time() + 10) as stream:
                    async for _ in stream:
                        if mode == "break":
                            mark.append(time.monotonic())  # noqa: B023
                            break
                        first.set()  # noqa: B023

            task = asyncio.create_task(consume())
            if mode == "cancel":
                await first.wait()
                mark.append(time.monotonic())
                task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            marks.append(mark[0])
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.1)
    records = fake.call("requests")
    latencies = [
        r["disconnected_at"] - t
        for r, t in zip(records, marks, strict=True)
        if r["disconnected_at"]
    ]
    return {**stats(latencies), "missed": n - len(latencies)}


def table(results: dict[str, Any]) -> str:
    rows = [
        ("raw httpx SSE request", results["overhead"]["raw_httpx"]),
        ("ModelClient.fim request", results["overhead"]["model_client"]),
        ("client overhead (paired diff)", results["overhead"]["overhead_paired"]),
        ("fake server-side duration", results["overhead"]["server_side"]),
        ("task.cancel() -> fake sees close", results["cancel"]),
        ("early break -> fake sees close", results["break"]),
    ]
    out = [f"{'metric':<34}{'p50 ms':>10}{'p99 ms':>10}{'n':>6}"]
    for name, s in rows:
        out.append(f"{name:<34}{s['p50_ms']:>10.3f}{s['p99_ms']:>10.3f}{s['n']:>6}")
    cpu = results["overhead"]["cpu_ms_per_request"]
    out.append(
        f"client CPU per request: raw httpx {cpu['raw_httpx']:.3f} ms, "
        f"ModelClient {cpu['model_client']:.3f} ms (incl. ledger write)"
    )
    return "\n".join(out)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    fake = Fake(args.inproc)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = {
                "overhead": await overhead(fake, args.n, args.warmup, Path(tmp) / "usage.sqlite3"),
                "cancel": await cancel_to_close(fake, args.cancel_n, "cancel"),
                "break": await cancel_to_close(fake, args.cancel_n, "break"),
                "config": {
                    "n": args.n,
                    "cancel_n": args.cancel_n,
                    "inproc": args.inproc,
                    "python": sys.version.split()[0],
                },
            }
    finally:
        fake.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=300, help="streamed requests per variant")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--cancel-n", type=int, default=100, help="cancellations per mode")
    parser.add_argument("--inproc", action="store_true", help="run the fake in this process")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(args))
    print(table(results))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
