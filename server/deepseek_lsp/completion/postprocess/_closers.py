"""Closers put under what they close: a bracket's `)`, `]`, `}` under the line that opened it, a
keyword block's `end`/`fi`/`done` under its header, wherever the model wrote them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._brackets import (
    _OPENER_OF,
    _closable_brackets,
    _inside_alignment_bracket,
    _open_after_prefix,
    _opened_at,
)
from ._code import (
    _GOES_ON_UNSIGNED,
    _goes_on_from,
    _is_label,
    _lines_in_text_blocks,
    _open_before_each_line,
)
from ._initializer_list import _initializes
from ._text import _BRACE_LANGUAGES, _CLOSER_ONLY, _code_only, _leading_ws, _shift_indent
from ._wrapped_statements import _statement_line_start

if TYPE_CHECKING:
    from .context import PostContext


#: How a line ends that the next goes on with, past any bracket: an assignment's `=`, an
#: operator (not `i++` without a semicolon, nor a comment's `*/` or `/*`).
_OPERATOR_END = re.compile(r"(?:[=%&|^?]|(?<!\+)\+|(?<!-)-|(?<!/)\*|(?<!\*)/)\s*$")


#: A line that goes on with the block the line above opened rather than opening one: Ruby's
#: `elsif`, `when`, `rescue`; Lua's `elseif ... then`, `else`.
_MID_BLOCK = re.compile(r"(?:else|elsif|elseif|when|in|rescue|ensure|catch)\b")


def _closers_under_their_openers(text: str, ctx: PostContext) -> str:
    """``text`` with each line that holds only closers (`}`, `)`, `});`, Ruby's and Lua's
    `end`) and stands left of the line where the statement it closes starts moved right to
    that line's indentation, in its characters: a block's `}` written at column 0 under a
    loop four in closed the loop (left there, the scope limit took it for the function's and
    cut the lines after it, or the suffix's `}` for a duplicate). Deeper closers keep their
    place (styles differ: a closer under a list's items); only a line the scanner reads as
    code, closing a bracket whose opening line is known (in the answer, or in the prompt's
    window), moves."""
    if not ctx.language or ctx.language.lower() in _GOES_ON_UNSIGNED:
        return text  # prose, or a language whose layout is its own (Haskell's)
    lines = text.split("\n")
    if not any(_movable_closer(lines, index, ctx) for index in range(len(lines))):
        return text
    # (a `} else {` tells the frame as a `}` alone does)
    lines = _out_of_the_model_s_frame(lines, _bracket_closer_targets(lines, ctx, going_on=True), ctx)
    targets = {**_bracket_closer_targets(lines, ctx), **_keyword_closer_targets(lines, ctx)}
    for index, indent in targets.items():
        ws = _leading_ws(lines[index])
        if ctx.width(ws) < ctx.width(indent):
            lines[index] = indent + lines[index][len(ws) :]
    return "\n".join(lines)


def _out_of_the_model_s_frame(lines: list[str], targets: dict[int, str], ctx: PostContext) -> list[str]:
    """``lines`` with the answer's first `}`, where it stands right or left of the line where
    the statement it closes starts, moved there: with the lines below the first, where the
    line after the cursor's stands as far off where it goes (a body a level right of the
    cursor's line, or two right of a header it ends) as the `}` does, or there is none, the
    model having written them in a frame too deep (a body two levels in under its `if`, the
    code after it a level right of the `if`) or too shallow (the lines after a first line on
    the cursor's retyped indentation written as if it stood at column 0: the `return` after
    the `}` stayed at the `}`'s column as written, out of its block); alone where that line
    stands where it goes. Only in brace languages, and not in a call's parenthesis (its lines
    are aligned, in no frame)."""
    if (ctx.language or "").lower() not in _BRACE_LANGUAGES or not targets or _inside_alignment_bracket(ctx):
        return lines
    index = min(targets)
    if index == 0 or not lines[index].lstrip().startswith("}"):
        return lines
    written, wanted = ctx.width(_leading_ws(lines[index])), ctx.width(targets[index])
    shift = wanted - written
    if shift == 0 or shift % ctx.unit_width or ctx.unit_width < 2:
        return lines  # (no whole level: a label's odd column, C++'s ` private:`)
    in_text = _lines_in_text_blocks(lines, ctx)
    aligned = _aligned_below_the_first(lines, ctx)  # (they stay with the cursor's line)
    code = [i for i in range(1, len(lines)) if lines[i].strip() and i not in in_text and i not in aligned]
    between = [i for i in code if i < index]
    if between:
        above = _code_only(_whole_line(lines, between[0] - 1, ctx)).rstrip()
        cursor = ctx.width(ctx.indentation if ctx.line_prefix.strip() else ctx.line_prefix + _leading_ws(lines[0]))
        expected = cursor + (ctx.unit_width if above.endswith(("{", ")")) else 0)
        excess = ctx.width(_leading_ws(lines[between[0]])) - expected
        if excess == 0:
            code = [index]  # the body where it goes: only the `}` is off
        elif excess != -shift:
            return lines
    if any(ctx.width(_leading_ws(lines[i])) + shift < 0 for i in code):
        return lines
    moved = set(code)
    return [_shift_indent(line, shift, ctx) if i in moved else line for i, line in enumerate(lines)]


def _aligned_below_the_first(lines: list[str], ctx: PostContext) -> set[int]:
    """The answer's lines that start right inside a parenthesis or square bracket its first
    line opened (a wrapped condition's or call's next line, aligned under it; not a callback's
    body, inside a `{` in it)."""
    return {
        index
        for index, _, own, _ in _open_before_each_line(lines, ctx)
        if index and own and own[-1][0] != "{" and own[-1][1] == 0
    }


def _whole_line(lines: list[str], index: int, ctx: PostContext) -> str:
    return ctx.line_prefix + lines[0] if index == 0 else lines[index]


def _movable_closer(lines: list[str], index: int, ctx: PostContext) -> bool:
    """Whether the answer's line ``index`` is a line of closers alone that may be re-indented:
    a whole line (the first only from column 0)."""
    return (index > 0 or not ctx.line_prefix) and _CLOSER_ONLY.match(lines[index].strip()) is not None


def _bracket_closer_targets(lines: list[str], ctx: PostContext, going_on: bool = False) -> dict[int, str]:
    """The answer's lines of closers alone that close a bracket, each with the indentation of
    the line where the statement opening that bracket starts, where that is known; with
    ``going_on``, the lines a `}` starts that go on after it too (`} else {`)."""
    scanner = _closable_brackets(ctx)[1]
    prefix_open = [
        (bracket, opened) for (bracket, _), opened in zip(_open_after_prefix(ctx), _opened_at(ctx), strict=True)
    ]
    # The answer's open brackets, each with its statement's indentation (None: unknown).
    own: list[tuple[str, str | None]] = []
    open_at_start: list[int] = []  # how many of them were open where each line starts
    goes_on: set[int] = set()  # lines that close an earlier line's bracket after code (`|| b) {`)
    targets: dict[int, str] = {}
    for index, line in enumerate(lines):
        open_at_start.append(len(own))
        lead = 1 + len(_leading_ws(line)) if index else len(_leading_ws(line))
        opened_here = 0
        for pos, bracket in scanner.feed("\n" + line if index else line):
            if bracket in "([{":
                own.append((bracket, _own_statement_indent(index, len(own), open_at_start, goes_on, lines, ctx)))
                opened_here += 1
                continue
            if opened_here:
                opened_here -= 1
            elif pos != lead:
                goes_on.add(index)
            wanted = pos == lead and (
                _movable_closer(lines, index, ctx) or (going_on and index > 0 and line.lstrip().startswith("}"))
            )
            indent = _closed_line_indent(bracket, own, prefix_open, lines, ctx, wanted)
            if indent is not None:
                targets[index] = indent
            lead = -1  # only the line's first bracket tells where it goes
    return targets


def _own_statement_indent(
    index: int, depth: int, open_at_start: list[int], goes_on: set[int], lines: list[str], ctx: PostContext
) -> str | None:
    """The indentation of the line where the statement starts that opens a bracket on the
    answer's line ``index`` with ``depth`` of its brackets open: up through the lines inside
    brackets opened above. None where it starts in the prompt, past a bracket of it that the
    answer closes (the end of a wrapped condition, `|| b) {`), or past a line it goes on."""
    start = index
    while start > 0 and (
        open_at_start[start] > depth
        or _OPERATOR_END.search(_code_only(lines[start - 1]))
        or _initializes(lines, start)
    ):
        # A line inside brackets opened above, after `=`, or a constructor's initializer list:
        # the statement starts higher (a constructor's `}` went under its `: a(x) {`).
        start -= 1
    if start in goes_on:
        return None
    if start == 0 and ctx.line_prefix.strip():
        return _prefix_statement_indent(len(ctx.prefix), ctx)
    return _leading_ws(_whole_line(lines, start, ctx))


def _closed_line_indent(
    bracket: str,
    own: list[tuple[str, str | None]],
    prefix_open: list[tuple[str, int]],
    lines: list[str],
    ctx: PostContext,
    wanted: bool,
) -> str | None:
    """Takes the bracket ``bracket`` closes off ``own`` (the answer's) or else ``prefix_open``
    (the prompt's), and gives the indentation of its statement's line if ``wanted``; None when
    unknown (a bracket of another kind, one opened before the prompt's window, a statement
    whose start no bracket tells)."""
    opener = _OPENER_OF[bracket]
    if own:
        kind, indent = own.pop()
        return indent if kind == opener and wanted else None
    if not prefix_open:
        return None
    kind, opened = prefix_open.pop()
    if kind != opener or opened < 0 or not wanted:
        return None
    indent = _prefix_statement_indent(opened, ctx)
    if indent is None or not _deeper_below(opened, ctx.width(indent), lines, ctx):
        return None
    return indent


def _prefix_statement_indent(opened: int, ctx: PostContext) -> str | None:
    """The indentation of the line where the statement starts that opens a bracket at
    ``opened`` in the prefix (:func:`_statement_line_start`), or None where that line goes on
    from a line above it that ends no statement or block: a declaration wrapped before its
    name or after its `=` (`static final double[]` above `    T[] = {`), where no bracket
    tells where the statement starts. A mixed indentation (a space under tabs) is no sure
    thing either."""
    start = _statement_line_start(opened, ctx)
    indent = _leading_ws(ctx.prefix[start:opened])
    if any(c not in ctx.indent_unit for c in indent) and not ctx.tab_width:
        return None
    if not ctx.prefix[start:opened].strip():
        return indent  # a `{` alone on its line (GNU's, Allman's): its closer goes under it
    return None if _goes_on_from(_code_line_above(start, ctx), indent, ctx) else indent


def _code_line_above(start: int, ctx: PostContext) -> str | None:
    """The last line of the prefix that is not blank above the line starting at ``start``."""
    end = start - 1
    while end > 0:
        begin = ctx.prefix.rfind("\n", 0, end) + 1
        if ctx.prefix[begin:end].strip():
            return ctx.prefix[begin:end]
        end = begin - 1
    return None


def _deeper_below(opened: int, width: int, lines: list[str], ctx: PostContext) -> bool:
    """Whether the first line below the prefix's line that opens a bracket at ``opened`` stands
    deeper than ``width``, as a block's or a call's lines stand deeper than its statement's
    first line. Not so, the statement starts higher up, where no bracket tells (Java's
    `    throws IOException {` below its method's header), and its place is a guess."""
    cursor_line = len(ctx.prefix) - len(ctx.line_prefix)
    end = ctx.prefix.find("\n", opened, cursor_line)
    above_cursor = ctx.prefix[end + 1 : cursor_line].split("\n") if end >= 0 else []
    answer = [ctx.line_prefix + lines[0], *lines[1:]] if end >= 0 or not ctx.line_prefix.strip() else lines[1:]
    # A switch's label may stand as deep as the switch (gofmt's, the kernel's `case`).
    line = next((line for line in (*above_cursor, *answer) if line.strip() and not _is_label(line.lstrip(), ctx)), None)
    return line is not None and ctx.width(_leading_ws(line)) > width


def _keyword_closer_targets(lines: list[str], ctx: PostContext) -> dict[int, str]:
    """The answer's `end` lines (Ruby, Lua), each with the indentation of the line that opened
    the block it ends: the answer's own, else the prompt's innermost still open."""
    if ctx.language not in ("ruby", "lua") or ctx.block_opener_re is None:
        return {}
    in_text = _lines_in_text_blocks(lines, ctx)
    prefix_openers = _prefix_keyword_openers(ctx)
    own: list[str] = []
    targets: dict[int, str] = {}
    for index in range(len(lines)):
        whole = _whole_line(lines, index, ctx)
        code = _code_only(whole).strip()
        if index in in_text or not code:
            continue
        if re.match(r"end\b", code):
            indent = own.pop() if own else next(prefix_openers, None)
            if indent is not None and _movable_closer(lines, index, ctx):
                targets[index] = indent
        elif _opens_keyword_block(code, ctx):
            own.append(_leading_ws(whole))
    return targets


def _opens_keyword_block(code: str, ctx: PostContext) -> bool:
    """Whether a line of code opens a block its `end` closes (not a `{` block, nor a branch
    going on with the block above: `else`, `elsif`, `when`; nor Lua's `repeat`, which `until`
    closes: counted open, the function's `end` after such a loop went under the `repeat`)."""
    if _MID_BLOCK.match(code) or code.rstrip("| ").endswith("{") or re.search(r"\{\s*\|[^|]*\|$", code):
        return False
    if ctx.language == "lua" and code == "repeat":
        return False
    return ctx.block_opener_re is not None and ctx.block_opener_re.search(code) is not None


def _prefix_keyword_openers(ctx: PostContext) -> Iterator[str]:
    """The indentation of each line of the prompt's window that opens a block no `end` above
    the cursor closes, innermost first."""
    pending = 0
    for line in reversed(ctx.recent_lines(80)):
        code = _code_only(line).strip()
        if re.match(r"end\b", code):
            pending += 1
        elif code and _opens_keyword_block(code, ctx):
            if pending:
                pending -= 1
            else:
                yield _leading_ws(line)
