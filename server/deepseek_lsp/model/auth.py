"""Which key each request carries. One ``apiKey`` used to go to every server as ``Authorization:
Bearer``: with reviews at DeepSeek and completions on a teammate's vLLM or a local Ollama
(``fimBaseUrl``), the DeepSeek key reached that server. Now a key goes to the server it is meant
for only: ``fimApiKey`` to ``fimBaseUrl``'s server (host and port); ``apiKey`` to DeepSeek's hosts
alone where either URL is DeepSeek's (it is a DeepSeek key), else to ``baseUrl``'s host (this
machine counting as one host: ``localhost`` and ``127.0.0.1``)."""

from __future__ import annotations

from collections.abc import Generator
from urllib.parse import urlsplit

import httpx

from ..config import deepseek_host
from .backends import get_backend
from .endpoint import EndpointConfig, is_loopback
from .errors import AuthenticationError, ModelError


def _host_port(url: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return "", None
    # Written "LLM.corp." or "llm.corp", it is one host to the resolver.
    return (parts.hostname or "").removesuffix("."), port


def same_host(url: str, other: str) -> bool:
    """Whether two URLs reach one machine as far as their names tell (ports may differ)."""
    host, other_host = _host_port(url)[0], _host_port(other)[0]
    if not host or not other_host:
        return False
    return host == other_host or (is_loopback(host) and is_loopback(other_host))


def is_deepseek_key(base_url: str, fim_base_url: str) -> bool:
    """Whether ``apiKey`` is a DeepSeek key: either server is DeepSeek's (the other then being
    one of the user's own, which has no say over DeepSeek's key)."""
    return any(deepseek_host(_host_port(url)[0]) for url in (base_url, fim_base_url) if url)


def key_setting(url: str, base_url: str, fim_base_url: str, api_key: bool, fim_api_key: bool) -> str | None:
    """The setting whose key a request to ``url`` carries (``apiKey``, ``fimApiKey``), or None."""
    if fim_api_key and fim_base_url and _host_port(url) == _host_port(fim_base_url):
        return "fimApiKey"
    if not api_key:
        return None
    if is_deepseek_key(base_url, fim_base_url):
        return "apiKey" if deepseek_host(_host_port(url)[0]) else None
    return "apiKey" if same_host(url, base_url) else None


def key_for(url: str, base_url: str, fim_base_url: str, api_key: str | None, fim_api_key: str | None) -> str | None:
    """The key a request to ``url`` carries, or None."""
    named = key_setting(url, base_url, fim_base_url, bool(api_key), bool(fim_api_key))
    return {"apiKey": api_key, "fimApiKey": fim_api_key}.get(named or "")


def key_routes(config: EndpointConfig) -> list[str]:
    """For ``doctor``: which key goes to each server (named, never shown)."""
    said: list[str] = []
    # Where requests go, not where the settings point: llama-server for both with baseUrl left
    # at DeepSeek's sends nothing there, yet the line said "apiKey to api.deepseek.com:443".
    chat_base = get_backend(config.backend).chat_base(config)
    routes = {"baseUrl": chat_base} if chat_base != config.fim_base else {}
    for where, url in {**routes, "fimBaseUrl": config.fim_base}.items():
        host, port = _host_port(url)
        shown = f"{host}:{port}"
        if any(shown in line for line in said):
            continue
        named = key_setting(url, config.base_url, config.fim_base_url or "", bool(config.api_key), bool(config.fim_api_key))
        if named:
            said.append(f"{named} to {shown}")
        elif config.api_key:
            whose = "DeepSeek's" if is_deepseek_key(config.base_url, config.fim_base_url or "") else "baseUrl's host's"
            told = "fimApiKey (DEEPSEEK_FIM_API_KEY)" if where == "fimBaseUrl" else "apiKey there too"
            said.append(f"no key to {shown} (apiKey is {whose}; set {told} if that server needs one)")
        else:
            said.append(f"no key to {shown}")
    return said


def endpoint_key(config: EndpointConfig, url: str) -> str | None:
    return key_for(url, config.base_url, config.fim_base_url or "", config.api_key, config.fim_api_key)


class KeyPerServer(httpx.Auth):
    """Sets each request's ``Authorization`` by :func:`key_for` (a client-wide header went to
    every server alike)."""

    def __init__(self, config: EndpointConfig) -> None:
        self._config = config

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        key = endpoint_key(self._config, str(request.url))
        if key:
            request.headers["Authorization"] = f"Bearer {key}"
        yield request


def key_noted(error: ModelError, config: EndpointConfig, url: str) -> ModelError:
    """``error``, a 401, saying which setting to mend where it is not ``apiKey``: no key went
    there (``apiKey`` is another server's), or ``fimApiKey`` did."""
    if not isinstance(error, AuthenticationError):
        return error
    named = key_setting(url, config.base_url, config.fim_base_url or "", bool(config.api_key), bool(config.fim_api_key))
    if named == "fimApiKey":
        error.sent_key = FIM_KEY_SETTING
    elif named is None and config.api_key:
        error.unsent_key = FIM_KEY_SETTING
    elif named is None:
        # fimApiKey goes to the completion server alone: set, it is no key for this one ("rejected
        # the API key" was said of an apiKey never set).
        error.no_key = True
        error.other_key = FIM_KEY_SETTING if config.fim_api_key else None
    return error


FIM_KEY_SETTING = "fimApiKey (DEEPSEEK_FIM_API_KEY)"
