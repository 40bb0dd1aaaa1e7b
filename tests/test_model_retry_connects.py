"""How often :func:`retrying` asks again after a connect failed: one that waited out its whole
timeout (a firewall dropping it, 5 s a try) once more, one refused (milliseconds) as any."""

from __future__ import annotations

import pytest

from deepseek_lsp.model.errors import ConnectError
from deepseek_lsp.model.retry import retrying


async def _tries(timed_out: bool) -> int:
    tries = 0

    async def attempt() -> str:
        nonlocal tries
        tries += 1
        error = ConnectError("connecting failed")
        error.timed_out = timed_out
        raise error

    async def no_wait(_: float) -> None:
        return None

    with pytest.raises(ConnectError):
        await retrying(attempt, deadline=float("inf"), max_retries=3, sleep=no_wait)
    return tries


async def test_a_connect_that_timed_out_is_tried_once_more() -> None:
    assert await _tries(timed_out=True) == 2


async def test_a_refused_connect_is_retried_as_before() -> None:
    assert await _tries(timed_out=False) == 4
