"""Code-structure helpers shared by several filters (labels, statements, text blocks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._brackets import _aligns_inside, _closable_brackets, _inside_alignment_bracket
from ._scanner import _BracketScanner
from ._syntax import _SYNTAX, _syntax_for, is_shell, syntax_name
from ._text import (
    _CONTINUATION,
    _LABEL,
    _SHELL_ARM,
    _SWITCH_LANGUAGES,
    _WAITING_END,
    _brackets_left_open,
    _code_only,
    _foreign_tabs,
    _is_comment,
    _iter_lines,
    _leading_ws,
    _opens_block,
)
from .fences import _FENCE_OPEN, _fence_open_in

if TYPE_CHECKING:
    from .context import PostContext


#: Scanner modes that run across lines: Python's and C#'s triple quotes (Swift's `"""` and
#: `#"""` too), JavaScript's template literals and Go's raw strings, heredocs; raw strings too
#: (the scanner's ``raw_closer``).
_LONG_STRINGS = frozenset({'"""', "'''", '#"""', "<<"})


_BACKTICK_LONG = frozenset({"javascript", "typescript", "tsx", "go"})


#: An HTML-like file's script element's tags (Vue's, Svelte's, HTML's `<script setup>`).
_SCRIPT_TAG = re.compile(r"<(/?)script\b[^>]*>", re.IGNORECASE)


def _in_script_element(ctx: PostContext) -> bool:
    """Whether the cursor lies in a `<script>` element: its last tag above is an opening one,
    or, none above (the window starts in it), its first below a closing one."""
    above = _SCRIPT_TAG.findall(ctx.prefix)
    if above:
        return not above[-1]
    below = _SCRIPT_TAG.search(ctx.suffix)
    return bool(below and below.group(1))


_DOCSTRING_OPENER = re.compile(r"\s*[rRuU]?(?:\"\"\"|''')")


def _lines_in_fences(lines: list[str], ctx: PostContext) -> set[int]:
    """Markdown's: the completion's lines inside a fenced block (its closing fence included),
    one it opens or the document leaves open at the cursor: their levels are the code's own
    (a Python body's four spaces in a file whose lists step by two)."""
    inside: set[int] = set()
    fenced = _fence_open_in(ctx)  # the cursor line's typed part counted: its fence is its own
    typed_fence = bool(_FENCE_OPEN.match(ctx.line_prefix))
    for index, line in enumerate(lines):
        if index and fenced:
            inside.add(index)
        if index or not typed_fence:
            fenced ^= bool(_FENCE_OPEN.match(line if index else ctx.line_prefix + line))
    return inside


def _lines_in_text_blocks(lines: list[str], ctx: PostContext) -> set[int]:
    """The completion's lines that lie inside a string or heredoc opened on an earlier line,
    its closing line included: their indentation is the text's, not the code's."""
    scanner = _closable_brackets(ctx)[1]
    syntax = _syntax_for(ctx.language)
    # The strings the scanner reads over lines: the shell's and PowerShell's quotes (a usage
    # message), SQL's, CMake's quoted arguments, CoffeeScript's and Julia's backticks (those
    # with triple ones): read as code, their lines were re-levelled and a closing line at
    # column 0 taken for a block's end, the string cut open there. Not a backtick of a
    # language without a syntax here (HTML's text, a Vue template's) nor prose's: no string;
    # but in such a file's <script> it is JavaScript's template literal.
    long_modes = _LONG_STRINGS | set(syntax.multiline_quotes)
    in_script = syntax.multiline_backticks and syntax_name(ctx.language) not in _SYNTAX and _in_script_element(ctx)
    if ctx.language in _BACKTICK_LONG or syntax.triple_backticks or in_script:
        long_modes |= {"`"}
    if syntax.triple_backticks:
        long_modes |= {"```"}
    inside = _lines_in_fences(lines, ctx) if syntax_name(ctx.language) == "markdown" else set()
    for index, line in enumerate(lines):
        if index and (scanner.mode in long_modes or scanner.raw_closer):
            inside.add(index)
        for _ in scanner.feed(line):
            pass
        for _ in scanner.feed("\n"):
            pass
    return inside


def _opens_text_over_lines(lines: list[str], ctx: PostContext) -> bool:
    """Whether the completion's first line ends inside a string it carries on to the next:
    a `:` or `{` at its end is the text's (`x = '''Usage:`), no block's header."""
    return len(lines) > 1 and 1 in _lines_in_text_blocks(lines, ctx)


_SCALA_CASE_TYPE = re.compile(r"case\s+(?:class|object)\b")


def _is_label(body: str, ctx: PostContext) -> bool:
    """Whether ``body`` is a switch's label (`case 1:`, `default:`) or a shell `case` arm."""
    shell = _syntax_for(ctx.language).shell
    if shell:
        return bool(_SHELL_ARM.match(body))
    if ctx.language == "scala":
        # A match's arms in braces (Scala 3's braceless ones stand a level in); `case class`
        # and `case object` are declarations.
        return ctx.brackets_after_prefix[3] == "{" and bool(_LABEL.match(body)) and not _SCALA_CASE_TYPE.match(body)
    return ctx.language in _SWITCH_LANGUAGES and bool(_LABEL.match(body))


def _statement_start(ctx: PostContext, first: str) -> str:
    """The line where the statement the cursor line ends begins: the cursor line itself, or,
    when it closes brackets opened on lines above (a wrapped parameter list or condition),
    the line that opened them. Counted without regard to strings: a guess on a few lines."""
    return _statement_lines(ctx, first)[0]


def header_wrapped_above(ctx: PostContext, first: str) -> str | None:
    """The first line of the statement the cursor's line of its own goes on with, where that
    line opens a bracket ``first`` closes (``void f(int a,`` over the cursor, ``first`` its
    ``int b) {``); None elsewhere (a shell `case` pattern's `)` closes nothing)."""
    if ctx.line_prefix.strip() or _syntax_for(ctx.language).shell:
        return None
    start = _statement_start(ctx, first)
    if start == ctx.line_prefix or _brackets_left_open(_code_only(start)) <= 0:
        return None
    return start


def header_closed_below(ctx: PostContext, lines: list[str]) -> str | None:
    """The first line of the header the cursor's line of its own goes on with, where a later
    line of the answer closes the bracket that header left open and opens a block
    (``f(int a,`` over the cursor, the answer ``int b,`` then ``int c) {`` and the body);
    None elsewhere (the answer's first line closing it is header_wrapped_above's)."""
    start = header_wrapped_above(ctx, ")")
    if start is None:
        return None
    depth = 0
    for index, line in enumerate(lines):
        code = _code_only(line).rstrip()
        closes = False
        for char in code:
            depth += 1 if char in "([{" else -1 if char in ")]}" else 0
            closes = closes or depth < 0
        if closes:
            # A call's `(` or a list's `[` at the end goes on with an expression, no body.
            opens = index > 0 and _opens_block(line, ctx) and not code.endswith(("(", "["))
            return start if opens else None
    return None


def _statement_lines(ctx: PostContext, first: str) -> list[str]:
    """The lines of the statement the cursor line ends (see :func:`_statement_start`), from
    the line it begins on to the cursor line up to the cursor."""
    line = _code_only(ctx.line_prefix + first).rstrip()
    line = line[:-1] if line.endswith(("{", ":", "(", "[")) else line  # the block's own opener
    depth = -_brackets_left_open(line)
    above = ctx.prefix[: len(ctx.prefix) - len(ctx.line_prefix)].split("\n")[-21:-1]
    if depth <= 0:
        # A condition list wrapped without brackets (Swift's `if let a = x,⏎  let b = y {`,
        # `guard ... &&⏎  ... else {`, Python's `if a and \⏎        b:`): the statement starts
        # on the less indented line whose comma, operator or backslash goes on; its body is
        # indented from there (it was dropped).
        start, width = len(above), ctx.width(ctx.indentation)
        for index in reversed(range(len(above))):
            text = above[index]
            code = _code_only(text).rstrip()
            text_width = ctx.width(_leading_ws(text))
            if not code.endswith((",", "&&", "||", "\\")) or text_width > width:
                break
            if _brackets_left_open(code):
                break
            if text_width < width:  # one of the wrapped lines, like the cursor line, otherwise
                start, width = index, text_width
        return [*above[start:], ctx.line_prefix]
    for index in reversed(range(len(above))):
        text = above[index]
        depth -= _brackets_left_open(_code_only(text))
        if depth <= 0:
            # A statement starts at or left of its wrapped lines; a deeper line is a guess gone
            # wrong (brackets in a multi-line string), and the cursor line stands.
            if ctx.width(_leading_ws(text)) > ctx.width(ctx.indentation):
                return [ctx.line_prefix]
            return [*above[index:], ctx.line_prefix]
    return [ctx.line_prefix]


def _suffix_targets(ctx: PostContext, limit: int) -> list[tuple[str, bool]]:
    """The suffix's first non-blank lines; the flag marks the rest of the cursor line."""
    targets: list[tuple[str, bool]] = []
    for index, line in enumerate(_iter_lines(ctx.suffix)):
        if len(targets) >= limit:
            break
        if line.strip():
            targets.append((line, index == 0))
    return targets


#: A header whose body needs no braces (C's `if (x)`, `else`, `for (...)`): the line below
#: it is its body, one level in.
_BRACELESS = re.compile(r"(?:\}\s*)?(?:else(?:\s+if\s*\(.*\))?|(?:if|for|foreach|while)\s*\(.*\)|do)$")

#: How a line going on with the statement above it starts: a method chain's dot, an operator,
#: a branch of the statement (`else`, `catch`).
_GOES_ON_START = re.compile(r"(?:\.\w|(?:[-+*/%?:|&^<>]|==|!=|&&|\|\||and|or|not|in|is)\s)")


#: Languages whose lines go on without a sign at either end (a function applied to arguments on
#: the lines below, an SQL query's next clause, prose): a deeper line may go on with any line.
_GOES_ON_UNSIGNED = frozenset(
    {"haskell", "elm", "ocaml", "fsharp", "purescript", "sql", "markdown", "mdx", "plaintext", "restructuredtext", "latex"}
)

#: A line whose text goes on below it, deeper: YAML's block scalars (`key: |`, `run: >-`), a
#: markup tag left open (`<div>`).
_TEXT_BELOW = re.compile(r"[|>][-+]?\d*$")


def _starts_statement(above: str, body: str, ctx: PostContext) -> bool:
    """Whether ``body``, on the line below ``above``, starts a statement of its own at the depth
    of ``above``: the statement above is whole (no operator, comma or backslash at its end, no
    block or brace-less body to open) and ``body`` does not go on with it."""
    code = ctx.trailing_comment_re.sub("", above).rstrip()
    return not (
        ctx.language in _GOES_ON_UNSIGNED
        or _WAITING_END.search(code)
        or _TEXT_BELOW.search(code)
        or _opens_block(code, ctx)
        or _BRACELESS.match(code.strip())
        or _GOES_ON_START.match(body)
        or _CONTINUATION.match(body)
        or _inside_alignment_bracket(ctx)
    )


def _docstrings(lines: list[str], in_text: set[int], ctx: PostContext) -> list[tuple[int, list[int]]]:
    """Python docstrings the completion writes over lines, from a later line than its first:
    the line of their opening quotes and their other lines. A string that is a statement of
    its own is documentation, indented with the code; any other's lines are its value."""
    if ctx.language != "python":
        return []
    out: list[tuple[int, list[int]]] = []
    index = 2
    while index < len(lines):
        if index in in_text and index - 1 not in in_text:
            block = [index]
            while block[-1] + 1 in in_text:
                block.append(block[-1] + 1)
            if _DOCSTRING_OPENER.match(lines[index - 1]):
                out.append((index - 1, block))
            index = block[-1] + 1
        else:
            index += 1
    return out


def _open_before_each_line(
    lines: list[str], ctx: PostContext
) -> Iterator[tuple[int, str, list[tuple[str, int]], tuple[str, ...]]]:
    """Each line of the answer with the brackets the answer opened before it and has not
    closed yet, outermost first, each with the index of the line that opened it (the list is
    the walk's own: read it before asking for the next line), and those the prompt left open
    that the answer has not closed before it (innermost last)."""
    scanner = _closable_brackets(ctx)[1]
    own: list[tuple[str, int]] = []
    prompt_s = [bracket for bracket, _ in ctx.brackets_after_prefix[4]]
    for index, line in enumerate(lines):
        yield index, line, own, tuple(prompt_s)
        for _, bracket in scanner.feed("\n" + line if index else line):
            if bracket in "([{":
                own.append((bracket, index))
            elif own:
                own.pop()
            elif prompt_s:
                prompt_s.pop()


def _lines_in_parentheses(lines: list[str], ctx: PostContext) -> dict[int, int]:
    """The lines after the first that start inside a parenthesis or square bracket the
    completion opened (a brace may open a block), each with the line that opened the
    outermost."""
    inside: dict[int, int] = {}
    in_prefix_paren = _inside_alignment_bracket(ctx)
    for index, line, own, prompt_s in _open_before_each_line(lines, ctx):
        outer = next((opened_on for bracket, opened_on in own if bracket != "{"), None)
        # Inside a parenthesis the prefix opened (Enter in ``refold = (``), the lines are
        # alignment too, measured from the first: a +2 line was taken for a level and doubled.
        # Past the answer's closer they are the statement's levels, but measured from the
        # cursor's line, aligned in the parenthesis, they would go wrong: they are left as
        # written, unless led by tabs in a file of spaces, never right as written (kept,
        # `options.processes)` and the `except:` below it stayed in tabs, a TabError).
        if _foreign_tabs(line, ctx):
            in_prompt_s = bool(prompt_s) and _aligns_inside(prompt_s[-1], ctx)
        else:
            in_prompt_s = in_prefix_paren
        if outer is None and not own and in_prompt_s:
            outer = 0
        if index and outer is not None and line.strip():
            inside[index] = outer
    return inside


def _aligned_in_own_brackets(lines: list[str], ctx: PostContext) -> set[int]:
    """The lines after the first that start right after a bracket the answer opened on a line
    above and has not closed (`elif (a and` over `      (b or`): alignment, in no step."""
    scanner = _closable_brackets(ctx)[1]
    after_open: list[int] = []  # the column right after each bracket open, innermost last
    aligned: set[int] = set()
    for index, line in enumerate(lines):
        ws = _leading_ws(line)
        if index and line.strip() and ctx.width(ws) in after_open:
            aligned.add(index)
        # Columns from the line's start: the first line goes on from the cursor line's text.
        head = ctx.line_prefix if index == 0 else ""
        full = head + line
        lead = _leading_ws(full)
        for pos, bracket in scanner.feed("\n" + line if index else line):
            if bracket == "{":
                after_open.append(-1)  # a block's, or an object's: no alignment under it
            elif bracket in "([":
                end = len(head) + pos + (0 if index else 1)
                after_open.append(ctx.width(lead) + max(0, end - len(lead)))
            elif after_open:
                after_open.pop()
    return aligned


#: How a line ends that the next line does not go on with: a statement's end, a block's
#: opener or closer, a label, a comment's end, an annotation (`@Override`).
_ENDS_A_LINE = re.compile(r"(?:[;{}:]|\*/)$|^@\w+(?:\(.*\))?$")


def _goes_on_from(above: str | None, start: str, ctx: PostContext) -> bool:
    """Whether ``start`` goes on with ``above``, the line of code above it: it stands right of
    it, and ``above`` ends no statement and opens no block (not even a brace-less header's,
    whose `{` may come on the next line: GNU's)."""
    if above is None or ctx.width(_leading_ws(above)) >= ctx.width(_leading_ws(start)):
        return False
    code = ctx.trailing_comment_re.sub("", above).strip()
    return not (_is_comment(code) or _ENDS_A_LINE.search(code) or _opens_block(code, ctx) or _BRACELESS.match(code))


#: Languages (and the shells) whose line comments and one-line strings hold a backslash as
#: text: there it joins no line (Python's `# under C:\data\`, the shell's `'C:\Program
#: Files\'`). C's and C++'s join a comment's lines too (the preprocessor's splice), a
#: Makefile's its comment's.
_BACKSLASH_AS_TEXT = frozenset({"python", "ruby"})
#: Languages whose strings' backslash before the line's end is taken as an escape being typed
#: (C's `fopen("C:\`): the preprocessor would splice the next line in, but a string is
#: written on over lines as two strings, and the line was asked as a block of 256 tokens.
_STRING_BACKSLASH_AS_TEXT = frozenset({"c", "cpp"})


def backslash_joins(line: str, language: str | None) -> bool:
    """Whether ``line``, ending in a backslash, has it join the next line to its statement: not
    one escaped (`\\\\`), nor, where a comment or a string ends with its line, one that ends a
    comment's or a one-line string's text (a Windows path typed there), nor one ending C's
    string's text. The shell's double quotes go on below it (POSIX keeps a backslash's meaning
    before a newline there), its single quotes hold it as text."""
    if (len(line) - len(line.rstrip("\\"))) % 2 == 0:
        return False
    name = syntax_name(language)
    shell = is_shell(name)
    if name not in _BACKSLASH_AS_TEXT and name not in _STRING_BACKSLASH_AS_TEXT and not shell:
        return True
    scanner = _BracketScanner(_syntax_for(name))
    for _ in scanner.feed(line):
        pass
    mode = scanner.mode
    if mode in ("line", "block"):
        return name in _STRING_BACKSLASH_AS_TEXT
    # The shell's double quotes take a backslash before a line break as a join too (gpg-zip's
    # `usage="\`, a long `echo "...`), and one before their `"` escapes it: no Windows path
    # ends one; nor a triple-quoted string's first line (`help = """\`: its text starts on
    # the next). Read as a string's text, the next line was never suggested.
    return not mode or mode in ('"""', "'''") or (shell and mode in ('"', "`"))
