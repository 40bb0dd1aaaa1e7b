"""What the server makes of the moments after an accept: the block asked at once (no wait, a
block rather than the line's end) is for the state the accept left, and for no other that
later comes to the same place. The real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, insert, open_doc
from tests.test_completion_counts import accept_in_order, delete
from tests.test_completion_e2e import accept, session

FIM = "/beta/completions"
URI = "file:///ws/a.py"

pytestmark = pytest.mark.usefixtures("state_dir")


@asynccontextmanager
async def _suggested(tmp_path: Path) -> AsyncIterator[tuple[FakeDeepSeek, Any, types.InlineCompletionItem]]:
    """The fake, the client, and the suggestion shown at `x = |` (`compute(a, b)`; a block
    anywhere else)."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "compute(a, b)" if body["prompt"].endswith("x = ") else "\ny = x", path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            open_doc(client, URI, "a = b = 1\nx = \n")
            yield fake, client, (await client.text_document_inline_completion_async(inline_params(URI, 1, 4))).items[0]


async def test_after_an_accept_undone_the_same_place_typed_to_with_other_text_asks_for_the_line(
    tmp_path: Path,
) -> None:
    """Accepted, then undone (Ctrl+Z): the place the accept left the cursor was still taken
    for the accept's, and the user typing their own text to it got a block asked at once,
    with no debounce, as if they had just accepted."""
    retyped = "printed(a, 1)"
    async with _suggested(tmp_path) as (fake, client, item):
        await accept(client, URI, 2, 1, 4, item)
        delete(client, URI, 3, 1, 4, 4 + len(item.insert_text))  # the undo
        for i, char in enumerate(retyped):
            insert(client, URI, 4 + i, 1, 4 + i, char)
        await client.text_document_inline_completion_async(inline_params(URI, 1, 4 + len(retyped)))
        assert fake.requests_to(FIM)[-1].json["stop"] == ["\n"]  # the rest of the line


@pytest.mark.parametrize("command_first", [False, True])
async def test_right_after_an_accept_a_block_is_asked_whichever_came_first(tmp_path: Path, command_first: bool) -> None:
    """The control: the accept's own insert before the cursor, a block is asked at once, also
    where the item's command comes before the insert (the Neovim plugin's accept over an
    auto-closed `)`, pasted by keys fed after the command ran)."""
    async with _suggested(tmp_path) as (fake, client, item):
        await accept_in_order(client, URI, 1, 4, item, command_first=command_first)
        await client.text_document_inline_completion_async(inline_params(URI, 1, 4 + len(item.insert_text)))
        assert fake.requests_to(FIM)[-1].json["stop"] != ["\n"]  # a block


async def test_after_an_accept_a_key_typed_then_taken_back_asks_for_the_line(tmp_path: Path) -> None:
    """Accepted, then a key typed after it and Backspace (no request between them, as when the
    editor's debounce swallows both): the cursor is back at the accept's end with its insert
    before it, and was taken for just accepted: a block asked at once, mid-typing."""
    async with _suggested(tmp_path) as (fake, client, item):
        await accept(client, URI, 2, 1, 4, item)
        end = 4 + len(item.insert_text)
        insert(client, URI, 3, 1, end, "x")
        delete(client, URI, 4, 1, end, end + 1)
        await client.text_document_inline_completion_async(inline_params(URI, 1, end))
        assert fake.requests_to(FIM)[-1].json["stop"] == ["\n"]  # the rest of the line
