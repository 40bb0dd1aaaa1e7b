"""Bracket scanning outside strings and comments, per language syntax."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from ._text import _TRAILING_COMMENT, _brackets_left_open, _code_only, _leading_ws

if TYPE_CHECKING:
    from .context import PostContext


@dataclass(frozen=True)
class _Syntax:
    line_comments: tuple[str, ...] = ("//",)
    block_comments: bool = True
    # '#' first on a line is a directive or comment (C preprocessor, shebang-less scripts) but
    # not '#[' / '#!' (Rust attributes), whose brackets are balanced anyway.
    hash_at_line_start: bool = True
    # "'" opens only a one-character literal; anything else is a lifetime or label (Rust).
    char_literals: bool = False
    # Braces open blocks (C family, shell, Ruby's blocks), not only dict or set displays.
    brace_blocks: bool = True
    # Shell words: a `case` arm's pattern ends with a `)` that nothing opened (`prod*)`: no
    # bracket), and `#` starts a comment only at a word's start (`$#`, `${#x}` are none).
    shell: bool = False
    # Ruby's regexp, percent and character literals (`/}/`, `%r{\}}`, `%w[a b]`, `?)`): their
    # brackets are text.
    ruby: bool = False
    # Swift's raw strings: `#"` ends at `"#` (`#"{"key": 1}"#`: the quotes inside are text) and
    # `#"""` at `"""#`.
    raw_strings: bool = False
    # Triple-quoted strings are raw (Kotlin's, Scala's, C# 11's): a backslash escapes nothing,
    # so `"""C:\dir\"""` ends at its last quotes (read as an escape, the string ran on).
    raw_triple_quotes: bool = False
    # What opens code inside a double-quoted string (Kotlin's `"${x}"`, Swift's `"\(x)"`): a
    # string in there (`"${if (c) "}" else ""}"`) is no end of the outer one.
    interpolation: str = ""
    # The quotes of the strings that interpolate: JavaScript's template literals only (`"${"` is
    # text), whose `${...}` may hold another template: read as the outer one's end, the `//` of
    # `${tls ? `https://` : ""}` in it began a comment that hid the rest of the line.
    interpolated_quotes: tuple[str, ...] = ('"', '"""')
    # JavaScript's regexp literals (`/[)]/`, `/^\s*}/`): their brackets are text (the `)` of
    # `s.match(/[)]/)` cut the completion there).
    regex_literals: bool = False
    # Raw strings and long brackets, whose text ends only at a closer their opener tells (Rust's
    # `r#"{"a": "}"}"#`, C++'s `R"x(...)x"`, C#'s verbatim `@"C:\dir\"`, Go's backquotes, Lua's
    # `[==[...]==]` and `--[[...]]`): no backslash escapes, they run over lines. The opener's
    # pattern (its `d` group: the delimiter) and the closer, a template (`\g<d>`); unknown,
    # the quote inside `r#"{"a": "` ended the string and the `}` after it cut the completion.
    raw_string: tuple[str, str] = ("", "")
    # Block comments nest (Rust's, Swift's, Kotlin's, Scala's, Haskell's): in commented-out code
    # holding a comment, the code after the inner `*/` is still comment (its `}` cut the
    # completion there).
    nested_comments: bool = False
    # A block comment other than C's `/* */` (Haskell's `{- -}`): its opener and closer. Read as
    # code, a `1)` in one cut the completion inside it, and left the comment open.
    other_block_comment: tuple[str, str] = ("", "")
    # Elixir's sigils (`~r/\)$/`, `~w[a b]`, `~S"""..."""`) and character literals (`?(`):
    # text, up to the sigil's first closer not escaped (they do not nest).
    sigils: bool = False
    # Heredocs (Ruby's `<<~EOS`, PHP's `<<<EOT`; the shell's are its own): the opener's pattern
    # (its `w` group: the word) and the pattern of the line that ends the text (`{w}`: the
    # word). Their text begins on the next line, after the rest of the opener's line, which
    # is code (`expect(out).to eq(<<~TEXT)`); unknown, a `1)` in the text cut the completion.
    heredoc: tuple[str, str] = ("", "")


_DEFAULT_SYNTAX = _Syntax()


_HASH_SYNTAX = _Syntax(line_comments=("#",), block_comments=False, hash_at_line_start=False)


# Data, not logic: only the languages whose comments or quotes differ from the C family.
_SYNTAX: dict[str, _Syntax] = {
    **dict.fromkeys(
        "perl r julia yaml toml coffeescript nim powershell makefile dockerfile".split(),
        _HASH_SYNTAX,
    ),
    "elixir": replace(_HASH_SYNTAX, sigils=True),
    "ruby": replace(
        _HASH_SYNTAX,
        ruby=True,
        heredoc=(
            r"""<<(?P<hd>[-~]?)(?P<hq>['"`]?)(?P<w>[A-Za-z_]\w*)(?P=hq)""",
            r"^[ \t]*{w}[ \t]*$",
        ),
    ),
    "php": _Syntax(
        heredoc=(r"""<<<[ \t]*(?P<hq>['"]?)(?P<w>[A-Za-z_]\w*)(?P=hq)""", r"^[ \t]*{w}\b")
    ),
    **dict.fromkeys(
        "shellscript bash sh zsh".split(),
        _Syntax(line_comments=("#",), block_comments=False, hash_at_line_start=False, shell=True),
    ),
    "python": _Syntax(line_comments=("#",), block_comments=False, hash_at_line_start=False, brace_blocks=False),
    # No `#` comments: a `#` first on a line is a macro or a directive (`#Preview {`, `#if`).
    "swift": _Syntax(
        hash_at_line_start=False, raw_strings=True, interpolation="\\(", nested_comments=True
    ),
    "kotlin": _Syntax(raw_triple_quotes=True, interpolation="${", nested_comments=True),
    "scala": _Syntax(raw_triple_quotes=True, nested_comments=True),
    **dict.fromkeys(
        "javascript typescript tsx".split(),
        _Syntax(regex_literals=True, interpolation="${", interpolated_quotes=("`",)),
    ),
    # `--` comments: a bracket in a Lua comment cut completions (read with C's rules).
    "haskell": _Syntax(
        line_comments=("--",),
        block_comments=False,
        hash_at_line_start=False,
        other_block_comment=("{-", "-}"),
        nested_comments=True,
    ),
    # SQL has C's `/* */` comments too (a `1)` in one cut the completion there).
    "sql": _Syntax(line_comments=("--",), hash_at_line_start=False),
    "lua": _Syntax(
        line_comments=("--",),
        block_comments=False,
        hash_at_line_start=False,
        raw_string=(r"(?:--)?\[(?P<d>=*)\[", r"]\g<d>]"),
    ),
    "rust": _Syntax(
        char_literals=True, raw_string=(r'(?<!\w)[bc]?r(?P<d>#*)"', r'"\g<d>'), nested_comments=True
    ),
    "cpp": _Syntax(raw_string=(r'(?<!\w)(?:u8|[uUL])?R"(?P<d>[^()\\\s"]{0,16})\(', r')\g<d>"')),
    # C# 11's `"""` strings are raw_triple_quotes; in a verbatim one `""` is a quote.
    "csharp": _Syntax(raw_triple_quotes=True, raw_string=(r'(?:\$+@|@\$*)"', '"')),
    "go": _Syntax(raw_string=("`", "`")),
    # Prose has no comments: a link's `https://` began a line comment (the model's `)` after
    # it went unseen, and the editor's was put back after it: `(https://x.org))`).
    **dict.fromkeys(
        "markdown plaintext".split(), _Syntax(line_comments=(), block_comments=False, hash_at_line_start=False)
    ),
}


_OPENER_OF = {")": "(", "]": "[", "}": "{"}


_CLOSER_OF = {"(": ")", "[": "]", "{": "}"}


_CODE_TOKEN = re.compile(r"""[()\[\]{}]|"{3}|'{3}|["'`]|//|/\*|#|--""")


#: Where a string ends, by the quote that opened it (the scanner's mode in it).
_STRING_END = {
    **{
        q: re.compile(r"\\.|" + re.escape(q) + (r"|\n" if q in "\"'" else ""), re.S)
        for q in ('"', "'", "`", '"""', "'''")
    },
    # Swift's raw strings, by their closers: a backslash escapes nothing (`\"` is text).
    '#"': re.compile(r'"#|\n'),
    '#"""': re.compile(r'"""#'),
}


#: Where a raw triple-quoted string ends (see :attr:`_Syntax.raw_triple_quotes`).
_RAW_TRIPLE_END = re.compile(r'"""')


#: Where a string ends or code interpolated in it starts, by the interpolation's opener and the
#: string's quote (Kotlin's triple-quoted strings are raw: no escapes).
_INTERPOLATED_STRING_END = {
    ("${", '"'): re.compile(r'\$\{|\\.|"|\n'),
    ("${", '"""'): re.compile(r'\$\{|"""'),
    ("\\(", '"'): re.compile(r'\\\(|\\.|"|\n'),
    ("\\(", '"""'): re.compile(r'\\\(|\\.|"""'),
    ("${", "`"): re.compile(r"\$\{|\\.|`"),
}


#: What closes an interpolation, by its opener.
_INTERPOLATION_CLOSER = {"${": "}", "\\(": ")"}


#: The closer of a string whose opener is no closer too (Swift's raw strings).
_CLOSING_QUOTE = {'#"': '"#', '#"""': '"""#'}


# One word or alternatives (`-h|--help`, `-h | --help`, `--debug )`).
# The shell: escaped characters (`\"` outside quotes is a quote character, no string), quotes
# (a backtick is command substitution, code), comments, heredocs, and the `case`/`esac` words
# around case patterns.
_SHELL_CODE_TOKEN = re.compile(
    r"""\\.|[()\[\]{}]|["'`]|#|(?<!<)<<-?[ \t]*(['"]?)([A-Za-z_]\w*)\1|\b(?:case|esac)\b"""
)


_RAW_STRING_CODE_TOKEN = re.compile(r'#"(?:"")?|' + _CODE_TOKEN.pattern)


#: JavaScript: a `/` that is no comment may open a regexp literal.
_JS_CODE_TOKEN = re.compile(_CODE_TOKEN.pattern + r"|/")


#: What may come right before a JavaScript regexp literal (after anything else a `/` divides;
#: not `<` nor `>`, which JSX's tags put before a `/`).
_JS_REGEX_AFTER = frozenset("(,=:[!&|?{};+-*%~^")


_JS_KEYWORDS_BEFORE_VALUE = frozenset("return typeof case do else in of new delete void throw yield await".split())


_JS_REGEX_BODY = re.compile(r"(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\[\n])*/")


_RUBY_CODE_TOKEN = re.compile(r"""[()\[\]{}]|"{3}|'{3}|["'`]|#|/|%[qQwWiIrsx]?[^\w\s]|\?.""")


#: What may come right before a Ruby regexp literal (after it, a `/` divides).
_RUBY_REGEX_AFTER = frozenset("(,=~!|&{[;:+-*<>?%^")


_RUBY_KEYWORDS_BEFORE_VALUE = frozenset(
    "if unless when and or not return elsif while until then do puts print".split()
)


_RUBY_REGEX_END = re.compile(r"\\.|/[a-z]*|\n")


_PAIRED_DELIMITER = {"(": ")", "[": "]", "{": "}", "<": ">"}


_CASE_PATTERN = re.compile(r"\s*[^\s()|]+(?:\s*\|\s*[^\s()|]+)*\s*")


#: Elixir: a sigil's opener (its `sd` group: the delimiter), or a character literal (`?(`,
#: `?\)`; a `?` glued to a word ends a name: `empty?`).
_SIGIL = re.compile(r"""~(?:[a-z]|[A-Z][A-Z0-9]*)(?P<sd>"{3}|'{3}|[/|"'(\[{<])|(?<![\w?!])\?(?:\\.|\S)""")


_CHAR_LITERAL = re.compile(r"'(?:\\[^'\n]{1,10}|[^'\\\n])'")


_STRING_PREFIX = re.compile(r"(?<![\w])[rRbBuUfF]{1,2}$")


@cache
def _code_tokens(syntax: _Syntax) -> re.Pattern[str]:
    """What the scanner looks for in code: the language's raw string openers first (see
    :attr:`_Syntax.raw_string`; `r#"` before the `#`, `--[[` before the `--`)."""
    base = (
        _RUBY_CODE_TOKEN if syntax.ruby
        else _SHELL_CODE_TOKEN if syntax.shell
        else _RAW_STRING_CODE_TOKEN if syntax.raw_strings
        else _JS_CODE_TOKEN if syntax.regex_literals
        else _CODE_TOKEN
    )  # fmt: skip
    pattern = base.pattern
    if syntax.raw_string[0]:
        pattern = f"(?P<raw>{syntax.raw_string[0]})|{pattern}"
    if syntax.heredoc[0]:
        pattern = f"(?P<heredoc>{syntax.heredoc[0]})|{pattern}"
    if syntax.other_block_comment[0]:
        pattern = f"(?P<comment>{re.escape(syntax.other_block_comment[0])})|{pattern}"
    if syntax.sigils:
        pattern = f"(?P<sigil>{_SIGIL.pattern})|{pattern}"
    return base if pattern == base.pattern else re.compile(pattern)


def _block_comment_delimiters(syntax: _Syntax) -> tuple[str, str]:
    return syntax.other_block_comment if syntax.other_block_comment[0] else ("/*", "*/")


@cache
def _nested_comment_tokens(syntax: _Syntax) -> re.Pattern[str]:
    """The opener or closer of a block comment, in one that nests."""
    return re.compile("|".join(map(re.escape, _block_comment_delimiters(syntax))))


@cache
def _sigil_end(closer: str) -> re.Pattern[str]:
    """Where an Elixir sigil ends: its closer, not escaped (`~r/\\)$/`; `~S` too escapes it)."""
    return re.compile(r"\\.|" + re.escape(closer), re.S)


@cache
def _raw_string_end(closer: str) -> re.Pattern[str]:
    """Where a raw string ends, by its closer: in C#'s verbatim strings (the only raw ones
    closed by a lone `"`; Rust's `r""` never meets a second one) `""` is a quote, read as an
    escape."""
    return re.compile('""|"') if closer == '"' else re.compile(re.escape(closer))


class _BracketScanner:
    """Yields brackets outside strings and comments.

    The state survives between feeds so the completion is read in the state the prefix left
    (the cursor may be inside a string or a comment).
    """

    def __init__(self, syntax: _Syntax) -> None:
        self.syntax = syntax
        self.mode = ""  # "" code, "line" / "block" comment, or the quote that closes a string
        self.line_blank = True  # the current line holds only whitespace so far
        self.parens = 0  # shell: parentheses open (a `)` closing one is no case pattern's)
        #: Shell: for each `case` open, the parentheses open when it began (a tuple: the
        #: scanner is copied shallowly). A `)` at that count ends a pattern, not a `(` before.
        self.case_parens: tuple[int, ...] = ()
        #: The line that ends the heredoc being read, and whether its text has begun (in the
        #: shell, mode "<<" from its opener on; elsewhere, from the end of the opener's line).
        self.heredoc_end: re.Pattern[str] | None = None
        self.heredoc_body = False
        #: The interpolations being read, innermost last: the quote of the string each is in,
        #: and the brackets open in it (a tuple: the scanner is copied shallowly).
        self.interpolations: tuple[tuple[str, int], ...] = ()
        #: JavaScript: the end of the current line as fed so far, which tells whether a `/`
        #: at the start of the next feed opens a regexp (after `s.match(`) or divides.
        self.line_tail = ""
        #: The closer of the raw string being read (see :attr:`_Syntax.raw_string`), else "".
        self.raw_closer = ""
        #: The block comments open inside the one being read (see :attr:`_Syntax.nested_comments`).
        self.comment_depth = 0

    def feed(self, text: str) -> Iterator[tuple[int, str]]:
        pos, n = 0, len(text)
        syntax = self.syntax
        tokens = _code_tokens(syntax)
        while pos < n:
            mode = self.mode
            if mode == "line":
                end = text.find("\n", pos)
                if end < 0:
                    pos = n
                    break
                self.mode, pos = self._mode_at_line_start(), end + 1
            elif mode == "block" and syntax.nested_comments:
                m = _nested_comment_tokens(syntax).search(text, pos)
                if m is None:
                    pos = n
                    break
                pos = m.end()
                if m.group() == _block_comment_delimiters(syntax)[0]:
                    self.comment_depth += 1
                elif self.comment_depth:
                    self.comment_depth -= 1
                else:
                    self.mode = ""
            elif mode == "block":
                closer = _block_comment_delimiters(syntax)[1]
                end = text.find(closer, pos)
                if end < 0:
                    pos = n
                    break
                self.mode, pos = "", end + len(closer)
            elif mode == "<<":
                pos = self._heredoc(text, pos)
            elif mode:
                # One line at most, in the shell too: a quote misread (a scan started inside a
                # string by a broken tree) must not hide the rest of the window.
                closer = self._string_end(mode)
                while True:
                    m = closer.search(text, pos)
                    if m is None:
                        pos = n
                        break
                    pos = m.end()
                    if m.group() == syntax.interpolation:
                        self.mode, self.interpolations = "", (*self.interpolations, (mode, 0))
                        break
                    if not m.group().startswith("\\") and m.group() != '""':  # C#'s `""`: a quote
                        # Closed, or a one-line string cut by the newline.
                        self.mode = self._mode_at_line_start() if m.group() == "\n" else ""
                        self.raw_closer = ""
                        break
            else:
                m = tokens.search(text, pos)
                if self.interpolations and "\n" in text[pos : m.start() if m else n]:
                    self._leave_one_line_interpolations()
                if self.heredoc_end is not None and "\n" in text[pos : m.start() if m else n]:
                    # The end of a heredoc opener's line: its text begins.
                    self.mode, self.heredoc_body, pos = "<<", True, text.index("\n", pos) + 1
                    continue
                if m is None:
                    pos = n
                    break
                token, start, pos = m.group(), m.start(), m.end()
                if syntax.raw_string[0] and m.group("raw") is not None:
                    self.mode, self.raw_closer = token, m.expand(syntax.raw_string[1])
                    continue
                if syntax.other_block_comment[0] and m.group("comment") is not None:
                    self.mode = "block"
                    continue
                if syntax.sigils and m.group("sigil") is not None:
                    delimiter = m.group("sd")
                    if delimiter in ('"""', "'''"):
                        self.mode = delimiter  # a heredoc sigil (`~S"""`): read as one
                    elif delimiter:
                        self.mode, self.raw_closer = token, _PAIRED_DELIMITER.get(delimiter, delimiter)
                    continue  # else a character literal, passed
                if syntax.heredoc[0] and m.group("heredoc") is not None:
                    if self._opens_heredoc(text, m):
                        word = re.escape(m.group("w"))
                        self.heredoc_end = re.compile(syntax.heredoc[1].format(w=word), re.M)
                        self.heredoc_body = False
                    else:
                        pos = start + 2  # Ruby's shift (`x<<FLAG`), `class <<self`
                    continue
                at_line_start = self._blank_before(text, start)
                if syntax.ruby and token[0] in "/%?":
                    pos = self._ruby_literal_end(text, token, start, pos)
                    continue
                if token == "/":  # JavaScript's: a regexp literal or a division
                    pos = self._js_regex_end(text, start, pos)
                    continue
                if syntax.shell and token[0] == "\\":
                    continue
                if syntax.shell and (token[0] == "<" or token[0].isalpha()):
                    line_before = text[text.rfind("\n", 0, start) + 1 : start]
                    if token[0] == "<":
                        if line_before.count("((") <= line_before.count("))"):  # `$((1<<bit))`
                            self.mode, self.heredoc_body = "<<", False
                            self.heredoc_end = re.compile(r"(?m)^\t*" + re.escape(m.group(2)) + r"[ \t]*$")
                        continue
                    # A command word only (`--ignore-case`, `echo case` are no `case`).
                    command = not line_before.strip() or line_before.rstrip()[-1] in ";&|("
                    if command and token == "case":
                        self.case_parens += (self.parens,)
                    elif command and token == "esac":
                        self.case_parens = self.case_parens[:-1]
                    continue
                if syntax.shell and token in "()":
                    if token == "(":
                        self.parens += 1
                    elif (
                        self.case_parens
                        and self.parens == self.case_parens[-1]
                        and self._ends_case_pattern(text, start)
                    ):
                        continue  # an array opened before the `case` stays open
                    elif self.parens:
                        self.parens -= 1  # an array's or a subshell's, not a case pattern's
                    elif self._ends_case_pattern(text, start):
                        continue
                    yield start, token
                elif token in "()[]{}":
                    if not self._ends_interpolation(token):
                        yield start, token
                elif token in syntax.line_comments and not (
                    syntax.shell and token == "#" and start > 0 and text[start - 1] not in " \t\n;|&("
                ):
                    self.mode = "line"
                elif token == "/*" and syntax.block_comments:
                    self.mode = "block"
                elif token == "#":
                    if (
                        syntax.hash_at_line_start
                        and at_line_start
                        and text[pos : pos + 1] not in "[!"
                    ):
                        self.mode = "line"
                elif token == "--" or (token == "'" and not self._opens_quote(text, start)):
                    pass  # C's decrement; an apostrophe in a word
                elif token == "`" and syntax.shell:
                    pass  # command substitution: code, whose quotes are quotes
                elif token == "'" and syntax.char_literals:
                    lit = _CHAR_LITERAL.match(text, start)
                    if lit:
                        pos = lit.end()
                elif token not in ("//", "/*"):
                    self.mode = token
        last_nl = text.rfind("\n")
        tail = text[last_nl + 1 :]
        self.line_blank = (self.line_blank or last_nl >= 0) and not tail.strip()
        if syntax.regex_literals:
            self.line_tail = ((self.line_tail if last_nl < 0 else "") + tail[-16:])[-16:]

    def _string_end(self, mode: str) -> re.Pattern[str]:
        """What ends the string ``mode`` opened, or starts code interpolated in it."""
        if self.raw_closer:
            return _sigil_end(self.raw_closer) if mode[0] == "~" else _raw_string_end(self.raw_closer)
        interpolation = self.syntax.interpolation
        if interpolation and mode in self.syntax.interpolated_quotes:
            return _INTERPOLATED_STRING_END[interpolation, mode]
        if mode == '"""' and self.syntax.raw_triple_quotes:
            return _RAW_TRIPLE_END
        return _STRING_END[mode]

    def closing_quote(self) -> str:
        """What ends the string the scanner is in (its mode is a string's)."""
        return self.raw_closer or _CLOSING_QUOTE.get(self.mode, self.mode)

    def _ends_interpolation(self, bracket: str) -> bool:
        """Whether ``bracket`` ends the interpolation being read (back in its string), keeping
        count of the brackets opened and closed in it."""
        if not self.interpolations:
            return False
        quote, depth = self.interpolations[-1]
        if bracket in "([{":
            depth += 1
        elif depth:
            depth -= 1
        elif bracket == _INTERPOLATION_CLOSER[self.syntax.interpolation]:
            self.mode, self.interpolations = quote, self.interpolations[:-1]
            return True
        self.interpolations = (*self.interpolations[:-1], (quote, depth))
        return False

    def _leave_one_line_interpolations(self) -> None:
        """Past a line end, no interpolation of a one-line string is open (one misread must not
        hide the rest of the window): only those of a triple-quoted string go on."""
        while self.interpolations and self.interpolations[-1][0] not in ('"""', "`"):
            self.interpolations = self.interpolations[:-1]

    def _mode_at_line_start(self) -> str:
        """The mode past a line end in code: in a heredoc whose opener's line it ends."""
        return "<<" if self.heredoc_end is not None else ""

    def _opens_heredoc(self, text: str, m: re.Match[str]) -> bool:
        """Whether a heredoc opener in code opens one: in Ruby, `x<<FLAG` shifts and `class
        <<self` opens a singleton class; a heredoc's word is capitalised by convention, unless
        `<<~`/`<<-` says so, after a space or `(`."""
        if not self.syntax.ruby:
            return True
        start = m.start()
        if start and text[start - 1] not in " \t(,=":
            return False
        return bool(m.group("hd")) or m.group("w").isupper()

    def _heredoc(self, text: str, pos: int) -> int:
        """Past the heredoc's text from ``pos``: its body starts on the line after the one that
        opened it and ends at its word alone on a line (tabs before it for ``<<-``)."""
        n = len(text)
        if not self.heredoc_body:
            newline = text.find("\n", pos)
            if newline < 0:
                return n
            pos, self.heredoc_body = newline + 1, True  # the shell's: from its opener on
        assert self.heredoc_end is not None
        for m in self.heredoc_end.finditer(text, pos):
            if m.start() or pos or self.line_blank:  # the feed's start is a line's only then
                self.mode, self.heredoc_end = "", None
                return m.end()
        return n

    def _ruby_literal_end(self, text: str, token: str, start: int, pos: int) -> int:
        """Where to go on scanning after a Ruby ``/``, ``%`` or ``?`` token: past the literal
        it starts, or right after its first character where it starts none (a division, a
        modulo, a ternary or a method name's ``?``). Literals are read on their line."""
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start].rstrip()
        if line_start == 0 and not self.line_blank:
            before = "x"  # the line began in an earlier feed: unknown, taken for an operand
        operand = bool(before) and before[-1] not in _RUBY_REGEX_AFTER and (
            before.rsplit(None, 1)[-1] not in _RUBY_KEYWORDS_BEFORE_VALUE
        )
        if token == "/":
            spaced_argument = before and text[start - 1] in " \t" and text[pos : pos + 1] not in " \t=\n"
            if operand and not spaced_argument:
                return pos  # a division
            end = pos
            while True:
                m = _RUBY_REGEX_END.search(text, end)
                if m is None or m.group() == "\n":
                    return pos  # no regexp ends on this line: a division after all
                end = m.end()
                if m.group()[0] == "/":
                    return end
        if token[0] == "?":
            word_before = start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_?!")
            after = text[pos : pos + 1]
            if not word_before and len(token) == 2 and not token[1].isspace() and not (after.isalnum() or after == "_"):
                return pos  # `?)`: one character
            return start + 1
        # `%r{...}`, `%w[...]`, `%(...)`: a bare `%` after an operand is a modulo.
        delimiter = token[-1]
        if len(token) == 2 and operand:
            return start + 1
        closer = _PAIRED_DELIMITER.get(delimiter, delimiter)
        depth, end = 1, pos
        while end < len(text) and text[end] != "\n":
            c = text[end]
            if c == "\\":
                end += 2
                continue
            if c == closer:
                depth -= 1
                if not depth:
                    return end + 1
            elif c == delimiter and closer != delimiter:
                depth += 1
            end += 1
        return start + 1  # over lines (`%w[` ... `]`): its brackets balance, counted as such

    def _js_regex_end(self, text: str, start: int, pos: int) -> int:
        """Where to go on scanning after a JavaScript ``/`` at ``start``: past the regexp literal
        it opens (one line, a ``/`` in a character class is text), or right after it where it
        divides: after an operand (a name, a number, a closer, a string's quote)."""
        line_start = text.rfind("\n", 0, start) + 1
        before = text[max(line_start, start - 16) : start]
        if not line_start:
            before = self.line_tail + before  # the line began in an earlier feed (`s.match(`)
        before = before.rstrip()
        if before and before[-1] not in _JS_REGEX_AFTER:
            word = re.search(r"\w+$", before)
            if word is None or word.group() not in _JS_KEYWORDS_BEFORE_VALUE:
                return pos  # a division
        m = _JS_REGEX_BODY.match(text, pos)
        return m.end() if m else pos

    def _ends_case_pattern(self, text: str, index: int) -> bool:
        """Whether the ``)`` at ``index`` ends a shell ``case`` pattern: one word or
        alternatives before it on its line, no ``(`` (``prod*)``, ``a|b)``, ``-h | --help)``,
        ``*)``)."""
        line_start = text.rfind("\n", 0, index) + 1
        if line_start == 0 and not self.line_blank:
            return False  # the line began in an earlier feed: not known to be a pattern
        return _CASE_PATTERN.fullmatch(text[line_start:index]) is not None

    def _blank_before(self, text: str, index: int) -> bool:
        line_start = text.rfind("\n", 0, index) + 1
        return not text[line_start:index].strip() and (line_start > 0 or self.line_blank)

    def _opens_quote(self, text: str, index: int) -> bool:
        # An apostrophe glued to a word (it's, x') is not a quote, but f'..' / rb'..' are.
        if index == 0 or not (text[index - 1].isalnum() or text[index - 1] == "_"):
            return True
        return bool(_STRING_PREFIX.search(text[max(0, index - 3) : index]))


def _inside_alignment_bracket(ctx: PostContext) -> bool:
    """Whether the innermost bracket open after the prefix is one inside which lines are
    aligned, not indented by levels: a parenthesis or square bracket; a brace too where braces
    never open a block (Python's dict and set displays: ``{name\n for name in ...}``)."""
    inside = ctx.brackets_after_prefix[3]
    return inside in ("(", "[") or (inside == "{" and not _syntax_for(ctx.language).brace_blocks)


def _syntax_for(language: str | None) -> _Syntax:
    return _SYNTAX.get((language or "").lower(), _DEFAULT_SYNTAX)


def has_block_comments(language: str | None) -> bool:
    """Whether the language has ``/* ... */`` comments (the C family's rules by default)."""
    return _syntax_for(language).block_comments


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
    scanner = _BracketScanner(_syntax_for(ctx.language))
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
    for pos, bracket in copy.copy(after_prefix).feed(ctx.suffix) if stack else ():
        if bracket in "([{":
            own += 1
        elif own:
            own -= 1
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


#: Lines of a statement wrapped after a comma or an operator (a header's supertypes, a
#: condition's terms): the statement goes on on the next line.
_GOES_ON = (",", "&&", "||")


def _statement_width(opened: int, ctx: PostContext) -> int:
    """The indentation's width of :func:`_statement_indent`."""
    return ctx.width(_statement_indent(opened, ctx))


def _statement_indent(opened: int, ctx: PostContext) -> str:
    """The indentation of the line :func:`_statement_line_start` finds."""
    return _leading_ws(ctx.prefix[_statement_line_start(opened, ctx) : opened])


def _statement_line_start(opened: int, ctx: PostContext) -> int:
    """Where in the prefix the line starts where the statement starts that opens a bracket at
    ``opened``: up through the lines it closes brackets of, and lines above that end in a
    comma or an operator without leaving a bracket open (the lines above a wrapped header's
    last one), the least indented. Counted without regard to strings: a guess on a few lines."""
    end = ctx.prefix.rfind("\n", 0, opened)
    line = ctx.prefix[end + 1 : opened]
    found, width = end + 1, ctx.width(_leading_ws(line))
    depth = -_brackets_left_open(_code_only(line))
    for _ in range(20):
        if end < 0:
            break
        start = ctx.prefix.rfind("\n", 0, end) + 1
        above, end = ctx.prefix[start:end], start - 1
        code = _code_only(above).rstrip()
        if depth > 0:
            depth -= _brackets_left_open(code)
            if depth <= 0:
                found, width = start, ctx.width(_leading_ws(above))
        elif code.endswith(_GOES_ON) and _brackets_left_open(code) <= 0:
            if ctx.width(_leading_ws(above)) <= width:  # the first of the wrapped lines
                found, width = start, ctx.width(_leading_ws(above))
            depth = -_brackets_left_open(code)
        else:
            break
    return found


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
