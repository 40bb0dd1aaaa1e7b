"""A comment the model goes on with over lines: at the end of a Javadoc's, JSDoc's or Doxygen's
line (` * Returns the `) or of a comment line of its own (`# TODO: `, `// `) a line was asked,
the request stopped at the first line break, and the comment's next lines (` * @param a ...`,
`# and the negative one`) never came: Copilot shows the whole comment. The fake DeepSeek
answers the text the file should have; the first suggestion is accepted."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

JAVADOC_ANSWER = "sum of a and b.\n     *\n     * @param a the first\n     * @param b the second"
#: (language, extension, the document with the cursor at ‸, the model's answer, the document
#: after the accept: None, as the model wrote it)
CASES = [
    pytest.param(
        "java", "java",
        "class A {\n    /**\n     * Returns the ‸\n     */\n    int sum(int a, int b) { return a + b; }\n}\n",
        JAVADOC_ANSWER, None, id="javadoc-closed-below",
    ),
    pytest.param(
        "java", "java",
        "class A {\n    /**\n     * Returns the ‸\n    int sum(int a, int b) { return a + b; }\n}\n",
        JAVADOC_ANSWER + "\n     */", None, id="javadoc-closed-by-the-answer",
    ),
    pytest.param(
        "javascript", "js", "/**\n * Returns the ‸\n */\nfunction sum(a, b) { return a + b; }\n",
        "sum of a and b.\n * @param {number} a\n * @param {number} b", None, id="jsdoc",
    ),
    pytest.param(
        "c", "c", "/** Returns the ‸\nint sum(int a, int b);\n",
        "sum of a and b.\n * @param a first\n * @param b second\n */", None, id="doxygen-opening-line",
    ),
    pytest.param(
        "python", "py", "def f(xs):\n    # TODO: ‸\n    return 1\n",
        "handle the empty case\n    # and the negative one", None, id="hash-comment-goes-on",
    ),
    pytest.param(
        "c", "c", "int f(void) {\n    // ‸\n    return 1;\n}\n",
        "the first line\n    // the second line", None, id="slash-comment-goes-on",
    ),
    pytest.param(
        "rust", "rs", "/// Adds ‸\nfn add(a: i32, b: i32) -> i32 { a + b }\n",
        "two numbers.\n///\n/// Wraps on overflow.", None, id="rust-doc-lines",
    ),
    # The comment's rest, not the code the model wrote after it: asked at the next line.
    pytest.param(
        "python", "py", "def f(xs):\n    # TODO: ‸\n    return 1\n",
        "handle the empty case\n    if not xs:\n        return 0",
        "def f(xs):\n    # TODO: handle the empty case\n    return 1\n", id="code-after-the-comment-cut",
    ),
    # Controls: a comment after code, and a starred line of code, ask a line as before.
    pytest.param(
        "python", "py", "x = 1  # the ‸\ny = 2\n", "count\nz = 3",
        "x = 1  # the count\ny = 2\n", id="comment-after-code",
    ),
    pytest.param(
        "c", "c", "int f(int a, int b) {\n    return a\n        * ‸\n}\n", "b;\n    g();",
        "int f(int a, int b) {\n    return a\n        * b;\n}\n", id="product-over-lines",
    ),
]


@pytest.mark.parametrize(("language", "ext", "text", "answer", "want"), CASES)
async def test_the_comment_s_lines_are_suggested_whole(
    fake_deepseek, language: str, ext: str, text: str, answer: str, want: str | None
) -> None:
    got, _ = await accept_first(fake_deepseek, language, ext, text, answer)
    assert got == (text.replace("‸", answer) if want is None else want)


async def test_a_finished_comment_line_in_an_empty_body_keeps_the_code_below(fake_deepseek) -> None:
    """The answer ends the comment where it is (its first line empty): the body it writes
    after is the suggestion, as at any empty body's start."""
    text = "def read(p):\n    # the file's text‸\n"
    answer = "\n    with open(p) as f:\n        return f.read()"
    got, _ = await accept_first(fake_deepseek, "python", "py", text, answer)
    assert got == text.replace("‸", answer)


@pytest.mark.parametrize(
    ("language", "ext", "text", "comment"),
    [
        ("python", "py", "def f(xs):\n    # TODO: ‸\n    return 1\n", "handle the empty case\n    # and the negative one"),
        ("java", "java", "class A {\n    /**\n     * Returns the ‸\n    int n;\n}\n", "count.\n     * @return it\n     */"),
    ],
)
async def test_the_comment_s_answer_is_read_to_its_end_only(
    fake_deepseek, language: str, ext: str, text: str, comment: str
) -> None:
    """The block is asked for the comment's sake: the stream is left once the comment is
    written, not read on through the code after it to the block's tokens (seconds, billed)."""
    code = "".join(f"\n    total_{i} = compute(values, {i})" for i in range(60))
    fake_deepseek.set_latency(per_token=0.005)
    got, _ = await accept_first(fake_deepseek, language, ext, text, comment + code)
    assert got == text.replace("‸", comment)
    (asked,) = fake_deepseek.requests_to("/beta/completions")
    assert await fake_deepseek.wait_closed_async(asked) and asked.disconnected


@pytest.mark.parametrize(
    ("text", "answer", "want"),
    [
        ("--[[ Returns the ‸\nfunction f(a) return a end\n", "sum of a\n  and of b.\n]]", None),
        ("local M = {}\n--[==[\n  Returns the ‸\nfunction M.f(a) return a end\n", "sum of a\n  and of b.\n]==]", None),
        # The code after the comment's closer is asked at the next line, as after a `*/`.
        (
            "--[[ Returns the ‸\nfunction f(a) return a end\n",
            "sum of a\n]]\nlocal x = 1",
            "--[[ Returns the sum of a\n]]\nfunction f(a) return a end\n",
        ),
    ],
    ids=["opening-line", "leveled-long-comment", "code-after-the-closer-cut"],
)
async def test_a_lua_long_comment_goes_on_over_lines(fake_deepseek, text: str, answer: str, want: str | None) -> None:
    """Lua's `--[[` opens a comment over lines, as C's `/*` does: its lines were cut at the
    first that was no `--` line, only the comment's first line shown (Neovim's own Lua)."""
    got, _ = await accept_first(fake_deepseek, "lua", "lua", text, answer)
    assert got == (text.replace("‸", answer) if want is None else want)


@pytest.mark.parametrize(
    "opener",
    ['local open = "--[["', "local open = '--[==['", 'local s = "a" .. "--[[" .. "b"'],
    ids=["double-quoted", "single-quoted-level", "among-strings"],
)
async def test_a_long_comment_opener_in_a_lua_string_opens_no_comment(fake_deepseek, opener: str) -> None:
    """A `--[[` inside a string opens no long comment: read as one, every line ended below it
    (200 lines) was taken for the comment's, asked as a 256-token block and cut to comment
    lines, not as the line it is (48 tokens, stopped at its end)."""
    text = f"{opener}\nlocal function f(t)\n  return t‸\nend\nreturn f\n"
    got, body = await accept_first(fake_deepseek, "lua", "lua", text, ".x + 1\nend\nreturn g")
    assert got == text.replace("‸", ".x + 1")
    assert body is not None and body["stop"] == ["\n"]
