"""A block the user expects whole, a Python docstring opened at the cursor, a C macro's body
below a backslash or a comment going on over lines (comment_lines.py), that the answer's token limit (``multiLineMaxTokens``) cut: its rest is
asked for from its last whole line, as Copilot users get a long docstring whole. Cut, the user
got a docstring closed after half its text, a macro ended in the middle of its `do { ... }`.
A block cut elsewhere (a function's body) stays cut: what it left out is the user's next
suggestion."""

from __future__ import annotations

import re

from ..config import MAX_COMPLETION_TOKENS
from .comment_lines import comment_end
from .postprocess import PostContext
from .postprocess._macro_body import in_macro_body

#: How many times the rest is asked for: a comment or docstring of up to fifteen times a
#: block's tokens (3,840 at the default 256: see rest_tokens), a macro's body of four times;
#: past that it is kept to its whole lines.
MORE_ASKED = 3
#: How far back a comment kept past all its asks goes to its last sentence's end: its last
#: lines (a line or two of text a sentence); further, it keeps them and says it goes on.
SENTENCE_LINES = 12
#: A sentence's end: its stop before a space or the text's end (not `3.14`, `os.path`).
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")
#: A line's comment lead: its indentation and its markers (``#``, `` * ``, ``//``).
_LEAD = " \t#*/;!-"
#: Abbreviations a capitalised word may follow (``Mr. Smith``): no sentence ends at them.
_ABBREVIATIONS = frozenset(
    "e.g i.e cf vs viz mr mrs ms dr prof st jr sr no nos fig eq sec ch vol pp approx resp incl al".split()
)


def _sentence_ends(text: str, start: int) -> list[int]:
    """Where sentences end in ``text`` from ``start``: not at an abbreviation (``e.g.``,
    ``Mr.``), a list's number (`` 1. Parse``), a stop a lower-case word follows, nor in a
    doctest's example (its ``>>>`` lines and its output, to a blank line), which is code."""
    ends: list[int] = []
    in_example = False
    at = text.rfind("\n", 0, start) + 1
    for line in text[at:].split("\n"):
        body = line.lstrip(_LEAD)
        lead = len(line) - len(body)
        in_example = body.startswith(">>>") or (in_example and bool(body.strip()))
        if not in_example:
            for m in _SENTENCE_END.finditer(line, max(start - at, 0)):
                words = line[max(m.start() - 40, 0) : m.start()].split()
                word = words[-1].lstrip("([\"'") if words else ""
                after = text[at + m.end() : at + m.end() + 80].lstrip(_LEAD + "\n")
                if (
                    word.lower() in _ABBREVIATIONS
                    or (word.isdigit() and m.start() - len(word) == lead)
                    or after[:1].islower()
                ):
                    continue
                ends.append(at + m.end())
        at += len(line) + 1
    return ends


def ended_at_a_sentence(lines: str) -> str:
    """``lines``, a comment's or a docstring's whole lines where all its asks are spent, down
    to the end of its last sentence in its last ``SENTENCE_LINES`` lines, else with `` …`` after
    its last word to say it goes on: kept to its whole lines it ended mid-sentence (`handed on
    to the parser, which`), closed there. Within those lines: no more is asked, or billed. A
    doctest's example last is kept whole, with no `` …``: code, it would not run with it."""
    text = lines.rstrip()
    tail = len(text)
    for _ in range(SENTENCE_LINES):
        tail = text.rfind("\n", 0, tail)
        if tail < 0:
            break
    if _ends_in_an_example(text):
        return text
    ends = _sentence_ends(text, max(tail, 0))
    return text[: ends[-1]] if ends else text + " …"


def _ends_in_an_example(text: str) -> bool:
    """Whether ``text``'s last line is a doctest example's, its ``>>>`` line or its output."""
    for line in reversed(text.split("\n")):
        body = line.lstrip(_LEAD)
        if not body.strip():
            return False
        if body.startswith(">>>"):
            return True
    return False


def rest_tokens(asked_before: int, leaves_at_end: bool) -> int:
    """The token limit of the next ask for a block's rest, the one before having asked
    ``asked_before``: twice as many where the stream is left at the block's end
    (``leaves_at_end``: a comment's, a docstring's closer), so nothing past it is billed.
    Past 1,024 tokens the comment was kept to its whole lines after four requests, and its
    accept left it ended mid-text (where no closer stood below, the file's rest taken into
    it); in as many requests, 3,840 tokens now. A macro's body, whose end is read once it
    is written, asks the same each time: twice as many was twice the code after it billed."""
    return min(MAX_COMPLETION_TOKENS, asked_before * 2) if leaves_at_end else asked_before


def stopped_inside(text: str, docstring: str | None, ctx: PostContext, comment_marker: str = "") -> bool:
    """Whether ``text``, an answer's whole lines at its token limit, stopped inside the block
    asked for: a docstring opened with ``docstring``'s quote not closed yet, a comment asked
    for (``comment_marker``: its line token or ``*/``) not ended yet, a macro's body whose
    every line is continued."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    if comment_marker:
        # Its first line empty, the comment ended where it was: the code below is the answer.
        return bool(text.split("\n", 1)[0].strip()) and comment_end(text + "\n", comment_marker) is None
    if docstring is not None:
        return docstring * 3 not in text
    return in_macro_body(ctx.prefix, ctx.language) and all(line.rstrip().endswith("\\") for line in lines)
