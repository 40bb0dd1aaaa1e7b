"""An edit that makes the answer still streaming for the user's own request useless closes its
stream at once, where the editor sends no ``$/cancelRequest`` (Helix, Emacs, Sublime LSP, Kate):
it streamed on to its end, billed for an answer the stale request never shows and no request
joins. Kept: typing through what it streamed, and an edit below the prompt's windows (the
request asked again there joins it). The real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import _to_dict, inline_params, insert, open_doc, requests_waiting
from tests.test_completion_e2e import session

pytestmark = pytest.mark.usefixtures("state_dir")

FIM = "/beta/completions"
TEXT = "def f(x):\n    a = \n\nprint(1)\n"
#: Long enough that its stream, held after its first chunk, is known unfinished when it closes.
ANSWER = "x + 1 if x else compute(x, y, z) + other(x) + " + " + ".join(f"term_{i}(x)" for i in range(8))
#: Code below the cursor past the prompt's suffix window (a tenth of 2,048 tokens).
BELOW = "".join(f"def helper_{i}(value):\n    return value * {i} + offset_{i}\n\n\n" for i in range(60))


def change(client: Any, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
    changes(client, uri, version, (start, end, text))


def changes(client: Any, uri: str, version: int, *edits: tuple[tuple[int, int], tuple[int, int], str]) -> None:
    """One didChange of several changes, each in the text the ones before it left."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(types.Position(*s), types.Position(*e)), text=t)
                for s, e, t in edits
            ],
        )
    )


@asynccontextmanager
async def held_stream(
    tmp_path: Path, uri: str, text: str = TEXT, answer: str = ANSWER, at: tuple[int, int] = (1, 8)
) -> AsyncIterator[tuple[FakeDeepSeek, Any, asyncio.Future[Any], Any]]:
    """The server against the fake, the request at ``at`` (`a = |`) under way in ``text`` (an
    editor that does not cancel it), its stream held after its first chunk (`x + `)."""
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            fake.script(answer)
            open_doc(client, uri, text)
            fake.pause_after("x")
            asked = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, *at)))
            assert await fake.wait_paused_async()
            yield fake, client, asked, fake.requests_to(FIM)[-1]


async def asked_again(
    fake: FakeDeepSeek, client: Any, uri: str, asked: asyncio.Future[Any], stream: Any, character: int, line: int = 1
) -> list[str]:
    """The stream kept after the edit: the request asked again at ``character`` of the cursor's
    ``line`` joins it (beside the first, still waiting), which then ends; what it shows."""
    await asyncio.sleep(0.3)
    assert not stream.closed
    again = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, line, character)))
    assert await requests_waiting(client, 2)
    fake.resume()
    result = await asyncio.wait_for(again, 5)
    assert not (await asyncio.wait_for(asked, 5)).items  # its text moved on: the one asked again shows it
    assert len(fake.requests_to(FIM)) == 1 and stream.completed
    return [i.insert_text for i in result.items]


EDITS = {
    # An organise-imports edit at the top, the cursor below.
    "a line added above": ((0, 0), (0, 0), "import os\n"),
    "a key other than what streamed": ((1, 8), (1, 8), "y"),
    "a paste other than what streamed": ((1, 8), (1, 8), "compute(y)"),
    "the line asked for deleted": ((1, 0), (2, 0), ""),
    # A formatter's answer as one edit over the whole text: the body indented by 2.
    "the whole text replaced": ((0, 0), (4, 0), "def f(x):\n  a = \n\n\nprint(1)\n"),
}


@pytest.mark.parametrize("edit", EDITS)
async def test_an_edit_that_makes_the_answer_useless_closes_its_stream(tmp_path: Path, edit: str) -> None:
    start, end, text = EDITS[edit]
    uri = "file:///ws/edited.py"
    async with held_stream(tmp_path, uri) as (fake, client, asked, stream):
        change(client, uri, 2, start, end, text)
        # Left to run, the held stream never ends: closed, it was hung up on.
        assert await fake.wait_closed_async(stream, timeout=2.5)
        assert stream.disconnected and not stream.completed
        result = await asyncio.wait_for(asked, 5)
        assert not result.items
        fake.resume()
        usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
        spent = usage["session"]["features"]["completion"]
        # What streamed until the hang-up (`x + `), not the whole answer (~35 tokens).
        assert spent["requests"] == 1 and spent["cancelled"] == 1
        assert 0 < spent["output_tokens"] < 10
        assert len(fake.requests_to(FIM)) == 1


THROUGH = {
    "a key": (ANSWER, "x", ANSWER[1:]),
    # A `(` arrives as `()`, the cursor before the `)`: what streamed goes on with it.
    "an auto-closed pair": ("(x + 1) * 2", "()", "x + 1) * 2"),
}


@pytest.mark.parametrize("typed", THROUGH)
async def test_typing_through_what_streamed_keeps_the_stream_for_the_next_request(tmp_path: Path, typed: str) -> None:
    answer, keys, rest = THROUGH[typed]
    uri = "file:///ws/through.py"
    async with held_stream(tmp_path, uri, answer=answer) as (fake, client, asked, stream):
        insert(client, uri, 2, 1, 8, keys)
        assert await asked_again(fake, client, uri, asked, stream, 9) == [rest]


async def test_typing_through_what_streamed_in_an_empty_file_keeps_the_stream(tmp_path: Path) -> None:
    """A new file's first line: what the request was asked with is no text at all."""
    uri = "file:///ws/new.py"
    async with held_stream(tmp_path, uri, "", at=(0, 0)) as (fake, client, asked, stream):
        insert(client, uri, 2, 0, 0, "x")
        assert await asked_again(fake, client, uri, asked, stream, 1, line=0) == [ANSWER[1:]]


BELOW_EDITS = {
    "a line added at the end": lambda lines: ((lines, 0), (lines, 0), "print(2)\n"),
    # One edit over the whole text, only its end changed (a formatter's or a reload's).
    "the whole text replaced, its end changed": lambda lines: (
        (0, 0),
        (lines, 0),
        TEXT + BELOW.replace("offset_59", "shift_59"),
    ),
}


@pytest.mark.parametrize("edit", BELOW_EDITS)
async def test_an_edit_below_the_prompt_keeps_the_stream_for_the_request_asked_again(
    tmp_path: Path, edit: str
) -> None:
    text = TEXT + BELOW
    start, end, new = BELOW_EDITS[edit](text.count("\n"))
    uri = "file:///ws/below.py"
    async with held_stream(tmp_path, uri, text) as (fake, client, asked, stream):
        change(client, uri, 2, start, end, new)
        assert await asked_again(fake, client, uri, asked, stream, 8) == [ANSWER]


@pytest.mark.parametrize("edit", BELOW_EDITS)
async def test_an_edit_below_the_prompt_after_typing_through_keeps_the_stream(tmp_path: Path, edit: str) -> None:
    """Typed through what streamed, then an edit past all the prompt read: the stream was
    closed (the typed key made the text differ from what was asked), and the request at the
    next key asked the model again for what was streaming."""
    text = TEXT + BELOW
    start, end, new = BELOW_EDITS[edit](text.count("\n"))
    new = new.replace("    a = \n", "    a = x\n", 1)  # the whole text as the document has it now
    uri = "file:///ws/below_typed.py"
    async with held_stream(tmp_path, uri, text) as (fake, client, asked, stream):
        insert(client, uri, 2, 1, 8, "x")
        change(client, uri, 3, start, end, new)
        assert await asked_again(fake, client, uri, asked, stream, 9) == [ANSWER[1:]]


async def test_an_edit_in_another_file_keeps_the_stream_for_the_way_back(tmp_path: Path) -> None:
    """A key pressed in another file while the suggestion streams (the editor does not cancel
    the request): the request had become one no request could join, streamed on to its end,
    billed, and back at its place the model was asked again for the same text."""
    uri, other = "file:///ws/away.py", "file:///ws/other.py"
    async with held_stream(tmp_path, uri) as (fake, client, asked, stream):
        open_doc(client, other, "import os\n")
        insert(client, other, 2, 1, 0, "o")
        assert await asked_again(fake, client, uri, asked, stream, 8) == [ANSWER]


async def test_an_edit_making_the_answer_useless_while_a_request_waits_out_its_debounce_closes_it(
    tmp_path: Path,
) -> None:
    """The next key's request waits out its debounce (what was typed is ahead of what
    streamed), then an edit makes the answer useless: the stream is given the grace that
    request may join it in, and closed at its end, long before that debounce is over. Not
    closed, it streamed on to its end, billed, with no request able to use it."""
    uri = "file:///ws/debouncing.py"
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 3000, "prefetch": False, "invokedChoices": 1}) as client:
            fake.script(ANSWER)
            open_doc(client, uri, TEXT)
            fake.pause_after("x")
            asked = asyncio.ensure_future(
                client.text_document_inline_completion_async(inline_params(uri, 1, 8, invoked=True))
            )
            assert await fake.wait_paused_async()
            [stream] = fake.requests_to(FIM)
            insert(client, uri, 2, 1, 8, ANSWER[:8])  # through it, past what streamed (`x + `)
            waiting = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 1, 16)))
            await asyncio.sleep(0.3)
            assert not stream.closed and not waiting.done()
            change(client, uri, 3, (1, 8), (1, 16), "y")  # typed over with another text
            closed_in = asyncio.get_running_loop().time()
            assert await fake.wait_closed_async(stream, timeout=2.5)
            assert asyncio.get_running_loop().time() - closed_in < 1.5  # the debounce had 2.7 s to go
            assert stream.disconnected and not stream.completed
            assert not (await asyncio.wait_for(asked, 5)).items
            assert not (await asyncio.wait_for(waiting, 5)).items
            assert len(fake.requests_to(FIM)) == 1



#: The key at the place through what streamed, and a line added at the file's end (past all the
#: prompt read), in one didChange: in the document's order (Helix's multiple cursors, Kate's
#: batched changes) and from the end up (VS Code's multiple cursors).
KEY_AND_BELOW = {
    "in the document's order": lambda lines: [((1, 8), (1, 8), "x"), ((lines, 0), (lines, 0), "print(2)\n")],
    "from the end up": lambda lines: [((lines, 0), (lines, 0), "print(2)\n"), ((1, 8), (1, 8), "x")],
}


@pytest.mark.parametrize("order", KEY_AND_BELOW)
async def test_a_key_through_it_and_an_edit_below_the_prompt_in_one_change_keep_the_stream(
    tmp_path: Path, order: str
) -> None:
    """Several changes in one didChange (multiple cursors, an editor's batched changes): the
    decision was taken at the last change's end, as if it were the cursor (in the document's
    order: past the prompt, where nothing streamed), and the edit below had left the place
    moved (CompletionCache.edited), so the key read as no typing through in either order: the
    stream was closed and the next key asked the model again for what was streaming."""
    text = TEXT + BELOW
    uri = "file:///ws/multi_below.py"
    async with held_stream(tmp_path, uri, text) as (fake, client, asked, stream):
        changes(client, uri, 2, *KEY_AND_BELOW[order](text.count("\n")))
        assert await asked_again(fake, client, uri, asked, stream, 9) == [ANSWER[1:]]


async def test_a_key_through_it_and_an_edit_in_the_prompts_suffix_in_one_change_close_the_stream(
    tmp_path: Path,
) -> None:
    """The key at the place goes through what streamed, but another cursor changed the code
    below that the prompt read: the answer was asked for a text that is no more, as after that
    edit alone (a control: closed before too, the edit below having moved its place)."""
    text = TEXT + BELOW
    line = text.splitlines().index("    return value * 7 + offset_7")
    uri = "file:///ws/multi_suffix.py"
    async with held_stream(tmp_path, uri, text) as (fake, client, asked, stream):
        changes(client, uri, 2, ((line, 23), (line, 31), "shift_7"), ((1, 8), (1, 8), "x"))
        assert await fake.wait_closed_async(stream, timeout=2.5)
        assert stream.disconnected and not stream.completed
        assert not (await asyncio.wait_for(asked, 5)).items
        assert len(fake.requests_to(FIM)) == 1
