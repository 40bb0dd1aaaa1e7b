"""A multi-line suggestion accepted between a header's `{` and the `}` the editor's autopair
added, that leaves blocks open (a class's `{`, a method's header): the real server over stdio
against the fake DeepSeek server. Found in Neovim with an autopair mapping (`namespace App` then
`{`): the item covered the `}` and ended with it on a line of its own, so the accept left the
cursor after the namespace's `}` and the next key typed went there (`}x`); in a scripted session
the next lines went in after it and the file ended in `}}`."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.harness import first_item_at_cursor


def _offset(text: str, pos: types.Position) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: pos.line]) + pos.character


def _accept_and_type(text: str, item: types.InlineCompletionItem, key: str) -> str:
    """``text`` after the editor applies ``item`` and the user types ``key``: the accept leaves
    the cursor at the end of what it inserted (ASCII documents: characters are UTF-16 units)."""
    assert item.range is not None and isinstance(item.insert_text, str)
    start, end = _offset(text, item.range.start), _offset(text, item.range.end)
    cursor = start + len(item.insert_text)
    text = text[:start] + item.insert_text + text[end:]
    return text[:cursor] + key + text[cursor:]


#: (extension, language id, the document with the cursor at ‸, the model's answer, the
#: document after the accept and the key `x`)
CASES = [
    (
        "cs", "csharp",
        "using System;\n\nnamespace App\n{‸}\n",
        "\n    public static class Main\n    {\n        public static void PrintJson()\n    ",
        "using System;\n\nnamespace App\n{\n    public static class Main\n    {\n"
        "        public static void PrintJson()\nx}\n",
    ),
    (
        "js", "javascript",
        "class A {\n    run(a) {‸}\n}\n",
        "\n        if (a) {\n            log(a);\n",
        "class A {\n    run(a) {\n        if (a) {\n            log(a);\n    x}\n}\n",
    ),
    # Between the spaces of an empty body (`{ | }`): the space goes, the `}` stays.
    (
        "js", "javascript",
        "function f(a) { ‸ }\n",
        "\n    for (const x of a) {\n        log(x);\n",
        "function f(a) { \n    for (const x of a) {\n        log(x);\nx}\n",
    ),
    (
        "js", "javascript",
        "function f(a) {‸}\r\n",
        "\n    if (a) {\n        return 1;\n",
        "function f(a) {\r\n    if (a) {\r\n        return 1;\r\nx}\r\n",
    ),
    # A body ending on a bare header, nothing opened: its body is what comes next, the `}`
    # stays below (it was taken, and the key went after it: `}x`).
    (
        "js", "javascript",
        "function f(a) {‸}\n",
        "\n    const n = a.length;\n    if (n > 1)\n",
        "function f(a) {\n    const n = a.length;\n    if (n > 1)\nx}\n",
    ),
    (
        "cs", "csharp",
        "class A\n{\n    void F(int a, int b)\n    {‸}\n}\n",
        "\n        while (a > 0 &&\n               b > 0)\n",
        "class A\n{\n    void F(int a, int b)\n    {\n        while (a > 0 &&\n"
        "               b > 0)\n    x}\n}\n",
    ),
    # An Allman C# property's or indexer's header: its accessors' `{` comes next (the `}` was
    # taken); a field without its `;` (camel case, a value, a `readonly`) takes it as before.
    (
        "cs", "csharp",
        "class A\n{‸}\n",
        "\n    private int count;\n\n    public int Count\n",
        "class A\n{\n    private int count;\n\n    public int Count\nx}\n",
    ),
    (
        "cs", "csharp",
        "namespace N\n{‸}\n",
        "\n    public class Bag\n    {\n        public List<string> Names\n    ",
        "namespace N\n{\n    public class Bag\n    {\n        public List<string> Names\nx}\n",
    ),
    (
        "cs", "csharp",
        "class A\n{‸}\n",
        "\n    private int[] items;\n\n    public int this[int i]\n",
        "class A\n{\n    private int[] items;\n\n    public int this[int i]\nx}\n",
    ),
    (
        "cs", "csharp",
        "class A\n{‸}\n",
        "\n    private int count\n",
        "class A\n{\n    private int count\n}x\n",
    ),
    (
        "cs", "csharp",
        "class A\n{‸}\n",
        "\n    public readonly int Count\n",
        "class A\n{\n    public readonly int Count\n}x\n",
    ),
    # A switch label's own block (`case 1: {`, the editor's `}`): nothing was shown.
    (
        "c", "c",
        "int f(int n) {\n    switch (n) {\n    case 1: {‸}\n    }\n}\n",
        "\n        int x = n * 2;\n        return x;\n    ",
        "int f(int n) {\n    switch (n) {\n    case 1: {\n        int x = n * 2;\n        return x;\n    }x\n    }\n}\n",
    ),
    # A block of one word (session 44): C#'s `unsafe`, `checked`; Java's static initializer.
    (
        "cs", "csharp",
        "class A\n{\n    void F(int a)\n    {‸}\n}\n",
        "\n        int n = a;\n        unsafe\n",
        "class A\n{\n    void F(int a)\n    {\n        int n = a;\n        unsafe\n    x}\n}\n",
    ),
    (
        "cs", "csharp",
        "class A\n{\n    int F(int a)\n    {‸}\n}\n",
        "\n        int n = a;\n        checked\n",
        "class A\n{\n    int F(int a)\n    {\n        int n = a;\n        checked\n    x}\n}\n",
    ),
    (
        "java", "java",
        "class A\n{‸}\n",
        "\n    static int n;\n\n    static\n",
        "class A\n{\n    static int n;\n\n    static\nx}\n",
    ),
    # A comment after the bare header, or a comment line above it ending in a word the
    # header could continue (`and`, `,`), is no code: the header's body still comes next.
    (
        "js", "javascript",
        "function f(a) {‸}\n",
        "\n    const n = a.length;\n    if (n > 1) // more than one\n",
        "function f(a) {\n    const n = a.length;\n    if (n > 1) // more than one\nx}\n",
    ),
    (
        "c", "c",
        "int f(int n) {‸}\n",
        "\n    /* both, and */\n    // the count, and\n    while (n > 1)\n",
        "int f(int n) {\n    /* both, and */\n    // the count, and\n    while (n > 1)\nx}\n",
    ),
    # PHP's `#` comment after the bare header is no code either.
    (
        "php", "php",
        "<?php\nfunction f($a) {‸}\n",
        "\n    $n = count($a);\n    if ($n > 1) # more than one\n",
        "<?php\nfunction f($a) {\n    $n = count($a);\n    if ($n > 1) # more than one\nx}\n",
    ),
    # A body ending on a declaration's header in an Allman file: its `{` and body come next
    # (a method's, a class's with its base, a C++ member function's, a JavaScript method's).
    (
        "cs", "csharp",
        "class A\n{\n    int n;\n    class B\n    {‸}\n}\n",
        "\n        public int F(int a) { return a; }\n\n        void G()\n",
        "class A\n{\n    int n;\n    class B\n    {\n        public int F(int a) { return a; }\n\n"
        "        void G()\n    x}\n}\n",
    ),
    (
        "cs", "csharp",
        "namespace N\n{‸}\n",
        "\n    class X : Base // the X\n",
        "namespace N\n{\n    class X : Base // the X\nx}\n",
    ),
    (
        "cpp", "cpp",
        "namespace n\n{‸}\n",
        "\n    class X : public Base\n",
        "namespace n\n{\n    class X : public Base\nx}\n",
    ),
    (
        "cpp", "cpp",
        "class A\n{‸};\n",
        "\n    int size() const\n",
        "class A\n{\n    int size() const\nx};\n",
    ),
    (
        "java", "java",
        "class A\n{‸}\n",
        "\n    int n;\n\n    void f()\n",
        "class A\n{\n    int n;\n\n    void f()\nx}\n",
    ),
    (
        "js", "javascript",
        "class A\n{‸}\n",
        "\n  run(a)\n",
        "class A\n{\n  run(a)\nx}\n",
    ),
    # A C++ class's access specifiers at its `{`'s column are its body's (nothing was shown).
    (
        "cpp", "cpp",
        "class A\n{‸}\n",
        "\npublic:\n    A();\n\nprivate:\n    int n;\n",
        "class A\n{\npublic:\n    A();\n\nprivate:\n    int n;\n}x\n",
    ),
    (
        "cpp", "cpp",
        "class A {‸}\n",
        "\npublic:\n    int size() const\n",
        "class A {\npublic:\n    int size() const\nx}\n",
    ),
    # A call or a `return` without its `;`, a declaration's header inside a body (a C++
    # object's constructor call) and a header with no body to come (an interface's, an
    # abstract method's) take the `}` as before.
    (
        "js", "javascript",
        "function f(a) {‸}\n",
        "\n  g(a)\n",
        "function f(a) {\n  g(a)\n}x\n",
    ),
    (
        "cs", "csharp",
        "class A\n{\n    int F(int a)\n    {‸}\n}\n",
        "\n        return a\n",
        "class A\n{\n    int F(int a)\n    {\n        return a\n    }x\n}\n",
    ),
    (
        "cpp", "cpp",
        "int f(int n)\n{‸}\n",
        "\n    Widget w(n)\n",
        "int f(int n)\n{\n    Widget w(n)\n}x\n",
    ),
    (
        "java", "java",
        "interface I\n{‸}\n",
        "\n    void f(int a)\n",
        "interface I\n{\n    void f(int a)\n}x\n",
    ),
    (
        "cs", "csharp",
        "abstract class A\n{‸}\n",
        "\n    public abstract void F()\n",
        "abstract class A\n{\n    public abstract void F()\n}x\n",
    ),
    # A `do` alone, in an Allman and a K&R file (kept below before too).
    (
        "cs", "csharp",
        "class A\n{\n    void F(int n)\n    {‸}\n}\n",
        "\n        int m = n;\n        do\n",
        "class A\n{\n    void F(int n)\n    {\n        int m = n;\n        do\n    x}\n}\n",
    ),
    (
        "kt", "kotlin",
        "fun f(n: Int) {‸}\n",
        "\n    var m = n\n    do\n",
        "fun f(n: Int) {\n    var m = n\n    do\nx}\n",
    ),
    # A body ending on a switch's label: its statements come next, the `}` stays below.
    (
        "js", "javascript",
        "function f(a) {\n    switch (a) {‸}\n}\n",
        "\n        case 1:\n            return 2;\n        case 2:\n",
        "function f(a) {\n    switch (a) {\n        case 1:\n            return 2;\n        case 2:\n    x}\n}\n",
    ),
    # A statement on the header's line is no bare header: the `}` is taken as before.
    (
        "js", "javascript",
        "function f(a) {‸}\n",
        "\n    if (a) return 1;\n",
        "function f(a) {\n    if (a) return 1;\n}x\n",
    ),
    # A body that closes all it opens takes the `}` as before: the user goes on after it.
    (
        "js", "javascript",
        "function f(a) {‸}\n",
        "\n    if (a) {\n        return 1;\n    }\n",
        "function f(a) {\n    if (a) {\n        return 1;\n    }\n}x\n",
    ),
]


@pytest.mark.parametrize(("ext", "language_id", "text", "answer", "expected"), CASES)
async def test_the_next_key_after_accepting_open_blocks_lands_before_the_editors_closer(
    tmp_path, ext: str, language_id: str, text: str, answer: str, expected: str
) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language_id, text, answer)
    assert item is not None
    # A CRLF line's "\r" counts as its last character: offsets stay right.
    assert _accept_and_type(clean, item, "x") == expected
