"""The lines of a block comment (`/* ... */`, Javadoc): under its first line's stars, at the
column the comment's lines stand in the file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._brackets import _closable_brackets
from ._text import _leading_ws

if TYPE_CHECKING:
    from .context import PostContext


def _where_the_comment_s_lines_stand(lines: list[str], ctx: PostContext) -> bool:
    """Whether each of ``lines`` stands where the prompt's lines of the block comment the
    cursor is in do (at their indentation, under its `/*`'s `*`, or at its text), some
    between the file's levels, in the file's characters: text aligned in the comment.
    (Commented-out code stands in levels, which may be the model's own.)"""
    columns: set[int] = set()
    for line in reversed(ctx.recent_lines(20)):
        opener = line.find("/*")
        if opener < 0:
            columns.add(ctx.width(_leading_ws(line)))
            continue
        after = line[opener + 2 :]
        if not line[:opener].strip():
            columns.add(ctx.width(line[:opener]) + 1)  # a ` * ` line's, under the `*`
            if after.strip():
                columns.add(ctx.width(line[:opener]) + 2 + len(_leading_ws(after)))
        break
    if any(c not in ctx.indent_unit for line in lines for c in _leading_ws(line)):
        return False  # tabs in a space file: still made the file's spaces
    widths = [ctx.width(_leading_ws(line)) for line in lines if line.strip()]
    return all(width in columns for width in widths) and any(width % ctx.unit_width for width in widths)


def _lines_in_block_comments(lines: list[str], ctx: PostContext) -> dict[int, int]:
    """The answer's lines after the first that start inside a block comment, each with the
    line that opened it (-1: the prompt did, the cursor is in it)."""
    scanner = _closable_brackets(ctx)[1]
    opener = -1 if scanner.mode == "block" else None
    inside: dict[int, int] = {}
    if opener is None and not any("/*" in line for line in lines):
        return inside
    for index, line in enumerate(lines):
        if index and opener is not None and scanner.mode == "block":
            inside[index] = opener
        before = scanner.mode
        for _ in scanner.feed("\n" + line if index else line):
            pass
        if scanner.mode != "block":
            opener = None
        elif before != "block" or opener is None:
            opener = index
    return inside


def _under_the_comment_s_stars(text: str, ctx: PostContext) -> str:
    """``text`` with its whole lines that go on with the block comment the cursor is in, led
    by a `*` (JSDoc's, Javadoc's ` * @param`, a licence header's ` * `, the closing ` */`),
    under the `*` of the comment's line above (its `/**` or `/*`, or a ` * ` line): a model that wrote the comment's lines from column 0 left them a
    column or a level off (read as levels, a later one went in a column off the first)."""
    if _closable_brackets(ctx)[1].mode != "block":
        return text
    above = ctx.line_prefix if ctx.line_prefix.strip() else ctx.previous_line
    body = (above or "").lstrip()
    if not body.startswith(("/*", "*")):
        return text  # a line of prose above: no star to go under
    # `/*`'s star is where `/**`'s is: a licence header's ` * ` lines stand under it too.
    star = _leading_ws(above or "") + (" " if body.startswith("/*") else "")
    lines = text.split("\n")
    inside = [index for index, opener in _lines_in_block_comments(lines, ctx).items() if opener < 0]
    comment = [index for index in ([0, *inside] if not ctx.line_prefix else inside) if lines[index].strip()]
    starred = [index for index in comment if lines[index].lstrip(" \t").startswith("*")]
    if body.startswith("/*") and not body.startswith("/**") and len(starred) < len(comment):
        return text  # code commented out: its `*/` stands with the code, not under the `/*`
    for index in starred:
        lines[index] = star + lines[index].lstrip(" \t")
    return "\n".join(lines)
