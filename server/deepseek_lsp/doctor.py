"""``deepseek-lsp doctor``: what the server would run with, and whether the endpoint accepts us."""

from __future__ import annotations

import json
import sys
from typing import TextIO

import httpx

from . import __version__
from .config import Settings, build_settings
from .languages import LanguageError, LanguageRegistry
from .model.errors import KEY_HINT


def check_languages(registry: LanguageRegistry) -> tuple[list[str], list[str]]:
    ok, problems = [], list(registry.problems)
    for lang in registry:
        try:
            lang.ts_language  # noqa: B018 - importing the grammar is the check
            for kind in ("scopes", "definitions", "imports", "identifiers"):
                lang.query(kind)
            ok.append(lang.name)
        except (LanguageError, SyntaxError, ValueError) as exc:
            problems.append(f"{lang.name}: {exc}")
    return ok, problems


def check_endpoint(settings: Settings, timeout: float) -> tuple[bool, str]:
    """GET {base}/models with the key: the cheapest call that proves both reachability and auth."""
    if not settings.api_key and settings.backend == "deepseek":
        return False, f"no API key: {KEY_HINT}"
    base = settings.base_url.rstrip("/")
    url = f"{base}/models"
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    try:
        response = httpx.get(url, headers=headers, timeout=timeout)
    except httpx.ConnectError as exc:
        return False, f"cannot reach {base} ({exc.__class__.__name__}): check the base URL and your network"
    except httpx.TimeoutException:
        return False, f"{base} did not answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return False, f"request to {base} failed: {exc.__class__.__name__}"
    if response.status_code == 401:
        return False, f"{base} rejected the API key (401): check DEEPSEEK_API_KEY or 'deepseek.apiKey'"
    if response.status_code == 402:
        return False, f"{base} says the account has no balance (402): top up, then retry"
    if response.status_code >= 400:
        return False, f"{base}/models answered HTTP {response.status_code}"
    try:
        models = [m.get("id") for m in response.json().get("data", []) if isinstance(m, dict)]
    except (ValueError, AttributeError):
        models = []
    shown = ", ".join(str(m) for m in models[:8]) or "no model list"
    return True, f"{base} answers and accepts the key (models: {shown})"


def run_doctor(timeout: float = 10.0, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    settings, problems = build_settings()
    registry = LanguageRegistry.load()
    ok_langs, lang_problems = check_languages(registry)
    print(f"deepseek-lsp {__version__}", file=out)
    print("configuration (defaults < environment):", file=out)
    print(json.dumps(settings.masked(), indent=2, default=str), file=out)
    for problem in problems:
        print(f"  ! setting: {problem}", file=out)
    print(f"languages: {', '.join(ok_langs) or 'none'}", file=out)
    for problem in lang_problems:
        print(f"  ! language: {problem}", file=out)
    reachable, message = check_endpoint(settings, timeout)
    print(f"endpoint: {'ok' if reachable else 'PROBLEM'}: {message}", file=out)
    healthy = reachable and not problems and not lang_problems
    print("all good" if healthy else "problems found (see '!' and PROBLEM lines above)", file=out)
    return 0 if healthy else 1
