"""A key typed at the end of a Python block's last line: the tree kept incrementally stays a fresh
parse's, and (tree-sitter's limitation, not our edit) the reparse relexes the rest of the file.

tests/bench/bench_reparse_block_end.py measures it on real files; its docstring says why.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import tree_sitter as ts
from lsprotocol import types

from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry

REGISTRY = LanguageRegistry.load()
PYTHON = REGISTRY.get("python")

HEAD = "class A:\n    def f(self, x):\n        if x:\n            a = 1\n        else:\n            b = 2\n            d = 3\n        return b\n"
#: Many functions after the edit, each ending in a dedent: what tree-sitter should reuse.
TAIL = "".join(f"\n    def g{i}(self):\n        if self:\n            return {i}\n        return 0\n" for i in range(60))


def lexed(parser: ts.Parser, parse: Callable[[], object]) -> int:
    """Tokens ``parser`` lexes during ``parse()``, counted from its log."""
    count = 0

    def log(_kind: object, message: str) -> None:
        nonlocal count
        count += message.startswith("lexed_lookahead")

    parser.logger = log
    try:
        parse()
    finally:
        parser.logger = None
    return count


def lexed_by_keys(at: str, typed: str = "c") -> list[int]:
    """Tokens lexed by each reparse while ``typed`` is typed on a new line below the line
    ending in ``at``, through the Document (our didChange path)."""
    text = HEAD + TAIL
    doc = Document("file:///t.py", text, language=PYTHON, encoding="utf-16")
    assert doc.tree is not None
    line = next(i for i, ln in enumerate(text.splitlines()) if ln.endswith(at))
    indent = " " * 12
    counts: list[int] = []
    keys = [("\n" + indent, types.Position(line=line, character=len(doc.line_text(line))))]
    keys += [(ch, types.Position(line=line + 1, character=len(indent) + i)) for i, ch in enumerate(typed)]
    for ch, pos in keys:
        doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text=ch))
        counts.append(lexed(PYTHON.shared_parser, doc.parse_now))
        # The edit we described is exact: the kept tree is what a fresh parse gives.
        assert str(doc.tree.root_node) == str(PYTHON.parser().parse(doc.data).root_node)  # type: ignore[union-attr]
    return counts


def whole_parse_tokens() -> int:
    parser = PYTHON.parser()
    return lexed(parser, lambda: parser.parse((HEAD + TAIL).encode()))


def test_keys_below_a_block_and_mid_block_keep_the_tree_a_fresh_parse_s() -> None:
    assert max(lexed_by_keys("b = 2", "x = 1")) < whole_parse_tokens() / 10  # mid-block
    lexed_by_keys("d = 3", "x = 1")  # at the block's end: asserts the tree after each key


@pytest.mark.xfail(
    strict=True,
    reason="tree-sitter 0.26 / tree-sitter-python 0.25: after the changed zero-width _newline and "
    "_dedent at the edit, the next node is compared one external token early, its indent stack "
    "differs and it is dropped, at every dedent after (bench_reparse_block_end.py). Passing means "
    "an upgrade fixed it: drop this mark and say so in README's overhead paragraph.",
)
def test_a_key_at_a_block_s_end_relexes_little_of_the_file() -> None:
    # Below the else block's last line, before the dedented "return b"; 60 functions follow.
    assert max(lexed_by_keys("d = 3", "c")) < whole_parse_tokens() / 10
