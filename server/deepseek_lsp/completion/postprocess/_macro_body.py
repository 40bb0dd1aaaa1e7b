"""A C preprocessor macro's body over lines (each but its last ending with a backslash), the
cursor on a line that continues it: the suggestion is the body's next lines down to its end, as
Copilot's, their backslashes in the column the macro's lines above put theirs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._text import _STRING_LITERAL

if TYPE_CHECKING:
    from .context import PostContext

#: The languages whose files run the C preprocessor.
MACRO_LANGUAGES = frozenset({"c", "cpp", "objc", "objective-c", "cuda"})
#: The lines above the cursor's read for the directive it continues.
_MOST_LINES = 200
#: A C comment within a line, or one to its end (`#` is no comment here: `#x` stringizes).
_C_COMMENT = re.compile(r"/\*.*?(?:\*/|$)|//.*$")


def macro_lines_above(prefix: str) -> list[str] | None:
    """The directive's lines above the cursor's line that ``prefix`` ends with (its first line
    led by `#`, each ending with a backslash), None when the line above ends with none or the
    lines so continued start with no directive (a string's or a comment's). The directive is
    the first line of the run, not the nearest line led by `#`: a body's line may start with
    one (an argument stringized, `#x`, or pasted, `## b`)."""
    lines = prefix.split("\n")[-_MOST_LINES - 1 : -1]
    run = len(lines)
    while run and lines[run - 1].rstrip().endswith("\\"):
        run -= 1
    chain = lines[run:]
    if run == 0:
        # The run goes on above the lines read: its topmost line led by `#` stands for it.
        heads = [i for i, line in enumerate(chain) if line.lstrip().startswith("#")]
        return chain[heads[0] :] if heads else None
    return chain if chain and chain[0].lstrip().startswith("#") else None


def in_macro_body(prefix: str, language: str | None) -> bool:
    """Whether the cursor, ``prefix`` before it, stands at the start of a macro's body line."""
    if language not in MACRO_LANGUAGES or prefix.rpartition("\n")[2].strip():
        return False
    return macro_lines_above(prefix) is not None


def to_the_macro_end(text: str, ctx: PostContext) -> str:
    """``text`` down to the macro body's last line, the first not ending with a backslash:
    what the model wrote after it (the next declaration, blank lines) is none of the macro.
    Where the macro goes on below the cursor's line (its next line ends with a backslash:
    Enter in the middle of the body; or it closes a bracket the body left open: Enter above
    `} while (0)`), the last line is continued too: ended, the body's lines below fell out of
    the macro. Where it does not, the suggestion's last line ends with no backslash but above
    a blank line: a body ending with an empty continuation line (obstack.h's) or cut before
    its end joined the next `#define` or code below into the macro."""
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines) if not line.rstrip().endswith("\\")), len(lines) - 1)
    lines = lines[: end + 1]
    below = ctx.suffix.split("\n", 2)
    if len(below) >= 2 and not below[0].strip() and not below[1].lstrip().startswith("#"):
        if below[1].rstrip().endswith("\\") or (below[1].strip() and _left_open(ctx.prefix, lines)):
            return _continued(lines, below[1])
    if below[0].strip() or (len(below) >= 2 and not below[1].strip()):
        return "\n".join(lines)  # the rest of the cursor's line, or a blank line, ends it
    # The empty continuation lines (blank, or a backslash alone): trimmed as blank lines at the end.
    while len(lines) > 1 and lines[-1].strip() in ("", "\\"):
        lines.pop()
    if lines[-1].rstrip().endswith("\\"):
        lines[-1] = _gap(lines[-1])[0]
    return "\n".join(lines)


def _continued(lines: list[str], next_line: str) -> str:
    """The body's ``lines`` going on into ``next_line``, the document's line below the
    cursor's: the lines retyping it dropped (they stay below, the new ones before them), the
    last continued."""
    retyped = next((i for i, line in enumerate(lines) if i and line.strip() == next_line.strip()), len(lines))
    lines = lines[:retyped]
    if lines[-1].strip() and not lines[-1].rstrip().endswith("\\"):
        lines[-1] = lines[-1].rstrip() + " \\"
    return "\n".join(lines)


def _left_open(prefix: str, lines: list[str]) -> bool:
    """Whether the macro's lines above the cursor's (and the cursor's line) leave a bracket
    open (`do {`, `({`) that the suggestion's ``lines`` do not close: the line below closing it
    is the body's. The suggestion's own open calls are none of it (an answer cut at its
    tokens: the code below closes none of them)."""
    above = macro_depth([*(macro_lines_above(prefix) or []), prefix.rpartition("\n")[2]])
    return above > 0 and above + macro_depth(lines) > 0


def macro_depth(lines: list[str]) -> int:
    """The brackets ``lines`` open less those they close, their strings and comments aside."""
    code = [_C_COMMENT.sub("", _STRING_LITERAL.sub('""', line)) for line in lines]
    return sum(line.count(c) for line in code for c in "([{") - sum(line.count(c) for line in code for c in ")]}")


def _gap(line: str) -> tuple[str, str]:
    """A continued line's code and the blanks between it and its backslash."""
    body = line.rstrip()[:-1]
    code = body.rstrip(" \t")
    return code, body[len(code) :]


def backslashes_aligned(text: str, ctx: PostContext) -> str:
    """``text``, the lines of a macro's body, with each backslash where the macro's lines above
    put theirs: all in one column (padded with the blanks they pad with, a longer line's after
    one space) or one space after each line's code. Left as written where the lines above
    tell neither (the `#define` line alone, one space after it; columns of their own)."""
    above = macro_lines_above(ctx.prefix) if ctx.language in MACRO_LANGUAGES else None
    if not above or "\\" not in text:
        return text
    tab = ctx.tab_width or 8
    gaps = [_gap(line) for line in above]
    padded = [(code, gap) for code, gap in gaps if len(gap.expandtabs(tab)) > 1 or "\t" in gap]
    columns = {len((code + gap).expandtabs(tab)) for code, gap in padded}
    if len(columns) > 1:
        return text  # no one column: the model's as written
    column = next(iter(columns)) if columns else None
    if column is None and (len(above) < 2 or any(gap != " " for _, gap in gaps)):
        return text
    # Padded as most of them are (ebtables.h's spaces, a tab in one line of them).
    use_tabs = 2 * sum("\t" in gap for _, gap in padded) > len(padded)
    lines = text.split("\n")
    lead = ctx.line_prefix
    for index, line in enumerate(lines):
        if not line.rstrip().endswith("\\"):
            break
        code, gap = _gap(line)
        # A line reaching the column (or no column kept): the model's one blank, or a space.
        one = gap if gap in (" ", "\t") else " "
        if column is None or not code.strip():
            lines[index] = code + " \\"
            continue
        start = lead + code if index == 0 else code
        width = len(start.expandtabs(tab))
        if width >= column:
            lines[index] = code + one + "\\"
        else:
            lines[index] = code + _padding(width, column, tab if use_tabs else 0) + "\\"
    return "\n".join(lines)


def _padding(width: int, column: int, tab: int) -> str:
    """The blanks from ``width`` to ``column``: tabs as far as they reach it (``tab`` columns
    apart; 0: spaces only), spaces for the rest."""
    tabs = column // tab - width // tab if tab else 0
    if tabs <= 0:
        return " " * (column - width)
    return "\t" * tabs + " " * (column - column // tab * tab)
