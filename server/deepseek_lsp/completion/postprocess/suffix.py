"""The ``drop_suffix_duplicates`` filter: no line the document already has after the cursor."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from ._brackets import _closable_brackets, _open_after_prefix
from ._code import _suffix_targets
from ._text import _CLOSER_ONLY, _brackets_left_open, _code_only, _join, _same_line

if TYPE_CHECKING:
    from ._scanner import _BracketScanner
    from .context import PostContext


def drop_suffix_duplicates(text: str, ctx: PostContext) -> str | None:
    """Remove what the model re-typed of the code that already follows the cursor.

    Trailing lines equal to the first non-blank lines of the suffix go; so does the end of the
    completion's last line when it repeats the rest of the cursor line, unless the completion
    needs those closing brackets for what it opened itself.
    """
    lines = text.split("\n")
    if len(lines) > 1:
        targets = _suffix_targets(ctx, len(lines))
        for index in range(1, len(lines)):
            if not lines[index].strip():
                continue
            tail = [line for line in lines[index:] if line.strip()]
            if targets and targets[0][1] and _closes_own_bracket(lines[:index], tail[0]):
                # Compared with the rest of the cursor line (`{|}`), a `}` that closes a block
                # the completion opened (its body's last `if`) is no copy of the line's: it
                # went, and the accepted code left the `if` open.
                continue
            if _CLOSER_ONLY.match(tail[0].strip()) and _passed_over(ctx) > max(0, -_left_open(lines[:index])):
                # Not the suffix's closer at the same depth: one the document lacks (a block
                # opened on the cursor line at its closer's depth, `    if (x) {` above the
                # method's `    }`). Cut, the `if` took the method's `}` for its own.
                continue
            if len(tail) <= len(targets) and all(map(_same_line, tail, targets)):
                lines = lines[:index]
                break
        text = _join(lines)
    rest = ctx.line_suffix.rstrip()
    if rest.strip():
        text = _fit_before_rest(text, rest, ctx)
    return text if text.strip() else None


def _fit_before_rest(text: str, rest: str, ctx: PostContext) -> str:
    """The completion without what it re-typed of the rest of the cursor line, which stays
    after it: the longest start of the rest that the completion ends with whose cut leaves the
    line's brackets and strings as the rest alone leaves them. ``print(|)`` with ``len(xs)``:
    its ``)`` closes its own call and stays; ``print("|")`` with ``Hi!"``: its quote closes the
    string the rest already closes, and goes (it was kept, and the answer showed
    ``print("Hi!"")``); ``42;`` before ``;`` loses its ``;``, which no bracket or string tells
    apart (the shortest cut kept it: ``42;;``)."""
    scanner = _closable_brackets(ctx)[1]
    want = _shape(scanner, rest)
    kept = text.rstrip()
    cuts = [k for k in range(min(len(rest), len(kept)), -1, -1) if not k or kept.endswith(rest[:k])]
    # In a string or comment no bracket counts, and every cut would pass: the cut text's own
    # brackets, counted as plain characters, must balance first (``max(len(xs)`` in a comment
    # or an f-string's ``{sum(map(int, xs)}`` came out of ``max(|)``).
    for balanced in (True, False):
        for k in cuts:
            cut = kept[: len(kept) - k]
            if balanced and not _plain_balanced(cut):
                continue
            if _shape(scanner, cut + rest) == want:
                # The cut as written: rstripped, "not x" before "x" read "notx".
                return text if k == 0 else cut
    return text


def leaves_open(text: str, ctx: PostContext) -> bool:
    """Whether ``text``, inserted at the cursor, opens a bracket it does not close (outside
    strings and comments): a class's `{` with its methods still to come, a call's `(`."""
    ctx = ctx.lf
    return bool(_shape(_closable_brackets(ctx)[1], text.replace("\r\n", "\n"))[2])


def _plain_balanced(text: str) -> bool:
    return all(text.count(o) == text.count(c) for o, c in ("()", "[]", "{}"))


def _shape(scanner: _BracketScanner, text: str) -> tuple[str, int, tuple[str, ...], int]:
    """How ``text``, read from ``scanner``'s state, leaves the code: in a string or comment or
    not, in how many interpolations, the brackets it leaves open, and the closers it has no
    opener for."""
    scanner = copy.copy(scanner)
    opened: list[str] = []
    unmatched = 0
    for _, bracket in scanner.feed(text):
        if bracket in "([{":
            opened.append(bracket)
        elif opened:
            opened.pop()
        else:
            unmatched += 1
    return scanner.mode, len(scanner.interpolations), tuple(opened), unmatched


def _passed_over(ctx: PostContext) -> int:
    """How many brackets open after the prefix the suffix passes over: it closes one further
    out (the class's `}`) and not them, so the document lacks their closers."""
    count, closed_further_out = 0, False
    for _, closed_by in _open_after_prefix(ctx):  # outermost first
        if closed_by:
            closed_further_out = True
        elif closed_further_out:
            count += 1
    return count


def _left_open(lines: list[str]) -> int:
    return _brackets_left_open("\n".join(_code_only(part) for part in lines))


def _closes_own_bracket(before: list[str], line: str) -> bool:
    """Whether ``line``, a line of bracket closers, closes a bracket that the completion's
    ``before`` lines opened and left open."""
    if not _CLOSER_ONLY.match(line.strip()) or line.strip()[0] not in ")]}":
        return False
    return _left_open(before) > 0
