"""Completions cancelled the way a fast typist cancels them, straight against a ModelClient: the
pool-leak tests run the same bursts with and without a proxy in the way."""

from __future__ import annotations

import asyncio
import random

from deepseek_lsp.model.client import ModelClient
from deepseek_lsp.model.types import FimRequest

# What the fake answers: three lines, so a single-line stream stops early and a block one reads on.
BURST_ANSWER = "x = 1\ntotal = sum(item.price for item in items)\n" * 3


async def _stream_one(client: ModelClient, first_line_only: bool) -> None:
    loop = asyncio.get_running_loop()
    req = FimRequest(prompt="def f():\n    ", suffix="", max_tokens=48, stop=["\n"], temperature=0.0,
                     model="deepseek-v4-flash", feature="completion")
    async with client.stream_fim(req, loop.time() + 5) as stream:
        async for _ in stream:
            if first_line_only:
                break


async def _keystroke(client: ModelClient, rng: random.Random) -> None:
    # Like the completion feature: up to three choices gathered in one task, which a newer
    # keystroke cancels, sometimes twice (a $/cancelRequest, then the next request).
    choices, first_line_only = rng.randint(1, 3), rng.random() < 0.5

    async def fetch() -> None:
        await asyncio.gather(*(_stream_one(client, first_line_only) for _ in range(choices)), return_exceptions=True)

    task = asyncio.ensure_future(fetch())
    await asyncio.sleep(rng.random() * 0.004)
    task.cancel()
    if rng.random() < 0.5:
        await asyncio.sleep(rng.random() * 0.002)
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def cancelled_keystroke_bursts(client: ModelClient, rounds: int, seed: int) -> None:
    """``rounds`` rounds of one or two keystrokes at once, each cancelled at a random moment
    (waiting for the pool, connecting, reading, closing); returns once their closes are done."""
    rng = random.Random(seed)
    for _ in range(rounds):
        await asyncio.gather(*(_keystroke(client, rng) for _ in range(rng.randint(1, 2))))
    await asyncio.sleep(0.05)  # the close tasks of the last round


async def first_line(client: ModelClient) -> str:
    """A completion after the bursts: the pool still serves."""
    loop = asyncio.get_running_loop()
    result = await client.fim(FimRequest(prompt="x = ", suffix="", max_tokens=8, stop=["\n"], temperature=0.0,
                                         model="deepseek-v4-flash", feature="completion"), loop.time() + 8)
    return result.text
