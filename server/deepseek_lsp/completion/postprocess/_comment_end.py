"""The code an answer writes after closing the block comment the cursor is in: at the column
of the comment's opening line, as the code a comment documents stands."""

from __future__ import annotations

from functools import reduce
from itertools import pairwise
from math import gcd
from typing import TYPE_CHECKING

from ._anchors import _model_step
from ._brackets import _closable_brackets
from ._code import _lines_in_text_blocks
from ._text import _leading_ws

if TYPE_CHECKING:
    from .context import PostContext

#: Lines above the cursor looked at for the comment's opening line.
_WINDOW = 200


def below_the_closed_comment(written: str, text: str, ctx: PostContext) -> str:
    """``text`` (the answer as the filters re-indented it so far) with the lines after the
    one that closes the block comment the cursor is in (`/**` … `*/`) moved so the first of
    them stands at the column of the line that opened the comment, and the others as far from
    it as the model wrote them (``written``), in the model's levels made the file's. A
    Javadoc or Doxygen comment stands where what it documents does; the model's frame (from
    column 0, a level off, its own levels) left the method after it out of its class, or a
    level too deep. Not after a comment that starts after code (`x = 1; /* … */`) or ends
    with code on its line, nor where the next line closes a block (a comment at a block's
    end stands a level right of its `}`)."""
    scanner = _closable_brackets(ctx)[1]
    if scanner.mode != "block" or not ctx.indent_known:
        return text
    target = comment_opening_column(ctx)
    if target is None or target % ctx.unit_width:
        return text  # (a comment between levels: the file's own columns, no level to go by)
    lines, out = written.split("\n"), text.split("\n")
    if len(lines) != len(out):
        return text
    closed = -1
    for index, line in enumerate(lines):
        for _ in scanner.feed("\n" + line if index else line):
            pass
        if scanner.mode != "block":
            if scanner.mode or not line.rstrip().endswith("*/"):
                return text  # code after the `*/` on its line, or another comment or string
            closed = index
            break
    if closed < 0:
        return text
    in_text = _lines_in_text_blocks(lines, ctx)
    after = [i for i in range(closed + 1, len(lines)) if lines[i].strip() and i not in in_text]
    if not after or lines[after[0]].lstrip()[:1] in ")]}#":
        return text
    widths = {i: ctx.width(_leading_ws(lines[i])) for i in after}
    first = widths[after[0]]
    common = reduce(gcd, (abs(widths[b] - widths[a]) for a, b in pairwise(after)), 0)
    step, unit = _model_step(common, first, target, ctx), ctx.unit_width
    for index in after:
        offset = widths[index] - first
        placed = max(0, target + (offset // step * unit if offset % step == 0 else offset))
        out[index] = ctx.render_indent(placed) + lines[index].lstrip(" \t")
    return "\n".join(out)


def comment_opening_column(ctx: PostContext) -> int | None:
    """The indentation of the prompt's line that opens the block comment the cursor is in
    (the caller knows it is in one), where the comment starts that line; None: not in the
    window, or after code."""
    for line in [ctx.line_prefix, *reversed(ctx.recent_lines(_WINDOW))]:
        opener = line.rfind("/*")
        if opener >= 0:
            return ctx.width(line[:opener]) if not line[:opener].strip() else None
    return None
