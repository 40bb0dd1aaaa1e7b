"""A request whose time limit ends before any server took its connection is told so ("Could
not connect"), also where it waited on another request's connection being made: over HTTPS
httpx's HTTP/2 gives the requests of one moment one connection, the first makes it and the
others wait, with nothing of the connection in their own trace."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from deepseek_lsp.model import ChatRequest, EndpointConfig, ModelClient
from deepseek_lsp.model.errors import ConnectError, DeadlineExceeded, NotConnected
from tests.fake_deepseek import DEFAULT_KEY
from tests.test_review_first_answer import hanging_connection, silent_listener

REQUEST = ChatRequest(
    messages=[{"role": "user", "content": "def f(x): return x\n"}], model="deepseek-v4-flash"
)


async def at_once(url: str, n: int) -> list[BaseException]:
    """The errors of ``n`` requests sent together to ``url``, each with a 1 s limit."""
    async with ModelClient(EndpointConfig(base_url=url, api_key=DEFAULT_KEY)) as client:
        end = asyncio.get_running_loop().time() + 1.0
        sent = (client.chat(REQUEST, end) for _ in range(n))
        got = await asyncio.gather(*sent, return_exceptions=True)
    assert all(isinstance(e, DeadlineExceeded) for e in got), got
    return [e for e in got if isinstance(e, BaseException)]


async def test_requests_waiting_on_one_https_connection_are_each_told_it_was_never_made() -> None:
    with hanging_connection() as url:
        errors = await at_once(url.replace("http://", "https://"), 3)
    assert all(isinstance(e, NotConnected) for e in errors), [type(e).__name__ for e in errors]
    assert all("Could not connect to 127.0.0.1:" in e.user_message for e in errors)


async def test_requests_sent_to_a_server_that_never_answers_are_not_told_unconnected() -> None:
    """The control: connections taken, requests sent, no answer: "did not answer in time"."""
    with silent_listener() as (url, _):
        errors = await at_once(url, 3)
    assert not any(isinstance(e, NotConnected) for e in errors), [type(e).__name__ for e in errors]


async def through_proxy(monkeypatch: pytest.MonkeyPatch, proxy: str) -> BaseException:
    """The error of one request to a remote server through ``proxy`` as HTTPS_PROXY."""
    for name in ("HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    (error,) = await at_once("https://models.example.test/v1", 1)
    return error


async def test_a_proxy_that_never_takes_the_connection_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Behind the proxy of HTTPS_PROXY (a company's), the connection no one took is the
    proxy's: told "Could not connect to models.example.test ... check the base URL", the user
    looked at a server never asked."""
    with hanging_connection() as proxy:
        error = await through_proxy(monkeypatch, proxy)
    where = proxy.removeprefix("http://")
    assert isinstance(error, NotConnected)
    assert f"Could not connect to the proxy at {where}" in error.user_message, error.user_message
    assert "HTTPS_PROXY" in error.user_message


@contextlib.contextmanager
def proxy_answering(answer: bytes, *, hold: bool) -> Iterator[str]:
    """A proxy that reads each connection's CONNECT and answers ``answer``; then holds the
    connection open, sending nothing more, or (``hold`` false) closes it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn = listener.accept()[0]
            except OSError:
                return
            held.append(conn)
            conn.recv(4096)
            conn.sendall(answer)
            if not hold:
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in held:
            conn.close()


#: The proxy's answer opening the tunnel.
ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"


def tunnel_to_nowhere() -> contextlib.AbstractContextManager[str]:
    """A proxy that takes each connection and answers its CONNECT, and then nothing: the
    server at the tunnel's end never answers the TLS handshake."""
    return proxy_answering(ESTABLISHED, hold=True)


async def test_a_tunnel_the_proxy_opened_to_a_silent_server_is_the_server_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: the proxy answered, the handshake through its tunnel hangs: the server's."""
    with tunnel_to_nowhere() as proxy:
        error = await through_proxy(monkeypatch, proxy)
    assert isinstance(error, NotConnected)
    told = error.user_message
    assert "Could not connect to models.example.test within" in told, told


async def test_requests_waiting_behind_a_tunnel_being_made_are_told_as_the_one_making_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The proxy answered the CONNECT, the handshake through its tunnel hangs, and requests
    wait for a connection meanwhile (more at once than the pool holds: a burst of completions
    past its 16, here one): the CONNECT's exchange with the proxy counted as the connection
    made, and those waiting were told the server "did not answer in time", the one making it
    that it could not connect (1 NotConnected and 2 "did not answer"; now 3 alike)."""
    for name in ("HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with tunnel_to_nowhere() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        config = EndpointConfig(base_url="https://models.example.test/v1", api_key=DEFAULT_KEY, max_connections=1)
        async with ModelClient(config) as client:
            end = asyncio.get_running_loop().time() + 1.0
            got = await asyncio.gather(*(client.chat(REQUEST, end) for _ in range(3)), return_exceptions=True)
    assert [type(e).__name__ for e in got] == ["NotConnected"] * 3
    assert all(
        isinstance(e, NotConnected) and "Could not connect to models.example.test within" in e.user_message
        for e in got
    )


@pytest.mark.parametrize("proxy_kind", ["refused", "reset"])
async def test_a_proxy_refusing_the_connection_is_named_not_the_server(
    monkeypatch: pytest.MonkeyPatch, refused: str, proxy_kind: str
) -> None:
    """Told "Cannot reach models.example.test: connection lost", the user checked a server
    that was never asked."""
    from tests.test_unreachable_backoff import resetting_listener

    with resetting_listener() as resetting:
        proxy = refused if proxy_kind == "refused" else resetting.url
        for name in ("HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(name.lower(), raising=False)
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        async with ModelClient(EndpointConfig(base_url="https://models.example.test/v1", api_key=DEFAULT_KEY)) as client:
            with pytest.raises(ConnectError) as caught:
                await client.chat(REQUEST, asyncio.get_running_loop().time() + 5.0)
    where = proxy.removeprefix("http://")
    assert caught.value.user_message.startswith(f"Cannot reach the proxy at {where} "), caught.value.user_message
    assert caught.value.unreachable


async def test_a_server_refusing_without_a_proxy_is_the_server(refused: str) -> None:
    async with ModelClient(EndpointConfig(base_url=refused, api_key=DEFAULT_KEY)) as client:
        with pytest.raises(ConnectError) as caught:
            await client.chat(REQUEST, asyncio.get_running_loop().time() + 5.0)
    assert "proxy" not in caught.value.user_message


@pytest.mark.parametrize("proxy_kind", ["unresolved", "refused"])
async def test_a_model_list_behind_an_unreachable_proxy_is_told_as_the_proxy_s(
    monkeypatch: pytest.MonkeyPatch, refused: str, proxy_kind: str
) -> None:
    """The review server's model list (``server_at``), asked through HTTPS_PROXY, stores the
    error a review then tells: a proxy whose name does not resolve was told "Cannot reach
    models.example.test: the host name was not found ... check the base URL", of a server
    never asked, where a completion names the proxy."""
    proxy = "http://proxy.invalid:3128" if proxy_kind == "unresolved" else refused
    for name in ("HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    config = EndpointConfig(base_url="https://models.example.test/v1", api_key=DEFAULT_KEY, backend="chat")
    async with ModelClient(config) as client:
        await client.server_at(client.config.base, within=5.0)
        met = client.chat_unreached(REQUEST)
    assert met is not None
    where = proxy.removeprefix("http://")
    told = met[0].user_message
    assert told.startswith(f"Cannot reach the proxy at {where} "), told
    assert "base URL" not in told and "models.example.test" not in told, told
