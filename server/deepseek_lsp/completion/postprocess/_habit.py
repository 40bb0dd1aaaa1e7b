"""In a file that mixes tabs and spaces (or aligns in tabs of eight columns), the answer's
indentation in the characters the lines around the cursor use for its columns."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING

from ._brackets import _in_text
from ._code import _lines_in_text_blocks
from ._text import _code_only, _iter_lines, _leading_ws

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


#: Lines read each way from the cursor for the nearest block at its header's depth.
_SIBLINGS_NEAR = 60


def in_the_nearest_block_s_habit(text: str, ctx: PostContext) -> bool:
    """Whether ``text`` is the body of a block just opened (the cursor after its header's `{`,
    the editor's `}` after it), in a file that mixes tabs and spaces, whose lines are led as
    the nearest block at the header's depth leads its body: a tab where that body has a tab,
    four spaces where it has four. Such a file's structs come in either (X11's Xlib.h: a
    tab-led typedef above one in tabs, in a file of four-space levels), and the model's body
    written as its neighbour's was re-levelled into the file's unit."""
    if not ctx.tab_width or not ctx.line_prefix.rstrip().endswith("{") or not ctx.suffix.startswith("}"):
        return False
    header = _leading_ws(ctx.line_prefix)
    lines = text.split("\n")
    if lines[0].strip():
        return False
    body = []
    for line in lines[1:]:
        if line.startswith(header + "}"):
            break
        if line.strip():
            body.append(line)
    if not body:
        return False
    lead = _leading_ws(body[0])[len(header) :]
    if not lead or len(set(lead)) != 1 or not all(line.startswith(header + lead) for line in body):
        return False
    return _nearest_block_lead(header, ctx) == lead


def _nearest_block_lead(header: str, ctx: PostContext) -> str | None:
    """What leads the body of the block nearest the cursor whose header stands at ``header``
    (its first line of code, past ``header``), above or below; None: no such block near."""
    above = ctx.recent_lines(_SIBLINGS_NEAR)
    below = list(islice(_iter_lines(ctx.suffix), 1, _SIBLINGS_NEAR))
    found = []
    for lines, order in ((above, range(len(above) - 1, -1, -1)), (below, range(len(below)))):
        for distance, index in enumerate(order):
            line = lines[index]
            code = _code_only(line).rstrip()
            if code.endswith("*/"):
                code = code[: code.rfind("/*")].rstrip()  # `typedef struct {\t/* public */`
            if _leading_ws(line) != header or not code.endswith("{"):
                continue
            first = next((b for b in lines[index + 1 :] if b.strip() and not b.lstrip().startswith("#")), "")
            ws = _leading_ws(first)
            if ws.startswith(header) and len(ws) > len(header):
                found.append((distance, ws[len(header) :]))
                break
    return min(found)[1] if found else None
