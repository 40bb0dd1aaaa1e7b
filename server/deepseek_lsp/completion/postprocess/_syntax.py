"""What each language's code looks like to the bracket scanner: its comments, strings and
brackets (:class:`_Syntax`, by language id)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ._layout_alignment import is_yaml


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
    # Triple-quoted strings are raw (Kotlin's, Scala's, C# 11's): a backslash escapes nothing,
    # so `"""C:\dir\"""` ends at its last quotes (read as an escape, the string ran on).
    raw_triple_quotes: bool = False
    # What opens code inside a double-quoted string (Kotlin's `"${x}"`, Swift's `"\(x)"`, the
    # shell's `"$(cmd)"` and `"${x:-word}"`): a string in there (`"${if (c) "}" else ""}"`) is
    # no end of the outer one.
    interpolation: tuple[str, ...] = ()
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
    # A block comment other than C's `/* */` (Haskell's `{- -}`): its opener's and its closer's
    # patterns. Read as code, a `1)` in one cut the completion inside it, and left the comment
    # open.
    other_block_comment: tuple[str, str] = ("", "")
    # The quotes whose strings run over lines (SQL's: a post's Markdown body in a seed
    # script); elsewhere a string ends at its line's end, so that a quote misread hides one line.
    multiline_quotes: tuple[str, ...] = ()
    # The quotes that open strings; another is code (Verilog's backtick opens a directive,
    # `define, and its `'` is a number's or a cast's, 8'hFF, '0, '{a, b}: read as strings,
    # they hid the brackets after them on their line).
    quotes: str = "\"'`"
    # A backtick's string runs over lines (CoffeeScript's embedded JavaScript, Julia's commands,
    # prose's code spans); elsewhere it is a name's (R's, Kotlin's, MySQL's) or a command's
    # (Perl's, Make's recipes') on one line, or no string at all (YAML's, TOML's text), and a
    # stray one (a help text's `IPV4', Perl's `s/\`//`) hid every bracket below it in the file.
    multiline_backticks: bool = False
    # What glued before a quote makes it a string's opener, not an apostrophe in a word
    # (Python's `f'`, `rb'`; SQL's `N'`, `E'`: a T-SQL `N'Done.'` read as a word's apostrophe
    # opened a string at its last quote, which ran over the lines below).
    # (C's and C++'s wide and Unicode characters too, `L'/'`, `u8'a'`: read as a word's
    # apostrophe, the character's closing quote opened a string that hid its line's `)`.)
    string_prefix: str = r"(?<![\w])(?:[rRbBuUfF]{1,2}|L|u8)$"
    # What glued before a quote makes its string one where a backslash escapes (PostgreSQL's
    # `E'it\'s'`, the shell's `$'\n'`; its unescaped quotes' backslash escapes nothing).
    escape_prefix: str = ""
    # Of ``multiline_quotes``, those whose strings nothing escapes in but after ``escape_prefix``
    # (SQL's, the shell's and PowerShell's single quotes: `'C:\dir\'` ends at its quote, read
    # as an escape the string ran on; `''` in one is a quote, read as its end and an opener).
    unescaped_quotes: str = ""
    # In those, MySQL's `\'` (SQL's: see ``_scanner._MULTILINE_STRING_END``); in the shell's and
    # PowerShell's a backslash is text (`'it'\''s'` ends at each quote).
    mysql_backslash_quotes: bool = False
    # What escapes the character after it in the other strings (and in code, ``code_escapes``):
    # PowerShell's backtick, `"a`"b"` (a backslash is text there: `"C:\dir\"` ends at its quote).
    escape_char: str = "\\"
    # CoffeeScript's and Julia's triple backticks open a string over lines that only three
    # close (a lone backtick in it, a template literal's or a command's, is text).
    triple_backticks: bool = False
    # What before a `{` with a space (read as a block's: `func() error {`) makes it a literal's
    # (Rust's struct `User {`, C#'s `new {` or `new User() {`): a limit's cut inside one passed
    # to a call kept its fields so far, the call left open (postprocess.within_closed_calls).
    literal_brace: str = ""
    # Elixir's sigils (`~r/\)$/`, `~w[a b]`, `~S"""..."""`) and character literals (`?(`):
    # text, up to the sigil's first closer not escaped (they do not nest).
    sigils: bool = False
    # Heredocs (Ruby's `<<~EOS`, PHP's `<<<EOT`; the shell's are its own): the opener's pattern
    # (its `w` group: the word) and the pattern of the line that ends the text (`{w}`: the
    # word). Their text begins on the next line, after the rest of the opener's line, which
    # is code (`expect(out).to eq(<<~TEXT)`); unknown, a `1)` in the text cut the completion.
    heredoc: tuple[str, str] = ("", "")
    # A backslash escapes the character after it in code too (CMake's unquoted `\"` and `\;`:
    # read as a quote, `-DX=\"${dir}\"` opened a string over the lines below).
    code_escapes: bool = False
    # What ends the code, the rest of the file being data (Perl's `__END__`, `__DATA__`, Ruby's
    # `__END__`): read as code, a template's fence there was taken for a chat answer's.
    end_of_code: str = ""
    # What glued before a quote makes its string interpolate (Python's `f"{x}"`): elsewhere
    # ``interpolated_quotes`` always do.
    format_prefix: str = ""
    # Perl's quote-like operators (`q{it's}`, `qw(a b)`, `m{^\(}`, `s{(}{[}g`, `tr/a(/b[/`):
    # text up to their delimiter's closer, over lines, a bracket delimiter nesting in them.
    perl_quotes: bool = False
    # The words after which a `/` opens a regexp literal, not a division (see regex_literals):
    # JavaScript's (`return /x/`) where empty.
    regex_keywords: frozenset[str] = frozenset()
    # A `#[` opens an attribute (PHP 8's `#[Route("/")]`), no line comment.
    hash_attributes: bool = False
    # A `?>` ends the code, the text after it up to a `<?` (`<?php`, `<?=`) being a template's
    # (PHP's inline HTML: read as code, a CSS `#id {` there was a comment hiding its `{`).
    inline_html: bool = False
    # Prose (Markdown, plain text): brackets open no scope but on the cursor's line (see
    # scope._limit_by_brackets).
    prose: bool = False


_DEFAULT_SYNTAX = _Syntax()


_HASH_SYNTAX = _Syntax(line_comments=("#",), block_comments=False, hash_at_line_start=False)

#: A generic's type arguments, six levels deep at most (``<string, List<int>>``; three missed
#: ``Dictionary<string, List<Dictionary<int, List<string>>>>``): read as ``<`` and anything to
#: a ``>``, each ``new X<`` of a long line was read to its end and back (3.5 s for 77 kB of
#: ``new Pair<A, B>``). Each level's characters exclude ``<``: no backtracking between them.
_TYPE_ARG = r"[^<>(){};]"


def _type_arguments(depth: int) -> str:
    inner = f"<{_TYPE_ARG}*>"
    for _ in range(depth - 1):
        inner = rf"<(?:{_TYPE_ARG}|{inner})*>"
    return inner


_TYPE_ARGUMENTS = _type_arguments(6)


# Data, not logic: only the languages whose comments or quotes differ from the C family.
_SYNTAX: dict[str, _Syntax] = {
    **dict.fromkeys(
        "r yaml toml makefile dockerfile".split(),
        _HASH_SYNTAX,
    ),
    # Lists of paths and settings led by `#` comments (VS Code's and Neovim's ids): a glob's
    # `**/*.log` or `/opt/app/*` is no C comment's opener. Read as one, it hid the brackets
    # below it, and a block cut at a limit ended before the line opening it (its first path).
    **dict.fromkeys(
        "ignore gitignore dockerignore gitattributes codeowners properties jproperties ini dosini dotenv"
        " pip-requirements requirements".split(),
        _HASH_SYNTAX,
    ),
    # Their text blocks, read as code, held a fence that was taken for a chat answer's (a
    # README written through a Perl heredoc, a job summary in a PowerShell here-string, a
    # script's manual in POD: from a `=word` first on a line to the end of a `=cut` line; a
    # `=cut` read in code closes a POD the scan started inside of (a window starting in a
    # sub's documentation): taken for an opener, the code below it was POD to the scanner).
    "perl": replace(
        _HASH_SYNTAX,
        # A quoted word is any text (`<<'.'`, `<<'--END OF IT--'`).
        heredoc=(
            r"""<<(?P<hd>~?)(?P<hq>['"`])?(?P<w>(?(hq)[^'"`\n]+|[A-Za-z_]\w*))(?(hq)(?P=hq))""",
            r"^[ \t]*{w}[ \t]*\r?$",  # (a CRLF file's `EOF\r` too)
        ),
        other_block_comment=(r"(?m:^)=(?!cut\b)[A-Za-z]", r"(?m:^)=cut\b[^\n]*"),
        end_of_code=r"(?m:^)__(?:END|DATA)__\b",
        # Its quote-like operators and regexps (`$x =~ /^\s*\(/`, `split /[(,]/`): read as
        # code, their brackets were counted and an apostrophe there opened a string.
        perl_quotes=True,
        regex_literals=True,
        # Its strings and commands run over lines (a usage message, an SQL statement, a shell
        # script): ended at the line's end, their next lines' text was code, a bracket there
        # counted and a `\"` there opened a string.
        multiline_quotes=('"', "'", "`"),
        regex_keywords=frozenset("split grep map if unless and or not return when while until x".split()),
    ),
    # Nim's `#[ ]#` nest, and its `##[ ]##` doc comments are block comments too. Its raw
    # strings, `r"C:\"` and a generalized one (`re"\d+("`, any name glued), hold `""` for a
    # quote; its triple quotes are raw too; `'('` is a character.
    "nim": replace(
        _HASH_SYNTAX,
        other_block_comment=(r"##?\[", r"\]#"),
        nested_comments=True,
        raw_string=(r'(?<![\w])[A-Za-z_]\w*(?P<d>")(?!"")', r"\g<d>"),
        raw_triple_quotes=True,
        char_literals=True,
    ),
    # OCaml's `(* *)` nest; its strings run over lines, `{|...|}` and `{id|...|id}` are quoted
    # strings, `'('` a character and `'a` a type variable; a backtick is a polymorphic
    # variant's (`` `Red ``). Read with C's rules, a comment's brackets were counted.
    "ocaml": _Syntax(
        line_comments=(),
        block_comments=False,
        hash_at_line_start=False,
        other_block_comment=(r"\(\*", r"\*\)"),
        nested_comments=True,
        multiline_quotes=('"',),
        raw_string=(r"\{(?P<d>[a-z_]*)\|", r"|\g<d>}"),
        char_literals=True,
        quotes="\"'",
    ),
    # Zig's multiline string lines (`\\ text` to the line's end) are read as its comments'
    # lines are, each line its own (as a string, a cursor in one took the line's end for its
    # closer); `'('` is a character.
    "zig": _Syntax(
        line_comments=("//", "\\\\"),
        block_comments=False,
        hash_at_line_start=False,
        char_literals=True,
        quotes="\"'",
    ),
    # CoffeeScript's `###` opens a block comment where no fourth `#` follows (a line comment).
    "coffeescript": replace(
        _HASH_SYNTAX,
        other_block_comment=("###(?!#)", "###"),
        multiline_backticks=True,
        triple_backticks=True,
        # Its `"#{...}"` is code whose strings nest, as Ruby's.
        interpolation=("#{",),
    ),
    # A here-string opens with `@"` (or `@'`) ending its line and ends with `"@` first on one.
    # `<# #>` is a block comment (a script's or a function's comment-based help, `.SYNOPSIS`):
    # read as code, its text's brackets and quotes were counted. Its strings run over lines
    # (a message's paragraphs); a backtick escapes in code and double quotes, and opens no
    # string (a line's continuation: `Get-Item `).
    "powershell": replace(
        _HASH_SYNTAX,
        heredoc=(r"""@(?P<w>["'])(?=[ \t]*(?:\r?\n|$))""", r"^{w}@"),
        other_block_comment=("<#", "#>"),
        multiline_quotes=('"', "'"),
        unescaped_quotes="'",
        escape_char="`",
        code_escapes=True,
        quotes="\"'",
    ),
    # Its `"$(f(")"))"` is code whose strings nest.
    "julia": replace(
        _HASH_SYNTAX,
        other_block_comment=("#=", "=#"),
        nested_comments=True,
        multiline_backticks=True,
        triple_backticks=True,
        interpolation=("$(",),
    ),
    # Their strings' `#{...}` is code whose strings nest (`"a #{f("(")}"`: read as the string's
    # end, the inner quote left the `(` open and the outer string's last quote opened one).
    "elixir": replace(
        _HASH_SYNTAX, sigils=True, interpolation=("#{",), interpolated_quotes=('"', "'", '"""')
    ),
    "ruby": replace(
        _HASH_SYNTAX,
        ruby=True,
        interpolation=("#{",),
        interpolated_quotes=('"',),
        heredoc=(
            r"""<<(?P<hd>[-~]?)(?P<hq>['"`]?)(?P<w>[A-Za-z_]\w*)(?P=hq)""",
            r"^[ \t]*{w}[ \t]*\r?$",  # (a CRLF file's `EOF\r` too)
        ),
        # Alone on its line (a Sinatra app's inline templates follow it).
        end_of_code=r"(?m:^__END__\r?$)",
    ),
    # A double-quoted string's `{$...}` is code whose strings nest (`"{$x[")"]}"`). Its `#`
    # comments run to the line's end anywhere (first on a line only, `# don't (` after code
    # opened a string and counted its bracket), but PHP 8's `#[` opens an attribute.
    "php": _Syntax(
        line_comments=("//", "#"),
        hash_at_line_start=False,
        hash_attributes=True,
        inline_html=True,
        heredoc=(r"""<<<[ \t]*(?P<hq>['"]?)(?P<w>[A-Za-z_]\w*)(?P=hq)""", r"^[ \t]*{w}\b"),
        interpolation=("{$",),
        interpolated_quotes=('"',),
    ),
    **dict.fromkeys(
        "shellscript bash sh zsh".split(),
        # Its strings run over lines (an awk or a Python program, a usage message).
        _Syntax(
            line_comments=("#",),
            block_comments=False,
            hash_at_line_start=False,
            shell=True,
            multiline_quotes=("'", '"'),
            unescaped_quotes="'",
            escape_prefix=r"\$$",
            # A command substitution in a double-quoted string is code whose quotes nest.
            interpolation=("$(", "${", "`"),
            interpolated_quotes=('"',),
            # A quote glued to a word is one (`cut -d' '`, `less' '4*)`): no apostrophe outside
            # strings, comments and heredocs.
            string_prefix="$",
        ),
    ),
    # An f-string's replacement field is code whose strings nest (3.12: in its own quote too,
    # `f"{'a' if c else "("}"`: read as its end, the `(` was counted).
    "python": _Syntax(
        line_comments=("#",),
        block_comments=False,
        hash_at_line_start=False,
        brace_blocks=False,
        interpolation=("{",),
        interpolated_quotes=('"', "'", '"""', "'''"),
        format_prefix=r"(?<![\w])(?:[fF][rR]?|[rR][fF])$",
    ),
    # No `#` comments: a `#` first on a line is a macro or a directive (`#Preview {`, `#if`).
    # Its raw strings end at their quotes and as many `#` (`#"{"key": 1}"#`, `##"a "# ("##`,
    # `#"""` at `"""#`): the quotes inside are text (read with one `#`, `##"` ended at its first
    # quote, and its `"#` opened a string over the rest of the line).
    "swift": _Syntax(
        hash_at_line_start=False,
        # Tried at a run's first `#` alone: at each of a run's, the rest of the run was read
        # again (64 kB of `#`: 20 s of CPU).
        raw_string=(r'(?<!#)(?P<d>#+)(?P<q>"(?:"")?)', r"\g<q>\g<d>"),
        interpolation=("\\(",),
        nested_comments=True,
    ),
    "kotlin": _Syntax(raw_triple_quotes=True, interpolation=("${",), nested_comments=True),
    # Its interpolators' splices (`s"${f("(")}"`, any name glued to the quote) are code.
    "scala": _Syntax(
        raw_triple_quotes=True,
        nested_comments=True,
        interpolation=("${",),
        format_prefix=r"(?<![\w])[A-Za-z_]\w*$",
    ),
    **dict.fromkeys(
        # VS Code's ids of .jsx and .tsx files too (read with C's rules, a regexp's `(` was
        # counted). A `#` first on a line is a private field's or method's (`#m(a) {`), no
        # directive's: read as one, its `(` and `{` were hidden.
        "javascript typescript tsx javascriptreact typescriptreact".split(),
        _Syntax(
            hash_at_line_start=False, regex_literals=True, interpolation=("${",), interpolated_quotes=("`",)
        ),
    ),
    # `--` comments: a bracket in a Lua comment cut completions (read with C's rules).
    "haskell": _Syntax(
        line_comments=("--",),
        block_comments=False,
        hash_at_line_start=False,
        other_block_comment=(r"\{-", "-}"),
        nested_comments=True,
    ),
    # SQL has C's `/* */` comments too (a `1)` in one cut the completion there).
    "sql": _Syntax(
        line_comments=("--",),
        hash_at_line_start=False,
        multiline_quotes=("'",),
        unescaped_quotes="'",
        mysql_backslash_quotes=True,
        # Also an upper-case keyword (`THEN'yes'`, `LIKE'%.'`): read as a word's apostrophe, the
        # string's closing quote after a `.` opened one over the lines below. Not a lower-case
        # one: a word glued to a quote is one in MySQL's `'I can\'t log in'` after its `\'`.
        string_prefix=(
            r"(?<![\w])(?:[nNeEbBxX]|THEN|ELSE|WHEN|AND|OR|NOT|IN|IS|LIKE|ILIKE|SELECT|VALUES"
            r"|AS|BY|SET|WHERE|RETURN|DEFAULT|ON|BETWEEN|FROM|INTO|LIMIT|COMMENT|RAISE|EXECUTE)$"
        ),
        escape_prefix=r"(?<![\w])[eE]$",
    ),
    "lua": _Syntax(
        line_comments=("--",),
        block_comments=False,
        hash_at_line_start=False,
        raw_string=(r"(?:--)?\[(?P<d>=*)\[", r"]\g<d>]"),
    ),
    # Its strings run over lines (a usage message; a `\` at a line's end goes on too): ended
    # at the line's end, the text's next lines were code, re-levelled and their brackets counted.
    "rust": _Syntax(
        char_literals=True,
        multiline_quotes=('"',),
        raw_string=(r'(?<!\w)[bc]?r(?P<d>#*)"', r'"\g<d>'),
        nested_comments=True,
        # A type's name is capitalised, a block's header's word seldom; but no literal is
        # allowed in an if's, while's, for's or match's head: `if n < MAX {` (a constant),
        # `else if c == Color::Red {` open blocks. The statement is what follows the last
        # `{`, `}` or `;`.
        literal_brace=(
            r"^(?:.*[{};])?(?![^{};]*\b(?:if|while|for|match)\b)[^{};]*"
            r"(?<![\w:])(?:\w+::)*[A-Z]\w*\s+$"
        ),
    ),
    "cpp": _Syntax(raw_string=(r'(?<!\w)(?:u8|[uUL])?R"(?P<d>[^()\\\s"]{0,16})\(', r')\g<d>"')),
    # C# 11's `"""` strings are raw_triple_quotes; in a verbatim one `""` is a quote.
    # An interpolated string's holes are code (`$"{(a ? "x" : "(")}"`).
    # A raw string of four quotes or more ends at as many (`""""a """ (""""`: read as a triple,
    # its `"""` ended it). A raw `$"""`'s holes are code too (`$"""{f("(")}"""`).
    "csharp": _Syntax(
        raw_triple_quotes=True,
        # (A run of `$` tried at its first alone: 64 kB of `$` took 2.4 s of CPU.)
        raw_string=(r'(?:(?<!\$)\$+@|@\$*)"|"(?P<d>"{3,})', '"\\g<d>'),
        interpolation=("{",),
        interpolated_quotes=('"', '"""'),
        # One `$`: under `$$"""` a hole is `{{...}}` and a lone `{` text (read as holes, its
        # text's brackets were counted), read as text whole.
        format_prefix=r"(?<!\$)\$$",
        literal_brace=(
            rf"\bnew\b(?:\s*[\w.]+(?:{_TYPE_ARGUMENTS})?(?:\[\s*\])?)?\s*"
            r"(?:\((?:[^()]|\([^()]*\))*\))?\s*$"  # its arguments: `new Point(1, 2) {`
        ),
    ),
    "go": _Syntax(raw_string=("`", "`")),
    # Their `"${f(")")}"` (Dart's single quotes' too) is code whose strings nest; Dart's
    # `r'C:\dir\'` is raw (read as an escape, its last quote opened a string).
    "dart": _Syntax(
        interpolation=("${",),
        interpolated_quotes=('"', "'", '"""', "'''"),
        raw_string=(r"""(?<![\w$])r(?P<d>'{3}|"{3}|['"])""", r"\g<d>"),
    ),
    "groovy": _Syntax(interpolation=("${",)),
    # C's comments and strings: known, a window inside a contract's NatSpec comment (`/** ...
    # */`) is read from the file's start, and a chat answer's fence in its code is no text.
    "solidity": _DEFAULT_SYNTAX,
    # A `#` is a delay's (`#10`) or a parameter list's (`#(.W(8))`), no directive's: Verilog's
    # directives start with a backtick.
    **dict.fromkeys(
        "verilog systemverilog".split(), _Syntax(hash_at_line_start=False, quotes='"')
    ),
    # CMake: a glob's `/*` (`file(GLOB S src/*.cpp)`) is no comment: read with C's rules from
    # the file's start (scan_states.py), it hid every bracket below it. `#[[ ]]` (with any
    # `=` between the brackets, as many in its closer) is a comment over lines. Its quoted
    # arguments run over lines too (a backslash escapes), and
    # an argument that starts with `[[` or `[=[` is raw text to its `]]` or `]=]` (a
    # generated header's `#include "a.h"` in one, read as a comment, hid the `])` after it).
    "cmake": replace(
        _HASH_SYNTAX,
        other_block_comment=(r"#\[(?P<cd>=*)\[", r"]\g<cd>]"),
        multiline_quotes=('"',),
        raw_string=(r"(?<![^\s(])\[(?P<d>=*)\[", r"]\g<d>]"),
        code_escapes=True,
    ),
    # Prose has no comments: a link's `https://` began a line comment (the model's `)` after
    # it went unseen, and the editor's was put back after it: `(https://x.org))`).
    **dict.fromkeys(
        "markdown plaintext".split(),
        _Syntax(
            line_comments=(),
            block_comments=False,
            hash_at_line_start=False,
            multiline_backticks=True,
            prose=True,
        ),
    ),
}


#: Neovim's names of filetypes VS Code calls otherwise (`vim.filetype.match`'s; the `coffee`
#: of vim-coffee-script), and MDX's (VS Code's `mdx`, Neovim's by a plugin): Markdown with JSX
#: and ES modules, its prose, fenced blocks and code spans Markdown's. Read as C, a list's `3)`
#: was taken for a scope's end and a fenced block's code for prose.
_NEOVIM_NAMES = {
    "make": "makefile",
    "ps1": "powershell",
    "text": "plaintext",
    "mysql": "sql",
    "coffee": "coffeescript",
    "mdx": "markdown",
}


def syntax_name(language: str | None) -> str:
    """The name of ``language``'s syntax in :data:`_SYNTAX`: a Neovim compound filetype's
    first part's (``sql.dbt``, ``perl.foo``; ``yaml.ansible``), YAML's for VS Code's own ids
    of YAML files (``github-actions-workflow``), VS Code's for Neovim's names (``make``). Read
    as C, a workflow's ``src/**`` opened a block comment that hid every bracket below it."""
    name = (language or "").lower()
    if name in _SYNTAX:
        return name
    if is_yaml(name):
        return "yaml"
    name = name.partition(".")[0]
    return _NEOVIM_NAMES.get(name, name)


#: A language without a syntax of its own here: C's, its backtick strings over lines (a Vue,
#: Svelte or HTML file's script holds JavaScript's template literals: ended at their line's
#: end, the text of the lines below was code, its brackets counted). Such a file is read from
#: the window's start: a stray backtick hides the window's rest, not the file's (C's kin read
#: from the file's start, scan_states.C_LIKE, have no backtick outside comments and strings).
_UNKNOWN_SYNTAX = replace(_DEFAULT_SYNTAX, multiline_backticks=True)


def _syntax_for(language: str | None) -> _Syntax:
    return _SYNTAX.get(syntax_name(language), _UNKNOWN_SYNTAX)


#: Comment forms of languages with block comments only, for a path's label (see ``path_label``).
_BLOCK_LABELS = {
    **dict.fromkeys("css scss less".split(), "/* {} */"),
    **dict.fromkeys("html xml svg".split(), "<!-- {} -->"),
}


def path_label(language: str | None, path: str) -> str:
    """The ``Path:`` line of a file in ``language`` that has no grammar, in its own comment form
    (``-- Path: q.sql``, ``# Path: Dockerfile``, ``/* Path: s.css */``), as a grammar's file's
    prompt starts: without it the model was told nothing of the file it wrote in. Empty for a
    language with no comment (plain text, Markdown) or none known here: a guessed ``//`` line
    would be text the model copies the style of."""
    name = syntax_name(language)
    form = _BLOCK_LABELS.get(name)
    if form is None:
        comments = _SYNTAX[name].line_comments if name in _SYNTAX else ()
        form = f"{comments[0]} {{}}" if comments else ""
    return form.format(f"Path: {path}") + "\n" if form and path else ""


def literal_brace(language: str | None) -> str:
    """What before a ``{`` with a space makes it a literal's in ``language`` (see
    ``_Syntax.literal_brace``); empty where nothing is known to."""
    return _syntax_for(language).literal_brace


def is_shell(language: str | None) -> bool:
    """Whether ``language`` is a shell's (its heredocs, `case` arms and `then`/`fi`)."""
    return _syntax_for(language).shell


def has_block_comments(language: str | None) -> bool:
    """Whether the language has ``/* ... */`` comments (the C family's rules by default)."""
    return _syntax_for(language).block_comments
