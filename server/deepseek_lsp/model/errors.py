"""One exception hierarchy for everything that can go wrong talking to a model.

Callers decide with three attributes instead of isinstance chains:
``retryable`` (a later identical request may succeed), ``disables_feature`` (nothing will work
until the user changes configuration, so stop sending) and ``user_message`` (short, actionable,
safe to show: it never contains the API key, headers or URL query strings).
"""

from __future__ import annotations

import email.utils
import functools
import re
import socket
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..key_shape import HIDDEN_KEY, holds_key, path_without_keys
from .prices import DEFAULT_PRICES

__all__ = [
    "AuthenticationError",
    "BudgetExceeded",
    "ConfigError",
    "ConnectError",
    "DeadlineExceeded",
    "InsufficientBalanceError",
    "MalformedResponse",
    "ModelError",
    "NotConnected",
    "OutOfMemoryError",
    "OverloadedError",
    "PathNotFoundError",
    "RateLimitError",
    "RedirectError",
    "RequestError",
    "ServerError",
    "error_for_status",
    "names_missing_model",
    "parse_retry_after",
    "refuses_every_request",
    "safe_url",
]


def safe_url(url: str | None) -> str | None:
    """The URL without userinfo, query or fragment: those are where secrets hide; a key in its
    path hidden. Nothing of one holding a key (pasted into baseUrl: "Bearer <key>", a URL then
    its key)."""
    if not url:
        return url
    return _safe_url(str(url))


# Each request asks it of the same few URLs 3-6 times (the answer's endpoint, its end's log
# line, the base it was served by), ~20-60 µs each: parsed once.
@functools.lru_cache(maxsize=64)
def _safe_url(url: str) -> str:
    if holds_key(url):
        return HIDDEN_KEY
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    try:
        parts.port  # noqa: B018 - raises for a port that is no number
    except ValueError:  # ":80x" is worth showing as written; the userinfo still is not
        return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], path_without_keys(parts.path), "", ""))
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal lost its brackets in .hostname
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, path_without_keys(parts.path), "", ""))


#: Servers by the base they answer under (see _server_key), as their model lists told (see
#: ModelClient): one process serves one user, whose server at an address is what it is.
_SERVERS: dict[str, str] = {}
#: Ports only one server listens on by default: named so before its model list is read (a
#: base URL without /v1 has none to read).
_DEFAULT_PORTS_OF = {11434: "Ollama", 1234: "LM Studio"}


def _server_key(url: str) -> str:
    """The server ``url`` asks: its origin and path without the endpoint and ``/v1`` (a base
    without /v1, llama-server's root): a reverse proxy's servers under paths of their own
    (``/vllm/v1``, ``/ollama/v1``), named by the origin alone, were each named the last one told."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if (stripped := _endpoint_stripped(path)) is not None:
        path = stripped
    path = path.rstrip("/").removesuffix("/v1")
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower() + path


def name_server(url: str, name: str | None) -> None:
    """What the server at ``url`` is (None: unknown, or no longer known), for messages."""
    if name:
        _SERVERS[_server_key(url)] = name
    else:
        _SERVERS.pop(_server_key(url), None)


def provider_name(url: str | None) -> str:
    """Who answers at ``url``, as messages name it: DeepSeek, or the server the user runs
    ("Ollama at 127.0.0.1:11434"), else the model server at its address: a pop-up about a
    local server read "DeepSeek: The model server at 127.0.0.1 ...", the port left out.
    DeepSeek is deepseek.com and its subdomains only: a gateway at notdeepseek.com was named
    DeepSeek, its 404 sent to api.deepseek.com."""
    from .endpoint import is_deepseek_host  # (endpoint imports this module)

    try:
        parts = urlsplit(url) if url else None
        port = parts.port if parts else None
    except ValueError:  # a port that is no number: named by its host alone
        port = None
    host = parts.hostname if parts else None
    if not host or is_deepseek_host(url or ""):
        return "DeepSeek"
    where = f"[{host}]" if ":" in host else host
    where = f"{where}:{port}" if port else where
    name = server_named(url)
    return f"{name} at {where}" if name else f"The model server at {where}"


def server_named(url: str | None) -> str | None:
    """The kind of server at ``url`` ("Ollama", "SGLang"...), as its model list or its port
    told; None if not known."""
    if not url:
        return None
    try:
        port = urlsplit(url).port
    except ValueError:
        port = None
    return _SERVERS.get(_server_key(url)) or _DEFAULT_PORTS_OF.get(port or 0)


#: A message about a server of the user's own, as provider_name begins it: the editor's
#: "DeepSeek: " before it named the wrong one.
NAMES_ANOTHER_SERVER = re.compile(
    r"^(?:The model server|Ollama|LM Studio|llama\.cpp|vLLM|SGLang|LiteLLM) at \S"
)


class ModelError(Exception):
    """Base class. Carries the request (method and redacted URL), never the API key."""

    status: int | None = None
    retryable: bool = False
    disables_feature: bool = False
    #: With ``disables_feature``: seconds after which one request tries again, for a problem
    #: the user fixes elsewhere (a top-up); ``None``: until the settings change (a new key).
    recheck_after_s: float | None = None
    #: When (time.monotonic) the request that met this error was sent; None: not known.
    sent_at: float | None = None
    #: When (time.monotonic) its answer came; None: not known.
    came_at: float | None = None
    #: No connection to the backend could be made: nothing of the request reached it.
    unreachable: bool = False

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status: int | None = None,
        provider_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = safe_url(url)
        if status is not None:
            self.status = status
        # What the server said (already scrubbed of the key by the client).
        self.provider_message = provider_message
        # Seconds from the Retry-After header (429, sometimes 503), if the server sent one.
        self.retry_after = retry_after

    @property
    def provider(self) -> str:
        return provider_name(self.url)

    @property
    def user_message(self) -> str:
        return f"{self.provider}: {self.message}"

    @property
    def cli_message(self) -> str:
        """:attr:`user_message` as ``deepseek-lsp review`` says it: no request goes out again by
        itself once its run has ended (the editor's "it will be retried later" was false there),
        and it reads no editor's settings."""
        return self.user_message

    @property
    def final_message(self) -> str:
        """:attr:`user_message` once the retries are spent and nothing sends the request again
        by itself (a review that failed waits for the next save): no promise of a retry."""
        return self.user_message

    @property
    def kind_told(self) -> str:
        """What the user is shown a pop-up about once: errors of one kind read alike."""
        return type(self).__name__

    @property
    def cause_told(self) -> str | None:
        """What another feature's message of the same cause is told under (see
        :meth:`StatusReporter.tell_once`); None: the message's own words."""
        return None

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        return f"{self.message}{where}"


class ConfigError(ModelError, ValueError):
    """The endpoint configuration is unusable (bad URL, plain http to a remote host, ...)."""

    disables_feature = True

    @property
    def user_message(self) -> str:
        return self.message


# -- HTTP status errors -------------------------------------------------------------------------


#: A server saying the request does not fit the model's context: llama.cpp's "exceeds the
#: available context size", vLLM's and SGLang's "maximum context length" / "longer than the
#: model's context length", LiteLLM's ContextWindowExceededError, text-generation-inference's
#: "`inputs` tokens + `max_new_tokens` must be <= 8192" and "`inputs` must have less than 4096
#: tokens" (not its "`max_new_tokens` must be <= 2048": the setting's, every request's),
#: Gemini's "The input token count (…) exceeds the maximum number of tokens allowed".
#: text-generation-inference's refusal of a prompt past its limits, which its own flags set.
_TGI_CONTEXT = re.compile(r"`inputs` (?:tokens \+|must have less than)", re.IGNORECASE)
_CONTEXT = re.compile(
    rf"context[ _]?(?:length|size|window)|{_TGI_CONTEXT.pattern}|input token count",
    re.IGNORECASE,
)
#: The request's answer token limit named by a refusal of it (as a prompt's size is not).
_TOKEN_LIMIT = re.compile(r"\bmax_(?:new_|completion_)?tokens\b", re.IGNORECASE)
#: The parameter itself refused (OpenAI's reasoning models: "Unsupported parameter:
#: 'max_tokens' is not supported with this model"): no lower value passes, another model may.
_PARAMETER_REFUSED = re.compile(r"\bunsupported\b|\bnot supported\b", re.IGNORECASE)
#: 4xx statuses a request sent again may pass (RFC 9110's 408 and 409, RFC 8470's 425): a
#: proxy's timeout on a body slow to come, a conflict of a moment, an early-data replay.
_OF_A_MOMENT = frozenset({408, 409, 425})
#: A proxy's refusal of one request's body by its size (nginx's client_max_body_size).
_TOO_LARGE = 413
#: A refusal of one request's content, which the next file's request may well pass: DeepSeek's
#: 400 "Content Exists Risk", OpenRouter's 403 "your input was flagged" (a model that requires
#: moderation), Azure OpenAI's "content management policy", a gateway's guardrail or content
#: policy, a string too long.
_OWN_CONTENT = re.compile(
    r"content exists risk|flagged|moderation|content[ _-]?(?:management[ _-]?)?(?:policy|filter)"
    r"|guardrail"
    r"|prompt injection|too long",
    re.IGNORECASE,
)
#: Ollama's refusal of ``suffix`` for a model without a FIM template ("registry.ollama.ai/
#: library/qwen3:latest does not support insert").
_NO_INSERT = "does not support insert"
#: A server refusing FIM's ``suffix`` itself: vLLM's "suffix is not currently supported", an
#: OpenAI-style server's "Unrecognized request argument supplied: suffix", a FastAPI server's
#: "body.suffix: Extra inputs are not permitted".
_NO_SUFFIX = re.compile(
    r"\bsuffix\b.{0,40}(?:not (?:currently )?supported|not permitted|extra inputs)"
    r"|(?:unrecogni[sz]ed|unknown|unsupported)\b.{0,40}\bsuffix\b",
    re.IGNORECASE,
)


#: How each server named by its model list (see provider_name) is given a larger context.
_LARGER_CONTEXT = {
    "LM Studio": "raise the context length LM Studio loads the model with (its load settings, "
    "or lms load --context-length)",
    "SGLang": "start SGLang with a larger --context-length",
    "vLLM": "start vLLM with a larger --max-model-len",
    "llama.cpp": "start llama-server with a larger -c",
}


def _larger_context(said: str, provider: str) -> str:
    """How to give the model a larger context, by the server that refused (``said``, and
    ``provider``, as its model list named it): each server's own flags, none for a hosted
    model's (Gemini's "input token count")."""
    if _TGI_CONTEXT.search(said):
        return (
            "start text-generation-inference with larger --max-input-tokens and "
            "--max-total-tokens"
        )
    if "input token count" in said.lower():
        return "choose another model with a larger one"
    named = provider.split(" at ", 1)[0]
    if named in _LARGER_CONTEXT:
        return _LARGER_CONTEXT[named]
    return "start the server with a larger one (llama.cpp -c, vLLM --max-model-len)"


class RequestError(ModelError):
    """400/422 (and other unexpected 4xx), 501: our request is wrong, or asks what the server
    cannot do, so retrying cannot help."""

    status = 400

    @property
    def user_message(self) -> str:
        said = f": {self.provider_message}" if self.provider_message else ""
        if self.status == _TOO_LARGE:
            # One request's size (a large file's review): the model name was right.
            return (
                f"{self.provider} rejected the request ({self.status}){said}. Its body is larger "
                "than the server, or a proxy before it, takes (nginx's client_max_body_size, 1 MB "
                "by default): raise that limit; smaller requests pass."
            )
        if names_missing_model(self):
            # DeepSeek's 400 "Model Not Exist" (a model retired): "if they are right, this is a
            # deepseek-lsp bug" named no setting.
            return f"{no_such_model(self)}."
        if self.provider != "DeepSeek" and _CONTEXT.search(self.provider_message or ""):
            # A small context is a self-hosted server's own setting (DeepSeek's is 128K): the
            # model name and backend were right.
            return (
                f"{self.provider} rejected the request ({self.status}){said}. The prompt and the "
                "answer asked for do not fit the model's context: "
                f"{_larger_context(self.provider_message or '', self.provider)}, "
                "or lower completion.maxPromptTokens or review.maxOutputTokens."
            )
        if self.provider != "DeepSeek" and _NO_INSERT in (self.provider_message or ""):
            # Ollama applies the model's template to a prompt without suffix as a chat turn:
            # the 'fim-template' the advice below names would wrap the FIM tokens in one.
            return (
                f"{self.provider} rejected the request ({self.status}){said}. Ollama completes "
                "with a suffix only for a model whose template has a fill-in-the-middle part: set "
                "completion.model to one (qwen2.5-coder, deepseek-coder-v2, starcoder2, "
                "codegemma), or the backend setting to 'chat'."
            )
        # A gateway's 403 (the key not allowed that model or route) named no key to check.
        access = ", whether the key may use that model there" if self.status == 403 else ""
        if self.provider != "DeepSeek" and _NO_SUFFIX.search(self.provider_message or ""):
            # vLLM (and OpenAI-style servers) take no FIM suffix: "check the model name" sent
            # the user after a name that was right.
            return (
                f"{self.provider} rejected the request ({self.status}){said}. This server takes "
                "no FIM suffix: set the backend setting to 'fim-template', with fimTemplate naming "
                "the model's FIM tokens (qwen2.5-coder, deepseek-coder, starcoder2, codellama), "
                "or to 'chat'."
            )
        if self.provider != "DeepSeek" and urlsplit(self.url or "").path.endswith("/chat/completions"):
            # A review's (or the chat backend's) request: FIM advice would send the user after
            # the wrong setting.
            return (
                f"{self.provider} rejected the request ({self.status}){said}. Check the model "
                f"name (review.model, or completion.model with backend 'chat'){access} and the baseUrl."
            )
        if self.provider != "DeepSeek":
            # A self-hosted server refusing part of the request (vLLM and Ollama builds without
            # FIM ``suffix`` support, a model name it does not serve): a setting's to mend.
            return (
                f"{self.provider} rejected the request ({self.status}){said}. Check the model "
                f"name{access} and the backend setting (a server without FIM suffix support needs "
                "backend 'fim-template' or 'chat')."
            )
        return (
            f"{self.provider} rejected the request ({self.status}){said}. Check the model name "
            "and endpoint settings; if they are right, this is a deepseek-lsp bug, please report it."
        )

    @property
    def of_this_request(self) -> bool:
        """Whether what was refused is this request's own (a prompt past the model's context),
        not what every request with these settings asks (a model name, a path, the key's
        access to them): a review run stops at the latter (see :func:`refuses_every_request`)."""
        said = self.provider_message or ""
        return self.status == _TOO_LARGE or bool(_CONTEXT.search(said) or _OWN_CONTENT.search(said))

    @property
    def cli_message(self) -> str:
        chat = urlsplit(self.url or "").path.endswith("/chat/completions")  # a review's
        if self.status not in (400, 403, 422) or self.of_this_request or not chat:
            return self.user_message
        # The command line reads no editor's settings, and the model is the one thing a review's
        # request names that a user sets: "check the endpoint settings" named none of them.
        said = f": {self.provider_message}" if self.provider_message else ""
        told = self.provider_message or ""
        if _TOKEN_LIMIT.search(told) and not _PARAMETER_REFUSED.search(told):
            # The answer's token limit every request asks (TGI's "`max_new_tokens` must be <=
            # 2048", OpenAI's "max_tokens is too large"): the model name was not the matter.
            return (
                f"{self.provider} rejected the request ({self.status}){said}. The answer's token "
                "limit is more than the model takes: lower review.maxOutputTokens in --settings."
            )
        access = ", whether the key may use that model" if self.status == 403 else ""
        return (
            f"{self.provider} rejected the request ({self.status}){said}. Check the model name "
            f"(DEEPSEEK_REVIEW_MODEL, or review.model in --settings){access} and DEEPSEEK_BASE_URL."
        )


def refuses_every_request(error: ModelError) -> bool:
    """Whether each request with the same settings would meet ``error`` too: a rejected key,
    an empty balance, or a request refused for what it shares with them (a wrong model name's
    400, a 403), not for its own size or content, nor for a moment's load (429, 5xx)."""
    if error.disables_feature:
        return True
    if error.status in _OF_A_MOMENT:
        return False
    return isinstance(error, RequestError) and not error.of_this_request


def names_missing_model(error: ModelError) -> bool:
    """Whether ``error`` says the server has no such model (DeepSeek's 400 "Model Not Exist",
    vLLM's 404): every request naming it meets it, whatever was answered before it (a model
    retired or unloaded while the editor runs)."""
    return isinstance(error, RequestError) and bool(_NO_SUCH_MODEL.search(error.provider_message or ""))


#: A completion endpoint refusing a model it serves for chat alone: OpenAI's 404 "This is a chat
#: model and not supported in the v1/completions endpoint", Azure's 400 "The completion
#: operation does not work with the specified model".
_CHAT_ONLY = re.compile(
    r"\bchat model\b.{0,40}not supported|completion operation does not work with the specified model",
    re.IGNORECASE,
)


class ChatOnlyModelError(RequestError):
    """The completion model is served for chat alone: every completion meets it until the user
    sets the chat backend or another model (before: "check the baseUrl ... and the backend",
    and asked again every minute for good)."""

    disables_feature = True
    recheck_after_s = None

    @property
    def user_message(self) -> str:
        said = f": {self.provider_message.rstrip('. ')}" if self.provider_message else ""
        return (
            f"{self.provider} serves that model for chat only ({self.status}{said}). Set the backend "
            "setting to 'chat' (each completion asked as a chat turn), or completion.model to a model "
            "that completes code (fill-in-the-middle); completions are paused until the settings change."
        )


class RedirectError(RequestError):
    """A 3xx. Never followed (a POST turns into a GET, and the answer is a web page anyway): the
    base URL is a site's, not its API's (``https://deepseek.com``, ``platform.deepseek.com``), an
    old address, or plain http:// to a server that moved to https://. ``provider_message`` holds
    where it points (without query or credentials)."""

    @property
    def user_message(self) -> str:
        where = f" to {self.provider_message}" if self.provider_message else ""
        return (
            f"{self.provider} answered with a redirect ({self.status}){where}: the base URL is "
            "not the API's (a web page, or an old address). Check the baseUrl setting."
        )


#: Where a key goes in an editor without a plugin of ours (Helix, Zed, eglot) or unknown.
KEY_HINT = (
    "set DEEPSEEK_API_KEY in the server's environment or apiKey in its settings (the deepseek "
    "section your editor sends this server)"
)
#: The same for ``deepseek-lsp doctor``, which checks the key of the environment or of its
#: --settings file: told an editor's way, a VS Code user set an apiKey setting the extension does
#: not forward, and the check still had no key.
DOCTOR_KEY_HINT = (
    "set DEEPSEEK_API_KEY or apiKey in a --settings file (doctor reads no editor's key: VS Code's "
    "'DeepSeek: Set API Key', the Neovim plugin's setup settings)"
)
#: The same in the editors with a plugin of ours, by the name the client gives (clientInfo.name).
#: The VS Code extension keeps the key in its secret storage (its command) and does not forward
#: a ``deepseek.apiKey`` from settings.json, which the message used to suggest; the Neovim plugin
#: has no command for it, but passes its settings and Neovim's environment to the server.
_KEY_HINTS = {
    "vscode": (
        "run 'DeepSeek: Set API Key', or set DEEPSEEK_API_KEY in the environment the editor starts in"
    ),
    "neovim": (
        "export DEEPSEEK_API_KEY before starting Neovim, or give the plugin "
        "setup({ settings = { apiKey = ... } })"
    ),
}


def _editor_of(client_name: str) -> str | None:
    name = client_name.strip().lower()
    if name.startswith(("visual studio code", "code-server", "vscodium", "code - oss")):
        return "vscode"  # VS Code's appName, its Insiders' and code-server's, the open builds'
    if name.startswith(("cursor", "windsurf")):
        return "vscode"  # forks running the VS Code extension: the key is in its secret storage
    if name.startswith("neovim") or name == "nvim":
        return "neovim"
    return None


class _Client:
    """The editor this server process serves (one, over its stdio), told at initialize; for
    the review command, why its key variable is empty (see review.empty_key)."""

    name = ""
    empty_key = ""


def tell_client(name: str | None) -> None:
    """The editor's ``clientInfo.name``, which the key's advice names its way of setting it for."""
    _Client.name = name or ""


def tell_empty_key(why: str) -> None:
    """Why ``DEEPSEEK_API_KEY`` is set but empty (a fork's pull request given no secret), said
    after a 401's "none is set" on the command line: a gateway of one's own is asked without
    a key, and its 401 told the maintainer who had set the secret to set it."""
    _Client.empty_key = why


def key_hint() -> str:
    """Where the user sets the key, in the words of the editor at hand (neutral if unknown)."""
    return _KEY_HINTS.get(_editor_of(_Client.name) or "", KEY_HINT)


#: The command that reviews a whole file, by the editor's name for it. Neovim has no "Review
#: File command" (the plugin's is :DeepSeekReview); VS Code's palette finds "Review Current File"
#: by those words.
_REVIEW_COMMANDS = {"neovim": "the :DeepSeekReview command"}


def review_file_command() -> str:
    """The command reviewing a whole file, in the words of the editor at hand."""
    return _REVIEW_COMMANDS.get(_editor_of(_Client.name) or "", "the Review File command")


class AuthenticationError(ModelError):
    status = 401
    disables_feature = True
    #: Set where no key was sent, the API key being another server's (see auth.key_for): the
    #: setting to give that server's key in. "Rejected the API key" sent the user to a key that
    #: was right, and never went there.
    unsent_key: str | None = None
    #: Set where the key sent was the completion server's own: the setting it came from.
    sent_key: str | None = None
    #: Set where no key is set at all (a server of one's own asked without one): "rejected the
    #: API key" named a key that was never there.
    no_key: bool = False
    #: With ``no_key``: the key that is set, another server's (``fimApiKey``, the completion
    #: server's), which is not sent here.
    other_key: str | None = None

    @property
    def _none_set(self) -> str:
        told = f"{self.provider} asks for a key (401) and none is set"
        if self.other_key:
            told += f" for it ({self.other_key} goes to the completion server only)"
        return told

    @property
    def user_message(self) -> str:
        if self.unsent_key or self.sent_key:
            return self.cli_message
        if self.no_key:
            return f"{self._none_set}: {key_hint()}."
        return (
            f"{self.provider} rejected the API key (401): {key_hint()}."
        )

    @property
    def cli_message(self) -> str:
        if self.no_key:
            return f"{self._none_set}: set DEEPSEEK_API_KEY (or apiKey in --settings){_Client.empty_key}."
        if self.unsent_key:
            return (
                f"{self.provider} asks for a key (401); the API key is not sent there, as it is "
                f"another server's: set {self.unsent_key} to this server's key."
            )
        if self.sent_key:
            return f"{self.provider} rejected the completion server's key (401): check {self.sent_key}."
        # The command line reads no editor's settings: its key is the environment's or the
        # --settings file's.
        return f"{self.provider} rejected the API key (401): check DEEPSEEK_API_KEY (or apiKey in --settings)."


#: A top-up happens on the provider's site, not in the editor's settings: after this long the
#: next request or save tries again (402 is not billed), so suggestions come back by themselves.
BALANCE_RECHECK_S = 60.0


class InsufficientBalanceError(ModelError):
    status = 402
    disables_feature = True
    recheck_after_s = BALANCE_RECHECK_S

    @property
    def user_message(self) -> str:
        return (
            f"{self._no_balance}. AI features are paused and try again every minute; they "
            "resume by themselves after the top-up."
        )

    @property
    def cli_message(self) -> str:
        return f"{self._no_balance}, then run the review again."

    @property
    def _no_balance(self) -> str:
        if self.provider == "DeepSeek":
            where = "top up at https://platform.deepseek.com"
        else:
            # A gateway's own account (OpenRouter answers 402 for "Insufficient credits"): a
            # top-up at DeepSeek would not help, and what it said is the only clue.
            said = f" ({self.provider_message})" if self.provider_message else ""
            where = f"top up your account with that provider{said}"
        return f"{self.provider} reports an insufficient account balance (402): {where}"


class RateLimitError(ModelError):
    status = 429
    retryable = True

    @property
    def user_message(self) -> str:
        return f"{self._limited}; requests will resume shortly."

    @property
    def cli_message(self) -> str:
        return f"{self._limited}: run the review again later, or with fewer --jobs."

    @property
    def final_message(self) -> str:
        return f"{self._limited}."

    @property
    def _limited(self) -> str:
        # "The model server at 10.0.0.5 rate limit reached" was no sentence.
        wait = f" (server asks to wait {self.retry_after:g}s)" if self.retry_after else ""
        return f"{self.provider} answered 429, rate limit reached{wait}"


class ServerError(ModelError):
    """500 and other 5xx except 501 and 503. Transient as far as we can tell."""

    status = 500
    retryable = True

    @property
    def user_message(self) -> str:
        return f"{self._failed}; it will be retried later."

    @property
    def cli_message(self) -> str:
        return f"{self._failed}: run the review again later."

    @property
    def final_message(self) -> str:
        return f"{self._failed}."

    @property
    def _failed(self) -> str:
        # What the server said is often the only clue: Ollama answers 500 for a model too big
        # for the machine's memory, which no retry mends.
        said = f": {self.provider_message}" if self.provider_message else ""
        return f"{self.provider} had a server error ({self.status}){said}"


class _PausedAMinute(ModelError):
    """A problem of the model server's own that no retry mends but that may pass without a
    change of the settings: the features pause and try again a minute later, as for an empty
    balance. ``_problem`` says what is wrong and what to do."""

    retryable = False
    disables_feature = True
    recheck_after_s = BALANCE_RECHECK_S
    #: What pauses, said after the problem.
    _paused = "AI features are paused and try again every minute"

    @property
    def user_message(self) -> str:
        return f"{self._problem}; {self._paused}."

    @property
    def cli_message(self) -> str:
        return f"{self._problem}, then run the review again."

    @property
    def final_message(self) -> str:
        return f"{self._problem}."

    @property
    def _problem(self) -> str:
        raise NotImplementedError


class OutOfMemoryError(_PausedAMinute, ServerError):
    """The server cannot load the model in the memory it has (Ollama's 500 "model requires
    more system memory (7.5 GiB) than is available (5.2 GiB)"). Told as a server error "retried
    later", it was tried again at every keystroke (a load attempt each time, on the user's own
    machine) and four times per review; memory may come free (another model unloaded)."""

    @property
    def _problem(self) -> str:
        said = f": {self.provider_message}" if self.provider_message else ""
        return (
            f"{self.provider} cannot load the model ({self.status}){said}. Set a smaller model "
            "or quantization in completion.model or review.model, or free memory (Ollama: "
            "'ollama ps', 'ollama stop MODEL')"
        )


#: Ollama's answer (500) for a model larger than the memory it can use.
_NO_MEMORY = re.compile(r"requires more (?:system )?memory", re.IGNORECASE)


#: A server's refusal of a model it does not have: Ollama's 404 "model \"x\" not found, try
#: pulling it first" (newer: "model 'x' not found"), vLLM's 404 "The model `x` does not exist.",
#: DeepSeek's 400 "Model Not Exist".
_NO_SUCH_MODEL = re.compile(r"\bmodel\b.*\b(?:not found|(?:does )?not exists?\b)", re.IGNORECASE)


#: The endpoints' paths, as the backends append them to a base URL: what is left is the base
#: (``/health``: llama-server's, which ``llamacpp-infill``'s warm-up asks).
_ENDPOINT_PATHS = ("/chat/completions", "/completions", "/infill", "/models", "/health")


def _endpoint_stripped(path: str) -> str | None:
    """``path`` without the endpoint's path it ends with; None if it ends with none."""
    return next((path[: -len(end)] for end in _ENDPOINT_PATHS if path.endswith(end)), None)


@functools.lru_cache(maxsize=64)  # each answer's URL, as safe_url's
def endpoint_base(url: str) -> str:
    """The base URL an endpoint's ``url`` was built on (a model list's, a completion's), without
    userinfo, query or fragment."""
    parts = urlsplit(safe_url(url) or "")
    stripped = _endpoint_stripped(parts.path)
    base = parts.path if stripped is None else stripped
    return urlunsplit((parts.scheme, parts.netloc, base.rstrip("/"), "", ""))


#: The bodies of a 404 for a path the server does not serve: Ollama's router ("404 page not
#: found"), FastAPI's (vLLM, SGLang: "Not Found"), llama-server's ("File Not Found"), LM Studio's
#: 200 "Unexpected endpoint or method." (see sse.py), Express's "Cannot POST /x", Groq's "Unknown
#: request URL: POST /x. Please check the URL for typos...", a proxy's page.
_NO_SUCH_PATH = re.compile(
    r"^(?:404\b.*|(?:page |file )?not found\.?|Unexpected endpoint or method\..*|Cannot \w+ /.*"
    r"|Unknown request URL: \w+ /.*)$",
    re.IGNORECASE,
)


class PathNotFoundError(_PausedAMinute, RequestError):
    """A 404 that names no model: the server has no such path, mostly a base URL written
    without the /v1 under which Ollama, vLLM, SGLang, LM Studio and llama-server serve the OpenAI
    API (``http://127.0.0.1:11434``). Asked again at every key, it was refused again each time;
    a change of the settings ends the pause at once."""

    status = 404
    _paused = "requests there are paused and tried again every minute"
    #: Set where this 404 is not known to be the base URL's for good (see features.NotFoundOnce):
    #: perhaps a proxy's passing one, told without a pause, and requests go on.
    passing = False

    @property
    def disables_feature(self) -> bool:  # type: ignore[override]
        return not self.passing

    @property
    def user_message(self) -> str:
        if self.passing:
            return f"{self._problem}; requests go on, and another 404 in a row pauses them."
        return super().user_message

    @property
    def cause_told(self) -> str | None:
        # The completion's /completions and a review's /chat/completions under one base URL
        # without /v1 are one mistake: each told it, two pop-ups asked for the same /v1.
        root = self._v1_root()
        return f"no-v1:{root}" if root and self.provider != "DeepSeek" else None

    def _v1_root(self) -> str | None:
        """The server's address the endpoint's path was asked under, where it lacks the /v1
        the OpenAI API is served under (None: it has one, or the path is no endpoint's)."""
        parts = urlsplit(self.url or "")
        path = parts.path or "/"
        base = _endpoint_stripped(path)
        if base is None or base.rstrip("/").endswith(("/v1", "/beta")) or path.endswith("/infill"):
            return None
        return urlunsplit((parts.scheme, parts.netloc, base.rstrip("/"), "", ""))

    def _beta_root(self) -> str | None:
        """The base URL with /v1 a completion asked under DeepSeek's /beta (the ``deepseek``
        backend's FIM path) should have been, where another server answered it: its /v1 is
        where the OpenAI API is, but the deepseek backend adds /beta to any base (``/v1/beta``)."""
        parts = urlsplit(self.url or "")
        base = (_endpoint_stripped(parts.path or "/") or "").rstrip("/")
        if self.provider == "DeepSeek" or not base.endswith("/beta"):
            return None
        root = base.removesuffix("/beta").rstrip("/")
        root = root if root.endswith("/v1") else f"{root}/v1"
        return urlunsplit((parts.scheme, parts.netloc, root, "", ""))

    @property
    def _problem(self) -> str:
        said = f": {self.provider_message.rstrip('. ')}" if self.provider_message else ""
        parts = urlsplit(self.url or "")
        path = parts.path or "/"
        # An answer in no path-404's words may be a model's or a resource's the server lacks.
        known = not self.provider_message or _NO_SUCH_PATH.match(self.provider_message.strip())
        what = f"has no {path}" if known else f"has no {path}, or not that model"
        chat = path.endswith("/chat/completions")
        setting = "baseUrl" if chat else "baseUrl (or fimBaseUrl, for the completion server)"
        if self.provider == "DeepSeek" and chat:
            fix = "Set baseUrl to https://api.deepseek.com"
        elif self.provider == "DeepSeek":
            # FIM is served under /beta only: a fimBaseUrl set to the root has none.
            fix = (
                "Set baseUrl to https://api.deepseek.com, and fimBaseUrl, if set, to "
                "https://api.deepseek.com/beta"
            )
        elif path.endswith("/infill"):
            # llamacpp-infill drops a /v1 and asks the server's root: /v1 mends nothing.
            fix = f"Set {setting} to the llama-server's own address (its root, no path)"
        elif (beta := self._beta_root()) is not None:
            # Told 'Set baseUrl to http://host/v1/beta/v1', which the backend asked /beta under.
            fix = (
                "The deepseek backend asks DeepSeek's /beta/completions, which other servers "
                "do not serve: set backend to the server's (openai-suffix: Ollama, SGLang; "
                f"fim-template: vLLM) and baseUrl to {beta}, or for a DeepSeek gateway "
                "fimBaseUrl to its FIM base"
            )
        elif (root := self._v1_root()) is not None:
            fix = (
                f"Set {setting} to {root}/v1: Ollama, vLLM, SGLang, LM Studio and llama-server "
                "serve the OpenAI API under /v1"
            )
        elif not chat:
            # An API serving chat alone (Groq's, text-generation-inference's Messages API): its
            # model list answers, and "check ... the backend" named no backend that mends it.
            fix = (
                f"Check that {setting} is the server's API address and the model name; a server "
                "without /completions (one serving chat alone, as Groq's API) needs the backend setting 'chat'"
            )
        else:
            fix = f"Check that {setting} is the server's API address, the model name and the backend"
        return f"{self.provider} {what} (404{said}). {fix}"


#: Ollama's 404 naming the model it lacks: 'model "x" not found, try pulling it first' (newer
#: builds: "model 'x' not found").
_OLLAMA_MODEL = re.compile(r"""\bmodel ["'](.+?)["'] not found""")


class ModelNotFoundError(_PausedAMinute, RequestError):
    """The server has no such model (404). Asked again at every keystroke, it was refused again
    each time, told once; the model may be pulled in a terminal, which the editor never hears
    of, and a change of the settings ends the pause at once."""

    status = 404
    # Only the feature whose model it is: completions went on while reviews named a model the
    # server lacks (review.model is DeepSeek's until set), and "AI features" said otherwise.
    _paused = "requests for it are paused and tried again every minute"

    @property
    def _problem(self) -> str:
        return no_such_model(self)


def no_such_model(error: ModelError) -> str:
    """What a refusal of a model the server does not have says, and what mends it where that
    server is: ``ollama pull`` was advised for DeepSeek's and vLLM's models too, which no pull
    brings."""
    said = f": {error.provider_message.rstrip('. ')}" if error.provider_message else ""
    # Which setting names it, by what was asked: a review's (or the chat backend's) chat.
    chat = urlsplit(error.url or "").path.endswith("/chat/completions")
    setting = "review.model (completion.model with backend 'chat')" if chat else "completion.model"
    pulled = _OLLAMA_MODEL.search(error.provider_message or "")
    if error.provider == "DeepSeek":
        fix = f"Set {setting} to a model DeepSeek offers ({', '.join(DEFAULT_PRICES)})"
    elif pulled:  # Ollama's words: the model is one a pull brings
        fix = f"Pull it ('ollama pull {pulled.group(1)}') or set {setting} to one 'ollama list' shows"
    else:
        fix = f"Set {setting} to one the server lists ('deepseek-lsp doctor' names them)"
    return f"{error.provider} does not have that model ({error.status}){said}. {fix}"


class OverloadedError(ModelError):
    status = 503
    retryable = True

    @property
    def user_message(self) -> str:
        if self.provider_message and self.provider != "DeepSeek":
            # llama.cpp's "Loading model" for its first minute: the reason, not a guess at it.
            return f"{self.provider} is unavailable (503): {self.provider_message}; try again in a moment."
        return f"{self.provider} is overloaded (503); try again in a moment."


# -- transport and protocol errors ---------------------------------------------------------------


class DeadlineExceeded(ModelError):
    """The request's absolute deadline passed (keep-alive lines do not count as progress).

    Not retryable: the deadline is the caller's whole budget, retrying would overrun it.
    """

    #: The time limit the request was given (seconds) and the setting that sets it
    #: (``completion.timeoutS``), told by the caller that chose it (see :meth:`limited`):
    #: "did not answer in time" left the user guessing which timeout to raise, and by how much.
    limit_s: float | None = None
    setting: str | None = None

    def limited(self, limit_s: float, setting: str | None) -> DeadlineExceeded:
        """This error, with the limit that ended it and its setting where not told already
        (an inner caller's, as the review run's first request, knows it better)."""
        if self.limit_s is None:
            self.limit_s = limit_s
        if self.setting is None:
            self.setting = setting
        return self

    @property
    def user_message(self) -> str:
        if self.limit_s is None:
            return f"{self.provider} did not answer in time; the request was abandoned."
        named = f" ({self.setting})" if self.setting else ""
        return f"{self.provider} did not answer within {round(self.limit_s, 1):g} s{named}; the request was abandoned."


class NotConnected(DeadlineExceeded):
    """The deadline passed while the request's connection was still being made (TCP, TLS):
    nothing took it (a firewall dropping its packets, a wrong address or port). Told as "did
    not answer in time", the server looked slow, where it was never reached; under a limit
    shorter than the connect timeout (completions' 5 s, a review's set low) this is what a
    hanging connect ends in."""

    unreachable = True

    def __init__(
        self,
        limit_s: float,
        *,
        url: str | None = None,
        method: str | None = None,
        via: str | None = None,
    ) -> None:
        super().__init__("deadline exceeded while connecting", url=url, method=method)
        self.limit_s = limit_s
        #: The proxy (host:port) the connection went to, where the environment names one.
        self.via = via

    def limited(self, limit_s: float, setting: str | None) -> DeadlineExceeded:
        """The caller's limit wins over the one the stream saw (what was left of it when the
        request went out, less by the work before: a loaded host's review, set to 1.5 s, was
        told "within 1.4 s"): no server took the request in all of its time."""
        self.limit_s = limit_s
        if self.setting is None:
            self.setting = setting
        return self

    @property
    def user_message(self) -> str:
        if self.via:
            # The connection no one took was the proxy's: the server was never asked.
            return (
                f"Could not connect to the proxy at {self.via} within {round(self.limit_s, 1):g} s "
                "(the environment's HTTPS_PROXY, HTTP_PROXY or ALL_PROXY): nothing took the "
                "connection. Check that proxy setting and the network."
            )
        parts = urlsplit(self.url) if self.url else None
        where = parts.netloc if parts is not None and parts.netloc else "the model server"
        return (
            f"Could not connect to {where} within {round(self.limit_s, 1):g} s: nothing took the "
            "connection (a firewall dropping it, a wrong address or port). Check the network "
            "and the base URL setting."
        )


class ConnectError(ModelError):
    """No connection could be made: refused, DNS failure, TLS failure, connect timeout."""

    retryable = True
    unreachable = True
    #: The connect waited out its whole timeout (a firewall dropping it): tried once more at
    #: most (see retry.MAX_CONNECT_TIMEOUTS), each try costing that timeout.
    timed_out = False
    #: The proxy (host:port, the environment's) that refused the connection or its tunnel:
    #: told as the server's ("Cannot reach api.deepseek.com: connection lost"), the user
    #: checked a server that was never asked.
    via: str | None = None
    #: The host's name did not resolve (a typo in the base URL, or no DNS at all): not
    #: retried, a name not found will not be found a second later (3 tries, ~3.9 s, before
    #: a review told it); the back-off of reachability asks again later.
    unresolved: bool = False

    def name_not_resolved(self) -> ConnectError:
        """This error, marked as a name that did not resolve (see ``unresolved``)."""
        self.unresolved = True
        self.retryable = False
        return self

    @property
    def user_message(self) -> str:
        if self.via:
            return (
                f"Cannot reach the proxy at {self.via} (the environment's HTTPS_PROXY, HTTP_PROXY "
                f"or ALL_PROXY): {self.message}. Check that proxy setting and the network."
            )
        if self.unresolved:
            host = urlsplit(self.url).hostname if self.url else "the model server"
            return (
                f"Cannot reach {host}: the host name was not found (DNS: {self.message}). Check "
                "the base URL setting for a typo, and the network."
            )
        told = refused_locally(self.url, self.message)
        if told is not None:
            return told
        host = urlsplit(self.url).hostname if self.url else "the model server"
        return f"Cannot reach {host}: {self.message}. Check the network and the base URL setting."


#: The resolver's answers that a name has no address: not "Temporary failure in name
#: resolution" (EAI_AGAIN: a DNS server that did not answer in time, Wi-Fi or a VPN coming
#: back), which a retry a moment later rides out, and which is no typo in the settings.
_NO_SUCH_NAME = frozenset(
    code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) if code is not None
)


def names_no_host(exc: BaseException | None) -> bool:
    """Whether a transport error came of a host name that does not resolve: a socket.gaierror
    saying so among its causes (httpx's error is caused by httpcore's, caused by the resolver's)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, socket.gaierror):
            return exc.errno in _NO_SUCH_NAME
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


#: A connection refused, as Linux, macOS and Windows say it through asyncio and httpx.
_REFUSED = re.compile(
    r"refused|Errno 111|Errno 61\b|WinError 10061|Connect call failed", re.IGNORECASE
)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def refused_locally(url: str | None, said: str) -> str | None:
    """What to tell of a connection to ``url`` refused (``said``) on this machine: nothing
    listens on that port, the model server is not started (yet) or listens on another; no
    network is on the way (the advice was to check it). None for any other failure."""
    from .endpoint import is_loopback  # (endpoint imports this module)

    parts = urlsplit(url) if url else None
    if parts is None or not parts.hostname:
        return None
    if not is_loopback(parts.hostname) or not _REFUSED.search(said):
        return None
    # A URL without a port (a reverse proxy on this machine) was told to check the network.
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    # "::1:11434" is no address: IPv6 takes brackets before a port, as in the URL.
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return (
        f"Cannot reach {host}:{port}: nothing is listening there. Is the model "
        "server running (Ollama: ollama serve; llama.cpp: llama-server)? Else check the port "
        "in the base URL setting."
    )


class MalformedResponse(ModelError):
    """The answer could not be used: bad SSE or JSON, a stream cut short, blank or invalid JSON in
    JSON mode, or ``finish_reason: insufficient_system_resource`` (the provider gave up half-way).

    ``kind`` says which; ``partial`` holds whatever result was received (e.g. the raw text of an
    invalid JSON answer) so a caller can still salvage it. Retryable: all of these are transient.
    ``finish_reason: content_filter`` is NOT an error: the result comes back with
    ``StreamResult.filtered`` set, and callers should not show its text.
    """

    retryable = True

    def __init__(
        self, message: str, *, kind: str = "malformed", partial: Any = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.kind = kind
        self.partial = partial

    @property
    def user_message(self) -> str:
        return f"{self.provider} sent an unusable answer ({self.message}); it will be retried."


def _usd(amount: float) -> str:
    # Cents, or 4 places under a cent: "$0.00 reached" for a $0.002 budget read as a bug.
    if amount >= 0.01:
        return f"${amount:.2f}"
    # A spend too small for 4 places (one short completion) is not "$0.0000": nothing billed.
    if 0 < amount < 0.0001:
        return "<$0.0001"
    return f"${amount:.4f}"


class BudgetExceeded(ModelError):
    """Today's recorded spend reached the configured daily budget. Checked before sending.

    Not ``disables_feature``: the budget resets at 00:00 UTC without any user action.
    """

    def __init__(self, spent: float, budget: float, *, pending: float = 0.0, estimated: float = 0.0) -> None:
        super().__init__(f"daily budget of {_usd(budget)} reached ({_spent(spent, pending, estimated)})")
        self.spent = spent
        self.budget = budget
        #: The most the requests under way may still cost (counted against the budget).
        self.pending = pending
        #: The part of ``spent`` estimated at list prices (a gateway that told no cost).
        self.estimated = estimated

    @property
    def kind_told(self) -> str:
        # "Nearly reached" (requests under way) passes in seconds; the budget reached later
        # stops requests until midnight: it was a pop-up the first one had used up.
        return f"{type(self).__name__}:{'held' if self.held else 'reached'}"

    @property
    def held(self) -> bool:
        """Refused only for what the requests under way may cost: once they end (usually for
        far less), a request may go out again, as it may not once ``spent`` is the budget."""
        return self.spent < self.budget and self.pending > 0

    def waiting_message(self, until: float) -> str:
        """What a review held by the requests under way says while it waits for them, until
        ``until`` (a time.time()) at the latest: its progress said "0/3 request(s)" for
        minutes, the budget named nowhere."""
        at = datetime.fromtimestamp(until, timezone.utc).strftime("%H:%M:%S")
        return (
            f"waiting for room in the daily budget of {_usd(self.budget)} ({_spent(self.spent, self.pending, self.estimated)}): "
            f"goes on as those requests end, until {at} UTC at the latest"
        )

    @property
    def user_message(self) -> str:
        if self.spent < self.budget:
            # Held by what the requests under way may cost at most: they end (usually for
            # less) within seconds, and requests go out again; nothing waits for midnight.
            # Only reviews wait meanwhile: a suggestion refused now is asked for at the next key.
            return (
                f"Daily DeepSeek budget of {_usd(self.budget)} nearly reached "
                f"({_spent(self.spent, self.pending, self.estimated)}): reviews wait for the requests under way "
                "to finish, and suggestions come back as they do. Raise the daily budget "
                "setting to continue."
            )
        return (
            f"Daily DeepSeek budget of {_usd(self.budget)} reached ({_spent(self.spent, self.pending, self.estimated)}): "
            "AI requests are paused until 00:00 UTC. Raise the daily budget setting to continue."
        )

    @property
    def cli_message(self) -> str:
        # Nothing waits there for midnight; and the "daily budget setting" has a name on the
        # command line. A review waits for the requests under way (see
        # ModelClient.chat_with_retry): held still, they outlasted its time limit.
        if self.held:
            state = f"nearly reached ({_spent(self.spent, self.pending, self.estimated)}, which did not end in time)"
        else:
            state = f"reached ({_spent(self.spent, self.pending, self.estimated)})"
        return (
            f"Daily DeepSeek budget of {_usd(self.budget)} {state}. Raise DEEPSEEK_DAILY_BUDGET_USD "
            "(or dailyBudgetUsd in --settings) to continue."
        )


def _spent(spent: float, pending: float, estimated: float = 0.0) -> str:
    more = f", up to {_usd(pending)} more in requests under way" if pending > 0 else ""
    if estimated > 0:  # said, so that the figure is not taken for what the gateway billed
        return f"~{_usd(spent)} spent today, {_usd(estimated)} of it estimated at list prices{more}"
    return f"{_usd(spent)} spent today{more}"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds (fractions tolerated) or a date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def error_for_status(
    status: int,
    *,
    method: str | None = None,
    url: str | None = None,
    provider_message: str | None = None,
    retry_after: float | None = None,
) -> ModelError:
    """The exception for an HTTP error status."""
    said = f": {provider_message}" if provider_message else ""
    ctx: dict[str, Any] = {
        "method": method,
        "url": url,
        "status": status,
        "provider_message": provider_message,
        "retry_after": retry_after,
    }
    if 300 <= status < 400:
        return RedirectError(f"redirected ({status}){said}", **ctx)
    if status == 401:
        return AuthenticationError(f"API key rejected (401){said}", **ctx)
    if status == 402:
        return InsufficientBalanceError(f"insufficient balance (402){said}", **ctx)
    if status == 429:
        return RateLimitError(f"rate limited (429){said}", **ctx)
    if status == 503:
        return OverloadedError(f"overloaded (503){said}", **ctx)
    if status == 501:
        # Not implemented: llama.cpp's /infill for a model without FIM tokens ("Infill is not
        # supported by this model"). Told as a server error "retried later", and retried, at
        # every keystroke and save, though only another backend or model mends it.
        return RequestError(f"not supported (501){said}", **ctx)
    if status in (400, 404) and _CHAT_ONLY.search(provider_message or "") and not urlsplit(url or "").path.endswith("/chat/completions"):
        return ChatOnlyModelError(f"model served for chat only ({status}){said}", **ctx)
    if status == 404 and _NO_SUCH_MODEL.search(provider_message or ""):
        return ModelNotFoundError(f"no such model (404){said}", **ctx)
    if status == 404:
        return PathNotFoundError(f"not found (404){said}", **ctx)
    if status >= 500 and _NO_MEMORY.search(provider_message or ""):
        return OutOfMemoryError(f"cannot load the model ({status}){said}", **ctx)
    if status >= 500:
        return ServerError(f"server error ({status}){said}", **ctx)
    return RequestError(f"request rejected ({status}){said}", **ctx)
