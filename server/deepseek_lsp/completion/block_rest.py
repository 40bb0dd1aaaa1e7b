"""A block the user expects whole, a Python docstring opened at the cursor or a C macro's body
below a backslash, that the answer's token limit (``multiLineMaxTokens``) cut: its rest is
asked for from its last whole line, as Copilot users get a long docstring whole. Cut, the user
got a docstring closed after half its text, a macro ended in the middle of its `do { ... }`.
A block cut elsewhere (a function's body) stays cut: what it left out is the user's next
suggestion."""

from __future__ import annotations

from .postprocess import PostContext
from .postprocess._macro_body import in_macro_body

#: How many times the rest is asked for: a block of up to four times a block's tokens (1,024
#: at the default 256); past that it is kept to its whole lines.
MORE_ASKED = 3


def stopped_inside(text: str, docstring: str | None, ctx: PostContext) -> bool:
    """Whether ``text``, an answer's whole lines at its token limit, stopped inside the block
    asked for: a docstring opened with ``docstring``'s quote not closed yet, a macro's body
    whose every line is continued."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    if docstring is not None:
        return docstring * 3 not in text
    return in_macro_body(ctx.prefix, ctx.language) and all(line.rstrip().endswith("\\") for line in lines)
