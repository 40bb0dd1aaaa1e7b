"""Python's blocks: an answer whose lines do not fit the blocks around the cursor, moved as one.

Python's indentation is its structure: a block's body stands one level right of its header,
a statement after a whole one stands at its column or out at the column of a block still
open (a branch, `else:` or `except`, at its own statement's), and so does the code below the
cursor after the answer's last line. Where the file sets its definitions apart with blank
lines (PEP 8), code that leaves a function's body comes after one. An answer written in a
frame of its own (from column 0, a level too deep or too shallow) breaks those rules where
the other filters left it; a careful reader moves all of it by the same columns until it
fits, and no further."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import TYPE_CHECKING

from ._brackets import _closable_brackets, _in_text
from ._code import _GOES_ON_START, _docstrings, _lines_in_text_blocks, _statement_start
from ._scanner import _BracketScanner
from ._syntax import _syntax_for
from ._text import _code_only, _goes_on_after, _iter_lines, _leading_ws, _shift_indent
from ._wrapped_statements import _statement_line_start

if TYPE_CHECKING:
    from .context import PostContext

#: A branch of the statement a block above belongs to: it stands out of the body it ends.
_BRANCH = re.compile(r"(?:else|elif|except|finally)\b")

#: A definition's line: a function's, a class's, a decorator.
_DEFINITION = re.compile(r"(?:async\s+def|def|class)\b|@")

#: The first line of a function's or a class's header, wrapped or not: a block opens there
#: (`class T(support.TempdirManager,` over its bases' line: read as no header, its column
#: was an unknown block's, where an answer's `finally:` from column 0 fitted).
_HEADER_START = re.compile(r"(?:async\s+def|def|class)\s")

#: A method's header: its first parameter is the instance or the class.
_METHOD = re.compile(r"(?:async\s+)?def\s+\w+\s*\(\s*(?:self|cls)\b")

#: Lines above the cursor looked at for the blocks open there, and for the file's habit.
_WINDOW = 200
_HABIT_WINDOW = 100


class _Once:
    """A value worked out when first asked for."""

    def __init__(self, make: Callable[[], bool]) -> None:
        self._make: Callable[[], bool] | None = make
        self._value = False

    def __call__(self) -> bool:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value


@dataclass(frozen=True)
class _Statement:
    """A logical line: its first and last lines (indices into the lines read), the column it
    starts at, whether it opens a block (a `:` ends it), its first line stripped, whether
    a blank line stands between it and the statement before it, and whether it ends (False:
    the lines read stop inside it)."""

    index: int
    end: int
    width: int
    opens: bool
    text: str
    blank_before: bool = False
    ends: bool = True

    def at(self, width: int) -> _Statement:
        return _Statement(self.index, self.end, width, self.opens, self.text, self.blank_before, self.ends)


#: An open block's level: the column of its statements and the last one there (None: not
#: known, the prompt's window ends before it).
_Level = tuple[int, "str | None"]

#: The level below those the prompt's window shows, where it ends before column 0: any
#: column left of them may be an open block's.
_UNKNOWN = -1


def fitted_to_the_blocks(text: str, ctx: PostContext) -> str:
    """``text`` with its lines after the cursor's statement moved by the fewest columns that
    make them and the suffix's next line fit the blocks open at the cursor, where as written
    they do not (see the module's docstring). Unchanged where they fit, where nothing makes
    them fit, or where the structure is no sure thing (the cursor in a string or a comment, in
    a bracket opened out of the prompt's window or one the suffix closes, the answer ending
    inside one). In brackets the prompt opened, the cursor's statement is the one they are
    in, and the lines moved are those after the answer's closer of the outermost."""
    if ctx.language != "python" or not ctx.indent_known or "\n" not in text:
        return text
    if _in_text(ctx) or not _prompt_s_brackets_known(ctx):
        return text  # in a string or a block comment, or inside brackets out of sight
    lines = text.split("\n")
    if not lines[0].strip() and not ctx.line_prefix.strip():
        return text  # a blank line at the cursor: the model's first line tells nothing
    statements = _answer_statements(lines, ctx)
    if statements is None or len(statements) < 2:
        return text
    first, moving = statements[0], statements[1:]
    if _GOES_ON_START.match(moving[0].text):
        return text  # `.method()`, `and x`: a line meant to go on with the one above
    levels = _open_levels(first, ctx)
    # Below an answer stopping inside its last statement, the suffix goes on with it.
    below, unit = (_suffix_statement(ctx) if moving[-1].ends else None), ctx.unit_width
    own_steps = {b.width - a.width for a, b in pairwise(statements) if a.opens}
    floor = 0
    if below is not None and below.width < first.width + (unit if first.opens else 0):
        # The code below leaves the cursor's block itself: where the answer's lines leave it
        # too is for them to tell (a class two spaces a level after a method's last line),
        # but not left of it, but for a header's: that code would stand deeper than the
        # statement before it (an `else:` from column 0 whose body ends at column 4 above
        # a method's line at column 12, an unexpected indent). Not where the answer's own
        # bodies stand in a step of their own (its levels, not its frame, are wrong).
        if not moving[-1].opens and own_steps <= {unit}:
            floor = below.width
        below = None
    # A header ending the answer with the code below deeper than it: that code is its body,
    # a level of the file's right of it (else the user is writing the lines between); only
    # where the answer's own bodies stand a level of the file's right of their headers (in a
    # step of its own, where its last header goes is the other filters' business).
    body_below = (
        below is not None and moving[-1].opens and below.width > moving[-1].width and own_steps <= {unit}
    )
    # Read from the prompt only where a line leaves a definition with no blank line (~1 ms).
    apart = _Once(lambda: _sets_definitions_apart(ctx))
    if moving[-1].width >= floor and _fits(first, moving, below, levels, unit, apart, body_below):
        return text
    if not moving[-1].ends and len(moving) > 1 and _fits(first, moving[:-1], None, levels, unit, apart):
        # Whole statements that fit as written stay for an unfinished last one: its column is
        # the least sure (a continuation aligned in it read as a two-space step put a right
        # `elif (a and` a level out, and the whole answer went two levels left to fit it).
        return text
    written = moving[0].width
    if first.opens:
        targets = [first.width + unit]
    else:
        targets = [width for width, _ in levels if width != _UNKNOWN]
    start = first.end + 1
    code_lines = [i for i in range(start, len(lines)) if lines[i].strip()]
    # The nearest column first, and the deeper of two as near: the block the cursor is in.
    for target in sorted(targets, key=lambda t: (abs(t - written), -t)):
        shift = target - written
        if not shift or any(ctx.width(_leading_ws(lines[i])) + shift < 0 for i in code_lines):
            continue
        if moving[-1].width + shift >= floor and _fits(
            first, [s.at(s.width + shift) for s in moving], below, levels, unit, apart, body_below
        ):
            return "\n".join(_moved(lines, start, shift, ctx))
    return _tail_fitted(lines, first, moving, below, levels, floor, (apart, body_below), ctx) or text


def _tail_fitted(
    lines: list[str],
    first: _Statement,
    moving: list[_Statement],
    below: _Statement | None,
    levels: list[_Level],
    floor: int,
    rules: tuple[_Once, bool],
    ctx: PostContext,
) -> str | None:
    """The answer with its statements after the first below the cursor's moved by the fewest
    columns that make them fit, where they stand left of it and no move of all of them does:
    the body's first line placed (a level in from its header), the rest in the model's frame
    from column 0 (`m = tuple(...)` moved into its `if`, and `s1 = min(m)` below it left at
    column 0, out of the function). None: nothing makes them fit."""
    head, tail = moving[0], moving[1:]
    if not tail or tail[0].width >= head.width:
        return None
    unit, (apart, body_below) = ctx.unit_width, rules
    written = tail[0].width
    targets = {width for width, _ in levels if width != _UNKNOWN} | {head.width + (unit if head.opens else 0)}
    # (past the head's own string: a docstring's text moved with its quotes already)
    in_text = _lines_in_text_blocks(lines, ctx)
    start = next(i for i in range(head.end + 1, tail[0].index + 1) if i not in in_text)
    code_lines = [i for i in range(start, len(lines)) if lines[i].strip()]
    for target in sorted(targets, key=lambda t: (abs(t - written), -t)):
        shift = target - written
        if shift <= 0 or any(ctx.width(_leading_ws(lines[i])) + shift < 0 for i in code_lines):
            continue
        moved = [head, *(s.at(s.width + shift) for s in tail)]
        if moved[-1].width >= floor and _fits(first, moved, below, levels, unit, apart, body_below):
            return "\n".join(_moved(lines, start, shift, ctx))
    return None


def _logical_lines(
    lines: list[str],
    scanner: _BracketScanner,
    skip: set[int],
    ctx: PostContext,
    lead: str = "",
    open_end: bool = False,
    open_at_start: int = 0,
) -> list[_Statement] | None:
    """The logical lines of ``lines`` read by ``scanner`` from its state, ``lead`` the code
    before the first line on its line (the cursor line's, where one starts there), inside
    ``open_at_start`` brackets opened before them (the first goes on until it closes them).
    Lines in ``skip`` (a string's) and comments start none. None: a closer of a bracket opened
    before them otherwise, or the last one still open (a bracket, a backslash) unless
    ``open_end``: then it counts from its first line, a header or not unknown (read as none)."""
    depth, goes_on, blank = open_at_start, False, False
    out: list[_Statement] = []
    for index, line in enumerate(lines):
        whole = lead + line if index == 0 else line
        code = _code_only(whole).strip()
        if index == 0 or (
            code and not depth and not goes_on and index not in skip and scanner.mode in ("", "line") and code[0] != "#"
        ):
            out.append(_Statement(index, index, ctx.width(_leading_ws(whole)), False, whole.strip(), blank))
            blank = False
        else:
            blank = blank or not line.strip() if not code else False
        for _, bracket in scanner.feed("\n" + line if index else line):
            depth += 1 if bracket in "([{" else -1
            if depth < 0:
                return None
        end = _code_only(whole).rstrip()
        goes_on = end.endswith("\\")
        if end and out and index not in skip and not end.lstrip().startswith("#"):
            last = out[-1]
            # Not where the line ends in a string over lines (`x = """Usage:`): its text's colon.
            opens = end.endswith(":") and not depth and not goes_on and scanner.mode in ("", "line")
            out[-1] = _Statement(last.index, index, last.width, opens, last.text, last.blank_before)
    if scanner.mode not in ("", "line"):
        return None  # in a string: where its text ends is no sure thing
    if depth or goes_on:
        if not open_end or not out:
            return None
        last = out[-1]
        out[-1] = _Statement(last.index, last.end, last.width, False, last.text, last.blank_before, False)
    return out


def _answer_statements(lines: list[str], ctx: PostContext) -> list[_Statement] | None:
    """The answer's logical lines, the first the one the cursor's line is in (its column where
    that statement starts: a wrapped header's first line), None as :func:`_logical_lines`."""
    scanner = _closable_brackets(ctx)[1]
    opened = ctx.brackets_after_prefix[6]
    # The answer may stop inside its last statement (cut by its token limit, or the model's
    # own stop): where that statement starts still tells its block (read as None, an answer
    # from column 0 whose last call went on past its end was left out of its method).
    skip = _lines_in_text_blocks(lines, ctx)
    out = _logical_lines(lines, scanner, skip, ctx, ctx.line_prefix, open_end=True, open_at_start=len(opened))
    if not out or out[0].index:
        return None
    if opened:
        # In brackets the prompt opened, the cursor's statement starts on the line that opened
        # the outermost (where the lines after the answer's closer go on from).
        start = ctx.prefix[_statement_line_start(opened[0], ctx) : opened[0]]
        first = out[0]
        out[0] = _Statement(0, first.end, ctx.width(_leading_ws(start)), first.opens, start.strip(), False, first.ends)
    elif ctx.line_prefix.strip():
        start = _statement_start(ctx, lines[0])
        first = out[0]
        out[0] = _Statement(0, first.end, ctx.width(_leading_ws(start)), first.opens, start.strip(), False)
    return out


def _prompt_s_brackets_known(ctx: PostContext) -> bool:
    """Whether the brackets the prompt leaves open at the cursor (none, or some) opened in the
    prompt's window, and the suffix closes none of them: then the answer's closer of the
    outermost ends the statement they are in, and its next lines are statements (a call's last
    argument closing it, then `if start_serving:` from column 0 where the call stood deeper)."""
    opened, open_after = ctx.brackets_after_prefix[6], ctx.brackets_after_prefix[4]
    return all(where >= 0 for where in opened) and not any(by for _, by in open_after)


def _open_levels(first: _Statement, ctx: PostContext) -> list[_Level]:
    """The open blocks' levels at the cursor's statement, outermost first, from the headers
    above it each left of the last (led by :data:`_UNKNOWN` where the prompt's window ends
    before one stands at column 0); the last, the cursor's statement's."""
    levels: list[_Level] = [(first.width, first.text)]
    for line in reversed(ctx.recent_lines(_WINDOW)):
        body = line.lstrip(" \t")
        if not body or body[0] == "#":
            continue
        ws = line[: len(line) - len(body)]
        width = ctx.width(ws) if "\t" in ws else len(ws)  # (spaces counted at once: ~200 lines a call)
        if width < levels[0][0] and (_code_only(line).rstrip().endswith(":") or _HEADER_START.match(body)):
            levels.insert(0, (width, line.strip()))
            if not width:
                return levels
    return [(_UNKNOWN, None), *levels] if levels[0][0] else levels


def _suffix_statement(ctx: PostContext) -> _Statement | None:
    """The suffix's next line of code below the cursor's line, where the answer ends the
    cursor's line (else the answer's last line goes on with the rest of it)."""
    if ctx.line_suffix.strip():
        return None
    blank = False
    for line in islice(_iter_lines(ctx.suffix), 1, 40):
        code = line.strip()
        if code and not code.startswith("#"):
            return _Statement(-1, -1, ctx.width(_leading_ws(line)), False, code, blank)
        blank = blank or not code
    return None


def _sets_definitions_apart(ctx: PostContext) -> bool:
    """Whether the prompt's window leaves every function's or class's body with a blank line
    before the code after it (PEP 8's), where it leaves one at all."""
    lines = ctx.recent_lines(_HABIT_WINDOW)
    while lines and not _code_only(lines[0]).strip():
        del lines[0]  # (the first line read starts a statement)
    scanner = _BracketScanner(_syntax_for(ctx.language))
    statements = _logical_lines(lines, scanner, set(), ctx) or []
    stack: list[_Level] = []
    for statement in statements:
        left = _leave(stack, statement.width)
        if left and not statement.blank_before and not _DEFINITION.match(statement.text):
            return False
        if stack and stack[-1][0] == statement.width:
            stack.pop()
        stack.append((statement.width, statement.text))
    return True


def _leave(stack: list[_Level], width: int) -> bool:
    """Takes the levels deeper than ``width`` off ``stack``; whether one of them was a
    function's or a class's body."""
    left = False
    while stack and stack[-1][0] > width:
        stack.pop()
        left = left or _spaced_definition(stack)
    return left


def _spaced_definition(stack: list[_Level]) -> bool:
    """Whether the last statement of the innermost level on ``stack`` is a definition PEP 8
    sets apart with blank lines: a top-level one, or a method (a nested function is not)."""
    header = stack[-1][1] if stack else None
    if header is None or not _DEFINITION.match(header):
        return False
    if len(stack) < 2:
        return stack[-1][0] == 0
    parent = stack[-2][1]
    return parent is not None and re.match(r"class\b", parent) is not None


def _fits(
    first: _Statement,
    moving: list[_Statement],
    below: _Statement | None,
    levels: list[_Level],
    unit: int,
    apart: Callable[[], bool],
    body_below: bool = False,
) -> bool:
    """Whether the statements after ``first`` and then ``below`` (the suffix's) stand where
    Python's blocks let them: a body one level right of the cursor's header (the answer's own
    headers: right of them), a statement after a whole one at its column or out at an open
    block's, a branch there at its own statement's, a method's `def` (`self` or `cls` its
    first parameter) in a class's or a function's body, and (``apart``) code out of a
    function's body after a blank line. A header at the answer's end leaves the suffix
    unchecked (the user is writing the lines around it) unless it is the header's body
    (``body_below``): one level right of it, the suffix being in the file's levels."""
    stack = list(levels)
    prev = first
    with_below = below is not None and (body_below or not moving[-1].opens)
    sequence = [*moving, below] if with_below else moving
    nested_method: int | None = None  # the column of a method's `def` in a function's body
    for statement in sequence:
        width, branch = statement.width, _BRANCH.match(statement.text) is not None
        if prev.opens:
            own = prev is not first and statement is not below  # (the model's own step)
            deeper = width > prev.width if own else width == prev.width + unit
            if branch or not deeper:
                return False
            stack.append((width, statement.text))
        else:
            if width > prev.width:
                return False
            left = _leave(stack, width)
            if stack and stack[-1][0] == _UNKNOWN:
                stack.append((width, None))  # a block whose header the prompt's window leaves out
            if not stack or stack[-1][0] != width:
                return False
            header = stack[-1][1]
            if branch and (width == prev.width or (header is not None and not _goes_on_after(statement.text, header))):
                return False
            if left and not statement.blank_before and not _DEFINITION.match(statement.text) and apart():
                return False
            if nested_method is not None and width <= nested_method:
                if width < nested_method:
                    return False  # the function's body ended with it: a method a level deep
                nested_method = None
            stack[-1] = (width, statement.text)
            if _METHOD.match(statement.text):
                enclosing = _enclosing_definition(stack)
                if enclosing is None:
                    return False
                if enclosing == "def":
                    nested_method = width
        prev = statement
    return nested_method is None


def _enclosing_definition(stack: list[_Level]) -> str | None:
    """Whether the innermost level on ``stack`` is in a class's body (``"class"``, or a block
    whose header the prompt's window leaves out), in a function's (``"def"``) or in neither
    (None), from the innermost header out: where a method's `def` stands. In a function's, a
    wrapper's or a test's fake (`def fake_send(self, request):` in a test method) is nested
    there when the function's body goes on after it; where nothing after it does, it is a
    method written a level deep (the next method's line at the class's column below it)."""
    for _, header in reversed(stack[:-1]):
        if header is None or header.startswith("class"):
            return "class"
        if _HEADER_START.match(header):
            return "def"
    return None


def _moved(lines: list[str], start: int, shift: int, ctx: PostContext) -> list[str]:
    """The answer's lines from ``start`` on moved by ``shift`` columns, but for a string's
    lines: its value (a docstring's move with it, as its code)."""
    in_text = _lines_in_text_blocks(lines, ctx)
    documentation = {index for _, block in _docstrings(lines, in_text, ctx) for index in block}
    return [
        _shift_indent(line, shift, ctx) if index >= start and (index not in in_text or index in documentation) else line
        for index, line in enumerate(lines)
    ]
