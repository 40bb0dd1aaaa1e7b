"""Items of a list or call the prompt opened on an earlier line: the next one goes under the
item above it."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

from ._brackets import _closable_brackets, _innermost_opened_at, _inside_alignment_bracket
from ._closers import _opens_keyword_block
from ._code import _is_label, _lines_in_text_blocks
from ._scanner import _BracketScanner
from ._syntax import _syntax_for
from ._text import _WAITING_END, _brackets_left_open, _code_only, _leading_ws, _shift_indent

if TYPE_CHECKING:
    from .context import PostContext


def under_the_item_above(text: str, before: str, ctx: PostContext) -> str | None:
    """``text`` with its lines below the cursor's moved together so the first stands under
    the cursor's line, where that line is a whole item of a parenthesis, a bracket or a brace
    that opens a value (an object, an initializer, an enum) opened on a line above it
    (`    'compat32',` in `__all__ = [`): the next item stands where the items
    do, whatever column the model wrote it at (its own frame, from column 0 or a level off,
    left it out of line with the list's others); the lines after the list's closer with them
    where it was written in their frame. ``before`` is the answer re-indented by
    levels: the lines move from there, nested ones in the file's levels. None: no such
    answer, or it stands there. Where no indented line tells the file's unit (a header whose
    lines are all alignment), the items' column is still the prompt's: the lines go right of
    the item's own whitespace, none left of it (left where written, a header's parameters
    from column 0 stayed there)."""
    if _syntax_for(ctx.language).shell:
        return None  # (a shell's brackets hold no items over lines)
    if not _inside_alignment_bracket(ctx) and not _in_a_literal_s_braces(ctx):
        return None  # in no list: a block's statements
    lines = text.split("\n")
    item = ctx.line_prefix + lines[0]
    cursor_line = len(ctx.prefix) - len(ctx.line_prefix)
    if not 0 <= _innermost_opened_at(ctx) < cursor_line or not _code_only(item).strip():
        return None  # the bracket opened on the cursor's line (under_the_open_bracket's), or before the scan
    if _in_a_keyword_block(ctx, _innermost_opened_at(ctx)):
        return None  # a function's statements in a table's entry: a block's, not items
    scanner = _closable_brackets(ctx)[1]
    code = _code_only(item).rstrip()
    if scanner.mode not in ("", "line") or _brackets_left_open(code):
        return None  # in a string, or the line leaves a bracket open or closes one: no whole item
    for _ in scanner.feed(lines[0]):
        pass
    if scanner.mode not in ("", "line"):
        return None
    after = copy.copy(scanner)
    if code.lstrip()[:1] in ")]}#" or (not code.endswith(",") and _WAITING_END.search(code)):
        return None  # a closer, a comment, or an item going on below (`a +`, `key:`)
    levelled = before.split("\n")
    if len(levelled) != len(lines):
        return None
    lines = levelled
    index = next((i for i, line in enumerate(lines) if i and line.strip()), -1)
    if index < 0 or lines[index].lstrip()[:1] in ")]}":
        return None
    written, target = ctx.width(_leading_ws(lines[index])), ctx.width(_leading_ws(item))
    if not code.endswith(",") and _chained_under(lines[index], item, ctx):
        # The item going on below as a method chain aligned on its own `.` (`.mapToObj(...)`
        # under `.range(`): its author's alignment. Taken for the next item, it went under the
        # item's first column.
        return None
    in_text = _lines_in_text_blocks(lines, ctx)
    shift = target - written
    end = _closing_line(lines, after)
    opened = _innermost_opened_at(ctx)
    opener_line = ctx.prefix[ctx.prefix.rfind("\n", 0, opened) + 1 : opened]
    if end < len(lines) and ctx.width(_leading_ws(lines[end])) + shift == ctx.width(_leading_ws(opener_line)):
        # The list's closer alone on its line (or, after an item's line that closes it, the
        # next line) written in the items' frame: moved with them it stands under the line
        # that opened the list, and the code after it is in that frame too (left where the
        # model wrote it, it stood a level off, out of its block or in one no line opens).
        end = len(lines)
    moved = [i for i in range(index, end) if lines[i].strip() and i not in in_text]
    if not shift or any(ctx.width(_leading_ws(lines[i])) + shift < 0 for i in moved):
        return None
    item_ws = _leading_ws(item)
    if not ctx.indent_known or ("\t" in item_ws and item_ws.endswith(" ")):
        # Tabs then spaces (levels, then alignment under a parenthesis): the item's own
        # whitespace, not the columns in tabs (five spaces past four tabs became a fifth tab).
        right = _right_of_the_item(lines, moved, shift, item_ws, ctx)
        if right is not None or not ctx.indent_known:
            return right
    return "\n".join(_shift_indent(line, shift, ctx) if i in moved else line for i, line in enumerate(lines))


def _chained_under(line: str, item: str, ctx: PostContext) -> bool:
    """Whether ``line`` goes on with ``item``'s call chain, its `.` under a `.` of ``item``."""
    column = ctx.width(_leading_ws(line))
    expanded = item.expandtabs(ctx.tab_size)
    return line.lstrip().startswith(".") and column < len(expanded) and expanded[column] == "."


def _in_a_keyword_block(ctx: PostContext, opened: int) -> bool:
    """Whether the cursor is in a block a keyword opened (Lua's `function`, `then`; Ruby's
    `do`) after the bracket at ``opened``: a callback's body in a table passed to a call
    (`create_autocmd(ev, { callback = function(args)`), whose lines are statements. Read as
    the table's items, the line after an `end` went under it (the callback's `end,` under the
    if's `end`, two columns deep)."""
    if ctx.language not in ("ruby", "lua") or ctx.block_opener_re is None:
        return False
    depth = 0
    wrapped = ""  # a header's lines so far, its parameters' `(` open (`function(a,⏎    b)`)
    for line in ctx.prefix[opened + 1 :].split("\n"):
        code = _code_only(line).strip()
        header = f"{wrapped} {code}" if wrapped else code
        wrapped = ""
        if re.match(r"end\b", code):
            depth = max(0, depth - 1)
        elif header and _opens_keyword_block(header, ctx):
            depth += 1
        elif header.count("(") > header.count(")"):
            wrapped = header
    return depth > 0


def _right_of_the_item(lines: list[str], moved: list[int], shift: int, item_ws: str, ctx: PostContext) -> str | None:
    """The answer with the ``moved`` lines ``shift`` columns right, in the item's whitespace and
    spaces after it (no unit known to render levels in); None where one would stand left of it."""
    target = ctx.width(item_ws)
    out = list(lines)
    for i in moved:
        ws = _leading_ws(lines[i])
        extra = ctx.width(ws) + shift - target
        if extra < 0:
            return None
        out[i] = item_ws + " " * extra + lines[i][len(ws) :]
    return "\n".join(out)


#: How the code before a `{` ends where the brace opens a value (an object, an initializer, a
#: destructuring pattern), not a block: after `=`, `(`, `[`, `,`, `:`, `?`, `return`, `const`...
#: (`int a[] = {`, `foo({`, `key: {`, `const {`), after an array type (`new int[] {`); or an
#: enum's header.
_BEFORE_A_LITERAL = re.compile(
    r"(?:[=(\[,:?]|\[\]|\b(?:return|const|let|var|default|yield|await))$|^(?:typedef\s+)?enum\b"
)


def _in_a_literal_s_braces(ctx: PostContext) -> bool:
    """Whether the innermost bracket open at the cursor is a brace that opens a value, whose
    lines are items (an enum's, an initializer's, an object's, a destructuring's), not a
    block's statements (a `case 1: {` is a block)."""
    opened = _innermost_opened_at(ctx)
    if ctx.brackets_after_prefix[3] != "{" or opened < 0:
        return False
    before = _code_only(ctx.prefix[ctx.prefix.rfind("\n", 0, opened) + 1 : opened]).strip()
    return not _is_label(before, ctx) and _BEFORE_A_LITERAL.search(before) is not None


def _closing_line(lines: list[str], scanner: _BracketScanner) -> int:
    """The index past the answer's line that closes the bracket the cursor is in (``scanner``
    read its first line): the lines after it are code past the list, in their own levels."""
    depth = 0
    for index in range(1, len(lines)):
        for _, bracket in scanner.feed("\n" + lines[index]):
            depth += 1 if bracket in "([{" else -1
            if depth < 0:
                # A line of closers alone stands under what it closes (_closers_under_their_openers).
                return index if lines[index].lstrip()[:1] in ")]}" else index + 1
    return len(lines)
