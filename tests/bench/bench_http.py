"""What one streamed completion costs the client's HTTP stack, layer by layer.

The server overhead measured by ``bench_overhead.py`` includes the HTTP request to the model
server. This isolates that part: the same streamed FIM request (a 14 kB prompt, an answer of 30
characters in 4-character chunks, as DeepSeek streams tokens) sent one at a time to the fake
server (zero latency, its own process) through each layer of the stack deepseek-lsp uses:

- ``raw socket``: the request bytes written to, and the chunked answer read from, an asyncio
  stream, nothing parsed: the floor that the machine and the fake server set;
- ``httpcore``: httpcore's connection pool (h11 parsing the response) on our network backend
  (``model/aio_network``: sockets on the event loop itself);
- ``httpx``: httpx's AsyncClient over it (``aiter_raw``);
- ``httpx, anyio``: the same with httpcore's own network backend (anyio), as httpx comes;
- ``deepseek-lsp ModelClient``: ours (SSE decoding, deadline, usage accounting) over httpx.

Per request: ``overhead`` is the round trip minus the fake's own time (from reading the request
line to the last byte written); ``client CPU`` is the CPU time this process spent (the loop is
single-threaded: what the stack costs, whatever else the machine is doing).

    python tests/bench/bench_http.py [--requests 300] [--out http.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_replay import pct, report_columns  # noqa: E402
from tests.bench.oracle import FIM_PATH, OracleProcess  # noqa: E402

ANSWER = "result = compute(value, other)"
GAP_S = 0.02
KEY = "sk-bench"


PROMPT = (ROOT / "server" / "deepseek_lsp" / "model" / "client.py").read_text()[:14_000]


def _body(i: int) -> dict[str, Any]:
    return {
        "model": "deepseek-v4-flash",
        "prompt": f"{PROMPT}{i}",
        "suffix": "\n    return x\n",
        "max_tokens": 64,
        "stop": ["\n"],
        "stream": True,
    }


def _sse_texts(data: bytes) -> list[str]:
    events = [json.loads(line[6:]) for line in data.split(b"\n") if line.startswith(b"data: {")]
    return [choice["text"] for event in events for choice in event.get("choices") or ()]


async def _raw(url: str) -> Callable[[int], Awaitable[str]]:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    end = b"data: [DONE]\n\n\r\n0\r\n\r\n"

    async def one(i: int) -> str:
        body = json.dumps(_body(i)).encode()
        writer.write(
            b"POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (FIM_PATH.encode(), host.encode(), KEY.encode(), len(body), body)
        )
        data = b""
        while not data.endswith(end):
            chunk = await reader.read(65536)
            if not chunk:
                raise ConnectionError("the fake server hung up")
            data += chunk
        return ANSWER  # not parsed: this column is the floor

    return one


async def _httpcore(url: str) -> Callable[[int], Awaitable[str]]:
    import httpcore

    from deepseek_lsp.model.aio_network import AsyncioBackend

    pool = httpcore.AsyncConnectionPool(http2=True, network_backend=AsyncioBackend())
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}", "Accept": "text/event-stream"}

    async def one(i: int) -> str:
        data = b""
        async with pool.stream("POST", url + FIM_PATH, headers=headers, content=json.dumps(_body(i)).encode()) as r:
            async for chunk in r.aiter_stream():
                data += chunk
        return "".join(_sse_texts(data))

    return one


async def _httpx(url: str, *, anyio: bool = False) -> Callable[[int], Awaitable[str]]:
    import httpx

    from deepseek_lsp.model import aio_network

    client = httpx.AsyncClient(http2=True, headers={"Authorization": f"Bearer {KEY}"})
    if not anyio:
        aio_network.install(client)

    async def one(i: int) -> str:
        data = b""
        request = client.build_request(
            "POST", url + FIM_PATH, content=json.dumps(_body(i)).encode(),
            headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
        )
        response = await client.send(request, stream=True)
        try:
            async for chunk in response.aiter_raw():
                data += chunk
        finally:
            await response.aclose()
        return "".join(_sse_texts(data))

    return one


async def _model_client(url: str) -> Callable[[int], Awaitable[str]]:
    from deepseek_lsp.model.client import EndpointConfig, ModelClient
    from deepseek_lsp.model.types import FimRequest

    client = ModelClient(EndpointConfig(base_url=url, api_key=KEY, allow_http=True))
    loop = asyncio.get_running_loop()

    async def one(i: int) -> str:
        body = _body(i)
        req = FimRequest(
            prompt=body["prompt"], suffix=body["suffix"], max_tokens=64, stop=["\n"],
            model="deepseek-v4-flash", feature="completion", estimated_prompt_tokens=3500,
        )
        async with client.stream_fim(req, deadline=loop.time() + 10) as stream:
            return "".join([delta async for delta in stream])

    return one


LAYERS: dict[str, Callable[[str], Awaitable[Callable[[int], Awaitable[str]]]]] = {
    "raw socket": _raw,
    "httpcore": _httpcore,
    "httpx": _httpx,
    "httpx, anyio": lambda url: _httpx(url, anyio=True),
    "deepseek-lsp ModelClient": _model_client,
}


async def measure(name: str, n: int) -> dict[str, Any]:
    oracle = await OracleProcess.start("--answer", ANSWER)
    try:
        one = await LAYERS[name](oracle.url)
        calls: list[tuple[float, float, float]] = []
        for i in range(n + 10):  # the first 10 warm up (connection, lazy imports)
            cpu, t0 = time.process_time(), time.monotonic()
            text = await one(i)
            t1 = time.monotonic()
            if text != ANSWER:
                raise AssertionError(f"{name} read {text!r}")
            calls.append((t0, t1, time.process_time() - cpu))
            await asyncio.sleep(GAP_S)
        records = [r for r in await oracle.requests() if r["path"] == FIM_PATH]
    finally:
        await oracle.stop()
    overhead, cpu = [], []
    for (t0, t1, spent), rec in zip(calls[10:], records[10:], strict=True):
        overhead.append((t1 - t0 - (rec["finished_at"] - rec["received_at"])) * 1000)
        cpu.append(spent * 1000)
    return {
        "requests": n,
        "overhead_ms": {"p50": pct(overhead, 0.5), "p99": pct(overhead, 0.99)},
        "client_cpu_ms": {"p50": pct(cpu, 0.5), "p99": pct(cpu, 0.99)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--out")
    args = parser.parse_args()
    results: dict[str, Any] = {"columns": {}}
    for name in LAYERS:
        results["columns"][name] = asyncio.run(measure(name, args.requests))
    cols = results["columns"].values()
    rows = [
        (f"{label} {p} ms", [f"{c[key][p]:.2f}" for c in cols])
        for key, label in (("overhead_ms", "overhead"), ("client_cpu_ms", "client CPU"))
        for p in ("p50", "p99")
    ]
    report_columns(results, rows, args.out)


if __name__ == "__main__":
    main()
