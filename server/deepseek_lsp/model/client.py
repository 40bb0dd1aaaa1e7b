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
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from .. import __version__, tls
from ..console import counted
from . import aio_network, h2_reset, pool_reclaim
from .auth import KeyPerServer, key_noted
from .backends import Backend, HttpCall, get_backend
from .endpoint import DEFAULT_BASE_URL, EndpointConfig, is_deepseek_host, is_loopback, origin
from .errors import (
    BudgetExceeded,
    ConfigError,
    ConnectError,
    DeadlineExceeded,
    MalformedResponse,
    ModelError,
    RequestError,
    endpoint_base,
    error_for_status,
    name_server,
    parse_retry_after,
    safe_url,
    server_named,
)
from .http_reuse import read_cookies_when_set
from .json_answer import load_json_answer
from .model_server import loads_models, server_name
from .own_keys import without_keys, worth_hiding
from .prefix_hits import SentPrompts
from .prompt_read import PromptReading
from .reachability import UnreachedServers
from .retry import retrying
from .stream import (
    Connects,
    ModelStream,
    describe,
    get_traced,
    status_message,
    until_deadline,
    without_stream_options,
)
from .tokens import LOADING_ESTIMATE, Counter, EstimateCounter, default_counter, loaded_counter
from .types import ChatRequest, FimRequest, StreamResult, Usage

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

# hpack logs HTTP/2 header blocks at DEBUG, Authorization included (Huffman-coded, not hidden):
# keep it quiet even when an application turns on DEBUG for everything.
_hpack_log = logging.getLogger("hpack")
if _hpack_log.level < logging.WARNING:
    _hpack_log.setLevel(logging.WARNING)

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
#: How long after the load's answer a completion still takes its refusal (see
#: ModelClient.load_refusal): the load sent at start meets a missing model's 404 in
#: milliseconds, and the first key a second later sent its own request to meet it again. Short:
#: a model pulled meanwhile is not taken for missing for long (a refusal taken pauses a minute).
LOAD_REFUSAL_HELD_S = 10.0
#: How long the warm-up at start may take (see ModelClient.warm), unless the connect timeout
#: lets a connection take longer. Read at each warm-up: a test sets it small.
WARM_S = 5.0
#: How long the review server's model list may take to tell what it is (see
#: ModelClient.server_at): as the warm-up's; a server that does not answer in it is asked again.
IDENTIFY_S = 5.0
#: How much longer than the connect timeout a look at the server may take (see
#: ModelClient.answer_limit): its connect ends by the connect timeout, not by its deadline.
CONNECT_MARGIN_S = 0.5
#: The body of Go's http.NotFound and gin's router (Ollama's): a model list answered so at a
#: base without /v1 may be Ollama's, which no port tells when not its own (see ModelClient._heard).
GO_NOT_FOUND = "404 page not found"


def direct_mounts(*urls: str | None) -> dict[str, None]:
    """httpx mounts that reach a server on this machine directly, never through a proxy,
    whatever ``NO_PROXY`` says (as Go's and most tools' clients do): httpx sent
    ``http://localhost:11434`` to the company proxy of ``HTTP_PROXY``, which cannot reach the
    user's own machine, unless ``NO_PROXY`` named that exact host (``127.0.0.0/8``, the usual way
    to write it, is not understood by httpx)."""
    direct: dict[str, None] = {}
    for url in urls:
        host = urlsplit(url).hostname if url else None
        if host and is_loopback(host):
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
            auth=KeyPerServer(config),
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
        self._own_keys = worth_hiding(config.keys)
        self.backend: Backend = get_backend(config.backend)
        self.ledger = ledger
        self._counter = counter
        # Cancelled completions must reach the server as RST_STREAM; see h2_reset.
        h2_reset.install()
        headers = {"User-Agent": f"deepseek-lsp/{__version__}"}
        self.http = _http_client(config, headers, transport)
        aio_network.install(self.http)  # a transport built by httpx, default or given: see there
        read_cookies_when_set(self.http)
        #: Loop time of the last request's start or end (a warm-up's included): see idle_for.
        self.last_active = -math.inf
        #: The warm-up's 401: a server asked with no key set (one of one's own that wants one),
        #: or a key rejected. Said at start, as DeepSeek's "no API key" is: a wrong key was only
        #: logged, the status Normal until the first suggestion came back refused.
        self.refused_key: ModelError | None = None
        #: The endpoint refused ``response_format`` once: JSON is asked for in the prompt only.
        self._no_json_mode = False
        #: The endpoint refused ``stream_options`` once: it is left out (usage is estimated).
        self.stream_options_refused = False
        #: The most stop sequences the endpoint takes, once it refused more (None: any); the
        #: others are applied to the answer on our side (see ModelStream).
        self.max_stops: int | None = None
        #: The optional fields each endpoint URL refused by name, left out from then on (see
        #: refused_fields).
        self.refused_fields: dict[str, set[str]] = {}
        #: What the completion server was learnt to read of prompts (see prompt_read).
        self.prompt_reading = PromptReading()
        #: The prompts sent, for the cache hits of a request whose usage never came.
        self.sent_prompts = SentPrompts()
        #: Connections being made, by server (see stream.Connecting): a request waiting on
        #: one was never taken by a server either.
        self.connecting: dict[str, Connects] = {}
        self._in_use = 0
        self._unused = asyncio.Event()
        self._unused.set()
        #: Set once the endpoint answered a request with a status other than a refusal every
        #: request meets (a rejected key, an empty balance, a wrong model name's 400:
        #: ``refuses_every_request``): a 200, or a 429 or 500 of its own. A review run sends one request until then (review/first_answer).
        self.answered = asyncio.Event()
        #: The servers the last request to each could not reach (the error, came_at: when).
        self.unreached = UnreachedServers()
        #: Loop time until which a load of the completion model may still be under way (see
        #: :meth:`load`); -inf when none is.
        self.load_until = -math.inf
        #: Done once the load asked last knows whether it is sent (see :meth:`load_deadline`).
        self._load_decided: asyncio.Future[None] | None = None
        #: The model of the load sent last, and the refusal its answer was (None once answered
        #: otherwise) that asking again would meet too: see :meth:`load_refusal`.
        self._load_answer: tuple[str, asyncio.Future[ModelError | None]] | None = None
        #: Loop time of the load's refusal (see LOAD_REFUSAL_HELD_S).
        self._load_refused_at = -math.inf
        #: Whether the completion server's model list, at the last warm-up, was that of a
        #: server that loads models itself, not of a proxy (see :mod:`.model_server`); None:
        #: not asked yet (the warm-up asks ``baseUrl``'s server, not ``fimBaseUrl``'s).
        self.loads_models: bool | None = None
        #: The bases (see endpoint_base) whose warm-up or model list answered 404 when asked
        #: last: a completion's 404 there is the base URL's (no /v1), not a proxy's moment.
        self._bases_not_found: set[str] = set()
        #: Each base whose server :meth:`server_at` asked the model list of, and its answer.
        self._identifying: dict[str, asyncio.Future[bool | None]] = {}
        #: The bases whose model list was read (the warm-up's): what it named them stands.
        self._lists_read: set[str] = set()
        #: When (time.monotonic) each endpoint's URL (see safe_url) got text last, whichever
        #: feature asked: a 404 there since is not the same one met again (see NotFoundOnce).
        self._served_at: dict[str, float] = {}
        # Named anew by this client's warm-up: another server may listen there now.
        for url in (config.base, config.fim_base):
            name_server(url, None)
        if self.backend.name == "llamacpp-infill":  # the completion server is llama-server
            name_server(config.fim_base, "llama.cpp")

    def __repr__(self) -> str:
        return f"ModelClient({self.config!r})"

    @property
    def loads_locally(self) -> bool:
        """The completion server is a self-hosted one on this machine (Ollama, LM Studio, a
        llama.cpp router), which may load the model at the first request: :meth:`load` may be
        asked of it (the caller checks that the model costs nothing: a proxy on this machine
        may forward to a paid one)."""
        host = urlsplit(self.config.fim_base).hostname or ""
        return self.backend.name != "deepseek" and not self.config.fim_is_deepseek and is_loopback(host)

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

        A completion asked before the server is known to load models (its ``GET /models`` not
        answered yet) waits for that answer within its own time limit (:meth:`load_deadline`),
        then for the load if one is sent: vLLM still loading its model answers its model list
        late and loads nothing at a request, and such a completion waited 3 minutes.

        ``after``: the warm-up under way, which tells whether the server loads models itself
        (:attr:`loads_models`): a proxy on this machine (LiteLLM) in front of a paid model got
        a billed request of ours at start and after every pause. Nothing is sent to any other."""
        loop = asyncio.get_running_loop()
        self._load_decided = decided = loop.create_future()
        task = asyncio.ensure_future(self._load(model, loop.time() + timeout, after, decided))
        task.add_done_callback(lambda _: decided.done() or decided.set_result(None))
        return task

    async def load_deadline(self, deadline: float) -> tuple[float, bool]:
        """The deadline of a completion whose own is ``deadline``, and whether it waits for a
        load (see :meth:`load`): the load's end once one is sent, else ``deadline``."""
        decided = self._load_decided
        if decided is not None and not decided.done():
            with contextlib.suppress(DeadlineExceeded):
                await until_deadline(deadline, asyncio.shield(decided))
        return max(deadline, self.load_until), self.load_until > deadline

    async def _load(
        self, model: str, until: float, after: Awaitable[bool] | None, decided: asyncio.Future[None]
    ) -> bool:
        try:
            return await self._load_once_known(model, until, after, decided)
        finally:
            self._load_over(until)

    async def _load_once_known(
        self, model: str, until: float, after: Awaitable[bool] | None, decided: asyncio.Future[None]
    ) -> bool:
        if after is not None:
            try:
                # Not cancelled with the load: the warm-up is the connection's too.
                await asyncio.shield(after)
            except Exception:  # warm() never raises; the load is not sent without its answer
                return False
        if self.loads_models is None:  # completions go elsewhere than baseUrl: ask that server
            self.loads_models = await self._lists_as_loader(min(until, asyncio.get_running_loop().time() + 5.0))
        if not self.loads_models:
            log.debug("no load of %s: %s does not load models itself", model, safe_url(self.config.fim_base))
            return False
        self.load_until = max(self.load_until, until)
        if not decided.done():
            decided.set_result(None)
        call = self._load_call(model)
        stream = ModelStream(
            self, call, model=model, feature="load", max_tokens=1, deadline=until, prompt_tokens=lambda _: 0, ledger=False
        )
        answer: asyncio.Future[ModelError | None] = asyncio.get_running_loop().create_future()
        self._load_answer = (model, answer)
        try:
            async with stream:
                answer.set_result(None)
                async for _ in stream:
                    pass
            return True
        except (ConnectError, DeadlineExceeded) as exc:
            log.info("loading %s on %s failed: %s", model, safe_url(self.config.fim_base), exc)
            return False
        except ModelError as exc:  # answered: what it said, the completions will be told themselves
            if not answer.done():
                answer.set_result(exc if exc.disables_feature else None)
                self._load_refused_at = asyncio.get_running_loop().time()
            return True
        except Exception as exc:  # the client closed under it (settings changed, exit)
            log.debug("loading %s: %r", model, exc)
            return False
        finally:
            if not answer.done():
                answer.set_result(None)

    async def load_refusal(self, model: str, deadline: float, *, waits: bool = True) -> ModelError | None:
        """The refusal the load of ``model`` under way (or ended at most LOAD_REFUSAL_HELD_S
        ago) met, once, that a completion asking the same would meet too (a model the server
        does not have, a path it does not serve): sent with the load, at start and at the
        first key after each pause, the completion met the same 404, two requests to learn one
        thing. ``waits``: waits for the load's answer until ``deadline`` (the completion waits
        for the load anyway); None if there is none to take."""
        sent = self._load_answer
        if sent is None or sent[0] != model:
            return None
        if waits:
            with contextlib.suppress(DeadlineExceeded):
                await until_deadline(deadline, asyncio.shield(sent[1]))
        if not sent[1].done() or sent[1].result() is None:
            return None
        if not waits and asyncio.get_running_loop().time() - self._load_refused_at > LOAD_REFUSAL_HELD_S:
            return None
        if self._load_answer is sent:
            self._load_answer = None  # once: a later completion asks for itself
        return sent[1].result()

    def _load_call(self, model: str) -> HttpCall:
        """The load's request: nothing for the model to read, one token at most. An empty
        prompt (no messages with ``chat``) is what Ollama answers with the load alone ("If an
        empty prompt is provided, the model will be loaded into memory", its API docs): a
        ``fim-template`` prompt is the template's markers around nothing, which it ran. A
        server that loads nothing refuses it, which costs nothing either."""
        req = FimRequest(prompt="", max_tokens=1, model=model, feature="load")
        call = self._call_for(self.backend.fim(self.config, req))
        if call.from_chat:
            return replace(call, body={**call.body, "messages": []})
        if "prompt" in call.body:
            return replace(call, body={**call.body, "prompt": ""})
        return call

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
        return LOADING_ESTIMATE

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
            self.ledger.budget.check(model)

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

    def answer_limit(self, floor: float) -> float:
        """A look at the server (a warm-up, a model list) given ``floor`` seconds, or longer
        where the connect timeout is (``connectTimeoutS`` raised for a slow network): its
        connect ends by that timeout, not cut short by this limit."""
        return max(floor, self.config.connect_timeout + CONNECT_MARGIN_S)

    async def warm(self, timeout: float | None = None) -> bool:
        """Open a connection (TCP, TLS, HTTP/2) ahead of the first completion (a ``GET``, no
        tokens). Never raises; returns whether the server answered. ``timeout``: 5 s, or as long
        as the connect timeout lets a connection take. Not the tokenizer: its load stops the
        event loop, and it came at the first open (the server loads it once the editor is quiet,
        startup.py); asked for here while the server's thread loaded it, the loop waited for it."""
        if timeout is None:
            timeout = self.answer_limit(WARM_S)
        loop = asyncio.get_running_loop()
        url = self.backend.warm_url(self.config)
        ok = False
        self.forget_connections_if_slept()
        self.last_active = loop.time()
        self.in_use(+1)
        # One limit for the model list and what its answer leads to ask (GET /api/version): a
        # limit each, a Go proxy slow at both held the warm-up, and the load after it, twice.
        deadline = loop.time() + timeout
        try:
            response = await until_deadline(deadline, self.http.get(url))
            ok = True
            await self._heard(url, response, deadline)
            loads = self._answers_as_loader(url, response)
            if origin(url) == origin(self.config.fim_base):
                self.loads_models = loads
            if response.status_code == 401:
                log.warning("%s rejected the API key during warm-up", safe_url(url))
                self.refused_key = key_noted(error_for_status(401, method="GET", url=url), self.config, url)
        except (ModelError, httpx.HTTPError) as exc:
            log.info("warm-up request to %s failed: %s", safe_url(url), describe(exc, *self.config.keys))
        finally:
            self.in_use(-1)
        self.last_active = loop.time()
        return ok

    async def _lists_as_loader(self, deadline: float) -> bool | None:
        """Whether the completion server's ``GET /models`` answers as a server that loads models
        itself; None if it does not answer (not started yet: asked again at the next load)."""
        return await self._listed(self.config.fim_base, deadline)

    async def server_at(self, base: str, within: float | None = None) -> str | None:
        """The kind of server at ``base`` (see server_named), its model list asked where nothing
        named it yet: the review server, which no warm-up lists in the command line, nor where
        completions go to another (llama-server's warm-up is its /health), and whose port is
        not Ollama's: an Ollama there cut every review's prompt. Asked once per base (again
        where it did not answer); DeepSeek's API is DeepSeek, and not asked. ``within``: the
        asking request's own time limit (``review.timeoutS``), which bounds the look too."""
        named = server_named(base)
        if named is not None or is_deepseek_host(base) or base in self._lists_read:
            return named
        asking = self._identifying.get(base)
        if asking is None or (asking.done() and (asking.cancelled() or asking.result() is None)):
            # A connect dropped ends by its own timeout, a try of the request's (see _listed).
            # Never past the request's own limit: with connectTimeoutS 20 and review.timeoutS
            # 2, a CI run against dropped connects waited 20 s here before its 2 s request.
            limit = self.answer_limit(IDENTIFY_S)
            deadline = asyncio.get_running_loop().time() + (limit if within is None else min(limit, within))
            asking = self._identifying[base] = asyncio.ensure_future(self._listed(base, deadline))
        await asyncio.shield(asking)
        return server_named(base)

    async def _listed(self, base: str, deadline: float) -> bool | None:
        """``_lists_as_loader`` for the server at ``base`` (its name learnt on the way)."""
        url = f"{base}/models"
        self.in_use(+1)
        try:
            response = await get_traced(self.http, self.connecting, url, deadline, self.config.keys)
        except (ModelError, httpx.HTTPError) as exc:
            log.info("could not list the models of %s: %s", safe_url(url), describe(exc, *self.config.keys))
            if isinstance(exc, ConnectError):
                # The server's first try: a review's connect that waits out its timeout after
                # this one's is not tried again (a CI run against a firewall: 3 connects of
                # 5 s before its one message, 16 s).
                self.unreached.met(url, exc, time.monotonic())
            return None
        finally:
            self.in_use(-1)
        self.unreached.answered(url)  # whatever it said
        await self._heard(url, response, deadline)
        return self._answers_as_loader(url, response)

    async def _heard(self, url: str, response: httpx.Response, deadline: float) -> None:
        """The answer to a ``GET`` of the endpoint at ``url`` (a model list, llama-server's
        health), for :meth:`base_not_found`; a model list's 404 in Go's words may be Ollama's
        at a base without /v1, told by its own API's ``GET /api/version`` (see name_server)."""
        base = endpoint_base(url)
        if response.status_code != 404:
            self._bases_not_found.discard(base)
            return
        self._bases_not_found.add(base)
        if url.endswith("/models") and response.text.strip() == GO_NOT_FOUND:
            root = url[: -len("/models")]
            if await self._answers_as_ollama(f"{root}/api/version", deadline):
                name_server(url, "Ollama")

    async def _answers_as_ollama(self, url: str, deadline: float) -> bool:
        """Whether ``GET url`` (``/api/version``) is answered as Ollama does: ``{"version": ...}``."""
        self.in_use(+1)
        try:
            response = await until_deadline(deadline, self.http.get(url))
            body = response.json() if response.status_code == 200 else None
        except (ModelError, httpx.HTTPError, ValueError) as exc:
            log.debug("GET %s: %s", safe_url(url), describe(exc, *self.config.keys))
            return False
        finally:
            self.in_use(-1)
        return isinstance(body, dict) and isinstance(body.get("version"), str)

    def served(self, url: str) -> None:
        """A request to ``url`` was answered: its base serves the API, whatever its warm-up
        met (a proxy's 404 of a moment then made every later one a base URL's for good)."""
        self._bases_not_found.discard(endpoint_base(url))

    def answered_at(self, url: str) -> None:
        """A request to ``url`` got its first text: answered (a 200 alone is not: LM Studio
        sends its "Unexpected endpoint" error with one)."""
        self._served_at[safe_url(url) or url] = time.monotonic()

    def served_since(self, url: str | None, since: float) -> bool:
        """Whether a request to the endpoint ``url`` was answered after ``since``
        (time.monotonic)."""
        return url is not None and self._served_at.get(safe_url(url) or url, -math.inf) > since

    def behind_proxy(self, url: str | None) -> bool:
        """Whether a request to ``url`` goes through a proxy the environment names
        (``HTTPS_PROXY``...): what answers it may be the proxy, whatever the host."""
        if not url:
            return False
        try:
            transport = self.http._transport_for_url(httpx.URL(url))
        except (AttributeError, httpx.InvalidURL):  # (httpx's own lookup, kept private)
            return False
        return transport is not self.http._transport

    def base_not_found(self, url: str | None) -> bool:
        """Whether the base ``url`` was built on answered its warm-up (or model list) with a
        404 when asked last: no API is served there."""
        return url is not None and endpoint_base(url) in self._bases_not_found

    def _answers_as_loader(self, url: str, response: httpx.Response) -> bool:
        """Whether ``response`` to ``GET url`` is the model list of a server that loads models
        itself (see :mod:`.model_server`). The server's name is learnt from it too."""
        if response.status_code != 200 or not url.endswith("/models"):
            return False
        try:
            body = response.json()
        except ValueError:
            return False
        if not (self.backend.name == "llamacpp-infill" and origin(url) == origin(self.config.fim_base)):
            name_server(url, server_name(response.headers, body))
        self._lists_read.add(url.removesuffix("/models"))
        return loads_models(response.headers, body)

    async def models(self, deadline: float) -> list[str]:
        """Model ids from ``GET {base}/models``."""
        url = f"{self.config.base}/models"
        self.in_use(+1)
        try:
            response = await get_traced(self.http, self.connecting, url, deadline, self.config.keys)
        except httpx.HTTPError as exc:
            raise ConnectError(describe(exc, *self.config.keys), method="GET", url=url) from exc
        finally:
            self.in_use(-1)
        if response.status_code >= 300:
            error = error_for_status(
                response.status_code,
                method="GET",
                url=url,
                provider_message=status_message(response, response.content, *self.config.keys),
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
            raise key_noted(error, self.config, url)
        try:
            data = response.json().get("data", [])
            return [m["id"] for m in data if isinstance(m, dict) and "id" in m]
        except (ValueError, AttributeError) as exc:
            raise MalformedResponse("unreadable model list", method="GET", url=url) from exc

    def _call_for(self, call: HttpCall) -> HttpCall:
        if self.stream_options_refused and "stream_options" in call.body:
            call = without_stream_options(call)
        # The configured keys never go out as text (see own_keys): known whatever their shape.
        hidden = without_keys(call.body, self._own_keys)
        return call if hidden is call.body else replace(call, body=hidden)

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
            prompt_text=lambda: "".join(t for _, t in req.extra) + req.prompt + "\0" + req.suffix,
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
            prompt_text=lambda: "".join(f"{m.get('role')}\0{m.get('content') or ''}\0" for m in req.messages),
            waits=waits,
        )

    def chat_unreached(self, req: ChatRequest) -> tuple[ModelError, float] | None:
        """The error the last request to ``req``'s server met when it could not reach it, and
        since when it does; None once that server answered."""
        return self.unreached.at(self.backend.chat(self.config, req).url)

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
        base_delay: float | None = None,
        max_delay: float = 8.0,
        billed: list[Usage] | None = None,
        slot: asyncio.Semaphore | None = None,
        on_wait: Callable[[BudgetExceeded | None, float], None] | None = None,
        on_send: Callable[[], None] | None = None,
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
        for room in the budget, and ``(None, 0)`` as it asks again.

        ``on_send``: told as each attempt is handed to :meth:`chat`, past any wait for a slot or
        for room in the budget (:meth:`chat` may still refuse it unsent: a budget reached, an
        unusable endpoint)."""
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
                    if on_send is not None:
                        on_send()
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
                await self.ledger.budget.until_released(min(BUDGET_RECHECK_S, own_time - waited))
                waited += loop.time() - started

        url = self.backend.chat(self.config, req).url
        try:
            return await retrying(
                attempt,
                deadline=lambda: deadline + waited + queued,
                max_retries=max_retries,
                base_delay=base_delay,
                max_delay=max_delay,
                timeouts_met=lambda: self.unreached.timeouts(url),
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
