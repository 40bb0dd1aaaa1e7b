"""A string the suggestion opens and carries over lines is text: its lines keep the
indentation the model wrote, and no cut takes its closing line for the end of a block. The
shell's strings were known so; PowerShell's, SQL's, CMake's quoted arguments, CoffeeScript's
and Julia's backticks (single and triple), which the scanner
reads over lines too, were re-indented as code (`  -Path` moved to the body's level) or cut
at their first line under a two-space unit, the string left open."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.postprocess import postprocess
from deepseek_lsp.completion.postprocess.context import PostContext
from tests.harness import suggested_texts

_CASES = [
    # (language, prefix, suffix, suggestion): the cursor at a body's level, four spaces in.
    (
        "powershell",
        "function Show-Usage {\n    ",
        "\n}\n",
        '$msg = "Usage: tool [options]\n  -Path   the path (x\n  -Force  overwrite\n"\n    Write-Host $msg',
    ),
    (
        "powershell",
        "function Show-Usage {\n    ",
        "\n}\n",
        "$msg = 'Usage: tool [options]\n  -Path   the path\n'\n    Write-Host $msg",
    ),
    ("ps1", "function F {\n    ", "\n}\n", "$q = 'it''s\n  two'\n    $q"),
    ("sql", "SELECT\n    ", "\nFROM t;\n", "'line one\n  line two\n' AS txt,\n    b"),
    ("cmake", "if(X)\n    ", "\nendif()\n", 'message("Usage\n  -D X=1  the x\n")\n    set(Y 1)'),
    ("coffeescript", "f = ->\n    ", "\n", "x = ```\n  const a = `x`;\n      b();\n```\n    y = 1"),
    ("coffeescript", "f = ->\n    ", "\n", "x = `\n  function g() {}\n`\n    y = 1"),
    ("julia", "function f()\n    ", "\nend\n", "c = ```\n  echo `x`\n      ls\n```\n    run(c)"),
    ("julia", "function f()\n    ", "\nend\n", "c = `echo\n  x`\n    run(c)"),
    # Rust's strings run over lines, and so does its `\` line continuation's.
    ("rust", "fn main() {\n    ", "\n}\n", 'let u = "Usage: t [opts]\n  -h  help\n      -v  (x\n";\n    f(u);'),
    ("rust", "fn main() {\n    ", "\n}\n", 'let s = "tool {\nopts\n";\n    run(s);'),
    ("rust", "fn main() {\n    ", "\n}\n", 'let s = "one \\\n  two (";\n    run(s);'),
    ("rust", "fn main() {\n    ", "\n}\n", 'let j = r#"{\n  "a": "}",\n      "b": 1\n}"#;\n    run(j);'),
    # Swift's raw strings end at their quotes and as many `#` (a `"#` in a `##"""` is text).
    ("swift", "func f() {\n    ", "\n}\n", 'let s = ##"""\n  a "# (\n      b """#\n  """##\n    g(s)'),
    # Perl's quote-like operators run over lines (a word list, a regexp with /x).
    ("perl", "sub f {\n    ", "\n}\n", "my @names = qw(\n  alpha\n  beta [x\n);\n    return @names;"),
    ("perl", "sub f {\n    ", "\n}\n", "my $re = qr{\n  ^ \\s* (\\w+)\n}x;\n    return $re;"),
    ("perl", "sub f {\n    ", "\n}\n", "(my $t = $s) =~ s{\n  \\( }{[}gx;\n    return $t;"),
]


@pytest.mark.parametrize("unit", ["    ", "  "])
@pytest.mark.parametrize(("language", "prefix", "suffix", "suggestion"), _CASES)
def test_a_suggestion_s_string_over_lines_is_kept_as_written(
    language: str, prefix: str, suffix: str, suggestion: str, unit: str
) -> None:
    ctx = PostContext(prefix=prefix, suffix=suffix, language=language, indent_unit=unit)
    assert postprocess(suggestion, ctx) == suggestion


@pytest.mark.parametrize(
    ("answer", "uri", "text", "language", "line"),
    [
        (
            '$usage = "Usage: Sync-Files [options]\n    -Path   where (a folder)\n"\n  Write-Host $usage',
            "file:///ws/sync.ps1",
            "function Show-Usage {\n  \n}\n\nfunction Get-Two {\n  return 2\n}\n",
            "powershell",
            1,
        ),
        # A Vue file's script: its template literal, as a .js file's (cut after its first
        # line since 4168422c took every backtick of a file without a syntax here for text's).
        (
            "const usage = `Usage: sync [options]\n    -p   where (a folder)\n`;\n  return usage;",
            "file:///ws/App.vue",
            "<template>\n  <p>{{ msg }}</p>\n</template>\n\n<script>\nfunction usage() {\n  \n}\n</script>\n",
            "vue",
            6,
        ),
    ],
    ids=["powershell", "vue"],
)
async def test_a_usage_message_over_lines_is_shown_whole(
    tmp_path, answer: str, uri: str, text: str, language: str, line: int
) -> None:
    """Over stdio: a two-space file, the model's message over lines kept as written."""
    shown = await suggested_texts(str(tmp_path), answer, uri, text, language, line, 2)
    assert shown == [answer]


@pytest.mark.parametrize(
    ("language", "prefix", "suffix", "suggestion"),
    [
        ("python", "def f():\n    ", "\n", 'x = """Usage:\n  -x  the x\n"""\n    return x'),
        ("javascript", "function f() {\n    ", "\n}\n", "const t = `Usage:\n  -x  the x\n`;\n    return t;"),
        ("javascript", "function f() {\n    ", "\n}\n", "const css = `body {\n  margin: 0;\n}`;\n    return css;"),
        ("powershell", "function F {\n    ", "\n}\n", '$t = "Usage:\n  -x  the x\n"\n    $t'),
    ],
)
def test_a_colon_or_brace_in_the_string_s_first_line_opens_no_block(
    language: str, prefix: str, suffix: str, suggestion: str
) -> None:
    """The suggestion's first line opens a string over lines whose text ends with `:` or `{`:
    taken for a block's header, the code after the string went a level in (a Python body's
    `return x` fourteen columns deeper, under the text's end)."""
    ctx = PostContext(prefix=prefix, suffix=suffix, language=language, indent_unit="    ")
    assert postprocess(suggestion, ctx) == suggestion


def test_a_quote_nested_in_a_substitution_in_a_string_leaves_the_code_below_code() -> None:
    """`msg="$(gettext "Don't panic")"` above the cursor: its apostrophe, read as a word's
    glued quote, opened a string over the rest of the file, and a suggestion below was taken
    for a string's text (its levels, its cut) where without the apostrophe it is code."""
    comp = 'if [ -f "$f" ]; then\n  echo "$f"\n  fi'
    shown = []
    for word in ("Do not", "Don't"):
        prefix = f'main() {{\n    msg="$(gettext "{word} panic")"\n    for f in *; do\n        '
        shown.append(postprocess(comp, PostContext(prefix=prefix, suffix="\n    done\n}\n", language="bash")))
    assert shown[1] == shown[0]


@pytest.mark.parametrize("below", ["", "  case $1 in\n    a) echo a ;;\n  esac\n"])
def test_a_substitution_typed_in_a_string_that_its_line_leaves_open_reads_the_code_below_as_code(
    below: str,
) -> None:
    """`x="$(ls ` typed with no closer paired (no auto-pair): the rest of the file is the code
    the user is writing in, as for a quote typed alone; read on as the substitution's code, a
    `case` arm's `a)` below closed it and the function's `}` was a string's text, and the
    suggestion's own `}` was shown again above it."""
    ctx = PostContext(prefix='f() {\n  x="$(ls ', suffix="\n" + below + "}\n", language="bash")
    assert postprocess('-l)"\n}', ctx) == '-l)"'


@pytest.mark.parametrize(
    ("language", "prefix", "suffix", "suggestion", "shown"),
    [
        # A backtick in HTML's or prose's text is no string: the lines below it are still
        # re-levelled (six columns in a four-space file to eight), as before f1375c6.
        ("html", "<div>\n    ", "\n</div>\n", "<p>`x</p>\n      <p>y</p>", "<p>`x</p>\n        <p>y</p>"),
        ("plaintext", "Notes:\n    ", "\n", "run `make\n      then test`\n    done", "run `make\n        then test`\n    done"),
    ],
)
def test_a_backtick_in_html_or_prose_is_no_string_to_the_indentation(
    language: str, prefix: str, suffix: str, suggestion: str, shown: str
) -> None:
    ctx = PostContext(prefix=prefix, suffix=suffix, language=language, indent_unit="    ")
    assert postprocess(suggestion, ctx) == shown


_SCRIPT_PREFIX = "<template>\n  <p>{{ t }}</p>\n</template>\n<script>\nfunction f() {\n    "


@pytest.mark.parametrize("unit", ["    ", "  "])
@pytest.mark.parametrize(
    ("language", "prefix", "suffix"),
    [
        ("vue", _SCRIPT_PREFIX, "\n}\n</script>\n"),
        ("svelte", "<script>\nfunction f() {\n    ", "\n}\n</script>\n<p>`x</p>\n"),
        ("html", '<body>\n<script type="module">\nfunction f() {\n    ', "\n}\n</script>\n</body>\n"),
        # The window's start past the `<script>` tag: its `</script>` below says where it is.
        ("vue", "function f() {\n    ", "\n}\n</script>\n<style>\np { margin: 0; }\n</style>\n"),
    ],
)
@pytest.mark.parametrize(
    "suggestion",
    ["const t = `Usage:\n  -x  the x\n`;\n    return t;", "const t = `Usage\n  -x  the x\n`;\n    return t;"],
)
def test_a_template_literal_in_a_script_element_is_kept_as_written(
    language: str, prefix: str, suffix: str, suggestion: str, unit: str
) -> None:
    """A Vue, Svelte or HTML file's `<script>` holds JavaScript: its template literal over
    lines is text, as in a .js file (since 4168422c, which took HTML's text's backtick for no
    string, it was read as code: cut after `Usage:`, the literal left open, or its option
    line re-levelled to the body's)."""
    ctx = PostContext(prefix=prefix, suffix=suffix, language=language, indent_unit=unit)
    assert postprocess(suggestion, ctx) == suggestion



@pytest.mark.parametrize(
    ("prefix", "suggestion"),
    [
        # A fence the suggestion opens: the code's own four-space levels in a two-space list.
        ("# Use\n\n- a\n  - b\n\n", "```python\ndef f():\n    return 1\n```\n\nDone."),
        ("# Use\n\n- a\n  - b\n\n", "~~~js\nif (x) {\n    y();\n}\n~~~"),
        # The cursor inside a fence the document opened: the lines below are its code.
        ("# Use\n\n- a\n  - b\n\n```python\n", "def f():\n    if x:\n        return 1"),
        # The fence typed on the cursor's line, its language the suggestion's.
        ("# Use\n\n- a\n  - b\n\n```", "python\ndef f():\n    return 1\n```"),
        ("# Use\n\n- a\n  - b\n\n``", "`python\ndef f():\n    return 1\n```"),
    ],
    ids=["fence-opened", "tilde-fence", "fence-above", "fence-typed", "fence-half-typed"],
)
def test_a_markdown_fence_s_code_keeps_its_own_levels(prefix: str, suggestion: str) -> None:
    """A fenced block's code is its language's, not the list's: in a two-space Markdown file
    its four-space Python body was re-levelled to two (as written until 4168422c took prose's
    backticks for no string, which read the fence as one)."""
    ctx = PostContext(prefix=prefix, suffix="\n", language="markdown", indent_unit="  ")
    assert postprocess(suggestion, ctx) == suggestion


def test_a_case_in_a_substitution_in_a_string_reads_its_arms_as_code() -> None:
    """`x="$(case $a in` above the cursor, in an arm: the arm's `b)` ended the substitution
    and its quotes inverted, so the suggestion was taken for a string's text (kept as
    written) where in a `case` outside a string it is code (its levels applied)."""
    comp = 'c) if [ -n "$c" ]; then\n        echo c\n      fi ;;'
    shown = []
    for opener, closer in (("case", "esac"), ('x="$(case', 'esac)"')):
        prefix = f"f() {{\n  {opener} $a in\n    b) echo b ;;\n    "
        ctx = PostContext(prefix=prefix, suffix=f"\n  {closer}\n}}\n", language="bash", indent_unit="  ")
        shown.append(postprocess(comp, ctx))
    assert shown[1] == shown[0]


@pytest.mark.parametrize(
    ("plain", "line"),
    [
        # A parameter expansion's quotes in a string nest: read as the string's end, the
        # apostrophe of "it's" opened a string over the rest of the file.
        ('    echo "${msg:-"it is"}"', '    echo "${msg:-"it\'s"}"'),
        # A heredoc opener in a comment opens none: read as one, the lines below were its text.
        ("    # cat EOF", "    # cat <<EOF"),
        ("    : # then cat 'EOF'", "    : # then cat <<-'EOF'"),
    ],
    ids=["expansion-quotes", "commented-heredoc", "trailing-comment-heredoc"],
)
def test_a_line_above_that_opens_no_text_leaves_a_case_arm_s_levels_applied(plain: str, line: str) -> None:
    """The suggestion, a `case` arm below such a line, is shown as below the same line without
    the quote or the heredoc opener (its `fi` under its `if`, the arm's levels applied)."""
    comp = 'c) if [ -n "$c" ]; then\n        echo c\n      fi ;;'
    shown = []
    for above in (plain, line):
        prefix = f"f() {{\n{above}\n  case $a in\n    b) echo b ;;\n    "
        ctx = PostContext(prefix=prefix, suffix="\n  esac\n}\n", language="bash", indent_unit="  ")
        shown.append(postprocess(comp, ctx))
    assert shown[1] == shown[0]


def test_a_mysql_escaped_quote_in_a_string_above_leaves_the_code_below_code() -> None:
    """`'it\\'s ('` above the cursor (MySQL's escaped quote): read as the string's end, its `(`
    was code and its last quote opened a string over the rest of the file, and the suggestion
    below was taken for its text (not cut at the statement's end, as below `'it is ('`)."""
    shown = []
    for text in ("'it is ('", "'it\\'s ('"):
        ctx = PostContext(prefix=f"SELECT {text} AS a,\n    ", suffix="", language="sql")
        shown.append(postprocess("f(b)\nFROM t;", ctx))
    assert shown[1] == shown[0]


@pytest.mark.parametrize(
    ("prefix", "suggestion"),
    [
        ("def f(c):\n{line}    ", "return s\n\ndef h():\n    pass"),
        ("def f(c):\n{line}    if c:\n        ", "return s\n    return None"),
    ],
)
def test_a_quote_reused_in_an_f_string_s_field_above_leaves_the_code_below_code(prefix: str, suggestion: str) -> None:
    """Python 3.12's `f"{'a' if c else "("}"` above the cursor: its inner `"("`, read as the
    f-string's end, left a `(` open, and the suggestion below was re-indented into it (a
    `def` after the function shown inside it) where below `"x"` it is cut at the body's end."""
    shown = []
    for inner in ('"x"', '"("'):
        line = f"    s = f\"{{'a' if c else {inner}}}\"\n"
        ctx = PostContext(prefix=prefix.format(line=line), suffix="\n", language="python")
        shown.append(postprocess(suggestion, ctx))
    assert shown[1] == shown[0]
