"""The waits between a review's tries: 0.25-0.5 s, then twice that, unless the caller names its
own step; the step is :data:`retry.BASE_DELAY_S` as it is at the call, so a test of a server
process can shorten it (``DEEPSEEK_TEST_CONSTANTS``) without changing what users wait."""

from __future__ import annotations

import pytest

from deepseek_lsp.model import retry
from deepseek_lsp.model.errors import ServerError


async def _waits(**options: float) -> list[float]:
    waits: list[float] = []

    async def attempt() -> str:
        raise ServerError("500 Internal Server Error", status=500)

    async def record(delay: float) -> None:
        waits.append(delay)

    with pytest.raises(ServerError):
        await retry.retrying(attempt, deadline=float("inf"), max_retries=3, sleep=record, **options)
    return waits


async def test_the_waits_grow_from_half_a_second() -> None:
    waits = await _waits()
    assert [0.25 <= waits[0] <= 0.5, 0.5 <= waits[1] <= 1.0, 1.0 <= waits[2] <= 2.0] == [True] * 3, waits


async def test_the_step_is_the_constant_at_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "BASE_DELAY_S", 0.01)
    waits = await _waits()
    assert len(waits) == 3 and max(waits) <= 0.04, waits


async def test_a_step_named_by_the_caller_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "BASE_DELAY_S", 0.01)
    waits = await _waits(base_delay=1.0)
    assert 0.5 <= waits[0] <= 1.0, waits
