"""A service's key under a name that ends in ``key`` and says no more (``STRIPE_KEY = "…"``,
``MAPBOX_KEY``, ``GOOGLE_MAPS_KEY``, ``supabase_key``, ``stripe.key``, ``mapboxKey: "…"``): the
names :mod:`.values` reads as a secret's want ``API_KEY``, ``SECRET_KEY`` and the like, and a bare
``_KEY`` names a cache's, a table's or a sort's key as often. Each went out.

Only a value shaped as a generated key is taken: 16 characters or more of a key's alphabet, digits
in mixed case (two at least) or 32 hexadecimal digits; ``CACHE_KEY = "user_profile_v2"``,
``STORAGE_KEY = "app-settings-2024"`` and a public key's name (``publishable_key``) stay."""

from __future__ import annotations

import re

from .assignments import _assigned
from .values import _mixed_case

#: A name ending in ``key`` (``STRIPE_KEY``, ``mapboxKey``, ``stripe.key``, a quoted one), its
#: separator, and a quoted value of a key's alphabet.
_NAMED_KEY = re.compile(
    r"""(?P<name>\b[A-Za-z][\w.-]{0,40}?(?:[_.-](?i:key)|[a-z0-9](?-i:Key)))(?![\w-])"""
    r"""(?P<sep>["'\]]?[ \t]*(?::=|=>|=|:)[ \t]*)(?P<quote>["'`])(?P<value>[\w+/=-]{16,200})(?P=quote)"""
)
#: A key whose name says it is public or no credential: a key pair's, a form's site key, a table's.
_NOT_A_SECRET = re.compile(
    r"(?i)(?:public|publishable|site|primary|foreign|partition|sort|range|cache|storage|lookup|idempotency"
    r"|dedup|dedupe|index|hash|route|unique|group|map|dict|i18n|translation|message|label|state|query)[_.-]?key\Z"
)
_HEX = re.compile(r"[0-9a-f]{32,}|[0-9A-F]{32,}")


def _generated(value: str) -> bool:
    """Whether ``value`` is shaped as a generated key: digits in mixed case, or hexadecimal."""
    if _HEX.fullmatch(value):
        return any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)
    return sum(ch.isdigit() for ch in value) >= 2 and _mixed_case(value)


def _named_key(match: re.Match[str]) -> str:
    name, value = match.group("name"), match.group("value")
    if _NOT_A_SECRET.search(name) or not _generated(value):
        return match.group(0)
    return _assigned(match.group(0), name, match.group("sep"), match.group("quote"), value, None)


#: The patterns, in the order tried.
NAMED_KEY_PATTERNS = ((_NAMED_KEY, _named_key),)
