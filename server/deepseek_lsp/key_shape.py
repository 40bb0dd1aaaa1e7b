"""Whether a text a message would quote holds a key: one pasted into the wrong setting (the box
beside apiKey's), alone or with other words ("Bearer <key>", "export DEEPSEEK_API_KEY=<key>",
a URL then its key). Such a text is never shown: not in a setting's problem, the log, doctor's
configuration nor an endpoint's error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: What an API key may hold: printable ASCII without spaces (it travels in a header). The
#: settings refuse a key without it; so does the model client's EndpointConfig.
API_KEY_CHARS = re.compile(r"[\x21-\x7e]+")
#: How a text holding a key is shown instead.
HIDDEN_KEY = "(hidden: it looks like a key)"
#: How a URL's path segment that is a key is shown instead (see :func:`path_without_keys`).
HIDDEN_SEGMENT = "(key hidden)"

#: A value of words and numbers (a model's name such as 'qwen2.5-coder-1.5b', a mode): no key.
_WORDS_AND_NUMBERS = re.compile(r"(?:[A-Za-z]+\d*|\d+[A-Za-z]?)(?:[_.:/-](?:[A-Za-z]+\d*|\d+[A-Za-z]?))*")


def key_shaped(value: str) -> bool:
    """Whether ``value`` may be a key: 16 or more header characters, not a URL nor words and
    numbers, with ``sk-`` first, four digits or digits in mixed case, as a generated token has
    (privacy.values' URL users too)."""
    value = value.strip()
    if len(value) < 16 or "://" in value or not API_KEY_CHARS.fullmatch(value):
        return False
    if value.startswith("sk-"):
        return True
    if _WORDS_AND_NUMBERS.fullmatch(value):
        return False
    digits = sum(ch.isdigit() for ch in value)
    mixed = value.lower() != value and value.upper() != value
    return digits >= 4 or (digits > 0 and mixed)


def holds_key(value: Any) -> bool:
    """Whether ``value`` holds a key anywhere: one word of a line pasted whole or an item of a
    list or object."""
    if isinstance(value, str):
        return any(key_shaped(word) for word in value.split())
    if isinstance(value, Mapping):
        return any(holds_key(k) or holds_key(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds_key(item) for item in value)
    return False


def path_without_keys(path: str) -> str:
    """A URL's ``path`` with each segment that is an ``sk-`` key hidden (glued on with a slash
    where a space was meant, or a gateway's that takes it there). Only those: a path's other
    long names (an Azure deployment's, a Cloudflare gateway's account id) are what a user reads
    a 404 for, and hidden they could not see their typo."""
    return "/".join(
        HIDDEN_SEGMENT if segment.startswith("sk-") and key_shaped(segment) else segment for segment in path.split("/")
    )
