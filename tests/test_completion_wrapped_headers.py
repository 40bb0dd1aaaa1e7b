"""A block's header wrapped over lines where only the whole header shows it opens a block (Lua's
`function(a,` then `    b)`: its keyword sign is `function(...)` at the line's end): the
completion feature in-process against the fake DeepSeek server, the document as the user has it
after accepting the suggestion."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

#: (the document with the cursor at ‸, the model's answer, the document after the accept)
CASES = [
    # The cursor at the header's end: the body was cut as out of the `b)` line's block, and
    # nothing was shown.
    (
        "local M = {}\n\nlocal f = function(a,\n    b)‸\n",
        "\n  return a + b\nend",
        "local M = {}\n\nlocal f = function(a,\n    b)\n  return a + b\nend\n",
    ),
    # A callback's header wrapped in a call: its `end)` went under its body, two columns in.
    (
        "vim.keymap.set('n', 'x', function(a,\n    b)\n  ‸\n",
        "print(a)\nend)",
        "vim.keymap.set('n', 'x', function(a,\n    b)\n  print(a)\nend)\n",
    ),
]


@pytest.mark.parametrize(("text", "answer", "expected"), CASES)
async def test_a_lua_function_header_over_two_lines_is_one_header(
    fake_deepseek, text: str, answer: str, expected: str
) -> None:
    after, _ = await accept_first(fake_deepseek, "lua", "lua", text, answer)
    assert after == expected
