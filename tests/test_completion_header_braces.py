"""A function or block header written inside an auto-closed `()`, its `{` left for the body:
the real server over stdio against the fake DeepSeek server. Found by a scripted Neovim session
typing Go, Rust, TypeScript and Java with an autopair setup: accepting such a header left the
editor's `)` after its `{` (`pub fn fill(s: &mut Store) -> u32 {)`), and the `)` went on down
the file to its end."""

from __future__ import annotations

from typing import Any

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, insert, lsp_session, open_doc, server_env

#: (extension, language id, the text before the line, the line up to the cursor, the answer)
HEADERS = [
    ("go", "go", "package main\n\n", "func run(", "c *Conn, names []string) int {"),
    ("rs", "rust", "use std::fmt;\n\n", "pub fn fill(", "s: &mut Store, keys: &[&str]) -> u32 {"),
    ("ts", "typescript", "class Repo<T> {\n", "  add(", "item: Item<T>): void {"),
    ("java", "java", "class Service {\n", "    public int notifyAll(", "List<String> users) {"),
    ("go", "go", "package main\n\nfunc f(c *Conn) {\n", "\tif err := c.Send(", '"hi"); err != nil {'),
    ("ts", "typescript", "const f = (x: number) => {\n", "  if (", "x > 0) {"),
]


def _line_after(line: str, item: Any) -> str:
    start, end = item.range.start.character, item.range.end.character
    return line[:start] + item.insert_text + line[end:]


async def test_a_header_answered_inside_an_auto_closed_pair_ends_with_its_brace(tmp_path) -> None:
    """The model's header closes the `(` and opens the body's `{`: the line's `)` goes."""
    with FakeDeepSeek() as fake:
        fake.script(*[answer for *_, answer in HEADERS])
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings) as client:
            for n, (ext, language, above, typed, answer) in enumerate(HEADERS):
                uri = f"file:///ws/h{n}.{ext}"
                line = typed + ")"
                open_doc(client, uri, f"{above}{line}\n", language)
                row = above.count("\n")
                result = await client.text_document_inline_completion_async(inline_params(uri, row, len(typed)))
                assert result.items, (language, typed)
                assert _line_after(line, result.items[0]) == typed + answer, (language, typed)


async def test_typing_a_header_s_paren_through_its_suggestion_leaves_one_paren(tmp_path) -> None:
    """Shown at `pub fn fill`, the suggestion is typed through: `(` arrives as `()` from the
    editor's autopair, then `s`. The rest served from the suggestion held ends with `{`, the
    editor's `)` replaced, as the whole suggestion would have left the line."""
    with FakeDeepSeek() as fake:
        fake.script("(s: &mut Store, keys: &[&str]) -> u32 {")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"completion": {"debounce": 0, "prefetch": False}}) as client:
            uri = "file:///ws/lib.rs"
            open_doc(client, uri, "use std::fmt;\n\npub fn fill\n", "rust")
            first = await client.text_document_inline_completion_async(inline_params(uri, 2, 11))
            assert [i.insert_text for i in first.items] == ["(s: &mut Store, keys: &[&str]) -> u32 {"]
            insert(client, uri, 2, 2, 11, "()")
            insert(client, uri, 3, 2, 12, "s")
            result = await client.text_document_inline_completion_async(inline_params(uri, 2, 13))
            assert len(fake.requests_to("/beta/completions")) == 1  # typed through, not asked again
            line = "pub fn fill(s)"
            assert _line_after(line, result.items[0]) == "pub fn fill(s: &mut Store, keys: &[&str]) -> u32 {"


#: (extension, language id, the text with the cursor at ‸, the model's answer: the body's `{`,
#: the body and its `}`)
ALLMAN_HEADERS = [
    (
        "cs", "csharp",
        "class Greeter\n{\n    public void Run(int x)\n    ‸\n}\n",
        "{\n        Console.WriteLine(x);\n        Count += x;\n    }",
    ),
    (
        "java", "java",
        "class Greeter\n{\n    public int twice(int x)\n    ‸\n}\n",
        "{\n        int y = x * 2;\n        return y;\n    }",
    ),
    (
        "c", "c",
        "#include <stdio.h>\n\nint main(int argc, char **argv)\n‸\n",
        "{\n    puts(argv[0]);\n    return 0;\n}",
    ),
    # A control statement's header where the file's have their `{` on the next line.
    (
        "cs", "csharp",
        "class Greeter\n{\n    public void Run(int x)\n    {\n        if (x < 0)\n        {\n"
        "            return;\n        }\n        foreach (var n in names)\n        ‸\n    }\n}\n",
        "{\n            Console.WriteLine(n);\n            Count += x;\n        }",
    ),
    (
        "ts", "typescript",
        "export function twice(x: number): number\n‸\n",
        "{\n  const y = x * 2;\n  return y;\n}",
    ),
]


async def test_the_empty_line_after_an_allman_header_gets_the_whole_body(tmp_path) -> None:
    """Enter after `public void Run(int x)`, the `{` not typed: the model's `{`, body and `}`
    are shown, not the `{` alone (the line was taken for a statement's end, answered with one
    line)."""
    with FakeDeepSeek() as fake:
        fake.script(*[answer for *_, answer in ALLMAN_HEADERS])
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings) as client:
            for n, (ext, language, text, answer) in enumerate(ALLMAN_HEADERS):
                uri = f"file:///ws/allman{n}.{ext}"
                before = text.partition("‸")[0]
                row, column = before.count("\n"), len(before.rpartition("\n")[2])
                open_doc(client, uri, text.replace("‸", ""), language)
                params = inline_params(uri, row, column)
                result = await client.text_document_inline_completion_async(params)
                assert [i.insert_text for i in result.items] == [answer], language
