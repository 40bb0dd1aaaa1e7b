"""``within``: a time limit that never loses a cancellation (see ``deepseek_lsp.timeouts``)."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_lsp.timeouts import within


async def test_the_result_when_in_time() -> None:
    assert await within(asyncio.sleep(0, "done"), 1) == "done"


async def test_a_timeout_past_the_limit() -> None:
    with pytest.raises(asyncio.TimeoutError):
        await within(asyncio.Event().wait(), 0.01)


async def test_a_cancellation_in_the_turn_the_result_arrives_is_kept() -> None:
    """A review superseded (or a command interrupted) just as the editor answered what it waited
    for went on as if nothing had happened, and was billed."""
    answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    waiting = asyncio.ensure_future(within(answer, 5))
    await asyncio.sleep(0)
    answer.set_result("answer")
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
