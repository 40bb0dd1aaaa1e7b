"""The lines of a Python docstring (the one the cursor is in, the answer's own): never left of
its opening quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._brackets import _closable_brackets
from ._code import _DOCSTRING_OPENER, _docstrings, _lines_in_text_blocks
from ._text import _leading_ws, _shift_indent

if TYPE_CHECKING:
    from .context import PostContext

#: Lines above the cursor looked at for the docstring's opening quotes.
_WINDOW = 200


def in_the_docstring_s_column(text: str, ctx: PostContext) -> str:
    """``text`` with its lines in the docstring the cursor is in (its closing quotes' line
    too) moved together so the leftmost stands at the column of the docstring's opening
    quotes, where the model wrote it left of that: a docstring's text stands no left of its
    quotes (PEP 257), and the model's frame (from column 0, a level too shallow) left its
    lines out of the function's body; their tabs in a file indented with spaces are its
    levels. A string that is a value (`x = \"\"\"`) keeps its text: it
    is the value."""
    if ctx.language != "python" or not ctx.indent_known or "\n" not in text:
        return text
    scanner = _closable_brackets(ctx)[1]
    quote = scanner.mode
    if quote not in ('"""', "'''"):
        return text
    base = _opening_column(quote, ctx)
    if base is None:
        return text
    lines = text.split("\n")
    inside: list[int] = []
    for index, line in enumerate(lines):
        if index:
            inside.append(index)
        for _ in scanner.feed("\n" + line if index else line):
            pass
        if scanner.mode != quote:
            break
    if "\t" not in ctx.indent_unit and not ctx.tab_width:
        # Tabs in a file indented with spaces: a level of the file's each (a docstring in tabs
        # under code in spaces is read with its text columns off, and one tool's TabError).
        for i in inside:
            ws = _leading_ws(lines[i])
            if "\t" in ws:
                lines[i] = ctx.render_indent(ctx.width(ws)) + lines[i][len(ws) :]
        text = "\n".join(lines)
    # The closing quotes alone on their line stand at the opening quotes' column (PEP 257)
    # whatever the text's: counted with it, a closer at column 0 moved the text written at
    # the quotes' column a level right, and the accept moved the docstring's text.
    closer = inside[-1] if inside and scanner.mode != quote and lines[inside[-1]].strip() == quote else None
    written = [ctx.width(_leading_ws(lines[i])) for i in inside if lines[i].strip() and i != closer]
    shift = max(0, base - min(written)) if written else 0
    if shift:
        lines = [_shift_indent(line, shift, ctx) if i in inside and i != closer else line for i, line in enumerate(lines)]
    if closer is not None:
        at = ctx.width(_leading_ws(lines[closer]))
        # Left of the quotes, or right of the text it ends (`More.` at 4, the closer at 8).
        want = base if at < base else min([at, *(w + shift for w in written)])
        if want != at:
            lines[closer] = ctx.render_indent(want) + lines[closer].lstrip(" \t")
    return "\n".join(lines)


def _opening_column(quote: str, ctx: PostContext) -> int | None:
    """The column of the docstring's opening quotes: the nearest line at or above the cursor's
    holding ``quote``, where it starts a line of its own (a docstring, not a value); None: no
    such line in the window, or a string that is a value."""
    for line in [ctx.line_prefix, *reversed(ctx.recent_lines(_WINDOW))]:
        if quote in line:
            if not _DOCSTRING_OPENER.match(line) or line.count(quote) != 1:
                return None
            return ctx.width(_leading_ws(line))
    return None


def the_answer_s_docstrings_under_their_quotes(text: str, ctx: PostContext) -> str:
    """``text`` with the text of each docstring it writes (the one opened on the cursor's
    blank line too) moved together so its leftmost line stands at the column of its opening
    quotes, where it stands left of them: the other filters move a docstring's opening
    line with the code it documents, its text as a string's text, where the model wrote it
    (from column 0, the text stayed there under quotes four columns in)."""
    if ctx.language != "python" or not ctx.indent_known or ('"""' not in text and "'''" not in text):
        return text
    lines = text.split("\n")
    in_text = _lines_in_text_blocks(lines, ctx)
    if not in_text:
        return text
    found = _docstrings(lines, in_text, ctx)
    if not ctx.line_prefix.strip() and _DOCSTRING_OPENER.match(lines[0]) and 1 in in_text:
        block = [1]
        while block[-1] + 1 in in_text:
            block.append(block[-1] + 1)
        found.append((0, block))
    for opener, block in found:
        quotes = ctx.width(_leading_ws(lines[opener])) + (ctx.width(ctx.line_prefix) if opener == 0 else 0)
        written = [ctx.width(_leading_ws(lines[i])) for i in block if lines[i].strip()]
        if written and min(written) < quotes:
            shift = quotes - min(written)
            for i in block:
                lines[i] = _shift_indent(lines[i], shift, ctx)
    return "\n".join(lines)
