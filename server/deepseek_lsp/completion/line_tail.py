"""The text after the cursor on its line (the tail: closers the editor added, light
punctuation): whether a suggestion may go there, and what of it a suggestion keeps."""

from __future__ import annotations

import re
from dataclasses import replace

from ..documents import Document
from .bodiless_header import HEADER_LANGUAGES, awaits_body
from .docstring_opener import autopair_quotes, whole_docstring
from .multiline import opens_block
from .postprocess import (
    PostContext,
    before_typed_over,
    drop_suffix_duplicates,
    drops_an_unwritten_pair,
    ends_on_control_header,
    kept_tail,
    leaves_open,
    limit_scope,
    without_retyped_rest,
)
from .postprocess._text import _brackets_left_open, _code_only
from .prompting import PromptBuilder
from .request import Request, Suggestion

#: How a declaration's header may end (`void F()`, `class X : Base`, `int f() const`): none
#: ends with `;`, `,`, an operator or a bracket it opens.
_HEADER_END = re.compile(r"[\w)\]>]$")
_LINE_REST = re.compile(r"^[^\r\n]*")
#: What may follow the cursor for a suggestion mid-line: closers and light punctuation, and the
#: closing tags an editor adds as an element is opened (HTML, JSX, Vue: ``<li>|</li>``), where
#: the user writes the element's text; with the tag refused, every element typed got nothing.
#: So may an empty pair after a closer and a comma (React's `useEffect(() => {|}, [])`), not
#: one right after the cursor (`obj.get|()`: a call written there went before it, `()()`).
#: So may a block comment's closer, which VS Code adds as the comment is opened (C's `/*`,
#: `/**` in C++, Java, JavaScript, TypeScript and PHP, HTML's `<!--`): every comment typed
#: there got nothing (`/* Returns the | */`).
CLOSERS_ONLY = re.compile(
    r"^(?:[\s)\]}>\"'`;:,.]|</[\w.:-]*>)*$|^[)\]}]+\s*,\s*(?:\[\]|\(\)|\{\})[\s)\]};,]*$"
    r"|^[ \t]*(?:\*/|-->)(?:[\s)\]}>\"'`;:,.]|</[\w.:-]*>)*$"
)


def _closer_line_code(whole: str, quote: str, before: str, ctx: PostContext) -> str:
    """``whole``, a string written whole after ``before`` (docstring_opener.py), with the code
    after its closer on the closer's line (`\"\"\")`, `\"\"\".strip()`) cut where it closes a
    bracket the suffix closes: the suffix read in the string, its `)` below closed nothing,
    and an argument's `description=\"\"\"` left the call's `)` twice."""
    start = 3 - (len(before) - len(before.rstrip(quote)))  # past the opener's missing quotes
    end = whole.find(quote * 3, max(start, 0))
    if end < 0:
        return whole
    end += 3
    line_end = whole.find("\n", end)
    line_end = len(whole) if line_end < 0 else line_end
    code = whole[end:line_end]
    if not code.strip():
        return whole
    kept = limit_scope(code, replace(ctx, prefix=ctx.prefix + whole[:end], single_line=True)) or ""
    return whole[:end] + kept + whole[line_end:]


def line_parts(doc: Document, offset: int) -> tuple[str, str, int]:
    """The cursor's line before and after ``offset``, and where the line ends."""
    line = doc.line_at(offset)
    start, end = doc.line_start(line), doc.line_end(line)
    before = doc.data[start:offset].decode("utf-8", "replace")
    after = doc.data[offset:end].decode("utf-8", "replace")
    return before, after, end


def fit_to_tail(
    texts: list[str],
    req: Request,
    before: str,
    tail: str,
    replace_end: int,
    ctx: PostContext | None,
    prompts: PromptBuilder,
) -> list[Suggestion]:
    """The suggestions of ``texts`` at the request's cursor, ``before`` it on its line and
    ``tail`` after it (replaced up to ``replace_end``); ``ctx`` is the post-processing context,
    worked out from the line (``prompts``) when not given."""
    # What the text re-typed of the tail was cut in post-processing (drop_suffix_duplicates),
    # which tells the model's own closers from the line's: cutting here whatever the text
    # ended with showed "print(len(xs)" for "print(|)". What it typed over as it went on
    # with the statement (`len(|))` with `parts), 3`) is left out of the tail.
    out = []
    for held in texts:
        text = held
        whole = whole_docstring(text, req.docstring, before) if req.docstring is not None else None
        if whole is not None:
            # A docstring opened: written whole and closed, the autopair's quotes replaced.
            # The lines below it re-typed after its closer go, read past those quotes (as
            # the rest of the line, they hid the body's `return x` and it came twice).
            ctx = ctx or prompts.line_context(req)
            below = replace(ctx, suffix=ctx.suffix[len(autopair_quotes(ctx.suffix, req.docstring)) :])
            whole = _closer_line_code(whole, req.docstring, before, below)
            out.append(Suggestion(drop_suffix_duplicates(whole, below) or whole, replace_end, "", held=held))
            continue
        if not tail:
            out.append(Suggestion(text, replace_end, tail, held=held))
            continue
        ctx = ctx or prompts.line_context(req)
        kept = kept_tail(text, tail, ctx)
        menu_text = None
        cut = before_typed_over(text, tail, ctx) if kept != tail else text
        if drops_an_unwritten_pair(text[len(cut) :], tail, kept):
            # Closed past the tail's pair without it (`})` for `}, [])`, a pair in the body
            # above no matter): the text up to the line's closers, the whole tail kept, the
            # blanks before them too (`{ f(); }`).
            rest = text[len(cut) :]
            text, kept = cut + rest[: len(rest) - len(rest.lstrip(" \t"))], tail
        if kept != tail:
            menu_text = cut
            text = without_retyped_rest(text, kept)
        if kept == tail and _arguments_go_on(text, tail):
            # The model's arguments went on below (its answer cut to this line): replaced,
            # the call's `)` came back in the insert and the accept left the cursor after it
            # (`Printf("OK\n",)`), the arguments lost. It stays after the cursor.
            out.append(Suggestion(text, replace_end - len(tail.encode("utf-8")), "", closer_after=True, held=held))
            continue
        if req.multiline and "\n" in text.rstrip() and kept.lstrip().startswith("}") and not _inside_its_closing_line(text):
            # A body written between `{` and the editor's `}`: the `}` goes on a line
            # of its own under the header (it read `return 1}`). So it does from
            # between the spaces of an empty body (`{ | }`), its space left out (it
            # read `return 1; }`).
            indent = before[: len(before) - len(before.lstrip())]
            # The document's line break: the text's own are already made CRLF.
            text = text.rstrip() + ("\r\n" if "\r\n" in text else "\n") + indent
            blanks = len(tail) - len(tail.lstrip())
            cursor = replace_end - len(tail.encode("utf-8"))
            if kept == tail and (leaves_open(text, ctx) or _awaits_body(text, ctx, req, cursor + blanks)):
                # The user goes on writing the blocks the text opened (a class's `{`, a
                # method's header) or the body of its last line's `if (x)`: replaced, the
                # `}` came back in the insert and the accept left the cursor after it,
                # where the next lines went (`}}`). Only the blanks before it are replaced:
                # the `}` stays after the cursor, on the line the insert ends with, as
                # every client can place it.
                out.append(Suggestion(text, cursor + blanks, "", closer_after=True, held=held))
                continue
            kept = kept.lstrip()
            menu_text = None
        out.append(Suggestion(text, replace_end, kept, menu_text, held=held))
    return out


def _awaits_body(text: str, ctx: PostContext, req: Request, end: int) -> bool:
    """Whether ``text``, replacing the request's document up to ``end``, ends where a body
    comes next, though it leaves nothing open: on a control header (`if (x)`, `} else`, a
    condition wrapped over lines; its comments are none of its code, as for the lone `{`), on
    a line that opens a block by its language's signs (a switch's `case 2:`, `x =>`), or on a
    declaration's header whose `{` an Allman file puts below (`void F()`, `class X : Base`)."""
    lines = text.replace("\r\n", "\n").split("\n")
    last = next((line for line in reversed(lines) if line.strip()), "")
    if ends_on_control_header(lines, ctx) or opens_block(last, req.doc.language):
        return True
    language = req.doc.language.name if req.doc.language is not None else None
    code = ctx.trailing_comment_re.sub("", last).rstrip()  # `void G() // runs it`
    if language not in HEADER_LANGUAGES or req.stale or not _HEADER_END.search(code):
        return False
    # Read from the tree of the document as the accept leaves it, less the header's comment
    # (the tree's declaration takes it in): a call or a `return` without its `;` (`g(a)`,
    # `return x`) parse otherwise, and take the `}` as before.
    header = text[: text.rstrip().rfind(last.rstrip()) + len(code)]
    below = _LINE_REST.sub("", text[len(header) :], count=1)
    accepted = req.doc.with_replaced(req.offset, end, (header + below).encode("utf-8"))
    return awaits_body(accepted, req.offset + len(header.encode("utf-8")))


def _inside_its_closing_line(text: str) -> bool:
    """Whether ``text``'s last line closes the block the editor's `}` was paired for and opens
    a bracket it writes inside (Go's `}{1, 2` after an anonymous struct's fields: the literal's
    `}` is the tail's): the `}` stays on that line. Put on a line of its own, the literal read
    `}{1, 2` then `}` below. A line ending with its opener (`} else {`) has its body below."""
    code = _code_only(text.rpartition("\n")[2]).strip()
    rest = code[1:].rstrip()
    return code[:1] in ")]}" and _brackets_left_open(rest) > 0 and not rest.endswith(("{", "(", "["))


def _arguments_go_on(text: str, tail: str) -> bool:
    """Whether ``text``, one line, ends in a comma before the call's, list's, dict's or object
    literal's closer that starts ``tail``: what it separates comes next, inside that closer.
    A comment after the comma (`a,  # first`) is no end: the closer went into it."""
    if "\n" in text or tail.lstrip()[:1] not in (")", "]", "}"):
        return False
    return _code_only(text).rstrip().endswith(",")
