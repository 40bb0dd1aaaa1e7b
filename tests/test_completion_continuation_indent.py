"""A C-family file whose declarations break after `(` with a continuation indent wider than its
levels (LLVM's and Google's C++: four columns for arguments, two for a level): the `(` was read
as a block's opener, its four columns outvoted the file's levels once a body was cut out around
the cursor, and a braceless `if`'s statement came a level of four in (LLVM's CFG.h retyped,
bench_line_shape.py). The fake DeepSeek answers the file's text; the suggestion is accepted."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

_DECLARATIONS = "".join(
    f"bool isReachable{i}(\n    const Instruction *From,\n    const Instruction *To);\n\n" for i in range(3)
)
_BODY = "if (!Visited.count(N))\n      continue;\n    Visited.insert(N);"


@pytest.mark.parametrize(("language", "ext"), [("cpp", "cpp"), ("c", "h")])
async def test_a_braceless_body_stands_a_level_in_not_a_continuation_in(fake_deepseek, language: str, ext: str) -> None:
    text = _DECLARATIONS + "bool containsCycle(Graph &G) {\n  for (Node N : G) {\n    ‸\n  }\n  return false;\n}\n"
    got, _ = await accept_first(fake_deepseek, language, ext, text, _BODY)
    assert got == text.replace("‸", _BODY)


async def test_python_s_hanging_indent_after_a_parenthesis_still_counts(fake_deepseek) -> None:
    """Control: Python has no braces; its `(`-broken lines go four in, a level."""
    text = "def f(\n    a,\n    b,\n):\n    for x in a:\n        ‸\n    return b\n"
    body = "if x:\n            b.append(x)"
    got, _ = await accept_first(fake_deepseek, "python", "py", text, body)
    assert got == text.replace("‸", body)
