"""Golden tests for completion post-processing.

Every ``tests/golden/postprocess/<filter>/<case>.toml`` runs that filter alone; the cases under
``pipeline/`` run :func:`postprocess` end to end. Adding a data file adds a test.

A case holds ``description``, ``prefix`` and ``suffix`` (the cursor sits between them),
``completion`` (the raw model text) and either ``expected`` (the exact output) or
``dropped = true``. Optional: ``single_line``, ``from_chat``, ``indent_unit`` (default four
spaces), ``language``, ``min_length``, and ``disabled`` (filters to skip, pipeline only).
"""

from __future__ import annotations

import gc
import random
import sys
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.completion.postprocess import (
    FILTERS,
    PostContext,
    dedupe_choices,
    kept_tail,
    postprocess,
)
from deepseek_lsp.completion.postprocess._scanner import _BracketScanner
from deepseek_lsp.completion.postprocess._syntax import _syntax_for
from deepseek_lsp.languages import LanguageRegistry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "postprocess"
PIPELINE = "pipeline"
MIN_CASES = 4

REQUIRED = {"description", "prefix", "suffix", "completion"}
# min_length and disabled go beyond the basic case format: drop_useless and the pipeline need them.
OPTIONAL = {
    "expected",
    "dropped",
    "single_line",
    "comment_only",
    "from_chat",
    "indent_unit",
    "language",
    "min_length",
    "disabled",
    "cell_marker",
    "indent_known",
    "tab_width",
}

REGISTRY = LanguageRegistry.load()
CASES = sorted(GOLDEN.glob("*/*.toml"))


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        case = tomllib.load(fh)
    missing = REQUIRED - case.keys()
    unknown = case.keys() - REQUIRED - OPTIONAL
    assert not missing, f"{path}: missing {sorted(missing)}"
    assert not unknown, f"{path}: unknown keys {sorted(unknown)} (a typo?)"
    assert ("expected" in case) != bool(case.get("dropped")), (
        f"{path}: give either `expected` or `dropped = true`"
    )
    return case


def _context(case: dict[str, Any]) -> PostContext:
    return PostContext(
        prefix=case["prefix"],
        suffix=case["suffix"],
        indent_unit=case.get("indent_unit", "    "),
        single_line=case.get("single_line", False),
        comment_only=case.get("comment_only", False),
        from_chat=case.get("from_chat", False),
        language=case.get("language"),
        min_length=case.get("min_length", 1),
        cell_marker=case.get("cell_marker"),
        indent_known=case.get("indent_known", True),
        tab_width=case.get("tab_width", 0),
        # As the server has it: the language's own block opener (language.toml).
        block_opener=_block_opener(case.get("language")),
    )


def _block_opener(language: str | None) -> str | None:
    lang = REGISTRY.get(language) if language else None
    return lang.spec.block_opener if lang is not None else None


@pytest.mark.parametrize("path", CASES, ids=[p.relative_to(REPO).as_posix() for p in CASES])
def test_golden(path: Path) -> None:
    case = _load(path)
    ctx = _context(case)
    name = path.parent.name
    if name == PIPELINE:
        result = postprocess(case["completion"], ctx, disabled=case.get("disabled", ()))
    else:
        assert name in FILTERS, f"{path}: no filter named {name!r}"
        result = FILTERS[name](case["completion"], ctx)
    expected = None if case.get("dropped") else case["expected"]
    assert result == expected, case["description"]


def test_every_filter_has_golden_cases() -> None:
    for name in [*FILTERS, PIPELINE]:
        cases = list((GOLDEN / name).glob("*.toml"))
        assert len(cases) >= MIN_CASES, f"{name}: {len(cases)} golden cases, need {MIN_CASES}"


def test_golden_folders_name_filters() -> None:
    folders = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    assert folders <= {*FILTERS, PIPELINE}, f"unknown folders: {folders - {*FILTERS, PIPELINE}}"


def test_dedupe_choices() -> None:
    choices = [
        "return a + b",
        "",
        "return a + b",  # exact duplicate
        "   ",
        "return a + b  \n",  # same once stripped
        "return a - b",
        "\nreturn a - b",  # same once stripped
        "return sum((a, b))",
    ]
    assert dedupe_choices(choices) == ["return a + b", "return a - b", "return sum((a, b))"]
    assert dedupe_choices([]) == []


@pytest.mark.parametrize(
    ("line", "suffix", "text", "tail"),
    [
        # The completion types over the line's closer and goes on with the statement.
        ("    self.assertEqual(len(", "))\n", "parts), 3", ")"),
        ("    self.assertEqual(len(", "))\n", "parts), 3)", ""),
        ("    print(", ")\n", "x) # done", ""),
        # ... but a bracket it leaves open takes the line's closer.
        ("    i1, j1 = max(", ")\n", "i1, i2-n), max(j1, j2-n", ")"),
        ("  expect(", ");\n", "sum(1, 2)).toBe(3", ");"),
        # Its own pairs, and a bracket the line does not close, leave the line's closers alone.
        ("    print(", ")\n", "len(xs)", ")"),
        ("    x = foo(bar(", ")\n", "x)", ")"),
        ('    print("', '")\n', "a)", '")'),
        # A quote the user typed that the line does not close: the `)` after it is the
        # editor's, typed over by the completion's (it read `print("a"))`); Python's `'` too.
        ('    print("', ")\n", 'a")', ""),
        ("    print('", ")\n", "a')", ""),
        ('    print("', ")\n", "a", ")"),
    ],
)
def test_kept_tail_leaves_out_the_closers_the_completion_typed_over(
    line: str, suffix: str, text: str, tail: str
) -> None:
    language = "javascript" if "expect" in line else "python"
    ctx = PostContext(prefix=f"def f(self):\n{line}", suffix=suffix, language=language)
    assert kept_tail(text, ctx.line_suffix.rstrip(), ctx) == tail


@pytest.mark.parametrize(
    ("language", "prefix", "suffix", "text", "tail"),
    [
        # The closer after the cursor closes the innermost bracket, and the completion types over
        # it: the enclosing block's `{`, whose `}` is past the end of the suffix, is no bracket
        # of the line's (it read `int[] a = {1, 2};}`).
        ("java", "class A {\n    void f() {\n        int[] a = {", "}\n        g(a);\n", "1, 2};", ""),
        ("cpp", "void f(Out *out)\n{\n    out->Append({", "})\n    g(out);\n", " .o = 1 });", ""),
        ("python", "CONFIG = {\n    'a': {", "}\n    'b': 2,\n", "'x': 1},", ""),
        # A bracket of the cursor line that the line leaves open is open indeed.
        ("python", "def f():\n    x = foo(bar(", ")\n", "x), y", ")"),
    ],
)
def test_kept_tail_innermost_bracket_first(language: str, prefix: str, suffix: str, text: str, tail: str) -> None:
    ctx = PostContext(prefix=prefix, suffix=suffix, language=language)
    assert kept_tail(text, ctx.line_suffix.rstrip(), ctx) == tail


def test_kept_tail_types_over_a_swift_raw_string_s_closer() -> None:
    """In a raw string (`#"...`), the line's `"#` is the closer the completion typed over; the
    quotes inside it are text (its `"#` was kept: `#"{"a": 1}"#"#`)."""
    ctx = PostContext(prefix='func f() -> String {\n    let s = #"{"a": ', suffix='"#\n}\n', language="swift")
    assert kept_tail('1}"#', '"#', ctx) == ""
    assert kept_tail("1, ", '"#', ctx) == '"#'


@pytest.mark.parametrize(
    ("language", "prefix", "suffix", "text", "tail"),
    [
        # Rust's `r#"...`: its quotes are text, the line's `"#` is its closer (it read the `"`
        # before `}` as the string's end, and put the `#` back: `r#"{"a": 1}"##;`).
        ("rust", 'fn f() -> String {\n    let s = r#"{"a": ', '"#;\n}\n', '1}"#', ";"),
        ("rust", 'fn f() -> String {\n    let s = r#"{"a": ', '"#;\n}\n', "1, ", '"#;'),
        # C++'s `R"x(...`: ends at `)x"` only.
        ("cpp", 'void f() {\n    auto s = R"x(a ', ')x";\n}\n', '")" b)x"', ";"),
        # C#'s verbatim `@"C:\`: a backslash escapes nothing (the line's `"` came back: `\"";`).
        ("csharp", 'class A {\n  void F() {\n    var p = @"C:\\', '";\n  }\n}\n', 'temp\\"', ";"),
    ],
)
def test_kept_tail_types_over_a_raw_string_s_closer(
    language: str, prefix: str, suffix: str, text: str, tail: str
) -> None:
    ctx = PostContext(prefix=prefix, suffix=suffix, language=language)
    assert kept_tail(text, ctx.line_suffix.rstrip(), ctx) == tail


def test_disabled_filters() -> None:
    ctx = PostContext(prefix="x = ", suffix="", from_chat=True)
    fenced = "```python\n1\n```"
    assert postprocess(fenced, ctx) == "1"
    assert postprocess(fenced, ctx, disabled=["strip_fences"]) == "```python\n1\n```"
    with pytest.raises(ValueError, match="strip_fence"):
        postprocess(fenced, ctx, disabled=["strip_fence"])


def test_crlf_documents_keep_their_line_ends() -> None:
    ctx = PostContext(prefix="def f():\r\n", suffix="\r\n")
    assert postprocess("    return 1\r\n    \r\n", ctx) == "    return 1"
    ctx = PostContext(prefix="def f():", suffix="\r\n\r\ndef g():\r\n    pass\r\n")
    assert postprocess("\n    x = 1\n    return x\n", ctx) == "\r\n    x = 1\r\n    return x"


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_a_used_context_is_freed_at_once_not_by_the_garbage_collector(eol: str) -> None:
    """Every completion makes a context; one caught in a reference cycle is not freed when its
    request ends but waits, with hundreds of others, for a run of the cycle collector."""
    ctx = PostContext(prefix=f"def f(x):{eol}    return (x", suffix=f"){eol}")
    assert postprocess(f"x + 1){eol}", ctx) == "x + 1"
    ref = weakref.ref(ctx)
    gc.disable()
    try:
        del ctx
        assert ref() is None
    finally:
        gc.enable()


def test_context_helpers() -> None:
    ctx = PostContext(prefix="def f():\n    x = 1\n\n    return ", suffix="x\n", indent_unit="\t")
    assert ctx.line_prefix == "    return "
    assert ctx.line_suffix == "x"
    assert ctx.indentation == "    "
    assert ctx.previous_line == "    x = 1"
    assert ctx.recent_lines(2) == ["    x = 1", ""]
    assert ctx.width("\t  ") == 6
    assert ctx.render_indent(9) == "\t\t "


@pytest.mark.parametrize(
    ("line", "brackets"),
    [
        ("s =~ /}/", ""),
        ("x = s.split(/\\)/)", "()"),
        ("rule %r/}/, Str::Interpol, :pop!", ""),
        ("return nil if s =~ %r{\\}}", ""),
        ("return ?) if s.empty?", ""),
        ("rule(/\\*}/) { token Comment; pop! }", "(){}"),
        ("a = b / c / (d)", "()"),
        ("x = %w[a b] + [c]", "[]"),
        ("y = n % (2)", "()"),
        ("ok = x.empty? ? (1) : 2", "()"),
        ("items = %w[\n", ""),
    ],
)
def test_ruby_literals_hold_no_brackets(line: str, brackets: str) -> None:  # (one line each)
    # Regexps, percent and character literals: a `}` in `/}/` closed the method's block.
    scanner = _BracketScanner(_syntax_for("ruby"))
    assert "".join(b for _, b in scanner.feed(line)) == brackets


@pytest.mark.parametrize(
    ("text", "brackets", "mode"),
    [
        # A single-quoted string runs over lines and nothing escapes in it (`'\''` is a quote
        # in one); in `$'...'` a backslash escapes.
        ("x='a (\nb' ; f(", "(", ""),
        ("echo 'C:\\' ; f(", "(", ""),
        ("echo 'it'\\''s (' ; f(", "(", ""),
        ("IFS=$'\\n\\'' ; f(", "(", ""),
        ("printf '%s\n  (x)\n' a\nf(", "(", ""),
        # So does a double-quoted one (a usage message: its "don't" opened a string over
        # the rest of the file); a quote glued to a word is one (`cut -d' '`).
        ('usage="Usage: x [-k]\n  -k  keep (don\'t delete)\n"\nf(', "(", ""),
        ("v=$(cut -d' ' -f2 <f)\nf(", "()(", ""),
        # A command substitution in a double-quoted string is code, its quotes its own: the
        # apostrophe of `"$(gettext "Don't panic")"`, read as a word's glued quote, opened a
        # string over the rest of the file.
        ('msg="$(gettext "Don\'t panic")"\nf(', "(", ""),
        ('echo "$(printf "%s\'s (" a) [x"\nf(', "(", ""),
        ('x="$(\n  echo "it\'s" | tr (a) [b]\n)"\nf(', "()[](", ""),
        ('x="a \\$(b" (\nf(', "((", ""),
        ('x="$(echo "$(id -un)\'s")"; f(', "(", ""),
        # A `case` in one: its arm's `b)` is a pattern, no end of the substitution.
        ('x="$(case $a in\n  b) echo "b (" ;;\nesac)"\nf(', "(", ""),
        ('x="$(case $a in\n  (b) echo "b (" ;;\nesac)"\nf(', "()(", ""),
        ('case $a in\n  b) y="$(ls)" ;;\nesac\nf(', "(", ""),
        ('x="$( (case $a in\n  b) echo "b (" ;;\nesac) )"\nf(', "()(", ""),
        # So is a parameter expansion's word there (`"${x:-"it's"}"`): its quotes nest, and
        # read as the outer string's end, the apostrophe opened one over the rest of the file.
        # Its pattern's brackets are text (`"${y%%(*}"`); only its braces nest.
        ('echo "${x:-"it\'s"}"\nf(', "(", ""),
        ('echo "${x:-"a (b"}" [\nf(', "[(", ""),
        ('echo "${x:-"$(id -un)\'s"}"\nf(', "(", ""),
        ('echo "${y%%(*}" [\nf(', "[(", ""),
        ('echo "${arr[0]} (x" ; f(', "(", ""),
        ('x="${a:-{b}} (" ; f(', "(", ""),
        ('x="${a// #/-} (" ; f(', "(", ""),
        ("x=\"${a:-'(b'}\" ; f(", "(", ""),
        ('x="${rest%%\\\'*} (" ; f(', "(", ""),
        ('x="${a} ${b:-c} (" ; f(', "(", ""),
        # A heredoc opener in a comment opens nothing.
        ("# cat <<EOF\nf(", "(", ""),
        ("echo x # cat <<-'EOF' (\nf(", "(", ""),
        # A heredoc's word may be escaped (`<<\\EOF`) or hold a `=` (`: <<=cut`, POD).
        ("cat <<\\EOF\n{ it's (\nEOF\nf(", "(", ""),
        (": <<=cut\n=head1 it's (x\n=cut\nf(", "(", ""),
        # A backtick substitution is code: its quotes open and close strings.
        ('x=`echo "$y" | tr a b`', "", ""),
        ('x=`echo "', "", '"'),
        # A heredoc's text is no code (GNU's `prog --help' left the scanner in a "string").
        ("cat <<EOF\nTry `prog --help' (or [x\nEOF\nif [", "[", ""),
        ("cat <<-'END'\n\t) ]\n\tEND\nf(", "(", ""),
        ("cat <<EOF\nstill (text", "", "<<"),
        # A shift in arithmetic and a here-string open no heredoc.
        ("x=$((mask | 1<<bit))\nf(", "(())(", ""),
        ("tr a-z A-Z <<< word\nf(", "(", ""),
        # `case` as an argument or in an option opens no case (`--all)` closes the array).
        ("OPTS=(--ignore-case\n  --all)", "()", ""),
        ("(echo case\n  make)", "()", ""),
        # An array opened before a `case`: the case's patterns do not close it.
        ("OPTS=(\n  [A]=x\n  case $p in\n    -t|--id)\n  esac\n", "([]", ""),
        ("case $p in\n  x=$(cmd\n    arg)\n  -h | --help)\nesac\n", "()", ""),
        # A pattern after `in` or `;;` on its line, or holding a quoted blank: read as a
        # bracket, its `)` closed the `(` before the `case` (4 of 183 scripts' brackets).
        ("f() (\n  case $? in 0) ;; 124 | 137) exit 0 ;; *) x ;; esac\n", "()(", ""),
        ('f() (\n  case "$o" in\n    *" -S "*) ;;\n    \'a b\'|c) ;; "--all")\tx=6\n  esac\n', "()(", ""),
        ("case `(set -o) 2>/dev/null` in *posix*) set -o posix ;; esac\nf(", "()(", ""),
        # A pattern holding escaped quotes, backticks or brackets (libtool's ltmain.sh: a `)`
        # read as a bracket closed the function's `(`, its depth off over 1,250 lines).
        ("f() (\n  case $1 in\n    *[\\\\\\`\\\"\\$]*)\n      x ;;\n  esac\n", "()([]", ""),
        ("f() (\n  case $a in\n    *[\\[\\(\\)\\{\\}\\|\\ \\\t]*|*]*|\"\")\n      y ;;\n  esac\n", "()([]]", ""),
        # Alternatives holding the word `in` (`inst|in|i)`: read from after it, `|i` was no
        # pattern), or going on from the line above (`-mt \` then `|-threads)`).
        ("f() (\n  case $m in\n    install|inst|in|i)\n      x ;;\n  esac\n", "()(", ""),
        ("f() (\n  case $a in\n    -mt|-pthread \\\n    |-threads|-qsmp=*)\n      x ;;\n  esac\n", "()(", ""),
        # Or an arithmetic expansion or a substitution (`$((3 + $i)))`, devlink's completion).
        ("f() (\n  case $c in\n    $((3 + $i)))\n      x ;;\n    $(g a)|b)\n      y ;;\n  esac\n", "()((())()", ""),
        # A backtick substitution in a double-quoted string is code whose quotes nest, as a
        # `"$(...)"`'s are (xdg-utils' `"`grep -E "^Exec(\[[^]=]*])?=" "$f"`"`: read as the
        # string's end, its pattern's brackets were counted: depth off to the file's end).
        ('c="`grep -E "^Exec(\\[[^]=]*])?=" "$f" | cut -d= -f 2-`"\nf(', "(", ""),
        ('if [ x"`readlink -f "$c"`" = x"$b" ]; then f(', "[](", ""),
        ('x="a `echo "(" ` b (" ; f(', "(", ""),
    ],
)
def test_shell_quotes_heredocs_and_case_patterns(text: str, brackets: str, mode: str) -> None:
    scanner = _BracketScanner(_syntax_for("bash"))
    assert "".join(b for _, b in scanner.feed(text)) == brackets
    assert scanner.mode == mode


@pytest.mark.parametrize(
    ("language", "text", "brackets", "mode"),
    [
        # Perl's heredocs: their text's brackets are text, the code after their word is code.
        ("perl", 'print <<"EOF";\nSee (a [b\nEOF\nf(', "(", ""),
        ("perl", "print <<~EOT;\n    1) x\n    EOT\nf(", "(", ""),
        ("perl", "print <<EOF . x(1);\nstill (text", "()", "<<"),
        ("perl", "my $m = 1 << $n;\nf(", "(", ""),
        # PowerShell's here-strings end at their quote and @ first on a line.
        ("powershell", '$s = @"\n1) (x\n"@\nf(', "(", ""),
        ("powershell", "$s = @'\n[x\n  '@ not yet\n'@\nf(", "(", ""),
        ("powershell", '$h = @{ a = "x" }\nf(', "{}(", ""),
        # Its strings run over lines; in a double-quoted one a backtick escapes (`"a`"b"`)
        # and a backslash is text (`"C:\dir\"` ends at its quote), in a single-quoted one
        # nothing escapes ('' is a quote): read as C's, their quotes hid the code after them.
        ("powershell", '$a = "a`"b (x"; f(', "(", ""),
        ("powershell", '$p = "C:\\dir\\"; f(', "(", ""),
        ("powershell", "$p = 'C:\\dir\\'; f(", "(", ""),
        ("powershell", "$q = 'it''s (\nx) more'\nf(", "(", ""),
        ("powershell", '$m = "one (\n  x) `"two`" [\n"\nf(', "(", ""),
        ("powershell", '$e = """quoted (x""" + "a""b"; f(', "(", ""),
        ("powershell", 'Write-Host `"a`" (x) `\n  -Force; f(', "()(", ""),
        ("powershell", "$s = @'\nit's (\n'@\n$t = @\"\n`\"x [\n\"@\nf(", "(", ""),
        # Its <# #> block comments (a script's comment-based help): the text is no code.
        ("powershell", "<#\n.SYNOPSIS\n  Installs it (see \"docs\n#>\nf(", "(", ""),
        ("powershell", "<# (a #> f(1) # (\ng(", "()(", ""),
        # Julia's #= =# comments nest; a # line comment is still one.
        ("julia", "#= a (\n#= b [ =#\nc { =#\nf(", "(", ""),
        ("julia", "x = 1 # (\nf(", "(", ""),
        # Perl's POD: from a `=word` first on a line to the end of a `=cut` line.
        ("perl", "=pod\nSee f( [x\n=cut (still pod\nf(", "(", ""),
        ("perl", "=head1 NAME (x\n\nstill [pod\n", "", "block"),
        ("perl", "if ($x == 2) {\n    $y =~ s/a/b/;\n", "(){", ""),
        # A =cut in code closes a POD the scan started inside of: no opener.
        ("perl", "of the manual\n\n=cut\n\nsub add {\n    f(", "{(", ""),
        # Perl's __END__ or __DATA__ first on a line: the rest of the file is data, not code.
        ("perl", "sub f { 1 }\n__END__\nThis (is [data\n", "{}", "block"),
        ("perl", "sub f { 1 }\n__DATA__\nname: it's (x\n=cut\nf(\n", "{}", "block"),
        ("perl", "warn 'x' if $l eq '__END__';\nf(", "(", ""),
        # CMake: a glob's `/*` is no comment, `#` one anywhere, `#[[ ]]` one over lines.
        ("cmake", "file(GLOB S src/*.cpp) # it's (\n#[==[ a (\n]==]\nf(", "()(", ""),
        # Its closer has as many `=` as its opener: `]]` in a `#[==[` comment (a bracket
        # argument quoted in it) closes nothing.
        ("cmake", "#[==[ set(x [[a]]) (\nstill [ ]=] (\n]==]\nf(", "(", ""),
        ("cmake", "#[=[ a ]==] (\n", "", "block"),
        # Its quoted arguments run over lines (a backslash escapes), its bracket arguments
        # (`[[...]]`, `[=[...]=]`, an argument's start only) are raw text over lines: read as
        # code, a `#include` in one hid the `])` that closes the call.
        ("cmake", 'set(M "a (\\" [\nb #x")\nf(', "()(", ""),
        ("cmake", 'file(WRITE h [[#include "a.h" (\n]])\nf(', "()(", ""),
        ("cmake", "set(x [=[ a ]] (\n]=] )\nf(", "()(", ""),
        ("cmake", "set(x [==[ ( \n", "(", "[==["),
        ("cmake", "set(v a[[b)\nf(", "([[)(", ""),
        # A backslash escapes in code too: `\"` in an unquoted argument opens no string.
        ("cmake", 'set(F -DX=\\"${d}\\")\nf(', "({})(", ""),
        # YAML, Make, R, Perl have no backtick string over lines (R's backtick names,
        # Make's recipes' command substitutions, Perl's qx are one line's): a help text's
        # `IPV4' (TeX's quotes) opened one that hid the brackets of the 100 lines below.
        ("yaml", "help: Default is `IPV4'.\nrun: f(x)\nargs: [a, (b", "()[(", ""),
        ("makefile", "x = `date\nall: $(OBJ)\n\tcc $(", "()(", ""),
        ("r", "`my var` <- c(1,\n  f(`a", "((", "`"),
        ("r", "`my (var <- 1\nf(", "(", ""),
        ("perl", "$t =~ s/\\`/\\\\\\`/g;\nf(", "(", ""),
        # Perl's quote-like operators and regexps: their text's brackets and quotes are text
        # (a bracket delimiter nests in them), over lines; `s`, `tr` and `y` have two parts.
        ("perl", "my $s = q{it's (} . qq(a [ (b)) . q[x];\nf(", "(", ""),
        ("perl", "my @w = qw/a ( b/;\nmy @v = qw(\n  a [b\n);\nf(", "(", ""),
        ("perl", "if ($x =~ m{^\\s*\\(}) { f(", "(){(", ""),
        ("perl", "$x =~ s{\\(}{[}g; $y =~ s {a} /(/x;\nf(", "(", ""),
        ("perl", "$x =~ tr/a(/b[/; $y =~ y/(//; $z =~ tr[a-z] [A-Z];\nf(", "(", ""),
        ("perl", "my @p = split /[(,]/, $s; f(1) if /^\\s*\\(/ && m/'/s ? g( : 0;", "()(", ""),
        ("perl", "my $r = qr{\n  ^ ( \\w+ \n", "", "qr{"),
        ("perl", "my $d = ($o =~ m,(.*)[/\\\\],s ? \"$1/\" : '');\n@h{qw,a (b,} = qw,x\n  y [z,;\nf(", "(){}(", ""),
        # Not a hash key (`q =>`, `{s}`), a variable or a method (`$s`, `->y(`), a file test.
        ("perl", "my %h = (q => 1, s => [2]); $h{y} = -s $f; $o->y(1); $s / 2; f(", "([]){}()(", ""),
        # An array's last index (`$#list`, `$#{$r}`, `$#$r`) is no comment: read as one, the
        # `) {` after `0 .. $#list` was hidden and the loop's `(` left open.
        ("perl", "for my $i (0 .. $#list) {\n    my $n = $#{$r} + $#$s; f(", "(){{}(", ""),
        # Its strings run over lines (a usage message): ended at the line's end, their next
        # line's text was code, its bracket counted and a quote there opened a string.
        ("perl", "my $x = 'a (\nb [c'; g(", "(", ""),
        ("perl", 'print "Usage: (\n  it\'s [x\n"; g(', "(", ""),
        ("perl", "my $y = 'it\\'s (\n\\\\'; g(", "(", ""),
        # A sub named s, q, y or tr is no quote-like (`sub s {`, its prototype), nor a method
        # called with a space (`$o-> s (1)`); a hash key neither (controls).
        ("perl", "sub s {\n    f(1);\n}\nsub y ($) { }\nsub tr { [1] }\ng(", "{()}(){}{[]}(", ""),
        ("perl", "sub q\n{ 1 }\n$o-> s (1); $h{s} = $h{ y }; %h = (s => 1, tr => [2]); g(", "{}(){}{}([])(", ""),
        # Its punctuation variables `$]` (the version), `$(` and `$)` (the group ids) are no
        # brackets: counted, `if ($] < 5.008) {` closed the `(` and the `{` before it.
        ("perl", "if ($] < 5.008) { f($), $( ) }\nmy @g = (split ' ', $) )[0]; g(", "(){()}()[](", ""),
        # But in a prototype or a signature they close it (`sub f (;$) {`, `(\[$@])`).
        ("perl", "sub f (;$) { }\nsub g ($$);\nsub h (\\[$@]) { }\nk(", "(){}()([]){}(", ""),
        # So do its commands (a shell script in backticks): a `\"` on their next line, read
        # in code, opened a string over the rest of the file.
        ("perl", 'my @o = `cc=\\"$c\\"\n  f=\\"(\\"`;\ng(', "(", ""),
        # A heredoc's quoted word is any text (`<<'.'`, `<<'--END OF IT--'`); `1<<index(` and
        # `$x<<EOF` shift.
        ("perl", "my $p = <<'--END OF IT--';\n.de Sp \\\" (can't\n--END OF IT--\ng(", "(", ""),
        ("perl", "eval 'sub f(' . $p . ') {' . <<'.';\n  x(1);\n}\n.\ng(", "(", ""),
        ("perl", "$n |= (1<<index($f, $_)); $m = $x<<EOF;\ng(", "(())(", ""),
        # Any sign glued is a quote-like's delimiter (`s*a*b*e`, `m-/Debug-i`, `s@(a)@b@`, RCS's
        # `qw$Revision: 1.1 $`).
        ("perl", "$s =~ s*([^$u])* e($1) *ego; $c =~ m-/D(-i; $p =~ s@^(//)@/@s;\ng(", "(", ""),
        ("perl", "$R = (qw$Revision: 1.11 $)[-1]; $x = $y*2 + $s%3 - $y-1; g(", "()[](", ""),
        # A match over lines (`/x`, a comment in it) after `=~`, `(` or `split`: read as a
        # division, its `(` was counted.
        ("perl", "if ($l =~ /\n    ^ \\s* (\\w+)  # a word (\n    /x) {\nf(", "(){(", ""),
        ("perl", "my @f = split /\n  [(,]  # it's\n /x, $s;\n$n = $a\n  / $b; g(", "(", ""),
        ("perl", "for (@l) {\n  my ($a) = / ^ (.+?) \\t\n    (.*?) /x; $n = $h{a} / 2; f(", "(){(){}(", ""),
        # `*"` is the glob of `$"` (the list separator), `*(` of `$(`: no string, no bracket.
        ("perl", 'local *" = sub { 1 };\n*"= \\$x; *{"main::x"} = 1; *GID = *( ;\n*EGID = *);\nf(', "{}{}(", ""),
        ("perl", "sub f (*) { }\nsub g (\\*) { 2 *($x) }\nfor ($h{$b}->@*) { $r->$* }\nh(", "(){}(){()}({}){}(", ""),
        # A quote glued to a word opens a string (`split' ', $v`), but before a name's first
        # character, Perl 4's package separator (`$main'x`): read as an apostrophe, its closer
        # opened a string over the lines below (B/Deparse.pm's `split' '`, its `}` unseen).
        ("perl", "if ($v) {\n  @n = split' ', $v;\n}\nf(", "(){}(", ""),
        ("perl", "$main'x = f($main'y); g(", "()(", ""),
        # A quote-like's delimiter may come on the next line (`qw` alone on its line).
        ("perl", "my @w = qw\n  (a [ b);\nmy $s = q\n{a ( b};\n$x =~ s\n{a(}\n{b}g;\nf(", "(", ""),
        ("perl", "my %h = (qw\n  => 1, s\n  , 2); f(", "()(", ""),
        # JavaScript's private fields and methods (`#x`, `#m(a) {` first on a line) are code,
        # no directive's: read as one, the `(` and `{` of 24 of 3,000 node_modules files were
        # hidden.
        ("javascript", "class A {\n  #x = 1;\n  #m(a) {\n    return a;\n  }\n}\nf(", "{(){}}(", ""),
        ("typescript", "class A {\n  #m(a: T) {\n  }\n}\n#!/no\nf(", "{(){}}(", ""),
        # VS Code's ids of .jsx and .tsx files are JavaScript's and TypeScript's: read with C's
        # rules, a regexp's `(` was counted and a template literal's `${...}` ended it.
        ("javascriptreact", "const r = /[(]/g; const t = `a ${f(`(`)} (`; g(", "()(", ""),
        ("typescriptreact", "const re = /^\\s*\\)/;\nconst el = <p>{f(`(`)}</p>; g(", "{()}(", ""),
        # Minified JavaScript glues a string to the keyword before it (`case'"':`,
        # `return'x'`): read as a word's apostrophe, its closer opened a string and the quotes
        # after it were read inverted (json5's and js-yaml's .min.js); JSX's text is no string.
        ("javascript", "switch(c){case'\"':case\"'\":return H='\"'===W(),f(", "(){()(", ""),
        ("typescript", "function q(c){return'\"'+typeof'('+c}f(", "(){}(", ""),
        ("javascriptreact", "const p = <p>Don't go</p>;\nf(", "(", ""),
        # A `/` first on a line after an operand divides (`Math.sqrt(a` then `/ (n - 1) );
        # // Bessel's`): read as a regexp to the comment's `/`, its brackets went unseen.
        ("javascript", "return Math.sqrt(a\n  / (n - 1) ); // it's\nf(", "(())(", ""),
        ("javascript", "x = 1;\n/[(]/.test(s) && f(", "()(", ""),
        # A C directive goes on over lines ending with a backslash (a macro's body): its first
        # line's `{` hidden and the next lines' `}` counted, 206 of 3,000 system headers'
        # brackets did not balance.
        ("c", "#define F(x) do { \\\n    g(x); \\\n} while (0)\nint f(", "(", ""),
        ("c", "#define A(x) (x) \\\r\n  + (1\n#error it's\nf(", "(", ""),
        # A block comment begun on a directive's line runs over the lines below it (read as
        # code, its text's `)` was counted), the directive going on after it.
        ("c", "#define N 1 /* the size (in\n   bytes) */ + (2\n#if X // a /* b (\nf(", "(", ""),
        # Each branch of a conditional is read from where its `#if` was (the brackets of the one
        # before undone at its `#else`): each opening the block, it was counted twice.
        ("c", "#ifdef X\n  if (a) {\n#else\n  if (b) {\n#endif\n    f();\n  }\ng(", "(){}(){()}(", ""),
        ("c", "#if A\n  x = f(1,\n# elif B\n  x = g(2,\n#else\n  x = h(3,\n#endif\n    4);\n", "()()()", ""),
        ("cpp", "if (a) {\n#ifdef X\n} else if (b) {\n#else\n} else {\n#endif\n  y();\n}\n", "(){}(){}{}{()}", ""),
        ("c", "#ifndef H\n#if A\n  f(1,\n#endif\n#else\n  [\n#endif\nint g(", "()[(", ""),
        # A wide or Unicode character (`L'/'`, `u8'a'`) is one, no apostrophe in a word.
        ("cpp", "auto p = s.find(L'/'); auto q = f(u8'(', U')', 1'000);\ng(", "()()(", ""),
        # A branch opening what another conditional closes (C++'s `extern "C" {`), the one after
        # it none: its brackets stand.
        ("c", '#ifdef __cplusplus\nextern "C" {\n#define C(t, v) static_cast<t>(v)\n#else\n#define C(t, v) (t)(v)\n'
         "#endif\nint f(void);\n#ifdef __cplusplus\n}\n#endif\n", "{}{()}", ""),
        # An `#if 0`'s branch is never compiled: its brackets are undone at its end (a `}` to
        # keep an editor's indentation), an `#else` after it read as the code.
        ("c", '#ifdef __cplusplus\nextern "C" {\n#if 0\n}\n#endif\n#endif\nint f(void);\n'
         "#if 0\nvoid g() {\n#else\nvoid g(int a) {\n#endif\n  h(a);\n}\n#ifdef __cplusplus\n}\n#endif\n",
         "{}{()(){}(){()}}", ""),
        # An `#else` of an `#if` before the scan's start undoes nothing.
        ("c", "  f(1,\n#else\n  g(2);\n#endif\n", "(()", ""),
        # CoffeeScript's embedded JavaScript runs over lines.
        ("coffeescript", "`\nfunction f() {\n`\ng(", "(", ""),
        # So do CoffeeScript's and Julia's triple backticks, a lone backtick in them text.
        ("coffeescript", "```\nconst t = `a ${b}`; // it's ` (\n```\ng(", "(", ""),
        ("julia", "c = ```\necho `x (\n```\ng(", "(", ""),
        ("julia", "run(```ls ( ```)\nf(`a", "()(", "`"),
        # So does a template literal in a Vue, Svelte or HTML file's script (no syntax of its
        # own here): ended at its line's end, its next line's text was code, its ( left open.
        ("vue", "const h = `Usage: [x]\n  (see docs`;\nf(", "(", ""),
        ("svelte", "let q = `\n  query {\n`;\nf(", "(", ""),
        ("html", "<script>\nconst t = `<p>\n  1) a</p>`;\nf(", "(", ""),
        # Verilog's backtick is a directive's (`define), its `'` a number's or a cast's (8'hFF,
        # '0, '{a, b}), its `#` a delay's: no string nor comment, whose brackets went unseen.
        ("verilog", "`define MAX(a, b) ((a) > (b))\nassign y = s ? '0 : f(a);\n  #10 g(",
         "()(()())()(", ""),
        ("systemverilog", "x = '{a, (b)}; // it's (\ns = \"(\";\nf(", "{()}(", ""),
        # Ruby's __END__ alone on its line (a Sinatra app's inline templates after it).
        ("ruby", "get('/') { erb :index }\n__END__\n@@ index\n<p>(it's [x\n", "(){}", "block"),
        ("ruby", "f(1)\n__END__ \nx = [1\n  __END__\ng(", "()[(", ""),
        # Nim's #[ ]# comments nest, and ##[ ]## doc comments are block comments too.
        ("nim", "#[ a (\n#[ b [ ]#\nc { ]#\nf(", "(", ""),
        ("nim", "##[ doc (\n]##\nf(", "(", ""),
        ("nim", "let x = 1 # (\nf(", "(", ""),
        # Nim's raw strings (`r"C:\"`, a generalized one `re"\d+("`, `""` a quote in them) and
        # triple quotes (raw too), its character literals (`'('`): read with escapes, the
        # string ran on; as strings, a char's `(` was counted.
        ("nim", 'let r = r"C:\\" & re"(\\d+" & r"a""(" ; f(', "(", ""),
        ("nim", "let s = \"\"\"a ( \\\"\"\"\nlet c = '(' ; f(", "(", ""),
        # OCaml's comments nest, `(* *)` (read with C's rules their text's brackets were
        # counted), its strings run over lines, `{|...|}` is a quoted string, `'('` a char and
        # `'a` a type variable.
        ("ocaml", "(* a (* b ( *) c [ *)\nlet f = g (", "(", ""),
        ("ocaml", "let c = '(' and s = {|a ( |} and t = {id|x |} ( |id} in f (", "(", ""),
        ("ocaml", "let f (x : 'a) = g \"it's (\n  [x\" (", "()(", ""),
        # Zig's `\\` lines are a string's: a bracket or a quote there is text.
        ("zig", "const s =\n    \\\\ it's (\n    \\\\ [x \"\n;\nconst c = '('; f(", "(", ""),
        # CoffeeScript's ### block comments; #### is a line comment.
        ("coffeescript", "###\na (\n###\nf(", "(", ""),
        ("coffeescript", "#### a (\nf(", "(", ""),
        # Python's f-strings: a replacement field is code, whose strings nest (3.12 reuses the
        # f-string's own quote in it: read as its end, the `(` there was counted); `{{` is text.
        ("python", 'x = f"{\'a\' if c else "("}" ; f(', "(", ""),
        ("python", "x = f'{d['k (']}' ; f(", "[](", ""),
        ("python", 'x = f"{x:>{w}} (" + F"{{ [" + rf"{a}\\\\" ; f(', "{}(", ""),
        ("python", 'x = f"""a {f(1)} (\n{g("(")}""" ; f(', "()()(", ""),
        ("python", 'x = "{(" + f"{f\'{a}\'} (" ; f(', "(", ""),
        # A format spec's `#` (`{n:#x}`) is no comment (read as one, it hid the line's rest:
        # the `)` of `print(f"{v:#x}")`), and a backslash escapes no brace (`rf'\{{[{d}]'`:
        # read as an escaped `{`, `{[{d}]` was a field whose brackets were counted).
        ("python", 'print(f"{v:#x} (", f\'{n:#{w}x}\') ; f(', "({})(", ""),
        ("python", "p = rf'(\\{{[{d}])(!\\}}?)' + f\"\\{x} (\" ; f(", "(", ""),
        # So are C#'s `$"..."` holes and Scala's `s"..."` / `f"..."` splices: a string in one is
        # no end of the outer one (read as such, its `(` was counted); `{{` is C#'s text.
        ("csharp", 's = $"{(a ? "x" : "(")} [" ; f(', "()(", ""),
        ("csharp", 's = $"{{ ( {x}" + "{(" ; f(', "(", ""),
        ("scala", 's = s"a ${f("(")} b" ; f(', "()(", ""),
        ("scala", 's = "${(" + f"${x}%2d (" ; f(', "(", ""),
        # Ruby's and Elixir's `#{...}`, Dart's and Groovy's `${...}` are code whose strings nest
        # (read as the string's end, the inner quote left the `(` open); Dart's r'' is raw.
        ("ruby", 'x = "a #{f("(")} b" + "#{g(")")} ("\nh(', "()()(", ""),
        # Its percent literals and regexps go on over lines (`%r{` then a /x pattern's lines
        # with comments, `%w[` then words): read on their line only, their text's brackets
        # were counted (`\A (\d+) # number (`).
        ("ruby", "RE = %r{\n  \\A (\\d+) # it's (\n  { \\z }\n}x\nW = %w[\n  a ( b\n]\nf(", "(", ""),
        ("ruby", "S = %Q{\n  text #{x} (\n}\nP = /\n  a ( [\n/x\nf(", "(", ""),
        ("ruby", "q = a %\n  (b)\nr = x /\n  (2)\nf(", "()()(", ""),
        ("elixir", 'x = "a #{f("(")} b"\ny = """\na #{f(")")} (\n"""\ng(', "()()(", ""),
        ("elixir", "x = 'a #{f(')')} ('\ng(", "()(", ""),
        ("dart", "var s = '${f(')')} (' + r'C:\\dir\\' + r\"\"\"a ( \\\"\"\" ; g(", "()(", ""),
        ("groovy", 'def s = "${f(")")} (" + """${g("(")}\n (""" ; h(', "()()(", ""),
        # C#'s raw strings of four quotes or more end at as many; a `$"""` one's holes are code,
        # a `$$"""` one is text whole (its lone `{` is text, its holes `{{...}}`).
        ("csharp", 'var s = """"a """ ( """" + """"\n  b """ [\n  """";\nf(', "(", ""),
        ("csharp", 'var s = $"""\n  a {f("(")} (\n  """;\nf(', "()(", ""),
        ("csharp", 'var s = $$"""{ {{f("(")}} (""";\nf(', "(", ""),
        # A verbatim interpolated string's holes are code too (`""` a quote, `{{` text there).
        ("csharp", 'var s = $@"a {x} (\n{f("(")}";\nf(', "()(", ""),
        ("csharp", 'var s = @$"C:\\{{ ""("" {g(")")}";\nf(', "()(", ""),
        ("csharp", 'var s = $@"a {f(@"b ""{"" (", $"{x}")} [";\nf(', "()(", ""),
        # PHP's `{$...}` in a double-quoted string is code whose strings nest.
        ("php", '$s = "a {$x[")"]} (" . "{$o->f("(")}" ; f(', "[]()(", ""),
        ("php", "$s = 'a {$x[' . \"{ ( $y\" ; f(", "(", ""),
        # Its `#` comments run to the line's end anywhere (read as code, `# don't (` opened a
        # string and counted a bracket), but PHP 8's `#[` opens an attribute, and a template's
        # inline CSS's `#fff` after code is no comment.
        ("php", "function f($x) { # don't (\n#[Pure]\nfunction g() { # a [\n  #[A(1)] h(", "(){[](){[()](", ""),
        ("php", "<style>.a { color: #fff; }\n#x { }</style>\n<?php f(", "{}(", ""),
        # A `#` glued to its word after a statement's end (`;`, `)`, `{`, `}` and a blank) is
        # a comment (`$x = 1; #TODO don't (`: read as code, its apostrophe and bracket counted);
        # after a CSS property's `:` or a value (`1px solid #ccc`) a colour.
        ("php", "<?php\n$x = 1; #TODO don't (\nif ($y) { #note [\n} #end if (\nf(", "(){}(", ""),
        ("php", "<p style=\"x\">\n<style>.b { border: 1px solid #ccc; }</style>\n<?php f(", "{}(", ""),
        # Julia's `$(...)` and CoffeeScript's `#{...}` in double quotes are code too.
        ("julia", 'x = "a $(f(")")) (" * """\na $(g("(")) (\n"""\nh(', "()()(", ""),
        ("coffeescript", 'x = "a #{f(")")} (" + """\na #{g("(")} (\n"""\nh(', "()()(", ""),
        ("coffeescript", "x = 'a #{f(' + \"$(\" ; g(", "(", ""),
        # Swift's raw strings end at their quotes and as many `#`.
        ("swift", 'let s = ##"a "# ( \\##(x) "##; f(', "(", ""),
        # Their interpolation, `\#(...)` with as many `#`, is code whose strings nest: read as
        # the raw string's text, the `"#` of a string in it ended the raw one and its `(` was
        # counted, its last quote opening a string.
        ("swift", 'let s = #"\\#(t ?? "#(") x"#; g(', "(", ""),
        ("swift", 'let s = #"a \\#(f(")")) b"#; g(', "()(", ""),
        ("swift", 'let s = ##"\\#(x) \\##(d["#"]) ("##; g(', "[](", ""),
        ("swift", 'let s = #"""\n  \\#(f("#(")) (\n  """#\ng(', "()(", ""),
        ("swift", 'let s = #"a ( "b" \\"#; t = ###"x"## ("###\nf(', "(", ""),
        ("swift", 'let s = ##"""\n a """# (\n"""##\nf(', "(", ""),
        ("swift", 'let s = ##"""\n a ( "##\n', "", '##"""'),
        # A `\#(` at a line's end in a `#"""` string goes on over lines (its code's strings nest).
        ("swift", 'let s = #"""\n  a \\#(\n  f(")")) (\n  """#\ng(', "()(", ""),
        # Rust's strings run over lines (literal line breaks, a `\` continuation): ended at the
        # line's end, the next line's `'` and `(` were code's and its `"` opened a string.
        ("rust", 'let s = "it\'s\n (";\nf(', "(", ""),
        ("rust", 'let s = "a \\\n  b (\n";\nf(', "(", ""),
        ("rust", 'let s = "a (\n', "", '"'),
        # SQL's strings run over lines ('' is a quote in one).
        ("sql", "SELECT 'a (\nb [' , f(", "(", ""),
        ("sql", "SELECT 'it''s (\n' , f(", "(", ""),
        # No triple quotes: `''''` is a string of one quote (PostgreSQL's xml2 extension).
        ("sql", "SELECT '''' AS q, f(a) FROM t;\nSELECT g(", "()(", ""),
        ("sql", "SELECT ''' (\n', f(", "(", ""),
        ("sql", "INSERT INTO t VALUES ('# Title (\n", "(", "'"),
        ("sql", "SELECT \"a\" -- it's (\nFROM t WHERE (", "(", ""),
        # A quote glued to N, E, B or X opens a string (T-SQL's N'', PostgreSQL's E'').
        ("sql", "PRINT N'Done.';\nSELECT f(", "(", ""),
        ("sql", "SELECT E'a\\n(', X'0F', B'01', N'x [\ny' , f(", "(", ""),
        ("sql", "SELECT n'x.' , f(", "(", ""),
        # A backslash escapes nothing ('' is a quote); MySQL's \' keeps the count of quotes.
        ("sql", "SELECT REPLACE(p, '\\', '/') AS p;\nSELECT f(", "()(", ""),
        ("sql", "SELECT 'C:\\temp\\' AS d, f(", "(", ""),
        ("sql", "SELECT 'it\\'s', '\\'x\\'' , f(", "(", ""),
        # MySQL's quote as a string, '\'' (a backslash and a quote followed by a quote):
        # read as the string's end, the third quote opened one over the lines below.
        ("sql", "SELECT REPLACE(s, '\\'', '') AS s;\nSELECT f(", "()(", ""),
        # After MySQL's \' the string's text goes on: a quote glued to an upper-case word
        # there is its closer, not a keyword's opener (`IN'` of 'I CAN\'T LOG IN').
        ("sql", "SELECT 'I CAN\\'T LOG IN', f(", "(", ""),
        ("sql", "SELECT 'WHY\\'S IT\nSET AS', f(", "(", ""),
        ("sql", "SELECT 'A\\'B', x FROM t WHERE a IN('x.') OR f(", "()(", ""),
        # Its text after such a \' is the string's, not code: the bracket there is text and
        # the quote after it, glued to no word, is its end (read as code's, the `(` was left
        # open and the quote opened a string over the rest of the file).
        ("sql", "SELECT 'it\\'s (', f(", "(", ""),
        ("sql", "SELECT 'don\\'t [x]', 'a\\'_b (' , f(", "(", ""),
        ("sql", "SELECT CONCAT('it\\'s (', 'x'), f(", "()(", ""),
        # Elsewhere a backslash escapes nothing: a T-SQL path's string ends at its `\'`, and an
        # `N'` after it still opens one (read as a word's apostrophe, `N''`'s second quote
        # opened a string over the rest of the file).
        ("sql", "SET @d = N'C:\\Backup\\';\nSET @n = N'';\nSELECT f(", "(", ""),
        ("sql", "SELECT REPLACE(p, 'C:\\', N'(') AS x, f(", "()(", ""),
        ("sql", "BULK INSERT t FROM 'C:\\in\\' WITH (TERM = N',');\nSELECT f(", "()(", ""),
        # PostgreSQL's E'...' escapes with a backslash: its \' is a quote in the string.
        ("sql", "SELECT E'it\\'s (a.' , f(", "(", ""),
        ("sql", "SELECT e'a\\\\' , E'\\'' , f(", "(", ""),
        ("sql", "SELECT E'line (\\n\nstill [text\\'s.\n' , f(", "(", ""),
        # A quote glued to an upper-case keyword opens a string (THEN'yes').
        ("sql", "SELECT CASE WHEN x THEN'a.' ELSE'b.' END, f(", "(", ""),
        ("sql", "SELECT * FROM t WHERE a IN('x.','y.') AND b LIKE'%.' OR f(", "()(", ""),
    ],
)
def test_text_blocks_comments_and_strings_of_scanned_languages_are_text(
    language: str, text: str, brackets: str, mode: str
) -> None:
    """Perl's heredocs and POD, PowerShell's here-strings, Julia's, Nim's and CoffeeScript's
    block comments, SQL's strings over lines: read as code, their brackets cut completions,
    and a fence in them (a README written through a heredoc, a manual's example, a post's
    Markdown inserted by a seed script) was taken for a chat answer's."""
    scanner = _BracketScanner(_syntax_for(language))
    assert "".join(b for _, b in scanner.feed(text)) == brackets
    assert scanner.mode == mode


_TEXT_BLOCKS = {
    "powershell": (
        '<#\n.SYNOPSIS (x\n#>\n$a = "one (\n  `"two`" [\n"\n$p = \'C:\\dir\\\'; $q = \'it\'\'s (\nx\'\n'
        '$h = @"\n(text\n"@\nGet-Item `\n  -Path f($a, [1])\n'
    ),
    "bash": (
        "x='a (\nb' ; f(1)\nusage=\"u [-k]\n  don't (\n\"\ncat <<\\EOF\n{ it's\nEOF\n"
        "v=$(cut -d' ' -f2 <f) # it's (\nIFS=$'\\n\\'' g(1)\n"
    ),
    "perl": (
        "use strict;\n\n=head1 NAME\n\ntool (x [y\n\n```sh\nrun\n```\n\n=cut\n\nsub add {\n"
        '    my ($a, $b) = @_;\n    print <<"EOF";\nSee (a\nEOF\n    return $a + $b; # (\n}\n'
        "$x =~ s/(a)/b/;\nmy @w = qw(\n  a [b\n);\n$y =~ s{ ( }\n  {[}gx;\nmy @v = qw\n  (c [d);\n"
        "if ($l =~ /\n  ^ (\\w+) # it's (\n  /x) { f(1) }\nlocal *\" = 1; $n = $x / 2;\n__END__\nsee (data [x\n"
    ),
    "csharp": (
        'var a = $@"x {f("(")} (\n  ""y"" {{\n" + $"""\n  {g(")")} [\n  """;\n'
        'var b = """"a """ ( """" + @"C:\\dir\\";\nf(a, [1]);\n'
    ),
    "swift": (
        'let a = #"x \\#(f("#(")) ("#\nlet b = ##"""\n  \\##(g(")")) \\#(y) [\n  """##\n'
        'let c = "\\(h(")")) ("\nk(a, [1])\n'
    ),
    "c": (
        "#define F(x) do { \\\n    g(x, ')'); \\\n} while (0)\n#include <a.h>\n"
        "#define N 1 /* size (in\n  bytes) */ + (2)\n"
        "int f(int a) {\n  return F(a) + [1];\n}\n"
        "#ifdef X\n  if (a) {\n#elif Y\n  } else {\n#else\n  if (b) {\n#endif\n  g();\n}\n"
    ),
    "nim": (
        "#[ a (\n#[ b [ ]#\nc { ]#\n##[ doc (\n```nim\nx\n```\n]##\n"
        "proc f(x: int): int =\n  # (\n  result = g(x, [1, 2])\n"
    ),
    "coffeescript": (
        '###\nUsage (\n```coffee\nx\n```\n###\n#### line (\nrun = (a) ->\n  f(a, [1, 2])\n'
        '  """\n  (text\n  """\n'
    ),
    "sql": (
        "INSERT INTO posts (title, body) VALUES ('Install', '# Install (\n\n```sh\n"
        "pip install [x\n```\n');\nSELECT f(a) -- it's (\n"
        "FROM t WHERE b IN ('it''s', 'x') /* ( */;\n"
        "SELECT E'it\\'s (\n', CASE WHEN a THEN'b.' END;\n"
    ),
}


@pytest.mark.parametrize("language", sorted(_TEXT_BLOCKS))
def test_random_cuts_through_pod_block_comments_and_multi_line_strings(language: str) -> None:
    """A suggestion cut anywhere through them is post-processed without an error, and a
    prefix that ends at a line's start or beside a space leaves the scanner where a scan of
    the whole text is there (the state kept between feeds)."""
    text = _TEXT_BLOCKS[language]
    syntax = _syntax_for(language)
    rng = random.Random(39)
    for _ in range(1000):
        start, end = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        ctx = PostContext(
            prefix=text[:start], suffix=text[end:], language=language, single_line=False
        )
        postprocess(text[start:end], ctx)  # raises nothing
    whole = _BracketScanner(syntax)
    brackets = [b for _, b in whole.feed(text)]
    cuts = {i + 1 for i, c in enumerate(text) if c == "\n"}
    cuts |= {i + k for i, c in enumerate(text) if c == " " for k in (0, 1)}
    for cut in sorted(cuts):
        scanner = _BracketScanner(syntax)
        fed = [b for part in (text[:cut], text[cut:]) for _, b in scanner.feed(part)]
        assert (fed, scanner.mode) == (brackets, whole.mode), repr(text[:cut][-12:])


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sql", "SELECT REPLACE(s, '\\'', '') AS s, 'I CAN\\'T LOG IN', f(a) FROM t WHERE (b"),
        ("sql", "SELECT E'it\\'s (', 'C:\\dir\\', N'(' , 'a\\\\', f(x) AS (y"),
        ("sql", "SELECT 'it\\'s (', 'a\\'b\\'c [', '\\'_(' , f(x) AS (y"),
        ("powershell", '$a = "a`"b (x" + "c``" + \'C:\\\'; f("`$(", [1]) {'),
        ("javascript", 'const s = "a\\"b (" + `c\\` [` + f(x, "\\\\") {'),
        ("perl", "my $s = q{a\\} (} . qw(x\\) [) . f(1) {"),
        # A backslash before a line end goes on with the string (a suggestion starting with
        # the line break is read a line at a time, its first line empty).
        ("python", 'x = "a \\\nb (" + f(1)\ny = ('),
    ],
)
@pytest.mark.parametrize("between", [(), ("",)])
def test_a_feed_ending_at_an_escape_in_a_string_reads_as_the_whole_text(
    language: str, text: str, between: tuple[str, ...]
) -> None:
    """The scanner is fed in pieces (the prefix, then the suggestion): one ending at a
    backslash or a backtick in a string (`'it\\` typed, `'s'` suggested; MySQL's `'\\''`) is
    read on as the whole text is, the next piece's first character escaped or not by it."""
    syntax = _syntax_for(language)
    whole = _BracketScanner(syntax)
    brackets = "".join(b for _, b in whole.feed(text))
    for cut in [i + k for i, c in enumerate(text) if c in "\\`" for k in (1, 2)]:
        scanner = _BracketScanner(syntax)
        pieces = (text[:cut], *between, text[cut:])
        fed = "".join(b for part in pieces for _, b in scanner.feed(part))
        assert (fed, scanner.mode) == (brackets, whole.mode), (text[:cut], text[cut:])


@pytest.mark.parametrize(
    ("language", "prefix"), [("python", 'x = f("a\\'), ("powershell", '$x = f("a`')]
)
def test_a_suggestion_after_a_typed_escape_closes_the_call_once(language: str, prefix: str) -> None:
    """Typed up to a backslash (a backtick) in a string, a suggestion going on with the escaped
    quote: read as the string's end, its `(` was left open and the line's `)` kept after its
    own (`f("a\"b (", x))`)."""
    ctx = PostContext(prefix=prefix, suffix=")\n", language=language)
    assert postprocess('"b (", x)', ctx) == '"b (", x'


_WORKFLOW = (
    "on:\n  push:\n    paths:\n      - src/**\n      - docs/*.md # it's (\n"
    "jobs:\n  build:\n    steps:\n      - run: make check LOG=https://ci.example/(x)\n"
    "      - run: echo $(date"
)


@pytest.mark.parametrize(
    "language",
    ["yaml", "yaml.ansible", "yaml.docker-compose", "github-actions-workflow", "dockercompose"],
)
def test_yaml_under_its_other_ids_is_read_as_yaml(language: str) -> None:
    """Neovim's compound filetypes (``yaml.ansible``) and VS Code's own ids for YAML files were
    read with C's rules: ``src/**`` opened a block comment that hid every bracket below it (the
    ``$(`` left open at the cursor), and a ``//`` a line comment."""
    scanner = _BracketScanner(_syntax_for(language))
    assert ("".join(b for _, b in scanner.feed(_WORKFLOW)), scanner.mode) == ("()(", "")


@pytest.mark.parametrize(
    ("language", "text", "brackets"),
    [
        ("make", "all: $(OBJ)\n\tcc -o $@ $(OBJ) # don't (\n", "()()"),
        ("ps1", "# it's (\n$s = @\"\n(text\n\"@\nf(", "("),
        ("text", "See https://x.org/(a) and (b", "()("),
        ("mysql", "-- it's (\nSELECT f(", "("),
        ("coffee", "###\na (\n###\nf(", "("),
    ],
)
def test_neovim_s_own_filetypes_are_read_in_their_language_s_syntax(
    language: str, text: str, brackets: str
) -> None:
    """Neovim names some filetypes otherwise than VS Code (a Makefile's `make`, PowerShell's
    `ps1`, plain text's `text`, MySQL's `mysql`, vim-coffee-script's `coffee`): read with C's
    rules, a comment's `(` was counted, a URL's `//` hid the rest of its line."""
    scanner = _BracketScanner(_syntax_for(language))
    assert "".join(b for _, b in scanner.feed(text)) == brackets
    assert scanner.mode == ""


def test_a_c_block_opened_in_each_branch_of_a_conditional_is_closed_once() -> None:
    # The function's `}` is the suffix's: counted in both branches, the `if`'s `{` left one
    # more open for the suggestion's `}` to close, and the document got two.
    prefix = "int f(int a, int b) {\n#ifdef X\n  if (a) {\n#else\n  if (b) {\n#endif\n    g();\n  }\n  "
    ctx = PostContext(prefix=prefix, suffix="\n}\n", language="c", single_line=False)
    assert postprocess("return 0;\n}", ctx) == "return 0;"


def test_perl_pod_opens_only_first_on_a_line_in_the_feed_before_too() -> None:
    """A suggestion after ``$x`` typed that starts with ``=foo(1)`` continues the line: read as
    POD opened at the feed's start, its brackets went unseen; after a line break it is POD."""
    fed = {}
    for before in ("my $x", "my $x;\n"):
        scanner = _BracketScanner(_syntax_for("perl"))
        brackets = [b for part in (before, "=foo(1);\n") for _, b in scanner.feed(part)]
        fed[before] = brackets, scanner.mode
    assert fed == {"my $x": (["(", ")"], ""), "my $x;\n": ([], "block")}


def test_a_heredoc_split_over_feeds_ends_at_its_word_on_a_line_of_its_own() -> None:
    scanner = _BracketScanner(_syntax_for("bash"))
    fed = [list(scanner.feed(part)) for part in ("cat <<EOF\nsee (", "EOF is not the end\n", "EOF", "\n(")]
    assert [[b for _, b in f] for f in fed] == [[], [], [], ["("]]


def test_a_block_cut_by_the_token_limit_keeps_its_complete_statements() -> None:
    from deepseek_lsp.completion.postprocess import without_cut_line

    # C-like: the open object and its half-written member go, the finished statement stays.
    assert without_cut_line('const a = 1;\nconst opts = {\n  retries: 3,\n  time') == "const a = 1;"
    # A line break at the very start (the block begins on the next line) is kept.
    assert without_cut_line("\n    x = load()\n    if x and") == "\n    x = load()"
    # Nothing complete: nothing left but the cursor line's own (empty) part.
    assert without_cut_line("\n    for item in items:\n        total += compute(ite") == ""
    # One line is all there is: kept.
    assert without_cut_line("return compute(items, strict") == "return compute(items, strict"
    # A block comment's closing line is whole (its `/` no division); an operator before a
    # trailing comment still waits.
    assert without_cut_line("\n  x();\n  /**\n   * doc\n   */\n  int y") == "\n  x();\n  /**\n   * doc\n   */"
    assert without_cut_line("\n  x();\n  a = b + /* note */\n  c") == "\n  x();"


def test_a_block_cut_by_time_ends_where_its_calls_and_lists_are_closed() -> None:
    """At the time limit a call's last argument may be the last line come (no comma after it to
    say more is to come): ``result = compute(`` then ``a,`` and ``b`` were shown, the call left
    open in the file once accepted. A string's or comment's bracket is text; a block's ``{``
    left open is the header-and-body cut a token limit shows too."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    py = PostContext(prefix="def f(a, b):\n    ", suffix="\n", language="python")
    cut = 'x = 1\nresult = compute(\n        a,\n        b'
    assert within_closed_calls(cut, py) == "x = 1"
    assert within_closed_calls('x = 1\nitems = [\n        a', py) == "x = 1"
    closed = 'x = 1\nprint("(", a)\n# [ noted\ny = [\n        a,\n    ]'
    assert within_closed_calls(closed, py) == closed
    js = PostContext(prefix="function f() {\n  ", suffix="\n}\n", language="javascript")
    block = "if (x) {\n    go();"
    assert within_closed_calls(block, js) == block
    # Nothing closed: the first line, as a single-line suggestion would have been.
    assert within_closed_calls("result = compute(\n        a", py) == "result = compute("


def test_a_python_block_cut_by_time_ends_before_a_dict_it_leaves_open() -> None:
    """Python's ``{`` is a dict's or a set's, never a block's: cut by time after an entry with no
    comma after it, ``config = {`` and ``'host': 'x'`` were shown, the dict never closed once
    accepted."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    py = PostContext(prefix="def f(a, b):\n    ", suffix="\n", language="python")
    cut = "x = 1\nconfig = {\n    'host': 'x',\n    'port': 8080"
    assert within_closed_calls(cut, py) == "x = 1"
    closed = "x = 1\nconfig = {\n    'host': 'x',\n}\nports = {80, 443}"
    assert within_closed_calls(closed, py) == closed


def test_a_chat_answer_cut_by_time_ends_where_its_calls_are_closed() -> None:
    """A chat turn's answer (the chat backend, or an instruct model behind a FIM template)
    opens with a fence, whose backticks the scanner read as a string's start that never
    ended: none of its brackets counted, and cut by time after an argument its call was shown
    and accepted never closed; with its first line of code opening the call, nothing at all."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    py = PostContext(prefix="def f(a, b):\n    ", suffix="\n", language="python")
    cut = "```python\nx = 1\nresult = compute(\n        a,\n        b"
    assert postprocess(within_closed_calls(cut, py), py) == "x = 1"
    first = "Here is the code:\n\n```python\nresult = compute(\n        a,\n        b"
    assert postprocess(within_closed_calls(first, py), py) == "result = compute("
    js = PostContext(
        prefix="function f(a, b) {\n  ", suffix="\n}\n", language="javascript", from_chat=True
    )
    cut = "```javascript\nconst x = 1;\nsend(\n    a,\n    b"
    assert postprocess(within_closed_calls(cut, js), js) == "const x = 1;"
    # The document's own fence (a docstring's example) is no chat turn's: its text is kept.
    doc = '"""Sum.\n\n```python\n>>> add(1, 2)\n3\n```\n"""'
    assert within_closed_calls(doc, py) == doc


def test_a_callbacks_body_cut_at_a_limit_is_kept_as_a_blocks_is() -> None:
    """A callback's body is a block too (``app.get('/', (req, res) => {``, Go's ``t.Run(``, a
    Rust closure): cut inside it at a limit, only its first line was shown, as if the call were
    cut after an argument, where an ``if``'s body so far is kept. A call open inside the body,
    or an object literal passed to a call, still ends the block before it."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    js = PostContext(prefix="const app = express();\n", suffix="\n", language="javascript")
    body = "app.get('/', (req, res) => {\n  const user = req.user;\n  res.send(user.name);"
    assert within_closed_calls(body, js) == body
    assert within_closed_calls(body + "\n  log(\n    user", js) == body
    ts = PostContext(prefix='describe("x", () => {\n  ', suffix="\n});\n", language="typescript")
    test = 'it("works", async () => {\n    const r = await run();\n    expect(r).toBe(1);'
    assert within_closed_calls(test, ts) == test
    go = PostContext(prefix="func TestX(t *testing.T) {\n\t", suffix="\n}\n", language="go")
    run = 't.Run("adds", func(t *testing.T) {\n\t\tgot := add(1, 2)\n\t\tif got != 3 {'
    assert within_closed_calls(run, go) == run
    rs = PostContext(prefix="fn main() {\n    ", suffix="\n}\n", language="rust")
    each = 'items.iter().for_each(|x| {\n        println!("{}", x);'
    assert within_closed_calls(each, rs) == each
    # An object passed to a call is no block: its entries so far would leave the call open.
    options = "const a = 1;\nsend({\n  to: user,\n  body: text"
    assert within_closed_calls(options, js) == "const a = 1;"
    config = 'x := 1\nrun(Config{\n\t\tName: "x",\n\t\tSize: 2'
    assert within_closed_calls(config, go) == "x := 1"
    returns = 'g.Go(func() error {\n\t\treturn nil'
    assert within_closed_calls(returns, go) == returns


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ignore", "node_modules/\n**/*.log\ndist/*\n!dist/.gitkeep\n.env\ncoverage/"),
        ("gitignore", "build/\n*.pyc\n**/__pycache__/*\n.venv/\n.tox/"),
        ("dockerignore", ".git\n**/*.md\nnode_modules\ntests/"),
        ("gitattributes", "*.png binary\n**/*.min.js -diff\n*.sh text eol=lf"),
        ("properties", "app.name=demo\nscan.paths=/opt/app/*\napp.port=8080\napp.debug=false"),
        ("ini", "[paths]\nlogs = /var/log/app/*\ncache = /tmp/cache\n[server]"),
    ],
)
def test_a_glob_s_slash_star_opens_no_comment_in_a_block_cut_at_a_limit(language: str, text: str) -> None:
    """A .gitignore's `**/*.log` (a .dockerignore's, a .properties file's `/opt/app/*`) is no
    C comment's opener: read as one left open, a block cut at its token or time limit (and the
    lines shown while one streams) ended before that line, a list of paths cut to its first."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    ctx = PostContext(prefix="# local files\n", suffix="\n", language=language)
    assert within_closed_calls(text, ctx) == text


def test_a_rust_struct_or_a_csharp_initializer_passed_to_a_call_is_no_block_when_cut() -> None:
    """Rust's struct literal (``Ok(Json(User {``) and C#'s object initializer or anonymous
    object (``return Ok(new {``, ASP.NET's answer) have a space before their ``{``, read as a
    block's: cut at a limit, their fields so far were kept with the call still open. A closure's
    or an ``async move`` block's body, and C#'s lambda, still are blocks."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    rs = PostContext(prefix="fn get() -> Reply {\n    ", suffix="\n}\n", language="rust")
    for head in ("Ok(Json(User {", "Some(Shape::Circle {"):
        literal = f"let id = 1;\n{head}\n        id,\n        name: text"
        assert within_closed_calls(literal, rs) == "let id = 1;", head
    spawn = "let h = tokio::spawn(async move {\n        work().await;"
    assert within_closed_calls(spawn, rs) == spawn
    cs = PostContext(prefix="IActionResult Get() {\n    ", suffix="\n}\n", language="csharp")
    for head in ("return Ok(new {", "Save(new User {", "Save(new User() {", "Add(new List<int> {"):
        literal = f"var u = Find();\n{head}\n        Id = u.Id,\n        Name = u.Name"
        assert within_closed_calls(literal, cs) == "var u = Find();", head
    run = "Task.Run(() => {\n        Work();"
    assert within_closed_calls(run, cs) == run


def test_an_object_a_callback_returns_is_no_block_when_cut() -> None:
    """``return {`` in a callback (a mapper's, a reducer's) opens an object, not a block: the
    word and space before its ``{`` read as a block's header, its entries so far were kept
    with the call the callback is passed to still open. The body's statements before it stay."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    js = PostContext(prefix="const app = express();\n", suffix="\n", language="javascript")
    body = "const rows = items.map((item) => {\n  const total = item.price * item.qty;"
    returned = body + "\n  return {\n    id: item.id,\n    total: total"
    assert within_closed_calls(returned, js) == body


def test_a_rust_condition_on_a_constant_or_a_variant_in_a_closure_is_a_block_when_cut() -> None:
    """Rust allows no struct literal in an ``if``'s, ``while``'s, ``for``'s or ``match``'s
    head, so ``if *x > MAX {`` (a constant's capital) and ``else if c == Color::Red {`` open
    blocks: read as literals (a190455), a cut inside one in a closure passed to a call kept
    the call's first line only and lost the lines typed so far."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    rs = PostContext(prefix="fn get() -> u32 {\n    ", suffix="\n}\n", language="rust")
    for cond in (
        "if *x > MAX {", "while n < N {", "} else if c == Color::Red {", "for k in KEYS {",
        "let y = if n > LIMIT {",
    ):
        cut = f"let v = items.iter().map(|x| {{\n        {cond}\n            count += 1;"
        assert within_closed_calls(cut, rs) == cut, cond
    # A literal after a loop's body opened on the same line is still one.
    pushed = "let v = run(|| { for x in xs { out.push(Item {\n            id: x,"
    assert within_closed_calls(pushed, rs) == "let v = run(|| { for x in xs { out.push(Item {"


def test_a_block_cut_by_time_after_a_line_break_keeps_its_first_line() -> None:
    """Asked at the end of a line, the block begins with a line break: with nothing closed
    after it, the blank first line was all that was kept, and nothing was shown where the
    first line of code is what a single-line suggestion shows."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    py = PostContext(prefix="def f(a, b):\n    x = 1", suffix="\n", language="python")
    cut = "\n    result = compute(\n        a,\n        b"
    assert within_closed_calls(cut, py) == "\n    result = compute("
    assert postprocess(within_closed_calls(cut, py), py) == "\n    result = compute("


def test_an_allman_blocks_body_passed_to_a_call_is_kept_when_cut() -> None:
    """A ``{`` on its own line after its header (C#'s, Java's, JavaScript's Allman style:
    ``Task.Run(() =>`` then ``{``) opens a block as the same ``{`` at the header's end does:
    cut inside the lambda's body at a limit, only the call's first line was kept and the body
    typed so far was lost. An object or an initializer on its own line stays no block."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    cs = PostContext(prefix="void Start()\n{\n    ", suffix="\n}\n", language="csharp")
    run = "Task.Run(() =>\n    {\n        Work();\n        Report();"
    assert within_closed_calls(run, cs) == run
    each = "items.ForEach(item =>\n{\n    if (item.Ok)\n    {\n        Save(item);"
    assert within_closed_calls(each, cs) == each
    java = PostContext(prefix="void start() {\n    ", suffix="\n}\n", language="java")
    submit = "pool.submit(() ->\n    {\n        work();"
    assert within_closed_calls(submit, java) == submit
    init = "var u = Find();\nSave(new User\n{\n    Id = u.Id,\n    Name = u.Name"
    assert within_closed_calls(init, cs) == "var u = Find();"
    js = PostContext(prefix="function f() {\n  ", suffix="\n}\n", language="javascript")
    options = "const a = 1;\nsend(\n  {\n    to: user,\n    body: text"
    assert within_closed_calls(options, js) == "const a = 1;"


def test_a_generic_or_jsx_brace_and_a_csharp_initializer_with_arguments_are_no_block_when_cut() -> None:
    """A ``>`` before ``{`` is an arrow's (``=>``, ``->``) or a block's only after a class's or
    an object's type (Kotlin's ``object : Callback<T> {``); after a generic type it opens a
    value (C++'s ``std::vector<int>{``), after a JSX tag an expression (``<p>{``); and C#'s
    ``new Point(1, 2) {`` is an initializer as ``new Point() {`` is: read as blocks, a cut
    inside them kept their entries so far, the call they are passed to left open."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    cpp = PostContext(prefix="int main() {\n    ", suffix="\n}\n", language="cpp")
    values = "int n = 2;\nuse(std::vector<int>{\n        1,\n        n"
    assert within_closed_calls(values, cpp) == "int n = 2;"
    jsx = PostContext(prefix="function App() {\n  ", suffix="\n}\n", language="javascript")
    tag = "const n = 1;\nroot.render(<p>{\n    items.map((i) => i.name)"
    assert within_closed_calls(tag, jsx) == "const n = 1;"
    cs = PostContext(prefix="void Start()\n{\n    ", suffix="\n}\n", language="csharp")
    for head in ("Draw(new Point(1, 2) {", "Save(new User(Find(id), true) {"):
        literal = f"var u = Find();\n{head}\n        Id = u.Id,\n        Name = u.Name"
        assert within_closed_calls(literal, cs) == "var u = Find();", head
    using = "Task.Run(() =>\n{\n    using (var s = new Scope(id)) {\n        Work(s);"
    assert within_closed_calls(using, cs) == using
    kt = PostContext(prefix="fun start() {\n    ", suffix="\n}\n", language="kotlin")
    listener = "client.call(object : Callback<Reply> {\n        override fun done(r: Reply) {"
    assert within_closed_calls(listener, kt) == listener
    arrow = "items.forEach((x): void => {\n    log(x);"
    assert within_closed_calls(arrow, jsx) == arrow


def test_a_callback_with_a_generic_return_type_cut_by_time_keeps_its_body() -> None:
    """e46b60e read a ``>`` before ``{`` as a block's only after an arrow or a class's type:
    a Rust closure's ``-> Vec<u8> {``, a C++ lambda's ``-> std::optional<int> {`` and a
    TypeScript callback's ``(): Promise<void> {`` passed to a call were values again, and a
    cut inside the body kept only the line before the call. A value after a ``->`` stays one."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    rs = PostContext(prefix="fn main() {\n    ", suffix="\n}\n", language="rust")
    closure = "let n = 1;\nlet v = xs.iter().map(|x| -> Vec<u8> {\n        let y = x + n;\n        vec![y]"
    assert within_closed_calls(closure, rs) == closure
    cpp = PostContext(prefix="int main() {\n    ", suffix="\n}\n", language="cpp")
    head = "std::sort(v.begin(), v.end(), [](int a, int b) -> std::optional<int> {"
    lam = f"int n = 1;\n{head}\n        log(a);\n        return a"
    assert within_closed_calls(lam, cpp) == lam
    values = "int n = 1;\nuse(p->size, std::vector<int>{\n        1,\n        n"
    assert within_closed_calls(values, cpp) == "int n = 1;"
    ts = PostContext(prefix="describe('x', () => {\n  ", suffix="\n});\n", language="typescript")
    test = "const n = 1;\nit('works', async function (): Promise<void> {\n    await run();\n    check();"
    assert within_closed_calls(test, ts) == test


def test_a_long_line_before_a_cut_blocks_brace_is_read_at_its_end_only() -> None:
    """The block regex's generic alternatives scan back to each ``>``: a ``{`` opening the
    answer after a 72 kB line of the prefix (generated code, a minified bundle) took seconds
    of the event loop (1.6 s at 48 kB); its end tells the header."""
    import time

    from deepseek_lsp.completion.postprocess import within_closed_calls

    for junk in ("x->y<", "class x<"):
        line = "let v = f(" + junk * (72_000 // len(junk))
        rs = PostContext(prefix=f"fn main() {{\n    {line}", suffix="\n}\n", language="rust")
        started = time.process_time()
        within_closed_calls("{\n        work();\n        more", rs)
        assert time.process_time() - started < 0.5, junk


def test_a_long_line_of_generic_news_before_a_cut_blocks_brace_takes_no_seconds() -> None:
    """C#'s object-initializer regex (``new Point(1, 2) {``) scanned each ``new X<``'s type
    arguments to the line's end and back: a 77 kB line of them before a block's ``{`` took
    3.5 s of the event loop, read once the block regex had said "block"."""
    import time

    from deepseek_lsp.completion.postprocess import within_closed_calls

    line = "Use(" + "new Pair<A, B> " * (77_000 // 15) + "x)"
    cs = PostContext(prefix=f"void M() {{\n    {line}", suffix="\n}\n", language="csharp")
    started = time.process_time()
    within_closed_calls("{\n        Work();\n        More", cs)
    assert time.process_time() - started < 0.5
    # Still an object initializer's: nested type arguments and the constructor's.
    assert within_closed_calls("Use(new Map<string, List<int>>(3) {\n    [\"a\"] = x,\n    b", cs) == (
        "Use(new Map<string, List<int>>(3) {"
    )


def test_an_anonymous_objects_header_longer_than_the_ends_read_is_still_a_block() -> None:
    """3f32dfd reads a ``{``'s header from its last 240 characters: an anonymous object's
    whose type arguments run longer (``object : Callback<Triple<…>>`` of 261 characters)
    passed to a call was taken for a value's brace, its body cut to the call's first line."""
    from deepseek_lsp.completion.postprocess import within_closed_calls

    kt = PostContext(prefix="fun f() {\n    ", suffix="\n}\n", language="kotlin")
    pairs = ", ".join(f"Map<String, List<Pair<Int, Type{i}>>>" for i in range(6))
    text = f"api.enqueue(object : Callback<Triple<{pairs}>> {{\n    override fun ok() = done()\n    x"
    assert within_closed_calls(text, kt) == text
    # A value's brace after as long a type stays one (C++'s braced initializer in a call).
    cpp = PostContext(prefix="void f() {\n    ", suffix="\n}\n", language="cpp")
    value = f"use(std::tuple<{pairs}>{{\n    1,\n    2"
    assert within_closed_calls(value, cpp) == value.partition("\n")[0]


def test_a_perl_loop_over_an_array_s_last_index_is_closed_where_the_suggestion_closes_it() -> None:
    """``for my $i (0 .. $#list) {`` at the end of the file being written: its ``$#`` read as
    a comment, the ``) {`` was hidden and the suggestion's ``}`` closing the loop was cut. As
    with ``scalar(@list) - 1`` there, it is kept."""
    prefix = "sub total {\n    my @list = @_;\n    my $sum = 0;\n    for my $i (0 .. $#list) {\n        "
    ctx = PostContext(prefix=prefix, suffix="\n", language="perl", indent_unit="    ", single_line=False)
    assert postprocess("$sum += $list[$i];\n    }\n    return $sum;", ctx) == "$sum += $list[$i];\n    }"
    line = replace(ctx, single_line=True)
    assert postprocess("$sum += $list[$i]; }", line) == "$sum += $list[$i]; }"


def test_a_perl_usage_message_over_lines_is_kept_as_written_and_ends_with_its_sub() -> None:
    """A double-quoted string over lines (a usage message): ended at its line's end, its next
    line was read as code, re-levelled into the sub's body (`    -v  verbose`) and the
    suggestion cut there; as the string's text, it is kept as written and the suggestion ends
    with the sub it is in."""
    prefix = 'sub usage {\n    print "Usage: tool [options]\n  -h  help (this text)\n'
    ctx = PostContext(prefix=prefix, suffix="\n", language="perl", indent_unit="    ", single_line=False)
    text = '  -v  verbose\n";\n}\n\nsub main {\n    usage();\n}'
    assert postprocess(text, ctx) == '  -v  verbose\n";\n}'


@pytest.mark.parametrize(
    ("language", "text", "brackets", "mode"),
    [
        # A regexp first on the line below an arrow (Prettier breaks a long body after `=>`)
        # or a control statement's header (`if (x)`, `for (...)`): read as a division, its
        # class's `(` was counted and its quote opened a string (correct at 0905cf78).
        ("javascript", "const ok = (v) =>\n  /^[a-z(]+$/.test(v);\nf(", "()()(", ""),
        ("typescript", "const q = (c: string) =>\n  /['\"]/.test(c);\nf(", "()()(", ""),
        ("javascript", "if (x)\n  /['(]/.test(s) && f(", "()()(", ""),
        ("javascript", "} else if (ok(x))\n  /['(]/.test(s) && f(", "}(())()(", ""),
        ("javascript", "for (const s of xs)\n  /['(]/.test(s) && g(s);\nf(", "()()()(", ""),
        # On one line too (read as a division at 0905cf78 already).
        ("javascript", "xs.filter(s => /[(']/.test(s)); f(", "(())(", ""),
        ("javascript", "if (x) /['(]/.test(s) && f(", "()()(", ""),
        # A division below a call's or a group's `)` stays one.
        ("javascript", "const y = g(a)\n  / (n - 1); f(", "()()(", ""),
        ("javascript", "if (a) x = (b)\n  / (2); f(", "()()()(", ""),
        ("javascript", "while (f(a) > 0) n = n\n  / 2 / (3); g(", "(())()(", ""),
        # JSX's text: an apostrophe after a word that is a keyword (`else`) is no quote where a
        # word and a blank come before it (`Someone else's`): read as `else'x'`, minified
        # JavaScript's string, it hid the line's brackets (correct at 0905cf78).
        ("javascriptreact", "const el = <p>Someone else's {items.map(i => (\n  <li>{i}</li>\n))}</p>;\nf(", "{(({}))}(", ""),
        ("typescriptreact", "<p>\n  Anyone else's {xs.map((x) => (\n    <b>{x}</b>\n  ))}\n</p>;\nf(", "{(()({}))}(", ""),
        # Minified JavaScript's keyword glued to its string stays one, after a keyword too.
        ("javascript", "function h(a){if(a)return await'x(';else throw'y(';f(", "(){()(", ""),
    ],
)
def test_a_javascript_slash_and_quote_read_as_a_regexp_and_a_quote_where_they_are(
    language: str, text: str, brackets: str, mode: str
) -> None:
    """Fed whole (a request's read) and a line at a time (the typing session's state): the
    same brackets, none of a regexp's or a string's."""
    for feeds in ([text], text.splitlines(keepends=True)):
        scanner = _BracketScanner(_syntax_for(language))
        assert "".join(b for feed in feeds for _, b in scanner.feed(feed)) == brackets, feeds
        assert scanner.mode == mode


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("perl", 'print <<"EOF";\nSee (a [b\nEOF\nf('),
        ("perl", "print <<~EOT;\n    1) x\n    EOT\nf("),
        ("ruby", "x = <<~EOS\n  a ( b\nEOS\nf("),
        ("ruby", "x = <<-EOS\n  a ( b\n  EOS\nf("),
        ("bash", "cat <<EOF\na ( b\nEOF\nf("),
        ("bash", "cat <<-'EOF'\n\ta ( b\n\tEOF\nf("),
    ],
)
def test_a_heredoc_of_a_crlf_file_ends_at_its_word(language: str, text: str) -> None:
    """A file saved with CRLF line ends (Windows, git's autocrlf): its heredoc's last line
    (`EOF\\r`) ends it, as perl, ruby and bash read it; taken for text, the heredoc ran to the
    file's end and hid every bracket below it."""
    crlf = text.replace("\n", "\r\n")
    for feeds in ([crlf], crlf.splitlines(keepends=True)):
        scanner = _BracketScanner(_syntax_for(language))
        assert "".join(b for feed in feeds for _, b in scanner.feed(feed)) == "(", feeds
        assert scanner.mode == ""


@pytest.mark.parametrize(
    ("language", "text", "brackets", "mode", "by_line"),
    [
        # A regexp after a control statement's header whose `(` is not first on its line
        # (`x(); if (a) /re/`) or whose condition runs over lines (`if (a &&` / `b)`): read as
        # a division, its `(` was counted.
        ("javascript", "x(); if (a) /re(/.test(s) && f(", "()()()(", "", True),
        ("javascript", "function g() { while (i--) /[(]/.test(s[i]) && n++; } f(", "(){()([])}(", "", True),
        # On the header's last line or below it (fed a line at a time, its `(` is in a feed
        # gone: read whole, as a request reads its window).
        ("javascript", "if (a &&\n    b) /x(/.test(s) && f(", "()()(", "", False),
        ("javascript", "if (a &&\n    b)\n  /x(/.test(s) && f(", "()()(", "", False),
        ("typescript", "for (\n  const s of xs\n)\n  /[(']/.test(s) && g(s);\nf(", "()()()(", "", False),
        # A call's or a group's `)` over lines stays an operand: a `/` below it divides.
        ("javascript", "const y = g(a,\n  b)\n  / (n - 1); f(", "()()(", "", True),
        ("javascript", "const y = (if_ +\n  b) / (n - 1); f(", "()()(", "", True),
        # Ruby's `#{...}` in an interpolating percent literal is code whose strings nest: read
        # as the literal's text, the `}` in its string closed the literal.
        ("ruby", 'x = %Q{a #{h["}"]} b}\nf(', "(", "", True),
        ("ruby", 'xs = %W[#{a["]"]} b] + f(', "(", "", True),
        # In a literal that does not interpolate, `#{` is text (`%q[a #{b]` ends at its `]`).
        ("ruby", "x = %q[a #{b] + f(", "(", "", True),
        # Perl: a keyword glued to a quote opens a string (`print'x ('`); a name glued to one
        # is Perl 4's package separator (`$main'x`, `foo'bar(1)`).
        ("perl", "print'x (';\nf(", "(", "", True),
        ("perl", "die'oops (' unless $x eq'a (';\nf(", "(", "", True),
        ("perl", "$a = foo'bar(1); f(", "()(", "", True),
        ("perl", "$main'x = 1; f(", "(", "", True),
        # PHP's inline HTML after `?>` is text up to the next `<?php` or `<?=` (a CSS `#id {` in
        # it read as a comment hid its `{` and counted its `}`).
        ("php", "<?php $a = 1; ?>\n<style>\n#id {\n  color: red;\n}\n</style>\n<?php f(", "(", "", True),
        ("php", "<?php if ($a) { ?>\n<p>:-) (</p>\n<?= h($b) ?>\n<?php } f(", "(){()}(", "", True),
    ],
)
def test_known_misreadings_of_session_47_are_read_as_the_grammar_reads_them(
    language: str, text: str, brackets: str, mode: str, by_line: bool
) -> None:
    """Fed whole (a request's read) and, where ``by_line``, a line at a time: the brackets the
    grammar counts, none of a regexp's, a literal's, a string's or inline HTML's."""
    for feeds in ([text], text.splitlines(keepends=True)) if by_line else ([text],):
        scanner = _BracketScanner(_syntax_for(language))
        assert "".join(b for feed in feeds for _, b in scanner.feed(feed)) == brackets, feeds
        assert scanner.mode == mode


@pytest.mark.parametrize(
    ("language", "text", "brackets"),
    [
        # A regexp below a control header over lines, fed a line at a time (the typing
        # session's read): its `(` in a feed gone, the `/` was read as a division and the
        # regexp's `(` counted.
        ("javascript", "if (\n  ok\n)\n  /\\(/.test(s);\nf(", "()()("),
        ("javascript", "if (a &&\n    b)\n  /x(/.test(s) && f(", "()()("),
        ("javascript", "if (a &&\n    b) /x(/.test(s) && f(", "()()("),
        ("typescript", "for (\n  const s of xs\n)\n  /[(']/.test(s) && g(s);\nf(", "()()()("),
        # A call's `)` over lines stays an operand: a `/` below it divides.
        ("javascript", "const y = g(\n  a\n)\n  / (n - 1); f(", "()()("),
        ("javascript", "if (x) y = g(\n  a\n)\n  / (n - 1); f(", "()()()("),
        # PHP ends a `//` or `#` comment at a `?>`: the text after it is the template's, up
        # to the next `<?php` (read as the comment's, the template's brackets counted).
        ("php", "<?php\n// see ?> (\nf(\n", ""),
        ("php", "<?php\n# see ?> (\nf(\n<?php g(\n", "("),
        ("php", "<?php $a = 1; // x ?>\n<p>:-)</p>\n<?php g(\n", "("),
        # Ruby's `#{...}` in an interpolating percent literal over lines is code whose strings
        # nest (tree-sitter-ruby's interpolation): read as the literal's text, the quoted `}`
        # closed it and the rest of its text was code.
        ("ruby", 'x = %Q{\n  a #{"}"} (\n}\nf(', "("),
        ("ruby", 'x = %Q{\n  a #{b.map { |y| "}" }} (\n}\nf(', "("),
        ("ruby", 'x = %r{\n  a #{h["}"]} (\n}x\nf(', "("),
        ("ruby", 'x = %W[\n  a #{h["]"]} (\n]\nf(', "("),
        # Not where it does not interpolate, nor escaped: `{` there nests, `}` closes it.
        ("ruby", 'x = %q{\n  a #{"}"} (\n}\nf(', "(}("),
        ("ruby", 'x = %Q{\n  a \\#{"}"} (\n}\nf(', "(}("),
        # The shell's extglob group in a case pattern (`shopt -s extglob`; bash runs each arm,
        # tree-sitter-bash reads an extglob_pattern): the pattern's word, no bracket; read as
        # one, its `)` ended the pattern and the pattern's own `)` was counted.
        ("bash", 'case $x in\n  @(a|b)) echo "(" ;;\n  !(x)) g ;;\nesac\nf(', "("),
        ("bash", "case $x in\n  +([0-9])) g ;;\n  x|*.@(jpg|png)) h ;; *) ;;\nesac\nf(", "("),
        # Not an arithmetic's `*(` in an arm, nor a glob in a command (balanced as before).
        ("bash", "case $x in\n  a) y=$((a*(b+c))) ;;\nesac\nf(", "((()))("),
        ("bash", "ls @(a|b)\nf(", "()("),
        # Not a `?>` in a block comment nor a string.
        ("php", "<?php\n/* ?> */ f(\n", "("),
        ("php", "<?php\n$s = '?>'; // a\nf(\n", "("),
        # Left by session 49: an extglob group nested in another's (`@(a|+(b|c))`), or two in a
        # pattern, read as bash reads them (tree-sitter-bash: one word); the group ended at its
        # first `)`, and the rest's were counted, one more `)` than `(` (the `(` around the
        # `case` closed).
        ("bash", 'case $x in\n  @(a|+(b|c))) echo "(" ;;\nesac\nf(', "("),
        ("bash", "case $x in\n  !(*.@(jpg|png))) g ;;\n  x|@(a|+(b|@(c|d)))|y) h ;;\nesac\nf(", "("),
        ("bash", "case $x in\n  *.@(jpg|png)|@(a|+(b))) g ;;\nesac\nf(", "("),
        # A group's `)` escaped or quoted is its text (`@([\)])`, `@("a)"|c)`).
        ("bash", 'case $x in\n  @([\\)])) g ;;\n  @(a\\)|b)) h ;;\n  @("a)"|\'b)\')) i ;;\nesac\nf(', "("),
        # A `$'...'` string's `\'` is a quote (`$'\''`, `*[$'\'']*`): the word read as ending
        # at it, its `)` was counted.
        ("bash", "case $x in\n  $'\\'') g ;;\n  *[$'\\'']*) h ;;\n  $'a\\'b (') i ;;\nesac\nf(", "[]("),
        # Controls, read so before: `[\']`'s quote escaped (its glob's brackets counted, as
        # ever), an arithmetic's brackets in an arm, an extglob in a command.
        ("bash", "case $x in\n  *[\\']*) echo \"(\" ;;\nesac\nf(", "[]("),
        ("bash", "case $x in\n  a) y=$((a*(b+(c)))) ;;\nesac\nf(", "(((())))("),
        ("bash", "ls @(a|+(b|c))\nf(", "(())("),
    ],
)
def test_misreadings_left_by_session_48_are_read_as_the_grammar_reads_them(language: str, text: str, brackets: str) -> None:
    """Fed whole (a request's read) and a line at a time (the typing session's state): the
    brackets the grammar counts (checked with tree-sitter and the interpreter where one is
    installed)."""
    for feeds in ([text], text.splitlines(keepends=True)):
        scanner = _BracketScanner(_syntax_for(language))
        assert "".join(b for feed in feeds for _, b in scanner.feed(feed)) == brackets, feeds
        assert scanner.mode == ""
