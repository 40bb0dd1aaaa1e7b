"""Markdown's fenced code blocks read as their language's code: the cursor inside a block whose
info string names a language (```` ```python ````, ```` ~~~js ````) is post-processed as in a file
of that language (its brackets, strings and levels), not as prose whose lines are kept as
written. A block without an info string, or one naming no language known here (``text``,
``console``, ``diff``), is left to prose's rules."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ._syntax import syntax_name
from .fences import _FENCE_OPEN

if TYPE_CHECKING:
    from collections.abc import Callable

    from .context import PostContext

#: Info strings, as READMEs write them, by the language id of the code (VS Code's).
_INFO_LANGUAGES = {
    **dict.fromkeys(("py", "python", "python3", "py3", "pyi"), "python"),
    **dict.fromkeys(("js", "javascript", "jsx", "mjs", "cjs", "node"), "javascript"),
    **dict.fromkeys(("ts", "typescript", "mts", "cts"), "typescript"),
    "tsx": "tsx",
    **dict.fromkeys(("sh", "bash", "shell", "zsh", "shellscript"), "shellscript"),
    **dict.fromkeys(("rs", "rust"), "rust"),
    **dict.fromkeys(("go", "golang"), "go"),
    **dict.fromkeys(("rb", "ruby"), "ruby"),
    **dict.fromkeys(("pl", "perl"), "perl"),
    **dict.fromkeys(("ps1", "powershell", "pwsh", "ps"), "powershell"),
    **dict.fromkeys(("c", "h"), "c"),
    **dict.fromkeys(("cpp", "c++", "cc", "cxx", "hpp"), "cpp"),
    **dict.fromkeys(("cs", "csharp", "c#"), "csharp"),
    **dict.fromkeys(("kt", "kotlin", "kts"), "kotlin"),
    **dict.fromkeys(("ex", "exs", "elixir"), "elixir"),
    **dict.fromkeys(("hs", "haskell"), "haskell"),
    **dict.fromkeys(("jl", "julia"), "julia"),
    **dict.fromkeys(("coffee", "coffeescript"), "coffeescript"),
    **dict.fromkeys(("sv", "systemverilog"), "systemverilog"),
    **dict.fromkeys(("v", "verilog"), "verilog"),
    **dict.fromkeys(("ml", "ocaml"), "ocaml"),
    **{word: word for word in "java swift scala lua php sql r nim zig cmake solidity dart".split()},
}


@dataclass(frozen=True)
class _Block:
    """The fenced block the cursor is in: its code's context and how its lines are written."""

    ctx: PostContext
    #: The fence's indentation (a list item's), taken off the code's lines and put back.
    indent: str
    #: What closes the block: its fence's character, as many times at least.
    fence: str
    #: Whether the document closes the block below the cursor.
    closed_below: bool


def _closes(line: str, fence: str) -> bool:
    bare = line.strip()
    return bool(bare) and set(bare) == {fence[0]} and len(bare) >= len(fence)


def _opens_named(line: str, fence: str) -> bool:
    """A fence naming its language (```` ```js ````) opens a block: below a block not closed
    yet (the one being written), it is the next block's, and the bare fence after it that
    block's closer (its two-space JavaScript was read as the Python block's code). Not one
    shorter than the block's own fence: a ```` ```` ```` block quoting Markdown holds it."""
    m = _FENCE_OPEN.match(line)
    if m is None or m.group(2)[0] != fence[0] or len(m.group(2)) < len(fence):
        return False
    return bool(line[len(m.group(1)) + len(m.group(2)) :].strip())


def _open_block(lines: list[str]) -> tuple[int, re.Match[str]] | None:
    """The line that opens the fenced block the last of ``lines`` is in, and its match."""
    opener: tuple[int, re.Match[str]] | None = None
    for index, line in enumerate(lines[:-1]):
        if opener is not None:
            if _closes(line, opener[1].group(2)):
                opener = None
            continue
        m = _FENCE_OPEN.match(line)
        if m:
            opener = index, m
    return opener


def _dedent(lines: list[str], indent: str) -> list[str] | None:
    """``lines`` without ``indent`` before them (blank ones may lack it); None where one does."""
    if not indent:
        return lines
    if any(line.strip() and not line.startswith(indent) for line in lines):
        return None
    return [line[len(indent) :] for line in lines]


#: The end of a line whose next line is a level in (a block's, a literal's, a call's opener).
_OPENS = ("{", "(", "[", ":", "=>", " do", " then")


def _steps(lines: list[str], steps: Counter[int]) -> bool:
    """Counts into ``steps`` the steps in after each of ``lines`` that opens a block; True
    where a line is led by a tab."""
    previous = None
    for line in lines:
        body = line.strip()
        if not body:
            continue
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if lead.startswith("\t"):
            return True
        if previous is not None and previous[1].endswith(_OPENS) and len(lead) > previous[0]:
            steps[len(lead) - previous[0]] += 1
        previous = len(lead), body
    return False


def _unit(above: list[str], below: list[str]) -> str | None:
    """The code's indentation unit: a tab, or the commonest step in after a line that opens a
    block (not the narrowest indentation: a call's arguments aligned under its `(`), above
    and below the cursor each (the text the suggestion fills is not between them yet)."""
    steps: Counter[int] = Counter()
    if _steps(above, steps) or _steps(below, steps):
        return "\t"
    return " " * steps.most_common(1)[0][0] if steps else None


def _fenced_block(ctx: PostContext) -> _Block | None:
    if syntax_name(ctx.language) != "markdown":
        return None
    above = ctx.prefix.split("\n")
    if _FENCE_OPEN.match(above[-1]):
        return None  # the cursor on a fence's line: typing the fence or its info string
    found = _open_block(above)
    if found is None:
        return None
    index, m = found
    indent, fence = m.group(1), m.group(2)
    info = m.group(0)[len(indent) + len(fence) :].strip().lstrip("{.").split(maxsplit=1)
    language = _INFO_LANGUAGES.get(info[0].rstrip("}").lower()) if info else None
    if language is None:
        return None
    below = ctx.suffix.split("\n")
    end = next((i for i, line in enumerate(below) if i and (_closes(line, fence) or _opens_named(line, fence))), len(below))
    code_above, code_below = _dedent(above[index + 1 :], indent), _dedent(below[:end], indent)
    if code_above is None or code_below is None:
        return None
    unit = _unit(code_above, code_below)
    code = replace(
        ctx,
        prefix="\n".join(code_above),
        suffix="\n".join(code_below),
        language=language,
        indent_unit=unit or ctx.indent_unit,
        indent_known=unit is not None,
        bracket_scan_from=0,
        open_before_scan=(),
        scan_state=None,
        tab_width=0,
        editor_levels=None,
        block_opener=None,
        prose_by_tree=None,
    )
    return _Block(code, indent, fence, end < len(below) and _closes(below[end], fence))


def in_fenced_code(text: str, ctx: PostContext, run: Callable[[str, PostContext], str | None]) -> str | None:
    """``run`` on ``text`` as the code of the fenced block the cursor is in, where it names its
    language; else ``run`` on it as it is. A line of ``text`` that closes the block ends the
    code: kept where the document does not close the block below, dropped with what follows
    it (the document's prose) otherwise."""
    block = _fenced_block(ctx)
    if block is None:
        return run(text, ctx)
    lines = text.split("\n")
    if not ctx.line_prefix.strip() and _closes(lines[0], block.fence):
        return run(text, ctx)  # the suggestion closes the block at once: prose's
    end = next((i for i, line in enumerate(lines) if i and _closes(line, block.fence)), len(lines))
    code_lines = _dedent(lines[1:end], block.indent)
    if code_lines is None or (end < len(lines) and not "".join(lines[:end]).strip()):
        return run(text, ctx)
    result = run("\n".join([lines[0], *code_lines]), block.ctx)
    if result is None:
        return None
    out = result.split("\n")
    out[1:] = [block.indent + line if line.strip() else line for line in out[1:]]
    if end < len(lines) and not block.closed_below and len(out) == end:
        out.append(lines[end])
    return "\n".join(out)


def code_context(ctx: PostContext) -> PostContext:
    """The context of the code of the fenced block the cursor is in (see :func:`in_fenced_code`),
    else ``ctx``."""
    block = _fenced_block(ctx)
    return ctx if block is None else block.ctx
