"""The names a half-typed identifier at the cursor may become, among those the context knows.

``retry_`` typed before a call: the name is not whole yet, so no lookup by name finds the
definition, and the model invented the name or its arguments. The word the cursor ends is
looked up by prefix, a bisection in sorted lists of names (this file's, the other files' read
for the request, the workspace's symbol table), a few candidates: no scan that grows with the
workspace on each key.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from .index import _is_dunder
from .receivers import _in_prose

if TYPE_CHECKING:
    from ..documents import Document
    from ..workspace_symbols import WorkspaceSymbols

#: Characters typed before a name is looked up by prefix: two letters match too much.
MIN_PREFIX = 3
#: After a receiver's dot (``utils.qu``, ``conn->se``, ``Mod::ne``) fewer do: only its members
#: are meant, and the receiver narrows them.
MIN_MEMBER_PREFIX = 2
#: Candidates a prefix brings, the likeliest first: each is a guess that costs prompt room.
MAX_PREFIX_NAMES = 3
#: Names looked at per sorted list past the prefix's place in it (``get`` has hundreds).
_SCAN = 32

#: A name's characters: ASCII's word characters, ``$`` and any byte of a character beyond
#: ASCII (``größe``), read back from the cursor.
_NAME_TAIL = re.compile(rb"(?:[A-Za-z0-9_$]|[\x80-\xff])+\Z")
_RECEIVER_END = (b".", b"->", b"::")
#: The marks after which only a class's members are meant.
_MEMBER_MARKS = (b".", b"->")


class Prefix(NamedTuple):
    """The word to look up by prefix at a cursor (:func:`prefix_at`), read once a request."""

    word: str
    #: Whether it follows ``.`` or ``->``: a member, whose definitions are a class's
    #: (``self.pa|`` brought another file's top-level ``parse_config``, never reached through a
    #: dot); not ``::``, a module's path too (``utils::pa|``).
    members_only: bool


def _typed(data: bytes, offset: int) -> tuple[str, bytes]:
    """The identifier the cursor ends and the receiver's mark before it (``.``, ``->``, ``::``,
    or none)."""
    m = _NAME_TAIL.search(data, max(0, offset - 128), offset)
    if m is None or m.group()[:1].isdigit():
        return "", b""
    word = m.group().decode("utf-8", "replace")
    # (Not ``data[: m.start()]``: a copy of the file up to the cursor, 0.34 ms at 4.5 MB.)
    start = m.start()
    mark = next((e for e in _RECEIVER_END if data.endswith(e, 0, start)), b"")
    return word, mark


def typed_word(data: bytes, offset: int) -> tuple[str, bool]:
    """The identifier the cursor ends (``ret`` of ``x = ret|``; the part before the cursor
    when it is inside one) and whether it follows a receiver (``.``, ``->``, ``::``); ``""``
    where none is (a number, a space)."""
    word, mark = _typed(data, offset)
    return word, bool(mark)


def wants_prefix(word: str, member: bool) -> bool:
    """Whether ``word`` is long enough to be looked up by prefix."""
    return len(word) >= (MIN_MEMBER_PREFIX if member else MIN_PREFIX)


#: Bytes around the cursor where a longer name starting with the word means the word is that
#: name being typed (names_near's span).
_NEAR = (1500, 500)


def typed_as_nearby(data: bytes, offset: int, word: str, member: bool) -> bool:
    """Whether a name near the cursor starts with ``word`` (and is longer), a member's name
    for a ``member``: ``par|`` below ``for part in msg.walk():`` is ``part``, a local, and the
    workspace's ``parse`` and ``parseaddr`` took the places of the definitions the line needed
    (bench_context_recall); ``helpers.re|`` is no ``return``."""
    # Found as a literal, its edges checked after: a pattern made for each word was compiled
    # anew at nearly every key typed (each a new word: ``r``, ``re``, ``ret``), past re's cache.
    raw = word.encode()
    lo, hi = max(0, offset - len(raw) - _NEAR[0]), min(len(data), offset + _NEAR[1])
    at = data.find(raw, lo, hi - 1)
    while at >= 0:
        after = data[at + len(raw)]
        goes_on = after >= 0x80 or after in _NAME_ASCII
        if goes_on and at != offset - len(raw):
            before = data[at - 1] if at > 0 else None
            if member:
                if before in _MEMBER_LEADS:
                    return True
            elif before is None or not (before >= 0x80 or before in _NAME_ASCII):
                return True
        at = data.find(raw, at + 1, hi - 1)
    return False


#: The ASCII bytes a name is made of (with any byte from 0x80: a UTF-8 letter's).
_NAME_ASCII = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")
#: What a member's name follows (``.``, ``->``, ``::``).
_MEMBER_LEADS = frozenset(b".>:")


def prefix_at(doc: Document, offset: int) -> Prefix | None:
    """The word at ``offset`` to look up by prefix, if any: long enough, no name near the
    cursor starting with it, in code (a comment's or a string's ``ret`` brought definitions,
    and chose the snippets anew, a miss of the prefix cache)."""
    word, mark = _typed(doc.data, offset)
    member = bool(mark)
    if not wants_prefix(word, member) or typed_as_nearby(doc.data, offset, word, member):
        return None
    found = Prefix(word, mark in _MEMBER_MARKS)
    if doc.tree is None:
        return found
    in_prose = _in_prose(doc.tree, doc.data, offset)
    return None if in_prose or (not member and _keyword(doc, word)) else found


def _keyword(doc: Document, word: str) -> bool:
    """Whether ``word`` is a keyword of ``doc``'s grammar (``for``, ``def``, ``const``): mostly
    typed whole before its space, it brought ``format_row`` and chose the snippets anew at each
    loop written; a name starting with it is looked up from the next character on."""
    language = doc.language
    return language is not None and language.ts_language.id_for_node_kind(word, False) is not None


def sorted_names(names: Iterable[str]) -> list[str]:
    """``names`` sorted for :func:`with_prefix`, dunders left out (``__init__`` is sent with
    its class)."""
    return sorted(n for n in set(names) if not _is_dunder(n))


def with_prefix(names: Sequence[str], prefix: str, limit: int = _SCAN) -> list[str]:
    """The names of the sorted ``names`` that start with ``prefix`` and are longer, ``limit``
    at most, in order."""
    found: list[str] = []
    at = bisect_left(names, prefix)
    while at < len(names) and len(found) < limit and names[at].startswith(prefix):
        if names[at] != prefix:
            found.append(names[at])
        at += 1
    return found


def prefix_candidates(
    word: str,
    lists: Sequence[Sequence[str]],
    symbols: WorkspaceSymbols | None,
    language: str | None,
    *,
    unwanted: Iterable[str] = (),
) -> list[str]:
    """The names ``word`` may become, ``MAX_PREFIX_NAMES`` at most: those of the sorted
    ``lists`` (the nearest source first: the document's, then the files read for it) before
    the workspace's symbol table's; within a source the shortest first, as the fewest
    characters are left to type. ``unwanted`` (names the prompt shows already) are skipped."""
    skip = set(unwanted)
    found: list[str] = []
    sources: list[list[str]] = [with_prefix(names, word) for names in lists]
    if symbols is not None and language is not None:
        sources.append(symbols.names_with_prefix(word, language, _SCAN))
    for names in sources:
        for name in sorted(names, key=lambda n: (len(n), n)):
            if name not in skip and name not in found:
                found.append(name)
                if len(found) >= MAX_PREFIX_NAMES:
                    return found
    return found
