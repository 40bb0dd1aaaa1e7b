"""A body accepted on the line Enter opened inside `{|}`, where the editor's autoindent left the
cursor at the closer's depth (an autopair mapping's `<CR><C-c>O`, Neovim's `autoindent`): the
model writes the first line's missing indentation after the cursor and the next lines at their
real columns. The real server over stdio against the fake DeepSeek server. Found retyping
the JDK's Comparators.java in Neovim: the nested class's fields came back at column 16, not 8
(its first line's four spaces were read from column 0, as two-space levels)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import accepted_text, first_item_at_cursor, inline_params, open_doc
from tests.test_completion_e2e import accept, session

#: (extension, language id, the document with the cursor at ‸, the model's answer: the
#: original file's text from the cursor on)
CASES = [
    (
        "java", "java",
        "class Comparators {\n    static final class NullComparator<T> implements Comparator<T> {\n    ‸\n    }\n}\n",
        "    @java.io.Serial\n        private static final long serialVersionUID = 1L;\n"
        "        private final boolean nullFirst;",
    ),
    (
        "go", "go",
        "package main\n\nfunc (s *Socket) Check() error {\n\tif s.dir == \"\" {\n\t‸\n\t}\n\treturn nil\n}\n",
        "\tlog.Print(s)\n\t\treturn nil",
    ),
    # Already right before: the model's lines in the file's levels under a Rust `fn`.
    (
        "rs", "rust",
        "impl Endpoint {\n    pub fn new(port: u16) -> Self {\n    ‸\n    }\n}\n",
        "    let tls = port == 443;\n        Endpoint { port, tls }",
    ),
    # The cursor where the body goes already: nothing to add.
    (
        "java", "java",
        "class C {\n    static final class N {\n        ‸\n    }\n}\n",
        "private final boolean nullFirst;\n        private int size;",
    ),
]


#: (extension, language id, the document with the cursor at ‸, the model's answer, what the
#: accepted document holds from the cursor's line on)
HEADERS_AT_THE_CLOSER_S_DEPTH = [
    # A header typed at the closer's depth, whose `}` the model writes there too: taken for a
    # copy of the method's `}` below, it was cut, and the `if` took the method's for its own.
    (
        "java", "java",
        "class C {\n    void f() {\n    if (ready) {‸\n    }\n}\n",
        "\n        run();\n    }",
        "    if (ready) {\n        run();\n    }\n    }\n}\n",
    ),
    (
        "js", "javascript",
        "function f() {\n  for (const x of xs) {\n  try {‸\n  }\n}\n",
        "\n    use(x);\n  } catch (e) {\n    log(e);\n  }",
        "  try {\n    use(x);\n  } catch (e) {\n    log(e);\n  }\n  }\n}\n",
    ),
    # The control: the block's own `}` below, re-typed by the model, still goes.
    (
        "java", "java",
        "class C {\n    void f() {\n        if (ready) {\n            go();\n            ‸\n        }\n    }\n}\n",
        "run();\n        }",
        "            run();\n        }\n    }\n}\n",
    ),
]

#: The same for a plain line typed at the closer's depth.
PLAIN_LINES_AT_THE_CLOSER_S_DEPTH = [
    # A statement typed at the closer's depth (Enter's autoindent left the cursor under the
    # method's `}`): that line is the one off, not the model's. Its next lines, at the block's
    # depth, were moved under the typed line, to the closer's column.
    (
        "java", "java",
        "class C {\n    void f() {\n        int a = 1;\n    log(‸\n    }\n}\n",
        "a);\n        log(b);",
        "    log(a);\n        log(b);\n    }\n}\n",
    ),
    (
        "js", "javascript",
        "function f(xs) {\n  for (const x of xs) {\n  use(‸\n  }\n}\n",
        "x);\n    log(x);",
        "  use(x);\n    log(x);\n  }\n}\n",
    ),
    # Its next lines written a level deeper still are brought to the block's depth.
    (
        "java", "java",
        "class C {\n    void f() {\n        int a = 1;\n    log(‸\n    }\n}\n",
        "a);\n            log(b);",
        "    log(a);\n        log(b);\n    }\n}\n",
    ),
    # Typed at the closer's depth above the block's statements, not its `}` (a dedent's, a
    # paste's): they tell the block's column; the next lines went under the typed line.
    (
        "java", "java",
        "class C {\n    void f() {\n        int a = 1;\n    log(‸\n        save(a);\n    }\n}\n",
        "a);\n        log(b);",
        "    log(a);\n        log(b);\n        save(a);\n    }\n}\n",
    ),
    (
        "js", "javascript",
        "function f(xs) {\n  const a = 1;\nuse(‸\n  save(a);\n}\n",
        "a);\n  log(a);",
        "use(a);\n  log(a);\n  save(a);\n}\n",
    ),
    # The control: typed at the block's depth, the model's deeper lines go under it, as before.
    (
        "java", "java",
        "class C {\n    void f() {\n        int a = 1;\n        log(‸\n    }\n}\n",
        "a);\n            log(b);",
        "        log(a);\n        log(b);\n    }\n}\n",
    ),
]


def _as_written(text: str, answer: str) -> str:
    """The cursor's line on, with the answer where the cursor was: what the original file holds."""
    before, _, after = text.partition("‸")
    return before[before.rfind("\n") + 1 :] + answer + after


@pytest.mark.parametrize(
    ("ext", "language_id", "text", "answer", "after"),
    [(*case, _as_written(case[2], case[3])) for case in CASES]
    + HEADERS_AT_THE_CLOSER_S_DEPTH
    + PLAIN_LINES_AT_THE_CLOSER_S_DEPTH,
)
async def test_a_body_accepted_at_the_closer_s_depth_keeps_the_model_s_columns_and_closers(
    tmp_path, ext: str, language_id: str, text: str, answer: str, after: str
) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language_id, text, answer)
    assert item is not None
    line = text[: text.index("‸")].count("\n")
    assert "\n".join(accepted_text(clean, item).split("\n")[line:]) == after


async def test_after_a_statement_accepted_at_the_closer_s_depth_the_next_block_stays_in_the_method(tmp_path) -> None:
    """The user types `    int total` above the method's `    }` (Enter's autoindent left the
    cursor there, below a statement of the method's) and accepts ` = 0;`: the block asked at
    once after the accept came at the `}`'s column, the method's next statements out of its
    body."""
    text = "class C {\n    int f(int[] xs) {\n        log(xs);\n    int total\n    }\n}\n"

    def respond(body: dict[str, Any]) -> str:
        if body["prompt"].endswith("int total"):
            return " = 0;"
        return "\n        for (int x : xs) {\n            total += x;\n        }\n        return total;"

    with FakeDeepSeek() as fake:
        fake.responder(respond, path="/beta/completions")
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            uri = "file:///ws/C.java"
            open_doc(client, uri, text, language="java")
            item = (await client.text_document_inline_completion_async(inline_params(uri, 3, 13))).items[0]
            assert item.insert_text == " = 0;"
            await accept(client, uri, 2, 3, 13, item)
            follow = (await client.text_document_inline_completion_async(inline_params(uri, 3, 18))).items
    assert [i.insert_text for i in follow] == [
        "\n        for (int x : xs) {\n            total += x;\n        }\n        return total;"
    ]
