"""The code an answer writes after closing the block comment or docstring the cursor is in: at
the column of the comment's opening line, as the code a comment documents stands."""

from __future__ import annotations

from functools import reduce
from itertools import pairwise
from math import gcd
from typing import TYPE_CHECKING

from ._anchors import _model_step
from ._brackets import _closable_brackets
from ._code import _lines_in_parentheses, _lines_in_text_blocks
from ._docstring_text import _opening_column
from ._text import _leading_ws

if TYPE_CHECKING:
    from .context import PostContext

def below_the_closed_comment(written: str, text: str, ctx: PostContext) -> str:
    """``text`` (the answer as the filters re-indented it so far) with the lines after the
    one that closes the block comment or Python docstring the cursor is in (`/**` … `*/`,
    `\"\"\"` … `\"\"\"`) moved so the first of them stands at the column of the line that opened
    it, and the others as far from it as the model wrote them (``written``), in the model's
    levels made the file's. A Javadoc or Doxygen comment stands where what it documents does,
    a docstring where its function's body does; the model's frame (from column 0, a level off,
    its own levels) left the method after it out of its class, or a level too deep. A
    docstring's closing quotes alone on their line go to its opening quotes' column (PEP 257),
    its text lines with them. Not after a comment that starts after code (`x = 1; /* … */`)
    or ends with code on its line, a string that is a value, nor where the next line closes a
    block (a comment at a block's end stands a level right of its `}`). In a file whose unit
    is a guess, only after a comment at column 0, the lines as written left of it."""
    quote = ctx.brackets_after_prefix[1].mode  # (read, not copied: most answers stop here)
    if quote not in ("block", '"""', "'''") or "\n" not in written:
        return text
    if quote == "block":
        target, closer = comment_opening_column(ctx), "*/"
    elif quote in ('"""', "'''") and ctx.language == "python":
        target, closer = _opening_column(quote, ctx), quote
    else:
        return text
    if target is None or target % ctx.unit_width or not (ctx.indent_known or target == 0):
        return text  # (a comment between levels: the file's own columns, no level to go by)
    lines, out = written.split("\n"), text.split("\n")
    if len(lines) != len(out):
        return text
    scanner, closed = _closable_brackets(ctx)[1], -1
    for index, line in enumerate(lines):
        for _ in scanner.feed("\n" + line if index else line):
            pass
        if scanner.mode != quote:
            if scanner.mode or not line.rstrip().endswith(closer):
                return text  # code after the closer on its line, or another comment or string
            closed = index
            break
    if closed < 0:
        return text
    if closed and lines[closed].strip() == quote:
        # The docstring's closing quotes alone: at its opening quotes' column, its text as far
        # from them as written (cleandoc reads it the same).
        # (In place and in the file's characters, they are left as the filters put them.)
        # Read where the filters put them: the model's closer at column 0 below text at the
        # quotes' column is already there, and moved again its text went a level right.
        shift = target - ctx.width(_leading_ws(out[closed]))
        inside = lines[1 : closed + 1]
        if shift or (
            not ctx.tab_width
            and any(c not in ctx.indent_unit for line in inside for c in _leading_ws(line))
        ):
            out[1 : closed + 1] = [_reindent(line, shift, ctx) for line in inside]
    in_text = _lines_in_text_blocks(lines, ctx)
    after = [i for i in range(closed + 1, len(lines)) if lines[i].strip() and i not in in_text]
    # (A C directive stands at column 0 whatever the comment's column: after one in a block, kept.)
    if not after or lines[after[0]].lstrip()[:1] in (")]}#" if quote == "block" and target else ")]}"):
        return text
    if not ctx.indent_known:
        # A file with no indented line to tell its unit (a header's declarations): no levels
        # to read, but the code after a comment at column 0 starts there, the lines after it
        # as far right of it as written, in the characters written.
        lead = _leading_ws(lines[after[0]])
        if not lead or any(not lines[i].startswith(lead) for i in after):
            return text
        for index in after:
            out[index] = lines[index][len(lead) :]
        return "\n".join(out)
    widths = {i: ctx.width(_leading_ws(lines[i])) for i in after}
    first = widths[after[0]]
    common = reduce(gcd, (abs(widths[b] - widths[a]) for a, b in pairwise(after)), 0)
    step, unit = _model_step(common, first, target, ctx), ctx.unit_width
    # A line in a parenthesis the answer opened moves with the line that opened it, aligned
    # as the filters aligned it (by levels, a continuation under `foo(` went five levels in).
    parents, moved = _lines_in_parentheses(lines, ctx), {}
    for index in after:
        parent = parents.get(index)
        if parent in moved:
            out[index] = _reindent(out[index], moved[parent], ctx)
            continue
        offset = widths[index] - first
        placed = max(0, target + (offset // step * unit if offset % step == 0 else offset))
        moved[index] = placed - ctx.width(_leading_ws(out[index]))
        out[index] = ctx.render_indent(placed) + lines[index].lstrip(" \t")
    return "\n".join(out)


def _reindent(line: str, shift: int, ctx: PostContext) -> str:
    """``line`` moved ``shift`` columns, its indentation in the file's characters."""
    if not line.strip():
        return line
    return ctx.render_indent(ctx.width(_leading_ws(line)) + shift) + line.lstrip(" \t")


def comment_opening_column(ctx: PostContext) -> int | None:
    """The indentation of the prompt's line that opens the block comment the cursor is in
    (the caller knows it is in one: the last `/*` before the cursor opened it), where the
    comment starts that line; None: not in the window, or after code."""
    opener = ctx.prefix.rfind("/*")
    if opener < 0:
        return None
    before = ctx.prefix[ctx.prefix.rfind("\n", 0, opener) + 1 : opener]
    return None if before.strip() else ctx.width(before)
