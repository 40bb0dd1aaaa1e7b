"""A real HTTP server on 127.0.0.1 that speaks DeepSeek's wire format, for tests and benchmarks.

Stdlib only (``ThreadingHTTPServer``, HTTP/1.1, hand-made chunked SSE), so it runs inside a test
process (in background threads) or standalone for editor end-to-end tests::

    python -m tests.fake_deepseek --port 8765 [--key sk-test] [--script answers.json]

Endpoints (all behind ``Authorization: Bearer <key>`` unless the key is None):

* FIM: ``POST /beta/completions``, ``/completions``, ``/v1/completions`` (``prompt``/``suffix``);
  ``/v1/completions`` with ``segments`` is Tabby's API (``{"id", "choices": [{"index","text"}]}``).
* Chat: ``POST /chat/completions``, ``/beta/chat/completions`` (prefix completion), and
  ``/v1/chat/completions``; streaming or not, ``response_format: json_object``.
* An empty FIM prompt (and suffix), or no chat messages, is answered as Ollama does: the model
  loaded (see :attr:`FakeDeepSeek.load_s`), nothing generated, finish reason ``load``.
* llama.cpp: ``POST /infill`` (its own stream format, no ``[DONE]``), ``GET /health``.
* :attr:`FakeDeepSeek.server` answers as a self-hosted server: its paths, its 404s; vLLM's 400 for
  a FIM ``suffix`` and its usage (no cache fields, ``prompt_tokens_details: null``); llama-server's
  usage on its OpenAI endpoints (the cached part in ``timings.cache_n`` alone).
* ``GET /models``, ``GET /v1/models``, ``GET /user/balance`` (:attr:`FakeDeepSeek.balance`);
  Tabby ``GET /v1/health``; OpenRouter's ``GET /key``, ``/v1/key`` (:attr:`FakeDeepSeek.key_info`);
  a path in :attr:`FakeDeepSeek.public_paths` needs no key.
* Control (no auth, not recorded), for a fake running in another process:
  ``GET /_fake/requests``, ``POST /_fake/script|fault|latency|usage_shape|reset``,
  ``POST /_fake/pause_after`` (``{"marker": ...}``), ``/_fake/paused`` (whether a stream is held
  there) and ``/_fake/resume``.

Answers come from a per-path queue (:meth:`FakeDeepSeek.script`), then a per-path responder
``fn(request_json) -> str | dict`` (:meth:`FakeDeepSeek.responder`), then a default. An answer dict
may carry ``text``, ``finish_reason`` and ``reasoning``. ``max_tokens``/``n_predict`` and ``stop``
are honoured like a real server (finish_reason ``length``/``stop``).

Streams send the answer in small chunks (``chunk_chars``), after ``ttft`` seconds and
``per_token`` seconds apart. Usage comes either as a separate last chunk with ``choices: []``
(``usage_shape="separate"``, default) or on the last content chunk (``"inline"``) or not at all
(``"none"``), or as Ollama sends it (``"ollama"``: separate, without DeepSeek's fields), with ``prompt_cache_hit_tokens``/``prompt_cache_miss_tokens`` and
``prompt_tokens_details.cached_tokens``; with :attr:`FakeDeepSeek.cost_per_token` set, also
OpenRouter's ``cost`` (USD), or with :attr:`FakeDeepSeek.cost_header` LiteLLM's: a whole answer's
in its ``x-litellm-response-cost`` header, a stream's in ``usage.cost``.

Token counts are approximations: 4 characters per token, rounded up. The simulated prefix cache
remembers every prompt per model and reports as hits the longest common prefix with any earlier
prompt, rounded down to 64-token units (FIM prompts are keyed as prefix + NUL + suffix, chat as the
concatenated messages, so an edit anywhere early kills the hit, as with DeepSeek).

Faults (:meth:`FakeDeepSeek.fault`, for the next ``count`` matching requests: of a ``path``,
whose ``prompt`` ends with ``prompt_end``, or any): ``status``
(any code, DeepSeek's error body, ``retry_after``), ``stall`` (keep-alive comment lines, or blank
lines when not streaming, for ``seconds``), ``disconnect`` (close mid-stream after
``after_chunks``), ``malformed`` (a chunk of broken JSON), ``blank`` (spaces, finish ``stop``),
``invalid_json`` (prose where JSON was asked), ``huge`` (``size`` characters whatever was asked),
``finish`` (finish_reason ``reason``: length, insufficient_system_resource, content_filter...),
``drop`` (read the request, then close the connection without a byte of answer: a server closing
an idle keep-alive connection just as the client reuses it, httpx's "Server disconnected without
sending a response"), ``raw`` (answer ``status`` (200) with ``headers`` and the ``body`` bytes exactly
as given, then close: another server's wire format, byte for byte).

The fake also serves as a forward proxy for itself (``HTTP_PROXY=fake.url``): an absolute-form
request target is answered as if it were the path alone, and recorded as ``proxied``.

Every request is recorded (:class:`RecordedRequest`): path, headers (authorization redacted),
JSON body, arrival time (``time.monotonic()``, the clock of asyncio's loop), and whether and when
the client hung up before the response was complete. Hang-ups are noticed within a millisecond
or so even while the fake is waiting between chunks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import select
import signal
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["DEFAULT_KEY", "FakeDeepSeek", "PrefixCache", "RecordedRequest", "approx_tokens"]

DEFAULT_KEY = "sk-fake-0123456789abcdef"
DEFAULT_FIM_ANSWER = "return a + b"
DEFAULT_CHAT_ANSWER = "Looks good to me."
DEFAULT_JSON_ANSWER = '{"findings": []}'
CHARS_PER_TOKEN = 4
CACHE_UNIT_TOKENS = 64

FIM_PATHS = ("/beta/completions", "/completions", "/v1/completions")
CHAT_PATHS = ("/chat/completions", "/beta/chat/completions", "/v1/chat/completions")
FAULT_KINDS = (
    "status",
    "stall",
    "disconnect",
    "malformed",
    "blank",
    "invalid_json",
    "huge",
    "finish",
    "drop",
    "raw",
)
Responder = Callable[[dict[str, Any]], "str | dict[str, Any]"]


def _json_text(obj: Any) -> tuple[str, str]:
    return "application/json", json.dumps(obj)


#: How a self-hosted server (``FakeDeepSeek.server``) answers a path it does not serve (a base
#: URL without /v1) and a model it does not have (``strict_models``), as their sources write it:
#: Ollama's gin router and its OpenAI middleware's NewError, vLLM's FastAPI and its
#: create_error_response, llama-server's error handler ("File Not Found"). Each gives the
#: content type and body for the path or model.
SERVER_404S: dict[str, tuple[Callable[[str], tuple[str, str]], Callable[[str], tuple[str, str]]]] = {
    "ollama": (
        lambda path: ("text/plain", "404 page not found"),
        lambda model: _json_text(
            {
                "error": {
                    "message": f'model "{model}" not found, try pulling it first',
                    "type": "not_found_error",
                    "param": None,
                    "code": None,
                }
            }
        ),
    ),
    # SGLang's FastAPI app: its 404 for a path, and for a model vLLM's words (OpenAI's shape).
    "sglang": (
        lambda path: _json_text({"detail": "Not Found"}),
        lambda model: _json_text(
            {"object": "error", "message": f"The model `{model}` does not exist.", "type": "NotFoundError", "param": None, "code": 404}
        ),
    ),
    "vllm": (
        lambda path: _json_text({"detail": "Not Found"}),
        lambda model: _json_text(
            {
                "object": "error",
                "message": f"The model `{model}` does not exist.",
                "type": "NotFoundError",
                "param": None,
                "code": 404,
            }
        ),
    ),
    # LiteLLM's proxy (FastAPI): its 404 for a path; a model it does not route, its 400 in
    # OpenAI's shape.
    "litellm": (
        lambda path: _json_text({"detail": "Not Found"}),
        lambda model: _json_text(
            {
                "error": {
                    "message": f"litellm.BadRequestError: Invalid model name passed in model={model}.",
                    "type": "None",
                    "param": None,
                    "code": "400",
                }
            }
        ),
    ),
    "llamacpp": (
        lambda path: _json_text(
            {"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}
        ),
        lambda model: _json_text(
            {"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}
        ),
    ),
}
#: How servers and gateways refuse a request field they do not take, by field name and value:
#: OpenAI's (and Azure's) 400, a FastAPI server whose models forbid extra fields (422, pydantic's
#: ``extra_forbidden`` with the value as its ``input``), vLLM's and SGLang's handler of such an
#: error (400, the errors' Python repr as the message, ``input`` and all), LiteLLM's proxy
#: without ``drop_params``, Groq's and Gemini's OpenAI-compatible endpoints. vLLM, SGLang,
#: llama-server and Ollama ignore fields they do not know (vLLM logs "The following fields were
#: present in the request but ignored"): theirs come from a model that forbids extra fields.
FIELD_REFUSALS: dict[str, Callable[[str, Any], tuple[int, dict[str, Any]]]] = {
    "openai": lambda f, v: (400, error_body(400, f"Unrecognized request argument supplied: {f}")),
    "fastapi": lambda f, v: (
        422,
        {"detail": [{"type": "extra_forbidden", "loc": ["body", f], "msg": "Extra inputs are not permitted", "input": v}]},
    ),
    # vLLM's validation_exception_handler: f"{str(exc)} {str(exc.errors())}" (FastAPI 0.115's
    # str(exc) is its own summary of the same list).
    "vllm": lambda f, v: (
        400,
        {
            "object": "error",
            "message": (
                f"1 validation error:\n  {_pydantic_error(f, v)!r}\n [{_pydantic_error(f, v)!r}]"
            ),
            "type": "Bad Request",
            "param": None,
            "code": 400,
        },
    ),
    "litellm": lambda f, v: (
        400,
        error_body(
            400,
            f"litellm.UnsupportedParamsError: openai does not support parameters: ['{f}'], for model=gpt-4o. "
            "To drop these, set `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: true`\n",
        ),
    ),
    "groq": lambda f, v: (400, error_body(400, f"property '{f}' is unsupported")),
    # OpenAI's reasoning models: max_tokens under another name.
    "openai-reasoning": lambda f, v: (
        400,
        error_body(400, f"Unsupported parameter: '{f}' is not supported with this model. Use 'max_completion_tokens' instead."),
    ),
    "gemini": lambda f, v: (400, error_body(400, f'Invalid JSON payload received. Unknown name "{f}": Cannot find field.')),
}


def _pydantic_error(field: str, value: Any) -> dict[str, Any]:
    """Pydantic's error for an extra field, as ``exc.errors()`` holds it (its ``loc`` a tuple)."""
    return {
        "type": "extra_forbidden",
        "loc": ("body", field),
        "msg": "Extra inputs are not permitted",
        "input": value,
        "url": "https://errors.pydantic.dev/2.11/v/extra_forbidden",
    }


#: The paths each of those serves (the others are not routed there): Ollama and vLLM serve the
#: OpenAI API under /v1 only; llama-server at its root too.
SERVER_PATHS = {
    "ollama": ("/v1/", "/api/version", "/api/ps"),
    "vllm": ("/v1/",),
    "sglang": ("/v1/", "/health"),
    "llamacpp": ("/v1/", "/completions", "/chat/completions", "/infill", "/models", "/health"),
    "litellm": ("/v1/", "/completions", "/chat/completions", "/models", "/model/info"),
}


def approx_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def _common_prefix_len(a: str, b: str) -> int:
    # Binary search over slice comparisons: C-speed memcmp instead of a Python loop per char.
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class PrefixCache:
    """DeepSeek's automatic prefix cache, approximately (see the module docstring)."""

    def __init__(self, unit_tokens: int = CACHE_UNIT_TOKENS, capacity: int = 512) -> None:
        self.unit_tokens = unit_tokens
        self._prompts: dict[str, deque[str]] = {}
        self._capacity = capacity
        self._lock = threading.Lock()

    def hit_tokens(self, model: str, text: str) -> int:
        """Cached tokens for this prompt; then remember it for later requests."""
        with self._lock:
            seen = self._prompts.setdefault(model, deque(maxlen=self._capacity))
            best = max((_common_prefix_len(text, old) for old in seen), default=0)
            seen.append(text)
        units = (best // CHARS_PER_TOKEN) // self.unit_tokens
        return min(units * self.unit_tokens, approx_tokens(text))

    def clear(self) -> None:
        with self._lock:
            self._prompts.clear()


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    received_at: float  # time.monotonic() when the request line arrived
    received_wall: float  # time.time()
    authorized: bool
    peer: tuple[str, int] | None = None  # the client's address: same port = reused connection
    status: int | None = None
    answer: str | None = None
    usage: dict[str, Any] | None = None
    completed: bool = False  # the whole response went out
    finished_at: float | None = None
    disconnected: bool = False  # the client hung up before the response was complete
    disconnected_at: float | None = None
    faults: list[str] = field(default_factory=list)
    proxied: bool = False  # sent to this server as a forward proxy (absolute-form target)
    #: What the model read of a FIM request: its prompt and suffix (``\x00`` between), less
    #: what the server left out (see FakeDeepSeek.num_ctx and completion_template); of a chat
    #: request, each message's role and content, ``\x00`` after each.
    read: str | None = None

    @property
    def closed(self) -> bool:
        return self.completed or self.disconnected

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _HangUp(Exception):
    """The client closed the connection."""


class _Abort(Exception):
    """A fault closes the connection on purpose."""


@dataclass
class _Fault:
    kind: str
    remaining: int | None  # None: until reset
    path: str | None
    params: dict[str, Any]
    #: Only a request whose JSON ``prompt`` ends so (None: any): the one request a test means,
    #: not one another key, a prefetch or an earlier step sent meanwhile.
    prompt_end: str | None = None

    def matches(self, path: str, body: Any) -> bool:
        if self.path not in (None, path):
            return False
        if self.prompt_end is None:
            return True
        prompt = body.get("prompt") if isinstance(body, dict) else None
        return isinstance(prompt, str) and prompt.endswith(self.prompt_end)


class FakeDeepSeek:
    """The fake server. ``with FakeDeepSeek() as fake: ... fake.url ...``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = DEFAULT_KEY,
        usage_shape: str = "separate",
        models: Iterable[str] = ("deepseek-flash", "deepseek-v4-flash", "deepseek-v4-pro"),
        strict_models: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.api_key = api_key
        self.models = list(models)
        self.strict_models = strict_models
        #: The self-hosted server this fake answers as (a key of SERVER_404S: its paths, its
        #: 404s for a path it does not serve and for a model it does not have); None: DeepSeek.
        self.server: str | None = None
        # DeepSeek's answer to GET /user/balance (amounts are strings there).
        self.balance: dict[str, Any] = {
            "is_available": True,
            "balance_infos": [
                {"currency": "USD", "total_balance": "12.50", "granted_balance": "2.50", "topped_up_balance": "10.00"}
            ],
        }
        self.cache = PrefixCache()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._queues: dict[str | None, deque[Any]] = {}
        self._responders: dict[str | None, Responder] = {}
        self._faults: list[_Fault] = []
        self._conns: set[socket.socket] = set()
        self.ttft = 0.0
        self.per_token = 0.0
        self.chunk_chars = 4
        self.keepalive_interval = 0.05
        self.set_usage_shape(usage_shape)
        #: USD per token put in each usage as ``cost``, as OpenRouter reports its bill; None: no
        #: ``cost`` (DeepSeek, self-hosted servers).
        self.cost_per_token: float | None = None
        #: LiteLLM's proxy: a whole (non-streamed) answer's cost is in the response header
        #: ``x-litellm-response-cost``, not in its usage; a stream's header is sent before
        #: the cost is known, so the stream's stays in ``usage.cost``.
        self.cost_header = False
        #: Ollama's cold start: a model not in :attr:`loaded` is loaded first, for ``load_s``
        #: seconds before any byte of the answer (headers included); a request arriving
        #: meanwhile waits for that load. A load whose request hangs up is given up ("client
        #: connection closed before server finished loading, aborting load"). 0: no loading.
        self.load_s = 0.0
        self.loaded: set[str] = set()
        #: False: ``stop`` is ignored, as by a server or proxy that drops the field, and the
        #: model writes on past it (its end-of-text marker left in the text).
        self.honours_stop = True
        #: Stop sequences a request may carry (text-generation-inference's
        #: ``--max-stop-sequences``, 4 by default): more are refused with its 422. None: any.
        self.max_stops: int | None = None
        #: Request fields refused by name (a key of FIELD_REFUSALS: whose words), as a server
        #: that does not take them: ``{"temperature": "openai"}``.
        self.refused_fields: dict[str, str] = {}
        self._loading: dict[str, float] = {}  # model: when its load under way ends
        #: Ollama's context (``num_ctx``, OLLAMA_CONTEXT_LENGTH), or None: any prompt fits. A
        #: longer one is cut from its start, as Ollama does, told by its usage alone; its
        #: ``GET /api/ps`` gives it as each model's ``context_length``.
        self.num_ctx: int | None = None
        #: False: an Ollama before 0.12, whose /api/ps tells no ``context_length``.
        self.ps_tells_context = True
        #: True: an Ollama whose usage counts only the prompt's tokens its cache did not hold
        #: (some versions' ``prompt_eval_count``).
        self.counts_uncached = False
        #: The FIM markers the model has as tokens, each counted as one in a prompt (None: any
        #: marker counted as text, as a model without them reads it).
        self.fim_tokens: tuple[str, ...] | None = None
        #: True: /api/ps lists a model only once a request asked for it (Ollama lists those
        #: loaded; the fake's others are listed as loaded from the start).
        self.ps_lists_asked_only = False
        #: SGLang's ``--completion-template``; None: its /v1/completions takes ``suffix`` and
        #: leaves it out (the model reads the prompt alone, and its usage counts that).
        self.completion_template: str | None = None
        #: Each model's ``owned_by`` in ``GET /models`` (Ollama's: ``library``), and the headers
        #: of that answer (LiteLLM's ``x-litellm-version``).
        self.owned_by = "deepseek"
        self.models_headers: dict[str, str] = {}
        #: Headers of every answer (LiteLLM's proxy: ``x-litellm-call-id``, ``x-litellm-version``).
        self.answer_headers: dict[str, str] = {}
        #: LiteLLM's proxy (server ``litellm``): each model's ``litellm_params`` (its upstream:
        #: ``{"model": "ollama/qwen2.5-coder:7b", "num_ctx": 1024}``) and ``model_info`` as its
        #: ``GET /model/info`` lists them; an upstream Ollama's prompts cut to :attr:`num_ctx`.
        self.litellm_params: dict[str, dict[str, Any]] = {}
        self.litellm_model_info: dict[str, dict[str, Any]] = {}
        #: True: the proxy's route leaves FIM's ``suffix`` out (LiteLLM's text completion to
        #: Ollama builds /api/generate's prompt alone; ``drop_params`` drops what it cannot map).
        self.drops_suffix = False
        #: Paths answered without a key, as OpenRouter's model list (``/api/v1/models``).
        self.public_paths: set[str] = set()
        #: OpenRouter's ``GET /key`` answer (the key's label, limit, usage); None: no such route.
        self.key_info: dict[str, Any] | None = None
        #: Held once a stream's text so far holds :attr:`_pause_marker` (see :meth:`pause_after`).
        self._pause_marker: str | None = None
        self.paused = threading.Event()
        #: The request held by :meth:`pause_after` and when its hold began (``time.monotonic()``).
        self.held: tuple[RecordedRequest, float] | None = None
        self._resumed = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeDeepSeek:
        server = _Server((self.host, self.port), _Handler)
        server.fake = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # unblock handlers stalled mid-answer or idle on keep-alive
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=2)

    def serve_until_signalled(self) -> None:
        """Run (standalone) until SIGINT or SIGTERM, then stop."""
        stopped = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopped.set())
        try:
            while not stopped.wait(0.5):
                pass
        finally:
            self.stop()

    def __enter__(self) -> FakeDeepSeek:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- configuration ------------------------------------------------------------------------

    def script(self, *answers: str | dict[str, Any], path: str | None = None) -> None:
        """Queue answers, served in order to requests on ``path`` (None: any path)."""
        with self._lock:
            self._queues.setdefault(path, deque()).extend(answers)

    def responder(self, fn: Responder | None, path: str | None = None) -> None:
        """Answer with ``fn(request_json)`` when no scripted answer is queued."""
        with self._lock:
            if fn is None:
                self._responders.pop(path, None)
            else:
                self._responders[path] = fn

    def fault(
        self,
        kind: str,
        count: int | None = 1,
        path: str | None = None,
        *,
        prompt_end: str | None = None,
        **params: Any,
    ) -> None:
        """Misbehave on the next ``count`` requests to ``path`` (None: any API path) whose
        ``prompt`` ends with ``prompt_end`` (None: any)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {FAULT_KINDS}")
        if kind == "status" and "status" not in params:
            raise ValueError("fault('status') needs status=<code>")
        with self._lock:
            self._faults.append(_Fault(kind, count, path, params, prompt_end))

    def set_latency(
        self, ttft: float = 0.0, per_token: float = 0.0, chunk_chars: int | None = None
    ) -> None:
        with self._lock:
            self.ttft = ttft
            self.per_token = per_token
            if chunk_chars is not None:
                self.chunk_chars = max(1, chunk_chars)

    def pause_after(self, marker: str) -> None:
        """Hold the next stream whose text so far holds ``marker`` until :meth:`resume` (a hang-up
        meanwhile ends it as any other): a test acts at a known point of a stream, where a sleep
        guessed how long its first lines take, and a busy machine took longer."""
        with self._lock:
            self._pause_marker = marker
            self.held = None
        self.paused.clear()
        self._resumed.clear()

    def resume(self) -> None:
        self._resumed.set()

    async def wait_paused_async(self, timeout: float = 10.0) -> bool:
        return await asyncio.to_thread(self.paused.wait, timeout)

    def set_usage_shape(self, shape: str) -> None:
        if shape not in ("separate", "inline", "none", "ollama"):
            raise ValueError("usage_shape must be separate, inline, none or ollama")
        self.usage_shape = shape

    def reset(self) -> None:
        """Forget requests, queues, responders, faults, latency and the prefix cache."""
        with self._lock:
            self._requests.clear()
            self._queues.clear()
            self._responders.clear()
            self._faults.clear()
            self.ttft = self.per_token = self.load_s = 0.0
            self.chunk_chars = 4
            self._pause_marker = None
            self.loaded.clear()
            self._loading.clear()
        self.cache.clear()

    # -- inspection ---------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def wait_closed(self, request: RecordedRequest | int = -1, timeout: float = 2.0) -> bool:
        """Block until the request's response completed or the client hung up. Blocking: from
        async code use :meth:`wait_closed_async` (the client's close needs the event loop)."""
        end = time.monotonic() + timeout
        with self._changed:
            while True:
                rec = self._resolve(request)
                if rec is not None and rec.closed:
                    return True
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)

    def wait_requested(self, path: str, timeout: float = 10.0) -> bool:
        """Block until a request to ``path`` has arrived (answered or not)."""
        with self._changed:
            return self._changed.wait_for(lambda: any(r.path == path for r in self._requests), timeout)

    async def wait_closed_async(
        self, request: RecordedRequest | int = -1, timeout: float = 2.0
    ) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                rec = self._resolve(request)
                if rec is not None and rec.closed:
                    return True
            await asyncio.sleep(0.001)
        return False

    def _resolve(self, request: RecordedRequest | int) -> RecordedRequest | None:
        if isinstance(request, RecordedRequest):
            return request
        try:
            return self._requests[request]
        except IndexError:
            return None

    # -- internals used by the handler ----------------------------------------------------------

    def _record(self, rec: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(rec)
            self._changed.notify_all()

    def _update(self, rec: RecordedRequest, **changes: Any) -> None:
        with self._changed:
            for key, value in changes.items():
                setattr(rec, key, value)
            self._changed.notify_all()

    def _take_faults(self, path: str, body: Any = None) -> dict[str, dict[str, Any]]:
        taken: dict[str, dict[str, Any]] = {}
        with self._lock:
            for f in list(self._faults):
                if not f.matches(path, body) or f.kind in taken:
                    continue
                taken[f.kind] = f.params
                if f.remaining is not None:
                    f.remaining -= 1
                    if f.remaining <= 0:
                        self._faults.remove(f)
        return taken

    def _answer(self, path: str, body: dict[str, Any], default: str) -> dict[str, Any]:
        with self._lock:
            for key in (path, None):
                queue = self._queues.get(key)
                if queue:
                    return _as_answer(queue.popleft())
            fn = self._responders.get(path) or self._responders.get(None)
        if fn is not None:
            return _as_answer(fn(body))
        return {"text": default}

    def _apply_control(self, name: str, payload: Any) -> Any:
        if name == "requests":
            return [r.to_dict() for r in self.requests]
        if name == "reset":
            self.reset()
        elif name == "script":
            self.script(*payload.get("answers", []), path=payload.get("path"))
        elif name == "fault":
            params = dict(payload)
            self.fault(
                params.pop("kind"), params.pop("count", 1), params.pop("path", None), **params
            )
        elif name == "latency":
            self.set_latency(**payload)
        elif name == "usage_shape":
            self.set_usage_shape(payload["shape"])
        elif name == "pause_after":
            self.pause_after(payload["marker"])
        elif name == "paused":
            return {"paused": self.paused.is_set()}
        elif name == "resume":
            self.resume()
        else:
            raise KeyError(name)
        return {"ok": True}

    def load_script(self, spec: Any) -> None:
        """Configure from a JSON script (the ``--script`` file): a list of answers, or
        ``{"answers": [...], "paths": {path: [...]}, "latency": {...}, "faults": [...],
        "usage_shape": "inline"}``."""
        if isinstance(spec, list):
            spec = {"answers": spec}
        self.script(*spec.get("answers", []))
        for path, answers in spec.get("paths", {}).items():
            self.script(*answers, path=path)
        if "latency" in spec:
            self.set_latency(**spec["latency"])
        for f in spec.get("faults", []):
            self._apply_control("fault", f)
        if "usage_shape" in spec:
            self.set_usage_shape(spec["usage_shape"])


def _as_answer(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"text": "", **value}
    return {"text": str(value)}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops connects from a client opening its pool
    fake: FakeDeepSeek

    def server_activate(self) -> None:
        super().server_activate()
        # serve_forever accepts once select() says a connection waits; one gone by then (a
        # client that hung up at once) left accept() blocked for good, and stop() with it: a
        # whole test run hung. Not blocking, a connection gone is an OSError, and skipped.
        self.socket.setblocking(False)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.fake._lock:
            self.fake._conns.add(request)
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client resetting an idle keep-alive connection is normal, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.fake._lock:
            self.fake._conns.discard(request)
        super().shutdown_request(request)


_ERROR_TYPES = {
    400: ("invalid_request_error", "Invalid request"),
    401: ("authentication_error", "Authentication Fails, Your api key is invalid"),
    402: ("unknown_error", "Insufficient Balance"),
    404: ("invalid_request_error", "Not Found"),
    422: ("invalid_request_error", "Invalid Parameters"),
    429: ("rate_limit_error", "Rate Limit Reached"),
    500: ("api_error", "Server Error"),
    503: ("api_error", "Server Overloaded"),
}


def error_body(status: int, message: str | None = None, code: str | None = None) -> dict[str, Any]:
    """DeepSeek's error shape."""
    etype, default = _ERROR_TYPES.get(status, ("api_error", f"Error {status}"))
    return {
        "error": {
            "message": message or default,
            "type": etype,
            "param": None,
            "code": code or etype,
        }
    }


class _BadRequest(Exception):
    def __init__(self, status: int, message: str, raw: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        #: Another server's own answer: content type and body (None: DeepSeek's error shape).
        self.raw = raw


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-deepseek/1.0"
    # Real servers flush each SSE chunk at once; with Nagle on, every small write after the
    # headers would wait ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def parse_request(self) -> bool:
        # The request line has just been read: the request is here. Parsing its headers and
        # body is this server's own work, not the client's, and is timed as such.
        self._arrived = time.monotonic()
        return super().parse_request()

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    # -- plumbing -------------------------------------------------------------------------------

    @property
    def fake(self) -> FakeDeepSeek:
        return self.server.fake

    rec: RecordedRequest | None = None
    _arrived = 0.0

    def _dispatch(self) -> None:
        self.rec = None  # keep-alive: the previous request's record is done with
        path = self.path.split("?", 1)[0]
        proxied = "://" in path
        if proxied:
            # The absolute form a client sends to a forward proxy (HTTP_PROXY pointing at this
            # server): served as if it were the origin.
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path.startswith("/_fake/"):
            self._control(path[len("/_fake/") :], raw)
            return
        try:
            body: Any = json.loads(raw) if raw else None
            bad_json = False
        except ValueError:
            body, bad_json = None, True
        headers = {
            k.lower(): ("<redacted>" if k.lower() == "authorization" else v)
            for k, v in self.headers.items()
        }
        auth = self.headers.get("Authorization")
        fake = self.fake
        authorized = fake.api_key is None or auth == f"Bearer {fake.api_key}" or path in fake.public_paths
        rec = RecordedRequest(
            method=self.command,
            path=path,
            headers=headers,
            json=body,
            received_at=self._arrived,
            received_wall=time.time() - (time.monotonic() - self._arrived),
            authorized=authorized,
            peer=tuple(self.client_address[:2]),
            proxied=proxied,
        )
        fake._record(rec)
        self.rec = rec
        try:
            if not authorized:
                self._error(401, "Authentication Fails, Your api key is invalid")
                return
            faults = fake._take_faults(path, body)
            rec.faults = sorted(faults)
            if "drop" in faults:
                raise _Abort
            if "raw" in faults:
                self._raw(faults["raw"])
                return
            if "status" in faults:
                f = faults["status"]
                extra = {}
                if f.get("retry_after") is not None:
                    extra["Retry-After"] = str(f["retry_after"])
                # delay=: requests sent together all meet the error before any is answered.
                self._check_alive(float(f.get("delay", 0.0)))
                self._error(int(f["status"]), f.get("message"), extra)
                return
            if bad_json or (self.command == "POST" and not isinstance(body, dict)):
                self._error(400, "Failed to deserialize the JSON body into the target type")
                return
            self._route(path, body or {}, faults)
        except _HangUp:
            self.close_connection = True
        except _Abort:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        except _BadRequest as exc:
            if exc.raw is not None:
                ctype, text = exc.raw
                self._send(exc.status, text.encode(), ctype)
                fake._update(rec, status=exc.status, completed=True, finished_at=time.monotonic())
            else:
                self._error(exc.status, exc.message)
        except (BrokenPipeError, ConnectionResetError):
            self._hung_up()
            self.close_connection = True

    def _route(self, path: str, body: dict[str, Any], faults: dict[str, dict[str, Any]]) -> None:
        cmd = self.command
        server = self.fake.server
        if server is not None and not path.startswith(SERVER_PATHS[server]):
            raise _BadRequest(404, "not found", SERVER_404S[server][0](path))
        if cmd in ("GET", "HEAD"):
            if path in ("/models", "/v1/models"):
                self._stall_wait(faults)  # a server that has not answered yet
                data = [
                    {"id": m, "object": "model", "owned_by": self.fake.owned_by} for m in self.fake.models
                ]
                self._json(200, {"object": "list", "data": data}, dict(self.fake.models_headers))
            elif path == "/api/version" and self.fake.server == "ollama":
                self._json(200, {"version": "0.12.3"})  # Ollama's native API, at its root
            elif path == "/api/ps" and self.fake.server == "ollama":
                # The models loaded, each with the context it was loaded with (Ollama 0.12).
                ctx = self.fake.num_ctx or 4096
                told = {"context_length": ctx} if self.fake.ps_tells_context else {}
                models = self.fake.models
                if self.fake.ps_lists_asked_only:  # (as Ollama: the models loaded, by a request)
                    asked = {r.json.get("model") for r in self.fake.requests if r.method == "POST" and isinstance(r.json, dict)}
                    models = [m for m in models if m in asked]
                loaded = [{"name": m, "model": m, "size": 4_683_087_332, **told} for m in models]
                self._json(200, {"models": loaded})
            elif path in ("/model/info", "/v1/model/info") and self.fake.server == "litellm":
                # LiteLLM's deployments: the api_key left out, model_info merged with its cost map's.
                deployments = [
                    {
                        "model_name": m,
                        "litellm_params": self.fake.litellm_params.get(m, {"model": f"openai/{m}"}),
                        "model_info": {"id": f"id-{i}", **self.fake.litellm_model_info.get(m, {})},
                    }
                    for i, m in enumerate(self.fake.models)
                ]
                self._json(200, {"data": deployments})
            elif path == "/user/balance":
                self._json(200, self.fake.balance)
            elif path in ("/key", "/v1/key") and self.fake.key_info is not None:
                self._json(200, {"data": self.fake.key_info})
            elif path == "/v1/health":
                self._json(
                    200,
                    {
                        "model": "fake",
                        "device": "cpu",
                        "arch": "x86_64",
                        "cpu_info": "fake",
                        "cpu_count": 1,
                        "cuda_devices": [],
                        "version": {"build_date": "2026-01-01", "git_describe": "fake"},
                    },
                )
            elif path == "/health":
                self._json(200, {"status": "ok"})
            else:
                self._error(404, f"no route for {cmd} {path}")
            return
        if path == "/v1/completions" and "segments" in body:
            self._tabby(path, body, faults)
        elif path in FIM_PATHS:
            self._fim(path, body, faults)
        elif path in CHAT_PATHS:
            self._chat(path, body, faults)
        elif path == "/infill":
            self._infill(path, body, faults)
        else:
            self._error(404, f"no route for {cmd} {path}")

    def _control(self, name: str, raw: bytes) -> None:
        try:
            payload = json.loads(raw) if raw else {}
            result = self.fake._apply_control(name, payload)
        except (KeyError, TypeError, ValueError) as exc:
            self._send(400, json.dumps({"error": str(exc)}).encode(), "application/json")
            return
        self._send(200, json.dumps(result).encode(), "application/json")

    def _send(
        self, status: int, data: bytes, ctype: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in {**self.fake.answer_headers, **(extra or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _raw(self, params: dict[str, Any]) -> None:
        """Another server's answer byte for byte (``body``: str or bytes), then a close; after
        ``delay`` seconds, as the status fault's."""
        self._check_alive(float(params.get("delay", 0.0)))
        body = params.get("body", b"")
        data = body.encode() if isinstance(body, str) else bytes(body)
        headers = {"Content-Type": "text/event-stream", **(params.get("headers") or {})}
        status = int(params.get("status", 200))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True
        self.fake._update(self.rec, status=status, completed=True, finished_at=time.monotonic())

    def _json(self, status: int, obj: Any, extra: dict[str, str] | None = None) -> None:
        rec = getattr(self, "rec", None)
        self._send(status, json.dumps(obj).encode(), "application/json", extra)
        if rec is not None:
            self.fake._update(rec, status=status, completed=True, finished_at=time.monotonic())

    def _error(
        self, status: int, message: str | None = None, extra: dict[str, str] | None = None
    ) -> None:
        self._json(status, error_body(status, message), extra)

    def _hung_up(self) -> None:
        rec = getattr(self, "rec", None)
        if rec is not None and not rec.closed:
            self.fake._update(rec, disconnected=True, disconnected_at=time.monotonic())

    def _check_alive(self, timeout: float = 0.0) -> None:
        """Wait up to ``timeout`` (0: just look), raising _HangUp as soon as the client closes."""
        end = time.monotonic() + timeout
        while True:
            remaining = max(0.0, end - time.monotonic())
            readable, _, _ = select.select([self.connection], [], [], remaining)
            if readable:
                try:
                    peek = self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    peek = b""
                if not peek:
                    self._hung_up()
                    raise _HangUp
                # A pipelined next request: not a hang-up; just let the time pass.
                time.sleep(max(0.0, end - time.monotonic()))
                return
            if remaining <= 0:
                return

    def _start_chunked(self, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-ds-trace-id", uuid.uuid4().hex)
        for k, v in self.fake.answer_headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.fake._update(self.rec, status=200)

    def _chunk(self, data: bytes) -> None:
        self._check_alive(0.0)
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        except (BrokenPipeError, ConnectionResetError):
            self._hung_up()
            raise _HangUp from None

    def _end_chunked(self) -> None:
        self._check_alive(0.0)
        try:
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self._hung_up()
            raise _HangUp from None
        self.fake._update(self.rec, completed=True, finished_at=time.monotonic())

    def _stall(self, faults: dict[str, dict[str, Any]], line: bytes) -> None:
        stall = faults.get("stall")
        if not stall:
            return
        end = time.monotonic() + float(stall.get("seconds", 1.0))
        interval = float(stall.get("interval", self.fake.keepalive_interval))
        while time.monotonic() < end:
            self._chunk(line)
            self._check_alive(min(interval, max(0.0, end - time.monotonic())))

    # -- answers --------------------------------------------------------------------------------

    def _shape(
        self,
        answer: dict[str, Any],
        body: dict[str, Any],
        faults: dict[str, dict[str, Any]],
        *,
        max_key: str = "max_tokens",
    ) -> tuple[str, str]:
        """The text to send and its finish_reason, like a server that honours limits."""
        text = str(answer.get("text", ""))
        finish = answer.get("finish_reason") or "stop"
        if "blank" in faults:
            text = " " * int(faults["blank"].get("size", 8))
        elif "invalid_json" in faults:
            text = "Sure! Here is the review you asked for: everything looks fine."
        elif "huge" in faults:
            size = int(faults["huge"].get("size", 200_000))
            text = ("x = 1  # filler\n" * (size // 16 + 1))[:size]
            return text, "stop"
        stop = body.get("stop") if self.fake.honours_stop else None
        stops = [stop] if isinstance(stop, str) else [s for s in (stop or []) if s]
        cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
        if cut >= 0:
            text, finish = text[:cut], "stop"
        limit = body.get(max_key)
        if isinstance(limit, int) and limit > 0 and approx_tokens(text) > limit:
            text, finish = text[: limit * CHARS_PER_TOKEN], "length"
        if "finish" in faults:
            finish = faults["finish"].get("reason", "length")
        return text, finish

    def _pieces(self, text: str, faults: dict[str, dict[str, Any]]) -> list[str]:
        size = self.fake.chunk_chars if "huge" not in faults else 256
        return [text[i : i + size] for i in range(0, len(text), size)] or []

    def _usage(self, model: str, cache_text: str, completion: str) -> dict[str, Any]:
        prompt = approx_tokens(cache_text)
        if self.fake.fim_tokens:
            plain, tokens = cache_text, 0
            for token in self.fake.fim_tokens:
                tokens, plain = tokens + plain.count(token), plain.replace(token, "")
            prompt = approx_tokens(plain) + tokens
        hit = self.fake.cache.hit_tokens(model, cache_text)
        out = approx_tokens(completion)
        if self.fake.server == "ollama" and self.fake.counts_uncached:
            prompt -= hit
        usage: dict[str, Any] = {
            "prompt_tokens": prompt,
            "completion_tokens": out,
            "total_tokens": prompt + out,
            "prompt_tokens_details": {"cached_tokens": hit},
            "prompt_cache_hit_tokens": hit,
            "prompt_cache_miss_tokens": prompt - hit,
        }
        if self.fake.cost_per_token is not None:
            usage["cost"] = (prompt + out) * self.fake.cost_per_token
        if self.fake.server == "vllm":
            # vLLM's UsageInfo: no cache fields, its details null unless started with
            # --enable-prompt-tokens-details.
            return {"prompt_tokens": prompt, "total_tokens": prompt + out, "completion_tokens": out, "prompt_tokens_details": None}
        return usage

    def _load_model(self, model: str) -> None:
        """Ollama's load of a model not loaded yet (see :attr:`FakeDeepSeek.load_s`)."""
        fake = self.fake
        while fake.load_s > 0:
            with fake._lock:
                if model in fake.loaded:
                    return
                loads = model not in fake._loading
                if loads:
                    fake._loading[model] = time.monotonic() + fake.load_s
                until = fake._loading[model]
            if not loads:  # queued behind another request's load
                self._check_alive(min(0.02, max(0.001, until - time.monotonic())))
                continue
            try:
                self._check_alive(fake.load_s)
            except _HangUp:
                with fake._lock:
                    fake._loading.pop(model, None)
                raise
            with fake._lock:
                fake._loading.pop(model, None)
                fake.loaded.add(model)
            return

    def _loaded_only(self, body: dict[str, Any], choice: dict[str, Any]) -> None:
        """Ollama's answer to an empty prompt (no messages): the model is loaded, nothing is
        generated, scripted answers are left for the requests after."""
        self.fake._update(self.rec, answer="")
        chunk = {"id": str(uuid.uuid4()), "model": body.get("model"), "choices": [choice]}
        if not body.get("stream"):
            self._json(200, chunk)
            return
        self._stream_frames([(chunk, False)], {})

    def _validate_common(self, body: dict[str, Any]) -> str:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _BadRequest(422, "Missing required parameter: model")
        if self.fake.strict_models and model not in self.fake.models:
            if self.fake.server is not None:
                raise _BadRequest(404, "no such model", SERVER_404S[self.fake.server][1](model))
            raise _BadRequest(400, "Model Not Exist")
        if "stream_options" in body and not body.get("stream"):
            raise _BadRequest(400, "stream_options should be set along with stream = true")
        for name, words in self.fake.refused_fields.items():
            if name in body:
                status, said = FIELD_REFUSALS[words](name, body[name])
                raise _BadRequest(status, "unknown field", _json_text(said))
        stop = body.get("stop")
        stops = [stop] if isinstance(stop, str) else list(stop or [])
        if self.fake.max_stops is not None and len(stops) > self.fake.max_stops:
            said = f"`stop` supports up to {self.fake.max_stops} stop sequences. Given: {len(stops)}"
            raise _BadRequest(422, said)
        self._load_model(model)
        return model

    def _stream_frames(
        self,
        frames: list[tuple[dict[str, Any], bool]],
        faults: dict[str, dict[str, Any]],
        *,
        done: bool = True,
    ) -> None:
        """Send SSE frames (payload, is_content) with latency and mid-stream faults."""
        fake = self.fake
        self._start_chunked("text/event-stream; charset=utf-8")
        self._stall(faults, b": keep-alive\n\n")
        self._check_alive(fake.ttft)
        disconnect = faults.get("disconnect")
        malformed = faults.get("malformed")
        sent = 0
        text = ""
        for payload, is_content in frames:
            if is_content:
                if disconnect is not None and sent >= int(disconnect.get("after_chunks", 1)):
                    raise _Abort
                if malformed is not None and sent == int(malformed.get("after_chunks", 0)):
                    self._chunk(b'data: {"id": "broken", "choices": [{"text": "ab\n\n')
                if sent and fake.per_token:
                    self._check_alive(fake.per_token)
                sent += 1
            self._chunk(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
            if is_content and fake._pause_marker is not None:
                text += _content_of(payload)
                self._pause_at(text)
        if disconnect is not None:
            raise _Abort
        if done:
            self._chunk(b"data: [DONE]\n\n")
        self._end_chunked()

    def _pause_at(self, text: str) -> None:
        fake = self.fake
        with fake._lock:
            if fake._pause_marker is None or fake._pause_marker not in text:
                return
            fake._pause_marker = None  # once
            fake.held = (self.rec, time.monotonic())
        fake.paused.set()
        while not fake._resumed.is_set():
            self._check_alive(0.01)

    def _attach_usage(
        self,
        frames: list[tuple[dict[str, Any], bool]],
        usage: dict[str, Any],
        envelope: dict[str, Any],
    ) -> None:
        shape = self.fake.usage_shape
        if self.fake.server == "llamacpp":
            # llama-server's OpenAI endpoints (b6497 on): a last chunk with usage whether asked
            # or not, without the cached part, which is in its timings alone (cache_n; prompt_n
            # counts the tokens evaluated anew).
            hit = usage["prompt_cache_hit_tokens"]
            plain = {k: usage[k] for k in ("completion_tokens", "prompt_tokens", "total_tokens")}
            timings = {"cache_n": hit, "prompt_n": usage["prompt_tokens"] - hit, "predicted_n": usage["completion_tokens"]}
            frames.append(({**envelope, "choices": [], "usage": plain, "timings": timings}, False))
        elif shape == "ollama":
            # Ollama's OpenAI layer (0.33.3 on): prompt_tokens is the whole prompt, its cached
            # part only in prompt_tokens_details; none of DeepSeek's fields.
            ollama = {k: v for k, v in usage.items() if not k.startswith("prompt_cache_")}
            frames.append(({**envelope, "choices": [], "usage": ollama}, False))
        elif shape == "inline":
            frames[-1][0]["usage"] = usage
        elif shape == "separate":
            frames.append(({**envelope, "choices": [], "usage": usage}, False))

    def _fim(self, path: str, body: dict[str, Any], faults: dict[str, dict[str, Any]]) -> None:
        model = self._validate_common(body)
        prompt = body.get("prompt")
        if not isinstance(prompt, str):
            raise _BadRequest(422, "Missing required parameter: prompt")
        suffix = body.get("suffix")
        if body.get("echo") and suffix:
            raise _BadRequest(400, "echo cannot be used together with suffix")
        if self.fake.server == "vllm" and suffix is not None:
            # vLLM's /v1/completions takes no FIM suffix, an empty one neither (its renderer's
            # check is "is not None"), in its ErrorResponse shape.
            said = {"object": "error", "message": "suffix is not currently supported", "type": "BadRequestError", "param": None, "code": 400}
            raise _BadRequest(400, "suffix", _json_text(said))
        if not prompt and not suffix:
            self._loaded_only(body, {"text": "", "index": 0, "logprobs": None, "finish_reason": "load"})
            return
        answer = self.fake._answer(path, body, DEFAULT_FIM_ANSWER)
        text, finish = self._shape(answer, body, faults)
        cache_text = self._read(prompt, suffix)
        usage = self._usage(model, cache_text, text)
        self.fake._update(self.rec, answer=text, usage=usage, read=cache_text)
        envelope = {
            "id": str(uuid.uuid4()),
            "object": "text_completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
        }
        if not body.get("stream"):
            self._stall_blank_then_json(
                faults,
                {
                    **envelope,
                    "choices": [
                        {"text": text, "index": 0, "logprobs": None, "finish_reason": finish}
                    ],
                    "usage": usage,
                },
            )
            return
        pieces = self._pieces(text, faults)
        frames: list[tuple[dict[str, Any], bool]] = [
            (
                {
                    **envelope,
                    "choices": [{"text": p, "index": 0, "logprobs": None, "finish_reason": None}],
                },
                True,
            )
            for p in pieces
        ]
        last = {
            **envelope,
            "choices": [{"text": "", "index": 0, "logprobs": None, "finish_reason": finish}],
        }
        if frames:
            frames[-1][0]["choices"][0]["finish_reason"] = finish
        else:
            frames.append((last, True))
        self._attach_usage(frames, usage, envelope)
        self._stream_frames(frames, faults)

    def _read(self, prompt: str, suffix: str | None) -> str:
        """What the model reads of a FIM request (see RecordedRequest.read)."""
        fake = self.fake
        read = prompt if suffix is None else f"{prompt}\x00{suffix}"
        if (
            (fake.server == "sglang" and fake.completion_template is None)
            or fake.server == "llamacpp"
            or (fake.server == "litellm" and fake.drops_suffix)
        ):
            read = prompt  # (its usage counts the prompt alone; llama-server's FIM is /infill)
        return self._ollama_cut(read)

    def _ollama_cut(self, read: str) -> str:
        """``read`` as Ollama reads it: past its context, its start dropped, no word said."""
        fake = self.fake
        if fake.server in ("ollama", "litellm") and fake.num_ctx is not None and approx_tokens(read) > fake.num_ctx:
            read = read[len(read) - fake.num_ctx * CHARS_PER_TOKEN :]
        return read

    def _chat(self, path: str, body: dict[str, Any], faults: dict[str, dict[str, Any]]) -> None:
        model = self._validate_common(body)
        messages = body.get("messages")
        if messages == []:
            self._loaded_only(body, {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": "load"})
            return
        if not isinstance(messages, list):
            raise _BadRequest(422, "Missing required parameter: messages")
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or "role" not in m:
                raise _BadRequest(422, f"messages[{i}] needs a role")
            if m.get("prefix") and (not path.startswith("/beta/") or i != len(messages) - 1):
                raise _BadRequest(
                    400, "prefix is only allowed on the last message, on the beta base"
                )
        fmt = body.get("response_format") or {}
        json_mode = isinstance(fmt, dict) and fmt.get("type") == "json_object"
        if json_mode and "json" not in json.dumps(messages).lower():
            raise _BadRequest(
                400, "Prompt must contain the word 'json' to use response_format json_object"
            )
        thinking = body.get("thinking")
        thinking_on = isinstance(thinking, dict) and thinking.get("type") == "enabled"
        default = DEFAULT_JSON_ANSWER if json_mode else DEFAULT_CHAT_ANSWER
        answer = self.fake._answer(path, body, default)
        text, finish = self._shape(answer, body, faults)
        reasoning = str(answer.get("reasoning") or "") if thinking_on else ""
        cache_text = self._ollama_cut("".join(f"{m.get('role')}\x00{m.get('content') or ''}\x00" for m in messages))
        usage = self._usage(model, cache_text, reasoning + text)
        self.fake._update(self.rec, read=cache_text)
        if reasoning:
            usage["completion_tokens_details"] = {"reasoning_tokens": approx_tokens(reasoning)}
        self.fake._update(self.rec, answer=text, usage=usage)
        envelope = {
            "id": str(uuid.uuid4()),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
        }
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if thinking_on:
                message["reasoning_content"] = reasoning
            self._stall_blank_then_json(
                faults,
                {
                    **envelope,
                    "object": "chat.completion",
                    "choices": [
                        {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
                    ],
                    "usage": usage,
                },
            )
            return

        def frame(delta: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
            return {
                **envelope,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
                ],
            }

        frames: list[tuple[dict[str, Any], bool]] = [
            (frame({"role": "assistant", "content": None if reasoning else ""}), False)
        ]
        frames += [
            (frame({"reasoning_content": p, "content": None}), True)
            for p in self._pieces(reasoning, faults)
        ]
        frames += [(frame({"content": p}), True) for p in self._pieces(text, faults)]
        frames.append((frame({"content": ""}, finish), False))
        self._attach_usage(frames, usage, envelope)
        self._stream_frames(frames, faults)

    def _infill(self, path: str, body: dict[str, Any], faults: dict[str, dict[str, Any]]) -> None:
        prefix = body.get("input_prefix")
        if not isinstance(prefix, str):
            raise _BadRequest(400, '"input_prefix" is required')
        suffix = str(body.get("input_suffix") or "")
        extra = body.get("input_extra") or []
        if not isinstance(extra, list) or any(
            not isinstance(e, dict) or "text" not in e for e in extra
        ):
            raise _BadRequest(400, '"input_extra" must be a list of {filename, text}')
        answer = self.fake._answer(path, body, DEFAULT_FIM_ANSWER)
        text, finish = self._shape(answer, body, faults, max_key="n_predict")
        cache_text = "".join(str(e.get("text", "")) for e in extra) + f"{prefix}\x00{suffix}"
        usage = self._usage("llamacpp", cache_text, text)
        self.fake._update(self.rec, answer=text, usage=usage)
        prompt_n, hit, out = (
            usage["prompt_tokens"],
            usage["prompt_cache_hit_tokens"],
            usage["completion_tokens"],
        )
        final = {
            "index": 0,
            "content": "",
            "tokens": [],
            "id_slot": 0,
            "stop": True,
            "model": "fake-llamacpp",
            "tokens_predicted": out,
            "tokens_evaluated": prompt_n,
            "generation_settings": {"n_predict": body.get("n_predict", -1)},
            "prompt": "",
            "has_new_line": "\n" in text,
            "truncated": False,
            "stop_type": "limit" if finish == "length" else "eos",
            "stopping_word": "",
            "tokens_cached": prompt_n,
            "timings": {
                "cache_n": hit,
                "prompt_n": prompt_n - hit,
                "prompt_ms": 1.0,
                "predicted_n": out,
                "predicted_ms": 1.0,
            },
        }
        if not body.get("stream"):
            self._stall_blank_then_json(faults, {**final, "content": text})
            return
        frames: list[tuple[dict[str, Any], bool]] = []
        for n, piece in enumerate(self._pieces(text, faults), 1):
            frames.append(
                (
                    {
                        "index": 0,
                        "content": piece,
                        "tokens": [],
                        "stop": False,
                        "id_slot": 0,
                        "tokens_predicted": n,
                        "tokens_evaluated": prompt_n,
                    },
                    True,
                )
            )
        frames.append((final, False))
        # llama.cpp's /infill stream ends without [DONE].
        self._stream_frames(frames, faults, done=False)

    def _tabby(self, path: str, body: dict[str, Any], faults: dict[str, dict[str, Any]]) -> None:
        segments = body.get("segments")
        if not isinstance(segments, dict) or not isinstance(segments.get("prefix"), str):
            raise _BadRequest(422, "segments.prefix is required")
        answer = self.fake._answer(path, body, DEFAULT_FIM_ANSWER)
        text, _finish = self._shape(answer, body, faults)
        self.fake._update(self.rec, answer=text)
        fake = self.fake
        self._stall_wait(faults)
        self._check_alive(fake.ttft + fake.per_token * max(0, len(self._pieces(text, faults)) - 1))
        self._json(200, {"id": f"cmpl-{uuid.uuid4()}", "choices": [{"index": 0, "text": text}]})

    def _stall_wait(self, faults: dict[str, dict[str, Any]]) -> None:
        if "stall" in faults:
            self._check_alive(float(faults["stall"].get("seconds", 1.0)))

    def _stall_blank_then_json(
        self, faults: dict[str, dict[str, Any]], obj: dict[str, Any]
    ) -> None:
        """A non-streaming answer. While stalled, DeepSeek sends blank lines before the JSON."""
        fake = self.fake
        delay = fake.ttft + fake.per_token * max(0, approx_tokens(str(self.rec.answer or "")) - 1)
        extra: dict[str, str] = {}
        usage = obj.get("usage")
        if fake.cost_header and isinstance(usage, dict) and "cost" in usage:
            obj = {**obj, "usage": {k: v for k, v in usage.items() if k != "cost"}}
            extra["x-litellm-response-cost"] = repr(usage["cost"])
        if "stall" not in faults and "disconnect" not in faults:
            self._check_alive(delay)
            self._json(200, obj, extra)
            return
        self._start_chunked("application/json")
        self._stall(faults, b"\n")
        self._check_alive(delay)
        if "disconnect" in faults:
            raise _Abort
        self._chunk(json.dumps(obj, ensure_ascii=False).encode())
        self._end_chunked()


# -- standalone ---------------------------------------------------------------------------------


def _content_of(payload: dict[str, Any]) -> str:
    """The text a stream's frame carries (a completion's or a chat delta's)."""
    choices = payload.get("choices") or [{}]
    return str(choices[0].get("text") or (choices[0].get("delta") or {}).get("content") or "")


def _load_responder(spec: str) -> Responder:
    module, _, name = spec.partition(":")
    fn = getattr(importlib.import_module(module), name)
    if not callable(fn):
        raise TypeError(f"{spec} is not callable")
    return fn  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the fake DeepSeek server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--key", default=DEFAULT_KEY, help="expected API key (default: %(default)s)")
    parser.add_argument("--no-auth", action="store_true", help="accept any or no key")
    parser.add_argument("--script", help="JSON file with answers, latency and faults")
    parser.add_argument("--responder", help="module:function answering request_json -> str")
    parser.add_argument("--ttft", type=float, default=0.0)
    parser.add_argument("--per-token", type=float, default=0.0)
    parser.add_argument("--usage-shape", default="separate", choices=["separate", "inline", "none", "ollama"])
    parser.add_argument("--models", help="comma-separated model ids it serves (default DeepSeek's)")
    parser.add_argument("--load-s", type=float, default=0.0, help="seconds to load a model, as Ollama at its first request")
    parser.add_argument(
        "--as", dest="server", choices=sorted(SERVER_404S),
        help="answer as this self-hosted server: its paths and 404s, only --models' models",
    )
    args = parser.parse_args(argv)

    fake = FakeDeepSeek(
        args.host,
        args.port,
        api_key=None if args.no_auth else args.key,
        usage_shape=args.usage_shape,
        **({"models": [m for m in args.models.split(",") if m]} if args.models else {}),
    )
    fake.load_s = args.load_s
    if args.server:
        fake.server = args.server
        fake.strict_models = True
        if args.server == "ollama":
            fake.owned_by = "library"  # what names it Ollama in the server's messages
    fake.set_latency(args.ttft, args.per_token)
    if args.script:
        with open(args.script, encoding="utf-8") as fh:
            fake.load_script(json.load(fh))
    if args.responder:
        fake.responder(_load_responder(args.responder))
    fake.start()
    print(f"fake-deepseek listening on {fake.url}", flush=True)
    # The first line is read by the e2e scripts as is; this one tells a person how to point the
    # server at it. Its default key is the fake's own, no secret; one given with --key is the
    # caller's (the editors' e2e runs check no log of theirs holds it), so not printed.
    if fake.api_key is None:
        key = ""
    elif fake.api_key == DEFAULT_KEY:
        key = f" DEEPSEEK_API_KEY={fake.api_key}"
    else:
        key = " DEEPSEEK_API_KEY=<the --key given>"
    print(f"try: DEEPSEEK_BASE_URL={fake.url}{key} deepseek-lsp doctor", flush=True)
    fake.serve_until_signalled()
    return 0


if __name__ == "__main__":
    sys.exit(main())
