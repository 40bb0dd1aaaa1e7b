"""The first line inside a bracket the cursor's line ends with (a hanging indent): right of
that line, never at its column or left of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._brackets import _in_text
from ._code import _lines_in_text_blocks
from ._syntax import _syntax_for
from ._text import _code_only, _leading_ws, _tail_shifted

if TYPE_CHECKING:
    from .context import PostContext


def into_the_hanging_bracket(lines: list[str], ctx: PostContext) -> list[str] | None:
    """The answer moved right together so its first line stands a level right of the cursor's
    line, where that line ends with a parenthesis or square bracket it opens (a hanging
    indent: `raise Error(`, `tests = (`) and the model wrote the first line inside it at that
    line's column or left of it: a hanging indent's lines stand right of the line that opens
    it (PEP 8), and one written there is the model's frame from column 0 or a level off. Its
    later lines keep their places relative to it, the code after the bracket's `)` with them
    (they stood at column 0, out of the function). None: no such answer, or its first line
    already stands right of the cursor's line."""
    if not ctx.indent_known or _in_text(ctx) or not (ctx.line_prefix + lines[0]).strip():
        return None  # a guessed unit, the cursor in a string or comment, or no line to hang from
    code = _code_only(ctx.line_prefix + lines[0]).rstrip()
    if not code.endswith(("(", "[")) and not (code.endswith("{") and not _syntax_for(ctx.language).brace_blocks):
        return None  # (a brace that opens a block is into_the_opened_body's business)
    index = next((i for i, line in enumerate(lines) if i and line.strip()), -1)
    in_text = _lines_in_text_blocks(lines, ctx)
    if index < 0 or index in in_text or lines[index].lstrip(" \t")[:1] in ")]}":
        return None  # (a closer alone stands at the line's column)
    written, column = ctx.width(_leading_ws(lines[index])), ctx.width(ctx.indentation)
    if written > column:
        return None  # right of the line already: a hanging indent of the model's own depth
    return _tail_shifted(lines, index, column + ctx.unit_width - written, in_text, ctx)
