"""An empty pair after the cursor's closers (React's `useEffect(() => {|}, [])`, a call's
`()`): a suggestion is shown there, the pair being typed through as the closers are, and a
model answer that writes the rest of the line again, its pair filled (`}, [id]);`), types
the whole rest over. Before, the `[` made the line's rest no closers' and nothing was shown
inside an effect's braces; with it allowed, the tail's `[` stayed after the model's own
`]`: `}, [id]), [);`. The real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

import pytest

from tests.harness import accepted_text, first_item_at_cursor

_HEAD = "import { useEffect } from 'react';\n\nexport function App({ id }) {\n"
_TAIL = "\n  return null;\n}\n"
_BODY = "\n    fetchData(id);\n"


@pytest.mark.parametrize(
    ("ext", "language", "line", "answer", "after"),
    [
        # The rest written again, its deps filled.
        ("tsx", "typescriptreact", "  useEffect(() => {‸}, []);", _BODY + "  }, [id]);", "  useEffect(() => {" + _BODY + "  }, [id]);"),
        ("js", "javascript", "  useEffect(() => {‸}, []);", _BODY + "  }, [id]);", "  useEffect(() => {" + _BODY + "  }, [id]);"),
        # ... as it stands.
        ("tsx", "typescriptreact", "  useEffect(() => {‸}, []);", _BODY + "  }, []);", "  useEffect(() => {" + _BODY + "  }, []);"),
        # ... without its `;` (the line's own kept).
        ("tsx", "typescriptreact", "  useEffect(() => {‸}, []);", _BODY + "  }, [id])", "  useEffect(() => {" + _BODY + "  }, [id]);"),
        # The body alone: the line's rest goes on a line of its own below it.
        ("tsx", "typescriptreact", "  useEffect(() => {‸}, []);", _BODY, "  useEffect(() => {" + _BODY + "  }, []);"),
        # On one line.
        ("tsx", "typescriptreact", "  useEffect(() => {‸}, []);", " fetchData(id); }, [id]);", "  useEffect(() => { fetchData(id); }, [id]);"),
        # Control: the deps typed after an autopair's `})`, no pair in the tail.
        ("tsx", "typescriptreact", "  useEffect(() => {‸});", _BODY + "  }, [id]);", "  useEffect(() => {" + _BODY + "  }, [id]);"),
    ],
)
async def test_an_empty_pair_after_the_cursor_is_typed_through(
    tmp_path, ext: str, language: str, line: str, answer: str, after: str
) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language, _HEAD + line + _TAIL, answer)
    assert item is not None
    assert accepted_text(clean, item) == _HEAD + after + _TAIL


@pytest.mark.parametrize(("ext", "language", "text"), [("py", "python", "x = obj.get‸()\n"), ("ts", "typescript", "const a = [‸[]];\n")])
async def test_an_empty_pair_right_after_the_cursor_is_no_tail(tmp_path, ext: str, language: str, text: str) -> None:
    """Control: a pair right after the cursor (`obj.get|()`, a snippet's call) is mid-line
    code, as before: a call written there went before it (`getValue(1)()`)."""
    _, item = await first_item_at_cursor(str(tmp_path), ext, language, text, "Value(1)")
    assert item is None


@pytest.mark.parametrize(
    ("ext", "language", "text", "answer", "after"),
    [
        # The model closing the effect without its deps: they stay, its body alone is taken.
        ("tsx", "typescriptreact", _HEAD + "  useEffect(() => {‸}, []);" + _TAIL, _BODY + "  })",
         _HEAD + "  useEffect(() => {" + _BODY + "  }, []);" + _TAIL),
        ("tsx", "typescriptreact", _HEAD + "  useEffect(() => {‸}, []);" + _TAIL, " fetchData(id); })",
         _HEAD + "  useEffect(() => { fetchData(id); }, []);" + _TAIL),
        # ... its body holding a pair after a comma of its own.
        ("tsx", "typescriptreact", _HEAD + "  useEffect(() => {‸}, []);" + _TAIL, "\n    fetchData(id, [1]);\n  })",
         _HEAD + "  useEffect(() => {\n    fetchData(id, [1]);\n  }, []);" + _TAIL),
        # Another language's empty argument after a call closed: `foo(bar(xs))` lost `, ()`.
        ("py", "python", "def f(xs):\n    return foo(bar(‸), ())\n", "xs))", "def f(xs):\n    return foo(bar(xs), ())\n"),
        ("js", "javascript", "const o = Object.assign(clone(‸), {});\n", "a))", "const o = Object.assign(clone(a), {});\n"),
        # Control: the pair written again, filled, types the rest over.
        ("py", "python", "def f(xs):\n    return foo(bar(‸), ())\n", "xs), (1,))", "def f(xs):\n    return foo(bar(xs), (1,))\n"),
    ],
)
async def test_a_pair_the_answer_does_not_write_stays(tmp_path, ext: str, language: str, text: str, answer: str, after: str) -> None:
    """An answer closing past the tail's empty pair without writing it (`})` for `}, [])`)
    types over its closers, not the pair: the accept dropped the user's `, []` (an effect
    run at every render), `, ()`, `, {}`."""
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language, text, answer)
    assert item is not None
    assert accepted_text(clean, item) == after
