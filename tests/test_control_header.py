"""Which lines (a statement's code, its lines joined) are a control header awaiting its body,
by language: where a `{` alone below is the model's block cut to its first line."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.control_header import is_control_header, joined_statement

HEADERS = [
    ("c", "if (x > 0 && x < 9)"),
    ("c", "} else if (a || b)"),
    ("c", "for (int i = 0; i < n; i++)"),
    ("c", "do"),
    ("cpp", "if constexpr (N > 1)"),
    ("cpp", "for (auto& [k, v] : m)"),
    ("csharp", "catch (IOException e) when (e.HResult == 32)"),
    ("csharp", "when (e.HResult == 32)"),
    ("csharp", "fixed (byte* p = b)"),
    ("csharp", "await foreach (var x in xs)"),
    ("csharp", "await using (var s = Open())"),
    ("csharp", "lock (gate)"),
    ("csharp", "using (var s = Open())"),
    ("csharp", "try"),
    ("java", "} finally"),
    ("c", "switch (n)"),
    ("java", "try (var r = open(p); var w = make(q))"),
    ("java", "synchronized (this)"),
    ("javascript", "for await (const x of xs)"),
    ("typescript", "for await (const x of xs)"),
    ("php", "} elseif ($x > 0)"),
    ("php", "foreach ($xs as $k => $v)"),
    ("kotlin", "when (x)"),
    ("kotlin", "when"),
    ("kotlin", "for (x in xs)"),
    ("go", "if y := x * 2; y > 3"),
    ("go", "} else if x < 0"),
    ("go", "for"),
    ("go", "for i := 0; i < n; i++"),
    ("go", "switch"),
    ("go", "select"),
    ("go", "func f(x int) int"),
    ("go", "func (t *T) Run(ctx context.Context) (int, error)"),
    ("go", "type T struct"),
    ("go", "type Set[K comparable] interface"),
    ("go", "go func()"),
    ("go", "defer func()"),
    ("go", "x, y := func(a int) (int, int)"),
    ("rust", "if let Some(y) = x"),
    ("rust", "} else if x > 0"),
    ("rust", "while let Some(y) = it.next()"),
    ("rust", "for (i, x) in xs.iter().enumerate()"),
    ("rust", "match x"),
    ("rust", "loop"),
    ("rust", "unsafe"),
    ("swift", "guard let y = x, y > 0 else"),
    ("swift", "if let y = x"),
    ("swift", "for i in 0..<n where i > 1"),
    ("swift", "while x > 0"),
    ("swift", "switch x"),
    ("swift", "repeat"),
    ("swift", "defer"),
    ("swift", "} catch let e as IOError"),
    # A value that is a header itself, its block the value's (session 43).
    ("kotlin", "val y = when (x)"),
    ("kotlin", "val y: Int = when"),
    ("kotlin", "fun f(x: Int) = when (x)"),
    ("kotlin", "return if (x > 0)"),
    ("csharp", "var y = x switch"),
    ("csharp", "return (a, b) switch"),
    ("php", "$y = match ($x)"),
    ("php", "return match (true)"),
    ("php", "$this->kind = match ($x)"),
    ("rust", "return match x"),
    ("rust", "let Some(y) = x.next() else"),
    ("swift", "let y = switch x"),
    ("swift", "return if x > 0"),
    ("kotlin", "val y = try"),
    ("java", "int y = switch (x)"),
    ("java", "return switch (kind)"),
    # C++20: no condition in brackets, a likelihood attribute after the condition.
    ("cpp", "if consteval"),
    ("cpp", "} else if !consteval"),
    ("cpp", "if (x > 0) [[likely]]"),
    ("cpp", "while (n--) [[unlikely]]"),
    ("cpp", "} else [[unlikely]]"),
    # Blocks of one word (session 44): C#'s overflow and pointer contexts, Java's static
    # initializer.
    ("csharp", "checked"),
    ("csharp", "unchecked"),
    ("csharp", "unsafe"),
    ("java", "static"),
    ("kotlin", "init"),
    # A loop's label before its keyword.
    ("java", "outer: for (int i = 0; i < n; i++)"),
    ("javascript", "outer: while (x > 0)"),
    ("c", "again: while (x)"),
    ("go", "outer: for i := range xs"),
    ("kotlin", "outer@ for (x in xs)"),
    ("rust", "'outer: loop"),
    ("rust", "'outer: for x in xs"),
    ("swift", "outer: for x in xs"),
]

NOT_HEADERS = [
    ("c", "if (x) f(y);"),
    ("c", "} while (x)"),  # a do loop's end
    ("c", "f(a, b)"),
    ("csharp", "catch (IOException e) Log(e)"),
    ("csharp", "var y = f(x switch"),  # inside a call's bracket still open
    ("csharp", "var y = x.Switch"),
    ("javascript", "when (x)"),  # a call
    ("javascript", "fixed (x)"),
    ("kotlin", "val y = whenever(x)"),
    ("kotlin", "val y = x"),
    ("php", "$y = matches($x)"),
    ("java", "for (int i = 0; i < n; i++) x = g(i);"),
    ("java", "x += switchCount(y)"),
    ("java", "boolean b = a == c"),
    ("php", "$y = match ($x) {"),
    ("swift", "let y = x"),
    ("swift", "let y = iffy(x)"),
    ("c", "if (x) [[likely]]"),  # C has no such attribute
    ("cpp", "f(x) [[likely]]"),
    ("cpp", "if consteval_thing"),
    ("go", "for i := range xs {"),
    ("go", "defer f()"),
    ("go", "type F func(int) int"),
    ("go", "go func() { g() }()"),
    ("go", "http.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request)"),  # a call still open
    ("go", "functional(x)"),
    ("go", "if x > 0 { return }"),
    ("rust", "if x > 0 { g(); }"),
    ("rust", "let y = x;"),
    ("rust", "loop_count += 1;"),
    ("rust", "let Some(y) = x else { return };"),
    ("rust", "if a && (b.is_empty() || c"),  # inside the condition's `(`: it goes on
    ("swift", "if xs.contains(where: { $0 > 1 }"),
    ("swift", "guard x else { return }"),
    ("swift", "iffy()"),
    ("c", "static"),  # GNU style's `static` above its function's header
    ("csharp", "unsafe_count(x)"),
    ("csharp", "checked(x + y)"),
    ("java", "static int x"),
    ("javascript", "unsafe"),
    ("kotlin", "val init = 1"),
    ("cpp", "std::for_each(a)"),  # no label
    ("java", "outer: g(x)"),  # a label before a statement, no header
    ("typescript", "let x: for"),
]


@pytest.mark.parametrize(("language", "code"), HEADERS)
def test_a_header(language: str, code: str) -> None:
    assert is_control_header(code, language)


@pytest.mark.parametrize(("language", "code"), NOT_HEADERS)
def test_not_a_header(language: str, code: str) -> None:
    assert not is_control_header(code, language)


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["x = 1;", "if (a &&", "    b)"], "if (a && b)"),
        (["}", "for (int i = 0;", "     i < n;", "     i++)"], "for (int i = 0; i < n; i++)"),
        (["g();", "guard let a = x,", "      let b = y else"], "guard let a = x, let b = y else"),
        (["if (x)", "    g(a,", "      b)"], "g(a, b)"),
    ],
)
def test_a_statement_is_joined_over_its_lines(lines: list[str], joined: str) -> None:
    assert joined_statement(lines) == joined


def test_a_line_led_by_an_operator_goes_on_from_the_one_above() -> None:
    """rustfmt's and GNU C's `    && b`: the condition's end, not a statement of its own."""
    assert joined_statement(["g();", "while x > 0", "    && x < 9"]) == "while x > 0 && x < 9"


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["for x in xs", "    .iter()", "    .rev()"], "for x in xs .iter() .rev()"),
        (["if a", "    == b", "    + c"], "if a == b + c"),
        # Statements that start with an operator's sign are no continuation.
        (["g();", "*p = 1;"], "*p = 1;"),
        (["g();", "++i;"], "++i;"),
    ],
)
def test_a_line_led_by_a_binary_operator_or_a_chain_goes_on(lines: list[str], joined: str) -> None:
    assert joined_statement(lines) == joined


def test_rustfmt_breaks_after_in_and_a_lets_equals() -> None:
    """rustfmt's `for x in⏎    xs` and `while let Some(x) =⏎    it.next()`; a Scala or
    Kotlin `def f() =` is followed by its body, not by more of its header."""
    assert joined_statement(["for x in", "    xs"], language="rust") == "for x in xs"
    assert joined_statement(["while let Some(x) =", "    it.next()"], language="rust") == (
        "while let Some(x) = it.next()"
    )
    assert joined_statement(["def f(x: Int): Int =", "  val y = 1"], language="scala") == "val y = 1"


@pytest.mark.parametrize(
    ("code", "header"),
    [
        ("let v = match x", True),
        ("let mut v: u8 = if a", True),
        ("let v = loop", True),
        ("let v = if a { 1 } else { 2 };", False),
        ("let v = g(x)", False),
        ("v == match x", False),
    ],
)
def test_a_rust_lets_value_may_be_the_header(code: str, header: bool) -> None:
    """rustfmt's `let v =⏎    match x`, joined: the `match` awaits its block as alone."""
    assert is_control_header(code, "rust") is header
