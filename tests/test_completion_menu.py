"""The text of completion-menu items (completion/menu.py)."""

from __future__ import annotations

from deepseek_lsp.completion import menu


def test_label_is_the_first_line_with_text() -> None:
    assert menu.label("compute(a, b)") == "compute(a, b)"
    assert menu.label("\n    diff = a - b\n    return diff") == "diff = a - b …"
    assert menu.label("  \n ") == ""
    assert menu.label("x" * 200) == "x" * 80


def test_snippet_text_is_escaped_and_relative_to_the_cursor_line() -> None:
    assert menu.as_snippet("f'${x}' \\ y", "    ") == "f'\\${x\\}' \\\\ y"
    text = "for x in xs:\n        total += x\n    return total"
    assert menu.as_snippet(text, "    ") == "for x in xs:\n    total += x\nreturn total"
    # A line indented less than the cursor line cannot be said relative to it (the client
    # would put it one level too deep): the snippet stops before it.
    assert menu.as_snippet("return total\n\ndef count(self):\n    return 1", "        ") == "return total"
    assert menu.as_snippet("a\n\tb", "") == "a\n\tb"
    assert menu.as_snippet("a\n    \n    b", "    ") == "a\n\nb"  # blank lines carry no indentation


def test_line_breaks_are_lf() -> None:
    assert menu.lf("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_the_documentation_fence_is_longer_than_any_in_the_text() -> None:
    assert menu.documentation("x = 1").value == "```\nx = 1\n```"
    # A fence of the text's own (a README's example) does not close the one around it.
    text = "Run:\n```sh\nmake\n```"
    assert menu.documentation(text).value == f"````\n{text}\n````"
    assert menu.documentation("s = `a` + ````b````").value.startswith("`````\n")
