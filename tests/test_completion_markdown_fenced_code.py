"""The code in a Markdown file's fenced block whose info string names its language is
post-processed as that language's file would be: its brackets, strings and levels (a README's
example). Read as prose, its lines were kept as written and a suggestion ran on past the
function or block the cursor is in (the next `def` shown, the `}` closing the cursor's
function kept with the function after it)."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.postprocess import kept_tail, postprocess
from deepseek_lsp.completion.postprocess.context import PostContext
from tests.completing import accept_first
from tests.harness import suggested_texts

_CASES = [
    # (info string, language, the code's unit, code above the cursor, code below, suggestion)
    ("python", "python", "    ", "def f(x):\n    y = x\n    ", "\n", 'if y:\n    return g("(")\nreturn 1\n\ndef h():\n    pass'),
    ("py", "python", "    ", "class A:\n    def f(self):\n        ", "\n", "return 1\n\n    def g(self):\n        return 2"),
    ("js", "javascript", "    ", "function f(x) {\n    ", "\n}\n", "return g(x);\n}\n\nfunction h() {}"),
    ("typescript", "typescript", "  ", "function f(x: number) {\n  const y = x;\n  ", "\n}\n", "if (y) {\n    return `(`;\n  }\n}\nf(1);"),
    ("rust", "rust", "    ", "fn main() {\n    ", "\n}\n", 'let s = "a (\nb";\n    run(s);\n}\n\nfn other() {}'),
    ("bash", "shellscript", "  ", "f() {\n  local a\n  ", "\n}\n", 'echo "it\'s"\n}\n\ng() {\n  :\n}'),
]


@pytest.mark.parametrize("document", ["markdown", "mdx"])
@pytest.mark.parametrize(("info", "language", "unit", "above", "below", "suggestion"), _CASES)
def test_a_fenced_block_s_code_is_post_processed_as_its_language_s_file(
    info: str, language: str, unit: str, above: str, below: str, suggestion: str, document: str
) -> None:
    """In an MDX file too (VS Code's `mdx`: Markdown with JSX and ES modules)."""
    in_file = PostContext(prefix=above, suffix=below, language=language, indent_unit=unit, single_line=False)
    in_readme = PostContext(
        prefix=f"# Usage\n\nCall it so:\n\n```{info}\n{above}",
        suffix=f"{below}```\n\nThat is all (for now).\n",
        language=document,
        indent_unit="  " if unit == "    " else "    ",
        single_line=False,
    )
    expected = postprocess(suggestion, in_file)
    assert expected != suggestion  # the case is one where the language's rules change it
    assert postprocess(suggestion, in_readme) == expected


def test_a_block_in_a_list_item_is_its_code_indented_by_the_item() -> None:
    item = PostContext(
        prefix="- Install:\n\n  ```python\n  def f(x):\n      ",
        suffix="\n  ```\n",
        language="markdown",
        indent_unit="  ",
        single_line=False,
    )
    assert postprocess("if x:\n      return 1\n  print(2)", item) == "if x:\n      return 1"


def test_a_closing_fence_ends_the_code_and_is_kept_where_the_document_has_none() -> None:
    suggestion = "return 1\n```\n\nThat is all."
    closed = PostContext(prefix="```python\ndef f():\n    ", suffix="\n```\n", language="markdown", single_line=False)
    open_ = PostContext(prefix="```python\ndef f():\n    ", suffix="\n", language="markdown", single_line=False)
    assert (postprocess(suggestion, closed), postprocess(suggestion, open_)) == ("return 1", "return 1\n```")


@pytest.mark.parametrize("info", ["", "text", "console"])
def test_a_block_naming_no_language_keeps_its_lines_as_written(info: str) -> None:
    suggestion = "if x:\n    return 1\n\ndef other():\n    pass"
    ctx = PostContext(prefix=f"```{info}\ndef f(x):\n    ", suffix="\n```\n", language="markdown", single_line=False)
    assert postprocess(suggestion, ctx) == suggestion


def test_the_closers_after_the_cursor_are_those_of_the_block_s_code() -> None:
    """A quote in the prose above (`it's`) is no string's: the fenced call's `)` typed over."""
    ctx = PostContext(prefix="It's easy:\n\n```python\nprint(f(", suffix="))\n```\n", language="markdown")
    assert kept_tail("x))", "))", ctx) == ""


async def test_over_stdio_a_readme_s_python_example_is_cut_at_its_function_s_end(tmp_path) -> None:
    """The real server, a README.md open: the model's answer goes on past the example's
    function (the next `def`); as in a .py file it is cut at the function's end."""
    readme = "# Tool\n\nIt's easy:\n\n```python\ndef area(w, h):\n    \n```\n\nThat is all.\n"
    answer = "return w * h\n\ndef perimeter(w, h):\n    return 2 * (w + h)"
    shown = await suggested_texts(str(tmp_path), answer, "file:///ws/README.md", readme, "markdown", 6, 4)
    assert shown == ["return w * h"]


@pytest.mark.parametrize(
    ("above", "suggestion"),
    [
        # JSX and ES modules in MDX: read as prose, their brackets still end the suggestion
        # where JavaScript's do (controls: as in a .jsx file, before and after MDX was
        # Markdown's).
        ("# Sales\n\n<Chart\n  data={[\n    { x: 1, y: 2 },\n    ", "{ x: 2, y: 3 },\n  ]}\n/>\n\n## Next (two)"),
        ("export const meta = {\n  tags: [\n    ", "'a',\n  ],\n};\n\n# Sales\n\nIt's (up)."),
    ],
)
def test_jsx_and_es_modules_in_mdx_end_where_javascript_s_do(above: str, suggestion: str) -> None:
    in_mdx, in_jsx = (
        PostContext(prefix=above, suffix="\n", language=language, indent_unit="  ", single_line=False)
        for language in ("mdx", "javascript")
    )
    assert postprocess(suggestion, in_mdx) == postprocess(suggestion, in_jsx) != suggestion


async def test_over_stdio_an_mdx_page_s_list_item_is_shown_whole(tmp_path) -> None:
    """An .mdx page (VS Code's `mdx`) is Markdown: a list item's `3)` is no scope's end (read
    with C's rules, the suggestion was shown up to it: `3`)."""
    page = "import { Note } from './note';\n\n# Steps\n\n1) first\n2) second\n\n<Note>It's easy.</Note>\n"
    shown = await suggested_texts(str(tmp_path), "3) third", "file:///ws/docs/steps.mdx", page, "mdx", 6, 0)
    assert shown == ["3) third"]



#: A guide being written: its Python block not closed yet, a JavaScript block and a shell
#: block below, both stepping by two.
_GUIDE_HEAD = "# Guide\n\n## Python\n\n```python\nfrom app import create_app\n\n\ndef main() -> None:"
_GUIDE_TAIL = '\n\n## JavaScript\n\n```js\napp.get("/", (req, res) => {\n  res.json({ ok: true });\n});\n```\n\n```bash\nfor f in *.log; do\n  gzip "$f"\ndone\n```\n'


@pytest.mark.usefixtures("state_dir")
@pytest.mark.parametrize("body", ["\n    app = create_app()\n    for r in app.routes:\n        print(r)", "\n    return None"])
async def test_an_unclosed_markdown_fence_is_indented_as_its_own_code(fake_deepseek, body) -> None:
    """A Python block not closed yet above a JavaScript block: the JavaScript block's closing
    fence was taken for the Python block's, its two-space lines for the Python code below the
    cursor, and the model's four-space lines came re-indented by two (22 of 27 suggestions
    wrong while retyping a guide's Python block in Neovim). A fence with an info string opens
    a block: the Python block ends above it."""
    result, _ = await accept_first(fake_deepseek, "markdown", "md", _GUIDE_HEAD + "‸" + _GUIDE_TAIL, body)
    assert result == _GUIDE_HEAD + body + _GUIDE_TAIL



def test_a_named_fence_ends_a_block_not_closed_yet_unless_the_block_quotes_it() -> None:
    """Below a Python block not closed yet, ```` ```js ```` opens the next block: the document
    has no closer for this one, and the suggestion's is kept. In a ```` ```` ```` block the
    same line is text: the four-backtick closer below is the block's, and the suggestion's
    dropped."""
    suggestion = "return 1\n````\n\nThat is all."
    below = "\n\n```js\nlet a = 1;\n```\n"
    unclosed = PostContext(prefix="```python\ndef f():\n    ", suffix=below, language="markdown", single_line=False)
    quoting = PostContext(prefix="````python\ndef f():\n    ", suffix=below + "````\n", language="markdown", single_line=False)
    assert postprocess(suggestion.replace("````", "```"), unclosed) == "return 1\n```"
    assert postprocess(suggestion, quoting) == "return 1"
