"""In a file that mixes tabs and spaces (or aligns in tabs of eight columns), the answer's
indentation in the characters the lines around the cursor use for its columns."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING

from ._brackets import _in_text
from ._code import _lines_in_text_blocks
from ._text import _iter_lines, _leading_ws

if TYPE_CHECKING:
    from .context import PostContext


def in_the_habit_around(text: str, ctx: PostContext) -> str:
    """``text`` with each line's indentation a tab deep or more written as the nearest lines
    that deep write theirs: a tab for each of the file's columns of a tab, or spaces. Files in
    Vim's noexpandtab with a narrower shiftwidth have regions of each, and the file's majority
    went into the region of the other kind (eight spaces under lines led by tabs, where the
    model wrote spaces; columns read the same, the file's own habit was lost). Columns are
    kept; a line of text (a heredoc's, a string's) is kept whole. In a file indented with tabs
    whose aligned lines show tabs of eight columns (``PostContext.tab_size``), a line is written
    in tabs for each eight of its columns, as the file's are."""
    indented_with_tabs = "\t" in ctx.indent_unit
    # A file indented with tabs whose aligned lines show tabs of eight columns writes a tab for
    # each eight of an argument's column too (the model's spaces stood in its tabs' place).
    tab = 8 if indented_with_tabs and ctx.tab_size == 8 else 0 if indented_with_tabs else ctx.tab_width
    if not tab or _in_text(ctx):
        return text
    tabs = True if indented_with_tabs else _tabs_around(ctx)
    if tabs is None:
        return text
    lines = text.split("\n")
    skip = _lines_in_text_blocks(lines, ctx)
    for index, line in enumerate(lines):
        ws = _leading_ws(line)
        if index in skip or not line.strip() or (index == 0 and ctx.line_prefix):
            continue
        width = ctx.width(ws)
        if width >= tab:
            lines[index] = ("\t" * (width // tab) + " " * (width % tab) if tabs else " " * width) + line[len(ws) :]
    return "\n".join(lines)


def _tabs_around(ctx: PostContext) -> bool | None:
    """Whether the nearest line a tab deep or more in the cursor's region, above it (the
    cursor's own first) or else below, leads with a tab; None: no such line. The region ends at
    a line less than a tab deep: the file's other regions, or its majority, are another habit
    (a script's case arms in tabs below its header's lines in spaces). The nearest alone, not
    the three nearest, made 18 fewer of 14,649 shell checks worse (bench_indentation)."""
    above = ctx.recent_lines(40)[::-1]
    if ctx.line_prefix.strip():
        above.insert(0, ctx.line_prefix)
    led = _led_by_tab(above, ctx)
    return led if led is not None else _led_by_tab(islice(_iter_lines(ctx.suffix), 1, 40), ctx)


def _led_by_tab(lines: Iterable[str], ctx: PostContext) -> bool | None:
    """Whether the first of ``lines`` a tab deep or more, before one less deep, leads with a tab."""
    for line in lines:
        if not line.strip():
            continue
        ws = _leading_ws(line)
        if ctx.width(ws) < ctx.tab_width:
            return None
        return "\t" in ws
    return None
