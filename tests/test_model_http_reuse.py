"""Per-request work httpx would redo, done once or when needed (``model.http_reuse``): a
gateway's cookie still comes back on the next request; a response setting none is not read
through ``http.cookiejar``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from http.cookiejar import CookieJar
from types import SimpleNamespace

import httpx
import pytest

from deepseek_lsp.model import EndpointConfig, FimRequest, ModelClient
from deepseek_lsp.model.http_reuse import parsed_url, read_cookies_when_set

_EVENTS = [{"choices": [{"index": 0, "text": t, "finish_reason": None}]} for t in ("return ", "a + b")]
_BODY = "".join(f"data: {json.dumps(e)}\n\n" for e in _EVENTS) + "data: [DONE]\n\n"


class _Stream(httpx.AsyncByteStream):
    """An answer streamed, as httpx reads one from the network (bytes given whole are read
    at once, and then no longer stream)."""

    async def __aiter__(self):  # type: ignore[override]
        yield _BODY.encode()


def _fim() -> FimRequest:
    return FimRequest(prompt="def add(a, b):\n    ", suffix="\n")


async def _ask_twice(set_cookie: bool) -> list[str]:
    """The Cookie header of each of two completions (the first answer sets one if asked to)."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie", ""))
        headers = {"Content-Type": "text/event-stream"}
        if set_cookie and len(sent) == 1:
            headers["Set-Cookie"] = "route=b2; Path=/"
        return httpx.Response(200, headers=headers, stream=_Stream())

    client = ModelClient(
        EndpointConfig(base_url="http://127.0.0.1:9", api_key="k", allow_http=True),
        transport=httpx.MockTransport(answer),
    )
    try:
        for _ in range(2):
            loop = asyncio.get_running_loop()
            assert (await client.fim(_fim(), loop.time() + 5)).text == "return a + b"
    finally:
        await client.aclose()
    return sent


async def test_a_cookie_set_comes_back_on_the_next_request() -> None:
    # A gateway keeping a session by cookie (a load balancer's stickiness) goes on working.
    assert await _ask_twice(set_cookie=True) == ["", "route=b2"]


async def test_an_answer_setting_no_cookie_is_not_read_for_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[object] = []
    real = CookieJar.extract_cookies

    def counted(self: CookieJar, response: object, request: object) -> None:
        read.append(response)
        real(self, response, request)

    monkeypatch.setattr(CookieJar, "extract_cookies", counted)
    assert await _ask_twice(set_cookie=False) == ["", ""]
    assert read == []


def test_a_url_is_parsed_once() -> None:
    text = "http://127.0.0.1:9/beta/completions"
    assert parsed_url(text) is parsed_url(text)
    assert parsed_url(text) == httpx.URL(text)


async def _ask(statuses: list[tuple[int, dict[str, str]]]) -> list[str]:
    """The Cookie header of each completion asked while the server answers ``statuses`` in
    turn (a status and its headers; 200 streams an answer), errors let through."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        status, extra = statuses[len(sent)]
        sent.append(request.headers.get("cookie", ""))
        if status != 200:
            return httpx.Response(status, headers=extra, json={"error": {"message": "no"}})
        return httpx.Response(200, headers={"Content-Type": "text/event-stream", **extra}, stream=_Stream())

    client = ModelClient(
        EndpointConfig(base_url="http://127.0.0.1:9", api_key="k", allow_http=True),
        transport=httpx.MockTransport(answer),
    )
    try:
        while len(sent) < len(statuses):
            with contextlib.suppress(Exception):  # the error answers are the point
                await client.fim(_fim(), asyncio.get_running_loop().time() + 5)
    finally:
        await client.aclose()
    return sent


async def test_a_sticky_session_cookie_comes_back_on_every_request_and_is_replaced() -> None:
    # A load balancer's stickiness: set once, sent on each request; a new value replaces it.
    sticky = [(200, {"Set-Cookie": "AWSALB=one; Path=/"}), (200, {}), (200, {}),
              (200, {"Set-Cookie": "AWSALB=two; Path=/"}), (200, {})]
    assert await _ask(sticky) == ["", "AWSALB=one", "AWSALB=one", "AWSALB=one", "AWSALB=two"]


@pytest.mark.parametrize("status", [307, 401, 429, 503])
async def test_a_cookie_set_on_a_redirect_or_an_error_answer_comes_back(status: int) -> None:
    # A gateway's redirect (not followed) or error answer setting its session cookie.
    headers = {"Set-Cookie": "gw=s1; Path=/", "Location": "http://127.0.0.1:9/other", "Retry-After": "0"}
    assert (await _ask([(status, headers), (200, {})]))[-1] == "gw=s1"


def test_a_client_keeping_its_cookies_elsewhere_is_left_as_it_is() -> None:
    # An httpx that keeps its cookies under another name, or in another type: nothing swapped.
    elsewhere = SimpleNamespace()
    read_cookies_when_set(elsewhere)  # type: ignore[arg-type]
    assert vars(elsewhere) == {}

    class OtherCookies(httpx.Cookies):
        pass

    other = SimpleNamespace(_cookies=OtherCookies())
    read_cookies_when_set(other)  # type: ignore[arg-type]
    assert type(other._cookies) is OtherCookies
