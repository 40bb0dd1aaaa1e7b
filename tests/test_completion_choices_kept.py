"""The choice the user is looking at stays the one served: cycled to the second of an explicit
request's choices (Alt+] in Neovim, which tells the server each item it draws with
``textDocument/didShowCompletion``), typing through it goes on with that one, as Copilot
does. The real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, insert, open_doc
from tests.test_completion_counts import raw
from tests.test_completion_e2e import session

FIM = "/beta/completions"
SHOWN = "textDocument/didShowCompletion"
PARTIAL = "textDocument/didPartiallyAcceptCompletion"

pytestmark = pytest.mark.usefixtures("state_dir")

#: The model's answer at each temperature: every choice starts with `c`, two with `comp`.
CHOICES = {0.0: "compute(a, b)", 0.6: "compare(a)", 0.9: "count(b)"}


def _respond(body: dict[str, Any]) -> str:
    return CHOICES.get(body["temperature"], "") if body["prompt"].endswith("x = ") else ""


async def _choices(client: Any, uri: str) -> list[types.InlineCompletionItem]:
    open_doc(client, uri, "a = b = 1\nx = \n")
    result = await client.text_document_inline_completion_async(inline_params(uri, 1, 4, invoked=True))
    assert [i.insert_text for i in result.items] == list(CHOICES.values())
    return list(result.items)


async def _typed_through(client: Any, uri: str, typed: str) -> list[str]:
    insert(client, uri, 2, 1, 4, typed)
    result = await client.text_document_inline_completion_async(inline_params(uri, 1, 4 + len(typed)))
    return [i.insert_text for i in result.items]


@pytest.mark.parametrize(("told", "typed", "served"), [
    # Cycled to the second choice: typing on through it gave the first (the newest held).
    ([1], "c", "ompare(a)"),
    ([1], "comp", "are(a)"),
    # And back to the first: the first again.
    ([1, 0], "comp", "ute(a, b)"),
    # The first shown (VS Code tells only that one; nothing told, as before): the first.
    ([0], "c", "ompute(a, b)"),
    ([], "c", "ompute(a, b)"),
    # Typed what only another choice goes on with: that one.
    ([1], "cou", "nt(b)"),
])
async def test_typing_through_goes_on_with_the_choice_shown(
    tmp_path: Path, told: list[int], typed: str, served: str
) -> None:
    with FakeDeepSeek() as fake:
        fake.responder(_respond, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            items = await _choices(client, uri)
            for index in told:
                client.protocol.notify(SHOWN, {"item": raw(items[index])})
            assert await _typed_through(client, uri, typed) == [served]
            assert len(fake.requests_to(FIM)) == 3  # served from what is held


async def test_a_word_taken_of_the_second_choice_goes_on_with_it(tmp_path: Path) -> None:
    """Cycled to the second choice with no word of it told (VS Code tells the server of the
    first item drawn only), the user takes its first word (`comp`): the part taken tells the
    choice shown, and the request at the new cursor went on with the first choice's `ute`."""
    with FakeDeepSeek() as fake:
        fake.responder(_respond, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            items = await _choices(client, uri)
            client.protocol.notify(SHOWN, {"item": raw(items[0])})
            insert(client, uri, 2, 1, 4, "comp")
            client.protocol.notify(PARTIAL, {"item": raw(items[1]), "acceptedLength": 4})
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 8))
            assert [i.insert_text for i in result.items] == ["are(a)"]
            assert len(fake.requests_to(FIM)) == 3


async def test_back_at_the_suggestion_asked_while_typing_typing_goes_on_with_it(tmp_path: Path) -> None:
    """The first choice was the suggestion asked while typing (its item drawn before the
    explicit request's): cycled to the second and back to it, typing through went on with
    the second, the item drawn being the older request's."""
    with FakeDeepSeek() as fake:
        fake.responder(_respond, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "a = b = 1\nx = \n")
            typing = (await client.text_document_inline_completion_async(inline_params(uri, 1, 4))).items
            assert [i.insert_text for i in typing] == ["compute(a, b)"]
            client.protocol.notify(SHOWN, {"item": raw(typing[0])})
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 4, invoked=True))
            client.protocol.notify(SHOWN, {"item": raw(result.items[1])})
            client.protocol.notify(SHOWN, {"item": raw(typing[0])})
            assert await _typed_through(client, uri, "comp") == ["ute(a, b)"]
            assert len(fake.requests_to(FIM)) == 3
