"""Whether the cursor ends a line of a comment that may go on over the lines below: a block
comment's opening or starred line (`/** Returns the `, ` * Returns the `), a line of a Lua long
comment (`--[[ Returns the `) or a comment line of its own (`# TODO: `, `// `). Such an answer
is asked as a block: Copilot shows a Javadoc's
` * @param` lines with its summary and a comment wrapped over lines whole; asked for a line,
the model's next lines were never written (the request stopped at the first line break).
Post-processing keeps the comment's lines only (postprocess/_comment_lines.py)."""

from __future__ import annotations

import re

from .postprocess._scanner import _BracketScanner
from .postprocess._syntax import _syntax_for

#: A block comment's line led by its star (` * text`, ` *`), not its closer (` */`).
_STAR_LINE = re.compile(r"^[ \t]*\*(?!/)")
#: Lines above the cursor's read at most for the comment's `/*`.
_MOST_LINES = 200


def in_block_comment_line(above: str, before: str) -> bool:
    """Whether ``before`` (the cursor's line up to the cursor) is the opening line of a block
    comment not closed before the cursor (``/**``, ``/* text``) or a starred line of one, the
    starred lines above it (``above``: the text above its line) leading up to its ``/*``."""
    if _opened(before):
        return True
    if not _STAR_LINE.match(before) or "*/" in before:
        return False
    for line in reversed(above.removesuffix("\n").split("\n")[-_MOST_LINES:]):
        if _opened(line):
            return True
        if not _STAR_LINE.match(line) or "*/" in line:
            return False
    return False


def long_comment_closer(above: str, before: str) -> str | None:
    """The closer (`]]`, `]==]`) of the long comment (`--[[`) that ``before``, the cursor's line
    up to the cursor, opens or is inside of (opened in ``above``, the text above its line),
    not closed before the cursor; None elsewhere."""
    text = "\n".join([*above.removesuffix("\n").split("\n")[-_MOST_LINES:], before])
    if "--[" not in text:
        return None
    # Read as Lua reads it: a `--[[` in a string (`"--[["`) or after a line comment's `--`
    # opens nothing; found by a pattern, the lines below it were taken for a comment's.
    scanner = _BracketScanner(_syntax_for("lua"))
    for _ in scanner.feed(text):
        pass
    return scanner.raw_closer if scanner.mode.startswith("--[") else None


def _closes(marker: str) -> bool:
    """Whether ``marker`` is a block comment's closer (`*/`, `]]`), not a line comment's token."""
    return marker == "*/" or marker.startswith("]")


def _opened(line: str) -> bool:
    """Whether ``line`` opens a block comment first on it that goes on past its end (not a
    string's ``"src/*"`` after code)."""
    return line.lstrip(" \t").startswith("/*") and "*/" not in line


def comment_end(text: str, marker: str) -> int | None:
    """Where ``text``, a comment's answer streaming in (its block asked for the comment's sake:
    multiline.comment_goes_on), has written the comment: the end of the line closing the block
    comment (``marker`` its closer: ``*/``, Lua's ``]]``), or of the last line led by ``marker``
    (a line comment's token) before a whole line of code. None: not yet, or its first line is empty: the comment ended
    where it was, and the code the model writes below is the answer (postprocess/
    _comment_lines.py)."""
    lines = text.split("\n")
    if not lines[0].strip():
        return None
    at, closer = 0, _closes(marker)
    for index, line in enumerate(lines[:-1]):  # the last may be half a line
        if closer and marker in line:
            return at + len(line)
        if not closer and index and not line.lstrip(" \t").startswith(marker):
            return at - 1
        at += len(line) + 1
    return None
