"""A YAML list item's next key, asked on the line below `- name: orders` with the cursor at
the dash's column (VS Code keeps the line's indentation on Enter, Vim's YAML indent puts it
there too): the model writes the two spaces that bring the key under `name`, and they were
taken for the cursor line's indentation written again and stripped, the key put at the dash's
column (`image:` beside the list, a YAML error) (deploy.yaml typed again in Neovim)."""

from __future__ import annotations

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, open_doc
from tests.test_completion_e2e import session

_DEPLOY = (
    "spec:\n  template:\n    spec:\n      containers:\n        - name: orders\n        \n"
)
_NESTED = "jobs:\n  test:\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n      \n"


@pytest.mark.parametrize(
    ("text", "row", "col", "answer", "shown"),
    [
        # The item's next key, under `name`.
        (_DEPLOY, 5, 8, "  image: registry.example.com/shop/orders:0.4.2", "  image: registry.example.com/shop/orders:0.4.2"),
        # A key of the item below `- run: make`, under `run`.
        (_NESTED, 5, 6, "  timeout-minutes: 5", "  timeout-minutes: 5"),
        # A value under an item's key that opens a block: a level right of the key.
        ("jobs:\n  test:\n    steps:\n      - env:\n      \n", 4, 6, "    CI: true", "    CI: true"),
        # A next item at the dash's column stays there; one deeper than the item's keys is cut back.
        (_NESTED, 5, 6, "- run: make test", "- run: make test"),
        (_DEPLOY, 5, 8, "        image: x", "image: x"),
        # The cursor line's two spaces written again before a next item (a list of scalars, of
        # mappings at column 2): cut back to the dash's column, not kept as a key's indent
        # right of the dash (`    - banana` read as `apple - banana`).
        ("fruits:\n  - apple\n  \n", 2, 2, "  - banana", "- banana"),
        ("services:\n  - name: api\n  \n", 2, 2, "  - name: db", "- name: db"),
        # A key of the mapping item still goes under its first one.
        ("services:\n  - name: api\n  \n", 2, 2, "  port: 80", "  port: 80"),
    ],
)
async def test_a_list_item_s_next_key_keeps_the_model_s_indent_under_the_item(
    tmp_path, text: str, row: int, col: int, answer: str, shown: str
) -> None:
    with FakeDeepSeek() as fake:
        fake.script(answer)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            uri = "file:///ws/deploy.yaml"
            open_doc(client, uri, text, language="yaml")
            result = await client.text_document_inline_completion_async(inline_params(uri, row, col))
    assert [i.insert_text for i in result.items] == [shown]
