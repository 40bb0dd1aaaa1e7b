"""A C++ constructor's initializer list (`: a(x), b(y)` below its header): as far right of the
header as the file's other constructors put theirs."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ._brackets import _in_text
from ._code import _lines_in_text_blocks
from ._text import _brackets_left_open, _code_only, _leading_ws, _tail_shifted

if TYPE_CHECKING:
    from .context import PostContext

#: Languages whose headers may hold C++ (the C headers' `.h` files are read as C).
_INITIALIZER_LANGUAGES = frozenset({"c", "cpp"})

#: An initializer list's first line: a `:` (no `::`) then a member or base being initialized.
_INITIALIZER_START = re.compile(r":\s*[\w:<>]+\s*[({]")

#: Lines above the cursor read for the file's own initializer lists.
_WINDOW = 200


def under_the_constructor(lines: list[str], ctx: PostContext) -> list[str] | None:
    """The answer with its first initializer list line (below a line ending with the header's
    `)`) and the lines after it moved together so that line stands as far right of where the
    header starts as the file's other initializer lists stand (LLVM's four columns, GNU's
    none), where the model wrote it elsewhere (from column 0 or a level off, the list and the
    constructor's body after it stood out of the class). None: no such line, no list in the
    prompt to tell the file's offset, or the line already there."""
    if (ctx.language or "").lower() not in _INITIALIZER_LANGUAGES or not ctx.indent_known or _in_text(ctx):
        return None
    if not any(_INITIALIZER_START.match(line.lstrip()) for line in lines[1:]):
        return None  # (the usual answer: nothing read from the prompt)
    in_text = _lines_in_text_blocks(lines, ctx)
    whole = [ctx.line_prefix + lines[0], *lines[1:]]
    index = next((i for i in range(1, len(lines)) if i not in in_text and _initializes(whole, i)), -1)
    if index < 0:
        return None
    offset = _file_s_offset(ctx)
    if offset is None:
        return None
    above = [*ctx.recent_lines(20), *whole[:index]]
    target = ctx.width(_leading_ws(_header_start(above))) + offset
    return _tail_shifted(lines, index, target - ctx.width(_leading_ws(lines[index])), in_text, ctx)


def _initializes(lines: list[str], index: int) -> bool:
    """Whether line ``index`` of ``lines`` starts a constructor's initializer list below its
    header's last line."""
    return bool(_INITIALIZER_START.match(lines[index].lstrip())) and _code_only(lines[index - 1]).rstrip().endswith(")")


def _header_start(lines: list[str]) -> str:
    """The line where the header ending on ``lines``' last line starts: up through the lines
    whose brackets that last one closes (a parameter list wrapped over lines)."""
    depth = _brackets_left_open(_code_only(lines[-1]))
    index = len(lines) - 1
    while depth < 0 and index > 0:
        index -= 1
        depth += _brackets_left_open(_code_only(lines[index]))
    return lines[index]


def _file_s_offset(ctx: PostContext) -> int | None:
    """How far right of its header's first line the prompt's initializer lists start, the most
    common offset; None: the prompt has none."""
    recent = ctx.recent_lines(_WINDOW)
    found: Counter[int] = Counter()
    for index in range(1, len(recent)):
        line = recent[index]
        if _initializes(recent, index):
            header = _header_start(recent[max(0, index - 20) : index])
            found[ctx.width(_leading_ws(line)) - ctx.width(_leading_ws(header))] += 1
    return found.most_common(1)[0][0] if found else None
