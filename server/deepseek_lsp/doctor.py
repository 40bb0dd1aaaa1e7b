"""``deepseek-lsp doctor``: what the server would run with, and whether the endpoint accepts us."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from fnmatch import fnmatchcase
from typing import TextIO, TypeVar

import httpx

from . import __version__, tls
from .config import Settings, build_settings, camel_fields, read_settings_file, server_backend
from .console import showable
from .endpoint_settings import endpoint_config, no_key_for_deepseek, price_table
from .language_check import check_languages, cores
from .languages import LanguageRegistry
from .model.auth import FIM_KEY_SETTING, endpoint_key, key_routes
from .model.backends import LlamaCppBackend, get_backend
from .model.client import direct_mounts, proxy_errors
from .model.endpoint import EndpointConfig
from .model.errors import (
    DOCTOR_KEY_HINT,
    ConfigError,
    error_for_status,
    name_server,
    names_no_host,
    refused_locally,
    safe_url,
    server_named,
)
from .model.ledger import state_dir
from .model.model_server import server_name
from .model.prices import DEFAULT_PRICES
from .model.prompt_read import ollama_name, reads_suffix, suffix_left_out, suffix_probe
from .model.stream import Connecting, connect_failed, provider_message
from .storage import folder_problem, state_folder_message

log = logging.getLogger(__name__)
T = TypeVar("T")


def servers(settings: Settings, config: EndpointConfig) -> dict[str, list[tuple[str, str]]]:
    """The API bases the language server sends requests to (reviews' and, when another server
    answers completions (``fimBaseUrl``), that one too), each with the models it is asked for
    as ``(setting, model)``: left empty where the name is not the server's to check
    (llama-server, which answers with the model it loaded whatever the request names). DeepSeek's
    list need not name every alias it takes: a model its built-in prices know is not asked."""
    if settings.backend == "llamacpp-infill":
        root = LlamaCppBackend.root
        fim = root(config.fim_base)
        # As LlamaCppBackend.chat: with baseUrl left at DeepSeek's, reviews go to the FIM server.
        chat = fim if config.is_deepseek else root(config.base)
        return {f"{base}/v1": [] for base in (chat, fim)}
    plain_chat = settings.backend == "chat" and not config.use_chat_prefix
    if settings.backend in ("openai-suffix", "fim-template") or plain_chat:
        asked: dict[str, list[tuple[str, str]]] = {config.base: [], config.fim_base: []}
        if settings.completion.enable and not config.fim_is_deepseek:
            asked[config.fim_base].append(("completion.model", settings.completion.model))
        if settings.review.mode != "off" and not config.is_deepseek:
            asked[config.base].append(("review.model", settings.review.model))
        return asked
    # DeepSeek's /beta (FIM, chat prefix) has no model list of its own: its models are the API's.
    # A name neither listed nor priced (a typo, the retired deepseek-chat) failed every request
    # with "Model Not Exist" while doctor said all good.
    named: list[tuple[str, str]] = []
    if settings.completion.enable and not settings.fim_base_url:
        named.append(("completion.model", settings.completion.model))
    if settings.review.mode != "off":
        named.append(("review.model", settings.review.model))
    return {config.base: [(setting, model) for setting, model in named if model.lower() not in DEFAULT_PRICES]}


def serves(listed: list[str], model: str, *, ollama: bool = False) -> bool:
    """Whether a server listing ``listed`` takes requests for ``model``: by its exact name, or
    as Ollama (``qwen2.5-coder`` is ``qwen2.5-coder:latest``; at an ``ollama`` server, names
    in other letters' case or with its default registry written out too), OpenRouter
    (``:nitro``, ``:floor`` and the like are shortcuts of a listed model) and LiteLLM (a
    ``provider/*`` route) resolve it."""
    if model in listed or (":" not in model and f"{model}:latest" in listed):
        return True
    if ollama and ollama_name(model) in {ollama_name(name) for name in listed}:
        return True
    base, colon, _ = model.rpartition(":")
    if colon and base in listed:
        return True
    return any("*" in name and fnmatchcase(model, name) for name in listed)


def _unserved(base: str, listed: list[str], asked: list[tuple[str, str]]) -> list[str]:
    """What to change for each model ``base`` would be asked for and does not serve: every
    request for it fails (Ollama: "model 'x' not found"; vLLM: "The model `x` does not exist"),
    while the model list answered and doctor said all good."""
    offered = f"it lists {_shown_models(listed)}" if listed else "it lists no model: load or pull one first"
    return [
        f"{safe_url(base)} does not serve {model!r}, the model {setting} names ({offered}): "
        f"set {setting} to a model it lists, or make the server serve that one"
        for setting, model in asked
        if not serves(listed, model, ollama=server_named(base) == "Ollama")
    ]


def _shown_models(listed: list[str]) -> str:
    more = f" and {len(listed) - 8} more" if len(listed) > 8 else ""
    return ", ".join(listed[:8]) + more


def check_endpoint(settings: Settings, timeout: float) -> tuple[bool, str]:
    """GET {base}/models with the key, for each server the language server would use: the
    cheapest call that proves both reachability and auth, and that the base URL is the API (a
    web page or a redirect answers too, but no completion)."""
    if no_key_for_deepseek(settings):
        # Only DeepSeek itself surely wants one: a base URL of one's own (a gateway adding the
        # key, an Ollama named with the backend left at deepseek) is asked, as the language
        # server asks it; "no API key" sent an Ollama user off to find a key it never needed.
        return False, f"no API key: {DOCTOR_KEY_HINT}"
    try:
        # What the language server refuses (plain http:// to a remote host) is neither sent the
        # key here nor called all good.
        config = endpoint_config(settings)
    except ConfigError as exc:
        return False, f"the endpoint configuration is invalid: {exc.user_message}"
    said: list[str] = []
    unserved: list[str] = []
    for base, asked in servers(settings, config).items():
        key = endpoint_key(config, f"{base}/models")
        hint = f"check {FIM_KEY_SETTING}" if key and key == config.fim_api_key else DOCTOR_KEY_HINT
        if not key and not config.api_key:
            # No key set at all: "none is sent there (see 'keys' above)" and a keys line of
            # "no key to HOST" left a user who forgot the key without the variable to set.
            hint = DOCTOR_KEY_HINT
        elif not key:
            hint = "see 'keys' above"
        ok, message, listed = _check_server(base, key, timeout, hint)
        if not ok:
            return False, message
        unserved += _unserved(base, listed, asked)
        said.append(message)
    if unserved:  # after every server answered: a server down is the first thing to mend
        return False, "; ".join(unserved)
    wrong_wire = _deepseek_wire_elsewhere(settings, config)
    if wrong_wire is not None:
        return False, wrong_wire
    refused = _check_fim(settings, config, timeout)
    if refused is not None:
        return False, refused
    if settings.backend == "deepseek":
        ok, message = _check_balance(config.base, endpoint_key(config, config.base) or "", timeout)
        if not ok:
            return False, message
        if message:
            said.append(message)
    return True, "; ".join(said)


def _deepseek_wire_elsewhere(settings: Settings, config: EndpointConfig) -> str | None:
    """The ``deepseek`` backend pointed at a server of one's own (DEEPSEEK_BASE_URL set, the
    backend not): its model list answers, so doctor said all good, while every completion went
    to /beta/completions, which no such server serves."""
    if settings.backend != "deepseek" or config.fim_is_deepseek:
        return None
    name = server_named(config.base)  # as its model list, asked at baseUrl, told
    backend = server_backend(name or "")
    if backend is None:  # a gateway or proxy in front of DeepSeek may serve it (not LiteLLM's)
        return None
    return (
        f"{name} at {safe_url(config.base)} does not serve DeepSeek's /beta/completions, which the "
        f"deepseek backend asks for completions: set backend to '{backend}' (DEEPSEEK_BACKEND)"
    )


#: Backends whose completion request a server may refuse though it lists the model: vLLM
#: ("suffix is not currently supported") and Ollama ("... does not support insert") refuse
#: ``suffix``; llama-server refuses /infill for a model without FIM tokens (501).
_FIM_WIRES = ("openai-suffix", "llamacpp-infill")


def _check_fim(settings: Settings, config: EndpointConfig, timeout: float) -> str | None:
    """One completion of a single token, as the language server asks it, where the wire is one
    a server may refuse: doctor said all good, and every completion failed with a 400 or 501.
    Only on a server other than DeepSeek (costing nothing: these are self-hosted servers' wires);
    no answer in time (a model still loading) or a failure to connect says nothing here."""
    if settings.backend not in _FIM_WIRES or not settings.completion.enable or config.fim_is_deepseek:
        return None
    call = get_backend(settings.backend).fim(config, suffix_probe(settings.completion.model))
    body = {k: v for k, v in call.body.items() if k != "stream_options"} | {"stream": False}
    key = endpoint_key(config, call.url)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        with _client(call.url, timeout) as client:
            response = client.post(call.url, json=body, headers=headers)
    except (ConfigError, httpx.HTTPError, ValueError):
        return None
    if response.status_code < 400:
        return _suffix_left_out(settings, call.url, response)
    if response.status_code in (408, 429, 503):  # busy, not refused
        return None
    error = error_for_status(
        response.status_code,
        method="POST",
        url=safe_url(call.url),
        provider_message=provider_message(response.content, key),
    )
    return f"a completion request was refused: {error.user_message}"


def _suffix_left_out(settings: Settings, url: str, response: httpx.Response) -> str | None:
    """What to say of a server that answered the completion but, its usage says, without
    reading its suffix (SGLang without --completion-template); None: read, or not told."""
    if settings.backend != "openai-suffix":
        return None
    try:
        usage = response.json().get("usage") or {}
    except (ValueError, AttributeError):
        return None
    read = usage.get("prompt_tokens") if isinstance(usage, dict) else None
    if not isinstance(read, int) or read <= 0 or reads_suffix(read):
        return None
    return suffix_left_out(url)


def _client(base: str, timeout: float) -> httpx.Client:
    """A client with the language server's own proxy rules (a server on this machine reached
    directly) and CA certificates; :class:`ConfigError` for a proxy in the environment httpx
    cannot use, or a CA bundle that cannot be read (it raised a traceback here)."""
    verify = tls.context(True)
    with proxy_errors():
        return httpx.Client(
            mounts=direct_mounts(base) or None, timeout=timeout, verify=verify, event_hooks={"response": [_logged]}
        )


def _logged(response: httpx.Response) -> None:
    """Each request doctor made and its answer, for ``--log-level debug``: the diagnosis says
    what is wrong, the log what was asked to find it (no header, no credentials in the URL)."""
    log.debug("%s %s: HTTP %d", response.request.method, safe_url(str(response.request.url)), response.status_code)


def _check_balance(base: str, api_key: str, timeout: float) -> tuple[bool, str]:
    """DeepSeek's ``GET /user/balance``: /models answers 200 on an account with nothing left,
    and every completion then fails with 402. A server without that route (a gateway that
    passes DeepSeek's API on) or any failure here says nothing: the model list already told."""
    root = base.removesuffix("/v1")
    if not api_key:
        return True, ""  # none goes there (see auth.key_for): nothing to ask
    try:
        with _client(root, timeout) as client:
            response = client.get(f"{root}/user/balance", headers={"Authorization": f"Bearer {api_key}"})
        body = response.json() if response.status_code == 200 else None
    except (ConfigError, httpx.HTTPError, ValueError):
        return True, ""
    if not isinstance(body, dict) or not isinstance(body.get("is_available"), bool):
        return True, ""
    infos = body.get("balance_infos")
    amounts = ", ".join(
        f"{info.get('total_balance')} {info.get('currency')}"
        for info in (infos if isinstance(infos, list) else [])
        if isinstance(info, dict) and info.get("total_balance") is not None
    )
    if not body["is_available"]:
        left = f" ({amounts})" if amounts else ""
        return False, (
            f"the account has no balance available for API calls{left}: completions and reviews "
            "will fail with 402; top up at https://platform.deepseek.com, then retry"
        )
    return True, f"balance {amounts}" if amounts else ""


def _check_server(base: str, api_key: str | None, timeout: float, hint: str = DOCTOR_KEY_HINT) -> tuple[bool, str, list[str]]:
    """Whether ``base`` answers its model list with the key; what to tell (``hint``: where that
    key is set); the models listed."""
    shown = safe_url(base)  # never the user:password a proxy URL may carry
    url = f"{base}/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        client = _client(base, timeout)
    except ConfigError as exc:
        return False, exc.user_message, []
    # The connect traced as the language server's requests are: where the environment's proxy
    # refused, reset or never took the connection or its tunnel, the base URL was not asked,
    # and "check the base URL" sent the user to the one setting that was right.
    connecting = Connecting({})
    try:
        with client:
            connecting.begin(httpx.URL(url))
            response = client.get(url, headers=headers, extensions={"trace": connecting.seen})
    except httpx.HTTPError as exc:
        return False, _unreached(exc, connecting.failed_at_proxy(), url, shown, api_key, timeout), []
    except (httpx.InvalidURL, ValueError) as exc:  # not HTTPErrors: ":80x", "[::1" unclosed
        return False, f"the base URL {shown} is invalid ({exc}): check 'baseUrl' or DEEPSEEK_BASE_URL", []
    if response.status_code == 401 and not api_key:
        return False, f"{shown} asks for a key (401), and none is sent there: {hint}", []
    if response.status_code == 401:
        return False, f"{shown} rejected the API key (401): {hint}", []
    if response.status_code == 402:
        return False, f"{shown} says the account has no balance (402): top up, then retry", []
    if response.is_redirect:
        where = safe_url(response.headers.get("location")) or "elsewhere"
        return False, (
            f"{shown}/models redirects (HTTP {response.status_code}) to {where}: the base URL is "
            "not the API's (a web page, or an old address)"
        ), []
    if response.status_code == 404:
        return False, _not_found(shown), []
    if response.status_code != 200:
        return False, f"{shown}/models answered HTTP {response.status_code}", []
    try:
        body = response.json()
    except ValueError:
        body = None
    listed = body.get("data") if isinstance(body, dict) else None
    if not isinstance(listed, list):
        kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
        what = "JSON without a model list" if body is not None else kind
        return False, f"{shown}/models answered {what}, not the API's model list: is the base URL the API's?", []
    models = [str(m["id"]) for m in listed if isinstance(m, dict) and m.get("id") is not None]
    # Named as the language server names it (its messages: "llama.cpp at ...", each server's advice).
    name_server(url, server_name(response.headers, body))
    shown_models = _shown_models(models) or "none listed"
    key_ok, key_said = _key_check(base, api_key, timeout, hint) if api_key else (True, "answers (no API key set)")
    if not key_ok:
        return False, key_said, models
    return True, f"{shown} {key_said} (models: {shown_models})", models


def _unreached(exc: httpx.HTTPError, proxy: str | None, url: str, shown: str | None, api_key: str | None, timeout: float) -> str:
    """What to tell of the model list's request to ``url`` (``shown`` its base as told) that got
    no answer: ``proxy`` the environment's proxy it failed at, or None."""
    if proxy is not None:
        failed = connect_failed(exc, (api_key,) if api_key else (), method="GET", url=url)
        failed.via = proxy
        return _lowered(failed.user_message)
    if isinstance(exc, httpx.ConnectError):
        told = refused_locally(url, str(exc))
        if told is not None:
            return _lowered(told)
        if names_no_host(exc):
            return f"cannot reach {shown}: the host name was not found (DNS): check the base URL for a typo, and your network"
        return f"cannot reach {shown} ({exc.__class__.__name__}): check the base URL and your network"
    if isinstance(exc, httpx.TimeoutException):
        # Doctor's own limit, not the editor's completion.timeoutS: named, it is raised where it is set.
        return f"{shown} did not answer within {timeout:g} s (doctor's --timeout)"
    return f"request to {shown} failed: {exc.__class__.__name__}"


def _lowered(told: str) -> str:
    """A sentence of the model client's as doctor's lines begin, in lower case."""
    return told[:1].lower() + told[1:]


def _not_found(shown: str | None) -> str:
    """A model list the server does not have: mostly a base URL written without the ``/v1``
    under which Ollama, vLLM, SGLang, LM Studio and llama-server answer the OpenAI API (the
    bare "answered HTTP 404" named neither the setting nor what to write in it)."""
    said = f"{shown}/models answered HTTP 404, not the API's model list"
    if shown is not None and not shown.rstrip("/").endswith("/v1"):
        return (
            f"{said}: OpenAI-style servers (Ollama, vLLM, SGLang, LM Studio, llama-server) answer "
            f"under /v1: set baseUrl (or fimBaseUrl, for the completion server) to {shown}/v1"
        )
    return f"{said}: check baseUrl (or fimBaseUrl, for the completion server): is it the API's?"


def _key_check(base: str, api_key: str, timeout: float, hint: str) -> tuple[bool, str]:
    """Whether the model list's 200 proved the key, and what to say of it. A list anyone may
    read (OpenRouter's; vLLM or Ollama without a key of their own) proves nothing: doctor said
    "accepts the key" of a wrong one, and every request then failed with 401. A gateway's
    ``GET /key`` (OpenRouter) checks it instead; elsewhere the key is told as unchecked."""
    accepted = "answers and accepts the key"
    try:
        with _client(base, timeout) as client:
            if client.get(f"{base}/models").status_code != 200:
                return True, accepted  # the list needs a key, and ours was taken
            response = client.get(f"{base}/key", headers={"Authorization": f"Bearer {api_key}"})
    except (ConfigError, httpx.HTTPError, ValueError):
        return True, accepted  # it answered with the key; nothing more to learn
    if response.status_code == 401:
        return False, f"{safe_url(base)} rejected the API key (401): {hint}"
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    info = body.get("data") if isinstance(body, dict) else None
    if isinstance(info, dict):
        left = info.get("limit_remaining")
        money = isinstance(left, (int, float)) and not isinstance(left, bool)
        return True, accepted + (f" ({left:g} left on its limit)" if money else "")
    return True, (
        "answers (its model list needs no key, so the API key is not checked: a wrong one fails "
        "at the first request)"
    )


def _settle(future: Future[T], fn: Callable[..., T], *args: object) -> None:
    try:
        future.set_result(fn(*args))
    except BaseException as exc:
        future.set_exception(exc)


def run_doctor(timeout: float = 10.0, out: TextIO | None = None, settings_file: str | None = None) -> int:
    out = out or sys.stdout
    try:
        layers = [read_settings_file(settings_file)] if settings_file else []
    except ValueError as exc:
        print(f"deepseek-lsp doctor: --settings: {exc}", file=sys.stderr)
        return 2
    settings, problems = build_settings(*layers)
    # The price table is read apart from the other settings: an entry it refuses (a model's two
    # prices of three) was costed at the default price, and doctor said "all good".
    problems = [*problems, *price_table(settings).messages]
    print(f"deepseek-lsp {__version__}", file=out)
    print(f"configuration (defaults < environment{' < ' + settings_file if settings_file else ''}):", file=out)
    # As written, where the terminal can show it: the masked key read "sk-\u20267890". Named
    # as the README, the editors and a --settings file name them: "max_output_tokens" sent the
    # user looking for a setting spelt nowhere they write one.
    shown = json.dumps(camel_fields(settings, settings.masked()), indent=2, default=str, ensure_ascii=False)
    print(showable(shown, out), file=out)
    for problem in problems:
        print(f"  ! setting: {problem}", file=out)
    try:
        # Which server is sent which key: the DeepSeek key went to a fimBaseUrl of one's own too.
        print(f"keys: {'; '.join(key_routes(endpoint_config(settings)))}", file=out)
    except ConfigError:
        pass  # the endpoint line says what is wrong with it
    # The endpoint is asked while the languages' queries compile (seconds of CPU): its answers
    # (several round trips, a timeout where a server is down) were waited for after them. On a
    # daemon thread, not an executor's: Ctrl+C ends doctor at once, not at the endpoint's timeout.
    endpoint: Future[tuple[bool, str]] = Future()
    threading.Thread(target=_settle, args=(endpoint, check_endpoint, settings, timeout), name="doctor-endpoint", daemon=True).start()
    ok_langs, lang_problems = check_languages(LanguageRegistry.load(), cores())
    print(f"languages: {', '.join(ok_langs) or 'none'}", file=out)
    for problem in lang_problems:
        print(f"  ! language: {problem}", file=out)
    folder = state_dir()
    # Where usage (the daily budget's count) and reviews are kept: a folder that cannot be
    # written left both in memory only, and doctor said "all good".
    state_problem = folder_problem(folder)
    print(f"state folder: {folder}", file=out)
    if state_problem is not None:
        print(f"  ! state: {state_folder_message(folder, state_problem)}", file=out)
    reachable, message = endpoint.result()
    print(f"endpoint: {'ok' if reachable else 'PROBLEM'}: {message}", file=out)
    healthy = reachable and not problems and not lang_problems and state_problem is None
    print("all good" if healthy else "problems found (see '!' and PROBLEM lines above)", file=out)
    return 0 if healthy else 1
