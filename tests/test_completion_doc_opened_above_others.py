"""A docstring or doc comment being written (its opener typed, nothing closing it yet) above
functions that have their own: the next doc's opener is not this one's closer. Taken for it,
the suggestion was cut before the model's closer, and an accept left the doc open up to the
next one, the code between read as text (Neovim, typing pygls' feature_manager.py and a
TypeScript file again: Vim closes neither a `\"\"\"` nor a `/**`)."""

from __future__ import annotations

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.test_completion_e2e import _accepted_then_asked, session

_PY_BELOW = (
    "\n\n    @property\n    def commands(self) -> dict:\n"
    '        """Returns registered custom commands."""\n        return self._commands\n\n'
    "    def feature(self, name: str) -> Callable:\n"
    '        """Decorator used to register LSP features.\n\n'
    "        Example:\n            @ls.feature('textDocument/completion')\n"
    '        """\n        return self._feature(name)\n'
)
_PY = "class FeatureManager:\n    def command(self, name: str) -> Callable:\n        \"\"\"" + _PY_BELOW
_PY_FIRST = "Decorator used to register custom commands."
_PY_NEXT = "\n\n        Example:\n            @ls.command('myCustomCommand')\n        \"\"\""

_TS_BELOW = (
    "\n  run(): void {\n    this.runs += 1;\n  }\n\n  /**\n   * Stops the crash count.\n"
    "   */\n  stop(): void {\n    this.runs = 0;\n  }\n}\n"
)
_TS = "export class CrashLimit {\n  private runs = 0;\n\n  /**\n   * " + _TS_BELOW
_TS_FIRST = "Counts one more run."
_TS_NEXT = "\n   */"

# Inside a docstring its own closer below closes: cut where the model closes it.
_PY_OPEN = (
    'def area(r: float) -> float:\n    """\n    The radius must not be negative.\n    """\n'
    "    return 3.14 * r * r\n\n\ndef b() -> int:\n    \"\"\"Bee.\n\n    Two lines.\n    \"\"\"\n    return 2\n"
)

# A string that is no docstring, its text at column 0 in a function (SQL, a usage message): the
# first closer below is its own, though the lines down to it stand left of the opener's line.
_SQL = 'def f():\n    sql = """\n\nWHERE id = 1\n"""\n    return run(sql)\n'
_USAGE = 'def main():\n    parser = ArgumentParser(description="""\n\nSee the README.\n""")\n    return parser\n'


@pytest.mark.parametrize(
    ("name", "language", "text", "row", "col", "answers", "shown"),
    [
        # pygls' feature_manager.py: the next method's docstring opener was taken for the
        # closer, the docstring's next lines were shown up to the example, without the `"""`.
        ("a.py", "python", _PY, 2, 11, (_PY_FIRST, _PY_NEXT), _PY_NEXT),
        # A JSDoc above a method when the next method has one: its `*/` was cut, nothing shown.
        ("a.ts", "typescript", _TS, 4, 5, (_TS_FIRST, _TS_NEXT), _TS_NEXT),
        # The docstring's own closer below: still cut where the model closes it.
        ("b.py", "python", _PY_OPEN, 1, 7, ("Area of a circle.", '\n    The radius."""\n    return 0'), "\n    The radius."),
        ("c.py", "python", _SQL, 2, 0, ("SELECT *", '\nFROM t\nORDER BY id\n"""\n    return run(sql)'), "\nFROM t\nORDER BY id"),
        ("d.py", "python", _USAGE, 2, 0, ("Runs it.", '\nUsage: main [-v]\nSee the docs.\n""")\n    return parser'), "\nUsage: main [-v]\nSee the docs."),
    ],
)
async def test_a_doc_being_written_above_documented_functions_keeps_its_closer(
    tmp_path, name: str, language: str, text: str, row: int, col: int, answers: tuple[str, str], shown: str
) -> None:
    """The suggestion asked at once after the doc's first line is accepted (multi-line)."""
    with FakeDeepSeek() as fake:
        fake.script(*answers)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            items = await _accepted_then_asked(client, f"file:///ws/{name}", text, language, row, col)
    assert [i.insert_text for i in items] == [shown]
