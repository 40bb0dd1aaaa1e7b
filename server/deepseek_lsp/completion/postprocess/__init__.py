"""Post-processing of raw model completions: small named filters run in order.

Each filter takes the completion text and a :class:`PostContext` and returns the new text, or
``None`` to drop the suggestion. The golden cases under ``tests/golden/postprocess/<filter>/`` are
the specification of each filter; change the data first, then the code.

Conventions shared by all filters:

* The completion is inserted at the cursor: its first line continues the cursor line
  (``ctx.line_prefix``), every later line is a whole line with its own indentation.
* Text uses ``\\n`` line ends; :func:`postprocess` converts CRLF documents on the way in and out.
* Nothing here needs a parser; brackets are counted outside strings and comments with a
  lightweight scanner, so a filter can run on every keystroke.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import replace

from ._brackets import (
    _CLOSER_OF,
    _closable_brackets,
    _closed_by_completion,
    _line_closed,
    _open_after_prefix,
    _suffix_scanner,
)
from ._fenced_block import code_context, in_fenced_code
from ._macro_body import MACRO_LANGUAGES, macro_depth, macro_lines_above
from ._pairs_in_text import closers_typed_over_in_text
from ._scanner import _BracketScanner, typed_bracket
from ._shell_blocks import heredoc_word
from ._syntax import _syntax_for, has_block_comments, is_shell, literal_brace
from ._text import _WAITING_END, _brackets_left_open, _code_only, _leading_ws
from .context import Filter, LaterContext, PostContext
from .fences import _answered_as_chat as answered_as_chat
from .fences import _chat_fence_in_code as chat_fence_readable
from .fences import (
    chat_code_start,
    drop_redacted,
    end_of_cell,
    opens_as_chat,
    says_only_prose,
    strip_fences,
)
from .indentation import normalize_indentation
from .repetition import cut_repetition
from .scope import (
    _TRAILING_BLOCK_COMMENT,
    closes_the_docstring,
    closes_the_string,
    ends_on_control_header,
    limit_scope,
)
from .suffix import drop_suffix_duplicates, leaves_open
from .trim import drop_useless, trim

__all__ = [
    "FILTERS",
    "Filter",
    "LaterContext",
    "PostContext",
    "answered_as_chat",
    "before_typed_over",
    "chat_fence_readable",
    "closes_the_docstring",
    "closes_the_string",
    "dedupe_choices",
    "drops_an_unwritten_pair",
    "ends_on_control_header",
    "has_block_comments",
    "heredoc_word",
    "is_shell",
    "kept_tail",
    "leaves_open",
    "literal_brace",
    "opens_as_chat",
    "postprocess",
    "says_only_prose",
    "within_closed_calls",
    "without_cut_line",
    "without_retyped_rest",
]


def without_cut_line(text: str) -> str:
    """A block the model was still writing when it reached its token limit, down to its last
    complete line and without the lines at its end that wait for what never came (``for item
    in items:`` with no body, ``total = compute(``). Accepted whole, half a line
    (``total += compute(ite``) left a file that no longer parsed. One line is kept as it is:
    it is all there is."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    lines.pop()
    while len(lines) > 1 and (not lines[-1].strip() or _waits(lines)):
        lines.pop()
    return "\n".join(lines)


def _waits(lines: list[str]) -> bool:
    """Whether the last of ``lines`` ends waiting for more (see _WAITING_END), its comment at
    the end left out: a struct's fields each with its `/* ... */` ended with the comment's `/`,
    read as a division, and a typedef cut at its tokens lost every line (fts.h: nothing
    shown). A comma is an element's end, not waiting, in a list the lines did not open (an
    enum's between the editor's autopaired braces: llvm-c's Object.h, nothing shown either)."""
    last = lines[-1].strip()
    if last.endswith("*/") and ("/*" not in last or last.startswith("/*")):
        return False  # a block comment's closing line (` */`) or a comment alone: no division
    code = [_code_only(_TRAILING_BLOCK_COMMENT.sub("", line)) for line in lines]
    end = _WAITING_END.search(code[-1])
    if end is None or end.group().strip() != ",":
        return end is not None
    return _brackets_left_open("\n".join(code)) > 0


#: What comes before a block's ``{`` (a function's or closure's parameters, an arrow, a keyword
#: or a return type and a space), not an object literal's (``(``, ``,``, ``:``, ``=``, ``[``,
#: ``return``) nor a Go composite literal's (``Config{``). A generic's ``>`` only after a class's
#: or an object's type (Kotlin's ``object : Callback<T> {``): after a type it opens a value
#: (C++'s ``std::vector<int>{``), after a JSX tag an expression (``<p>{``); or a generic return
#: type's, after an arrow or a parameter list's ``):`` (``|x| -> Vec<u8> {``, ``(): Promise<T> {``).
_BLOCK_BRACE = re.compile(
    r"(?:[)|]\s*|[=-]>\s*|\b(?:object|class|interface)\b[^(){};]*>\s*"
    r"|(?:->\s*(?:\w+\s+)?[\w:]+|\)\s*:\s*[\w.]+)<[^(){};]*>\s*|\b(?!return\b)\w+\s+)$"
)

#: How much of the text before a ``{`` tells whether it opens a block.
HEADER_CHARS = 240
#: A class's or an object's keyword, whose generic header may run longer (see _opens_block).
_TYPE_KEYWORD = re.compile(r"\b(?:object|class|interface)\b")
#: What the regex's class alternative cannot read past.
_HEADER_STOPS = "(){};"


def _opens_block(head: str) -> bool:
    """Whether the text ``head`` before a ``{`` makes it a block's (see _BLOCK_BRACE), read
    from its end only: the regex's generic alternatives scan back to each ``>`` (a 48 kB line
    of ``->b<c `` took 1.6 s, ``class x<`` 1.1 s). A class's or an object's header longer than
    that (``object : Callback<Triple<…>>``) is told by its keyword after the last bracket, a
    linear read."""
    if _BLOCK_BRACE.search(head[-HEADER_CHARS:]):
        return True
    if len(head) <= HEADER_CHARS or not head.rstrip().endswith(">"):
        return False
    tail = head[max(head.rfind(c) for c in _HEADER_STOPS) + 1 :]
    return _TYPE_KEYWORD.search(tail) is not None


def within_closed_calls(text: str, ctx: PostContext) -> str:
    """A block cut at the time limit down to its last line after which every ``(`` and ``[``
    it opened is closed: a call's last argument, with no comma to say more is to come, left
    the call open (``result = compute(``, ``a,``, ``b``). A ``{`` may be a block's, whose
    header and body so far are kept as :func:`without_cut_line` keeps them (not in Python,
    whose ``{`` is a dict's or a set's), a callback's in a call too; the first line is kept as
    it is, as a single-line suggestion would be. Nor does it end inside a block comment, a
    string or a heredoc it opened: it ends before the line opening it. A chat turn's answer is
    read from the line after its fence."""
    ctx = ctx.lf
    scanner = _closable_brackets(ctx)[1]
    syntax = _syntax_for(ctx.language)
    braces = syntax.brace_blocks
    literal = re.compile(syntax.literal_brace) if syntax.literal_brace else None
    closing = "([" if braces else "([{"
    #: Each bracket the text opened and left open, a block's ``{`` marked ``b``.
    own: list[str] = []
    lines = text.split("\n")
    start = chat_code_start(lines, ctx)
    keep = next((i + 1 for i, line in enumerate(lines) if i >= start and line.strip()), start or 1)
    #: The last line with code before the one read: the header of a ``{`` alone on its line.
    above = ctx.prefix.rpartition("\n")[2]
    first = keep
    #: Where to cut while a block comment or a string the text opened is still open (None:
    #: none is): before the line opening it. Left open, accepting the suggestion made the
    #: rest of the file (the class's `}`, the functions below) that comment's or string's text.
    cut_open: int | None = None
    for index, line in enumerate(lines[start:], start):
        was_open, prior = _left_open(scanner), keep
        for at, bracket in scanner.feed(line + "\n"):  # the break ends a line comment
            if bracket in "([{":
                head = line[:at]
                if not head.strip():
                    # Allman's `{` (`Task.Run(() =>` then `{`) opens what its header's end would.
                    head = above.rstrip() + " "
                block = braces and bracket == "{" and _opens_block(head)
                block = block and not (literal and literal.search(head))
                own.append("b" if block else bracket)
            elif own:
                own.pop()
        # Inside a callback's body (``app.get('/', (req, res) => {``) a line ends a statement
        # as in an ``if``'s: cut there, only the call's first line was shown.
        if not any(bracket in closing for bracket in own) or own[-1] == "b":
            # Not fewer lines than the first with text: a blank one before it is no answer.
            keep = max(keep, index + 1)
        if line.strip():
            above = line
        if not _left_open(scanner):
            cut_open = None
        elif not was_open and cut_open is None:
            cut_open = prior
    if cut_open is not None:
        keep = max(first, cut_open)
    return "\n".join(lines[:keep])


def _left_open(scanner: _BracketScanner) -> bool:
    """Whether ``scanner``, at a line's end, is inside a block comment, a string or a heredoc."""
    return scanner.mode not in ("", "line")


FILTERS: dict[str, Filter] = {
    "strip_fences": strip_fences,
    "end_of_cell": end_of_cell,
    "drop_redacted": drop_redacted,
    "normalize_indentation": normalize_indentation,
    "limit_scope": limit_scope,
    "drop_suffix_duplicates": drop_suffix_duplicates,
    "cut_repetition": cut_repetition,
    "trim": trim,
    "drop_useless": drop_useless,
}


def postprocess(text: str, ctx: PostContext, *, disabled: Iterable[str] = ()) -> str | None:
    """Run every filter not in ``disabled``, in order; None as soon as one drops the text."""
    disabled = set(disabled)
    unknown = disabled - FILTERS.keys()
    if unknown:
        # A misspelt setting would otherwise silently leave a filter on.
        raise ValueError(f"unknown post-processing filters: {', '.join(sorted(unknown))}")
    crlf = "\r\n" in ctx.prefix or "\r\n" in ctx.suffix
    text = text.replace("\r\n", "\n") if "\r" in text else text
    if opener := _triple_quote_completed(text, ctx):
        # The answer writes the rest of a docstring's opening quotes (`""Summary` after a naive
        # autopair's `"|"`): read from after them. Read as a one-quote string closed and
        # another opened, the docstring's lines were code, their hanging indents re-levelled.
        rest = postprocess(text[len(opener) :], replace(ctx, prefix=ctx.prefix + opener), disabled=disabled)
        return None if rest is None else opener + rest

    def run_filters(text: str, ctx: PostContext) -> str | None:
        result: str | None = text
        for name, run in FILTERS.items():
            if name in disabled:
                continue
            result = run(result, ctx)
            if result is None:
                return None
        return result

    result = in_fenced_code(text, ctx.lf, run_filters)
    if result is None:
        return None
    return result.replace("\n", "\r\n") if crlf else result


#: A line of one or two quotes alone (a prefix letter before them): a docstring being opened.
_QUOTES_ALONE = re.compile(r"^[ \t]*[rRuU]?(\"{1,2}|'{1,2})$")


def _triple_quote_completed(text: str, ctx: PostContext) -> str:
    """The quotes ``text`` starts with that make the cursor line's one or two quotes alone a
    Python triple quote (the answer's text after them in the string), or ""."""
    typed = _QUOTES_ALONE.match(ctx.line_prefix) if ctx.language == "python" else None
    if typed is None:
        return ""
    missing = typed[1][0] * (3 - len(typed[1]))
    return missing if text.startswith(missing) and not text.startswith(missing + typed[1][0]) else ""


def kept_tail(text: str, tail: str, ctx: PostContext) -> str:
    """What of ``tail``, the closers after the cursor that the item replaces, goes back after
    ``text``: all of it, but for the closers the completion typed over.

    A completion that closes a bracket the rest of the line closes and goes on with the
    statement (limit_scope keeps it) types over that closer, as the editor does when the user
    types it: ``assertEqual(len(|))`` with ``parts), 3`` is ``assertEqual(len(parts), 3)``;
    put back whole, the line read ``len(parts), 3))``. A bracket the completion opens and
    leaves open takes the line's closer instead (``max(|)`` with ``a), max(b``). A quote the
    completion closes early and goes on after is typed over too: ``print("|")`` with
    ``Hi", name)`` read ``print("Hi", name)"``. So is the closer of a string's placeholder:
    ``print(f"{|}")`` with ``count} items")`` read ``print(f"{count} items")}")``.
    """
    ctx = code_context(ctx.lf)
    placeholder = _placeholder_end(text, tail, ctx)
    if placeholder is not None:
        # The rest of the text goes on in the string, before the rest of the line's closers.
        end, typed = placeholder
        after = replace(ctx, prefix=ctx.prefix + text[:end], suffix=ctx.suffix[typed:])
        return kept_tail(text[end:], tail[typed:], after)
    kept = _kept_closers(text, tail, ctx)
    if kept.startswith(">") and _types_over_angle(text, ctx):
        kept = kept[1:]  # a generic's `>` the completion typed over (`Vec::<|>` with `i32>::new()`)
    scanner = _closable_brackets(ctx)[1]
    quote, closer = scanner.mode, scanner.closing_quote()
    if quote and not scanner.raw_closer:
        # In a comment or a string: an autopair's closers there, which the scanner did not count
        # (a raw string's `)x"` is its closer, its `(` no bracket).
        kept = kept[closers_typed_over_in_text(_in_text(text, scanner), kept, ctx.line_prefix, _quotes_in(quote)) :]
    if quote not in ("", "line", "block") and (half := _rest_of_closer_written(text, kept, closer, ctx.line_prefix)):
        kept = kept[half:]
    elif quote not in ("", "line", "block") and kept.startswith(closer) and _leaves_string(text, ctx):
        kept = kept[len(closer) :]
    elif quote not in ("", "line", "block") and closer in kept and _leaves_string(text, ctx):
        # The string's own text before its quote, typed over with the quote: a format
        # placeholder's `}` the editor closed (`println!("x {|}")` with `}", x);` read
        # `println!("x {}", x);}";`).
        typed = kept[: kept.index(closer) + len(closer)]
        end = _string_end(text, ctx)
        if end is not None and text[:end].endswith(typed):
            kept = kept[len(typed) :]
    return kept


def _rest_of_closer_written(text: str, kept: str, closer: str, line_prefix: str) -> int:
    """How much of ``kept`` the text types over where the line before the cursor ends with part
    of the string's (or long comment's) ``closer`` and the text writes the rest: `--[[x]|]`,
    an autopair's second `]` after the cursor, the model's `]` ending the comment (kept, the
    accept read `--[[x]]]`)."""
    for typed in range(len(closer) - 1, 0, -1):
        rest = closer[typed:]
        if line_prefix.endswith(closer[:typed]) and text.startswith(rest) and kept.startswith(rest):
            return len(rest)
    return 0


def _in_text(text: str, scanner: _BracketScanner) -> str:
    """The part of ``text`` still in the comment or string ``scanner`` is in: a block comment's
    lines up to its closer (a bracket opened on one line closes on a later one), else the first
    line."""
    if scanner.mode == "block":
        end = scanner.block_comment_end().search(text)
        return text[: end.start()] if end else text
    return text.partition("\n")[0]


def _quotes_in(mode: str) -> str:
    """The quotes an autopair closes that a comment's text holds as brackets (a string's own
    quote is the string's closer)."""
    return "\"'`" if mode in ("line", "block") else ""


def _placeholder_end(text: str, tail: str, ctx: PostContext) -> tuple[int, int] | None:
    """Where the string placeholder the cursor is in (``f"{|}"``, Kotlin's ``"${|}"``, Swift's
    ``"\\(|)"``) ends in ``text`` and in the line's ``tail`` (just after its closer in each), when
    the tail ends it (after the closers of the brackets open in it: ``"${f(|)}"``) and the
    text typed over that and went on in the string. None when it did not, or when it opens
    another placeholder that the line's closer is left to end."""
    scanner = _closable_brackets(ctx)[1]
    line = text.partition("\n")[0]
    if scanner.interpolations and not scanner.mode:
        # Code interpolated in a string: the scanner knows where it ends.
        closer = scanner.interpolation_closer()
        depth = len(scanner.interpolations)
        ends = (i + 1 for i, char in enumerate(tail) if char == closer)  # only after a closer
        typed = next((i for i in ends if _interpolations_after(scanner, tail[:i]) < depth), None)
        if typed is None or tail[: typed - 1].strip(")]}") or not ctx.suffix.startswith(tail[:typed]):
            return None
        if _interpolations_after(scanner, text) >= depth:
            return None
        ends = (i + 1 for i, char in enumerate(line) if char == closer)
        end = next((i for i in ends if _interpolations_after(scanner, line[:i]) < depth), None)
        return None if end is None else (end, typed)
    if scanner.mode in ("", "line", "block", "<<") or not (tail[:1] == ctx.suffix[:1] == "}"):
        return None
    # A format placeholder (`f"{|}"`, C#'s `$"{|}"`, `"{|}".format`): text to the scanner, whose
    # braces are counted here.
    before = ctx.line_prefix
    if before.rfind("{") <= before.rfind("}"):
        return None
    depth, end = 1, None
    for index, char in enumerate(line):
        if char in "{}":
            depth += 1 if char == "{" else -1
            if not depth and end is None:
                end = index + 1
    return (end, 1) if end is not None and depth < 1 else None


def _interpolations_after(scanner: _BracketScanner, text: str) -> int:
    """How many interpolations are open after ``text``, read from ``scanner``'s state."""
    scanner = copy.copy(scanner)
    for _ in scanner.feed(text):
        pass
    return len(scanner.interpolations)


def _string_end(text: str, ctx: PostContext) -> int | None:
    """Where in ``text`` the string the prefix leaves open ends (just after its quote)."""
    start = _closable_brackets(ctx)[1]
    for end in range(1, len(text.partition("\n")[0]) + 1):
        scanner = copy.copy(start)
        for _ in scanner.feed(text[:end]):
            pass
        if scanner.mode != start.mode:
            return end
    return None


_NOT_ANGLES = re.compile(r"->|=>|>=|<=|<<|>>=|\s[<>]\s")


def _types_over_angle(text: str, ctx: PostContext) -> bool:
    """Whether the first line of ``text`` closes a `<` the cursor line left open (a generic's
    argument list): it has a `>` with no `<` of its own before it. Operators don't count."""
    if ctx.line_prefix.count("<") <= ctx.line_prefix.count(">"):
        return False
    depth = 0
    for char in _NOT_ANGLES.sub(" ", text.partition("\n")[0]):
        if char == "<":
            depth += 1
        elif char == ">":
            if not depth:
                return True
            depth -= 1
    return False


def _leaves_string(text: str, ctx: PostContext) -> bool:
    """Whether ``text`` ends outside the string the prefix leaves open (it closed it; one it
    closed and opened again still wants the line's quote)."""
    scanner = _closable_brackets(ctx)[1]
    quote, interpolations = scanner.mode, len(scanner.interpolations)
    for _ in scanner.feed(text):
        pass
    # Code interpolated in the string (`${name`) is still inside it.
    return scanner.mode != quote and len(scanner.interpolations) <= interpolations


def _macro_closer_typed_over(text: str, tail: str, ctx: PostContext) -> bool:
    """Whether ``text`` types over the closer that ``tail`` starts with, the autopair's of the
    cursor line's opener, in a C macro's body: its brackets are a directive's text to the
    scanner, so its lines are counted here (`typedef struct AT {|}` then `} AT;  \\`: the
    autopair's `}` came back after the name, `} AT; \\}`). Closed by the text's own brackets,
    one more than it opens."""
    if ctx.language not in MACRO_LANGUAGES or macro_lines_above(ctx.prefix) is None:
        return False
    closer = _CLOSER_OF.get(ctx.line_prefix.rstrip()[-1:])
    return closer is not None and tail.lstrip().startswith(closer) and macro_depth(text.split("\n")) < 0


def _kept_closers(text: str, tail: str, ctx: PostContext) -> str:
    """``tail`` without the closing brackets ``text`` typed over (see :func:`kept_tail`)."""
    if tail and _macro_closer_typed_over(text, tail, ctx):
        return tail.lstrip()[1:]
    if not tail or not _line_closed(ctx):
        return tail
    scanner = _closable_brackets(ctx)[1]
    after_prefix = _suffix_scanner(scanner, ctx.line_suffix, ctx.line_prefix)
    open_after = _open_after_prefix(ctx)
    own: list[str] = []
    typed_over = 0
    for pos, bracket in scanner.feed(text):
        if bracket in "([{":
            own.append(bracket)
        elif own:
            own.pop()
        elif typed_bracket(text, pos, bracket):  # (not an `#else` undoing its branch before)
            closed_by = _closed_by_completion(open_after, text[pos:].partition("\n")[0], None)
            if closed_by is None:
                break
            typed_over += closed_by == "line"
    if own == ["{"] and _body_below(text, ctx):
        own.pop()  # the header's body is there already: its `}` below closes the `{`
    # A bracket left open whose closer the line does not have is closed on a later line: a
    # header's body `{` (`fill(|)` with `s: &mut Store) -> u32 {` kept the `)`, `{)`).
    while own and _CLOSER_OF[own[-1]] not in tail:
        own.pop()
    drop = typed_over - len(own)
    if drop <= 0:
        return tail
    # The tail's own pairs (React's deps, `}, [])`) close nothing the cursor is in.
    own_pairs: set[int] = set()
    opened: list[int] = []
    closers = []
    for pos, bracket in after_prefix.feed(tail):
        if not typed_bracket(tail, pos, bracket):
            continue
        if bracket in "([{":
            opened.append(pos)
        elif opened:
            own_pairs |= {opened.pop(), pos}
        else:
            closers.append(pos)
    # The line's next closers must close what the completion left open.
    left_open = [_CLOSER_OF[bracket] for bracket in reversed(own)]
    if len(closers) < typed_over:
        return tail
    if [tail[pos] for pos in closers[drop:typed_over]] != left_open:
        # Not in that order, and none after them: all typed over, what the completion left
        # open closes on a later line (`Cart({|})` with ` items }: Props) {` read `{})`).
        if any(closer in tail[closers[typed_over - 1] + 1 :] for closer in left_open):
            return tail
        drop = typed_over
    gone = set(closers[:drop])
    if gone and min(own_pairs, default=len(tail)) < max(gone):
        # The text went past a pair of the tail's to the closer it typed over: it wrote that
        # pair (`}, [id])` over `}, [])`), and the tail up to the closer with it (`, [)` came
        # back after it).
        gone |= set(range(max(gone)))
    return "".join(c for pos, c in enumerate(tail) if pos not in gone)


def _body_below(text: str, ctx: PostContext) -> bool:
    """Whether ``text`` ends with a `{` above a body the document has already: the line below
    the cursor's deeper than the text's last line (Zig's `error{|}` with `Full}!void {` over
    the function's statements). The line's `}` is typed over, the `{` closed below; kept for
    the `{`, the accept read `!void {}` above the body."""
    if not _code_only(text).rstrip().endswith("{"):
        return False
    last = text.rpartition("\n")[2] if "\n" in text else ctx.line_prefix
    below = next((line for line in ctx.suffix.split("\n")[1:] if line.strip()), "")
    return ctx.width(_leading_ws(below)) > ctx.width(_leading_ws(last))


def without_retyped_rest(text: str, kept: str) -> str:
    """``text`` without its end where it re-types what stays of the line after the closers it
    typed over (:func:`kept_tail`): ``def __init__(|):`` with ``self, name: str) -> None:``
    types over the ``)``, and the line's ``:`` stays, so the completion's own ``:`` goes (it
    came out ``-> None::``). Closers that stay are kept_tail's business; what follows the
    last of them (``:``, `` {``) is compared."""
    rest = kept[max(kept.rfind(c) for c in ")]}") + 1 :].strip()
    stripped = text.rstrip()
    if rest and stripped.endswith(rest):
        return stripped[: -len(rest)].rstrip()
    return text


def drops_an_unwritten_pair(typed_over: str, tail: str, kept: str) -> bool:
    """Whether ``kept``, what stays of ``tail`` after a text (:func:`kept_tail`), lost an
    empty pair after a comma (React's deps in `}, [])`) that ``typed_over``, the text from
    the first of the line's closers it types over (:func:`before_typed_over`), does not write
    again: the answer closed past it (`})`), and the accept dropped the user's `, []`."""
    for pair in ("[]", "()", "{}"):
        if kept.count(pair) < tail.count(pair) and not re.search(r",\s*" + re.escape(pair[0]), typed_over):
            return True
    return False


def before_typed_over(text: str, tail: str, ctx: PostContext) -> str:
    """``text`` up to the first of the line's closers it types over (see :func:`kept_tail`):
    what can be inserted at the cursor leaving the line's closers as they are, which is all a
    completion-menu item can do in Neovim's own menu (it ignores the edit's range)."""
    if kept_tail(text, tail, ctx) == tail:
        return text
    for i, char in enumerate(text):
        if char in ")]}>\"'`" and kept_tail(text[: i + 1], tail, ctx) != tail:
            return text[:i] if char in "\"'`" else text[:i].rstrip()  # inside a string, spaces count
    return text


def dedupe_choices(choices: list[str]) -> list[str]:
    """Drop empty choices and those equal to an earlier one up to surrounding whitespace."""
    seen: set[str] = set()
    kept: list[str] = []
    for choice in choices:
        key = "\n".join(line.rstrip() for line in choice.strip().split("\n"))
        if key and key not in seen:
            seen.add(key)
            kept.append(choice)
    return kept
