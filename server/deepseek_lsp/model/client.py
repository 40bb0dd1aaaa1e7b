"""The model client: one pooled HTTP/2 connection set per endpoint, streaming with hard deadlines.

Deadlines are absolute ``asyncio.get_running_loop().time()`` values (``time.monotonic()`` on the
standard and uvloop loops). They bound the whole request: keep-alive comment lines that DeepSeek
sends while a request waits for capacity do not extend them.

Streaming is an async context manager yielding an async iterator of text deltas, so that leaving
the block (a cancelled task, an exception, or a plain ``break`` after the first line) closes the
HTTP response *at once*, and the server sees the disconnect and stops generating::

    async with client.stream_fim(req, deadline) as stream:
        async for delta in stream:
            ...
    result = stream.result  # StreamResult: text, finish_reason, usage, ttft_s, total_s

On HTTP/1.1 closing means closing the connection; on HTTP/2 (negotiated by TLS ALPN when the
server offers it) it means RST_STREAM, which httpcore forgets to send: ``h2_reset`` fixes that.

Completions are never retried; :meth:`ModelClient.chat_with_retry` retries reviews. Every request
that left is recorded in the ledger (if any), including cancelled ones, which are still billed;
so is every error. A request cancelled before it left (connecting, in the TLS handshake, waiting
for the pool) is not a request: the provider never saw it, and counting it would make the
ledger's request count disagree with the provider's.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import httpx

from .. import __version__, tls
from ..config import API_KEY_CHARS, beta_base
from ..console import counted
from ..timeouts import within
from . import aio_network, h2_reset, pool_reclaim
from .backends import Backend, HttpCall, get_backend, resolve_fim_template
from .errors import (
    BudgetExceeded,
    ConfigError,
    ConnectError,
    DeadlineExceeded,
    MalformedResponse,
    ModelError,
    RequestError,
    error_for_status,
    parse_retry_after,
    safe_url,
)
from .json_answer import load_json_answer
from .model_server import from_litellm, loads_models
from .retry import retrying
from .sse import ChunkAccumulator, SSEDecoder
from .tokens import Counter, EstimateCounter, default_counter, loaded_counter
from .types import ChatRequest, FimRequest, StreamResult, Usage, header_cost

__all__ = [
    "DEFAULT_BASE_URL",
    "ChatRequest",
    "EndpointConfig",
    "FimRequest",
    "ModelClient",
    "ModelStream",
    "StreamResult",
    "Usage",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

# hpack logs HTTP/2 header blocks at DEBUG, Authorization included (Huffman-coded, not hidden):
# keep it quiet even when an application turns on DEBUG for everything.
_hpack_log = logging.getLogger("hpack")
if _hpack_log.level < logging.WARNING:
    _hpack_log.setLevel(logging.WARNING)

DEFAULT_BASE_URL = "https://api.deepseek.com"
# A server that ignores max_tokens must not stream forever: cut at this many characters per
# requested token (code averages 3-4; long whitespace runs can reach ~16).
OVERRUN_CHARS_PER_TOKEN = 24
# After [DONE], wait this long for the end of the HTTP body so the connection can be reused.
DRAIN_GRACE_S = 0.05
# The wall clock ran this much further than the monotonic one since the last request: the
# machine slept (see ModelClient.forget_connections_if_slept).
SLEPT_S = 10.0
#: How often a review held back by the daily budget looks again: the requests under way of
#: the other processes sharing the budget (an editor window's, the review CLI's) end unannounced.
BUDGET_RECHECK_S = 1.0
#: How long a model server on this machine may take to load the completion model: Ollama (and
#: LM Studio) load a model at the first request naming it, and again after it was unloaded
#: when idle (Ollama's keep_alive: 5 minutes); a 7B model from disk takes seconds, a 30B one a
#: minute or more. Ollama gives up a load whose request hangs up, so a completion's own
#: deadline (5 s) could never see a slow load through: see ModelClient.load.
MODEL_LOAD_S = 180.0


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.port


def _is_loopback(host: str) -> bool:
    host = host.lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    # 0.0.0.0 / [::], the address servers print for themselves (vLLM, LiteLLM's quick start):
    # a client connecting to it reaches this machine, or nothing at all (Windows).
    return ip.is_loopback or ip.is_unspecified


@dataclass(frozen=True, repr=False)
class EndpointConfig:
    """Where and how to reach a model server. Invalid settings raise :class:`ConfigError`.

    ``fim_base_url`` defaults to ``{base_url}/beta`` for DeepSeek (the ``deepseek`` backend, or the
    ``chat`` backend on a DeepSeek host) and to ``base_url`` otherwise. ``chat_prefix`` (for the
    ``chat`` backend) defaults to on where completions go to a DeepSeek host. Plain ``http://`` is refused for anything
    but loopback unless ``allow_http``: the API key would travel in clear text.
    """

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    fim_base_url: str | None = None
    backend: str = "deepseek"
    fim_template: str | None = None
    allow_http: bool = False
    connect_timeout: float = 5.0
    verify: bool | str = True
    chat_prefix: bool | None = None
    max_connections: int = 16
    # Long: completions come in bursts with pauses; a reconnect costs a TLS handshake (~100 ms+).
    keepalive_expiry: float = 90.0

    def __post_init__(self) -> None:
        try:
            get_backend(self.backend)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        # Named as the user writes them: "(base_url)" is found in no settings table.
        for what, url in (("baseUrl", self.base_url), ("fimBaseUrl", self.fim_base_url)):
            if url is not None:
                self._check_url(what, url)
        if self.backend == "fim-template" and resolve_fim_template(self.fim_template) is None:
            raise ConfigError(
                f"backend 'fim-template' needs fim_template: one of deepseek-coder, "
                f"qwen2.5-coder, starcoder2, codellama, or a string with {{prefix}} and "
                f"{{suffix}} (got {self.fim_template!r})"
            )
        if not self.connect_timeout > 0:
            raise ConfigError(f"connect_timeout must be positive, got {self.connect_timeout!r}")
        if self.api_key and not API_KEY_CHARS.fullmatch(self.api_key):
            # h11 would refuse the header with the key in its message; httpx would raise
            # UnicodeEncodeError building the client. Never echoed.
            raise ConfigError(
                "the API key contains spaces, line breaks or characters outside ASCII, which an "
                "HTTP header cannot carry"
            )

    def _check_url(self, what: str, url: str) -> None:
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # noqa: B018 - raises for ":80x" or ":99999", which httpx refused at each request
        except ValueError:
            host, parts = None, None
        if parts is None or parts.scheme not in ("http", "https") or not host:
            raise ConfigError(f"{what} must be an http(s) URL with a host, got {safe_url(url)!r}")
        if parts.scheme == "http" and not self.allow_http and not _is_loopback(host):
            raise ConfigError(
                f"Refusing plain http:// to {host} ({what}): the API key and your code would "
                "travel unencrypted. Use https://, or set allowHttp to true for a trusted network "
                "(DEEPSEEK_ALLOW_HTTP=true in the environment, or \"allowHttp\": true in the "
                "editor's settings or a --settings file)."
            )

    def __repr__(self) -> str:
        key = None if self.api_key is None else "'***'"
        return (
            f"EndpointConfig(base_url={safe_url(self.base_url)!r}, api_key={key}, "
            f"fim_base_url={safe_url(self.fim_base_url)!r}, backend={self.backend!r}, "
            f"fim_template={self.fim_template!r}, allow_http={self.allow_http!r})"
        )

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def is_deepseek(self) -> bool:
        return is_deepseek_host(self.base_url)

    @property
    def fim_base(self) -> str:
        if self.fim_base_url:
            return self.fim_base_url.rstrip("/")
        if self.backend == "deepseek" or (self.backend == "chat" and self.use_chat_prefix):
            return beta_base(self.base)
        return self.base

    @property
    def fim_is_deepseek(self) -> bool:
        """Whether completions go to DeepSeek itself (``fimBaseUrl``'s host, else ``baseUrl``'s)."""
        return is_deepseek_host(self.fim_base_url or self.base_url)

    @property
    def use_chat_prefix(self) -> bool:
        # The completion server's: with reviews at DeepSeek and completions on a server of
        # one's own (fimBaseUrl), DeepSeek's prefix completion went to that server, which
        # took the code as a finished assistant turn (or refused the unknown field).
        return self.fim_is_deepseek if self.chat_prefix is None else self.chat_prefix


# -- deadline helper ----------------------------------------------------------------------------

async def _until(deadline: float, aw: Awaitable[T]) -> T:
    try:
        return await within(aw, max(0.0, deadline - asyncio.get_running_loop().time()))
    except asyncio.TimeoutError:
        raise DeadlineExceeded("deadline exceeded") from None


def is_deepseek_host(url: str) -> bool:
    """Whether ``url`` points at DeepSeek itself (deepseek.com or a host under it)."""
    try:
        host = urlsplit(url).hostname or ""  # lower-cased by urlsplit
    except ValueError:
        return False
    return host == "deepseek.com" or host.endswith(".deepseek.com")


_ESTIMATE = EstimateCounter()

#: What LiteLLM's proxy charged the key for the request (USD, its discounts and margins in):
#: sent when the cost is known as the answer starts (a whole answer; a stream's cost comes in
#: ``usage.cost`` instead, with the proxy's ``include_cost_in_streaming_usage``).
COST_HEADER = "x-litellm-response-cost"


# After what may come before the markup: a byte-order mark, an XML declaration (XHTML pages of
# IIS, Jetty, Squid), comments.
_HTML = re.compile(
    r"\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b",
    re.I | re.S,
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_CODE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)  # not text, when there is no title
_TAG = re.compile(r"<[^>]*>")


def provider_message(content: bytes, api_key: str | None) -> str | None:
    """The human part of an error body: DeepSeek/OpenAI ``{"error": {"message"}}``, Ollama
    ``{"error": "..."}``, or plain text; scrubbed of the key in case a server echoes it."""
    text = content.decode("utf-8", errors="replace").strip()
    if _HTML.match(text):
        # A reverse proxy's error page (nginx, Cloudflare): its title says it, the markup is noise.
        title = _TITLE.search(text)
        text = title.group(1) if title else _TAG.sub(" ", _CODE.sub(" ", text))
        text = " ".join(html.unescape(text).split())
    message: Any = text
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        err = obj.get("error", obj)
        if isinstance(err, dict):
            message = err.get("message") or err.get("detail") or err.get("type") or text
        else:
            message = err
    message = str(message).strip()
    if api_key:
        # Before the cut: a key the cut goes through was left there, all but its last characters.
        message = message.replace(api_key, "***")
    message = message[:300]
    return message or None


def _status_message(response: httpx.Response, content: bytes, api_key: str | None) -> str | None:
    """What an error status says: where a redirect points (its page says nothing more), else
    the body's message."""
    if response.is_redirect:
        return safe_url(response.headers.get("location"))
    return provider_message(content, api_key)


class ModelStream:
    """One streamed request. Use as ``async with``; iterate for text deltas; read ``result``.

    Single use. Iterating outside ``async with`` is refused because nothing would then close the
    response promptly.
    """

    def __init__(
        self,
        client: ModelClient,
        call: HttpCall,
        *,
        model: str,
        feature: str,
        max_tokens: int,
        deadline: float,
        prompt_tokens: Callable[[Counter], int],
        on_sent: Callable[[], None] | None = None,
        waits: bool = False,
        ledger: bool = True,
    ) -> None:
        self._client = client
        self._ledger = ledger  # recorded in the client's ledger (a model's load is not)
        self._waits = waits  # it can wait for room in the daily budget (see Ledger.reserve)
        self._on_sent = on_sent
        self._call = call
        self._model = model
        self._feature = feature
        self._deadline = deadline
        self._prompt_tokens = prompt_tokens
        self._max_tokens = max_tokens
        self._max_chars = max(2048, max_tokens * OVERRUN_CHARS_PER_TOKEN)
        self._release: Callable[[], None] | None = None  # see Ledger.reserve
        self._acc = ChunkAccumulator(call.dialect)
        self._decoder = SSEDecoder()
        self._response: httpx.Response | None = None
        self._raw: Any = None
        self._whole = not call.stream  # the answer is one JSON body, not an SSE stream
        self._sniffed = False  # the body's first bytes were looked at (see __anext__)
        self._entered = False
        self._eof = False
        self._finished = False  # the answer completed normally
        self._billable = False  # the provider may bill even without a usage report
        self._told_cost: float | None = None  # the answer's COST_HEADER
        self._via_litellm = False  # the answer came through LiteLLM's proxy, which bills it
        self._left = False  # the whole request was written: the provider has it
        self._recorded = False
        self._counted = False
        self._overrun = False
        self._chars = 0
        self._t0 = 0.0
        self._ttft: float | None = None
        self._total = 0.0

    # -- public -------------------------------------------------------------------------------

    @property
    def result(self) -> StreamResult:
        acc = self._acc
        total = self._total or (self._now() - self._t0 if self._t0 else 0.0)
        return StreamResult(
            text=acc.text,
            finish_reason=acc.finish_reason,
            usage=self._with_told_cost(acc.usage),
            ttft_s=self._ttft,
            total_s=total,
            from_chat=self._call.from_chat,
            reasoning=acc.reasoning,
            overrun=self._overrun,
        )

    @property
    def call(self) -> HttpCall:
        """The request as built by the backend profile (URL, JSON body, dialect)."""
        return self._call

    def _sent(self) -> None:
        # The provider has the whole request from here on, and may bill it however it ends. A
        # deadline or a cancel while connecting, in the TLS handshake or waiting for the pool
        # costs nothing (they were recorded as charges).
        self._billable = self._left = True
        # Once, though the body may go out twice (see _send and _Body).
        on_sent, self._on_sent = self._on_sent, None
        if on_sent is not None:
            on_sent()

    @property
    def keepalive_comments(self) -> int:
        return self._decoder.comments

    async def __aenter__(self) -> ModelStream:
        if self._entered:
            raise RuntimeError("a ModelStream can only be used once")
        self._entered = True
        client = self._client
        client.check_budget(self._model)
        self._t0 = self._now()
        client.forget_connections_if_slept()
        client.last_active = self._t0
        # Nothing awaited since the budget check: the next request's check counts this one.
        self._reserve()
        client.in_use(+1)
        self._counted = True
        error: ModelError | None = None
        try:
            response = await self._send()
            if response.status_code >= 300:
                error = await self._status_error(response)
                if _refuses_stream_options(error, self._call):
                    # Pydantic-strict OpenAI-compatible servers refuse the field (400/422): the
                    # request goes again without it, and the client leaves it out from now on
                    # (usage is then estimated, as for any server that reports none).
                    client.stream_options_refused = True
                    log.info("the endpoint refuses stream_options; usage will be estimated")
                    self._call = _without_stream_options(self._call)
                    response = await self._send()
                    error = None
                    if response.status_code >= 300:
                        error = await self._status_error(response)
        except asyncio.CancelledError:
            self._end("cancelled")
            raise
        except BaseException:
            self._give_back()
            raise
        if error is not None:
            self._end("error")
            raise error
        # We asked for no compression; the bytes as they come then spare httpx's decoder layer
        # on every chunk. A server that compresses anyway goes through the decoder.
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self._told_cost = header_cost(response.headers.get(COST_HEADER))
        self._via_litellm = from_litellm(response.headers)
        self._raw = response.aiter_raw() if encoding in ("identity", "") else response.aiter_bytes()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._close()
        finally:  # recorded even when a cancel lands while closing
            if self._finished:
                outcome = "ok"
            elif isinstance(exc, ModelError):
                outcome = "error"
            else:  # cancelled, a consumer-side exception, or the consumer stopped reading early
                outcome = "cancelled"
            self._end(outcome)

    def __aiter__(self) -> ModelStream:
        if not self._entered:
            raise RuntimeError("use `async with client.stream_...(...) as stream:` to iterate")
        return self

    async def __anext__(self) -> str:
        if self._response is None:
            raise StopAsyncIteration
        while True:
            if self._eof or self._acc.done:
                await self._complete()
                raise StopAsyncIteration
            try:
                chunk = await _until(self._deadline, self._raw.__anext__())
            except StopAsyncIteration:
                self._eof = True
                delta = self._consume(self._decoder.flush())
            except (httpx.HTTPError, DeadlineExceeded) as exc:
                self._reraise(exc)
            else:
                if not self._sniffed:
                    head = chunk.lstrip()
                    if head:
                        self._sniffed = True
                        # A server or proxy that does not stream answers one JSON body (or an
                        # error object) though a stream was asked for: no ``data:`` line in it
                        # for the SSE decoder. An SSE stream never starts with "{".
                        self._whole = self._whole or head.startswith(b"{")
                if self._whole:
                    delta = await self._read_whole(chunk)
                else:
                    delta = self._consume(self._decoder.feed(chunk))
            if delta:
                if self._ttft is None:
                    self._ttft = self._now() - self._t0
                self._chars += len(delta)
                if self._chars > self._max_chars:
                    # The server ignores max_tokens: keep what we asked for, hang up on the rest.
                    self._overrun = True
                    self._acc.finish_reason = "length"
                    self._eof = True
                    self._finished = True
                return delta

    # -- internals ------------------------------------------------------------------------------

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def _consume(self, events: list[str]) -> str:
        if not events:
            return ""
        feed = self._acc.feed
        try:
            if len(events) == 1:
                return feed(events[0])
            return "".join([feed(data) for data in events])
        except ModelError as exc:
            raise self._located(exc) from None

    def _located(self, exc: ModelError) -> ModelError:
        """An error the answer itself carried, with the request it answers: its message names
        the server that sent it ("The model server at ..."), not DeepSeek."""
        if exc.url is None:
            exc.method, exc.url = self._call.method, safe_url(self._call.url)
        key = self._client.config.api_key
        if key:  # shown to the user: scrubbed like an error status's body
            exc.message = exc.message.replace(key, "***")
            if exc.provider_message:
                exc.provider_message = exc.provider_message.replace(key, "***")
            exc.args = (exc.message,)
        return exc

    async def _read_whole(self, first: bytes) -> str:
        # Non-streaming answers may be preceded by blank keep-alive lines; json.loads skips them.
        parts = [first]
        while True:
            try:
                parts.append(await _until(self._deadline, self._raw.__anext__()))
            except StopAsyncIteration:
                break
            except (httpx.HTTPError, DeadlineExceeded) as exc:
                self._reraise(exc)
        self._eof = True
        body = b"".join(parts).decode("utf-8", errors="replace")
        try:
            delta = self._acc.feed(body)
        except ModelError as exc:
            raise self._located(exc) from None
        self._acc.done = True
        return delta

    async def _complete(self) -> None:
        if self._finished:
            return
        acc = self._acc
        if not acc.done and acc.finish_reason is None:
            raise MalformedResponse(
                "the stream ended before the answer was complete",
                kind="truncated",
                partial=self.result,
                **self._where(),
            )
        if acc.finish_reason in _GAVE_UP:
            self._eof = True
            raise MalformedResponse(
                _GAVE_UP[acc.finish_reason],
                kind=acc.finish_reason,
                partial=self.result,
                **self._where(),
            )
        self._finished = True
        if not self._eof:
            await self._drain()

    async def _drain(self) -> None:
        # Reading the body to its end lets an HTTP/1.1 connection go back to the pool; a tail
        # that does not come within the grace period only costs that connection.
        grace = min(self._deadline, self._now() + DRAIN_GRACE_S)
        try:
            await _until(grace, self._read_rest())
        except (ModelError, httpx.HTTPError):
            pass
        self._eof = True

    async def _read_rest(self) -> None:
        async for _ in self._raw:
            pass

    async def _send(self) -> httpx.Response:
        """Send the call; the response, its status unchecked, with its body still to read."""
        client = self._client
        call = self._call
        headers = {"Accept": "text/event-stream"} if call.stream else {}
        # Compression would make a proxy or server buffer deltas; a token stream is tiny anyway.
        headers["Accept-Encoding"] = "identity"
        headers["Content-Type"] = "application/json"
        # Encoded here, ASCII-only: httpx's own encoding (``json=``, non-ASCII kept) built the
        # request in 170 us instead of 66 for a 16 kB prompt, on every completion's wait.
        body = json.dumps(call.body, allow_nan=False).encode("ascii")
        headers["Content-Length"] = str(len(body))  # else httpx would send the stream chunked
        content = _Body(body, self._sent)
        request = client.http.build_request(call.method, call.url, content=content, headers=headers)
        # Slots that cancelled requests leaked in httpcore's pool (see pool_reclaim) go back first.
        pool_reclaim.reclaim(client.http)
        sent_at = time.monotonic()
        try:
            try:
                response = await _until(self._deadline, client.http.send(request, stream=True))
            except _LOST_BEFORE_ANSWER as exc:
                # The pooled connection was dead and nothing said so before the request went
                # out on it: the server closed it while idle (an idle timeout racing the
                # request, "Server disconnected without sending a response"; over HTTP/2 its
                # GOAWAY and close are not looked at before reuse), or it reset it (a laptop
                # woken up). The server took nothing: once more, at once, on a new connection,
                # rather than a lost suggestion and an error in the status bar.
                log.debug("%s; sending the request again", _describe(exc, client.config.api_key))
                self._billable = self._left = False
                pool_reclaim.reclaim(client.http)
                response = await _until(self._deadline, client.http.send(request, stream=True))
        except BaseException as exc:
            # A cancel while the pool was setting up a connection orphans it: reclaim it now,
            # not only before the next request.
            pool_reclaim.reclaim(client.http)
            if isinstance(exc, DeadlineExceeded):
                # Not a byte from the server in all that time: the connection is presumed dead
                # (see pool_reclaim.drop_silent), not kept for the next requests to wait on.
                pool_reclaim.drop_silent(client.http, sent_at)
            error = self._translate(exc, started=False)
            if isinstance(error, ConnectError):
                self._billable = False
            self._end("cancelled" if isinstance(exc, asyncio.CancelledError) else "error")
            if error is exc:
                raise
            raise error from exc
        self._response = response
        if response.status_code >= 300:
            self._billable = False
        return response

    async def _status_error(self, response: httpx.Response) -> ModelError:
        """The error for an error status, its body read and the response closed."""
        client = self._client
        try:
            content = await _until(self._deadline, response.aread())
        except (ModelError, httpx.HTTPError):
            content = b""
        finally:
            await _close_shielded(None, response)
        self._response = None
        return error_for_status(
            response.status_code,
            method=self._call.method,
            url=self._call.url,
            provider_message=_status_message(response, content, client.config.api_key),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )

    def _where(self) -> dict[str, Any]:
        return {"method": self._call.method, "url": self._call.url}

    def _reraise(self, exc: BaseException) -> NoReturn:
        error = self._translate(exc, started=True)
        if error is exc:
            raise exc
        raise error from exc

    def _translate(self, exc: BaseException, *, started: bool) -> BaseException:
        where = self._where()
        key = self._client.config.api_key
        if isinstance(exc, DeadlineExceeded):
            exc.method, exc.url = self._call.method, safe_url(self._call.url)
            return exc
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError)):
            return ConnectError(_describe(exc, key), **where)
        if isinstance(exc, httpx.PoolTimeout):
            return ConnectError("no free connection in the pool", **where)
        if isinstance(exc, httpx.UnsupportedProtocol):
            return ConfigError(f"unsupported URL: {_describe(exc, key)}", **where)
        if isinstance(exc, httpx.TransportError):
            if started:
                return MalformedResponse(
                    f"connection lost mid-answer ({_describe(exc, key)})",
                    kind="truncated",
                    partial=self.result,
                    **where,
                )
            return ConnectError(f"connection lost ({_describe(exc, key)})", **where)
        return exc

    async def _close(self) -> None:
        raw, self._raw = self._raw, None
        response, self._response = self._response, None
        if raw is not None or response is not None:
            await _close_shielded(raw, response)

    def _reserve(self) -> None:
        ledger = self._client.ledger if self._ledger else None
        if ledger is None or not ledger.daily_budget:
            return
        try:
            # The estimate, not the tokenizer: this is on every request's way out.
            prompt = self._prompt_tokens(_ESTIMATE)
        except Exception as exc:  # counting must never break a request
            log.debug("token count failed: %s", exc)
            prompt = 0
        self._release = ledger.reserve(
            self._model, prompt, self._max_tokens, within_s=self._deadline - self._now(), waits=self._waits
        )

    def _with_told_cost(self, usage: Usage | None) -> Usage | None:
        """``usage`` at the cost the proxy's header told, which is what the key was charged
        (a body's ``usage.cost`` may be the upstream provider's, before the proxy's margin);
        of unknown cost when LiteLLM told none (a stream: its header goes before the cost is
        known), which was recorded at $0 as if the request were free."""
        if usage is None:
            return usage
        if self._told_cost is not None:
            return replace(usage, cost_usd=self._told_cost)
        if usage.cost_usd is None and self._via_litellm:
            return replace(usage, cost_unknown=True)
        return usage

    def _give_back(self) -> None:
        """The client has one request less under way (see ModelClient.close_when_unused)."""
        if self._counted:
            self._counted = False
            self._client.in_use(-1)

    def _end(self, outcome: str) -> None:
        self._give_back()
        if self._recorded:
            return
        self._recorded = True
        if self._release is not None:  # recorded below: counted by its usage from now on
            self._release()
            self._release = None
        now = self._now()
        self._total = now - self._t0 if self._t0 else 0.0
        self._client.last_active = now
        log.debug(
            "%s %s %s: %s, ttft=%s total=%.3fs",
            self._feature,
            self._call.method,
            safe_url(self._call.url),
            outcome,
            f"{self._ttft:.3f}s" if self._ttft is not None else "-",
            self._total,
        )
        ledger = self._client.ledger if self._ledger else None
        if ledger is None or (outcome == "cancelled" and not self._left):
            return
        usage = self._acc.usage
        estimated = False
        if usage is None or self._overrun:
            usage = Usage()
            if self._billable:
                # No usage report (cancelled, cut, or overrun), but the provider bills the prompt
                # it received and whatever it generated: count both ourselves, all as misses.
                try:
                    counter = self._client.counter_nowait()
                    prompt = self._prompt_tokens(counter)
                    # Thinking is billed as output too, and a review cut mid-thought has
                    # little else.
                    completion = counter.count(self._acc.text) + counter.count(self._acc.reasoning)
                except Exception as exc:  # counting must never break a request
                    log.debug("token count failed: %s", exc)
                    prompt = completion = 0
                usage = Usage(prompt, completion, 0, prompt)
                estimated = True
        usage = self._with_told_cost(usage)
        try:
            ledger.record(
                feature=self._feature,
                model=self._model,
                usage=usage,
                ttft_s=self._ttft,
                total_s=self._total,
                outcome=outcome,
                estimated=estimated,
            )
        except Exception:
            log.exception("could not record usage")


def _refuses_stream_options(error: ModelError, call: HttpCall) -> bool:
    said = f"{error.provider_message or ''} {error.message}"
    return (
        isinstance(error, RequestError)
        and "stream_options" in call.body
        and "stream_options" in said
    )


def _without_stream_options(call: HttpCall) -> HttpCall:
    body = {k: v for k, v in call.body.items() if k != "stream_options"}
    return replace(call, body=body)


#: Finish reasons that end an answer half-way, the server's failure, not the answer's end:
#: DeepSeek out of capacity; vLLM ("abort": the engine dropped the request, e.g. while
#: shutting down; "error": failed mid-generation) and SGLang (an abort without an error status)
#: send the text so far with these, which read as a whole answer (a suggestion cut mid-word).
_GAVE_UP = {
    "insufficient_system_resource": "the provider ran out of capacity mid-answer "
    "(insufficient_system_resource)",
    "abort": "the server aborted the answer half-way (finish_reason abort)",
    "error": "the server failed mid-answer (finish_reason error)",
}

#: Transport errors before any answer, on a connection that was made: it was dead already.
_LOST_BEFORE_ANSWER = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class _Body:
    """``body``, then a call to ``on_sent``: httpcore asks for more of a request body only once
    it has written what it had, so the call comes when the request is on its way.

    Iterable any number of times, unlike a generator, which httpx refuses to iterate twice
    (StreamConsumed): httpcore sends a request again on another connection when the server's
    GOAWAY says it did not take it, and so does :meth:`ModelStream._send`."""

    __slots__ = ("_body", "_on_sent")

    def __init__(self, body: bytes, on_sent: Callable[[], None]) -> None:
        self._body = body
        self._on_sent = on_sent

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body
        try:
            self._on_sent()
        except Exception:  # the caller's business; the request must go on
            log.exception("on_sent failed")


_closing: set[asyncio.Task[None]] = set()


async def _close_shielded(raw: Any, response: httpx.Response | None) -> None:
    """Close a response to the end, even if the caller is cancelled meanwhile.

    Closing is what tells the server to stop, and what gives the connection back to the pool.
    httpcore shields that work with an anyio scope, which a native ``task.cancel()`` goes
    through: a cancel landing while it hands the connection back (it awaits a lock) left the
    request listed in the pool and its connection ACTIVE for good, and after 16 of them every
    request failed with PoolTimeout (found by tests/bench/soak.py; tests/test_reliability_leaks.py).
    So the close runs in a task of its own that the caller's cancel does not reach (the caller
    still sees its CancelledError at once), and ends with ``pool_reclaim.release``.
    """

    async def close() -> None:
        try:
            if raw is not None:
                with contextlib.suppress(Exception):
                    await raw.aclose()
        finally:
            if response is not None:
                try:
                    await response.aclose()
                finally:
                    # A cancel may have cut httpx's own close short earlier (the end of a body
                    # closes the response inside the reading task): finish it.
                    await pool_reclaim.release(response)

    task = asyncio.ensure_future(close())
    _closing.add(task)
    task.add_done_callback(_closing.discard)
    await asyncio.shield(task)


def _describe(exc: BaseException, api_key: str | None = None) -> str:
    """The exception's text for a user, the key scrubbed: some transport errors quote the
    request's headers."""
    text = str(exc).strip()
    if api_key:
        text = text.replace(api_key, "***")
    return text or type(exc).__name__


def direct_mounts(*urls: str | None) -> dict[str, None]:
    """httpx mounts that reach a server on this machine directly, never through a proxy,
    whatever ``NO_PROXY`` says (as Go's and most tools' clients do): httpx sent
    ``http://localhost:11434`` to the company proxy of ``HTTP_PROXY``, which cannot reach the
    user's own machine, unless ``NO_PROXY`` named that exact host (``127.0.0.0/8``, the usual way
    to write it, is not understood by httpx)."""
    direct: dict[str, None] = {}
    for url in urls:
        host = urlsplit(url).hostname if url else None
        if host and _is_loopback(host):
            direct[f"all://[{host}]" if ":" in host else f"all://{host}"] = None
    return direct


@contextlib.contextmanager
def proxy_errors() -> Iterator[None]:
    """Creating an httpx client with a proxy the environment names (``ALL_PROXY``,
    ``HTTPS_PROXY``) that httpx cannot use raises :class:`ConfigError`: httpx raises ImportError
    for a SOCKS proxy without the optional socksio package (Clash and the like set
    ``ALL_PROXY=socks5://...``), and ValueError or InvalidURL for an unknown scheme or a bad port;
    the language server died at startup on them, before it could tell the user anything."""
    try:
        yield
    except ImportError:
        raise ConfigError(
            "the environment names a SOCKS proxy (ALL_PROXY, HTTPS_PROXY or HTTP_PROXY), which "
            "needs the socksio package: install 'httpx[socks]' where deepseek-lsp runs, or unset "
            "the variable for the editor"
        ) from None
    except (ValueError, httpx.InvalidURL):
        # Not the URL itself: a proxy URL may carry user:password.
        raise ConfigError(
            "the proxy the environment names (ALL_PROXY, HTTPS_PROXY or HTTP_PROXY) is not a "
            "usable http://, https:// or socks5:// URL with a valid port; fix or unset it"
        ) from None


def _http_client(
    config: EndpointConfig, headers: dict[str, str], transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    """The pooled HTTP client: HTTP/2, loopback servers reached directly (:func:`direct_mounts`),
    an unusable proxy a :class:`ConfigError` (:func:`proxy_errors`)."""
    direct = direct_mounts(config.base_url, config.fim_base_url)
    verify = tls.context(config.verify)
    with proxy_errors():
        return httpx.AsyncClient(
            mounts=direct or None,
            http2=True,
            verify=verify,
            headers=headers,
            # The per-request deadline is the real bound; these only cover the connection phase.
            timeout=httpx.Timeout(
                connect=config.connect_timeout,
                read=None,
                write=30.0,
                pool=config.connect_timeout,
            ),
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
                keepalive_expiry=config.keepalive_expiry,
            ),
            follow_redirects=False,
            transport=transport,
        )


class ModelClient:
    """A pooled client for one endpoint. Create once, ``await warm()``, ``await aclose()``."""

    def __init__(
        self,
        config: EndpointConfig,
        ledger: Any = None,
        counter: Counter | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.backend: Backend = get_backend(config.backend)
        self.ledger = ledger
        self._counter = counter
        # Cancelled completions must reach the server as RST_STREAM; see h2_reset.
        h2_reset.install()
        headers = {"User-Agent": f"deepseek-lsp/{__version__}"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self.http = _http_client(config, headers, transport)
        aio_network.install(self.http)  # a transport built by httpx, default or given: see there
        #: Loop time of the last request's start or end (a warm-up's included): see idle_for.
        self.last_active = -math.inf
        #: The endpoint refused ``response_format`` once: JSON is asked for in the prompt only.
        self._no_json_mode = False
        #: The endpoint refused ``stream_options`` once: it is left out (usage is estimated).
        self.stream_options_refused = False
        self._in_use = 0
        self._unused = asyncio.Event()
        self._unused.set()
        #: Loop time until which a load of the completion model may still be under way (see
        #: :meth:`load`); -inf when none is.
        self.load_until = -math.inf
        #: Whether the completion server's model list, at the last warm-up, was that of a
        #: server that loads models itself, not of a proxy (see :mod:`.model_server`); None:
        #: not asked yet (the warm-up asks ``baseUrl``'s server, not ``fimBaseUrl``'s).
        self.loads_models: bool | None = None

    def __repr__(self) -> str:
        return f"ModelClient({self.config!r})"

    @property
    def loads_locally(self) -> bool:
        """The completion server is a self-hosted one on this machine (Ollama, LM Studio, a
        llama.cpp router), which may load the model at the first request: :meth:`load` may be
        asked of it (the caller checks that the model costs nothing: a proxy on this machine
        may forward to a paid one)."""
        host = urlsplit(self.config.fim_base).hostname or ""
        return self.backend.name != "deepseek" and not self.config.fim_is_deepseek and _is_loopback(host)

    def load(
        self, model: str, timeout: float = MODEL_LOAD_S, *, after: Awaitable[bool] | None = None
    ) -> asyncio.Task[bool]:
        """Have the completion server load ``model`` now, with a request of its own (an empty
        prompt or no messages, one token at most; Ollama answers either with the load alone) that
        may take ``timeout`` seconds: a completion's request, cancelled at its deadline or at
        the next keystroke, made Ollama give up the load it had started (its log: "client
        connection closed before server finished loading, aborting load"), and a model that
        takes longer than a completion's deadline to load never answered one. Completions
        sent meanwhile wait for the load too (:attr:`load_until`). Never raises; returns
        whether the server answered.

        :attr:`load_until` is set before this returns: a completion asked right after (the
        keystroke that ended a pause) waits for the load.

        ``after``: the warm-up under way, which tells whether the server loads models itself
        (:attr:`loads_models`): a proxy on this machine (LiteLLM) in front of a paid model got
        a billed request of ours at start and after every pause. Nothing is sent to any other."""
        until = asyncio.get_running_loop().time() + timeout
        self.load_until = max(self.load_until, until)
        return asyncio.ensure_future(self._load(model, until, after))

    async def _load(self, model: str, until: float, after: Awaitable[bool] | None = None) -> bool:
        if after is not None:
            try:
                # Not cancelled with the load: the warm-up is the connection's too.
                await asyncio.shield(after)
            except asyncio.CancelledError:
                self._load_over(until)
                raise
            except Exception:  # warm() never raises; the load is not sent without its answer
                self._load_over(until)
                return False
        if self.loads_models is None:  # completions go elsewhere than baseUrl: ask that server
            self.loads_models = await self._lists_as_loader(min(until, asyncio.get_running_loop().time() + 5.0))
        if not self.loads_models:
            log.debug("no load of %s: %s does not load models itself", model, safe_url(self.config.fim_base))
            self._load_over(until)
            return False
        req = FimRequest(prompt="", max_tokens=1, model=model, feature="load")
        call = self._call_for(self.backend.fim(self.config, req))
        if call.from_chat:
            # No messages: Ollama's chat answers that with the load alone (a server that
            # loads nothing refuses it, which costs nothing either).
            call = replace(call, body={**call.body, "messages": []})
        stream = ModelStream(
            self, call, model=model, feature="load", max_tokens=1, deadline=until, prompt_tokens=lambda _: 0, ledger=False
        )
        try:
            async with stream:
                async for _ in stream:
                    pass
            return True
        except (ConnectError, DeadlineExceeded) as exc:
            log.info("loading %s on %s failed: %s", model, safe_url(self.config.fim_base), exc)
            return False
        except ModelError:  # answered: what it said, the completions will be told themselves
            return True
        except Exception as exc:  # the client closed under it (settings changed, exit)
            log.debug("loading %s: %r", model, exc)
            return False
        finally:
            self._load_over(until)

    def _load_over(self, until: float) -> None:
        """The load that would last until ``until`` has ended: completions no longer wait for it."""
        if self.load_until == until:
            self.load_until = -math.inf

    @property
    def counter(self) -> Counter:
        """DeepSeek's tokenizer for DeepSeek endpoints, an estimate for other servers."""
        if self._counter is None:
            exact = self.backend.deepseek_tokenizer or self.config.is_deepseek
            self._counter = default_counter() if exact else EstimateCounter()
        return self._counter

    def counter_nowait(self) -> Counter:
        """:attr:`counter` if it is ready, else an estimate. For the event loop: loading the
        tokenizer holds the GIL for ~0.4 s (a thread would not help), so it happens in
        :meth:`warm` at startup, never in the middle of a request."""
        if self._counter is not None:
            return self._counter
        if not (self.backend.deepseek_tokenizer or self.config.is_deepseek):
            return self.counter
        ready = loaded_counter()
        if ready is not None:
            self._counter = ready
            return ready
        # One estimate, not a new one per call: counts are cached per counter.
        return _ESTIMATE

    @property
    def last_active(self) -> float:
        return self._last_active

    @last_active.setter
    def last_active(self, when: float) -> None:
        self._last_active = when
        # The same moment on the wall clock, which goes on while the machine sleeps.
        self._last_active_wall = time.time() - (time.monotonic() - when)

    def idle_for(self) -> float:
        """Seconds since a request last started or ended (infinite before the first).

        A sleep of the machine counts: the event loop's clock (CLOCK_MONOTONIC on Linux,
        mach_absolute_time on macOS) stands still meanwhile, and a laptop woken after a night
        was "idle for 2 s", its dead connection kept for the first completion."""
        idle = asyncio.get_running_loop().time() - self._last_active
        return max(idle, time.time() - self._last_active_wall)

    def forget_connections_if_slept(self) -> bool:
        """Close the pool's idle connections if the machine slept since the last request; returns
        whether it did. Call before a request (or a warm-up) updates :attr:`last_active`.

        A laptop that slept may wake in another network, or behind a NAT that forgot it: its
        connections are then dead, and nothing says so until TCP gives up (~15 minutes). The
        first completion waited on one until its deadline (over HTTP/2 the next ones did too)."""
        wall = time.time() - self._last_active_wall
        slept = wall - (time.monotonic() - self._last_active)
        if not slept >= SLEPT_S:  # NaN before the first request
            return False
        closed = pool_reclaim.drop_idle(self.http)
        log.info("the machine slept for %.0f s: %s closed", slept, counted(closed, "idle connection"))
        return True

    @property
    def stale_after(self) -> float:
        """Idle seconds after which the connection may be gone: servers close idle connections
        on their own schedule (often a minute or so), and the pool drops its own at
        ``keepalive_expiry``."""
        return self.config.keepalive_expiry / 3

    def check_budget(self, model: str | None = None) -> None:
        if self.ledger is not None:
            self.ledger.check_budget(model)

    async def __aenter__(self) -> ModelClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    def in_use(self, delta: int) -> None:
        self._in_use += delta
        if self._in_use:
            self._unused.clear()
        else:
            self._unused.set()

    async def close_when_unused(self) -> None:
        """Close the client once the requests and warm-up under way on it have ended: a client
        replaced by a settings change kept its connections open until the server exited (one
        more for every endpoint or key edited), while a review it was streaming must finish."""
        while self._in_use:
            await self._unused.wait()
            await asyncio.sleep(0)  # a request started in the same tick as the last one ended
        await self.aclose()

    async def warm(self, timeout: float = 5.0, *, tokenizer: bool = True) -> bool:
        """Open a connection (TCP, TLS, HTTP/2) ahead of the first completion (a ``GET``, no
        tokens), then, unless ``tokenizer`` is false, load the tokenizer (~0.4 s during which the
        loop is blocked: the Rust loader holds the GIL, so a thread would not help; better at
        startup than at the first cancel). Never raises; returns whether the server answered."""
        loop = asyncio.get_running_loop()
        url = self.backend.warm_url(self.config)
        ok = False
        self.forget_connections_if_slept()
        self.last_active = loop.time()
        self.in_use(+1)
        try:
            response = await _until(loop.time() + timeout, self.http.get(url))
            ok = True
            if _origin(url) == _origin(self.config.fim_base):
                self.loads_models = self._answers_as_loader(url, response)
            if response.status_code == 401:
                log.warning("%s rejected the API key during warm-up", safe_url(url))
        except (ModelError, httpx.HTTPError) as exc:
            log.info("warm-up request to %s failed: %s", safe_url(url), _describe(exc, self.config.api_key))
        finally:
            self.in_use(-1)
        self.last_active = loop.time()
        if tokenizer:
            try:
                self.counter  # noqa: B018 - loads it
            except Exception as exc:
                log.info("tokenizer preload failed: %s", exc)
        return ok

    async def _lists_as_loader(self, deadline: float) -> bool | None:
        """Whether the completion server's ``GET /models`` answers as a server that loads models
        itself; None if it does not answer (not started yet: asked again at the next load)."""
        url = f"{self.config.fim_base}/models"
        self.in_use(+1)
        try:
            response = await _until(deadline, self.http.get(url))
        except (ModelError, httpx.HTTPError) as exc:
            log.info("could not list the models of %s: %s", safe_url(url), _describe(exc, self.config.api_key))
            return None
        finally:
            self.in_use(-1)
        return self._answers_as_loader(url, response)

    def _answers_as_loader(self, url: str, response: httpx.Response) -> bool:
        """Whether ``response`` to ``GET url`` is the model list of a server that loads models
        itself (see :mod:`.model_server`)."""
        if response.status_code != 200 or not url.endswith("/models"):
            return False
        try:
            body = response.json()
        except ValueError:
            return False
        return loads_models(response.headers, body)

    async def models(self, deadline: float) -> list[str]:
        """Model ids from ``GET {base}/models``."""
        url = f"{self.config.base}/models"
        self.in_use(+1)
        try:
            response = await _until(deadline, self.http.get(url))
        except httpx.HTTPError as exc:
            raise ConnectError(_describe(exc, self.config.api_key), method="GET", url=url) from exc
        finally:
            self.in_use(-1)
        if response.status_code >= 300:
            raise error_for_status(
                response.status_code,
                method="GET",
                url=url,
                provider_message=_status_message(response, response.content, self.config.api_key),
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        try:
            data = response.json().get("data", [])
            return [m["id"] for m in data if isinstance(m, dict) and "id" in m]
        except (ValueError, AttributeError) as exc:
            raise MalformedResponse("unreadable model list", method="GET", url=url) from exc

    def _call_for(self, call: HttpCall) -> HttpCall:
        if self.stream_options_refused and "stream_options" in call.body:
            return _without_stream_options(call)
        return call

    # -- completions --------------------------------------------------------------------------

    def stream_fim(
        self, req: FimRequest, deadline: float, *, on_sent: Callable[[], None] | None = None
    ) -> ModelStream:
        """Stream a fill-in-the-middle completion; see the module docstring. Never retried.

        ``on_sent`` is called once the request is written, from inside the client: what the
        caller needs only for the answer can be prepared while the model works (schedule it
        with ``loop.call_soon``; do not do it inside the call)."""
        call = self._call_for(self.backend.fim(self.config, req))

        def prompt_tokens(counter: Counter) -> int:
            if req.estimated_prompt_tokens is not None:
                return req.estimated_prompt_tokens
            count = counter.count
            return count(req.prompt) + count(req.suffix) + sum(count(t) for _, t in req.extra)

        return ModelStream(
            self,
            call,
            model=req.model,
            feature=req.feature,
            max_tokens=req.max_tokens,
            deadline=deadline,
            prompt_tokens=prompt_tokens,
            on_sent=on_sent,
        )

    async def fim(self, req: FimRequest, deadline: float) -> StreamResult:
        """The whole completion at once (streamed underneath, so the deadline still holds)."""
        async with self.stream_fim(req, deadline) as stream:
            async for _ in stream:
                pass
        return stream.result

    # -- chat -----------------------------------------------------------------------------------

    def stream_chat(self, req: ChatRequest, deadline: float, *, waits: bool = False) -> ModelStream:
        """Like :meth:`stream_fim` for chat; deltas are the answer's content (not reasoning).
        ``waits``: the caller waits for room in the daily budget when refused for the requests
        under way (see :meth:`chat_with_retry`)."""
        call = self._call_for(self.backend.chat(self.config, req))

        def prompt_tokens(counter: Counter) -> int:
            if req.estimated_prompt_tokens is not None:
                return req.estimated_prompt_tokens
            count = counter.count
            # ~4 tokens of role markup per message.
            return sum(count(str(m.get("content") or "")) + 4 for m in req.messages)

        return ModelStream(
            self,
            call,
            model=req.model,
            feature=req.feature,
            max_tokens=req.max_tokens,
            deadline=deadline,
            prompt_tokens=prompt_tokens,
            waits=waits,
        )

    async def chat(self, req: ChatRequest, deadline: float, *, waits: bool = False) -> StreamResult:
        """One chat answer (streamed or not per ``req.stream``). In JSON mode a blank or non-JSON
        answer raises :class:`MalformedResponse` (``kind`` blank_json/invalid_json, the result in
        ``partial``): DeepSeek blanks out answers it could not make JSON."""
        sent = replace(req, json_mode=False) if req.json_mode and self._no_json_mode else req
        try:
            result, call = await self._chat_once(sent, deadline, waits)
        except RequestError as exc:
            # Servers without a JSON mode (mlx-vlm, lmdeploy, some vLLM builds) refuse
            # response_format with a 400, and every review failed: the prompt asks for JSON
            # anyway, and the answer is checked as JSON all the same.
            said = f"{exc.provider_message or ''} {exc.message}"
            if not sent.json_mode or "response_format" not in said:
                raise
            self._no_json_mode = True
            log.info("the endpoint refuses response_format; asking for JSON in the prompt only")
            result, call = await self._chat_once(replace(req, json_mode=False), deadline, waits)
        if req.json_mode and (result.finish_reason != "length" or result.overrun):
            # An answer cut at max_tokens is a result, as without JSON mode: its JSON is cut
            # too, and retrying it (the same prompt, the same findings, the same cut) paid for
            # the whole answer twice. The caller sees ``finish_reason`` and keeps what is whole.
            # (A server that ignored max_tokens, ``overrun``, may answer better next time.)
            _check_json(result, call)
        return result

    async def _chat_once(self, req: ChatRequest, deadline: float, waits: bool) -> tuple[StreamResult, HttpCall]:
        async with self.stream_chat(req, deadline, waits=waits) as stream:
            async for _ in stream:
                pass
        return stream.result, stream.call

    async def chat_with_retry(
        self,
        req: ChatRequest,
        deadline: float,
        max_retries: int = 2,
        *,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        billed: list[Usage] | None = None,
        slot: asyncio.Semaphore | None = None,
        on_wait: Callable[[BudgetExceeded | None, float], None] | None = None,
    ) -> StreamResult:
        """:meth:`chat`, retrying 429/500/503, connection errors and (once) unusable answers,
        with jittered exponential backoff or the server's Retry-After, within ``deadline``.
        ``billed`` receives the usage of each unusable answer (paid for, then asked again): the
        answer's own is the result's.

        Refused by the daily budget only for what the requests under way may cost (their worst
        case: a review's batches, the files the CLI reviews at once), it waits for them to end
        and asks again, for as long as ``deadline`` gave it; the time waited is not taken from
        the request's own. Refused at once, the files a review run sent together failed as
        "nearly reached ($0.00 spent today)", in a budget with room for all of them.

        ``slot``: held while the request is sent or retried (the caller's limit on requests at
        once), not while it waits for a slot or for room in the budget, neither of which is
        taken from its time: a review waiting for the budget held one of the four slots, and
        the others of the file queued behind it.

        ``on_wait``: told the refusal and when the wait gives up (a time.time()) as it waits
        for room in the budget, and ``(None, 0)`` as it asks again."""
        loop = asyncio.get_running_loop()
        own_time = max(0.0, deadline - loop.time())
        waited = 0.0  # for room in the budget
        queued = 0.0  # for the slot
        holding = False

        async def attempt() -> StreamResult:
            nonlocal waited, queued, holding
            while True:
                if slot is not None and not holding:
                    started = loop.time()
                    await slot.acquire()
                    holding = True
                    queued += loop.time() - started
                try:
                    if waited and on_wait is not None:
                        on_wait(None, 0.0)
                    return await self.chat(req, deadline + waited + queued, waits=True)
                except BudgetExceeded as exc:
                    if not exc.held or self.ledger is None or waited >= own_time:
                        raise
                    if not waited:
                        log.info("%s; waiting for the requests under way to end", exc)
                    if on_wait is not None:
                        on_wait(exc, time.time() + own_time - waited)
                except MalformedResponse as exc:
                    partial = exc.partial
                    if billed is not None and isinstance(partial, StreamResult) and partial.usage is not None:
                        billed.append(partial.usage)
                    raise
                if holding:
                    assert slot is not None
                    slot.release()
                    holding = False
                started = loop.time()
                await self.ledger.until_released(min(BUDGET_RECHECK_S, own_time - waited))
                waited += loop.time() - started

        try:
            return await retrying(
                attempt,
                deadline=lambda: deadline + waited + queued,
                max_retries=max_retries,
                base_delay=base_delay,
                max_delay=max_delay,
            )
        finally:
            if holding:
                assert slot is not None
                slot.release()


def _check_json(result: StreamResult, call: HttpCall) -> None:
    text = result.text.strip()
    where = {"method": call.method, "url": call.url}
    if not text:
        raise MalformedResponse(
            "blank answer in JSON mode", kind="blank_json", partial=result, **where
        )
    if load_json_answer(text) is None:
        raise MalformedResponse("answer is not valid JSON", kind="invalid_json", partial=result, **where)
