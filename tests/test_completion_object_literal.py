"""The cursor between the braces of an empty JavaScript or TypeScript object literal (`const o =
{|}`, an options argument, an object type): its members are asked for over lines, as Copilot
asks them, and go in above the editor's `}`. A line was asked (stop at the line break): the
model's members, below the `{`, were cut to nothing and no suggestion was shown. The feature
in-process against the fake DeepSeek."""

from __future__ import annotations

import pytest

from tests.completing import accept_first
from tests.fake_deepseek import FakeDeepSeek


@pytest.mark.parametrize(
    ("language_id", "ext", "text", "answer", "after"),
    [
        ("javascript", "js", "const o = {‸}\n", "\n  name: 'x',\n  age: 3,\n", "const o = {\n  name: 'x',\n  age: 3,\n}\n"),
        (
            "javascript",
            "js",
            "function f() {\n  const o = {‸};\n  return o;\n}\n",
            "\n    name: 'x',\n    age: 3,\n  ",
            "function f() {\n  const o = {\n    name: 'x',\n    age: 3,\n  };\n  return o;\n}\n",
        ),
        (
            "typescript",
            "ts",
            "const res = await fetch(url, {‸});\n",
            "\n  method: 'POST',\n  body,\n",
            "const res = await fetch(url, {\n  method: 'POST',\n  body,\n});\n",
        ),
        # The model's own closer and the code after it: cut at the editor's `}`.
        ("typescript", "ts", "const o = {‸};\nconst p = 2;\n", "\n  a: 1,\n};\nconst q = 3;\n", "const o = {\n  a: 1,\n};\nconst p = 2;\n"),
        # Members on the `{`'s line stay there.
        ("typescript", "ts", "const o = {‸};\n", " a: 1, b: 2 ", "const o = { a: 1, b: 2 };\n"),
    ],
)
async def test_an_empty_object_literal_gets_its_members_over_lines(
    language_id: str, ext: str, text: str, answer: str, after: str
) -> None:
    with FakeDeepSeek() as fake:
        got, body = await accept_first(fake, language_id, ext, text, answer)
    assert got == after
    assert body is not None and body["stop"] != ["\n"]  # a block asked, not a line
