"""The first line of a block the cursor starts: a body the model wrote at its header's depth
(or left of it) goes a level in."""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING

from ._block_comments import _lines_in_block_comments
from ._brackets import _in_text, _inside_alignment_bracket
from ._code import (
    _GOES_ON_START,
    _docstrings,
    _is_label,
    _lines_in_text_blocks,
    _opens_text_over_lines,
    _statement_start,
)
from ._syntax import _syntax_for
from ._text import (
    _CLOSER_ONLY,
    _CONTINUATION,
    _KEYWORD_CLOSING,
    _block_opening,
    _brackets_left_open,
    _code_only,
    _goes_on_after,
    _iter_lines,
    _leading_ws,
    _shift_indent,
)

if TYPE_CHECKING:
    from .context import PostContext

#: Languages whose `:` at a line's end opens a block that must have a deeper body (not C's
#: `case 1:` or a label, whose statements may stand at their column).
_COLON_BLOCKS = frozenset({"python"})

_SHELL_CASE = re.compile(r"\bin$")

#: A comment, which may stand anywhere.
_COMMENT = re.compile(r"(?:#|//|/\*|--)")

#: A loop of its own: a `while` goes on with a statement only after the `}` of a `do` block.
_LOOP = re.compile(r"while\b")

#: A shell `then` or `do` on a line of its own, under its `if` or loop; a keyword closer the
#: command goes on after (`done <<< "$list"`, `fi && exit`, Ruby's `end.join`).
_KEYWORD_GOES_ON = re.compile(r"(?:then|do|done|fi|esac|end)\b")


def into_the_opened_body(lines: list[str], ctx: PostContext) -> list[str] | None:
    """The answer moved a level right of the header the cursor's line (or the line above a
    blank cursor line) ends, where its first line of code stands no deeper than that header:
    a Python `if x:`, a shell `then`, a Ruby `def`. The lines after move with it, up to a line
    that goes on with the header's statement or closes it (`else:`, `fi`, `end`). Left there,
    the body was an IndentationError in Python and read as the code after the block elsewhere.
    None: no such answer.

    On a blank cursor line below a header, the answer's first line is that header's body; where
    it opens a block too (`cmd || {`, a `then`), its own body goes a level right of it the same
    way (at its column, the group's commands stood as the code after it)."""
    return _into_the_opened_body(lines, ctx, below_a_header=False) or _into_the_opened_body(
        lines, ctx, below_a_header=True
    )


def _into_the_opened_body(lines: list[str], ctx: PostContext, below_a_header: bool) -> list[str] | None:
    """:func:`into_the_opened_body` for the header the cursor's line ends or the line above it
    (``below_a_header`` False), or for the answer's first line on a blank cursor line below a
    header (True)."""
    if not ctx.indent_known or _in_text(ctx):
        return None  # a guessed unit, or the cursor in a string or a block comment
    cursor_has_code = bool(ctx.line_prefix.strip())
    index = next((i for i, line in enumerate(lines) if line.strip()), -1)
    above = ctx.previous_line
    header_above = above is not None and _opens_a_body(above, ctx)
    if below_a_header and not header_above:
        return None  # (done by the first reading)
    own_header = (
        index == 0
        and not cursor_has_code
        and header_above == below_a_header
        and _opens_a_body(ctx.line_prefix + lines[0], ctx)
        and not _opens_text_over_lines(lines, ctx)
    )
    if below_a_header and not own_header:
        return None
    if own_header:
        # The answer's first line, on a blank cursor line, is the header: its body below it.
        # (Comments above the body's first line, anywhere, move with it.)
        cursor_has_code = True
        index = next((i for i, line in enumerate(lines) if i and line.strip() and not _COMMENT.match(line.strip())), -1)
    if index < 0 or (index == 0) == cursor_has_code:
        return None  # the body's first line is on the cursor's line after code, or below a blank one
    header = ctx.line_prefix + lines[0] if cursor_has_code else ctx.previous_line
    if header is None or not _opens_a_body(header, ctx):
        return None
    if cursor_has_code and not own_header:
        # A wrapped header's body is indented from its statement's first line.
        header = _statement_start(ctx, lines[0])
    elif not own_header and _wrapped(ctx):
        return None
    if _code_only(header).rstrip().endswith("{") and not _starts_its_statement(header, ctx):
        return None  # `    throws IOException {` below its method's line: where it starts is a guess
    first = 1 if own_header else index
    if not own_header and cursor_has_code and _COMMENT.match(lines[index].strip()):
        # Comments above the body's first line of code move with it: the code tells where
        # the body stands (`then` over a comment and `exit 0` at its column stayed there).
        # (A block comment's ` * ` lines too: taken for the body's first line, a column right of
        # a level, the whole answer went a column left.)
        in_comments = _lines_in_block_comments(lines, ctx)
        index = next(
            (
                i
                for i in range(index + 1, len(lines))
                if lines[i].strip() and not _COMMENT.match(lines[i].strip()) and i not in in_comments
            ),
            -1,
        )
        if index < 0:
            return _comments_over_the_body_below(lines, header, ctx)
    header_width = ctx.width(_leading_ws(header))
    offset = 0 if cursor_has_code else ctx.width(ctx.line_prefix)
    written = offset + ctx.width(_leading_ws(lines[index]))
    target = header_width + ctx.unit_width
    text_lines = _lines_in_text_blocks(lines, ctx)
    too_deep = written > target and cursor_has_code and _deeper_frame(lines, index, written, target, text_lines, ctx)
    if (written > header_width and not too_deep) or target < offset or not _is_a_body_line(lines[index].strip(), ctx):
        return None
    if written == header_width and _indented_lone_keyword(header, ctx):
        return None  # a body at the column of its `do` alone on a line right of its `for`: a style
    if too_deep:
        # A docstring's lines move with its opening quotes, as in the file's frame the model
        # wrote them (cleandoc reads them the same); left, they stood a level right of them.
        text_lines = text_lines - {i for _, block in _docstrings(lines, text_lines, ctx) for i in block}
    out = list(lines[:first])
    for at in range(first, len(lines)):
        line = lines[at]
        goes_on = at > index and at not in text_lines and _goes_on(line.strip(), ctx)
        # Left of the body's first line, it stands where the model put the header: the header's
        # own (`else:` a level left of a body written from column 0) moves with the body.
        headers = goes_on and ctx.width(_leading_ws(line)) < written - offset
        if goes_on and not headers and not _goes_on_in_the_answer(lines, index, at, text_lines, ctx):
            # The statement goes on (`else:` under its `if`, a `fi`): the rest stands as written
            # or as the structure around put it.
            return [*out, *lines[at:]]
        out.append(_shift_indent(line, target - written, ctx) if at not in text_lines else line)
    return out


def _deeper_frame(lines: list[str], index: int, written: int, target: int, text_lines: set[int], ctx: PostContext) -> bool:
    """Whether the body the answer's line ``index`` starts, ``written`` columns in, right of
    its place (``target``), was written in a frame that much too deep: the answer's next line
    of code left of it (a `fi`, an `else:`, the code after the block) stands as far right of
    the header's column, or (with none) the code below the cursor has the body's next line at
    ``target`` or its header's closer a level left of it. Deeper on purpose it would be no
    body of the file's levels (in Python, an IndentationError before the line after it)."""
    shift = written - target
    for at in range(index + 1, len(lines)):
        line = lines[at]
        if at in text_lines or not line.strip() or _COMMENT.match(line.strip()):
            continue
        width = ctx.width(_leading_ws(line))
        if width < written:
            return width == target - ctx.unit_width + shift
    if ctx.line_suffix.strip():
        return False
    for line in ctx.suffix.split("\n")[1:12]:
        code = line.strip()
        if code and not _COMMENT.match(code):
            width = ctx.width(_leading_ws(line))
            return width == target or (width == target - ctx.unit_width and _goes_on(code, ctx))
    return False


def _goes_on_in_the_answer(lines: list[str], index: int, at: int, text_lines: set[int], ctx: PostContext) -> bool:
    """Whether the answer's line ``at`` (`except:`, `else:`, `fi`) goes on with a statement of
    the answer's own: the nearest line of code above it, from the body's first line
    (``index``) on, that stands no deeper than it, stands as deep and opens a block (`try:`
    over the `except:` of its own). Taken for the header's, the answer's `except` stayed
    behind, out of its `try`."""
    width = ctx.width(_leading_ws(lines[at]))
    for above in range(at - 1, index - 1, -1):
        line = lines[above]
        if above in text_lines or not line.strip() or _COMMENT.match(line.strip()):
            continue
        # (the first line's from the blank cursor line's column: the body starts there)
        above_width = ctx.width((ctx.line_prefix if above == 0 else "") + _leading_ws(line))
        if above_width <= width:
            if above_width < width or not _block_opening(line, ctx):
                return False
            return _goes_on_after(lines[at].strip(), line.strip())
    return False


#: How a line ends that the next line does not go on with: a statement's end, a block's
#: opener or closer, a label, a comment's end; or an annotation (`@Override`).
_ENDS_ITS_LINE = re.compile(r"(?:[;{}:]|\*/)$|^@\w+(?:\(.*\))?$")

#: Languages whose statements end at a line's end without a `;` (JavaScript's standard style,
#: Go's and Kotlin's automatic semicolons), and how such a statement ends: a name, a value, a
#: call's `)`, an index's `]`, a string, `i++`.
_NEWLINE_ENDS = frozenset({"javascript", "typescript", "tsx", "go", "kotlin", "swift"})
_ENDS_UNSIGNED = re.compile(r"(?:[\w)\]'\"`]|\+\+|--)$")

#: A header's line that goes on with the declaration above it (`  extends Base {`).
_GOES_ON_WORD = re.compile(r"(?:extends|implements|throws|permits|where)\b")


def _starts_its_statement(header: str, ctx: PostContext) -> bool:
    """Whether ``header``, a line of the prompt, starts its statement: the line of code above
    it ends one (or there is none, or it is a comment)."""
    recent = [*ctx.recent_lines(20), ctx.line_prefix]
    at = next((i for i in range(len(recent) - 1, -1, -1) if recent[i] == header), None)
    if at is None:
        return False
    above = next((line.strip() for line in reversed(recent[:at]) if line.strip()), None)
    if above is None or _COMMENT.match(above):
        return True
    code = _code_only(above).rstrip()
    if _ENDS_ITS_LINE.search(code):
        return True
    # Without semicolons `t.plan(1)` ends its statement: the `{` line below starts one, unless
    # it begins by going on (`.then(() => {`, `&& ok) {`, `extends Base {`).
    start = header.lstrip()
    return (
        (ctx.language or "").lower() in _NEWLINE_ENDS
        and _ENDS_UNSIGNED.search(code) is not None
        and not _GOES_ON_START.match(start)
        and not _GOES_ON_WORD.match(start)
        and start[:1] not in ")]}"
    )


def _indented_lone_keyword(header: str, ctx: PostContext) -> bool:
    """Whether ``header``, a line of the prompt, is a shell `do` or `then` alone, right of the
    line of code above it (`for i` over `  do`): files written so put the body at its column."""
    if not _syntax_for(ctx.language).shell or _code_only(header).strip() not in ("do", "then"):
        return False
    recent = ctx.recent_lines(20)
    at = next((i for i in range(len(recent) - 1, -1, -1) if recent[i] == header), None)
    above = next((line for line in reversed(recent[:at]) if line.strip()), None) if at is not None else None
    return above is not None and ctx.width(_leading_ws(above)) < ctx.width(_leading_ws(header))


def _wrapped(ctx: PostContext) -> bool:
    """Whether the line above the blank cursor line goes on from a line above it."""
    above = [line for line in ctx.recent_lines(20) if line.strip()][-2:-1]
    return bool(above) and _code_only(above[0]).rstrip().endswith((",", "&&", "||", "\\"))


def _opens_a_body(header: str, ctx: PostContext) -> bool:
    code = _code_only(header).rstrip()
    if _brackets_left_open(code) < 0:
        return False  # the end of a wrapped header: its statement starts on a line above
    if _syntax_for(ctx.language).shell and _SHELL_CASE.search(code):
        return False  # its patterns follow, at its column in many files
    opening = _block_opening(header, ctx)
    if opening == "keyword" or (code.endswith("{") and _syntax_for(ctx.language).brace_blocks):
        return True
    # Inside a bracket a `:` ends a dict's key or a slice's start, no header.
    colon = opening == "sign" and code.endswith(":") and ctx.language in _COLON_BLOCKS
    return colon and not _inside_alignment_bracket(ctx)


def _comments_over_the_body_below(lines: list[str], header: str, ctx: PostContext) -> list[str] | None:
    """An answer of comments alone below the header the cursor's line ends, written at its
    column or left of it, at the column of the body's first line below the cursor where that
    stands a level right of the header (`if issubclass(cls, subclass):` over a comment from
    column 0 and the suffix's `raise` a level in: the comment stayed at column 0)."""
    below = next((line for line in islice(_iter_lines(ctx.suffix), 1, 40) if line.strip()), None)
    header_width = ctx.width(_leading_ws(header))
    target = header_width + ctx.unit_width
    if below is None or _COMMENT.match(below.strip()) or ctx.width(_leading_ws(below)) != target:
        return None
    written = [ctx.width(_leading_ws(line)) for line in lines if line.strip()]
    if max(written) > header_width:
        return None  # some stand in the body already: as the model put them
    return [_shift_indent(line, target - min(written), ctx) for line in lines]


def _is_a_body_line(code: str, ctx: PostContext) -> bool:
    """Whether ``code`` can only be in the block, not at its header's column: no comment, and
    nothing that goes on with or closes the header's statement."""
    return not _COMMENT.match(code) and not _goes_on(code, ctx)


def _goes_on(code: str, ctx: PostContext) -> bool:
    """Whether ``code`` goes on with the statement of the line that opened its block or closes
    it: a closer, `else`, `elif`, `except`, a label, a shell pattern, `then` or `do`; or its
    block's `{` alone, at the header's column in an Allman file (Scala's `x match` then `{`: the
    whole block went a level right of its header)."""
    return bool(
        _CLOSER_ONLY.match(code)
        or (code == "{" and _syntax_for(ctx.language).brace_blocks)
        or (_CONTINUATION.match(code) and not _LOOP.match(code))
        # A switch's `case 1:`; not a shell's `case`, a statement, nor its patterns: no header
        # of a body is a shell `case ... in`, so they go on with the answer's own.
        or (not _syntax_for(ctx.language).shell and _is_label(code, ctx))
        or (ctx.language in _KEYWORD_CLOSING and _KEYWORD_GOES_ON.match(code))
    )
