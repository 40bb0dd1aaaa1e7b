"""The ``limit_scope`` filter: only the block the suggestion starts, by indentation and brackets."""

from __future__ import annotations

import copy
import re
from itertools import islice
from typing import TYPE_CHECKING

from ..asi_semicolon import ASI_LANGUAGES
from ..control_header import is_control_header, joined_statement
from ._brackets import _CLOSER_OF, _closable_brackets, _closed_by_completion, _open_after_prefix
from ._code import (
    _BACKTICK_LONG,
    _is_label,
    _lines_in_text_blocks,
    _statement_lines,
    _statement_start,
    _suffix_targets,
    header_closed_below,
    header_wrapped_above,
)
from ._comment_end import comment_opening_column
from ._comment_lines import within_the_comment
from ._macro_body import (
    MACRO_LANGUAGES,
    backslashes_aligned,
    in_macro_body,
    macro_lines_above,
    to_the_macro_end,
)
from ._scanner import _block_comment_delimiters, typed_bracket
from ._syntax import _syntax_for
from ._text import (
    _CLOSER_ONLY,
    _CONTINUATION,
    _KEYWORD_CLOSING,
    _KEYWORD_CONTINUATION,
    _PHP_TAGS,
    _PREPROCESSED,
    _block_opening,
    _brackets_left_open,
    _code_only,
    _iter_lines,
    _join,
    _leading_ws,
    _loose,
    _opens_block,
    _same_line,
)

#: A `/* ... */` ending a line, led by a blank (the last one: `{ /* a */ x++; /* b */` is code).
_TRAILING_BLOCK_COMMENT = re.compile(r"\s+/\*(?:(?!\*/).)*\*/\s*$")

if TYPE_CHECKING:
    from ._scanner import _BracketScanner
    from .context import PostContext


def limit_scope(text: str, ctx: PostContext) -> str | None:
    """Keep the completion inside the block it started in.

    Single-line requests stop at the first newline. Multi-line ones stop where the indentation
    leaves the cursor's block, and at the first closing bracket that neither the completion
    opened nor the prefix left open for it (the suffix may already close it). A bracket that
    the rest of the cursor line closes may be closed by a completion that goes on past it
    (it types over the line's closer, see :func:`kept_tail`), not by one that re-types the rest.
    One of an earlier line around a bracket of its kind that the suffix closes is not left
    open for the completion: its closer may lie past the end of the suffix.
    """
    own_line = text.lstrip().startswith("{") and not ctx.prefix.rpartition("\n")[2].strip()
    if own_line and _after_bare_return(ctx):
        # `return` Enter, then `{`: JavaScript puts a `;` after the `return` (ASI), so the
        # function returns undefined and the object becomes a block; in no case meant.
        return None
    if ctx.single_line:
        text = text.partition("\n")[0]
        if own_line:
            # A block's first line on a line of its own (`if (x > 0)` Enter in a file with its
            # `{` at the header's end, where a line is asked): accepted, a brace nothing closes.
            # Such a header in this machine's K&R C and C++ files had a `{` below it 118 times
            # of 1,710, a statement the rest; the next key asks again. A comment after the `{`
            # (`{ // positive`) is no body either.
            if _code_of(text, ctx) == "{" and _after_control_header(ctx):
                return None
    elif in_macro_body(ctx.prefix, ctx.language):
        # A macro's body: its lines end where one ends with no backslash, at any indentation
        # (`} while (0)` left of the `do {`), and so are its backslashes lined up.
        return backslashes_aligned(to_the_macro_end(text, ctx), ctx)
    else:
        text = _limit_by_indentation(within_the_comment(text, ctx), ctx)
    return _limit_by_brackets(_inside_text_the_suffix_closes(text, ctx), ctx)


def _code_of(line: str, ctx: PostContext) -> str:
    """``line`` without a comment at its end, stripped."""
    return ctx.trailing_comment_re.sub("", _TRAILING_BLOCK_COMMENT.sub("", line)).strip()


def _after_control_header(ctx: PostContext) -> bool:
    """Whether the code above the cursor's line ends with a control header awaiting its body:
    there alone may a statement stand for the `{`. Elsewhere a `{` alone on its line is the
    file's next line: an Allman file's `new Point` or property's, a list's next object (JSON,
    C's array of structs)."""
    return ends_on_control_header(ctx.prefix.rsplit("\n", 20)[:-1], ctx)


def ends_on_control_header(lines: list[str], ctx: PostContext) -> bool:
    """Whether the code of ``lines`` (the file's language's) ends with a control header
    awaiting its body (`if (x > 0)`, `else`, `if (a &&⏎    b)`, Rust's `match x`), read
    without comments: `if (n > 1) // more than one` is one, and a comment line above ending
    with `and` or `,` continues no header."""
    lines = list(lines)
    while lines and not _code_of(lines[-1], ctx):
        lines.pop()  # blank or comment lines after the header
    header = joined_statement(lines, lambda line: _code_of(line, ctx), ctx.language)
    return bool(header) and is_control_header(header, ctx.language)


#: A statement's start before it (`if (x) return`, `case 1: return`, `v = yield`): a block
#: comment's ` * return` or `@return` is none.
_BARE_RETURN = re.compile(r"(?:^|[;{}):=]\s*|\belse\s+)(?:return|yield)$")


def _after_bare_return(ctx: PostContext) -> bool:
    """Whether the code line above the cursor's is a `return` (or `yield`) alone, in a
    language whose line break ends it there."""
    # A line break after `return` ends the statement there (ASI): what follows is not returned.
    if ctx.language not in ASI_LANGUAGES:
        return False
    for line in reversed(ctx.prefix.rsplit("\n", 8)[:-1]):
        code = _code_of(line, ctx)
        if code:
            return _BARE_RETURN.search(code) is not None
    return False


def _inside_text_the_suffix_closes(text: str, ctx: PostContext) -> str:
    """The completion up to where it closes the docstring, block comment or multi-line string
    the cursor is in, when a later line of the suffix closes it: that closer is the text's end.
    The model's own closer was kept and the suffix's was left over, opening a string that ran
    to the next one (a docstring's summary closed by the model above the docstring's own
    closing quotes: the function's body became text, a syntax error; a JSDoc line ending with
    ``*/`` above the comment's ``*/``). A closer on the cursor line is kept_tail's business."""
    scanner = _closable_brackets(ctx)[1]
    long_modes = {"block", '"""', "'''", '#"""'} | ({"`"} if ctx.language in _BACKTICK_LONG else set())
    if scanner.mode not in long_modes and not scanner.raw_closer:
        return text
    # A block comment's closer is its language's pattern (Perl's `=cut` line, Haskell's `-}`):
    # taken for C's `*/`, POD's was never found, and the model's `=cut` and sub were kept above
    # the document's, which perl then read as POD's start.
    closer = (
        scanner.block_comment_end()
        if scanner.mode == "block"
        else re.compile(re.escape(scanner.closing_quote()))
    )
    if _text_end(scanner, ctx.line_suffix) is not None or not _suffix_closes_it(scanner, closer, ctx):
        return text
    end = _text_end(scanner, text, closer)
    if end is None:
        return text
    return text[:end].rstrip()

#: What stands before a docstring's quotes on their line: its indentation, a raw or unicode
#: prefix.
_DOC_OPENER = re.compile(r"[ \t]*[rRuU]?")


def _suffix_closes_it(scanner: _BracketScanner, closer: re.Pattern[str], ctx: PostContext) -> bool:
    """Whether the first closer in the suffix ends the doc the cursor is in, not one written
    below it. A doc being written has no closer yet (Vim closes neither a docstring's three
    quotes nor a `/**`), and the next function's doc begins with the same quotes (a summary
    right after them, or a line indented less than this doc's opener before them) or its own
    `/*`: taken for this one's end, the model's closer was cut, and an accept left the doc
    open up to the next one."""
    end = _text_end(scanner, ctx.suffix, closer)
    if end is None:
        return False
    between = ctx.suffix[:end]
    if scanner.mode == "block":
        opener = _block_comment_delimiters(scanner.syntax)[0]
        return re.search(rf"^[ \t]*(?:{opener})", between, re.MULTILINE) is None
    quote = scanner.closing_quote()
    opener_line = ctx.prefix[: ctx.prefix.rfind(quote)].rpartition("\n")[2]
    if not _DOC_OPENER.fullmatch(opener_line):
        return closes_the_string(ctx.suffix, end, quote)
    return closes_the_docstring(ctx.suffix, end, quote, len(opener_line) - len(opener_line.lstrip()))


#: What stands before a string's quotes that opens it, on their line: an assignment, a call's or
#: a literal's bracket or comma, ``return`` (a string prefix after them). A docstring's closer
#: stands alone or after its text, which seldom ends so.
_STRING_OPENED = re.compile(r"(?:[=(\[{,]|\breturn|\byield)[ \t]*[rRbBuUfF]{0,2}$")


def _opens_a_string(text: str, end: int) -> bool:
    """Whether the quotes at ``end`` in ``text`` open a string of the code: what stands before
    them on their line (``sql = `` before them), or alone on it, the last line above
    (``dedent(``)."""
    start = text.rfind("\n", 0, end) + 1
    if text[start:end].strip():
        return _STRING_OPENED.search(text, start, end) is not None
    # (Not after a comma, a `=` or a `return` there: a docstring's text ends so, a reST
    # title's underline, `written to,`.)
    return text[:start].rstrip().endswith(("(", "[", "{"))


#: A function's or class's header, its `:` ending the line (a comment after it).
_DEF_HEADER = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)\b.*:[ \t]*(?:#.*)?$")


def closes_the_string(suffix: str, end: int, quote: str) -> bool:
    """Whether ``quote`` at ``end`` in ``suffix`` (the text after the cursor, its line's rest
    first) closes the string assigned or passed on the cursor's line (`sql = \"\"\"`,
    `description=\"\"\"`), which is no doc: its text may stand left of its line (SQL, a usage
    message at column 0), and the first closer below is its own; not the next string's
    opener (with its text after it, or after `x = `), nor a function's docstring's opener
    alone on the line below its header (taken for the string's closer, the model's was cut
    and one added at the opener's line's indentation, the string's last line given its
    blanks; or the string was taken for one typed again above its text: a line asked)."""
    if re.match(r"\w", suffix[end + len(quote) : end + len(quote) + 1]) or _opens_a_string(suffix, end):
        return False
    line_start = suffix.rfind("\n", 0, end) + 1
    if not line_start or suffix[line_start:end].strip():
        return True
    above = next((line for line in reversed(suffix[: line_start - 1].split("\n")) if line.strip()), "")
    return _DEF_HEADER.match(above) is None


def closes_the_docstring(suffix: str, end: int, quote: str, floor: int) -> bool:
    """Whether ``quote`` at ``end`` in ``suffix`` (the text after the cursor, its line's rest
    first) closes the docstring opened at column ``floor`` on the cursor's line, not the next
    function's opening it: no summary right after it, and the lines down to it and its own
    no less deep than the opener."""
    if re.match(r"\w", suffix[end + len(quote) : end + len(quote) + 1]):
        return False  # a summary right after the quotes: the next doc's opener
    if _opens_a_string(suffix, end):
        return False  # a string the body assigns, passes or returns: its opener
    lines = suffix[:end].split("\n")[1:]
    # The lines down to the closer, and the closer's own, stand no less deep than the opener;
    # the closer alone on its line may stand left of it (typed at column 0 below the text):
    # read as no closer, a docstring was suggested and closed above it, the user's `"""`
    # left to open a string over the body.
    depths = [len(line) - len(line.lstrip()) for line in lines[:-1] if line.strip()]
    alone = bool(lines) and not lines[-1].strip() and not suffix[end + len(quote) :].partition("\n")[0].strip()
    depths += [len(lines[-1]) - len(lines[-1].lstrip())] if lines and not alone else []
    return all(depth >= floor for depth in depths)


def _text_end(
    start: _BracketScanner, text: str, closer: re.Pattern[str] | None = None
) -> int | None:
    """Where in ``text`` the string or comment that ``start`` is in ends: at its ``closer``'s
    start, or the start of the line it ends on when no closer is given; None when it goes on
    past ``text``."""
    scanner = copy.copy(start)
    mode, interpolations = scanner.mode, len(scanner.interpolations)

    def left(state: _BracketScanner) -> bool:
        return state.mode != mode and len(state.interpolations) <= interpolations

    at = 0
    for line in text.splitlines(keepends=True):
        after = copy.copy(scanner)
        for _ in after.feed(line):
            pass
        if left(after):
            if not closer:
                return at
            # Read up to each closer in the line (not each character: a line may be long).
            for m in closer.finditer(line):
                probe = copy.copy(scanner)
                for _ in probe.feed(line[: m.end()]):
                    pass
                if left(probe):
                    return at + m.start()
            return None
        scanner = after
        at += len(line)
    return None


#: A line that starts a definition in the languages whose blocks only indentation ends.
_DEFINITION = re.compile(r"(?:async\s+)?(?:def|class|proc|func|method|template|macro|iterator)\b")


def _limit_by_indentation(text: str, ctx: PostContext) -> str:
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    in_text = _lines_in_text_blocks(lines, ctx) | _lines_in_the_prompt_s_call(lines, ctx)
    floor = None
    if ctx.line_prefix.strip():
        block = ctx.width(ctx.indentation)
        # Finishing a line that opens a block (`def f(`, `if x {`): the scope is that new block,
        # so a line back at the cursor's level is already outside it.
        opening = _block_opening(ctx.line_prefix + lines[0], ctx) or _wrapped_header_opening(ctx, lines[0])
        # The line before the cursor opened a block (`=> `, `else:`: why a block was asked
        # for) and the completion ended its statement on the line (`=> x * 2;`): lines back at
        # its level are new statements nobody asked for (they were shown with it). Not after
        # an open bracket: a call finished (`append(item)`) may go on with the body. A comment
        # opens nothing, at column 0 too (the blank put before it).
        head = ctx.trailing_comment_re.sub("", " " + ctx.line_prefix).rstrip()
        inner = bool(opening) or (_opens_block(head, ctx) and not head.endswith(("(", "[")))
        if opening == "keyword":
            # Opened by a keyword (`; do`, `then`): a body no deeper than its header says the
            # widths are misread (a tab of eight columns under four spaces, taken for four),
            # not that the model left the block.
            body = next((line for line in lines[1:] if line.strip()), None)
            header = ctx.width(_leading_ws(_statement_start(ctx, lines[0])))
            inner = body is None or ctx.width(_leading_ws(body)) > header
        if inner:
            # The last line of a wrapped header (`      b):` under `def f(a,`): its body is
            # indented from the statement's first line, not from the wrapped part's alignment.
            block = ctx.width(_leading_ws(_statement_start(ctx, lines[0])))
        else:
            floor = _next_line_width(ctx)
    else:
        block = ctx.width(ctx.line_prefix + _leading_ws(lines[0]))
        inner = False
        header = header_wrapped_above(ctx, lines[0])
        if header is None or _block_opening(ctx.line_prefix + lines[0], ctx) != "sign":
            # (Or on a later line of the answer, its parameters going on over lines first: the
            # body was cut, the parameters shown alone.)
            header = header_closed_below(ctx, lines)
        if header is not None:
            # A header's last line on a line of its own below its first (`void f(int a,` over
            # the cursor, then `int b) {`): its body is a level in from that first line, left
            # of the cursor (it was cut, the `{` shown alone).
            block, inner = ctx.width(_leading_ws(header)), True
    if ctx.brackets_after_prefix[1].mode == "block":
        # In a comment, the block is the one the comment stands in: the code after its `*/`
        # at its `/**`'s column is that block's (cut as left of the cursor's ` * ` column,
        # a Javadoc's method never came with it).
        opened = comment_opening_column(ctx)
        block = block if opened is None else min(block, opened)
    start = block
    syntax = _syntax_for(ctx.language)
    # A block comment's inner lines start with `* ` (not C's `*p = 0;`).
    comment_marks = syntax.line_comments + (("/*", "* ", "*/") if syntax.block_comments else ())
    # Where a run of comment lines left of the block began: commented-out code sits at column 0
    # in IntelliJ and Xcode (`//        legacy(x)`), and a block comment's lines anywhere; they
    # end no block. The run goes with the code after it when that code does.
    comments_from: int | None = None
    in_comment = _lines_in_block_comments(lines, ctx)
    # Code out at the level of the definition the cursor is in (`def`, `class`) is a new one,
    # not new statements in the middle of it; and a line that is the one following the cursor
    # (an HTML `</div>`) re-types the suffix: what comes after it is past the document's block.
    definition = _definition_width(ctx, start) if floor is not None else None
    following = (_suffix_next_line(ctx), False)
    for index in range(1, len(lines)):
        line = lines[index]
        body = line.strip()
        if not body or index in in_text:
            continue
        width = ctx.width(_leading_ws(line))
        if width > block or (width == block and not inner):
            comments_from = None
            continue
        if body.startswith("#") and ctx.language in _PREPROCESSED:
            continue  # a directive says nothing of the block it stands in
        if index in in_comment or body.startswith(comment_marks) or (body == "*" and syntax.block_comments):
            if comments_from is None:
                comments_from = index
            continue
        if (
            floor is not None
            and width < block
            and (width > floor or width == floor >= start - ctx.unit_width)
            and not (definition is not None and width <= definition)
            and not _same_line(line, following)
        ):
            # After the last line of an inner block (an `if` body), the code goes on in the
            # enclosing ones while it stays deeper than the code that follows the cursor, and
            # at that code's level when that is the block right around the cursor's: new
            # statements in the middle of a function (a re-typed copy of what follows is the
            # business of drop_suffix_duplicates). Further out is a new method or function.
            block = width
            continue
        statement = _PHP_TAGS.sub("", body) if ctx.language == "php" else body
        keyword_goes_on = ctx.language in _KEYWORD_CLOSING and _KEYWORD_CONTINUATION.match(statement)
        if width == block and (
            _CONTINUATION.match(statement) or keyword_goes_on or _is_arm(statement, index, lines, ctx)
        ):
            continue  # `else:`, `} else {`, `.then(...)`, `case 2:` still belong to the statement
        if width == block and _goes_on_past_the_line_s_closer(statement, ctx):
            return _join(lines[: _closed_again(lines, index) + 1])
        closes = _CLOSER_ONLY.match(statement) and not _suffix_has_closer(ctx, statement, width)
        # A shell arm's `;;` under its pattern ends the arm the cursor's line opened (files
        # put it there or under the commands): cut, the arm was left unended before `esac`.
        closes = closes or (syntax.shell and statement.rstrip() in (";;", ";&", ";;&"))
        keep = index + 1 if closes else comments_from if comments_from is not None else index
        return _join(lines[:keep])
    return text


def _wrapped_header_opening(ctx: PostContext, first: str) -> str:
    """How the statement the cursor line ends opens a block (see ``_block_opening``), read
    over its lines where it closes brackets opened above: Lua's `function f(a,⏎    b)`, whose
    keyword sign is the whole header's (its body was cut as out of the `b)` line's block)."""
    wrapped = _statement_lines(ctx, first)
    if len(wrapped) < 2:
        return ""
    header = " ".join(_code_only(line).strip() for line in wrapped[:-1])
    return _block_opening(f"{header} {(ctx.line_prefix + first).strip()}", ctx)


def _lines_in_the_prompt_s_call(lines: list[str], ctx: PostContext) -> set[int]:
    """The completion's lines after the first that start inside a parenthesis or square
    bracket the prompt left open (and its suffix does not close), where a later line closes
    it: the rest of the statement the cursor is in, however far left (a comprehension's `for`
    under its `[`, left of an argument's column; `].forEach(...)` at the statement's). Taken
    for lines out of the cursor's block, they were cut, the call left open. None where the
    completion never closes it: no sure end of the statement to keep lines to."""
    closable, scanner = _closable_brackets(ctx)
    calls = 0
    for bracket in reversed(closable):
        if bracket == "{":
            break  # a block's, or a literal's: the lines' indentation tells
        calls += 1
    inside: set[int] = set()
    own = 0
    for index, line in enumerate(lines):
        if calls <= 0:
            return inside
        if index:
            inside.add(index)
        for _, bracket in scanner.feed("\n" + line if index else line):
            if bracket in "([{":
                own += 1
            elif own:
                own -= 1
            else:
                calls -= 1
    return inside if calls <= 0 else set()


def _lines_in_block_comments(lines: list[str], ctx: PostContext) -> set[int]:
    """The completion's lines after the first that start inside a ``/* ... */`` comment: their
    text need not start with ``*`` (`Skip this frame: ...`), and is no code of any block."""
    if not _syntax_for(ctx.language).block_comments:
        return set()
    scanner = _closable_brackets(ctx)[1]
    inside: set[int] = set()
    for index, line in enumerate(lines):
        if index and scanner.mode == "block":
            inside.add(index)
        for _ in scanner.feed("\n" + line if index else line):
            pass
    return inside


#: A C++ class's access specifier (Qt's sections too), at the class's column in most styles.
_ACCESS = re.compile(r"(?:(?:public|protected|private)(?:\s+(?:slots|Q_SLOTS))?|signals|Q_SIGNALS)\s*:$")


def _is_arm(body: str, index: int, lines: list[str], ctx: PostContext) -> bool:
    """Whether ``body``, a line at the depth of the block the cursor line opens, is an arm of
    that switch: a label under `switch x {` (gofmt), a shell pattern under `case "$1" in`
    aligned with it, or one right after a fall-through label (`case 1:` then `case 2:`).
    After an arm's own body, the next arm the model goes on to is another one the user did
    not ask for (and may duplicate the one below). A C++ class's `public:` at its `{`'s
    column is its body's too (the whole answer was cut there, none shown)."""
    if ctx.language == "cpp" and _ACCESS.match(body) and ctx.line_prefix.rstrip().endswith("{"):
        return True
    if not _is_label(body, ctx):
        return False
    if not _is_label((ctx.line_prefix + lines[0]).strip(), ctx):
        return True
    return not any(line.strip() for line in lines[1:index])


def _goes_on_past_the_line_s_closer(statement: str, ctx: PostContext) -> bool:
    """Whether ``statement``, a line of the completion back at the cursor block's column, closes
    the bracket that the rest of the cursor line closes (an editor's autopair: `typedef struct
    {|}`, Zig's `error{|}`) and goes on with the statement (`} pair_t;`, `} || Error;`): the
    statement's end, its closer typing the line's over (see kept_tail). Cut there, the type's
    name, the error union and the `;` were lost."""
    if _CLOSER_ONLY.match(statement) or not ctx.line_suffix.strip().startswith(statement[0]):
        return False
    opened = _open_after_prefix(ctx)
    if not opened and ctx.language in MACRO_LANGUAGES and macro_lines_above(ctx.prefix) is not None:
        # A macro's body is a directive's text to the scanner, its brackets uncounted (Tk's
        # tkArray.h: `typedef struct AT {|}` lost `} AT;  \`): the cursor line's own opener.
        return _CLOSER_OF.get(ctx.line_prefix.rstrip()[-1:]) == statement[0]
    return bool(opened) and opened[-1][1] == "line" and _CLOSER_OF.get(opened[-1][0]) == statement[0]


def _closed_again(lines: list[str], index: int) -> int:
    """The line where the brackets that ``lines[index]``, a closing line going on (`}{` of a Go
    composite literal after its anonymous struct's type), opens after its closer are closed
    (`}` below its elements): ``index`` where it opens none. Cut at the closing line, the
    literal's elements were lost and its `{` left open."""
    depth = _brackets_left_open(_code_only(lines[index].strip())[1:])
    if depth <= 0:
        return index
    for end in range(index + 1, len(lines)):
        depth += _brackets_left_open(_code_only(lines[end]))
        if depth <= 0:
            return end
    return index


def _suffix_has_closer(ctx: PostContext, closer: str, width: int) -> bool:
    """Whether the code after the cursor already closes the block with a keyword ``closer``
    (``fi``, ``done``, ``end``) at this depth, before anything less indented: no bracket count
    tells, and the completion's own one made two (``bash -n``: a syntax error)."""
    if not closer.rstrip(")]};,").isalpha():
        return False  # brackets are counted (limit_by_brackets)
    for line in ctx.suffix.split("\n")[1:]:
        if not line.strip() or ctx.width(_leading_ws(line)) > width:
            continue  # still the block's body
        if ctx.width(_leading_ws(line)) == width and _CONTINUATION.match(line.strip()):
            continue  # `else`, `elif`, `rescue`: the same statement goes on to its closer
        # The first line back at the block's depth or out: its closer, or the block is open
        # (a later method's `end` at the same depth closes that method, not this block: the
        # completion's own `end` was dropped and the file no longer parsed).
        code = _PHP_TAGS.sub("", line.strip()) if ctx.language == "php" else line.strip()
        return ctx.width(_leading_ws(line)) == width and code == closer
    return False


def _definition_width(ctx: PostContext, block: int) -> int | None:
    """The indentation of the line that opens the block the cursor line is in (the nearest
    line above it indented less than ``block``), when that line starts a definition."""
    end = len(ctx.prefix) - len(ctx.line_prefix) - 1
    while end > 0 and block > 0:
        start = ctx.prefix.rfind("\n", 0, end) + 1
        line = ctx.prefix[start:end]
        end = start - 1
        if line.strip() and ctx.width(_leading_ws(line)) < block:
            return ctx.width(_leading_ws(line)) if _DEFINITION.match(line.lstrip()) else None
    return None


def _suffix_next_line(ctx: PostContext) -> str:
    """The first non-blank line after the cursor line ("" for none)."""
    return next((line for line in islice(_iter_lines(ctx.suffix), 1, None) if line.strip()), "")


def _next_line_width(ctx: PostContext) -> int | None:
    """Indentation of the first non-blank line after the cursor line, if the suffix has one."""
    for line in ctx.suffix.split("\n")[1:]:
        if line.strip():
            return ctx.width(_leading_ws(line))
    return None


def _limit_by_brackets(text: str, ctx: PostContext) -> str:
    scanner = _closable_brackets(ctx)[1]
    open_after = _open_after_prefix(ctx)
    rest = ctx.line_suffix.rstrip()
    own: list[str] = []
    # Prose has no scopes but a parenthesis the user opened on the cursor line: a closer
    # nothing opened is a list marker's (`3)`, `a)`), a smiley's or a section's number, where
    # the cut showed `3) third` as `3` and `everyone :) see you` as `everyone :`.
    line_start = len(ctx.prefix) - len(ctx.line_prefix)
    stray_is_text = _syntax_for(ctx.language).prose and all(
        at < line_start for at in ctx.brackets_after_prefix[6]
    )
    for pos, bracket in scanner.feed(text):
        if bracket in "([{":
            own.append(bracket)
        elif own:
            own.pop()  # the completion's own pairs are its business
        elif stray_is_text or not typed_bracket(text, pos, bracket):
            continue  # (an `#else` undoing its branch before: no closer typed)
        elif _closed_by_completion(open_after, text[pos:].partition("\n")[0], rest) is None:
            # A bracket the rest of the line closes (an auto-closed pair) may be closed by a
            # completion that goes on with the statement (`max(|)` with `i1, i2-n), max(j1, j2-n`):
            # the completion types over that closer (kept_tail), as the editor does. Cutting it
            # lost the rest of the statement. A completion that goes on with the rest of the line
            # itself (`);` before `);`) re-types it, and is cut here.
            return _cut_at_stray_closer(text, pos, ctx)
    return text


def _cut_at_stray_closer(text: str, pos: int, ctx: PostContext) -> str:
    """The text before a closer it has nothing left to close, but for a later line that copies
    an earlier one: the model looping on a closing line (`argument_name=self.argument_name)`
    again), which goes whole; cut at its closer, the copy stayed as a dangling fragment, no
    longer the third repeat cut_repetition looks for."""
    line_start = text.rfind("\n", 0, pos) + 1
    if line_start and text[line_start:pos].strip():
        line_end = text.find("\n", pos)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        # The first line sits after the cursor, so it is compared as the whole cursor line.
        earlier = (ctx.line_prefix + text[: line_start - 1]).split("\n")
        if _loose(line) in {_loose(other) for other in earlier if other.strip()}:
            return text[:line_start].rstrip()
        # A copy of the suffix's next line (a callback's `end)` that the suffix has): the whole
        # line goes. Cut at its `)`, a bare `end` was left, which closed the function twice.
        targets = _suffix_targets(ctx, 1)
        if targets and not targets[0][1] and _same_line(line, targets[0]):
            return text[:line_start].rstrip()
    head = text[:pos]
    if head[line_start:].strip() and ctx.line_suffix.lstrip().startswith(text[pos]):
        # The space before the closer is the model's spacing (`{ x }`, `g({ a: 1 })`): the
        # line's own closer goes back after it. Not before another closer (`foo(a, b ]`).
        return head
    return head.rstrip()
