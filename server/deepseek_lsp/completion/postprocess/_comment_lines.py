"""A comment the answer goes on with below a comment line: under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._code import _lines_in_text_blocks
from ._syntax import _syntax_for
from ._text import _leading_ws, _tail_shifted

if TYPE_CHECKING:
    from .context import PostContext


def under_the_comment_above(text: str, before: str, ctx: PostContext) -> str | None:
    """``text`` with its lines below the cursor's moved together so the first stands under
    the cursor's line, where that line is a comment of its own (`# …`, `// …`) and the
    answer's next line goes on with it (a comment line too): a comment's lines stand in one
    column, and the code after them where the model put it relative to them (its frame, from
    column 0 or a level off, left them out of the block the comment is in). ``before`` is the
    answer re-indented by levels: the lines move from there, nested ones in the file's levels.
    None: no such answer, or it stands there."""
    if not ctx.indent_known:
        return None
    tokens = _syntax_for(ctx.language).line_comments
    if not tokens:
        return None
    if ctx.brackets_after_prefix[1].mode == "line":
        comment = ctx.line_prefix.lstrip(" \t")
    elif _retyped_under_a_comment(text, tokens, ctx):
        # On the retyped indentation of the line below a comment line, the answer's first line
        # the comment's next: the cursor line is that comment's, as after Enter at its end.
        comment = text.split("\n", 1)[0]
    else:
        return None
    if not comment.startswith(tokens):
        return None
    token = next(t for t in tokens if comment.startswith(t))
    lines = before.split("\n")
    if len(lines) != len(text.split("\n")):
        return None
    index = next((i for i, line in enumerate(lines) if i and line.strip()), -1)
    if index < 0 or not lines[index].lstrip(" \t").startswith(token):
        return None
    shift = ctx.width(ctx.indentation) - ctx.width(_leading_ws(lines[index]))
    in_text = _lines_in_text_blocks(lines, ctx)
    shifted = _tail_shifted(lines, index, shift, in_text, ctx)
    return None if shifted is None else "\n".join(shifted)


def _retyped_under_a_comment(text: str, tokens: tuple[str, ...], ctx: PostContext) -> bool:
    """Whether the cursor stands on a blank line's retyped indentation right below a comment
    line at that column, and the answer's first line is a comment too."""
    above = ctx.previous_line
    if ctx.line_prefix.strip() or not ctx.line_prefix or above is None:
        return False
    if not text.startswith(tokens) or not above.lstrip(" \t").startswith(tokens):
        return False
    cursor_line = len(ctx.prefix) - len(ctx.line_prefix)
    directly_above = ctx.prefix.rfind("\n", 0, cursor_line - 1) + 1
    return ctx.prefix[directly_above : cursor_line - 1] == above and ctx.width(_leading_ws(above)) == ctx.width(ctx.line_prefix)


def within_the_comment(text: str, ctx: PostContext) -> str:
    """``text`` down to its comment lines where it goes on with the comment line of its own
    that the cursor ends (`# TODO: handle the` answered ` empty case`, `# and the negative
    one`, then code), where the block was asked for the comment's sake (``ctx.comment_only``):
    the code after them is cut, as Copilot shows a comment's rest; the code comes at the next
    line's request (after an accept, the block asked for is the code's: kept). An answer whose first line is empty ends the comment where it is: the code
    it writes below is kept, as at any block's start."""
    lines = text.split("\n")
    if not ctx.comment_only or len(lines) < 2 or not lines[0].strip() or ctx.brackets_after_prefix[1].mode != "line":
        return text
    comment = ctx.line_prefix.lstrip(" \t")
    token = next((t for t in _syntax_for(ctx.language).line_comments if comment.startswith(t)), None)
    if token is None:
        return text  # a comment after code on its line
    keep = 1
    while keep < len(lines) and lines[keep].lstrip(" \t").startswith(token):
        keep += 1
    return "\n".join(lines[:keep])
