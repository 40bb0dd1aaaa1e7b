"""``deepseek-lsp doctor`` behind the environment's proxy tells where the check failed as the
language server does (the same connect trace): the proxy when it refused, reset or never took
the connection or its tunnel, the server when the proxy opened the tunnel and the server's
handshake through it failed."""

from __future__ import annotations

import contextlib

import pytest

from deepseek_lsp import doctor
from tests.fake_deepseek import DEFAULT_KEY
from tests.test_model_not_connected import ESTABLISHED, proxy_answering
from tests.test_review_first_answer import hanging_connection
from tests.test_unreachable_backoff import resetting_listener

BASE = "https://models.example.test/v1"


def checked_through(monkeypatch: pytest.MonkeyPatch, proxy: str) -> str:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    ok, told, _ = doctor._check_server(BASE, DEFAULT_KEY, 2)
    assert not ok
    return told


@pytest.mark.parametrize("kind", ["forbidden", "reset", "never-taken"])
def test_doctor_names_the_proxy_that_refused_the_check(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """A proxy answering the CONNECT 403, resetting it, or dropping the connection: doctor said
    "request to https://models.example.test/v1 failed: ProxyError" (or ReadError), or that the
    base URL "did not answer within 2 s", sending the user to a server never asked."""
    with contextlib.ExitStack() as stack:
        if kind == "forbidden":
            proxy = stack.enter_context(proxy_answering(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", hold=False))
        elif kind == "reset":
            proxy = stack.enter_context(resetting_listener()).url
        else:
            proxy = stack.enter_context(hanging_connection())
        told = checked_through(monkeypatch, proxy)
    where = proxy.removeprefix("http://")
    assert told.startswith(f"cannot reach the proxy at {where} "), told
    assert "HTTPS_PROXY" in told and "models.example.test" not in told, told


def test_doctor_tells_a_handshake_failed_through_an_open_tunnel_as_the_server_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The proxy answered the CONNECT, then the server's TLS handshake through it ended: doctor
    said it could not reach the proxy, the one part that worked."""
    with proxy_answering(ESTABLISHED, hold=False) as proxy:
        told = checked_through(monkeypatch, proxy)
    assert "proxy" not in told and BASE in told, told
