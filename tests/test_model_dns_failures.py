"""A host name that does not resolve, as the resolver says it: "Name or service not known" (a typo
in the base URL) is told at once and not retried, but "Temporary failure in name resolution" (a
resolver that timed out: Wi-Fi coming back, a VPN reconnecting, a loaded DNS server) is a
connection failure like any other: retried, and not told as a typo in the settings."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from deepseek_lsp import doctor
from deepseek_lsp.model import ChatRequest, ConnectError, EndpointConfig, ModelClient
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

#: A name the tests' resolver answers with 127.0.0.1 once its failures are spent.
HOST = "gateway.test"


class Resolver:
    """``socket.getaddrinfo`` failing ``failures`` times for :data:`HOST` with ``errno``, then
    resolving it to 127.0.0.1 (no other name is touched)."""

    def __init__(self, errno: int, failures: int) -> None:
        self.errno, self.failures, self.asked = errno, failures, 0
        self._real = socket.getaddrinfo

    def __call__(self, host: object, *args: object, **kw: object) -> object:
        if host == HOST:
            self.asked += 1
            if self.asked <= self.failures:
                raise socket.gaierror(self.errno, _WORDS[self.errno])
            host = "127.0.0.1"
        return self._real(host, *args, **kw)  # type: ignore[arg-type]


_WORDS = {
    socket.EAI_AGAIN: "Temporary failure in name resolution",
    socket.EAI_NONAME: "Name or service not known",
}


@pytest.fixture
def fake() -> Iterator[FakeDeepSeek]:
    with FakeDeepSeek() as server:
        yield server


def _resolving(monkeypatch: pytest.MonkeyPatch, errno: int, failures: int) -> Resolver:
    resolver = Resolver(errno, failures)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


async def _review_request(fake: FakeDeepSeek) -> str:
    """A review's request (with its retries) to the fake through :data:`HOST`."""
    url = fake.url.replace("127.0.0.1", HOST)
    async with ModelClient(EndpointConfig(base_url=url, api_key=DEFAULT_KEY, allow_http=True)) as client:
        deadline = asyncio.get_running_loop().time() + 10
        request = ChatRequest(messages=[{"role": "user", "content": "Review this; answer in json."}])
        result = await client.chat_with_retry(request, deadline, max_retries=3, base_delay=0.01)
        return result.text


async def test_a_review_rides_out_a_resolver_that_failed_once(
    fake: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = _resolving(monkeypatch, socket.EAI_AGAIN, failures=1)
    assert await _review_request(fake)
    assert resolver.asked == 2 and len(fake.requests) == 1


async def test_a_resolver_that_keeps_failing_is_not_told_as_a_typo(
    fake: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = _resolving(monkeypatch, socket.EAI_AGAIN, failures=100)
    with pytest.raises(ConnectError) as failed:
        await _review_request(fake)
    told = failed.value.user_message
    assert resolver.asked == 4, resolver.asked  # the first try and 3 retries
    assert "Temporary failure in name resolution" in told and "typo" not in told, told


async def test_a_name_not_found_is_told_at_once(fake: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = _resolving(monkeypatch, socket.EAI_NONAME, failures=100)
    with pytest.raises(ConnectError) as failed:
        await _review_request(fake)
    assert resolver.asked == 1
    assert "host name was not found" in failed.value.user_message


@pytest.mark.parametrize(
    ("errno", "typo"), [(socket.EAI_AGAIN, False), (socket.EAI_NONAME, True)], ids=["temporary", "not-found"]
)
def test_doctor_tells_a_typo_only_for_a_name_not_found(
    fake: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, errno: int, typo: bool
) -> None:
    _resolving(monkeypatch, errno, failures=100)
    ok, told, _ = doctor._check_server(fake.url.replace("127.0.0.1", HOST), DEFAULT_KEY, 5)
    assert not ok
    assert ("typo" in told) is typo, told


def test_doctor_names_the_proxy_whose_name_does_not_resolve(
    fake: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment's proxy mistyped: the base URL is right, and was never asked (doctor said
    "check the base URL for a typo", and the user checked the one setting that was right)."""
    real = socket.getaddrinfo

    def no_proxy_host(host: object, *args: object, **kw: object) -> object:
        if host == "proxy.test":
            raise socket.gaierror(socket.EAI_NONAME, _WORDS[socket.EAI_NONAME])
        return real("127.0.0.1" if host == HOST else host, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", no_proxy_host)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.test:3128")
    ok, told, _ = doctor._check_server(fake.url.replace("127.0.0.1", HOST), DEFAULT_KEY, 5)
    assert not ok and fake.requests == []
    assert "proxy.test:3128" in told and "HTTP_PROXY" in told and "typo" not in told, told
