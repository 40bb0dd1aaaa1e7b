"""A destructured parameter typed inside the pairs an autopair closed (`function Cart({|})`): the
suggestion closes both and opens the body (` items, onCheckout }: CartProps) {`), and the
line's `})` was put back after it, the `{` taken to close on this line with the `}`, so an
accept read `CartProps) {})` (Cart.tsx typed again in Neovim with an autopair mapping, 56
suggestions shown so in one component)."""

from __future__ import annotations

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, open_doc
from tests.test_completion_e2e import session


@pytest.mark.parametrize(
    ("name", "language", "line", "col", "answer", "shown"),
    [
        ("a.tsx", "typescriptreact", "export function Cart({})", 22, " items, onCheckout }: CartProps) {",
         " items, onCheckout }: CartProps) {"),
        ("a.js", "javascript", "function draw({})", 15, " x, y }) {", " x, y }) {"),
        # The body's own `}` on the line: the line's closers typed over, nothing put back.
        ("b.js", "javascript", "function draw({})", 15, " x, y }) {}", " x, y }) {}"),
        # A call's own bracket left open takes the line's closer (as before).
        ("c.js", "javascript", "use(max())", 8, "a), max(b", "a), max(b))"),
    ],
)
async def test_brackets_typed_over_before_a_body_s_brace_leave_nothing_after_it(
    tmp_path, name: str, language: str, line: str, col: int, answer: str, shown: str
) -> None:
    with FakeDeepSeek() as fake:
        fake.script(answer)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            uri = f"file:///ws/{name}"
            open_doc(client, uri, "import React from 'react';\n\n" + line + "\n", language=language)
            result = await client.text_document_inline_completion_async(inline_params(uri, 2, col))
    assert [i.insert_text for i in result.items] == [shown]
