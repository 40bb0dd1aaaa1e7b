"""Where a statement starts that wraps over lines (a header's parameters, a condition's
terms): the line the scan goes back to from a bracket it opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._text import _brackets_left_open, _code_only, _leading_ws

if TYPE_CHECKING:
    from .context import PostContext


#: Lines of a statement wrapped after a comma or an operator (a header's supertypes, a
#: condition's terms): the statement goes on on the next line.
_GOES_ON = (",", "&&", "||")


def _statement_width(opened: int, ctx: PostContext) -> int:
    """The indentation's width of :func:`_statement_indent`."""
    return ctx.width(_statement_indent(opened, ctx))


def _statement_indent(opened: int, ctx: PostContext) -> str:
    """The indentation of the line :func:`_statement_line_start` finds."""
    return _leading_ws(ctx.prefix[_statement_line_start(opened, ctx) : opened])


def _statement_line_start(opened: int, ctx: PostContext) -> int:
    """Where in the prefix the line starts where the statement starts that opens a bracket at
    ``opened``: up through the lines it closes brackets of, and lines above that end in a
    comma or an operator without leaving a bracket open (the lines above a wrapped header's
    last one), the least indented. Counted without regard to strings: a guess on a few lines."""
    end = ctx.prefix.rfind("\n", 0, opened)
    line = ctx.prefix[end + 1 : opened]
    found, width = end + 1, ctx.width(_leading_ws(line))
    depth = -_brackets_left_open(_code_only(line))
    for _ in range(20):
        if end < 0:
            break
        start = ctx.prefix.rfind("\n", 0, end) + 1
        above, end = ctx.prefix[start:end], start - 1
        code = _code_only(above).rstrip()
        if depth > 0:
            depth -= _brackets_left_open(code)
            if depth <= 0:
                found, width = start, ctx.width(_leading_ws(above))
        elif code.endswith(_GOES_ON) and _brackets_left_open(code) <= 0:
            if ctx.width(_leading_ws(above)) <= width:  # the first of the wrapped lines
                found, width = start, ctx.width(_leading_ws(above))
            depth = -_brackets_left_open(code)
        else:
            break
    return found
