"""The brackets open around the cursor, read with the scanner (:mod:`._scanner`) from the
prompt and the completion: what the prefix leaves open, what the suffix and the answer close."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

from ._scanner import _CONDITIONAL, _BracketScanner, typed_bracket
from ._syntax import _syntax_for
from ._text import _TRAILING_COMMENT, _leading_ws
from ._wrapped_statements import _statement_width

if TYPE_CHECKING:
    from .context import PostContext


_OPENER_OF = {")": "(", "]": "[", "}": "{"}


_CLOSER_OF = {"(": ")", "[": "]", "{": "}"}


def _inside_alignment_bracket(ctx: PostContext) -> bool:
    """Whether the innermost bracket open after the prefix is one inside which lines are
    aligned, not indented by levels (:func:`_aligns_inside`)."""
    return _aligns_inside(ctx.brackets_after_prefix[3], ctx)


def _aligns_inside(bracket: str, ctx: PostContext) -> bool:
    """Whether lines inside ``bracket`` are aligned, not indented by levels: a parenthesis or
    square bracket; a brace too where braces never open a block (Python's dict and set
    displays: ``{name\n for name in ...}``)."""
    return bracket in ("(", "[") or (bracket == "{" and not _syntax_for(ctx.language).brace_blocks)


def _push_pop(stack: list[tuple[str, int]], bracket: str, pos: int) -> None:
    """Apply one bracket to the stack of open ones, each kept with where it opened."""
    if bracket in "([{":
        stack.append((bracket, pos))
        return
    opener = _OPENER_OF[bracket]
    if stack and stack[-1][0] == opener:
        stack.pop()
        return
    for index in range(len(stack) - 1, -1, -1):
        if stack[index][0] == opener:
            # A bracket missing in between (broken code being edited): close up to the match.
            del stack[index:]
            return


def _closable_brackets(ctx: PostContext) -> tuple[list[str], _BracketScanner]:
    """Brackets the prefix left open and the suffix does not close, innermost last, and the
    scanner in the state right after the prefix, to read the completion: copies, for the caller
    to change."""
    closable, scanner = ctx.brackets_after_prefix[:2]
    return list(closable), copy.copy(scanner)


def _in_text(ctx: PostContext) -> bool:
    """Whether the cursor is in a string or a block comment: the answer's next lines are its
    text. A line comment ends with the cursor's line; the lines below it are code."""
    return ctx.brackets_after_prefix[1].mode not in ("", "line")


def _line_closed(ctx: PostContext) -> list[str]:
    """The open brackets that the rest of the cursor line closes (auto-closed pairs), innermost
    last: a copy, for the caller to change."""
    return list(ctx.brackets_after_prefix[2])


def _innermost_opened_at(ctx: PostContext) -> int:
    """Where in the prefix the innermost bracket open after it opened (-1: none, or opened
    before the scan's start)."""
    return ctx.brackets_after_prefix[5]


def _opened_at(ctx: PostContext) -> tuple[int, ...]:
    """Where in the prefix each bracket open after it opened, innermost last (-1: before the
    scan's start), as :func:`_open_after_prefix` lists them."""
    return ctx.brackets_after_prefix[6]


def _open_after_prefix(ctx: PostContext) -> list[tuple[str, str]]:
    """Every bracket open after the prefix with what closes it, innermost last (see
    :attr:`PostContext.brackets_after_prefix`): a copy, for the caller to change."""
    return list(ctx.brackets_after_prefix[4])


def _closed_by_completion(open_after: list[tuple[str, str]], line: str, rest: str | None) -> str | None:
    """Which open bracket the closer that starts ``line`` (the rest of a line of the completion)
    closes, if it is not one of the completion's own pairs, taken off ``open_after``: "" one the
    suffix leaves open, "line" one the rest of the cursor line closes (the completion types over
    the line's closer); None for a stray closer, and for one that re-types the rest of the
    cursor line (``rest``, None when that does not matter) with nothing else to close.

    Brackets nest: the line's own auto-closed bracket comes before an enclosing one of its
    kind whose closer only lies past the suffix (a function's `}` 30 lines below), which is
    no bracket the completion may close. Taking the completion's closer for it put the line's
    back after the completion (``int[] a = {1, 2};}``), and kept a callback's re-typed `});`
    before the one the editor put below. An enclosing bracket of the cursor line, which the
    line leaves open (``foo(bar(|)``), is open indeed: the line's closer is left for it.
    """
    opener = _OPENER_OF[line[0]]
    # The line's spacing before its closer is no part of what is re-typed: `{ | }` with a
    # `}` ending a block went on past it with the statements below, as after `{|}` it did not.
    retypes_rest = rest is not None and line.rstrip() == rest.lstrip()
    reopens = _TRAILING_COMMENT.sub("", line[1:]).rstrip().endswith(opener)
    if reopens and open_after and open_after[-1][0] == opener and open_after[-1][1].startswith("later"):
        # `} else {` under `if (x) {|` with the block's `}` below: this ends the cursor's
        # block, and the suffix's closer closes the new branch (the branch was cut).
        del open_after[-1]
        return ""
    auto = closable = None  # the innermost of each kind of entry, if it is the closer's kind
    seen_auto = seen_closable = False
    for index in range(len(open_after) - 1, -1, -1):
        kind, by = open_after[index]
        if by == "line" and not seen_auto:
            seen_auto = True
            auto = index if kind == opener else None
        elif by in ("", "past") and not seen_closable:
            seen_closable = True
            closable = index if kind == opener else None
    past = closable is not None and open_after[closable][1] == "past"
    if auto is not None and not retypes_rest and (closable is None or past):
        del open_after[auto]
        return "line"
    if closable is not None and (
        not past
        # A closer that re-types the line's own (`1, 2}` before `}`) is drop_suffix_duplicates'
        # business, which keeps the text before it as written.
        or (auto is not None and retypes_rest)
        # `} else {`: the block the suffix closes ends here, and the suffix's closer closes
        # the completion's new one.
        or reopens
    ):
        del open_after[closable]
        return ""
    return None


def _scan_closable_brackets(
    ctx: PostContext,
) -> tuple[tuple[str, ...], _BracketScanner, tuple[str, ...], str, tuple[tuple[str, str], ...], int, tuple[int, ...]]:
    start_state = ctx.scan_state
    scanner = copy.copy(start_state) if start_state is not None else _BracketScanner(_syntax_for(ctx.language))
    # Where each open bracket opened in the prefix; -1 for those open before the scan starts.
    stack: list[tuple[str, int]] = [(bracket, -1) for bracket in ctx.open_before_scan]
    start = ctx.bracket_scan_from
    for pos, bracket in scanner.feed(ctx.prefix[start:]):
        _push_pop(stack, bracket, start + pos)
    after_prefix = copy.copy(scanner)
    # What closes each open bracket: "" not the suffix (the completion may), "line" the rest of
    # the cursor line, "later" a later line of the suffix ("later?" by a guess: no bracket of
    # its kind opened on a line indented as the closer's).
    closed_by = [""] * len(stack)
    # Each closer of the suffix closes a bracket further out than the one before it did.
    ceiling = len(stack)
    own = 0
    line_end = ctx.suffix.find("\n")
    line_rest = ctx.suffix[: line_end if line_end >= 0 else len(ctx.suffix)]
    suffix = _cursor_branch_only(ctx.suffix, after_prefix)
    for pos, bracket in _suffix_scanner(after_prefix, line_rest, ctx.line_prefix).feed(suffix) if stack else ():
        if bracket in "([{":
            own += 1
        elif own:
            own -= 1
        elif not typed_bracket(suffix, pos, bracket):
            continue  # an `#if 0`'s bracket undone at its `#endif`: no closer of the prefix's
        else:
            found = _suffix_closes(stack[:ceiling], bracket, pos, ctx)
            if found is None:
                continue  # it closes something opened before the window
            index, sure = found
            closed_by[index] = "line" if line_end < 0 or pos < line_end else "later" if sure else "later?"
            ceiling = index
            if not ceiling:
                break
    closable = tuple(bracket for (bracket, _), by in zip(stack, closed_by, strict=True) if not by)
    line_closed = tuple(bracket for (bracket, _), by in zip(stack, closed_by, strict=True) if by == "line")
    # An open bracket of an earlier line around one of its kind that the suffix closes would be
    # closed after it: past the end of the suffix, for all the scan knows ("past").
    line_start = len(ctx.prefix) - len(ctx.line_prefix)
    inner_closed: set[str] = set()
    for index in range(len(stack) - 1, -1, -1):
        bracket, opened = stack[index]
        if closed_by[index] in ("line", "later"):
            inner_closed.add(bracket)
        elif not closed_by[index] and opened < line_start and bracket in inner_closed:
            closed_by[index] = "past"
    open_after = tuple((bracket, by) for (bracket, _), by in zip(stack, closed_by, strict=True))
    innermost = stack[-1] if stack else ("", -1)
    opened_at = tuple(pos for _, pos in stack)
    return closable, after_prefix, line_closed, innermost[0], open_after, innermost[1], opened_at


#: A conditional's directive on its own line (`#if`, `# ifdef`, `#elif`, `#else`, `#endif`).
_CONDITIONAL_LINE = re.compile(r"^[ \t]*#" + _CONDITIONAL.pattern, re.MULTILINE)


#: A character blanked out of a branch (all but its line breaks: positions and lines kept).
_NOT_A_BREAK = re.compile(r"[^\n]")


def _cursor_branch_only(suffix: str, after_prefix: _BracketScanner) -> str:
    """``suffix`` with the other branches of each conditional the cursor is in blanked out
    (their characters spaces, their line breaks kept), from its `#elif` or `#else` to its
    `#endif`: they are compiled instead of the cursor's, never after it. Read on, the branch's
    brackets undone at the `#else` and the other's read, an `#else`'s `b);` closed the
    `compute(a,` the cursor's branch is to close, and the `}` of a block each branch opens
    (`if (a) {` / `#else` / `if (b) {` / `#endif` / ... / `}`) was taken for the function's."""
    open_at_cursor = len(after_prefix.outer_branches) if after_prefix.branch is not None else 0
    if not open_at_cursor:
        return suffix
    pieces: list[str] = []
    kept = 0  # where the text not yet in ``pieces`` starts
    depth, skipping = open_at_cursor, 0  # (skipping: the depth of the one being blanked)
    for m in _CONDITIONAL_LINE.finditer(suffix):
        word = m.group(1)
        if word.startswith("if"):
            depth += 1
        elif word == "endif":
            if skipping == depth:
                pieces.append(_NOT_A_BREAK.sub(" ", suffix[kept : m.start()]))
                kept, skipping = m.start(), 0
            depth -= 1
            if depth < 1:
                break
        elif not skipping and depth <= open_at_cursor:
            pieces.append(suffix[kept : m.start()])
            kept, skipping = m.start(), depth
    rest = suffix[kept:]
    return "".join(pieces) + (_NOT_A_BREAK.sub(" ", rest) if skipping else rest)


def _suffix_scanner(after_prefix: _BracketScanner, line_rest: str, line_prefix: str = "") -> _BracketScanner:
    """A copy of ``after_prefix`` (the scanner right after the prefix) to read the suffix with,
    ``line_rest`` the rest of the cursor line, ``line_prefix`` the line up to the cursor. A
    quote the user typed that nothing on the line closes (no auto-pair for quotes, or one that
    pairs none before a `)`) leaves the rest of the line as the code the editor closed
    (`fmt("a", "|)`), not the string's text: read as text, its `)` was no closer of the line's,
    and went back after the completion's own `b")` (`fmt("a", "b"))`). So does the shell's
    `"$(` typed on the line: read on as its code, a `case` arm's `a)` below closed it, and
    the rest was the string's text (the function's `}` too)."""
    scanner = copy.copy(after_prefix)
    typed = bool(scanner.interpolations) and any(opener in line_prefix for opener in scanner.syntax.interpolation)
    if (scanner.mode in ('"', "'") and not scanner.interpolations) or typed:
        probe = copy.copy(scanner)
        for _ in probe.feed(line_rest):
            pass
        if probe.mode == scanner.mode and len(probe.interpolations) >= len(scanner.interpolations):
            scanner.mode, scanner.interpolations = "", ()
    return scanner


def _suffix_closes(
    stack: list[tuple[str, int]], bracket: str, pos: int, ctx: PostContext
) -> tuple[int, bool] | None:
    """Which open bracket a closer of the suffix closes, and whether that is sure rather than a
    guess: one of its kind (``)`` after ``TokenInfo(INDENT, line[|`` closes the call, and the
    ``[`` is left for the completion to close), the innermost, but for a closer first on a
    later line, which closes the bracket opened on a line indented as its own (the function's
    ``}`` below ``app.get('/', (req, res) => {|``, where the innermost ``{`` is the callback's,
    which the completion closes)."""
    opener = _OPENER_OF[bracket]
    kind = [i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == opener]
    if len(kind) < 2:
        if kind and _closes_an_outer_block(stack[kind[0]][1], pos, ctx):
            return None
        return (kind[0], True) if kind else None
    line_start = ctx.suffix.rfind("\n", 0, pos) + 1
    if not line_start:
        return kind[0], True
    if ctx.suffix[line_start:pos].strip():
        return kind[0], False
    width = ctx.width(ctx.suffix[line_start:pos])
    same_width = []
    for index in kind:
        opened = stack[index][1]
        if opened >= 0:
            opened_line = ctx.prefix[ctx.prefix.rfind("\n", 0, opened) + 1 : opened]
            if ctx.width(_leading_ws(opened_line)) == width:
                same_width.append(index)
    if len(same_width) > 1:
        # A header wrapped over lines (ktlint's `) : Base(),` then `    Listener {`) opens its
        # block on a line deeper than its statement, whose closer goes under the statement.
        at_start = [i for i in same_width if _statement_width(stack[i][1], ctx) == width]
        if len(at_start) == 1:
            return at_start[0], True
    if same_width:
        # Two lines indented alike (GNU's `\t{` below `    {`) leave it a guess.
        return same_width[0], len(same_width) == 1
    return kind[0], False


def _closes_an_outer_block(opened: int, pos: int, ctx: PostContext) -> bool:
    """Whether the suffix's closer at ``pos``, first on a later line, sits left of the line
    where the only bracket of its kind known open was opened: it closes a block opened before
    the scan (the method's `}` under a new `if (x) {` whose `{` is the only one the scan saw,
    the method's lying before the prompt window), not that bracket, which the completion must
    close (its `}` was cut, the block left open)."""
    if opened < 0:
        return False
    line_start = ctx.suffix.rfind("\n", 0, pos) + 1
    if not line_start or ctx.suffix[line_start:pos].strip():
        return False
    opened_line = ctx.prefix[ctx.prefix.rfind("\n", 0, opened) + 1 : opened]
    return ctx.width(ctx.suffix[line_start:pos]) < ctx.width(_leading_ws(opened_line))
