"""A comment typed where VS Code closed it: the editor writes a block comment's closer as the
comment is opened (C's `/*` becomes `/**/`, `/**` in C++, Java, JavaScript, TypeScript and PHP
gets ` */`, HTML's `<!--` gets `-->`), and the cursor sits before it. The real server over
stdio against the fake DeepSeek server. Found in VS Code typing C: no comment typed so ever
got a suggestion, the closer after the cursor taken for code the suggestion would go before."""

from __future__ import annotations

import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import accepted_text, inline_params, lsp_session, open_doc, server_env

#: (extension, language id, the text with the cursor at ‸, the model's answer, the line after
#: the accept)
CASES = [
    ("c", "c", "/* Returns the ‸ */\nint sum(int a, int b);\n", "sum of a and b.", "/* Returns the sum of a and b. */"),
    ("c", "c", "/* Returns the ‸ */\nint sum(int a, int b);\n", "sum of a and b. */", "/* Returns the sum of a and b. */"),
    ("c", "c", "/* Returns the ‸*/\nint sum(int a, int b);\n", "sum of a and b. */", "/* Returns the sum of a and b. */"),
    ("ts", "typescript", "/** Returns the ‸ */\nfunction sum(a: number, b: number) {}\n", "sum of a and b.", "/** Returns the sum of a and b. */"),
    ("java", "java", "class A {\n    /** The ‸ */\n    int n;\n}\n", "number of items.", "    /** The number of items. */"),
    ("c", "c", "int main(void) {\n    f(/* ‸ */);\n}\n", "verbose", "    f(/* verbose */);"),
    ("c", "c", "int main(void) {\n    int x = 1; /* ‸ */\n}\n", "the counter", "    int x = 1; /* the counter */"),
    ("html", "html", "<body>\n<!-- ‸ -->\n</body>\n", "main content -->", "<!-- main content -->"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[1]}-{n}" for n, c in enumerate(CASES)])
async def test_a_comment_before_the_closer_the_editor_wrote_gets_its_suggestion(tmp_path, case) -> None:
    ext, language, marked, answer, want = case
    before, after = marked.split("‸")
    text = before + after
    row, col = before.count("\n"), len(before.rsplit("\n", 1)[-1])
    with FakeDeepSeek() as fake:
        fake.script(answer)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings) as client:
            uri = f"file:///ws/c.{ext}"
            open_doc(client, uri, text, language)
            result = await client.text_document_inline_completion_async(inline_params(uri, row, col))
            assert result is not None and result.items, f"no suggestion at {marked!r}"
            assert accepted_text(text, result.items[0]).split("\n")[row] == want


async def test_code_after_the_cursor_still_gets_none(tmp_path) -> None:
    """Only the closer: a comment's text after the cursor is the user's, no place to write."""
    with FakeDeepSeek() as fake:
        fake.script("sum of a and b.")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"completion": {"debounce": 0, "prefetch": False}}) as client:
            uri = "file:///ws/d.c"
            open_doc(client, uri, "/* Returns the  of a and b */\nint sum(int a, int b);\n", "c")
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, 15))
            assert not (result and result.items)
            assert not fake.requests_to("/beta/completions")
