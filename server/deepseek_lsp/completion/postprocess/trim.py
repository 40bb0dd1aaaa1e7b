"""The ``trim`` and ``drop_useless`` filters: whitespace at the ends, and suggestions not worth showing."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

from ._text import _iter_lines, _same_line, _strip_covered_indent

if TYPE_CHECKING:
    from .context import PostContext


def trim(text: str, ctx: PostContext) -> str | None:
    """Remove whitespace that would only add noise to the document.

    Trailing spaces and trailing blank lines go, except that the end is kept when code follows
    the cursor on the same line (the completion's last line then leads into it). A leading
    newline is kept when the cursor line already has text; on an empty line it would only add
    a blank line. After a space in the prefix, the completion's own leading spaces go.
    """
    lines = text.split("\n")
    last = lines[-1]
    lines = [line.rstrip() for line in lines]
    if ctx.line_suffix[:1] not in ("", " ", "\t"):
        if len(lines) > 1 and not last.strip():
            body = lines[:-1]
            while len(body) > 1 and not body[-1]:
                body.pop()
            lines = [*body, last]
        else:
            lines[-1] = last
    else:
        while len(lines) > 1 and not lines[-1]:
            lines.pop()
    if (
        len(lines) > 1
        and not lines[0]
        and not ctx.line_prefix.strip()
        and not ctx.line_suffix.strip()
    ):
        while len(lines) > 1 and not lines[0]:
            lines.pop(0)
        lines[0] = _strip_covered_indent(lines[0], ctx)
    elif ctx.line_prefix.strip() and ctx.line_prefix[-1:] in (" ", "\t"):
        lines[0] = lines[0].lstrip(" \t")
    return "\n".join(lines)


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
