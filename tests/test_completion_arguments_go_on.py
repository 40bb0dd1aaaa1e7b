"""A suggestion inside a call's parentheses whose first line ends with a comma, the model's
arguments going on below: the call's `)` after the cursor stays after it. The real server over
stdio against the fake DeepSeek server. Found retyping git's persistent-https proxy.go in Neovim
with an autopair mapping: `fmt.Printf("|)` with the model's format string and, on the next line,
its arguments came back as `"OK %v\\n",)`, the cursor after the `)`: the arguments were lost and
the next line was typed outside the call."""

from __future__ import annotations

import pytest

from tests.harness import first_item_at_cursor

#: (extension, language id, the document with the cursor at ‸, the model's answer, the
#: line once the suggestion is accepted and `x` typed)
CASES = [
    (
        "go", "go",
        'package main\n\nfunc run() {\n\tfmt.Printf("‸)\n}\n',
        'OK %v %v\\n",\n\t\tp.ul.Addr(), p.httpAddr',
        '\tfmt.Printf("OK %v %v\\n",x)',
    ),
    (
        "ts", "typescript",
        'function f() {\n    console.log("‸)\n}\n',
        'a %s",\n        x, y',
        '    console.log("a %s",x)',
    ),
    # The call ends on this line: its `)` is typed over, the cursor after it, as before.
    (
        "ts", "typescript",
        'function f() {\n    console.log("‸)\n}\n',
        'a %s", x',
        '    console.log("a %s", x)x',
    ),
    # A dict's or an object literal's entries going on below: its `}` stays after the cursor.
    ("py", "python", "d = {‸}\n", '"a": 1,\n    "b": 2', 'd = {"a": 1,x}'),
    # (An empty object's `{|}` asks for its members over lines: one with a member already.)
    ("js", "javascript", "const o = {z: 0, ‸};\n", "a: 1,\n  b: 2", "const o = {z: 0, a: 1,x};"),
    # A comment after the comma: the `)` went into it (`# first)`), the cursor after it.
    ("py", "python", "foo(‸)\n", "a,  # first\n    b", "foo(a,  # firstx)"),
    ("js", "javascript", "foo(‸);\n", "a, // first\n  b", "foo(a, // firstx);"),
]


def _line_after_accept_and_x(clean: str, row: int, item) -> str:
    old = clean.split("\n")[row]
    start, end = item.range.start.character, item.range.end.character
    return old[:start] + item.insert_text + "x" + old[end:]


@pytest.mark.parametrize("case", CASES, ids=["go", "ts", "ts-ends-here", "py-dict", "js-object", "py-comment", "js-comment"])
async def test_the_call_s_closer_stays_after_a_first_line_ending_in_a_comma(tmp_path, case) -> None:
    ext, language_id, text, answer, line = case
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language_id, text, answer)
    assert item is not None and item.range is not None and isinstance(item.insert_text, str)
    assert _line_after_accept_and_x(clean, text[: text.index("‸")].count("\n"), item) == line
