"""A `{` alone, the first line of the model's block after a control header in a file that puts
its `{` at the header's end (K&R): a single line is asked there (its body may be a statement),
and the block was cut to its `{`, shown and accepted as a brace nothing closes."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

KR_C = (
    "int f(int x) {\n"
    "    if (x < 0) {\n"
    "        return -1;\n"
    "    }\n"
    "    if (x > 0)\n"
    "        ‸\n"
    "    return 0;\n"
    "}\n"
)
KR_JAVA = (
    "class A {\n"
    "    int f(int x) {\n"
    "        while (x > 9) {\n"
    "            x /= 2;\n"
    "        }\n"
    "        for (int i = 0; i < x; i++)\n"
    "            ‸\n"
    "        return x;\n"
    "    }\n"
    "}\n"
)


@pytest.mark.parametrize(("language", "ext", "text"), [("c", "c", KR_C), ("java", "java", KR_JAVA)])
async def test_a_lone_opener_is_not_shown_where_a_line_was_asked(
    fake_deepseek, language: str, ext: str, text: str
) -> None:
    after, body = await accept_first(
        fake_deepseek, language, ext, text, "{\n            return 1;\n        }"
    )
    assert body is not None and body["stop"] == ["\n"]  # a single line was asked
    assert after is None


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("{ // positive", False),
        ("{  /* positive */", False),
        # A block on one line, its comments around code: shown.
        ("{ /* a */ return 1; /* b */", True),
        ("{ return 1; } // positive", True),
    ],
)
async def test_a_lone_opener_with_a_comment_is_not_shown_either(
    fake_deepseek, answer: str, shown: bool
) -> None:
    """`{ // positive`: a comment after it is no body; accepted, the brace was left unclosed."""
    after, _ = await accept_first(fake_deepseek, "c", "c", KR_C, answer + "\n        x++;\n    }")
    assert after == (KR_C.replace("‸", answer) if shown else None)


async def test_a_statement_after_the_header_is_still_shown(fake_deepseek) -> None:
    after, _ = await accept_first(fake_deepseek, "c", "c", KR_C, "return 1;")
    assert after == KR_C.replace("‸", "return 1;")


async def test_a_brace_ending_the_header_line_is_still_shown(fake_deepseek) -> None:
    """`if (x > 0) ‸`: the `{` finishes the header, as the file writes it."""
    text = KR_C.replace("    if (x > 0)\n        ‸\n", "    if (x > 0) ‸\n")
    after, _ = await accept_first(fake_deepseek, "c", "c", text, "{")
    assert after == text.replace("‸", "{")


ALLMAN_CS = (
    "class A\n"
    "{\n"
    "    public int X\n"
    "    {\n"
    "        get;\n"
    "    }\n"
    "\n"
    "    void F()\n"
    "    {\n"
    "        var p = new Point\n"
    "        ‸\n"
    "    }\n"
    "}\n"
)


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer", "shown"),
    [
        # An Allman file's initializer and property: the `{` is their next line.
        ("csharp", "cs", ALLMAN_CS, "{\n            X = 1,\n        };", "{"),
        # A list's next object, pretty-printed (JSON, JavaScript, C's array of structs): the
        # next item below an item's `,`, asked over lines (whole).
        ("json", "json", '[\n  {\n    "a": 1\n  },\n  ‸\n]\n', '{\n    "a": 2\n  }', '{\n    "a": 2\n  }'),
        ("javascript", "js", "const xs = [\n  {\n    a: 1,\n  },\n  ‸\n];\n", "{\n    a: 2,\n  },", "{\n    a: 2,\n  },"),
        ("c", "c", "struct P ps[] = {\n    {\n        1, 2\n    },\n    ‸\n};\n", "{\n        3, 4\n    },",
         "{\n        3, 4\n    },"),
        # A value's first line after its `=` (TypeScript's export assignment, as `const o =`).
        ("typescript", "ts", "if (a) {\n  g();\n}\nexport =\n‸\n", "{\n  a: 1,\n};", "{"),
    ],
)
async def test_a_lone_opener_is_shown_where_no_control_header_is_above(
    fake_deepseek, language: str, ext: str, text: str, answer: str, shown: str
) -> None:
    """Only a control header's body may be a statement instead: elsewhere a `{` alone on its
    line is what the file writes there, shown as before (with the lines it opens where they
    were asked: a list's next item)."""
    after, _ = await accept_first(fake_deepseek, language, ext, text, answer)
    assert after == text.replace("‸", shown)


#: A K&R file's header, the lone `{` below it cut from the model's block: (language, extension,
#: the text with the cursor at ‸). Headers over several lines, and those of each language
#: beyond C's `if`, `for`, `while`.
KR_HEADERS = [
    # Over several lines: the line above is the condition's end only.
    ("c", "c", KR_C.replace("    if (x > 0)\n", "    if (x > 0 &&\n        x < 9)\n")),
    ("c", "c", KR_C.replace("    }\n    if (x > 0)\n", "    } else if (x > 0 &&\n               x < 9)\n")),
    ("c", "c", KR_C.replace("    if (x > 0)\n", "    for (int i = 0;\n         i < x;\n         i++)\n")),
    ("java", "java", KR_JAVA.replace("for (int i = 0; i < x; i++)", "while (x > 0\n                && x < 9)")),
    ("cpp", "cpp", KR_C.replace("    if (x > 0)\n", "    do\n")),
    ("javascript", "js", "async function f(xs) {\n  if (xs) {\n    g();\n  }\n  for await (const x of xs)\n    ‸\n}\n"),
    ("php", "php", "<?php\nfunction f($x) {\n    if ($x < 0) {\n        return 1;\n    } elseif ($x > 0)\n        ‸\n}\n"),
    ("kotlin", "kt", "fun f(x: Int) {\n    if (x > 0) {\n        g()\n    }\n    when (x)\n    ‸\n}\n"),
    ("kotlin", "kt", "fun f(x: Int) {\n    if (x > 0) {\n        g()\n    }\n    when\n    ‸\n}\n"),
    ("swift", "swift", "func f(x: Int?) {\n    if x != nil {\n        g()\n    }\n    guard let y = x,\n          y > 0 else\n    ‸\n}\n"),
    ("swift", "swift", "func f(x: Int) {\n    if x != 0 {\n        g()\n    }\n    for i in 0..<x where i > 1\n    ‸\n}\n"),
    ("swift", "swift", "func f(x: Int) {\n    if x != 0 {\n        g()\n    }\n    repeat\n    ‸\n}\n"),
    # Go's `{` on the next line is a syntax error (a `;` is put after the header).
    ("go", "go", "package main\n\nfunc f(x int) {\n\tif x > 0 {\n\t\tg()\n\t}\n\tif y := x * 2; y > 3\n\t‸\n}\n"),
    ("go", "go", "package main\n\nfunc f(x int) {\n\tif x > 0 {\n\t\tg()\n\t}\n\tfor\n\t‸\n}\n"),
    ("go", "go", "package main\n\nfunc f(x int) {\n\tif x > 0 {\n\t\tg()\n\t} else if x < 0\n\t‸\n}\n"),
    # A function's or a type's header, a function literal's (a syntax error there too).
    *(
        ("go", "go", f"package main\n\nfunc g() {{\n}}\n\n{header}\n‸\n")
        for header in ("func f(x int) int", "func (t *T) Run() error", "type T struct")
    ),
    ("go", "go", "package main\n\nfunc f(x int) {\n\tif x > 0 {\n\t\tg()\n\t}\n\tgo func()\n\t‸\n}\n"),
    ("rust", "rs", "fn f(x: Option<u8>) {\n    if x.is_none() {\n        g();\n    }\n    if let Some(y) = x\n    ‸\n}\n"),
    ("rust", "rs", "fn f(x: u8) {\n    if x > 0 {\n        g();\n    }\n    match x\n    ‸\n}\n"),
    ("rust", "rs", "fn f(x: u8) {\n    if x > 0 {\n        g();\n    }\n    loop\n    ‸\n}\n"),
    ("rust", "rs", "fn f(x: u8) {\n    if x > 0 {\n        g();\n    }\n    unsafe\n    ‸\n}\n"),
    ("go", "go", "package main\n\nfunc f(x int) {\n\tif x > 0 {\n\t\tg()\n\t}\n\tswitch x\n\t‸\n}\n"),
    ("swift", "swift", "func f(x: Int) {\n    if x != 0 {\n        g()\n    }\n    defer\n    ‸\n}\n"),
    ("swift", "swift", "func f() {\n    do {\n        try g()\n    } catch let e as IOError\n    ‸\n}\n"),
    # C#'s own, in a file with its `{` at the header's end.
    *(
        ("csharp", "cs", "class A {\n    async Task F(byte[] b) {\n        if (b == null) {\n"
         f"            return;\n        }}\n        {header}\n            ‸\n    }}\n}}\n")
        for header in ("fixed (byte* p = b)", "await foreach (var x in Read(b))", "await using (var s = Open())")
    ),
    # A value that is a header itself (an expression's `when`, `match`, `switch`, `if`), and C++20's
    # headers (`if consteval`, a likelihood attribute after the condition), then Enter in a K&R
    # file: the `{` below is the model's block cut to its first line, as below `when (x)` alone.
    ("kotlin", "kt", "fun f(x: Int) {\n    if (x > 0) {\n        g()\n    }\n    val y = when (x)\n    ‸\n}\n"),
    ("kotlin", "kt", "fun f(x: Int): Int {\n    if (x > 0) {\n        g()\n    }\n    return when\n    ‸\n}\n"),
    ("kotlin", "kt", "fun f(x: Int) {\n    if (x > 0) {\n        g()\n    }\n    val y = try\n    ‸\n}\n"),
    ("php", "php", "<?php\nfunction f($x) {\n    if ($x < 0) {\n        return 1;\n    }\n    $y = match ($x)\n    ‸\n}\n"),
    # PHP's `#` comment after the header.
    ("php", "php", "<?php\nfunction f($x) {\n    if ($x < 0) {\n        return 1;\n    }\n    if ($x > 0) # positive\n    ‸\n}\n"),
    ("swift", "swift", "func f(x: Int) {\n    if x != 0 {\n        g()\n    }\n    let y = switch x\n    ‸\n}\n"),
    # Passed before: a guard's `else` on a line of its own, under its conditions.
    ("swift", "swift", "func f(x: Int?) {\n    if x != nil {\n        g()\n    }\n    guard let y = x,\n          y > 0\n    else\n    ‸\n}\n"),
    # Passed before (8c2a6fc's let): kept as the Rust single-line control.
    ("rust", "rs", "fn f(x: u8) {\n    if x > 0 {\n        g();\n    }\n    let y = match x\n    ‸\n}\n"),
    ("rust", "rs", "fn f(x: Option<u8>) {\n    if x.is_none() {\n        g();\n    }\n    let Some(y) = x else\n    ‸\n}\n"),
    ("cpp", "cpp", KR_C.replace("    if (x > 0)\n", "    if (x > 0) [[likely]]\n")),
    ("cpp", "cpp", KR_C.replace("    if (x > 0)\n", "    } else [[unlikely]]\n")),
    ("cpp", "cpp", KR_C.replace("    if (x > 0)\n", "    if consteval\n")),
    ("cpp", "cpp", KR_C.replace("    if (x > 0)\n", "    if !consteval\n")),
    # A loop's label before its keyword, and Kotlin's initializer block (session 44).
    ("java", "java", KR_JAVA.replace("for (int i", "outer: for (int i")),
    ("javascript", "js", "function f(xs) {\n  if (xs) {\n    g();\n  }\n  outer: for (const x of xs)\n    ‸\n}\n"),
    ("rust", "rs", "fn f(x: u8) {\n    if x > 0 {\n        g();\n    }\n    'outer: loop\n    ‸\n}\n"),
    ("kotlin", "kt", "class A(x: Int) {\n    val y: Int\n\n    init\n    ‸\n}\n"),
]


@pytest.mark.parametrize(("language", "ext", "text"), KR_HEADERS)
async def test_a_lone_opener_below_any_header_is_not_shown(
    fake_deepseek, language: str, ext: str, text: str
) -> None:
    """Accepted, each left a brace nothing closes (in Go a syntax error besides)."""
    after, body = await accept_first(fake_deepseek, language, ext, text, "{\n        g();\n    }")
    assert (after, _asked(body)) == (None, "line")


def _asked(body: dict | None) -> str:
    """What the FIM request asked: a line or a block."""
    assert body is not None
    return "line" if body.get("stop") == ["\n"] else "block"


#: (language, extension, text): code above the `{` that is no header awaiting a body.
NOT_HEADERS = [
    # A call over lines, ended: a block statement may follow it (shown as before).
    ("c", "c", KR_C.replace("    if (x > 0)\n", "    g(x,\n      x + 1);\n")),
    # A header whose body is on its own line already.
    ("c", "c", KR_C.replace("    if (x > 0)\n", "    if (x > 0)\n        g(x,\n          1);\n")),
    ("go", "go", "package main\n\nfunc f(x int) {\n\tif x > 0 {\n\t\tg()\n\t}\n\tfor i := range xs { g(i) }\n\t‸\n}\n"),
    # A call: a block statement may follow it (Go's too).
    ("go", "go", "package main\n\nfunc f(x int) {\n\tif x > 0 {\n\t\tg()\n\t}\n\tg(x)\n\t‸\n}\n"),
    ("rust", "rs", "fn f(x: u8) {\n    let y = x;\n    if x > 0 { g(); }\n    ‸\n}\n"),
]


@pytest.mark.parametrize(("language", "ext", "text"), NOT_HEADERS)
async def test_a_lone_opener_below_other_code_is_shown(fake_deepseek, language: str, ext: str, text: str) -> None:
    after, _ = await accept_first(fake_deepseek, language, ext, text, "{")
    assert after == text.replace("‸", "{")


JS_RETURN = "function f(x) {\n  if (x) {\n    return 1;\n  }\n  return\n  ‸\n}\n"


@pytest.mark.parametrize(
    ("language", "ext", "text"),
    [
        ("javascript", "js", JS_RETURN),
        ("typescript", "ts", JS_RETURN.replace("(x)", "(x: number)", 1)),
        ("tsx", "tsx", JS_RETURN.replace("return\n", "yield\n").replace("function f", "function* f")),
        ("javascript", "js", JS_RETURN.replace("  return\n", "  if (x > 1) return\n")),
    ],
)
@pytest.mark.parametrize("answer", ["{", "{ a: 1 };", "{ // the defaults"])
async def test_a_brace_below_a_bare_return_is_not_shown(
    fake_deepseek, language: str, ext: str, text: str, answer: str
) -> None:
    """`return` Enter: a `;` is put after it (ASI), the function returns undefined and the
    `{` starts a block, not the object the model meant."""
    after, _ = await accept_first(fake_deepseek, language, ext, text, answer + "\n  b: 2,\n};")
    assert after is None


@pytest.mark.parametrize(
    "text",
    [
        JS_RETURN.replace("  return\n  ‸\n", "  return ‸\n"),  # `return ‸`: the object is returned
        # A comment's word, no statement.
        JS_RETURN.replace("  return\n  ‸\n", "  /*\n   * the caller's return\n‸\n   */\n"),
    ],
)
async def test_a_brace_after_return_on_its_line_is_shown(fake_deepseek, text: str) -> None:
    after, _ = await accept_first(fake_deepseek, "javascript", "js", text, "{ a: 1 };")
    assert after == text.replace("‸", "{ a: 1 };")


#: Headers whose body is a block only, the `{` not typed, in an Allman file (`{` on its own
#: line) and in a K&R one: the model's whole block is shown.
BLOCK_ONLY = [
    ("csharp", "cs", "catch (IOException e) when (e.HResult == 32)"),
    ("csharp", "cs", "catch (IOException e)\n        when (e.HResult == 32)"),
    ("java", "java", "try (var r = open(path))"),
    ("java", "java", "synchronized (this)"),
    # Session 44: a single line was asked, the `{` shown alone and accepted unclosed.
    ("csharp", "cs", "checked"),
    ("csharp", "cs", "unchecked"),
    ("csharp", "cs", "unsafe"),
]


@pytest.mark.parametrize("allman", [True, False], ids=["allman", "k&r"])
@pytest.mark.parametrize(("language", "ext", "header"), BLOCK_ONLY)
async def test_a_block_only_header_gets_its_whole_block(
    fake_deepseek, language: str, ext: str, header: str, allman: bool
) -> None:
    before = "        try\n        {\n            G();\n        }\n" if header.startswith("catch") else ""
    text = (
        "class A\n{\n    void F()\n    {\n" + before + f"        {header}\n        ‸\n"
        "        H();\n    }\n}\n"
    )
    if not allman:
        text = text.replace("\n{", " {").replace(")\n    {", ") {").replace("try\n        {", "try {")
        text = text.replace("}\n        catch", "} catch")
    answer = "{\n            Log(1);\n        }"
    after, body = await accept_first(fake_deepseek, language, ext, text, answer)
    assert (after, _asked(body)) == (text.replace("‸", answer), "block")


async def test_an_allman_labelled_loop_gets_its_whole_block(fake_deepseek) -> None:
    """`outer: for (...)`, Enter, in a file whose `{` go on the next line: the loop's block is
    asked whole, as the unlabelled loop's (a line was asked, its `{` shown alone)."""
    text = (
        "class A\n{\n    void f(int x)\n    {\n        if (x > 0)\n        {\n            x++;\n        }\n"
        "        outer: for (int i = 0; i < x; i++)\n        ‸\n    }\n}\n"
    )
    answer = "{\n            x = x * 2;\n        }"
    after, body = await accept_first(fake_deepseek, "java", "java", text, answer)
    assert (after, _asked(body)) == (text.replace("‸", answer), "block")


async def test_an_allman_property_gets_its_whole_accessor_block(fake_deepseek) -> None:
    """`public int Y`, Enter, in an Allman file: its accessors' block is asked whole (a line
    was asked, its `{` shown alone, as before a `{` alone is shown where no header is above)."""
    text = ALLMAN_CS.replace("public int X\n", "public int Y\n    ‸\n    public int X\n", 1).replace(
        "        var p = new Point\n        ‸\n", ""
    )
    answer = "{\n        get;\n    }"
    after, body = await accept_first(fake_deepseek, "csharp", "cs", text, answer)
    assert (after, _asked(body)) == (text.replace("‸", answer), "block")


@pytest.mark.parametrize("allman", [True, False], ids=["allman", "k&r"])
async def test_a_java_static_initializer_gets_its_whole_block(fake_deepseek, allman: bool) -> None:
    """`static` alone on its line, Enter: the class's static initializer, a block only (a
    single line was asked, its `{` shown alone and accepted unclosed)."""
    text = "class A\n{\n    static int x;\n\n    static\n    ‸\n\n    void f()\n    {\n    }\n}\n"
    if not allman:
        text = text.replace("\n{", " {").replace(")\n    {", ") {")
    answer = "{\n        x = 2;\n    }"
    after, body = await accept_first(fake_deepseek, "java", "java", text, answer)
    assert (after, _asked(body)) == (text.replace("‸", answer), "block")


@pytest.mark.parametrize("condition", ["x > 0\n        && x < 9", "x > 0 &&\n        x < 9"])
async def test_a_rust_header_over_lines_gets_its_block(fake_deepseek, condition: str) -> None:
    """rustfmt puts the `{` of a header broken over lines on a line of its own: the empty line
    below it starts the block, asked whole (a lone `{` was shown, accepted unclosed)."""
    text = f"fn f(x: u8) {{\n    if x > 0 {{\n        g();\n    }}\n    while {condition}\n    ‸\n}}\n"
    answer = "{\n        g();\n    }"
    after, body = await accept_first(fake_deepseek, "rust", "rs", text, answer)
    assert (after, _asked(body)) == (text.replace("‸", answer), "block")



#: Headers as rustfmt 1.8 (edition 2024) breaks them: after a `for`'s `in`, after a `while
#: let`'s `=`, before a method chain's `.` and before a comparison or arithmetic operator.
RUSTFMT_BROKEN = [
    "for item_with_a_long_name in\n        collection(argument_one, argument_two)",
    "while let Some(item) =\n        an_option_returned(argument_one)",
    "for item_with_a_long_name in collection_with_a_long_name\n        .iter()\n"
    "        .filter(|x| x.is_ok())",
    "while aaaaaaaaaaaaaaaaaaaa\n        .bbbbbbbbbbbbbbbbbbbbbbb()\n        .is_empty()",
    "if aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n        == bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "if aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n        + bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
    "        > 3",
    # A `let`'s value broken after its `=`: the match or if is the header all the same.
    "let value_with_a_long_name =\n        match aaaaaaaaaaaaaaaaaaaa(argument_one, argument_two)",
    "let value_with_a_long_name =\n        if aaaaaaaaaaaaaaaaaaaa(argument_one, argument_two)",
]


@pytest.mark.parametrize("header", RUSTFMT_BROKEN)
async def test_a_header_rustfmt_broke_at_an_operator_gets_its_block(fake_deepseek, header: str) -> None:
    """Not only `&&` and `||`: rustfmt breaks a long header after `in` or a `let`'s `=` and
    before `.`, `==` or `+`, and puts its `{` on a line of its own all the same: the empty
    line below starts the block, asked whole (a lone `{` was shown, accepted unclosed)."""
    text = f"fn f() {{\n    if x > 0 {{\n        g();\n    }}\n    {header}\n    ‸\n}}\n"
    answer = "{\n        g();\n    }"
    after, body = await accept_first(fake_deepseek, "rust", "rs", text, answer)
    assert (after, _asked(body)) == (text.replace("‸", answer), "block")



@pytest.mark.parametrize("allman", [True, False], ids=["allman", "k&r"])
@pytest.mark.parametrize(
    ("language", "ext", "value", "arms"),
    [
        ("csharp", "cs", "var y = x switch", '1 => "a",\n            _ => "b",'),
        ("csharp", "cs", "return (x, y) switch", '(1, _) => "a",\n            _ => "b",'),
        ("java", "java", "String s = switch (x)", 'case 1 -> "a";\n            default -> "b";'),
        ("java", "java", "return switch (x)", 'case 1 -> "a";\n            default -> "b";'),
    ],
)
async def test_a_switch_expression_gets_its_whole_block(
    fake_deepseek, language: str, ext: str, value: str, arms: str, allman: bool
) -> None:
    """A switch expression's arms are a block in any file, as a switch statement's: its `{`,
    arms and `};` are shown (the `{` alone was, accepted unclosed)."""
    text = "class A {\n    String F(int x, int y) {\n        if (x > 0) {\n            return 1;\n        }\n"
    text += f"        {value}\n        ‸\n    }}\n}}\n"
    if allman:
        text = text.replace(" {\n", "\n{\n", 1).replace(") {\n", ")\n    {\n", 1)
        text = text.replace("        if (x > 0) {\n", "        if (x > 0)\n        {\n")
    answer = f"{{\n            {arms}\n        }};"
    after, body = await accept_first(fake_deepseek, language, ext, text, answer)
    assert (after, _asked(body)) == (text.replace("‸", answer), "block")
