"""Where a model server is: its URLs checked (https, or plain http to this machine only), its
backend, and whether it is DeepSeek itself."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import API_KEY_CHARS, beta_base, deepseek_host
from .backends import get_backend, resolve_fim_template
from .errors import ConfigError, safe_url

DEFAULT_BASE_URL = "https://api.deepseek.com"


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.port


def is_loopback(host: str) -> bool:
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
    #: ``fimBaseUrl``'s server's own key (see auth.key_for: ``api_key`` is not sent there when
    #: it is another host's).
    fim_api_key: str | None = None
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
        if any(key and not API_KEY_CHARS.fullmatch(key) for key in (self.api_key, self.fim_api_key)):
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
        # A space inside: "https://gateway/v1 <key>" asked /v1%20<key>/completions, the key in
        # each request's address.
        if parts is None or parts.scheme not in ("http", "https") or not host or any(ch.isspace() for ch in url):
            raise ConfigError(f"{what} must be an http(s) URL with a host, got {safe_url(url)!r}")
        if parts.scheme == "http" and not self.allow_http and not is_loopback(host):
            raise ConfigError(
                f"Refusing plain http:// to {host} ({what}): the API key and your code would "
                "travel unencrypted. Use https://, or set allowHttp to true for a trusted network "
                "(DEEPSEEK_ALLOW_HTTP=true in the environment, or \"allowHttp\": true in the "
                "editor's settings or a --settings file)."
            )

    def __repr__(self) -> str:
        key = None if self.api_key is None else "'***'"
        fim_key = None if self.fim_api_key is None else "'***'"
        return (
            f"EndpointConfig(base_url={safe_url(self.base_url)!r}, api_key={key}, "
            f"fim_base_url={safe_url(self.fim_base_url)!r}, fim_api_key={fim_key}, backend={self.backend!r}, "
            f"fim_template={self.fim_template!r}, allow_http={self.allow_http!r})"
        )

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys set, to scrub from whatever a server or a transport error says."""
        return tuple(key for key in (self.api_key, self.fim_api_key) if key)

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

    def base_of(self, url: str) -> str:
        """The base URL ``url`` was built on (``fim_base``'s, ``base``'s), as the usage file
        keeps it: without userinfo or query, where secrets hide."""
        base = next((b for b in sorted({self.fim_base, self.base}, key=len, reverse=True) if url.startswith(b)), url)
        return safe_url(base) or ""

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


def is_deepseek_host(url: str) -> bool:
    """Whether ``url`` points at DeepSeek itself (deepseek.com or a host under it)."""
    try:
        host = urlsplit(url).hostname or ""  # lower-cased by urlsplit
    except ValueError:
        return False
    return deepseek_host(host)
