"""Lines whose column the code around them tells for sure, whatever the model wrote: a shell
`fi`, `done`, `esac`, `then`, `do` under what they close or go on with, a `case` arm's pattern,
its commands and its `;;` where the file puts them, a switch's `case`/`default` labels and the statements
of its arms. The answer's other lines keep their place relative to the last such line, in the
model's own step turned into the file's levels."""

from __future__ import annotations

import re
from collections import Counter
from functools import reduce
from itertools import pairwise
from math import gcd
from typing import TYPE_CHECKING, Protocol

from ._brackets import _closable_brackets, _in_text, _innermost_opened_at
from ._code import _BRACELESS, _GOES_ON_START, _lines_in_text_blocks
from ._shell_blocks import _shell_structure
from ._text import (
    _CONTINUATION,
    _LABEL,
    _STRING_LITERAL,
    _SWITCH_LANGUAGES,
    _argument_list_opened,
    _code_only,
    _foreign_tabs,
    _leading_ws,
)
from ._wrapped_statements import _statement_line_start

if TYPE_CHECKING:
    from .context import PostContext


#: The widths of a level an answer written in a step of its own may have.
_OWN_STEPS = (2, 3, 4, 8)


class _Structure(Protocol):
    def target(self, code: str, written: int) -> int | None:
        """The column a line of ``code`` written at ``written`` columns must start at, here;
        None: no sure thing."""

    def feed(self, code: str, width: int) -> None:
        """Takes in a line of ``code`` placed at ``width`` columns."""

    def cursor_line(self, code: str, width: int) -> None:
        """Takes in the cursor line's ``code`` (the prompt's, at ``width`` columns)."""


def anchored(text: str, before: str, ctx: PostContext) -> str | None:
    """``text`` with its anchored lines at their columns and the lines after each kept where
    the model put them relative to it; the lines above the first anchor as ``before`` (the
    answer re-indented by levels) has them. None: no line of the answer is anchored."""
    if not ctx.indent_known or _in_text(ctx):
        return None  # a guessed unit, or the cursor in a string or a block comment
    structure = _shell_structure(ctx) or _switch_structure(ctx)
    if structure is None:
        return None
    lines, earlier = text.split("\n"), before.split("\n")
    if len(lines) != len(earlier):
        return None
    return _relevel(lines, earlier, structure, ctx)


def _written_width(index: int, line: str, ctx: PostContext) -> int:
    """The column the answer's line starts at as written (the first adds to a blank cursor line's)."""
    width = ctx.width(_leading_ws(line))
    return width + ctx.width(ctx.line_prefix) if index == 0 else width


def _relevel(lines: list[str], earlier: list[str], structure: _Structure, ctx: PostContext) -> str | None:
    """The answer with each line ``structure`` anchors at its column, the lines after it as far
    from it as written in the model's levels (the file's levels of them), lines of text as
    written; None: no line anchored."""
    skip = _lines_in_text_blocks(lines, ctx)
    cursor_has_code = bool(ctx.line_prefix.strip())
    common = _common_step(lines, skip, ctx)
    unit = step = ctx.unit_width
    anchor: tuple[int, int] | None = None  # (written, placed) columns of the last anchored line
    out: list[str] = []
    for index, line in enumerate(lines):
        if index == 0 and ctx.line_prefix:
            # The cursor line's: its indentation is the editor's, in no frame of the model's.
            width = ctx.width(ctx.indentation) if cursor_has_code else _written_width(0, earlier[0], ctx)
            structure.cursor_line(_code_only(ctx.line_prefix + line).strip(), width)
            out.append(earlier[0])
            continue
        if index in skip or not line.strip():
            out.append(line if anchor else earlier[index])
            continue
        code = _code_only(line).strip()
        written = _written_width(index, line, ctx)
        # Where the line stands in the file's columns: as re-indented by levels above the first
        # anchored line, then as far from the last one as written, in the model's step. A
        # structure keeping a line "where written" reads these, not the model's own columns
        # (a `case` pattern written in four-space levels stayed two too deep in a two-space file).
        if anchor is None:
            levelled = _written_width(index, earlier[index], ctx)
        else:
            offset = written - anchor[0]
            levelled = max(0, anchor[1] + (offset // step * unit if offset % step == 0 else offset))
        target = structure.target(code, levelled)
        if target is not None:
            if anchor is None:
                step = _model_step(common, written, target, ctx)
                _comments_with_the_line_below(lines, out, skip, written, target, ctx)
            anchor, placed = (written, target), target
        elif anchor is None:
            # Above the first anchored line: as re-indented by levels.
            structure.feed(code, levelled)
            out.append(earlier[index])
            continue
        else:
            placed = levelled
        structure.feed(code, placed)
        if placed == written:
            # In place: as re-indented by levels where that left it there too (in the file's
            # characters), else as written (a tab-and-spaces mix of the file's own).
            kept = _written_width(index, earlier[index], ctx) == written
            if kept or not _foreign_tabs(line, ctx):
                out.append(earlier[index] if kept else line)
                continue
            # (tabs in a file indented with spaces alone are no mix of its own: its spaces)
        out.append(_render(placed, ctx) + line.lstrip(" \t"))  # (a blank cursor line's is "")
    return "\n".join(out) if anchor is not None else None


def _comments_with_the_line_below(
    lines: list[str], out: list[str], skip: set[int], written: int, target: int, ctx: PostContext
) -> None:
    """The comment lines right above the first anchored line (``out``'s last), written at its
    column, moved with it to ``target``: they tell of it (a comment above an arm's first
    command stayed at column 0 where the command went into the arm)."""
    for index in range(len(out) - 1, -1, -1):
        line = lines[index]
        if index in skip or (index == 0 and ctx.line_prefix):
            return
        if not line.strip():
            continue
        if not _is_comment_line(line) or _written_width(index, line, ctx) != written:
            return
        out[index] = _render(target, ctx) + line.lstrip(" \t")


def _is_comment_line(line: str) -> bool:
    return line.lstrip().startswith(("#", "//"))


def _render(columns: int, ctx: PostContext) -> str:
    """Whitespace of that width in the file's characters: where it mixes tabs and spaces (Vim's
    noexpandtab with a narrower shiftwidth), a tab for each of its columns of a tab if the
    line above has one (many such files have whole regions in spaces)."""
    if ctx.tab_width and "\t" in _leading_ws(ctx.previous_line or ""):
        return "\t" * (columns // ctx.tab_width) + " " * (columns % ctx.tab_width)
    return ctx.render_indent(columns)


def _common_step(lines: list[str], skip: set[int], ctx: PostContext) -> int:
    """The common divisor of the steps between the answer's lines of code (0: none)."""
    widths = [
        _written_width(index, line, ctx)
        for index, line in enumerate(lines)
        if line.strip() and index not in skip and not (index == 0 and ctx.line_prefix)
    ]
    return reduce(gcd, (abs(b - a) for a, b in pairwise(widths)), 0)


def _model_step(common: int, written: int, target: int, ctx: PostContext) -> int:
    """The width of a level as the answer writes it: its steps' common divisor where its first
    anchored line stands as many of those levels in as the file's (two spaces a level under
    four: `else` two in for an `if` four in); else the file's. A divisor alone
    misled: a step of two levels at once (`;;` then `esac`), a file whose lines are deeper
    than its unit says, one line aligned three columns right."""
    unit = ctx.unit_width
    if common in _OWN_STEPS and target and written * unit == target * common:
        return common
    return unit


# --- switch statements -----------------------------------------------------------------------

#: A switch's header, or Scala's `x match` before its `{`.
_SWITCH = re.compile(r"\bswitch\b|\bmatch\s*$")


class _SwitchArms:
    """A switch the cursor is directly in: the columns of its labels and of its arms'
    statements (the file's, from the labels above the cursor), and how deep in braces of its
    own the answer is."""

    def __init__(self, switch: int, label: int, body: int, previous: str) -> None:
        self.switch, self.label, self.body = switch, label, body
        self.depth = 0  # braces the answer opened in the switch
        self.closed = False  # the answer closed the switch
        self.previous = previous  # the last line of code fed
        self.first = True

    def target(self, code: str, written: int) -> int | None:
        if self.closed or self.depth or not code:
            return None
        if code.startswith("}"):
            return self.switch
        if _LABEL.match(code):
            return self.label
        if self.first and self._starts_an_arm_s_statement(code):
            return self.body
        return None

    def _starts_an_arm_s_statement(self, code: str) -> bool:
        """Whether ``code``, the answer's first line of code, is a statement of the arm the
        line above is in (below its label, or a whole statement)."""
        if code.startswith(("{", "#", "//", "/*", "*")) or _GOES_ON_START.match(code) or _CONTINUATION.match(code):
            return False
        above = self.previous
        if _BRACELESS.match(above):
            return False
        return (_LABEL.match(above) is not None and above.endswith(":")) or above.endswith((";", "}"))

    def feed(self, code: str, width: int) -> None:
        self.cursor_line(code, width)
        self.first = self.first and not code

    def cursor_line(self, code: str, width: int) -> None:
        if not code:
            return
        self.previous = code
        for char in code:
            if char == "{":
                self.depth += 1
            elif char == "}":
                self.depth -= 1
                if self.depth < 0:
                    self.closed = True
                    return


def _switch_structure(ctx: PostContext) -> _SwitchArms | None:
    """The switch the cursor is directly in (its `{` the innermost open), with a label in it
    above the cursor or the cursor line's own: None otherwise."""
    if (ctx.language or "").lower() not in _SWITCH_LANGUAGES or ctx.brackets_after_prefix[3] != "{":
        return None
    opened = _innermost_opened_at(ctx)
    if opened < 0:
        return None
    start = _statement_line_start(opened, ctx)
    if not _SWITCH.search(_code_only(ctx.prefix[start:opened])):
        return None
    switch = ctx.width(_leading_ws(ctx.prefix[start:opened]))
    labels, bodies, previous = _arms_above(ctx.prefix[opened + 1 :].split("\n")[1:-1], ctx)
    unit = ctx.unit_width
    # As most of the switch's labels and statements stand (one mis-indented arm is no style).
    label = labels.most_common(1)[0][0] if labels else None
    body = bodies.most_common(1)[0][0] if bodies else None
    if label is None and body is None:
        if _LABEL.match(ctx.line_prefix.strip()) or (ctx.language == "scala" and not ctx.line_prefix.strip()):
            # (Or where the cursor's blank line stands: the answer's first arm starts there.)
            label = ctx.width(ctx.indentation)
        elif ctx.language == "scala" and (offset := _file_label_offset(ctx.prefix[:start], ctx)) is not None:
            # A new match in a file whose matches all put their arms alike (at the `x match {`
            # line's column, or a level in): so do its arms, whatever column the model wrote.
            label = switch + offset
        else:
            return None  # no arm above: where labels go is no sure thing
    label = body - unit if label is None else label  # type: ignore[operator]
    if body is None:
        # Labels half a level in (the JDK's `case -1:` two right of its `switch`) have their
        # statements a level right of the switch: a level right of such a label, the first
        # statement of DataInputStream's next arm went two columns past the file's.
        body = switch + unit if 0 < label - switch < unit else label + unit
    arms = _SwitchArms(switch, label, body, previous)
    if opened >= len(ctx.prefix) - len(ctx.line_prefix):
        # Its `{` ends the cursor's line, fed as that line: no brace of the answer's own.
        arms.depth = -1
    return arms


def _file_label_offset(text: str, ctx: PostContext) -> int | None:
    """How far right of its header every switch (or match) in ``text`` puts its first label,
    when they all agree; None: none in ``text``, or they differ."""
    offsets: set[int] = set()
    header: int | None = None
    for line in text.split("\n"):
        code = _code_only(line).strip()
        if not code or code.startswith(("//", "/*", "*")):
            continue
        if header is not None and _LABEL.match(code):
            offsets.add(ctx.width(_leading_ws(line)) - header)
        header = ctx.width(_leading_ws(line)) if code.endswith("{") and _SWITCH.search(code[:-1]) else None
    return next(iter(offsets)) if len(offsets) == 1 else None


def _arms_above(lines: list[str], ctx: PostContext) -> tuple[Counter[int], Counter[int], str]:
    """The columns of the switch's labels in ``lines`` (its lines above the cursor line), of
    the first statements below them, and its last line of code."""
    labels, bodies = Counter[int](), Counter[int]()
    depth, after_label, previous = 0, False, ""
    for line in lines:
        code = _code_only(line).strip()
        if not code or code.startswith(("//", "/*", "*", "#")):
            continue
        width = ctx.width(_leading_ws(line))
        if depth == 0 and _LABEL.match(code):
            labels[width] += 1
            after_label = code.endswith((":", "=>"))  # Scala's `case 1 =>`
        elif depth == 0 and after_label:
            bodies[width] += 1
            after_label = False
        depth = max(0, depth + code.count("{") - code.count("}"))
        previous = code
    return labels, bodies, previous


# --- arguments below an open parenthesis -----------------------------------------------------

def under_the_open_bracket(text: str, before: str, ctx: PostContext) -> str | None:
    """``text`` with its lines inside the parenthesis or bracket the cursor line leaves open
    after an argument (`result = foo(a,`) moved together so the first stands where the file
    puts such lines: under the parenthesis's first argument, or a hanging indent as wide as
    the file's others; the model's alignment under the argument stays. None: no such answer,
    or its first line already stands where it goes (``before`` is the answer re-indented by
    levels, which made a two-column continuation a level: neither the file's nor PEP 8's)."""
    if ctx.brackets_after_prefix[3] not in ("(", "[") or not ctx.indent_known:
        return None
    opened = _innermost_opened_at(ctx)
    cursor_line = len(ctx.prefix) - len(ctx.line_prefix)
    line_start = ctx.prefix.rfind("\n", 0, opened) + 1
    if opened < 0 or _in_text(ctx):
        return None
    lines = text.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), -1)
    if opened >= cursor_line:
        opener_line = ctx.line_prefix  # `result = foo(a,|` then Enter
        if index < 1:
            return None
    else:
        # A blank line right below the opener's (the editor's indentation before the cursor).
        opener_line = ctx.prefix[line_start : cursor_line - 1]
        if ctx.line_prefix.strip() or "\n" in ctx.prefix[opened:cursor_line - 1] or index < 0:
            return None
    arguments = _code_only(opener_line[opened - line_start + 1 :]).strip()
    if not arguments.endswith(",") or arguments == ",":
        # A hanging indent (`foo(`): its depth is a level's, the levels' business; an operand
        # going on (`"%s" % x +`), or prose in a string the scan took for code: no argument.
        return None
    indent = _leading_ws(opener_line)
    statement = ctx.width(indent)
    # Tabs inside the line (`\txmlNanoHTTPRead\t\t(void *ctx,`) go to their stops: counted as
    # one column each, the arguments' column stood a tab's width and more left of the `(`.
    expanded = opener_line.expandtabs(ctx.tab_size)
    bracket = len(opener_line[: opened - line_start].expandtabs(ctx.tab_size))
    columns = _argument_columns(expanded, bracket, _leading_ws(expanded), statement)
    written = _written_width(index, lines[index], ctx)
    if index == 0 and not _leading_ws(lines[0]) and _hanging_levels(written - statement, ctx):
        # The cursor's own column, a hanging indent of whole levels (Tab pressed, or the
        # editor's indent): the user's choice. Moved to the file's other habit (the JDK's
        # `return new ImageHeader(a,` with its line at 4 where two calls above hang theirs 8
        # in), the suggestion began with blanks and stood right of the line the file has.
        return None
    target = _continuation_column(statement, columns, written, ctx)
    if target is None or target == written:
        return None
    return _moved_inside(lines, before.split("\n"), index, target - written, indent, statement, ctx)


def _continuation_column(statement: int, columns: list[int], written: int, ctx: PostContext) -> int | None:
    """Where an argument line goes below an opener line indented ``statement`` columns whose
    arguments start at ``columns`` (the first right of the parenthesis), written at
    ``written``: where written if under one of them (a method's `self, ` skipped), or a
    hanging indent as wide as the prompt's other such lines have, or with none such, a whole
    number of levels in (a double indent, many styles' and the standard library's odd ones);
    else as the prompt's other such lines stand, or aligned under the first argument (PEP 8's
    and clang-format's rule for an argument after the parenthesis). None: where written."""
    if written in columns:
        return None
    aligned, hanging = _argument_lines_above(ctx)
    if written - statement in hanging:
        return None  # where an argument line above stands (under the outer call's argument)
    # A width seen once is a habit only a level or two in: further right it is alignment
    # under something of its line, or a column off (the standard library's `for lc in ("a",`
    # over a line a column right of the `"a"`: its lone 16, 20 and 28 columns taken for the
    # file's hanging indent, the next argument went 16 columns right).
    habits = [(width, count) for width, count in hanging.most_common() if count > 1 or _hanging_levels(width, ctx)]
    if habits and habits[0][1] > aligned:
        return statement + habits[0][0]
    levels = written - statement
    return None if levels > 0 and levels % ctx.unit_width == 0 else columns[0]


def _argument_columns(opener_line: str, bracket: int, indent: str, statement: int) -> list[int]:
    """The columns where the arguments after the bracket at ``bracket`` in ``opener_line``
    start (strings' text kept as long as written: the columns count)."""
    code = _STRING_LITERAL.sub(lambda m: "_" * len(m.group()), opener_line)
    base = statement - len(indent)  # the columns of the line's indentation, past its characters
    columns, depth = [base + bracket + 1 + _blank_run(code, bracket + 1)], 0
    for position in range(bracket + 1, len(code)):
        char = code[position]
        depth += 1 if char in "([{" else -1 if char in ")]}" else 0
        if char == "," and depth == 0 and code[position + 1 :].strip():
            columns.append(base + position + 1 + _blank_run(code, position + 1))
    return columns


def _blank_run(code: str, start: int) -> int:
    return len(code[start:]) - len(code[start:].lstrip(" "))


def _argument_lines_above(ctx: PostContext) -> tuple[int, Counter[int]]:
    """How many lines of the prompt's window stand under the argument after the bracket the line
    above leaves open, and how far right of that line's indentation the others stand."""
    aligned, hanging = 0, Counter[int]()
    recent = ctx.recent_lines(80)
    for above, line in pairwise(recent):
        opened = _argument_list_opened(above) if line.strip() and "\t" not in above else None
        if opened is None:
            continue
        bracket = opened[1]
        width, indent = ctx.width(_leading_ws(line)), len(_leading_ws(above))
        if width == bracket + 1:
            aligned += 1
        elif width > indent:
            hanging[width - indent] += 1
    return aligned, hanging


def _hanging_levels(width: int, ctx: PostContext) -> bool:
    """Whether an argument line ``width`` columns right of its statement hangs there by levels:
    one or two (PEP 8's four, Java's eight)."""
    return 0 < width <= 2 * ctx.unit_width and width % ctx.unit_width == 0


def _moved_inside(
    lines: list[str], earlier: list[str], first: int, shift: int, indent: str, statement: int, ctx: PostContext
) -> str | None:
    """The answer with its lines from ``first`` on that start inside the prompt's open bracket
    moved ``shift`` columns, in the opener line's characters and spaces after them (tabs for
    levels, spaces for alignment); the others as written. None: a line would go left of its
    statement, or the answer is in a frame of the model's own."""
    scanner = _closable_brackets(ctx)[1]
    for line in lines[:first]:
        for _ in scanner.feed(line + "\n"):
            pass
    depth, past, out = 0, False, earlier[:first]
    for index in range(first, len(lines)):
        line = lines[index]
        if past and earlier[index] != line:
            # A line past the bracket re-indented by levels: the answer is in a frame of the
            # model's own (two-space lines from column 0), where the argument's place is a
            # level's too.
            return None
        if past or not line.strip():
            out.append(line)
        else:
            width = _written_width(index, line, ctx) + shift
            if width <= statement:
                return None  # left of its statement: no argument line
            ws = indent + " " * (width - statement)
            if index == 0 and not ws.startswith(ctx.line_prefix):
                return None  # left of the blank cursor line's indentation: the editor's stays
            out.append((ws[len(ctx.line_prefix) :] if index == 0 else ws) + line.lstrip(" \t"))
        for _, bracket in scanner.feed(line + "\n"):
            depth += 1 if bracket in "([{" else -1
        # Past the bracket for good: a later statement's own parenthesis is no argument list
        # of the prompt's (its lines were moved, and not the line that opens it).
        past = past or depth < 0
    return "\n".join(out)
