"""The closers an autopair put after the cursor in a comment or a string (`(|)` typed in a doc
comment): the bracket scanner counts no bracket in text, so these are told here, as text."""

from __future__ import annotations

from ._brackets import _CLOSER_OF

_CLOSERS = ")]}"


def closers_typed_over_in_text(text: str, tail: str, line_prefix: str, quotes: str = "") -> int:
    """How many of ``tail``'s leading closers ``text`` (the part of the completion still in the
    comment or string) types over: each one closing, in turn, the innermost bracket
    ``line_prefix`` leaves open (or a quote of ``quotes`` it leaves open: a comment's
    `"DeepSeek: Restart|"`), with no opener of the text's own before it. A closer the text does
    not write stays."""
    closers = _CLOSERS + quotes
    awaited = tail[: len(tail) - len(tail.lstrip(closers))]
    if not awaited:
        return 0
    opened = _left_open(line_prefix, quotes)
    own: list[str] = []
    typed = 0
    for at, char in enumerate(text):
        if char == "'" and _apostrophe(text[at - 1] if at else line_prefix[-1:], text[at + 1 : at + 2]):
            continue
        if char in quotes and own and own[-1] == char:
            own.pop()
        elif char in _CLOSER_OF or (char in quotes and not (opened and opened[-1] == char)):
            own.append(char)
        elif char in closers:
            if own and char in _CLOSERS and _CLOSER_OF.get(own[-1]) == char:
                own.pop()
            elif typed < len(awaited) and opened and char == _CLOSER_OF.get(opened[-1], opened[-1]) == awaited[typed]:
                opened.pop()
                typed += 1
            else:
                break
    return typed


def _left_open(line: str, quotes: str) -> list[str]:
    """The brackets (and quotes of ``quotes``) ``line`` leaves open, innermost last."""
    opened: list[str] = []
    for at, char in enumerate(line):
        if char == "'" and _apostrophe(line[at - 1 : at], line[at + 1 : at + 2]):
            continue
        if char in quotes and opened and opened[-1] == char:
            opened.pop()
        elif char in _CLOSER_OF or char in quotes:
            opened.append(char)
        elif opened and char == _CLOSER_OF.get(opened[-1]):
            opened.pop()
    return opened


def _apostrophe(before: str, after: str) -> bool:
    """Whether a `'` between ``before`` and ``after`` (a character each, or none) is a word's
    apostrophe (`it's`, `can't`), which a comment's text holds far more often than a quote and
    no autopair closes."""
    return before.isalnum() and after.isalnum()
