"""The prefetch (what follows accepting the suggestion shown, asked before the user accepts) is
stopped once the user is elsewhere: LSP tells no cursor move, so the editors tell it
(``deepseek/cursorMoved``: the Neovim plugin's cursor events, VS Code's selection change), and a
request in another document tells it too. What prefetches cost is in the ledger under their
own name. The real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import _to_dict, inline_params, insert, open_doc
from tests.test_completion_e2e import accept, fim_requests, session, shown_with_prefetch

pytestmark = pytest.mark.usefixtures("state_dir")

CURSOR_MOVED = "deepseek/cursorMoved"


@asynccontextmanager
async def _prefetching(tmp_path: Path, uri: str, *more: str) -> AsyncIterator[tuple[FakeDeepSeek, Any, Any]]:
    """The fake, the client, and the prefetch after the suggestion shown at ``uri``'s `a = |`,
    held after its first line until the server hangs up; ``more``: the fake's answers after it.
    Streamed at 0.05 s a chunk it ended by itself in ~4 s, which at load came before a stop
    waited for 2.5 s."""
    with FakeDeepSeek() as fake:
        fake.script("x + 1", "\n    return a\n" * 20, *more)
        fake.pause_after("return a\n")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            _item, prefetch = await shown_with_prefetch(client, fake, uri)
            yield fake, client, prefetch


def moved(client: Any, uri: str, line: int, character: int) -> None:
    client.protocol.notify(
        CURSOR_MOVED, {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
    )


async def test_a_click_away_from_the_suggestion_stops_its_prefetch(tmp_path: Path) -> None:
    """The suggestion shown at `a = |`, its prefetch streaming; the user clicks on the line
    above (no edit, no request: nothing an LSP server hears): the prefetch streamed on to its
    end, billed for every token of an answer never shown."""
    uri = "file:///ws/moved.py"
    async with _prefetching(tmp_path, uri) as (fake, client, prefetch):
        moved(client, uri, 1, 8)  # the cursor where the suggestion is: kept
        await asyncio.sleep(0.3)
        assert not prefetch.closed
        moved(client, uri, 0, 3)
        assert await fake.wait_closed_async(prefetch, timeout=10.0)
        assert prefetch.disconnected and not prefetch.completed
        counts = _to_dict(await client.protocol.send_request_async("deepseek/completionStats", {}))
        assert (counts["prefetches"], counts["prefetchesStopped"]) == (1, 1)
        usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
        spent = usage["session"]["features"]["prefetch"]
        assert spent["requests"] == 1 and spent["cancelled"] == 1 and spent["output_tokens"] > 0
        assert usage["session"]["features"]["completion"]["requests"] == 1


async def test_a_request_in_another_file_stops_the_prefetch_of_the_first(tmp_path: Path) -> None:
    """The user went to another file and the editor asks there: the first file's prefetch is
    for a state the user left (an edit in the other file stopped it; a request did not)."""
    uri = "file:///ws/first.py"
    async with _prefetching(tmp_path, uri, "") as (fake, client, prefetch):
        other = "file:///ws/second.py"
        open_doc(client, other, "import os\n")
        await client.text_document_inline_completion_async(inline_params(other, 1, 0))
        assert await fake.wait_closed_async(prefetch, timeout=10.0)
        assert prefetch.disconnected and not prefetch.completed
        assert len(fim_requests(fake)) == 3


async def test_a_cursor_moved_in_another_file_stops_the_prefetch_of_the_first(tmp_path: Path) -> None:
    """Switched to another editor (VS Code's selection there, Neovim's BufEnter): the first
    file's prefetch is stopped."""
    async with _prefetching(tmp_path, "file:///ws/first.py") as (fake, client, prefetch):
        other = "file:///ws/second.py"
        open_doc(client, other, "import os\n")
        moved(client, other, 0, 0)
        assert await fake.wait_closed_async(prefetch, timeout=10.0)
        assert prefetch.disconnected


async def test_a_cursor_moved_in_an_unknown_file_or_malformed_changes_nothing(tmp_path: Path) -> None:
    """Bad input: a position past the end, an unknown document, no params: ignored, the
    prefetch at the cursor kept, the server answering."""
    uri = "file:///ws/kept.py"
    async with _prefetching(tmp_path, uri) as (_fake, client, prefetch):
        client.protocol.notify(CURSOR_MOVED, {})
        client.protocol.notify(CURSOR_MOVED, {"textDocument": {"uri": uri}, "position": {"line": "x"}})
        moved(client, uri, 99, 0)
        moved(client, "file:///ws/never-opened.py", 0, 0)
        await asyncio.sleep(0.3)
        assert not prefetch.closed
        counts = _to_dict(await client.protocol.send_request_async("deepseek/completionStats", {}))
        assert counts["prefetchesStopped"] == 0


async def test_an_answer_for_a_file_left_meanwhile_starts_no_prefetch(tmp_path: Path) -> None:
    """A suggestion asked in one file, the user meanwhile in another, accepting there (the
    Neovim plugin keeps a request under way when its buffer is left, for its answer to show on
    the way back): the first file's answer came and started its prefetch, for a file the user
    had left, streamed to its end after the edits that stop prefetches elsewhere."""

    def respond(body: dict[str, Any]) -> str:
        prompt: str = body["prompt"]
        return "x + 1" if prompt.endswith("a = ") else "y * 2" if prompt.endswith("b = ") else ""

    with FakeDeepSeek() as fake:
        fake.responder(respond, path="/beta/completions")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            first, second = "file:///ws/first.py", "file:///ws/second.py"
            open_doc(client, first, "def f(x):\n    a = \n")
            fake.pause_after("x")
            pending = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(first, 1, 8)))
            assert await fake.wait_paused_async()
            open_doc(client, second, "def g(y):\n    b = \n")
            item = (await client.text_document_inline_completion_async(inline_params(second, 1, 8))).items[0]
            await accept(client, second, 2, 1, 8, item)
            fake.resume()
            assert [i.insert_text for i in (await pending).items] == ["x + 1"]
            await asyncio.sleep(0.5)
            prompts = [r.json["prompt"] for r in fim_requests(fake)]
            assert not any(p.endswith("a = x + 1") for p in prompts), prompts
            assert any(p.endswith("b = y * 2") for p in prompts)  # the second file's own


async def test_a_file_written_beside_by_another_program_keeps_the_prefetch(tmp_path: Path) -> None:
    """A log file open beside the code, written to by the app the user runs: the editor reloads
    it (VS Code on each write, Neovim's autoread), each reload a change of that document with
    no key pressed, the user still typing in the code. Each stopped the code's prefetch (1 of 1),
    and an answer coming meanwhile started none: no next suggestion at once after Tab."""
    uri = "file:///ws/app.py"
    async with _prefetching(tmp_path, uri) as (fake, client, prefetch):
        log_uri = "file:///ws/app.log"
        open_doc(client, log_uri, "started\n", language="log")
        for n in range(3):
            insert(client, log_uri, 2 + n, 1 + n, 0, f"GET /items/{n} 200 12ms\n")
            await asyncio.sleep(0.1)
        assert not prefetch.closed
        counts = _to_dict(await client.protocol.send_request_async("deepseek/completionStats", {}))
        assert counts["prefetchesStopped"] == 0
        insert(client, log_uri, 5, 4, 0, "x")  # a key pressed there: the user is in the log
        assert await fake.wait_closed_async(prefetch, timeout=10.0)
