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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, cached_property, reduce
from itertools import islice, pairwise
from math import gcd

from ..privacy import REDACTED

__all__ = [
    "FILTERS",
    "Filter",
    "LaterContext",
    "PostContext",
    "before_typed_over",
    "dedupe_choices",
    "kept_tail",
    "postprocess",
    "without_cut_line",
    "without_retyped_rest",
]


@dataclass(frozen=True)
class PostContext:
    """What the filters know about the document around the cursor."""

    prefix: str  # text before the cursor; may be only a window of the document
    suffix: str  # text after the cursor
    indent_unit: str = "    "  # one level of the document's indentation: spaces or a tab
    single_line: bool = False
    from_chat: bool = False  # the text came from a chat backend (fences, prose, echoes)
    language: str | None = None
    min_length: int = 1  # non-whitespace characters a suggestion needs to be worth showing
    #: Where in ``prefix`` a scan for open brackets may start (outside strings and comments),
    #: and the brackets open there, outermost first: known from the syntax tree, it spares
    #: scanning the whole window. The default scans all of ``prefix``.
    bracket_scan_from: int = 0
    open_before_scan: tuple[str, ...] = ()
    #: In a notebook cell, the line that starts the next cell (``# %%``, see notebooks.py).
    cell_marker: str | None = None
    #: False when the document has no indented line to tell its unit by (a new file):
    #: ``indent_unit`` is then a guess, and the model's own indentation is kept.
    indent_known: bool = True
    #: Columns of a tab where the document mixes tabs and spaces (GNU style: levels of two
    #: spaces, a tab for each eight columns); 0 where a tab is one level.
    tab_width: int = 0
    #: The language's own sign that a line opens a block, besides brackets and colons
    #: (``block_opener`` of its language.toml: Ruby's `def`, Lua's `then`, the shell's `; do`).
    block_opener: str | None = None

    @cached_property
    def block_opener_re(self) -> re.Pattern[str] | None:
        return re.compile(self.block_opener) if self.block_opener else None

    @cached_property
    def trailing_comment_re(self) -> re.Pattern[str]:
        """A comment at the end of a line in this language (Lua's ``--`` too)."""
        known = (self.language or "").lower() in _SYNTAX
        tokens = set(_syntax_for(self.language).line_comments) if known else {"#", "//"}
        if not tokens:
            return re.compile(r"(?!)")  # prose: none (an empty alternative matched any text)
        return re.compile(r"\s+(?:" + "|".join(map(re.escape, sorted(tokens))) + r").*$")

    @cached_property
    def line_prefix(self) -> str:
        """The cursor line up to the cursor."""
        return self.prefix.rpartition("\n")[2]

    @cached_property
    def line_suffix(self) -> str:
        """The cursor line from the cursor on."""
        return self.suffix.partition("\n")[0]

    @cached_property
    def indentation(self) -> str:
        """The cursor line's indentation, as the document has it."""
        return _leading_ws(self.line_prefix)

    @cached_property
    def previous_line(self) -> str | None:
        """The last non-blank line above the cursor line, if the prefix window has one."""
        end = len(self.prefix) - len(self.line_prefix) - 1
        while end > 0:
            start = self.prefix.rfind("\n", 0, end) + 1
            line = self.prefix[start:end]
            if line.strip():
                return line
            end = start - 1
        return None

    @cached_property
    def tab_size(self) -> int:
        # A tab counts as one level of the document's indentation when widths are compared.
        if self.tab_width:
            return self.tab_width
        unit = self.indent_unit
        return len(unit) if unit and "\t" not in unit else 4

    @cached_property
    def unit_width(self) -> int:
        return self.width(self.indent_unit) or 4

    def width(self, ws: str) -> int:
        """Columns taken by leading whitespace."""
        return sum(self.tab_size if c == "\t" else 1 for c in ws)

    def render_indent(self, columns: int) -> str:
        """Whitespace of that width in the document's own characters."""
        columns = max(0, columns)
        if "\t" in self.indent_unit:
            return "\t" * (columns // self.tab_size) + " " * (columns % self.tab_size)
        return " " * columns

    @property
    def lf(self) -> PostContext:
        """This context with CRLF line breaks made LF, as the filters read it."""
        # Not cached on itself: a context holding itself is a reference cycle, which only the
        # garbage collector frees, in one pause every few hundred completions.
        if "\r" not in self.prefix and "\r" not in self.suffix:
            return self
        return self._lf_copy

    @cached_property
    def _lf_copy(self) -> PostContext:
        return replace(
            self,
            prefix=self.prefix.replace("\r\n", "\n"),
            suffix=self.suffix.replace("\r\n", "\n"),
            bracket_scan_from=len(self.prefix[: self.bracket_scan_from].replace("\r\n", "\n")),
        )

    @cached_property
    def brackets_after_prefix(
        self,
    ) -> tuple[tuple[str, ...], _BracketScanner, tuple[str, ...], str, tuple[tuple[str, str], ...]]:
        """The brackets the prefix left open and the suffix does not close (innermost last),
        the scanner's state right after the prefix, the open brackets that the rest of the
        cursor line closes (innermost last), the innermost bracket open after the prefix
        (closed by the suffix or not; "" for none), and every bracket open after the prefix
        with what closes it, innermost last (see :func:`_scan_closable_brackets`): scanning a
        window is ~0.2 ms, the same for every filter run and every choice of a request."""
        return _scan_closable_brackets(self)

    def warm(self) -> None:
        """Work out now what every run of the filters needs (called while the backend works)."""
        ctx = self.lf
        ctx.brackets_after_prefix  # noqa: B018
        ctx.previous_line  # noqa: B018
        ctx.indentation  # noqa: B018
        ctx.line_suffix  # noqa: B018

    def recent_lines(self, count: int) -> list[str]:
        """Up to ``count`` whole lines just above the cursor line, oldest first."""
        end = len(self.prefix) - len(self.line_prefix) - 1
        lines: list[str] = []
        while end >= 0 and len(lines) < count:
            start = self.prefix.rfind("\n", 0, end) + 1
            lines.append(self.prefix[start:end])
            end = start - 1
        return lines[::-1]


class LaterContext:
    """A :class:`PostContext` made when first asked for, warmed (:meth:`PostContext.warm`):
    the completion feature asks for it once the request is sent, so the ~0.4 ms it takes
    overlaps the model's work instead of delaying the request."""

    __slots__ = ("_ctx", "_make")

    def __init__(self, make: Callable[[], PostContext]) -> None:
        self._make = make
        self._ctx: PostContext | None = None

    @classmethod
    def of(cls, ctx: PostContext) -> LaterContext:
        later = cls(lambda: ctx)
        later._ctx = ctx
        return later

    def get(self) -> PostContext:
        if self._ctx is None:
            ctx = self._make()
            ctx.warm()
            self._ctx = ctx
        return self._ctx


Filter = Callable[[str, PostContext], "str | None"]


# ---------------------------------------------------------------------------------------------
# small text helpers


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _has_word(line: str) -> bool:
    return any(c.isalnum() for c in line)


def _join(lines: list[str]) -> str:
    """Join lines, leaving out blank lines at the end (a cut leaves them behind)."""
    end = len(lines)
    while end > 1 and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[:end])


def _iter_lines(text: str) -> Iterator[str]:
    """Lines of a possibly long text, produced lazily (the suffix can be the rest of a file)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _strip_covered_indent(line: str, ctx: PostContext) -> str:
    """Remove the indentation that the (blank) cursor line already provides."""
    if line.startswith(ctx.line_prefix):
        return line[len(ctx.line_prefix) :]
    ws = _leading_ws(line)
    extra = ctx.width(ws) - ctx.width(ctx.line_prefix)
    return ctx.render_indent(extra) + line[len(ws) :]


def _shift_indent(line: str, columns: int, ctx: PostContext) -> str:
    if not columns or not line.strip():
        return line
    ws = _leading_ws(line)
    return ctx.render_indent(ctx.width(ws) + columns) + line[len(ws) :]


# Lines made only of closing brackets (and the punctuation after them) end a block rather than
# start new code, so scope limits may keep them and let the bracket count decide.
# Keyword closers too: Ruby's and Lua's `end` (Lua's callback `end)` as well), the shell's `fi`,
# `done` and `esac` (they were cut from every shell block, closed by the suffix or not).
# PHP's alternative syntax (`if ($x):` … `endif;`) too.
_CLOSER_ONLY = re.compile(
    r"^(?:[)\]}]|end|fi|done|esac|endif|endforeach|endfor|endwhile|endswitch|enddeclare)[)\]};,]*$"
)
# Lines at the block's own indentation that still belong to the statement the block opened
# (Ruby's `elsif`, `when`, `rescue`, `ensure`; Lua's `elseif`; Elixir's `after` of a `try` or
# a `receive`, alone on its line: elsewhere no statement is `after` alone), and closers that go on
# with the call's next argument (`}, {`, `}, 100);`, `], [`, Lua's `end, { buffer = 0 })`: the
# table or callback was left open when they were cut), and keyword closers the statement goes
# on after (`fi && {`, `done < "$file"`, `done | sort`, Ruby's `end.join`).
_CONTINUATION = re.compile(
    r"^(?:(?:[)\]}]\s*)?(?:else|elif|elsif|elseif|except|finally|catch|while|when|rescue|ensure)\b"
    r"|after$|[)\]}]\s*\(|\.|[)\]}]+\s*,\s*\S)"
)
# The same for keyword closers, in the languages that close blocks with them (elsewhere `end`
# and `done` are names: `end, pos = 0, 1`, `done <- true`).
_KEYWORD_CONTINUATION = re.compile(r"^(?:end\s*,\s*\S|(?:fi|done|esac|end)\s*(?:&&|\|\|?|[<>]|\.\w))")
_KEYWORD_CLOSING = frozenset({"ruby", "lua", "bash", "sh", "zsh", "shellscript", "elixir", "julia"})
#: A switch's arm label (`case 1:`, `default:`): at the depth of the line that opens the switch
#: (gofmt's only style, the Linux kernel's, Oracle's Java) or after a fall-through label, it is
#: the same statement going on. Not an assignment to a name `case`.
_LABEL = re.compile(r"^(?:case\b(?!\s*[=.(\[,)])|default\s*(?::|->))")
#: A PHP template's tags around a statement (`<?php endif; ?>`, `<?php else: ?>`): the statement
#: is what closes or continues a block.
_PHP_TAGS = re.compile(r"^<\?(?:php\b)?\s*|\s*\?>$")
#: A shell case pattern starting its line (`-h|--help)`, `*)`, `(a | b)`).
_SHELL_ARM = re.compile(r"^\(?\s*[^\s()|]+(?:\s*\|\s*[^\s()|]+)*\s*\)")
#: Languages with switch statements whose labels may sit at the switch's depth (not Python:
#: a `match` arm is deeper than its `match`, and `default: str = "sh"` is an annotation).
_SWITCH_LANGUAGES = frozenset({"c", "cpp", "csharp", "java", "javascript", "typescript", "tsx", "go", "php", "swift"})
#: A string literal on one line, for bracket counts that must not see its contents.
_STRING_LITERAL = re.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`""")
#: Languages whose preprocessor lines (`#ifdef`, `#endif`) sit at column 0 inside any block.
_PREPROCESSED = frozenset({"c", "cpp", "csharp", "swift"})
_BLOCK_OPENER = re.compile(r"(?:[:{(\[]|=>|->)$")
_TRAILING_COMMENT = re.compile(r"\s+(?:#|//).*$")


def _block_opening(line: str, ctx: PostContext) -> str:
    """How ``line`` opens a block: "sign" by a bracket, a colon or an arrow at its end,
    "keyword" by the language's own sign only (a Ruby ``def`` or ``do |x|``, a Lua ``then``:
    the block's ``end`` below it then ends the completion's scope; the model's next method
    was kept), "" not at all."""
    code = ctx.trailing_comment_re.sub("", line).rstrip()
    if _BLOCK_OPENER.search(code):
        return "sign"
    opener = ctx.block_opener_re
    return "keyword" if opener is not None and opener.search(code) is not None else ""


def _opens_block(line: str, ctx: PostContext) -> bool:
    return bool(_block_opening(line, ctx))


# ---------------------------------------------------------------------------------------------
# bracket scanning outside strings and comments


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
    # else: it closes something opened before the prefix window starts


def _closable_brackets(ctx: PostContext) -> tuple[list[str], _BracketScanner]:
    """Brackets the prefix left open and the suffix does not close, innermost last, and the
    scanner in the state right after the prefix, to read the completion: copies, for the caller
    to change."""
    closable, scanner = ctx.brackets_after_prefix[:2]
    return list(closable), copy.copy(scanner)


def _line_closed(ctx: PostContext) -> list[str]:
    """The open brackets that the rest of the cursor line closes (auto-closed pairs), innermost
    last: a copy, for the caller to change."""
    return list(ctx.brackets_after_prefix[2])


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
) -> tuple[tuple[str, ...], _BracketScanner, tuple[str, ...], str, tuple[tuple[str, str], ...]]:
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
    return closable, after_prefix, line_closed, stack[-1][0] if stack else "", open_after


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
    """The indentation of the line where the statement starts that opens a bracket at
    ``opened`` in the prefix: up through the lines it closes brackets of, and lines above
    that end in a comma or an operator without leaving a bracket open (the lines above a
    wrapped header's last one). Counted without regard to strings: a guess on a few lines."""
    end = ctx.prefix.rfind("\n", 0, opened)
    line = ctx.prefix[end + 1 : opened]
    width = ctx.width(_leading_ws(line))
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
                width = ctx.width(_leading_ws(above))
        elif code.endswith(_GOES_ON) and _brackets_left_open(code) <= 0:
            width = min(width, ctx.width(_leading_ws(above)))
            depth = -_brackets_left_open(code)
        else:
            break
    return width


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


# ---------------------------------------------------------------------------------------------
# 1. strip_fences

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
    "markdown plaintext restructuredtext latex tex asciidoc org gitcommit git-commit".split()
)


def strip_fences(text: str, ctx: PostContext) -> str | None:
    """Reduce a chat answer to the code to insert at the cursor.

    Chat models wrap code in markdown fences with prose around it, re-type the start of the
    cursor line (or a few lines above it), and indent the snippet as if it stood alone. FIM
    output has none of that, so the filter only acts on chat text.
    """
    if not ctx.from_chat:
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


# ---------------------------------------------------------------------------------------------
# 1b. end_of_cell


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


# ---------------------------------------------------------------------------------------------
# 1c. drop_redacted


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


# ---------------------------------------------------------------------------------------------
# 2. normalize_indentation


def normalize_indentation(text: str, ctx: PostContext) -> str | None:
    """Re-indent continuation lines written with another indent unit into the document's.

    Depths are taken relative to the cursor line's indentation, so a model that indents by two
    spaces (or tabs) in a four-space document still lands each line one level deeper than its
    parent. Indentation that is not a whole unit (alignment under an open parenthesis) is left
    alone.
    """
    lines = text.split("\n")
    first = _strip_retyped_indent(lines[0], ctx)
    if first != lines[0]:
        lines[0] = first
        text = "\n".join(lines)
    if len(lines) < 2:
        return _reindent_one_line(text, ctx)
    if not ctx.indent_known:
        return text  # nothing to re-indent into: a guessed unit rewrote gofmt's tabs as spaces
    base_ws = ctx.indentation
    if ctx.line_prefix.strip() and _opens_block(ctx.line_prefix + lines[0], ctx):
        # The end of a wrapped header: depths count from the statement's first line.
        base_ws = _leading_ws(_statement_start(ctx, lines[0]))
    base = ctx.width(base_ws)
    # (line index, written whitespace, depth in columns relative to the cursor line)
    written: list[tuple[int, str, int]] = []
    # A string's or heredoc's lines are text, indented as the text wants (and its closing
    # line, a heredoc's terminator, where the language wants it); the first line too when the
    # cursor is in one (a Go raw string's SQL lost its first line's indentation to a tab).
    in_text = _lines_in_text_blocks(lines, ctx)
    first_ws = _leading_ws(lines[0])
    if not ctx.line_prefix.strip() and lines[0].strip() and first_ws and not _closable_brackets(ctx)[1].mode:
        written.append((0, first_ws, ctx.width(first_ws)))
    for index, line in enumerate(lines[1:], 1):
        if line.strip() and index not in in_text:
            ws = _leading_ws(line)
            written.append((index, ws, ctx.width(ws) - base))
    if not written:
        return text
    own_frame = _in_own_frame(lines, written, base, ctx)
    own_step, written = own_frame or (0, written)
    # In a file that mixes tabs and spaces, tabs are its own (eight columns), not foreign.
    foreign = any(c not in ctx.indent_unit and not (c == "\t" and ctx.tab_width) for _, ws, _ in written for c in ws)
    unit = ctx.unit_width
    levelled = written
    inside: dict[int, int] = {}
    tab_step = own_step or _tab_step(written, ctx)
    while True:
        depths = [depth for _, _, depth in levelled]
        if tab_step:
            step = tab_step
            if any(depth % step for depth in depths):
                inside = _lines_in_parentheses(lines, ctx)
            break
        step = reduce(gcd, (abs(d) for d in depths), 0) or unit
        if step == unit and not foreign and not own_frame:
            return text
        smallest = min((abs(d) for d in depths if d), default=step)
        if step in (2, 3, 4, 8, unit) and smallest == step:
            break
        if inside:
            return text
        # A line aligned under a parenthesis the completion opened (a hanging argument) is no
        # level, and one such line left the whole answer as written (tabs in a space file: a
        # TabError): the lines outside give the step, and the aligned ones move with the line
        # that opened their parenthesis.
        inside = _lines_in_parentheses(lines, ctx)
        levelled = [w for w in written if w[0] not in inside]
        if not inside or not levelled or len(levelled) == len(written):
            return text
    # Lines in parentheses at whole levels (a hanging indent, a callback's body) are levels.
    aligned = {index: inside[index] for index, _, depth in written if index in inside and depth % step}
    levelled = [w for w in written if w[0] not in aligned]
    if (
        not foreign
        and not own_frame
        and step % unit == 0
        and len({abs(d) for d in depths if d}) < 2
        and not _body_one_step_deeper(lines, levelled, step, ctx)
    ):
        # One depth, a whole number of the document's units: a double indent (a continuation
        # line under `return (`) is the file's own style, not evidence of a wider unit.
        return text
    base_levels = base // unit
    out = list(lines)
    for index, ws, depth in levelled:
        if _make_reads(lines[index][len(ws) :], ws, ctx):
            continue
        levels = depth // step
        if index == 0:
            indent = ctx.indent_unit * levels
        elif levels >= 0:
            indent = base_ws + ctx.indent_unit * levels
        else:
            indent = ctx.indent_unit * max(0, base_levels + levels)
        out[index] = indent + lines[index][len(ws) :]
    for index, parent in aligned.items():
        out[index] = _realign(index, parent, lines, out, ctx)
    for opener, block in _docstrings(lines, in_text, ctx):
        # Moved with its opening quotes (cleandoc reads it the same): left as written, its
        # lines stood deeper than the code it documents.
        moved = ctx.width(_leading_ws(out[opener])) - ctx.width(_leading_ws(lines[opener]))
        for index in block:
            out[index] = _shift_indent(lines[index], max(moved, -ctx.width(_leading_ws(lines[index]))), ctx)
    return "\n".join(out)


_DOCSTRING_OPENER = re.compile(r"\s*[rRuU]?(?:\"\"\"|''')")


#: The widths of a level an answer written in spaces of its own may have.
_OWN_STEPS = (2, 3, 4, 8)


def _in_own_frame(
    lines: list[str], written: list[tuple[int, str, int]], base: int, ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step and depths of an answer indented with spaces in a step of its own, read as its
    whole indentation from column 0 (the cursor's level ``step`` columns a level), where the
    line below the first is where it goes read so and not read as levels under the cursor
    line's own indentation (None: read as written). Two-space lines under a cursor two tabs
    (eight columns) in were all taken for levels out of the block and went in at column 0, a
    Python function's last lines out of it; two-space lines in a four-space file too."""
    if any(ws.strip(" ") for _, ws, _ in written):
        return None  # tabs: not spaces alone
    if written[0][0] == 0:
        return _whole_indentation_frame(lines, written, ctx)
    step = reduce(gcd, (len(ws) for _, ws, _ in written), 0)
    levels, rest = divmod(base, ctx.unit_width)
    if rest:
        return None
    first = ctx.trailing_comment_re.sub("", ctx.line_prefix + lines[0]).rstrip()
    if first.endswith(("(", "[")):
        return None  # the line below is alignment or a hanging indent, no level
    index, ws, depth = written[0]
    # The next line is a level out when it closes a bracket, one in below a line opening a
    # block, else a statement at the cursor's level.
    body = lines[index].lstrip()
    expected = -1 if body[:1] in ")]}" else 1 if _opens_block(first, ctx) else 0
    as_written = reduce(gcd, (abs(d) for _, _, d in written), 0)
    if depth >= 0 if not expected else (depth == expected * as_written and as_written in _OWN_STEPS):
        return None  # where it goes as written (a continuation line deeper too)
    label = expected == 1 and _is_label(body, ctx)
    steps = [step] if step in _OWN_STEPS else []
    if expected == 1 and not label:
        # A body no deeper than its header is in a narrower step than the widths' divisor:
        # four spaces under `\tdef f(self):` are two levels of two, the tab one of them (read
        # as one level of four, the body was not deeper than the header and was dropped).
        steps += [own for own in sorted(_OWN_STEPS, reverse=True) if own < step and step % own == 0]
    # A switch's label may stay at the switch's depth (gofmt's `case`).
    targets = (1, 0) if label else (expected,)
    fits = (own for own in steps if own * levels != base and len(ws) - own * levels in (t * own for t in targets))
    own = next(fits, 0)
    if not own or index in _lines_in_parentheses(lines, ctx):
        return None
    return own, [(i, w, len(w) - own * levels) for i, w, _ in written]


def _whole_indentation_frame(
    lines: list[str], written: list[tuple[int, str, int]], ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step of an answer in spaces written from column 0 of a blank line (the editor
    strips its indentation) in a tab-indented file, its lines at their whole indentation: the
    step of a line deeper than the one above it; else, with no line going in, the document's
    columns of a tab where they put the first line where the line above allows it, or the
    step that puts it there (one level in under a block opener). Read from the widths alone,
    four-space lines two levels in and deeper were left as spaces (a TabError), lines all two
    levels in made one level of eight (a method's body went in as deep as its `def`), and
    two-space lines went in at half their depth. None: read by the widths (no step tells)."""
    if "\t" not in ctx.indent_unit or ctx.tab_width or ctx.line_prefix:
        return None
    inside = _lines_in_parentheses(lines, ctx)
    widths = [len(ws) for i, ws, _ in written if i not in inside]
    whole = reduce(gcd, (len(ws) for _, ws, _ in written), 0)
    if whole % 2:  # alignment under a bracket (an odd column): the levels outside tell the step
        whole = reduce(gcd, widths, 0)
    steps = [step for step in (8, 4, 2) if whole and whole % step == 0]
    # A line deeper than the one before it is one level in (outside brackets, where it may be
    # alignment): the answer's own step, if it has one.
    rise = min((b - a for a, b in pairwise(widths) if b > a), default=0)
    if rise in steps:
        return rise, written
    above = ctx.previous_line
    # A bracket left open is a level in too: a hanging indent (gofmt's arguments).
    opens = above is not None and _opens_block(above, ctx)
    expected = (ctx.width(_leading_ws(above)) // ctx.unit_width if above is not None else 0) + int(opens)
    body = lines[0].lstrip()
    if body[:1] in ")]}":
        expected -= 1
    first, unit = len(written[0][1]), ctx.unit_width
    level = first // unit
    # The first line is where the line above allows it: as deep, or out of its block; under an
    # opener one level in (a label may stay at the switch's: gofmt's `case`).
    allowed = {expected - 1, expected} if _is_label(body, ctx) else {expected}
    if unit in steps and (level in allowed or (level < expected and not opens)):
        return unit, written
    # Else the step that puts it there: a narrower one, or a wider one (eight columns a tab,
    # as terminals show gofmt's) where a deeper line is no continuation of the line above
    # (nor C's body of an `if` without braces): under an opener, or a closer.
    closes = body[:1] in ")]}"
    candidates = steps if opens or closes else [step for step in steps if step < unit]
    step = next((step for step in candidates if first == step * expected), 0)
    if not step and not opens:
        step = next((step for step in candidates if step < unit and first <= step * expected), 0)
    return (step, written) if step else None


def _tab_step(written: list[tuple[int, str, int]], ctx: PostContext) -> int | None:
    """The step of an answer indented with tabs only in a file indented with spaces: one tab,
    one level, whatever depths the lines take. From column 0 the depths are whole
    indentations, two tabs or more for every line of a method's body, which the step read
    from the depths took for one level (or gave up on, leaving tabs in a space file)."""
    if "\t" in ctx.indent_unit or ctx.tab_width:
        return None
    step = ctx.tab_size
    if any(ws.strip("\t") or depth % step for _, ws, depth in written):
        return None
    return step if any(ws for _, ws, _ in written) else None


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


def _body_one_step_deeper(
    lines: list[str], levelled: list[tuple[int, str, int]], step: int, ctx: PostContext
) -> bool:
    """Whether a line ``step`` columns deeper than the line before it is that line's block
    body (`def put(x):` / `put(x) {` above it): then ``step`` is the model's indent unit, not
    a double indent (a method written with four spaces in a two-space file kept its body four
    columns in)."""
    depth_of = {index: depth for index, _, depth in levelled}
    depth_of.setdefault(0, 0)  # the first line is at the cursor
    inside = _lines_in_parentheses(lines, ctx)
    for index, _, depth in levelled:
        if depth <= 0 or index in inside:
            continue
        above = next((j for j in range(index - 1, -1, -1) if lines[j].strip()), None)
        if above is None or depth_of.get(above) != depth - step:
            continue
        code = ctx.trailing_comment_re.sub("", lines[above]).rstrip()
        if _block_opening(code, ctx) and not code.endswith(("(", "[")):
            return True
    return False


def _lines_in_parentheses(lines: list[str], ctx: PostContext) -> dict[int, int]:
    """The lines after the first that start inside a parenthesis or square bracket the
    completion opened (a brace may open a block), each with the line that opened the
    outermost."""
    scanner = _closable_brackets(ctx)[1]
    own: list[tuple[str, int]] = []
    inside: dict[int, int] = {}
    # Inside a parenthesis the prefix opened (Enter in ``refold = (``), the lines are alignment
    # too, measured from the first: a +2 line was taken for a level and doubled.
    in_prefix_paren = _inside_alignment_bracket(ctx)
    for index, line in enumerate(lines):
        outer = next((opened_on for bracket, opened_on in own if bracket != "{"), None)
        if outer is None and in_prefix_paren and not own:
            outer = 0
        if index and outer is not None and line.strip():
            inside[index] = outer
        for _, bracket in scanner.feed("\n" + line if index else line):
            if bracket in "([{":
                own.append((bracket, index))
            elif own:
                own.pop()
    return inside


def _realign(index: int, parent: int, lines: list[str], out: list[str], ctx: PostContext) -> str:
    """An aligned line at the same distance from its bracket's line as written, in spaces after
    that line's new indentation (tabs for levels, spaces for alignment, as gofmt does)."""
    ws = _leading_ws(lines[index])
    if parent == 0:
        if ctx.line_prefix.strip():
            old_ws = new_ws = ctx.indentation
        else:  # the first line's indentation adds to the blank cursor line's
            old_ws = ctx.line_prefix + _leading_ws(lines[0])
            new_ws = ctx.line_prefix + _leading_ws(out[0])
    else:
        old_ws, new_ws = _leading_ws(lines[parent]), _leading_ws(out[parent])
    offset = ctx.width(ws) - ctx.width(old_ws)
    if offset < 0:
        return lines[index]
    return new_ws + " " * offset + lines[index][len(ws) :]


def _strip_retyped_indent(first: str, ctx: PostContext) -> str:
    """The completion's first line without the indentation of the (blank, indented) cursor line
    that the model wrote again: `    count = 0` after the cursor on `    |` went in eight deep
    (an IndentationError), and the scope limit cut a block's later lines as outside it. Only
    where the line would sit deeper than the line above allows (one level more after a block
    opener); a line led by a newline is trim's business, one at column 0 _reindent_one_line's."""
    cursor = ctx.line_prefix
    ws = _leading_ws(first)
    if not cursor or cursor.strip() or not ws or not first.strip():
        return first
    above = ctx.previous_line
    if above is None or _closable_brackets(ctx)[1].mode:  # in a string, its own text
        return first
    comment = _syntax_for(ctx.language).line_comments
    if (
        _inside_alignment_bracket(ctx)
        or above.rstrip().endswith("\\")
        or (above.lstrip().startswith(comment) and first.lstrip().startswith(comment))
    ):
        # Inside parentheses or brackets, after a backslash continuation, or for a comment
        # going on under a comment, a line goes as deep as it aligns (under the first item,
        # a hanging indent, the comment's text), and a correct answer is never to be moved:
        # the strip pulled such lines back (2,043 of 29,847 right answers on the standard
        # library's autoindented lines). Code under a comment is stripped as anywhere.
        return first
    deepest = ctx.width(_leading_ws(above)) + (ctx.unit_width if _opens_block(above, ctx) else 0)
    if ctx.width(cursor) + ctx.width(ws) <= deepest:
        return first
    return _strip_covered_indent(first, ctx)


def _reindent_one_line(text: str, ctx: PostContext) -> str:
    """A one-line completion at column 0 written in the other indent style, re-indented.

    Editors strip a blank line's indentation, so a click into a function body leaves the
    cursor at column 0 and the model writes the line's whole indentation: spaces in a
    tab-indented file (or a tab in a space-indented one) went in as written, an IndentationError
    or TabError in Python. Whole levels only; anything else is alignment and stays.
    """
    ws = _leading_ws(text)
    if ctx.line_prefix or not ws or not text.strip() or all(c in ctx.indent_unit for c in ws):
        return text
    # Only where the lines around show the document's own style (the indent unit falls back to
    # four spaces without any: a Makefile recipe's tab became spaces), and in code, not inside a
    # string or comment the line continues.
    if _closable_brackets(ctx)[1].mode:
        return text
    if "\t" in ws:
        # Tabs into spaces only where lines around are indented with spaces and none with a
        # tab: the unit is four spaces by default, with no indented line to go by.
        lines = [*ctx.recent_lines(20), *islice(_iter_lines(ctx.suffix), 20)]
        starts = {_leading_ws(line)[:1] for line in lines if line.strip()}
        if " " not in starts or "\t" in starts:
            return text
    # Spaces into tabs: a tab unit is only ever found on a line indented with one (alignment
    # spaces under a hanging parenthesis are no sign of a space-indented file), each level in
    # the answer's own step (two-space levels went in at half their depth).
    if _make_reads(text[len(ws) :], ws, ctx):
        return text
    frame = None if "\t" in ws else _whole_indentation_frame([text], [(0, ws, len(ws))], ctx)
    if frame is not None:
        return ctx.indent_unit * (len(ws) // frame[0]) + text[len(ws) :]
    levels, rest = divmod(ctx.width(ws), ctx.unit_width)
    return ctx.indent_unit * levels + text[len(ws) :] if not rest else text


#: A line of a Makefile that make reads itself (a variable's assignment, a conditional, an
#: include), where no recipe line runs in the shell. Not `NAME=value`: a recipe's command may
#: start so (`CGO_ENABLED=0 go build`), a make assignment without blanks rarely does.
_MAKE_LINE = re.compile(
    r"(?:[\w.$(){}-]+(?:\s*(?:::|[:+?!])=|\s+=)|(?:ifn?eq|ifn?def|else|endif|-?include|sinclude|"
    r"(?:un)?export|override|define|endef|vpath)\b)"
)
_MAKEFILES = frozenset({"makefile", "make"})


def _make_reads(code: str, ws: str, ctx: PostContext) -> bool:
    """Whether ``code``, written after the spaces ``ws`` in a Makefile, is a line make reads
    itself: it keeps its spaces. Led by a tab after a rule, make takes it for a recipe line
    and runs it in the shell (`CFLAGS += -g` in an `ifeq` went in a tab deep: "CFLAGS:
    command not found"; before any rule, "recipe commences before first target")."""
    return ctx.language in _MAKEFILES and "\t" not in ws and _MAKE_LINE.match(code) is not None


# ---------------------------------------------------------------------------------------------
# 3. limit_scope


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
    if ctx.single_line:
        text = text.partition("\n")[0]
    else:
        text = _limit_by_indentation(text, ctx)
    return _limit_by_brackets(_inside_text_the_suffix_closes(text, ctx), ctx)


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
    closer = "*/" if scanner.mode == "block" else scanner.closing_quote()
    if _text_end(scanner, ctx.line_suffix) is not None or _text_end(scanner, ctx.suffix) is None:
        return text
    end = _text_end(scanner, text, closer)
    if end is None:
        return text
    return text[: end - len(closer)].rstrip()


def _text_end(start: _BracketScanner, text: str, closer: str = "") -> int | None:
    """Where in ``text`` the string or comment that ``start`` is in ends: just past its
    ``closer``, or the start of the line it ends on when no closer is given; None when it goes
    on past ``text``."""
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
            for index in range(len(line)):
                if line.startswith(closer, index):
                    probe = copy.copy(scanner)
                    for _ in probe.feed(line[: index + len(closer)]):
                        pass
                    if left(probe):
                        return at + index + len(closer)
            return None
        scanner = after
        at += len(line)
    return None


#: A line that starts a definition in the languages whose blocks only indentation ends.
_DEFINITION = re.compile(r"(?:async\s+)?(?:def|class|proc|func|method|template|macro|iterator)\b")
#: Scanner modes that run across lines: Python's and C#'s triple quotes (Swift's `"""` and
#: `#"""` too), JavaScript's template literals and Go's raw strings, heredocs; raw strings too
#: (the scanner's ``raw_closer``).
_LONG_STRINGS = frozenset({'"""', "'''", '#"""', "<<"})
_BACKTICK_LONG = frozenset({"javascript", "typescript", "tsx", "go"})
#: Where a shell string ends that a line leaves open (the scanner reads strings on one line).
_SHELL_QUOTE_END = {'"': re.compile(r'(?<!\\)"'), "'": re.compile(r"'")}


def _lines_in_text_blocks(lines: list[str], ctx: PostContext) -> set[int]:
    """The completion's lines that lie inside a string or heredoc opened on an earlier line,
    its closing line included: their indentation is the text's, not the code's."""
    scanner = _closable_brackets(ctx)[1]
    long_modes = _LONG_STRINGS | ({"`"} if ctx.language in _BACKTICK_LONG else set())
    shell = _syntax_for(ctx.language).shell
    if shell:
        long_modes = frozenset({"<<"})
    inside: set[int] = set()
    end: re.Pattern[str] | None = None
    for index, line in enumerate(lines):
        if end is not None:
            inside.add(index)
            if end.search(line):
                end = None
            continue  # a shell string's text is not code: its quotes open nothing
        if index and (scanner.mode in long_modes or scanner.raw_closer):
            inside.add(index)
        before = scanner.mode
        for _ in scanner.feed(line):
            pass
        open_quote = scanner.mode
        for _ in scanner.feed("\n"):
            pass
        if shell and not before and not scanner.mode:
            # A quoted string going on over lines (`echo "a⏎b"`).
            end = _SHELL_QUOTE_END.get(open_quote)
    return inside


def _limit_by_indentation(text: str, ctx: PostContext) -> str:
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    in_text = _lines_in_text_blocks(lines, ctx)
    floor = None
    if ctx.line_prefix.strip():
        block = ctx.width(ctx.indentation)
        # Finishing a line that opens a block (`def f(`, `if x {`): the scope is that new block,
        # so a line back at the cursor's level is already outside it.
        opening = _block_opening(ctx.line_prefix + lines[0], ctx)
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
            inner = body is None or ctx.width(_leading_ws(body)) > block
        if inner:
            # The last line of a wrapped header (`      b):` under `def f(a,`): its body is
            # indented from the statement's first line, not from the wrapped part's alignment.
            block = ctx.width(_leading_ws(_statement_start(ctx, lines[0])))
        else:
            floor = _next_line_width(ctx)
    else:
        block = ctx.width(ctx.line_prefix + _leading_ws(lines[0]))
        inner = False
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
        closes = _CLOSER_ONLY.match(statement) and not _suffix_has_closer(ctx, statement, width)
        keep = index + 1 if closes else comments_from if comments_from is not None else index
        return _join(lines[:keep])
    return text


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


def _is_arm(body: str, index: int, lines: list[str], ctx: PostContext) -> bool:
    """Whether ``body``, a line at the depth of the block the cursor line opens, is an arm of
    that switch: a label under `switch x {` (gofmt), a shell pattern under `case "$1" in`
    aligned with it, or one right after a fall-through label (`case 1:` then `case 2:`).
    After an arm's own body, the next arm the model goes on to is another one the user did
    not ask for (and may duplicate the one below)."""
    if not _is_label(body, ctx):
        return False
    if not _is_label((ctx.line_prefix + lines[0]).strip(), ctx):
        return True
    return not any(line.strip() for line in lines[1:index])


def _is_label(body: str, ctx: PostContext) -> bool:
    """Whether ``body`` is a switch's label (`case 1:`, `default:`) or a shell `case` arm."""
    shell = _syntax_for(ctx.language).shell
    if shell:
        return bool(_SHELL_ARM.match(body))
    return ctx.language in _SWITCH_LANGUAGES and bool(_LABEL.match(body))


def _statement_start(ctx: PostContext, first: str) -> str:
    """The line where the statement the cursor line ends begins: the cursor line itself, or,
    when it closes brackets opened on lines above (a wrapped parameter list or condition),
    the line that opened them. Counted without regard to strings: a guess on a few lines."""
    line = _code_only(ctx.line_prefix + first).rstrip()
    line = line[:-1] if line.endswith(("{", ":", "(", "[")) else line  # the block's own opener
    depth = -_brackets_left_open(line)
    above = ctx.prefix[: len(ctx.prefix) - len(ctx.line_prefix)].split("\n")[-21:-1]
    if depth <= 0:
        # A condition list wrapped without brackets (Swift's `if let a = x,⏎  let b = y {`,
        # `guard ... &&⏎  ... else {`): the statement starts on the less indented line whose
        # comma or operator goes on; its body is indented from there (it was dropped).
        start, width = ctx.line_prefix, ctx.width(ctx.indentation)
        for text in reversed(above):
            code = _code_only(text).rstrip()
            text_width = ctx.width(_leading_ws(text))
            if not code.endswith((",", "&&", "||")) or text_width > width:
                break
            if _brackets_left_open(code):
                break
            if text_width < width:  # one of the wrapped lines, like the cursor line, otherwise
                start, width = text, text_width
        return start
    for text in reversed(above):
        code = _code_only(text)
        depth -= _brackets_left_open(code)
        if depth <= 0:
            # A statement starts at or left of its wrapped lines; a deeper line is a guess gone
            # wrong (brackets in a multi-line string), and the cursor line stands.
            if ctx.width(_leading_ws(text)) > ctx.width(ctx.indentation):
                return ctx.line_prefix
            return text
    return ctx.line_prefix


def _brackets_left_open(code: str) -> int:
    """Opening brackets in ``code`` less closing ones (negative: it closes more than it opens)."""
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def _code_only(line: str) -> str:
    """``line`` without its string literals' contents and its trailing comment."""
    return _TRAILING_COMMENT.sub("", _STRING_LITERAL.sub('""', line))


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
    for pos, bracket in scanner.feed(text):
        if bracket in "([{":
            own.append(bracket)
        elif own:
            own.pop()  # the completion's own pairs are its business
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


# ---------------------------------------------------------------------------------------------
# 4. drop_suffix_duplicates


def drop_suffix_duplicates(text: str, ctx: PostContext) -> str | None:
    """Remove what the model re-typed of the code that already follows the cursor.

    Trailing lines equal to the first non-blank lines of the suffix go; so does the end of the
    completion's last line when it repeats the rest of the cursor line, unless the completion
    needs those closing brackets for what it opened itself.
    """
    lines = text.split("\n")
    if len(lines) > 1:
        targets = _suffix_targets(ctx, len(lines))
        for index in range(1, len(lines)):
            if not lines[index].strip():
                continue
            tail = [line for line in lines[index:] if line.strip()]
            if targets and targets[0][1] and _closes_own_bracket(lines[:index], tail[0]):
                # Compared with the rest of the cursor line (`{|}`), a `}` that closes a block
                # the completion opened (its body's last `if`) is no copy of the line's: it
                # went, and the accepted code left the `if` open.
                continue
            if len(tail) <= len(targets) and all(map(_same_line, tail, targets)):
                lines = lines[:index]
                break
        text = _join(lines)
    rest = ctx.line_suffix.rstrip()
    if rest.strip():
        text = _fit_before_rest(text, rest, ctx)
    return text if text.strip() else None


def _fit_before_rest(text: str, rest: str, ctx: PostContext) -> str:
    """The completion without what it re-typed of the rest of the cursor line, which stays
    after it: the longest start of the rest that the completion ends with whose cut leaves the
    line's brackets and strings as the rest alone leaves them. ``print(|)`` with ``len(xs)``:
    its ``)`` closes its own call and stays; ``print("|")`` with ``Hi!"``: its quote closes the
    string the rest already closes, and goes (it was kept, and the answer showed
    ``print("Hi!"")``); ``42;`` before ``;`` loses its ``;``, which no bracket or string tells
    apart (the shortest cut kept it: ``42;;``)."""
    scanner = _closable_brackets(ctx)[1]
    want = _shape(scanner, rest)
    kept = text.rstrip()
    cuts = [k for k in range(min(len(rest), len(kept)), -1, -1) if not k or kept.endswith(rest[:k])]
    # In a string or comment no bracket counts, and every cut would pass: the cut text's own
    # brackets, counted as plain characters, must balance first (``max(len(xs)`` in a comment
    # or an f-string's ``{sum(map(int, xs)}`` came out of ``max(|)``).
    for balanced in (True, False):
        for k in cuts:
            cut = kept[: len(kept) - k]
            if balanced and not _plain_balanced(cut):
                continue
            if _shape(scanner, cut + rest) == want:
                # The cut as written: rstripped, "not x" before "x" read "notx".
                return text if k == 0 else cut
    return text


def _plain_balanced(text: str) -> bool:
    return all(text.count(o) == text.count(c) for o, c in ("()", "[]", "{}"))


def _shape(scanner: _BracketScanner, text: str) -> tuple[str, int, tuple[str, ...], int]:
    """How ``text``, read from ``scanner``'s state, leaves the code: in a string or comment or
    not, in how many interpolations, the brackets it leaves open, and the closers it has no
    opener for."""
    scanner = copy.copy(scanner)
    opened: list[str] = []
    unmatched = 0
    for _, bracket in scanner.feed(text):
        if bracket in "([{":
            opened.append(bracket)
        elif opened:
            opened.pop()
        else:
            unmatched += 1
    return scanner.mode, len(scanner.interpolations), tuple(opened), unmatched


def _suffix_targets(ctx: PostContext, limit: int) -> list[tuple[str, bool]]:
    """The suffix's first non-blank lines; the flag marks the rest of the cursor line."""
    targets: list[tuple[str, bool]] = []
    for index, line in enumerate(_iter_lines(ctx.suffix)):
        if len(targets) >= limit:
            break
        if line.strip():
            targets.append((line, index == 0))
    return targets


def _statement(line: str) -> str:
    """A line without its indentation and its statement's end (`;` or `,`)."""
    return line.strip().rstrip(",;").rstrip()


def _closes_own_bracket(before: list[str], line: str) -> bool:
    """Whether ``line``, a line of bracket closers, closes a bracket that the completion's
    ``before`` lines opened and left open."""
    if not _CLOSER_ONLY.match(line.strip()) or line.strip()[0] not in ")]}":
        return False
    return _brackets_left_open("\n".join(_code_only(part) for part in before)) > 0


def _same_line(line: str, target: tuple[str, bool]) -> bool:
    other, partial = target
    if partial:
        return line.strip() == other.strip()
    if not _CLOSER_ONLY.match(line.strip()):
        # The statement's end is the model's choice (`return a + b` before `return a + b;`,
        # `"c": 3` before `"c": 3,`): kept, the line showed twice.
        return _statement(line) == _statement(other)
    # A lone `}` is only the suffix's `}` at the same depth; a deeper one closes the completion's
    # own block.
    return line.rstrip() == other.rstrip()


# ---------------------------------------------------------------------------------------------
# 5. cut_repetition

_REPEATED_LINE_RUN = 3


def cut_repetition(text: str, ctx: PostContext) -> str | None:
    """Cut a completion where the model starts looping.

    A line repeated three times in a row (ignoring spacing and a trailing `,` or `;`, but not
    indentation, so nested closers are safe) or a block of lines repeated right after itself
    keeps only its first copy. A completion that only re-types the line above the cursor is
    dropped.
    """
    lines = text.split("\n")
    if _repeats_previous_line(lines, ctx):
        return None
    # The first line sits after the cursor, so it is compared as the whole cursor line.
    whole = [ctx.line_prefix + lines[0], *lines[1:]]
    keyed = [(index, _loose(line)) for index, line in enumerate(whole) if line.strip()]
    cuts = [c for c in (_repeated_line(keyed), _repeated_block(keyed, lines)) if c is not None]
    if not cuts:
        return text
    return _join(lines[: min(cuts)])


def _loose(line: str) -> str:
    return _leading_ws(line) + re.sub(r"\s+", "", line).rstrip(",;")


def _repeated_line(keyed: list[tuple[int, str]]) -> int | None:
    run = 1
    for position in range(1, len(keyed)):
        run = run + 1 if keyed[position][1] == keyed[position - 1][1] else 1
        if run == _REPEATED_LINE_RUN and _runs_to_the_end(keyed, position):
            # Keep the first copy; everything from the second on is the loop.
            return keyed[position - _REPEATED_LINE_RUN + 2][0]
    return None


def _runs_to_the_end(keyed: list[tuple[int, str]], position: int) -> bool:
    """Whether the run of equal lines ending at ``position`` goes on to the end of the answer
    (a loop stops only at the token limit, maybe in the middle of a copy): equal lines with
    other code after them are the code's own (a 3x3 matrix of zeros, `x++` three times)."""
    key = keyed[position][1]
    after = [k for _, k in keyed[position + 1 :]]
    return all(k == key for k in after[:-1]) and (not after or key.startswith(after[-1]))


def _repeated_block(keyed: list[tuple[int, str]], lines: list[str]) -> int | None:
    count = len(keyed)
    last_index = len(lines) - 1
    for start in range(count):
        # The copy is the whole block again: a shorter one is only a shared end, as in two
        # sibling blocks that both end in `return;` and `}` (cut there, the last block lost
        # both).
        for size in range(2, (count - start) // 2 + 1):
            second = start + size
            if keyed[second][1] != keyed[start][1]:
                continue
            block = [key for _, key in keyed[start : start + size]]
            if not any(map(_has_word, block)) or len(set(block)) == 1:
                # One line over and over is _repeated_line's business, which asks that the run
                # go on to the end of the answer: four equal rows of a board before its `]`,
                # read as a block of two rows repeated, lost the last two.
                continue
            repeat = keyed[second : second + size]
            matched = True
            for offset, (index, key) in enumerate(repeat):
                expected = block[offset]
                if key == expected:
                    continue
                # The stream may stop in the middle of the repeated copy's last line, but a
                # lone closer is whole as it is: `}` after `} else {` ends the else branch.
                if index == last_index and expected.startswith(key) and _has_word(key):
                    continue
                matched = False
                break
            if matched:
                return keyed[second][0]
    return None


def _repeats_previous_line(lines: list[str], ctx: PostContext) -> bool:
    if len(lines) > 1 and not lines[0].strip():
        # The completion opens new lines below the cursor line, which is now the line above.
        new_lines = lines[1:]
        above = ctx.line_prefix if ctx.line_prefix.strip() else ctx.previous_line
    else:
        new_lines = [ctx.line_prefix + lines[0], *lines[1:]]
        above = ctx.previous_line
    if above is None or not _has_word(above):
        return False
    # The statement's end is the model's choice: `int x = 1` under `int x = 1;` is the same.
    written = [_leading_ws(line) + _statement(line) for line in new_lines if line.strip()]
    return bool(written) and all(line == _leading_ws(above) + _statement(above) for line in written)


# ---------------------------------------------------------------------------------------------
# 6. trim


def trim(text: str, ctx: PostContext) -> str | None:
    """Remove whitespace that would only add noise to the document.

    Trailing spaces and trailing blank lines go, except that the end is kept when code follows
    the cursor on the same line (the completion's last line then leads into it). A leading
    newline is kept when the cursor line already has text; on an empty line it would only add
    a blank line. After a space in the prefix, the completion's own leading spaces go.
    """
    lines = text.split("\n")
    last = lines[-1]
    lines = [line.rstrip() for line in lines]
    if ctx.line_suffix[:1] not in ("", " ", "\t"):
        if len(lines) > 1 and not last.strip():
            body = lines[:-1]
            while len(body) > 1 and not body[-1]:
                body.pop()
            lines = [*body, last]
        else:
            lines[-1] = last
    else:
        while len(lines) > 1 and not lines[-1]:
            lines.pop()
    if (
        len(lines) > 1
        and not lines[0]
        and not ctx.line_prefix.strip()
        and not ctx.line_suffix.strip()
    ):
        while len(lines) > 1 and not lines[0]:
            lines.pop(0)
        lines[0] = _strip_covered_indent(lines[0], ctx)
    elif ctx.line_prefix.strip() and ctx.line_prefix[-1:] in (" ", "\t"):
        lines[0] = lines[0].lstrip(" \t")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# 7. drop_useless


def drop_useless(text: str, ctx: PostContext) -> str | None:
    """Drop a suggestion that is empty, too short, or already in the document after the cursor."""
    if not text.strip():
        return None
    if sum(not c.isspace() for c in text) < ctx.min_length:
        return None
    if ctx.suffix.startswith(text):
        return None
    if not ctx.line_prefix.strip() or text.startswith("\n"):
        # Whole lines equal to the next lines of the document, modulo indentation; a lone
        # closer only at the same depth (see _same_line): a deeper `}` or `end` closes the
        # block the cursor is in, which the suffix leaves open (it was dropped before the
        # function's own `}` or `end`).
        lines = text.split("\n")
        first = lines[0] if ctx.line_prefix.strip() else ctx.line_prefix + lines[0]
        mine = [line for line in (first, *lines[1:]) if line.strip()]
        theirs = [(line, False) for line in islice((t for t in _iter_lines(ctx.suffix) if t.strip()), len(mine))]
        if len(theirs) == len(mine) and all(map(_same_line, mine, theirs)):
            return None
    return text


# ---------------------------------------------------------------------------------------------
# the pipeline

#: Line ends that leave a statement waiting for what comes next: a block's header, an open
#: bracket, an operator or a comma.
_WAITING_END = re.compile(r"(?:[:{(\[,\\=+\-*/&|]|=>|\band|\bor|\bnot)\s*$")


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
    while len(lines) > 1 and (not lines[-1].strip() or _WAITING_END.search(lines[-1])):
        lines.pop()
    return "\n".join(lines)


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
    ctx = ctx.lf
    result: str | None = text
    for name, run in FILTERS.items():
        if name in disabled:
            continue
        result = run(result, ctx)
        if result is None:
            return None
    return result.replace("\n", "\r\n") if crlf else result


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
    ctx = ctx.lf
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
    if quote not in ("", "line", "block") and kept.startswith(closer) and _leaves_string(text, ctx):
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
        closer = _INTERPOLATION_CLOSER[scanner.syntax.interpolation]
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


def _kept_closers(text: str, tail: str, ctx: PostContext) -> str:
    """``tail`` without the closing brackets ``text`` typed over (see :func:`kept_tail`)."""
    if not tail or not _line_closed(ctx):
        return tail
    scanner = _closable_brackets(ctx)[1]
    after_prefix = copy.copy(scanner)
    open_after = _open_after_prefix(ctx)
    own: list[str] = []
    typed_over = 0
    for pos, bracket in scanner.feed(text):
        if bracket in "([{":
            own.append(bracket)
        elif own:
            own.pop()
        else:
            closed_by = _closed_by_completion(open_after, text[pos:].partition("\n")[0], None)
            if closed_by is None:
                break
            typed_over += closed_by == "line"
    drop = typed_over - len(own)
    if drop <= 0:
        return tail
    closers = [pos for pos, bracket in after_prefix.feed(tail) if bracket in ")]}"]
    # The line's next closers must close what the completion left open.
    left_open = [_CLOSER_OF[bracket] for bracket in reversed(own)]
    if len(closers) < typed_over or [tail[pos] for pos in closers[drop:typed_over]] != left_open:
        return tail
    gone = set(closers[:drop])
    return "".join(c for pos, c in enumerate(tail) if pos not in gone)


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
