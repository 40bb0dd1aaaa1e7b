"""The keys the server is configured with, kept out of what a request sends as text.

Redaction knows secrets by their shape or by a name beside them; the user's own gateway or
self-hosted server key may have neither, and written in the code being edited (a test's
fixture, a script's constant) it went out in the prompt, the chat endpoint's key to the FIM
server too (``DEEPSEEK_FIM_BASE_URL``), which must never see it. The server knows these keys:
whatever their shape, they are replaced before a request is sent, and so are their starts and
ends (the cursor inside one, typed or pasted in parts: the prompt ended with a part, the
suffix began with the rest).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..privacy import REDACTED

#: Shorter keys, or keys of letters alone, are placeholders a local server is given (``EMPTY``,
#: ``ollama``, llama.cpp's ``sk-no-key-required``): as text, they are in ordinary code.
_MIN_CHARS = 12
#: A key's start or end this long, with a letter and a digit, standing as a word of its own, is
#: the key's (typed so far; the rest after the cursor, or after a line break); shorter, it is
#: any word's start (``gw-7``). A part from the key's middle is not looked for: a person's key
#: (``my-vllm-server-2024``) shares words with the code.
_PIECE_CHARS = 8
#: The characters a word of code continues with: a piece next to one is a part of that word.
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def worth_hiding(keys: Iterable[str]) -> tuple[str, ...]:
    """Of ``keys``, those that are secrets: long enough, with a letter and a digit."""
    return tuple(key for key in dict.fromkeys(keys) if len(key) >= _MIN_CHARS and _letter_and_digit(key))


def _letter_and_digit(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _without_pieces(text: str, key: str) -> str:
    """``text`` with each start or end of ``key`` (``_PIECE_CHARS`` or more of it) that is a
    word of its own replaced."""
    spans: list[tuple[int, int]] = []
    head, tail = key[:_PIECE_CHARS], key[-_PIECE_CHARS:]
    at = text.find(head)
    while at >= 0:
        hi = at + _PIECE_CHARS
        while hi < len(text) and hi - at < len(key) and text[hi] == key[hi - at]:
            hi += 1
        spans.append((at, hi))
        at = text.find(head, at + 1)
    at = text.find(tail)
    while at >= 0:
        lo, end = at, at + _PIECE_CHARS
        while lo > 0 and end - lo < len(key) and text[lo - 1] == key[-(end - lo) - 1]:
            lo -= 1
        spans.append((lo, end))
        at = text.find(tail, at + 1)
    out: list[str] = []
    done = 0
    for lo, hi in sorted(spans):
        alone = (lo == 0 or text[lo - 1] not in _WORD_CHARS) and (hi == len(text) or text[hi] not in _WORD_CHARS)
        if lo >= done and alone and _letter_and_digit(text[lo:hi]):
            out.append(text[done:lo] + REDACTED)
            done = hi
    return "".join(out) + text[done:] if out else text


def without_keys(value: Any, keys: tuple[str, ...]) -> Any:
    """``value`` (a request's JSON body) with each of ``keys``, or a piece of one, in its
    strings replaced; the same object where none holds one."""
    if isinstance(value, str):
        for key in keys:
            if key in value:
                value = value.replace(key, REDACTED)
            value = _without_pieces(value, key)
        return value
    if isinstance(value, dict):
        out = {k: without_keys(v, keys) for k, v in value.items()}
        return value if all(out[k] is value[k] for k in value) else out
    if isinstance(value, (list, tuple)):
        items = [without_keys(v, keys) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    return value
