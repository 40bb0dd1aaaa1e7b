"""Code below a brace-less header (`if (x)` with no `{` in C, Java, JavaScript...): its one
statement a level in, and what comes after it back at the header's column."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._brackets import _in_text
from ._code import _BRACELESS, _GOES_ON_START
from ._text import _brackets_left_open, _code_only, _is_comment, _leading_ws, _shift_indent

if TYPE_CHECKING:
    from .context import PostContext


#: Languages where a control statement's body may come without braces, on the next line
#: (not Go, Rust or Swift, whose `if` always takes a block).
_BRACELESS_BODIES = frozenset({"c", "cpp", "csharp", "java", "javascript", "typescript", "tsx", "php", "kotlin"})

#: A control statement's header whose body comes next, joined from its lines: a condition in
#: parentheses (their end checked apart), `else`, `do`. Not `} while (x)`, a `do` loop's end.
_BRACELESS_HEADER = re.compile(r"(?:\}\s*)?else\s+if\s*\(|(?:if|for|foreach|while)\s*\(|(?:\}\s*)?else$|do$")


def _into_the_braceless_body(lines: list[str], ctx: PostContext) -> list[str] | None:
    """The answer with its first line of code, the body of the brace-less `if (...)`,
    `for (...)`, `else` the line above it ends (wrapped over lines or not), one level right of
    where that statement starts, and its other lines moved in the model's own frame. Nothing
    else may stand there, whatever the model's indentation says. Left as written, a body at
    the header's depth or left of it was taken for a line out of the block and dropped, one
    as deep as the wrapped condition's last line (or a step of its own deeper) kept there.
    None: no such answer, or the body already stands there."""
    if (ctx.language or "").lower() not in _BRACELESS_BODIES or not ctx.indent_known:
        return None
    if _in_text(ctx):
        return None  # in a string or a block comment
    cursor_has_code = bool(ctx.line_prefix.strip())
    index = next((i for i, line in enumerate(lines) if line.strip()), -1)
    if index < 0 or (cursor_has_code and index == 0) or (not cursor_has_code and index > 0):
        return None
    header = [*ctx.recent_lines(20), ctx.line_prefix] if cursor_has_code else ctx.recent_lines(20)
    start = _braceless_header_start(header, ctx)
    body = lines[index].lstrip(" \t")
    if start is None or body[:1] in "{}#" or _is_comment(body) or _GOES_ON_START.match(body):
        return None
    if not index and ctx.line_prefix and not _leading_ws(lines[0]):
        return None  # where the editor put the cursor below the header: its style stands
    offset = 0 if index else ctx.width(ctx.line_prefix)  # the blank cursor line's columns
    target = ctx.width(_leading_ws(start)) + _braceless_body_offset(ctx)
    written = offset + ctx.width(_leading_ws(lines[index]))
    if written == target or target < offset:
        return None
    moved = _after_the_body(lines[index + 1 :], written, target, ctx)
    if moved is None:
        return None
    indent = ctx.render_indent(target - offset)
    return [*lines[:index], indent + body, *moved]


def _braceless_body_offset(ctx: PostContext) -> int:
    """The columns from a brace-less header's line to its body's in the prompt's other such
    bodies (zlib's two in a four-space file), else a level."""
    recent = ctx.recent_lines(80)
    offsets = []
    for index, line in enumerate(recent[:-1]):
        code = _code_only(line).strip()
        if _BRACELESS.match(code) and _braceless_header_start([line], ctx) is not None:
            body = recent[index + 1]
            if body.strip() and not body.lstrip().startswith("{"):
                offsets.append(ctx.width(_leading_ws(body)) - ctx.width(_leading_ws(line)))
    common = max(set(offsets), key=offsets.count) if offsets else 0
    return common if common > 0 else ctx.unit_width


def _braceless_header_start(header: list[str], ctx: PostContext) -> str | None:
    """The line where the brace-less control header that ``header``'s last line of code ends
    starts (up through the lines whose brackets that line closes), or None if that line ends
    no such header."""
    code_lines = [line for line in header if line.strip()]
    if not code_lines:
        return None
    end = _code_only(code_lines[-1]).rstrip()
    if not end or end.endswith((";", "{", "}", ",")):
        return None
    depth = -_brackets_left_open(end)
    taken = [end.strip()]
    for line in reversed(code_lines[:-1]):
        if depth <= 0:
            break
        code = _code_only(line).strip()
        depth -= _brackets_left_open(code)
        taken.append(code)
    if depth:
        return None  # the header's start lies above the lines looked at, or is no sure thing
    joined = " ".join(reversed(taken))
    match = _BRACELESS_HEADER.match(joined)
    if match is None:
        return None
    if joined.endswith(("else", "do")) and match.end() == len(joined):
        return code_lines[-len(taken)]
    # The condition's parenthesis is the one that closes at the header's end (`if (x) f(y)`,
    # JavaScript without semicolons, is a whole statement).
    level = 0
    for pos in range(match.end() - 1, len(joined)):
        level += {"(": 1, ")": -1}.get(joined[pos], 0)
        if not level:
            return code_lines[-len(taken)] if pos == len(joined) - 1 else None
    return None


def _after_the_body(rest: list[str], written: int, target: int, ctx: PostContext) -> list[str] | None:
    """The answer's lines after a brace-less body written at ``written`` columns that goes in at
    ``target``, already in the file's levels: deeper ones (its statement going on) move with
    it; those left of it, the nearest as far left of it as a body stands right of its header,
    keep their levels from that header (the whole answer was a level off: the body at the
    header's depth, the next line a level out); one as deep stays where it is when the body
    stood at the header's depth (the model did not indent it). None: where they go is no
    sure thing."""
    widths = [ctx.width(_leading_ws(line)) for line in rest if line.strip()]
    left = [width for width in widths if width < written]
    offset, unit = _braceless_body_offset(ctx), ctx.unit_width
    header, model_header = target - offset, written - offset
    if left and (max(left) != model_header or any((model_header - width) % unit for width in left)):
        return None
    if not left and written in widths and written != header:
        return None
    out = []
    for line in rest:
        width = ctx.width(_leading_ws(line))
        if not line.strip():
            out.append(line)
        elif width > written or (width == written and left):
            out.append(_shift_indent(line, target - written, ctx))
        elif width == written:
            out.append(line)
        else:
            levels = (model_header - width) // unit  # levels left of the model's header
            out.append(ctx.render_indent(header - levels * unit) + line.lstrip(" \t"))
    return out
