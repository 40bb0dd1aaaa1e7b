"""The line after a whole statement (`x = 1;`): at that statement's column, never deeper."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._brackets import _closable_brackets, _in_text, _inside_alignment_bracket
from ._closer_depth import UNINDENTED_BODY, block_indent_for_off_line
from ._code import _is_label, _lines_in_text_blocks, _statement_start
from ._text import _CONTINUATION, _brackets_left_open, _code_only, _leading_ws, _tail_shifted
from ._wrapped_statements import _statement_line_start

if TYPE_CHECKING:
    from .context import PostContext

#: Languages whose statements end at a `;`, after which nothing goes on: the next line is a
#: statement of its own, at the column of the one before it or left of it (out of its block).
_SEMICOLON_LANGUAGES = frozenset(
    {"c", "cpp", "csharp", "java", "javascript", "typescript", "tsx", "rust", "kotlin", "swift", "php"}
)

#: A block comment closed at the end of a line (`int x;  /* the width */`).
_TRAILING_BLOCK_COMMENT = re.compile(r"\s*/\*.*\*/$")

#: Where a comment starts after code (after a blank: not a URL's `//` in a string).
_COMMENT_AFTER_CODE = re.compile(r"(?<=\S)\s+(//|/\*)")


def under_the_whole_statement(lines: list[str], ctx: PostContext) -> list[str] | None:
    """The answer's lines from its first line of code below the line that ends a statement
    with `;` (the cursor's line, or on a blank cursor line the answer's first), moved left
    together so that line stands where that statement starts, where the model wrote it deeper:
    no statement goes on from a whole one, so a deeper line is the model's frame a level or
    more off (left there, the answer's statements stood in a block of their own, a struct's
    next fields a level right of the others). The lines after it keep their places relative
    to it, their `}` too. None: no such answer, or it stands no deeper."""
    if (ctx.language or "").lower() not in _SEMICOLON_LANGUAGES or not ctx.indent_known:
        return None
    if _in_text(ctx) or _inside_alignment_bracket(ctx):
        return None  # in a string or comment, or in a `for (...;` header's parenthesis
    statement = ctx.line_prefix + lines[0]
    code = _TRAILING_BLOCK_COMMENT.sub("", _code_only(statement).rstrip())
    if not code.strip() or not code.endswith(";") or _brackets_left_open(code) > 0:
        return None
    index = next((i for i, line in enumerate(lines) if i and line.strip()), -1)
    in_text = _lines_in_text_blocks(lines, ctx)
    if index < 0 or index in in_text:
        return None
    body = lines[index].lstrip(" \t")
    if body.startswith("#") or body[:1] in ")]}":
        return None  # a directive and a closer have places of their own
    if body.startswith(("//", "/*")) and _trailing_comment_column(statement, ctx) == ctx.width(_leading_ws(lines[index])):
        return None  # the statement's trailing comment going on below it, aligned under it
    if _is_label(body, ctx) or _CONTINUATION.match(body):
        return None  # `case 2:`, `else`: the place of the statement they go on with
    start = _statement_start(ctx, lines[0])
    if start == ctx.line_prefix:
        start = statement  # (on a blank cursor line, the first line's own indentation counts)
        if _not_in_from_the_brace_above(start, ctx):
            return None
    return _no_deeper_than(lines, index, _column_in_its_block(ctx.width(_leading_ws(start)), ctx), in_text, ctx)


def _not_in_from_the_brace_above(statement: str, ctx: PostContext) -> bool:
    """Whether ``statement`` (the cursor's line) stands no right of the line above it that
    opens a block (an Allman ``{`` alone, where an editor's autoindent without an indenter
    leaves the cursor at the brace's column): there the statement is the line a level off,
    and the model's next lines, a level in and their closer under the ``{``, are right."""
    above = ctx.previous_line
    if above is None or not _code_only(above).rstrip().endswith("{"):
        return False
    if UNINDENTED_BODY.match(above):
        return False
    return ctx.width(_leading_ws(statement)) <= ctx.width(_leading_ws(above))


def _column_in_its_block(column: int, ctx: PostContext) -> int:
    """The column the lines after a statement starting at ``column`` go no deeper than: that
    column, but for a statement typed at its block's closer's depth, that block's statements'
    (the typed line is the one off: the model's next lines, at the block's depth, were moved
    under it to the closer's column)."""
    indent = block_indent_for_off_line(column, ctx)
    return column if indent is None else ctx.width(indent)


def _no_deeper_than(lines: list[str], index: int, column: int, in_text: set[int], ctx: PostContext) -> list[str] | None:
    """The answer's lines from ``index`` on (a string's text kept) moved left together so that
    line stands at ``column``; None where it stands no deeper, or one would go left of column 0."""
    shift = column - ctx.width(_leading_ws(lines[index]))
    return _tail_shifted(lines, index, shift, in_text, ctx) if shift < 0 else None


def under_the_statement_it_ends(lines: list[str], ctx: PostContext) -> list[str] | None:
    """The answer's lines after its line that closes the parentheses the cursor is in and ends
    their statement (with `;`; in Python, with its line: no header's `:`) (a call's or a
    declaration's last arguments), moved left together
    so the first stands where that statement starts, where the model wrote it deeper: as
    :func:`under_the_whole_statement` for a statement the cursor's line ends (written a
    level deep, the arguments went under the call and the declarations after it stayed a
    level in, a header's prototypes in a block of their own). None: no such answer, or it
    stands no deeper."""
    language = (ctx.language or "").lower()
    if (language not in _SEMICOLON_LANGUAGES and language != "python") or not ctx.indent_known or _in_text(ctx):
        return None
    opened, where = ctx.brackets_after_prefix[4], ctx.brackets_after_prefix[6]
    inner = 0  # the parentheses and square brackets open at the cursor, inside any brace
    for bracket, _ in reversed(opened):
        if bracket not in "([":
            break
        inner += 1
    if not inner or where[-inner] < 0:
        return None
    scanner = _closable_brackets(ctx)[1]
    depth, end = 0, -1
    for i, line in enumerate(lines):
        for _, bracket in scanner.feed("\n" + line if i else line):
            depth += 1 if bracket in "([{" else -1
        if depth <= -inner:
            end = i
            break
    if end < 0 or depth != -inner or scanner.mode not in ("", "line"):
        return None
    code = _TRAILING_BLOCK_COMMENT.sub("", _code_only(lines[end]).rstrip())
    if not code.endswith(";") if language != "python" else code.endswith((":", "\\")):
        return None  # (Python's statement ends with its line, but for a header's or a backslash)
    in_text = _lines_in_text_blocks(lines, ctx)
    index = next((i for i in range(end + 1, len(lines)) if lines[i].strip()), -1)
    if index < 0 or index in in_text:
        return None
    body = lines[index].lstrip(" \t")
    if body.startswith(("#", "//", "/*")) or body[:1] in ")]}" or _is_label(body, ctx) or _CONTINUATION.match(body):
        return None  # a directive, a comment, a closer, a label: places of their own
    start = _statement_line_start(where[-inner], ctx)
    stop = ctx.prefix.find("\n", start)
    first_line = ctx.prefix[start:] if stop < 0 else ctx.prefix[start:stop]
    return _no_deeper_than(lines, index, _column_in_its_block(ctx.width(_leading_ws(first_line)), ctx), in_text, ctx)


def _trailing_comment_column(line: str, ctx: PostContext) -> int | None:
    """The column of the comment after the code on ``line``, if it has one."""
    found = _COMMENT_AFTER_CODE.search(line)
    if found is None:
        return None
    return len(line[: found.start(1)].expandtabs(ctx.tab_size))
