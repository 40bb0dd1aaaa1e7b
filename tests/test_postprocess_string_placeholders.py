"""A completion written in a string's placeholder (``f"{|}"``, ``"${|}"``, ``"\\(|)"``) that
goes on past the placeholder's closer types over the closer the editor put after the cursor:
put back with the rest of the line's closers, the line read ``print(f"{count} items")}")``."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.postprocess import (
    PostContext,
    before_typed_over,
    kept_tail,
    postprocess,
)
from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek

pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


def _accepted(language: str, head: str, line: str, tail: str, answer: str) -> str:
    """The cursor line once the suggestion is accepted: the text, then what of the line's
    closers it leaves (the item replaces them), as the completion feature puts it together."""
    ctx = PostContext(prefix=head + line, suffix=tail + "\n}\n", language=language)
    text = postprocess(answer, ctx)
    assert text is not None
    return line + text + kept_tail(text, tail, ctx)


@pytest.mark.parametrize(
    ("language", "head", "line", "tail", "answer", "expected"),
    [
        # Closed, gone on in the string, and the string closed as the line closes it.
        ("python", "def f(count):\n", '    print(f"{', '}")', 'count} items")', '    print(f"{count} items")'),
        ("kotlin", "fun f(count: Int) {\n", '    println("${', '}")', 'count} items")', '    println("${count} items")'),
        ("swift", "func f(count: Int) {\n", '    print("\\(', ')")', 'count) items")', '    print("\\(count) items")'),
        ("javascript", "function f(count) {\n", "  console.log(`${", "}`)", "count} items`)", "  console.log(`${count} items`)"),
        ("scala", "object A {\n", '    println(s"${', '}")', 'count} items")', '    println(s"${count} items")'),
        ("ruby", "def f(count)\n", '    puts("#{', '}")', 'count} items")', '    puts("#{count} items")'),
        # The closers of the brackets open in the placeholder, typed over before its own.
        ("kotlin", "fun f(xs: List<Int>) {\n", '    println("${xs.sum(', ')}")', ') + 1} items")', '    println("${xs.sum() + 1} items")'),
        # Gone on in the string only: the line's quote and parenthesis still close it.
        ("python", "def f(count):\n", '    print(f"{', '}")', "count} items", '    print(f"{count} items")'),
        ("kotlin", "fun f(count: Int) {\n", '    println("${', '}")', "count} items", '    println("${count} items")'),
        # A quote inside the placeholder's code is no end of the string.
        ("python", "def f(d):\n", '    print(f"{', '}")', "d['k']} items\")", "    print(f\"{d['k']} items\")"),
        ("kotlin", "fun f(m: Map<String, Int>) {\n", '    println("${', '}")', 'm["k"]} items")', '    println("${m["k"]} items")'),
        # A placeholder opened again takes the line's closer.
        ("python", "def f(a, b):\n", '    print(f"{', '}")', "a} and {b", '    print(f"{a} and {b}")'),
        ("kotlin", "fun f(a: Int, b: Int) {\n", '    println("${', '}")', "a} and ${b", '    println("${a} and ${b}")'),
    ],
)
def test_a_placeholder_closer_typed_over_is_not_put_back(
    language: str, head: str, line: str, tail: str, answer: str, expected: str
) -> None:
    assert _accepted(language, head, line, tail, answer) == expected


def test_a_menu_item_stops_before_the_placeholder_closer_it_would_type_over() -> None:
    """Neovim's own menu inserts at the cursor and leaves the line's `}")`: the item is what
    fits before them (it was `count} items"`, which read `f"{count} items"}")`)."""
    ctx = PostContext(prefix='def f(count):\n    print(f"{', suffix='}")\n', language="python")
    assert before_typed_over('count} items")', '}")', ctx) == "count"


async def test_the_feature_replaces_an_f_string_placeholder_s_closer(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    line = '    print(f"{}")'
    fake_deepseek.script('count} items")')
    uri = "file:///w/p.py"
    completing.open(uri, f"def show(count):\n{line}\n")
    col = line.index("{") + 1
    items = await completing.inline(uri, 1, col)
    # The item replaces the rest of the line.
    assert [line[:col] + item for item in items] == ['    print(f"{count} items")']
