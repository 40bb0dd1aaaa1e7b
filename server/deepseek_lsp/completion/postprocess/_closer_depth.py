"""A line typed at its block's closer's depth (Enter's autoindent left the cursor above the
block's `}`, at its column): that line is the one off, not the model's next lines."""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING

from ._text import _BRACE_LANGUAGES, _is_comment, _iter_lines, _leading_ws
from ._wrapped_statements import _statement_indent, _statement_line_start

if TYPE_CHECKING:
    from .context import PostContext

#: Blocks whose bodies are written at their header's column by custom (Google's C++ style,
#: `extern "C"`): a statement there is at its place, and the model's deeper lines a level off.
UNINDENTED_BODY = re.compile(r'\s*(inline\s+)?(namespace\b|extern\s+")')


def block_indent_for_off_line(column: int, ctx: PostContext) -> str | None:
    """The indentation of the statements of the `{` block the cursor is in, where a statement
    starting at ``column`` stands no right of that block's `}` (the column of the line that
    opens the block), that `}` or one of the block's statements the next line of code below
    the cursor's: a level in from that `}`, that statement's. None: neither below, or the
    statement stands right of the `}`'s column. Read from the typed line's column, the model's next lines at the block's depth
    went under it, to the closer's column. (Not where that line is a header wrapped deeper,
    Java's `throws X {`: the block's depth is no sure thing.)"""
    if (ctx.language or "").lower() not in _BRACE_LANGUAGES or not ctx.indent_known:
        return None
    opened = _innermost_brace_at(ctx)
    if opened < 0 or UNINDENTED_BODY.match(ctx.prefix[_statement_line_start(opened, ctx) : opened]):
        return None  # (a namespace's statements stand at its header's column by custom)
    below = next(
        (line for line in islice(_iter_lines(ctx.suffix), 1, 12) if line.strip() and not _is_comment(line.strip())),
        "",
    )
    header = ctx.width(_statement_indent(opened, ctx))
    closer = _leading_ws(below)
    if column > header:
        return None
    if not below[len(closer) :].startswith("}"):
        # A statement of the block's below, a level in from its header (the line typed
        # above it at the header's column, a dedent's or a paste's): its column is theirs.
        if ctx.width(closer) != header + ctx.width(ctx.indent_unit) or _wrapped_header(opened, ctx):
            return None
        return closer
    if ctx.width(closer) != header:
        return None  # no closer of that block's (one of a block opened further down)
    return closer + ctx.indent_unit


def _innermost_brace_at(ctx: PostContext) -> int:
    """Where in the prefix the innermost `{` open after it opened (-1: none, or before the
    scan's start)."""
    opened, where = ctx.brackets_after_prefix[4], ctx.brackets_after_prefix[6]
    return next((at for (bracket, _), at in zip(reversed(opened), reversed(where), strict=True) if bracket == "{"), -1)


#: How a line ends that a header's line below it does not go on with.
_ENDED = re.compile(r"(?:[;{}]|^\s*(?:@.*|//.*|/?\*.*))$")


def _wrapped_header(opened: int, ctx: PostContext) -> bool:
    """Whether the line of the `{` at ``opened`` goes on with the line of code above it (Java's
    `throws X {` below its method's name, `implements Y {`): the block's statements' column is
    no sure thing there, a statement deeper below (an inner block's) was taken for one."""
    line_start = ctx.prefix.rfind("\n", 0, opened) + 1
    above = [line for line in ctx.prefix[:line_start].split("\n")[-6:] if line.strip()]
    return bool(above) and not _ENDED.search(above[-1].rstrip())
