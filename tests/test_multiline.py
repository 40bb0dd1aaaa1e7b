"""The single/multi-line decision on its own, without a server: a block is asked of the model
only where the user is to write one (a wrong "single" cut a whole body to its first line, a
wrong "multi" let a line's completion run on into unrelated code)."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.multiline import is_multiline
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry

REGISTRY = LanguageRegistry.load()


def _decide(language_id: str, ext: str, text: str, *, after_accept: bool = False, empty_block: bool = False) -> bool:
    """The decision at ``‸`` in ``text``."""
    offset = text.encode().index("‸".encode())
    doc = DocumentStore(REGISTRY).open(f"file:///m.{ext}", text.replace("‸", ""), language_id, 1)
    assert doc.language is not None
    line = doc.line_at(offset)
    before = doc.data[doc.line_start(line) : offset].decode()
    after = doc.data[offset : doc.line_end(line)].decode()
    return is_multiline(doc, offset, before, after, after_accept=after_accept, empty_block=empty_block)


@pytest.mark.parametrize(
    ("language_id", "ext", "text", "expected"),
    [
        # An empty body after its header: the body is to be written.
        ("python", "py", "def f():\n    ‸\n", True),
        ("python", "py", "def f():‸\n", True),
        # Mid-statement: the rest of the line.
        ("python", "py", "def f(x):\n    y = x + ‸\n", False),
        ("python", "py", "def f(x):\n    y = 1\n    ‸\n", False),
        # Between a header's `{` and the `}` the editor closed it with; an object literal's
        # braces hold a value, not a body.
        ("javascript", "js", "function f() {‸}\n", True),
        ("javascript", "js", "const o = {‸}\n", False),
    ],
)
def test_multiline_where_a_block_is_to_be_written(language_id: str, ext: str, text: str, expected: bool) -> None:
    assert _decide(language_id, ext, text) is expected


def test_multiline_right_after_a_whole_suggestion_was_accepted() -> None:
    """Mid-statement is a line, unless the user just took a whole suggestion there (the next
    one continues the block) or the cursor is in an empty block of its own (a new cell)."""
    text = "def f(x):\n    y = x + ‸\n"
    assert _decide("python", "py", text) is False
    assert _decide("python", "py", text, after_accept=True) is True
    assert _decide("python", "py", text, empty_block=True) is True
