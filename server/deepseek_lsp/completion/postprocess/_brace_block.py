"""A brace language's answer whose first line of code stands off the column the cursor's
block puts it at: into that block, its lines with it."""

from __future__ import annotations

import re
from functools import reduce
from itertools import islice, pairwise
from math import gcd
from typing import TYPE_CHECKING

from ._anchors import _OWN_STEPS
from ._brackets import _closable_brackets, _in_text, _innermost_opened_at
from ._code import (
    _GOES_ON_START,
    _goes_on_from,
    _is_label,
    _lines_in_parentheses,
    _starts_statement,
    _statement_start,
)
from ._scanner import typed_bracket
from ._text import (
    _BRACE_LANGUAGES,
    _CONTINUATION,
    _brackets_left_open,
    _code_only,
    _is_comment,
    _iter_lines,
    _leading_ws,
    _opens_block,
)
from ._wrapped_statements import _statement_width

if TYPE_CHECKING:
    from .context import PostContext

#: A line that may stand left of its block's statements: a label (`retry:`, C++'s `public:`,
#: `case (0x400):  // note`), a preprocessor line (`#ifdef`).
_LEFT_OF_BLOCK = re.compile(
    r"(?:#|(?:[A-Za-z_]\w*|(?:public|private|protected)(?:\s+\w+)?)\s*:\s*(?://.*)?$|(?:case|default)\b.*:\s*(?://.*)?$)"
)


def _into_the_brace_block(
    lines: list[str], written: list[tuple[int, str, int]], base: int, in_text: set[int], ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step and depths of an answer in a brace language whose first line of code stands
    left of where the cursor's block puts it (a statement below a statement, a body below a
    `{`), before any `}` of the answer closes that block: in the block all the same, its lines
    go in as far right as that. Left as written, two-space lines under a cursor four in
    stayed two in, a body below a `{` at the header's depth made the scope limit drop the
    answer, and a line left of the first was cut as out of the block. None: not such an
    answer (Python's shallower lines leave blocks; a label, a directive or a closer may
    stand left), or the block's depth is no sure thing."""
    if (ctx.language or "").lower() not in _BRACE_LANGUAGES or ctx.brackets_after_prefix[3] != "{":
        return None
    if not ctx.indent_known:
        return None  # a guessed unit tells no depth (a new file's own lines are kept)
    opened, unit = _innermost_opened_at(ctx), ctx.unit_width
    if opened < 0 or _in_text(ctx):
        return None  # the block opened before the prompt's window, or the cursor is in a string
    floor = _statement_width(opened, ctx) + unit  # the column of the block's statements
    if not _suffix_agrees(floor, ctx, sum(_brackets_left_open(_code_only(line)) for line in lines) > 0):
        return None
    entries = list(written)
    if not ctx.line_prefix and lines[0].strip() and not (entries and entries[0][0] == 0):
        # A first line from column 0 of a blank line (one with no indentation is no entry).
        first_ws = _leading_ws(lines[0])
        entries.insert(0, (0, first_ws, ctx.width(first_ws)))
    # A comment may stand anywhere: the first line of code tells where the answer stands.
    index, ws, _ = next((e for e in entries if not _is_comment(lines[e[0]][len(e[1]) :])), (-1, "", 0))
    if index < 0:
        return None
    body = lines[index][len(ws) :]
    if body[:1] in ")]}" or _is_label(body, ctx) or _LEFT_OF_BLOCK.match(body):
        return None
    if _GOES_ON_START.match(body) or _CONTINUATION.match(body):
        return None  # it goes on with the statement above (`.then(`, `else`)
    target = _depth_below(lines, index, body, in_text, floor, ctx)
    first = _column(index, ws, ctx)
    if target is None or first == target or target % unit or base % unit:
        return None
    levels, base_levels = target // unit, base // unit
    widths = [(i, w, _column(i, w, ctx)) for i, w, _ in entries]
    inside = _lines_in_parentheses(lines, ctx)
    # The answer's own step: from a block's header to its body, else the one its first line
    # is whole levels of from column 0 (two-space levels for a line two levels in), else the
    # file's. Not from continuation lines, as deep as the file's style wants.
    step = _body_step(lines, widths, inside, ctx)
    whole, rest = divmod(first, levels)
    step = step or (whole if not rest and whole in _OWN_STEPS and whole < unit else unit)
    if step not in _OWN_STEPS and step != unit:
        return None
    closers = _outer_closers(lines, ctx)
    if first > target:
        step = _too_deep_below_a_brace(lines, index, widths, step, target, closers, floor, ctx)
        if not step:
            return None
    moved = []
    for i, w, width in widths:
        depth = width - first + (levels - base_levels) * step
        if i in closers:
            # Where the block it closes stands, whatever the answer's frame says (a body
            # written at its header's depth has its `}` there too).
            depth = (floor // unit - closers[i] - base_levels) * step
        moved.append((i, w, depth))
    return step, moved


def _column(index: int, ws: str, ctx: PostContext) -> int:
    """The column line ``index`` of the answer starts its code at: the first line goes on from
    the cursor, after the blanks Enter's autoindent left before it. Read from column 0, the
    four spaces a model wrote after a cursor four in (a body below a `{`, at its column 8)
    stood left of the block, read as two-space levels, and the body went to column 16."""
    return ctx.width(ctx.line_prefix + ws) if index == 0 else ctx.width(ws)


#: How a line ends that the next goes on with: an operator, a comma, an open bracket (wider
#: than _WAITING_END: a TypeScript type argument's `<` or `>`, a chain's `.`, a `!`).
_GOES_ON_END = tuple(",([{=+-*/%&|^!?:<>.~")


def _too_deep_below_a_brace(
    lines: list[str],
    index: int,
    widths: list[tuple[int, str, int]],
    step: int,
    target: int,
    closers: dict[int, int],
    floor: int,
    ctx: PostContext,
) -> int:
    """The step the answer's levels are read in where its line ``index``, its first of code,
    stands right of where the block puts it (``target``) and goes there with the rest: below
    a `{`, written in wider levels of the model's own that put it at that block's level from
    column 0, or (below a `{`, a `//` comment line or a whole statement of the block's) in
    the file's levels (``step``) in a frame too deep (:func:`_deeper_by`). 0: neither. Below
    a statement a deeper line may be the model's wider levels too, which the other frames
    read."""
    line_above = _line_above(lines, index, ctx)[0]
    code_above = ctx.trailing_comment_re.sub("", line_above).rstrip()
    below_a_brace = code_above.endswith("{")
    whole_above = line_above.lstrip(" \t").startswith("//") or (
        code_above.strip() and not code_above.endswith(_GOES_ON_END)
    )
    if not below_a_brace and (not whole_above or ctx.width(_leading_ws(line_above)) != floor):
        # Below a comment line or a whole statement of the block's own the line may be the
        # whole answer shifted too (after `// make sure it exists`, the answer stayed a level
        # in); below anything else (a line going on), no sure thing.
        return 0
    unit, first = ctx.unit_width, ctx.width(_leading_ws(lines[index]))
    wide = step if step > unit else reduce(gcd, (width for _, _, width in widths), 0)
    if below_a_brace and wide > unit and wide in _OWN_STEPS:
        return wide if first == target // unit * wide else 0
    # Lines a level apart from each other in the file's unit: the whole answer shifted.
    own = reduce(gcd, (abs(width - first) for _, _, width in widths), 0)
    return step if own in (0, unit) and _deeper_by(first - target, lines, closers, floor, ctx) else 0


def _deeper_by(shift: int, lines: list[str], closers: dict[int, int], floor: int, ctx: PostContext) -> bool:
    """Whether an answer whose first line of code stands ``shift`` columns right of the
    cursor's block's statements (``floor``) was written in a frame that much too deep, not
    deeper on purpose: the `}` it closes that block with stands as far right of the block's
    header, or (with none) the code below the cursor has its next statement at ``floor``, or
    the block's `}` at its header's column. (Left there, a body a level too deep read as a
    block of its own.)"""
    header = floor - ctx.unit_width
    closing = min(closers, key=closers.__getitem__, default=None)
    if closing is not None:
        return ctx.width(_leading_ws(lines[closing])) == header + shift
    if ctx.line_suffix.strip():
        return False
    code = next((line for line in islice(_iter_lines(ctx.suffix), 1, 12) if line.strip() and not _is_comment(line.strip())), None)
    if code is None:
        return False
    body = code.strip()
    if body[0] in ")]}":
        own = _last_open_brace_line(lines)
        if own is not None:
            # The `}` of the answer's own block left open: under that block's line once moved.
            return body[0] == "}" and ctx.width(_leading_ws(code)) == ctx.width(_leading_ws(lines[own])) - shift
        return body[0] == "}" and ctx.width(_leading_ws(code)) == header
    return ctx.width(_leading_ws(code)) == floor and not (_GOES_ON_START.match(body) or _CONTINUATION.match(body))


def _last_open_brace_line(lines: list[str]) -> int | None:
    """The answer's line (past its first) that opens the innermost `{` it leaves open; None:
    it leaves none open, or the first line opens it."""
    opened: list[int] = []
    for index, line in enumerate(lines):
        for char in _code_only(line):
            if char == "{":
                opened.append(index)
            elif char == "}" and opened:
                opened.pop()
    return opened[-1] if opened and opened[-1] else None


def _body_step(lines: list[str], widths: list[tuple[int, str, int]], inside: dict[int, int], ctx: PostContext) -> int:
    """The columns from each of the answer's lines that open a block with `{` to the next line
    of code, deeper, outside parentheses: their common divisor (0: no such line)."""
    return reduce(gcd, _body_rises(lines, widths, inside, ctx, braces=True), 0)


def _body_rises(
    lines: list[str], widths: list[tuple[int, str, int]], inside: dict[int, int], ctx: PostContext, braces: bool
) -> list[int]:
    """The columns from each of the answer's lines that opens a block (with `{` alone where
    ``braces``) to the next line of code, deeper, outside parentheses: the answer's own
    steps from a header to its body."""
    rises = []
    for (i, _, width), (j, _, below) in pairwise(widths):
        code = ctx.trailing_comment_re.sub("", lines[i]).rstrip()
        opens = code.endswith("{") if braces else _opens_block(code, ctx) and not code.endswith(("(", "["))
        if opens and below > width and j not in inside:
            rises.append(below - width)
    return rises


def _suffix_agrees(floor: int, ctx: PostContext, answer_opens: bool = False) -> bool:
    """Whether the code below the cursor leaves the block's statements at ``floor``: its next
    line of code stands there or deeper (in a block the answer opens), or it is the block's
    `}` one level left (a header wrapped onto a line of its own, `throws IOException {`,
    made the block's depth a guess, too deep), or, where the answer leaves a bracket of its
    own open (``answer_opens``), that bracket's closer at ``floor`` or right of it (an answer
    stopping inside its own `if (…) {` was left as written, its body at column 0)."""
    rest = ctx.line_suffix.strip()
    if rest:
        return rest.startswith("}")  # `{|}`: the block's closer, on the cursor line
    for line in islice(_iter_lines(ctx.suffix), 1, 12):
        code = line.strip()
        if not code or _is_comment(code):
            continue
        if _GOES_ON_START.match(code):
            return False  # a statement's next line (`.environment(envp)`): no level
        if code[0] in ")]}":
            width = ctx.width(_leading_ws(line))
            return width == floor - ctx.unit_width or (answer_opens and width >= floor)
        return ctx.width(_leading_ws(line)) >= floor
    return False


def _depth_below(
    lines: list[str], index: int, body: str, in_text: set[int], floor: int, ctx: PostContext
) -> int | None:
    """The column the block puts the answer's line ``index``, its first with code, at: the
    cursor's block's statements' (``floor``) below a whole statement at that depth, one level
    right of that below a line that opens a block with `{`. None: the line above is something
    else (a continuation, a brace-less `if`'s body, a line deeper than the block's
    statements), where the line's place is no sure thing."""
    between = enumerate(lines[1:index], 1)
    if any(i in in_text or (line.strip() and not _is_comment(line.lstrip())) for i, line in between):
        return None
    above, start, brace_in_prefix = _line_above(lines, index, ctx)
    if above.lstrip().startswith("//"):
        # A comment line as deep as the block's statements: the next statement goes there.
        return floor if ctx.width(_leading_ws(above)) == floor else None
    code = ctx.trailing_comment_re.sub("", above).rstrip()
    if not code or _is_comment(code.lstrip()):
        return None
    width = ctx.width(_leading_ws(start))
    if _goes_on_from_above(start, ctx):
        return None  # a header's or a statement's wrapped line: its depth tells nothing
    if code.endswith("{"):
        # The cursor line's own `{` is the block the prefix leaves open; one the answer's first
        # line opens is inside it.
        if (width + ctx.unit_width if brace_in_prefix else width) != floor:
            return None
        return width + ctx.unit_width
    if not _starts_statement(above, body, ctx) or width != floor:
        return None
    if _CONTROL_HEADER.match(start.lstrip()) and not code.endswith((";", "}")):
        return None  # the end of a wrapped `if (...)` without braces: its body is deeper
    return floor


def _line_above(lines: list[str], index: int, ctx: PostContext) -> tuple[str, str, bool]:
    """The line above the answer's line ``index`` (its first with code; the cursor's line with
    the answer's first, or the line above a blank cursor line), the line its statement starts
    on, and whether that line is the prompt's alone."""
    if index and (ctx.line_prefix.strip() or lines[0].strip()):
        return ctx.line_prefix + lines[0], _statement_start(ctx, lines[0]), not lines[0].strip()
    above = ctx.previous_line or ""
    return above, above, True


#: The start of a control statement's header, whose body may come without braces.
_CONTROL_HEADER = re.compile(r"(?:\}\s*)?(?:if|for|foreach|while|else|do)\b")


def _goes_on_from_above(start: str, ctx: PostContext) -> bool:
    """Whether ``start``, a line of the prefix, stands right of the line above it that it
    may go on with (Java's `    throws IOException {` under its method's `public ... )`):
    the statement starts further up, where no scan of brackets finds it."""
    recent = [*ctx.recent_lines(20), ctx.line_prefix]
    at = next((j for j in range(len(recent) - 1, -1, -1) if recent[j] == start), None)
    if at is None:
        return True  # not found: no sure thing
    return _goes_on_from(next((line for line in reversed(recent[:at]) if line.strip()), None), start, ctx)


def _outer_closers(lines: list[str], ctx: PostContext) -> dict[int, int]:
    """The answer's lines that a `}` closing a block it did not open starts, each with how
    many such blocks it has closed by then."""
    scanner = _closable_brackets(ctx)[1]
    own = closed = 0
    out: dict[int, int] = {}
    for index, line in enumerate(lines):
        lead = 1 + len(_leading_ws(line)) if index else -1
        fed = "\n" + line if index else line
        for pos, bracket in scanner.feed(fed):
            # Only a brace the scanner reads as code (a template's `${` ... `}` is text), no
            # `#else`'s undoing its branch before.
            if pos == lead and bracket == "}" and not own and typed_bracket(fed, pos, bracket):
                closed += 1
                out[index] = closed
            own += 1 if bracket in "([{" else -1 if own else 0
    return out
