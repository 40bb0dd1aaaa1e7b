"""The ``trim`` and ``drop_useless`` filters: whitespace at the ends, and suggestions not worth showing."""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING

from ._text import _iter_lines, _same_line, _strip_covered_indent

if TYPE_CHECKING:
    from .context import PostContext

#: A line ending in a blank (the cursor's own excepted: see _file_ends_lines_in_blanks).
_BLANK_ENDED = re.compile(r"[ \t]\r?\n")


def trim(text: str, ctx: PostContext) -> str | None:
    """Remove whitespace that would only add noise to the document.

    Trailing spaces and trailing blank lines go, except that the end is kept when code follows
    the cursor on the same line (the completion's last line then leads into it). Within the
    completion, a line's trailing blanks stay where the file's own lines have some, as Copilot
    shows the model's text (it trims only the end): accepted, the file reads as it would have
    been typed (ICU's comments). A leading
    newline is kept when the cursor line already has text; on an empty line it would only add
    a blank line. After a space in the prefix, the completion's own leading spaces go.
    """
    lines = text.split("\n")
    last = lines[-1]
    if _file_ends_lines_in_blanks(ctx):
        lines = [*lines[:-1], last.rstrip()]
    else:
        lines = [line.rstrip() for line in lines]
    if ctx.line_suffix[:1] not in ("", " ", "\t"):
        if len(lines) > 1 and not last.strip():
            body = _without_blank_lines_at_the_end(lines[:-1])
            lines = [*body, last]
        else:
            lines[-1] = last
    else:
        lines = _without_blank_lines_at_the_end(lines)
    if (
        len(lines) > 1
        and not lines[0].strip()
        and not ctx.line_prefix.strip()
        and not ctx.line_suffix.strip()
    ):
        # (Blank, not empty: where the file's lines end in blanks the answer's keep theirs,
        # and a first line of spaces pushed the code a line down.)
        while len(lines) > 1 and not lines[0].strip():
            lines.pop(0)
        lines[0] = _strip_covered_indent(lines[0], ctx)
    elif ctx.line_prefix.strip() and ctx.line_prefix[-1:] in (" ", "\t"):
        lines[0] = lines[0].lstrip(" \t")
    return "\n".join(lines)


def _without_blank_lines_at_the_end(lines: list[str]) -> list[str]:
    """``lines`` without their blank ones at the end (one kept), the last one's blanks gone."""
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return [*lines[:-1], lines[-1].rstrip()]


def _file_ends_lines_in_blanks(ctx: PostContext) -> bool:
    """Whether a line of the window other than the cursor's ends in a blank. In a clean file the
    model's stray blanks go: each would be the file's only lint warning (W291, W293)."""
    rest = ctx.suffix.partition("\n")[2]
    return bool(_BLANK_ENDED.search(ctx.prefix) or _BLANK_ENDED.search(rest + "\n"))


def drop_useless(text: str, ctx: PostContext) -> str | None:
    """Drop a suggestion that is empty, too short, or already in the document after the cursor."""
    if not text.strip():
        return None
    if sum(not c.isspace() for c in text) < ctx.min_length:
        return None
    if ctx.suffix.startswith(text):
        return None
    if not ctx.line_prefix.strip() or text.startswith("\n"):
        # Whole lines equal to the next lines of the document, modulo indentation; a lone
        # closer only at the same depth (see _same_line): a deeper `}` or `end` closes the
        # block the cursor is in, which the suffix leaves open (it was dropped before the
        # function's own `}` or `end`).
        lines = text.split("\n")
        first = lines[0] if ctx.line_prefix.strip() else ctx.line_prefix + lines[0]
        mine = [line for line in (first, *lines[1:]) if line.strip()]
        theirs = [(line, False) for line in islice((t for t in _iter_lines(ctx.suffix) if t.strip()), len(mine))]
        if len(theirs) == len(mine) and all(map(_same_line, mine, theirs)):
            return None
    return text
