"""The keys the server is configured with, kept out of what a request sends as text.

Redaction knows secrets by their shape or by a name beside them; the user's own gateway or
self-hosted server key may have neither, and written in the code being edited (a test's
fixture, a script's constant) it went out in the prompt, the chat endpoint's key to the FIM
server too (``DEEPSEEK_FIM_BASE_URL``), which must never see it. The server knows these keys:
whatever their shape, they are replaced before a request is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..privacy import REDACTED

#: Shorter keys, or keys of letters alone, are placeholders a local server is given (``EMPTY``,
#: ``ollama``, llama.cpp's ``sk-no-key-required``): as text, they are in ordinary code.
_MIN_CHARS = 12


def worth_hiding(keys: Iterable[str]) -> tuple[str, ...]:
    """Of ``keys``, those that are secrets: long enough, with a letter and a digit."""
    return tuple(
        key
        for key in dict.fromkeys(keys)
        if len(key) >= _MIN_CHARS and any(c.isdigit() for c in key) and any(c.isalpha() for c in key)
    )


def without_keys(value: Any, keys: tuple[str, ...]) -> Any:
    """``value`` (a request's JSON body) with each of ``keys`` in its strings replaced; the
    same object where none holds one."""
    if isinstance(value, str):
        for key in keys:
            if key in value:
                value = value.replace(key, REDACTED)
        return value
    if isinstance(value, dict):
        out = {k: without_keys(v, keys) for k, v in value.items()}
        return value if all(out[k] is value[k] for k in value) else out
    if isinstance(value, (list, tuple)):
        items = [without_keys(v, keys) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    return value
