"""One streamed request to a model server (:class:`ModelStream`): its deadline, its SSE text
deltas, the response closed at once when the caller leaves, its errors translated, its usage
recorded. ``client.py`` owns the connections and makes these."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import httpx

from ..privacy.messages import redact_message
from ..timeouts import within
from . import pool_reclaim
from .auth import key_noted
from .backends import HttpCall
from .errors import (
    ConfigError,
    ConnectError,
    DeadlineExceeded,
    MalformedResponse,
    ModelError,
    NotConnected,
    RequestError,
    error_for_status,
    names_no_host,
    parse_retry_after,
    refuses_every_request,
    safe_url,
)
from .http_reuse import parsed_url
from .model_server import from_litellm
from .refused_fields import OPTIONAL_FIELDS, RENAMED_FIELDS, refused_field, without_fields
from .sse import ChunkAccumulator, SSEDecoder
from .stops import StopScan
from .tokens import Counter, EstimateCounter
from .types import StreamResult, Usage, header_cost

if TYPE_CHECKING:
    from .client import ModelClient

log = logging.getLogger(__name__)

#: The most times one request is sent again mended (see ModelStream._mended): each optional
#: field, each field renamed, stream_options and the stop sequences' count, each once.
_MENDS_MAX = len(OPTIONAL_FIELDS) + len(RENAMED_FIELDS) + 2
T = TypeVar("T")

# A server that ignores max_tokens must not stream forever: cut at this many characters per
# requested token (code averages 3-4; long whitespace runs can reach ~16).
OVERRUN_CHARS_PER_TOKEN = 24
# After [DONE], wait this long for the end of the HTTP body so the connection can be reused.
DRAIN_GRACE_S = 0.05


async def until_deadline(deadline: float, aw: Awaitable[T]) -> T:
    try:
        return await within(aw, max(0.0, deadline - asyncio.get_running_loop().time()))
    except asyncio.TimeoutError:
        raise DeadlineExceeded("deadline exceeded") from None


class _ReadDeadline:
    """The reads of one answer under its deadline with one timer for them all: an
    ``asyncio.timeout`` around each of an answer's ~24 reads (a timer scheduled and cancelled,
    two coroutine frames more) cost ~4 us each, ~0.1 ms a request. The timer cancels the
    reading task only while it is inside a read, and a read past the deadline arms it again: as
    with a timeout a read, one that does not have to wait still gets what is there."""

    __slots__ = ("_cancelling", "_deadline", "_fired", "_handle", "_task")

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._cancelling = 0
        self._fired = False

    async def read(self, raw: AsyncIterator[bytes]) -> bytes:
        task = asyncio.current_task()
        if task is None or not hasattr(task, "cancelling"):  # Python 3.10: no uncancel()
            return await until_deadline(self._deadline, raw.__anext__())
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_at(self._deadline, self._expire)
        self._task, self._cancelling = task, task.cancelling()
        try:
            return await raw.__anext__()
        except asyncio.CancelledError:
            # Ours, unless the task was cancelled from elsewhere too (asyncio.timeout's rule).
            fired, self._fired = self._fired, False  # a read after it is cut short again
            if fired and task.uncancel() <= self._cancelling:
                raise DeadlineExceeded("deadline exceeded") from None
            raise
        finally:
            self._task = None

    def _expire(self) -> None:
        self._handle = None
        if self._task is not None and not self._fired:
            self._fired = True
            self._task.cancel()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


ESTIMATE_COUNTER = EstimateCounter()

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


def provider_message(content: bytes, *keys: str | None) -> str | None:
    """The human part of an error body: DeepSeek/OpenAI ``{"error": {"message"}}``, Ollama
    ``{"error": "..."}``, or plain text; scrubbed of the key in case a server echoes it."""
    text = content.decode("utf-8", errors="replace").strip()
    if _HTML.match(text):
        # A reverse proxy's error page (nginx, Cloudflare): its title says it, the markup is noise.
        title = _TITLE.search(text)
        text = title.group(1) if title else _TAG.sub(" ", _CODE.sub(" ", text))
        import html  # here: its entity table (~2,200 names) was built at every start, for an error page

        text = " ".join(html.unescape(text).split())
    message: Any = text
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        err = obj.get("error", obj)
        if isinstance(err, dict):
            message = err.get("message") or _validation_errors(err.get("detail")) or err.get("type") or text
        else:
            message = err
    message = _without_inputs(str(message).strip())
    # Before the cut: a key the cut goes through was left there, all but its last characters.
    message = scrubbed(message, keys)
    message = message[:300]
    return message or None


def _validation_errors(detail: Any) -> Any:
    """A FastAPI server's 422 ``detail`` (pydantic's list of errors) as each field and its
    words, "body.suffix: Extra inputs are not permitted": shown as a Python list, it held
    each error's ``input``, the refused field's value (the code after the cursor)."""
    if not isinstance(detail, list) or not all(isinstance(e, dict) and "msg" in e for e in detail):
        return detail
    told = []
    for e in detail:
        loc = e.get("loc")
        where = ".".join(str(part) for part in loc) if isinstance(loc, list) else ""
        told.append(f"{where}: {e['msg']}" if where else str(e["msg"]))
    return "; ".join(told)


#: One of pydantic's errors in Python's repr, as vLLM's and SGLang's 400 for a request their
#: models refuse puts them in its message (``str(exc.errors())``): its place and words.
_PYDANTIC_REPR = re.compile(
    r"""'loc': \((?P<loc>[^)]*)\), 'msg': (?P<msg>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
)
#: Where a validation error quotes what it refused, in JSON or a repr: the rest is cut.
_INPUT = re.compile(r"""['"]input['"]\s*:""")
#: Where other words quote the request: pydantic's own text of an error (``str(exc)``: the
#: value after ``input_value=``, up to its ``input_type``), and llama-server's JSON reader
#: (nlohmann's "last read": the string read so far, the prompt's text, to the message's end).
_QUOTED_VALUE = re.compile(r""",?\s*input_value=(?:.*?(?=,\s*input_type=\w+\])|.*)|;\s*last read:.*""", re.S)


def _without_inputs(message: str) -> str:
    """``message`` without the request's own text a validation error quotes as its ``input``
    (the code after the cursor, a review's file): vLLM's and SGLang's 400 hold pydantic's
    errors in Python's repr, told as each field and its words, as a FastAPI 422's are (see
    _validation_errors); any other quote of an ``input`` is cut where it begins."""
    told = []
    for m in _PYDANTIC_REPR.finditer(message):
        where = ".".join(part.strip().strip("'\"") for part in m["loc"].split(",") if part.strip())
        said = f"{where}: {m['msg'][1:-1]}" if where else m["msg"][1:-1]
        if said not in told:  # (vLLM's message holds the list twice)
            told.append(said)
    if told:
        return "; ".join(told)
    message = _QUOTED_VALUE.sub("", message)
    quoted = _INPUT.search(message)
    return message[: quoted.start()].rstrip(" ,{[") if quoted else message


def status_message(response: httpx.Response, content: bytes, *keys: str | None) -> str | None:
    """What an error status says: where a redirect points (its page says nothing more), else
    the body's message."""
    if response.is_redirect:
        return safe_url(response.headers.get("location"))
    return provider_message(content, *keys)


@dataclass
class Connects:
    """The connections to one server (host and port) being made, and how many were begun and
    made, by a client's requests (see :meth:`Connecting.never_reached`)."""

    under_way: int = 0
    begun: int = 0
    made: int = 0
    #: The proxy the last connection begun went to (host:port), or None: the server itself.
    via: str | None = None


class Connecting:
    """Whether a request's connection is being made (TCP, TLS, as httpcore's trace tells it),
    not yet sending on one: where its deadline passes then, no server took it. ``shared``:
    the client's :class:`Connects`, by server."""

    #: By their ends: the prefix is httpcore's module's ("connection.", and "proxy." for the TLS
    #: through an HTTPS proxy's tunnel, "socks." for a SOCKS proxy's: a handshake hanging there
    #: was told "did not answer in time").
    _STARTS = (".connect_tcp.started", ".connect_unix_socket.started", ".start_tls.started")

    def __init__(self, shared: dict[str, Connects]) -> None:
        self.now = False
        #: Sending on a connection began (its request line, HTTP/2's preface).
        self.sent = False
        self._shared = shared
        self._connects = Connects()
        self._seen = (False, 0, 0)
        self._server: tuple[str, int | None] = ("", None)
        #: The HTTP/1.1 exchange under way is the CONNECT asking a proxy for its tunnel.
        self._tunnel = False
        #: The proxy (host:port) this request's connection went to, kept once it took it.
        self._proxy: str | None = None
        #: This request began a connection of its own (TCP, TLS).
        self._opened = False
        #: Its exchange went over HTTP/1.1, where no two requests share a connection.
        self._http11 = False

    def begin(self, url: httpx.URL) -> None:
        """The request to ``url`` is built: what the connects to its server were then."""
        port = url.port or (443 if url.scheme == "https" else 80)
        self._server = (url.raw_host.decode("ascii"), port)  # (IDNA's: as httpcore connects)
        self._connects = c = self._shared.setdefault(url.netloc.decode("ascii"), Connects())
        self._seen = (c.under_way > 0, c.begun, c.made)

    @property
    def via(self) -> str | None:
        """The proxy the request's connection went to (``HTTPS_PROXY``'s), or None."""
        return self._connects.via

    def _asks_proxy(self, event: str, info: dict[str, Any]) -> bool:
        """Whether ``event`` is of the CONNECT asking the proxy for a tunnel (its ``.complete``
        events name no request: the one begun last)."""
        if not event.startswith("http11."):
            self._tunnel = False
            return False
        request = info.get("request")
        if request is not None:
            self._tunnel = getattr(request, "method", b"") == b"CONNECT"
        return self._tunnel

    async def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's ``trace`` extension for an async client."""
        self.seen(event, info)

    def seen(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's ``trace`` extension for a sync client (``doctor``'s)."""
        if self._asks_proxy(event, info):
            # Nothing of the request has reached the server yet: counted as the connection
            # made, the requests waiting for one were told the server "did not answer".
            return
        if event.endswith(".connect_tcp.started"):
            # A proxy's address, where the environment names one: not the server's.
            to = (str(info.get("host", "")), info.get("port"))
            host = f"[{to[0]}]" if ":" in to[0] else to[0]
            self._connects.via = None if to == self._server else f"{host}:{to[1]}"
            self._proxy = self._connects.via
        elif event.endswith(".connect_tcp.complete"):
            # The proxy took it: a hang after (its tunnel's TLS, its SOCKS setup) is beyond it.
            self._connects.via = None
        if event.endswith(self._STARTS):
            self._opened = True
            if not self.now:
                self.now = True
                self._connects.under_way += 1
                self._connects.begun += 1
        elif event.startswith(("http11.", "http2.")):
            self._http11 = event.startswith("http11.")
            if self.now:
                self._connects.made += 1
            self.sent = True
            self.done()

    def done(self) -> None:
        """The connection is made, or the request ended."""
        if self.now:
            self.now = False
            self._connects.under_way -= 1

    def failed_at_proxy(self) -> str | None:
        """The proxy (host:port) a request that failed now failed at: its connection to it was
        not made, or it refused the tunnel (reset the CONNECT); None: not at a proxy."""
        if self._connects.via is not None and self.now:
            return self._connects.via
        return self._proxy if self._tunnel else None

    def reused(self) -> bool:
        """Whether the request went out on a connection made before it began (a pooled one,
        which may have died while idle): not its own new one, nor one another request of the
        same moment was making (HTTP/2 shares it; HTTP/1.1 does not: a request over it that
        opened none went out on a pooled one, whatever the others of its moment opened)."""
        busy, begun, _ = self._seen
        if self._http11:
            return not self._opened
        return not self._opened and not busy and self._connects.begun == begun

    def never_reached(self) -> bool:
        """Whether no server took the request: its own connection is being made, or it sent
        nothing while another request's to the same server was being made and none was made
        (over HTTPS, HTTP/2 gives the requests of one moment one connection, the others wait on
        it: they were told the server "did not answer in time")."""
        busy, begun, made = self._seen
        c = self._connects
        return self.now or (not self.sent and c.made == made and (busy or c.begun > begun))


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
        prompt_text: Callable[[], str] | None = None,
        on_sent: Callable[[], None] | None = None,
        waits: bool = False,
        ledger: bool = True,
    ) -> None:
        self._client = client
        self._ledger = ledger  # recorded in the client's ledger (a model's load is not)
        self._waits = waits  # it can wait for room in the daily budget (see Budget.reserve)
        self._on_sent = on_sent
        self._call = call
        self._model = model
        self._feature = feature
        self._deadline = deadline
        self._prompt_tokens = prompt_tokens
        self._prompt_text = prompt_text  # its prompt as the provider's prefix cache reads it
        self._max_tokens = max_tokens
        self._max_chars = max(2048, max_tokens * OVERRUN_CHARS_PER_TOKEN)
        self._release: Callable[[], None] | None = None  # see Budget.reserve
        self._acc = ChunkAccumulator(call.dialect)
        stop = call.body.get("stop")
        # Applied here too: a server may ignore them (see StopScan), or take fewer.
        self._stops = StopScan([stop] if isinstance(stop, str) else stop) if stop else None
        if client.max_stops is not None:
            self._call = with_stops(call, client.max_stops)
        if refused := client.refused_fields.get(call.url):
            self._call = without_fields(self._call, refused)
        self._decoder = SSEDecoder()
        self._response: httpx.Response | None = None
        self._raw: Any = None
        self._reads = _ReadDeadline(deadline)
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
        sent_at = time.monotonic()
        try:
            response = await self._send()
            if response.status_code >= 300:
                error = await self._status_error(response)
                # A server naming one refused field at a time (temperature, then stop): each
                # mend leaves out more, so this ends (at most one try a field).
                for _ in range(_MENDS_MAX):
                    mended = self._mended(error)
                    if mended is None:
                        break
                    self._call = mended
                    response = await self._send()
                    error = None
                    if response.status_code < 300:
                        break
                    error = await self._status_error(response)
        except asyncio.CancelledError:
            self._end("cancelled")
            raise
        except BaseException as exc:
            self._give_back()
            if isinstance(exc, ModelError) and exc.unreachable:
                exc.sent_at, exc.came_at = sent_at, time.monotonic()
                client.unreached.met(self._call.url, exc, exc.came_at)
            raise
        client.unreached.answered(self._call.url)  # whatever it said
        if error is not None:
            error.sent_at, error.came_at = sent_at, time.monotonic()
            self._end("error")
            if not refuses_every_request(error):
                # A 429's Retry-After held a review run's other files as long (see answered).
                client.answered.set()
            raise error
        client.answered.set()
        client.served(self._call.url)
        # We asked for no compression; the bytes as they come then spare httpx's decoder layer
        # on every chunk. A server that compresses anyway goes through the decoder.
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self._told_cost = header_cost(response.headers.get(COST_HEADER))
        self._via_litellm = from_litellm(response.headers)
        if self._via_litellm and client.ledger is not None:
            client.ledger.billing.saw_gateway(self._endpoint())
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
                held = self._stops.flush() if self._stops is not None else ""
                if held:
                    return held
                await self._complete()
                raise StopAsyncIteration
            try:
                chunk = await self._reads.read(self._raw)
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
            if delta and self._stops is not None:
                delta = self._stopped_at(delta)
            if delta:
                if self._ttft is None:
                    self._ttft = self._now() - self._t0
                    self._client.answered_at(self._call.url)
                self._chars += len(delta)
                if self._chars > self._max_chars:
                    # The server ignores max_tokens: keep what we asked for, hang up on the rest.
                    self._overrun = True
                    self._acc.finish_reason = "length"
                    self._eof = True
                    self._finished = True
                return delta

    # -- internals ------------------------------------------------------------------------------

    def _mended(self, error: ModelError) -> HttpCall | None:
        """The request without what ``error`` says the endpoint refuses in it, which the client
        leaves out from now on; None when the refusal is of something else."""
        client = self._client
        if _refuses_stream_options(error, self._call):
            # Pydantic-strict OpenAI-compatible servers refuse the field (400/422): usage is
            # then estimated, as for any server that reports none.
            client.stream_options_refused = True
            log.info("the endpoint refuses stream_options; usage will be estimated")
            return without_stream_options(self._call)
        limit = _stop_limit(error, self._call)
        if limit is not None:
            # text-generation-inference takes 4 (--max-stop-sequences), a FIM template asks
            # for up to 16: every completion was refused. Those not sent are applied here.
            client.max_stops = limit
            log.info("the endpoint takes %d stop sequences at most; the rest applied here", limit)
            return with_stops(self._call, limit)
        field = refused_field(error, self._call)
        if field is not None:
            # A gateway or server that takes no such field (OpenAI's "Unrecognized request
            # argument", LiteLLM without drop_params) refused every request for it.
            client.refused_fields.setdefault(self._call.url, set()).add(field)
            log.info("the endpoint refuses the request field %r; it is left out", field)
            return without_fields(self._call, (field,))
        return None

    def _stopped_at(self, delta: str) -> str:
        """``delta`` up to a stop sequence the server let through; at one, the answer ends
        there: its text is cut to it, and the rest is not read (nor generated, once the
        response is closed)."""
        assert self._stops is not None
        passed = self._stops.feed(delta)
        if self._stops.stopped:
            acc = self._acc
            # The accumulator holds what was held back and the stop sequence too.
            acc.parts = [acc.text[: self._chars + len(passed)]]
            acc.finish_reason = "stop"
            self._eof = self._finished = True
        return passed

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
        keys = self._client.config.keys
        if keys:  # shown to the user: scrubbed like an error status's body
            exc.message = scrubbed(exc.message, keys)
            if exc.provider_message:
                exc.provider_message = scrubbed(exc.provider_message, keys)
            exc.args = (exc.message,)
        return exc

    async def _read_whole(self, first: bytes) -> str:
        # Non-streaming answers may be preceded by blank keep-alive lines; json.loads skips them.
        parts = [first]
        while True:
            try:
                parts.append(await self._reads.read(self._raw))
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
            await until_deadline(grace, self._read_rest())
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
        connecting = Connecting(client.connecting)
        request = client.http.build_request(
            call.method, parsed_url(call.url), content=content, headers=headers, extensions={"trace": connecting.trace}
        )
        connecting.begin(request.url)
        # Slots that cancelled requests leaked in httpcore's pool (see pool_reclaim) go back first.
        pool_reclaim.reclaim(client.http)
        sent_at = time.monotonic()
        limit = self._deadline - asyncio.get_running_loop().time()
        try:
            try:
                response = await until_deadline(self._deadline, client.http.send(request, stream=True))
            except _LOST_BEFORE_ANSWER as exc:
                if not connecting.reused():
                    # A connection made for it, reset or closed before any answer: the server
                    # (or what stands before it) hangs up on new connections, sending again
                    # at once only doubled the connects to a server going down (a save's 4
                    # requests made 8, and each retry 2); the retries' back-off decides.
                    raise
                # The pooled connection was dead and nothing said so before the request went
                # out on it: the server closed it while idle (an idle timeout racing the
                # request, "Server disconnected without sending a response"; over HTTP/2 its
                # GOAWAY and close are not looked at before reuse), or it reset it (a laptop
                # woken up). The server took nothing: once more, at once, on a new connection,
                # rather than a lost suggestion and an error in the status bar.
                log.debug("%s; sending the request again", describe(exc, *client.config.keys))
                self._billable = self._left = False
                pool_reclaim.reclaim(client.http)
                response = await until_deadline(self._deadline, client.http.send(request, stream=True))
        except BaseException as exc:
            at_proxy = connecting.failed_at_proxy()
            # A cancel while the pool was setting up a connection orphans it: reclaim it now,
            # not only before the next request.
            pool_reclaim.reclaim(client.http)
            if isinstance(exc, DeadlineExceeded):
                # Not a byte from the server in all that time: the connection is presumed dead
                # (see pool_reclaim.drop_silent), not kept for the next requests to wait on.
                pool_reclaim.drop_silent(client.http, sent_at)
            if isinstance(exc, DeadlineExceeded) and connecting.never_reached():
                error: BaseException = NotConnected(
                    limit, method=call.method, url=safe_url(call.url), via=connecting.via
                )
            else:
                error = self._translate(exc, started=False)
            connecting.done()
            if isinstance(error, ConnectError):
                self._billable = False
                error.via = at_proxy
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
            content = await until_deadline(self._deadline, response.aread())
        except (ModelError, httpx.HTTPError):
            content = b""
        finally:
            await _close_shielded(None, response)
        self._response = None
        error = error_for_status(
            response.status_code,
            method=self._call.method,
            url=self._call.url,
            provider_message=status_message(response, content, *client.config.keys),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
        return key_noted(error, client.config, self._call.url)

    def _where(self) -> dict[str, Any]:
        return {"method": self._call.method, "url": self._call.url}

    def _reraise(self, exc: BaseException) -> NoReturn:
        error = self._translate(exc, started=True)
        if error is exc:
            raise exc
        raise error from exc

    def _translate(self, exc: BaseException, *, started: bool) -> BaseException:
        where = self._where()
        keys = self._client.config.keys
        if isinstance(exc, DeadlineExceeded):
            exc.method, exc.url = self._call.method, safe_url(self._call.url)
            return exc
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError)):
            return connect_failed(exc, keys, **where)
        if isinstance(exc, httpx.PoolTimeout):
            busy = ConnectError("no free connection in the pool", **where)
            busy.unreachable = False  # this client's own connections all in use
            return busy
        if isinstance(exc, httpx.UnsupportedProtocol):
            return ConfigError(f"unsupported URL: {describe(exc, *keys)}", **where)
        if isinstance(exc, httpx.TransportError):
            if started:
                return MalformedResponse(
                    f"connection lost mid-answer ({describe(exc, *keys)})",
                    kind="truncated",
                    partial=self.result,
                    **where,
                )
            return ConnectError(f"connection lost ({describe(exc, *keys)})", **where)
        return exc

    async def _close(self) -> None:
        self._reads.close()
        raw, self._raw = self._raw, None
        response, self._response = self._response, None
        if raw is not None or response is not None:
            await _close_shielded(raw, response)

    def _reserve(self) -> None:
        ledger = self._client.ledger if self._ledger else None
        if ledger is None or not ledger.budget.daily_usd:
            return
        try:
            # The estimate, not the tokenizer: this is on every request's way out.
            prompt = self._prompt_tokens(ESTIMATE_COUNTER)
        except Exception as exc:  # counting must never break a request
            log.debug("token count failed: %s", exc)
            prompt = 0
        self._release = ledger.budget.reserve(
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

    def _endpoint(self) -> str:
        """The base URL the request went to, as the ledger remembers gateways by."""
        return self._client.config.base_of(self._call.url)

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
        sent = self._client.sent_prompts
        text = self._prompt_text() if self._prompt_text is not None and self._left else None
        if usage is None or self._overrun:
            usage = Usage()
            if self._billable:
                # No usage report (cancelled, cut, or overrun), but the provider bills the prompt
                # it received and whatever it generated: count both ourselves, the prompt's part
                # the prompts before it shared as cache hits, the rest as misses.
                try:
                    counter = self._client.counter_nowait()
                    prompt = self._prompt_tokens(counter)
                    hit = 0 if text is None else sent.hit_tokens(self._model, text, prompt)
                    # Thinking is billed as output too, and a review cut mid-thought has
                    # little else.
                    completion = counter.count(self._acc.text) + counter.count(self._acc.reasoning)
                except Exception as exc:  # counting must never break a request
                    log.debug("token count failed: %s", exc)
                    prompt = completion = hit = 0
                usage = Usage(prompt, completion, hit, prompt - hit)
                estimated = True
        else:
            sent.reported(self._model, usage)
        if text is not None:
            sent.sent(self._model, text)
        usage = self._with_told_cost(usage)
        # The endpoint (~10 µs to make) only where a gateway's mark is set or read: not at the
        # end of every request.
        if usage.cost_usd:  # a gateway that reports what it bills (OpenRouter)
            ledger.billing.saw_gateway(self._endpoint())
        elif not estimated and usage.cost_usd is None and not usage.cost_unknown and not self._via_litellm:
            if ledger.billing.gateways:  # a whole answer that nothing said was billed: a mark to drop?
                ledger.billing.saw_no_gateway(self._endpoint())
        elif (
            usage.cost_usd is None
            and not usage.cost_unknown
            and not ledger.billing.prices.known(self._model)  # (priced all the same: not looked up)
            and ledger.billing.is_gateway(self._endpoint())
        ):
            # No header came to tell (cancelled before the answer's): the endpoint was seen
            # to bill before, by this process or another, and bills this one too.
            usage = replace(usage, cost_unknown=True)
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


#: A refusal of too many stop sequences, with the most it takes: text-generation-inference's
#: "`stop` supports up to 4 stop sequences. Given: 10", and the like ("at most 4", "maximum of 4").
_STOP_LIMIT = re.compile(
    r"\bstop\b[^0-9]{0,60}?\b(?:up to|at most|maximum(?: of)?|max|no more than|<=)\s*(\d+)",
    re.IGNORECASE,
)


def _stop_limit(error: ModelError, call: HttpCall) -> int | None:
    stop = call.body.get("stop")
    if not isinstance(error, RequestError) or not isinstance(stop, list):
        return None
    found = _STOP_LIMIT.search(f"{error.provider_message or ''} {error.message}")
    limit = int(found.group(1)) if found else None
    return limit if limit is not None and limit < len(stop) else None


def with_stops(call: HttpCall, limit: int) -> HttpCall:
    """``call`` with its first ``limit`` stop sequences (its own line-break stops come first)."""
    stop = call.body.get("stop")
    if not isinstance(stop, list) or len(stop) <= limit:
        return call
    body = {k: v for k, v in call.body.items() if k != "stop"}
    if limit:
        body["stop"] = stop[:limit]
    return replace(call, body=body)


def without_stream_options(call: HttpCall) -> HttpCall:
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


def connect_failed(exc: BaseException, keys: tuple[str, ...], *, method: str, url: str) -> ConnectError:
    """httpx's failure to connect (``exc``) as a ConnectError: timed out, or a name that did
    not resolve."""
    failed = ConnectError(describe(exc, *keys), method=method, url=url)
    failed.timed_out = isinstance(exc, httpx.ConnectTimeout)
    return failed.name_not_resolved() if names_no_host(exc) else failed


async def get_traced(
    http: httpx.AsyncClient, shared: dict[str, Connects], url: str, deadline: float, keys: tuple[str, ...]
) -> httpx.Response:
    """``GET url`` (a model list), a failed connect raised as :func:`connect_failed`'s error
    naming the environment's proxy where it failed there, as a completion's does: a model
    list's stored error told a proxy whose name did not resolve as the base URL's."""
    connecting = Connecting(shared)
    request = http.build_request("GET", url, extensions={"trace": connecting.trace})
    connecting.begin(request.url)
    try:
        return await until_deadline(deadline, http.send(request))
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
        failed = connect_failed(exc, keys, method="GET", url=url)
        failed.via = connecting.failed_at_proxy()
        raise failed from exc
    finally:
        connecting.done()


def describe(exc: BaseException, *keys: str | None) -> str:
    """The exception's text for a user, the keys scrubbed: some transport errors quote the
    request's headers."""
    return scrubbed(str(exc).strip(), keys) or type(exc).__name__


def scrubbed(text: str, keys: tuple[str | None, ...]) -> str:
    """``text`` without any of ``keys`` (the API key, the completion server's), nor anything
    shaped like a secret (a proxy's error quoting the token it was given)."""
    for key in keys:
        if key:
            text = text.replace(key, "***")
    return redact_message(text)
