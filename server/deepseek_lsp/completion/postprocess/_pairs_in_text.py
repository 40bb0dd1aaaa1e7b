"""The closers an autopair put after the cursor in a comment or a string (`(|)` typed in a doc
comment): the bracket scanner counts no bracket in text, so these are told here, as text."""

from __future__ import annotations

import re

from ._brackets import _CLOSER_OF

_LEADING_CLOSERS = re.compile(r"[)\]}]*")


def closers_typed_over_in_text(text: str, tail: str, line_prefix: str) -> int:
    """How many of ``tail``'s leading closers the first line of ``text`` types over: each one
    closing, in turn, the innermost bracket ``line_prefix`` leaves open, with no opener of the
    text's own before it. A closer the text does not write stays."""
    awaited = _LEADING_CLOSERS.match(tail).group()
    if not awaited:
        return 0
    opened: list[str] = []
    for char in line_prefix:
        if char in _CLOSER_OF:
            opened.append(char)
        elif opened and char == _CLOSER_OF[opened[-1]]:
            opened.pop()
    own: list[str] = []
    typed = 0
    for char in text.partition("\n")[0]:
        if char in _CLOSER_OF:
            own.append(char)
        elif char in ")]}":
            if own:
                own.pop()
            elif typed < len(awaited) and opened and char == _CLOSER_OF[opened[-1]] == awaited[typed]:
                opened.pop()
                typed += 1
            else:
                break
    return typed
