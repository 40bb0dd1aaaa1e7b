"""Filters for what a chat or reasoning backend wraps code in, and notebook cell ends."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...languages import grammar_names
from ...privacy import REDACTED
from ._brackets import _closable_brackets
from ._document_prose import in_document_prose
from ._syntax import _SYNTAX, syntax_name
from ._text import (
    _WAITING_END,
    _has_word,
    _iter_lines,
    _leading_ws,
    _opens_block,
    _shift_indent,
    _strip_covered_indent,
)

if TYPE_CHECKING:
    from .context import PostContext


_FENCE_OPEN = re.compile(r"^([ \t]*)(`{3,}|~{3,})[^`\n]*$")


_PROSE_INTRO = re.compile(
    r"^(?:sure|certainly|okay|ok|of course|here(?:'s| is| are)|below is|the (?:completed|"
    r"completion|missing|rest|code|following))\b.*[:.!]$",
    re.IGNORECASE,
)


_MAX_ECHO_LINES = 20


_THINK_START, _THINK_END = "<think>", "</think>"


#: A blank line, then a sentence (a capitalised word and three more, ending as sentences do,
#: with none of the signs code lines have: `=`, `;`, braces, `->`) or a bold Markdown heading.
_PROSE_PARAGRAPH = re.compile(
    r"\n[ \t]*\n[ \t]*(?:[A-Z][a-z]+[:,]?(?: (?![^ \n]*(?:[=;{}<>]|->))[^ \n]+){3,}[.!:]"
    r"|\*\*[A-Z][^*\n]*\*\*:?)$",
    re.MULTILINE,
)


#: Languages whose text is prose: a sentence after a blank line is the document's.
_PROSE_LANGUAGES = frozenset(
    "markdown mdx plaintext restructuredtext latex tex asciidoc org gitcommit git-commit".split()
)


def strip_fences(text: str, ctx: PostContext) -> str | None:
    """Reduce a chat answer to the code to insert at the cursor.

    Chat models wrap code in markdown fences with prose around it, re-type the start of the
    cursor line (or a few lines above it), and indent the snippet as if it stood alone. FIM
    output has none of that, so the filter only acts on chat text, or on a FIM answer that
    opens as a chat answer does (see :func:`_answered_as_chat`).
    """
    if not ctx.from_chat and not _answered_as_chat(text, ctx):
        return text
    text = _after_thinking(text)
    lines = text.split("\n")
    closer = _closing_fence(lines)
    if closer is not None:
        # A bare fence after code (or alone): it closes a block the answer did not open, read
        # as an opener, the code before it was dropped (often all of it: nothing was shown).
        # The document's own block when the document has one open (a fence the user typed in
        # Markdown, a docstring's example): the answer is the document's text, fences and all.
        if _fence_open_in(ctx):
            return _remove_echo(lines, ctx)
        if not any(line.strip() for line in lines[closer + 1 :]) and closer:
            # A continuation (the prefix chat mode) closing the fence of the chat it imagines.
            return _remove_echo(lines[:closer], ctx)
    fenced = any(_FENCE_OPEN.match(line) for line in lines)
    lines = _fenced_code(lines)
    if not lines:
        return ""
    # A fence ends the code; without one, only a paragraph of prose tells where it ends.
    return _remove_echo(lines, ctx) if fenced else _without_prose_after(lines, ctx)


#: Code without a grammar whose comments and strings the scanner reads (SQL, Haskell, R,
#: Perl): an instruct template's fence there was shown as the suggestion ("```sql"). Not
#: YAML, whose block scalars (Markdown in a GitHub issue form) are text it cannot tell.
_SCANNED_CODE = frozenset(_SYNTAX) - _PROSE_LANGUAGES - {"yaml"}


def _answered_as_chat(text: str, ctx: PostContext) -> bool:
    """Whether a completion request's answer is a chat turn's: a fence opening it, maybe after
    a line of chat prose, where the document is code (not Markdown or a comment or string,
    where a fence is the document's text). Ollama puts a prompt without ``suffix``
    (``fim-template``) into an instruct model's chat template, and the model answers as in a
    chat: the suggestion was "```python". Only in a language with a grammar, or one whose
    comments and quotes the scanner knows (:data:`_SCANNED_CODE`): in another (MDX, Quarto,
    YAML's block scalars, HTML) the scanner cannot tell that the cursor is in code, and a
    fence that was the document's own text there was read as a chat answer's."""
    if ctx.language is None:
        return False
    lines = [line for line in text.split("\n", 8)[:8] if line.strip()]
    if len(lines) > 1 and _introduces_code(lines[0]):
        return _chat_fence_in_code(ctx)  # the code after it, in a fence or not
    if lines and _PROSE_INTRO.match(lines[0].strip()):
        lines = lines[1:]
    return bool(lines) and bool(_FENCE_OPEN.match(lines[0])) and _chat_fence_in_code(ctx)


#: Signs of code in a line: a sentence introducing code has none of them.
_CODE_SIGNS = re.compile(r"[=(){}\[\];<>`]")


def _introduces_code(line: str) -> bool:
    """A chat sentence that introduces the code after it ("Here is the completion:"): as
    :data:`_PROSE_INTRO` reads it, capitalised, ending with a colon, with no sign of code. Not
    a condition the model wrote at the cursor (``if `` then ``ok and ready:``)."""
    line = line.strip()
    return (
        line[:1].isupper()
        and line.endswith(":")
        and " " in line
        and not _CODE_SIGNS.search(line)
        and bool(_PROSE_INTRO.match(line))
    )


#: A chat sentence: a capitalised word, three words or more with no sign of an assignment, a
#: block or a comparison, and a full stop ("Sure! The total is the sum of the values.").
_SENTENCE = re.compile(r"^[A-Z][a-z']*[,!]?(?: (?![^ ]*(?:[=;{}<>]|->))[^ ]+){3,}[.!]$")


def says_only_prose(text: str, ctx: PostContext) -> bool:
    """Whether a chat turn's answer, with no fence, is sentences alone where the cursor is in
    code: asked of a server seen answering as in a chat, "You can compute it with
    sum(values), which adds them up." was shown as the code and taken for a FIM answer (the
    next line asked with its line-break stop again, cut at the fence and asked twice). Not in
    the document's prose that the scanner reads as code (JSX's text, a PHP template's, Ruby's
    ``=begin`` comment): the next sentence a FIM model wrote there was dropped."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines or not all(_SENTENCE.match(line) for line in lines):
        return False
    return _chat_fence_in_code(ctx) and not in_document_prose(ctx)


def opens_as_chat(text: str, ctx: PostContext) -> bool:
    """Whether ``text``, a single-line request's answer (which stops at a line break), is only
    the line a chat turn's answer opens with: a fence, or a sentence that introduces one
    ("Here is the completion:"), where the document is code (see :func:`_answered_as_chat`).
    Shown, it was nothing ("```python" is dropped) or the sentence; the whole answer, asked
    without that stop, holds the code line."""
    if ctx.language is None or text.count("\n", 0, len(text.rstrip())) > 0:
        return False
    line = text.strip()
    return (_introduces_code(line) or bool(_FENCE_OPEN.match(line))) and _chat_fence_in_code(ctx)


def _chat_fence_in_code(ctx: PostContext) -> bool:
    """Whether a chat turn's fence at the cursor would be an answer's, not the document's: in
    code the scanner can read, not in a comment or string, nor in a fenced block left open."""
    if ctx.language is None or _fence_open_in(ctx):
        return False
    # Last: the grammars' names are read (~4 ms, once) only for an answer opening a fence.
    language = syntax_name(ctx.language)
    if language not in _SCANNED_CODE and language not in grammar_names():
        return False
    return ctx.brackets_after_prefix[1].mode == ""  # not in a comment or string


def chat_code_start(lines: list[str], ctx: PostContext) -> int:
    """Where the code of an answer read as a chat turn's begins: the line after the fence that
    opens it (maybe after a line of prose); 0 for any other answer. Its backticks read as code,
    the scanner took the fence for a string's start that never ends."""
    if not ctx.from_chat and not _answered_as_chat("\n".join(lines[:8]), ctx):
        return 0
    return next((i + 1 for i, line in enumerate(lines[:8]) if _FENCE_OPEN.match(line)), 0)


def _after_thinking(text: str) -> str:
    """The answer after a reasoning model's thoughts. Served without a reasoning parser (vLLM,
    llama.cpp's ``--reasoning-format none``, Qwen3 or an R1 distill) the model writes them into
    the answer, ``<think>`` often in the prompt already: they were shown as the suggestion,
    or the code they draft in a fence of their own was. An answer cut mid-thought has none."""
    head, sep, tail = text.rpartition(_THINK_END)
    if sep:
        return tail.lstrip("\n") if _THINK_START in head or "\n" in head else text
    return "" if text.lstrip().startswith(_THINK_START) else text


def _without_prose_after(lines: list[str], ctx: PostContext) -> str:
    """The code of an unfenced answer up to a paragraph of chat prose after it (``This
    returns the sum.``) in code, not in a string or comment (a docstring's paragraph is the
    document's text). Kept, it was inserted as code, and being left of the cursor it made
    the code look written as if it stood alone (indented again)."""
    if ctx.language is None or ctx.language.lower() in _PROSE_LANGUAGES:
        return _remove_echo(lines, ctx)
    answer = "\n".join(lines)
    for m in _PROSE_PARAGRAPH.finditer(answer):
        code = _remove_echo(answer[: m.start()].split("\n"), ctx)
        scanner = _closable_brackets(ctx)[1]
        for _ in scanner.feed(code + "\n"):  # the line break ends a comment on its last line
            pass
        if not scanner.mode:
            return code
    return _remove_echo(lines, ctx)


def _closing_fence(lines: list[str]) -> int | None:
    """The index of the answer's first fence when it cannot open the answer's code: bare (no
    language after it) and after code, not after prose; or a bare fence that is all the
    answer holds."""
    index = next((i for i, line in enumerate(lines) if _FENCE_OPEN.match(line)), None)
    if index is None:
        return None
    fence = lines[index].strip()
    if fence.strip(fence[0]):
        return None  # a language after it: an opener
    before = [line for line in lines[:index] if line.strip()]
    if not before:
        return index if not any(line.strip() for line in lines[index + 1 :]) else None
    return None if _PROSE_INTRO.match(before[0].strip()) else index


def _fence_open_in(ctx: PostContext) -> bool:
    """Whether the document leaves a fenced block open at the cursor (Markdown, a docstring's
    example): an odd number of fence lines before it, the cursor line included."""
    return sum(1 for line in _iter_lines(ctx.prefix) if _FENCE_OPEN.match(line)) % 2 == 1


def _fenced_code(lines: list[str]) -> list[str]:
    found = next(
        ((index, m) for index, line in enumerate(lines) if (m := _FENCE_OPEN.match(line))), None
    )
    if found is None:
        # Without fences, only a leading line of chat prose can be told apart from code.
        if len(lines) > 1 and _PROSE_INTRO.match(lines[0].strip()):
            lines = lines[1:]
            while len(lines) > 1 and not lines[0].strip():
                lines = lines[1:]
        return lines
    index, opening = found
    fence_indent, fence = opening.group(1), opening.group(2)
    body: list[str] = []
    for line in lines[index + 1 :]:
        bare = line.strip()
        if bare and set(bare) == {fence[0]} and len(bare) >= len(fence):
            break
        if bare.endswith(fence) and not bare.startswith(fence):
            body.append(line.rstrip()[: -len(fence)])  # fence glued to the last code line
            break
        # A fence indented inside a list item indents its whole body the same way.
        body.append(line[len(fence_indent) :] if line.startswith(fence_indent) else line)
    # A stream cut before the closing fence still carries usable code.
    return body


def _remove_echo(lines: list[str], ctx: PostContext) -> str:
    head = ctx.line_prefix.strip()
    before = [line.strip() for line in ctx.recent_lines(_MAX_ECHO_LINES)]
    start: int | None = None
    for k in range(min(len(lines), len(before) + 1), 0, -1):
        # k - 1 whole lines above the cursor echoed, then the cursor line itself.
        echoed = [line.strip() for line in lines[: k - 1]]
        if k > 1 and (echoed != before[len(before) - (k - 1) :] or not any(map(_has_word, echoed))):
            continue
        if head and _after_echo(lines[k - 1].lstrip(), head) is None:
            continue
        start = k - 1
        break
    if start is None:  # the answer starts mid-line, right at the cursor
        return "\n".join(lines)
    cursor_line, rest = lines[start], lines[start + 1 :]
    chat_width = ctx.width(_leading_ws(cursor_line))
    doc_width = ctx.width(ctx.indentation)
    if head:
        first = _after_echo(cursor_line.lstrip(), head) or ""
        if ctx.line_prefix[-1:].isspace():
            first = first.lstrip(" \t")
        # The echoed cursor line pins the chat's frame to the document's exactly.
        shift = doc_width - chat_width
    else:
        first = _strip_covered_indent(cursor_line, ctx)
        # A snippet indented less than the cursor was written as if it stood alone.
        shift = max(0, doc_width - chat_width)
        if shift and start == 0 and chat_width == 0 and _in_document_frame(cursor_line, rest, doc_width, ctx):
            # Unless it continues at the cursor as the document does (what a chat prefix
            # completion, and the system prompt's "continue the code exactly", produce): its
            # later lines already stand at the document's columns.
            shift = 0
    return "\n".join([first, *(_shift_indent(line, shift, ctx) for line in rest)])


def _after_echo(line: str, head: str) -> str | None:
    """The rest of ``line`` after it re-types ``head``, spacing aside (the answer's
    ``total = sum(xs)`` for the typed ``total=``: read as new text, the line became
    ``total=total = sum(xs)``); None when it does not."""
    pos = 0
    for char in head:
        if char.isspace():
            continue
        while pos < len(line) and line[pos].isspace():
            pos += 1
        if line[pos : pos + 1] != char:
            return None
        pos += 1
    return line[pos:]


def _in_document_frame(first: str, rest: list[str], doc_width: int, ctx: PostContext) -> bool:
    """Whether the lines after ``first`` (written at the cursor) are at the document's own
    columns: none left of the cursor, and the body of a block ``first`` opens deeper than it."""
    later = [line for line in rest if line.strip()]
    if not later or any(ctx.width(_leading_ws(line)) < doc_width for line in later):
        return False
    return not _opens_block(first, ctx) or ctx.width(_leading_ws(later[0])) > doc_width


def end_of_cell(text: str, ctx: PostContext) -> str | None:
    """In a notebook cell, stop where the model starts the next cell (a ``# %%`` line): the
    cells are one document to the model, and what it writes after that line is not this
    cell's. The line breaks before the marker separate cells and go with it."""
    marker = ctx.cell_marker
    if not marker:
        return text
    if text.startswith(marker) and not ctx.line_prefix.strip():
        return None
    cut = text.find("\n" + marker)
    if cut < 0:
        return text
    return text[:cut].rstrip("\n") or None


def drop_redacted(text: str, ctx: PostContext) -> str | None:
    """Cut the suggestion before its first line with the prompt's ``[REDACTED]`` (what is sent
    in place of a secret) unless the document itself has it: the model copies it from the
    lines above (``password = "[REDACTED]"`` under other such lines), and accepted it is a
    placeholder in the user's code. None when nothing is left before it."""
    if REDACTED not in text or REDACTED in ctx.prefix or REDACTED in ctx.suffix:
        return text
    lines = text.split("\n")
    kept = lines[: next(i for i, line in enumerate(lines) if REDACTED in line)]
    # Nor a line left waiting for the one cut (``return Client(``).
    while kept and (not kept[-1].strip() or _WAITING_END.search(kept[-1])):
        kept.pop()
    return "\n".join(kept) if kept else None
