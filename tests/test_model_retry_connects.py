"""How often :func:`retrying` asks again after a connect failed: one that waited out its whole
timeout (a firewall dropping it, 5 s a try) once more, one refused (milliseconds) as any."""

from __future__ import annotations

import pytest

from deepseek_lsp.model.errors import ConnectError
from deepseek_lsp.model.reachability import UnreachedServers
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


def _timed_out(url: str) -> ConnectError:
    error = ConnectError("connecting timed out after 5 s", method="GET", url=url)
    error.timed_out = True
    return error


async def test_a_timed_out_connect_met_before_the_request_is_its_first_try() -> None:
    """The review server's model list, asked before a run's first request, waited out its
    connect timeout: the request's own timed-out connect was tried again after it (3 connects
    of 5 s); counted at the server, the request's is the one more try."""
    met = UnreachedServers()
    met.met("http://10.0.0.9:8000/v1/models", _timed_out("http://10.0.0.9:8000/v1/models"), 0.0)
    url = "http://10.0.0.9:8000/v1/chat/completions"
    tries = 0

    async def attempt() -> str:
        nonlocal tries
        tries += 1
        error = _timed_out(url)
        met.met(url, error, 0.0)
        raise error

    async def no_wait(_: float) -> None:
        return None

    with pytest.raises(ConnectError):
        await retrying(attempt, deadline=float("inf"), max_retries=3, sleep=no_wait, timeouts_met=lambda: met.timeouts(url))
    assert tries == 1


def test_timed_out_connects_in_a_row_end_at_an_answer_or_a_refusal() -> None:
    met = UnreachedServers()
    url = "https://gw.example.test/v1/chat/completions"
    met.met(url, _timed_out(url), 0.0)
    met.met(url, _timed_out(url), 1.0)
    assert met.timeouts(url) == 2 and met.timeouts("https://other.example.test/v1") == 0
    met.answered("https://gw.example.test/v1/models")
    assert met.timeouts(url) == 0
    met.met(url, _timed_out(url), 2.0)
    met.met(url, ConnectError("[Errno 111] Connection refused", method="POST", url=url), 3.0)
    assert met.timeouts(url) == 0
