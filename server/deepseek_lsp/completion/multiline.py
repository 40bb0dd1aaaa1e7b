"""Single or multi-line: whether a completion writes a block or finishes the line.

Decided with tree-sitter where the language has a scope query (a new block only when the innermost
body has no statement yet), else from the lines of code around the cursor: multi-line when the
cursor starts an empty block body or right after the user accepted a whole suggestion. Pure
functions of a document, testable without a server.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ..context import Scope, enclosing_scopes
from ..documents import Document
from ..languages import Language
from .bodiless_header import awaits_body
from .comment_lines import in_block_comment_line, long_comment_closer
from .control_header import CONTINUED, allman_block_awaited, brackets_closed, joined_statement
from .docstring_opener import opened_docstring, opened_string
from .postprocess import closes_the_docstring, closes_the_string, has_block_comments, literal_brace
from .postprocess._code import backslash_joins
from .postprocess._macro_body import in_macro_body
from .postprocess._syntax import is_shell, syntax_name

#: How a line that opens a block ends in most languages (a language adds its own signs).
BLOCK_OPENERS = (":", "{", "(", "[", "=>", " do", "->")
#: Bytes above the cursor's line read for the line of code that may open its block.
_HEAD_BYTES = 2000
#: A line of a block comment (`/**`, ` * text`, ` */`), a directive (`'use strict';`,
#: `"worklet";`) and a line of closers (`});`, `end`): none is code that fills a block.
_BLOCK_COMMENT_LINE = re.compile(r"^\s*(/\*.*\*/\s*$|/\*(?!.*\*/)|\*/\s*$|\*(\s|$))")
_DIRECTIVE_LINE = re.compile(r"""^\s*(['"])[\w -]*\1;?\s*$""")
#: Languages with directives: elsewhere a lone string is a value (Rust's, Kotlin's, Swift's
#: last expression).
_DIRECTIVE_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})
_CLOSER_LINE = re.compile(r"^\s*([)\]}]+[\s;,)\]}]*|end\b[\s;,)]*)$")


def _code_part(line: str, comment: str | None, quotes: str = "\"'`") -> str:
    """``line`` without a trailing line comment (one that starts the line or follows a blank,
    outside a string: Ruby's ``"name: #{x}"`` holds no comment), right-stripped.

    Read by one regex match, in C: a loop over the characters in Python took ~50 ms on a 200 kB
    minified line holding a ``//``, several times for each key typed at its end.
    """
    if comment and comment in line:
        code = _code_scanner(comment, quotes).match(line)
        if code is not None and code.end() < len(line):
            return line[: code.end()].rstrip()
    return line.rstrip()


@functools.lru_cache(maxsize=64)
def _code_scanner(comment: str, quotes: str) -> re.Pattern[str]:
    """Everything up to where ``comment`` starts a comment: runs of plain characters, strings (to
    their closing quote, a backslash escaping the next character, or to the end of the line),
    and the comment's first character where it starts none."""
    # Runs whole and strings unrolled (``q[^\\q]*(?:\\.[^\\q]*)*``): a run of characters is
    # one step of the regex engine, not one alternation a character.
    strings = [rf"{q}[^\\{q}]*(?:\\.[^\\{q}]*)*{q}?" for q in map(re.escape, quotes)]
    plain = "[^" + re.escape(quotes + comment[0]) + "]+"
    other = rf"(?!(?:^|(?<=[ \t])){re.escape(comment)}){re.escape(comment[0])}"
    return re.compile("(?:" + "|".join([plain, *strings, other]) + ")*", re.S)


def _quotes(language: Language | None) -> str:
    """The characters that open a string on a line: not Rust's `'` (lifetimes, `&'a str`)."""
    return "\"" if language is not None and language.name == "rust" else "\"'`"


def _scope_around(doc: Document, offset: int, column: int) -> Scope | None:
    """The innermost scope around ``offset`` whose first line is indented less than
    ``column``: the block a line that deep after ``offset`` belongs to."""
    assert doc.language is not None and doc.tree is not None
    for scope in reversed(enclosing_scopes(doc.language, doc.tree, doc.data, offset)):
        start = doc.line_start(doc.line_at(scope.start))
        indent = doc.data[start : scope.start].decode("utf-8", "replace").expandtabs(4)
        if len(indent) - len(indent.lstrip()) < column:
            return scope
    return None


def opens_block(line: str, language: Language | None) -> bool:
    """Whether a line of code opens a block: by a generic sign, or by the language's own (`if
    x; then`, Ruby's `def f(x)`, Lua's `function f()`; with no `fi` or `end` typed yet the tree
    is an ERROR, and a body got one line). Code only: a comment ending with `:` (`# Normalize
    the keys:`) opens nothing."""
    code = _code_part(line, language.spec.line_comment if language else None, _quotes(language))
    if code.endswith(":") and language is not None and language.name in _COLON_HEADERS:
        header = _COLON_HEADERS[language.name]
        if header is None or code.endswith("::") or not header.search(code) or _leaves_open(code):
            return language.opens_block(code)
        return True
    return code.endswith(BLOCK_OPENERS) or (language is not None and language.opens_block(code))


def _leaves_open(code: str) -> bool:
    """Whether ``code`` leaves a bracket open (outside strings): `def f(x:`, `xs[1:`."""
    code = _STRING.sub('""', code)
    return sum(code.count(c) for c in ")]}") < sum(code.count(c) for c in "([{")


_STRING = re.compile(r"""(["'`])(?:\\.|(?!\1).)*\1""")
_C_LABELS = r"^\s*(?:case\b|default\s*:$)"
#: The statements that a `:` at their end makes a block's header, by language: Python's
#: headers, the C family's `case`/`default` labels (C++'s access specifiers, PHP's alternative
#: syntax), Scala 3's templates. Any other `:` ending a line is a key's, a type annotation's, a
#: named argument's, a ternary's or a path's (`std::`): a value comes next on that line, and
#: `b: |`, `let a: |`, `ok ? 1 : |` asked for a block of statements. None: a `:` opens nothing
#: (shell's `IFS=:`, Lua's `::label::`, Ruby's and Elixir's keys and `do:`, Rust's and Kotlin's
#: types). Not listed: any line ending with `:`.
_COLON_HEADERS: dict[str, re.Pattern[str] | None] = {
    "python": re.compile(r"^\s*(?:async\s+)?(?:if|elif|else|for|while|try|except|finally|with|def|class|match|case)\b"),
    **dict.fromkeys(("c", "csharp", "go", "java", "javascript", "typescript", "tsx", "swift"), re.compile(_C_LABELS)),
    "cpp": re.compile(_C_LABELS + r"|^\s*(?:(?:public|protected|private)(?:\s+(?:slots|Q_SLOTS))?|signals|Q_SIGNALS)\s*:$"),
    "php": re.compile(_C_LABELS + r"|^\s*(?:if|elseif|else|for|foreach|while|switch|declare)\b"),
    # Scala 3 opens a template (`class A:`) or a braceless argument (`xs.foreach:`) by a colon;
    # a definition's colon is its type's.
    "scala": re.compile(
        r"^(?!\s*(?:(?:private|protected|override|final|lazy|implicit|inline|transparent|opaque)\s+)*"
        r"(?:val|var|def|type)\b)"
    ),
    **dict.fromkeys(("bash", "lua", "ruby", "elixir", "rust", "kotlin")),
}


#: The end of a block's header just before its `{`: `f() {`, `else {`, `if x {`, `-> T {`
#: (not an object literal's `= {`, an argument's `({` or an interpolation's `${`).
_HEADER_BRACE = re.compile(r"(?:[\w)\]>]|^)\s*\{$")
#: A switch label's block (`case 1: {`, `default: {`), which C, C++, Java and C# write for an
#: arm's own declarations.
_LABEL_BRACE = re.compile(r"^\s*(?:case\b.*|default\s*):\s*\{$")
#: A Rust closure's block after its parameters (`move || {`, `|x| {`); elsewhere `|| {` is an
#: object literal's default (`options || {`).
_CLOSURE_BRACE = re.compile(r"\|\s*\{$")
#: A JavaScript or TypeScript object literal's (or object type's) `{` where a value goes: after
#: `=`, a key's or a type's `:`, an argument's `(` or `,`, an array's `[`. Its members go over
#: lines, as Copilot asks them. Not a JSX attribute's expression (`<b onClick={`).
_OBJECT_BRACE = re.compile(r"(?:[^=!<>]=|[:(,\[])\s*\{$")
#: A JSX tag's attributes so far: their expressions (two braces deep) and strings read whole,
#: whose `>` (`a={x > 1}`, `a={() => go()}`, `title="a > b"`) is no end of the tag: read as
#: one, the `{` of the attribute after it was an object literal's, a block asked for a value.
_JSX_ATTRIBUTES = r"""(?:[^<>{}"']|"[^"\n]*"|'[^'\n]*'|\{(?:[^{}]|\{[^{}]*\})*\})*"""
_JSX_ATTRIBUTE = re.compile(rf"<[A-Za-z][\w.:-]*\s{_JSX_ATTRIBUTES}=\s*\{{$")
_OBJECT_LANGUAGES = frozenset(("javascript", "typescript", "tsx"))
#: A struct literal's `{`, its fields written one a line: Go's glued to its type as gofmt
#: writes it (`Config{`, `&http.Server{`, `[]T{`, `map[K]V{`; a block's `{` follows a space),
#: Rust's after a type's capitalised name where a value goes (`= Config {`, `(Config {`,
#: `=> Self {`, `Self {` first on its line; not a return type's `-> Config {`), and a Rust
#: struct's or enum's own (its fields, its variants). And a `match`'s, its arms ended by `,`
#: (Rust's `match x {`, PHP's `match ($x) {`): its scrutinee holds no `{`.
_STRUCT_BRACE: dict[str, re.Pattern[str]] = {
    "go": re.compile(r"[\w\]}]\{$"),
    "rust": re.compile(
        r"(?:(?:^|[=(,\[:]|(?<!-)>|\breturn)\s*&?(?:mut\s+)?(?:\w+::)*[A-Z]\w*(?:::)?(?:<[^{}]*>)?"
        r"|^\s*(?:pub(?:\([^)]*\))?\s+)?(?:struct|enum)\s+\w+(?:<[^{}]*>)?|\bmatch\b[^{}]*)\s*\{$"
    ),
    "php": re.compile(r"\bmatch\s*\(.*\)\s*\{$"),
    # A JavaScript object a function returns (`return {`: no block follows `return`), the names
    # of an import, an export or a destructuring (`import {`, `export type {`, `const {`).
    **dict.fromkeys(
        _OBJECT_LANGUAGES,
        re.compile(r"(?:\breturn|^\s*(?:(?:export\s+)?(?:const|let|var)|(?:import|export)(?:\s+type)?))\s*\{$"),
    ),
    # C#'s switch expression's arms (`x switch {`), an object or collection initializer's
    # members (`new Point {`, `new() {`, `new List<int>(3) {`), their `{` often on a line of
    # its own below.
    "csharp": re.compile(rf"(?:\bswitch\s*|{literal_brace('csharp').removesuffix('$')})\{{$"),
    # An Elixir map's or struct's (`%{`, `%User{`).
    "elixir": re.compile(r"%[\w.]*\{$"),
    # An initializer's (C's `static PyTypeObject T = {`, `int xs[] = {`), Java's array's
    # (`Object[][] contents = {`, `new String[] {`, an annotation's `names = {`): a block's
    # `{` follows no `=`.
    **dict.fromkeys(("c", "cpp"), re.compile(r"[^=!<>]=\s*\{$")),
    "java": re.compile(r"(?:[^=!<>]=|\bnew\s+[\w.<>?, ]+(?:\[\s*\])+)\s*\{$"),
}
#: An enum's own `{`, its constants written one a line, in any language (C's `typedef enum {`,
#: Java's `enum Op implements F {`, Kotlin's `enum class Color(val rgb: Int) {`).
_ENUM_BRACE = re.compile(r"\benum\b[^{}]*\{$")


#: A JSX element's expression (`<p>{`, `<App user={u}>{`): a tag opened where a value goes;
#: a generic's `<T>` follows a name (`class Store<T> {`). Its attributes' values closed: an
#: arrow's `>` in one still open is a handler's body (`<button onClick={() => {`).
_JSX_BRACE = (
    r"(?:^|[(=,?:&|]|\breturn)\s*<[A-Za-z][\w.:-]*"
    rf"(?:\s{_JSX_ATTRIBUTES})?>\s*$"
)
#: Words that make a `{` a block's wherever they stand before it (`typedef struct Node {`,
#: `inline namespace v1 {`), not a braced initializer's.
_CPP_BLOCK_WORD = r"(?!(?:class|struct|union|enum|namespace|else|do|try|return)\b)"
#: A type named with its keyword before a variable's name (`const struct foo bar {`), not a
#: type's own header with an export macro (`class Q_CORE_EXPORT QString {`) or `final`.
_CPP_ELABORATED = (
    r"(?:struct|class|union|enum)\s+(?![A-Z0-9_]+\s)(?=[A-Za-z_][\w:]*[\s*&]+(?!final\b))"
)
#: What before its `{` makes it a value's, not a block's, where a block's header ends the same
#: way: C#'s object initializer (`new Point(1, 2) {`; not a generic's `where T : new() {`),
#: C++'s braced initializer (a type, maybe a template's, then a name: `std::vector<int> v {`;
#: not a type's own `struct Box {`), JSX.
_VALUE_BRACE: dict[str, re.Pattern[str]] = {
    "csharp": re.compile(r"^(?!.*\bwhere\s+\w+\s*:).*?" + literal_brace("csharp")),
    "cpp": re.compile(
        rf"(?:^|[;{{}}])\s*(?:{_CPP_BLOCK_WORD}\w+\s+)*(?:{_CPP_ELABORATED})?{_CPP_BLOCK_WORD}"
        rf"[\w:]+(?:<[^;{{}}]*>)?[\s*&]+{_CPP_BLOCK_WORD}\w+\s*$"
    ),
    **dict.fromkeys(("javascript", "tsx"), re.compile(_JSX_BRACE)),
}


def _in_new_braces(before: str, after: str, language: Language | None) -> bool:
    """Whether the cursor is between a block header's `{` and its `}`, outside a string."""
    code = before.rstrip()
    closure = language is not None and language.name == "rust" and bool(_CLOSURE_BRACE.search(code))
    label = bool(_LABEL_BRACE.match(code))
    if not after.lstrip().startswith("}"):
        return False
    if language is not None and language.name in _OBJECT_LANGUAGES and _OBJECT_BRACE.search(code):
        # Outside a string or a template literal (`'a = {|}'`).
        return not _JSX_ATTRIBUTE.search(code) and _code_part(code + " //", "//", _quotes(language)) == code
    if not (_HEADER_BRACE.search(code) or closure or label):
        return False
    value = _VALUE_BRACE.get(language.name) if language is not None else None
    if value is not None and value.search(code[:-1]):
        return False
    # Outside a string: `format!("x {|}")`, `f"{|}"` are a placeholder's braces.
    return _code_part(code + " //", "//", _quotes(language)) == code and opens_block(code, language)


def _joined_statement(lines: list[str], language: Language | None) -> str:
    """The last of ``lines`` with the lines before it that it continues, comments left out
    (``def f(a,⏎      b)``, ``local function f(⏎  a, b⏎)``, ``if a and⏎ b``)."""
    comment = language.spec.line_comment if language else None
    quotes = _quotes(language)
    return joined_statement(
        lines, lambda line: _code_part(line, comment, quotes), language.name if language else None
    )


def docstring_at(doc: Document, offset: int, before: str, after: str) -> str | None:
    """The quote of a Python docstring opened at ``offset`` (docstring_opener.py), or of a
    triple-quoted string opened there where a value goes (`help = \"\"\"`), None."""
    if doc.language is None or doc.language.name != "python":
        return None
    prev = offset - len(before.encode("utf-8"))
    quote = opened_docstring(before, after, lambda: _joined_statement(_code_lines_above(doc, prev)[1], doc.language))
    value = quote is None
    if value:
        quote = opened_string(before, after)
        if quote is None or _in_string(doc, prev):
            return None
    assert quote is not None
    if after.strip() or not before.endswith(quote * 3):
        return quote
    # Its opener retyped over a docstring or a string the lines below close: no new one.
    suffix = after + doc.data[offset + len(after.encode("utf-8")) :][:_HEAD_BYTES].decode("utf-8", "replace")
    end = suffix.find(quote * 3)
    if end < 0:
        return quote
    if value:
        return None if closes_the_string(suffix, end, quote * 3) else quote
    indent = len(before) - len(before.lstrip())
    return None if closes_the_docstring(suffix, end, quote * 3, indent) else quote


def _in_string(doc: Document, at: int) -> bool:
    """Whether ``at``, a line's start, is inside a string that a line above opened (its
    quotes on the line close it: `key = \"\"\"` in a string's text), by the tree."""
    if doc.tree is None or not at:
        return False
    node = doc.tree.root_node.descendant_for_byte_range(at, at)
    while node is not None:
        if node.type == "string" and node.start_byte < at:
            return True
        node = node.parent
    return False


#: Languages whose statement goes on below a line ending in a backslash (the shells' pipelines
#: and long commands, Python's explicit joins, a C macro's body, Ruby's and a Makefile's or a
#: Dockerfile's long lines), by their syntax's name (Neovim's `make` is `makefile`). JavaScript's
#: ends a string's line only, in the string.
_BACKSLASH_JOINS = frozenset({"python", "c", "cpp", "ruby", "makefile", "dockerfile"})


def _backslash_continued(before: str, doc: Document) -> bool:
    """Whether the line up to the cursor ends in a backslash that joins the next line to it
    (`cmd | \\`): the statement's rest is on the next line, which a one-line answer, stopped
    at its first newline, can never show."""
    if not before.endswith("\\"):
        return False
    name = syntax_name(doc.language.name if doc.language is not None else doc.language_id)
    return (name in _BACKSLASH_JOINS or is_shell(name)) and backslash_joins(before, name)


def is_multiline(
    doc: Document, offset: int, before: str, after: str, *, after_accept: bool, empty_block: bool
) -> bool:
    """Whether the suggestion at ``offset`` is a block rather than the rest of the line: after an
    accepted whole suggestion, in an empty block of its own (``empty_block``: an empty notebook
    cell), between a header's ``{`` and the ``}`` the editor closed it with, at the end of a line
    that opens a block, or on a line of its own in a block with no statement yet."""
    if after_accept or empty_block:
        return True
    prev = offset - len(before.encode("utf-8"))
    if after.strip():
        if not before.strip() and _CLOSERS_AFTER.match(after):
            # Enter between `foo(a,` and the editor's `)`: the `)` pushed down after the cursor.
            return _next_below_the_line_above(doc, prev, before)
        # Between a header's `{` and the `}` the editor closed it with (`func f() {|}`):
        # the body is to be written, as after Enter.
        return _in_new_braces(before, after, doc.language)
    if before.strip():
        # At the end of a line that opens a block (its header may span lines): the body
        # comes next. The lines above are read only when this one may continue them (most
        # requests are at the end of the line being typed).
        if opens_block(before, doc.language):
            return True
        if _backslash_continued(before, doc):
            return True
        if _next_item_below(doc, prev, before):
            return True
        above = doc.data[max(0, prev - 400) : prev].decode("utf-8", "replace").rstrip().rpartition("\n")[2]
        if brackets_closed(before) <= 0 and not CONTINUED.search(above):
            return False
        code_lines = _code_lines_above(doc, prev)[1]
        return opens_block(_joined_statement([*code_lines, before], doc.language), doc.language)
    if in_macro_body(doc.data[max(0, prev - _HEAD_BYTES) : prev].decode("utf-8", "replace"), doc.language and doc.language.name):
        return True  # a macro's body goes on below a backslash: its lines down to its end
    if _next_below_the_line_above(doc, prev, before):
        return True
    # The lines of code above the cursor's line. Comment lines say what the body is to do
    # (`# read the file`), they don't fill it; nor does a directive (`'use strict';`).
    window, code_lines = _code_lines_above(doc, prev)
    chunk = doc.data[window:prev].rstrip()
    # Fallback for grammars without a scope query (or an ERROR tree while typing): the
    # previous line of code opens a block and nothing follows on this one.
    header = _joined_statement(code_lines, doc.language) if code_lines else ""
    opens = bool(code_lines) and opens_block(header, doc.language)
    # Or it is a declaration's header whose `{` is not typed yet (Allman style): its line ends
    # with `)`, a type or `const`, and only the tree tells it from a call.
    opens = opens or (bool(chunk) and awaits_body(doc, window + len(chunk)))
    # Or a control statement's (`if (x)`) in a file that puts their `{` on the next line.
    opens = opens or (
        bool(code_lines) and doc.language is not None
        and allman_block_awaited(
            doc.language.name, header, doc.data, prev,
            broken=header != _joined_statement(code_lines[-1:], doc.language),
        )
        and not _ends_a_do_loop(doc, window, prev)
    )
    if doc.language is not None and doc.tree is not None:
        scopes = enclosing_scopes(doc.language, doc.tree, doc.data, offset)
        if chunk:
            # An indented body ends at its last statement (Python's block ends at its
            # docstring): a deeper blank line after it is still in it for the user.
            last = window + len(chunk) - 1
            inner = _scope_around(doc, last, len(before.expandtabs(4)))
            if inner is not None and (not scopes or inner.start > scopes[-1].start):
                scopes = [*scopes, inner]
        if scopes:
            # The tree knows: a new block only when the innermost body has no statement yet.
            if scopes[-1].body_is_empty:
                return True
            # But an empty block just opened has no width (Enter after a new `if ...:` in
            # the middle of a function), or is no scope (an object literal's `{`): the tree
            # sees the body around it, which has code, and a correct block was cut to its
            # first line. The line above opens one, and the code below is not in it.
            end = offset + len(after.encode("utf-8"))
            return opens and not _code_below_is_deeper(doc, code_lines[-1], end)
    return opens


#: The editor's closers alone after the cursor (`)`, `]);`).
_CLOSERS_AFTER = re.compile(r"^[)\]}]+[;,]?\s*$")
#: A line of closers alone, ended by an item's `,` (`],`, `}),`).
_CLOSERS_ALONE = re.compile(r"^\s*[)\]}]+,$")
#: The brackets a line's code opens and closes, for ``_next_item_below``.
_BRACKET = re.compile(r"[()\[\]{}]")


def _code_of(language: Language | None) -> Callable[[str], str]:
    """A line's code for the bracket counts: its trailing comment left out, strings emptied."""
    comment = language.spec.line_comment if language else None
    quotes = _quotes(language)
    block_comments = language is not None and has_block_comments(language.name)

    def code_of(line: str) -> str:
        code = _STRING.sub('""', _code_part(line, comment, quotes)).rstrip()
        if block_comments and code.endswith("*/") and "/*" in code:
            # A constant's note after its `,` (`RED = 1, /* the first */`), C's way.
            code = code[: code.rfind("/*")].rstrip()
        return code

    return code_of


def _opener_above(
    doc: Document, line_start: int, depth: int, *, past_statements: bool = False
) -> tuple[list[str], int, str] | None:
    """(the code lines above ``line_start``, the index of the one holding the bracket left open
    around it ``depth`` closers deep, that line's code up to and with the bracket), None where
    no bracket is found (or, unless ``past_statements``, a statement's `;` ends a line outside
    any bracket above first)."""
    code_of = _code_of(doc.language)
    lines = _code_lines_above(doc, line_start)[1]
    for index in range(len(lines) - 1, -1, -1):
        line_code = code_of(lines[index])
        for m in reversed(list(_BRACKET.finditer(line_code))):
            if m.group() in ")]}":
                depth += 1
            elif depth:
                depth -= 1
            else:
                opener = line_code[: m.end()]
                if opener.strip() == "{" and index:
                    # Allman's `{` on a line of its own: what it opens is told by the line
                    # above (C#'s `return x switch`, `new Point`).
                    opener = code_of(lines[index - 1]) + " {"
                return lines, index, opener
        if depth == 0 and line_code.endswith(";") and not past_statements:
            return None  # a statement's end above: this line is in no bracket opened above it
    return None


def _next_item_below(doc: Document, line_start: int, before: str) -> bool:
    """Whether ``before`` is a whole item of a call's arguments or a list's items written one a
    line, ended by its `,`: the next one goes on the next line (``f(⏎    a,⏎    b,|``; a Go or
    Rust struct literal's next field, ``Config{⏎    Size: 1,|``; a match's next arm, ``match x
    {⏎    0 => 1,|``). Asked for the rest of the
    line (stopped at its break), the model's next argument was cut to nothing until Enter was
    pressed; Copilot shows it. The bracket is found opened above (an
    object literal's `{` where a value goes too), with no bracket left open on this line."""
    code = _code_of(doc.language)(before)
    if doc.language is not None and has_block_comments(doc.language.name) and _BLOCK_COMMENT_LINE.match(before):
        return False  # a doc comment's line of prose above an enum's constant
    closers_alone = _CLOSERS_ALONE.match(code) is not None
    if not code.endswith(",") or _leaves_open(code) or (brackets_closed(code) > 0 and not closers_alone):
        return False
    # A block's `},` ends an item too (a Rust match's block arm, a nested literal's), and a
    # line of closers alone (a list's `],`, a call's `),` in a list): their openers are above,
    # and the list's bracket above those.
    depth = len(code.strip()) - 1 if closers_alone else code.count("}") - code.count("{")
    found = _opener_above(doc, line_start, depth)
    if found is None:
        return False
    opener = found[2]
    struct = _STRUCT_BRACE.get(doc.language.name) if doc.language is not None else None
    return (
        opener.endswith(("(", "["))
        or bool(_OBJECT_BRACE.search(opener) or _ENUM_BRACE.search(opener))
        or bool(struct and struct.search(opener))
    )


#: The `{` of a statement whose body is its arms, one a line: a switch's (the C family's,
#: Java's, Swift's, Go's and its `select`), a match's (Rust's, Scala's, PHP's), a `when`'s
#: (Kotlin's, with or without its subject; not a function named so). Only arms stand at its
#: arms' column. Elsewhere `match` names a method (`match(input) {` in a JavaScript class).
_SWITCH_BRACE = r"\bswitch\b[^{}]*\{$"
_ARMS_BRACE: dict[str, re.Pattern[str]] = {
    "rust": re.compile(r"\bmatch\b[^{}]*\{$"),
    "scala": re.compile(r"\bmatch\s*\{$"),
    "php": re.compile(r"\b(?:match|switch)\s*\(.*\)\s*\{$"),
    "kotlin": re.compile(r"(?:^|[=(,>]|\breturn)\s*when\b(?:\s*\(.*\))?\s*\{$"),
    "go": re.compile(_SWITCH_BRACE + r"|^\s*select\s*\{$"),
    **{
        name: re.compile(_SWITCH_BRACE)
        for name in ("c", "cpp", "csharp", "java", "javascript", "typescript", "tsx", "swift", "dart")
    },
}


def _line_before(doc: Document, line_start: int) -> tuple[int, str] | None:
    """(its start, its text) of the last line of code before ``line_start``, within
    ``_HEAD_BYTES``; comment and blank lines passed over."""
    window, lines = _code_lines_above(doc, line_start)
    if not lines:
        return None
    last = lines[-1]
    at = doc.data.rfind(("\n" + last).encode("utf-8"), window, line_start)
    return (at + 1, last) if at >= 0 else (window, last) if window == 0 else None


def _next_below_the_line_above(doc: Document, line_start: int, before: str) -> bool:
    """Whether the cursor on a line of its own (``before`` its indentation) is where the next
    item or arm goes, over lines: at the column of an item ended by its `,` above (as at that
    line's end, ``_next_item_below``), on the line after a call's or a list's first line that
    ends with `,` (``foo(a,⏎    |``), or at the arms' column of a match, a `when` or a switch
    after an arm ended by none (rustfmt's block arm's `}`, Kotlin's ``A -> x``, Java's ``case
    X -> y;``, a ``case`` and its body)."""
    found = _line_before(doc, line_start)
    if found is None:
        return False
    start, line = found
    column = len(before.expandtabs(4))
    indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
    code = _code_of(doc.language)(line)
    if code.endswith(","):
        if _leaves_open(code):
            # The first line of a call, a definition or a list, an item after its bracket.
            return code.rstrip(",").rstrip()[-1:] not in "([{" and column > indent
        return column == indent and _next_item_below(doc, start, line)
    header = _ARMS_BRACE.get(doc.language.name) if doc.language is not None else None
    arms = None if header is None else _opener_above(doc, line_start, 0, past_statements=True)
    if arms is None or header is None or not header.search(arms[2]):
        return False
    lines, index, _ = arms
    if index + 1 >= len(lines):
        return False  # no arm yet: the first one's column is not known
    first = lines[index + 1].expandtabs(4)
    return column == len(first) - len(first.lstrip())


def comment_goes_on(doc: Document, offset: int, before: str, after: str) -> str | None:
    """Where the cursor at ``offset`` ends a comment line of its own or a block comment's
    opening or starred line (comment_lines.py), the comment may go on over the lines below and
    a block is asked for its sake: the line comment's token, or the block comment's closer
    (``*/``, a Lua long comment's ``]]``); None elsewhere."""
    language = doc.language
    if language is None or after.strip() or not before.strip():
        return None
    line_start = offset - len(before.encode("utf-8"))
    marker = language.spec.line_comment
    if marker == "--":
        # Lua's `--[[` opens a comment over lines: read as a `--` line's, its lines were cut
        # at the first not led by `--`, the comment's first line alone shown.
        above = doc.data[max(0, line_start - _HEAD_BYTES) : line_start].decode("utf-8", "replace")
        if closer := long_comment_closer(above, before):
            return closer
    if marker and before.lstrip(" \t").startswith(marker):
        return marker
    if not has_block_comments(language.name):
        return None
    above = doc.data[max(0, line_start - _HEAD_BYTES) : line_start].decode("utf-8", "replace")
    return "*/" if in_block_comment_line(above, before) else None


def _ends_a_do_loop(doc: Document, start: int, end: int) -> bool:
    """Whether the code in ``start..end`` ends with a do loop's `while (x)`, its `;` not typed
    yet: Allman's is on a line of its own below the `}`, where its text reads as a loop's
    header and only the tree tells them apart."""
    at = doc.data.rfind(b"while", start, end)
    if at < 0 or doc.tree is None:
        return False
    node = doc.tree.root_node.descendant_for_byte_range(at, at + len(b"while"))
    return node is not None and node.parent is not None and node.parent.type == "do_statement"


def _code_lines_above(doc: Document, line_start: int) -> tuple[int, list[str]]:
    """(first byte read, the lines of code) of the ``_HEAD_BYTES`` before ``line_start``;
    the first line read may be cut: it is left out."""
    window = max(0, line_start - _HEAD_BYTES)
    lines = doc.data[window:line_start].rstrip().decode("utf-8", "replace").split("\n")
    return window, _code_lines(lines[1:] if window else lines, doc.language)


def _code_lines(lines: list[str], language: Language | None) -> list[str]:
    comment = language.spec.line_comment if language else None
    quotes = _quotes(language)
    block_comments = language is not None and has_block_comments(language.name)
    directives = language is not None and language.name in _DIRECTIVE_LANGUAGES
    return [
        line
        for line in lines
        if _code_part(line, comment, quotes).strip()
        and not (block_comments and _BLOCK_COMMENT_LINE.match(line))
        and not (directives and _DIRECTIVE_LINE.match(line))
    ]


def _code_below_is_deeper(doc: Document, above: str, line_end: int) -> bool:
    """Whether the first line of code after the cursor line is indented deeper than
    ``above`` (the line that opens the block). A line of closers (`}`, `end`) ends the
    block, however deep: Prettier puts an arrow function's `}` deeper than its header."""
    below = doc.data[line_end : line_end + 2000].decode("utf-8", "replace").split("\n")[1:]
    for line in below:
        if _CLOSER_LINE.match(line):
            return False
        if line.strip():
            width = len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())
            return width > len(above.expandtabs(8)) - len(above.expandtabs(8).lstrip())
    return False
