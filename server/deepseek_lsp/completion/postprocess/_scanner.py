"""The bracket scanner: brackets read outside strings and comments, in a language's syntax,
its state kept between feeds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._syntax import _Syntax


_CODE_TOKEN = re.compile(r"""[()\[\]{}]|"{3}|'{3}|["'`]|//|/\*|#|--""")


#: Where a string ends, by the quote that opened it (the scanner's mode in it).
_STRING_END = {
    **{
        q: re.compile(r"\\.|" + re.escape(q) + (r"|\n" if q in "\"'`" else ""), re.S)
        for q in ('"', "'", "`", '"""', "'''", "```")
    },
}


#: Where a backtick's string that runs over lines ends (see :attr:`_Syntax.multiline_backticks`).
_MULTILINE_BACKTICK_END = re.compile(r"\\.|`", re.S)


#: Where a string that runs over lines ends (see :attr:`_Syntax.multiline_quotes`): SQL's, where
#: a backslash escapes nothing (the standard's, SQL Server's, SQLite's, PostgreSQL's but in
#: `E'...'`). Read as an escape, `'\'` (`REPLACE(p, '\', '/')`) ran on past its quote over
#: every line below. But MySQL's backslash escapes, and where the text after its quote can
#: only be the string's, a word or a quote glued to it (`'it\'s ('`, `'\''`), so it is read:
#: no dialect is known from a language id (VS Code's is `sql` for all of them), and a T-SQL
#: or PostgreSQL path's `'C:\dir\'` has a space, a comma, a `)` or a line end after its quote.
#: Read as the string's end, `'it\'s ('` left its `(` open and its last quote opened a string
#: over the lines below.
_MULTILINE_STRING_END = {q: re.compile(rf"\\{q}(?=[\w{q}])|{q}") for q in ('"', "'")}


@cache
def _escaped_string_end(quote: str, escape: str, multiline: bool) -> re.Pattern[str]:
    """Where a string whose ``escape`` escapes the character after it ends: PowerShell's (a
    backtick), one over lines with backslash escapes (PostgreSQL's `E'...'`, CMake's)."""
    end = re.escape(quote) if multiline else re.escape(quote) + r"|\n"
    return re.compile(re.escape(escape) + ".|" + end, re.S)


_WORD_CHAR = re.compile(r"\w")


#: Where a string over lines that nothing escapes in ends (the shell's single quotes).
_PLAIN_STRING_END = {q: re.compile(q) for q in ('"', "'")}


#: The characters that escape in a string: a backslash, PowerShell's backtick.
_ESCAPE_CHARS = "\\`"


#: A C conditional's directive (`#if`, `# ifdef`, `#elif`, `#else`, `#endif`), after its `#`.
_CONDITIONAL = re.compile(r"[ \t]*(if(?:n?def)?|elif(?:n?def)?|else|endif)\b([ \t]+0\b)?")


_BRACKETS = frozenset("()[]{}")


#: What undoes a bracket: its closer, or for a closer its opener.
_UNDONE_BY = {"(": ")", "[": "]", "{": "}", ")": "(", "]": "[", "}": "{"}


def typed_bracket(text: str, pos: int, bracket: str) -> bool:
    """Whether a bracket the scanner yielded at ``pos`` of ``text`` is the text's own, not one
    that undoes a C conditional's branch (yielded at its `#else`)."""
    return text[pos : pos + 1] == bracket


def _reduced(brackets: str) -> str:
    """``brackets`` with each opener and the closer right after it gone (the closers left
    first, then the openers)."""
    kept: list[str] = []
    for bracket in brackets:
        if bracket in ")]}" and kept and kept[-1] in "([{":
            kept.pop()
        else:
            kept.append(bracket)
    return "".join(kept)


#: A C comment's opener, in a directive's line (the first: `// a /* b` opens no block).
_COMMENT_OPENER = re.compile(r"//|/\*")


#: The scanner's modes outside strings: code, comments, a heredoc.
_NO_STRING_MODES = frozenset(("", "line", "block", "<<"))


#: Where a raw triple-quoted string ends (see :attr:`_Syntax.raw_triple_quotes`).
_RAW_TRIPLE_END = re.compile(r'"""')


#: Where a string ends or code interpolated in it starts, by the interpolation's opener and the
#: string's quote (Kotlin's triple-quoted strings are raw: no escapes).
_INTERPOLATED_STRING_END = {
    (("${",), '"'): re.compile(r'\$\{|\\.|"|\n'),
    (("${",), '"""'): re.compile(r'\$\{|"""'),
    (("\\(",), '"'): re.compile(r'\\\(|\\.|"|\n'),
    (("\\(",), '"""'): re.compile(r'\\\(|\\.|"""'),
    (("${",), "`"): re.compile(r"\$\{|\\.|`"),
    # The shell's over lines, its command substitutions and parameter expansions code
    # (`"$(gettext "Don't")"`, `"${x:-"it's"}"`, `"`which "$c"`"`); one holding no quote,
    # brace, `$` nor escape, the most (`"${name}"`), is read as the string's text (7 % of the
    # time taken).
    (("$(", "${", "`"), '"'): re.compile(r'\$\{[^{}"\'`$\\]*\}|\$[({]|`|\\.|"', re.S),
    # Ruby's and Elixir's `"#{f("(")}"` (Elixir's heredoc and charlist too).
    **{(("#{",), q): re.compile(r"#\{|\\.|" + q + (r"|\n" if len(q) == 1 else ""), re.S) for q in ('"', "'", '"""')},
    # Dart's `'${f(')')}'`, escapes in its triple quotes too.
    **{(("${",), q): re.compile(r"\$\{|\\.|" + q, re.S) for q in ("'", "'''")},
    # PHP's `"{$x[")"]}"`.
    (("{$",), '"'): re.compile(r'\{\$|\\.|"|\n'),
    # Julia's `"$(f(")"))"`.
    **{(("$(",), q): re.compile(r"\$\(|\\.|" + q + (r"|\n" if len(q) == 1 else ""), re.S) for q in ('"', '"""')},
    # Python's f-strings (`{{` is a brace of the text; a backslash escapes none: `rf'\{{'`).
    **{(("{",), q): re.compile(r"\{\{|\{|\\[^{]|" + q + (r"|\n" if len(q) == 1 else ""), re.S) for q in ('"', "'", '"""', "'''")},
}


#: Where C#'s verbatim interpolated string (`$@"`) ends or a hole starts (`""` a quote, `{{` a
#: brace of the text).
_VERBATIM_HOLES_END = re.compile(r'""|\{\{|\{|"')


#: Interpolations nested deeper are the string's text: each opened copies those around it
#: (a tuple: the scanner is copied shallowly), and `"${"${"${...` thousands deep took ~1 s
#: for 64 kB. Real code nests a few.
_MAX_INTERPOLATIONS = 64


#: What closes an interpolation, by its opener.
_INTERPOLATION_CLOSER = {"${": "}", "\\(": ")", "$(": ")", "{": "}", "#{": "}", "{$": "}", "`": "`"}


#: A shell heredoc's opener, its word the second group: `<<EOF`, `<<-'EOF'`, `<<\EOF`, POD's
#: `<<=cut` (not a here-string's `<<<`). One pattern for every reader of the shell's text: the
#: indentation unit's read knew no `<<\EOF`, and a usage message in one set the unit.
SHELL_HEREDOC = r"""(?<!<)<<-?[ \t]*\\?(['"]?)([A-Za-z_=][\w=-]*)\1"""


# One word or alternatives (`-h|--help`, `-h | --help`, `--debug )`).
# The shell: escaped characters (`\"` outside quotes is a quote character, no string), quotes
# (a backtick is command substitution, code), comments, heredocs, and the `case`/`esac` words
# around case patterns.
_SHELL_CODE_TOKEN = re.compile(
    r"""\\.|[()\[\]{}]|["'`]|#|""" + SHELL_HEREDOC + r"""|\b(?:case|esac)\b"""
)


#: JavaScript: a `/` that is no comment may open a regexp literal.
_JS_CODE_TOKEN = re.compile(_CODE_TOKEN.pattern + r"|/")


#: What may come right before a JavaScript regexp literal (after anything else a `/` divides;
#: not `<` nor `>`, which JSX's tags put before a `/`).
_JS_REGEX_AFTER = frozenset("(,=:[!&|?{};+-*%~^")


#: A control statement's keyword right before its header's `(` (`if (`, `} else if (`, `for
#: await (`), not a method's (`.if(`) nor a longer name's (`if_(`).
_CONTROL_KEYWORD_BEFORE = re.compile(r"(?<![\w$.])(?:if|for|while|with)[ \t]*(?:await[ \t]*)?$")


#: What :data:`_CONTROL_KEYWORD_BEFORE` ends with (a blank's after it looked past): a `(`
#: after any other word opens no header, looked at no further.
_HEADER_WORDS = ("if", "for", "while", "with", "await", "\t")

#: The innermost `(` whose :attr:`_BracketScanner.header_bits` are kept.
_HEADER_BITS_KEPT = (1 << 64) - 1


#: How far back a Ruby `/`, `%` or `?` or a JavaScript `/` looks for its line's start.
_LINE_REACH = 4096


#: How far back a control header's `(` is looked for from its `)` (a condition over lines).
_HEADER_REACH = 1000


def _closes_control_header(text: str, close: int) -> bool:
    """Whether the `)` at ``close`` in ``text`` closes the header of an `if`, `for`, `while`
    or `with` (`x(); if (a)`, `if (a &&` then `b)` below): a statement starts after it. (Its
    strings are not read: a quoted bracket reads as no header, a division.)"""
    floor = max(0, close - _HEADER_REACH)
    opener, closer = text.rfind("(", floor, close), text.rfind(")", floor, close)
    depth = 0
    while opener >= 0:  # the brackets before it, last first
        if closer > opener:
            depth += 1
            closer = text.rfind(")", floor, closer)
        elif depth:
            depth -= 1
            opener = text.rfind("(", floor, opener)
        else:
            return _CONTROL_KEYWORD_BEFORE.search(text, max(0, opener - 24), opener) is not None
    return False


def _odd_backslashes(text: str, at: int) -> bool:
    """Whether an odd run of backslashes ends right before ``at`` (the character there escaped)."""
    run = at
    while run > 0 and text[run - 1] == "\\":
        run -= 1
    return (at - run) % 2 == 1


def _last_code_char(text: str, end: int, floor: int) -> int:
    """Where the last character before ``end`` that is no blank is (down to ``floor``), or -1."""
    at = end - 1
    while at >= floor and text[at] in " \t\r":
        at -= 1
    return at if at >= floor else -1


#: A line's end after which a `/` opens a regexp, and its line break (see _ended_line_tail).
_LINE_ENDED_BY = {sign: sign + "\n" for sign in _JS_REGEX_AFTER}


_JS_KEYWORDS_BEFORE_VALUE = frozenset("return typeof case do else in of new delete void throw yield await".split())


#: The word a `/` follows, a variable's name (`$x`, `@x`, `%x`) or a method's (`->x`) none.
_WORD_BEFORE = re.compile(r"(?<![\w$@%>])\w+$")


#: Perl's keywords that take a value (of its keywords.h): one glued to a quote opens a string
#: (`print'x ('`, `die'no'`, `$x eq'a'`), where a name's is Perl 4's package separator (`$main'x`).
_PERL_KEYWORDS_BEFORE_VALUE = frozenset(
    """print printf say die warn return split join lc uc lcfirst ucfirst eq ne lt gt le ge cmp x
    and or not xor if unless elsif while until push unshift open require use no local my our
    sprintf index rindex substr length defined exists delete ref bless chdir mkdir rmdir unlink
    system exec eval do glob opendir chomp chop chr ord hex oct pack unpack sort reverse grep map
    quotemeta exit readpipe""".split()
)


#: A word and the blanks after it, before a keyword: prose's (JSX's text, `Someone else's`),
#: where minified JavaScript has an operator, a bracket or another keyword (`}else'x'`).
_PROSE_WORD_BEFORE = re.compile(r"(?<![\w$.])(\w+)[ \t]+$")


_JS_REGEX_BODY = re.compile(r"(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\[\n])*/")


_RUBY_CODE_TOKEN = re.compile(r"""[()\[\]{}]|"{3}|'{3}|["'`]|#|/|%[qQwWiIrsx]?[^\w\s]|\?.""")


#: What may come right before a Ruby regexp literal (after it, a `/` divides).
_RUBY_REGEX_AFTER = frozenset("(,=~!|&{[;:+-*<>?%^")


_RUBY_KEYWORDS_BEFORE_VALUE = frozenset(
    "if unless when and or not return elsif while until then do puts print".split()
)


#: The letters of Ruby's percent literals that do not interpolate (`%q{#{a}`: text).
_RUBY_PLAIN_PERCENT = frozenset("qwis")


_RUBY_REGEX_END = re.compile(r"\\.|/[a-z]*|\n")


_PAIRED_DELIMITER = {"(": ")", "[": "]", "{": "}", "<": ">"}


def _extglob_group(depth: int) -> str:
    """An extglob's group, its `(` to its `)`: escapes and quotes are its text (`@([\\)])`,
    `@("a)"|b)`), and groups nest in it ``depth`` deep (`@(a|+(b|c))` one, `@(a|+(b|@(c)))`
    two). (Python's ``re`` has no recursion; a group deeper is read as brackets.)"""
    text = r"""\\.|"[^"\n]*"|'[^'\n]*'|[^()\n\\"']"""
    group = rf"\((?:{text})*\)"
    for _ in range(depth):
        group = rf"\((?:{text}|[@!?*+]{group})*\)"
    return group


class _CasePatterns:
    """The shell's case patterns, compiled at the first shell file's first `case`: 3-5 ms of
    CPU that no other language's start should pay."""

    def __init__(self) -> None:
        group = _extglob_group(2)
        # An extglob's group is the word's too (`@(a|b)`, `+([0-9])`, `*.!(md)`: `shopt -s
        # extglob`). Quoted words hold blanks (`*" -S "*)`), escaped characters any
        # (`*[\\\`\"\(\ ]*)`), a `$'...'` string its escaped quotes (`$'\''`), and an
        # arithmetic expansion or a substitution its brackets (`$((3 + $i)))`).
        word = (
            rf"""(?:[@!?*+]{group}|\\.|[^\s()|"'`\\$]|\$\(\([^()\n]*\)\)|\$\([^()\n]*\)"""
            r"""|\$'(?:\\.|[^'\\\n])*'|\$(?!')|"[^"\n]*"|'[^'\n]*')+"""
        )
        #: One word or alternatives (a line of them may go on from the line above: `-mt \`
        #: then `|-threads)`).
        self.pattern = re.compile(rf"\s*(?:\|\s*)?{word}(?:\s*\|\s*{word})*\s*")
        #: An extglob's group, matched at its `(`.
        self.group = re.compile(group)
        #: A pattern from its arm's start, up to its `)`.
        self.closed = re.compile(rf"\s*(?:\|\s*)?{word}(?:\s*\|\s*{word})*\s*\)")


@cache
def _case_patterns() -> _CasePatterns:
    return _CasePatterns()


def _arm_start(text: str, line_start: int, index: int, lo: int = -1, arm: int = -1) -> int:
    """Where the shell pattern before ``index`` starts on its line: after what it follows, the
    `in` of its `case`, the `;;` (`;&`, `;;&`) that ends the arm before it (`case $? in 0) ;;
    1) x ;; esac`); the last of them. (Not an alternative `in`: `inst|in|i)`.) Looked for
    backwards: a regexp from the line's start read the whole line again at each `)`. Only
    from ``lo`` where the start before it is known (``arm``)."""
    lo = max(lo, line_start)
    arm, start = (arm, lo - 3) if arm >= 0 else (line_start, line_start - 1)
    at = text.rfind(";;", lo, index)
    if at >= 0:
        start, arm = at, at + 3 if text[at + 2 : at + 3] == "&" and at + 3 <= index else at + 2
    at = text.rfind(";&", lo, index)
    if at >= 0 and at > start:  # (``start`` is below -1 where the last look began a line's start)
        start, arm = at, at + 2
    at = index
    while (at := text.rfind("in", max(lo + 1, start + 2), at)) >= 0:
        if at + 3 <= index and text[at - 1].isspace() and text[at + 2].isspace():
            return at + 3 if at - 1 > start else arm
    return arm


#: Elixir: a sigil's opener (its `sd` group: the delimiter), or a character literal (`?(`,
#: `?\)`; a `?` glued to a word ends a name: `empty?`).
_SIGIL = re.compile(r"""~(?:[a-z]|[A-Z][A-Z0-9]*)(?P<sd>"{3}|'{3}|[/|"'(\[{<])|(?<![\w?!])\?(?:\\.|\S)""")


#: Perl: a quote-like operator's name and its first delimiter (its `qd` or `qg` group): a
#: bracket, `/`, `|`, `!` or a quote, blanks allowed between; a few other signs glued. Not a
#: hash key (`q =>`, `{s}`), a method's or a variable's name (`->s(`, `$s`), a file test
#: (`-s $f`), a regexp's flag (`/x/s ? a : b`) or escape (`\s*` of one over lines), troff's
#: `.tr` (a manual's text in a string).
#: (Each name's letter first, what is before it looked back at from there: a look back first,
#: tried at every character, made Perl's scan a quarter slower, not a tenth.)
_NOT_AFTER = r"[\w$@%&*:>'/\\-]"
#: Nor a sub's name (`sub s {`, `sub y ($) {`) or a method's called after a blank (`$o-> s (1)`).
_NOT_NAMED = r"(?<!sub[ \t]{0})(?<!->[ \t]{0})"
_PERL_QUOTE_LIKE = (
    rf"(?P<qname>q(?<!{_NOT_AFTER}q){_NOT_NAMED.format('q')}[qwrx]?"
    rf"|[msy](?<!{_NOT_AFTER}[msy]){_NOT_NAMED.format('[msy]')}"
    rf"|t(?<![\w$@%&*:>'/\\.-]t){_NOT_NAMED.format('t')}r)"
    # Or at its line's end, the delimiter first on a line below (`qw` then `(a b)`).
    r"""(?:[ \t]*(?P<qd>[{(\[</|!'"])|(?P<qg>[#~^+,*@$%-]|:(?!:)|=(?![>=~]))|[ \t]*(?=\r?\n))"""
)


#: Perl's punctuation variables that look like a bracket or a quote: `$]` (the version), `$(`
#: and `$)` (the group ids), `$"` (the list separator), `$'` and `` $` `` (a match's after and
#: before): read as such, `if ($] < 5.008) {` closed its `(` and `local $" = ', ';` opened a
#: string. Not `$$)` (the process id, then a bracket). Nor their globs after no operand
#: (`$n*"2"` multiplies): `*"` (`local *" = ...`, English.pm's `*LIST_SEPARATOR = *" ;`), and
#: `*(` before an assignment's or a list's sign (`*GID = *( ;`; `2 *($x)` multiplies, and a
#: postfix dereference's `->@*)` closes).
_PERL_PUNCTUATION_VARIABLE = (
    r"""\$(?<!\$\$)[()\]"'`]|(?<![\w)\]}$@%&*])\*(?:["'`]|[()\]](?=\s*[;=,){]))"""
)


#: A sub's prototype or signature open before a `$)` or `$]` on its line (`sub f (;$) {`,
#: `sub g (\[$@]) {`): there they close its brackets.
_OPEN_PROTOTYPE = re.compile(r"\bsub\b[^;{}()]*\([^()]*$")
#: How far before a `$)` or `$]` its sub's `sub` is looked for.
_PROTOTYPE_REACH = 256


#: A regexp's flags after its closer (`m{x}s`, `s/a/b/gr`).
_REGEX_FLAGS = re.compile(r"[a-z]*")


#: The delimiters a Perl quote-like's name at a line's end takes first on a line below.
_DELIMITER_BELOW = frozenset("{([</|!'\"")


#: Perl's quote-likes with a second part (`s/a/b/`, `tr{a}{b}`).
_PERL_TWO_PARTS = frozenset(("s", "tr", "y"))


_NON_BLANK = re.compile(r"\S")


_CHAR_LITERAL = re.compile(r"'(?:\\[^'\n]{1,10}|[^'\\\n])'")


@cache
def _code_tokens(syntax: _Syntax) -> re.Pattern[str]:
    """What the scanner looks for in code: the language's raw string openers first (see
    :attr:`_Syntax.raw_string`; `r#"` before the `#`, `--[[` before the `--`)."""
    base = (
        _RUBY_CODE_TOKEN if syntax.ruby
        else _SHELL_CODE_TOKEN if syntax.shell
        else _JS_CODE_TOKEN if syntax.regex_literals
        else _CODE_TOKEN
    )  # fmt: skip
    pattern = base.pattern
    for marker in syntax.line_comments:
        if marker not in ("//", "#", "--"):
            pattern = f"{pattern}|{re.escape(marker)}"  # Zig's `\\` string lines
    if syntax.raw_string[0]:
        pattern = f"(?P<raw>{syntax.raw_string[0]})|{pattern}"
    if syntax.heredoc[0]:
        pattern = f"(?P<heredoc>{syntax.heredoc[0]})|{pattern}"
    if syntax.other_block_comment[0]:
        pattern = f"(?P<comment>{syntax.other_block_comment[0]})|{pattern}"
    if syntax.end_of_code:
        pattern = f"(?P<end>{syntax.end_of_code})|{pattern}"
    if syntax.sigils:
        pattern = f"(?P<sigil>{_SIGIL.pattern})|{pattern}"
    if syntax.perl_quotes:
        pattern = f"{pattern}|(?P<quotelike>{_PERL_QUOTE_LIKE})|(?P<variable>{_PERL_PUNCTUATION_VARIABLE})"
    if syntax.inline_html:
        pattern = rf"{pattern}|\?>"  # (no named group: one made PHP's scan an eighth slower)
    if syntax.triple_backticks:
        pattern = f"```|{pattern}"
    if syntax.code_escapes:
        pattern = f"(?P<escape>{re.escape(syntax.escape_char)}.)|{pattern}"
    return base if pattern == base.pattern else re.compile(pattern)


#: The scanner's :attr:`split` while it reads a template's text (see
#: :attr:`_Syntax.inline_html`), which a `<?php` or `<?=` ends: its mode stays code, a
#: template's lines holding its tags.
_INLINE_HTML = "?>"


#: How an opener that counts only first on a line starts (Perl's POD).
_LINE_START = "(?m:^)"


def _line_opener(m: re.Match[str], syntax: _Syntax) -> str:
    """What a code token ``m`` opens of the text that is no code (a block comment other than
    C's, or the data after the code's end): "line" where it opens only first on a line (Perl's
    POD, `__END__`), "any" elsewhere, "" for no such opener."""
    if m.lastgroup == "end":
        return "line"
    if m.lastgroup != "comment":
        return ""
    return "line" if syntax.other_block_comment[0].startswith(_LINE_START) else "any"


def _block_comment_delimiters(syntax: _Syntax) -> tuple[str, str]:
    """The patterns of a block comment's opener and closer."""
    return syntax.other_block_comment if syntax.other_block_comment[0] else (r"/\*", r"\*/")


@cache
def _block_comment_end(syntax: _Syntax) -> re.Pattern[str]:
    # A closer naming its opener's group (CMake's) is the scanner's ``comment_closer``; with
    # no opener read, any level closes.
    return re.compile(re.sub(r"\\g<\w+>", "=*", _block_comment_delimiters(syntax)[1]))


@cache
def _nested_comment_tokens(syntax: _Syntax) -> re.Pattern[str]:
    """The opener (its `open` group) or closer of a block comment, in one that nests."""
    opener, closer = _block_comment_delimiters(syntax)
    return re.compile(f"(?P<open>{opener})|{closer}")


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def _sigil_end(closer: str) -> re.Pattern[str]:
    """Where an Elixir sigil ends: its closer, not escaped (`~r/\\)$/`; `~S` too escapes it)."""
    return re.compile(r"\\.|" + re.escape(closer), re.S)


@cache
def _quote_like_end(opener: str, closer: str) -> re.Pattern[str]:
    """Where a part of a Perl quote-like operator ends: its closer not escaped, or an opener
    that nests (a bracket delimiter's: `q{a {b} c}`)."""
    nested = "|" + re.escape(opener) if opener != closer else ""
    return re.compile(r"\\.|" + re.escape(closer) + nested, re.S)


@cache
def _raw_string_end(closer: str) -> re.Pattern[str]:
    """Where a raw string ends, by its closer: in C#'s verbatim strings (the only raw ones
    closed by a lone `"`; Rust's `r""` never meets a second one) `""` is a quote, read as an
    escape."""
    return re.compile('""|"') if closer == '"' else re.compile(re.escape(closer))


@cache
def _raw_interpolated_end(closer: str) -> re.Pattern[str]:
    r"""Where a Swift raw string ends, by its closer (`"#`, three quotes and `##`), or code
    interpolated in it starts: `\#(` with as many `#` (`#"a \#(f(")")"#`; `\(` is its text)."""
    return re.compile(re.escape("\\" + closer.lstrip('"') + "(") + "|" + re.escape(closer))


class _BracketScanner:
    """Yields brackets outside strings and comments.

    The state survives between feeds so the completion is read in the state the prefix left
    (the cursor may be inside a string or a comment).
    """

    def __init__(self, syntax: _Syntax) -> None:
        self.syntax = syntax
        #: Looked up once: hashing the syntax at every feed (a line) took a tenth of the time.
        self.tokens = _code_tokens(syntax)
        #: And where a block comment ends (a nested one's opener too): a quarter of the C scan's
        #: lookups, each hashing the syntax, took 6 % of its time.
        self.comment_end = _block_comment_end(syntax)
        self.comment_tokens = _nested_comment_tokens(syntax) if syntax.nested_comments else self.comment_end
        self.mode = ""  # "" code, "line" / "block" comment, or the quote that closes a string
        self.line_blank = True  # the current line holds only whitespace so far
        self.parens = 0  # shell: parentheses open (a `)` closing one is no case pattern's)
        #: Shell: for each `case` open, the parentheses open when it began (a tuple: the
        #: scanner is copied shallowly). A `)` at that count ends a pattern, not a `(` before.
        self.case_parens: tuple[int, ...] = ()
        #: And the interpolations open when it began: one begun in a `"$(` ends its arms'
        #: patterns' `)` there (`"$(case $a in b) ...`), no end of the substitution.
        self.case_interpolations: tuple[int, ...] = ()
        #: Ruby: the holes of percent literals this scanner reads the code of is inside of.
        self.holes_in = 0
        #: The text being fed, a line start in it, how far the last `case` pattern's start was
        #: looked for on it and that start (see _case_arm); None between feeds.
        self._arm_memo: tuple[str, int, int, int] | None = None
        #: The line that ends the heredoc being read, and whether its text has begun (in the
        #: shell, mode "<<" from its opener on; elsewhere, from the end of the opener's line).
        self.heredoc_end: re.Pattern[str] | None = None
        self.heredoc_body = False
        #: The interpolations being read, innermost last: the quote of the string each is in,
        #: the brackets open in it, its opener and the closer of the raw string it is in (C#'s
        #: `$@"`; else "") (a tuple: the scanner is copied shallowly).
        self.interpolations: tuple[tuple[str, int, str, str], ...] = ()
        #: JavaScript: the end of the current line as fed so far, which tells whether a `/`
        #: at the start of the next feed opens a regexp (after `s.match(`) or divides; where it
        #: holds no code yet, the last line's end (`Math.sqrt(a` then `/ (n - 1)`), "" unknown.
        self.line_tail = ""
        #: JavaScript: for each `(` open, whether it opens a control statement's header (`if (`)
        #: (bits of an int: the scanner is copied shallowly), and whether the last `)` closed one: fed
        #: a line at a time, a header over lines has its `(` in a feed gone (`if (` then `ok`
        #: then `)`), and a `/` below its `)` opens a regexp, not a division.
        self.header_bits = 1  # a bit a `(`, innermost lowest, above a 1 (none open: 1)
        self.closed_header = False
        #: The closer of the raw string being read (see :attr:`_Syntax.raw_string`), else "".
        self.raw_closer = ""
        #: The closer of the block comment being read where its opener tells it (CMake's
        #: `]==]` for `#[==[`), else "": the language's pattern.
        self.comment_closer = ""
        #: The block comments open inside the one being read (see :attr:`_Syntax.nested_comments`).
        self.comment_depth = 0
        #: The string being read escapes with a backslash (see :attr:`_Syntax.escape_prefix`).
        self.escapes = False
        #: The string being read interpolates (see :attr:`_Syntax.format_prefix`).
        self.formats = False
        #: The text has shown MySQL's escapes (see _MULTILINE_STRING_END): from there on a
        #: backslash escapes in every string (`'get_lock(\'x\', 60)'`: its second `\'` too).
        self.mysql_escapes = False
        #: Past the end of the code (see :attr:`_Syntax.end_of_code`): text to the file's end,
        #: read as a block comment that never closes.
        self.data = False
        #: Perl: the quote-like operator being read (see :attr:`_Syntax.perl_quotes`): its part's
        #: opener ("" between `s{...}` and its second part's own), closer, the openers nested
        #: in it and the parts after this one.
        self.quote_like: tuple[str, str, int, int] | tuple[()] = ()
        #: The line comment being read is a C directive's (`#define`), which a backslash at a
        #: line's end goes on with.
        self.directive = False
        #: C's conditionals (`#if` ... `#else` ... `#endif`): the brackets the innermost one's
        #: branch being read left open or closed, reduced (closers then openers: `}` then `{(`),
        #: None outside any; and those of the ones around it, innermost last. Each branch is
        #: read from where its `#if` was: the brackets of the one before it are undone at its
        #: `#else` (each branch of `#ifdef X` `if (a) {` `#else` `if (b) {` opens the block).
        self.branch: str | None = None
        #: Those of the first branch of the innermost conditional that left a bracket open or
        #: closed, undone ("": none so far).
        #: None while an `#if 0`'s branch is read.
        self.undone: str | None = ""
        self.outer_branches: tuple[tuple[str | None, str | None], ...] = ()
        #: What the last feed ended with that the next one's first characters tell the meaning
        #: of: an escape character in a string (the prefix ends at `'it\`, the suggestion goes
        #: on `'s'`), or the `\'` that ended a string (MySQL's escape where a word or a quote
        #: comes next: `'it\'` typed, `s'` suggested), or PHP's `?>` before a template's text
        #: that goes on in the next feed.
        self.split = ""

    def feed(self, text: str) -> Iterator[tuple[int, str]]:
        pos, n = 0, len(text)
        syntax = self.syntax
        tokens = self.tokens
        shell = syntax.shell
        split = self.split
        regex_literals = syntax.regex_literals
        comment_end = -1  # where a line comment ended last
        pattern_end = -1  # the shell: where the case pattern an extglob was last found in ends
        #: The shell: by an arm's start on a line, where its pattern's `)` is (-1: none), read
        #: once for all the extglob groups in it.
        pattern_closes: dict[int, int] = {}
        if split and text:  # an empty feed (a suggestion's empty first line) tells nothing
            self.split = ""
            pos = self._after_split(split, text)
        while pos < n:
            mode = self.mode
            if not mode:  # code: the most read, tried first
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
                if token in _BRACKETS and not shell:
                    # (Read first: no other token is one character of these; the shell's
                    # brackets may end a case pattern.)
                    if self.interpolations and self._ends_interpolation(token):
                        continue
                    branch = self.branch
                    if branch is not None:
                        if token in "([{" or not branch or branch[-1] not in "([{":
                            self.branch = branch + token
                        else:
                            self.branch = branch[:-1]
                    if regex_literals:
                        # (Inline, a bit a `(`: a call and a tuple a bracket made JavaScript's
                        # scan a fifth slower.)
                        if token == "(":
                            word_end = start - 1 if text[start - 1 : start] == " " else start
                            header = text.endswith(_HEADER_WORDS, 0, word_end) and (
                                _CONTROL_KEYWORD_BEFORE.search(text, max(0, start - 24), start) is not None
                            )
                            bits = self.header_bits << 1 | header
                            if bits >> 128:
                                # Kept to the innermost as it grows: each push copied the
                                # whole (a line of 256 kB of `(`: 1.2 s of CPU).
                                bits = bits & _HEADER_BITS_KEPT | _HEADER_BITS_KEPT + 1
                            self.header_bits = bits
                        elif token == ")":
                            bits = self.header_bits
                            # (Its `(` before the scan's start: the text tells, _closes_control_header.)
                            self.closed_header = bits > 1 and bool(bits & 1)
                            self.header_bits = bits >> 1 or 1
                    yield start, token
                    continue
                if m.lastgroup == "escape":
                    continue
                if len(token) == 3 and token[0] in syntax.multiline_quotes:
                    # SQL has no triple quotes: `''''` is a string of one quote, read a quote
                    # at a time (as a triple, `'''` opened a string no other closed).
                    token, pos = token[0], start + 1
                if syntax.raw_string[0] and m.group("raw") is not None:
                    self.mode, self.raw_closer = token, m.expand(syntax.raw_string[1])
                    self.formats = token.count("$") == 1  # C#'s `$@"`: its holes are code
                    continue
                opener = _line_opener(m, syntax) if m.lastgroup else ""
                if opener:
                    if start == 0 and opener == "line" and not self.line_blank:
                        # The feed began mid-line (`$x` typed, `=foo(1);` suggested): no POD.
                        pos = start + 1
                        continue
                    self.mode, self.data = "block", m.lastgroup == "end"
                    if "\\g<" in syntax.other_block_comment[1] and not self.data:
                        self.comment_closer = m.expand(syntax.other_block_comment[1])
                    continue
                if syntax.sigils and m.group("sigil") is not None:
                    delimiter = m.group("sd")
                    if delimiter in ('"""', "'''"):
                        self.mode = delimiter  # a heredoc sigil (`~S"""`): read as one
                    elif delimiter:
                        self.mode, self.raw_closer = token, _PAIRED_DELIMITER.get(delimiter, delimiter)
                    continue  # else a character literal, passed
                if m.lastgroup == "variable":
                    # (A prototype is short: looked for from the line's start, a line of `$]`
                    # was read again at each.)
                    reach = max(0, start - _PROTOTYPE_REACH)
                    line_start = max(text.rfind("\n", reach, start) + 1, reach)
                    if token[1] in ")]" and _OPEN_PROTOTYPE.search(text, line_start, start):
                        pos = start + 1  # its bracket closes the prototype
                    continue
                if syntax.perl_quotes and m.group("quotelike") is not None:
                    delimiter = m.group("qd") or m.group("qg") or ""  # "": on a line below
                    closer = _PAIRED_DELIMITER.get(delimiter, delimiter)
                    parts = 1 if m.group("qname") in _PERL_TWO_PARTS else 0
                    self.mode, self.raw_closer, self.quote_like = token, closer, (delimiter, closer, 0, parts)
                    continue
                if syntax.heredoc[0] and m.group("heredoc") is not None:
                    if self._opens_heredoc(text, m):
                        word = re.escape(m.group("w"))
                        self.heredoc_end = re.compile(syntax.heredoc[1].format(w=word), re.M)
                        self.heredoc_body = False
                    else:
                        pos = start + 2  # Ruby's shift (`x<<FLAG`), `class <<self`
                    continue
                if syntax.ruby and token[0] in "/%?":
                    pos = self._ruby_literal_end(text, token, start, pos)
                    continue
                if token == "/":  # JavaScript's: a regexp literal or a division
                    pos = self._js_regex_end(text, start, pos)
                    continue
                if syntax.shell and token[0] == "\\":
                    continue
                if syntax.shell and self._in_parameter_expansion() and token not in "\"'`":
                    if token in "{}":
                        self._ends_interpolation(token)  # its braces nest, no block's
                    continue
                if syntax.shell and (token[0] == "<" or token[0].isalpha()):
                    line_before = text[text.rfind("\n", 0, start) + 1 : start]
                    if token[0] == "<":
                        if line_before.count("((") <= line_before.count("))"):  # `$((1<<bit))`
                            self.mode, self.heredoc_body = "<<", False
                            self.heredoc_end = re.compile(r"(?m)^\t*" + re.escape(m.group(2)) + r"[ \t]*\r?$")
                        continue
                    # A command word only (`--ignore-case`, `echo case` are no `case`).
                    command = not line_before.strip() or line_before.rstrip()[-1] in ";&|("
                    if command and token == "case":
                        self.case_parens += (self.parens,)
                        self.case_interpolations += (len(self.interpolations),)
                    elif command and token == "esac":
                        self.case_parens = self.case_parens[:-1]
                        self.case_interpolations = self.case_interpolations[:-1]
                    continue
                if syntax.shell and token in "()":
                    if token == ")" and self._ends_pattern_in_interpolation(text, start):
                        continue
                    if self._ends_interpolation(token):
                        # Back in the string a `"$(` left (a `"$x")` line's `)` in a `case` arm
                        # is no pattern's); a `(` is counted in its code.
                        continue
                    if token == "(" and (group := self._extglob(text, start, pattern_end, pattern_closes)):
                        pos, pattern_end = group  # the pattern's word's, no bracket
                        continue
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
                elif token in "()[]{}":  # the shell's
                    if not self._ends_interpolation(token):
                        yield start, token
                elif token in syntax.line_comments and not (
                    token == "#"
                    and start > 0
                    and (
                        (syntax.shell and text[start - 1] not in " \t\n;|&(")
                        # Perl's `$#list`, an array's last index
                        or (syntax.perl_quotes and text[start - 1] == "$")
                    )
                ) and not (
                    token == "#"
                    and (
                        (self.interpolations and self.interpolations[-1][2] == "{")
                        or (syntax.hash_attributes and self._php_hash_is_code(text, start, pos))
                    )
                ):
                    # (Nor a format spec's `#` in an f-string's field: `{n:#x}`.)
                    self.mode = "line"
                elif token == "/*" and syntax.block_comments:
                    self.mode = "block"
                elif token == "#":
                    if (
                        syntax.hash_at_line_start
                        and text[pos : pos + 1] not in "[!"
                        and self._blank_before(text, start)
                    ):
                        self.mode, self.directive = "line", True
                        conditional = _CONDITIONAL.match(text, pos)
                        if conditional is not None:
                            yield from self._conditional(conditional.group(1), start, bool(conditional.group(2)))
                elif token[0] in "\"'`" and token[0] not in syntax.quotes:
                    pos = start + 1  # no quote in this language (of a triple, the first)
                elif token == "--" or (token == "'" and not self._opens_quote(text, start)):
                    pass  # C's decrement; an apostrophe in a word
                elif token == "`" and syntax.shell:
                    # Command substitution: code, whose quotes are quotes; in a string, its end.
                    if self.interpolations and self.interpolations[-1][2] == "`":
                        quote, _, _, raw_closer = self.interpolations[-1]
                        self.mode, self.interpolations, self.raw_closer = quote, self.interpolations[:-1], raw_closer
                elif token == "'" and syntax.char_literals:
                    lit = _CHAR_LITERAL.match(text, start)
                    if lit:
                        pos = lit.end()
                elif token == _INLINE_HTML:
                    pos = self._inline_html_end(text, pos)
                elif token not in ("//", "/*"):
                    self.mode = token
                    self.escapes = bool(syntax.escape_prefix) and self._prefixed(
                        text, start, syntax.escape_prefix
                    )
                    # (a letter or C#'s `$` glued first: a string without one costs no search)
                    glued = text[start - 1 : start]
                    self.formats = (
                        bool(syntax.format_prefix)
                        and (glued.isalpha() or glued == "$")
                        and self._prefixed(text, start, syntax.format_prefix)
                    )
            elif mode == "line":
                end = text.find("\n", pos)
                if syntax.inline_html:
                    # PHP's `//` and `#` comments end at a `?>` (`// see ?> (` leaves `(` the
                    # template's text), as the code does.
                    close = text.find(_INLINE_HTML, pos, n if end < 0 else end)
                    if close >= 0:
                        self.mode, pos = "", self._inline_html_end(text, close + 2)
                        continue
                # A C directive goes on past a line ending with a backslash (a macro's body).
                while self.directive and end >= 0 and (
                    text[max(pos, end - 2) : end].rstrip("\r").endswith("\\") or (end == pos and split == "\\")
                ):
                    end = text.find("\n", end + 1)
                if self.directive and syntax.block_comments:
                    # A block comment begun on its line runs on below it (`#define N 1 /* (in`).
                    comment = _COMMENT_OPENER.search(text, pos, n if end < 0 else end)
                    if comment is not None and comment.group() == "/*":
                        self.mode, pos = "block", comment.end()
                        continue
                if end < 0:
                    if self.directive and text.rstrip("\r").endswith("\\"):
                        self.split = "\\"  # its line break comes in the next feed
                    pos = n
                    break
                self.mode, self.directive, pos = self._mode_at_line_start(), False, end + 1
                comment_end = end
            elif self.data:
                break
            elif mode == "block" and syntax.nested_comments:
                m = self.comment_tokens.search(text, pos)
                if m is None:
                    pos = n
                    break
                pos = m.end()
                if m.group("open") is not None:
                    self.comment_depth += 1
                elif self.comment_depth:
                    self.comment_depth -= 1
                else:
                    self.mode = ""
            elif mode == "block":
                m = self.block_comment_end().search(text, pos)
                if m is None:
                    pos = n
                    break
                # (back in the directive it was begun in: `#define N 1 /* a */ + 2`)
                self.mode, self.comment_closer, pos = "line" if self.directive else "", "", m.end()
            elif mode == "<<":
                pos = self._heredoc(text, pos)
            elif self.quote_like:
                pos = self._quote_like(text, pos)
            elif mode:
                # One line at most but where the language's strings run over lines (SQL's, the
                # shell's, PowerShell's, CMake's): a quote misread (a scan started inside a
                # string by a broken tree) must not hide the rest of the window.
                closer = self._string_end(mode)
                while True:
                    m = closer.search(text, pos)
                    if m is None:
                        if pos < n and text[-1] in _ESCAPE_CHARS:
                            self.split = text[-1]  # what it escapes comes in the next feed
                        pos = n
                        break
                    pos, found = m.end(), m.group()
                    if found[0] == "\\" and closer is _MULTILINE_STRING_END.get(mode):
                        self.mysql_escapes = True
                        closer = self._string_end(mode)
                    if found in syntax.interpolation or (len(found) > 2 and found[:2] == "\\#"):
                        if len(self.interpolations) >= _MAX_INTERPOLATIONS:
                            continue  # the string's text
                        # (Swift's raw `\#(` closes as its `\(`.)
                        hole = (mode, 0, syntax.interpolation[0] if found[0] == "\\" else found, self.raw_closer)
                        self.mode, self.interpolations, self.raw_closer = "", (*self.interpolations, hole), ""
                        break
                    # An escape (C#'s `""`: a quote) or a plain parameter expansion reads on;
                    # else the string is closed, or a one-line string cut by the newline.
                    if not (
                        (len(found) == 2 and (found[0] in _ESCAPE_CHARS or found in ('""', "{{")))
                        or found.startswith("${")
                    ):
                        self.mode = self._mode_at_line_start() if found == "\n" else ""
                        if (
                            pos == n
                            and syntax.mysql_backslash_quotes
                            and mode in syntax.unescaped_quotes
                            and not (self.escapes or self.mysql_escapes)
                            and (text[m.start() - 1 : m.start()] or split) == "\\"
                        ):
                            self.split = "\\" + mode  # MySQL's escape if a word comes next
                        self.raw_closer, self.escapes, self.formats = "", False, False
                        break
        self._arm_memo = None  # (the text not held by a state kept)
        last_nl = text.rfind("\n")
        tail = text[last_nl + 1 :]
        self.line_blank = (self.line_blank or last_nl >= 0) and not tail.strip()
        if syntax.regex_literals:
            if self.header_bits >> 64:  # (a bundle's brackets left open: no header's)
                self.header_bits = self.header_bits & _HEADER_BITS_KEPT | _HEADER_BITS_KEPT + 1
            if last_nl < 0:
                self.line_tail = (self.line_tail + tail[-16:])[-16:]
            elif tail and not self.line_blank:
                self.line_tail = tail[-16:]
            elif self.mode:
                self.line_tail = ""
            else:
                last = text[last_nl - 1 : last_nl] or self.line_tail[-1:]
                ended = _LINE_ENDED_BY.get(last)
                if ended is not None:
                    self.line_tail = ended  # (most lines: `;`, `{`, `}`: looked at no more)
                elif last in ("\n", "", "/") or comment_end == last_nl:
                    self.line_tail = ""  # a blank line, a comment's (`*/`): unknown
                else:
                    ended = self._ended_line_tail(self.line_tail, text, last_nl, comments=False)
                    self.line_tail = ended + "\n" if ended else ""

    def _conditional(self, word: str, at: int, zero: bool = False) -> Iterator[tuple[int, str]]:
        """Enters, goes on with or leaves a C conditional by its directive's ``word`` (see
        :attr:`branch`), yielding at ``at`` what undoes the branch before an `#else`, or at
        `#endif` what redoes the first that left a bracket open or closed where the last
        leaves none (`#ifdef __cplusplus` `extern "C" {` `#else` ... `#endif`). An `#if 0`'s
        branch (``zero``) is never compiled: undone, it is not redone (gpgrt.h's `extern "C" {`
        `#if 0` `}` `#endif`, a `}` to keep an editor's indentation)."""
        if word.startswith("if"):
            self.outer_branches = (*self.outer_branches, (self.branch, self.undone))
            self.branch, self.undone = "", None if zero and word == "if" else ""
        elif self.branch is None:
            return  # one begun before the scan
        elif word == "endif":
            inner = self.branch
            if self.undone is None:
                for bracket in reversed(inner):
                    yield at, _UNDONE_BY[bracket]
                inner = ""
            elif not inner and self.undone:
                inner = self.undone
                for bracket in inner:
                    yield at, bracket
            (self.branch, self.undone), self.outer_branches = self.outer_branches[-1], self.outer_branches[:-1]
            if self.branch is not None:
                self.branch = _reduced(self.branch + inner)
        else:
            for bracket in reversed(self.branch):
                yield at, _UNDONE_BY[bracket]
            self.undone, self.branch = (self.undone or self.branch) if self.undone is not None else "", ""

    def _string_end(self, mode: str) -> re.Pattern[str]:
        """What ends the string ``mode`` opened, or starts code interpolated in it."""
        if self.raw_closer:
            if self.formats and self.raw_closer == '"':
                return _VERBATIM_HOLES_END
            if mode[0] == "~":
                return _sigil_end(self.raw_closer)
            if self.raw_closer[-1] == "#" and self.syntax.interpolation == ("\\(",):
                return _raw_interpolated_end(self.raw_closer)
            return _raw_string_end(self.raw_closer)
        syntax = self.syntax
        interpolation = syntax.interpolation
        if interpolation and mode in syntax.interpolated_quotes and (self.formats or not syntax.format_prefix):
            return _INTERPOLATED_STRING_END[interpolation, mode]
        if mode in syntax.multiline_quotes:
            backslash = self.escapes or self.mysql_escapes
            if mode in syntax.unescaped_quotes and not backslash:
                return (_MULTILINE_STRING_END if syntax.mysql_backslash_quotes else _PLAIN_STRING_END)[mode]
            return _escaped_string_end(mode, "\\" if backslash else syntax.escape_char, True)
        if mode == "`" and syntax.multiline_backticks:
            return _MULTILINE_BACKTICK_END
        if mode == '"""' and syntax.raw_triple_quotes:
            return _RAW_TRIPLE_END
        if syntax.escape_char != "\\" and len(mode) == 1:
            return _escaped_string_end(mode, syntax.escape_char, False)
        return _STRING_END[mode]

    def _after_split(self, split: str, text: str) -> int:
        """Where to read ``text`` from after a feed that ended at ``split`` (see :attr:`split`)."""
        if split == _INLINE_HTML:
            return self._inline_html_end(text, 0)
        if self.quote_like:
            return 1  # a Perl quote-like's backslash escapes any character
        if self.mode in _NO_STRING_MODES:
            # A string closed at a backslash's quote (see _MULTILINE_STRING_END): escaped
            # where a word or a quote comes next (`'\''`: this quote ends the string).
            quote = split[1:]
            if quote and (text[:1] == quote or _WORD_CHAR.match(text)):
                self.mysql_escapes = True
                if text[:1] == quote:
                    return 1
                self.mode = quote
            return 0
        m = self._string_end(self.mode).match(split + text[:2])
        return 1 if m is not None and m.end() == 2 else 0  # its first character escaped

    def _inline_html_end(self, text: str, pos: int) -> int:
        """Past the template's text from ``pos`` (PHP's after `?>`): its `<?php` or `<?=` (read
        as code, a CSS `#id {` there was a comment hiding its `{`, and `:-) (` counted)."""
        end = text.find("<?", pos)
        if end < 0:
            self.split = _INLINE_HTML  # it goes on in the next feed
            return len(text)
        return end + 2

    def closing_quote(self) -> str:
        """What ends the string the scanner is in (its mode is a string's)."""
        return self.raw_closer or self.mode

    def interpolation_closer(self) -> str:
        """What closes the innermost interpolation being read ("": none)."""
        return _INTERPOLATION_CLOSER[self.interpolations[-1][2]] if self.interpolations else ""

    def _in_parameter_expansion(self) -> bool:
        """Whether the innermost interpolation is a shell parameter expansion in a string
        (`"${x:-word}"`): only its quotes and braces nest; a pattern's `(` or `#` is text
        (`"${y%%(*}"`, `"${a// #/-}"`), counted, it left the expansion open past its `}`."""
        return bool(self.interpolations) and self.interpolations[-1][2] == "${" and self.syntax.shell

    def _ends_interpolation(self, bracket: str) -> bool:
        """Whether ``bracket`` ends the interpolation being read (back in its string), keeping
        count of the brackets opened and closed in it."""
        if not self.interpolations:
            return False
        quote, depth, opener, raw_closer = self.interpolations[-1]
        if bracket in "([{":
            depth += 1
        elif depth:
            depth -= 1
        elif bracket == _INTERPOLATION_CLOSER[opener]:
            self.mode, self.interpolations, self.raw_closer = quote, self.interpolations[:-1], raw_closer
            self.formats = bool(self.syntax.format_prefix)  # back in an f-string
            return True
        self.interpolations = (*self.interpolations[:-1], (quote, depth, opener, raw_closer))
        return False

    def _leave_one_line_interpolations(self) -> None:
        """Past a line end, no interpolation of a one-line string is open (one misread must not
        hide the rest of the window): only those of a triple-quoted string go on, and a raw
        one's (Swift's `#\"\"\"`, C#'s `$@"`) but Swift's one-line `#"`'s."""
        multiline = ('"""', "'''", "`", *self.syntax.multiline_quotes)
        while self.interpolations and not (
            self.interpolations[-1][0] in multiline or self.interpolations[-1][3][:2] not in ("", '"#')
        ):
            self.interpolations = self.interpolations[:-1]

    def _mode_at_line_start(self) -> str:
        """The mode past a line end in code: in a heredoc whose opener's line it ends."""
        return "<<" if self.heredoc_end is not None else ""

    def _opens_heredoc(self, text: str, m: re.Match[str]) -> bool:
        """Whether a heredoc opener in code opens one: in Ruby, `x<<FLAG` shifts and `class
        <<self` opens a singleton class; a heredoc's word is capitalised by convention, unless
        `<<~`/`<<-` says so, after a space or `(`."""
        start = m.start()
        if self.syntax.perl_quotes:
            # Perl's `1<<index($f, $_)`, `$x<<EOF`: after an operand glued to it.
            return not start or not (text[start - 1].isalnum() or text[start - 1] in "_)]}")
        if not self.syntax.ruby:
            return True
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

    def _quote_like(self, text: str, pos: int) -> int:
        """Past the text of the Perl quote-like operator being read from ``pos``: to its
        closer, a bracket delimiter nesting, a backslash escaping; the second part of `s`,
        `tr` and `y` follows at once (`s/a/b/`) or after its own delimiter (`s{a} {b}`)."""
        opener, closer, depth, parts = self.quote_like
        n = len(text)
        while pos < n:
            if not opener:
                m = _NON_BLANK.search(text, pos)
                if m is None:
                    break
                if not closer and m.group() not in _DELIMITER_BELOW:
                    # No quote-like after all (`qw` a hash key: `qw\n => 1`): code from there.
                    self.mode, self.quote_like = "", ()
                    return m.start()
                opener, pos = m.group(), m.end()
                closer = _PAIRED_DELIMITER.get(opener, opener)
                continue
            m = _quote_like_end(opener, closer).search(text, pos)
            if self.syntax.ruby and self._interpolates():
                # Ruby's `#{...}` in a literal over lines is code whose strings nest (`%Q{` then
                # `a #{"}"} (`: read as its text, the quoted `}` closed the literal).
                hole = text.find("#{", pos, m.start() + 1 if m else n)  # (its `{` may be m)
                if hole >= 0 and not _odd_backslashes(text, hole):
                    pos = self._ruby_hole_end(text, hole + 2)
                    continue
            if m is None:
                if text[-1] == "\\":
                    self.split = "\\"  # what it escapes comes in the next feed
                break
            pos, found = m.end(), m.group()
            if len(found) == 2 and found[0] == "\\":
                continue
            if found == opener and opener != closer:
                depth += 1
            elif depth:
                depth -= 1
            elif parts:
                parts -= 1
                if opener != closer:
                    opener = ""  # the second part's own delimiter comes next
            else:
                self.mode, self.raw_closer, self.quote_like = "", "", ()
                return _REGEX_FLAGS.match(text, pos).end()
        self.quote_like, self.raw_closer = (opener, closer, depth, parts), closer
        return n

    def _ruby_literal_end(self, text: str, token: str, start: int, pos: int) -> int:
        """Where to go on scanning after a Ruby ``/``, ``%`` or ``?`` token: past the literal
        it starts, or right after its first character where it starts none (a division, a
        modulo, a ternary or a method name's ``?``)."""
        # Its line's start looked for so far back at most: from the line's start, each `?` of a
        # long line read it all again (64 kB of `?`: 2 GB read).
        reach = max(0, start - _LINE_REACH)
        line_start = text.rfind("\n", reach, start) + 1 or reach
        # What is right before it tells (its last word at most): the line copied at each `/`,
        # a long line of them took seconds.
        before = text[max(line_start, start - 64) : start].rstrip()
        if not before and start - 64 > line_start:
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
                    if operand:
                        return pos  # no regexp ends on this line: a division after all
                    return self._ruby_literal_over_lines(token, "/", pos)  # `P = /` then `/x`
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
        interpolates = token[1] not in _RUBY_PLAIN_PERCENT
        while end < len(text) and text[end] != "\n":
            c = text[end]
            if c == "\\":
                end += 2
                continue
            if c == "#" and interpolates and text[end + 1 : end + 2] == "{":
                end = self._ruby_hole_end(text, end + 2)
                if end == len(text) or text[end] == "\n":
                    # At its line's end in the hole: the literal goes on below, from here (read
                    # again from its start, each literal in such a hole was read twice, and
                    # `%Q{#{%Q{#{...` 14 deep took 0.16 s, each more twice that).
                    self._ruby_literal_over_lines(token, delimiter, pos)
                    self.quote_like = (delimiter, closer, depth - 1, 0)
                    return end
                continue
            if c == closer:
                depth -= 1
                if not depth:
                    return end + 1
            elif c == delimiter and closer != delimiter:
                depth += 1
            end += 1
        return self._ruby_literal_over_lines(token, delimiter, pos)

    def _interpolates(self) -> bool:
        """Whether the Ruby literal being read over lines interpolates (`%Q{`, `%W[`, `%(`,
        `%r{`, a regexp's `/`; not `%q`, `%w`, `%i`, `%s`)."""
        mode = self.mode
        return mode == "/" or (mode[:1] == "%" and mode[1:2] not in _RUBY_PLAIN_PERCENT)

    def _ruby_hole_end(self, text: str, start: int) -> int:
        """Where a `#{...}` hole of a Ruby percent literal whose code starts at ``start`` ends
        (past its `}`; its line's end if none): its code is read as code, its strings nesting
        (`%Q{a #{h["}"]} b}`: read as the literal's text, the quoted `}` closed it)."""
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        if self.holes_in >= _MAX_INTERPOLATIONS:
            return line_end  # (a scanner a hole: `%Q{#{%Q{#{...` thousands deep overflowed the stack)
        depth = 0
        hole = _BracketScanner(self.syntax)
        hole.holes_in = self.holes_in + 1
        for at, bracket in hole.feed(text[start:line_end]):
            if bracket in "([{":
                depth += 1
            elif depth:
                depth -= 1
            elif bracket == "}":
                return start + at + 1
        return line_end

    def _ruby_literal_over_lines(self, token: str, delimiter: str, pos: int) -> int:
        """Where to go on scanning after a Ruby literal that goes on past its line (`%r{` then a
        /x pattern's lines, `%w[` then words): read as a Perl quote-like is, its delimiter
        nesting (read as code, its text's brackets and quotes were counted)."""
        closer = _PAIRED_DELIMITER.get(delimiter, delimiter)
        self.mode, self.raw_closer, self.quote_like = token, closer, (delimiter, closer, 0, 0)
        return pos

    def _js_regex_end(self, text: str, start: int, pos: int) -> int:
        """Where to go on scanning after a JavaScript ``/`` at ``start``: past the regexp literal
        it opens (one line, a ``/`` in a character class is text), or right after it where it
        divides: after an operand (a name, a number, a closer, a string's quote)."""
        # Its line's start looked for a bounded way back (64 kB of `a / `: 512 M read).
        reach = max(0, start - _LINE_REACH)
        line_start = text.rfind("\n", reach, start) + 1 or reach
        # The code before it past its blanks (`a` then 20 blanks of alignment, then `/ b`: a
        # division, where the 16 characters before it alone read as the line's start).
        code = _last_code_char(text, start, line_start)
        before = text[max(line_start, code - 15) : code + 1] if code >= 0 else ""
        if not line_start:
            before = self.line_tail + before  # the line began in an earlier feed (`s.match(`)
        elif code < 0 and text[line_start - 1] == "\n":  # first on its line
            before = self._ended_line_tail(self.line_tail, text, line_start - 1)
        before = before.rstrip()
        if before and before[-1] not in _JS_REGEX_AFTER and not self._statement_starts_after(before, text, line_start, start):
            # (A keyword, no variable: Perl's `int($x / $base)`.)
            word = _WORD_BEFORE.search(before)
            if word is None or word.group() not in (self.syntax.regex_keywords or _JS_KEYWORDS_BEFORE_VALUE):
                return pos  # a division
        m = _JS_REGEX_BODY.match(text, pos)
        if m is None and self.syntax.perl_quotes and before and (before[-1] in "~(,=!|&?:[;" or before[-1].isalpha()):
            # Perl's match runs over lines (`=~ /` then `/x` lines below: after a keyword, `=~`, `=`, `(`
            # or `,`); a `/` first on its line still divides (`$n = $a` then `/ $b;`).
            self.mode, self.raw_closer, self.quote_like = "/", "/", ("/", "/", 0, 0)
        return m.end() if m else pos

    def _statement_starts_after(self, before: str, text: str, line_start: int, start: int) -> bool:
        """Whether a `/` after ``before`` (the code before it, stripped) starts an expression
        though an operand's last character ends ``before``: an arrow's `=>` (`s => /x/`) or the
        `)` closing the header of an `if`, `for` or `while` (`if (x) /x/`; its `(` may be on a
        line above in the same feed: `if (a &&` then `b) /x/`)."""
        if before.endswith("=>"):
            return True
        if before[-1] != ")":
            return False
        close = _last_code_char(text, start, 0)
        if close < 0:  # the `)` ended an earlier feed's line: the last one the scan met
            return self.closed_header
        return text[close] == ")" and (self.closed_header or _closes_control_header(text, close))

    def _ended_line_tail(self, head: str, text: str, end: int, comments: bool = True) -> str:
        """The end of the code line ``text`` ends at ``end`` (``head``: the tail fed before):
        what a `/` first on the next one follows (`Math.sqrt(a` then `/ (n - 1) );`: a
        division, read as a regexp to a comment's `/` below). Unknown ("": a regexp, as at a
        file's start) after a comment on it (looked for where ``comments``)."""
        floor = max(0, end - _LINE_REACH)  # (a long line above read back whole at each `/`)
        start = text.rfind("\n", floor, end) + 1 or floor
        if comments:
            for marker in (*self.syntax.line_comments, "*/"):
                if text.find(marker, start, end) >= 0:
                    return ""
        whole = bool(start) or head[-1:] in ("\n", "")
        close = _last_code_char(text, end, start)
        if close >= 0 and text[close] == ")" and (self.closed_header or _closes_control_header(text, close)):
            return ";"  # a statement starts below `if (x)`, `for (...)`, as below a `;`
        line = text[max(start, end - 16) : end]
        if not whole and len(line) < 16:
            line = (head.rpartition("\n")[2] + line)[-16:]  # the line began in an earlier feed
        return line.rstrip()

    def _ends_pattern_in_interpolation(self, text: str, index: int) -> bool:
        """Whether the shell's ``)`` at ``index`` ends the pattern of a ``case`` begun in the
        interpolation being read, no bracket opened since."""
        return (
            bool(self.interpolations and self.case_interpolations)
            and self.case_interpolations[-1] == len(self.interpolations)
            and self.parens == self.case_parens[-1]
            and self._ends_case_pattern(text, index)
        )

    def _extglob(
        self, text: str, index: int, pattern_end: int, pattern_closes: dict[int, int]
    ) -> tuple[int, int] | None:
        """Where the extglob's group the shell's ``(`` at ``index`` opens in a ``case`` pattern
        ends (`@(a|b))`, `!(x))`, `+([0-9]))`, `@(a|+(b|c)))`), and where the pattern does (its
        ``)``), or None: glued to its operator, the pattern it is in ending at a ``)`` on its
        line (read as a bracket, its `)` ended the pattern and the pattern's own `)` was
        counted). ``pattern_end``: the end of the pattern a group before was found in, which
        one after it in the same pattern is not read to again; ``pattern_closes``: the patterns
        read so far, by their arm's start. (Read from each group to the line's end, a line of
        groups that no `)` ends took 1.65 s for 16 kB: quadratic.)"""
        if not (index and text[index - 1] in "@!?*+" and self.case_parens and self.parens == self.case_parens[-1]):
            return None
        if index >= pattern_end:
            line_start, arm = self._case_arm(text, index)
            if line_start == 0 and not self.line_blank:
                return None  # the line began in an earlier feed: not known to be a pattern
            close = pattern_closes.get(arm)
            if close is None:
                pattern = _case_patterns().closed.match(text, arm)
                close = pattern_closes[arm] = pattern.end() - 1 if pattern else -1
            if close < index:
                return None
            pattern_end = close
        group = _case_patterns().group.match(text, index, pattern_end)
        return (group.end(), pattern_end) if group else None

    def _case_arm(self, text: str, index: int) -> tuple[int, int]:
        """The start of the line ``index`` is on and of the shell pattern before it there (see
        _arm_start), the line read backwards only to where the last call read it (a case's
        arms on one line, a line of extglob groups: looked back to its start at each `)`)."""
        memo = self._arm_memo
        if memo is not None and memo[0] is text and memo[2] <= index:
            _, line_start, read, arm = memo
            newline = text.rfind("\n", read, index)
            if newline >= 0:
                line_start = read = newline + 1
                arm = _arm_start(text, line_start, index)
            else:
                arm = _arm_start(text, line_start, index, max(line_start, read - 3), arm)
        else:
            line_start = text.rfind("\n", 0, index) + 1
            arm = _arm_start(text, line_start, index)
        self._arm_memo = (text, line_start, index, arm)
        return line_start, arm

    def _ends_case_pattern(self, text: str, index: int) -> bool:
        """Whether the ``)`` at ``index`` ends a shell ``case`` pattern: one word or
        alternatives before it on its line, no ``(`` (``prod*)``, ``a|b)``, ``-h | --help)``,
        ``*)``)."""
        line_start, arm = self._case_arm(text, index)
        if line_start == 0 and not self.line_blank:
            return False  # the line began in an earlier feed: not known to be a pattern
        return _case_patterns().pattern.fullmatch(text, arm, index) is not None

    def block_comment_end(self) -> re.Pattern[str]:
        """Where the block comment being read ends."""
        if self.comment_closer:
            return _pattern(re.escape(self.comment_closer))
        return self.comment_end

    def _php_hash_is_code(self, text: str, start: int, pos: int) -> bool:
        """Whether PHP's ``#`` at ``start`` opens no comment: PHP 8's attribute (`#[Pure]`), or
        after code but a statement's end a word glued to it (a template's inline CSS, `.a {
        color: #fff; }`: read as a comment, its `}` was hidden)."""
        after = text[pos : pos + 1]
        if after == "[":
            return True
        if not _WORD_CHAR.match(after) or self._blank_before(text, start):
            return False
        # A statement's end and a blank before it: a comment (`$x = 1; #TODO don't (`); CSS
        # has a colour after a `:` or a value (`1px solid #ccc`), a selector after a `}`
        # glued (`}#b{`).
        at = start
        while at and text[at - 1] in " \t":
            at -= 1
        return not (at < start and at and text[at - 1] in ";{})")

    def _blank_before(self, text: str, index: int) -> bool:
        # Back over the blanks only: looking back to the line's start at every token, a dump's
        # INSERT of 1 MB on one line took ~2 s to read (scan_states.py reads whole files).
        start = index
        while start and text[start - 1] != "\n" and text[start - 1].isspace():
            start -= 1
        if start and text[start - 1] != "\n":
            return False
        return start > 0 or self.line_blank

    def _opens_quote(self, text: str, index: int) -> bool:
        # An apostrophe glued to a word (it's, x') is not a quote, but f'..' / rb'..' are.
        if index == 0 or not (text[index - 1].isalnum() or text[index - 1] == "_"):
            return True
        if self.syntax.perl_quotes:
            # Perl's is one but before a name's first character, Perl 4's package separator
            # (`split' ', $v` opens a string, `$main'x` none), unless a keyword is glued to it
            # (`print'x ('`: Perl reads the keyword before a package's name).
            after = text[index + 1 : index + 2]
            if not (after.isalpha() or after == "_"):
                return True
            word = _WORD_BEFORE.search(text, max(0, index - 12), index)
            return word is not None and word.group() in _PERL_KEYWORDS_BEFORE_VALUE
        if self.syntax.regex_literals:
            # Minified JavaScript glues a string to a keyword (`case'"':`, `return'x'`); JSX's
            # text holds apostrophes (`<p>Don't</p>`), after a keyword too where a word that is
            # none and a blank come before it (`Someone else's {f(`: its brackets were hidden).
            word = _WORD_BEFORE.search(text, max(0, index - 12), index)
            if word is not None and word.group() in _JS_KEYWORDS_BEFORE_VALUE:
                prose = _PROSE_WORD_BEFORE.search(text, max(0, word.start() - 24), word.start())
                return prose is None or prose.group(1) in _JS_KEYWORDS_BEFORE_VALUE
        return self._prefixed(text, index, self.syntax.string_prefix)

    @staticmethod
    def _prefixed(text: str, index: int, prefix: str) -> bool:
        """Whether what is glued before the quote at ``index`` is ``prefix`` (a pattern)."""
        return bool(_pattern(prefix).search(text[max(0, index - 8) : index]))
